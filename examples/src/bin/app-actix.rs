//! The actix-web reference app of the HTTP API.
//!
//! `cargo run --release -p tokengate-examples --bin app-actix`, configured by `TOKENGATE_*`.

use actix_web::{web, App, HttpResponse, HttpServer, Resource};
use tokengate_actix::{Authenticated, Authorized, DocumentRead, DocumentWrite};
use tokengate_examples as app;

async fn public() -> HttpResponse {
    HttpResponse::Ok().json(app::public())
}

async fn protected(user: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(app::protected(user.into_claims()))
}

async fn read_document(doc: Authorized<DocumentRead>) -> HttpResponse {
    HttpResponse::Ok().json(app::document(&doc.document, "read"))
}

async fn write_document(doc: Authorized<DocumentWrite>) -> HttpResponse {
    HttpResponse::Ok().json(app::document(&doc.document, "write"))
}

/// A resource whose other methods get the service's JSON 405, with `Allow`.
fn resource(path: &str, allow: &'static [&'static str]) -> Resource {
    web::resource(path).default_service(tokengate_actix::not_allowed(allow))
}

#[actix_web::main]
async fn main() {
    let started = app::start().await;
    let (service, origins) = (started.service, started.config.cors_origins);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(service.clone()))
            .service(resource("/public", &["GET"]).get(public))
            .service(resource("/protected", &["GET"]).get(protected))
            .service(
                resource("/documents/{id}", &["GET", "PUT"])
                    .get(read_document)
                    .put(write_document),
            )
            .configure(tokengate_actix::configure)
            .default_service(web::to(tokengate_actix::not_found))
            .wrap(tokengate_actix::cors(&origins))
    })
    .workers(2)
    .shutdown_signal(app::shutdown_signal())
    .listen(started.listener)
    .expect("listener");
    app::announce(server.addrs()[0]);
    server.run().await.expect("server");
}

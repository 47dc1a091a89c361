//! The Rocket reference app of the HTTP API.
//!
//! `cargo run --release -p tokengate-examples --bin app-rocket`, configured by `TOKENGATE_*`.

use std::net::SocketAddr;

use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::serde::json::Json;
use rocket::{get, put, routes};
use tokengate_cli::demo::{DocumentBody, ProtectedBody, PublicBody};
use tokengate_examples as app;
use tokengate_rocket::{Authenticated, Authorized, DocumentRead, DocumentWrite, TokenGateFairing};

#[get("/public")]
fn public() -> Json<PublicBody> {
    Json(app::public())
}

#[get("/protected")]
fn protected(user: Authenticated) -> Json<ProtectedBody> {
    Json(app::protected(user.into_claims()))
}

#[get("/documents/<id>")]
fn read_document(id: &str, doc: Authorized<DocumentRead>) -> Json<DocumentBody> {
    // The id as the guard decoded it, by the core's rule; `id` is only there because Rocket
    // wants every dynamic segment among the arguments.
    let _ = id;
    Json(app::document(&doc.document, "read"))
}

#[put("/documents/<id>")]
fn write_document(id: &str, doc: Authorized<DocumentWrite>) -> Json<DocumentBody> {
    let _ = id;
    Json(app::document(&doc.document, "write"))
}

#[rocket::main]
async fn main() {
    let started = app::start().await;
    // Rocket binds by itself: free the address `start()` checked. With port 0 Rocket picks
    // a port of its own, which it reports on liftoff.
    drop(started.listener);
    let addr = started.config.addr;
    // Rocket's own logger would write to stdout, which carries only the `listening` line;
    // `start()` already sends the `log` records to standard error.
    let figment = rocket::Config::figment()
        .merge(("address", addr.ip()))
        .merge(("port", addr.port()))
        .merge(("log_level", LogLevel::Off))
        .merge(("cli_colors", false));
    let tokens =
        TokenGateFairing::with_service(started.service).cors_origins(&started.config.cors_origins);
    let result = rocket::custom(figment)
        .attach(tokens)
        .attach(AdHoc::on_liftoff("announce", |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                app::announce(SocketAddr::new(config.address, config.port));
            })
        }))
        .mount(
            "/",
            routes![public, protected, read_document, write_document],
        )
        .launch()
        .await;
    if let Err(error) = result {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

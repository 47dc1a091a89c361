//! The warp reference app of the HTTP API.
//!
//! `cargo run --release -p tokengate-examples --bin app-warp`, configured by `TOKENGATE_*`.

use tokengate_examples as app;
use tokengate_warp::{
    authenticated, require_permission, Authenticated, Authorized, DocumentRead, DocumentWrite,
};
use warp::reply::json;
use warp::Filter;

/// The demo routes, each path with a method, for the `Allow` of a 405.
const DEMO_ROUTES: [(&str, &str); 4] = [
    ("/public", "GET"),
    ("/protected", "GET"),
    ("/documents/{id}", "GET"),
    ("/documents/{id}", "PUT"),
];

#[tokio::main]
async fn main() {
    let started = app::start().await;
    let service = started.service;
    let gate = service.gate().clone();

    let public = warp::path!("public")
        .and(warp::get())
        .map(|| json(&app::public()));
    let protected = warp::path!("protected")
        .and(warp::get())
        .and(authenticated(gate.clone()))
        .map(|Authenticated(claims): Authenticated| json(&app::protected(*claims)));
    let read = warp::path!("documents" / ..)
        .and(require_permission(gate.clone(), DocumentRead))
        .and(warp::get())
        .map(|doc: Authorized<DocumentRead>| json(&app::document(&doc.document, "read")));
    let write = warp::path!("documents" / ..)
        .and(require_permission(gate.clone(), DocumentWrite))
        .and(warp::put())
        .map(|doc: Authorized<DocumentWrite>| json(&app::document(&doc.document, "write")));
    let routes = public
        .or(protected)
        .unify()
        .or(read)
        .unify()
        .or(write)
        .unify()
        .or(tokengate_warp::routes(service))
        .or(tokengate_warp::method_not_allowed(
            gate.clone(),
            DEMO_ROUTES,
        ))
        .recover(tokengate_warp::handle_rejection(gate));
    let routes = tokengate_warp::cors(&started.config.cors_origins, routes);

    let listener = tokio::net::TcpListener::from_std(started.listener).expect("tokio listener");
    app::announce(listener.local_addr().expect("bound address"));
    warp::serve(routes)
        .incoming(listener)
        .graceful(app::shutdown_signal())
        .run()
        .await;
}

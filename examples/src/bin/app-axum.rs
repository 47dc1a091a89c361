//! The axum reference app of CONTRACT.md.
//!
//! `cargo run --release -p tokengate-examples --bin app-axum`, configured by `TOKENGATE_*`.

use axum::routing::get;
use axum::{Json, Router};
use tokengate::Service;
use tokengate_axum::{Authenticated, Authorized, DocumentRead, DocumentWrite};
use tokengate_examples as app;

async fn public() -> Json<serde_json::Value> {
    Json(app::public())
}

async fn protected(Authenticated(claims): Authenticated) -> Json<serde_json::Value> {
    Json(app::protected(&claims))
}

async fn read_document(doc: Authorized<DocumentRead>) -> Json<serde_json::Value> {
    Json(app::document(&doc.document, "read"))
}

async fn write_document(doc: Authorized<DocumentWrite>) -> Json<serde_json::Value> {
    Json(app::document(&doc.document, "write"))
}

#[tokio::main]
async fn main() {
    let started = app::start().await;
    let router: Router = Router::new()
        .route("/public", get(public))
        .route("/protected", get(protected))
        .route("/documents/{id}", get(read_document).put(write_document))
        .merge(tokengate_axum::routes())
        .fallback(tokengate_axum::not_found::<Service>)
        .method_not_allowed_fallback(tokengate_axum::method_not_allowed::<Service>)
        .layer(tokengate_axum::cors_layer(&started.config.cors_origins))
        .with_state(started.service);
    let listener = tokio::net::TcpListener::from_std(started.listener).expect("tokio listener");
    app::announce(listener.local_addr().expect("bound address"));
    axum::serve(listener, router)
        .with_graceful_shutdown(app::shutdown_signal())
        .await
        .expect("server");
}

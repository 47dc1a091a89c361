//! The axum reference app of the HTTP API.
//!
//! `cargo run --release -p tokengate-examples --bin app-axum`, configured by `TOKENGATE_*`.
//! The routes are `tokengate_cli::reference_app` (read it for the extractors);
//! `tokengate serve` runs the same app. `axum-existing-app` shows an app state of your own.

use tokengate_examples as app;

#[tokio::main]
async fn main() {
    let started = app::start().await;
    let router = tokengate_cli::reference_app(started.service, &started.config.cors_origins);
    let listener = tokio::net::TcpListener::from_std(started.listener).expect("tokio listener");
    app::announce(listener.local_addr().expect("bound address"));
    // With the peer's address, for the audit log.
    let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(app::shutdown_signal())
        .await
        .expect("server");
}

//! `tokengate serve`: the whole reference service on the axum adapter.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::time::Instant;
use tokengate::{Config, TokenService};

/// Runs the service until SIGINT or SIGTERM; in-flight requests finish first.
pub async fn run(config: Config) -> Result<(), String> {
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let service = TokenService::connect(&config)
        .await
        .map_err(|e| e.to_string())?;
    let router = app(service, &config.cors_origins);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("TOKENGATE_ADDR: cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{addr}");
    tracing::info!(
        %addr,
        crypto_backend = tokengate::token::install_crypto_backend(),
        "tokengate serve started"
    );
    // With the peer's address, for the audit log.
    let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}

/// The routes of the reference service, with one log line per request.
pub fn app(service: TokenService, cors_origins: &[String]) -> Router {
    tokengate_cli::reference_app(service, cors_origins)
        .layer(axum::middleware::from_fn(log_request))
}

/// One line per request: method, path, status, latency in whole microseconds. Never headers, bodies or the query
/// string, which may carry tokens or passwords.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

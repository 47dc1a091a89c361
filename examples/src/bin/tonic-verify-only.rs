//! Copy me: a tonic gRPC server whose every call needs a valid token with the `health:read`
//! scope, through tonic's own `Server::layer`. A refused call gets the gRPC status a client
//! expects: `UNAUTHENTICATED` (no token, a bad or expired one), `PERMISSION_DENIED` (no
//! scope). Depends on `tokengate-axum` with `default-features = false, features = ["tonic"]`.
//!
//! The service here is tonic's standard health service; yours are added the same way with
//! `add_service`, and a handler reads who called from the request's extensions:
//! `request.extensions().get::<tokengate_axum::Authenticated>()`.
//!
//! Needs TOKENGATE_SECRET (32 bytes or more); TOKENGATE_ADDR is optional.
use tokengate_axum::tokengate::{Algorithm, ConfigError, Gate, Key, Verifier};
use tokengate_axum::TokenGateLayer;
use tonic::transport::Server;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One key pinned to one algorithm; the issuer and audience your token service uses.
    let secret = std::env::var("TOKENGATE_SECRET").unwrap_or_default();
    let key = Key::hmac(Algorithm::HS256, secret.as_bytes())
        // One line and exit status 2, as tokengate's own settings fail.
        .unwrap_or_else(|error| ConfigError::new("TOKENGATE_SECRET", error.to_string()).exit());
    let gate = Gate::new(Verifier::new(key).issuer("tokengate").audience("tokengate"));

    let (_reporter, health) = tonic_health::server::health_reporter();
    let addr = std::env::var("TOKENGATE_ADDR").unwrap_or_else(|_| "127.0.0.1:50051".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    Server::builder()
        .layer(TokenGateLayer::new(gate).scope("health:read")) // every call, every service
        .add_service(health)
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
        .await?;
    Ok(())
}

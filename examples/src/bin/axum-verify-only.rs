//! Copy me: an existing axum app that only *accepts* tokens (minted by `tokengate serve` or
//! another service sharing the secret). Depends on `tokengate-axum` with
//! `default-features = false`: no database, no password hashing, no C compiler.
//!
//! Needs TOKENGATE_SECRET (32 bytes or more); TOKENGATE_ADDR and TOKENGATE_REVOCATION_FEED
//! (the token service's base URL, to follow its logouts) are optional.
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tokengate_axum::tokengate::gate::{RevocationFeed, RevocationList};
use tokengate_axum::tokengate::{Algorithm, ConfigError, Gate, Key, Verifier};
use tokengate_axum::{Authenticated, Authorized, DocumentRead, TokenGateLayer};

async fn index() -> &'static str {
    "my app"
}

async fn me(Authenticated(claims): Authenticated) -> String {
    format!("hello, {}", claims.sub.unwrap_or_default())
}

async fn read_document(doc: Authorized<DocumentRead>) -> String {
    format!("reading {}", doc.document)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One key pinned to one algorithm; the issuer and audience your token service uses.
    let secret = std::env::var("TOKENGATE_SECRET").unwrap_or_default();
    let key = Key::hmac(Algorithm::HS256, secret.as_bytes())
        // One line and exit status 2, as tokengate's own settings fail.
        .unwrap_or_else(|error| ConfigError::new("TOKENGATE_SECRET", error.to_string()).exit());
    let verifier = Verifier::new(key).issuer("tokengate").audience("tokengate");
    // Logouts on the token service reach this app through the service's revocation feed,
    // when TOKENGATE_REVOCATION_FEED names it (its base URL): refused here within a second.
    let revocations = Arc::new(RevocationList::new());
    let gate = Gate::builder(verifier)
        .revocations(revocations.clone())
        .build();
    if let Ok(service) = std::env::var("TOKENGATE_REVOCATION_FEED") {
        RevocationFeed::new(&service)
            .unwrap_or_else(|e| ConfigError::new("TOKENGATE_REVOCATION_FEED", e.to_string()).exit())
            .follow(revocations);
    }

    // Every route under /api needs a valid bearer token; the layer verifies once per request.
    let api = Router::new()
        .route("/me", get(me))
        .route("/documents/{id}", get(read_document))
        .layer(TokenGateLayer::new(gate.clone()));
    let app = Router::new()
        .route("/", get(index)) // your open routes stay as they are
        .nest("/api", api)
        .with_state(gate);

    let addr = std::env::var("TOKENGATE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

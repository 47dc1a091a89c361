//! Copy me: an existing warp app that only *accepts* tokens (minted by `tokengate serve` or
//! another service sharing the secret). Depends on `tokengate-warp` with
//! `default-features = false`: no database, no password hashing, no C compiler.
//!
//! Needs TOKENGATE_SECRET (32 bytes or more); TOKENGATE_ADDR and TOKENGATE_REVOCATION_FEED
//! (the token service's base URL, to follow its logouts) are optional.
use std::sync::Arc;
use tokengate_warp::tokengate::gate::{RevocationFeed, RevocationList};
use tokengate_warp::tokengate::{Algorithm, ConfigError, Gate, Key, Verifier};
use tokengate_warp::{authenticated, require_permission, Authenticated, Authorized, DocumentRead};
use warp::Filter;

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

    let index = warp::path::end().map(|| "my app"); // your open routes stay as they are
    let me = warp::path!("me")
        .and(authenticated(gate.clone()))
        .map(|user: Authenticated| format!("hello, {}", user.sub.as_deref().unwrap_or_default()));
    let document = warp::path("documents")
        .and(require_permission(gate.clone(), DocumentRead))
        .and(warp::get())
        .map(|doc: Authorized<DocumentRead>| format!("reading {}", doc.document));
    // Every route under /api needs a valid bearer token.
    let api = warp::path("api").and(me.or(document));
    let app = index
        .or(api)
        .recover(tokengate_warp::handle_rejection(gate)); // the 401/403 answers

    let addr = std::env::var("TOKENGATE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    warp::serve(app).incoming(listener).run().await;
    Ok(())
}

//! Copy me: an existing Rocket app that only *accepts* tokens (minted by `tokengate serve` or
//! another service sharing the secret). Depends on `tokengate-rocket` with
//! `default-features = false`: no database, no password hashing, no C compiler.
//!
//! Needs TOKENGATE_SECRET (32 bytes or more); TOKENGATE_ADDR and TOKENGATE_REVOCATION_FEED
//! (the token service's base URL, to follow its logouts) are optional.
use rocket::fairing::AdHoc;
use rocket::{get, routes};
use std::sync::Arc;
use tokengate_rocket::tokengate::gate::{RevocationFeed, RevocationList};
use tokengate_rocket::tokengate::{Algorithm, ConfigError, Gate, Key, Verifier};
use tokengate_rocket::{Authenticated, Authorized, DocumentRead, TokenGateFairing};

#[get("/")]
fn index() -> &'static str {
    "my app"
}

// Rocket has no router-wide guard: each route under /api takes a guard.
#[get("/me")]
fn me(user: Authenticated) -> String {
    format!("hello, {}", user.sub.as_deref().unwrap_or_default())
}

#[get("/documents/<id>")]
fn read_document(id: &str, doc: Authorized<DocumentRead>) -> String {
    debug_assert_eq!(id, doc.document);
    format!("reading {id}")
}

#[rocket::main]
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

    let addr: std::net::SocketAddr = std::env::var("TOKENGATE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8080".into())
        .parse()?;
    let figment = rocket::Config::figment()
        .merge(("address", addr.ip()))
        .merge(("port", addr.port()))
        .merge(("log_level", "off"));
    rocket::custom(figment)
        .attach(TokenGateFairing::with_gate(gate)) // the guards' gate, and the 401/403 catchers
        .mount("/", routes![index]) // your open routes stay as they are
        .mount("/api", routes![me, read_document])
        .attach(AdHoc::on_liftoff("announce", |rocket| {
            Box::pin(async move {
                let config = rocket.config(); // the bound port, when TOKENGATE_ADDR asked for 0
                println!("listening on http://{}:{}", config.address, config.port);
            })
        }))
        .launch()
        .await?;
    Ok(())
}

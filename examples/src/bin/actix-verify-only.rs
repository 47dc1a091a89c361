//! Copy me: an existing actix-web app that only *accepts* tokens (minted by `tokengate serve`
//! or another service sharing the secret). Depends on `tokengate-actix` with
//! `default-features = false`: no database, no password hashing, no C compiler.
//!
//! Needs TOKENGATE_SECRET (32 bytes or more); TOKENGATE_ADDR and TOKENGATE_REVOCATION_FEED
//! (the token service's base URL, to follow its logouts) are optional.
use actix_web::{web, App, HttpServer};
use std::sync::Arc;
use tokengate_actix::tokengate::gate::{RevocationFeed, RevocationList};
use tokengate_actix::tokengate::{Algorithm, ConfigError, Gate, Key, Verifier};
use tokengate_actix::{Authenticated, Authorized, DocumentRead, TokenGate};

async fn index() -> &'static str {
    "my app"
}

async fn me(user: Authenticated) -> String {
    format!("hello, {}", user.sub.as_deref().unwrap_or_default())
}

async fn read_document(doc: Authorized<DocumentRead>) -> String {
    format!("reading {}", doc.document)
}

#[actix_web::main]
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

    let addr = std::env::var("TOKENGATE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(gate.clone())) // the extractors find the gate here
            .route("/", web::get().to(index)) // your open routes stay as they are
            .service(
                web::scope("/api") // every route in here needs a valid bearer token
                    .wrap(TokenGate::new(gate.clone()))
                    .route("/me", web::get().to(me))
                    .route("/documents/{id}", web::get().to(read_document)),
            )
    })
    .bind(addr)?;
    println!("listening on http://{}", server.addrs()[0]);
    server.run().await?;
    Ok(())
}

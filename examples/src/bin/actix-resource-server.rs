//! Copy me: an actix-web API behind an OpenID Connect provider (Keycloak, Auth0, Entra ID, …)
//! that only checks the provider's access tokens, as an OAuth resource server: no secret of
//! its own, no call to the provider per request. Depends on `tokengate` with the
//! `remote-keys` feature and on `tokengate-actix` with `default-features = false`.
//!
//! Needs OIDC_ISSUER (the provider's issuer URL, as its tokens carry it in `iss`) and
//! API_AUDIENCE (your API's identifier at the provider, in its tokens' `aud`).
//! OIDC_ALLOW_HTTP=1 lets an http:// issuer through (a provider on loopback, in tests);
//! TOKENGATE_ADDR is optional.
use actix_web::{web, App, HttpServer};
use tokengate::token::remote::TrustedIssuers;
use tokengate::{Gate, Scope};
use tokengate_actix::{Authenticated, Scoped};

/// The scope the provider grants to the clients that may edit.
struct DocumentsWrite;
impl Scope for DocumentsWrite {
    const SCOPE: &'static str = "documents:write";
}

async fn index() -> &'static str {
    "my api"
}

async fn me(user: Authenticated) -> String {
    format!("hello, {}", user.sub.as_deref().unwrap_or_default())
}

async fn editor(user: Scoped<DocumentsWrite>) -> String {
    format!("editor for {}", user.sub.as_deref().unwrap_or_default())
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = std::env::var("OIDC_ISSUER")?;
    let allow_http = std::env::var("OIDC_ALLOW_HTTP").is_ok_and(|v| v == "1");
    let providers = TrustedIssuers::discover([issuer], allow_http)?;
    let gate = Gate::trusting(providers, std::env::var("API_AUDIENCE")?).build();
    // Loads the provider's keys in the background and keeps them fresh; start-up never waits
    // (until they are loaded, the provider's tokens are answered 503 with Retry-After).
    gate.spawn_key_refreshers();

    let addr = std::env::var("TOKENGATE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(gate.clone()))
            .route("/", web::get().to(index))
            .route("/me", web::get().to(me))
            .route("/editor", web::get().to(editor))
    })
    .bind(addr)?;
    println!("listening on http://{}", server.addrs()[0]);
    server.run().await?;
    Ok(())
}

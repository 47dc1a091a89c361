//! Copy me: a Rocket API behind an OpenID Connect provider (Keycloak, Auth0, Entra ID, …) that
//! only checks the provider's access tokens, as an OAuth resource server: no secret of its
//! own, no call to the provider per request. Depends on `tokengate` with the `remote-keys`
//! feature and on `tokengate-rocket` with `default-features = false`.
//!
//! Needs OIDC_ISSUER (the provider's issuer URL, as its tokens carry it in `iss`) and
//! API_AUDIENCE (your API's identifier at the provider, in its tokens' `aud`).
//! OIDC_ALLOW_HTTP=1 lets an http:// issuer through (a provider on loopback, in tests);
//! TOKENGATE_ADDR is optional.
use rocket::fairing::AdHoc;
use rocket::{get, routes};
use tokengate::token::remote::TrustedIssuers;
use tokengate::{Gate, Scope};
use tokengate_rocket::{Authenticated, Scoped, TokenGateFairing};

/// The scope the provider grants to the clients that may edit.
struct DocumentsWrite;
impl Scope for DocumentsWrite {
    const SCOPE: &'static str = "documents:write";
}

#[get("/")]
fn index() -> &'static str {
    "my api"
}

#[get("/me")]
fn me(user: Authenticated) -> String {
    format!("hello, {}", user.sub.as_deref().unwrap_or_default())
}

#[get("/editor")]
fn editor(user: Scoped<DocumentsWrite>) -> String {
    format!("editor for {}", user.sub.as_deref().unwrap_or_default())
}

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = std::env::var("OIDC_ISSUER")?;
    let allow_http = std::env::var("OIDC_ALLOW_HTTP").is_ok_and(|v| v == "1");
    let providers = TrustedIssuers::discover([issuer], allow_http)?;
    let gate = Gate::trusting(providers, std::env::var("API_AUDIENCE")?).build();
    // Loads the provider's keys in the background and keeps them fresh; start-up never waits
    // (until they are loaded, the provider's tokens are answered 503 with Retry-After).
    gate.spawn_key_refreshers();

    let addr: std::net::SocketAddr = std::env::var("TOKENGATE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8080".into())
        .parse()?;
    let figment = rocket::Config::figment()
        .merge(("address", addr.ip()))
        .merge(("port", addr.port()))
        .merge(("log_level", "off"));
    rocket::custom(figment)
        .attach(TokenGateFairing::with_gate(gate)) // the guards' gate, the 401/403/503 catchers
        .mount("/", routes![index, me, editor])
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

//! Copy me: add a CKEditor token endpoint and a bearer-protected route to an existing axum
//! app. Needs TOKENGATE_SECRET, TOKENGATE_CS_ENVIRONMENT_ID and TOKENGATE_CS_ACCESS_KEY.
use axum::routing::{get, post};
use axum::Router;
use tokengate::{Config, Service};
use tokengate_axum::Authenticated;

async fn index() -> &'static str {
    "my existing app"
}

async fn dashboard(user: Authenticated) -> String {
    format!("the dashboard of {}", user.sub.as_deref().unwrap_or("?"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let tokens = Service::connect(&config).await?;
    let app = Router::new()
        .route("/", get(index)) // your routes stay as they are
        .route("/dashboard", get(dashboard)) // this one now needs a bearer token
        .route("/login", post(tokengate_axum::login::<Service>))
        .route("/cs-token", get(tokengate_axum::cs_token::<Service>))
        .with_state(tokens);
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

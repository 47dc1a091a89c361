//! Copy me: add tokengate to an existing axum app that has its own state. The token routes
//! (`/login`, `/cs-token`, …) are merged in, `/dashboard` reads the claims with an extractor,
//! and a nested `/admin` router is protected as a whole by `TokenGateLayer`.
//! Needs TOKENGATE_SECRET (and TOKENGATE_CS_ENVIRONMENT_ID, TOKENGATE_CS_ACCESS_KEY for
//! `/cs-token`). With `TOKENGATE_METRICS=1` and `METRICS_ADDR=127.0.0.1:9464`, the Prometheus
//! metrics are served on that private address only, never on the public one.
use axum::extract::{FromRef, State};
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use std::future::IntoFuture;
use tokengate_axum::tokengate::telemetry::METRICS_CONTENT_TYPE;
use tokengate_axum::tokengate::{Config, Gate, TokenService};
use tokengate_axum::{Authenticated, TokenGateLayer};

/// The app's own state, as it was, plus one field: the token service.
#[derive(Clone)]
struct AppState {
    shop_name: &'static str,
    tokens: TokenService,
}

impl FromRef<AppState> for TokenService {
    fn from_ref(state: &AppState) -> TokenService {
        state.tokens.clone()
    }
}

/// The extractors' gate, through the token service (a reference-counted handle).
impl FromRef<AppState> for Gate {
    fn from_ref(state: &AppState) -> Gate {
        state.tokens.gate().clone()
    }
}

async fn index(State(state): State<AppState>) -> String {
    format!("welcome to {}", state.shop_name)
}

async fn dashboard(user: Authenticated) -> String {
    format!("the dashboard of {}", user.sub.as_deref().unwrap_or("?"))
}

async fn stats() -> &'static str {
    "admin statistics"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env().unwrap_or_else(|error| error.exit());
    let mut tokens = TokenService::connect(&config)
        .await
        .unwrap_or_else(|error| error.exit());
    // Metrics on a private address: the public /metrics stays a 404.
    if let (Ok(addr), Some(metrics)) = (std::env::var("METRICS_ADDR"), tokens.gate().metrics()) {
        let metrics = metrics.clone();
        let scrape =
            move || async move { ([(CONTENT_TYPE, METRICS_CONTENT_TYPE)], metrics.render()) };
        let private = tokio::net::TcpListener::bind(addr).await?;
        println!("metrics on http://{}/metrics", private.local_addr()?);
        tokio::spawn(
            axum::serve(private, Router::new().route("/metrics", get(scrape))).into_future(),
        );
        tokens = tokens.with_private_metrics();
    }
    // Every route under /admin needs a valid token; the handlers need not ask for it.
    let admin = Router::new()
        .route("/stats", get(stats))
        .layer(TokenGateLayer::new(tokens.gate().clone()));
    let state = AppState {
        shop_name: "the shop",
        tokens,
    };
    let app = Router::new()
        .route("/", get(index)) // your routes stay as they are
        .route("/dashboard", get(dashboard)) // this one now needs a bearer token
        .nest("/admin", admin)
        .merge(tokengate_axum::routes()) // /login, /refresh, /logout, /cs-token, …
        // Unknown paths and wrong methods answer in the same JSON as every other error
        // (axum's own 404 and 405 have empty bodies).
        .fallback(tokengate_axum::not_found)
        .method_not_allowed_fallback(tokengate_axum::method_not_allowed)
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

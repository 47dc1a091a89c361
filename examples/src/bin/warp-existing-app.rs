//! Copy me: protect a route of an existing warp filter chain and add a CKEditor token
//! endpoint. Needs TOKENGATE_SECRET, TOKENGATE_CS_ENVIRONMENT_ID and TOKENGATE_CS_ACCESS_KEY.
use tokengate_warp::tokengate::service::ServiceRoute;
use tokengate_warp::tokengate::{Config, TokenService};
use tokengate_warp::{authenticated, Authenticated};
use warp::Filter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env().unwrap_or_else(|error| error.exit());
    let tokens = TokenService::connect(&config)
        .await
        .unwrap_or_else(|error| error.exit());
    let gate = tokens.gate().clone();

    let index = warp::path::end().map(|| "my existing app"); // your filters stay as they are
    let dashboard = warp::path!("dashboard")
        .and(authenticated(gate.clone())) // this one now needs a bearer token
        .map(|user: Authenticated| {
            format!("the dashboard of {}", user.sub.as_deref().unwrap_or("?"))
        });
    let app = index
        .or(dashboard)
        .or(tokengate_warp::service_route(
            tokens.clone(),
            &ServiceRoute::LOGIN,
        ))
        .or(tokengate_warp::service_route(
            tokens,
            &ServiceRoute::CS_TOKEN,
        ))
        .recover(tokengate_warp::handle_rejection(gate)); // 401s and JSON errors

    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    warp::serve(app).incoming(listener).run().await;
    Ok(())
}

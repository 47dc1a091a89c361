//! Copy me: attach tokengate to an existing Rocket app and guard a route. The fairing adds
//! `/login`, `/cs-token` and the other account routes. Needs TOKENGATE_SECRET, and
//! TOKENGATE_CS_ENVIRONMENT_ID and TOKENGATE_CS_ACCESS_KEY for `/cs-token`.
use rocket::fairing::AdHoc;
use rocket::{get, routes};
use tokengate_rocket::tokengate::Config;
use tokengate_rocket::{Authenticated, TokenGateFairing};

#[get("/")]
fn index() -> &'static str {
    "my existing app"
}

#[get("/dashboard")] // this one now needs a bearer token
fn dashboard(user: Authenticated) -> String {
    format!("the dashboard of {}", user.sub.as_deref().unwrap_or("?"))
}

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env().unwrap_or_else(|error| error.exit());
    let figment = rocket::Config::figment()
        .merge(("address", config.addr.ip()))
        .merge(("port", config.addr.port()));
    let announce = AdHoc::on_liftoff("announce", |rocket| {
        Box::pin(async move {
            let addr = std::net::SocketAddr::new(rocket.config().address, rocket.config().port);
            println!("listening on http://{addr}");
        })
    });
    rocket::custom(figment)
        .mount("/", routes![index, dashboard]) // your routes stay as they are
        .attach(TokenGateFairing::with_config(config))
        .attach(announce)
        .launch()
        .await?;
    Ok(())
}

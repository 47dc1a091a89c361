//! Copy me: attach tokengate to an existing Rocket app and guard a route. The fairing adds
//! `/login`, `/cs-token` and the other account routes. Needs TOKENGATE_SECRET, and
//! TOKENGATE_CS_ENVIRONMENT_ID and TOKENGATE_CS_ACCESS_KEY for `/cs-token`.
use rocket::fairing::AdHoc;
use rocket::serde::{json::Json, Deserialize};
use rocket::{get, post, routes};
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

#[derive(Deserialize)]
#[serde(crate = "rocket::serde")]
struct Note {
    text: String,
}

// A body that is not JSON (400) or lacks `text` (422) gets tokengate's JSON error from the
// fairing's catchers, as every other error of the app does.
#[post("/notes", data = "<note>")]
fn add_note(user: Authenticated, note: Json<Note>) -> String {
    format!(
        "{} noted: {}",
        user.sub.as_deref().unwrap_or("?"),
        note.text
    )
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
        .mount("/", routes![index, dashboard, add_note]) // your routes stay as they are
        .attach(TokenGateFairing::with_config(config))
        .attach(announce)
        .launch()
        .await?;
    Ok(())
}

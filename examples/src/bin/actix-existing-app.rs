//! Copy me: mount a token endpoint and a protected scope in an existing actix app. Needs
//! TOKENGATE_SECRET (and TOKENGATE_CS_ENVIRONMENT_ID, TOKENGATE_CS_ACCESS_KEY for /cs-token).
use actix_web::{web, App, HttpServer};
use tokengate_actix::tokengate::{Config, TokenService};
use tokengate_actix::{Authenticated, TokenGate};

struct Site(&'static str); // your own state

async fn index(site: web::Data<Site>) -> String {
    format!("welcome to {}", site.0)
}

async fn dashboard(site: web::Data<Site>, user: Authenticated) -> String {
    let user = user.sub.as_deref().unwrap_or("?");
    format!("the {} dashboard of {user}", site.0)
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env().unwrap_or_else(|error| error.exit());
    let tokens = TokenService::connect(&config)
        .await
        .unwrap_or_else(|error| error.exit());
    let site = web::Data::new(Site("my app"));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(site.clone()) // your state and routes stay as they are
            .route("/", web::get().to(index))
            .app_data(web::Data::new(tokens.clone())) // tokengate's state, beside yours
            .configure(tokengate_actix::configure) // /login, /signup, /refresh, /cs-token, …
            .service(
                web::scope("/admin") // every route in here needs a bearer token
                    .wrap(TokenGate::new(tokens.gate().clone()))
                    .route("/dashboard", web::get().to(dashboard)),
            )
    })
    .bind(config.addr)?;
    println!("listening on http://{}", server.addrs()[0]);
    server.run().await?;
    Ok(())
}

//! Drives N requests, each with its own valid token, through one adapter's router in process
//! (no sockets, no kernel), for `bench/guard-instructions.sh` to count under Valgrind:
//!
//! `guard-instructions FRAMEWORK ROUTE N`, FRAMEWORK one of `axum`, `actix`, `rocket`,
//! `warp`; ROUTE `/public` (no guard) or `/protected` (`Authenticated`). Every request sends
//! the same `Authorization` header shape, so the difference between the two routes, divided
//! by the requests, is what the guard adds: finding the token, the full verification (the
//! tokens are distinct, so the per-thread cache misses), and the adapter's own moves and
//! look-ups. A request that does not answer 200 stops the run.

use tokengate::testing::TestTokens;
use tokengate::Config;

const SECRET: &str = "an instruction-count secret of 32+ bytes";

fn main() {
    let usage = "usage: guard-instructions axum|actix|rocket|warp /public|/protected N";
    let mut args = std::env::args().skip(1);
    let (framework, route, count) = match (args.next(), args.next(), args.next()) {
        (Some(framework), Some(route), Some(count)) => (framework, route, count),
        _ => exit(usage),
    };
    let count: usize = count.parse().unwrap_or_else(|_| exit(usage));
    if route != "/public" && route != "/protected" {
        exit(usage);
    }
    let config = Config::from_lookup(|name| (name == "TOKENGATE_SECRET").then(|| SECRET.into()))
        .unwrap_or_else(|error| exit(&error.to_string()));
    let minted = TestTokens::new(&config);
    let headers: Vec<String> = (0..count)
        .map(|i| format!("Bearer {}", minted.valid(&format!("user-{i}@example.com"))))
        .collect();
    let gate = config.gate();
    match framework.as_str() {
        "axum" => axum_app::run(gate, &route, &headers),
        "actix" => actix_app::run(gate, &route, &headers),
        "rocket" => rocket_app::run(gate, &route, &headers),
        "warp" => warp_app::run(gate, &route, &headers),
        _ => exit(usage),
    }
}

fn exit(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(2)
}

fn expect_ok(status: u16, route: &str) {
    if status != 200 {
        exit(&format!("{route} answered {status}"));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

mod axum_app {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tokengate::Gate;
    use tokengate_axum::Authenticated;
    use tower::ServiceExt;

    pub fn run(gate: Gate, route: &str, headers: &[String]) {
        let app = Router::new()
            .route("/public", get(|| async { "ok" }))
            .route(
                "/protected",
                get(
                    |user: Authenticated| async move { user.into_claims().sub.unwrap_or_default() },
                ),
            )
            .with_state(gate);
        super::runtime().block_on(async {
            for header in headers {
                let request = Request::get(route)
                    .header("authorization", header)
                    .body(Body::empty())
                    .expect("request");
                let response = app.clone().oneshot(request).await.expect("infallible");
                super::expect_ok(response.status().as_u16(), route);
            }
        });
    }
}

mod actix_app {
    use actix_web::{test, web, App};
    use tokengate::Gate;
    use tokengate_actix::Authenticated;

    async fn public() -> &'static str {
        "ok"
    }

    async fn protected(user: Authenticated) -> String {
        user.into_claims().sub.unwrap_or_default()
    }

    pub fn run(gate: Gate, route: &str, headers: &[String]) {
        actix_web::rt::System::new().block_on(async {
            let app = test::init_service(
                App::new()
                    .app_data(web::Data::new(gate))
                    .route("/public", web::get().to(public))
                    .route("/protected", web::get().to(protected)),
            )
            .await;
            for header in headers {
                let request = test::TestRequest::get()
                    .uri(route)
                    .insert_header(("authorization", header.as_str()))
                    .to_request();
                let response = test::call_service(&app, request).await;
                super::expect_ok(response.status().as_u16(), route);
            }
        });
    }
}

mod rocket_app {
    use rocket::http::Header;
    use rocket::local::blocking::Client;
    use tokengate::Gate;
    use tokengate_rocket::Authenticated;

    #[rocket::get("/public")]
    fn public() -> &'static str {
        "ok"
    }

    #[rocket::get("/protected")]
    fn protected(user: Authenticated) -> String {
        user.into_claims().sub.unwrap_or_default()
    }

    pub fn run(gate: Gate, route: &str, headers: &[String]) {
        let config = rocket::Config {
            log_level: rocket::config::LogLevel::Off,
            ..rocket::Config::debug_default()
        };
        let rocket = rocket::custom(config)
            .manage(gate)
            .mount("/", rocket::routes![public, protected]);
        let client =
            Client::untracked(rocket).unwrap_or_else(|error| super::exit(&error.to_string()));
        for header in headers {
            let response = client
                .get(route.to_owned())
                .header(Header::new("authorization", header.clone()))
                .dispatch();
            super::expect_ok(response.status().code, route);
        }
    }
}

mod warp_app {
    use tokengate::Gate;
    use tokengate_warp::{authenticated, Authenticated};
    use warp::Filter;

    pub fn run(gate: Gate, route: &str, headers: &[String]) {
        let public = warp::path!("public").map(|| "ok");
        let protected = warp::path!("protected")
            .and(authenticated(gate))
            .map(|user: Authenticated| user.into_claims().sub.unwrap_or_default());
        let app = public.or(protected);
        super::runtime().block_on(async {
            for header in headers {
                let response = warp::test::request()
                    .path(route)
                    .header("authorization", header)
                    .reply(&app)
                    .await;
                super::expect_ok(response.status().as_u16(), route);
            }
        });
    }
}

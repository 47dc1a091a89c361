//! The guards, catchers and fairing through Rocket's local client (no network).

use rocket::http::{Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, routes, Build, Rocket};
use serde_json::Value;
use tokengate::testing::TestTokens;
use tokengate::token::{Auth, Grant, Permission, Role};
use tokengate::Config;
use tokengate_rocket::{
    Authenticated, Authorized, MaybeAuthenticated, RequiredPermission, TokenGateFairing,
    TokenRejection,
};

const SECRET: &str = "a test secret of at least 32 bytes!";

fn config() -> Config {
    Config::from_lookup(|name| match name {
        "TOKENGATE_SECRET" => Some(SECRET.into()),
        "TOKENGATE_DATABASE_URL" => Some("sqlite::memory:".into()),
        "TOKENGATE_CORS_ORIGINS" => Some("https://editor.example".into()),
        _ => None,
    })
    .unwrap()
}

/// `comment:write` on the document in `<doc>`.
struct CommentWrite;
impl RequiredPermission for CommentWrite {
    const PARAM: &'static str = "doc";
    fn permission() -> Permission {
        Permission::COMMENT_WRITE
    }
}

#[get("/whoami")]
fn whoami(user: Authenticated) -> String {
    user.sub.clone().unwrap_or_default()
}

#[get("/greeting")]
fn greeting(user: MaybeAuthenticated) -> String {
    match user.0 {
        Some(claims) => format!("hello {}", claims.sub.unwrap_or_default()),
        None => "hello stranger".into(),
    }
}

#[get("/lenient")]
fn lenient(user: Result<Authenticated, TokenRejection>) -> String {
    match user {
        Ok(user) => user.sub.clone().unwrap_or_default(),
        Err(rejection) => format!("refused: {}", rejection.0),
    }
}

#[get("/docs/<doc>/comments")]
fn comment(doc: &str, can: Authorized<CommentWrite>, again: Authenticated) -> String {
    assert_eq!(can.sub, again.sub);
    format!(
        "{} may comment on {doc} ({})",
        can.sub.as_deref().unwrap_or("?"),
        can.document
    )
}

fn app(fairing: TokenGateFairing) -> Rocket<Build> {
    rocket::build()
        .attach(fairing)
        .mount("/", routes![whoami, greeting, lenient])
        .mount("/api", routes![comment])
}

async fn client(rocket: Rocket<Build>) -> Client {
    match Client::tracked(rocket).await {
        Ok(client) => client,
        Err(error) => panic!("ignite failed: {error}"),
    }
}

async fn body(response: LocalResponse<'_>) -> Value {
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

#[rocket::async_test]
async fn rejections_reach_the_client_through_the_catchers() {
    let client = client(app(TokenGateFairing::with_config(config()))).await;
    let tokens = TestTokens::new(&config());

    let missing = client.get("/whoami").dispatch().await;
    assert_eq!(missing.status(), Status::Unauthorized);
    assert_eq!(
        missing.headers().get_one("WWW-Authenticate"),
        Some("Bearer realm=\"tokengate\"")
    );
    assert_eq!(body(missing).await["error"], "missing_token");

    let expired = client
        .get("/whoami")
        .header(bearer(&tokens.expired("u1")))
        .dispatch()
        .await;
    assert_eq!(expired.status(), Status::Unauthorized);
    let challenge = expired.headers().get_one("WWW-Authenticate").unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(body(expired).await["error"], "token_expired");

    let ok = client
        .get("/whoami")
        .header(bearer(&tokens.valid("u1")))
        .dispatch()
        .await;
    assert_eq!(ok.into_string().await.as_deref(), Some("u1"));

    let unknown = client.get("/nowhere").dispatch().await;
    assert_eq!(unknown.status(), Status::NotFound);
    assert_eq!(body(unknown).await["error"], "not_found");
}

#[rocket::async_test]
async fn an_optional_token_may_be_absent_but_not_forged() {
    let client = client(app(TokenGateFairing::with_config(config()))).await;
    let tokens = TestTokens::new(&config());
    let anonymous = client.get("/greeting").dispatch().await;
    assert_eq!(
        anonymous.into_string().await.as_deref(),
        Some("hello stranger")
    );
    let known = client
        .get("/greeting")
        .header(bearer(&tokens.valid("u2")))
        .dispatch()
        .await;
    assert_eq!(known.into_string().await.as_deref(), Some("hello u2"));
    let forged = client
        .get("/greeting")
        .header(bearer("a.b.c"))
        .dispatch()
        .await;
    assert_eq!(forged.status(), Status::Unauthorized);
    assert_eq!(body(forged).await["error"], "invalid_token");

    let lenient = client.get("/lenient").dispatch().await;
    assert_eq!(
        lenient.into_string().await.as_deref(),
        Some("refused: no bearer token was presented")
    );
}

#[rocket::async_test]
async fn authorized_reads_the_named_segment_under_a_mount_point() {
    let client = client(app(TokenGateFairing::with_config(config()))).await;
    let tokens = TestTokens::new(&config());
    let commentator = tokens.with_grants(
        "c1",
        Auth::new().grant("doc 1", Grant::role(Role::Commentator)),
    );
    let allowed = client
        .get("/api/docs/doc%201/comments")
        .header(bearer(&commentator))
        .dispatch()
        .await;
    assert_eq!(allowed.status(), Status::Ok);
    assert_eq!(
        allowed.into_string().await.as_deref(),
        Some("c1 may comment on doc 1 (doc 1)")
    );
    let other = client
        .get("/api/docs/doc-2/comments")
        .header(bearer(&commentator))
        .dispatch()
        .await;
    assert_eq!(other.status(), Status::Forbidden);
    assert_eq!(
        other.headers().get_one("WWW-Authenticate"),
        Some("Bearer realm=\"tokengate\", error=\"insufficient_scope\"")
    );
    assert_eq!(body(other).await["error"], "insufficient_scope");
}

#[rocket::async_test]
async fn the_fairing_mounts_the_service_at_its_base_and_answers_cors() {
    let fairing = TokenGateFairing::with_config(config()).base("/auth");
    let client = client(app(fairing)).await;
    let health = client.get("/auth/healthz").dispatch().await;
    assert_eq!(health.status(), Status::Ok);
    assert_eq!(
        client.get("/healthz").dispatch().await.status(),
        Status::NotFound
    );

    let preflight = client
        .req(Method::Options, "/auth/cs-token")
        .header(Header::new("Origin", "https://editor.example"))
        .header(Header::new("Access-Control-Request-Method", "GET"))
        .dispatch()
        .await;
    assert!(preflight.status().class().is_success());
    assert_eq!(
        preflight.headers().get_one("Access-Control-Allow-Origin"),
        Some("https://editor.example")
    );
    let evil = client
        .get("/auth/healthz")
        .header(Header::new("Origin", "https://evil.example"))
        .dispatch()
        .await;
    assert!(evil
        .headers()
        .get_one("Access-Control-Allow-Origin")
        .is_none());
}

#[rocket::async_test]
async fn the_fairing_reads_rocket_configuration() {
    let figment = rocket::Config::figment()
        .merge(("tokengate.secret", SECRET))
        .merge(("tokengate.database_url", "sqlite::memory:"))
        .merge(("tokengate.cors_origins", ["https://editor.example"]));
    let client = client(
        rocket::custom(figment)
            .attach(TokenGateFairing::new())
            .mount("/", routes![whoami]),
    )
    .await;
    let token = TestTokens::new(&config()).valid("u3");
    let response = client
        .get("/whoami")
        .header(bearer(&token))
        .header(Header::new("Origin", "https://editor.example"))
        .dispatch()
        .await;
    assert_eq!(
        response.headers().get_one("Access-Control-Allow-Origin"),
        Some("https://editor.example")
    );
    assert_eq!(response.into_string().await.as_deref(), Some("u3"));

    let bad = rocket::Config::figment().merge(("tokengate.secret", "short"));
    let refused = Client::tracked(rocket::custom(bad).attach(TokenGateFairing::new())).await;
    assert!(refused.is_err_and(|error| error.to_string().contains("fairing")));
}

#[rocket::async_test]
async fn guards_without_a_gate_stop_launch() {
    let refused = Client::tracked(rocket::build().mount("/", routes![whoami])).await;
    assert!(refused.is_err_and(|error| error.to_string().contains("sentinel")));
}

#[get("/open")]
fn open() -> &'static str {
    "open"
}

#[rocket::async_test]
async fn cors_alone_answers_preflights_and_decorates_allowed_origins() {
    let origins = vec!["https://editor.example".to_owned()];
    let rocket = rocket::build()
        .attach(tokengate_rocket::CorsFairing::new(&origins))
        .mount("/", routes![open]);
    let client = Client::tracked(rocket).await.unwrap();
    for (origin, allowed) in [
        ("https://editor.example", true),
        ("https://evil.example", false),
    ] {
        let preflight = client
            .req(Method::Options, "/open")
            .header(Header::new("Origin", origin))
            .header(Header::new("Access-Control-Request-Method", "GET"))
            .dispatch()
            .await;
        assert_eq!(preflight.status(), Status::NoContent, "{origin}");
        let echoed = preflight.headers().get_one("Access-Control-Allow-Origin");
        assert_eq!(echoed, allowed.then_some(origin), "{origin}");
    }
    let simple = client
        .get("/open")
        .header(Header::new("Origin", "https://editor.example"))
        .dispatch()
        .await;
    assert_eq!(simple.status(), Status::Ok);
    assert_eq!(
        simple.headers().get_one("Access-Control-Allow-Origin"),
        Some("https://editor.example")
    );
}

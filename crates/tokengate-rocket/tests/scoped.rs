//! The `Scoped<S>` guard and its catcher, through Rocket's local client.

use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Scope, Verifier};
use tokengate_rocket::{Scoped, TokenGateFairing};

struct NotesRead;
impl Scope for NotesRead {
    const SCOPE: &'static str = "notes:read";
}

fn key() -> Key {
    Key::hmac(Algorithm::HS256, &[5; 32]).unwrap()
}

fn token(scope: &str) -> String {
    let claims = Claims {
        scope: Some(scope.into()),
        ..Claims::for_subject("u1")
    };
    let issuer = Issuer::new(key()).issuer("me").audience("api");
    issuer.issue(claims).unwrap().token
}

#[rocket::get("/notes")]
fn notes(user: Scoped<NotesRead>) -> String {
    user.sub.clone().unwrap_or_default()
}

#[rocket::async_test]
async fn scoped_requires_the_scope_and_names_it_in_the_challenge() {
    let gate = Gate::new(Verifier::new(key()).issuer("me").audience("api"));
    let rocket = rocket::build()
        .attach(TokenGateFairing::with_gate(gate))
        .mount("/", rocket::routes![notes]);
    let client = Client::tracked(rocket).await.unwrap();
    let bearer = |scope: &str| Header::new("authorization", format!("Bearer {}", token(scope)));

    let ok = client
        .get("/notes")
        .header(bearer("openid notes:read"))
        .dispatch()
        .await;
    assert_eq!(ok.status(), Status::Ok);
    assert_eq!(ok.into_string().await.unwrap(), "u1");

    let refused = client
        .get("/notes")
        .header(bearer("notes:write"))
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::Forbidden);
    assert_eq!(
        refused.headers().get_one("www-authenticate"),
        Some(r#"Bearer realm="tokengate", error="insufficient_scope", scope="notes:read""#)
    );
    let body: serde_json::Value =
        serde_json::from_str(&refused.into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"], "insufficient_scope");

    let missing = client.get("/notes").dispatch().await;
    assert_eq!(missing.status(), Status::Unauthorized);
    let body: serde_json::Value =
        serde_json::from_str(&missing.into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"], "missing_token");
    let forged = client
        .get("/notes")
        .header(Header::new("authorization", "Bearer a.b.c"))
        .dispatch()
        .await;
    assert_eq!(forged.status(), Status::Unauthorized);
    let body: serde_json::Value =
        serde_json::from_str(&forged.into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_token");
}

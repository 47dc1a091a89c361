//! The `scoped` filter, through `warp::test`.

use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Scope, Verifier};
use tokengate_warp::{handle_rejection, scoped, Scoped};
use warp::Filter;

#[derive(Clone, Copy)]
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

#[tokio::test]
async fn scoped_requires_the_scope_and_names_it_in_the_challenge() {
    let gate = Gate::new(Verifier::new(key()).issuer("me").audience("api"));
    let app = warp::path!("notes")
        .and(warp::get())
        .and(scoped(gate.clone(), NotesRead))
        .map(|user: Scoped<NotesRead>| user.sub.clone().unwrap_or_default())
        .recover(handle_rejection(gate));
    let call = |authorization: Option<String>| {
        let request = warp::test::request().path("/notes");
        let request = match authorization {
            Some(value) => request.header("authorization", value),
            None => request,
        };
        request.reply(&app)
    };

    let ok = call(Some(format!("Bearer {}", token("openid notes:read")))).await;
    assert_eq!(
        (ok.status().as_u16(), ok.body().as_ref()),
        (200, &b"u1"[..])
    );

    let refused = call(Some(format!("Bearer {}", token("notes:write")))).await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer realm="tokengate", error="insufficient_scope", scope="notes:read""#
    );
    let body: serde_json::Value = serde_json::from_slice(refused.body()).unwrap();
    assert_eq!(body["error"], "insufficient_scope");

    for (authorization, code) in [
        (None, "missing_token"),
        (Some("Bearer a.b.c".to_owned()), "invalid_token"),
    ] {
        let response = call(authorization).await;
        assert_eq!(response.status().as_u16(), 401);
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"], code);
    }
}

//! `Scoped<S>` through actix's test service.

use actix_web::{test, web, App};
use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Scope, Verifier};
use tokengate_actix::Scoped;

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

async fn notes(user: Scoped<NotesRead>) -> String {
    user.sub.clone().unwrap_or_default()
}

#[actix_web::test]
async fn scoped_requires_the_scope_and_names_it_in_the_challenge() {
    let gate = Gate::new(Verifier::new(key()).issuer("me").audience("api"));
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(gate))
            .route("/notes", web::get().to(notes)),
    )
    .await;
    let call = |authorization: Option<String>| {
        let request = test::TestRequest::get().uri("/notes");
        match authorization {
            Some(value) => request.insert_header(("authorization", value)),
            None => request,
        }
        .to_request()
    };

    let ok = call(Some(format!("Bearer {}", token("openid notes:read"))));
    assert_eq!(test::call_and_read_body(&app, ok).await, "u1");

    let response =
        test::call_service(&app, call(Some(format!("Bearer {}", token("notes:write"))))).await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        response.headers().get("www-authenticate").unwrap(),
        r#"Bearer realm="tokengate", error="insufficient_scope", scope="notes:read""#
    );
    let body: serde_json::Value = test::read_body_json(response).await;
    assert_eq!(body["error"], "insufficient_scope");

    for (authorization, code) in [
        (None, "missing_token"),
        (Some("Bearer a.b.c".to_owned()), "invalid_token"),
    ] {
        let response = test::call_service(&app, call(authorization)).await;
        assert_eq!(response.status().as_u16(), 401);
        let body: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(body["error"], code);
    }
}

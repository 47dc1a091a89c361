//! The glue answers exactly what the core decides.

use actix_web::http::StatusCode;
use actix_web::{test, web, App, HttpResponse};
use tokengate::token::{Auth, Grant, Role};
use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Verifier};
use tokengate_actix::{Authenticated, Authorized, DocumentWrite, MaybeAuthenticated, TokenGate};

fn key() -> Key {
    Key::hmac(Algorithm::HS256, &[9; 32]).unwrap()
}

fn gate() -> Gate {
    Gate::new(Verifier::new(key()).issuer("me").audience("api"))
}

fn token(claims: Claims) -> String {
    Issuer::new(key())
        .issuer("me")
        .audience("api")
        .issue(claims)
        .unwrap()
        .token
}

fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

async fn whoami(user: MaybeAuthenticated) -> String {
    match user.0 {
        Some(claims) => claims.sub.unwrap_or_default(),
        None => "anonymous".into(),
    }
}

async fn write(doc: Authorized<DocumentWrite>) -> String {
    doc.document.clone()
}

#[actix_web::test]
async fn optional_tokens_refuse_bad_ones_instead_of_going_anonymous() {
    let gate = gate();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(gate.clone()))
            .route("/whoami", web::get().to(whoami)),
    )
    .await;
    let anonymous = test::TestRequest::get().uri("/whoami").to_request();
    assert_eq!(test::call_and_read_body(&app, anonymous).await, "anonymous");
    let valid = test::TestRequest::get()
        .uri("/whoami")
        .insert_header(bearer(&token(Claims::for_subject("u1"))))
        .to_request();
    assert_eq!(test::call_and_read_body(&app, valid).await, "u1");

    let forged = test::TestRequest::get()
        .uri("/whoami")
        .insert_header(bearer("a.b.c"))
        .to_request();
    let response = test::call_service(&app, forged).await;
    let expected = gate
        .decide::<tokengate::Claims>(&Header("Bearer a.b.c"))
        .now()
        .expect("decided at once")
        .unwrap_err()
        .into_reply();
    assert_eq!(response.status().as_u16(), expected.status);
    let challenge = header(&response, "www-authenticate").to_owned();
    assert_eq!(header(&response, "content-type"), expected.content_type);
    assert_eq!(expected.headers, [("www-authenticate", challenge)]);
    assert_eq!(test::read_body(response).await, expected.body);
}

#[actix_web::test]
async fn the_middleware_rejects_before_the_handler_and_hands_over_its_claims() {
    // No app data at all: the handler's `Authenticated` can only come from the middleware.
    let app = test::init_service(
        App::new().service(
            web::scope("/admin").wrap(TokenGate::new(gate())).route(
                "/me",
                web::get()
                    .to(|user: Authenticated| async move { user.sub.clone().unwrap_or_default() }),
            ),
        ),
    )
    .await;
    let refused = test::TestRequest::get().uri("/admin/me").to_request();
    let response = test::call_service(&app, refused).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        header(&response, "www-authenticate"),
        "Bearer realm=\"tokengate\""
    );
    let body: serde_json::Value = test::read_body_json(response).await;
    assert_eq!(body["error"], "missing_token");

    let allowed = test::TestRequest::get()
        .uri("/admin/me")
        .insert_header(bearer(&token(Claims::for_subject("u7"))))
        .to_request();
    assert_eq!(test::call_and_read_body(&app, allowed).await, "u7");
}

#[actix_web::test]
async fn authorized_decodes_the_document_id_and_answers_403() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(gate()))
            .route("/documents/{id}", web::put().to(write)),
    )
    .await;
    let mut claims = Claims::for_subject("w");
    claims.auth = Some(Auth::new().grant("a/b c%", Grant::role(Role::Writer)));
    let writer = token(claims);
    let encoded = test::TestRequest::put()
        .uri("/documents/a%2Fb%20c%25")
        .insert_header(bearer(&writer))
        .to_request();
    assert_eq!(test::call_and_read_body(&app, encoded).await, "a/b c%");

    let other = test::TestRequest::put()
        .uri("/documents/a")
        .insert_header(bearer(&writer))
        .to_request();
    let response = test::call_service(&app, other).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        header(&response, "www-authenticate"),
        "Bearer realm=\"tokengate\", error=\"insufficient_scope\""
    );
}

#[actix_web::test]
async fn a_missing_gate_is_a_500_that_says_how_to_register_it() {
    let app = test::init_service(App::new().route(
        "/me",
        web::get().to(|_: Authenticated| async { HttpResponse::Ok().finish() }),
    ))
    .await;
    let response = test::call_service(&app, test::TestRequest::get().uri("/me").to_request()).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = test::read_body(response).await;
    assert!(String::from_utf8_lossy(&body).contains("web::Data<tokengate::TokenService>"));
}

struct Header(&'static str);

impl tokengate::gate::RequestView for Header {
    fn header(&self, name: &str) -> tokengate::gate::HeaderValue<'_> {
        match name {
            "authorization" => tokengate::gate::HeaderValue::One(self.0.as_bytes()),
            _ => tokengate::gate::HeaderValue::Absent,
        }
    }
    fn query(&self) -> Option<&str> {
        None
    }
    fn method(&self) -> &str {
        "GET"
    }
}

fn header<B>(response: &actix_web::dev::ServiceResponse<B>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

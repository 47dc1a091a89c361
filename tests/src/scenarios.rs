//! The HTTP API (`docs/http-api.md`), one scenario per function. Each takes a [`Target`] and speaks real HTTP to
//! an app it starts (or to the external server).

use reqwest::header::HeaderMap;
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::harness::{
    forge_raw, header_of, hs256_signature_ok, now, payload_of, valid_claims, App, Launch, Target,
    ALLOWED_ORIGIN,
};

// ---- helpers -------------------------------------------------------------------------------

async fn json_of(response: Response) -> (u16, HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

/// Asserts the HTTP API's error shape: status, `{"error": code, "message": text}`.
async fn expect_error(response: Response, status: u16, code: &str) -> HeaderMap {
    let (actual, headers, body) = json_of(response).await;
    assert_eq!(actual, status, "status for {code}: {body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message: {body}"
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(2), "{body}");
    headers
}

fn challenge(headers: &HeaderMap) -> String {
    headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `GET path` without credentials.
async fn get(app: &App, path: &str) -> Response {
    app.http.get(app.url(path)).send().await.expect("request")
}

async fn get_with_token(app: &App, path: &str, token: &str) -> Response {
    app.http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

/// Asserts a bearer failure of class `invalid_token` (or `token_expired`) on `/protected`.
async fn expect_invalid(app: &App, token: &str, code: &str) {
    let response = get_with_token(app, "/protected", token).await;
    expect_invalid_answer(response, code).await;
}

/// Asserts a 401 `code` with the `invalid_token` challenge, its description quoted whole.
async fn expect_invalid_answer(response: Response, code: &str) {
    let headers = expect_error(response, 401, code).await;
    let challenge = challenge(&headers);
    let description = challenge
        .strip_prefix("Bearer realm=\"tokengate\", error=\"invalid_token\", error_description=\"")
        .unwrap_or_else(|| panic!("{challenge}"));
    let text = description
        .strip_suffix('"')
        .unwrap_or_else(|| panic!("{challenge}"));
    assert!(
        !text.is_empty() && !text.contains(['"', '\\']),
        "one quoted description: {challenge}"
    );
}

async fn signup(app: &App, email: &str, password: &str) -> Value {
    let response = app
        .http
        .post(app.url("/signup"))
        .json(&json!({"name": "Joe Doe", "email": email, "password": password}))
        .send()
        .await
        .expect("signup");
    let (status, _, body) = json_of(response).await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn login(app: &App, email: &str, password: &str) -> Value {
    let response = app
        .http
        .post(app.url("/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    let (status, _, body) = json_of(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `POST /login` with a JSON body, whatever the answer.
async fn login_attempt(app: &App, email: &str, password: &str) -> Response {
    app.http
        .post(app.url("/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
}

/// `POST /login` with HTTP Basic credentials, whatever the answer.
async fn basic_login(app: &App, email: &str, password: &str) -> Response {
    app.http
        .post(app.url("/login"))
        .basic_auth(email, Some(password))
        .send()
        .await
        .expect("login")
}

/// `POST /logout` with `token`, whatever the answer.
async fn logout(app: &App, token: &str) -> Response {
    app.http
        .post(app.url("/logout"))
        .bearer_auth(token)
        .send()
        .await
        .expect("logout")
}

/// Signs up and logs in a fresh user: (user, token pair).
async fn user(app: &App) -> (Value, Value) {
    let email = format!("user{}@example.com", now_nanos());
    let user = signup(app, &email, "password1").await;
    let pair = login(app, &email, "password1").await;
    (user, pair)
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn access(pair: &Value) -> String {
    pair["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

fn hs256() -> Value {
    json!({"alg": "HS256", "typ": "JWT"})
}

fn claims_with(field: &str, value: Value) -> Value {
    let mut claims = valid_claims("user-1");
    claims[field] = value;
    claims
}

fn claims_without(field: &str) -> Value {
    let mut claims = valid_claims("user-1");
    claims.as_object_mut().expect("object").remove(field);
    claims
}

fn skip_if_external(what: &str) -> bool {
    if Target::external().is_some() {
        eprintln!("skipped against an external server: {what}");
        return true;
    }
    false
}

// ---- open routes ---------------------------------------------------------------------------

/// `GET /public` answers anyone.
pub async fn public_is_open_to_anyone(target: &Target) {
    let app = target.start();
    let (status, _, body) = json_of(get(&app, "/public").await).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"message": "Anyone can view this."}));
}

/// `GET /healthz` reports ok while the store answers.
pub async fn healthz_reports_ok(target: &Target) {
    let app = target.start();
    let (status, _, body) = json_of(get(&app, "/healthz").await).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
}

/// An unknown path is a JSON 404, like every other error.
pub async fn unknown_route_is_a_json_404(target: &Target) {
    let app = target.start();
    let response = get(&app, "/no/such/route").await;
    expect_error(response, 404, "not_found").await;
}

/// `GET /openapi.json` is an OpenAPI 3.1 document of every route, with the bearer schemes
/// and the error answers.
pub async fn openapi_document_describes_every_route(target: &Target) {
    let app = target.start();
    let response = get(&app, "/openapi.json").await;
    let (status, headers, document) = json_of(response).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(document["openapi"], "3.1.0");
    let routes = [
        ("get", "/public"),
        ("get", "/healthz"),
        ("post", "/signup"),
        ("post", "/login"),
        ("post", "/refresh"),
        ("post", "/logout"),
        ("get", "/protected"),
        ("get", "/users/me"),
        ("get", "/cs-token"),
        ("get", "/documents/{id}"),
        ("put", "/documents/{id}"),
        ("get", "/openapi.json"),
        ("get", "/.well-known/jwks.json"),
    ];
    for (method, path) in routes {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is described");
    }
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["accessTokenHeader"]["name"], "x-access-token");
    let protected = &document["paths"]["/protected"]["get"]["responses"]["401"];
    assert_eq!(
        protected["headers"]["WWW-Authenticate"]["$ref"],
        "#/components/headers/WWW-Authenticate"
    );
    let throttled = &document["paths"]["/login"]["post"]["responses"]["429"];
    assert_eq!(
        throttled["headers"]["Retry-After"]["$ref"],
        "#/components/headers/Retry-After"
    );
    for status in ["409", "413", "422", "503"] {
        assert!(
            document["paths"]["/signup"]["post"]["responses"][status].is_object(),
            "{status}"
        );
    }
    assert!(document["paths"]["/documents/{id}"]["put"]["responses"]["403"].is_object());
}

/// An app signing with a secret publishes no key: `/.well-known/jwks.json` is the JSON 404 of
/// an unknown route, never a JWK of the secret.
pub async fn jwks_never_publishes_a_secret(target: &Target) {
    let app = target.start();
    let response = get(&app, "/.well-known/jwks.json").await;
    expect_error(response, 404, "not_found").await;
}

/// A PEM file of the core's test fixtures.
fn key_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/tokengate/tests/fixtures")
        .join(name)
}

/// With `TOKENGATE_ALGORITHM=ES256` and a private key, the app signs access tokens with it and
/// publishes the public key at `/.well-known/jwks.json`, where a third party finds it by
/// `kid` and verifies the token. The public key used as an HMAC secret (RFC 8725 section
/// 2.1) and a token signed with another key are both `invalid_token`.
pub async fn private_key_signs_and_jwks_publishes_it(target: &Target) {
    use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header, Validation};
    if skip_if_external("needs an app started with a private key") {
        return;
    }
    let app = target.launch(Launch {
        private_key: Some(("ES256", key_fixture("ec_private.pem"))),
        ..Launch::default()
    });
    let response = get(&app, "/.well-known/jwks.json").await;
    let (status, headers, body) = json_of(response).await;
    assert_eq!(status, 200, "{body}");
    let cache = headers.get("cache-control").and_then(|v| v.to_str().ok());
    assert!(
        cache.is_some_and(|v| v.starts_with("public, max-age=")),
        "{cache:?}"
    );
    let keys = body["keys"].as_array().expect("a JWKS document");
    assert_eq!(keys.len(), 1, "{body}");
    assert_eq!(
        (&keys[0]["kty"], &keys[0]["alg"], &keys[0]["use"]),
        (&json!("EC"), &json!("ES256"), &json!("sig"))
    );
    assert!(keys[0].get("d").is_none(), "never the private part: {body}");
    let jwks: JwkSet = serde_json::from_value(body).unwrap();

    let (_, pair) = user(&app).await;
    let token = pair["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    let kid = header.kid.expect("tokens name their key");
    let jwk = jwks.find(&kid).expect("the token's key is published");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["tokengate"]);
    validation.set_issuer(&["tokengate"]);
    let verified =
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation);
    assert!(
        verified.is_ok(),
        "verifies with the published key: {verified:?}"
    );
    let (status, _, body) = json_of(get_with_token(&app, "/protected", token).await).await;
    assert_eq!(status, 200, "{body}");

    let claims = payload_of(token);
    let public_pem = std::fs::read(key_fixture("ec_public.pem")).unwrap();
    let rsa_pem = std::fs::read(key_fixture("rsa_private.pem")).unwrap();
    for (alg, key) in [
        (Algorithm::HS256, EncodingKey::from_secret(&public_pem)),
        (
            Algorithm::HS256,
            EncodingKey::from_secret(app.secret.as_bytes()),
        ),
        (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(&rsa_pem).unwrap(),
        ),
    ] {
        let mut header = Header::new(alg);
        header.kid = Some(kid.clone());
        let forged = jsonwebtoken::encode(&header, &claims, &key).unwrap();
        expect_invalid(&app, &forged, "invalid_token").await;
    }
    // The right header and signature over another payload.
    let mut other = claims.clone();
    other["sub"] = json!("someone-else");
    let segments: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        segments[0],
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            other.to_string()
        ),
        segments[2]
    );
    expect_invalid(&app, &tampered, "invalid_token").await;
}

// ---- signup --------------------------------------------------------------------------------

/// `POST /signup` with JSON creates a user: 201 `{"id","email","name"}` and nothing more.
pub async fn signup_creates_a_user_from_json(target: &Target) {
    let app = target.start();
    let email = format!("new{}@example.com", now_nanos());
    let body = signup(&app, &email, "password1").await;
    assert_eq!(body["email"], email.as_str());
    assert_eq!(body["name"], "Joe Doe");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        body.as_object().unwrap().len(),
        3,
        "no password or hash: {body}"
    );
}

/// `POST /signup` accepts a form body too.
pub async fn signup_accepts_a_form(target: &Target) {
    let app = target.start();
    let email = format!("form{}@example.com", now_nanos());
    let response = app
        .http
        .post(app.url("/signup"))
        .form(&[
            ("name", "Form User"),
            ("email", email.as_str()),
            ("password", "password1"),
        ])
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(response).await;
    assert_eq!(
        (status, body["name"].clone()),
        (201, json!("Form User")),
        "{body}"
    );
}

/// A taken e-mail address is 409, compared without regard to case.
pub async fn signup_refuses_a_taken_email_whatever_its_case(target: &Target) {
    let app = target.start();
    let email = format!("Taken{}@Example.com", now_nanos());
    signup(&app, &email, "password1").await;
    for again in [email.clone(), email.to_lowercase(), email.to_uppercase()] {
        let response = app
            .http
            .post(app.url("/signup"))
            .json(&json!({"name": "Other", "email": again, "password": "password2"}))
            .send()
            .await
            .unwrap();
        expect_error(response, 409, "conflict").await;
    }
}

async fn signup_refused(app: &App, body: reqwest::RequestBuilder) {
    expect_error(body.send().await.unwrap(), 422, "invalid_request").await;
    let _ = app;
}

/// A bad e-mail address is 422.
pub async fn signup_refuses_a_bad_email(target: &Target) {
    let app = target.start();
    for email in ["not-an-email", "a@b", "@example.com", "a b@example.com", ""] {
        let request = app
            .http
            .post(app.url("/signup"))
            .json(&json!({"name": "X", "email": email, "password": "password1"}));
        signup_refused(&app, request).await;
    }
}

/// A password under 8 characters is 422.
pub async fn signup_refuses_a_short_password(target: &Target) {
    let app = target.start();
    // Characters are counted, not bytes: seven two-byte characters are still too short.
    for short in ["1234567", "ééééééé"] {
        let request = app.http.post(app.url("/signup")).json(
            &json!({"name": "X", "email": format!("s{}@example.com", now_nanos()), "password": short}),
        );
        signup_refused(&app, request).await;
    }
    for enough in ["12345678", "éééééééé"] {
        let email = format!("s{}@example.com", now_nanos());
        signup(&app, &email, enough).await;
        login(&app, &email, enough).await;
    }
}

/// A missing field, or a field of the wrong type, is 422.
pub async fn signup_refuses_a_missing_field(target: &Target) {
    let app = target.start();
    for body in [
        json!({"email": "m@example.com", "password": "password1"}),
        json!({"name": "X", "password": "password1"}),
        json!({"name": "X", "email": "m@example.com"}),
        json!({"name": "X", "email": "m@example.com", "password": 12345678}),
        json!({}),
    ] {
        signup_refused(&app, app.http.post(app.url("/signup")).json(&body)).await;
    }
    let form = app.http.post(app.url("/signup")).form(&[("name", "X")]);
    signup_refused(&app, form).await;
}

/// A body that is not JSON or form data is 422, not a 400 or 500.
pub async fn signup_refuses_malformed_json(target: &Target) {
    let app = target.start();
    for raw in ["{\"name\": ", "[1,2]", "null", "\u{0}\u{1}"] {
        let request = app
            .http
            .post(app.url("/signup"))
            .header("content-type", "application/json")
            .body(raw.to_owned());
        signup_refused(&app, request).await;
    }
}

/// A body over 64 KiB is 413, and nothing is created.
pub async fn body_over_64_kib_is_413(target: &Target) {
    let app = target.start();
    let email = format!("big{}@example.com", now_nanos());
    let big = json!({"name": "x".repeat(70 * 1024), "email": email, "password": "password1"});
    let response = app
        .http
        .post(app.url("/signup"))
        .json(&big)
        .send()
        .await
        .unwrap();
    let headers = expect_error(response, 413, "payload_too_large").await;
    // The unread rest of the body leaves the connection unusable; the client must be told,
    // or its next request on it is cut off.
    assert_eq!(headers["connection"], "close");
    let login = login_attempt(&app, &email, "password1").await;
    expect_error(login, 401, "invalid_credentials").await;
}

// ---- login ---------------------------------------------------------------------------------

fn assert_pair(pair: &Value) {
    assert_eq!(pair["token_type"], "Bearer", "{pair}");
    assert!(
        pair["expires_in"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 900),
        "{pair}"
    );
    assert_eq!(
        pair["access_token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
    assert!(pair["refresh_token"]
        .as_str()
        .is_some_and(|t| t.len() >= 32));
}

/// `POST /login` with JSON: 200 `{"access_token","token_type":"Bearer","expires_in","refresh_token"}`,
/// and the access token carries `iss`, `aud`, `sub`, `iat`, `exp`, `jti`.
pub async fn login_with_json_returns_a_token_pair(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    assert_pair(&pair);
    let token = access(&pair);
    assert!(hs256_signature_ok(&token, app.secret.as_bytes()));
    let claims = payload_of(&token);
    assert_eq!(claims["iss"], "tokengate");
    assert_eq!(claims["aud"], "tokengate");
    assert_eq!(claims["sub"], user["id"]);
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(
        iat <= now() + 1 && exp > now() && exp - iat == 900,
        "{claims}"
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

/// `POST /login` with a form body.
pub async fn login_with_a_form(target: &Target) {
    let app = target.start();
    let email = format!("f{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let response = app
        .http
        .post(app.url("/login"))
        .form(&[("email", email.as_str()), ("password", "password1")])
        .send()
        .await
        .unwrap();
    let (status, _, pair) = json_of(response).await;
    assert_eq!(status, 200, "{pair}");
    assert_pair(&pair);
}

/// `POST /login` with HTTP Basic `email:password`.
pub async fn login_with_http_basic(target: &Target) {
    let app = target.start();
    let email = format!("b{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let response = basic_login(&app, &email, "password1").await;
    let (status, _, pair) = json_of(response).await;
    assert_eq!(status, 200, "{pair}");
    assert_pair(&pair);
    let wrong = basic_login(&app, &email, "wrong-password").await;
    expect_error(wrong, 401, "invalid_credentials").await;
}

/// The e-mail address is matched without regard to case.
pub async fn login_matches_email_without_regard_to_case(target: &Target) {
    let app = target.start();
    let email = format!("Case{}@Example.COM", now_nanos());
    signup(&app, &email, "password1").await;
    let pair = login(&app, &email.to_lowercase(), "password1").await;
    assert_pair(&pair);
}

/// Unknown e-mail and wrong password get the same 401 `invalid_credentials`.
pub async fn login_gives_one_answer_for_unknown_email_and_wrong_password(target: &Target) {
    let app = target.start();
    let email = format!("w{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let try_login = |email: String, password: &'static str| {
        app.http
            .post(app.url("/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    let (s1, _, wrong) = json_of(try_login(email.clone(), "password2").await.unwrap()).await;
    let (s2, _, unknown) = json_of(
        try_login(format!("nobody{}@example.com", now_nanos()), "password1")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong["error"], "invalid_credentials");
    assert_eq!(wrong, unknown, "the same answer, to the byte");
}

/// After 10 failed logins for one address within 10 minutes: 429 with `Retry-After`, even
/// with the right password.
pub async fn login_is_throttled_after_ten_failures(target: &Target) {
    let app = target.start();
    let email = format!("t{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    for _ in 0..10 {
        let response = login_attempt(&app, &email, "guess-guess").await;
        expect_error(response, 401, "invalid_credentials").await;
    }
    let response = login_attempt(&app, &email.to_uppercase(), "password1").await;
    let headers = expect_error(response, 429, "too_many_attempts").await;
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
}

/// Failed logins for an email nobody signed up with are throttled exactly like a real
/// account's, so 429 versus 401 tells nothing about which accounts exist.
pub async fn unknown_emails_are_throttled_alike(target: &Target) {
    let app = target.start();
    let email = format!("nobody{}@example.com", now_nanos());
    for _ in 0..10 {
        let response = login_attempt(&app, &email, "guess-guess").await;
        expect_error(response, 401, "invalid_credentials").await;
    }
    let response = basic_login(&app, &email, "guess-guess").await;
    expect_error(response, 429, "too_many_attempts").await;
}

/// `/login` bodies that are not valid JSON or lack a field are 422 `invalid_request`, like
/// `/signup`'s.
pub async fn login_refuses_malformed_bodies(target: &Target) {
    let app = target.start();
    let bodies = [
        ("application/json", "{\"email\": "),
        ("application/json", "{\"email\": \"a@example.com\"}"),
        (
            "application/json",
            "{\"email\": 5, \"password\": \"password1\"}",
        ),
        ("application/x-www-form-urlencoded", "email=a%40example.com"),
    ];
    for (content_type, body) in bodies {
        let response = app
            .http
            .post(app.url("/login"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, _, answer) = json_of(response).await;
        assert_eq!(
            (status, &answer["error"]),
            (422, &json!("invalid_request")),
            "{body}: {answer}"
        );
    }
}

// ---- refresh and logout --------------------------------------------------------------------

async fn refresh(app: &App, token: &str) -> Response {
    app.http
        .post(app.url("/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap()
}

/// `POST /refresh` gives a new pair; the old refresh token is spent.
pub async fn refresh_rotates_the_pair(target: &Target) {
    let app = target.start();
    let (_, first) = user(&app).await;
    let (status, _, second) =
        json_of(refresh(&app, first["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, 200, "{second}");
    assert_pair(&second);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let ok = get_with_token(&app, "/protected", &access(&second)).await;
    assert_eq!(ok.status().as_u16(), 200);
}

/// Presenting a spent refresh token again revokes every token of that login.
pub async fn refresh_reuse_revokes_the_whole_login(target: &Target) {
    let app = target.start();
    let (_, first) = user(&app).await;
    let (_, _, second) =
        json_of(refresh(&app, first["refresh_token"].as_str().unwrap()).await).await;
    let replay = refresh(&app, first["refresh_token"].as_str().unwrap()).await;
    expect_error(replay, 401, "invalid_token").await;
    let successor = refresh(&app, second["refresh_token"].as_str().unwrap()).await;
    expect_error(successor, 401, "invalid_token").await;
    for token in [access(&first), access(&second)] {
        expect_invalid(&app, &token, "invalid_token").await;
    }
}

/// An unknown refresh token is 401 `invalid_token`; a body without one is 422.
pub async fn refresh_refuses_an_unknown_token(target: &Target) {
    let app = target.start();
    expect_error(
        refresh(&app, "not-a-refresh-token").await,
        401,
        "invalid_token",
    )
    .await;
    let no_field = app
        .http
        .post(app.url("/refresh"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(no_field, 422, "invalid_request").await;
}

/// `POST /logout`: 204, and the access token and its refresh token stop working at once.
pub async fn logout_revokes_access_and_refresh_at_once(target: &Target) {
    let app = target.start();
    let (_, pair) = user(&app).await;
    let token = access(&pair);
    let response = logout(&app, &token).await;
    assert_eq!(response.status().as_u16(), 204);
    expect_invalid(&app, &token, "invalid_token").await;
    expect_error(
        refresh(&app, pair["refresh_token"].as_str().unwrap()).await,
        401,
        "invalid_token",
    )
    .await;
    let again = app.http.post(app.url("/logout")).send().await.unwrap();
    expect_error(again, 401, "missing_token").await;
}

/// A refused token never reaches the handler: an expired token carrying a live token's `jti`
/// cannot log that session out.
pub async fn a_refused_token_never_reaches_the_handler(target: &Target) {
    let app = target.start();
    let (_, pair) = user(&app).await;
    let live = access(&pair);
    let mut claims = payload_of(&live);
    claims["exp"] = json!(now() - 10);
    let expired = app.forge(&hs256(), &claims);
    let response = logout(&app, &expired).await;
    expect_error(response, 401, "token_expired").await;
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &live).await).await;
    assert_eq!(status, 200, "the session is still live: {body}");
}

/// Logging out ends one login, not the user's others.
pub async fn logout_ends_only_its_own_login(target: &Target) {
    let app = target.start();
    let email = format!("two{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let first = login(&app, &email, "password1").await;
    let second = login(&app, &email, "password1").await;
    let response = logout(&app, &access(&first)).await;
    assert_eq!(response.status().as_u16(), 204);
    expect_invalid(&app, &access(&first), "invalid_token").await;
    let (status, _, body) =
        json_of(get_with_token(&app, "/protected", &access(&second)).await).await;
    assert_eq!(status, 200, "{body}");
    let response = refresh(&app, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(response.status().as_u16(), 200);
}

// ---- bearer tokens -------------------------------------------------------------------------

/// No token: 401 `missing_token` with `WWW-Authenticate: Bearer realm="tokengate"`.
pub async fn protected_needs_a_token(target: &Target) {
    let app = target.start();
    for path in ["/protected", "/users/me", "/cs-token", "/documents/doc-1"] {
        let response = get(&app, path).await;
        let headers = expect_error(response, 401, "missing_token").await;
        assert_eq!(challenge(&headers), "Bearer realm=\"tokengate\"", "{path}");
    }
}

/// Every bearer route answers the bearer failures of the HTTP API alike: missing, malformed
/// and expired tokens, with their codes and challenges, whatever the method.
pub async fn bearer_failures_are_alike_on_every_bearer_route(target: &Target) {
    let app = target.start();
    let mut expired = valid_claims("user-1");
    expired["exp"] = json!(now() - 10);
    let expired = app.forge(&hs256(), &expired);
    let routes = [
        (Method::GET, "/protected"),
        (Method::GET, "/users/me"),
        (Method::GET, "/cs-token"),
        (Method::GET, "/documents/doc-1"),
        (Method::PUT, "/documents/doc-1"),
        (Method::POST, "/logout"),
    ];
    for (method, path) in routes {
        let request = || app.http.request(method.clone(), app.url(path));
        let missing = request().send().await.unwrap();
        let headers = expect_error(missing, 401, "missing_token").await;
        assert_eq!(
            challenge(&headers),
            "Bearer realm=\"tokengate\"",
            "{method} {path}"
        );
        let malformed = request().bearer_auth("not.a.token").send().await.unwrap();
        expect_invalid_answer(malformed, "invalid_token").await;
        let late = request().bearer_auth(&expired).send().await.unwrap();
        expect_invalid_answer(late, "token_expired").await;
    }
}

/// `GET /protected` with a valid token: the message and the token's subject.
pub async fn protected_answers_with_the_subject(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &access(&pair)).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"message": "Only available to people with valid tokens.", "sub": user["id"]})
    );
}

/// The scheme word `Bearer` is matched without regard to case.
pub async fn bearer_scheme_is_case_insensitive(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let response = app
            .http
            .get(app.url("/protected"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{scheme}");
    }
}

/// The token may come in the `x-access-token` header, as in the seeds.
pub async fn x_access_token_header_is_accepted(target: &Target) {
    let app = target.start();
    let token = app.mint("user-x", json!({}));
    let response = app
        .http
        .get(app.url("/protected"))
        .header("x-access-token", &token)
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(response).await;
    assert_eq!((status, body["sub"].clone()), (200, json!("user-x")));
    let bad = app
        .http
        .get(app.url("/protected"))
        .header("x-access-token", "garbage")
        .send()
        .await
        .unwrap();
    expect_error(bad, 401, "invalid_token").await;
}

/// Another scheme (Basic, Token) counts as no token.
pub async fn other_schemes_count_as_no_token(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    for value in [
        "Basic dXNlcjpwYXNz".to_owned(),
        format!("Token {token}"),
        token.clone(),
    ] {
        let response = app
            .http
            .get(app.url("/protected"))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        expect_error(response, 401, "missing_token").await;
    }
}

/// Query-string tokens are off in the reference apps.
pub async fn query_string_tokens_are_ignored(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    for name in ["token", "access_token"] {
        let response = app
            .http
            .get(format!("{}?{name}={token}", app.url("/protected")))
            .send()
            .await
            .unwrap();
        expect_error(response, 401, "missing_token").await;
    }
}

/// Anything that is not three base64url segments of JSON objects is `invalid_token`.
pub async fn malformed_tokens_are_invalid(target: &Target) {
    let app = target.start();
    let good = app.mint("user-1", json!({}));
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let b64 = |text: &str| base64_url(text.as_bytes());
    for token in [
        "garbage".to_owned(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}=="),
        format!("{}.{p}.{s}", h.replace('J', "+")),
        format!("{h}.{}.{s}", p.replace('e', "/")),
        format!("{}.{p}.{s}", b64("not json")),
        forge_raw(
            "[\"HS256\"]",
            &valid_claims("u").to_string(),
            app.secret.as_bytes(),
        ),
        forge_raw(&hs256().to_string(), "[1,2,3]", app.secret.as_bytes()),
        forge_raw(&hs256().to_string(), "\"a string\"", app.secret.as_bytes()),
        "a.b.c".to_owned(),
        "...".to_owned(),
    ] {
        expect_invalid(&app, &token, "invalid_token").await;
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token signed with another key, or altered after signing, is `invalid_token`.
pub async fn bad_signature_is_invalid(target: &Target) {
    let app = target.start();
    let other = forge_raw(
        &hs256().to_string(),
        &valid_claims("user-1").to_string(),
        b"another-secret-of-enough-length-0123456789",
    );
    expect_invalid(&app, &other, "invalid_token").await;
    let good = app.mint("user-1", json!({}));
    let (input, signature) = good.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    expect_invalid(
        &app,
        &format!("{input}.{flipped}{}", &signature[1..]),
        "invalid_token",
    )
    .await;
    expect_invalid(&app, &format!("{input}."), "invalid_token").await;
    let admin = app.mint("admin", json!({}));
    let admin_input = admin.rsplit_once('.').unwrap().0;
    expect_invalid(&app, &format!("{admin_input}.{signature}"), "invalid_token").await;
}

/// `alg: none`, in any spelling, signed or not, is `invalid_token`.
pub async fn alg_none_is_invalid(target: &Target) {
    let app = target.start();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT"}).to_string();
        let unsigned = format!(
            "{}.{}.",
            base64_url(header.as_bytes()),
            base64_url(valid_claims("user-1").to_string().as_bytes())
        );
        expect_invalid(&app, &unsigned, "invalid_token").await;
        expect_invalid(
            &app,
            &app.forge(&json!({"alg": alg}), &valid_claims("user-1")),
            "invalid_token",
        )
        .await;
    }
}

/// Another algorithm than the configured one is `invalid_token`, even with the right secret.
pub async fn wrong_algorithm_is_invalid(target: &Target) {
    use hmac::{Hmac, Mac};
    let app = target.start();
    let header = json!({"alg": "HS512", "typ": "JWT"}).to_string();
    let input = format!(
        "{}.{}",
        base64_url(header.as_bytes()),
        base64_url(valid_claims("user-1").to_string().as_bytes())
    );
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(app.secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let hs512 = format!("{input}.{}", base64_url(&mac.finalize().into_bytes()));
    expect_invalid(&app, &hs512, "invalid_token").await;
    for alg in ["RS256", "ES256", "HS384", "hs256"] {
        expect_invalid(
            &app,
            &app.forge(&json!({"alg": alg}), &valid_claims("user-1")),
            "invalid_token",
        )
        .await;
    }
}

/// An expired token is 401 `token_expired`, with an `invalid_token` challenge.
pub async fn expired_token_is_token_expired(target: &Target) {
    let app = target.start();
    let expired = claims_with("exp", json!(now() - 3600));
    let mut expired = expired;
    expired["iat"] = json!(now() - 7200);
    expect_invalid(&app, &app.forge(&hs256(), &expired), "token_expired").await;
    let just = claims_with("exp", json!(now() - 5));
    expect_invalid(&app, &app.forge(&hs256(), &just), "token_expired").await;
}

/// `nbf` in the future beyond the leeway is `invalid_token`.
pub async fn not_yet_valid_token_is_invalid(target: &Target) {
    let app = target.start();
    let future = claims_with("nbf", json!(now() + 3600));
    expect_invalid(&app, &app.forge(&hs256(), &future), "invalid_token").await;
    let within_leeway = claims_with("nbf", json!(now() + 5));
    let response = get_with_token(&app, "/protected", &app.forge(&hs256(), &within_leeway)).await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "a few seconds of clock skew are tolerated"
    );
}

/// `iat` in the future beyond the leeway is `invalid_token`.
pub async fn future_iat_is_invalid(target: &Target) {
    let app = target.start();
    let future = claims_with("iat", json!(now() + 3600));
    expect_invalid(&app, &app.forge(&hs256(), &future), "invalid_token").await;
}

/// `aud` must be, or contain, the configured audience exactly.
pub async fn wrong_audience_is_invalid(target: &Target) {
    let app = target.start();
    for aud in [
        json!("other"),
        json!("tokengate2"),
        json!("TOKENGATE"),
        json!("tokengat"),
        json!([]),
        json!(["other"]),
        json!(1),
    ] {
        expect_invalid(
            &app,
            &app.forge(&hs256(), &claims_with("aud", aud)),
            "invalid_token",
        )
        .await;
    }
    let listed = app.forge(&hs256(), &claims_with("aud", json!(["other", "tokengate"])));
    assert_eq!(
        get_with_token(&app, "/protected", &listed)
            .await
            .status()
            .as_u16(),
        200
    );
}

/// `iss` must equal the configured issuer byte for byte.
pub async fn wrong_issuer_is_invalid(target: &Target) {
    let app = target.start();
    for iss in [
        json!("other"),
        json!("tokengate "),
        json!("Tokengate"),
        json!("tokengate.evil"),
        json!(["tokengate"]),
    ] {
        expect_invalid(
            &app,
            &app.forge(&hs256(), &claims_with("iss", iss)),
            "invalid_token",
        )
        .await;
    }
}

/// `exp`, `aud` and `iss` are required.
pub async fn required_claims_must_be_present(target: &Target) {
    let app = target.start();
    for claim in ["exp", "aud", "iss"] {
        expect_invalid(
            &app,
            &app.forge(&hs256(), &claims_without(claim)),
            "invalid_token",
        )
        .await;
    }
}

/// Numeric dates must be integers from 0 to 2^63−1; anything else is `invalid_token`.
pub async fn non_integer_dates_are_invalid(target: &Target) {
    let app = target.start();
    let values = [
        json!("never"),
        json!("99999999999"),
        json!(null),
        json!(true),
        json!(1.5),
        json!(1e30),
        json!(-1),
    ];
    for claim in ["exp", "nbf", "iat"] {
        for value in &values {
            expect_invalid(
                &app,
                &app.forge(&hs256(), &claims_with(claim, value.clone())),
                "invalid_token",
            )
            .await;
        }
    }
    let later = now() + 600;
    for big in [
        "18446744073709551616",
        "9223372036854775808",
        "6e2",
        "600.0",
    ] {
        for claim in ["exp", "nbf", "iat"] {
            let exp = if claim == "exp" {
                big.to_owned()
            } else {
                later.to_string()
            };
            let mut text = format!(
                "{{\"iss\":\"tokengate\",\"aud\":\"tokengate\",\"sub\":\"u\",\"exp\":{exp}"
            );
            if claim != "exp" {
                text.push_str(&format!(",\"{claim}\":{big}"));
            }
            text.push('}');
            let token = forge_raw(&hs256().to_string(), &text, app.secret.as_bytes());
            expect_invalid(&app, &token, "invalid_token").await;
        }
    }
    // The ends of the range are dates like any other.
    let mut edges = valid_claims("user-1");
    edges["exp"] = json!(i64::MAX);
    edges["nbf"] = json!(0);
    edges["iat"] = json!(0);
    let token = app.forge(&hs256(), &edges);
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &token).await).await;
    assert_eq!(status, 200, "exp 2^63-1, nbf and iat 0: {body}");
}

/// A header with `crit` is `invalid_token`.
pub async fn crit_header_is_invalid(target: &Target) {
    let app = target.start();
    let header = json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"]});
    expect_invalid(
        &app,
        &app.forge(&header, &valid_claims("user-1")),
        "invalid_token",
    )
    .await;
}

/// A header or payload that repeats a member name is `invalid_token`.
pub async fn repeated_members_are_invalid(target: &Target) {
    let app = target.start();
    let claims = valid_claims("user-1").to_string();
    let dup_sub = claims.replacen('{', "{\"sub\":\"admin\",", 1);
    let dup_exp = claims.replacen('{', &format!("{{\"exp\":{},", now() + 999_999), 1);
    for payload in [dup_sub, dup_exp] {
        let token = forge_raw(&hs256().to_string(), &payload, app.secret.as_bytes());
        expect_invalid(&app, &token, "invalid_token").await;
    }
    let dup_alg = forge_raw(
        "{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
        &claims,
        app.secret.as_bytes(),
    );
    expect_invalid(&app, &dup_alg, "invalid_token").await;
}

/// A token over 8 KiB is `invalid_token`, even when correctly signed.
pub async fn oversized_token_is_invalid(target: &Target) {
    let app = target.start();
    let big = app.mint("user-1", json!({"padding": "x".repeat(9000)}));
    assert!(big.len() > 8192);
    expect_invalid(&app, &big, "invalid_token").await;
}

/// The 8 KiB limit is exact: a token of 8192 bytes passes, 8193 bytes is `invalid_token`; a
/// far longer `Authorization` header still gets the JSON 401, not a bare 431 or a reset.
pub async fn token_size_limit_is_exactly_8_kib(target: &Target) {
    let app = target.start();
    // The token of exactly `len` bytes, if a padding claim can make one (base64url grows by
    // 4 characters per 3 bytes, so some lengths are skipped).
    let sized = |len: usize| {
        (5_000..7_000)
            .map(|padding| app.mint("user-1", json!({"padding": "x".repeat(padding)})))
            .find(|token| token.len() >= len)
            .filter(|token| token.len() == len)
    };
    let at_limit = sized(8192)
        .or_else(|| sized(8191))
        .expect("a token of 8191 or 8192 bytes");
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &at_limit).await).await;
    assert_eq!(status, 200, "{} bytes: {body}", at_limit.len());
    let over = sized(8193)
        .or_else(|| sized(8194))
        .expect("a token just over 8 KiB");
    expect_invalid(&app, &over, "invalid_token").await;
    let garbage = format!("{}.{}.{}", "a".repeat(20_000), "b".repeat(10_000), "c");
    expect_invalid(&app, &garbage, "invalid_token").await;
}

/// The leeway for `nbf` and `iat` is at most 60 s: 5 s ahead passes, 90 s ahead does not.
pub async fn leeway_is_at_most_sixty_seconds(target: &Target) {
    let app = target.start();
    for claim in ["nbf", "iat"] {
        let near = app.forge(&hs256(), &claims_with(claim, json!(now() + 5)));
        let (status, _, body) = json_of(get_with_token(&app, "/protected", &near).await).await;
        assert_eq!(status, 200, "{claim} 5 s ahead: {body}");
        let far = app.forge(&hs256(), &claims_with(claim, json!(now() + 90)));
        expect_invalid(&app, &far, "invalid_token").await;
    }
}

/// A `kid` that names no configured key is only a label: the token is still checked with the
/// app's own key, so the right signature passes and any other fails.
pub async fn a_kid_naming_no_key_is_only_a_label(target: &Target) {
    let app = target.start();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "no-such-key"});
    let signed = app.forge(&header, &valid_claims("user-1"));
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &signed).await).await;
    assert_eq!(status, 200, "{body}");
    let other = forge_raw(
        &header.to_string(),
        &valid_claims("user-1").to_string(),
        b"another-secret-another-secret-another-secret",
    );
    expect_invalid(&app, &other, "invalid_token").await;
}

/// Collaboration claims of the wrong shape or with an unknown role never grant anything and
/// never cause a 500.
pub async fn malformed_collaboration_claims_are_invalid(target: &Target) {
    let app = target.start();
    for auth in [
        json!("writer"),
        json!({"collaboration": ["*"]}),
        json!({"collaboration": {"*": {"role": 5}}}),
        json!({"collaboration": {"*": {"role": "owner"}}}),
        json!({"collaboration": {"*": {"permissions": "document:write"}}}),
    ] {
        let token = app.mint("user-1", json!({"auth": auth}));
        let response = document(&app, Method::PUT, "doc-1", &token).await;
        let (status, _, body) = json_of(response).await;
        // Refused as a token, or read as granting nothing: either way no write and no 500.
        assert!(
            (status, &body["error"]) == (401, &json!("invalid_token"))
                || (status, &body["error"]) == (403, &json!("insufficient_scope")),
            "auth {auth}: {status} {body}"
        );
    }
}

/// `kid`, `jwk`, `jku`, `x5u` never select a key: a token signed by the attacker's key
/// embedded in its own header is refused.
pub async fn embedded_keys_never_select_a_key(target: &Target) {
    let app = target.start();
    let attacker = b"attacker-secret-attacker-secret-attacker";
    let header = json!({
        "alg": "HS256", "typ": "JWT", "kid": "../../../../dev/null",
        "jwk": {"kty": "oct", "k": base64_url(attacker)},
        "jku": "http://127.0.0.1:9/jwks.json", "x5u": "http://127.0.0.1:9/x.pem",
    });
    let token = forge_raw(
        &header.to_string(),
        &valid_claims("user-1").to_string(),
        attacker,
    );
    expect_invalid(&app, &token, "invalid_token").await;
}

/// Error messages say what was wrong without echoing the token.
pub async fn error_messages_never_echo_the_token(target: &Target) {
    let app = target.start();
    let marker = "SECRETMARKERVALUE";
    let tokens = [
        app.forge(&hs256(), &claims_with("aud", json!(marker))),
        app.forge(&json!({"alg": marker}), &valid_claims("u")),
        format!("{marker}.{marker}.{marker}"),
    ];
    for token in tokens {
        let response = get_with_token(&app, "/protected", &token).await;
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap();
        assert!(
            !body.contains(marker) && !headers.contains(marker),
            "{body} {headers}"
        );
        for segment in token.split('.').filter(|s| s.len() > 10) {
            assert!(!body.contains(segment) && !headers.contains(segment));
        }
    }
}

// ---- users/me ------------------------------------------------------------------------------

/// `GET /users/me`: `{"id","email","name"}` of the token's user.
pub async fn users_me_returns_the_account(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    let (status, _, body) = json_of(get_with_token(&app, "/users/me", &access(&pair)).await).await;
    assert_eq!((status, body), (200, user));
}

// ---- CKEditor ------------------------------------------------------------------------------

async fn cs_token(app: &App, access: &str) -> (u16, HeaderMap, String) {
    let response = get_with_token(app, "/cs-token", access).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// `GET /cs-token`: a `text/plain` HS256 JWT signed with the access key, with the environment
/// ID as `aud`, `iat` now, `exp` within 24 h, `sub`, `user` and a writer grant on `*`.
pub async fn cs_token_is_a_cloud_services_jwt(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    let (status, headers, token) = cs_token(&app, &access(&pair)).await;
    assert_eq!(status, 200, "{token}");
    let content_type = headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(hs256_signature_ok(&token, app.cs_access_key.as_bytes()));
    let header = header_of(&token);
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    let claims = payload_of(&token);
    assert_eq!(claims["aud"], app.cs_environment_id.as_str());
    let iat = claims["iat"].as_u64().unwrap();
    let exp = claims["exp"].as_u64().unwrap();
    assert!(iat.abs_diff(now()) <= 5, "{claims}");
    assert!(iat < exp && exp <= iat + 86_400, "{claims}");
    assert_eq!(claims["sub"], user["id"]);
    assert_eq!(claims["user"]["name"], user["name"]);
    assert_eq!(claims["user"]["email"], user["email"]);
    assert_eq!(
        claims["auth"],
        json!({"collaboration": {"*": {"role": "writer"}}})
    );
}

/// The payload segment never holds `-` or `_`, whatever the user's name holds, so that
/// CKEditor's `atob()` can read `exp`.
pub async fn cs_token_payload_survives_atob(target: &Target) {
    let app = target.start();
    for name in [
        "Zoë ~?> Ünïcödé 😀",
        "a>?~b",
        "~~~???>>>",
        "name_with-dashes",
    ] {
        let email = format!("atob{}@example.com", now_nanos());
        let response = app
            .http
            .post(app.url("/signup"))
            .json(&json!({"name": name, "email": email, "password": "password1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let pair = login(&app, &email, "password1").await;
        let (status, _, token) = cs_token(&app, &access(&pair)).await;
        assert_eq!(status, 200);
        let payload = token.split('.').nth(1).unwrap();
        assert!(!payload.contains(['-', '_']), "{name}: {payload}");
        assert_eq!(payload_of(&token)["user"]["name"], name);
    }
}

/// Grants in the access token are carried into the Cloud Services token.
pub async fn cs_token_carries_the_access_tokens_grants(target: &Target) {
    let app = target.start();
    let grants = json!({"collaboration": {"doc-1": {"role": "reader"}, "doc-2": {"permissions": ["comment:admin"]}}});
    let minted = app.mint(
        "external-user",
        json!({"auth": grants, "user": {"name": "Ext", "email": "ext@example.com"}}),
    );
    let (status, _, token) = cs_token(&app, &minted).await;
    assert_eq!(status, 200, "{token}");
    let claims = payload_of(&token);
    assert_eq!(claims["auth"], grants);
    assert_eq!(claims["sub"], "external-user");
    assert_eq!(claims["user"]["name"], "Ext");
}

/// `/cs-token` is a bearer route like the others.
pub async fn cs_token_needs_a_bearer_token(target: &Target) {
    let app = target.start();
    let response = get(&app, "/cs-token").await;
    expect_error(response, 401, "missing_token").await;
    let expired = app.forge(&hs256(), &claims_with("exp", json!(now() - 10)));
    let response = get_with_token(&app, "/cs-token", &expired).await;
    expect_error(response, 401, "token_expired").await;
}

/// Without CKEditor keys, `/cs-token` answers 503 `not_configured`.
pub async fn cs_token_without_keys_is_503_not_configured(target: &Target) {
    if skip_if_external("needs an app started without CKEditor keys") {
        return;
    }
    let app = target.launch(Launch {
        ckeditor: false,
        ..Launch::default()
    });
    let token = app.mint("user-1", json!({}));
    expect_error(
        get_with_token(&app, "/cs-token", &token).await,
        503,
        "not_configured",
    )
    .await;
}

// ---- documents -----------------------------------------------------------------------------

async fn document(app: &App, method: Method, id: &str, token: &str) -> Response {
    app.http
        .request(method, app.url(&format!("/documents/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn expect_document(app: &App, method: Method, id: &str, token: &str, access: &str) {
    let (status, _, body) = json_of(document(app, method, id, token).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"id": id, "access": access}));
}

async fn expect_forbidden(app: &App, method: Method, id: &str, token: &str) {
    let headers = expect_error(
        document(app, method, id, token).await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_eq!(
        challenge(&headers),
        "Bearer realm=\"tokengate\", error=\"insufficient_scope\""
    );
}

fn grants(collaboration: Value) -> Value {
    json!({"auth": {"collaboration": collaboration}})
}

/// A reader may GET a document but not PUT it.
pub async fn documents_reader_reads_but_cannot_write(target: &Target) {
    let app = target.start();
    let reader = app.mint("r", grants(json!({"doc-1": {"role": "reader"}})));
    expect_document(&app, Method::GET, "doc-1", &reader, "read").await;
    expect_forbidden(&app, Method::PUT, "doc-1", &reader).await;
    let commentator = app.mint("c", grants(json!({"doc-1": {"role": "commentator"}})));
    expect_document(&app, Method::GET, "doc-1", &commentator, "read").await;
    expect_forbidden(&app, Method::PUT, "doc-1", &commentator).await;
}

/// A writer may GET and PUT.
pub async fn documents_writer_writes(target: &Target) {
    let app = target.start();
    let writer = app.mint("w", grants(json!({"doc-1": {"role": "writer"}})));
    expect_document(&app, Method::GET, "doc-1", &writer, "read").await;
    expect_document(&app, Method::PUT, "doc-1", &writer, "write").await;
}

/// A grant under `*` applies to every document.
pub async fn documents_star_grant_covers_every_document(target: &Target) {
    let app = target.start();
    let writer = app.mint("w", grants(json!({"*": {"role": "writer"}})));
    for id in ["doc-1", "anything"] {
        expect_document(&app, Method::PUT, id, &writer, "write").await;
    }
    // The id is the path segment percent-decoded.
    let (status, _, body) = json_of(document(&app, Method::PUT, "x%20y", &writer).await).await;
    assert_eq!(
        (status, body),
        (200, json!({"id": "x y", "access": "write"}))
    );
    let reader = app.mint(
        "r",
        grants(json!({"*": {"role": "reader"}, "doc-9": {"role": "writer"}})),
    );
    expect_forbidden(&app, Method::PUT, "doc-1", &reader).await;
    expect_document(&app, Method::PUT, "doc-9", &reader, "write").await;
}

/// A grant under a document id applies to that document only.
pub async fn documents_grant_for_one_document_does_not_cover_another(target: &Target) {
    let app = target.start();
    let token = app.mint("w", grants(json!({"doc-1": {"role": "writer"}})));
    expect_forbidden(&app, Method::GET, "doc-2", &token).await;
    expect_forbidden(&app, Method::GET, "doc-10", &token).await;
    expect_forbidden(&app, Method::GET, "doc", &token).await;
}

/// Explicit `permissions` count, alone or beside a role (the union).
pub async fn documents_explicit_permissions_count(target: &Target) {
    let app = target.start();
    let token = app.mint(
        "p",
        grants(json!({
            "doc-1": {"permissions": ["document:write"]},
            "doc-2": {"role": "reader", "permissions": ["document:write"]},
            "doc-3": {"permissions": ["comment:read"]},
            "doc-4": {"role": "owner"},
        })),
    );
    expect_document(&app, Method::PUT, "doc-1", &token, "write").await;
    expect_forbidden(&app, Method::GET, "doc-1", &token).await;
    expect_document(&app, Method::PUT, "doc-2", &token, "write").await;
    expect_document(&app, Method::GET, "doc-2", &token, "read").await;
    expect_forbidden(&app, Method::GET, "doc-3", &token).await;
    expect_forbidden(&app, Method::GET, "doc-4", &token).await;
}

/// The `scope` claim grants on every document: `documents:read` reads, `documents:write`
/// writes, each only what it names; a scope that is not a string makes the token invalid.
pub async fn documents_scope_grants_every_document(target: &Target) {
    let app = target.start();
    let reader = app.mint("s", json!({"scope": "openid documents:read"}));
    expect_document(&app, Method::GET, "doc-1", &reader, "read").await;
    expect_document(&app, Method::GET, "anything", &reader, "read").await;
    expect_forbidden(&app, Method::PUT, "doc-1", &reader).await;
    let writer = app.mint("s", json!({"scope": "documents:write"}));
    expect_document(&app, Method::PUT, "doc-1", &writer, "write").await;
    expect_forbidden(&app, Method::GET, "doc-1", &writer).await;
    // Scopes are whole words, compared exactly.
    for near in [
        "documents:read:all",
        "Documents:read",
        "documents:readdocuments:write",
        "",
    ] {
        let token = app.mint("s", json!({"scope": near}));
        expect_forbidden(&app, Method::GET, "doc-1", &token).await;
    }
    // Beside collaboration grants, either source grants.
    let both = app.mint(
        "s",
        json!({"scope": "documents:read", "auth": {"collaboration": {"doc-1": {"role": "writer"}}}}),
    );
    expect_document(&app, Method::PUT, "doc-1", &both, "write").await;
    expect_document(&app, Method::GET, "doc-2", &both, "read").await;
    for malformed in [
        json!(["documents:read"]),
        json!(7),
        json!(null),
        json!({"documents:read": true}),
    ] {
        let token = app.mint("s", json!({"scope": malformed}));
        let response = document(&app, Method::GET, "doc-1", &token).await;
        expect_invalid_answer(response, "invalid_token").await;
        expect_invalid(&app, &token, "invalid_token").await;
    }
}

/// A valid token without grants gets 403; no token gets 401; a bad token 401.
pub async fn documents_without_grants_are_forbidden(target: &Target) {
    let app = target.start();
    let (_, pair) = user(&app).await;
    expect_forbidden(&app, Method::GET, "doc-1", &access(&pair)).await;
    let none = app
        .http
        .put(app.url("/documents/doc-1"))
        .send()
        .await
        .unwrap();
    expect_error(none, 401, "missing_token").await;
    let bad = document(&app, Method::PUT, "doc-1", "a.b.c").await;
    expect_error(bad, 401, "invalid_token").await;
}

// ---- CORS ----------------------------------------------------------------------------------

/// A preflight from a configured origin is allowed, with the headers a bearer call needs.
pub async fn cors_preflight_allows_the_configured_origin(target: &Target) {
    let app = target.start();
    let cases = [
        ("/cs-token", "GET", "authorization"),
        ("/documents/doc-1", "PUT", "authorization,content-type"),
        ("/login", "POST", "content-type"),
        ("/protected", "GET", "x-access-token"),
    ];
    for (path, method, request_headers) in cases {
        let response = preflight(&app, path, ALLOWED_ORIGIN, method, request_headers).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        let headers = response.headers();
        assert_eq!(
            headers["access-control-allow-origin"], ALLOWED_ORIGIN,
            "{path}"
        );
        let methods = headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .to_ascii_uppercase();
        assert!(methods.contains(method), "{path}: {methods}");
        let allowed = headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for header in request_headers.split(',') {
            assert!(allowed.contains(header), "{path}: {header} in {allowed}");
        }
    }
}

/// `OPTIONS path` as a browser's CORS preflight.
async fn preflight(app: &App, path: &str, origin: &str, method: &str, headers: &str) -> Response {
    app.http
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .expect("preflight")
}

/// Other origins get no CORS permission.
pub async fn cors_refuses_other_origins(target: &Target) {
    let app = target.start();
    let response = preflight(
        &app,
        "/cs-token",
        "https://evil.example",
        "GET",
        "authorization",
    )
    .await;
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let token = app.mint("user-1", json!({}));
    let simple = app
        .http
        .get(app.url("/cs-token"))
        .header("origin", "https://evil.example")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(simple
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

/// A real request from the configured origin carries `Access-Control-Allow-Origin`.
pub async fn cors_headers_on_cs_token(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    let response = app
        .http
        .get(app.url("/cs-token"))
        .header("origin", ALLOWED_ORIGIN)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
}

// ---- persistence and configuration ---------------------------------------------------------

/// Users and revocations survive a restart on the same SQLite file.
pub async fn data_survives_a_restart(target: &Target) {
    if skip_if_external("restarts the app") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let launch = Launch {
        database: Some(dir.path().join("persist.db")),
        ..Launch::default()
    };
    let mut app = target.launch(launch.clone());
    let email = format!("persist{}@example.com", now_nanos());
    let user = signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;
    let logout = logout(&app, &access(&pair)).await;
    assert_eq!(logout.status().as_u16(), 204);
    app.stop();

    let again = target.launch(launch);
    let pair2 = login(&again, &email, "password1").await;
    let (_, _, me) = json_of(get_with_token(&again, "/users/me", &access(&pair2)).await).await;
    assert_eq!(me, user);
    expect_invalid(&again, &access(&pair), "invalid_token").await;
}

/// `TOKENGATE_ALGORITHM`, `TOKENGATE_ISSUER`, `TOKENGATE_AUDIENCE` and `TOKENGATE_ACCESS_TTL`
/// shape the tokens the app issues, and the algorithm is enforced: HS256 with the same secret
/// is refused by an HS512 app.
pub async fn configured_algorithm_issuer_audience_and_ttl_are_used(target: &Target) {
    if skip_if_external("starts the app with its own settings") {
        return;
    }
    let secret = "a-64-byte-secret-for-hs512-".repeat(3);
    let app = target.launch(Launch {
        env: vec![
            ("TOKENGATE_SECRET".into(), secret.clone()),
            ("TOKENGATE_ALGORITHM".into(), "HS512".into()),
            ("TOKENGATE_ISSUER".into(), "https://issuer.example".into()),
            ("TOKENGATE_AUDIENCE".into(), "api.example".into()),
            ("TOKENGATE_ACCESS_TTL".into(), "120".into()),
        ],
        ..Launch::default()
    });
    let (_, pair) = user(&app).await;
    assert_eq!(pair["expires_in"], 120, "{pair}");
    let token = access(&pair);
    let header = header_of(&token);
    assert_eq!(header["alg"], "HS512");
    let claims = payload_of(&token);
    assert_eq!(claims["iss"], "https://issuer.example");
    assert_eq!(claims["aud"], "api.example");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        120
    );
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &token).await).await;
    assert_eq!(status, 200, "{body}");
    let downgraded = forge_raw(&hs256().to_string(), &claims.to_string(), secret.as_bytes());
    expect_invalid(&app, &downgraded, "invalid_token").await;
}

/// While the database cannot be reached, every route that needs the store answers 503
/// `unavailable` and no token is issued; tokens already issued still open guarded routes
/// (the guard never asks the store); once the database is back everything works again and
/// nothing is lost. The app runs on PostgreSQL behind a proxy that the test cuts.
pub async fn database_outage_is_503_and_loses_nothing(target: &Target) {
    if skip_if_external("takes the app's database away") {
        return;
    }
    let Some(url) = crate::outage::postgres_url() else {
        return;
    };
    let (proxy, proxied) = crate::outage::CuttableProxy::in_front_of(&url);
    let app = target.launch(Launch {
        env: vec![("TOKENGATE_DATABASE_URL".into(), proxied)],
        ..Launch::default()
    });
    let email = format!("outage{}@example.com", now_nanos());
    let user = signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;

    proxy.cut();
    let credentials = json!({"email": email, "password": "password1"});
    let during = [
        app.http.get(app.url("/healthz")),
        app.http.post(app.url("/login")).json(&credentials),
        app.http.post(app.url("/signup")).json(&json!({
            "name": "During", "email": format!("during{}@example.com", now_nanos()),
            "password": "password1"
        })),
        app.http
            .post(app.url("/refresh"))
            .json(&json!({"refresh_token": pair["refresh_token"]})),
        app.http
            .get(app.url("/users/me"))
            .bearer_auth(access(&pair)),
        app.http
            .get(app.url("/cs-token"))
            .bearer_auth(access(&pair)),
    ];
    for request in during {
        let response = request
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let path = response.url().path().to_owned();
        let (status, headers, body) = json_of(response).await;
        assert_eq!(
            (status, &body["error"]),
            (503, &json!("unavailable")),
            "{path}: {body}"
        );
        assert!(headers.contains_key("retry-after"), "{path}: {headers:?}");
    }
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &access(&pair)).await).await;
    assert_eq!(status, 200, "the guard needs no store: {body}");

    proxy.restore();
    let mut healthy = false;
    for _ in 0..100 {
        let response = get(&app, "/healthz").await;
        if response.status() == 200 {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(healthy, "/healthz recovers once the database is back");
    // The refresh token refused during the outage was not spent: it still rotates once.
    let refreshed = app
        .http
        .post(app.url("/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    let (status, _, fresh) = json_of(refreshed).await;
    assert_eq!(status, 200, "{fresh}");
    let (_, _, me) = json_of(get_with_token(&app, "/users/me", &access(&fresh)).await).await;
    assert_eq!(me, user);
    login(&app, &email, "password1").await;
}

fn base_env(dir: &std::path::Path) -> Vec<(String, String)> {
    vec![
        ("TOKENGATE_ADDR".into(), "127.0.0.1:0".into()),
        (
            "TOKENGATE_DATABASE_URL".into(),
            format!("sqlite://{}", dir.join("c.db").display()),
        ),
    ]
}

/// A bad value stops start-up with one line naming the variable, never silently.
pub async fn bad_configuration_stops_start_up(target: &Target) {
    if skip_if_external("starts the app with bad configuration") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let secret = (
        "TOKENGATE_SECRET".to_owned(),
        crate::harness::SECRET.to_owned(),
    );
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("TOKENGATE_SECRET", vec![]),
        (
            "TOKENGATE_SECRET",
            vec![("TOKENGATE_SECRET".into(), "too-short".into())],
        ),
        (
            "TOKENGATE_ALGORITHM",
            vec![
                secret.clone(),
                ("TOKENGATE_ALGORITHM".into(), "none".into()),
            ],
        ),
        (
            "TOKENGATE_SECRET",
            vec![
                secret.clone(),
                ("TOKENGATE_ALGORITHM".into(), "HS512".into()),
            ],
        ),
        (
            "TOKENGATE_ACCESS_TTL",
            vec![
                secret.clone(),
                ("TOKENGATE_ACCESS_TTL".into(), "soon".into()),
            ],
        ),
        (
            "TOKENGATE_CS_TTL",
            vec![secret.clone(), ("TOKENGATE_CS_TTL".into(), "90000".into())],
        ),
        (
            "TOKENGATE_LOG_FORMAT",
            vec![
                secret.clone(),
                ("TOKENGATE_LOG_FORMAT".into(), "xml".into()),
            ],
        ),
        (
            "TOKENGATE_DATABASE_URL",
            vec![
                secret.clone(),
                ("TOKENGATE_DATABASE_URL".into(), "mysql://x".into()),
            ],
        ),
        (
            "TOKENGATE_DATABASE_URL",
            vec![
                secret.clone(),
                (
                    "TOKENGATE_DATABASE_URL".into(),
                    "sqlite:///nonexistent-dir/x/y.db".into(),
                ),
            ],
        ),
        (
            "TOKENGATE_CS_ACCESS_KEY",
            vec![
                secret.clone(),
                ("TOKENGATE_CS_ENVIRONMENT_ID".into(), "env".into()),
            ],
        ),
    ];
    for (variable, vars) in cases {
        let mut env = base_env(dir.path());
        // The database variable of the case wins over the default one.
        env.retain(|(k, _)| !vars.iter().any(|(v, _)| v == k));
        env.extend(vars);
        let (code, stderr) = target.refuses(&env);
        assert_ne!(code, Some(0), "{variable}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line for {variable}: {stderr}");
        assert!(lines[0].contains(variable), "{variable}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !stderr.contains("too-short"),
            "never echo the secret: {stderr}"
        );
    }
}

/// `TOKENGATE_DEV=1` without a secret starts with a generated one, and says so.
pub async fn dev_mode_generates_a_secret_with_a_warning(target: &Target) {
    if skip_if_external("starts the app in dev mode") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut env = base_env(dir.path());
    env.push(("TOKENGATE_DEV".into(), "1".into()));
    let (mut child, base) = target.spawn(&env).expect("starts in dev mode");
    let response = reqwest::get(format!("{base}/public")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TOKENGATE_DEV"), "{stderr}");
}

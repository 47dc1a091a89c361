//! The filters and the rejection handler, through `warp::test`.

use serde_json::Value;
use tokengate::service::Secret;
use tokengate::testing::TestTokens;
use tokengate::token::{Auth, Grant, Role};
use tokengate::{Config, Gate, TokenService};
use tokengate_warp::{
    authenticated, handle_rejection, optional, require_permission, Authenticated, Authorized,
    DocumentRead, DocumentWrite,
};
use warp::Filter;

fn setup() -> (Gate, TestTokens) {
    let config = Config::new(Secret::new(*b"a test secret of at least 32 byte")).unwrap();
    (config.gate(), TestTokens::new(&config))
}

fn app(gate: Gate) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    let open = warp::path!("open").and(warp::get()).map(|| "open");
    let me = warp::path!("me")
        .and(warp::get())
        .and(authenticated(gate.clone()))
        .map(|user: Authenticated| user.sub.clone().unwrap_or_default());
    let hello =
        warp::path!("hello")
            .and(optional(gate.clone()))
            .map(|user: Option<Authenticated>| match user {
                Some(user) => format!("hello {}", user.sub.as_deref().unwrap_or("?")),
                None => "hello stranger".to_owned(),
            });
    let read = warp::path!("documents" / ..)
        .and(require_permission(gate.clone(), DocumentRead))
        .and(warp::get())
        .map(|doc: Authorized<DocumentRead>| format!("read {}", doc.document));
    let write = warp::path!("documents" / ..)
        .and(require_permission(gate.clone(), DocumentWrite))
        .and(warp::put())
        .map(|doc: Authorized<DocumentWrite>| format!("write {}", doc.document));
    let upload = warp::path!("upload")
        .and(warp::post())
        .and(warp::body::content_length_limit(4))
        .map(|| "uploaded");
    let picky = warp::path!("picky")
        .and(warp::header::<String>("x-needed"))
        .map(|_: String| "ok");
    open.or(me)
        .or(hello)
        .or(read)
        .or(write)
        .or(upload)
        .or(picky)
        .recover(handle_rejection(gate))
}

async fn call(request: warp::test::RequestBuilder, gate: &Gate) -> (u16, String, Value) {
    let response = request.reply(&app(gate.clone())).await;
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = String::from_utf8(response.body().to_vec()).unwrap();
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (response.status().as_u16(), challenge, body)
}

fn get(path: &str) -> warp::test::RequestBuilder {
    warp::test::request().method("GET").path(path)
}

#[tokio::test]
async fn authentication_failures_come_before_merged_404_and_405() {
    let (gate, tokens) = setup();
    let (status, challenge, body) = call(get("/me"), &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("missing_token"))
    );
    assert_eq!(challenge, "Bearer realm=\"tokengate\"");

    let expired = format!("Bearer {}", tokens.expired("u1"));
    let (status, _, body) = call(get("/me").header("authorization", expired), &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_expired"))
    );

    let valid = format!("Bearer {}", tokens.valid("u1"));
    let (status, _, body) = call(get("/me").header("authorization", &valid), &gate).await;
    assert_eq!((status, body), (200, Value::String("u1".into())));
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json() {
    let (gate, _) = setup();
    let (status, _, body) = call(get("/nothing/here"), &gate).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let (status, _, body) = call(warp::test::request().method("POST").path("/open"), &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("method_not_allowed"))
    );
}

#[tokio::test]
async fn rejections_of_others_are_left_to_warp() {
    let (gate, _) = setup();
    let (status, _, body) = call(get("/picky"), &gate).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn warps_payload_too_large_is_the_services_413() {
    let (gate, _) = setup();
    let request = warp::test::request()
        .method("POST")
        .path("/upload")
        .body("too long");
    let (status, _, body) = call(request, &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("payload_too_large"))
    );
}

#[tokio::test]
async fn optional_tokens() {
    let (gate, tokens) = setup();
    let (_, _, body) = call(get("/hello"), &gate).await;
    assert_eq!(body, "hello stranger");
    let valid = format!("Bearer {}", tokens.valid("u1"));
    let (_, _, body) = call(get("/hello").header("authorization", valid), &gate).await;
    assert_eq!(body, "hello u1");
    let (status, _, body) = call(get("/hello").header("x-access-token", "bad"), &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
}

#[tokio::test]
async fn document_permissions_on_the_decoded_segment() {
    let (gate, tokens) = setup();
    let reader = format!(
        "Bearer {}",
        tokens.with_grants("r", Auth::new().grant("x y", Grant::role(Role::Reader)))
    );
    let (status, _, body) = call(
        get("/documents/x%20y").header("authorization", &reader),
        &gate,
    )
    .await;
    assert_eq!((status, body), (200, Value::String("read x y".into())));
    let put = warp::test::request()
        .method("PUT")
        .path("/documents/x%20y")
        .header("authorization", &reader);
    let (status, challenge, body) = call(put, &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(
        challenge,
        "Bearer realm=\"tokengate\", error=\"insufficient_scope\""
    );
    let (status, _, _) = call(
        get("/documents/other").header("authorization", &reader),
        &gate,
    )
    .await;
    assert_eq!(status, 403);
    // An id that is not UTF-8 once decoded names no document: 404, after the token check,
    // as on every framework.
    let (status, _, body) = call(
        get("/documents/%FF").header("authorization", &reader),
        &gate,
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    // The token is looked at only once the path is known.
    for path in ["/documents/a/b", "/documents/"] {
        let (status, _, body) = call(get(path), &gate).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }
    let (status, _, body) = call(get("/documents/doc-1"), &gate).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("missing_token"))
    );
}

/// The service routes answer only their own method: a PUT or PATCH to a POST route is the
/// JSON 405 with `Allow`, never handled as the POST it is not.
#[tokio::test]
async fn service_routes_take_only_their_own_method() {
    let mut config = Config::new(Secret::new(*b"a test secret of at least 32 byte")).unwrap();
    config.database_url = "sqlite::memory:".into();
    let service = TokenService::connect(&config).await.unwrap();
    let app =
        tokengate_warp::routes(service.clone()).recover(handle_rejection(service.gate().clone()));
    let cases = [
        ("PUT", "/login", "POST"),
        ("PATCH", "/login", "POST"),
        ("PUT", "/signup", "POST"),
        ("PATCH", "/session", "DELETE, POST"),
        ("PUT", "/users/me", "GET"),
    ];
    let request = |method: &str, path: &str| {
        warp::test::request()
            .method(method)
            .path(path)
            .header("content-type", "application/json")
            .body(r#"{"email":"someone@example.com","password":"a long enough password"}"#)
    };
    // The same request as a POST is the route's own: an unknown user, not a 405.
    let response = request("POST", "/login").reply(&app).await;
    assert_eq!(response.status(), 401, "{:?}", response.body());
    for (method, path, allow) in cases {
        let response = request(method, path).reply(&app).await;
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"], "method_not_allowed", "{method} {path}");
    }
}

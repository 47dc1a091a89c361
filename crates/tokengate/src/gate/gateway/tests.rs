//! The gateway's decisions, one rule of the contract at a time.

use super::*;
use crate::gate::source::HeaderValue;
use crate::token::issue::Issuer;
use crate::token::keys::{Algorithm, Key};
use crate::token::verify::Verifier;

struct Asked {
    method: &'static str,
    headers: Vec<(&'static str, String)>,
}

impl RequestView for Asked {
    fn header(&self, name: &str) -> HeaderValue<'_> {
        let values = self.headers.iter().filter(|(n, _)| *n == name);
        HeaderValue::from_values(values.map(|(_, v)| v.as_bytes()))
    }
    fn query(&self) -> Option<&str> {
        None
    }
    fn method(&self) -> &str {
        self.method
    }
}

fn asked(headers: &[(&'static str, &str)]) -> Asked {
    Asked {
        method: "GET",
        headers: headers.iter().map(|(n, v)| (*n, (*v).to_owned())).collect(),
    }
}

fn key() -> Key {
    Key::hmac(Algorithm::HS256, &[9; 32]).unwrap()
}

fn token(claims: Claims) -> String {
    Issuer::new(key()).issue(claims).unwrap().token
}

fn bearer(claims: Claims) -> String {
    format!("Bearer {}", token(claims))
}

fn gateway(policy: Policy) -> Gateway {
    Gateway::new(
        Gate::builder(Verifier::new(key()))
            .cookie_sessions()
            .build(),
        policy,
    )
}

/// The gateway's answer, decided at once (no trusted issuer, so no fetch to wait for).
fn answer(gateway: &Gateway, asked: &Asked, own_path: &str) -> HttpReply {
    let future = std::pin::pin!(gateway.answer(asked, own_path));
    let mut future = future;
    let waker = std::task::Waker::noop();
    match future
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker))
    {
        std::task::Poll::Ready(reply) => reply,
        std::task::Poll::Pending => panic!("decided without waiting"),
    }
}

use std::future::Future;

fn error_of(reply: &HttpReply) -> String {
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    body["error"].as_str().unwrap().to_owned()
}

fn header<'r>(reply: &'r HttpReply, name: &str) -> Option<&'r str> {
    reply
        .headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn without_a_policy_every_request_needs_a_valid_token() {
    let gateway = gateway(Policy::default());
    let missing = answer(
        &gateway,
        &asked(&[("x-forwarded-uri", "/anything")]),
        "/authz",
    );
    assert_eq!(
        (missing.status, error_of(&missing).as_str()),
        (401, "missing_token")
    );
    assert_eq!(
        header(&missing, "www-authenticate"),
        Some("Bearer realm=\"tokengate\"")
    );
    let claims = Claims {
        iss: Some("https://issuer.example".into()),
        scope: Some("a b".into()),
        ..Claims::for_subject("user-42")
    };
    let allowed = answer(
        &gateway,
        &asked(&[
            ("x-forwarded-uri", "/anything"),
            ("authorization", &bearer(claims)),
        ]),
        "/authz",
    );
    assert_eq!(allowed.status, 200);
    assert!(allowed.body.is_empty());
    assert_eq!(header(&allowed, "x-tokengate-subject"), Some("user-42"));
    assert_eq!(
        header(&allowed, "x-tokengate-issuer"),
        Some("https://issuer.example")
    );
    assert_eq!(header(&allowed, "x-tokengate-scope"), Some("a b"));
    let forged = answer(
        &gateway,
        &asked(&[("authorization", "Bearer a.b.c")]),
        "/authz",
    );
    assert_eq!(
        (forged.status, error_of(&forged).as_str()),
        (401, "invalid_token")
    );
}

#[test]
fn an_anyone_rule_passes_without_a_token_and_names_nobody_for_a_bad_one() {
    let gateway = gateway(Policy::new([Rule::path("/public/").allow(Access::Anyone)]));
    for authorization in [None, Some("Bearer not.a.token")] {
        let mut headers = vec![("x-forwarded-uri", "/public/a")];
        headers.extend(authorization.map(|value| ("authorization", value)));
        let reply = answer(&gateway, &asked(&headers), "/authz");
        assert_eq!(reply.status, 200, "{authorization:?}");
        assert!(
            reply.headers.is_empty(),
            "{authorization:?}: {:?}",
            reply.headers
        );
    }
    let named = answer(
        &gateway,
        &asked(&[
            ("x-forwarded-uri", "/public/a"),
            ("authorization", &bearer(Claims::for_subject("u1"))),
        ]),
        "/authz",
    );
    assert_eq!(header(&named, "x-tokengate-subject"), Some("u1"));
    assert_eq!(header(&named, "x-tokengate-scope"), Some(""));
}

#[test]
fn scopes_of_a_rule_are_each_required() {
    let gateway = gateway(Policy::new([
        Rule::path("/admin/").scopes(["admin", "write"])
    ]));
    let with = |scope: &str| {
        let claims = Claims {
            scope: Some(scope.into()),
            ..Claims::for_subject("u1")
        };
        answer(
            &gateway,
            &asked(&[
                ("x-forwarded-uri", "/admin/x"),
                ("authorization", &bearer(claims)),
            ]),
            "/authz",
        )
    };
    assert_eq!(with("write admin read").status, 200);
    let short = with("admin");
    assert_eq!(
        (short.status, error_of(&short).as_str()),
        (403, "insufficient_scope")
    );
    let challenge = header(&short, "www-authenticate").unwrap();
    assert!(challenge.contains("scope=\"admin write\""), "{challenge}");
}

#[test]
fn no_matching_rule_is_access_denied_and_a_bad_path_is_invalid_request() {
    let gateway = gateway(Policy::new([Rule::path("/public/").allow(Access::Anyone)]));
    let denied = answer(&gateway, &asked(&[("x-forwarded-uri", "/admin")]), "/authz");
    assert_eq!(
        (denied.status, error_of(&denied).as_str()),
        (403, "access_denied")
    );
    let climbing = answer(
        &gateway,
        &asked(&[("x-forwarded-uri", "/public/../admin")]),
        "/authz",
    );
    assert_eq!(
        climbing.status, 403,
        "resolved to /admin, which no rule allows"
    );
    for path in [
        "/public/%2F..%2Fadmin",
        "/public\\..\\admin",
        "/public/%00",
        "/../public/",
    ] {
        let refused = answer(&gateway, &asked(&[("x-forwarded-uri", path)]), "/authz");
        assert_eq!(
            (refused.status, error_of(&refused).as_str()),
            (400, "invalid_request"),
            "{path}"
        );
    }
}

#[test]
fn the_original_request_comes_from_each_proxys_headers_in_order() {
    let gateway = gateway(Policy::new([
        Rule::path("/get/").methods(["GET"]).allow(Access::Anyone),
        Rule::path("/host/")
            .host("docs.example.com")
            .allow(Access::Anyone),
    ]));
    let status = |headers: &[(&'static str, &str)], own_path: &str| {
        answer(&gateway, &asked(headers), own_path).status
    };
    // Traefik and Caddy: X-Forwarded-*; nginx: X-Original-*, behind them.
    assert_eq!(
        status(
            &[("x-forwarded-uri", "/get/a"), ("x-original-uri", "/no")],
            "/authz"
        ),
        200
    );
    assert_eq!(status(&[("x-original-uri", "/get/a")], "/authz"), 200);
    assert_eq!(
        status(
            &[("x-original-uri", "/get/a"), ("x-forwarded-method", "POST")],
            "/authz"
        ),
        403
    );
    assert_eq!(
        status(
            &[("x-original-uri", "/get/a"), ("x-original-method", "PUT")],
            "/authz"
        ),
        403
    );
    // Envoy's path_prefix: the original path follows /authz in the request's own.
    assert_eq!(status(&[], "/authz/get/a"), 200);
    assert_eq!(status(&[], "/authz"), 403, "/ matches no rule");
    assert_eq!(status(&[], "/authzget/a"), 403, "not under /authz/");
    // The host: X-Forwarded-Host, else Host.
    assert_eq!(
        status(
            &[
                ("x-forwarded-uri", "/host/"),
                ("host", "docs.example.com:8080")
            ],
            "/authz"
        ),
        200
    );
    assert_eq!(
        status(
            &[
                ("x-forwarded-uri", "/host/"),
                ("x-forwarded-host", "evil.example"),
                ("host", "docs.example.com")
            ],
            "/authz"
        ),
        403
    );
    // A forwarding header sent twice is not guessed at.
    let twice = answer(
        &gateway,
        &asked(&[("x-forwarded-uri", "/get/a"), ("x-forwarded-uri", "/admin")]),
        "/authz",
    );
    assert_eq!(
        (twice.status, error_of(&twice).as_str()),
        (400, "invalid_request")
    );
}

#[test]
fn csrf_is_judged_on_the_original_method() {
    let gateway = gateway(Policy::default());
    let cookie = format!(
        "tokengate_access={}; tokengate_csrf=c5rf",
        token(Claims::for_subject("u1"))
    );
    let with = |method: &str, csrf: Option<&str>| {
        let mut headers = vec![("cookie", cookie.as_str()), ("x-forwarded-method", method)];
        headers.extend(csrf.map(|value| ("x-csrf-token", value)));
        answer(&gateway, &asked(&headers), "/authz")
    };
    assert_eq!(with("GET", None).status, 200);
    let forged = with("POST", None);
    assert_eq!(
        (forged.status, error_of(&forged).as_str()),
        (403, "csrf_failed")
    );
    assert_eq!(with("POST", Some("c5rf")).status, 200);
    assert_eq!(with("DELETE", Some("other")).status, 403);
}

#[test]
fn a_revoked_token_is_refused_and_no_query_token_is_read() {
    let revocations = Arc::new(crate::gate::revocation::RevocationList::new());
    let gate = Gate::builder(Verifier::new(key()))
        .revocations(revocations.clone())
        .build();
    let gateway = Gateway::new(gate, Policy::default());
    let claims = Claims::for_subject("u1");
    let issued = token(claims);
    let verified: Claims = gateway.gate.verify(&issued).unwrap();
    revocations.revoke(&verified.revocation_id(), u64::MAX);
    let authorization = format!("Bearer {issued}");
    let revoked = answer(
        &gateway,
        &asked(&[("authorization", &authorization)]),
        "/authz",
    );
    assert_eq!(revoked.status, 401);
    let in_query = answer(
        &gateway,
        &asked(&[("x-forwarded-uri", &format!("/a?token={issued}"))]),
        "/authz",
    );
    assert_eq!(
        (in_query.status, error_of(&in_query).as_str()),
        (401, "missing_token")
    );
}

#[test]
fn a_subject_that_cannot_travel_in_a_header_is_refused() {
    let gateway = gateway(Policy::default());
    let claims = Claims::for_subject("u1\r\nx-tokengate-subject: admin");
    let reply = answer(
        &gateway,
        &asked(&[("authorization", &bearer(claims))]),
        "/authz",
    );
    assert_eq!(
        (reply.status, error_of(&reply).as_str()),
        (401, "invalid_token")
    );
}

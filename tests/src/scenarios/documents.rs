//! Documents and permissions: `/documents/{id}` under collaboration grants and scopes.

use reqwest::Method;
use serde_json::{json, Value};

use super::helpers::{
    access, challenge, document, expect_error, expect_invalid, expect_invalid_answer, json_of, user,
};
use crate::harness::{App, Target};

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

/// Ids are decoded once, by the same rule everywhere: `%25`, `%2F` and `%2B` become `%`, `/`
/// and `+` (and `%2541` stays `%41`); an id that is not UTF-8 once decoded names no document:
/// 404 (Rocket's router refuses such a path before any guard runs, so without a token it may
/// be 404 rather than 401).
pub async fn document_ids_are_decoded_once_alike(target: &Target) {
    let app = target.start();
    let writer = app.mint("w", grants(json!({"*": {"role": "writer"}})));
    for (raw, id) in [
        ("100%25", "100%"),
        ("a%2Fb", "a/b"),
        ("a%2Bb", "a+b"),
        ("%2541", "%41"),
    ] {
        let (status, _, body) = json_of(document(&app, Method::GET, raw, &writer).await).await;
        assert_eq!(
            (status, body),
            (200, json!({"id": id, "access": "read"})),
            "{raw}"
        );
    }
    let undecodable = document(&app, Method::GET, "%FF", &writer).await;
    expect_error(undecodable, 404, "not_found").await;
    let anonymous = app
        .http
        .get(app.url("/documents/%FF"))
        .send()
        .await
        .unwrap();
    expect_error(anonymous, 401, "missing_token").await;
}

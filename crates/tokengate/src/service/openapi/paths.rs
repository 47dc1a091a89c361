//! The operations of the documents, route by route, with every status each can answer.

use serde_json::{json, Map, Value};

use super::headers::{csrf_header, dpop_header, use_dpop_nonce};
use super::{ACCESS_TOKEN_HEADER_SCHEME, BASIC_SCHEME, BEARER_SCHEME, SESSION_COOKIE_SCHEME};

/// The routes of the adapters' `routes()`.
pub(super) fn service() -> Map<String, Value> {
    let mut paths = Map::new();
    paths.insert(
        "/healthz".into(),
        json!({"get": {
            "operationId": "healthz",
            "tags": ["service"],
            "summary": "Whether the store answers.",
            "responses": {
                "200": json_body("The store answers.", json!({
                    "type": "object", "required": ["status"],
                    "properties": {"status": {"const": "ok"}},
                })),
                "503": unavailable(),
            },
        }}),
    );
    paths.insert(
        "/.well-known/jwks.json".into(),
        json!({"get": {
            "operationId": "jwks",
            "tags": ["service"],
            "summary": "The public keys that verify access tokens, when they are signed with a private key.",
            "responses": {
                "200": {
                    "description": "The JWK set.",
                    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JwkSet"}}},
                },
                "404": error("Tokens are signed with a secret: nothing is published.", &["not_found"], None),
            },
        }}),
    );
    paths.insert(
        "/.well-known/openid-configuration".into(),
        json!({"get": {
            "operationId": "openidConfiguration",
            "tags": ["service"],
            "summary": "The OpenID Connect discovery document, for apps that trust this service's tokens.",
            "description": "Only when the issuer is an http(s) URL and the tokens are signed with a private key; it names no authorization or token endpoint, which the service does not have.",
            "responses": {
                "200": {
                    "description": "The discovery document.",
                    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenIdConfiguration"}}},
                },
                "404": error("The service is no provider: its issuer is not an http(s) URL, or it signs with a secret.", &["not_found"], None),
            },
        }}),
    );
    paths.insert(
        "/openapi.json".into(),
        json!({"get": {
            "operationId": "openapi",
            "tags": ["service"],
            "summary": "This document.",
            "responses": {"200": json_body("The OpenAPI document.", json!({"type": "object"}))},
        }}),
    );
    paths.insert(
        "/signup".into(),
        json!({"post": {
            "operationId": "signup",
            "tags": ["accounts"],
            "summary": "Create an account.",
            "requestBody": body("Signup"),
            "responses": {
                "201": json_body("The new account.", json!({"$ref": "#/components/schemas/User"})),
                "409": error("The e-mail address is taken (compared without regard to case).", &["conflict"], None),
                "413": too_large(),
                "422": invalid_request(),
                "503": password_unavailable(),
            },
        }}),
    );
    paths.insert(
        "/login".into(),
        json!({"post": {
            "operationId": "login",
            "tags": ["accounts"],
            "summary": "Exchange credentials for a token pair: HTTP Basic, or a body.",
            "security": [{}, {BASIC_SCHEME: []}],
            "parameters": [dpop_header()],
            "requestBody": optional_body("Credentials"),
            "responses": {
                "200": token_pair("A new login: an access token and its refresh token (bound to the key of a DPoP proof, if one came: `token_type` `DPoP`)."),
                "400": use_dpop_nonce(),
                "401": error("Unknown e-mail address or wrong password: one answer for both (`invalid_credentials`); a DPoP header that is no valid proof for this request (`invalid_dpop_proof`).", &["invalid_credentials", "invalid_dpop_proof"], None),
                "413": too_large(),
                "422": invalid_request(),
                "429": error("Ten failed logins for this address within ten minutes.", &["too_many_attempts"], Some("Retry-After")),
                "503": password_unavailable(),
            },
        }}),
    );
    paths.insert(
        "/refresh".into(),
        json!({"post": {
            "operationId": "refresh",
            "tags": ["accounts"],
            "summary": "Spend a refresh token for a new pair.",
            "parameters": [dpop_header()],
            "requestBody": body("RefreshRequest"),
            "responses": {
                "200": token_pair("The new pair; the presented refresh token is spent."),
                "400": use_dpop_nonce(),
                "401": error("Unknown, expired, spent or revoked refresh token (`invalid_token`); a spent one ends its whole login. A login bound to a DPoP key without a valid proof by it, or a DPoP header that is no valid proof (`invalid_dpop_proof`): nothing is spent.", &["invalid_token", "invalid_dpop_proof"], None),
                "413": too_large(),
                "422": invalid_request(),
                "503": unavailable(),
            },
        }}),
    );
    paths.insert(
        "/logout".into(),
        json!({"post": {
            "operationId": "logout",
            "tags": ["accounts"],
            "summary": "End the token's login: its access and refresh tokens stop working at once.",
            "security": bearer(),
            "parameters": [csrf_header()],
            "responses": {
                "204": {"description": "The login has ended."},
                "403": csrf_failed(),
                "401": unauthorized(),
                "503": bearer_unavailable(),
            },
        }}),
    );
    paths.insert(
        "/session".into(),
        json!({
            "post": {
                "operationId": "sessionLogin",
                "tags": ["sessions"],
                "summary": "Open a browser session: credentials as for `/login`; the pair goes into HttpOnly cookies.",
                "security": [{}, {BASIC_SCHEME: []}],
                "parameters": [dpop_header()],
                "requestBody": optional_body("Credentials"),
                "responses": {
                    "204": session_cookies("The session cookies are set: `tokengate_access`, `tokengate_refresh` (both HttpOnly) and `tokengate_csrf` (readable by scripts)."),
                    "400": use_dpop_nonce(),
                    "401": error("Unknown e-mail address or wrong password: one answer for both (`invalid_credentials`); a DPoP header that is no valid proof for this request (`invalid_dpop_proof`).", &["invalid_credentials", "invalid_dpop_proof"], None),
                    "413": too_large(),
                    "422": invalid_request(),
                    "429": error("Ten failed logins for this address within ten minutes.", &["too_many_attempts"], Some("Retry-After")),
                    "503": password_unavailable(),
                },
            },
            "delete": {
                "operationId": "sessionLogout",
                "tags": ["sessions"],
                "summary": "End the session's login, as `/logout` does, and clear the cookies. By cookie, it needs `X-CSRF-Token`.",
                "security": bearer(),
                "parameters": [csrf_header()],
                "responses": {
                    "204": session_cookies("The login has ended; the three cookies are cleared (`Max-Age=0`)."),
                    "401": unauthorized(),
                    "403": csrf_failed(),
                    "503": bearer_unavailable(),
                },
            },
        }),
    );
    paths.insert(
        "/session/refresh".into(),
        json!({"post": {
            "operationId": "sessionRefresh",
            "tags": ["sessions"],
            "summary": "Rotate the session cookies with the `tokengate_refresh` cookie, as `/refresh` rotates a pair. Needs `X-CSRF-Token`; without it nothing is spent.",
            "parameters": [csrf_header(), dpop_header()],
            "responses": {
                "204": session_cookies("The rotated cookies."),
                "400": use_dpop_nonce(),
                "401": error("No refresh cookie, or an unknown, expired, spent or revoked one (`invalid_token`); a spent one ends its whole login. A login bound to a DPoP key without a valid proof by it (`invalid_dpop_proof`): nothing is spent.", &["invalid_token", "invalid_dpop_proof"], None),
                "403": csrf_failed(),
                "503": unavailable(),
            },
        }}),
    );
    paths.insert(
        "/users/me".into(),
        json!({"get": {
            "operationId": "me",
            "tags": ["accounts"],
            "summary": "The account of the token's subject.",
            "security": bearer(),
            "responses": {
                "200": json_body("The account.", json!({"$ref": "#/components/schemas/User"})),
                "401": unauthorized(),
                "503": bearer_unavailable(),
            },
        }}),
    );
    paths.insert(
        "/cs-token".into(),
        json!({"get": {
            "operationId": "csToken",
            "tags": ["ckeditor"],
            "summary": "A CKEditor Cloud Services token for the token's user, as plain text for `cloudServices.tokenUrl`.",
            "security": bearer(),
            "responses": {
                "200": {
                    "description": "The signed JWT, alone.",
                    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                "401": unauthorized(),
                "503": cs_token_unavailable(),
            },
        }}),
    );
    super::sessions::insert(&mut paths);
    paths.insert("/authz".into(), super::gateway::operations());
    paths.insert("/metrics".into(), super::gateway::metrics_operation());
    paths
}

/// The demonstration routes of the reference apps.
pub(super) fn demo() -> Map<String, Value> {
    let mut paths = Map::new();
    paths.insert(
        "/public".into(),
        json!({"get": {
            "operationId": "public",
            "tags": ["demo"],
            "summary": "Open to anyone.",
            "responses": {"200": json_body("A greeting.", json!({
                "type": "object", "required": ["message"],
                "properties": {"message": {"const": "Anyone can view this."}},
            }))},
        }}),
    );
    paths.insert(
        "/protected".into(),
        json!({"get": {
            "operationId": "protected",
            "tags": ["demo"],
            "summary": "Only for valid access tokens.",
            "security": bearer(),
            "responses": {
                "200": json_body("The token's subject.", json!({
                    "type": "object", "required": ["message", "sub"],
                    "properties": {
                        "message": {"const": "Only available to people with valid tokens."},
                        "sub": {"type": ["string", "null"]},
                    },
                })),
                "401": unauthorized(),
                "503": keys_unavailable(),
            },
        }}),
    );
    let document = |access: &str, permission: &str, id: &str| {
        json!({
            "operationId": id,
            "tags": ["demo"],
            "summary": format!("Needs `{permission}` on the document: from `auth.collaboration` grants, or the `scope` `documents:{access}`."),
            "security": bearer(),
            "responses": {
                "200": json_body("Access granted.", json!({
                    "type": "object", "required": ["id", "access"],
                    "properties": {"id": {"type": "string"}, "access": {"const": access}},
                })),
                "401": unauthorized(),
                "403": error(
                    "A valid token without the permission (`insufficient_scope`), or a cookie-authenticated write without the CSRF header (`csrf_failed`).",
                    &["insufficient_scope", "csrf_failed"],
                    None,
                ),
                "404": error("No document id in the path.", &["not_found"], None),
                "503": keys_unavailable(),
            },
        })
    };
    paths.insert(
        "/documents/{id}".into(),
        json!({
            "parameters": [{
                "name": "id", "in": "path", "required": true,
                "description": "The document id, percent-decoded.",
                "schema": {"type": "string"},
            }],
            "get": document("read", "document:read", "readDocument"),
            "put": document("write", "document:write", "writeDocument"),
        }),
    );
    paths
}

/// Either bearer header, or the session cookie.
pub(super) fn bearer() -> Value {
    json!([{BEARER_SCHEME: []}, {ACCESS_TOKEN_HEADER_SCHEME: []}, {SESSION_COOKIE_SCHEME: []}])
}

pub(super) fn csrf_failed() -> Value {
    error(
        "Authenticated by cookie without `X-CSRF-Token` equal to the `tokengate_csrf` cookie.",
        &["csrf_failed"],
        None,
    )
}

fn session_cookies(description: &str) -> Value {
    json!({
        "description": description,
        "headers": {"Set-Cookie": {
            "description": "One header per cookie: `tokengate_access`, `tokengate_refresh`, `tokengate_csrf`.",
            "required": true,
            "schema": {"type": "string"},
        }},
    })
}

fn body_fields(schema: &str) -> Map<String, Value> {
    let reference = json!({"$ref": format!("#/components/schemas/{schema}")});
    let Value::Object(fields) = json!({
        "description": "JSON, or the same fields as `application/x-www-form-urlencoded`; at most 64 KiB.",
        "content": {
            "application/json": {"schema": reference},
            "application/x-www-form-urlencoded": {"schema": reference},
        },
    }) else {
        unreachable!("a JSON object literal")
    };
    fields
}

pub(super) fn body(schema: &str) -> Value {
    let mut fields = body_fields(schema);
    fields.insert("required".into(), Value::Bool(true));
    Value::Object(fields)
}

/// A body that HTTP Basic credentials may replace.
fn optional_body(schema: &str) -> Value {
    let mut fields = body_fields(schema);
    fields.insert("required".into(), Value::Bool(false));
    Value::Object(fields)
}

pub(super) fn json_body(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn token_pair(description: &str) -> Value {
    let mut response = json_body(
        description,
        json!({"$ref": "#/components/schemas/TokenPair"}),
    );
    response["headers"] = json!({"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}});
    response
}

/// An error answer with the codes it may carry and the header it always carries.
pub(super) fn error(description: &str, codes: &[&str], header: Option<&str>) -> Value {
    let mut response = json_body(
        description,
        json!({"allOf": [
            {"$ref": "#/components/schemas/Error"},
            {"properties": {"error": {"enum": codes}}},
        ]}),
    );
    if let Some(header) = header {
        response["headers"] = json!({header: {"$ref": format!("#/components/headers/{header}")}});
    }
    response
}

pub(super) fn unauthorized() -> Value {
    error(
        "No token (`missing_token`), an invalid one (`invalid_token`) or an expired one (`token_expired`); a DPoP-bound token without a valid proof by its key (`invalid_dpop_proof`).",
        &["missing_token", "invalid_token", "token_expired", "invalid_dpop_proof", "use_dpop_nonce"],
        Some("WWW-Authenticate"),
    )
}

pub(super) fn unavailable() -> Value {
    error(
        "The store cannot be reached; nothing was changed.",
        &["unavailable"],
        Some("Retry-After"),
    )
}

/// A route that checks a password: besides a store outage, too many password checks waiting
/// for the hashing workers.
pub(super) fn password_unavailable() -> Value {
    error(
        "The store cannot be reached, or more password checks are waiting than the service can start within a few seconds; nothing was checked or changed.",
        &["unavailable"],
        Some("Retry-After"),
    )
}

/// A bearer route that needs the store: a trusted issuer's token (resource-server mode) is
/// refused with the same 503 while its issuer's keys have never been loaded.
pub(super) fn bearer_unavailable() -> Value {
    error(
        "The store cannot be reached, or the token is a trusted issuer's whose keys have not been loaded yet; nothing was changed.",
        &["unavailable"],
        Some("Retry-After"),
    )
}

/// A bearer route without the store: only a trusted issuer's token whose issuer's keys have
/// never been loaded makes it 503 (the token may be good; the app cannot tell yet).
pub(super) fn keys_unavailable() -> Value {
    error(
        "The token is a trusted issuer's (resource-server mode) and that issuer's keys have not been loaded yet.",
        &["unavailable"],
        Some("Retry-After"),
    )
}

/// `/cs-token`'s 503: not configured (no `Retry-After`), or unavailable (with it).
fn cs_token_unavailable() -> Value {
    let mut response = error(
        "CKEditor Cloud Services is not configured (`not_configured`); or the store cannot be reached, or the token is a trusted issuer's whose keys have not been loaded yet (`unavailable`, with `Retry-After`).",
        &["not_configured", "unavailable"],
        None,
    );
    response["headers"] = json!({"Retry-After": {
        "description": "Seconds to wait before trying again; sent with `unavailable` only.",
        "required": false,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }});
    response
}

pub(super) fn too_large() -> Value {
    error("The body is over 64 KiB.", &["payload_too_large"], None)
}

pub(super) fn invalid_request() -> Value {
    error(
        "The body is not valid JSON or form data, or a field is missing or breaks its rule.",
        &["invalid_request"],
        None,
    )
}

//! The HTTP API as one OpenAPI 3.1 document, built here once so that every adapter serves
//! the same bytes at `GET /openapi.json`.
//!
//! [`service_document`] describes the routes the adapters' `routes()` mount (signup, login,
//! refresh, logout, `/users/me`, `/cs-token`, `/healthz`, the JWKS, the OpenID Connect
//! discovery document and the document
//! itself); [`reference_document`] adds the demonstration routes of the reference apps and
//! `tokengate serve` (`/public`, `/protected`, `/documents/{id}`). Both describe the default
//! JSON error body; an app with its own [`ErrorFormat`](crate::gate::ErrorFormat) should describe
//! its own.
//!
//! ```
//! let document = tokengate::service::openapi::reference_document();
//! assert_eq!(document["openapi"], "3.1.0");
//! let login = &document["paths"]["/login"]["post"];
//! assert!(login["responses"]["429"]["headers"]["Retry-After"].is_object());
//! ```

mod gateway;
mod headers;
mod paths;
mod sessions;

use serde_json::{json, Map, Value};

/// Name of the `Authorization: Bearer` security scheme in the documents.
pub const BEARER_SCHEME: &str = "bearerAuth";
/// Name of the `x-access-token` header security scheme in the documents.
pub const ACCESS_TOKEN_HEADER_SCHEME: &str = "accessTokenHeader";
/// Name of the session-cookie security scheme (`tokengate_access`) in the documents.
pub const SESSION_COOKIE_SCHEME: &str = "sessionCookie";
/// Name of the HTTP Basic security scheme (`POST /login`) in the documents.
pub const BASIC_SCHEME: &str = "basicAuth";

/// The document for the token and account routes that every adapter's `routes()` mounts.
pub fn service_document() -> Value {
    document(paths::service())
}

/// The document for the whole reference service: the token and account routes plus the
/// demonstration routes (`/public`, `/protected`, `/documents/{id}`).
pub fn reference_document() -> Value {
    let mut paths = paths::service();
    paths.extend(paths::demo());
    document(paths)
}

fn document(paths: Map<String, Value>) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "tokengate",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "JWT authentication: accounts, token pairs, protected routes and CKEditor Cloud Services tokens.",
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"},
        },
        "paths": paths,
        "components": components(),
    })
}

fn components() -> Value {
    let mut components = json!({
        "securitySchemes": security_schemes(),
        "schemas": {
            "Error": {
                "type": "object",
                "description": "Every error: a stable code for programs and a sentence for people, which never echoes a token, password or key.",
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string"},
                    "message": {"type": "string"},
                },
                "additionalProperties": false,
            },
            "Signup": {
                "type": "object",
                "required": ["name", "email", "password"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "email": {"type": "string", "format": "email", "maxLength": 254, "description": "Unique without regard to case."},
                    "password": {"type": "string", "minLength": 8, "description": "At least 8 characters (not bytes), at most 1024 bytes."},
                },
            },
            "Credentials": {
                "type": "object",
                "required": ["email", "password"],
                "properties": {
                    "email": {"type": "string", "description": "Matched without regard to case."},
                    "password": {"type": "string"},
                },
            },
            "RefreshRequest": {
                "type": "object",
                "required": ["refresh_token"],
                "properties": {"refresh_token": {"type": "string"}},
            },
            "User": {
                "type": "object",
                "required": ["id", "email", "name"],
                "properties": {
                    "id": {"type": "string", "description": "The `sub` of the user's tokens."},
                    "email": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
            "TokenPair": {
                "type": "object",
                "required": ["access_token", "token_type", "expires_in", "refresh_token"],
                "properties": {
                    "access_token": {"type": "string", "description": "A JWT."},
                    "token_type": {"enum": ["Bearer", "DPoP"], "description": "`DPoP` when the access token is bound to the key of the request's DPoP proof."},
                    "expires_in": {"type": "integer", "minimum": 1, "description": "Seconds until the access token expires."},
                    "refresh_token": {"type": "string", "description": "Opaque; spent by its first use. Presented again within the refresh grace it gets the same successor; after the grace, or once the successor was spent, it ends the whole login."},
                },
            },
            "OpenIdConfiguration": {
                "type": "object",
                "required": ["issuer", "jwks_uri", "id_token_signing_alg_values_supported", "subject_types_supported"],
                "properties": {
                    "issuer": {"type": "string", "format": "uri", "description": "`TOKENGATE_ISSUER`, the `iss` of the tokens."},
                    "jwks_uri": {"type": "string", "format": "uri", "description": "The issuer followed by `/.well-known/jwks.json`."},
                    "id_token_signing_alg_values_supported": {"type": "array", "items": {"type": "string"}},
                    "subject_types_supported": {"type": "array", "items": {"const": "public"}},
                },
            },
            "JwkSet": {
                "type": "object",
                "required": ["keys"],
                "properties": {"keys": {"type": "array", "items": {"type": "object"}}},
            },
        },
        "headers": {
            "WWW-Authenticate": {
                "description": "The RFC 6750 challenge, e.g. `Bearer realm=\"tokengate\", error=\"invalid_token\", error_description=\"the token has expired\"`.",
                "required": true,
                "schema": {"type": "string"},
            },
            "DPoP-Nonce": {
                "description": "The server nonce the next DPoP proof must carry (RFC 9449 section 8).",
                "required": true,
                "schema": {"type": "string"},
            },
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "required": true,
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            },
            "Cache-Control": {
                "required": true,
                "schema": {"type": "string"},
            },
        },
    });
    if let (Some(schemas), Value::Object(more)) =
        (components["schemas"].as_object_mut(), sessions::schemas())
    {
        schemas.extend(more);
    }
    components
}

/// The security schemes of the documents: `Authorization: Bearer` JWTs
/// ([`BEARER_SCHEME`]), the `x-access-token` header ([`ACCESS_TOKEN_HEADER_SCHEME`]), the
/// session cookie ([`SESSION_COOKIE_SCHEME`]) and HTTP Basic for `POST /login`
/// ([`BASIC_SCHEME`]), as an OpenAPI `securitySchemes` object.
pub fn security_schemes() -> Value {
    json!({
        BEARER_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token in `Authorization: Bearer TOKEN`; the scheme word is matched without regard to case.",
        },
        ACCESS_TOKEN_HEADER_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": "x-access-token",
            "description": "The same access token in the `x-access-token` header, read when `Authorization` holds no bearer token.",
        },
        SESSION_COOKIE_SCHEME: {
            "type": "apiKey",
            "in": "cookie",
            "name": "tokengate_access",
            "description": "The access token of a browser session (`POST /session`). A request with another method than GET, HEAD or OPTIONS must repeat the `tokengate_csrf` cookie in `X-CSRF-Token`.",
        },
        BASIC_SCHEME: {
            "type": "http",
            "scheme": "basic",
            "description": "`email:password`, for `POST /login` only.",
        },
    })
}

#[cfg(feature = "openapi")]
mod utoipa_modifier;
#[cfg(feature = "openapi")]
pub use utoipa_modifier::SecuritySchemes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_is_defined() {
        let document = reference_document();
        let text = document.to_string();
        for reference in text.split("\"$ref\":\"#/components/").skip(1) {
            let path: Vec<&str> = reference.split('"').next().unwrap().split('/').collect();
            assert!(
                !document["components"][path[0]][path[1]].is_null(),
                "{path:?} is referenced but not defined"
            );
        }
    }

    #[test]
    fn every_bearer_route_may_answer_503_unavailable_with_retry_after() {
        // A trusted issuer's token whose issuer's keys were never loaded is 503 `unavailable`
        // with `Retry-After` on any route that verifies a bearer token (docs/http-api.md and
        // docs/resource-server.md, "Key caching and provider outages").
        let document = reference_document();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                if !operation["security"].to_string().contains(BEARER_SCHEME) {
                    continue;
                }
                let answer = &operation["responses"]["503"];
                assert!(
                    answer["content"]["application/json"]["schema"]
                        .to_string()
                        .contains("\"unavailable\""),
                    "{method} {path}"
                );
                assert!(
                    answer["headers"]["Retry-After"].is_object(),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn the_service_document_is_the_reference_one_without_the_demo_routes() {
        let service = service_document();
        let reference = reference_document();
        let paths = |document: &Value| -> Vec<String> {
            document["paths"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert!(paths(&service)
            .iter()
            .all(|p| paths(&reference).contains(p)));
        for demo in ["/public", "/protected", "/documents/{id}"] {
            assert!(service["paths"][demo].is_null());
            assert!(!reference["paths"][demo].is_null());
        }
    }

    #[test]
    fn the_table_lists_every_service_route_of_the_openapi_document() {
        let document = service_document();
        let paths = document["paths"].as_object().unwrap();
        for (path, operations) in paths {
            let mut methods: Vec<String> = operations
                .as_object()
                .unwrap()
                .keys()
                .map(|method| method.to_ascii_uppercase())
                .collect();
            let mut allowed = crate::service::service_methods(path);
            methods.sort();
            allowed.sort_unstable();
            assert_eq!(allowed, methods, "{path}");
        }
        assert_eq!(paths.len(), crate::service::service_paths().count());
    }
}

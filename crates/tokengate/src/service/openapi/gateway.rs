//! The operators' routes in the OpenAPI document: the gateway `/authz` (one operation per
//! listed method) and `/metrics`.

use serde_json::{json, Value};

use super::headers::csrf_header;
use super::paths::{error, keys_unavailable, unauthorized};
use super::{ACCESS_TOKEN_HEADER_SCHEME, BEARER_SCHEME, SESSION_COOKIE_SCHEME};

/// `/authz`, one operation per method of [`AUTHZ_METHODS`](crate::gate::gateway::AUTHZ_METHODS): the
/// same answer whatever the method (every other method, and every path under `/authz/`,
/// answers alike too; OpenAPI has no way to say so).
pub(super) fn operations() -> Value {
    let header = |name: &str, description: &str| json!({"name": name, "in": "header", "required": false, "description": description, "schema": {"type": "string"}});
    let operation = |method: &str| {
        json!({
            "operationId": format!("authz{}{}", &method[..1], method[1..].to_ascii_lowercase()),
            "tags": ["gateway"],
            "summary": "Forward authentication: may the original request the proxy describes pass? Decided by the policy of `TOKENGATE_AUTHZ_POLICY` (without one, every request needs a valid token), with the token, cookie and CSRF rules of the bearer routes and the original method.",
            "security": [{}, {BEARER_SCHEME: []}, {ACCESS_TOKEN_HEADER_SCHEME: []}, {SESSION_COOKIE_SCHEME: []}],
            "parameters": [
                header("X-Forwarded-Method", "The original method (Traefik, Caddy); else `X-Original-Method`, else this request's method."),
                header("X-Original-Method", "The original method (nginx)."),
                header("X-Forwarded-Uri", "The original path and query (Traefik, Caddy); else `X-Original-URI`, else what follows `/authz` in this request's path (Envoy), else `/`."),
                header("X-Original-URI", "The original path and query (nginx)."),
                header("X-Forwarded-Host", "The original host; else `Host`."),
                csrf_header(),
            ],
            "responses": {
                "200": {
                    "description": "Allowed. With a valid token, the identity headers name its holder; on an `anyone` rule a request without one passes without them.",
                    "headers": {
                        "X-Tokengate-Subject": {"description": "The token's `sub`.", "schema": {"type": "string"}},
                        "X-Tokengate-Issuer": {"description": "The token's `iss`.", "schema": {"type": "string"}},
                        "X-Tokengate-Scope": {"description": "The token's `scope`, space-separated; empty when none.", "schema": {"type": "string"}},
                    },
                },
                "400": error(
                    "The original request cannot be known (a forwarding header sent twice) or its path is refused (an encoded `/` or `\\`, a backslash, a control character, a `..` above the root, …).",
                    &["invalid_request"],
                    None,
                ),
                "401": unauthorized(),
                "403": error(
                    "No rule of the policy matches (`access_denied`), the token lacks a scope the rule requires (`insufficient_scope`), or a cookie-authenticated unsafe original method came without the CSRF header (`csrf_failed`).",
                    &["access_denied", "insufficient_scope", "csrf_failed"],
                    None,
                ),
                "503": keys_unavailable(),
            },
        })
    };
    let operations: serde_json::Map<String, Value> = crate::gate::gateway::AUTHZ_METHODS
        .iter()
        .map(|method| (method.to_ascii_lowercase(), operation(method)))
        .collect();
    Value::Object(operations)
}

/// `GET /metrics`, the operators' route: Prometheus text, or 404 when metrics are off.
pub(super) fn metrics_operation() -> Value {
    json!({"get": {
        "operationId": "metrics",
        "tags": ["operations"],
        "summary": "The service's Prometheus metrics (decisions by outcome and code, logins, refreshes, ended logins, verification time, trusted keys' age).",
        "description": "Served with `TOKENGATE_METRICS=1`; keep it off the public port or restrict it at the proxy.",
        "responses": {
            "200": {
                "description": "The metrics, in the Prometheus text format 0.0.4.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            "404": error("Metrics are off (`TOKENGATE_METRICS` unset or 0).", &["not_found"], None),
        },
    }})
}

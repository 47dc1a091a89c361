//! The request headers several operations share: the CSRF header of cookie-authenticated
//! requests and the DPoP proof of the token endpoints.

use serde_json::{json, Value};

/// The double-submit CSRF header.
pub(super) fn csrf_header() -> Value {
    json!({
        "name": "X-CSRF-Token", "in": "header", "required": false,
        "description": "The value of the `tokengate_csrf` cookie; required when the request is authenticated by cookie.",
        "schema": {"type": "string"},
    })
}

/// The optional `DPoP` proof header of the token endpoints (RFC 9449): with one, the tokens
/// issued are bound to its key.
pub(super) fn dpop_header() -> Value {
    json!({
        "name": "DPoP", "in": "header", "required": false,
        "description": "A DPoP proof (RFC 9449) for this request: a JWT of typ `dpop+jwt` signed with the client's key, whose public JWK is in its header. The tokens issued are bound to that key (`cnf.jkt`); a bound login is refreshed only with a proof by it.",
        "schema": {"type": "string"},
    })
}

/// The 400 of a token endpoint whose DPoP proof lacks the server's nonce
/// (`TOKENGATE_DPOP_NONCE=1`).
pub(super) fn use_dpop_nonce() -> Value {
    super::paths::error(
        "Nonces are required (`TOKENGATE_DPOP_NONCE=1`) and the DPoP proof has no current one: retry with the nonce of `DPoP-Nonce`.",
        &["use_dpop_nonce"],
        Some("DPoP-Nonce"),
    )
}

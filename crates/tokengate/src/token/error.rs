//! The one error type of the verify path, [`AuthError`], and its RFC 6750 class.
//!
//! What it becomes on the wire (a [`Problem`](crate::gate::Problem) and its reply) is the
//! gate's business: `gate/problem.rs` renders it.

use std::borrow::Cow;

/// Why a request was not let through.
///
/// Every variant knows the HTTP status, the RFC 6750 `WWW-Authenticate` challenge and the
/// `error` code of the HTTP API, so that every adapter answers alike. Messages
/// are fixed sentences: they never contain the token, a claim value taken from it, or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No token was found in any configured source.
    #[error("no bearer token was presented")]
    MissingToken,
    /// The token is not a well-formed compact JWS (segments, base64url, JSON, duplicates).
    #[error("the token is malformed: {0}")]
    Malformed(&'static str),
    /// The token is longer than the configured maximum; nothing of it was decoded.
    #[error("the token is longer than {max} bytes")]
    Oversized {
        /// The configured maximum, in bytes.
        max: usize,
    },
    /// The header's `alg` is not the algorithm pinned to the selected key (this covers `none`).
    #[error("the token algorithm is not allowed")]
    DisallowedAlgorithm,
    /// The header names a `kid` that no configured key has.
    #[error("the token key id is not known")]
    UnknownKey,
    /// The header carries `crit`, whose extensions this verifier does not understand.
    #[error("the token has critical header parameters that are not supported")]
    CriticalHeader,
    /// The header's `typ` is not the one required.
    #[error("the token type is not accepted")]
    WrongType,
    /// The signature does not match the header and payload.
    #[error("the token signature is invalid")]
    BadSignature,
    /// A claim that the rules require is absent.
    #[error("the token has no `{0}` claim")]
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an out-of-range value.
    #[error("the token has an invalid `{0}` claim")]
    InvalidClaim(&'static str),
    /// `exp` is not after the current time.
    #[error("the token has expired")]
    Expired,
    /// `nbf` or `iat` lies in the future beyond the allowed leeway.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` does not contain the configured audience.
    #[error("the token audience is not accepted")]
    WrongAudience,
    /// `iss` is not exactly the configured issuer.
    #[error("the token issuer is not accepted")]
    WrongIssuer,
    /// The token's `sub` names no known user (the account was removed).
    #[error("the token subject is not a known user")]
    UnknownSubject,
    /// The DPoP proof (RFC 9449) that came with the token, or with a request for tokens, is
    /// missing or fails a rule (why, in a fixed sentence): 401 `invalid_dpop_proof`, with a
    /// `DPoP` challenge naming the algorithms accepted.
    #[error("the DPoP proof is not valid: {0}")]
    InvalidDpopProof(&'static str),
    /// The server requires DPoP nonces and the proof carries none, or an old one: 401
    /// `use_dpop_nonce` (400 at the token endpoints), with the nonce to use in a
    /// `DPoP-Nonce` header (RFC 9449 sections 8 and 9).
    #[error("the DPoP proof must carry the nonce of the DPoP-Nonce header")]
    UseDpopNonce {
        /// The nonce the client should put in its next proof.
        nonce: String,
    },
    /// The token is bound to a key (`cnf.jkt`) but did not come as `Authorization: DPoP`,
    /// or came so without being bound: 401 `invalid_token`.
    #[error("{0}")]
    DpopBinding(&'static str),
    /// The token (or the login session it belongs to) was revoked.
    #[error("the token has been revoked")]
    Revoked,
    /// The token is valid but does not grant the permission the route needs.
    #[error("the token does not grant `{permission}` on this document")]
    InsufficientScope {
        /// The permission that was required, e.g. `document:write`.
        permission: Cow<'static, str>,
    },
    /// The token is valid but its `scope` claim lacks a scope the route needs (see
    /// [`Scope`](crate::Scope)); the challenge names it (RFC 6750 section 3).
    #[error("the token does not grant the scope `{scope}`")]
    MissingScope {
        /// The scope (or space-separated scopes) that was required, e.g. `notes:read`.
        scope: Cow<'static, str>,
    },
    /// The token came from the session cookie, the method changes something, and the request
    /// did not repeat the CSRF cookie in `X-CSRF-Token` (double submit).
    #[error(
        "a request authenticated by the session cookie must repeat the CSRF cookie in X-CSRF-Token"
    )]
    CsrfFailed,
    /// The token comes from a trusted issuer whose keys have never been loaded (its provider
    /// has not been reached yet): whether the token is good cannot be told, so the request is
    /// answered 503 `unavailable`, with `Retry-After` and no challenge.
    #[error("the keys of the token's issuer are not available yet; try again shortly")]
    KeysUnavailable {
        /// Seconds until the keys are fetched again (the `Retry-After` value), at least 1.
        retry_after: u64,
    },
}

/// The RFC 6750 error class of an [`AuthError`]: what a client should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// No credentials: the client should authenticate.
    MissingToken,
    /// The credentials are unusable: the client should get a new token.
    InvalidToken,
    /// The credentials are fine but do not reach far enough.
    InsufficientScope,
    /// The DPoP proof is unusable (RFC 9449 section 7.1): the client should make a new one.
    InvalidDpopProof,
}

impl AuthError {
    /// HTTP status: 403 for insufficient scope and a failed CSRF check, 503 while a trusted
    /// issuer's keys are not loaded, 401 for everything else.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::CsrfFailed => return 403,
            AuthError::KeysUnavailable { .. } => return 503,
            _ => {}
        }
        match self.challenge() {
            Challenge::InsufficientScope => 403,
            Challenge::MissingToken | Challenge::InvalidToken | Challenge::InvalidDpopProof => 401,
        }
    }

    /// The RFC 6750 error class. A failed CSRF check counts as insufficient scope (the token
    /// is fine, this request is not), though it sends no challenge.
    pub fn challenge(&self) -> Challenge {
        match self {
            AuthError::MissingToken => Challenge::MissingToken,
            AuthError::InsufficientScope { .. }
            | AuthError::MissingScope { .. }
            | AuthError::CsrfFailed => Challenge::InsufficientScope,
            AuthError::InvalidDpopProof(_) | AuthError::UseDpopNonce { .. } => {
                Challenge::InvalidDpopProof
            }
            _ => Challenge::InvalidToken,
        }
    }

    /// The `error` code of the JSON body: `missing_token`, `invalid_token`, `token_expired`,
    /// `insufficient_scope`, `csrf_failed`, `invalid_dpop_proof`, `use_dpop_nonce` or
    /// `unavailable`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::KeysUnavailable { .. } => "unavailable",
            AuthError::MissingToken => "missing_token",
            AuthError::Expired => "token_expired",
            AuthError::InsufficientScope { .. } | AuthError::MissingScope { .. } => {
                "insufficient_scope"
            }
            AuthError::CsrfFailed => "csrf_failed",
            AuthError::InvalidDpopProof(_) => "invalid_dpop_proof",
            AuthError::UseDpopNonce { .. } => "use_dpop_nonce",
            _ => "invalid_token",
        }
    }

    /// The `WWW-Authenticate` header value (RFC 6750 section 3) for the given realm.
    ///
    /// ```
    /// use tokengate::AuthError;
    /// assert_eq!(AuthError::MissingToken.www_authenticate("tokengate"), r#"Bearer realm="tokengate""#);
    /// assert_eq!(
    ///     AuthError::Expired.www_authenticate("tokengate"),
    ///     r#"Bearer realm="tokengate", error="invalid_token", error_description="the token has expired""#
    /// );
    /// ```
    pub fn www_authenticate(&self, realm: &str) -> String {
        match self.challenge() {
            Challenge::MissingToken => format!("Bearer realm=\"{realm}\""),
            Challenge::InsufficientScope => match self {
                // Scope tokens hold no quote or backslash (RFC 6749 section 3.3): a valid
                // quoted-string as it stands; anything else is left out of the challenge.
                AuthError::MissingScope { scope }
                    if scope
                        .bytes()
                        .all(|b| b == b' ' || (b'!'..=b'~').contains(&b))
                        && !scope.contains(['"', '\\']) =>
                {
                    format!(
                        "Bearer realm=\"{realm}\", error=\"insufficient_scope\", scope=\"{scope}\""
                    )
                }
                _ => format!("Bearer realm=\"{realm}\", error=\"insufficient_scope\""),
            },
            // Messages are fixed sentences without quotes or backslashes, so they are
            // valid quoted-strings as they stand.
            Challenge::InvalidToken => format!(
                "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{self}\""
            ),
            Challenge::InvalidDpopProof => format!(
                "DPoP error=\"{}\", algs=\"{}\", error_description=\"{self}\"",
                self.code(),
                crate::token::keys::algorithm::dpop_algorithm_names()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_codes_and_challenges_follow_the_contract() {
        let realm = "tokengate";
        let missing = AuthError::MissingToken;
        assert_eq!((missing.status(), missing.code()), (401, "missing_token"));
        assert_eq!(
            missing.www_authenticate(realm),
            "Bearer realm=\"tokengate\""
        );

        let expired = AuthError::Expired;
        assert_eq!((expired.status(), expired.code()), (401, "token_expired"));
        assert!(expired.www_authenticate(realm).starts_with(
            "Bearer realm=\"tokengate\", error=\"invalid_token\", error_description=\""
        ));

        let scope = AuthError::InsufficientScope {
            permission: "document:write".into(),
        };
        assert_eq!((scope.status(), scope.code()), (403, "insufficient_scope"));
        assert_eq!(
            scope.www_authenticate(realm),
            "Bearer realm=\"tokengate\", error=\"insufficient_scope\""
        );

        let proof = AuthError::InvalidDpopProof("its htm is not this request's method");
        assert_eq!((proof.status(), proof.code()), (401, "invalid_dpop_proof"));
        assert!(proof
            .www_authenticate(realm)
            .starts_with("DPoP error=\"invalid_dpop_proof\", algs=\"ES256 ES384 RS256"));
        let nonce = AuthError::UseDpopNonce { nonce: "n".into() };
        assert_eq!((nonce.status(), nonce.code()), (401, "use_dpop_nonce"));
        assert!(nonce
            .www_authenticate(realm)
            .starts_with("DPoP error=\"use_dpop_nonce\", algs=\""));
        let binding = AuthError::DpopBinding("the token is bound to a key");
        assert_eq!((binding.status(), binding.code()), (401, "invalid_token"));

        for invalid in [
            AuthError::Malformed("x"),
            AuthError::Oversized { max: 8192 },
            AuthError::DisallowedAlgorithm,
            AuthError::UnknownKey,
            AuthError::CriticalHeader,
            AuthError::WrongType,
            AuthError::BadSignature,
            AuthError::MissingClaim("exp"),
            AuthError::InvalidClaim("exp"),
            AuthError::NotYetValid,
            AuthError::WrongAudience,
            AuthError::WrongIssuer,
            AuthError::Revoked,
            AuthError::UnknownSubject,
        ] {
            assert_eq!(
                (invalid.status(), invalid.code()),
                (401, "invalid_token"),
                "{invalid:?}"
            );
            let challenge = invalid.www_authenticate(realm);
            assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
            // error_description must be a valid quoted-string.
            let description = challenge.split("error_description=\"").nth(1).unwrap();
            assert_eq!(description.matches('"').count(), 1, "{challenge}");
            assert!(!description.contains('\\'));
        }
    }
}

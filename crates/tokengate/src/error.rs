//! The one error type of the verify path, and the framework-neutral response it becomes.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

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
    /// The token (or the login session it belongs to) was revoked.
    #[error("the token has been revoked")]
    Revoked,
    /// The token is valid but does not grant the permission the route needs.
    #[error("the token does not grant `{permission}` on this document")]
    InsufficientScope {
        /// The permission that was required, e.g. `document:write`.
        permission: Cow<'static, str>,
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
}

impl AuthError {
    /// HTTP status: 403 for insufficient scope, 401 for everything else.
    pub fn status(&self) -> u16 {
        match self.challenge() {
            Challenge::InsufficientScope => 403,
            Challenge::MissingToken | Challenge::InvalidToken => 401,
        }
    }

    /// The RFC 6750 error class.
    pub fn challenge(&self) -> Challenge {
        match self {
            AuthError::MissingToken => Challenge::MissingToken,
            AuthError::InsufficientScope { .. } => Challenge::InsufficientScope,
            _ => Challenge::InvalidToken,
        }
    }

    /// The `error` code of the JSON body: `missing_token`, `invalid_token`, `token_expired`
    /// or `insufficient_scope`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "missing_token",
            AuthError::Expired => "token_expired",
            AuthError::InsufficientScope { .. } => "insufficient_scope",
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
            Challenge::InsufficientScope => {
                format!("Bearer realm=\"{realm}\", error=\"insufficient_scope\"")
            }
            // Messages are fixed sentences without quotes or backslashes, so they are
            // valid quoted-strings as they stand.
            Challenge::InvalidToken => format!(
                "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{self}\""
            ),
        }
    }

    /// This error as a [`Problem`], ready to be rendered by an [`ErrorFormat`].
    pub fn to_problem(&self, realm: &str) -> Problem {
        Problem::new(self.status(), self.code(), self.to_string())
            .with_header("www-authenticate", self.www_authenticate(realm))
    }
}

/// A failure as the client will see it: status, `error` code, human message and any
/// headers that must go with it. Every adapter turns a `Problem` into its own response type
/// through [`Problem::to_reply`], so all of them answer the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status code.
    pub status: u16,
    /// Machine-readable code, e.g. `invalid_token`.
    pub code: &'static str,
    /// A sentence for humans; never holds a token, password or key.
    pub message: Cow<'static, str>,
    /// Extra headers, e.g. `WWW-Authenticate` or `Retry-After`.
    pub headers: Vec<(&'static str, String)>,
}

impl Problem {
    /// A problem without extra headers.
    pub fn new(status: u16, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// No route at this path: 404 `not_found`. Every adapter answers unknown paths with it, so
    /// that every error the service sends has the same JSON shape.
    pub fn not_found() -> Self {
        Problem::new(404, "not_found", "there is nothing at this path")
    }

    /// A route exists at this path, but not for this method: 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Problem::new(
            405,
            "method_not_allowed",
            "this path does not accept this method",
        )
    }

    /// Adds a header to send with the problem.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Renders the problem with `format` into a response any adapter can send.
    pub fn to_reply(&self, format: &dyn ErrorFormat) -> Reply {
        let body = format.render(self);
        Reply {
            status: self.status,
            content_type: body.content_type,
            headers: self.headers.clone(),
            body: body.bytes,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

/// A framework-neutral HTTP response: what the core decided, for an adapter to translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Value of the `Content-Type` header; empty for a response without a body.
    pub content_type: Cow<'static, str>,
    /// Further headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON response with the given status.
    pub fn json(status: u16, value: &impl serde::Serialize) -> Reply {
        Reply {
            status,
            content_type: Cow::Borrowed("application/json"),
            headers: Vec::new(),
            // Serializing our own plain structs to a Vec cannot fail.
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// A `text/plain` response with status 200.
    pub fn text(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            content_type: Cow::Borrowed("text/plain; charset=utf-8"),
            headers: Vec::new(),
            body: body.into().into_bytes(),
        }
    }

    /// An empty response with the given status (e.g. 204).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: Cow::Borrowed(""),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// A rendered error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    /// Value of the `Content-Type` header.
    pub content_type: Cow<'static, str>,
    /// The body bytes.
    pub bytes: Vec<u8>,
}

/// Turns a [`Problem`] into a response body. The one place where an app changes the shape of
/// every error body, for every adapter at once.
///
/// ```
/// use tokengate::{ErrorFormat, Problem, RenderedBody};
///
/// /// RFC 9457 problem details instead of the default `{"error","message"}`.
/// struct ProblemDetails;
///
/// impl ErrorFormat for ProblemDetails {
///     fn render(&self, problem: &Problem) -> RenderedBody {
///         let body = serde_json::json!({
///             "type": format!("urn:tokengate:{}", problem.code),
///             "status": problem.status,
///             "detail": problem.message,
///         });
///         RenderedBody { content_type: "application/problem+json".into(), bytes: body.to_string().into_bytes() }
///     }
/// }
/// let body = ProblemDetails.render(&Problem::new(401, "invalid_token", "bad"));
/// assert_eq!(body.content_type, "application/problem+json");
/// ```
pub trait ErrorFormat: Send + Sync + 'static {
    /// Renders the body for `problem`.
    fn render(&self, problem: &Problem) -> RenderedBody;
}

/// The default format: `{"error": CODE, "message": TEXT}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonErrors;

impl ErrorFormat for JsonErrors {
    fn render(&self, problem: &Problem) -> RenderedBody {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            error: &'a str,
            message: &'a str,
        }
        let body = Body {
            error: problem.code,
            message: &problem.message,
        };
        RenderedBody {
            content_type: Cow::Borrowed("application/json"),
            bytes: serde_json::to_vec(&body).unwrap_or_default(),
        }
    }
}

impl<F> ErrorFormat for F
where
    F: Fn(&Problem) -> RenderedBody + Send + Sync + 'static,
{
    fn render(&self, problem: &Problem) -> RenderedBody {
        self(problem)
    }
}

/// A shared, swappable error format.
pub type SharedErrorFormat = Arc<dyn ErrorFormat>;

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

    #[test]
    fn default_body_is_error_and_message() {
        let reply = AuthError::WrongAudience
            .to_problem("r")
            .to_reply(&JsonErrors);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["error"], "invalid_token");
        assert_eq!(body["message"], "the token audience is not accepted");
        assert_eq!(body.as_object().unwrap().len(), 2);
        assert_eq!(reply.content_type, "application/json");
        assert_eq!(reply.headers[0].0, "www-authenticate");
    }

    #[test]
    fn a_closure_is_an_error_format() {
        let format = |p: &Problem| RenderedBody {
            content_type: "text/plain".into(),
            bytes: p.code.as_bytes().to_vec(),
        };
        let reply = AuthError::Revoked.to_problem("r").to_reply(&format);
        assert_eq!(reply.body, b"invalid_token");
    }
}

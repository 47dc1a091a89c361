//! Failures as the client sees them: [`Problem`] (status, `error` code, message, headers)
//! and the [`ErrorFormat`] that turns one into a body, the same for every adapter.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::gate::reply::HttpReply;
use crate::token::error::AuthError;

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
    pub fn to_reply(&self, format: &dyn ErrorFormat) -> HttpReply {
        let body = format.render(self);
        HttpReply {
            status: self.status,
            content_type: body.content_type,
            headers: self.headers.clone(),
            body: body.bytes,
        }
    }
}

impl AuthError {
    /// This error as a [`Problem`], ready to be rendered by an [`ErrorFormat`]. Every bearer
    /// failure carries its `WWW-Authenticate` challenge; a failed CSRF check is not about the
    /// token and carries none, nor does the 503 of keys not yet loaded (it has `Retry-After`).
    pub fn to_problem(&self, realm: &str) -> Problem {
        let problem = Problem::new(self.status(), self.code(), self.to_string());
        match self {
            AuthError::CsrfFailed => return problem,
            AuthError::KeysUnavailable { retry_after } => {
                return problem.with_header("retry-after", retry_after.to_string());
            }
            AuthError::UseDpopNonce { nonce } => {
                let challenge = self.www_authenticate(realm);
                return problem
                    .with_header("www-authenticate", challenge)
                    .with_header(crate::gate::dpop::DPOP_NONCE_HEADER, nonce.clone());
            }
            _ => {}
        }
        problem.with_header("www-authenticate", self.www_authenticate(realm))
    }
}

impl Problem {
    /// A 401 that no token check produced (a framework's own, e.g. a guard of the app's):
    /// `unauthorized`, with the challenge of a missing token.
    pub fn unauthorized(realm: &str) -> Self {
        Problem::new(401, "unauthorized", "this resource needs authentication").with_header(
            "www-authenticate",
            AuthError::MissingToken.www_authenticate(realm),
        )
    }

    /// A 403 that no permission check of tokengate produced: `forbidden`.
    pub fn forbidden() -> Self {
        Problem::new(403, "forbidden", "this resource is not available to you")
    }

    /// What a framework's own error of `status` becomes when no rule of tokengate produced it
    /// (Rocket's catchers), so that every error an app sends has the JSON shape:
    /// [`unauthorized`](Self::unauthorized) for 401, [`forbidden`](Self::forbidden) for 403,
    /// [`not_found`](Self::not_found) for 404, [`method_not_allowed`](Self::method_not_allowed)
    /// for 405, `payload_too_large` for 413, `unavailable` for 503; `invalid_request` for
    /// every other 4xx (a body the framework could not parse: 400, 422) and `internal_error`
    /// for every other status.
    pub fn fallback(status: u16, realm: &str) -> Self {
        match status {
            401 => Problem::unauthorized(realm),
            403 => Problem::forbidden(),
            404 => Problem::not_found(),
            405 => Problem::method_not_allowed(),
            413 => Problem::new(413, "payload_too_large", "the request body is too large"),
            503 => Problem::new(
                503,
                "unavailable",
                "the service is temporarily unavailable; try again shortly",
            ),
            400..=499 => Problem::new(status, "invalid_request", "the request is malformed"),
            _ => Problem::new(
                status,
                "internal_error",
                "the server could not answer this request",
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
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
/// use tokengate::gate::{ErrorFormat, Problem, RenderedBody};
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
    fn every_framework_status_gets_a_code_of_the_contract() {
        let cases = [
            (400, "invalid_request"),
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "not_found"),
            (405, "method_not_allowed"),
            (413, "payload_too_large"),
            (415, "invalid_request"),
            (422, "invalid_request"),
            (500, "internal_error"),
            (503, "unavailable"),
        ];
        for (status, code) in cases {
            let problem = Problem::fallback(status, "r");
            assert_eq!((problem.status, problem.code), (status, code));
        }
    }

    #[test]
    fn keys_not_loaded_is_503_with_retry_after_and_no_challenge() {
        let problem = AuthError::KeysUnavailable { retry_after: 7 }.to_problem("r");
        let reply = problem.to_reply(&JsonErrors);
        assert_eq!(reply.status, 503);
        assert_eq!(reply.headers, vec![("retry-after", "7".to_owned())]);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["error"], "unavailable");
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

//! Failures as the client sees them: [`Problem`] (status, `error` code, message, headers)
//! and the [`ErrorFormat`] that turns one into a body, the same for every adapter.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::reply::HttpReply;

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

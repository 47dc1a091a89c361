//! What a guard answers when it does not let a request through: a [`Refusal`], rendered by
//! the gate once, which every adapter wraps in its own error type (`TokenRejection`).

use crate::gate::problem::Problem;
use crate::gate::reply::HttpReply;
use crate::token::error::AuthError;

/// A refused request: why, and the reply (status, headers, body in the gate's error format)
/// that says so. Adapters wrap it in their own error type (`TokenRejection`).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub(super) reason: Reason,
    pub(super) reply: HttpReply,
}

/// Why a request was refused.
#[derive(Debug, Clone)]
pub(super) enum Reason {
    Auth(AuthError),
    /// A document id that is not UTF-8 once decoded: 404.
    NoSuchDocument,
    /// A document route without its parameter, the developer's mistake: 500.
    RouteWithoutParameter,
    /// The gateway was asked with a forwarding header sent twice or not as text: 400.
    AmbiguousOriginal(&'static str),
    /// The gateway was asked about a path it refuses to normalise (why, in a sentence): 400.
    RefusedPath(&'static str),
    /// No rule of the gateway's policy matches the request: 403.
    NoRuleAllows,
}

impl Reason {
    /// The error code of the reply: what `tokengate_decisions_total{reason}` counts it under.
    pub(super) fn code(&self) -> &'static str {
        match self {
            Reason::Auth(error) => error.code(),
            Reason::NoSuchDocument => "not_found",
            Reason::RouteWithoutParameter => "internal_error",
            Reason::AmbiguousOriginal(_) | Reason::RefusedPath(_) => "invalid_request",
            Reason::NoRuleAllows => "access_denied",
        }
    }

    /// What the reply says, before the gate's error format renders it.
    pub(super) fn problem(&self, realm: &str) -> Problem {
        match self {
            Reason::Auth(error) => error.to_problem(realm),
            Reason::NoSuchDocument => Problem::not_found(),
            Reason::RouteWithoutParameter => Problem::new(
                500,
                "internal_error",
                "a document route was set up without its document parameter",
            ),
            Reason::AmbiguousOriginal(header) => Problem::new(
                400,
                "invalid_request",
                format!("the {header} header must be sent once, as text"),
            ),
            Reason::RefusedPath(why) => Problem::new(400, "invalid_request", *why),
            Reason::NoRuleAllows => Problem::new(
                403,
                "access_denied",
                "no rule of the gateway's policy allows this request",
            ),
        }
    }
}

impl Refusal {
    /// The authentication or authorization failure, when that is what it is. `None` for the
    /// path failures: a document id that is not UTF-8 once decoded (404), a route that lacks
    /// the document parameter (500, the developer's mistake, logged as such), and the
    /// gateway's refusals of the original request itself (400 `invalid_request`, 403
    /// `access_denied`).
    pub fn auth_error(&self) -> Option<&AuthError> {
        match &self.reason {
            Reason::Auth(error) => Some(error),
            _ => None,
        }
    }

    /// The error code the reply carries (`invalid_token`, `insufficient_scope`,
    /// `access_denied`, …), whatever the error format renders.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// The HTTP status of the reply.
    pub fn status(&self) -> u16 {
        self.reply.status
    }

    /// The reply to send.
    pub fn reply(&self) -> &HttpReply {
        &self.reply
    }

    /// The reply to send, owned.
    pub fn into_reply(self) -> HttpReply {
        self.reply
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            Reason::Auth(error) => error.fmt(f),
            Reason::NoSuchDocument => f.write_str("the document id is not valid UTF-8"),
            Reason::RouteWithoutParameter => f.write_str("the route has no document parameter"),
            Reason::AmbiguousOriginal(header) => write!(f, "the {header} header is ambiguous"),
            Reason::RefusedPath(why) => f.write_str(why),
            Reason::NoRuleAllows => f.write_str("no rule of the gateway's policy allows this"),
        }
    }
}

impl std::error::Error for Refusal {}

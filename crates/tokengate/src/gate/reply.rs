//! [`HttpReply`], the framework-neutral HTTP response each adapter translates into its own.

use std::borrow::Cow;

/// A framework-neutral HTTP response: what the core decided, for an adapter to translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// HTTP status code.
    pub status: u16,
    /// Value of the `Content-Type` header; empty for a response without a body.
    pub content_type: Cow<'static, str>,
    /// Further headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpReply {
    /// A JSON response with the given status.
    pub fn json(status: u16, value: &impl serde::Serialize) -> HttpReply {
        HttpReply {
            status,
            content_type: Cow::Borrowed("application/json"),
            headers: Vec::new(),
            // Serializing our own plain structs to a Vec cannot fail.
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// A `text/plain` response with status 200.
    pub fn text(body: impl Into<String>) -> HttpReply {
        HttpReply {
            status: 200,
            content_type: Cow::Borrowed("text/plain; charset=utf-8"),
            headers: Vec::new(),
            body: body.into().into_bytes(),
        }
    }

    /// An empty response with the given status (e.g. 204).
    pub fn empty(status: u16) -> HttpReply {
        HttpReply {
            status,
            content_type: Cow::Borrowed(""),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// Whether `name` can be sent as a header name: an RFC 9110 `token` (letters, digits and
/// ``!#$%&'*+-.^_`|~``), of any case. [`HttpReply::headers`] is public, so an app's reply may
/// hold anything there; adapters whose framework sends names unchecked (Rocket) leave out a
/// header that fails this, as the others' `HeaderName` parsers do.
///
/// ```
/// use tokengate::gate::is_header_name;
/// assert!(is_header_name("X-Custom") && is_header_name("www-authenticate"));
/// assert!(!is_header_name("bad name") && !is_header_name("") && !is_header_name("a:b"));
/// ```
pub fn is_header_name(name: &str) -> bool {
    let token = |byte: &u8| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(byte);
    !name.is_empty() && name.as_bytes().iter().all(token)
}

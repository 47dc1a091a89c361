//! Request bodies and credentials, parsed the same way for every framework.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;

use crate::gate::source::{HeaderValue, RequestView};
use crate::service::accounts::Credentials;
use crate::service::api_error::ApiError;

/// What an adapter got when it read a request body, at most
/// [`MAX_BODY_BYTES`](crate::service::MAX_BODY_BYTES) of it. The service routes take this, so that
/// every framework answers an oversized or broken body the same way (413, or 400).
#[derive(Debug, Clone, Copy)]
pub enum ReadBody<'a> {
    /// The whole body.
    Complete(&'a [u8]),
    /// The body is longer than the limit; the rest was not read.
    TooLarge,
    /// The body could not be read (a broken chunked encoding, a connection cut short).
    Unreadable,
}

impl<'a> ReadBody<'a> {
    /// The body with the request's `Content-Type`, or the error to answer.
    pub(crate) fn with_type(
        self,
        request: &'a impl RequestView,
    ) -> Result<RequestBody<'a>, ApiError> {
        match self {
            ReadBody::Complete(bytes) => {
                let content_type = match request.header("content-type") {
                    HeaderValue::One(value) => std::str::from_utf8(value).ok(),
                    HeaderValue::Absent | HeaderValue::Many => None,
                };
                Ok(RequestBody::new(content_type, bytes))
            }
            ReadBody::TooLarge => Err(ApiError::PayloadTooLarge {
                max: crate::service::MAX_BODY_BYTES,
            }),
            ReadBody::Unreadable => Err(ApiError::UnreadableBody),
        }
    }
}

/// A request body with its `Content-Type`, as an adapter received it.
#[derive(Debug, Clone, Copy)]
pub struct RequestBody<'a> {
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body bytes (already limited to [`MAX_BODY_BYTES`](crate::service::MAX_BODY_BYTES) by the adapter).
    pub bytes: &'a [u8],
}

impl<'a> RequestBody<'a> {
    /// A body with its content type.
    pub fn new(content_type: Option<&'a str>, bytes: &'a [u8]) -> Self {
        RequestBody {
            content_type,
            bytes,
        }
    }

    /// Parses the body as JSON or as a URL-encoded form, by its `Content-Type` (sniffed when
    /// absent or unknown). A syntax error, a missing field or a value of the wrong type is
    /// [`ApiError::InvalidRequest`].
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        match self.kind() {
            Kind::Json => serde_json::from_slice(self.bytes).map_err(|e| {
                ApiError::InvalidRequest(
                    format!("the JSON body is not valid: {}", json_reason(&e)).into(),
                )
            }),
            Kind::Form => serde_urlencoded::from_bytes(self.bytes).map_err(|e| {
                ApiError::InvalidRequest(format!("the form body is not valid: {e}").into())
            }),
        }
    }

    fn kind(&self) -> Kind {
        let essence = self
            .content_type
            .and_then(|ct| ct.split(';').next())
            .map(|ct| ct.trim().to_ascii_lowercase());
        match essence.as_deref() {
            Some("application/json") => Kind::Json,
            Some(ct) if ct.starts_with("application/") && ct.ends_with("+json") => Kind::Json,
            Some("application/x-www-form-urlencoded") => Kind::Form,
            _ if self.bytes.trim_ascii_start().starts_with(b"{") => Kind::Json,
            _ => Kind::Form,
        }
    }
}

enum Kind {
    Json,
    Form,
}

/// serde_json's message without the echo of values (it can quote parts of the input, which
/// may be a password).
fn json_reason(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            format!(
                "syntax error at line {} column {}",
                error.line(),
                error.column()
            )
        }
        Category::Data => {
            let text = error.to_string();
            // "missing field `email`" and "unknown variant" messages name fields, not values.
            if text.starts_with("missing field") || text.starts_with("duplicate field") {
                text.split(" at line")
                    .next()
                    .unwrap_or("invalid data")
                    .to_owned()
            } else {
                "a field is missing or has the wrong type".to_owned()
            }
        }
    }
}

/// Credentials from the request's `Authorization: Basic` header; `None` if it is absent or
/// uses another scheme. Two `Authorization` headers are refused.
pub(crate) fn basic_credentials_of(
    request: &impl RequestView,
) -> Result<Option<Credentials>, ApiError> {
    match request.header("authorization") {
        HeaderValue::Absent => Ok(None),
        HeaderValue::One(value) => basic_credentials(Some(value)),
        HeaderValue::Many => Err(ApiError::invalid(
            "more than one Authorization header was sent",
        )),
    }
}

/// Credentials from `Authorization: Basic base64(email:password)`; `None` if the header
/// is absent or uses another scheme.
pub fn basic_credentials(authorization: Option<&[u8]>) -> Result<Option<Credentials>, ApiError> {
    let Some(value) = authorization else {
        return Ok(None);
    };
    let value = std::str::from_utf8(value)
        .map_err(|_| ApiError::invalid("the Authorization header is not valid"))?
        .trim();
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ApiError::invalid("the Basic credentials are not valid base64 UTF-8"))?;
    let (email, password) = decoded
        .split_once(':')
        .ok_or_else(|| ApiError::invalid("the Basic credentials must be email:password"))?;
    Ok(Some(Credentials {
        email: email.to_owned(),
        password: password.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::accounts::Signup;

    #[test]
    fn json_and_form_bodies_parse_alike() {
        let json = RequestBody::new(
            Some("application/json; charset=utf-8"),
            br#"{"name":"A","email":"a@b.co","password":"p"}"#,
        );
        let form = RequestBody::new(
            Some("application/x-www-form-urlencoded"),
            b"name=A&email=a%40b.co&password=p",
        );
        let sniffed = RequestBody::new(None, br#" {"name":"A","email":"a@b.co","password":"p"}"#);
        for body in [json, form, sniffed] {
            let signup: Signup = body.parse().unwrap();
            assert_eq!(
                (signup.name.as_str(), signup.email.as_str()),
                ("A", "a@b.co")
            );
        }
    }

    #[test]
    fn bad_bodies_are_invalid_requests_that_do_not_echo_values() {
        for (ct, bytes) in [
            (Some("application/json"), &b"{not json"[..]),
            (
                Some("application/json"),
                br#"{"name":"A","email":"a@b.co"}"#,
            ),
            (
                Some("application/json"),
                br#"{"name":"A","email":"a@b.co","password":123456789}"#,
            ),
            (Some("application/json"), br#"["a"]"#),
            (Some("application/x-www-form-urlencoded"), b"name=A"),
            (None, b""),
        ] {
            let err = RequestBody::new(ct, bytes).parse::<Signup>().unwrap_err();
            assert!(matches!(err, ApiError::InvalidRequest(_)), "{bytes:?}");
            assert!(!err.to_string().contains("123456789"), "{err}");
        }
        let missing = RequestBody::new(Some("application/json"), br#"{"name":"A"}"#)
            .parse::<Signup>()
            .unwrap_err();
        assert!(
            missing.to_string().contains("missing field `email`"),
            "{missing}"
        );
    }

    #[test]
    fn basic_credentials_parse() {
        let header = format!("Basic {}", STANDARD.encode("a@b.co:pass:word"));
        let creds = basic_credentials(Some(header.as_bytes())).unwrap().unwrap();
        assert_eq!(
            (creds.email.as_str(), creds.password.as_str()),
            ("a@b.co", "pass:word")
        );
        assert!(basic_credentials(Some(b"Bearer x")).unwrap().is_none());
        assert!(basic_credentials(None).unwrap().is_none());
        assert!(basic_credentials(Some(b"Basic !!!")).is_err());
        let no_colon = format!("Basic {}", STANDARD.encode("nocolon"));
        assert!(basic_credentials(Some(no_colon.as_bytes())).is_err());
    }
}

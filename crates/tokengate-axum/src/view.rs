//! The core's request view and reply, in axum's types.

use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokengate::{HttpReply, RequestView};

/// The method, headers and URI of an axum request, as the core sees them.
pub(crate) struct View<'r>(&'r Method, &'r HeaderMap, &'r Uri);

impl<'r> View<'r> {
    pub(crate) fn of(parts: &'r Parts) -> Self {
        View(&parts.method, &parts.headers, &parts.uri)
    }

    pub(crate) fn of_request<B>(request: &'r axum::http::Request<B>) -> Self {
        View(request.method(), request.headers(), request.uri())
    }
}

impl RequestView for View<'_> {
    fn header(&self, name: &str) -> tokengate::HeaderValue<'_> {
        let values = self.1.get_all(name).iter().map(|value| value.as_bytes());
        tokengate::HeaderValue::from_values(values)
    }

    fn query(&self) -> Option<&str> {
        self.2.query()
    }

    fn method(&self) -> &str {
        self.0.as_str()
    }
}

/// A core [`HttpReply`] as an axum response.
pub(crate) fn to_response(reply: HttpReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    if !reply.content_type.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&reply.content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
    } else {
        headers.remove(header::CONTENT_TYPE);
    }
    for (name, value) in reply.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    response
}

/// Adds the CORS headers to a response: `Vary` to what is there, the others replacing.
pub(crate) fn append_headers(map: &mut HeaderMap, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        let (name, Ok(value)) = (HeaderName::from_static(name), HeaderValue::from_str(&value))
        else {
            continue;
        };
        if name == header::VARY {
            map.append(name, value);
        } else {
            map.insert(name, value);
        }
    }
}

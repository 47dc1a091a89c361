//! The core's request view and reply, in axum's types.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::Extensions;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokengate::gate::{HttpReply, RequestView};

/// The method, headers, URI and extensions of an axum request, as the core sees them.
pub(crate) struct View<'r>(&'r Method, &'r HeaderMap, &'r Uri, &'r Extensions);

impl<'r> View<'r> {
    pub(crate) fn of(parts: &'r Parts) -> Self {
        View(&parts.method, &parts.headers, &parts.uri, &parts.extensions)
    }

    pub(crate) fn of_request<B>(request: &'r axum::http::Request<B>) -> Self {
        View(
            request.method(),
            request.headers(),
            request.uri(),
            request.extensions(),
        )
    }
}

impl RequestView for View<'_> {
    fn header(&self, name: &str) -> tokengate::gate::HeaderValue<'_> {
        let values = self.1.get_all(name).iter().map(|value| value.as_bytes());
        tokengate::gate::HeaderValue::from_values(values)
    }

    fn query(&self) -> Option<&str> {
        self.2.query()
    }

    fn method(&self) -> &str {
        self.0.as_str()
    }

    /// The path as the client sent it: inside a nested router axum strips the prefix from
    /// the URI and keeps the original aside.
    fn path(&self) -> Option<&str> {
        let original = self.3.get::<axum::extract::OriginalUri>();
        Some(original.map_or(self.2.path(), |uri| uri.0.path()))
    }

    /// The peer address, when the app is served with
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.3
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
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
        if let (Some(name), Ok(value)) = (header_name(name), HeaderValue::from_str(&value)) {
            headers.append(name, value);
        }
    }
    response
}

/// Adds the CORS headers to a response: `Vary` to what is there, the others replacing.
pub(crate) fn append_headers(map: &mut HeaderMap, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        let (Some(name), Ok(value)) = (header_name(name), HeaderValue::from_str(&value)) else {
            continue;
        };
        if name == header::VARY {
            map.append(name, value);
        } else {
            map.insert(name, value);
        }
    }
}

/// `name` as a header name, lowercased, or `None` when it is not one: an [`HttpReply`]'s
/// headers are public, so an app's may be `X-Custom`, or no name at all.
/// ([`HeaderName::from_static`] would panic on either.)
pub(crate) fn header_name(name: &str) -> Option<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokengate::testing::{awkward_headers, awkward_reply, sorted_headers};
    use tokengate::testing::{AWKWARD_HEADERS_DECORATED, AWKWARD_HEADERS_SENT};

    fn sorted(headers: &HeaderMap) -> Vec<(&str, &str)> {
        sorted_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())))
    }

    #[test]
    fn header_names_of_any_case_are_sent_and_invalid_ones_skipped() {
        let response = to_response(awkward_reply());
        assert_eq!(sorted(response.headers()), AWKWARD_HEADERS_SENT);
    }

    #[test]
    fn appended_headers_take_names_of_any_case_and_skip_invalid_ones() {
        let mut map = HeaderMap::new();
        map.insert(header::VARY, HeaderValue::from_static("accept"));
        map.insert("x-custom", HeaderValue::from_static("old"));
        append_headers(&mut map, awkward_headers());
        assert_eq!(sorted(&map), AWKWARD_HEADERS_DECORATED);
    }
}

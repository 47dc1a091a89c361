//! The core's request view and reply, in actix-web's types.

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use tokengate::gate::{HttpReply, RequestView};

/// An actix request as the core sees it: headers and query string, nothing of `http` 0.2.
pub(crate) struct View<'r>(pub &'r HttpRequest);

impl RequestView for View<'_> {
    fn header(&self, name: &str) -> tokengate::gate::HeaderValue<'_> {
        let values = self.0.headers().get_all(name).map(|value| value.as_bytes());
        tokengate::gate::HeaderValue::from_values(values)
    }

    fn query(&self) -> Option<&str> {
        self.0.uri().query()
    }

    fn method(&self) -> &str {
        self.0.method().as_str()
    }

    fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.0.peer_addr().map(|addr| addr.ip())
    }

    fn path(&self) -> Option<&str> {
        Some(self.0.path())
    }
}

/// A core [`HttpReply`] as an actix response: status, content type, headers and body, as given.
pub(crate) fn to_response(reply: HttpReply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    // actix writes `Connection` itself from the response's connection type, dropping a
    // header of that name, so a reply that must close the connection says it this way.
    if reply.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
    }) {
        builder.force_close();
    }
    let mut response = builder.body(reply.body);
    let headers = response.headers_mut();
    if !reply.content_type.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&reply.content_type) {
            headers.insert(CONTENT_TYPE, value);
        }
    }
    for (name, value) in reply.headers {
        if let (Some(name), Ok(value)) = (header_name(name), HeaderValue::from_str(&value)) {
            headers.append(name, value);
        }
    }
    response
}

/// `name` as a header name, lowercased, or `None` when it is not one: an [`HttpReply`]'s
/// headers are public, so an app's may be `X-Custom`, or no name at all.
/// ([`HeaderName::from_static`] would panic on either.)
pub(crate) fn header_name(name: &str) -> Option<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use actix_web::http::header::HeaderMap;
    use actix_web::http::ConnectionType;
    use tokengate::testing::{awkward_reply, sorted_headers, AWKWARD_HEADERS_SENT};

    pub(crate) fn sorted(headers: &HeaderMap) -> Vec<(&str, &str)> {
        sorted_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())))
    }

    #[test]
    fn header_names_of_any_case_are_sent_and_invalid_ones_skipped() {
        let response = to_response(awkward_reply());
        assert_eq!(sorted(response.headers()), AWKWARD_HEADERS_SENT);
    }

    /// A reply that must close the connection says so whatever the case of `Connection`.
    #[test]
    fn connection_close_of_any_case_closes() {
        for (name, value) in [("connection", "close"), ("Connection", "Close")] {
            let mut reply = HttpReply::empty(400);
            reply.headers = vec![(name, value.to_owned())];
            let response = to_response(reply);
            assert_eq!(
                response.head().connection_type(),
                ConnectionType::Close,
                "{name}: {value}"
            );
        }
        let kept = to_response(HttpReply::empty(400));
        assert_eq!(kept.head().connection_type(), ConnectionType::KeepAlive);
    }
}

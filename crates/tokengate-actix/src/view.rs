//! The core's request view and reply, in actix-web's types.

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use tokengate::{HttpReply, RequestView};

/// An actix request as the core sees it: headers and query string, nothing of `http` 0.2.
pub(crate) struct View<'r>(pub &'r HttpRequest);

impl RequestView for View<'_> {
    fn header(&self, name: &str) -> tokengate::HeaderValue<'_> {
        let values = self.0.headers().get_all(name).map(|value| value.as_bytes());
        tokengate::HeaderValue::from_values(values)
    }

    fn query(&self) -> Option<&str> {
        self.0.uri().query()
    }

    fn method(&self) -> &str {
        self.0.method().as_str()
    }
}

/// A core [`HttpReply`] as an actix response: status, content type, headers and body, as given.
pub(crate) fn to_response(reply: HttpReply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    // actix writes `Connection` itself from the response's connection type, dropping a
    // header of that name, so a reply that must close the connection says it this way.
    if reply
        .headers
        .iter()
        .any(|(name, value)| *name == "connection" && value == "close")
    {
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
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.append(name, value);
        }
    }
    response
}

//! The core's request view and reply, in Rocket's types.

use std::io::Cursor;

use rocket::http::Status;
use rocket::response::{self, Responder, Response};
use rocket::Request;
use tokengate::{HeaderValue, HttpReply, RequestView};

/// The headers and URI of a Rocket request, as the core sees them.
pub(crate) struct View<'a, 'r>(pub &'a Request<'r>);

impl RequestView for View<'_, '_> {
    fn header(&self, name: &str) -> HeaderValue<'_> {
        // Rocket 0.5 drops header values that are not UTF-8 when it reads the request, so
        // such a header is absent here.
        HeaderValue::from_values(self.0.headers().get(name).map(|value| value.as_bytes()))
    }

    fn query(&self) -> Option<&str> {
        self.0.uri().query().map(|query| query.as_str())
    }

    fn method(&self) -> &str {
        self.0.method().as_str()
    }
}

/// A core [`HttpReply`] (status, content type, headers, body) as a Rocket responder: what
/// the service routes and the catchers answer, and how a route of your own sends what a
/// [`tokengate::TokenService`] method returns (`ReplyResponder(service.me(&user).await)`;
/// the [guide](crate::guide) has an example).
#[derive(Debug, Clone)]
pub struct ReplyResponder(pub HttpReply);

impl<'r> Responder<'r, 'static> for ReplyResponder {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.0))
    }
}

/// A core [`HttpReply`] as a Rocket response.
pub(crate) fn to_response(reply: HttpReply) -> Response<'static> {
    let mut response = Response::build();
    response.status(Status::new(reply.status));
    if !reply.content_type.is_empty() {
        response.raw_header("Content-Type", reply.content_type.into_owned());
    }
    for (name, value) in reply.headers {
        response.raw_header_adjoin(name, value);
    }
    if !reply.body.is_empty() {
        response.sized_body(reply.body.len(), Cursor::new(reply.body));
    }
    response.finalize()
}

//! Refusals as gRPC statuses: a gRPC client reads `grpc-status`, not the HTTP status, so a
//! service behind the tower layer (tonic) answers a gRPC call's refusal as gRPC does.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::gate::refusal::Refusal;
use crate::gate::reply::HttpReply;
use crate::gate::source::{HeaderValue, RequestView};

/// What `grpc-message` leaves unescaped: printable ASCII but `%` (gRPC over HTTP/2, "Responses").
const GRPC_MESSAGE: &AsciiSet = &CONTROLS.add(b'%');

/// Whether `request` is a gRPC call (`content-type: application/grpc`, `+proto` and others).
pub fn is_grpc(request: &impl RequestView) -> bool {
    match request.header("content-type") {
        HeaderValue::One(value) => value.starts_with(b"application/grpc"),
        HeaderValue::Absent | HeaderValue::Many => false,
    }
}

/// The gRPC status code for an HTTP status of a refusal: 16 `UNAUTHENTICATED` for 401, 7
/// `PERMISSION_DENIED` for 403, 14 `UNAVAILABLE` for 503, 3 `INVALID_ARGUMENT` for another 4xx,
/// 5 `NOT_FOUND` for 404, and 13 `INTERNAL` for the rest.
pub fn grpc_code(http_status: u16) -> u8 {
    match http_status {
        401 => 16,
        403 => 7,
        404 => 5,
        503 => 14,
        400..=499 => 3,
        _ => 13,
    }
}

impl Refusal {
    /// The refusal as a gRPC answer ("trailers-only"): HTTP 200, `content-type:
    /// application/grpc`, `grpc-status` from [`grpc_code`], `grpc-message` (the refusal's
    /// sentence, percent-encoded) and the `WWW-Authenticate` challenge, with no body.
    pub fn grpc_reply(&self) -> HttpReply {
        let mut reply = HttpReply::empty(200);
        reply.content_type = "application/grpc".into();
        reply
            .headers
            .push(("grpc-status", grpc_code(self.status()).to_string()));
        let message = utf8_percent_encode(&self.to_string(), GRPC_MESSAGE).to_string();
        reply.headers.push(("grpc-message", message));
        let challenge = self
            .reply()
            .headers
            .iter()
            .find(|(name, _)| *name == "www-authenticate");
        reply.headers.extend(challenge.cloned());
        reply
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::decision::Gate;
    use crate::token::error::AuthError;
    use crate::token::keys::{Algorithm, Key};
    use crate::token::verify::Verifier;

    #[test]
    fn refusals_become_grpc_statuses_with_their_challenge() {
        let gate = Gate::new(Verifier::new(
            Key::hmac(Algorithm::HS256, &[1; 32]).unwrap(),
        ));
        let missing = gate.refuse(AuthError::MissingToken).grpc_reply();
        assert_eq!(
            (missing.status, missing.content_type.as_ref()),
            (200, "application/grpc")
        );
        assert!(missing.body.is_empty());
        let header = |reply: &HttpReply, name: &str| {
            reply
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header(&missing, "grpc-status").as_deref(), Some("16"));
        assert_eq!(
            header(&missing, "www-authenticate").as_deref(),
            Some("Bearer realm=\"tokengate\"")
        );
        let message = header(&missing, "grpc-message").unwrap();
        assert!(
            message.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{message}"
        );
        let scope = gate
            .refuse(AuthError::MissingScope {
                scope: "a:b".into(),
            })
            .grpc_reply();
        assert_eq!(header(&scope, "grpc-status").as_deref(), Some("7"));
        assert_eq!([400, 404, 500, 503].map(grpc_code), [3, 5, 13, 14],);
    }
}

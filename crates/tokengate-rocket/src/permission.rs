//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use tokengate::DocumentSegment;

use crate::extract::Authorized;
use crate::extract::{gate_missing, gate_of, no_gate, reject, required, TokenRejection};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

/// The raw (percent-encoded) value of the matched route's dynamic segment `<name>`.
fn segment<'r>(request: &'r Request<'_>, name: &str) -> Option<&'r str> {
    let route = request.route()?;
    let index = route
        .uri
        .unmounted_origin
        .path()
        .raw_segments()
        .filter(|segment| !segment.is_empty())
        .position(|segment| {
            segment
                .as_str()
                .strip_prefix('<')
                .and_then(|s| s.strip_suffix('>'))
                == Some(name)
        })?;
    // The raw segment (Rocket's own decoding is lossy): the core decodes it.
    let base = route
        .uri
        .base()
        .split('/')
        .filter(|s| !s.is_empty())
        .count();
    let mut segments = request
        .uri()
        .path()
        .raw_segments()
        .filter(|s| !s.is_empty());
    segments.nth(base + index).map(|segment| segment.as_str())
}

#[rocket::async_trait]
impl<'r, P, C> FromRequest<'r> for Authorized<P, C>
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Error = TokenRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TokenRejection> {
        let Some(gate) = gate_of(request) else {
            return no_gate();
        };
        let claims = match required::<C>(request, gate).await {
            Ok(claims) => claims,
            Err(rejection) => return reject(request, rejection),
        };
        let segment = segment(request, P::PARAM);
        let segment = segment.map_or(DocumentSegment::Missing, DocumentSegment::Encoded);
        match gate.authorize_segment::<P, C>(claims, segment) {
            Ok(document) => Outcome::Success(Authorized::granted(claims.clone(), document)),
            Err(rejection) => reject(request, rejection),
        }
    }
}

impl<P, C> Sentinel for Authorized<P, C> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        gate_missing(rocket)
    }
}

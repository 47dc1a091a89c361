//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use tokengate::DocumentSegment;

use crate::extract::Authorized;
use crate::extract::{authenticated, require_gate, TokenRejection};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

impl<P, C> FromRequest for Authorized<P, C>
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let claims = authenticated::<C>(req);
        let req = req.clone();
        Box::pin(async move { authorize::<P, C>(&req, claims.await?) })
    }
}

/// The raw segment of the parameter `name`, found by its place in the matched pattern: actix
/// decodes `match_info` values lossily (and leaves `%2F` encoded), the core decodes once.
fn raw_segment<'r>(req: &'r HttpRequest, name: &str) -> Option<&'r str> {
    let pattern = req.match_pattern()?;
    let placeholder = format!("{{{name}}}");
    let index = pattern
        .split('/')
        .position(|segment| segment == placeholder)?;
    req.uri().path().split('/').nth(index)
}

fn authorize<P, C>(
    req: &HttpRequest,
    claims: tokengate::Claims<C>,
) -> Result<Authorized<P, C>, actix_web::Error>
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + 'static,
{
    let segment =
        raw_segment(req, P::PARAM).map_or(DocumentSegment::Missing, DocumentSegment::Encoded);
    let document = require_gate(req)?
        .authorize_segment::<P, C>(&claims, segment)
        .map_err(TokenRejection)?;
    Ok(Authorized::granted(claims, document))
}

//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
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
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize::<P, C>(req))
    }
}

fn authorize<P, C>(req: &HttpRequest) -> Result<Authorized<P, C>, actix_web::Error>
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + 'static,
{
    let claims = authenticated::<C>(req)?;
    // actix leaves `%25`, `%2F` and `%2B` encoded in path segments: the core decodes.
    let segment = req
        .match_info()
        .get(P::PARAM)
        .map_or(DocumentSegment::Missing, DocumentSegment::Encoded);
    let document = require_gate(req)?
        .authorize_segment::<P, C>(&claims, segment)
        .map_err(TokenRejection)?;
    Ok(Authorized::granted(claims, document))
}

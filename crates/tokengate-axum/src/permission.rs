//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use tokengate::{DocumentSegment, Gate};

use crate::extract::Authorized;
use crate::extract::{Authenticated, TokenRejection};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

impl<S, P, C> FromRequestParts<S> for Authorized<P, C>
where
    Gate: FromRef<S>,
    S: Send + Sync,
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, TokenRejection> {
        let Authenticated(claims) = Authenticated::<C>::from_request_parts(parts, state).await?;
        // axum has percent-decoded the parameters already; it fails on ids that are not UTF-8.
        let params = RawPathParams::from_request_parts(parts, state).await;
        let segment = match &params {
            Ok(params) => params
                .iter()
                .find(|(name, _)| *name == P::PARAM)
                .map_or(DocumentSegment::Missing, |(_, id)| {
                    DocumentSegment::Decoded(id)
                }),
            Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => DocumentSegment::Undecodable,
            Err(_) => DocumentSegment::Missing,
        };
        let document = Gate::from_ref(state)
            .authorize_segment::<P, C>(&claims, segment)
            .map_err(TokenRejection)?;
        Ok(Authorized::granted(claims, document))
    }
}

//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::ops::Deref;
use tokengate::{Claims, NoExtra};

use crate::extract::{Authenticated, TokenRejection};
use crate::state::GateState;

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

/// Extracts verified claims that grant `P`'s permission on the document in the path;
/// otherwise 401 (no valid token) or 403 `insufficient_scope`.
///
/// ```
/// use axum::{routing::get, Router};
/// use tokengate::Gate;
/// use tokengate_axum::{Authorized, DocumentRead};
///
/// async fn read(doc: Authorized<DocumentRead>) -> String {
///     format!("{} may read {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
/// }
///
/// fn app(gate: Gate) -> Router {
///     Router::new().route("/documents/{id}", get(read)).with_state(gate)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Authorized<P, C = NoExtra> {
    /// The verified claims.
    pub claims: Claims<C>,
    /// The document id taken from the path.
    pub document: String,
    permission: PhantomData<fn() -> P>,
}

impl<P, C> Deref for Authorized<P, C> {
    type Target = Claims<C>;
    fn deref(&self) -> &Claims<C> {
        &self.claims
    }
}

impl<S, P, C> FromRequestParts<S> for Authorized<P, C>
where
    S: GateState,
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let Authenticated(claims) = Authenticated::<C>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some(document) = params
            .iter()
            .find(|(name, _)| *name == P::PARAM)
            .map(|(_, value)| value.to_owned())
        else {
            // A route without the parameter is a programming error, not a client's.
            return Err((
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "tokengate: the route has no {{{}}} path parameter",
                    P::PARAM
                ),
            )
                .into_response());
        };
        let gate = state.gate();
        match gate.authorize(&claims, &document, &P::permission()) {
            Ok(()) => Ok(Authorized {
                claims,
                document,
                permission: PhantomData,
            }),
            Err(error) => Err(TokenRejection::new(gate, error).into_response()),
        }
    }
}

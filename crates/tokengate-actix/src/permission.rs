//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use std::marker::PhantomData;
use std::ops::Deref;
use tokengate::{Claims, NoExtra};

use crate::extract::{authenticated, require_gate, TokenRejection};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

/// Extracts verified claims that grant `P`'s permission on the document in the path (the
/// parameter [`P::PARAM`](RequiredPermission::PARAM), percent-decoded); otherwise 401 (no
/// valid token) or 403 `insufficient_scope`, as a [`TokenRejection`].
///
/// Finds the gate like [`Authenticated`](crate::Authenticated), and reuses the claims of the
/// [`TokenGate`](crate::TokenGate) middleware when it ran.
///
/// ```
/// use actix_web::web;
/// use tokengate_actix::{Authorized, DocumentRead, DocumentWrite};
///
/// async fn read(doc: Authorized<DocumentRead>) -> String {
///     format!("{} may read {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
/// }
///
/// async fn write(doc: Authorized<DocumentWrite>) -> String {
///     format!("{} may write {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
/// }
///
/// let documents = web::resource("/documents/{id}").get(read).put(write);
/// # let _ = documents;
/// ```
#[derive(Debug, Clone)]
pub struct Authorized<P, C = NoExtra> {
    /// The verified claims.
    pub claims: Claims<C>,
    /// The document id taken from the path, percent-decoded.
    pub document: String,
    permission: PhantomData<fn() -> P>,
}

impl<P, C> Deref for Authorized<P, C> {
    type Target = Claims<C>;
    fn deref(&self) -> &Claims<C> {
        &self.claims
    }
}

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
    let Some(raw) = req.match_info().get(P::PARAM) else {
        // A route without the parameter is a programming error, not a client's.
        return Err(actix_web::error::ErrorInternalServerError(format!(
            "tokengate: the route has no {{{}}} path parameter",
            P::PARAM
        )));
    };
    // actix leaves `%25`, `%2F` and `%2B` encoded in path segments; finish the job, as
    // `web::Path<String>` would.
    let document = percent_decode_str(raw).decode_utf8_lossy().into_owned();
    let gate = require_gate(req)?;
    match gate.authorize(&claims, &document, &P::permission()) {
        Ok(()) => Ok(Authorized {
            claims,
            document,
            permission: PhantomData,
        }),
        Err(error) => Err(TokenRejection::new(gate, error).into()),
    }
}

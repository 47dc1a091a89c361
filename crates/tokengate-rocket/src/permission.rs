//! `Authorized<P>`: a verified token that also holds a permission on the document named in
//! the path.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::ops::Deref;
use tokengate::{AuthError, Claims, NoExtra};

use crate::extract::{gate_missing, gate_of, no_gate, reject, verified, TokenRejection};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

/// A request guard for verified claims that grant `P`'s permission on the document named by
/// the route's dynamic segment `P::PARAM` (percent-decoded); otherwise the request fails with
/// 401 (no valid token) or 403 `insufficient_scope`, answered by the
/// [`catchers`](crate::catchers).
///
/// Rocket wants every dynamic segment among the handler's arguments, so the handler also
/// receives the id itself; it equals [`document`](Self::document).
///
/// ```
/// use rocket::put;
/// use tokengate_rocket::{Authorized, DocumentWrite};
///
/// #[put("/documents/<id>")]
/// fn write(id: &str, doc: Authorized<DocumentWrite>) -> String {
///     format!("{} may write {id}", doc.sub.as_deref().unwrap_or("?"))
/// }
/// ```
///
/// A route without the segment is a programming error: the guard logs it and the request
/// ends in 500.
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

/// The percent-decoded value of the matched route's dynamic segment `<name>`.
fn segment(request: &Request<'_>, name: &str) -> Option<String> {
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
    request.routed_segment(index).map(str::to_owned)
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
        let claims = match verified::<C>(request, gate) {
            Ok(Some(claims)) => claims,
            Ok(None) => return reject(request, gate, AuthError::MissingToken),
            Err(error) => return reject(request, gate, error.clone()),
        };
        let Some(document) = segment(request, P::PARAM) else {
            rocket::error!(
                "tokengate: Authorized guard on a route without a <{}> segment",
                P::PARAM
            );
            return Outcome::Forward(Status::InternalServerError);
        };
        match gate.authorize(claims, &document, &P::permission()) {
            Ok(()) => Outcome::Success(Authorized {
                claims: claims.clone(),
                document,
                permission: PhantomData,
            }),
            Err(error) => reject(request, gate, error),
        }
    }
}

impl<P, C> Sentinel for Authorized<P, C> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        gate_missing(rocket)
    }
}

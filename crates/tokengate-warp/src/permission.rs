//! `require_permission`: a verified token that also holds a permission on the document named
//! by the last path segment.

use serde::de::DeserializeOwned;
use tokengate::{DocumentSegment, Gate};
use warp::reject::Rejection;
use warp::Filter;

use crate::extract::rejection;
use crate::extract::Authorized;
use crate::view::{view, View};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

/// A filter for the document segment of a route: it takes the next path segment as the
/// document id (percent-decoded, so `x%20y` is `x y`), requires the path to end there,
/// verifies the token with `gate` and checks that it grants `permission` on that document.
/// It extracts [`Authorized<P>`]; otherwise it rejects with a
/// [`TokenRejection`](crate::TokenRejection): 401 for a missing or bad token, 403
/// `insufficient_scope` for a missing permission.
///
/// It stands where `String` stands in `warp::path!("documents" / String)`: write the route's
/// prefix with a trailing `..` and add the filter, then the method filter:
///
/// ```
/// use tokengate::{Gate, Permission, RequiredPermission};
/// use tokengate_warp::{require_permission, Authorized, DocumentRead};
/// use warp::Filter;
///
/// /// Any permission can be required through a marker type.
/// #[derive(Clone, Copy)]
/// struct DocumentDelete;
/// impl RequiredPermission for DocumentDelete {
///     fn permission() -> Permission { Permission::new("document:delete") }
/// }
///
/// fn documents(gate: Gate) -> impl Filter<Extract = (String,), Error = warp::Rejection> + Clone {
///     // GET /documents/{id}
///     let read = warp::path!("documents" / ..)
///         .and(require_permission(gate.clone(), DocumentRead))
///         .and(warp::get())
///         .map(|doc: Authorized<DocumentRead>| {
///             format!("{} may read {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
///         });
///     // DELETE /documents/{id}, with an app-defined permission.
///     let delete = warp::path!("documents" / ..)
///         .and(require_permission(gate, DocumentDelete))
///         .and(warp::delete())
///         .map(|doc: Authorized<DocumentDelete>| format!("deleted {}", doc.document));
///     read.or(delete).unify()
/// }
/// ```
///
/// Why the method comes last: warp ranks a 405 above a 404, so a method filter placed before
/// the end of the path would answer 405 for `/documents/a/b`. With the path matched first,
/// unknown paths are 404, and a method no route takes is 401 without a token (authentication
/// failures come first) and 405 with a valid one. Each route with the same path verifies the
/// token again, so put the most frequent method first.
///
/// The id must be the last segment; for a route such as `/documents/{id}/comments`, use
/// [`authenticated`](crate::authenticated) and [`Gate::authorize`] in your handler. A segment
/// that is not valid UTF-8 once decoded names no document: 404 (after the token check).
pub fn require_permission<P, C>(
    gate: Gate,
    // The marker value only names `P`, so that calls read `require_permission(gate, DocumentRead)`.
    _permission: P,
) -> impl Filter<Extract = (Authorized<P, C>,), Error = Rejection> + Clone
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + 'static,
{
    warp::path::param::<String>()
        .and(warp::path::end())
        .and(view())
        .and_then(move |segment: String, view: View| {
            let verified = gate.require_async::<C>(&view);
            let gate = gate.clone();
            async move {
                let result = verified.await.and_then(|claims| {
                    let document = gate
                        .authorize_segment::<P, C>(&claims, DocumentSegment::Encoded(&segment))?;
                    Ok(Authorized::granted(claims, document))
                });
                result.map_err(rejection)
            }
        })
}

//! `require_permission`: a verified token that also holds a permission on the document named
//! by the last path segment.

use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use std::marker::PhantomData;
use std::ops::Deref;
use tokengate::{Claims, Gate, NoExtra};
use warp::reject::Rejection;
use warp::Filter;

use crate::extract::rejection;
use crate::view::{view, View};

pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission};

/// Verified claims that grant `P`'s permission on [`document`](Self::document), as extracted
/// by [`require_permission`]. Dereferences to the claims.
#[derive(Debug, Clone)]
pub struct Authorized<P, C = NoExtra> {
    /// The verified claims.
    pub claims: Claims<C>,
    /// The document id: the path segment, percent-decoded.
    pub document: String,
    permission: PhantomData<fn() -> P>,
}

impl<P, C> Deref for Authorized<P, C> {
    type Target = Claims<C>;
    fn deref(&self) -> &Claims<C> {
        &self.claims
    }
}

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
/// that is not valid UTF-8 once decoded names no document: 404.
pub fn require_permission<P, C>(
    gate: Gate,
    // The marker value only names `P`, so that calls read `require_permission(gate, DocumentRead)`.
    _permission: P,
) -> impl Filter<Extract = (Authorized<P, C>,), Error = Rejection> + Clone
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + 'static,
{
    let permission = P::permission();
    warp::path::param::<String>()
        .and(warp::path::end())
        .and_then(|segment: String| ready(decode(segment)))
        .and(view())
        .and_then(
            move |document: String, view: View| -> Ready<Result<Authorized<P, C>, Rejection>> {
                let result = gate
                    .authenticate::<C>(&view)
                    .and_then(|claims| {
                        gate.authorize(&claims, &document, &permission)?;
                        Ok(claims)
                    })
                    .map(|claims| Authorized {
                        claims,
                        document,
                        permission: PhantomData,
                    })
                    .map_err(|error| rejection(&gate, error));
                ready(result)
            },
        )
}

/// The percent-decoded path segment; not found when it is not UTF-8.
fn decode(segment: String) -> Result<String, Rejection> {
    match percent_decode_str(&segment).decode_utf8() {
        Ok(std::borrow::Cow::Borrowed(_)) => Ok(segment),
        Ok(std::borrow::Cow::Owned(decoded)) => Ok(decoded),
        Err(_) => Err(warp::reject::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(decode("x%20y".into()).unwrap(), "x y");
        assert_eq!(decode("doc-1".into()).unwrap(), "doc-1");
        assert_eq!(decode("a+b%2Fc".into()).unwrap(), "a+b/c");
        assert!(decode("%FF".into()).is_err());
    }
}

//! Turning rejections into the service's responses, authentication failures first.

use std::future::{ready, Ready};
use std::sync::Arc;
use tokengate::gate::Problem;
use tokengate::service::{ApiError, MAX_BODY_BYTES};
use tokengate::Gate;
use warp::http::Method;
use warp::path::FullPath;
use warp::reject::{self, Rejection};
use warp::reply::Response;
use warp::Filter;

use crate::extract::TokenRejection;
use crate::view::into_response;

/// A handler for [`Filter::recover`](warp::Filter::recover) that answers the rejections
/// tokengate owns in the gate's error format, and leaves every other rejection to warp (or
/// to a later `recover`). See [`render_rejection`] for the order.
///
/// ```
/// use tokengate::Gate;
/// use tokengate_warp::{authenticated, handle_rejection, Authenticated};
/// use warp::Filter;
///
/// fn app(gate: Gate) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
///     warp::path!("me")
///         .and(authenticated(gate.clone()))
///         .map(|user: Authenticated| user.sub.clone().unwrap_or_default())
///         .recover(handle_rejection(gate))
/// }
/// ```
pub fn handle_rejection(
    gate: Gate,
) -> impl Fn(Rejection) -> Ready<Result<Response, Rejection>> + Clone + Send + Sync + 'static {
    move |rejection| {
        ready(match render_rejection(&gate, &rejection) {
            Some(response) => Ok(response),
            None => Err(rejection),
        })
    }
}

/// The response for a rejection tokengate owns, or `None` to leave it to warp; for your own
/// `recover` handler. Warp merges the rejections of every route a request did not match; this
/// answers, in order, a [`TokenRejection`] (whatever else was merged), warp's
/// `PayloadTooLarge` (the service's 413), no route for the path (404) and, when nothing else
/// was merged, a wrong method (405). Render your own rejections before calling it; the
/// [guide](crate::guide) says why.
pub fn render_rejection(gate: &Gate, rejection: &Rejection) -> Option<Response> {
    if let Some(token) = rejection.find::<TokenRejection>() {
        return Some(into_response(token.0.reply().clone()));
    }
    if rejection.find::<reject::PayloadTooLarge>().is_some() {
        let too_large = ApiError::PayloadTooLarge {
            max: MAX_BODY_BYTES,
        };
        return Some(into_response(
            gate.render(&too_large.to_problem(gate.realm())),
        ));
    }
    if rejection.is_not_found() {
        return Some(into_response(gate.render(&Problem::not_found())));
    }
    if rejection.find::<reject::MethodNotAllowed>().is_some() && !has_other_known(rejection) {
        return Some(into_response(gate.render(&Problem::method_not_allowed())));
    }
    None
}

/// Whether warp merged a rejection that it would rank above a 405.
fn has_other_known(rejection: &Rejection) -> bool {
    rejection.find::<reject::InvalidHeader>().is_some()
        || rejection.find::<reject::MissingHeader>().is_some()
        || rejection.find::<reject::MissingCookie>().is_some()
        || rejection.find::<reject::InvalidQuery>().is_some()
        || rejection.find::<reject::LengthRequired>().is_some()
        || rejection.find::<reject::UnsupportedMediaType>().is_some()
        || rejection
            .find::<warp::body::BodyDeserializeError>()
            .is_some()
        || rejection.find::<warp::cors::CorsForbidden>().is_some()
}

/// A filter answering 405 `method_not_allowed`, with `Allow`, for a request whose path one of
/// `routes` (templates such as `/documents/{id}`, with their methods) takes but whose method
/// none does; it rejects every other request as not found. Or it after your routes, before
/// [`handle_rejection`]: warp itself cannot tell which methods a path takes.
/// [`routes`](crate::routes) ends with it for the service routes.
///
/// ```
/// use tokengate::Gate;
/// use warp::Filter;
///
/// fn app(gate: Gate) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
///     warp::path!("notes")
///         .and(warp::get())
///         .map(|| warp::reply::Reply::into_response("notes"))
///         .or(tokengate_warp::method_not_allowed(gate, [("/notes", "GET")]))
///         .unify()
/// }
/// ```
pub fn method_not_allowed(
    gate: Gate,
    routes: impl IntoIterator<Item = (&'static str, &'static str)>,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let routes: Arc<[(&str, &str)]> = routes.into_iter().collect();
    warp::path::full().and(warp::method()).and_then(
        move |path: FullPath, method: Method| -> Ready<Result<Response, Rejection>> {
            let routes = routes.iter().copied();
            ready(
                match Problem::wrong_method(method.as_str(), path.as_str(), routes) {
                    Some(problem) => Ok(into_response(gate.render(&problem))),
                    None => Err(reject::not_found()),
                },
            )
        },
    )
}

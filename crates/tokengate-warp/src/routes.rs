//! The service routes as warp filters: one plain handler for each kind of route
//! ([`Serve`]), a filter per route of the core's table ([`SERVICE_ROUTES`]), and [`routes`]
//! holding them all.

use tokengate::gate::gateway::AUTHZ_PATH;
use tokengate::gate::PathSegment;
use tokengate::service::{
    BodyRoute, ClaimsRoute, ItemRoute, Method, OpenRoute, ReadBody, Serve, ServiceRoute, ViewRoute,
    MAX_BODY_BYTES, SERVICE_ROUTES,
};
use tokengate::{NoExtra, TokenService};
use warp::filters::path::Tail;
use warp::filters::BoxedFilter;
use warp::http::header::CONTENT_LENGTH;
use warp::reject::Rejection;
use warp::reply::Response;
use warp::{Buf, Filter, Stream};

use crate::extract::{authenticated, Authenticated};
use crate::view::{audited_view, into_response, view, View};

/// Every service route ([`SERVICE_ROUTES`]: the account, session and token routes,
/// `/healthz`, the JWKS, the OpenID Connect discovery document and `/openapi.json`), as one
/// filter to [`or`](Filter::or) into your app, ending with their 405
/// ([`method_not_allowed`](crate::method_not_allowed)). Recover with
/// [`handle_rejection`](crate::handle_rejection) so that bearer failures, 404 and 405 are
/// answered in the service's JSON, as the [crate documentation](crate)'s program does.
pub fn routes(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    // The gateway route takes every method, so it never needs a 405.
    let table = SERVICE_ROUTES
        .iter()
        .filter(|route| route.method != Method::Any)
        .map(|route| (route.path, route.method.as_str()));
    let not_allowed = crate::method_not_allowed(service.gate().clone(), table);
    SERVICE_ROUTES
        .iter()
        .rev()
        .fold(not_allowed.boxed(), |routes, route| {
            service_route(service.clone(), route)
                .or(routes)
                .unify()
                .boxed()
        })
}

/// One route of the table as a filter, to mount alone:
/// `service_route(service, &ServiceRoute::CS_TOKEN)`.
pub fn service_route(service: TokenService, route: &ServiceRoute) -> BoxedFilter<(Response,)> {
    let path = path_and_method(route.path, route.method);
    match route.serve {
        Serve::Open(open) => path.then(move || open_route(service.clone(), open)).boxed(),
        Serve::View(route) => path
            .and(audited_view())
            .then(move |view| view_route(service.clone(), view, route))
            .boxed(),
        Serve::Body(route) => path
            .and(audited_view())
            .and(warp::body::stream())
            .then(move |view, body| body_route(service.clone(), view, body, route))
            .boxed(),
        Serve::Claims(route) => path
            .and(authenticated::<NoExtra>(service.gate().clone()))
            .then(move |user| claims_route(service.clone(), user, route))
            .boxed(),
        Serve::Item(item) => item_path(route.path)
            .and(warp::path::end())
            .and(method_filter(route.method))
            .and(audited_view())
            .then(move |id: String, view| item_route(service.clone(), id, view, item))
            .boxed(),
        Serve::Gateway => literal_path(route.path)
            .and(warp::path::tail())
            .and(view())
            .then(move |tail, view| gateway_route(service.clone(), tail, view))
            .boxed(),
    }
}

/// The gateway route (`/authz`, any method, and every path under it): the answer to a proxy
/// asking whether the request its headers describe may pass.
async fn gateway_route(service: TokenService, tail: Tail, view: View) -> Response {
    let own_path = format!("{AUTHZ_PATH}/{}", tail.as_str());
    into_response(service.gateway_route(&view, &own_path).await)
}

/// A route about the item its path names (`DELETE /sessions/{id}`): warp hands over the
/// segment still encoded, and the core decodes it once and judges the request's token.
async fn item_route(service: TokenService, id: String, view: View, route: ItemRoute) -> Response {
    let id = PathSegment::Encoded(&id);
    into_response(service.item_route(route, &view, id).await)
}

/// A route that needs nothing of the request (`/healthz`, the JWKS, …).
async fn open_route(service: TokenService, route: OpenRoute) -> Response {
    into_response(service.open_route(route).await)
}

/// A route that reads the request's headers (`POST /session/refresh`).
async fn view_route(service: TokenService, view: View, route: ViewRoute) -> Response {
    into_response(service.view_route(route, &view).await)
}

/// A route that reads the body (`/signup`, `/login`, …), at most [`MAX_BODY_BYTES`] of it.
async fn body_route<S, B>(service: TokenService, view: View, body: S, route: BodyRoute) -> Response
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let read = read_body(&view, body).await;
    let body = read
        .as_deref()
        .map_or_else(|error| *error, ReadBody::Complete);
    into_response(service.body_route(route, &view, body).await)
}

/// A bearer route (`/users/me`, `/cs-token`, …), with the claims of the request's token.
async fn claims_route(
    service: TokenService,
    Authenticated(claims): Authenticated,
    route: ClaimsRoute,
) -> Response {
    into_response(service.claims_route(route, &claims).await)
}

/// The filter of a route: its literal path, to the end, then its method.
fn path_and_method(path: &'static str, method: Method) -> BoxedFilter<()> {
    literal_path(path)
        .and(warp::path::end())
        .and(method_filter(method))
        .boxed()
}

/// An item route's path: its literal segments up to `{id}`, then that segment, as sent.
fn item_path(path: &'static str) -> BoxedFilter<(String,)> {
    let collection = path
        .strip_suffix("/{id}")
        .expect("an item route's path ends in /{id}");
    literal_path(collection)
        .and(warp::path::param::<String>())
        .boxed()
}

/// The segments of a literal path, from where the filter is mounted.
fn literal_path(path: &'static str) -> BoxedFilter<()> {
    let segments = path.split('/').filter(|segment| !segment.is_empty());
    segments.fold(warp::any().boxed(), |filter, segment| {
        filter.and(warp::path(segment)).boxed()
    })
}

/// warp's filter for the table's method, each its own: a method the table gains is a compile
/// error here until it is mapped, never a route mounted for another method.
fn method_filter(method: Method) -> BoxedFilter<()> {
    match method {
        Method::Get => warp::get().boxed(),
        Method::Post => warp::post().boxed(),
        Method::Put => warp::put().boxed(),
        Method::Patch => warp::patch().boxed(),
        Method::Delete => warp::delete().boxed(),
        Method::Any => warp::any().boxed(),
    }
}

/// Reads the body up to [`MAX_BODY_BYTES`], with or without `Content-Length` (a chunked
/// body is counted as it arrives).
async fn read_body<S, B>(view: &View, body: S) -> Result<Vec<u8>, ReadBody<'static>>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let declared = view
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ReadBody::TooLarge);
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let mut chunk = chunk.map_err(|_| ReadBody::Unreadable)?;
        if bytes.len() + chunk.remaining() > MAX_BODY_BYTES {
            return Err(ReadBody::TooLarge);
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            bytes.extend_from_slice(part);
            let read = part.len();
            chunk.advance(read);
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    /// A route takes its own method and no other: one for PUT or PATCH is not a POST route.
    #[tokio::test]
    async fn each_method_mounts_its_own_filter() {
        let methods = [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ];
        for mounted in methods {
            let filter = path_and_method("/thing", mounted);
            for asked in METHODS {
                let request = warp::test::request().method(asked).path("/thing");
                let matched = request.matches(&filter).await;
                assert_eq!(
                    matched,
                    asked == mounted.as_str(),
                    "a {} route asked with {asked}",
                    mounted.as_str()
                );
            }
        }
    }
}

//! The token endpoint and account routes as warp filters, built from the core's route
//! table, and one filter holding them all.

use tokengate::{
    BodyRoute, ClaimsRoute, NoExtra, OpenRoute, ReadBody, TokenService, MAX_BODY_BYTES,
};
use warp::filters::BoxedFilter;
use warp::http::header::CONTENT_LENGTH;
use warp::reject::Rejection;
use warp::reply::Response;
use warp::{Buf, Filter, Stream};

use crate::extract::{authenticated, Authenticated};
use crate::view::{into_response, view, View};

/// The warp filter of a method of the route table, each its own: a method without one is a
/// compile error, not a route quietly mounted for another method.
macro_rules! method {
    (GET) => {
        warp::get().boxed()
    };
    (POST) => {
        warp::post().boxed()
    };
    (PUT) => {
        warp::put().boxed()
    };
    (PATCH) => {
        warp::patch().boxed()
    };
    (DELETE) => {
        warp::delete().boxed()
    };
    (HEAD) => {
        warp::head().boxed()
    };
    (OPTIONS) => {
        warp::options().boxed()
    };
    ($other:ident) => {
        compile_error!(concat!(
            "tokengate-warp has no filter for the method ",
            stringify!($other)
        ))
    };
}

macro_rules! handlers {
    ($($(#[$doc:meta])* $name:ident $method:ident $path:literal $kind:ident($arg:ident);)*) => {
        /// Every service route ([`tokengate::SERVICE_ROUTES`]: the account, session and token
        /// routes, `/healthz`, the JWKS, the OpenID Connect discovery document and
        /// `/openapi.json`), as one filter to [`or`](Filter::or) into your app, ending with
        /// their 405 ([`method_not_allowed`](crate::method_not_allowed)). Recover with
        /// [`handle_rejection`](crate::handle_rejection) so that bearer failures, 404 and 405
        /// are answered in the service's JSON, as the [crate documentation](crate)'s program does.
        pub fn routes(service: TokenService) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
            let not_allowed = crate::method_not_allowed(service.gate().clone(), tokengate::SERVICE_ROUTES);
            [$($name(service.clone()).boxed()),*]
                .into_iter()
                .fold(not_allowed.boxed(), |routes, route| route.or(routes).unify().boxed())
        }

        $(handlers!(@ $(#[$doc])* $name route($path, method!($method)), $kind($arg));)*
    };
    (@ $(#[$doc:meta])* $name:ident $route:expr, open($open:ident)) => {
        $(#[$doc])*
        pub fn $name(service: TokenService) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
            $route.then(move || {
                let service = service.clone();
                async move { into_response(service.open_route(OpenRoute::$open).await) }
            })
        }
    };
    (@ $(#[$doc:meta])* $name:ident $route:expr, view($method:ident)) => {
        $(#[$doc])*
        pub fn $name(service: TokenService) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
            $route.and(view()).then(move |view: View| {
                let service = service.clone();
                async move { into_response(service.$method(&view).await) }
            })
        }
    };
    (@ $(#[$doc:meta])* $name:ident $route:expr, body($body:ident)) => {
        $(#[$doc])*
        pub fn $name(service: TokenService) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
            $route.and(view()).and(warp::body::stream()).then(move |view: View, body| {
                let service = service.clone();
                async move {
                    let read = read_body(&view, body).await;
                    let body = read.as_deref().map_or_else(|error| *error, ReadBody::Complete);
                    into_response(service.body_route(BodyRoute::$body, &view, body).await)
                }
            })
        }
    };
    (@ $(#[$doc:meta])* $name:ident $route:expr, claims($claims:ident)) => {
        $(#[$doc])*
        pub fn $name(service: TokenService) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
            let gate = service.gate().clone();
            $route.and(authenticated::<NoExtra>(gate)).then(move |Authenticated(claims)| {
                let service = service.clone();
                async move { into_response(service.claims_route(ClaimsRoute::$claims, &claims).await) }
            })
        }
    };
}

tokengate::adapter_service_routes!(handlers);

/// The filter of a route: its literal path, to the end, then its method (a `method!`).
fn route(path: &'static str, method: BoxedFilter<()>) -> BoxedFilter<()> {
    let segments = path.split('/').filter(|segment| !segment.is_empty());
    let path = segments.fold(warp::any().boxed(), |filter, segment| {
        filter.and(warp::path(segment)).boxed()
    });
    path.and(warp::path::end()).and(method).boxed()
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
        let routes = [
            ("GET", route("/thing", method!(GET))),
            ("POST", route("/thing", method!(POST))),
            ("PUT", route("/thing", method!(PUT))),
            ("PATCH", route("/thing", method!(PATCH))),
            ("DELETE", route("/thing", method!(DELETE))),
            ("HEAD", route("/thing", method!(HEAD))),
            ("OPTIONS", route("/thing", method!(OPTIONS))),
        ];
        for (mounted, filter) in routes {
            for asked in METHODS {
                let request = warp::test::request().method(asked).path("/thing");
                let matched = request.matches(&filter).await;
                assert_eq!(
                    matched,
                    asked == mounted,
                    "a {mounted} route asked with {asked}"
                );
            }
        }
    }
}

//! CORS for browser clients: the core's [`CorsPolicy`] as a warp wrapper, answering as the
//! other adapters do (`warp::cors()` refuses other origins with 403; see the guide).

use std::convert::Infallible;
use tokengate::gate::CorsPolicy;
use warp::filters::BoxedFilter;
use warp::http::header::VARY;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::view::header_name;

/// `app` with CORS for exactly `origins` (e.g. `config.cors_origins`), as the core's
/// [`CorsPolicy`] answers: preflights 204, other responses decorated for an allowed origin.
/// Apply it outermost, after [`handle_rejection`](crate::handle_rejection), so that error
/// responses carry the headers too. (A function: warp does not export its wrapper types.)
///
/// ```
/// use warp::Filter;
///
/// let origins = vec!["https://editor.example".to_owned()];
/// let app = warp::path!("hello").map(|| "hello");
/// let app = tokengate_warp::cors(&origins, app);
/// ```
pub fn cors<F, R>(origins: &[String], app: F) -> BoxedFilter<(Response,)>
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    let policy = CorsPolicy::new(origins);
    let for_preflight = policy.clone();
    let preflight = warp::options()
        .and(warp::header::header::<String>(
            "access-control-request-method",
        ))
        .and(origin())
        .map(move |_: String, origin: Option<String>| {
            let headers = for_preflight.headers(origin.as_deref(), true);
            decorate(StatusCode::NO_CONTENT.into_response(), headers)
        });
    let actual = origin()
        .and(app)
        .map(move |origin: Option<String>, reply: R| {
            decorate(
                reply.into_response(),
                policy.headers(origin.as_deref(), false),
            )
        });
    preflight.or(actual).unify().boxed()
}

/// The `Origin` header, or `None` when absent or not readable (never rejects).
fn origin() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Clone {
    warp::header::optional::<String>("origin")
        .or(warp::any().map(|| None))
        .unify()
}

/// `response` with the CORS `headers`: `Vary` added to what is there, the others replacing.
fn decorate(mut response: Response, headers: Vec<(&'static str, String)>) -> Response {
    for (name, value) in headers {
        let (Some(name), Ok(value)) = (header_name(name), HeaderValue::from_str(&value)) else {
            continue;
        };
        if name == VARY {
            response.headers_mut().append(name, value);
        } else {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::tests::sorted;
    use tokengate::testing::{awkward_headers, AWKWARD_HEADERS_DECORATED};

    #[test]
    fn decorating_takes_names_of_any_case_and_skips_invalid_ones() {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert("vary", HeaderValue::from_static("accept"));
        headers.insert("x-custom", HeaderValue::from_static("old"));
        let response = decorate(response, awkward_headers());
        assert_eq!(sorted(response.headers()), AWKWARD_HEADERS_DECORATED);
    }
}

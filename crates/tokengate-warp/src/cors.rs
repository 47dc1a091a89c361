//! CORS for browser clients (CKEditor's `tokenUrl`): the core's [`CorsPolicy`], as a warp
//! wrapper.
//!
//! `warp::cors()` refuses every request whose `Origin` is not allowed with 403, including a
//! browser's same-origin `POST` when no origin is configured; the other adapters serve such
//! requests without CORS headers. This wrapper applies the core's policy so that warp answers
//! the same.

use std::convert::Infallible;
use tokengate::CorsPolicy;
use warp::filters::BoxedFilter;
use warp::http::{HeaderName, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

/// `app` with CORS for exactly `origins` (e.g. `config.cors_origins`) to call the service with a
/// bearer token: preflights are answered with 204 and the policy's headers, and every other
/// response gets `Access-Control-Allow-Origin` for an allowed origin. Requests from other
/// origins are served without CORS headers. Apply it outermost, to the app after
/// [`handle_rejection`](crate::handle_rejection), so that error responses carry the headers too.
/// (A function rather than a `.with()` wrapper: warp does not export the wrapper types.)
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
    {
        let for_preflight = policy.clone();
        let preflight = warp::options()
            .and(warp::header::header::<String>(
                "access-control-request-method",
            ))
            .and(origin())
            .map(move |_: String, origin: Option<String>| {
                let mut response = StatusCode::NO_CONTENT.into_response();
                decorate(
                    &mut response,
                    for_preflight.headers(origin.as_deref(), true),
                );
                response
            });
        let for_actual = policy.clone();
        let actual = origin()
            .and(app)
            .map(move |origin: Option<String>, reply: R| {
                let mut response = reply.into_response();
                decorate(&mut response, for_actual.headers(origin.as_deref(), false));
                response
            });
        preflight.or(actual).unify().boxed()
    }
}

/// The `Origin` header, or `None` when absent or not readable (never rejects).
fn origin() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Clone {
    warp::header::optional::<String>("origin")
        .or(warp::any().map(|| None))
        .unify()
}

fn decorate(response: &mut Response, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            let name = HeaderName::from_static(name);
            if name == "vary" {
                response.headers_mut().append(name, value);
            } else {
                response.headers_mut().insert(name, value);
            }
        }
    }
}

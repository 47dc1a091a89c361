//! CORS for browser clients: the core's [`CorsPolicy`] as a warp wrapper, answering as the
//! other adapters do (`warp::cors()` refuses other origins with 403; see the guide).

use std::convert::Infallible;
use tokengate::CorsPolicy;
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

    /// `Vary` is added to, whatever the case of its name; other headers replace; a name or a
    /// value that is not one is left out, without a panic.
    #[test]
    fn decorating_takes_names_of_any_case_and_skips_invalid_ones() {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response
            .headers_mut()
            .insert("vary", HeaderValue::from_static("accept"));
        response
            .headers_mut()
            .insert("x-custom", HeaderValue::from_static("old"));
        let response = decorate(
            response,
            vec![
                ("Vary", "origin".to_owned()),
                ("X-Custom", "new".to_owned()),
                (
                    "access-control-allow-origin",
                    "https://a.example".to_owned(),
                ),
                ("bad name", "1".to_owned()),
                ("x-bad-value", "line\nbreak".to_owned()),
            ],
        );
        let headers = response.headers();
        let vary: Vec<_> = headers.get_all("vary").iter().collect();
        assert_eq!(vary, ["accept", "origin"]);
        assert_eq!(headers["x-custom"], "new");
        assert_eq!(headers["access-control-allow-origin"], "https://a.example");
        assert_eq!(headers.len(), 4);
    }
}

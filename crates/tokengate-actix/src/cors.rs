//! CORS for browser clients: the core's [`CorsPolicy`] as an actix middleware, so that actix
//! answers exactly as the other adapters do (the [guide](crate::guide) says why not
//! actix-cors).

use std::future::{ready, Ready};

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderMap, HeaderValue, VARY};
use futures_util::future::LocalBoxFuture;
use tokengate::gate::{CorsAnswer, CorsPolicy};

use crate::view::{header_name, to_response, View};

/// A CORS middleware allowing exactly `origins` (e.g. `config.cors_origins`) to call the
/// service from a browser, with credentials, as [`CorsPolicy`] answers: preflights 204 at
/// once, other responses decorated for an allowed origin. An empty list allows none. Wrap the
/// `App` with it, so that it sits outside [`TokenGate`](crate::TokenGate) and every route.
///
/// ```
/// use actix_web::{web, App};
///
/// let origins = vec!["https://editor.example".to_owned()];
/// let app = App::new()
///     .wrap(tokengate_actix::cors(&origins))
///     .route("/", web::get().to(|| async { "hello" }));
/// # drop(app);
/// ```
pub fn cors(origins: &[String]) -> Cors {
    Cors {
        policy: CorsPolicy::new(origins),
    }
}

/// The middleware factory made by [`cors`].
#[derive(Debug, Clone)]
pub struct Cors {
    policy: CorsPolicy,
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            policy: self.policy.clone(),
        }))
    }
}

/// The service made by [`Cors`].
#[derive(Debug)]
pub struct CorsMiddleware<S> {
    service: S,
    policy: CorsPolicy,
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.policy.answer(&View(req.request())) {
            CorsAnswer::Preflight(reply) => {
                let response = req.into_response(to_response(reply));
                Box::pin(ready(Ok(response.map_into_right_body())))
            }
            CorsAnswer::Decorate(headers) => {
                let call = self.service.call(req);
                Box::pin(async move {
                    let mut response = call.await?;
                    decorate(response.headers_mut(), headers);
                    Ok(response.map_into_left_body())
                })
            }
        }
    }
}

fn decorate(map: &mut HeaderMap, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        let (Some(name), Ok(value)) = (header_name(name), HeaderValue::from_str(&value)) else {
            continue;
        };
        if name == VARY {
            map.append(name, value);
        } else {
            map.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::tests::sorted;
    use actix_web::http::header::HeaderName;
    use tokengate::testing::{awkward_headers, AWKWARD_HEADERS_DECORATED};

    #[test]
    fn decorating_takes_names_of_any_case_and_skips_invalid_ones() {
        let mut map = HeaderMap::new();
        map.insert(VARY, HeaderValue::from_static("accept"));
        let custom = HeaderName::from_static("x-custom");
        map.insert(custom, HeaderValue::from_static("old"));
        decorate(&mut map, awkward_headers());
        assert_eq!(sorted(&map), AWKWARD_HEADERS_DECORATED);
    }
}

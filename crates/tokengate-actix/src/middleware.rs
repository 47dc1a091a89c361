//! `TokenGate`: protect a whole scope or app, verifying once per request.

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::HttpMessage;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use std::marker::PhantomData;
use std::rc::Rc;
use tokengate::{Claims, Gate, NoExtra};

use crate::extract::{Authenticated, TokenRejection};
use crate::view::View;

/// Middleware that lets through only requests with a valid token and puts their claims in
/// the request extensions, where [`Authenticated<C>`] finds them without verifying again;
/// other requests get the HTTP API's 401 before any handler runs. Wrap a `web::scope` (or the
/// `App`), inside CORS.
///
/// With app-defined claims, name their type so the middleware stores what the handlers ask
/// for: `TokenGate::<MyClaims>::with_claims(gate)`. The [guide](crate::guide) has an example.
#[derive(Debug, Clone)]
pub struct TokenGate<C = NoExtra> {
    gate: Gate,
    claims: PhantomData<fn() -> C>,
}

impl TokenGate {
    /// A middleware verifying with `gate`, storing claims without app-defined extras.
    pub fn new(gate: Gate) -> Self {
        TokenGate::with_claims(gate)
    }
}

impl<C> TokenGate<C> {
    /// A middleware verifying with `gate` and storing `Authenticated<C>`.
    pub fn with_claims(gate: Gate) -> Self {
        TokenGate {
            gate,
            claims: PhantomData,
        }
    }
}

impl<S, B, C> Transform<S, ServiceRequest> for TokenGate<C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    C: DeserializeOwned + Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = TokenGateMiddleware<S, C>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(TokenGateMiddleware {
            service: Rc::new(service),
            gate: self.gate.clone(),
            claims: PhantomData,
        }))
    }
}

/// The service made by [`TokenGate`].
#[derive(Debug)]
pub struct TokenGateMiddleware<S, C = NoExtra> {
    service: Rc<S>,
    gate: Gate,
    claims: PhantomData<fn() -> C>,
}

impl<S, B, C> Service<ServiceRequest> for TokenGateMiddleware<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    C: DeserializeOwned + Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // The verification may wait for a trusted issuer's keys (an unknown `kid`).
        let verified = self.gate.decide::<Claims<C>>(&View(req.request()));
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            match verified.await {
                Ok(claims) => {
                    req.extensions_mut().insert(Authenticated::from(claims));
                    let response = service.call(req).await?;
                    Ok(response.map_into_left_body())
                }
                Err(rejection) => {
                    let rejected = req.error_response(TokenRejection(rejection));
                    Ok(rejected.map_into_right_body())
                }
            }
        })
    }
}

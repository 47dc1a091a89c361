//! The service routes as Rocket routes: one [`Handler`] serving every kind of route
//! ([`Serve`]), and [`routes`] mounting every route of the core's table
//! ([`SERVICE_ROUTES`]) with it.

use rocket::data::{Data, ToByteUnit};
use rocket::http::{Method as RocketMethod, Status};
use rocket::outcome::Outcome as GuardOutcome;
use rocket::route::{Handler, Outcome};
use rocket::{Request, Route};
use tokengate::gate::{HttpReply, PathSegment};
use tokengate::service::{
    BodyRoute, Method, ReadBody, Serve, ServiceRoute, MAX_BODY_BYTES, SERVICE_ROUTES,
};
use tokengate::TokenService;

use crate::extract::{Authenticated, ReplyResponder, View};

/// Every service route ([`SERVICE_ROUTES`]: the account, session and token routes,
/// `/healthz`, the JWKS, the OpenID Connect discovery document and `/openapi.json`), to mount
/// at any base. They need the [`TokenService`] in managed state, which the
/// [`TokenGateFairing`](crate::TokenGateFairing) provides (it also mounts them); to mount
/// only some, take them one by one with [`service_route`].
pub fn routes() -> Vec<Route> {
    SERVICE_ROUTES.iter().flat_map(service_route).collect()
}

/// One route of the table, to mount alone: `service_route(&ServiceRoute::CS_TOKEN)`. A
/// Rocket route has one method, so this is a list: one route, or one per method for the
/// gateway route (`/authz`, any method, and every path under it).
pub fn service_route(route: &ServiceRoute) -> Vec<Route> {
    let path = match route.serve {
        // A trailing `<..>` also matches no segment: `/authz` as well as `/authz/a/b`.
        Serve::Gateway => format!("{}/<_..>", route.path),
        Serve::Item(_) => route.path.replace("{id}", "<id>"),
        _ => route.path.to_owned(),
    };
    rocket_methods(route.method)
        .iter()
        .map(|method| {
            let mut mounted = Route::new(*method, &path, ServiceHandler(route.serve));
            mounted.name = Some(format!("tokengate {}", route.path).into());
            mounted
        })
        .collect()
}

/// Serves a route of the table: hands the core what the route needs of the request (nothing,
/// its headers, its body, or the claims the [`Authenticated`] guard verified) and sends the
/// core's answer.
#[derive(Debug, Clone, Copy)]
struct ServiceHandler(Serve);

#[rocket::async_trait]
impl Handler for ServiceHandler {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        let Some(service) = request.rocket().state::<TokenService>() else {
            rocket::error!("tokengate: no TokenService in managed state; attach TokenGateFairing");
            return Outcome::Error(Status::InternalServerError);
        };
        let reply = match self.0 {
            Serve::Open(route) => service.open_route(route).await,
            Serve::View(route) => service.view_route(route, &View(request)).await,
            Serve::Body(route) => body_route(service, request, data, route).await,
            Serve::Claims(route) => match request.guard::<Authenticated>().await {
                GuardOutcome::Success(user) => service.claims_route(route, &user).await,
                GuardOutcome::Error((_, rejection)) => return Outcome::from(request, rejection),
                GuardOutcome::Forward(status) => return Outcome::Error(status),
            },
            Serve::Item(route) => {
                // The raw segment, decoded once by the core (Rocket's decoding is lossy).
                let path = request.uri().path().as_str();
                let id = request.route().map_or(PathSegment::Missing, |mounted| {
                    PathSegment::in_path(mounted.uri.path(), path, "id")
                });
                service.item_route(route, &View(request), id).await
            }
            Serve::Gateway => {
                let own_path = own_gateway_path(request);
                service.gateway_route(&View(request), own_path).await
            }
        };
        Outcome::from(request, ReplyResponder(reply))
    }
}

/// Reads the body (at most [`MAX_BODY_BYTES`]) and runs a body route.
async fn body_route(
    service: &TokenService,
    request: &Request<'_>,
    data: Data<'_>,
    route: BodyRoute,
) -> HttpReply {
    let read = data.open(MAX_BODY_BYTES.bytes()).into_bytes().await;
    let body = match &read {
        Ok(bytes) if bytes.is_complete() => ReadBody::Complete(bytes),
        Ok(_) => ReadBody::TooLarge,
        Err(_) => ReadBody::Unreadable,
    };
    service.body_route(route, &View(request), body).await
}

/// The raw path of the request below the base the route was mounted at (`/authz/…`).
fn own_gateway_path<'r>(request: &'r Request<'_>) -> &'r str {
    let path = request.uri().path().as_str();
    let base = request.route().map_or("/", |route| route.uri.base());
    path.strip_prefix(base.trim_end_matches('/'))
        .unwrap_or(path)
}

/// Rocket's methods for the table's (every one for [`Method::Any`]): a method the table gains
/// is a compile error here until it is mapped, never a route mounted for another method.
fn rocket_methods(method: Method) -> &'static [RocketMethod] {
    match method {
        Method::Get => &[RocketMethod::Get],
        Method::Post => &[RocketMethod::Post],
        Method::Put => &[RocketMethod::Put],
        Method::Patch => &[RocketMethod::Patch],
        Method::Delete => &[RocketMethod::Delete],
        Method::Any => &[
            RocketMethod::Get,
            RocketMethod::Head,
            RocketMethod::Post,
            RocketMethod::Put,
            RocketMethod::Patch,
            RocketMethod::Delete,
            RocketMethod::Options,
            RocketMethod::Trace,
            RocketMethod::Connect,
        ],
    }
}

//! The token endpoint and account routes as Rocket handlers, built from the core's route
//! table.

use rocket::data::{Data, ToByteUnit};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Route, State};
use tokengate::{BodyRoute, ClaimsRoute, OpenRoute, ReadBody, TokenService, MAX_BODY_BYTES};

use crate::extract::{Authenticated, ReplyResponder, View};

/// The request itself, for the routes that hand the core a view of it (Rocket has no
/// such guard built in).
#[derive(Debug, Clone, Copy)]
pub struct WholeRequest<'r>(pub &'r Request<'r>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for WholeRequest<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(WholeRequest(request))
    }
}

macro_rules! handlers {
    ($($(#[$doc:meta])* $name:ident $method:ident $path:tt $kind:ident($arg:ident);)*) => {
        /// Every service route ([`tokengate::SERVICE_ROUTES`]: the account, session and token
        /// routes, `/healthz`, the JWKS, the OpenID Connect discovery document and
        /// `/openapi.json`), to mount at any base. They need the [`TokenService`] in managed
        /// state, which the [`TokenGateFairing`](crate::TokenGateFairing) provides (it also
        /// mounts them); to mount only some, name them:
        /// `routes![tokengate_rocket::login, tokengate_rocket::cs_token]`.
        pub fn routes() -> Vec<Route> {
            rocket::routes![$($name),*]
        }

        $(handlers!(@ $(#[$doc])* $name $method $path, $kind($arg));)*
    };
    (@ $(#[$doc:meta])* $name:ident $method:ident $path:tt, open($route:ident)) => {
        $(#[$doc])*
        #[rocket::route($method, uri = $path)]
        pub async fn $name(service: &State<TokenService>) -> ReplyResponder {
            ReplyResponder(service.open_route(OpenRoute::$route).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident $method:ident $path:tt, view($call:ident)) => {
        $(#[$doc])*
        #[rocket::route($method, uri = $path)]
        pub async fn $name(service: &State<TokenService>, req: WholeRequest<'_>) -> ReplyResponder {
            ReplyResponder(service.$call(&View(req.0)).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident $method:ident $path:tt, body($route:ident)) => {
        $(#[$doc])*
        #[rocket::route($method, uri = $path, data = "<data>")]
        pub async fn $name(service: &State<TokenService>, req: WholeRequest<'_>, data: Data<'_>) -> ReplyResponder {
            let read = data.open(MAX_BODY_BYTES.bytes()).into_bytes().await;
            let body = match &read {
                Ok(bytes) if bytes.is_complete() => ReadBody::Complete(bytes),
                Ok(_) => ReadBody::TooLarge,
                Err(_) => ReadBody::Unreadable,
            };
            ReplyResponder(service.body_route(BodyRoute::$route, &View(req.0), body).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident $method:ident $path:tt, claims($route:ident)) => {
        $(#[$doc])*
        #[rocket::route($method, uri = $path)]
        pub async fn $name(service: &State<TokenService>, user: Authenticated) -> ReplyResponder {
            ReplyResponder(service.claims_route(ClaimsRoute::$route, &user).await)
        }
    };
}

tokengate::adapter_service_routes!(handlers);

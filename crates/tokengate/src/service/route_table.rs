//! The service routes as data: [`SERVICE_ROUTES`] says, for each route, its method, its path
//! and what of the request its handler hands the core ([`Serve`]). Every adapter mounts its
//! `routes()` from this one table with four plain handlers, one per kind of [`Serve`], and
//! answers 405 with the `Allow` it gives; the OpenAPI document describes the same routes.

use crate::gate::gateway::{AUTHZ_METHODS, AUTHZ_PATH};
use crate::gate::permission::PathSegment;
use crate::gate::reply::HttpReply;
use crate::gate::source::RequestView;
use crate::gate::verdict::Verdict;
use crate::service::api_error::ApiError;
use crate::service::audit::with_client_ip;
use crate::service::body::ReadBody;
use crate::service::token_service::TokenService;
use crate::service::trace_context::route_span;
use crate::token::claims::Claims;
use tracing::Instrument;

/// The HTTP method of a service route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET` (axum, actix-web and Rocket answer `HEAD` with it too; warp does not).
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
    /// Every method ([`AUTHZ_METHODS`] and whatever else arrives): the gateway route, which
    /// proxies ask about requests of every kind.
    Any,
}

impl Method {
    /// The method's name, in capitals as on the wire; `*` for [`Method::Any`].
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Any => "*",
        }
    }
}

/// What a service route's handler hands the core, and so which of
/// [`TokenService`]'s four route methods it calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serve {
    /// Nothing of the request: [`TokenService::open_route`].
    Open(OpenRoute),
    /// A view of the request, without its body: [`TokenService::view_route`].
    View(ViewRoute),
    /// A view of the request and its body: [`TokenService::body_route`].
    Body(BodyRoute),
    /// The claims the adapter's guard verified: [`TokenService::claims_route`].
    Claims(ClaimsRoute),
    /// A view of the request and the one path parameter its path names `{id}` (decoded):
    /// [`TokenService::item_route`], which judges the request's token itself.
    Item(ItemRoute),
    /// A view of the request and its own raw path, at the route's path and at every path under
    /// it (`/authz/…`, Envoy's `path_prefix`): [`TokenService::gateway_route`].
    Gateway,
}

/// One service route: method, path and what serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceRoute {
    /// The method.
    pub method: Method,
    /// The path; an [`Item`](Serve::Item) route's ends in the parameter `{id}`.
    pub path: &'static str,
    /// What its handler hands the core.
    pub serve: Serve,
}

impl ServiceRoute {
    /// `GET /healthz`: 200 `{"status":"ok"}` while the store answers, else 503.
    pub const HEALTHZ: ServiceRoute =
        route(Method::Get, "/healthz", Serve::Open(OpenRoute::Healthz));
    /// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
    /// with a secret).
    pub const JWKS: ServiceRoute = route(
        Method::Get,
        "/.well-known/jwks.json",
        Serve::Open(OpenRoute::Jwks),
    );
    /// `GET /.well-known/openid-configuration`: the OpenID Connect discovery document (404
    /// unless the issuer is an `http(s)://` URL and the keys are published).
    pub const OPENID_CONFIGURATION: ServiceRoute = route(
        Method::Get,
        "/.well-known/openid-configuration",
        Serve::Open(OpenRoute::OpenIdConfiguration),
    );
    /// `GET /openapi.json`: the service's OpenAPI 3.1 document.
    pub const OPENAPI: ServiceRoute = route(
        Method::Get,
        "/openapi.json",
        Serve::Open(OpenRoute::OpenApi),
    );
    /// `GET /metrics`: the Prometheus metrics (404 unless `TOKENGATE_METRICS=1`).
    pub const METRICS: ServiceRoute =
        route(Method::Get, "/metrics", Serve::Open(OpenRoute::Metrics));
    /// `POST /signup`: a JSON or form body.
    pub const SIGNUP: ServiceRoute = route(Method::Post, "/signup", Serve::Body(BodyRoute::Signup));
    /// `POST /login`: HTTP Basic, a form or JSON.
    pub const LOGIN: ServiceRoute = route(Method::Post, "/login", Serve::Body(BodyRoute::Login));
    /// `POST /refresh`: a new pair for a live refresh token.
    pub const REFRESH: ServiceRoute =
        route(Method::Post, "/refresh", Serve::Body(BodyRoute::Refresh));
    /// `POST /logout` (bearer): 204.
    pub const LOGOUT: ServiceRoute =
        route(Method::Post, "/logout", Serve::Claims(ClaimsRoute::Logout));
    /// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
    pub const SESSION_LOGIN: ServiceRoute = route(
        Method::Post,
        "/session",
        Serve::Body(BodyRoute::SessionLogin),
    );
    /// `POST /session/refresh`: the refresh cookie, with the CSRF header.
    pub const SESSION_REFRESH: ServiceRoute = route(
        Method::Post,
        "/session/refresh",
        Serve::View(ViewRoute::SessionRefresh),
    );
    /// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
    /// login and clears the cookies.
    pub const SESSION_LOGOUT: ServiceRoute = route(
        Method::Delete,
        "/session",
        Serve::Claims(ClaimsRoute::SessionLogout),
    );
    /// `GET /sessions` (bearer): the user's live logins.
    pub const SESSIONS: ServiceRoute = route(
        Method::Get,
        "/sessions",
        Serve::Claims(ClaimsRoute::Sessions),
    );
    /// `DELETE /sessions` (bearer): every login of the user ends.
    pub const END_SESSIONS: ServiceRoute = route(
        Method::Delete,
        "/sessions",
        Serve::Claims(ClaimsRoute::EndSessions),
    );
    /// `DELETE /sessions/{id}` (bearer): one login of the user ends.
    pub const END_SESSION: ServiceRoute = route(
        Method::Delete,
        "/sessions/{id}",
        Serve::Item(ItemRoute::EndSession),
    );
    /// `POST /password` (bearer): `{"current_password","new_password"}`; every other login of
    /// the user ends.
    pub const PASSWORD: ServiceRoute =
        route(Method::Post, "/password", Serve::Body(BodyRoute::Password));
    /// `POST /revoke` (RFC 7009): `token=…`, a refresh or access token whose login ends.
    pub const REVOKE: ServiceRoute = route(Method::Post, "/revoke", Serve::Body(BodyRoute::Revoke));
    /// `GET /revocations?after=CURSOR`: the revocation feed of verifiers without the database.
    pub const REVOCATIONS: ServiceRoute = route(
        Method::Get,
        "/revocations",
        Serve::View(ViewRoute::Revocations),
    );
    /// `GET /users/me` (bearer).
    pub const ME: ServiceRoute = route(Method::Get, "/users/me", Serve::Claims(ClaimsRoute::Me));
    /// Any method, `/authz` and every path under `/authz/`: forward authentication for a proxy
    /// (nginx `auth_request`, Caddy `forward_auth`, Traefik, Envoy), decided by the gate
    /// under the policy of `TOKENGATE_AUTHZ_POLICY`.
    pub const AUTHZ: ServiceRoute = route(Method::Any, AUTHZ_PATH, Serve::Gateway);
    /// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
    pub const CS_TOKEN: ServiceRoute = route(
        Method::Get,
        "/cs-token",
        Serve::Claims(ClaimsRoute::CsToken),
    );
}

const fn route(method: Method, path: &'static str, serve: Serve) -> ServiceRoute {
    ServiceRoute {
        method,
        path,
        serve,
    }
}

/// Every service route: the account, session and token routes, `/healthz`, the JWKS, the
/// OpenID Connect discovery document, `/openapi.json` and `/metrics`. What each answers is in the HTTP
/// API guide ([`guide::http_api`](crate::guide::http_api)); each is also a constant of
/// [`ServiceRoute`], to mount one alone.
pub const SERVICE_ROUTES: &[ServiceRoute] = &[
    ServiceRoute::HEALTHZ,
    ServiceRoute::JWKS,
    ServiceRoute::OPENID_CONFIGURATION,
    ServiceRoute::OPENAPI,
    ServiceRoute::METRICS,
    ServiceRoute::SIGNUP,
    ServiceRoute::LOGIN,
    ServiceRoute::REFRESH,
    ServiceRoute::LOGOUT,
    ServiceRoute::SESSION_LOGIN,
    ServiceRoute::SESSION_REFRESH,
    ServiceRoute::SESSION_LOGOUT,
    ServiceRoute::ME,
    ServiceRoute::CS_TOKEN,
    ServiceRoute::SESSIONS,
    ServiceRoute::END_SESSIONS,
    ServiceRoute::END_SESSION,
    ServiceRoute::PASSWORD,
    ServiceRoute::REVOKE,
    ServiceRoute::REVOCATIONS,
    ServiceRoute::AUTHZ,
];

/// The methods [`SERVICE_ROUTES`] has for `path` (what a 405's `Allow` lists), in the
/// table's order ([`AUTHZ_METHODS`] for a [`Method::Any`] route); empty for a path that is
/// not a service route.
pub fn service_methods(path: &str) -> Vec<&'static str> {
    SERVICE_ROUTES
        .iter()
        .filter(|route| route.path == path)
        .flat_map(|route| match route.method {
            Method::Any => AUTHZ_METHODS.to_vec(),
            method => vec![method.as_str()],
        })
        .collect()
}

/// Each path of [`SERVICE_ROUTES`] once, with its methods: what a router that mounts a path
/// once (actix's resources) or answers 405 per path needs.
pub fn service_paths() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    SERVICE_ROUTES
        .iter()
        .enumerate()
        .filter(|(index, route)| {
            !SERVICE_ROUTES[..*index]
                .iter()
                .any(|r| r.path == route.path)
        })
        .map(|(_, route)| (route.path, service_methods(route.path)))
}

/// The service routes that need nothing of the request; see [`TokenService::open_route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenRoute {
    /// `GET /healthz`.
    Healthz,
    /// `GET /.well-known/jwks.json`.
    Jwks,
    /// `GET /.well-known/openid-configuration`.
    OpenIdConfiguration,
    /// `GET /openapi.json`.
    OpenApi,
    /// `GET /metrics`.
    Metrics,
}

/// The service routes that read the request's headers but no body; see
/// [`TokenService::view_route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewRoute {
    /// `POST /session/refresh`: the refresh cookie, with the CSRF header.
    SessionRefresh,
    /// `GET /revocations`: the query's cursor.
    Revocations,
}

impl ViewRoute {
    /// The route's path, as the table has it.
    pub fn path(self) -> &'static str {
        match self {
            ViewRoute::SessionRefresh => ServiceRoute::SESSION_REFRESH.path,
            ViewRoute::Revocations => ServiceRoute::REVOCATIONS.path,
        }
    }
}

/// The service routes that read a request body; see [`TokenService::body_route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRoute {
    /// `POST /signup`.
    Signup,
    /// `POST /login`.
    Login,
    /// `POST /refresh`.
    Refresh,
    /// `POST /session`.
    SessionLogin,
    /// `POST /password`: the token is judged from the request's headers.
    Password,
    /// `POST /revoke`.
    Revoke,
}

impl BodyRoute {
    /// The route's path, as the table has it.
    pub fn path(self) -> &'static str {
        match self {
            BodyRoute::Signup => ServiceRoute::SIGNUP.path,
            BodyRoute::Login => ServiceRoute::LOGIN.path,
            BodyRoute::Refresh => ServiceRoute::REFRESH.path,
            BodyRoute::SessionLogin => ServiceRoute::SESSION_LOGIN.path,
            BodyRoute::Password => ServiceRoute::PASSWORD.path,
            BodyRoute::Revoke => ServiceRoute::REVOKE.path,
        }
    }
}

/// The service routes that act on verified claims; see [`TokenService::claims_route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimsRoute {
    /// `POST /logout`.
    Logout,
    /// `GET /users/me`.
    Me,
    /// `GET /cs-token`.
    CsToken,
    /// `DELETE /session`.
    SessionLogout,
    /// `GET /sessions`.
    Sessions,
    /// `DELETE /sessions`.
    EndSessions,
}

/// The service routes about one item named in their path (`{id}`); see
/// [`TokenService::item_route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRoute {
    /// `DELETE /sessions/{id}`.
    EndSession,
}

impl ItemRoute {
    /// What the item is, for the 404 of an id that names none.
    fn noun(self) -> &'static str {
        match self {
            ItemRoute::EndSession => "session",
        }
    }
}

impl TokenService {
    /// Runs a route that needs nothing of the request.
    pub async fn open_route(&self, route: OpenRoute) -> HttpReply {
        match route {
            OpenRoute::Healthz => self.healthz().await,
            OpenRoute::Jwks => self.jwks(),
            OpenRoute::OpenIdConfiguration => self.openid_configuration(),
            OpenRoute::OpenApi => self.openapi(),
            OpenRoute::Metrics => self.metrics(),
        }
    }

    /// Runs a route that reads the request's headers but no body.
    pub async fn view_route(&self, route: ViewRoute, request: &impl RequestView) -> HttpReply {
        let served = async {
            match route {
                ViewRoute::SessionRefresh => self.session_refresh(request).await,
                ViewRoute::Revocations => self.revocations(request).await,
            }
        };
        let span = route_span(request, route.path());
        with_client_ip(request.client_ip(), served.instrument(span)).await
    }

    /// Runs a body route: what an adapter's handler calls with its request view and what it
    /// read of the body, so every framework answers alike, body errors included.
    pub async fn body_route(
        &self,
        route: BodyRoute,
        request: &impl RequestView,
        body: ReadBody<'_>,
    ) -> HttpReply {
        // The audit log names the client of the events the route causes.
        let served = async {
            match route {
                BodyRoute::Signup => self.signup(request, body).await,
                BodyRoute::Login => self.login(request, body).await,
                BodyRoute::Refresh => self.refresh(request, body).await,
                BodyRoute::SessionLogin => self.session_login(request, body).await,
                BodyRoute::Password => self.change_password(request, body).await,
                BodyRoute::Revoke => self.revoke(request, body).await,
            }
        };
        let span = route_span(request, route.path());
        with_client_ip(request.client_ip(), served.instrument(span)).await
    }

    /// Runs the gateway route: the answer to a proxy asking about the request `request`
    /// describes, whose own raw path (`/authz` or `/authz/…`) is `own_path`. Decided at once
    /// unless a trusted issuer's keys must be fetched first.
    pub fn gateway_route(&self, request: &impl RequestView, own_path: &str) -> Verdict<HttpReply> {
        self.gateway().answer(request, own_path)
    }

    /// Runs a bearer route with the claims the adapter's guard verified.
    pub async fn claims_route(&self, route: ClaimsRoute, claims: &Claims) -> HttpReply {
        match route {
            ClaimsRoute::Logout => self.logout(claims).await,
            ClaimsRoute::Me => self.me(claims).await,
            ClaimsRoute::CsToken => self.cs_token(claims).await,
            ClaimsRoute::SessionLogout => self.session_logout(claims).await,
            ClaimsRoute::Sessions => self.sessions(claims).await,
            ClaimsRoute::EndSessions => self.end_sessions(claims).await,
        }
    }

    /// Runs a route about the item `id` of its path, as the adapter's router hands it over
    /// (decoded here once if it is not yet); the request's token is judged here, as on every
    /// bearer route. An id that does not decode names no item: 404.
    pub async fn item_route(
        &self,
        route: ItemRoute,
        request: &impl RequestView,
        id: PathSegment<'_>,
    ) -> HttpReply {
        let Some(id) = id.decoded() else {
            return self.error(ApiError::NotFound(route.noun()));
        };
        let served = async {
            match route {
                ItemRoute::EndSession => self.end_session(request, &id).await,
            }
        };
        let span = route_span(request, ServiceRoute::END_SESSION.path);
        with_client_ip(request.client_ip(), served.instrument(span)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_is_in_the_table_once_and_paths_group_their_methods() {
        for (index, route) in SERVICE_ROUTES.iter().enumerate() {
            let same = SERVICE_ROUTES[..index]
                .iter()
                .any(|r| r.path == route.path && r.method == route.method);
            assert!(!same, "{} {} twice", route.method.as_str(), route.path);
        }
        let paths: Vec<_> = service_paths().collect();
        assert_eq!(paths.len(), 19);
        assert!(paths.contains(&("/sessions", vec!["GET", "DELETE"])));
        assert!(paths.contains(&("/session", vec!["POST", "DELETE"])));
        assert!(service_methods("/nowhere").is_empty());
    }
}

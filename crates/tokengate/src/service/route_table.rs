//! The service routes by name, so that an adapter's handler is one call whatever the route.

use crate::gate::reply::HttpReply;
use crate::gate::source::RequestView;
use crate::service::body::ReadBody;
use crate::service::token_service::TokenService;
use crate::token::claims::Claims;

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
}

impl TokenService {
    /// Runs a route that needs nothing of the request.
    pub async fn open_route(&self, route: OpenRoute) -> HttpReply {
        match route {
            OpenRoute::Healthz => self.healthz().await,
            OpenRoute::Jwks => self.jwks(),
            OpenRoute::OpenIdConfiguration => self.openid_configuration(),
            OpenRoute::OpenApi => self.openapi(),
        }
    }

    /// Runs a body route: what an adapter's handler calls with its request view and what it
    /// read of the body, so every framework answers alike, body errors included.
    pub async fn body_route(
        &self,
        route: BodyRoute,
        request: &impl RequestView,
        body: ReadBody<'_>,
    ) -> HttpReply {
        match route {
            BodyRoute::Signup => self.signup(request, body).await,
            BodyRoute::Login => self.login(request, body).await,
            BodyRoute::Refresh => self.refresh(request, body).await,
            BodyRoute::SessionLogin => self.session_login(request, body).await,
        }
    }

    /// Runs a bearer route with the claims the adapter's guard verified.
    pub async fn claims_route(&self, route: ClaimsRoute, claims: &Claims) -> HttpReply {
        match route {
            ClaimsRoute::Logout => self.logout(claims).await,
            ClaimsRoute::Me => self.me(claims).await,
            ClaimsRoute::CsToken => self.cs_token(claims).await,
            ClaimsRoute::SessionLogout => self.session_logout(claims).await,
        }
    }
}

/// Hands `$callback!` the service routes, one a line: doc comment, handler name, method,
/// path, and what the handler runs: `open(OpenRoute)`, `view(method)` (a [`TokenService`]
/// method taking the request), `body(BodyRoute)` or `claims(ClaimsRoute)`. Every adapter
/// builds its handlers and `routes()` from this one table, beside [`SERVICE_ROUTES`](crate::SERVICE_ROUTES).
#[doc(hidden)]
#[macro_export]
macro_rules! adapter_service_routes {
    ($callback:ident) => {
        $callback! {
            /// `GET /healthz`: 200 `{"status":"ok"}` while the store answers, else 503.
            healthz GET "/healthz" open(Healthz);
            /// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are
            /// signed with a secret).
            jwks GET "/.well-known/jwks.json" open(Jwks);
            /// `GET /.well-known/openid-configuration`: the OpenID Connect discovery document
            /// (404 unless the issuer is an `http(s)://` URL and the keys are published); see
            /// [`TokenService::openid_configuration`](tokengate::TokenService::openid_configuration).
            openid_configuration GET "/.well-known/openid-configuration" open(OpenIdConfiguration);
            /// `GET /openapi.json`: the service's OpenAPI 3.1 document.
            openapi GET "/openapi.json" open(OpenApi);
            /// `POST /signup`: a JSON or form body.
            signup POST "/signup" body(Signup);
            /// `POST /login`: HTTP Basic, a form or JSON.
            login POST "/login" body(Login);
            /// `POST /refresh`: a new pair for a live refresh token.
            refresh POST "/refresh" body(Refresh);
            /// `POST /logout` (bearer): 204.
            logout POST "/logout" claims(Logout);
            /// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
            session_login POST "/session" body(SessionLogin);
            /// `POST /session/refresh`: the refresh cookie, with the CSRF header.
            session_refresh POST "/session/refresh" view(session_refresh);
            /// `DELETE /session` (the access cookie and the CSRF header, or a bearer header):
            /// ends the login and clears the cookies.
            session_logout DELETE "/session" claims(SessionLogout);
            /// `GET /users/me` (bearer).
            me GET "/users/me" claims(Me);
            /// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
            cs_token GET "/cs-token" claims(CsToken);
        }
    };
}

#[cfg(test)]
mod tests {
    macro_rules! table {
        ($($(#[$doc:meta])* $name:ident $method:ident $path:literal $kind:ident($arg:ident);)*) => {
            &[$(($path, stringify!($method))),*]
        };
    }

    #[test]
    fn the_table_is_the_service_routes() {
        let table: &[(&str, &str)] = adapter_service_routes!(table);
        let mut flat: Vec<(&str, &str)> = crate::gate::SERVICE_ROUTES
            .iter()
            .flat_map(|(path, methods)| methods.iter().map(move |method| (*path, *method)))
            .collect();
        let mut table = table.to_vec();
        flat.sort_unstable();
        table.sort_unstable();
        assert_eq!(table, flat);
    }
}

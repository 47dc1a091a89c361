//! The service routes by name, so that an adapter's handler is one call whatever the route.

use crate::body::ReadBody;
use crate::claims::Claims;
use crate::reply::HttpReply;
use crate::service::TokenService;
use crate::source::RequestView;

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

//! The browser-session routes: `POST /session` (credentials in, cookies out),
//! `POST /session/refresh` (the refresh cookie, with the CSRF header) and `DELETE /session`.

use super::{no_store, TokenService};
use crate::gate::reply::HttpReply;
use crate::gate::session::{cookie_value, csrf_matches, REFRESH_COOKIE};
use crate::gate::source::RequestView;
use crate::service::accounts::{RefreshRequest, TokenPair};
use crate::service::api_error::ApiError;
use crate::service::body::ReadBody;
use crate::token::claims::Claims;
use crate::token::error::AuthError;

impl TokenService {
    /// `POST /session`: checks credentials as `/login` does, and answers 204 with the pair in
    /// the session cookies (and a fresh CSRF cookie) instead of a body.
    pub async fn session_login(&self, request: &impl RequestView, body: ReadBody<'_>) -> HttpReply {
        match self.login_pair(request, body).await {
            Ok(pair) => self.session_reply(&pair),
            Err(error) => self.error(error),
        }
    }

    /// `POST /session/refresh`: the CSRF header first (without it nothing is spent), then
    /// the refresh cookie, rotated as `/refresh` rotates a pair, reuse detection included.
    pub async fn session_refresh(&self, request: &impl RequestView) -> HttpReply {
        if !csrf_matches(request) {
            return self.error(AuthError::CsrfFailed);
        }
        let Some(refresh_token) = cookie_value(request, REFRESH_COOKIE) else {
            return self.error(ApiError::InvalidRefreshToken);
        };
        let key = match self.proven_key(request) {
            Ok(key) => key,
            Err(error) => return self.error(error),
        };
        let refresh = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        match self.inner.accounts.refresh_proven(refresh, key).await {
            Ok(pair) => self.session_reply(&pair),
            Err(error) => self.error(error),
        }
    }

    /// `DELETE /session` with verified claims (the guard checked the CSRF header of a
    /// cookie-authenticated request): ends the login as `/logout` does and clears the cookies.
    pub async fn session_logout(&self, claims: &Claims) -> HttpReply {
        if let Some(refused) = self.own_tokens_only(claims) {
            return refused;
        }
        match self.inner.accounts.logout(claims).await {
            Ok(()) => {
                let mut reply = HttpReply::empty(204);
                for cookie in self.inner.cookies.clear() {
                    reply.headers.push(("set-cookie", cookie));
                }
                reply
            }
            Err(error) => self.error(error),
        }
    }

    /// 204 with the session cookies of `pair`; never cached.
    fn session_reply(&self, pair: &TokenPair) -> HttpReply {
        let mut reply = HttpReply::empty(204);
        let cookies =
            self.inner
                .cookies
                .set(&pair.access_token, pair.expires_in, &pair.refresh_token);
        for cookie in cookies {
            reply.headers.push(("set-cookie", cookie));
        }
        no_store(reply)
    }
}

//! The routes of a user's logins (`GET`/`DELETE /sessions`, `DELETE /sessions/{id}`,
//! `POST /password`), RFC 7009's `POST /revoke`, and the revocation feed
//! (`GET /revocations`).

use super::{no_store, TokenService};
use crate::gate::reply::HttpReply;
use crate::gate::source::RequestView;
use crate::service::accounts::{PasswordChange, RevokeRequest};
use crate::service::api_error::ApiError;
use crate::service::body::ReadBody;
use crate::token::claims::{Claims, NoExtra};

impl TokenService {
    /// `GET /sessions` with verified claims: the user's live logins, the token's own marked
    /// `current`.
    pub async fn sessions(&self, claims: &Claims) -> HttpReply {
        if let Some(refused) = self.own_tokens_only(claims) {
            return refused;
        }
        match self.inner.accounts.sessions(claims).await {
            Ok(sessions) => no_store(HttpReply::json(
                200,
                &serde_json::json!({ "sessions": sessions }),
            )),
            Err(error) => self.error(error),
        }
    }

    /// `DELETE /sessions` with verified claims: every login of the user ends, this one
    /// included ("log out everywhere").
    pub async fn end_sessions(&self, claims: &Claims) -> HttpReply {
        if let Some(refused) = self.own_tokens_only(claims) {
            return refused;
        }
        match self.inner.accounts.end_sessions_of(claims).await {
            Ok(()) => HttpReply::empty(204),
            Err(error) => self.error(error),
        }
    }

    /// `DELETE /sessions/{id}`: the request's token is judged here (bearer, or cookie with
    /// the CSRF header), then the user's login `id` ends; 404 when it is not one of theirs.
    pub async fn end_session(&self, request: &impl RequestView, id: &str) -> HttpReply {
        let claims = match self.own_claims(request).await {
            Ok(claims) => claims,
            Err(refused) => return refused,
        };
        match self.inner.accounts.end_session_of(&claims, id).await {
            Ok(()) => HttpReply::empty(204),
            Err(error) => self.error(error),
        }
    }

    /// `POST /password`: the request's token judged here, then `{"current_password",
    /// "new_password"}`; every other login of the user ends.
    pub async fn change_password(
        &self,
        request: &impl RequestView,
        body: ReadBody<'_>,
    ) -> HttpReply {
        let claims = match self.own_claims(request).await {
            Ok(claims) => claims,
            Err(refused) => return refused,
        };
        let result = async {
            let change: PasswordChange = body.with_type(request)?.parse()?;
            self.inner.accounts.change_password(&claims, change).await
        };
        match result.await {
            Ok(()) => HttpReply::empty(204),
            Err(error) => self.error(error),
        }
    }

    /// `POST /revoke` (RFC 7009): `token=…` is one of this service's access tokens (its login
    /// ends, as with `/logout`) or refresh tokens (its login ends); anything else, expired
    /// and invalid tokens included, changes nothing. 200 with an empty body either way, so
    /// that the answer tells nothing about the token.
    pub async fn revoke(&self, request: &impl RequestView, body: ReadBody<'_>) -> HttpReply {
        let result = async {
            let revoke: RevokeRequest = body.with_type(request)?.parse()?;
            // A JWT has dots; a refresh token (base64url) never does.
            if revoke.token.contains('.') {
                let verified = self.inner.gate.verify::<NoExtra>(&revoke.token);
                if let Ok(claims) = verified {
                    if self.own_tokens_only(&claims).is_none() {
                        self.inner.accounts.logout(&claims).await?;
                    }
                }
            } else {
                self.inner
                    .accounts
                    .revoke_refresh_token(&revoke.token)
                    .await?;
            }
            Ok::<(), ApiError>(())
        };
        match result.await {
            Ok(()) => no_store(HttpReply::empty(200)),
            Err(error) => self.error(error),
        }
    }

    /// `GET /revocations?after=CURSOR`: the revocations still in force written after the
    /// cursor (all without one), and the next cursor: what a verifier without the database
    /// needs to refuse the tokens of ended logins.
    pub async fn revocations(&self, request: &impl RequestView) -> HttpReply {
        let after = request.query().and_then(|query| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == "after")
                .map(|(_, value)| value.into_owned())
        });
        let cursor = match after.as_deref().map(str::parse::<u64>) {
            None => 0,
            Some(Ok(cursor)) => cursor,
            Some(Err(_)) => {
                return self.error(ApiError::invalid(
                    "after must be a cursor from an earlier answer",
                ))
            }
        };
        match self.inner.accounts.revocation_page(cursor).await {
            Ok(page) => no_store(HttpReply::json(200, &page)),
            Err(error) => self.error(error),
        }
    }

    /// The claims of the request's token, judged by the gate as on every bearer route, and
    /// refused unless they are this service's own.
    async fn own_claims(&self, request: &impl RequestView) -> Result<Claims, HttpReply> {
        let claims = self
            .inner
            .gate
            .decide::<Claims>(request)
            .await
            .map_err(|refusal| refusal.into_reply())?;
        match self.own_tokens_only(&claims) {
            Some(refused) => Err(refused),
            None => Ok(claims),
        }
    }
}

//! Refresh: a live refresh token is spent for a new pair; a spent one presented again within
//! the grace (tabs refreshing at the same moment) gets the same successor; any other reuse
//! ends the login.
//!
//! The successor of a token is not random but derived from it: HMAC-SHA256 of the presented
//! token under the store's successor secret. The first presentation stores only its hash, as
//! for every refresh token; a second presentation derives the same successor again, so no
//! token is ever kept in plaintext, and a spent token alone (without the secret) does not
//! tell its successor.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::store::Rotation;
use super::wire::{RefreshRequest, TokenPair};
use super::{hash_refresh_token, store_error, Accounts};
use crate::service::api_error::ApiError;
use crate::service::audit::{AuditEvent, AuditKind};
use crate::telemetry::RefreshResult;
use crate::token::error::AuthError;
use crate::token::time::unix_now;

impl Accounts {
    /// Spends a refresh token for a new pair. The same token presented again within the
    /// grace gets the same successor and a fresh access token; after the grace, or once the
    /// successor was spent, presenting it ends its whole login: its refresh tokens and its
    /// access tokens stop working.
    pub async fn refresh(&self, request: RefreshRequest) -> Result<TokenPair, ApiError> {
        self.refresh_proven(request, None).await
    }

    /// [`refresh`](Self::refresh) by a request that proved it holds the DPoP key of
    /// thumbprint `proven`, if any. A login bound to a key is refreshed only with a proof by
    /// it, and a refusal for the proof spends nothing; the new access token is bound to the
    /// login's key, or to the proven one for a login that is not bound.
    #[tracing::instrument(name = "tokengate.refresh", skip_all)]
    pub async fn refresh_proven(
        &self,
        request: RefreshRequest,
        proven: Option<String>,
    ) -> Result<TokenPair, ApiError> {
        let old_hash = hash_refresh_token(&request.refresh_token);
        let binding = self
            .tokens
            .binding_of_refresh(&old_hash)
            .await
            .map_err(store_error)?;
        if binding.is_some() && proven != binding {
            return Err(AuthError::InvalidDpopProof(
                "the login is bound to a key: refresh with a DPoP proof by that key",
            )
            .into());
        }
        let key = binding.or(proven);
        let next = self.successor_of(&request.refresh_token).await?;
        let now = unix_now();
        let rotation = self
            .tokens
            .rotate(
                &old_hash,
                &hash_refresh_token(&next),
                now.saturating_add(self.refresh_ttl),
                now,
                self.refresh_grace,
            )
            .await
            .map_err(store_error)?;
        let spent = match rotation {
            Rotation::Replayed { .. } => RefreshResult::Grace,
            _ => RefreshResult::Rotated,
        };
        match rotation {
            Rotation::Rotated {
                user_id,
                session_id,
            }
            | Rotation::Replayed {
                user_id,
                session_id,
            } => {
                if self
                    .users
                    .user_by_id(&user_id)
                    .await
                    .map_err(store_error)?
                    .is_none()
                {
                    self.end_session(&session_id, now, self.session_revoked_until(now))
                        .await?;
                    self.count_refresh(RefreshResult::Invalid);
                    return Err(ApiError::InvalidRefreshToken);
                }
                self.count_refresh(spent);
                self.pair(&user_id, &session_id, next, key.as_deref())
            }
            Rotation::Reused { session_id } => {
                tracing::warn!("a spent refresh token was presented again; ending its session");
                self.end_session(&session_id, now, self.session_revoked_until(now))
                    .await?;
                self.record(AuditEvent {
                    login: Some(&session_id),
                    ..AuditEvent::new(AuditKind::RefreshReused)
                });
                Err(ApiError::InvalidRefreshToken)
            }
            Rotation::Invalid => {
                self.count_refresh(RefreshResult::Invalid);
                Err(ApiError::InvalidRefreshToken)
            }
        }
    }

    /// The one successor `token` can have: HMAC-SHA256 under the store's secret, as
    /// base64url (256 bits, like a first refresh token).
    async fn successor_of(&self, token: &str) -> Result<String, ApiError> {
        let secret = self
            .successor_secret
            .get_or_try_init(|| self.tokens.successor_secret())
            .await
            .map_err(store_error)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(token.as_bytes());
        Ok(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }
}

//! Who the holder of a verified access token is, for the CKEditor token endpoint: the
//! [`PrincipalResolver`] the token service asks, and its default over the user store.

use async_trait::async_trait;
use std::sync::Arc;

use crate::ckeditor::CsPrincipal;
use crate::service::accounts::UserStore;
use crate::service::api_error::ApiError;
use crate::token::claims::Claims;
use crate::token::collaboration::{Auth, CsUser};
use crate::token::error::AuthError;

/// Says who the holder of a verified access token is, for the CKEditor token endpoint.
///
/// The default, [`StorePrincipals`], takes the user id from `sub`, name and e-mail from the
/// user store, and the grants from the token's `auth` claim (writer on every document when it
/// has none). Implement it to take them from your own session or permission system instead.
#[async_trait]
pub trait PrincipalResolver: Send + Sync + 'static {
    /// The principal for `claims`, which the gate has verified.
    async fn resolve(&self, claims: &Claims) -> Result<CsPrincipal, ApiError>;
}

/// The default [`PrincipalResolver`].
pub struct StorePrincipals {
    users: Arc<dyn UserStore>,
}

impl StorePrincipals {
    /// Resolves users through `users`.
    pub fn new(users: Arc<dyn UserStore>) -> Self {
        StorePrincipals { users }
    }
}

#[async_trait]
impl PrincipalResolver for StorePrincipals {
    async fn resolve(&self, claims: &Claims) -> Result<CsPrincipal, ApiError> {
        let id = claims.sub.clone().ok_or(AuthError::MissingClaim("sub"))?;
        let stored = self
            .users
            .user_by_id(&id)
            .await
            .map_err(|_| ApiError::Unavailable)?;
        // A token minted by a holder of the secret for a user this store does not know still
        // speaks for its subject; its own `user` claim is all we know of them.
        let user = match stored {
            Some(user) => CsUser {
                name: Some(user.name),
                email: Some(user.email),
                ..claims.user.clone().unwrap_or_default()
            },
            None => claims.user.clone().unwrap_or_default(),
        };
        let auth = claims.auth.clone().unwrap_or_else(Auth::writer_everywhere);
        Ok(CsPrincipal { id, user, auth })
    }
}

//! Where accounts live: two traits, so an app can bring its own user table and keep
//! tokengate's refresh-token store, or the other way round.

use async_trait::async_trait;

/// A user account.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Opaque id; the `sub` of the user's tokens.
    pub id: String,
    /// E-mail address as given at signup.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// A store failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A unique key (the e-mail address) is taken.
    #[error("a record with this key already exists")]
    Conflict,
    /// The store could not be reached or failed; nothing was changed.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

/// User accounts. E-mail addresses are compared without regard to case.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Adds `user`; [`StoreError::Conflict`] if the e-mail address is taken, even when two
    /// signups race.
    async fn insert_user(&self, user: &User) -> Result<(), StoreError>;
    /// The user with this e-mail address, compared without regard to case.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;
    /// The user with this id.
    async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError>;
    /// Every user, oldest first.
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// Replaces the password hash of user `id`, if it is still `old` (a password change in
    /// between wins); `false` when nothing was replaced. A user store that cannot write
    /// keeps the old hash, which goes on verifying: this default does nothing.
    async fn replace_password_hash(
        &self,
        id: &str,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let _ = (id, old, new);
        Ok(false)
    }
    /// Removes a user; `false` if there was none.
    async fn delete_user(&self, id: &str) -> Result<bool, StoreError>;
    /// Whether the store answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A refresh token to store: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// SHA-256 of the token, hex.
    pub hash: String,
    /// The login session (token family) it belongs to.
    pub session_id: String,
    /// Its user.
    pub user_id: String,
    /// Seconds since the Unix epoch.
    pub issued_at: u64,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
}

/// A live login, as its user sees it in `GET /sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The session id: the `sid` of its access tokens.
    pub id: String,
    /// When the login started, in seconds since the Unix epoch.
    pub created_at: u64,
    /// When its last refresh token was issued (the login or the latest refresh).
    pub last_used_at: u64,
}

/// One revocation of the feed (`GET /revocations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationEntry {
    /// The revoked access-token `jti` or session id.
    pub id: String,
    /// Until when it is revoked (the last moment a token it covers could be valid).
    pub until: u64,
    /// When it was written, in milliseconds since the Unix epoch: the feed's cursor.
    pub recorded_at_ms: u64,
}

/// What happened when a refresh token was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is now spent and its successor stored.
    Rotated {
        /// The user of the session.
        user_id: String,
        /// The session, unchanged.
        session_id: String,
    },
    /// The token was spent less than the grace ago, its successor (`next_hash`) is still
    /// live and the session goes on: another tab or request refreshed at the same moment.
    /// Nothing changed; the caller answers with the same successor.
    Replayed {
        /// The user of the session.
        user_id: String,
        /// The session, unchanged.
        session_id: String,
    },
    /// The token had already been spent: someone replays it. The session must end.
    Reused {
        /// The session the token belonged to.
        session_id: String,
    },
    /// Unknown, expired, or its session has ended.
    Invalid,
}

/// Login sessions, their refresh tokens, and revoked ids.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// Starts a session with its first refresh token; `key` is the RFC 7638 thumbprint of the
    /// DPoP key the login is bound to, if it is.
    async fn start_session(
        &self,
        first: &RefreshToken,
        key: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The DPoP key the login of the refresh token hashed `token_hash` is bound to: `None`
    /// for an unbound login or an unknown token.
    async fn binding_of_refresh(&self, token_hash: &str) -> Result<Option<String>, StoreError>;
    /// Atomically spends the token hashed `old_hash` and stores `next_hash` in its session,
    /// remembering `next_hash` as the spent token's successor. Of concurrent rotations of one
    /// token, one rotates; the others see [`Rotation::Replayed`] while the token was spent
    /// less than `grace_secs` ago, its successor is `next_hash` and still unspent, and the
    /// session is live; otherwise [`Rotation::Reused`].
    async fn rotate(
        &self,
        old_hash: &str,
        next_hash: &str,
        next_expires_at: u64,
        now: u64,
        grace_secs: u64,
    ) -> Result<Rotation, StoreError>;
    /// The secret from which each successor refresh token is derived (HMAC of the spent
    /// token), the same for every instance on this store. The default, for stores that
    /// cannot keep one, is random per process: the grace then only works within one
    /// instance.
    async fn successor_secret(&self) -> Result<Vec<u8>, StoreError> {
        static PROCESS_SECRET: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
        Ok(PROCESS_SECRET
            .get_or_init(|| {
                let mut secret = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
                secret
            })
            .to_vec())
    }
    /// Ends a session: none of its refresh tokens rotates any more.
    async fn end_session(&self, session_id: &str, now: u64) -> Result<(), StoreError>;
    /// Records that `id` (an access token's `jti` or a session id) is revoked until `until`.
    async fn revoke(&self, id: &str, until: u64) -> Result<(), StoreError>;
    /// Every revocation in force at `now`.
    async fn revocations(&self, now: u64) -> Result<Vec<(String, u64)>, StoreError>;
    /// The revocations in force at `now` written after `after_ms` (milliseconds since the
    /// Unix epoch), oldest first, at most `limit`.
    async fn revocations_after(
        &self,
        after_ms: u64,
        now: u64,
        limit: usize,
    ) -> Result<Vec<RevocationEntry>, StoreError>;
    /// The live logins of `user_id` at `now` (not ended, with an unexpired refresh token),
    /// oldest first.
    async fn live_sessions(&self, user_id: &str, now: u64) -> Result<Vec<SessionInfo>, StoreError>;
    /// The session and user of the refresh token hashed `token_hash`, spent or not, while
    /// that session has not ended.
    async fn session_of_refresh(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, String)>, StoreError>;
}

/// Failed logins per address, shared by every instance on one store.
#[async_trait]
pub trait LoginFailures: Send + Sync + 'static {
    /// How many failures `key` has after `since`, and the time of the oldest of them
    /// (0 when none).
    async fn failures_since(&self, key: &str, since: u64) -> Result<(usize, u64), StoreError>;
    /// Records a failure of `key` at `at`, forgetting its failures at or before
    /// `forget_until` (they have left the window).
    async fn record_failure(&self, key: &str, at: u64, forget_until: u64)
        -> Result<(), StoreError>;
    /// Forgets every failure of `key` (after a successful login).
    async fn clear_failures(&self, key: &str) -> Result<(), StoreError>;
}

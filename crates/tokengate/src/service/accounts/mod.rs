//! Accounts: signup, login, refresh with rotation and reuse detection, logout with
//! revocation, over stores that are traits (a SQL implementation ships with the crate).
//!
//! The flows and the schema are described in `docs/accounts.md` of the repository. This
//! module holds the flows ([`Accounts`]); the request and response types and their
//! validation live in `wire`, and are re-exported here.

mod failures;
#[cfg(feature = "postgres")]
pub(crate) mod feed;
pub(crate) mod password;
mod refresh;
mod sessions;
mod sql;
mod sql_sessions;
mod store;
mod throttle;
mod wire;

/// The Argon2 parameters of [`PasswordHasher::new`], re-exported so that an app needs no
/// `argon2` dependency of its own.
pub use argon2::Params as Argon2Params;
pub use password::{Busy, PasswordCheck, PasswordHasher};
pub use sql::SqlStore;
pub use store::{
    LoginFailures, RefreshToken, RevocationEntry, Rotation, SessionInfo, StoreError, TokenStore,
    User, UserStore,
};
pub use throttle::LoginThrottle;
pub use wire::{
    email_key, Credentials, PasswordChange, PublicUser, RefreshRequest, RevokeRequest,
    SessionSummary, Signup, TokenPair, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS,
};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

use crate::gate::revocation::RevocationList;
use crate::service::api_error::ApiError;
use crate::service::audit::{AuditEvent, AuditKind, AuditLog};
use crate::service::config::{Config, DEFAULT_REFRESH_GRACE};
use crate::telemetry::{LoginResult, Metrics, RefreshResult};
use crate::token::claims::Claims;
use crate::token::confirmation::Confirmation;
use crate::token::error::AuthError;
use crate::token::issue::{random_id, Issuer};
use crate::token::time::unix_now;

/// The account service: every rule of signup, login, refresh and logout.
#[derive(Clone)]
pub struct Accounts {
    users: Arc<dyn UserStore>,
    tokens: Arc<dyn TokenStore>,
    issuer: Issuer,
    refresh_ttl: u64,
    hasher: PasswordHasher,
    throttle: Arc<LoginThrottle>,
    revocations: Arc<RevocationList>,
    /// Seconds during which a just-spent refresh token gets its successor again.
    refresh_grace: u64,
    /// The store's successor secret, read once.
    successor_secret: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// Where security events go (`TOKENGATE_AUDIT_LOG`), if anywhere.
    audit: Option<Arc<AuditLog>>,
    /// Where logins, refreshes and ended logins are counted (`TOKENGATE_METRICS`), if anywhere.
    metrics: Option<Metrics>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("issuer", &self.issuer)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish_non_exhaustive()
    }
}

impl Accounts {
    /// Accounts in `store` (users and tokens), issuing access tokens as `config` says and
    /// recording revocations in `revocations` (share it with the [`Gate`](crate::Gate)).
    pub fn new<S: UserStore + TokenStore + Clone>(
        store: S,
        config: &Config,
        revocations: Arc<RevocationList>,
    ) -> Self {
        Accounts::with_stores(
            Arc::new(store.clone()),
            Arc::new(store),
            config.issuer(),
            config.refresh_ttl,
            revocations,
        )
        .password_hasher(config.password_hasher())
        .refresh_grace(config.refresh_grace)
    }

    /// Accounts over separate user and token stores.
    pub fn with_stores(
        users: Arc<dyn UserStore>,
        tokens: Arc<dyn TokenStore>,
        issuer: Issuer,
        refresh_ttl: Duration,
        revocations: Arc<RevocationList>,
    ) -> Self {
        Accounts {
            users,
            tokens,
            issuer,
            refresh_ttl: refresh_ttl.as_secs(),
            hasher: PasswordHasher::default(),
            throttle: Arc::new(LoginThrottle::default()),
            revocations,
            refresh_grace: DEFAULT_REFRESH_GRACE.as_secs(),
            successor_secret: Arc::new(tokio::sync::OnceCell::new()),
            audit: None,
            metrics: None,
        }
    }

    /// The issuer of access tokens.
    pub(crate) fn token_issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// Replaces the password hasher (e.g. other Argon2 parameters).
    pub fn password_hasher(mut self, hasher: PasswordHasher) -> Self {
        self.hasher = hasher;
        self
    }

    /// Replaces the refresh grace: how long a just-spent refresh token, presented again, gets
    /// the same successor instead of ending its login (zero: never).
    pub fn refresh_grace(mut self, grace: Duration) -> Self {
        self.refresh_grace = grace.as_secs();
        self
    }

    /// Records every security event in `log` (signup, logins, failures, throttling, reuse,
    /// logouts, ended logins, password changes).
    pub fn audit_log(mut self, log: Arc<AuditLog>) -> Self {
        self.audit = Some(log);
        self
    }

    /// Counts logins, refreshes and ended logins in `metrics`.
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Records a security event: in the audit log, and in the metrics it counts toward.
    fn record(&self, event: AuditEvent<'_>) {
        if let Some(metrics) = &self.metrics {
            match event.event {
                AuditKind::Login => metrics.login(LoginResult::Success),
                AuditKind::LoginFailed => metrics.login(LoginResult::InvalidCredentials),
                AuditKind::Throttled => metrics.login(LoginResult::TooManyAttempts),
                AuditKind::Logout => metrics.login_ended("logout"),
                AuditKind::LoginEnded => metrics.login_ended(event.how.unwrap_or("other")),
                AuditKind::RefreshReused => {
                    metrics.refresh(RefreshResult::Reused);
                    metrics.login_ended("reused");
                }
                AuditKind::Signup | AuditKind::PasswordChanged => {}
            }
        }
        if let Some(log) = &self.audit {
            log.record(&event);
        }
    }

    /// Counts a refresh that is no security event (rotated, within the grace, invalid).
    fn count_refresh(&self, result: RefreshResult) {
        if let Some(metrics) = &self.metrics {
            metrics.refresh(result);
        }
    }

    /// How long a refresh token lives, in seconds.
    pub fn refresh_ttl_secs(&self) -> u64 {
        self.refresh_ttl
    }

    /// Replaces the login throttle.
    pub fn login_throttle(mut self, throttle: LoginThrottle) -> Self {
        self.throttle = Arc::new(throttle);
        self
    }

    /// The user store.
    pub fn users(&self) -> &Arc<dyn UserStore> {
        &self.users
    }

    /// Creates an account.
    pub async fn signup(&self, signup: Signup) -> Result<PublicUser, ApiError> {
        let (name, email) = wire::validate_signup(&signup)?;
        // A cheap early answer for the common case; the unique index decides races.
        if self
            .users
            .user_by_email(email)
            .await
            .map_err(store_error)?
            .is_some()
        {
            return Err(ApiError::Conflict);
        }
        let user = User {
            id: random_id(),
            email: email.to_owned(),
            name: name.to_owned(),
            password_hash: self.hasher.hash(signup.password).await?,
            created_at: unix_now(),
        };
        self.users.insert_user(&user).await.map_err(store_error)?;
        self.record(AuditEvent {
            sub: Some(&user.id),
            email: Some(&user.email),
            ..AuditEvent::new(AuditKind::Signup)
        });
        Ok(PublicUser::from(&user))
    }

    /// Checks credentials and starts a session.
    pub async fn login(&self, credentials: Credentials) -> Result<TokenPair, ApiError> {
        self.login_bound(credentials, None).await
    }

    /// Checks credentials and starts a session bound to the DPoP key of thumbprint `dpop_key`
    /// (which the request proved it holds), if any: its access tokens carry `cnf.jkt` and its
    /// refresh tokens are spent only with a proof by that key.
    #[tracing::instrument(name = "tokengate.login", skip_all)]
    pub async fn login_bound(
        &self,
        credentials: Credentials,
        dpop_key: Option<String>,
    ) -> Result<TokenPair, ApiError> {
        let key = email_key(credentials.email.trim());
        let now = unix_now();
        let locked = self
            .throttle
            .check_shared(&key, now)
            .await
            .map_err(store_error)?;
        if let Err(retry_after) = locked {
            self.record(AuditEvent {
                email: Some(&key),
                ..AuditEvent::new(AuditKind::Throttled)
            });
            return Err(ApiError::TooManyAttempts { retry_after });
        }
        let user = self.users.user_by_email(&key).await.map_err(store_error)?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        // A check refused for load (503) was never judged: it is not a failure.
        let rehashed = match self.hasher.verify(credentials.password, hash).await? {
            PasswordCheck::Matches { rehashed } => rehashed,
            PasswordCheck::Wrong => {
                self.throttle
                    .record_failure_shared(&key, unix_now())
                    .await
                    .map_err(store_error)?;
                self.record(AuditEvent {
                    email: Some(&key),
                    ..AuditEvent::new(AuditKind::LoginFailed)
                });
                return Err(ApiError::InvalidCredentials);
            }
        };
        let user = user.ok_or(ApiError::InvalidCredentials)?;
        if let Some(rehashed) = rehashed {
            self.store_rehash(&user, &rehashed).await;
        }
        self.throttle
            .clear_shared(&key)
            .await
            .map_err(store_error)?;
        let session_id = random_id();
        let refresh_token = new_refresh_token();
        self.tokens
            .start_session(
                &RefreshToken {
                    hash: hash_refresh_token(&refresh_token),
                    session_id: session_id.clone(),
                    user_id: user.id.clone(),
                    issued_at: now,
                    expires_at: now.saturating_add(self.refresh_ttl),
                },
                dpop_key.as_deref(),
            )
            .await
            .map_err(store_error)?;
        self.record(AuditEvent {
            sub: Some(&user.id),
            login: Some(&session_id),
            ..AuditEvent::new(AuditKind::Login)
        });
        self.pair(&user.id, &session_id, refresh_token, dpop_key.as_deref())
    }

    /// Replaces `user`'s hash, made with older Argon2 parameters, by one made with the
    /// current ones. The old hash keeps working if this fails, so the login goes on.
    async fn store_rehash(&self, user: &User, rehashed: &str) {
        let replaced = self
            .users
            .replace_password_hash(&user.id, &user.password_hash, rehashed)
            .await;
        if let Err(error) = replaced {
            tracing::warn!(user = %user.id, %error, "could not store a re-made password hash");
        }
    }

    /// Ends the session of a verified access token: the token itself, every other access
    /// token of the same login and its refresh token stop working at once.
    pub async fn logout<E>(&self, claims: &Claims<E>) -> Result<(), ApiError> {
        let now = unix_now();
        let exp = claims.exp.unwrap_or(now);
        // Each revocation takes effect on this instance first, then is persisted so that
        // restarts and other instances follow; if persisting fails, say so: the client
        // should retry.
        // A token minted without `jti` is revoked by the fingerprint of its claims: a 204
        // always means the token stopped working.
        let token_id = claims.revocation_id();
        self.revocations.revoke(&token_id, exp);
        if let Some(session_id) = &claims.sid {
            let until = self.session_revoked_until(now).max(exp);
            self.end_session(session_id, now, until).await?;
        }
        self.tokens
            .revoke(&token_id, exp)
            .await
            .map_err(store_error)?;
        self.record(AuditEvent {
            sub: claims.sub.as_deref(),
            login: claims.sid.as_deref(),
            ..AuditEvent::new(AuditKind::Logout)
        });
        Ok(())
    }

    /// The user a verified token speaks for.
    pub async fn me<E>(&self, claims: &Claims<E>) -> Result<PublicUser, ApiError> {
        let sub = claims
            .sub
            .as_deref()
            .ok_or(AuthError::MissingClaim("sub"))?;
        match self.users.user_by_id(sub).await.map_err(store_error)? {
            Some(user) => Ok(PublicUser::from(&user)),
            None => Err(AuthError::UnknownSubject.into()),
        }
    }

    /// Whether the stores answer.
    pub async fn health(&self) -> Result<(), ApiError> {
        self.users.ping().await.map_err(store_error)
    }

    /// Loads the revocations recorded by other instances (and before a restart).
    pub async fn sync_revocations(&self) -> Result<usize, ApiError> {
        let entries = self
            .tokens
            .revocations(unix_now())
            .await
            .map_err(store_error)?;
        Ok(self
            .revocations
            .merge(entries.iter().map(|(id, until)| (id.as_str(), *until))))
    }

    /// Keeps the revocation list in step with the store every `interval`, in the
    /// background, for as long as the runtime runs.
    pub fn spawn_revocation_sync(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let accounts = self.clone();
        tokio::spawn(async move {
            // The first sync is the caller's (at start-up, before serving), so the first
            // tick here is one interval away.
            let start = tokio::time::Instant::now() + interval;
            let mut ticker = tokio::time::interval_at(start, interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                // A failure is logged by the store and retried on the next tick.
                let _ = accounts.sync_revocations().await;
            }
        })
    }

    /// Ends a session at `now`: its id is revoked until `until`, here at once and then in
    /// the store, and its refresh tokens stop rotating.
    async fn end_session(&self, session_id: &str, now: u64, until: u64) -> Result<(), ApiError> {
        self.revocations.revoke(session_id, until);
        self.tokens
            .end_session(session_id, now)
            .await
            .map_err(store_error)?;
        self.tokens
            .revoke(session_id, until)
            .await
            .map_err(store_error)
    }

    /// No access token of a session ended now can outlive this.
    fn session_revoked_until(&self, now: u64) -> u64 {
        now.saturating_add(self.issuer.ttl_secs())
    }

    fn pair(
        &self,
        user_id: &str,
        session_id: &str,
        refresh_token: String,
        key: Option<&str>,
    ) -> Result<TokenPair, ApiError> {
        let claims = Claims {
            sid: Some(session_id.to_owned()),
            cnf: key.map(Confirmation::key_thumbprint),
            ..Claims::for_subject(user_id)
        };
        let issued = self
            .issuer
            .issue(claims)
            .map_err(|_| ApiError::Unavailable)?;
        Ok(TokenPair {
            expires_in: issued.expires_in(),
            access_token: issued.token,
            token_type: if key.is_some() { "DPoP" } else { "Bearer" }.to_owned(),
            refresh_token,
        })
    }
}

fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::Conflict => ApiError::Conflict,
        StoreError::Unavailable(reason) => {
            tracing::warn!(%reason, "the store is unavailable");
            ApiError::Unavailable
        }
    }
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are 256 random bits, so a plain SHA-256 is enough to make the stored
/// value useless to a thief of the database (no salt or slow hash needed).
fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_stored_hashed() {
        let token = new_refresh_token();
        let hash = hash_refresh_token(&token);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&token));
        assert_ne!(token, new_refresh_token());
    }
}

//! Accounts: signup, login, refresh with rotation and reuse detection, logout with
//! revocation, over stores that are traits (a SQL implementation ships with the crate).
//!
//! The flows and the schema are described in `docs/accounts.md` of the repository.

mod password;
mod sql;
mod store;
mod throttle;

pub use password::PasswordHasher;
pub use sql::SqlStore;
pub use store::{RefreshToken, Rotation, StoreError, TokenStore, User, UserStore};
pub use throttle::LoginThrottle;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

use crate::api_error::ApiError;
use crate::claims::Claims;
use crate::config::Config;
use crate::error::AuthError;
use crate::issue::{random_id, Issuer};
use crate::revocation::RevocationList;
use crate::verify::unix_now;

/// A signup request: `{"name", "email", "password"}`.
#[derive(Clone, Deserialize)]
pub struct Signup {
    /// Display name.
    pub name: String,
    /// E-mail address; unique without regard to case.
    pub email: String,
    /// At least 8 characters.
    pub password: String,
}

/// Login credentials, from HTTP Basic, a form or JSON.
#[derive(Clone, Deserialize)]
pub struct Credentials {
    /// E-mail address, matched without regard to case.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A refresh request: `{"refresh_token"}`.
#[derive(Clone, Deserialize)]
pub struct RefreshRequest {
    /// The refresh token of the last login or refresh.
    pub refresh_token: String,
}

impl std::fmt::Debug for Signup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signup")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// What a client may see of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUser {
    /// The user id (`sub` of their tokens).
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
}

impl From<&User> for PublicUser {
    fn from(user: &User) -> Self {
        PublicUser {
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
        }
    }
}

/// The answer of `/login` and `/refresh` (RFC 6749 section 5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPair {
    /// The access token (a JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// An opaque refresh token, spent by its first use.
    pub refresh_token: String,
}

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
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("issuer", &self.issuer)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish_non_exhaustive()
    }
}

/// Longest password accepted: hashing is deliberately slow, so unbounded input is a lever.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

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
        }
    }

    /// Replaces the password hasher (e.g. other Argon2 parameters).
    pub fn password_hasher(mut self, hasher: PasswordHasher) -> Self {
        self.hasher = hasher;
        self
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
        let name = signup.name.trim();
        let email = signup.email.trim();
        validate_name(name)?;
        validate_email(email)?;
        validate_password(&signup.password)?;
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
            password_hash: self.hasher.hash(signup.password).await,
            created_at: unix_now(),
        };
        self.users.insert_user(&user).await.map_err(store_error)?;
        Ok(PublicUser::from(&user))
    }

    /// Checks credentials and starts a session.
    pub async fn login(&self, credentials: Credentials) -> Result<TokenPair, ApiError> {
        let key = email_key(credentials.email.trim());
        let now = unix_now();
        if let Err(retry_after) = self.throttle.check(&key, now) {
            return Err(ApiError::TooManyAttempts { retry_after });
        }
        let user = self.users.user_by_email(&key).await.map_err(store_error)?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        if !self.hasher.verify(credentials.password, hash).await {
            self.throttle.record_failure(&key, unix_now());
            return Err(ApiError::InvalidCredentials);
        }
        let user = user.ok_or(ApiError::InvalidCredentials)?;
        self.throttle.clear(&key);
        let session_id = random_id();
        let refresh_token = new_refresh_token();
        self.tokens
            .start_session(&RefreshToken {
                hash: hash_refresh_token(&refresh_token),
                session_id: session_id.clone(),
                user_id: user.id.clone(),
                issued_at: now,
                expires_at: now.saturating_add(self.refresh_ttl),
            })
            .await
            .map_err(store_error)?;
        self.pair(&user.id, &session_id, refresh_token)
    }

    /// Spends a refresh token for a new pair. A spent token presented again ends its whole
    /// session: its refresh tokens and its access tokens stop working.
    pub async fn refresh(&self, request: RefreshRequest) -> Result<TokenPair, ApiError> {
        let old_hash = hash_refresh_token(&request.refresh_token);
        let next = new_refresh_token();
        let now = unix_now();
        let rotation = self
            .tokens
            .rotate(
                &old_hash,
                &hash_refresh_token(&next),
                now.saturating_add(self.refresh_ttl),
                now,
            )
            .await
            .map_err(store_error)?;
        match rotation {
            Rotation::Rotated {
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
                    return Err(ApiError::InvalidRefreshToken);
                }
                self.pair(&user_id, &session_id, next)
            }
            Rotation::Reused { session_id } => {
                tracing::warn!("a spent refresh token was presented again; ending its session");
                self.end_session(&session_id, now, self.session_revoked_until(now))
                    .await?;
                Err(ApiError::InvalidRefreshToken)
            }
            Rotation::Invalid => Err(ApiError::InvalidRefreshToken),
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
        if let Some(jti) = &claims.jti {
            self.revocations.revoke(jti, exp);
        }
        if let Some(session_id) = &claims.sid {
            let until = self.session_revoked_until(now).max(exp);
            self.end_session(session_id, now, until).await?;
        }
        if let Some(jti) = &claims.jti {
            self.tokens.revoke(jti, exp).await.map_err(store_error)?;
        }
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
    ) -> Result<TokenPair, ApiError> {
        let claims = Claims {
            sid: Some(session_id.to_owned()),
            ..Claims::for_subject(user_id)
        };
        let issued = self
            .issuer
            .issue(claims)
            .map_err(|_| ApiError::Unavailable)?;
        Ok(TokenPair {
            expires_in: issued.expires_in(),
            access_token: issued.token,
            token_type: "Bearer".to_owned(),
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

/// The form of an e-mail address used for lookups and uniqueness: lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
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

fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name must be at most 200 characters, without control characters",
        ));
    }
    Ok(())
}

fn validate_email(email: &str) -> Result<(), ApiError> {
    let invalid = || ApiError::invalid("email is not a valid address");
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(invalid());
    }
    Ok(())
}

fn validate_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::invalid("password must be at least 8 characters"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::invalid("password must be at most 1024 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org", "Zoë@exämple.de"] {
            assert!(validate_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@.b.co", "a@b.co.", "a b@c.de", "a@b..co", "a@b@c.de",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_rules_count_characters() {
        assert!(validate_password("1234567").is_err());
        assert!(validate_password("12345678").is_ok());
        assert!(
            validate_password("ééééééé").is_err(),
            "7 characters, 14 bytes"
        );
        assert!(validate_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn debug_never_shows_passwords_or_refresh_tokens() {
        let signup = Signup {
            name: "n".into(),
            email: "e@x.co".into(),
            password: "hunter2hunter2".into(),
        };
        let credentials = Credentials {
            email: "e@x.co".into(),
            password: "hunter2hunter2".into(),
        };
        let refresh = RefreshRequest {
            refresh_token: "rt-secret-value".into(),
        };
        let shown = format!("{signup:?} {credentials:?} {refresh:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("rt-secret"),
            "{shown}"
        );
    }

    #[test]
    fn refresh_tokens_are_stored_hashed() {
        let token = new_refresh_token();
        let hash = hash_refresh_token(&token);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&token));
        assert_ne!(token, new_refresh_token());
    }
}

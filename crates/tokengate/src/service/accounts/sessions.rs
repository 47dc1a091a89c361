//! A user's logins, seen and ended by the user: the list, ending one or all, a password
//! change that ends every other login, RFC 7009 revocation of a refresh token, and the feed
//! of revocations for verifiers without the database.

use super::password::PasswordCheck;
use super::wire::{self, email_key, PasswordChange, SessionSummary};
use super::{hash_refresh_token, store_error, Accounts};
use crate::gate::revocation::{RevocationPage, RevokedId};
use crate::service::api_error::ApiError;
use crate::service::audit::{AuditEvent, AuditKind};
use crate::token::claims::Claims;
use crate::token::error::AuthError;
use crate::token::time::unix_now;

/// How far before its cursor the feed reads again, so that a revocation committed a little
/// late by another instance (with an earlier timestamp) is never skipped. Merging a
/// revocation twice changes nothing.
const FEED_OVERLAP_MS: u64 = 5_000;
/// The most revocations one page of the feed holds.
const FEED_PAGE: usize = 1_000;

impl Accounts {
    /// The live logins of the token's user, the token's own marked `current`.
    pub async fn sessions<E>(&self, claims: &Claims<E>) -> Result<Vec<SessionSummary>, ApiError> {
        let user_id = subject(claims)?;
        let sessions = self
            .tokens
            .live_sessions(user_id, unix_now())
            .await
            .map_err(store_error)?;
        Ok(sessions
            .into_iter()
            .map(|session| SessionSummary {
                current: claims.sid.as_deref() == Some(session.id.as_str()),
                id: session.id,
                created_at: session.created_at,
                last_used_at: session.last_used_at,
            })
            .collect())
    }

    /// Ends the login `session_id` of the token's user, at once and on every instance;
    /// [`ApiError::NotFound`] when it is not one of the user's live logins.
    pub async fn end_session_of<E>(
        &self,
        claims: &Claims<E>,
        session_id: &str,
    ) -> Result<(), ApiError> {
        let user_id = subject(claims)?;
        let now = unix_now();
        let live = self
            .tokens
            .live_sessions(user_id, now)
            .await
            .map_err(store_error)?;
        if !live.iter().any(|session| session.id == session_id) {
            return Err(ApiError::NotFound("session"));
        }
        self.end_session(session_id, now, self.session_revoked_until(now))
            .await?;
        self.audit_ended(user_id, session_id, "user");
        Ok(())
    }

    /// Logs the token's user out everywhere: every login ends, the token's own included.
    pub async fn end_sessions_of<E>(&self, claims: &Claims<E>) -> Result<(), ApiError> {
        let user_id = subject(claims)?;
        let ended = self.end_logins_of_user(user_id, None, "everywhere").await?;
        // The token's own login may have no live refresh token left (spent, expired) and
        // still have live access tokens.
        if let Some(sid) = claims.sid.as_deref() {
            let now = unix_now();
            self.end_session(sid, now, self.session_revoked_until(now))
                .await?;
            if !ended.iter().any(|id| id == sid) {
                self.audit_ended(user_id, sid, "everywhere");
            }
        }
        Ok(())
    }

    /// Ends every live login of user `user_id` but `keep`, at once and on every instance
    /// (`tokengate user logout`, with `how` = `operator` in the audit log); the ids of those
    /// that ended.
    pub async fn end_logins_of_user(
        &self,
        user_id: &str,
        keep: Option<&str>,
        how: &'static str,
    ) -> Result<Vec<String>, ApiError> {
        let now = unix_now();
        let live = self
            .tokens
            .live_sessions(user_id, now)
            .await
            .map_err(store_error)?;
        let ending: Vec<_> = live
            .iter()
            .filter(|session| Some(session.id.as_str()) != keep)
            .collect();
        let mut ended = Vec::with_capacity(ending.len());
        for session in ending {
            self.end_session(&session.id, now, self.session_revoked_until(now))
                .await?;
            self.audit_ended(user_id, &session.id, how);
            ended.push(session.id.clone());
        }
        Ok(ended)
    }

    /// Records that the login `session_id` of `user_id` ended, and why.
    fn audit_ended(&self, user_id: &str, session_id: &str, how: &'static str) {
        self.record(AuditEvent {
            sub: Some(user_id),
            login: Some(session_id),
            how: Some(how),
            ..AuditEvent::new(AuditKind::LoginEnded)
        });
    }

    /// Changes the token's user's password: the current one must be right (a wrong one is
    /// [`ApiError::WrongPassword`] and counts toward the login throttle), the new one follows
    /// the signup rules; every other login of the user ends.
    pub async fn change_password<E>(
        &self,
        claims: &Claims<E>,
        change: PasswordChange,
    ) -> Result<(), ApiError> {
        wire::validate_password(&change.new_password)?;
        let user_id = subject(claims)?;
        let user = self
            .users
            .user_by_id(user_id)
            .await
            .map_err(store_error)?
            .ok_or(AuthError::UnknownSubject)?;
        let key = email_key(&user.email);
        let locked = self
            .throttle
            .check_shared(&key, unix_now())
            .await
            .map_err(store_error)?;
        if let Err(retry_after) = locked {
            return Err(ApiError::TooManyAttempts { retry_after });
        }
        let check = self
            .hasher
            .verify(change.current_password, Some(user.password_hash.clone()))
            .await?;
        if check == PasswordCheck::Wrong {
            self.record(AuditEvent {
                sub: Some(&user.id),
                login: claims.sid.as_deref(),
                email: Some(&key),
                ..AuditEvent::new(AuditKind::LoginFailed)
            });
            self.throttle
                .record_failure_shared(&key, unix_now())
                .await
                .map_err(store_error)?;
            return Err(ApiError::WrongPassword);
        }
        let new_hash = self.hasher.hash(change.new_password).await?;
        let replaced = self
            .users
            .replace_password_hash(&user.id, &user.password_hash, &new_hash)
            .await
            .map_err(store_error)?;
        if !replaced {
            // Changed by another request in between: this one's current password is not
            // current any more.
            return Err(ApiError::WrongPassword);
        }
        self.record(AuditEvent {
            sub: Some(&user.id),
            login: claims.sid.as_deref(),
            ..AuditEvent::new(AuditKind::PasswordChanged)
        });
        self.end_logins_of_user(&user.id, claims.sid.as_deref(), "password_changed")
            .await?;
        Ok(())
    }

    /// RFC 7009 for a refresh token: ends its login if it is one of this service's (spent or
    /// not) and the login has not ended; anything else changes nothing. `true` when a login
    /// ended.
    pub async fn revoke_refresh_token(&self, token: &str) -> Result<bool, ApiError> {
        let session = self
            .tokens
            .session_of_refresh(&hash_refresh_token(token))
            .await
            .map_err(store_error)?;
        let Some((session_id, user_id)) = session else {
            return Ok(false);
        };
        let now = unix_now();
        self.end_session(&session_id, now, self.session_revoked_until(now))
            .await?;
        self.audit_ended(&user_id, &session_id, "revoked");
        Ok(true)
    }

    /// The revocations written after `cursor` (milliseconds since the Unix epoch, `0` for
    /// all) that are still in force, and the cursor to ask with next.
    pub async fn revocation_page(&self, cursor: u64) -> Result<RevocationPage, ApiError> {
        let entries = self
            .tokens
            .revocations_after(
                cursor.saturating_sub(FEED_OVERLAP_MS),
                unix_now(),
                FEED_PAGE,
            )
            .await
            .map_err(store_error)?;
        let next = entries
            .iter()
            .map(|entry| entry.recorded_at_ms)
            .fold(cursor, u64::max);
        Ok(RevocationPage {
            revocations: entries
                .into_iter()
                .map(|entry| RevokedId {
                    id: entry.id,
                    until: entry.until,
                })
                .collect(),
            cursor: next.to_string(),
        })
    }
}

fn subject<E>(claims: &Claims<E>) -> Result<&str, ApiError> {
    claims
        .sub
        .as_deref()
        .ok_or_else(|| AuthError::MissingClaim("sub").into())
}

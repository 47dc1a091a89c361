//! The SQL store's login sessions: refresh tokens, their rotation with the grace for tabs
//! refreshing at once, and revocations.

use async_trait::async_trait;
use sqlx::Row;

use super::sql::{to_i64, to_u64, unavailable, SqlStore, REVOCATION_CHANNEL};
use super::store::{RefreshToken, RevocationEntry, Rotation, SessionInfo, StoreError, TokenStore};

/// Now, in milliseconds since the Unix epoch: when a revocation is written (the feed's
/// cursor).
pub(super) fn now_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// The name of the successor secret in `tokengate_secrets`.
const SUCCESSOR_SECRET: &str = "refresh_successor";

#[async_trait]
impl TokenStore for SqlStore {
    async fn start_session(
        &self,
        first: &RefreshToken,
        key: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        sqlx::query(
            "INSERT INTO tokengate_sessions (id, user_id, created_at, dpop_jkt) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&first.session_id)
        .bind(&first.user_id)
        .bind(to_i64(first.issued_at))
        .bind(key)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        insert_refresh(&mut tx, first).await?;
        tx.commit().await.map_err(unavailable)
    }

    async fn binding_of_refresh(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT s.dpop_jkt FROM tokengate_refresh_tokens t \
             JOIN tokengate_sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        match row {
            Some(row) => row.try_get("dpop_jkt").map_err(unavailable),
            None => Ok(None),
        }
    }

    async fn rotate(
        &self,
        old_hash: &str,
        next_hash: &str,
        next_expires_at: u64,
        now: u64,
        grace_secs: u64,
    ) -> Result<Rotation, StoreError> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // One statement spends the token only if it is live, so two concurrent rotations
        // cannot both succeed.
        let spent = sqlx::query(
            "UPDATE tokengate_refresh_tokens SET spent_at = $1, successor_hash = $3 \
             WHERE token_hash = $2 AND spent_at IS NULL AND expires_at > $1 \
             AND session_id IN (SELECT id FROM tokengate_sessions WHERE revoked_at IS NULL) \
             RETURNING session_id, user_id",
        )
        .bind(to_i64(now))
        .bind(old_hash)
        .bind(next_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let outcome = match spent {
            Some(row) => {
                let session_id: String = row.try_get("session_id").map_err(unavailable)?;
                let user_id: String = row.try_get("user_id").map_err(unavailable)?;
                let next = RefreshToken {
                    hash: next_hash.to_owned(),
                    session_id: session_id.clone(),
                    user_id: user_id.clone(),
                    issued_at: now,
                    expires_at: next_expires_at,
                };
                insert_refresh(&mut tx, &next).await?;
                Rotation::Rotated {
                    user_id,
                    session_id,
                }
            }
            None => spent_outcome(&mut tx, old_hash, next_hash, now, grace_secs).await?,
        };
        tx.commit().await.map_err(unavailable)?;
        Ok(outcome)
    }

    async fn revocations_after(
        &self,
        after_ms: u64,
        now: u64,
        limit: usize,
    ) -> Result<Vec<RevocationEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, revoked_until, recorded_at FROM tokengate_revocations \
             WHERE recorded_at > $1 AND revoked_until > $2 ORDER BY recorded_at, id LIMIT $3",
        )
        .bind(to_i64(after_ms))
        .bind(to_i64(now))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        rows.iter()
            .map(|row| {
                Ok(RevocationEntry {
                    id: row.try_get("id").map_err(unavailable)?,
                    until: to_u64(row.try_get("revoked_until").map_err(unavailable)?),
                    recorded_at_ms: to_u64(row.try_get("recorded_at").map_err(unavailable)?),
                })
            })
            .collect()
    }

    async fn live_sessions(&self, user_id: &str, now: u64) -> Result<Vec<SessionInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.created_at, MAX(t.created_at) AS last_used_at \
             FROM tokengate_sessions s JOIN tokengate_refresh_tokens t ON t.session_id = s.id \
             WHERE s.user_id = $1 AND s.revoked_at IS NULL \
             GROUP BY s.id, s.created_at \
             HAVING MAX(CASE WHEN t.spent_at IS NULL AND t.expires_at > $2 THEN 1 ELSE 0 END) = 1 \
             ORDER BY s.created_at, s.id",
        )
        .bind(user_id)
        .bind(to_i64(now))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        rows.iter()
            .map(|row| {
                Ok(SessionInfo {
                    id: row.try_get("id").map_err(unavailable)?,
                    created_at: to_u64(row.try_get("created_at").map_err(unavailable)?),
                    last_used_at: to_u64(row.try_get("last_used_at").map_err(unavailable)?),
                })
            })
            .collect()
    }

    async fn session_of_refresh(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT t.session_id, t.user_id FROM tokengate_refresh_tokens t \
             JOIN tokengate_sessions s ON s.id = t.session_id \
             WHERE t.token_hash = $1 AND s.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        row.map(|row| {
            Ok((
                row.try_get("session_id").map_err(unavailable)?,
                row.try_get("user_id").map_err(unavailable)?,
            ))
        })
        .transpose()
    }

    async fn successor_secret(&self) -> Result<Vec<u8>, StoreError> {
        // The first instance to ask makes it; the others, racing or later, read that one.
        let mut candidate = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut candidate);
        let candidate: String = candidate.iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query(
            "INSERT INTO tokengate_secrets (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(SUCCESSOR_SECRET)
        .bind(&candidate)
        .execute(&self.pool)
        .await
        .map_err(unavailable)?;
        let row = sqlx::query("SELECT value FROM tokengate_secrets WHERE name = $1")
            .bind(SUCCESSOR_SECRET)
            .fetch_one(&self.pool)
            .await
            .map_err(unavailable)?;
        let value: String = row.try_get("value").map_err(unavailable)?;
        Ok(value.into_bytes())
    }

    async fn end_session(&self, session_id: &str, now: u64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tokengate_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(to_i64(now))
        .bind(session_id)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(unavailable)
    }

    async fn revoke(&self, id: &str, until: u64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tokengate_revocations (id, revoked_until, recorded_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET recorded_at = excluded.recorded_at, \
             revoked_until = CASE \
             WHEN excluded.revoked_until > tokengate_revocations.revoked_until \
             THEN excluded.revoked_until ELSE tokengate_revocations.revoked_until END",
        )
        .bind(id)
        .bind(to_i64(until))
        .bind(now_millis())
        .execute(&self.pool)
        .await
        .map_err(unavailable)?;
        if self.postgres {
            // The row is committed: an instance that hears this, or one that catches up
            // from the table after missing it, learns the same revocation.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(REVOCATION_CHANNEL)
                .bind(format!("{until} {id}"))
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn revocations(&self, now: u64) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, revoked_until FROM tokengate_revocations WHERE revoked_until > $1",
        )
        .bind(to_i64(now))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("id").map_err(unavailable)?,
                    to_u64(row.try_get("revoked_until").map_err(unavailable)?),
                ))
            })
            .collect()
    }
}

async fn insert_refresh(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    token: &RefreshToken,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tokengate_refresh_tokens (token_hash, session_id, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token.hash)
    .bind(&token.session_id)
    .bind(&token.user_id)
    .bind(to_i64(token.issued_at))
    .bind(to_i64(token.expires_at))
    .execute(&mut **tx)
    .await
    .map(|_| ())
    .map_err(unavailable)
}

/// What a token that could not be spent is: unknown or expired ([`Rotation::Invalid`]),
/// presented again within the grace while its successor waits unspent in a live session
/// ([`Rotation::Replayed`]), or reused.
async fn spent_outcome(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    old_hash: &str,
    next_hash: &str,
    now: u64,
    grace_secs: u64,
) -> Result<Rotation, StoreError> {
    let row = sqlx::query(
        "SELECT t.session_id, t.user_id, t.spent_at, t.successor_hash, s.revoked_at \
         FROM tokengate_refresh_tokens t JOIN tokengate_sessions s ON s.id = t.session_id \
         WHERE t.token_hash = $1",
    )
    .bind(old_hash)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unavailable)?;
    let Some(row) = row else {
        return Ok(Rotation::Invalid);
    };
    let Some(spent_at) = row
        .try_get::<Option<i64>, _>("spent_at")
        .map_err(unavailable)?
    else {
        // Live but not spendable: expired, or its session ended.
        return Ok(Rotation::Invalid);
    };
    let session_id: String = row.try_get("session_id").map_err(unavailable)?;
    let successor: Option<String> = row.try_get("successor_hash").map_err(unavailable)?;
    let session_live = row
        .try_get::<Option<i64>, _>("revoked_at")
        .map_err(unavailable)?
        .is_none();
    let within_grace = now < to_u64(spent_at).saturating_add(grace_secs);
    if within_grace && session_live && successor.as_deref() == Some(next_hash) {
        let successor_live = sqlx::query(
            "SELECT token_hash FROM tokengate_refresh_tokens \
             WHERE token_hash = $1 AND spent_at IS NULL AND expires_at > $2",
        )
        .bind(next_hash)
        .bind(to_i64(now))
        .fetch_optional(&mut **tx)
        .await
        .map_err(unavailable)?
        .is_some();
        if successor_live {
            return Ok(Rotation::Replayed {
                user_id: row.try_get("user_id").map_err(unavailable)?,
                session_id,
            });
        }
    }
    if !session_live {
        // The login has already ended: nothing more to end.
        return Ok(Rotation::Invalid);
    }
    Ok(Rotation::Reused { session_id })
}

//! Failed logins kept in the SQL store, so that instances sharing one database throttle
//! together (see [`LoginThrottle::shared`](super::LoginThrottle::shared)).

use async_trait::async_trait;
use sqlx::Row;
use std::sync::atomic::{AtomicU64, Ordering};

use super::sql::{to_i64, to_u64, unavailable};
use super::store::{LoginFailures, StoreError};
use super::SqlStore;

/// Failures recorded by this process, to sweep every address's stale rows now and then.
static FAILURES_SEEN: AtomicU64 = AtomicU64::new(0);
/// One failure in this many sweeps the stale rows of every address.
const SWEEP_EVERY: u64 = 100;

#[async_trait]
impl LoginFailures for SqlStore {
    async fn failures_since(&self, key: &str, since: u64) -> Result<(usize, u64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS failures, COALESCE(MIN(failed_at), 0) AS oldest \
             FROM tokengate_login_failures WHERE key = $1 AND failed_at > $2",
        )
        .bind(key)
        .bind(to_i64(since))
        .fetch_one(self.pool())
        .await
        .map_err(unavailable)?;
        let failures: i64 = row.try_get("failures").map_err(unavailable)?;
        let oldest: i64 = row.try_get("oldest").map_err(unavailable)?;
        Ok((
            usize::try_from(failures).unwrap_or(usize::MAX),
            to_u64(oldest),
        ))
    }

    async fn record_failure(
        &self,
        key: &str,
        at: u64,
        forget_until: u64,
    ) -> Result<(), StoreError> {
        // One insert per failure is atomic by itself: concurrent failures on several
        // instances all count. Stale rows of this address go in the same breath, and every
        // so often those of every address, so that the counters of addresses never tried
        // again expire too.
        let stale = if FAILURES_SEEN
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            sqlx::query("DELETE FROM tokengate_login_failures WHERE failed_at <= $1")
                .bind(to_i64(forget_until))
        } else {
            sqlx::query("DELETE FROM tokengate_login_failures WHERE key = $1 AND failed_at <= $2")
                .bind(key)
                .bind(to_i64(forget_until))
        };
        stale.execute(self.pool()).await.map_err(unavailable)?;
        sqlx::query("INSERT INTO tokengate_login_failures (key, failed_at) VALUES ($1, $2)")
            .bind(key)
            .bind(to_i64(at))
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM tokengate_login_failures WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(unavailable)
    }
}

//! The SQL store: SQLite (embedded, the default) or PostgreSQL, chosen by the URL, through
//! one set of portable queries on `sqlx`'s `Any` driver.

use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::Duration;

use super::store::{StoreError, User, UserStore};

/// Migrations shipped with the crate, applied in order on [`SqlStore::connect`].
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/0001_accounts.sql")),
    (
        2,
        include_str!("../../../migrations/0002_login_failures.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/0003_refresh_grace.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/0004_sessions_and_feed.sql"),
    ),
    (5, include_str!("../../../migrations/0005_dpop.sql")),
];

/// The PostgreSQL channel on which instances announce revocations to each other.
pub(crate) const REVOCATION_CHANNEL: &str = "tokengate_revocations";

/// Users, sessions, refresh tokens and revocations in SQLite or PostgreSQL.
///
/// ```no_run
/// # async fn run() -> Result<(), tokengate::service::accounts::StoreError> {
/// use tokengate::service::accounts::SqlStore;
/// let store = SqlStore::connect("sqlite://tokengate.db").await?; // created if missing
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(super) pool: AnyPool,
    /// PostgreSQL rather than SQLite: revocations are also announced with `NOTIFY`.
    pub(super) postgres: bool,
}

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH`, `sqlite::memory:`, `postgres://…`), creating a
    /// SQLite file if it is missing, and applies the migrations.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(3));
        let url = if url.starts_with("sqlite::memory:") {
            // Every connection to :memory: is a database of its own: keep exactly one, forever.
            options = options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
            url.to_owned()
        } else if url.starts_with("sqlite:") && !url.contains('?') {
            options = options.max_connections(8);
            format!("{url}?mode=rwc")
        } else {
            options = options.max_connections(16);
            url.to_owned()
        };
        let pool = options.connect(&url).await.map_err(unavailable)?;
        let store = SqlStore {
            pool,
            postgres: url.starts_with("postgres"),
        };
        store.migrate(store.postgres).await?;
        Ok(store)
    }

    /// The connection pool, for apps that keep their own tables beside tokengate's.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    async fn migrate(&self, postgres: bool) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(unavailable)?;
        // Instances starting together would race on CREATE TABLE (PostgreSQL's catalog
        // reports a unique violation); one at a time. SQLite serializes writers itself.
        if postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await
                .map_err(unavailable)?;
        }
        let result = apply_migrations(&mut conn).await;
        if postgres {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await
                .map_err(unavailable)?;
        }
        result
    }

    /// Whether this is a PostgreSQL store (shared by instances) rather than SQLite.
    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Advisory lock key for migrations ("tkngate" in ASCII).
const MIGRATION_LOCK: i64 = 0x0074_6b6e_6761_7465;

async fn apply_migrations(conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS tokengate_schema (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    for (version, sql) in MIGRATIONS {
        let applied = sqlx::query("SELECT version FROM tokengate_schema WHERE version = $1")
            .bind(*version)
            .fetch_optional(&mut *conn)
            .await
            .map_err(unavailable)?;
        if applied.is_some() {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(unavailable)?;
        // Statements end with ';' at a line end; the migrations hold no ';' inside literals.
        for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
        }
        sqlx::query("INSERT INTO tokengate_schema (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(now_i64())
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
    }
    Ok(())
}

pub(super) fn now_i64() -> i64 {
    to_i64(crate::token::verify::unix_now())
}

pub(super) fn to_i64(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

pub(super) fn to_u64(seconds: i64) -> u64 {
    u64::try_from(seconds).unwrap_or(0)
}

/// A store error with a reason fit for logs and start-up messages: what went wrong, never
/// the connection URL (which may hold a password).
pub(super) fn unavailable(error: sqlx::Error) -> StoreError {
    StoreError::Unavailable(match &error {
        sqlx::Error::PoolTimedOut => "timed out waiting for a database connection".to_owned(),
        sqlx::Error::Io(io) => format!("cannot reach the database: {}", io.kind()),
        sqlx::Error::Tls(_) => "TLS to the database failed".to_owned(),
        sqlx::Error::Configuration(_) => "the database URL is not valid".to_owned(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => format!("the database failed ({})", error_kind(other)),
    })
}

fn error_kind(error: &sqlx::Error) -> &'static str {
    match error {
        sqlx::Error::Protocol(_) => "protocol error",
        sqlx::Error::RowNotFound => "row not found",
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => "unexpected data",
        sqlx::Error::PoolClosed => "pool closed",
        sqlx::Error::WorkerCrashed => "worker crashed",
        sqlx::Error::Migrate(_) => "migration failed",
        _ => "other error",
    }
}

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let get = |column: &str| row.try_get::<String, _>(column).map_err(unavailable);
    Ok(User {
        id: get("id")?,
        email: get("email")?,
        name: get("name")?,
        password_hash: get("password_hash")?,
        created_at: to_u64(row.try_get::<i64, _>("created_at").map_err(unavailable)?),
    })
}

const USER_COLUMNS: &str = "id, email, name, password_hash, created_at";

#[async_trait]
impl UserStore for SqlStore {
    async fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO tokengate_users (id, email, email_key, name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(super::email_key(&user.email))
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(to_i64(user.created_at))
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(StoreError::Conflict),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM tokengate_users WHERE email_key = $1");
        let row = sqlx::query(&sql)
            .bind(super::email_key(email))
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM tokengate_users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM tokengate_users ORDER BY created_at, id");
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn replace_password_hash(
        &self,
        id: &str,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let sql =
            "UPDATE tokengate_users SET password_hash = $1 WHERE id = $2 AND password_hash = $3";
        let replaced = sqlx::query(sql)
            .bind(new)
            .bind(id)
            .bind(old)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(replaced.rows_affected() > 0)
    }

    async fn delete_user(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let deleted = sqlx::query("DELETE FROM tokengate_users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?
            .rows_affected();
        sqlx::query("UPDATE tokengate_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now_i64())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(deleted > 0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }
}

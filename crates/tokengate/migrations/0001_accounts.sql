-- Users, login sessions (refresh-token families), refresh tokens and revocations.
-- Portable between SQLite and PostgreSQL: TEXT ids, BIGINT Unix seconds.
CREATE TABLE IF NOT EXISTS tokengate_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    -- The e-mail address in lower case: uniqueness without regard to case.
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokengate_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE TABLE IF NOT EXISTS tokengate_refresh_tokens (
    -- SHA-256 of the refresh token, hex: the token itself is never stored.
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    spent_at BIGINT
);
CREATE INDEX IF NOT EXISTS tokengate_refresh_tokens_session ON tokengate_refresh_tokens (session_id);
CREATE TABLE IF NOT EXISTS tokengate_revocations (
    -- A revoked access-token jti or session id.
    id TEXT PRIMARY KEY,
    revoked_until BIGINT NOT NULL
)

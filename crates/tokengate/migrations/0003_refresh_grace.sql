-- The refresh grace: a spent refresh token names the SHA-256 of its successor, so that the
-- same token presented again within the grace (another tab refreshing at the same moment)
-- gets that same successor back. The successor itself is derived again from the presented
-- token with the secret below; no token is stored.
ALTER TABLE tokengate_refresh_tokens ADD COLUMN successor_hash TEXT;
CREATE TABLE IF NOT EXISTS tokengate_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
)

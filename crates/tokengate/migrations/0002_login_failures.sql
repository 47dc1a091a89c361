-- Failed logins, one row each, so that every instance on one database counts them together.
-- `key` is the e-mail address in lower case; rows older than the throttle window are swept.
CREATE TABLE IF NOT EXISTS tokengate_login_failures (
    key TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokengate_login_failures_key ON tokengate_login_failures (key, failed_at);
CREATE INDEX IF NOT EXISTS tokengate_login_failures_age ON tokengate_login_failures (failed_at);

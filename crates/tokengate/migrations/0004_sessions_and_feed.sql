-- Session management and the revocation feed: a user's logins are listed by user, and
-- each revocation records when it was written (milliseconds since the Unix epoch), the
-- cursor of GET /revocations.
CREATE INDEX IF NOT EXISTS tokengate_sessions_user ON tokengate_sessions (user_id);
ALTER TABLE tokengate_revocations ADD COLUMN recorded_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS tokengate_revocations_recorded ON tokengate_revocations (recorded_at)

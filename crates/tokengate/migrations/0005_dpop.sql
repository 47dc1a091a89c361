-- DPoP: a login started with a proof is bound to the proof's key (its RFC 7638 thumbprint):
-- every access token of the login carries it as cnf.jkt, and its refresh tokens are spent
-- only with a proof by that key.
ALTER TABLE tokengate_sessions ADD COLUMN dpop_jkt TEXT

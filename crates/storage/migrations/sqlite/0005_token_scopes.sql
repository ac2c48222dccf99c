-- Token scopes and life. Keep migrations/postgres/0005_token_scopes.sql in step.
-- `read_write` or `read_only`.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write';
-- The first characters of the token, to tell tokens apart in lists.
ALTER TABLE api_tokens ADD COLUMN prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
-- Accurate to a minute: written at most once a minute per token.
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX api_tokens_by_account ON api_tokens (account_id, id);

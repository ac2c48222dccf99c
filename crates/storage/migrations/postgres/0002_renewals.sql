-- Renewals and expiry. Keep migrations/sqlite/0002_renewals.sql in step.

-- After a failed auto-renewal, the next attempt is not before this time.
ALTER TABLE domains ADD COLUMN renew_attempt_at TIMESTAMPTZ;
-- The most urgent expiry warning (30, 7 or 1 days) mailed for this term.
ALTER TABLE domains ADD COLUMN warned_days BIGINT;
CREATE INDEX domains_by_expiration ON domains (expiration_date);

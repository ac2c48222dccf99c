-- Delivering the outbox over SMTP. Keep migrations/sqlite/0004_mail_delivery.sql in step.
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
-- Not before this time (backoff after a failed attempt).
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMPTZ;
-- A sender holds the mail until this time (a lease: a sender that died lets go).
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
-- Set when the relay refused the mail for good (a permanent 5xx).
ALTER TABLE outbox ADD COLUMN gave_up_at TIMESTAMPTZ;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND gave_up_at IS NULL;

-- Idempotency keys (the `Idempotency-Key` header on POSTs), kept 24 hours.
-- Keep migrations/sqlite/0003_idempotency.sql in step.
CREATE TABLE idempotency_keys (
    account_id    BIGINT      NOT NULL REFERENCES accounts (id),
    key           TEXT        NOT NULL,
    request_hash  TEXT        NOT NULL,
    -- NULL while the first request is still running.
    status_code   BIGINT,
    response_body TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

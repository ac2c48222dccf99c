-- The first schema. Keep migrations/postgres/0001_init.sql in step with it.
-- Times are RFC 3339 text in UTC, whole seconds, so text order is time order.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL,
    balance_cents INTEGER NOT NULL CHECK (balance_cents >= 0),
    created_at    TEXT    NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL
);

CREATE TABLE domains (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id            INTEGER NOT NULL REFERENCES accounts (id),
    domain_name           TEXT    NOT NULL UNIQUE,
    status                TEXT    NOT NULL,
    registration_date     TEXT    NOT NULL,
    expiration_date       TEXT    NOT NULL,
    auto_renew            BOOLEAN NOT NULL,
    locked                BOOLEAN NOT NULL,
    privacy_protection    BOOLEAN NOT NULL,
    nameservers           TEXT    NOT NULL,
    registrar             TEXT    NOT NULL,
    activates_at          TEXT,
    registration_cost_cents INTEGER,
    transfer_status       TEXT,
    transfer_initiated_at TEXT,
    transfer_completes_at TEXT,
    transfer_cost_cents   INTEGER,
    removed_at            TEXT,
    updated_at            TEXT    NOT NULL
);
CREATE INDEX domains_by_account ON domains (account_id, id);
CREATE INDEX domains_due_activation ON domains (activates_at) WHERE status = 'pending';
CREATE INDEX domains_due_transfer ON domains (transfer_completes_at) WHERE transfer_status = 'pending';

CREATE TABLE ledger (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts (id),
    kind                TEXT    NOT NULL,
    amount_cents        INTEGER NOT NULL,
    balance_after_cents INTEGER NOT NULL,
    domain_id           INTEGER,
    domain_name         TEXT,
    description         TEXT    NOT NULL,
    created_at          TEXT    NOT NULL
);
CREATE INDEX ledger_by_account ON ledger (account_id, id);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    recipient  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    sent_at    TEXT
);

CREATE TABLE registry_names (
    name                TEXT    PRIMARY KEY,
    registrar           TEXT    NOT NULL,
    auth_code           TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    expires_at          TEXT    NOT NULL,
    last_transferred_at TEXT,
    transfer_prohibited BOOLEAN NOT NULL,
    nameservers         TEXT    NOT NULL,
    pending_transfer_to TEXT,
    updated_at          TEXT    NOT NULL
);

-- The fee a registry told for one command on a premium name (RFC 8748
-- <fee:fee>), which the customer was charged for: the registry command
-- carries it, and so does the worker's retry of that command, so a fee the
-- registry raised meanwhile is refused there (2004) instead of being asked
-- and paid again. One row per domain and command (create, renew). Keep
-- migrations/postgres/0021_agreed_registry_fees.sql in step.
CREATE TABLE agreed_registry_fees (
    domain_id  INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    command    TEXT    NOT NULL CHECK (command IN ('create', 'renew', 'transfer', 'restore')),
    currency   TEXT    NOT NULL,
    cents      INTEGER NOT NULL CHECK (cents >= 0),
    agreed_at  TEXT NOT NULL,
    PRIMARY KEY (domain_id, command)
);

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

-- The sandbox registry's change poll messages (RFC 8590): what the
-- registry's operator did to a registrar's name (renewed it, deleted it,
-- ...), queued to its sponsoring registrar beside the transfer messages of
-- registry_poll_messages (both handed out oldest first; these with msgID
-- "c" and their id).
CREATE TABLE registry_change_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id  TEXT NOT NULL,
    queued_at  TEXT NOT NULL,
    message    TEXT NOT NULL,
    name       TEXT NOT NULL,
    operation  TEXT NOT NULL,
    who        TEXT NOT NULL,
    reason     TEXT,
    sv_trid    TEXT NOT NULL
);
CREATE INDEX registry_change_messages_queue ON registry_change_messages (client_id, id);

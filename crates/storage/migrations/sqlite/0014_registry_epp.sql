-- The sandbox registry served over EPP (RFC 5730-5734): the registrars
-- that log in to it, their poll queues and the host objects (RFC 5732).
-- Keep migrations/postgres/0014 in step.

-- When the pending transfer was asked for (EPP reDate; NULL when none is
-- pending), and which registrar created the name (EPP crID).
ALTER TABLE registry_names ADD COLUMN transfer_requested_at TEXT;
ALTER TABLE registry_names ADD COLUMN created_by TEXT;
UPDATE registry_names SET created_by = registrar;
CREATE TRIGGER registry_names_created_by AFTER INSERT ON registry_names
WHEN NEW.created_by IS NULL
BEGIN
    UPDATE registry_names SET created_by = NEW.registrar WHERE name = NEW.name;
END;

-- A registrar of the sandbox registry: its EPP clID and the argon2 hash of
-- its password (a PHC string).
CREATE TABLE registry_registrars (
    client_id     TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A registrar's poll queue (RFC 5730 §2.9.2.3): each message reports a
-- transfer's state (RFC 5731 §3.1.3 <domain:trnData>).
CREATE TABLE registry_poll_messages (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id            TEXT NOT NULL,
    queued_at            TEXT NOT NULL,
    message              TEXT NOT NULL,
    name                 TEXT NOT NULL,
    tr_status            TEXT NOT NULL CHECK (tr_status IN ('pending', 'clientApproved',
        'clientRejected', 'clientCancelled', 'serverApproved', 'serverCancelled')),
    requesting_registrar TEXT NOT NULL,
    requested_at         TEXT NOT NULL,
    acting_registrar     TEXT NOT NULL,
    acted_at             TEXT NOT NULL,
    ex_date              TEXT
);
CREATE INDEX registry_poll_messages_queue ON registry_poll_messages (client_id, id);

-- A host object (RFC 5732): its name, sponsoring registrar and addresses
-- (comma-separated, IPv4 and IPv6 as text).
CREATE TABLE registry_hosts (
    name       TEXT PRIMARY KEY,
    registrar  TEXT NOT NULL,
    addresses  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

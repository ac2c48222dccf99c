-- Contacts at the registry (RFC 5733). Keep migrations/postgres/0024 in step.
--
-- The sandbox registry's contact objects, as registrars create them over
-- EPP (or this installation's own registrar, for the embedded sandbox):
-- `id` is the registrar's contact id (for ours, the contact's handle,
-- which says nothing about the person); the street lines are joined by a
-- line feed as in `contacts`; only the SHA-256 of the authInfo is kept
-- (it is compared, never shown).
CREATE TABLE registry_contacts (
    id                   TEXT PRIMARY KEY,
    sponsoring_registrar TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    name                 TEXT NOT NULL,
    organisation         TEXT,
    street               TEXT NOT NULL,
    city                 TEXT NOT NULL,
    state_province       TEXT,
    postal_code          TEXT,
    country_code         TEXT NOT NULL,
    voice                TEXT NOT NULL,
    fax                  TEXT,
    email                TEXT NOT NULL,
    auth_info_hash       TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

-- The contacts of the registry's names (RFC 5731 §2.2: the registrant and
-- one contact of each type here). A contact a name links cannot be deleted
-- (RFC 5733 §3.2.2, 2305).
CREATE TABLE registry_domain_contacts (
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('registrant', 'admin', 'tech', 'billing')),
    contact_id TEXT NOT NULL REFERENCES registry_contacts (id),
    PRIMARY KEY (name, role)
);
CREATE INDEX registry_domain_contacts_by_contact ON registry_domain_contacts (contact_id);

-- The registrar's side: which registry (by its label) holds an object for
-- which of our contacts (by handle; the privacy service's object by its
-- id), so a contact is created there once and a change is sent to every
-- registry holding it. `domain_name`: the name it was first sent for,
-- whose TLD routes the registry's commands. `pending`: changed since it
-- was last sent (set in the transaction of the change; the worker sends it
-- again until it is taken).
CREATE TABLE contact_registry_objects (
    handle      TEXT NOT NULL,
    registry    TEXT NOT NULL,
    domain_name TEXT NOT NULL,
    pending   BOOLEAN NOT NULL DEFAULT FALSE,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (handle, registry)
);
CREATE INDEX contact_registry_objects_pending ON contact_registry_objects (handle) WHERE pending;

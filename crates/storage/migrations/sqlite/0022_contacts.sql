-- Contacts (RFC 5733) and the contacts of each domain. Keep
-- migrations/postgres/0022 in step.
-- `handle` names the contact outside the account (the RDAP entity handle,
-- the EPP contact id): random, it says nothing about the person.
-- `street` holds 1-3 lines joined by a line feed (a line holds none).
-- One default contact per account at most (the partial unique index).
CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    handle         TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    organisation   TEXT,
    street         TEXT    NOT NULL,
    city           TEXT    NOT NULL,
    state_province TEXT,
    postal_code    TEXT,
    country_code   TEXT    NOT NULL,
    voice          TEXT    NOT NULL,
    fax            TEXT,
    email          TEXT    NOT NULL,
    is_default     BOOLEAN NOT NULL DEFAULT FALSE,
    -- Email verification (ICANN RAA, Whois Accuracy Program): when the
    -- current email was verified; the SHA-256 of the token mailed to it
    -- (cleared once verified); when that mail was queued; when the account
    -- was warned that it is still unverified.
    email_verified_at         TEXT,
    email_verification_hash   TEXT UNIQUE,
    email_verification_sent_at TEXT,
    unverified_warned_at      TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX contacts_by_account ON contacts (account_id, id);
CREATE UNIQUE INDEX contacts_one_default ON contacts (account_id) WHERE is_default;

-- A domain's contacts: null for the domains from before contacts, until
-- they are set. A contact a domain names cannot be deleted.
ALTER TABLE domains ADD COLUMN registrant_contact_id INTEGER REFERENCES contacts (id);
ALTER TABLE domains ADD COLUMN admin_contact_id INTEGER REFERENCES contacts (id);
ALTER TABLE domains ADD COLUMN tech_contact_id INTEGER REFERENCES contacts (id);
ALTER TABLE domains ADD COLUMN billing_contact_id INTEGER REFERENCES contacts (id);
CREATE INDEX domains_registrant_contact ON domains (registrant_contact_id) WHERE registrant_contact_id IS NOT NULL;
CREATE INDEX domains_admin_contact ON domains (admin_contact_id) WHERE admin_contact_id IS NOT NULL;
CREATE INDEX domains_tech_contact ON domains (tech_contact_id) WHERE tech_contact_id IS NOT NULL;
CREATE INDEX domains_billing_contact ON domains (billing_contact_id) WHERE billing_contact_id IS NOT NULL;

-- DNS hosting: the records of each domain's zone. Keep
-- migrations/sqlite/0008_dns_records.sql in step with it.
-- A record goes with its domain: when a released name's row is deleted,
-- its records go too, so the next owner starts with an empty zone.
CREATE TABLE dns_records (
    id         BIGSERIAL   PRIMARY KEY,
    domain_id  BIGINT      NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    name       TEXT        NOT NULL,
    type       TEXT        NOT NULL,
    content    TEXT        NOT NULL,
    ttl        INTEGER     NOT NULL,
    priority   INTEGER,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dns_records_by_domain ON dns_records (domain_id, name);

-- The zone's SOA serial (raised by every change of its records) and the
-- number of its records, kept in the transaction of each change.
ALTER TABLE domains ADD COLUMN dns_serial BIGINT NOT NULL DEFAULT 1;
ALTER TABLE domains ADD COLUMN dns_records_count BIGINT NOT NULL DEFAULT 0;

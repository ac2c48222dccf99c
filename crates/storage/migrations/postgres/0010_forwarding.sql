-- Email and URL forwarding. Keep migrations/sqlite/0010 in step.
-- Postfix reads email_forwards directly (deploy/postfix): `alias` is the
-- local part in lower case, or '*' for the catch-all; `destinations` the
-- outside addresses, comma-separated, as Postfix takes a result.
CREATE TABLE email_forwards (
    id           BIGSERIAL   PRIMARY KEY,
    domain_id    BIGINT  NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    alias        TEXT    NOT NULL,
    destinations TEXT    NOT NULL,
    created_at   TIMESTAMPTZ    NOT NULL,
    updated_at   TIMESTAMPTZ    NOT NULL,
    UNIQUE (domain_id, alias)
);

-- `host` is relative to the zone, '@' for the apex.
CREATE TABLE url_forwards (
    id          BIGSERIAL   PRIMARY KEY,
    domain_id   BIGINT  NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    host        TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    status_code INTEGER NOT NULL,
    keep_path   BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ    NOT NULL,
    updated_at  TIMESTAMPTZ    NOT NULL,
    UNIQUE (domain_id, host)
);

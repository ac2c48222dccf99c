-- TSIG keys (RFC 8945) of a zone: they sign its dynamic updates (RFC 2136)
-- and zone transfers. `name` is the key's name, absolute, lower case,
-- without the final dot (unique: the TSIG record names only the key);
-- `secret_sealed` the secret sealed with the operator's secrets key
-- (never the secret itself). Kept in step between migrations/sqlite and
-- migrations/postgres.
CREATE TABLE tsig_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id     INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL UNIQUE,
    algorithm     TEXT    NOT NULL,
    secret_sealed TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    last_used_at  TEXT
);
CREATE INDEX tsig_keys_by_domain ON tsig_keys (domain_id);

-- The sandbox registry's premium names (RFC 8748): names the operator
-- prices apart from their TLD (`vpsd registry premium set`), with what the
-- registry charges a registrar for each command, in US cents for one year
-- (a restore is charged at the standard price). Kept in step between
-- migrations/sqlite and migrations/postgres.
CREATE TABLE registry_premium_names (
    name           TEXT PRIMARY KEY,
    create_cents   INTEGER NOT NULL CHECK (create_cents > 0),
    renew_cents    INTEGER NOT NULL CHECK (renew_cents > 0),
    transfer_cents INTEGER NOT NULL CHECK (transfer_cents > 0),
    updated_at     TEXT NOT NULL
);

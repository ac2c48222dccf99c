-- Renewals charged and applied here whose registry command's answer never
-- came and whose outcome the registry could not be asked for then: the
-- worker asks again until the registry confirms or refuses (docs/registries.md,
-- "Pending and unknown outcomes"). Keep migrations/postgres/0016_unconfirmed_renewals.sql in step.
CREATE TABLE unconfirmed_renewals (
    domain_id      INTEGER NOT NULL PRIMARY KEY REFERENCES domains (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL,
    old_expiration TEXT    NOT NULL,
    new_expiration TEXT    NOT NULL,
    years          INTEGER NOT NULL,
    cost_cents     INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    old_status     TEXT    NOT NULL,
    noted_at       TEXT    NOT NULL
);

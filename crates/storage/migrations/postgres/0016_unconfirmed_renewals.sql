-- Renewals charged and applied here whose registry command's answer never
-- came and whose outcome the registry could not be asked for then: the
-- worker asks again until the registry confirms or refuses (docs/registries.md,
-- "Pending and unknown outcomes"). Keep migrations/sqlite/0016_unconfirmed_renewals.sql in step.
CREATE TABLE unconfirmed_renewals (
    domain_id      BIGINT      NOT NULL PRIMARY KEY REFERENCES domains (id) ON DELETE CASCADE,
    account_id     BIGINT      NOT NULL,
    old_expiration TIMESTAMPTZ NOT NULL,
    new_expiration TIMESTAMPTZ NOT NULL,
    years          BIGINT      NOT NULL,
    cost_cents     BIGINT      NOT NULL,
    kind           TEXT        NOT NULL,
    old_status     TEXT        NOT NULL,
    noted_at       TIMESTAMPTZ NOT NULL
);

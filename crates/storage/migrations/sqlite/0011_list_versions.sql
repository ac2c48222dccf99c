-- A number per account that every change to one of its domains raises, in
-- the change's own transaction (written by triggers, so no change path can
-- forget it). A process keeps list pages with the number they were read
-- at; while the number is unchanged the kept page is what a read would
-- give, in any process. No row: nothing changed since this table began (0).
-- Keep migrations/postgres/0011 in step.
CREATE TABLE domain_list_versions (
    account_id INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL
);

CREATE TRIGGER list_version_on_insert AFTER INSERT ON domains
BEGIN
    INSERT INTO domain_list_versions (account_id, version) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER list_version_on_update AFTER UPDATE ON domains
BEGIN
    INSERT INTO domain_list_versions (account_id, version) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET version = version + 1;
    INSERT INTO domain_list_versions (account_id, version)
        SELECT OLD.account_id, 1 WHERE OLD.account_id <> NEW.account_id
        ON CONFLICT (account_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER list_version_on_delete AFTER DELETE ON domains
BEGIN
    INSERT INTO domain_list_versions (account_id, version) VALUES (OLD.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET version = version + 1;
END;

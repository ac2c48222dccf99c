-- A number per account that every change to one of its domains raises, in
-- the change's own transaction (written by triggers, so no change path can
-- forget it). A process keeps list pages with the number they were read
-- at; while the number is unchanged the kept page is what a read would
-- give, in any process. No row: nothing changed since this table began (0).
-- Keep migrations/sqlite/0011 in step.
CREATE TABLE domain_list_versions (
    account_id BIGINT PRIMARY KEY,
    version    BIGINT NOT NULL
);

CREATE FUNCTION list_version_bump(account BIGINT) RETURNS void AS $$
    INSERT INTO domain_list_versions (account_id, version) VALUES (account, 1)
        ON CONFLICT (account_id) DO UPDATE SET version = domain_list_versions.version + 1;
$$ LANGUAGE sql;

CREATE FUNCTION list_version_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM list_version_bump(OLD.account_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.account_id <> OLD.account_id) THEN
        PERFORM list_version_bump(NEW.account_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER list_version_on_change AFTER INSERT OR UPDATE OR DELETE ON domains
    FOR EACH ROW EXECUTE FUNCTION list_version_change();

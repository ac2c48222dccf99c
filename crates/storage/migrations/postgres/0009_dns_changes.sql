-- The feed the nameserver follows: a row for every change that can alter
-- what a zone serves (a domain's status, nameservers, expiry, removal,
-- release, or its records, which raise dns_serial). Written by triggers, so
-- no change path can forget it. Keep migrations/sqlite/0009 in step.
CREATE TABLE dns_changes (
    seq       BIGSERIAL PRIMARY KEY,
    domain_id BIGINT    NOT NULL
);

CREATE FUNCTION dns_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO dns_changes (domain_id) VALUES (OLD.id);
    ELSE
        INSERT INTO dns_changes (domain_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER dns_change_on_insert AFTER INSERT ON domains
    FOR EACH ROW EXECUTE FUNCTION dns_change();
CREATE TRIGGER dns_change_on_update
    AFTER UPDATE OF status, nameservers, expiration_date, removed_at, dns_serial, account_id ON domains
    FOR EACH ROW EXECUTE FUNCTION dns_change();
CREATE TRIGGER dns_change_on_delete AFTER DELETE ON domains
    FOR EACH ROW EXECUTE FUNCTION dns_change();

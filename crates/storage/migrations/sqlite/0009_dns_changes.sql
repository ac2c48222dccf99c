-- The feed the nameserver follows: a row for every change that can alter
-- what a zone serves (a domain's status, nameservers, expiry, removal,
-- release, or its records, which raise dns_serial). Written by triggers, so
-- no change path can forget it. Keep migrations/postgres/0009 in step.
CREATE TABLE dns_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id INTEGER NOT NULL
);

CREATE TRIGGER dns_change_on_insert AFTER INSERT ON domains
BEGIN
    INSERT INTO dns_changes (domain_id) VALUES (NEW.id);
END;

CREATE TRIGGER dns_change_on_update
AFTER UPDATE OF status, nameservers, expiration_date, removed_at, dns_serial, account_id ON domains
BEGIN
    INSERT INTO dns_changes (domain_id) VALUES (NEW.id);
END;

CREATE TRIGGER dns_change_on_delete AFTER DELETE ON domains
BEGIN
    INSERT INTO dns_changes (domain_id) VALUES (OLD.id);
END;

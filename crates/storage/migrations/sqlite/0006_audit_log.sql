-- The audit log: every change, append-only (no statement of ours updates or
-- deletes it). Keep migrations/postgres/0006_audit_log.sql in step.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    token_id    INTEGER,
    action      TEXT    NOT NULL,
    domain_id   INTEGER,
    domain_name TEXT,
    changes     TEXT    NOT NULL,
    request_id  TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

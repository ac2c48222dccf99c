-- Leases on background jobs, so that of several workers (in one process or
-- many) one takes each job, and a job whose worker died is taken again when
-- its lease ends. Keep migrations/sqlite/0007_job_leases.sql in step.
CREATE TABLE job_leases (
    kind      TEXT        NOT NULL,
    domain_id BIGINT      NOT NULL,
    holder    TEXT        NOT NULL,
    until     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, domain_id)
);
CREATE INDEX job_leases_by_until ON job_leases (until);

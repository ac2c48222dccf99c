-- The TLDs this installation sells through real registries (`--registries`),
-- as the last process started with a registries file set them. A process
-- started without one refuses to serve them from the sandbox, and the sandbox
-- clock does not move while any is here (docs/registries.md). Kept in step
-- between migrations/sqlite and migrations/postgres.
CREATE TABLE real_registry_tlds (
    tld TEXT NOT NULL PRIMARY KEY
);

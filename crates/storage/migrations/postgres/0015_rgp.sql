-- The redemption grace period (RFC 3915). Keep migrations/sqlite/0015 in
-- step.

-- A deleted name of the sandbox registry is kept, with when it was deleted,
-- through its redemptionPeriod and pendingDelete; its status is decided from
-- these dates when it is read, and the row goes when the name is next
-- created or added after the purge. When its sponsoring registrar asked
-- for a restore (pendingRestore until the report).
ALTER TABLE registry_names ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE registry_names ADD COLUMN restore_requested_at TIMESTAMPTZ;

-- The registrar's side: when the domain was deleted at its registry (its
-- redemption began). A deletion before the current expiration belongs to
-- an earlier term.
ALTER TABLE domains ADD COLUMN registry_deleted_at TIMESTAMPTZ;

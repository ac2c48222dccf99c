-- Transfer-out (docs/api.md, "Transfer out"): another registrar asked to
-- take the domain; the owner may approve or reject it until it is approved
-- by itself five days later. Keep migrations/postgres/0012 in step.
ALTER TABLE domains ADD COLUMN transfer_out_to TEXT;
ALTER TABLE domains ADD COLUMN transfer_out_status TEXT;
ALTER TABLE domains ADD COLUMN transfer_out_requested_at TEXT;
ALTER TABLE domains ADD COLUMN transfer_out_approves_at TEXT;
CREATE INDEX domains_due_transfer_out ON domains (transfer_out_approves_at)
    WHERE transfer_out_status = 'pending';

-- The sandbox's test clock: how far it runs ahead of the real clock, in
-- seconds. One row; only ever raised (vpsd sandbox clock advance).
CREATE TABLE sandbox_clock (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds INTEGER NOT NULL CHECK (offset_seconds >= 0)
);
INSERT INTO sandbox_clock (id, offset_seconds) VALUES (1, 0);

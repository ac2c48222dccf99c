-- The statuses a registry sets on a name by itself (RFC 5731 §2.3:
-- serverHold, serverTransferProhibited, serverUpdateProhibited,
-- serverDeleteProhibited, serverRenewProhibited), each a space-separated
-- list of EPP status strings, empty when none. Keep
-- migrations/postgres/0025_server_statuses.sql in step.
-- registry_names: what the sandbox registry's operator set
-- (`vpsd registry status set|clear`).
ALTER TABLE registry_names ADD COLUMN server_statuses TEXT NOT NULL DEFAULT '';
-- domains: what the registrar last read from the registry's <domain:info>.
ALTER TABLE domains ADD COLUMN registry_statuses TEXT NOT NULL DEFAULT '';

-- The lower-case Unicode form of an internationalised name (each xn-- label
-- decoded, RFC 5891 §5.5), so `search` finds a name by what its owner sees
-- (`bücher` in `xn--bcher-kva.com`). NULL when it is the stored name itself
-- (no xn-- label), so plain names cost nothing. SQL cannot decode Punycode:
-- the store fills the rows this finds NULL right after migrating, and writes
-- the column with every new name. Searched the way domain_name is: the LIKE
-- runs on the account's rows found by domains_by_account.
-- Keep migrations/sqlite/0013 in step.
ALTER TABLE domains ADD COLUMN domain_name_unicode TEXT;

-- Backfills the store runs once after a migration (by name), so a later
-- start does not look for rows to fill again.
CREATE TABLE backfills (
    name TEXT PRIMARY KEY
);

-- Audit records keyed: each record names how its hash was made. Records written so far
-- are plain SHA-256; from now on they are HMAC-SHA256 under the server-held key, which
-- never enters the database. The program seals the legacy epoch in this migration's
-- transaction (audit_seals), so no unkeyed record can be added after it.
ALTER TABLE audit_records ADD COLUMN scheme TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE action_log ADD COLUMN scheme TEXT NOT NULL DEFAULT 'sha256';
-- Only existing rows take the default: an instance of the previous release still running
-- on this database cannot append unlabelled records (its insert fails instead).
ALTER TABLE audit_records ALTER COLUMN scheme DROP DEFAULT;
ALTER TABLE action_log ALTER COLUMN scheme DROP DEFAULT;

-- Per chain table: the highest legacy record id, when, and an HMAC under the key over
-- them and each chain's last legacy record.
CREATE TABLE audit_seals (
    chain_table TEXT PRIMARY KEY,
    legacy_max_id BIGINT NOT NULL,
    sealed_at TIMESTAMP NOT NULL,
    mac TEXT NOT NULL
);

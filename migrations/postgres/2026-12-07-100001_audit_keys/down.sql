DROP TABLE audit_seals;
ALTER TABLE action_log DROP COLUMN scheme;
ALTER TABLE audit_records DROP COLUMN scheme;

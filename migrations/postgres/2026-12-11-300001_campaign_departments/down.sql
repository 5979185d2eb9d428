DROP INDEX audit_targets_department;
ALTER TABLE audit_targets DROP COLUMN version;
ALTER TABLE audit_targets DROP COLUMN department_id;

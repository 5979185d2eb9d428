-- An audit campaign's target linked to the department it evaluated (模拟用户实测 counted in
-- periodic assessment, issue 19). Targets are names typed by the evaluators; the link is set
-- by an administrator, never guessed. `version` guards the link (If-Match).
ALTER TABLE audit_targets ADD COLUMN department_id BIGINT REFERENCES departments (id);
ALTER TABLE audit_targets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- The assessment reads the targets linked to the departments it scores.
CREATE INDEX audit_targets_department ON audit_targets (department_id);

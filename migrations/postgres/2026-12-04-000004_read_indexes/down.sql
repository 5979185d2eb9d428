DROP INDEX cases_department_status_due;
DROP INDEX replies_department_number;
DROP INDEX replies_case;
CREATE INDEX replies_case ON replies (case_id);

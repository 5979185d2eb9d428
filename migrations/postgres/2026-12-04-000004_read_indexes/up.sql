-- Reads that ran over every reply of a department: a case's latest reply (ordered by id),
-- the next automatic number, and the candidates of the duplicate-number check.
DROP INDEX replies_case;
CREATE INDEX replies_case ON replies (case_id, id);
CREATE INDEX replies_department_number ON replies (department_id, doc_year, doc_seq);
-- A department's open cases by due date (the desk, the due-soon list) without walking its
-- closed ones first.
CREATE INDEX cases_department_status_due ON cases (department_id, status, due_sort, id);

-- Lists over many departments (a supervisor's desk and overdue list over a whole tree):
-- the cases of a few statuses in due order, without a department prefix to walk first.
CREATE INDEX cases_status_due ON cases (status, due_sort, id);

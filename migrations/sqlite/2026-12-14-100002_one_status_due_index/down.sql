CREATE INDEX cases_status_due_on ON cases (status, due_on);

-- /metrics counts open and overdue cases on every scrape: both counts range over this
-- index (status first, then the due date) instead of reading the table.
CREATE INDEX cases_status_due_on ON cases (status, due_on);

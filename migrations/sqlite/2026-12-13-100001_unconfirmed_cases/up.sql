-- Applications whose receipt date is not yet confirmed (no clock runs): the desk lists them
-- apart from the open cases by due date, where they come last (no due date) and a busy
-- desk's first page would never reach them. They are few at any time; the index holds
-- only them, in the list's order after the status (SQLite, without statistics, takes an
-- index with the status equality over one without).
CREATE INDEX cases_unconfirmed ON cases (status, due_sort, id) WHERE received_on IS NULL;

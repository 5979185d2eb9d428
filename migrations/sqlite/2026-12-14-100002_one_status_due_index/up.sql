-- /metrics counts open and overdue cases over (status, due_sort, id), the index the lists
-- read ("due before" on due_sort is "due before" on due_on): (status, due_on) was one
-- more index for every intake and every change of a case's status or due date to write.
DROP INDEX cases_status_due_on;

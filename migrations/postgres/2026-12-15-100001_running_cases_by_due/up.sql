-- The running cases (a clock that counts: received, in progress, late 补正) of every
-- department in due order: a supervisor's desk, open list and overdue list over the whole
-- tree read one range of this index and stop when the page is full, where the index by
-- (status, due_sort, id) needs one statement per status, merged in the service. It holds
-- only the running cases, a few percent of a year's table.
CREATE INDEX cases_running_due ON cases (due_sort, id)
    WHERE status IN ('received', 'in_progress', 'awaiting_correction');

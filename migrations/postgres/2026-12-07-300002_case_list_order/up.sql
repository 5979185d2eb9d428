-- Lists over many departments in due order with no status to start from (a words search
-- across a supervisor's tree walks the cases in this order until a page has matched).
CREATE INDEX cases_due ON cases (due_sort, id);

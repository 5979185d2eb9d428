-- The last 文号 sequence used per department, code and year. An automatic number takes
-- the next one by advancing this row, which stays locked until the reply commits: two
-- replies issued at once queue for it instead of both reading the same max()+1, and a
-- rolled-back reply gives its number back. A typed-in number of the same code and year
-- raises the counter to itself, so "auto" stays one past every number used.
CREATE TABLE reply_counters (
    department_id BIGINT NOT NULL REFERENCES departments (id),
    doc_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (department_id, doc_code, year)
);
INSERT INTO reply_counters (department_id, doc_code, year, last_seq)
SELECT department_id, doc_code, doc_year, MAX(doc_seq) FROM replies
WHERE doc_code IS NOT NULL AND doc_year IS NOT NULL AND doc_seq IS NOT NULL
GROUP BY department_id, doc_code, doc_year;

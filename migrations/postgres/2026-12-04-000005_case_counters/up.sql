-- The last case number given per department and year. Taking the next number locks this
-- one row until the intake commits, so concurrent intakes in one department queue for it
-- instead of racing for max+1 and failing; a rolled-back intake gives its number back, so
-- the numbers stay gapless.
CREATE TABLE case_counters (
    department_id BIGINT NOT NULL REFERENCES departments (id),
    year INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (department_id, year)
);
INSERT INTO case_counters (department_id, year, last_seq)
SELECT department_id, year, MAX(seq) FROM cases GROUP BY department_id, year;

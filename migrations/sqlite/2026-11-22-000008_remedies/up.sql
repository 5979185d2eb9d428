-- Reconsiderations (行政复议) and lawsuits (行政诉讼) about a case, for table 四 of the
-- annual report (RULES.md §6). `kind` is reconsideration | litigation;
-- `after_reconsideration` tells a lawsuit filed after a reconsideration (复议后起诉) from a
-- direct one and is false for reconsiderations. `outcome` (upheld | corrected | other) and
-- `decided_on` are null while pending. `department_id` is the case's, kept for scoped
-- lists. Versioned like cases: a decision is recorded with If-Match.
CREATE TABLE remedies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    kind TEXT NOT NULL CHECK (kind IN ('reconsideration', 'litigation')),
    after_reconsideration BOOLEAN NOT NULL,
    filed_on DATE NOT NULL,
    body TEXT NOT NULL,
    case_ref TEXT,
    outcome TEXT CHECK (outcome IN ('upheld', 'corrected', 'other')),
    decided_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((outcome IS NULL) = (decided_on IS NULL))
);
CREATE INDEX remedies_case ON remedies (case_id);
CREATE INDEX remedies_department_filed ON remedies (department_id, filed_on);

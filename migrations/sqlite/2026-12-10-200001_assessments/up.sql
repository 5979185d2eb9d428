-- Assessment periods (绩效考核, RULES.md §9; seed 003): the OGI office (`office_department_id`)
-- scores the departments strictly below it for a quarter or a year with a scheme of
-- indicators (`scheme`, JSON). A draft is computed from the facts on every read;
-- publishing freezes scheme and figures in `snapshot` (JSON) with its SHA-256, so later
-- case edits do not change a published period. `manual_scores`: hand scores (JSON),
-- `remarks`: the section of the 通报 the office writes. Versioned (If-Match).
CREATE TABLE assessment_periods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_department_id BIGINT NOT NULL REFERENCES departments (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('quarter', 'year')),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    scheme TEXT NOT NULL,
    manual_scores TEXT NOT NULL,
    remarks TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_on DATE,
    snapshot TEXT,
    snapshot_sha256 TEXT,
    rectify_working_days INTEGER,
    created_by BIGINT NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'published') = (snapshot IS NOT NULL))
);
CREATE INDEX assessment_periods_office ON assessment_periods (office_department_id, starts_on);

-- Rectification items (盘点销号): each problem a published 通报 lists for a department, to
-- be put right within `working_days` working days of `issued_on` on the department's
-- calendar (the due date is derived). status: open | done | returned | closed; `done_on`
-- the latest completion reported (cleared by a return), `closed_on` the day of 销号.
CREATE TABLE rectification_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period_id BIGINT NOT NULL REFERENCES assessment_periods (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    indicator_key TEXT NOT NULL,
    problem TEXT NOT NULL,
    issued_on DATE NOT NULL,
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 60),
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'returned', 'closed')),
    evidence TEXT,
    remark TEXT,
    done_on DATE,
    closed_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX rectification_items_department ON rectification_items (department_id, status);
CREATE INDEX rectification_items_period ON rectification_items (period_id);

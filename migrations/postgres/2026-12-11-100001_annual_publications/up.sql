-- Published annual reports (Art. 50; issue 17: a published year is frozen). Each publication
-- of a department's year (alone or with its subtree) is a new version that is never changed:
-- `snapshot` is the report as served (tables 三 and 四, checks, readings, fee figures) with
-- the ids behind every cell (JSON), `sha256` its hash. From version 2 on a reason is required.
CREATE TABLE annual_publications (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    include_subtree BOOLEAN NOT NULL,
    year INTEGER NOT NULL,
    template TEXT NOT NULL CHECK (template IN ('2021', '2019')),
    version INTEGER NOT NULL CHECK (version >= 1),
    snapshot TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    reason TEXT,
    published_by BIGINT NOT NULL REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    CHECK (version = 1 OR reason IS NOT NULL),
    UNIQUE (department_id, include_subtree, year, version)
);

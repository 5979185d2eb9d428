-- Review before a reply is issued (初审 → 复核 → 审定, RULES.md §9). A department's chain
-- is 1 to 3 levels, each naming who may act: a role in a department (role_department_id
-- null: the reviewed department or one above it), or named users (user_ids, a JSON list).
-- A department without rows has the default chain: one level by its supervisors.
CREATE TABLE review_levels (
    department_id BIGINT NOT NULL REFERENCES departments (id),
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    role_department_id BIGINT REFERENCES departments (id),
    user_ids TEXT,
    PRIMARY KEY (department_id, level)
);
-- One reply under review per case at a time (issued ones stay as history). content is the
-- reply as submitted (the JSON the reply endpoint takes); revision counts its submissions
-- and edits; approved_revision is the revision the last level approved. level_since is the
-- day the reply reached its current level (reminders count working days from it).
CREATE TABLE reply_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    revision INTEGER NOT NULL,
    level INTEGER NOT NULL,
    levels INTEGER NOT NULL,
    level_since DATE NOT NULL,
    approved_revision INTEGER,
    submitted_by BIGINT NOT NULL REFERENCES users (id),
    reply_id BIGINT REFERENCES replies (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reply_reviews_case ON reply_reviews (case_id);
CREATE INDEX reply_reviews_status ON reply_reviews (status, department_id);
-- Every step: submitted, resubmitted, approved, returned, reset (an edit after approval),
-- issued. The case's audit trail records each step as well; this table is what the pages read.
CREATE TABLE reply_review_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id BIGINT NOT NULL REFERENCES reply_reviews (id),
    revision INTEGER NOT NULL,
    level INTEGER NOT NULL,
    action TEXT NOT NULL,
    comment TEXT,
    override_reason TEXT,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    acted_on DATE NOT NULL,
    acted_at TIMESTAMP NOT NULL
);
CREATE INDEX reply_review_steps_review ON reply_review_steps (review_id);

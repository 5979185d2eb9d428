-- Cases: the intake facts, plus `status`, `due_on` and the sort keys, which are derived from
-- the events and refreshed in the same transaction as every change (and after a calendar
-- import) so lists can filter and sort in SQL. The events stay the source of truth.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    case_number TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    applicant_type TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT,
    applicant_phone TEXT,
    applicant_email TEXT,
    applicant_address TEXT,
    channel TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    received_on DATE,
    tracking_number TEXT,
    purpose TEXT,
    delivery_preference TEXT,
    assignee_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    due_on DATE,
    due_sort DATE NOT NULL,
    receipt_sort DATE NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (department_id, year, seq)
);
CREATE INDEX cases_department_due ON cases (department_id, due_sort, id);
CREATE INDEX cases_receipt ON cases (receipt_sort, id);
CREATE INDEX cases_applicant ON cases (department_id, applicant_name);

CREATE TABLE case_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (case_id, position)
);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    payload TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Append-only; each record's hash covers its content and the previous record's hash of the
-- same case, so an edit made directly in the database breaks the chain.
CREATE TABLE audit_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (case_id, seq)
);

CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, idem_key)
);

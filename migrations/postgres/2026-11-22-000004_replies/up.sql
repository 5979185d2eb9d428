-- Reply documents (答复书) as recorded, with the checker's findings at recording time and
-- the due date the reply was judged against. Sub-shapes (legal basis, redirect, remedy) are
-- JSON text. `doc_code/doc_year/doc_seq` hold the parsed 文号 for duplicate checks and
-- automatic numbering; automatic numbers are unique per department and year.
CREATE TABLE replies (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    doc_number TEXT,
    doc_code TEXT,
    doc_year INTEGER,
    doc_seq INTEGER,
    auto_number BOOLEAN NOT NULL,
    issued_on DATE NOT NULL,
    dispatched_on DATE,
    delivery_method TEXT NOT NULL,
    tracking_number TEXT,
    outcome TEXT NOT NULL,
    sealed BOOLEAN NOT NULL,
    seal_organ TEXT,
    legal_basis TEXT NOT NULL,
    reasons TEXT,
    redirect_to TEXT,
    remedy TEXT NOT NULL,
    body_text TEXT,
    findings TEXT NOT NULL,
    judged_due_on DATE,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX replies_auto_number ON replies (department_id, doc_year, doc_seq) WHERE auto_number;
CREATE INDEX replies_department_issued ON replies (department_id, issued_on);
CREATE INDEX replies_case ON replies (case_id);

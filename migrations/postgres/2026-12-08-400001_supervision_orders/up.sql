-- Supervision orders (督办, RULES.md §9; 条例 Art. 47): the OGI office (`office_department_id`,
-- the issuing supervisor's department) orders a department below it (`department_id`) to
-- act within `working_days` working days of `issued_on` on that department's calendar (the
-- due date is derived, never stored). `status`: open | answered | returned | closed.
-- `answered_on` is the latest answer's day, `closed_on` the day of 销号. Versioned: every
-- step is taken with If-Match.
CREATE TABLE supervision_orders (
    id BIGSERIAL PRIMARY KEY,
    office_department_id BIGINT NOT NULL REFERENCES departments (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    responsible TEXT NOT NULL,
    issued_on DATE NOT NULL,
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 60),
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'returned', 'closed')),
    answered_on DATE,
    closed_on DATE,
    issued_by BIGINT NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX supervision_orders_department ON supervision_orders (department_id, status);
CREATE INDEX supervision_orders_office ON supervision_orders (office_department_id, status);
CREATE INDEX supervision_orders_status ON supervision_orders (status);

-- The cases an order is about (none for a problem in words).
CREATE TABLE supervision_order_cases (
    order_id BIGINT NOT NULL REFERENCES supervision_orders (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (order_id, case_id)
);
CREATE INDEX supervision_order_cases_case ON supervision_order_cases (case_id);

-- What happened after the issue, in order: the department's answers, the office's returns
-- and its 销号, each with its text (`body`) and day.
CREATE TABLE supervision_order_steps (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES supervision_orders (id),
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'return', 'close')),
    body TEXT NOT NULL,
    recorded_on DATE NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX supervision_order_steps_order ON supervision_order_steps (order_id, id);

-- Mail waiting to be sent, written in the same transaction as the change that causes it.
-- `dedup_key` (kind, case or recipient, reference date) makes every scan idempotent.
-- A sender owns a row while `status = 'sending'` and `claimed_until` lies ahead.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    case_id BIGINT REFERENCES cases (id),
    ref_date DATE NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Who changed what outside a case's own trail: users, departments, calendars, mail,
-- audit campaigns. One hash chain per subject ("user:7", "department:3", ...).
CREATE TABLE action_log (
    id BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL,
    seq INTEGER NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (subject, seq)
);
CREATE INDEX action_log_actor ON action_log (actor_id, at);

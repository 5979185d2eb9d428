-- Test-applicant mail audits (模拟用户实测, RULES.md §7). Only facts are stored: signing dates,
-- replies as received, phone calls. Due dates, statuses, defects and scores are derived when
-- read, on the calendars in force, so a corrected calendar year corrects every audit.
-- `pass_threshold_bp` is the pass threshold in basis points (6000 = 60%), so no column needs a
-- floating-point type; `rubric` is JSON text (the points per item, see README).
CREATE TABLE audit_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    statutory_days INTEGER NOT NULL,
    cutoff_on DATE NOT NULL,
    pass_threshold_bp INTEGER NOT NULL,
    rubric TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
-- An evaluated unit (评估对象). `region` overrides the campaign's calendar region.
CREATE TABLE audit_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES audit_campaigns (id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    region TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX audit_targets_name ON audit_targets (campaign_id, name);
-- A registered letter: `channel` is regular (正常渠道) or irregular (非正常渠道); `signed_on`
-- is the agency's signing date, the receipt date (Art. 31). `campaign_id` repeats the
-- target's, so a campaign's letters load in one query.
CREATE TABLE audit_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES audit_campaigns (id),
    target_id BIGINT NOT NULL REFERENCES audit_targets (id),
    channel TEXT NOT NULL,
    sent_on DATE NOT NULL,
    tracking_number TEXT,
    signed_on DATE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_letters_campaign ON audit_letters (campaign_id);
CREATE INDEX audit_letters_target ON audit_letters (target_id);
-- The reply to a letter as the evaluators received it (at most one; a PUT replaces it).
-- `legal_basis` and `remedy` are JSON text in the shapes of case replies.
CREATE TABLE audit_letter_replies (
    letter_id BIGINT PRIMARY KEY REFERENCES audit_letters (id),
    received_on DATE NOT NULL,
    dispatched_on DATE,
    doc_date DATE,
    doc_number TEXT,
    sealed BOOLEAN NOT NULL,
    seal_organ TEXT,
    legal_basis TEXT NOT NULL,
    remedy TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
-- One call to a unit's published OGI number; `called_at` is UTC.
CREATE TABLE audit_phone_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES audit_campaigns (id),
    target_id BIGINT NOT NULL REFERENCES audit_targets (id),
    called_at TIMESTAMP NOT NULL,
    connected BOOLEAN NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_phone_checks_campaign ON audit_phone_checks (campaign_id);

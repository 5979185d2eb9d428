-- A single intake writes the search grams of its name and items before it takes its
-- department's number (store::intake::reserve_with_grams), under an id reserved from the
-- cases' sequence; the case row follows in the same transaction. The foreign key would
-- refuse those rows (the case does not exist yet), and its ~40 checks per intake bought
-- nothing: grams are derived rows, written and removed only with their case's texts, and
-- cases are never deleted. SQLite keeps the key (its intakes write the case first).
ALTER TABLE search_grams DROP CONSTRAINT search_grams_case_id_fkey;

-- The intake's answer under the request's idempotency key (claimed earlier in the
-- transaction with an empty response) is filled in by the same call
-- (store::intake::write_one), which the commit follows in the same message.
CREATE OR REPLACE FUNCTION ogi_write_intake(doc json) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases SELECT * FROM json_populate_record(NULL::cases, doc -> 'case');
    INSERT INTO case_items (case_id, position, description)
        SELECT case_id, position, description
        FROM json_populate_recordset(NULL::case_items, doc -> 'items');
    INSERT INTO search_grams (gram, case_id)
        SELECT gram, case_id FROM json_populate_recordset(NULL::search_grams, doc -> 'grams')
        ON CONFLICT DO NOTHING;
    INSERT INTO audit_records (case_id, seq, actor_id, at, action, before_state, after_state,
                               prev_hash, hash, scheme)
        SELECT case_id, seq, actor_id, at, action, before_state, after_state, prev_hash, hash,
               scheme
        FROM json_populate_record(NULL::audit_records, doc -> 'audit');
    UPDATE idempotency_keys k SET response = a.response
        FROM json_populate_recordset(NULL::idempotency_keys, doc -> 'answers') AS a
        WHERE k.user_id = a.user_id AND k.idem_key = a.idem_key;
    INSERT INTO outbox (dedup_key, kind, case_id, ref_date, recipient, subject, body, status,
                        attempts, next_attempt_at, created_at)
        SELECT dedup_key, kind, case_id, ref_date, recipient, subject, body, status, attempts,
               next_attempt_at, created_at
        FROM json_populate_recordset(NULL::outbox, doc -> 'mails');
END
$$;

DROP FUNCTION ogi_take_case_seqs(bigint, integer, integer);
DROP FUNCTION ogi_reserve_case(text);
DROP FUNCTION ogi_write_intake(jsonb);

CREATE FUNCTION ogi_write_intake(doc json) RETURNS void LANGUAGE plpgsql AS $$
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
    INSERT INTO outbox (dedup_key, kind, case_id, ref_date, recipient, subject, body, status,
                        attempts, next_attempt_at, created_at)
        SELECT dedup_key, kind, case_id, ref_date, recipient, subject, body, status, attempts,
               next_attempt_at, created_at
        FROM json_populate_recordset(NULL::outbox, doc -> 'mails');
END
$$;

CREATE FUNCTION ogi_keep_answer(doc json) RETURNS void LANGUAGE sql AS $$
    UPDATE idempotency_keys k SET response = a.response
    FROM json_populate_recordset(NULL::idempotency_keys, doc -> 'answers') AS a
    WHERE k.user_id = a.user_id AND k.idem_key = a.idem_key;
$$;

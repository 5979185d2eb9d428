-- A single intake writes the search grams of its name and items before it takes its
-- department's number (store::intake::reserve_with_grams), under an id reserved from the
-- cases' sequence; the case row follows in the same transaction. The foreign key would
-- refuse those rows (the case does not exist yet), and its ~40 checks per intake bought
-- nothing: grams are derived rows, written and removed only with their case's texts, and
-- cases are never deleted. SQLite keeps the key (its intakes write the case first).
ALTER TABLE search_grams DROP CONSTRAINT search_grams_case_id_fkey;

-- The intake's answer under the request's idempotency key (claimed earlier in the
-- transaction with an empty response) is filled in from the intake's own document
-- (store::intake::write_one), in the same message as the intake and its commit.
CREATE FUNCTION ogi_keep_answer(doc json) RETURNS void LANGUAGE sql AS $$
    UPDATE idempotency_keys k SET response = a.response
    FROM json_populate_recordset(NULL::idempotency_keys, doc -> 'answers') AS a
    WHERE k.user_id = a.user_id AND k.idem_key = a.idem_key;
$$;

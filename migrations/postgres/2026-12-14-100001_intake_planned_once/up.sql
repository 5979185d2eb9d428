-- A single intake's statements planned once per session, and its document parsed once.
-- The statements that reserve the case's id (with its grams) and take its number were
-- sent as text, so each intake parsed and planned them again; as functions they are
-- called through statements the service prepares once per connection
-- (store::intake::reserve_with_grams, store::cases::take_case_seqs). The intake's document
-- is now jsonb: read once, where each `->` on json parsed the whole text again; and the
-- answer under the request's idempotency key is filled in by the same PL/pgSQL function
-- (an SQL-language function is planned at every call). `ogi_write_intake(json)` and
-- `ogi_keep_answer(json)` stay for now: instances of the previous release call them until
-- they are replaced (a rolling restart); a later migration drops them.

CREATE FUNCTION ogi_write_intake(doc jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases SELECT * FROM jsonb_populate_record(NULL::cases, doc -> 'case');
    INSERT INTO case_items (case_id, position, description)
        SELECT case_id, position, description
        FROM jsonb_populate_recordset(NULL::case_items, doc -> 'items');
    INSERT INTO search_grams (gram, case_id)
        SELECT gram, case_id FROM jsonb_populate_recordset(NULL::search_grams, doc -> 'grams')
        ON CONFLICT DO NOTHING;
    INSERT INTO audit_records (case_id, seq, actor_id, at, action, before_state, after_state,
                               prev_hash, hash, scheme)
        SELECT case_id, seq, actor_id, at, action, before_state, after_state, prev_hash, hash,
               scheme
        FROM jsonb_populate_record(NULL::audit_records, doc -> 'audit');
    INSERT INTO outbox (dedup_key, kind, case_id, ref_date, recipient, subject, body, status,
                        attempts, next_attempt_at, created_at)
        SELECT dedup_key, kind, case_id, ref_date, recipient, subject, body, status, attempts,
               next_attempt_at, created_at
        FROM jsonb_populate_recordset(NULL::outbox, doc -> 'mails');
    IF jsonb_array_length(doc -> 'answers') > 0 THEN
        UPDATE idempotency_keys k SET response = a.response
        FROM jsonb_populate_recordset(NULL::idempotency_keys, doc -> 'answers') AS a
        WHERE k.user_id = a.user_id AND k.idem_key = a.idem_key;
    END IF;
END
$$;

-- A new case's id, with the grams of its name and items written under it (a JSON array of
-- strings), before its number is taken.
CREATE FUNCTION ogi_reserve_case(grams text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    reserved bigint := nextval(pg_get_serial_sequence('cases', 'id'));
BEGIN
    INSERT INTO search_grams (gram, case_id)
        SELECT DISTINCT g, reserved FROM jsonb_array_elements_text(grams::jsonb) AS g
        ON CONFLICT DO NOTHING;
    RETURN reserved;
END
$$;

-- Takes the next `n` case numbers of a department and year and returns the last. The
-- department's intakes first queue on a transaction-scoped advisory lock: a commit then
-- wakes the next in line only, where waiters on the counter row itself would all wake and
-- re-check it. The counter row stays locked until the transaction ends.
CREATE FUNCTION ogi_take_case_seqs(department bigint, in_year integer, n integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    taken integer;
BEGIN
    PERFORM pg_advisory_xact_lock(7270, (department % 2147483647)::int);
    INSERT INTO case_counters AS c (department_id, year, last_seq) VALUES (department, in_year, n)
        ON CONFLICT (department_id, year) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
        RETURNING c.last_seq INTO taken;
    RETURN taken;
END
$$;

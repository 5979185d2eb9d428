-- The search text of the cases stored before it (migration
-- 2026-12-16-100001_case_search_text). Rewrites every row once: about 45 s at a million
-- cases. Reads go on meanwhile (instances of the previous release keep serving during a
-- rolling restart); writes to cases and their items wait until it commits, so that no
-- correction can change a case's name or items between this statement's snapshot and its
-- row (the text would then be built from the items as they were). Every writer takes
-- cases before case_items, in that order too: no deadlock.
LOCK TABLE cases, case_items IN SHARE ROW EXCLUSIVE MODE;

UPDATE cases c
SET search_text = chr(31) || c.applicant_name || chr(31) || c.case_number
    || coalesce((SELECT string_agg(chr(31) || i.description, '' ORDER BY i.position)
                 FROM case_items i WHERE i.case_id = c.id), '');

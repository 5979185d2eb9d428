-- The search text of the cases stored before it (migration
-- 2026-12-16-100001_case_search_text), items in their order. One writer at a time: the
-- service's writes wait until it commits.
UPDATE cases
SET search_text = char(31) || applicant_name || char(31) || case_number
    || coalesce((SELECT group_concat(char(31) || i.description, '' ORDER BY i.position)
                 FROM case_items i WHERE i.case_id = cases.id), '');

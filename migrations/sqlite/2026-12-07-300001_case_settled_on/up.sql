-- A derived column like status: the latest date among a concluded case's replied,
-- withdrawn, lapsed and reopened events; null while the case is open. Written by every
-- change to a case. A case received and settled before a year began cannot count in that
-- year's annual report, so the report reads only the others (store::annual).
ALTER TABLE cases ADD COLUMN settled_on DATE;
UPDATE cases SET settled_on = (
    SELECT MAX(e.occurred_on) FROM case_events e
    WHERE e.case_id = cases.id
      AND e.kind IN ('replied', 'withdrawn', 'correction_lapsed', 'fee_lapsed', 'reopened')
)
WHERE status IN ('replied', 'closed');

-- How each case ended, kept on the case so that an annual report reads one row per case
-- instead of every case's events and replies:
-- `settled_on` (derived like status): the latest date among a concluded case's replied,
--   withdrawn, lapsed and reopened events; null while the case is open. A case received
--   and settled before a year began cannot count in that year's report.
-- `conclusion` (derived): what ended a case that ended once and was never reopened —
--   replied, withdrawn, correction_lapsed or fee_lapsed (on `settled_on`); `history` when
--   its events hold a reopening or more than one conclusion (the report then reads them);
--   null while it never ended.
-- `reply_outcome`: the outcome of the case's latest reply, written with the reply.
ALTER TABLE cases ADD COLUMN settled_on DATE;
ALTER TABLE cases ADD COLUMN conclusion TEXT;
ALTER TABLE cases ADD COLUMN reply_outcome TEXT;
-- One pass: every case with a reply has its `replied` event.
UPDATE cases SET
    settled_on = CASE WHEN cases.status IN ('replied', 'closed') THEN e.last_on END,
    conclusion = e.conclusion,
    reply_outcome = (
        SELECT r.outcome FROM replies r WHERE r.case_id = cases.id ORDER BY r.id DESC LIMIT 1
    )
FROM (
    SELECT case_id, MAX(occurred_on) AS last_on,
           CASE WHEN COUNT(*) = 1 AND MAX(kind) <> 'reopened' THEN MAX(kind) ELSE 'history' END
               AS conclusion
    FROM case_events
    WHERE kind IN ('replied', 'withdrawn', 'correction_lapsed', 'fee_lapsed', 'reopened')
    GROUP BY case_id
) AS e
WHERE e.case_id = cases.id;
-- What the annual report reads of a department's cases, in one index (read alone, without
-- the table): the cases of a year are scattered among every department's, so reading
-- their rows would visit a page per case.
CREATE INDEX cases_annual ON cases (
    department_id, id, case_number, applicant_type, applicant_name, submitted_on,
    received_on, settled_on, conclusion, reply_outcome
);

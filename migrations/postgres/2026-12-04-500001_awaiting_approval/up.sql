-- A derived column like status: an open case whose latest extension request waits for a
-- supervisor's approval (the supervisors' work queue, `awaiting_approval=true`). Written by
-- every change to a case; existing rows are computed here from their events (a correction
-- received or a reopening starts a new period and settles a pending request).
ALTER TABLE cases ADD COLUMN awaiting_approval BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE cases SET awaiting_approval = (
    status NOT IN ('replied', 'closed')
    AND EXISTS (
        SELECT 1 FROM case_events r
        WHERE r.case_id = cases.id AND r.kind = 'extension_requested'
          AND NOT EXISTS (
              SELECT 1 FROM case_events g
              WHERE g.case_id = cases.id AND g.id > r.id
                AND g.kind IN ('extension_granted', 'correction_received', 'reopened')
          )
    )
);
CREATE INDEX cases_awaiting_approval ON cases (awaiting_approval) WHERE awaiting_approval;

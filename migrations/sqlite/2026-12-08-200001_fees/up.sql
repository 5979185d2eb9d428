-- 国办函〔2020〕109号: each department's fee setting (none, by_count 按件, by_volume 按量).
ALTER TABLE departments ADD COLUMN fee_method TEXT NOT NULL DEFAULT 'none';
-- The fee count reads one department's applications of a calendar month in order of receipt.
CREATE INDEX cases_department_receipt ON cases (department_id, receipt_sort, id);
-- The annual report's fee figures read the year's fee events by kind and date.
CREATE INDEX case_events_kind_day ON case_events (kind, occurred_on);

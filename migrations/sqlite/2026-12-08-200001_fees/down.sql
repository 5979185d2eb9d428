DROP INDEX case_events_kind_day;
DROP INDEX cases_department_receipt;
ALTER TABLE departments DROP COLUMN fee_method;

DROP INDEX cases_awaiting_approval;
ALTER TABLE cases DROP COLUMN awaiting_approval;

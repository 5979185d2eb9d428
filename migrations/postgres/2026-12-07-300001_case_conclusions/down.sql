DROP INDEX cases_annual;
ALTER TABLE cases DROP COLUMN reply_outcome;
ALTER TABLE cases DROP COLUMN conclusion;
ALTER TABLE cases DROP COLUMN settled_on;

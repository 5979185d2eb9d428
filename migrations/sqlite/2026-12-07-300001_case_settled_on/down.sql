ALTER TABLE cases DROP COLUMN settled_on;

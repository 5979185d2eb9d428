ALTER TABLE remedies DROP COLUMN posted_on;
ALTER TABLE remedies DROP COLUMN reply_received_on;

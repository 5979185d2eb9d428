-- Remedy periods run from the day the applicant received the reply (行政复议法 Art. 20,
-- 行政诉讼法 Art. 46); a filing posted by the last day is in time. Both facts are optional.
ALTER TABLE remedies ADD COLUMN reply_received_on DATE;
ALTER TABLE remedies ADD COLUMN posted_on DATE;

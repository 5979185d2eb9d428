DROP TABLE calendar_feeds;
DROP TABLE attachments;
DROP TABLE case_notices;

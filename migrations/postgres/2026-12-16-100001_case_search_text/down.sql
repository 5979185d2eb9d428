DROP TRIGGER cases_search_text_stale ON cases;
DROP FUNCTION ogi_forget_stale_search_text();
ALTER TABLE cases DROP COLUMN search_text;

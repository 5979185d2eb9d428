-- The words search's text of each case beside it: the applicant's name, the case number and
-- each item's description, each after a U+001F (unit separator). A query without that
-- character matches the text exactly when it matches one of those texts, so a search that
-- walks the cases in order tests one column of the row it has already read, where it ran a
-- subquery over the items of every case it passed. NULL: not known; the search then matches
-- the case's texts themselves. (SQLite has one instance: no earlier release writes beside
-- this one, so the PostgreSQL trigger for rolling restarts is not needed here.)
ALTER TABLE cases ADD COLUMN search_text TEXT;

-- Existing cases get their text in the next migration (as on PostgreSQL).

-- PostgreSQL's JIT is turned off for the database; SQLite has none. The migration exists so
-- that both backends carry the same list of versions.
SELECT 1;

-- PostgreSQL's single intake calls functions planned once per session; SQLite writes
-- intakes with separate statements. The migration exists so that both backends carry the
-- same list of versions.
SELECT 1;

-- PostgreSQL drops the foreign key of search_grams so that an intake can write its grams
-- before its number, and its intake function also keeps the idempotency answer; SQLite
-- writes intakes with separate statements and keeps the key. The migration exists so that
-- both backends carry the same list of versions.
SELECT 1;

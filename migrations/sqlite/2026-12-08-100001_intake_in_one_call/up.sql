-- PostgreSQL writes an intake through the function ogi_write_intake; SQLite writes it with
-- separate statements (store::cases::insert_many), so there is nothing to create here. The
-- migration exists so that both backends carry the same list of versions.
SELECT 1;

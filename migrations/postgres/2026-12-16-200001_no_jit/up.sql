-- No JIT compilation for this database's sessions. PostgreSQL starts it on a statement's
-- estimated cost, and a page read (LIMIT over an index walk with a filter) whose filter is
-- guessed rare is estimated dear: a words search that reads in 1 ms compiled for 150 ms
-- (10,000 cases without statistics, p99 1.6 s). A database setting, not a SET on each
-- connection, so that it holds behind pgbouncer's transaction pooling too; it applies to
-- sessions started after it. Only the database's owner or a superuser may set it: another
-- role gets a notice, and the README says how to set it by hand.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'jit stays on: ALTER DATABASE % SET jit = off needs the owner', current_database();
END
$$;

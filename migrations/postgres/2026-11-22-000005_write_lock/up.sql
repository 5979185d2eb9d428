-- SQLite allows one writer. A write transaction that reads before it writes fails at once
-- (SQLITE_BUSY_SNAPSHOT) when another writer committed meanwhile; one that writes first
-- waits its turn (busy_timeout). Write transactions therefore touch this row first.
-- PostgreSQL has the table for one schema on both backends but never uses it.
CREATE TABLE write_lock (
    id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO write_lock (id, n) VALUES (1, 0);

//! Writing rows by the hundred thousand (the demo's bulk fill): ids taken ahead, so rows
//! that point at each other can be built in memory first, and each table's rows sent in
//! one go — PostgreSQL's COPY (binary, through diesel), SQLite's multi-row INSERTs. Each
//! aggregate's file says which rows it writes this way (`cases::write_bulk`, …).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;

/// Writes rows of one table inside the caller's transaction: COPY FROM STDIN on
/// PostgreSQL; on SQLite, INSERTs of `$per` rows (keep rows × columns under its 32,766
/// bound parameters). `$rows` is a slice of `Insertable` rows naming every column they set.
macro_rules! copy_in {
    ($conn:expr, $table:expr, $rows:expr, $per:expr) => {{
        let rows = $rows;
        match $conn {
            $crate::store::DbConnection::Pg(c) => diesel::copy_from($table)
                .from_insertable(rows)
                .execute(c)
                .map(|_| ()),
            $crate::store::DbConnection::Sqlite(c) => rows.chunks($per).try_for_each(|chunk| {
                diesel::insert_into($table)
                    .values(chunk)
                    .execute(c)
                    .map(|_| ())
            }),
        }
    }};
}
pub(crate) use copy_in;

/// Takes `n` ids of `table` ahead of its rows (explicit ids are then inserted).
/// PostgreSQL: values of the table's sequence, so concurrent writers never collide.
/// SQLite (one writer at a time, inside its write transaction): the ids after the highest
/// ever given; inserting them moves `AUTOINCREMENT` on.
pub fn reserve_ids(conn: &mut DbConnection, table: &str, n: usize) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
        )
        .bind::<Text, _>(table)
        .bind::<BigInt, _>(count)
        .load::<Id>(c)
        .map(|ids| ids.into_iter().map(|i| i.id).collect()),
        DbConnection::Sqlite(c) => {
            let last = diesel::sql_query(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0) AS id",
            )
            .bind::<Text, _>(table)
            .get_result::<Id>(c)?
            .id;
            Ok((last + 1..=last + count).collect())
        }
    }
}

/// Lets the rest of this transaction commit without waiting for its WAL to reach disk
/// (PostgreSQL): a crash may lose the last batches of a fill, never make them half-written.
/// For generated data only. SQLite already runs with `synchronous = NORMAL`.
pub fn relaxed_commit(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Pg(c) => c.batch_execute("SET LOCAL synchronous_commit = off"),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

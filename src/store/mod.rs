//! Persistence with diesel only: the connection pool over SQLite or PostgreSQL (one code base
//! through `MultiConnection`), embedded migrations per backend, and one file per aggregate.
//! Nothing here knows HTTP; functions take a connection and return diesel results or
//! `StoreError`.

pub mod action_log;
pub mod annual;
pub mod annual_publications;
pub mod assessments;
pub mod audit_seal;
pub mod backup;
pub mod bulk;
pub mod calendars;
pub mod campaigns;
pub mod case_files;
pub mod cases;
pub mod departments;
pub mod idempotency;
pub mod intake;
pub mod library;
pub mod online;
pub mod orders;
pub mod outbox;
pub mod remedies;
pub mod replies;
pub mod reviews;
pub mod schema;
pub mod search;
pub mod trail;
pub mod users;
pub mod web_sessions;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub(crate) const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Where the data lives, parsed once from `OGI_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://relative/path.db`, `sqlite:///absolute/path.db`, or `postgres://…`
    /// (`postgresql://` too).
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() || path.contains(":memory:") {
                return Err("SQLite needs a file path, e.g. sqlite://data/ogi-tracker.db".into());
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(Self::Postgres(raw.to_owned()))
        } else {
            Err("expected a sqlite://… or postgres://… URL".into())
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// SQLite's `synchronous` setting (the database runs in WAL mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SqliteSync {
    /// The WAL is synced at every commit: an acknowledged write survives a power loss.
    #[default]
    Full,
    /// Synced only at checkpoints: a power loss or OS crash may undo the last commits
    /// (never corrupts); a crash of the process loses nothing.
    Normal,
}

impl SqliteSync {
    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "PRAGMA synchronous = FULL;",
            SqliteSync::Normal => "PRAGMA synchronous = NORMAL;",
        }
    }
}

/// An r2d2 manager that dispatches on the URL scheme and reports the real connection error
/// (the derived `MultiConnection::establish` tries every backend and hides the cause).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    sqlite_sync: SqliteSync,
    /// On SQLite, marks the file in use for as long as the pool lives (`backup::hold`).
    _in_use: Option<std::sync::Arc<backup::InUse>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// A pooled connection: the database connection, and whether it was found cut off from its
/// server (then the pool drops it instead of handing it out again).
pub struct Pooled {
    conn: DbConnection,
    lost: bool,
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectError;

    fn connect(&self) -> Result<Pooled, ConnectError> {
        let conn = match &self.url {
            DatabaseUrl::Postgres(url) => DbConnection::Pg(PgConnection::establish(url)?),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // busy_timeout first: switching to WAL may itself wait for a lock.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA journal_mode = WAL;",
                )?;
                conn.batch_execute(self.sqlite_sync.pragma())?;
                DbConnection::Sqlite(conn)
            }
        };
        Ok(Pooled { conn, lost: false })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), ConnectError> {
        Ok(conn.batch_execute("SELECT 1")?)
    }

    /// Not reused: a connection found cut off (`checkout`, `mark_if_lost`), or one whose
    /// transaction could not be rolled back.
    fn has_broken(&self, conn: &mut Pooled) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.lost || conn.conn.is_broken()
    }
}

/// A connection used this recently is taken to be alive without asking its server.
const ALIVE_FOR: Duration = Duration::from_secs(1);

/// When a pooled connection was last handed out (kept in its r2d2 extensions).
struct HandedOut(std::time::Instant);

/// A connection from the pool, waiting at most the pool's connection timeout.
pub fn checkout(pool: &Pool) -> Result<PooledConn, r2d2::Error> {
    checkout_within(pool, pool.connection_timeout())
}

/// A live connection from the pool within `wait`. r2d2's own check-out test is off (a
/// `SELECT 1` round trip for every check-out, two per API request): a connection handed out
/// within the last second is taken as alive, and only an older one is tested here, a dead
/// one being dropped for the next. So a busy service pays nothing, and a connection cut
/// while idle (a database restart, a firewall's idle timeout) costs no request; one cut
/// mid-use fails its request once (503, `mark_if_lost`) and is dropped.
pub fn checkout_within(pool: &Pool, wait: Duration) -> Result<PooledConn, r2d2::Error> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let mut conn = pool.get_timeout(left)?;
        let recent = r2d2::PooledConnection::extensions(&conn)
            .get::<HandedOut>()
            .is_some_and(|t| t.0.elapsed() < ALIVE_FOR);
        if recent || conn.batch_execute("SELECT 1").is_ok() {
            r2d2::PooledConnection::extensions_mut(&mut conn)
                .insert(HandedOut(std::time::Instant::now()));
            return Ok(conn);
        }
        conn.lost = true;
    }
}

/// After a failed statement: true when the connection no longer reaches its server; it is
/// then dropped rather than returned to the pool.
pub fn mark_if_lost(conn: &mut Pooled) -> bool {
    if conn.conn.batch_execute("SELECT 1").is_err() {
        conn.lost = true;
    }
    conn.lost
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Diesel(#[from] diesel::result::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    File(#[from] backup::FileError),
}

/// Builds the pool with a 10 s connection timeout and SQLite's full sync (tests, tools).
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Pool, StoreError> {
    connect_with_timeout(url, max_size, Duration::from_secs(10), SqliteSync::Full)
}

/// Builds the pool; for SQLite creates the file's directory first and marks the file in
/// use. `timeout` bounds the wait for a connection and, as r2d2 halves it, the back-off
/// between reconnect attempts while the database is away: service resumes within
/// `timeout / 2` of its return.
pub fn connect_with_timeout(
    url: &DatabaseUrl,
    max_size: u32,
    timeout: Duration,
    sqlite_sync: SqliteSync,
) -> Result<Pool, StoreError> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let in_use = match url {
        DatabaseUrl::Sqlite(path) => {
            let in_use = backup::hold(path)?;
            private_files(path).map_err(|source| StoreError::DataDir {
                path: path.clone(),
                source,
            })?;
            Some(std::sync::Arc::new(in_use))
        }
        DatabaseUrl::Postgres(_) => None,
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build(Manager {
            url: url.clone(),
            sqlite_sync,
            _in_use: in_use,
        })?;
    Ok(pool)
}

/// The SQLite file holds personal data and password hashes: create it (and fix an existing
/// one) readable by the service's user only. SQLite gives the -wal and -shm files the mode
/// of the database file, and those that exist already are fixed here too.
fn private_files(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false).mode(0o600);
        drop(options.open(path)?);
        let name = path.as_os_str().to_owned();
        for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
            let mut p = name.clone();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The migration that introduces keyed audit records; its transaction also seals the
/// legacy epoch (`audit_seal`).
const SEALING_MIGRATION: &str = "2026-12-07-100001";

/// Applies the pending migrations of the connection's backend, one transaction each;
/// returns their names. `key` seals the legacy audit epoch in the transaction of the
/// migration that introduces keyed records (the key's first use on this database).
pub fn migrate(conn: &mut DbConnection, key: &trail::AuditKey) -> Result<Vec<String>, StoreError> {
    fn run_next<DB: diesel::backend::Backend, C: MigrationHarness<DB>>(
        c: &mut C,
        source: EmbeddedMigrations,
    ) -> Result<Option<String>, StoreError> {
        let boxed =
            |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
        let Some(next) = c
            .pending_migrations(source)
            .map_err(boxed)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        c.run_migration(&*next).map_err(boxed)?;
        Ok(Some(next.name().to_string()))
    }
    let mut applied = Vec::new();
    loop {
        let next = conn.transaction(|c| {
            let name = match c {
                DbConnection::Pg(c) => run_next(c, PG_MIGRATIONS),
                DbConnection::Sqlite(c) => run_next(c, SQLITE_MIGRATIONS),
            }?;
            if name
                .as_deref()
                .is_some_and(|n| n.starts_with(SEALING_MIGRATION))
            {
                audit_seal::seal(c, key)?;
            }
            Ok::<_, StoreError>(name)
        })?;
        match next {
            Some(name) => applied.push(name),
            None => return Ok(applied),
        }
    }
}

/// The current UTC instant as stored in `TIMESTAMP` columns. The store is the only layer
/// below the HTTP edge that reads the clock, and only for record-keeping columns.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Runs one diesel statement on the inner connection of either backend, for what the
/// `MultiConnection` backend cannot express (multi-row inserts): the body compiles once per
/// backend, so the SQL stays one piece of code.
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::DbConnection::Pg($c) => $body,
            $crate::store::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

/// Rows per multi-row INSERT: keeps the bound parameters (rows × columns) under SQLite's
/// 32,766 and PostgreSQL's 65,535 for tables of up to 60 columns.
pub(crate) const INSERT_CHUNK: usize = 500;

/// Call first in every write transaction. On SQLite it takes the database's write lock
/// before anything is read, so concurrent writers queue (busy_timeout) instead of failing
/// with a stale snapshot; on PostgreSQL row versions and unique keys do that job.
pub fn begin_write(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("UPDATE write_lock SET n = n + 1 WHERE id = 1"),
        DbConnection::Pg(_) => Ok(()),
    }
}

/// Call first in a read-only transaction whose queries must see one snapshot (a report
/// that reads cases, events and replies in several queries). SQLite's WAL gives a deferred
/// transaction one snapshot from its first read; PostgreSQL needs REPEATABLE READ for that
/// (READ COMMITTED gives every statement its own).
pub fn begin_snapshot(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Pg(c) => {
            c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        }
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// Takes the notification scan's lock for the rest of the transaction, without waiting:
/// false when another instance's scan holds it (that scan does the work; this one skips).
/// PostgreSQL: a transaction-scoped advisory lock, released by commit or rollback even if
/// the process dies. SQLite: writers are serialised by `begin_write` already.
pub fn try_lock_scan(conn: &mut DbConnection) -> diesel::QueryResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Taken {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        taken: bool,
    }
    match conn {
        DbConnection::Pg(c) => {
            use diesel::RunQueryDsl;
            let row: Taken =
                diesel::sql_query("SELECT pg_try_advisory_xact_lock(72700101) AS taken")
                    .get_result(c)?;
            Ok(row.taken)
        }
        DbConnection::Sqlite(_) => Ok(true),
    }
}

/// True when a transaction lost a race that a retry may win: a UNIQUE violation (two
/// writers took the same number), a serialization failure, or SQLite's busy snapshot.
pub fn is_retryable(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    match err {
        E::DatabaseError(K::UniqueViolation | K::SerializationFailure, _) => true,
        E::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database is locked") || m.contains("busy")
        }
        _ => false,
    }
}

/// True when the error is a UNIQUE violation (a 409 for the caller).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The backend type `MultiConnection` generates; `RETURNING` needs it named explicitly.
pub type Backend = self::multi_connection_impl::MultiBackend;

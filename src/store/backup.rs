//! The SQLite database as a file: the lock that marks it in use, the online backup
//! (`VACUUM INTO`) and the atomic restore. PostgreSQL has its own tools (pg_dump,
//! pg_restore; see the README); nothing here touches it.
//!
//! Every pool on an SQLite file holds a shared lock on `<database>.lock` for its lifetime
//! (services, several instances, command-line tools alike); a restore takes it exclusively,
//! so it cannot replace the file under a running process, and nothing opens the database
//! while a restore is replacing it. The kernel releases the lock when a process dies.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use diesel::migration::MigrationSource;
use diesel::sql_types::Text;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{0} does not exist or is not a file")]
    NoFile(PathBuf),
    #[error("{0} exists already: a backup never overwrites a file, choose a new name")]
    Exists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not an SQLite database")]
    NotSqlite(PathBuf),
    #[error("{path} fails SQLite's integrity check: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("{0} is an SQLite database, but not one of ogi-tracker (it has no migrations)")]
    Foreign(PathBuf),
    #[error(
        "{path} was written by a newer ogi-tracker: its migration {version} is unknown to \
         this binary; restore it with that version"
    )]
    Newer { path: PathBuf, version: String },
    #[error(
        "the database {db} is in use by a running ogi-tracker (a service or another command \
         holds {lock}); stop it first"
    )]
    InUse { db: PathBuf, lock: PathBuf },
    #[error(
        "a restore is replacing the database {db} (it holds {lock}); try again when it has \
         finished"
    )]
    Restoring { db: PathBuf, lock: PathBuf },
    #[error("{0}")]
    Database(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `<database>.lock`, beside the database.
pub fn lock_path(db: &Path) -> PathBuf {
    with_suffix(db, ".lock")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The shared lock a pool holds on its database for as long as it lives.
#[derive(Debug)]
pub struct InUse {
    _lock: File,
}

fn open_lock(db: &Path) -> Result<(PathBuf, File), FileError> {
    let path = lock_path(db);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(io(&path))?;
    Ok((path, file))
}

/// Marks the database in use; refused while a restore replaces it.
pub fn hold(db: &Path) -> Result<InUse, FileError> {
    let (lock, file) = open_lock(db)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(InUse { _lock: file }),
        Err(TryLockError::WouldBlock) => Err(FileError::Restoring {
            db: db.to_path_buf(),
            lock,
        }),
        Err(TryLockError::Error(e)) => Err(io(&lock)(e)),
    }
}

/// Writes a consistent copy of the open database to `dest`, which must not exist, while
/// the service keeps running and writing: `VACUUM INTO` reads one snapshot (a WAL read
/// transaction, which blocks no writer). SQLite does not sync its output, so the file and
/// its directory are synced here; a failed backup leaves no file behind. Returns its size.
pub fn backup(conn: &mut SqliteConnection, dest: &Path) -> Result<u64, FileError> {
    let target = dest
        .to_str()
        .ok_or_else(|| FileError::Database(format!("{} is not a UTF-8 path", dest.display())))?;
    // Created here, empty (which VACUUM INTO accepts): atomic refusal of an existing file,
    // and mode 0600 from the start, as the copy holds personal data.
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(dest) {
        Ok(file) => drop(file),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(FileError::Exists(dest.to_path_buf()));
        }
        Err(e) => return Err(io(dest)(e)),
    }
    let written = diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(conn)
        .map_err(|e| FileError::Database(e.to_string()))
        .and_then(|_| sync_file_and_dir(dest));
    match written {
        Ok(()) => Ok(std::fs::metadata(dest).map_err(io(dest))?.len()),
        Err(e) => {
            let _ = std::fs::remove_file(dest);
            Err(e)
        }
    }
}

fn sync_file_and_dir(path: &Path) -> Result<(), FileError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))?;
    sync_dir(path)
}

/// Makes a created or renamed directory entry durable (a no-op where directories cannot
/// be opened, as on Windows).
fn sync_dir(path: &Path) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        let dir = parent_dir(path);
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&dir))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// What a restore installed.
#[derive(Debug)]
pub struct Restored {
    /// Migrations the restored file had.
    pub migrations: usize,
    /// Migrations of this binary it lacks (applied at the next start or `migrate`).
    pub pending: usize,
}

/// Replaces the database at `db` with the backup `source`: checks that `source` is an
/// intact ogi-tracker database no newer than this binary, refuses while any process holds
/// the database, then copies it beside the database, syncs it and renames it over (so the
/// database is the old one or the new one, never a mix), after removing the old
/// database's -wal and -shm, which would otherwise be replayed onto the new file.
pub fn restore(db: &Path, source: &Path) -> Result<Restored, FileError> {
    let restored = check_backup(source)?;
    let dir = parent_dir(db);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let (lock, lock_file) = open_lock(db)?;
    match lock_file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(FileError::InUse {
                db: db.to_path_buf(),
                lock,
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(&lock)(e)),
    }
    let temp = with_suffix(db, &format!(".restore-{}", std::process::id()));
    let copied = copy_synced(source, &temp).and_then(|()| {
        for suffix in ["-wal", "-shm", "-journal"] {
            let stale = with_suffix(db, suffix);
            match std::fs::remove_file(&stale) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&stale)(e)),
            }
        }
        std::fs::rename(&temp, db).map_err(io(db))?;
        sync_dir(db)
    });
    if copied.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    copied?;
    drop(lock_file);
    Ok(restored)
}

fn copy_synced(from: &Path, to: &Path) -> Result<(), FileError> {
    let mut input = File::open(from).map_err(io(from))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut output = options.open(to).map_err(io(to))?;
    std::io::copy(&mut input, &mut output).map_err(io(to))?;
    output.sync_all().map_err(io(to))
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Opens `source` read-only as immutable (nothing is written beside a backup, not even a
/// -shm file) and checks it: SQLite, intact, ogi-tracker's, not newer than this binary.
fn check_backup(source: &Path) -> Result<Restored, FileError> {
    if !source.is_file() {
        return Err(FileError::NoFile(source.to_path_buf()));
    }
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(source)?);
    let mut conn = SqliteConnection::establish(&uri)
        .map_err(|_| FileError::NotSqlite(source.to_path_buf()))?;
    let lines = |conn: &mut SqliteConnection, sql: &str| {
        diesel::sql_query(sql).load::<Line>(conn).map(|rows| {
            rows.into_iter()
                .map(|r| r.line)
                .collect::<BTreeSet<String>>()
        })
    };
    let integrity = lines(
        &mut conn,
        "SELECT integrity_check AS line FROM pragma_integrity_check",
    )
    .map_err(|_| FileError::NotSqlite(source.to_path_buf()))?;
    if integrity.len() != 1 || !integrity.contains("ok") {
        return Err(FileError::Damaged {
            path: source.to_path_buf(),
            detail: integrity.into_iter().take(3).collect::<Vec<_>>().join("; "),
        });
    }
    let has_migrations = lines(
        &mut conn,
        "SELECT name AS line FROM sqlite_master \
         WHERE type = 'table' AND name = '__diesel_schema_migrations'",
    )
    .map_err(|e| FileError::Database(e.to_string()))?;
    let applied = if has_migrations.is_empty() {
        BTreeSet::new()
    } else {
        lines(
            &mut conn,
            "SELECT version AS line FROM __diesel_schema_migrations",
        )
        .map_err(|e| FileError::Database(e.to_string()))?
    };
    if applied.is_empty() {
        return Err(FileError::Foreign(source.to_path_buf()));
    }
    let known = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&super::SQLITE_MIGRATIONS)
        .map_err(|e| FileError::Database(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect::<BTreeSet<String>>();
    if let Some(unknown) = applied.difference(&known).last() {
        return Err(FileError::Newer {
            path: source.to_path_buf(),
            version: unknown.clone(),
        });
    }
    Ok(Restored {
        migrations: applied.len(),
        pending: known.difference(&applied).count(),
    })
}

/// The path as the path part of an SQLite `file:` URI: absolute, with the characters that
/// URIs reserve percent-encoded.
fn uri_path(path: &Path) -> Result<String, FileError> {
    let absolute = std::path::absolute(path).map_err(io(path))?;
    let text = absolute
        .to_str()
        .ok_or_else(|| FileError::Database(format!("{} is not a UTF-8 path", path.display())))?;
    Ok(text
        .chars()
        .map(|c| match c {
            '%' | '?' | '#' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_and_a_pool_exclude_each_other() {
        let dir = std::env::temp_dir().join(format!("ogi-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("ogi.db");
        // Two holders at once (instances, a command beside the service) are fine.
        let a = hold(&db).unwrap();
        let b = hold(&db).unwrap();
        // An empty file is an empty SQLite database, but not one of ours.
        let empty = dir.join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(restore(&db, &empty), Err(FileError::Foreign(_))));
        drop((a, b));
        // While a restore holds the lock, nothing opens the database.
        let (_, restoring) = open_lock(&db).unwrap();
        restoring.try_lock().unwrap();
        assert!(matches!(hold(&db), Err(FileError::Restoring { .. })));
        drop(restoring);
        let _held = hold(&db).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

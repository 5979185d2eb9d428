//! The application layer: one public function per user action (register a case, record
//! an event, record a reply, create a user, import a calendar year, …), called alike by the
//! JSON API (`http`), the command line (`main`) and the jobs.
//!
//! An operation takes the context (`Ctx`: pool, calendars, settings, clock) and the acting
//! user, owns its transaction, scope and version checks, writes its audit record and queues
//! its mail in that transaction, and returns typed results or one `OpError`. Nothing here
//! knows actix or JSON request shapes; operations are synchronous (diesel blocks), and each
//! face runs them where blocking is allowed (`http` on actix's blocking pool).

pub mod admin;
pub mod annual;
pub mod annual_publish;
pub mod assessments;
pub mod calendars;
pub mod campaigns;
pub mod case_files;
pub mod cases;
pub mod demo;
pub mod desk;
pub mod error;
pub mod fees;
pub mod library;
pub mod metrics;
pub mod online;
pub mod orders;
pub mod org;
pub mod outbox;
pub mod remedies;
pub mod replies;
pub mod reports;
pub mod reviews;
pub mod session;
pub mod supervision;

use std::sync::Arc;

use chrono::NaiveDate;
use diesel::Connection;

pub use error::OpError;

use crate::auth::{Actor, Role, Scope};
use crate::config::Settings;
use crate::domain::calendar::CalendarSet;
use crate::startup::StartupError;
use crate::store::calendars::CalendarCache;
use crate::store::trail::AuditKey;
use crate::store::{self, DbConnection, Pool};

pub type OpResult<T> = Result<T, OpError>;

/// What every operation may use. One per process, shared by every face.
pub struct Ctx {
    pub pool: Pool,
    pub calendars: CalendarCache,
    /// The departments and their tree, as last read (see `directory`).
    departments: store::departments::DirectoryCache,
    /// Words-search probes found common (`store::search::candidates`).
    pub common_grams: Arc<store::search::CommonGrams>,
    /// The desk lines derived today (`desk::LineCache`).
    pub(crate) desk_lines: desk::LineCache,
    pub settings: Arc<Settings>,
    /// Per department, the day its paused cases were last brought up to date (see
    /// `cases::refresh_paused`).
    paused_fresh: std::sync::Mutex<std::collections::HashMap<i64, NaiveDate>>,
    /// The departments whose paused cases a request is bringing up to date now
    /// (`cases::refresh_paused`).
    pub(crate) paused_refreshing: PausedRefreshing,
    /// Login throttling and the cap on concurrent password hashing (per instance).
    pub login_guard: Arc<crate::auth::throttle::LoginGuard>,
    /// The key every audit record is hashed under (`store::trail`).
    pub audit_key: AuditKey,
    /// SQLite: this process's write transactions take turns here (see `write`).
    sqlite_writers: std::sync::Mutex<()>,
}

impl Ctx {
    pub fn new(
        pool: Pool,
        calendars: CalendarCache,
        settings: Arc<Settings>,
        audit_key: AuditKey,
    ) -> Ctx {
        Ctx {
            pool,
            calendars,
            departments: Default::default(),
            common_grams: Default::default(),
            desk_lines: Default::default(),
            audit_key,
            login_guard: Arc::new(crate::auth::throttle::LoginGuard::new(
                settings.login_concurrency,
            )),
            settings,
            paused_fresh: Default::default(),
            paused_refreshing: Default::default(),
            sqlite_writers: std::sync::Mutex::new(()),
        }
    }

    /// Connects, brings the schema up to date and loads the calendars and the audit key:
    /// what the command line needs before it can run an operation.
    pub fn open(settings: Settings, pool_size: u32) -> Result<Ctx, StartupError> {
        let audit_key = crate::secrets::audit_key(&settings)?;
        let pool = Ctx::connect(&settings, pool_size)?;
        let calendars = {
            let mut conn = store::checkout(&pool).map_err(store::StoreError::from)?;
            store::migrate(&mut conn, &audit_key)?;
            CalendarCache::load(&mut conn)?
        };
        Ok(Ctx::new(pool, calendars, Arc::new(settings), audit_key))
    }

    /// A pool of `size` connections to the configured database, as the settings ask.
    pub fn connect(settings: &Settings, size: u32) -> Result<Pool, store::StoreError> {
        store::connect_with_timeout(
            &settings.database_url,
            size,
            std::time::Duration::from_secs(settings.pool_timeout_secs),
            settings.sqlite_sync,
        )
    }

    /// Whether the database answers (readiness).
    pub fn ping(&self) -> OpResult<()> {
        use diesel::connection::SimpleConnection;
        self.read(|c| Ok(c.batch_execute("SELECT 1")?))
    }

    /// The agency's current date (China Standard Time), unless the settings pin one.
    pub fn today(&self) -> NaiveDate {
        self.settings.today.unwrap_or_else(crate::clock::today)
    }

    /// The calendars in force, reloaded if another instance imported a year meanwhile.
    pub fn calendars(&self, c: &mut DbConnection) -> OpResult<Arc<CalendarSet>> {
        Ok(self.kept(c)?.calendars)
    }

    /// Every department and the tree, reloaded if any changed since this instance last
    /// read them.
    pub fn directory(&self, c: &mut DbConnection) -> OpResult<Arc<store::departments::Directory>> {
        Ok(self.kept(c)?.directory)
    }

    /// The departments and the calendars this instance keeps, both checked current by one
    /// statement (`store::departments::stamps`): a request that uses both pays one round
    /// trip, and so does an intake, which checks inside its transaction.
    pub fn kept(&self, c: &mut DbConnection) -> OpResult<Kept> {
        memo::kept(c, |c| {
            let (departments, generation) = store::departments::stamps(c)?;
            Ok(Kept {
                directory: self.departments.current_at(c, departments)?,
                calendars: self.calendars.current_at(c, generation)?,
            })
        })
    }

    /// Runs one request's operation. Within it the departments and calendars are checked
    /// for changes once, at their first read, rather than at every read (a desk page read
    /// each five times); a write forgets them, so what the request itself changed is seen.
    pub fn request<T>(&self, f: impl FnOnce(&Ctx) -> T) -> T {
        let _scope = memo::Scope::begin();
        f(self)
    }

    /// Runs `f` on a pooled connection, outside any write transaction: reads never take the
    /// SQLite write lock.
    pub fn read<T>(&self, f: impl FnOnce(&mut DbConnection) -> OpResult<T>) -> OpResult<T> {
        let mut conn = self.conn()?;
        let result = f(&mut conn);
        unavailable_if_lost(&mut conn, result)
    }

    /// A pooled connection, or `Unavailable` (503) after `OGI_POOL_TIMEOUT_SECS`. When the
    /// pool holds no connection at all, every one failed its check or could not be opened:
    /// the database is away, so answer within a second instead of the whole timeout.
    fn conn(&self) -> OpResult<store::PooledConn> {
        let full = std::time::Duration::from_secs(self.settings.pool_timeout_secs);
        let wait = if self.pool.state().connections == 0 {
            full.min(std::time::Duration::from_secs(1))
        } else {
            full
        };
        Ok(store::checkout_within(&self.pool, wait)?)
    }

    /// Runs `f` in a read-only transaction that sees one snapshot (reports that read several
    /// tables must add up).
    pub fn snapshot<T>(&self, f: impl FnOnce(&mut DbConnection) -> OpResult<T>) -> OpResult<T> {
        let mut conn = self.conn()?;
        let result = conn.transaction(|c| {
            store::begin_snapshot(c)?;
            f(c)
        });
        unavailable_if_lost(&mut conn, result)
    }

    /// Runs `f` in one write transaction: everything or nothing is written.
    pub fn write<T>(&self, f: impl FnOnce(&mut DbConnection) -> OpResult<T>) -> OpResult<T> {
        let mut conn = self.conn()?;
        // SQLite has one writer at a time. This process's writers queue on a mutex (woken in
        // turn) instead of polling for the database's lock under busy_timeout, where under
        // CPU load one could lose the race for over five seconds and fail ("database is
        // locked"); only other processes' writers still meet the busy timeout.
        let _turn = matches!(&**conn, DbConnection::Sqlite(_)).then(|| {
            self.sqlite_writers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        let result = conn.transaction(|c| {
            store::begin_write(c)?;
            f(c)
        });
        memo::forget();
        unavailable_if_lost(&mut conn, result)
    }

    /// Like `write`, run again (up to 8 times in all) when it lost a race for a unique
    /// number: case numbers, automatic doc numbers, audit sequence numbers.
    pub fn write_retry<T>(&self, f: impl Fn(&mut DbConnection) -> OpResult<T>) -> OpResult<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.write(&f) {
                Err(OpError::WriteConflict) if attempt < 8 => continue,
                other => return other,
            }
        }
    }
}

/// The departments and calendars as one request reads them (`Ctx::kept`).
#[derive(Clone)]
pub struct Kept {
    pub directory: Arc<store::departments::Directory>,
    pub calendars: Arc<CalendarSet>,
}

/// What one request (`Ctx::request`) has read of the departments and calendars this
/// instance keeps, on the thread that runs it.
mod memo {
    use std::cell::RefCell;

    use super::{Kept, OpResult};
    use crate::store::DbConnection;
    use crate::store::departments::in_transaction;

    #[derive(Default)]
    pub(super) struct Memo {
        pub kept: Option<Kept>,
    }

    thread_local! {
        /// None outside a request: jobs and the command line check at every read.
        static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
    }

    /// The request's span on this thread; its end (also by a panic) ends the memo. A request
    /// run inside another starts its own and gives the outer one back after.
    pub(super) struct Scope(Option<Memo>);

    impl Scope {
        pub fn begin() -> Scope {
            Scope(MEMO.with(|m| m.borrow_mut().replace(Memo::default())))
        }
    }

    impl Drop for Scope {
        fn drop(&mut self) {
            let outer = self.0.take();
            MEMO.with(|m| *m.borrow_mut() = outer);
        }
    }

    /// After a write: read again what it may have changed.
    pub(super) fn forget() {
        MEMO.with(|m| {
            if let Some(memo) = m.borrow_mut().as_mut() {
                *memo = Memo::default();
            }
        });
    }

    /// The request's copy, or `read`'s answer kept as it. Inside a transaction (which may
    /// see its own uncommitted writes) neither used nor kept.
    pub(super) fn kept(
        c: &mut DbConnection,
        read: impl FnOnce(&mut DbConnection) -> OpResult<Kept>,
    ) -> OpResult<Kept> {
        if in_transaction(c) {
            return read(c);
        }
        let held = MEMO.with(|m| m.borrow().as_ref().and_then(|m| m.kept.clone()));
        if let Some(held) = held {
            return Ok(held);
        }
        let fresh = read(c)?;
        MEMO.with(|m| {
            if let Some(memo) = m.borrow_mut().as_mut() {
                memo.kept = Some(fresh.clone());
            }
        });
        Ok(fresh)
    }
}

/// A statement that failed because the server went away (restart, failover) is the
/// database's absence (503, try again), not a fault of the service (500). Probed only on
/// the error path.
fn unavailable_if_lost<T>(conn: &mut store::Pooled, result: OpResult<T>) -> OpResult<T> {
    match result {
        Err(OpError::Internal(cause)) if store::mark_if_lost(conn) => {
            Err(OpError::Unavailable(cause))
        }
        other => other,
    }
}

/// The departments a request has claimed to bring their paused cases up to date: another
/// request that needs one of them waits for it instead of deriving and writing the same
/// cases at once (the first desks of the morning), while departments nobody claimed are
/// refreshed in parallel.
#[derive(Default)]
pub(crate) struct PausedRefreshing {
    claimed: std::sync::Mutex<std::collections::HashSet<i64>>,
    released: std::sync::Condvar,
}

impl PausedRefreshing {
    /// Claims those of `wanted` nobody claimed. When others hold all of them, waits until
    /// some are released (or `patience` passes) and answers none: the caller looks again.
    pub(crate) fn claim(&self, wanted: &[i64], patience: std::time::Duration) -> Vec<i64> {
        let mut claimed = self
            .claimed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine: Vec<i64> = wanted
            .iter()
            .copied()
            .filter(|d| claimed.insert(*d))
            .collect();
        if mine.is_empty() {
            drop(
                self.released
                    .wait_timeout(claimed, patience)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
        }
        mine
    }

    pub(crate) fn release(&self, mine: &[i64]) {
        let mut claimed = self
            .claimed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for d in mine {
            claimed.remove(d);
        }
        self.released.notify_all();
    }
}

/// The departments whose paused cases were not yet brought up to date on `day`.
pub(crate) fn paused_stale_departments(ctx: &Ctx, ids: &[i64], day: NaiveDate) -> Vec<i64> {
    let fresh = ctx.paused_fresh.lock().unwrap_or_else(|e| e.into_inner());
    ids.iter()
        .copied()
        .filter(|d| fresh.get(d) != Some(&day))
        .collect()
}

pub(crate) fn mark_paused_fresh(ctx: &Ctx, ids: &[i64], day: NaiveDate) {
    let mut fresh = ctx.paused_fresh.lock().unwrap_or_else(|e| e.into_inner());
    for d in ids {
        fresh.insert(*d, day);
    }
}

/// The caller's scope, computed from the current department tree.
pub fn scope(c: &mut DbConnection, actor: &Actor) -> OpResult<Scope> {
    let tree = store::departments::tree(c)?;
    Ok(Scope::of(actor, &tree))
}

/// Refuses the action unless the caller has one of `roles`.
pub fn require(actor: &Actor, roles: &[Role]) -> OpResult<()> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(OpError::Forbidden)
    }
}

/// Who may change cases: clerks, supervisors and administrators.
pub const CASE_WRITERS: &[Role] = &[Role::Clerk, Role::Supervisor, Role::Admin];

/// The optimistic-concurrency check every versioned write makes first.
pub fn check_version(current: i32, expected: i32) -> OpResult<()> {
    if current == expected {
        Ok(())
    } else {
        Err(OpError::StaleVersion)
    }
}

/// One action-log record: what was done, the state before (if any) and after.
pub struct Logged {
    pub action: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
}

impl Logged {
    pub fn of<B: serde::Serialize, A: serde::Serialize>(
        action: &'static str,
        before: Option<&B>,
        after: &A,
    ) -> OpResult<Logged> {
        Ok(Logged {
            action,
            before: before
                .map(serde_json::to_value)
                .transpose()
                .map_err(OpError::internal)?,
            after: serde_json::to_value(after).map_err(OpError::internal)?,
        })
    }
}

/// Appends action-log records for changes outside a case (users, departments, calendars,
/// mail, campaigns) to the subject's chain, in order, in the change's transaction.
pub fn log_actions(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: Option<&Actor>,
    subject: &str,
    records: &[Logged],
) -> OpResult<()> {
    let texts: Vec<(Option<String>, String)> = records
        .iter()
        .map(|r| {
            (
                r.before.as_ref().map(ToString::to_string),
                r.after.to_string(),
            )
        })
        .collect();
    let entries: Vec<store::action_log::Entry<'_>> = records
        .iter()
        .zip(&texts)
        .map(|(r, (before, after))| store::action_log::Entry {
            action: r.action,
            before: before.as_deref(),
            after,
        })
        .collect();
    store::action_log::append(
        c,
        &ctx.audit_key,
        subject,
        actor.map(|a| a.user_id),
        &entries,
    )
    .map_err(error::on_insert)
}

/// Appends one action-log record (see `log_actions`).
pub fn log_action(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: Option<&Actor>,
    subject: &str,
    action: &'static str,
    before: Option<&serde_json::Value>,
    after: &serde_json::Value,
) -> OpResult<()> {
    log_actions(
        ctx,
        c,
        actor,
        subject,
        &[Logged::of(action, before, after)?],
    )
}

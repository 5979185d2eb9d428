//! The action log: every state-changing action outside a case's own trail (users,
//! departments, calendars, mail, audit campaigns), append-only, one hash chain per subject
//! (`user:7`, `department:3`, `calendar:450000/2027`, `campaign:2`). Written in the
//! transaction of the change; nothing here updates or deletes a record.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::audit_seal;
use super::schema::action_log;
use super::trail::{
    AuditKey, Chained, Checker, GENESIS, Link, Scheme, Verified, chain_now, micros,
};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = action_log)]
pub struct ActionRecord {
    pub id: i64,
    pub subject: String,
    pub seq: i32,
    /// None for the command line (`ogi-tracker user add`), which acts as the operator.
    pub actor_id: Option<i64>,
    pub at: NaiveDateTime,
    pub action: String,
    pub before_state: Option<String>,
    pub after_state: String,
    pub prev_hash: String,
    pub hash: String,
    /// `sha256` (written before the audit key) or `hmac-sha256`.
    pub scheme: String,
}

/// The hashed fields of a record, in order.
#[expect(clippy::too_many_arguments, reason = "the hashed fields, each named")]
fn with_parts<T>(
    prev_hash: &str,
    subject: &str,
    seq: i32,
    actor_id: Option<i64>,
    at: NaiveDateTime,
    action: &str,
    before: Option<&str>,
    after: &str,
    f: impl FnOnce(&[&str]) -> T,
) -> T {
    let actor = actor_id.map_or_else(|| "-".to_owned(), |a| a.to_string());
    f(&[
        prev_hash,
        subject,
        &seq.to_string(),
        &actor,
        &micros(at),
        action,
        before.unwrap_or("\u{0}"),
        after,
    ])
}

impl Chained for ActionRecord {
    fn link(&self) -> Link<'_> {
        Link {
            chain: Cow::Borrowed(&self.subject),
            id: self.id,
            seq: self.seq,
            scheme: &self.scheme,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }

    fn with_parts<T>(&self, f: impl FnOnce(&[&str]) -> T) -> T {
        with_parts(
            &self.prev_hash,
            &self.subject,
            self.seq,
            self.actor_id,
            self.at,
            &self.action,
            self.before_state.as_deref(),
            &self.after_state,
            f,
        )
    }
}

/// One action to record.
pub struct Entry<'a> {
    pub action: &'a str,
    pub before: Option<&'a str>,
    pub after: &'a str,
}

/// Appends records to the subject's chain, in order (call inside the transaction of the
/// change): one read of the chain's end and multi-row inserts, so a sheet import of
/// thousands of rows logs each write without a round trip per record. Two writers
/// appending to one subject at once collide on `(subject, seq)`: the loser's transaction
/// fails with a retryable error.
pub fn append(
    conn: &mut DbConnection,
    key: &AuditKey,
    subject: &str,
    actor_id: Option<i64>,
    entries: &[Entry<'_>],
) -> QueryResult<()> {
    let last: Option<(i32, String)> = action_log::table
        .filter(action_log::subject.eq(subject))
        .order(action_log::seq.desc())
        .select((action_log::seq, action_log::hash))
        .first(conn)
        .optional()?;
    let (mut seq, mut prev) = last.unwrap_or((0, GENESIS.to_owned()));
    let at = chain_now();
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let hash = with_parts(
            &prev,
            subject,
            seq,
            actor_id,
            at,
            e.action,
            e.before,
            e.after,
            |parts| key.digest(parts),
        );
        rows.push((
            action_log::subject.eq(subject),
            action_log::seq.eq(seq),
            action_log::actor_id.eq(actor_id),
            action_log::at.eq(at),
            action_log::action.eq(e.action),
            action_log::before_state.eq(e.before),
            action_log::after_state.eq(e.after),
            action_log::prev_hash.eq(std::mem::replace(&mut prev, hash.clone())),
            action_log::hash.eq(hash),
            action_log::scheme.eq(Scheme::HmacSha256.as_str()),
        ));
    }
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        super::per_backend!(conn, |c| diesel::insert_into(action_log::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The records of one subject, oldest first.
pub fn history(conn: &mut DbConnection, subject: &str) -> QueryResult<Vec<ActionRecord>> {
    action_log::table
        .filter(action_log::subject.eq(subject))
        .order(action_log::seq)
        .select(ActionRecord::as_select())
        .load(conn)
}

/// The newest records across all subjects, newest first (for administrators).
pub fn recent(
    conn: &mut DbConnection,
    subject_prefix: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ActionRecord>> {
    let mut q = action_log::table
        .order(action_log::id.desc())
        .select(ActionRecord::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(p) = subject_prefix {
        q = q.filter(action_log::subject.like(format!("{p}%")));
    }
    q.load(conn)
}

/// A place where a subject's chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Break {
    pub subject: String,
    pub seq: i32,
    pub record_id: i64,
    pub problem: String,
}

/// How many records `verify` reads at a time. Debug builds (the test suites) read a few at
/// a time so that every test's verification crosses batches, chains split between them.
const VERIFY_BATCH: i64 = if cfg!(debug_assertions) { 5 } else { 50_000 };

/// Checks every subject's chain (see `trail::Checker`) under `key`; without it, keyed
/// records are left unverified. Reads the log in batches ordered by subject and sequence.
pub fn verify(conn: &mut DbConnection, key: Option<&AuditKey>) -> QueryResult<Verified<Break>> {
    let seal = audit_seal::find(conn, audit_seal::ACTION_LOG)?;
    let mut checker = Checker::new(
        audit_seal::ACTION_LOG,
        seal,
        key,
        |r: Option<&ActionRecord>, problem| Break {
            subject: r.map_or_else(String::new, |r| r.subject.clone()),
            seq: r.map_or(0, |r| r.seq),
            record_id: r.map_or(0, |r| r.id),
            problem,
        },
    );
    let mut after: Option<(String, i32)> = None;
    loop {
        let mut q = action_log::table
            .order((action_log::subject, action_log::seq))
            .select(ActionRecord::as_select())
            .limit(VERIFY_BATCH)
            .into_boxed();
        if let Some((subject, seq)) = &after {
            q = q.filter(
                action_log::subject
                    .gt(subject.clone())
                    .or(action_log::subject
                        .eq(subject.clone())
                        .and(action_log::seq.gt(*seq))),
            );
        }
        let batch = q.load::<ActionRecord>(conn)?;
        checker.feed(&batch);
        match batch.last() {
            Some(r) if batch.len() as i64 == VERIFY_BATCH => {
                after = Some((r.subject.clone(), r.seq));
            }
            _ => break,
        }
    }
    Ok(checker.finish())
}

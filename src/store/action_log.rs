//! The action log: every state-changing action outside a case's own trail (users,
//! departments, calendars, mail, audit campaigns), append-only, one hash chain per subject
//! (`user:7`, `department:3`, `calendar:450000/2027`, `campaign:2`). Written in the
//! transaction of the change; nothing here updates or deletes a record.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::action_log;
use super::trail::{GENESIS, chain_now, digest_parts, link_problems};
use super::{Backend, DbConnection};

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
}

#[expect(clippy::too_many_arguments, reason = "the hashed fields, each named")]
fn digest(
    prev_hash: &str,
    subject: &str,
    seq: i32,
    actor_id: Option<i64>,
    at: NaiveDateTime,
    action: &str,
    before: Option<&str>,
    after: &str,
) -> String {
    let actor = actor_id.map_or_else(|| "-".to_owned(), |a| a.to_string());
    digest_parts(&[
        prev_hash,
        subject,
        &seq.to_string(),
        &actor,
        &at.and_utc().timestamp_micros().to_string(),
        action,
        before.unwrap_or("\u{0}"),
        after,
    ])
}

/// Appends a record to the subject's chain (call inside the transaction of the change).
/// Two writers appending to one subject at once collide on `(subject, seq)`: the loser's
/// transaction fails with a retryable error.
pub fn append(
    conn: &mut DbConnection,
    subject: &str,
    actor_id: Option<i64>,
    action: &str,
    before: Option<&str>,
    after: &str,
) -> QueryResult<ActionRecord> {
    let last: Option<(i32, String)> = action_log::table
        .filter(action_log::subject.eq(subject))
        .order(action_log::seq.desc())
        .select((action_log::seq, action_log::hash))
        .first(conn)
        .optional()?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let at = chain_now();
    let hash = digest(&prev, subject, seq, actor_id, at, action, before, after);
    diesel::insert_into(action_log::table)
        .values((
            action_log::subject.eq(subject),
            action_log::seq.eq(seq),
            action_log::actor_id.eq(actor_id),
            action_log::at.eq(at),
            action_log::action.eq(action),
            action_log::before_state.eq(before),
            action_log::after_state.eq(after),
            action_log::prev_hash.eq(&prev),
            action_log::hash.eq(&hash),
        ))
        .returning(<ActionRecord as Selectable<Backend>>::construct_selection())
        .get_result(conn)
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

/// Checks every subject's chain: hashes match content, links hold, no gaps.
pub fn verify(conn: &mut DbConnection) -> QueryResult<(usize, Vec<Break>)> {
    let all = action_log::table
        .order((action_log::subject, action_log::seq))
        .select(ActionRecord::as_select())
        .load::<ActionRecord>(conn)?;
    let mut breaks = Vec::new();
    let mut prev: Option<&ActionRecord> = None;
    for r in &all {
        let (expected_seq, expected_prev) = match prev.filter(|p| p.subject == r.subject) {
            Some(p) => (p.seq + 1, p.hash.as_str()),
            None => (1, GENESIS),
        };
        let recomputed = digest(
            &r.prev_hash,
            &r.subject,
            r.seq,
            r.actor_id,
            r.at,
            &r.action,
            r.before_state.as_deref(),
            &r.after_state,
        );
        for problem in link_problems(
            (r.seq, expected_seq),
            (&r.prev_hash, expected_prev),
            (&r.hash, &recomputed),
        ) {
            breaks.push(Break {
                subject: r.subject.clone(),
                seq: r.seq,
                record_id: r.id,
                problem: problem.to_owned(),
            });
        }
        prev = Some(r);
    }
    Ok((all.len(), breaks))
}

//! The case audit trail (who changed what on a case, when): append-only, one hash chain per
//! case. Nothing here updates or deletes a record, and no route exposes such a thing.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::audit_records;
use super::{Backend, DbConnection, now};

/// The `prev_hash` of a case's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_records)]
pub struct AuditRecord {
    pub id: i64,
    pub case_id: i64,
    pub seq: i32,
    pub actor_id: i64,
    pub at: NaiveDateTime,
    pub action: String,
    pub before_state: Option<String>,
    pub after_state: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed fields of a record: everything but the hash itself.
pub struct Content<'a> {
    pub prev_hash: &'a str,
    pub case_id: i64,
    pub seq: i32,
    pub actor_id: i64,
    pub at: NaiveDateTime,
    pub action: &'a str,
    pub before: Option<&'a str>,
    pub after: &'a str,
}

impl Content<'_> {
    /// SHA-256 over the fields, each length-prefixed so no two different records can
    /// produce the same input.
    pub fn digest(&self) -> String {
        digest_parts(&[
            self.prev_hash,
            &self.case_id.to_string(),
            &self.seq.to_string(),
            &self.actor_id.to_string(),
            &self.at.and_utc().timestamp_micros().to_string(),
            self.action,
            self.before.unwrap_or("\u{0}"),
            self.after,
        ])
    }
}

/// SHA-256 over the parts, each length-prefixed so no two different lists hash alike (the
/// case trail and the action log hash their records this way).
pub(crate) fn digest_parts(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// Now, at microsecond precision: what both databases store exactly, so a record's hash can
/// be recomputed from what was stored.
pub(crate) fn chain_now() -> NaiveDateTime {
    let at = now();
    chrono::DateTime::from_timestamp_micros(at.and_utc().timestamp_micros())
        .map_or(at, |t| t.naive_utc())
}

/// What is wrong with one link of a chain, given what its predecessor says it should be.
pub(crate) fn link_problems(
    (seq, expected_seq): (i32, i32),
    (prev_hash, expected_prev): (&str, &str),
    (hash, recomputed): (&str, &str),
) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if seq != expected_seq {
        problems.push("sequence gap: a record is missing");
    }
    if prev_hash != expected_prev {
        problems.push("prev_hash does not match the previous record");
    }
    if hash != recomputed {
        problems.push("content does not match its hash: the record was altered");
    }
    problems
}

/// SHA-256 of `data` as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends a record to the case's chain (call inside the transaction of the change).
pub fn append(
    conn: &mut DbConnection,
    case_id: i64,
    actor_id: i64,
    action: &str,
    before: Option<&str>,
    after: &str,
) -> QueryResult<AuditRecord> {
    let last: Option<(i32, String)> = audit_records::table
        .filter(audit_records::case_id.eq(case_id))
        .order(audit_records::seq.desc())
        .select((audit_records::seq, audit_records::hash))
        .first(conn)
        .optional()?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let at = chain_now();
    let hash = Content {
        prev_hash: &prev,
        case_id,
        seq,
        actor_id,
        at,
        action,
        before,
        after,
    }
    .digest();
    diesel::insert_into(audit_records::table)
        .values((
            audit_records::case_id.eq(case_id),
            audit_records::seq.eq(seq),
            audit_records::actor_id.eq(actor_id),
            audit_records::at.eq(at),
            audit_records::action.eq(action),
            audit_records::before_state.eq(before),
            audit_records::after_state.eq(after),
            audit_records::prev_hash.eq(&prev),
            audit_records::hash.eq(&hash),
        ))
        .returning(<AuditRecord as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// The first record of a new case's chain.
pub struct Opening<'a> {
    pub case_id: i64,
    pub actor_id: i64,
    pub action: &'a str,
    pub after: &'a str,
}

/// Starts the chains of cases created in this transaction, in one multi-row insert: a new
/// case has no record yet, so each opens at sequence 1 after `GENESIS` without reading.
pub fn open_chains(conn: &mut DbConnection, openings: &[Opening<'_>]) -> QueryResult<()> {
    let at = chain_now();
    let rows: Vec<_> = openings
        .iter()
        .map(|o| {
            let hash = Content {
                prev_hash: GENESIS,
                case_id: o.case_id,
                seq: 1,
                actor_id: o.actor_id,
                at,
                action: o.action,
                before: None,
                after: o.after,
            }
            .digest();
            (
                audit_records::case_id.eq(o.case_id),
                audit_records::seq.eq(1),
                audit_records::actor_id.eq(o.actor_id),
                audit_records::at.eq(at),
                audit_records::action.eq(o.action),
                audit_records::before_state.eq(None::<&str>),
                audit_records::after_state.eq(o.after),
                audit_records::prev_hash.eq(GENESIS),
                audit_records::hash.eq(hash),
            )
        })
        .collect();
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        super::per_backend!(conn, |c| diesel::insert_into(audit_records::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// One entry of a trail written whole (`write_trails`): who did what, the case's state
/// before and after.
pub struct Entry {
    pub actor_id: i64,
    pub action: String,
    pub before: Option<String>,
    pub after: String,
}

#[derive(Insertable)]
#[diesel(table_name = audit_records, treat_none_as_default_value = false)]
struct Chained<'a> {
    case_id: i64,
    seq: i32,
    actor_id: i64,
    at: NaiveDateTime,
    action: &'a str,
    before_state: Option<&'a str>,
    after_state: &'a str,
    prev_hash: String,
    hash: String,
}

/// Writes the whole trails of cases created in this transaction (the demo's bulk fill),
/// chained and hashed as `open_chains` and `append` would have, one record after another:
/// each trail opens at sequence 1 after `GENESIS`.
pub fn write_trails(conn: &mut DbConnection, trails: &[(i64, Vec<Entry>)]) -> QueryResult<()> {
    let at = chain_now();
    let mut rows = Vec::new();
    for (case_id, entries) in trails {
        let mut prev = GENESIS.to_owned();
        for (seq, e) in (1..).zip(entries) {
            let hash = Content {
                prev_hash: &prev,
                case_id: *case_id,
                seq,
                actor_id: e.actor_id,
                at,
                action: &e.action,
                before: e.before.as_deref(),
                after: &e.after,
            }
            .digest();
            rows.push(Chained {
                case_id: *case_id,
                seq,
                actor_id: e.actor_id,
                at,
                action: &e.action,
                before_state: e.before.as_deref(),
                after_state: &e.after,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
        }
    }
    super::bulk::copy_in!(conn, audit_records::table, &rows, super::INSERT_CHUNK)
}

pub fn history(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<AuditRecord>> {
    audit_records::table
        .filter(audit_records::case_id.eq(case_id))
        .order(audit_records::seq)
        .select(AuditRecord::as_select())
        .load(conn)
}

/// A place where a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Break {
    pub case_id: i64,
    pub seq: i32,
    pub record_id: i64,
    pub problem: String,
}

/// Checks every chain: each record's hash matches its content, links to its predecessor,
/// and the sequence has no gaps.
pub fn verify(conn: &mut DbConnection) -> QueryResult<(usize, Vec<Break>)> {
    let all = audit_records::table
        .order((audit_records::case_id, audit_records::seq))
        .select(AuditRecord::as_select())
        .load::<AuditRecord>(conn)?;
    let mut breaks = Vec::new();
    let mut prev: Option<&AuditRecord> = None;
    for r in &all {
        let (expected_seq, expected_prev) = match prev.filter(|p| p.case_id == r.case_id) {
            Some(p) => (p.seq + 1, p.hash.as_str()),
            None => (1, GENESIS),
        };
        let recomputed = Content {
            prev_hash: &r.prev_hash,
            case_id: r.case_id,
            seq: r.seq,
            actor_id: r.actor_id,
            at: r.at,
            action: &r.action,
            before: r.before_state.as_deref(),
            after: &r.after_state,
        }
        .digest();
        for problem in link_problems(
            (r.seq, expected_seq),
            (&r.prev_hash, expected_prev),
            (&r.hash, &recomputed),
        ) {
            breaks.push(Break {
                case_id: r.case_id,
                seq: r.seq,
                record_id: r.id,
                problem: problem.to_owned(),
            });
        }
        prev = Some(r);
    }
    breaks.extend(cross_check(conn, &all)?);
    Ok((all.len(), breaks))
}

/// The chain alone cannot see a record deleted from its end, nor an edit to the facts it
/// describes. So every case must have a trail, and the events recorded for a case must be
/// exactly those its `event:*` audit records captured, in order and unchanged.
fn cross_check(conn: &mut DbConnection, all: &[AuditRecord]) -> QueryResult<Vec<Break>> {
    use super::schema::{case_events, cases};
    let mut breaks = Vec::new();
    let case_ids: Vec<i64> = cases::table.select(cases::id).order(cases::id).load(conn)?;
    let events: Vec<(i64, String, String)> = case_events::table
        .order((case_events::case_id, case_events::id))
        .select((
            case_events::case_id,
            case_events::kind,
            case_events::payload,
        ))
        .load(conn)?;
    // Both lists are ordered by case: one pass groups them (a million cases stay linear).
    let trails: HashMap<i64, &[AuditRecord]> = all
        .chunk_by(|a, b| a.case_id == b.case_id)
        .map(|t| (t[0].case_id, t))
        .collect();
    let events_of: HashMap<i64, &[(i64, String, String)]> = events
        .chunk_by(|a, b| a.0 == b.0)
        .map(|e| (e[0].0, e))
        .collect();
    for case_id in case_ids {
        let trail: Vec<&AuditRecord> = trails
            .get(&case_id)
            .copied()
            .unwrap_or(&[])
            .iter()
            .collect();
        let events = events_of.get(&case_id).copied().unwrap_or(&[]);
        let brk = |seq: i32, problem: String| Break {
            case_id,
            seq,
            record_id: 0,
            problem,
        };
        if trail.first().is_none_or(|r| r.action != "case_created") {
            breaks.push(brk(
                1,
                "the trail does not begin with the case's creation".into(),
            ));
        }
        let audited: Vec<serde_json::Value> = trail
            .iter()
            .filter(|r| r.action.starts_with("event:"))
            .map(|r| {
                serde_json::from_str::<serde_json::Value>(&r.after_state)
                    .ok()
                    .and_then(|v| v.get("event").cloned())
                    .unwrap_or(serde_json::Value::Null)
            })
            .collect();
        // Replies stop the clock with a `replied` event audited as `reply_recorded`.
        let recorded: Vec<serde_json::Value> = events
            .iter()
            .filter(|(_, kind, _)| kind != "replied")
            .map(|(_, _, payload)| serde_json::from_str(payload).unwrap_or(serde_json::Value::Null))
            .collect();
        let replies = events
            .iter()
            .filter(|(_, kind, _)| kind == "replied")
            .count();
        let reply_records = trail
            .iter()
            .filter(|r| r.action == "reply_recorded")
            .count();
        if audited.len() != recorded.len() || replies != reply_records {
            breaks.push(brk(
                trail.last().map_or(0, |r| r.seq),
                format!(
                    "{} events and {} replies recorded, but {} event and {} reply audit records: a record or an event was removed or added",
                    recorded.len(),
                    replies,
                    audited.len(),
                    reply_records
                ),
            ));
        }
        for (i, (a, e)) in audited.iter().zip(&recorded).enumerate() {
            if a != e {
                breaks.push(brk(
                    0,
                    format!(
                        "event {} of the case differs from what its audit record captured",
                        i + 1
                    ),
                ));
            }
        }
    }
    Ok(breaks)
}

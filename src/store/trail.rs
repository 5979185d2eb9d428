//! The case audit trail (who changed what on a case, when): append-only, one hash chain per
//! case. Nothing here updates or deletes a record, and no route exposes such a thing.
//!
//! Every audit record of both chain tables (this trail and `action_log`) is hashed here:
//! new records are HMAC-SHA256 under the server-held `AuditKey`, so someone who can write
//! to the database but does not hold the key cannot rewrite a record and recompute its
//! hash. Records written before the key existed keep plain SHA-256; `audit_seal` fixes
//! where that legacy epoch ends.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::digest::Update;
use sha2::{Digest, Sha256};

use super::audit_seal::{self, Seal};
use super::schema::audit_records;
use super::{Backend, DbConnection, now};

/// The `prev_hash` of a case's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How a record's `hash` was made (its `scheme` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain SHA-256: records written before the audit key was first used.
    Sha256,
    /// HMAC-SHA256 under the audit key: every record written since.
    HmacSha256,
}

impl Scheme {
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Sha256 => "sha256",
            Scheme::HmacSha256 => "hmac-sha256",
        }
    }

    pub fn parse(raw: &str) -> Option<Scheme> {
        [Scheme::Sha256, Scheme::HmacSha256]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// The server-held key of the audit chains (`OGI_AUDIT_KEY`). It never goes into the
/// database: whoever can write the database without it cannot forge a record.
#[derive(Clone)]
pub struct AuditKey(Hmac<Sha256>);

impl AuditKey {
    #[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
    pub fn new(secret: &str) -> AuditKey {
        AuditKey(
            <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
                .expect("HMAC accepts any key length"),
        )
    }

    /// HMAC-SHA256 over the parts, each length-prefixed, as lowercase hex.
    pub fn digest(&self, parts: &[&str]) -> String {
        let mut mac = self.0.clone();
        feed(&mut mac, parts);
        hex(&mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<secret>)")
    }
}

/// Length-prefixes each part, so no two different lists of parts hash alike.
fn feed(h: &mut impl Update, parts: &[&str]) {
    for part in parts {
        h.update(&(part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
}

/// Plain SHA-256 over the length-prefixed parts: the legacy scheme, only ever recomputed.
fn legacy_digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    feed(&mut h, parts);
    hex(&h.finalize())
}

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
    /// `sha256` (written before the audit key) or `hmac-sha256`.
    pub scheme: String,
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
    /// The record's hash: HMAC-SHA256 under the key over the fields, each length-prefixed.
    pub fn digest(&self, key: &AuditKey) -> String {
        self.with_parts(|parts| key.digest(parts))
    }

    fn with_parts<T>(&self, f: impl FnOnce(&[&str]) -> T) -> T {
        f(&[
            self.prev_hash,
            &self.case_id.to_string(),
            &self.seq.to_string(),
            &self.actor_id.to_string(),
            &micros(self.at),
            self.action,
            self.before.unwrap_or("\u{0}"),
            self.after,
        ])
    }
}

/// An instant as hashed: microseconds since the epoch.
pub(crate) fn micros(at: NaiveDateTime) -> String {
    at.and_utc().timestamp_micros().to_string()
}

/// Now, at microsecond precision: what both databases store exactly, so a record's hash can
/// be recomputed from what was stored.
pub(crate) fn chain_now() -> NaiveDateTime {
    let at = now();
    chrono::DateTime::from_timestamp_micros(at.and_utc().timestamp_micros())
        .map_or(at, |t| t.naive_utc())
}

/// SHA-256 of `data` as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Verification, shared by both chain tables

/// What the verifier reads of a stored record of either chain table.
pub(crate) struct Link<'a> {
    /// The chain the record belongs to, as text: a case id, or a subject (`user:7`).
    pub chain: Cow<'a, str>,
    pub id: i64,
    pub seq: i32,
    pub scheme: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

pub(crate) trait Chained {
    fn link(&self) -> Link<'_>;
    /// Calls `f` with the record's hashed fields, in order.
    fn with_parts<T>(&self, f: impl FnOnce(&[&str]) -> T) -> T;
}

impl Chained for AuditRecord {
    fn link(&self) -> Link<'_> {
        Link {
            chain: Cow::Owned(self.case_id.to_string()),
            id: self.id,
            seq: self.seq,
            scheme: &self.scheme,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }

    fn with_parts<T>(&self, f: impl FnOnce(&[&str]) -> T) -> T {
        Content {
            prev_hash: &self.prev_hash,
            case_id: self.case_id,
            seq: self.seq,
            actor_id: self.actor_id,
            at: self.at,
            action: &self.action,
            before: self.before_state.as_deref(),
            after: &self.after_state,
        }
        .with_parts(f)
    }
}

/// One table's chains as `verify-audit` reports them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified<B> {
    pub records: usize,
    /// Records per hash scheme (as stored).
    pub schemes: BTreeMap<String, usize>,
    /// Where the legacy (unkeyed) epoch ends; `None` when the seal is missing.
    pub seal: Option<Seal>,
    /// Whether the key verified every keyed record and the seal; `None` without a key.
    pub key_verified: Option<bool>,
    /// Keyed records whose HMAC does not match (all of them: probably another key).
    pub keyed_failed: usize,
    /// Keyed records (and seals) left unchecked for want of the key.
    pub unverified: usize,
    pub breaks: Vec<B>,
}

/// The record a chain's next record must follow, kept across the batches given to `Checker`.
struct Last {
    chain: String,
    seq: i32,
    hash: String,
    scheme: String,
}

/// Checks one table's records, given in batches ordered by chain and sequence (a chain may
/// span batches, so a million cases' records need not be in memory at once): each links to
/// its predecessor without gaps, its hash matches its content under its scheme, no unkeyed
/// record lies past the seal or follows a keyed one, and the seal itself holds. `brk` turns
/// a problem (of a record, or of the seal when `None`) into the table's break.
pub(crate) struct Checker<'k, R, B, F> {
    table: String,
    seal: Option<Seal>,
    key: Option<&'k AuditKey>,
    brk: F,
    records: usize,
    schemes: BTreeMap<String, usize>,
    breaks: Vec<B>,
    keyed_failed: usize,
    unverified: usize,
    // Per chain, the last record inside the sealed bound: what the seal covers.
    heads: BTreeMap<String, (i32, String)>,
    last: Option<Last>,
    _record: std::marker::PhantomData<fn(&R)>,
}

impl<'k, R: Chained, B, F: Fn(Option<&R>, String) -> B> Checker<'k, R, B, F> {
    pub(crate) fn new(table: &str, seal: Option<Seal>, key: Option<&'k AuditKey>, brk: F) -> Self {
        Checker {
            table: table.to_owned(),
            seal,
            key,
            brk,
            records: 0,
            schemes: BTreeMap::from([
                (Scheme::Sha256.as_str().to_owned(), 0),
                (Scheme::HmacSha256.as_str().to_owned(), 0),
            ]),
            breaks: Vec::new(),
            keyed_failed: 0,
            unverified: 0,
            heads: BTreeMap::new(),
            last: None,
            _record: std::marker::PhantomData,
        }
    }

    /// The next records, continuing where the previous batch ended.
    pub(crate) fn feed(&mut self, records: &[R]) {
        let (seal, key) = (self.seal.as_ref(), self.key);
        for r in records {
            self.records += 1;
            let link = r.link();
            *self.schemes.entry(link.scheme.to_owned()).or_default() += 1;
            let same_chain = self.last.as_ref().filter(|p| p.chain == link.chain);
            let (expected_seq, expected_prev) =
                same_chain.map_or((1, GENESIS), |p| (p.seq + 1, p.hash.as_str()));
            let mut problems = Vec::new();
            if link.seq != expected_seq {
                problems.push("sequence gap: a record is missing");
            }
            if link.prev_hash != expected_prev {
                problems.push("prev_hash does not match the previous record");
            }
            match Scheme::parse(link.scheme) {
                None => problems.push("unknown hash scheme"),
                Some(Scheme::Sha256) => {
                    if r.with_parts(legacy_digest) != link.hash {
                        problems.push("content does not match its hash: the record was altered");
                    }
                    if seal.is_some_and(|s| link.id > s.legacy_max_id) {
                        problems.push(
                            "an unkeyed (sha256) record after the sealed legacy epoch: forged or relabelled",
                        );
                    }
                    if same_chain.is_some_and(|p| p.scheme != Scheme::Sha256.as_str()) {
                        problems.push("the chain goes back from hmac-sha256 to sha256");
                    }
                }
                Some(Scheme::HmacSha256) => match key {
                    Some(key) if r.with_parts(|parts| key.digest(parts)) != link.hash => {
                        self.keyed_failed += 1;
                        problems.push(
                            "content does not match its keyed hash: the record was altered, or the key is not the one it was written with",
                        );
                    }
                    Some(_) => {}
                    None => self.unverified += 1,
                },
            }
            let brk = &self.brk;
            self.breaks
                .extend(problems.into_iter().map(|p| brk(Some(r), p.to_owned())));
            if seal.is_some_and(|s| link.id <= s.legacy_max_id) {
                self.heads
                    .insert(link.chain.to_string(), (link.seq, link.hash.to_owned()));
            }
            self.last = Some(Last {
                chain: link.chain.into_owned(),
                seq: link.seq,
                hash: link.hash.to_owned(),
                scheme: link.scheme.to_owned(),
            });
        }
    }

    /// Checks the seal against the chains' heads and reports.
    pub(crate) fn finish(mut self) -> Verified<B> {
        let seal_ok = match (&self.seal, self.key) {
            (None, _) => {
                let problem = format!(
                    "seal: {} has no seal of its legacy epoch (it is written when the key is first used): it was removed",
                    self.table
                );
                self.breaks.push((self.brk)(None, problem));
                false
            }
            (Some(s), Some(key)) => {
                let ok =
                    audit_seal::mac(key, &self.table, s.legacy_max_id, s.sealed_at, &self.heads)
                        == s.mac;
                if !ok {
                    self.breaks.push((self.brk)(
                        None,
                        "seal: does not verify: a record up to its bound was rewritten, added or removed, the seal was edited, or the key is not the one it was made with".into(),
                    ));
                }
                ok
            }
            (Some(_), None) => {
                self.unverified += 1;
                true
            }
        };
        Verified {
            records: self.records,
            schemes: self.schemes,
            seal: self.seal,
            key_verified: self.key.map(|_| self.keyed_failed == 0 && seal_ok),
            keyed_failed: self.keyed_failed,
            unverified: self.unverified,
            breaks: self.breaks,
        }
    }
}

/// Appends a record to the case's chain (call inside the transaction of the change).
pub fn append(
    conn: &mut DbConnection,
    key: &AuditKey,
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
    .digest(key);
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
            audit_records::scheme.eq(Scheme::HmacSha256.as_str()),
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

impl Opening<'_> {
    /// The record's hash as stored at `at` (a `chain_now` instant): sequence 1 after
    /// `GENESIS`, under the audit key.
    pub(crate) fn hash(&self, key: &AuditKey, at: NaiveDateTime) -> String {
        Content {
            prev_hash: GENESIS,
            case_id: self.case_id,
            seq: 1,
            actor_id: self.actor_id,
            at,
            action: self.action,
            before: None,
            after: self.after,
        }
        .digest(key)
    }
}

/// Starts the chains of cases created in this transaction, in one multi-row insert: a new
/// case has no record yet, so each opens at sequence 1 after `GENESIS` without reading.
pub fn open_chains(
    conn: &mut DbConnection,
    key: &AuditKey,
    openings: &[Opening<'_>],
) -> QueryResult<()> {
    let at = chain_now();
    let rows: Vec<_> = openings
        .iter()
        .map(|o| {
            let hash = o.hash(key, at);
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
                audit_records::scheme.eq(Scheme::HmacSha256.as_str()),
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
struct TrailRow<'a> {
    case_id: i64,
    seq: i32,
    actor_id: i64,
    at: NaiveDateTime,
    action: &'a str,
    before_state: Option<&'a str>,
    after_state: &'a str,
    prev_hash: String,
    hash: String,
    scheme: &'static str,
}

/// Writes the whole trails of cases created in this transaction (the demo's bulk fill),
/// chained and hashed as `open_chains` and `append` would have, one record after another:
/// each trail opens at sequence 1 after `GENESIS`.
pub fn write_trails(
    conn: &mut DbConnection,
    key: &AuditKey,
    trails: &[(i64, Vec<Entry>)],
) -> QueryResult<()> {
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
            .digest(key);
            rows.push(TrailRow {
                case_id: *case_id,
                seq,
                actor_id: e.actor_id,
                at,
                action: &e.action,
                before_state: e.before.as_deref(),
                after_state: &e.after,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
                scheme: Scheme::HmacSha256.as_str(),
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

/// A place where a chain does not hold. `record_id` 0: a fact disagrees with the chain, or
/// (with `case_id` 0) the seal or the case numbers do not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Break {
    pub case_id: i64,
    pub seq: i32,
    pub record_id: i64,
    pub problem: String,
}

/// How many case ids `verify` reads at a time (about two records each). Debug builds (the
/// test suites) read a few at a time so that every test's verification crosses batches.
const VERIFY_CASES: i64 = if cfg!(debug_assertions) { 3 } else { 20_000 };

/// Checks every case's chain (see `check`) under `key` (without it, keyed records are
/// left unverified), then the chains against the facts (`cross_check`). Reads the cases a
/// range of ids at a time: memory stays flat however many cases there are.
pub fn verify(conn: &mut DbConnection, key: Option<&AuditKey>) -> QueryResult<Verified<Break>> {
    use super::schema::cases;
    let seal = audit_seal::find(conn, audit_seal::AUDIT_RECORDS)?;
    let mut checker = Checker::new(
        audit_seal::AUDIT_RECORDS,
        seal,
        key,
        |r: Option<&AuditRecord>, problem| Break {
            case_id: r.map_or(0, |r| r.case_id),
            seq: r.map_or(0, |r| r.seq),
            record_id: r.map_or(0, |r| r.id),
            problem,
        },
    );
    let mut facts = Vec::new();
    // Ranges (after, after + VERIFY_CASES] of case ids, skipping gaps: a record whose case
    // is gone is read too (its chain has no case row), as is a case without records.
    let mut after = i64::MIN;
    loop {
        let next = [
            audit_records::table
                .filter(audit_records::case_id.gt(after))
                .select(diesel::dsl::min(audit_records::case_id))
                .first::<Option<i64>>(conn)?,
            cases::table
                .filter(cases::id.gt(after))
                .select(diesel::dsl::min(cases::id))
                .first::<Option<i64>>(conn)?,
        ];
        let Some(first) = next.into_iter().flatten().min() else {
            break;
        };
        let last = first.saturating_add(VERIFY_CASES - 1);
        let records = audit_records::table
            .filter(audit_records::case_id.between(first, last))
            .order((audit_records::case_id, audit_records::seq))
            .select(AuditRecord::as_select())
            .load::<AuditRecord>(conn)?;
        checker.feed(&records);
        facts.extend(cross_check(conn, &records, first, last)?);
        if last == i64::MAX {
            break;
        }
        after = last;
    }
    let mut verified = checker.finish();
    verified.breaks.extend(facts);
    verified.breaks.extend(numbers_gapless(conn)?);
    Ok(verified)
}

/// The items of `sorted` (sorted by `key`) whose key is `id`.
fn range_of<T>(sorted: &[T], id: i64, key: impl Fn(&T) -> i64) -> &[T] {
    let start = sorted.partition_point(|t| key(t) < id);
    let end = start + sorted[start..].partition_point(|t| key(t) == id);
    &sorted[start..end]
}

/// The chain alone cannot see a record deleted from its end, nor an edit to the facts it
/// describes. So every case must have a trail, and the events recorded for a case must be
/// exactly those its `event:*` audit records captured, in order and unchanged. `all` holds
/// the records of the cases with ids in `first..=last`.
fn cross_check(
    conn: &mut DbConnection,
    all: &[AuditRecord],
    first: i64,
    last: i64,
) -> QueryResult<Vec<Break>> {
    use super::schema::{case_events, cases};
    let mut breaks = Vec::new();
    let case_ids: Vec<i64> = cases::table
        .filter(cases::id.between(first, last))
        .select(cases::id)
        .order(cases::id)
        .load(conn)?;
    let events: Vec<(i64, String, String)> = case_events::table
        .filter(case_events::case_id.between(first, last))
        .order((case_events::case_id, case_events::id))
        .select((
            case_events::case_id,
            case_events::kind,
            case_events::payload,
        ))
        .load(conn)?;
    for case_id in case_ids {
        // Both lists are sorted by case: each case's share is a range found by bisection
        // (a scan per case would make the check quadratic in the number of cases).
        let trail: Vec<&AuditRecord> = range_of(all, case_id, |r| r.case_id).iter().collect();
        let events = range_of(&events, case_id, |e| e.0);
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

/// No chain shows a whole case removed with its trail and events. Case numbers do: they run
/// without gaps per department and year up to the counter's last number, so a removed case
/// leaves a hole, and the newest one too unless its counter is turned back as well.
fn numbers_gapless(conn: &mut DbConnection) -> QueryResult<Vec<Break>> {
    use super::schema::{case_counters, cases};
    let numbers: BTreeMap<(i64, i32), (i64, i32)> = cases::table
        .group_by((cases::department_id, cases::year))
        .select((
            cases::department_id,
            cases::year,
            diesel::dsl::count_star(),
            diesel::dsl::max(cases::seq),
        ))
        .load::<(i64, i32, i64, Option<i32>)>(conn)?
        .into_iter()
        .map(|(dept, year, count, max)| ((dept, year), (count, max.unwrap_or(0))))
        .collect();
    let counters: BTreeMap<(i64, i32), i32> = case_counters::table
        .select((
            case_counters::department_id,
            case_counters::year,
            case_counters::last_seq,
        ))
        .load::<(i64, i32, i32)>(conn)?
        .into_iter()
        .map(|(dept, year, last)| ((dept, year), last))
        .collect();
    let mut breaks = Vec::new();
    let keys: std::collections::BTreeSet<&(i64, i32)> =
        numbers.keys().chain(counters.keys()).collect();
    for &(dept, year) in keys {
        let (count, max) = numbers.get(&(dept, year)).copied().unwrap_or_default();
        let last = counters.get(&(dept, year)).copied().unwrap_or(0);
        if count != i64::from(last) || max != last {
            breaks.push(Break {
                case_id: 0,
                seq: 0,
                record_id: 0,
                problem: format!(
                    "department {dept} has {count} cases of {year}, numbered up to {max}, but gave out {last} numbers: a case was removed"
                ),
            });
        }
    }
    Ok(breaks)
}

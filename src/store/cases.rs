//! Cases, their requested items and their events. `status`, `due_on` and the two sort keys
//! are derived columns: the caller recomputes them from the events and writes them in the
//! same transaction as the change that moved them.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{case_events, case_items, cases, search_grams};
use super::{Backend, DbConnection, now, search};

/// Sort key for cases without a due date: after every real date.
pub const NO_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
pub struct CaseRow {
    pub id: i64,
    pub department_id: i64,
    pub case_number: String,
    pub year: i32,
    pub seq: i32,
    pub applicant_type: String,
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub channel: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub purpose: Option<String>,
    pub delivery_preference: Option<String>,
    pub assignee_id: Option<i64>,
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub due_sort: NaiveDate,
    pub receipt_sort: NaiveDate,
    pub version: i32,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub awaiting_approval: bool,
    pub settled_on: Option<NaiveDate>,
    pub conclusion: Option<String>,
    /// The outcome of the case's latest reply (`replies::insert` writes it).
    pub reply_outcome: Option<String>,
    /// What the words search matches (`search::text`); None when an instance of an earlier
    /// release wrote the case (migration `2026-12-16-100001_case_search_text`).
    pub search_text: Option<String>,
}

/// `conclusion` of a case whose events hold a reopening or more than one conclusion: what
/// ended it is in its events (the annual report reads them).
pub const HISTORY: &str = "history";

/// The intake facts of a new case (already validated).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub department_id: i64,
    pub applicant_type: String,
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub channel: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub purpose: Option<String>,
    pub delivery_preference: Option<String>,
    pub items: Vec<String>,
}

/// The derived columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub assignee_id: Option<i64>,
    /// An extension request waits for a supervisor's approval.
    pub awaiting_approval: bool,
    /// A concluded case: the latest date among its conclusions and reopenings.
    pub settled_on: Option<NaiveDate>,
    /// What ended a case that ended once and was never reopened (the kind of that event),
    /// `history` when its events hold more; none while it never ended.
    pub conclusion: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub occurred_on: NaiveDate,
    /// The event as JSON (`{"type": …, …}`).
    pub payload: String,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

diesel::define_sql_function! {
    /// `take_case_seqs` on PostgreSQL (migration `2026-12-14-100001_intake_planned_once`):
    /// the department's intakes first queue on a transaction-scoped advisory lock, so that a
    /// commit wakes the next in line only, where waiters on the counter row itself would
    /// all wake and re-check it (`ON CONFLICT` restarts its check after a wait). Called
    /// through a prepared statement, its statements are planned once per connection.
    fn ogi_take_case_seqs(
        department: diesel::sql_types::BigInt,
        in_year: diesel::sql_types::Integer,
        n: diesel::sql_types::Integer,
    ) -> diesel::sql_types::Integer;
}

/// Takes the next `count` case numbers of a department and year (call inside the intake's
/// transaction) and returns the last of them. The counter row stays locked until the
/// transaction ends: concurrent intakes queue for it rather than colliding, and a rollback
/// returns the numbers. Since the lock lasts until commit, callers take it last, after
/// every read of the intake.
pub(crate) fn take_case_seqs(
    conn: &mut DbConnection,
    department_id: i64,
    year: i32,
    count: i32,
) -> QueryResult<i32> {
    use diesel::sql_types::{BigInt, Integer};
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Integer)]
        last_seq: i32,
    }
    match conn {
        DbConnection::Pg(pg) => {
            diesel::select(ogi_take_case_seqs(department_id, year, count)).get_result(pg)
        }
        // One statement: create the counter, or advance it.
        DbConnection::Sqlite(_) => diesel::sql_query(
            "INSERT INTO case_counters (department_id, year, last_seq) VALUES (?, ?, ?) \
             ON CONFLICT (department_id, year) DO UPDATE \
             SET last_seq = case_counters.last_seq + excluded.last_seq RETURNING last_seq",
        )
        .bind::<BigInt, _>(department_id)
        .bind::<Integer, _>(year)
        .bind::<Integer, _>(count)
        .get_result::<Taken>(conn)
        .map(|t| t.last_seq),
    }
}

/// One new case as stored (a multi-row insert needs a named row type).
#[derive(Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
struct CaseInsert<'a> {
    department_id: i64,
    case_number: String,
    year: i32,
    seq: i32,
    applicant_type: &'a str,
    applicant_name: &'a str,
    applicant_id_number: Option<&'a str>,
    applicant_phone: Option<&'a str>,
    applicant_email: Option<&'a str>,
    applicant_address: Option<&'a str>,
    channel: &'a str,
    submitted_on: NaiveDate,
    received_on: Option<NaiveDate>,
    tracking_number: Option<&'a str>,
    purpose: Option<&'a str>,
    delivery_preference: Option<&'a str>,
    assignee_id: Option<i64>,
    status: &'a str,
    due_on: Option<NaiveDate>,
    due_sort: NaiveDate,
    receipt_sort: NaiveDate,
    version: i32,
    created_by: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    awaiting_approval: bool,
    search_text: String,
}

/// A case to register: its intake facts, the year that numbers it, its derived columns.
#[derive(Debug, Clone, Copy)]
pub struct Intake<'a> {
    pub new: &'a NewCase,
    pub year: i32,
    pub derived: &'a Derived,
}

/// Inserts new cases with their items, each numbered `{year}-{seq:04}` within its
/// department and year, in the order given; returns the rows in that order. Every new case
/// goes through here (one intake or a batch): a few multi-row statements whatever the
/// count, and the department counters (`take_case_seqs`) taken just before the rows go in,
/// in a fixed order so two batches cannot deadlock. The (department, year, seq) unique key
/// still guards against a counter behind imported rows.
pub fn insert_many(
    conn: &mut DbConnection,
    intakes: &[Intake<'_>],
    created_by: i64,
) -> QueryResult<Vec<CaseRow>> {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<(i64, i32), i32> = BTreeMap::new();
    for i in intakes {
        *counts.entry((i.new.department_id, i.year)).or_default() += 1;
    }
    // The first number of each (department, year) in this insert.
    let mut next: BTreeMap<(i64, i32), i32> = BTreeMap::new();
    for (&(dept, year), &count) in &counts {
        let last = take_case_seqs(conn, dept, year, count)?;
        next.insert((dept, year), last - count + 1);
    }
    let ts = now();
    let mut rows = Vec::with_capacity(intakes.len());
    for i in intakes {
        let (new, d) = (i.new, i.derived);
        let slot = next.entry((new.department_id, i.year)).or_insert(1);
        let seq = *slot;
        *slot += 1;
        let number = case_number(i.year, seq);
        rows.push(CaseInsert {
            department_id: new.department_id,
            search_text: search::text(texts(&new.applicant_name, &number, &new.items)),
            case_number: number,
            year: i.year,
            seq,
            applicant_type: &new.applicant_type,
            applicant_name: &new.applicant_name,
            applicant_id_number: new.applicant_id_number.as_deref(),
            applicant_phone: new.applicant_phone.as_deref(),
            applicant_email: new.applicant_email.as_deref(),
            applicant_address: new.applicant_address.as_deref(),
            channel: &new.channel,
            submitted_on: new.submitted_on,
            received_on: new.received_on,
            tracking_number: new.tracking_number.as_deref(),
            purpose: new.purpose.as_deref(),
            delivery_preference: new.delivery_preference.as_deref(),
            assignee_id: d.assignee_id,
            status: &d.status,
            due_on: d.due_on,
            due_sort: d.due_on.unwrap_or(NO_DATE),
            receipt_sort: new.received_on.unwrap_or(new.submitted_on),
            version: 1,
            created_by,
            created_at: ts,
            updated_at: ts,
            awaiting_approval: d.awaiting_approval,
        });
    }
    let mut stored: Vec<CaseRow> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        let part: Vec<CaseRow> = super::per_backend!(conn, |c| {
            diesel::insert_into(cases::table)
                .values(chunk)
                .returning(CaseRow::as_returning())
                .get_results(c)
        })?;
        stored.extend(part);
    }
    // RETURNING promises no order: put the rows back in the order given by their numbers.
    let mut by_number: BTreeMap<(i64, i32, i32), CaseRow> = stored
        .into_iter()
        .map(|r| ((r.department_id, r.year, r.seq), r))
        .collect();
    let ordered: Vec<CaseRow> = rows
        .iter()
        .filter_map(|r| by_number.remove(&(r.department_id, r.year, r.seq)))
        .collect();
    if ordered.len() != intakes.len() {
        return Err(diesel::result::Error::QueryBuilderError(
            "the inserted cases do not match the numbers taken".into(),
        ));
    }
    let items: Vec<(i64, &[String])> = ordered
        .iter()
        .zip(intakes)
        .map(|(row, i)| (row.id, i.new.items.as_slice()))
        .collect();
    insert_items(conn, &items)?;
    let grams: Vec<(i64, BTreeSet<String>)> = ordered
        .iter()
        .zip(intakes)
        .map(|(row, i)| {
            let g = searched(&row.applicant_name, &row.case_number, &i.new.items);
            (row.id, g)
        })
        .collect();
    search::add_many(conn, &grams)?;
    Ok(ordered)
}

/// A case's number within its department: `{year}-{seq:04}`.
fn case_number(year: i32, seq: i32) -> String {
    format!("{year}-{seq:04}")
}

impl CaseRow {
    /// A new case as `insert_many` stores it, built ahead of writing (`write_bulk`): its id
    /// taken with `bulk::reserve_ids`, its number `seq` of `year` taken from the counter.
    pub fn new_intake(
        id: i64,
        new: &NewCase,
        (year, seq): (i32, i32),
        derived: &Derived,
        created_by: i64,
        at: NaiveDateTime,
    ) -> CaseRow {
        let number = case_number(year, seq);
        CaseRow {
            id,
            department_id: new.department_id,
            search_text: Some(search::text(texts(
                &new.applicant_name,
                &number,
                &new.items,
            ))),
            case_number: number,
            year,
            seq,
            applicant_type: new.applicant_type.clone(),
            applicant_name: new.applicant_name.clone(),
            applicant_id_number: new.applicant_id_number.clone(),
            applicant_phone: new.applicant_phone.clone(),
            applicant_email: new.applicant_email.clone(),
            applicant_address: new.applicant_address.clone(),
            channel: new.channel.clone(),
            submitted_on: new.submitted_on,
            received_on: new.received_on,
            tracking_number: new.tracking_number.clone(),
            purpose: new.purpose.clone(),
            delivery_preference: new.delivery_preference.clone(),
            assignee_id: None,
            status: String::new(),
            due_on: None,
            due_sort: NO_DATE,
            receipt_sort: new.received_on.unwrap_or(new.submitted_on),
            version: 1,
            created_by,
            created_at: at,
            updated_at: at,
            awaiting_approval: false,
            settled_on: None,
            conclusion: None,
            reply_outcome: None,
        }
        .with_derived(derived)
    }

    /// The row with new derived values, as `update_derived` stores them.
    pub fn with_derived(mut self, d: &Derived) -> CaseRow {
        self.status.clone_from(&d.status);
        self.due_on = d.due_on;
        self.due_sort = d.due_on.unwrap_or(NO_DATE);
        self.assignee_id = d.assignee_id;
        self.awaiting_approval = d.awaiting_approval;
        self.settled_on = d.settled_on;
        self.conclusion.clone_from(&d.conclusion);
        self
    }
}

/// Writes cases built ahead (`CaseRow::new_intake`, ids reserved) with their items and
/// search grams, inside the caller's transaction: the rows `insert_many` would write, in a
/// few statements per table whatever their number. Numbers must come from the counter.
pub fn write_bulk(
    conn: &mut DbConnection,
    rows: &[CaseRow],
    items: &[Vec<String>],
) -> QueryResult<()> {
    super::bulk::copy_in!(&mut *conn, cases::table, rows, super::INSERT_CHUNK)?;
    let mut item_rows = Vec::new();
    let mut gram_rows = Vec::new();
    for (row, its) in rows.iter().zip(items) {
        for (i, description) in its.iter().enumerate() {
            item_rows.push((
                case_items::case_id.eq(row.id),
                case_items::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                case_items::description.eq(description.as_str()),
            ));
        }
        for gram in searched(&row.applicant_name, &row.case_number, its) {
            gram_rows.push((
                search_grams::gram.eq(gram),
                search_grams::case_id.eq(row.id),
            ));
        }
    }
    super::bulk::copy_in!(
        &mut *conn,
        case_items::table,
        &item_rows,
        super::INSERT_CHUNK * 4
    )?;
    super::bulk::copy_in!(
        &mut *conn,
        search_grams::table,
        &gram_rows,
        super::INSERT_CHUNK * 16
    )
}

/// Writes events built ahead (ids reserved), inside the caller's transaction.
pub fn write_events(conn: &mut DbConnection, rows: &[EventRow]) -> QueryResult<()> {
    super::bulk::copy_in!(conn, case_events::table, rows, super::INSERT_CHUNK * 2)
}

/// The texts the words search looks at, in order: the applicant's name, the case number,
/// the items.
pub fn texts<'a>(
    applicant_name: &'a str,
    case_number: &'a str,
    items: &'a [String],
) -> impl Iterator<Item = &'a str> {
    [applicant_name, case_number]
        .into_iter()
        .chain(items.iter().map(String::as_str))
}

/// The grams of those texts.
pub(crate) fn searched(
    applicant_name: &str,
    case_number: &str,
    items: &[String],
) -> BTreeSet<String> {
    search::grams(texts(applicant_name, case_number, items))
}

/// Items of cases, each case's numbered from 1 in the order given.
fn insert_items(conn: &mut DbConnection, cases: &[(i64, &[String])]) -> QueryResult<()> {
    let rows: Vec<_> = cases
        .iter()
        .flat_map(|(case_id, items)| {
            items.iter().enumerate().map(move |(i, description)| {
                (
                    case_items::case_id.eq(*case_id),
                    case_items::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                    case_items::description.eq(description.as_str()),
                )
            })
        })
        .collect();
    for chunk in rows.chunks(super::INSERT_CHUNK * 4) {
        super::per_backend!(conn, |c| diesel::insert_into(case_items::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CaseRow>> {
    cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn items(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<String>> {
    case_items::table
        .filter(case_items::case_id.eq(case_id))
        .order(case_items::position)
        .select(case_items::description)
        .load(conn)
}

pub fn events(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<EventRow>> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::id)
        .select(EventRow::as_select())
        .load(conn)
}

pub fn insert_event(
    conn: &mut DbConnection,
    case_id: i64,
    kind: &str,
    occurred_on: NaiveDate,
    payload: &str,
    recorded_by: i64,
) -> QueryResult<EventRow> {
    diesel::insert_into(case_events::table)
        .values((
            case_events::case_id.eq(case_id),
            case_events::kind.eq(kind),
            case_events::occurred_on.eq(occurred_on),
            case_events::payload.eq(payload),
            case_events::recorded_by.eq(recorded_by),
            case_events::recorded_at.eq(now()),
        ))
        .returning(<EventRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// Rewrites the intake facts of a case (and its items when `items` is true); the caller
/// derives the case again and bumps the version in the same transaction.
pub fn update_intake(
    conn: &mut DbConnection,
    id: i64,
    new: &NewCase,
    items: bool,
) -> QueryResult<()> {
    let (old_name, number): (String, String) = cases::table
        .find(id)
        .select((cases::applicant_name, cases::case_number))
        .first(conn)?;
    let old_items = self::items(conn, id)?;
    let old = searched(&old_name, &number, &old_items);
    let kept = if items { &new.items } else { &old_items };
    // The name is set only when it changes: on PostgreSQL an update that names it without
    // changing the text forgets the text (an earlier release's correction, see migration
    // `2026-12-16-100001_case_search_text`).
    let renamed =
        (new.applicant_name != old_name).then(|| cases::applicant_name.eq(&new.applicant_name));
    diesel::update(cases::table.filter(cases::id.eq(id)))
        .set((
            cases::applicant_type.eq(&new.applicant_type),
            renamed,
            cases::search_text.eq(search::text(texts(&new.applicant_name, &number, kept))),
            cases::applicant_id_number.eq(&new.applicant_id_number),
            cases::applicant_phone.eq(&new.applicant_phone),
            cases::applicant_email.eq(&new.applicant_email),
            cases::applicant_address.eq(&new.applicant_address),
            cases::channel.eq(&new.channel),
            cases::submitted_on.eq(new.submitted_on),
            cases::received_on.eq(new.received_on),
            cases::tracking_number.eq(&new.tracking_number),
            cases::purpose.eq(&new.purpose),
            cases::delivery_preference.eq(&new.delivery_preference),
            cases::receipt_sort.eq(new.received_on.unwrap_or(new.submitted_on)),
        ))
        .execute(conn)?;
    if items {
        diesel::delete(case_items::table.filter(case_items::case_id.eq(id))).execute(conn)?;
        insert_items(conn, &[(id, new.items.as_slice())])?;
    }
    search::replace(
        conn,
        id,
        &old,
        &searched(&new.applicant_name, &number, kept),
    )
}

/// Writes new derived values and bumps the version if it is still `expected_version`;
/// returns the row as stored, or None when another writer got there first.
pub fn update_derived(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    derived: &Derived,
    received_on: Option<NaiveDate>,
) -> QueryResult<Option<CaseRow>> {
    diesel::update(
        cases::table
            .filter(cases::id.eq(id))
            .filter(cases::version.eq(expected_version)),
    )
    .set((
        cases::status.eq(&derived.status),
        cases::due_on.eq(derived.due_on),
        cases::due_sort.eq(derived.due_on.unwrap_or(NO_DATE)),
        cases::assignee_id.eq(derived.assignee_id),
        cases::awaiting_approval.eq(derived.awaiting_approval),
        cases::settled_on.eq(derived.settled_on),
        cases::conclusion.eq(&derived.conclusion),
        cases::received_on.eq(received_on),
        cases::version.eq(expected_version + 1),
        cases::updated_at.eq(now()),
    ))
    .returning(<CaseRow as Selectable<Backend>>::construct_selection())
    .get_result(conn)
    .optional()
}

/// Rewrites the derived columns after a calendar change or the passage of time (no new
/// facts), if the version is still `expected_version`; bumps it so stale writers get a 412.
pub fn refresh_derived(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    derived: &Derived,
) -> QueryResult<bool> {
    let changed = diesel::update(
        cases::table
            .filter(cases::id.eq(id))
            .filter(cases::version.eq(expected_version)),
    )
    .set((
        cases::status.eq(&derived.status),
        cases::due_on.eq(derived.due_on),
        cases::due_sort.eq(derived.due_on.unwrap_or(NO_DATE)),
        cases::awaiting_approval.eq(derived.awaiting_approval),
        cases::settled_on.eq(derived.settled_on),
        cases::conclusion.eq(&derived.conclusion),
        cases::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Ids of cases stored as paused: their clock may have started again by itself (a
/// consultation's 15 working days ran out), so lists refresh them first.
pub fn paused_ids(conn: &mut DbConnection, department_ids: &[i64]) -> QueryResult<Vec<i64>> {
    cases::table
        .filter(cases::status.eq("paused"))
        .filter(cases::department_id.eq_any(department_ids))
        .select(cases::id)
        .load(conn)
}

/// Ids of cases that are not replied or closed.
pub fn open_ids(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    cases::table
        .filter(cases::status.ne_all(["replied", "closed"]))
        .order(cases::id)
        .select(cases::id)
        .load(conn)
}

/// Cases of some applicants (department, name) received since a date, with their items:
/// one query for the cases and, when there are any, one for their items (for several
/// applicants, one per 500 cases): the repeat check of an intake.
pub fn of_applicants(
    conn: &mut DbConnection,
    applicants: &[(i64, &str)],
    since: NaiveDate,
) -> QueryResult<Vec<(CaseRow, Vec<String>)>> {
    use std::collections::{BTreeMap, BTreeSet};
    let by_position = (case_items::case_id, case_items::position);
    let columns = (case_items::case_id, case_items::description);
    // A single intake asks for one applicant: equalities, which PostgreSQL plans once per
    // connection; the lists below (`= ANY`) it plans again at every call.
    let (rows, found): (Vec<CaseRow>, Vec<(i64, String)>) = if let [(dept, name)] = applicants {
        let theirs = cases::department_id
            .eq(*dept)
            .and(cases::applicant_name.eq(*name))
            .and(cases::receipt_sort.ge(since));
        let rows: Vec<CaseRow> = cases::table
            .filter(theirs)
            .order(cases::id)
            .select(CaseRow::as_select())
            .load(conn)?;
        let found = if rows.is_empty() {
            Vec::new()
        } else {
            case_items::table
                .inner_join(cases::table)
                .filter(theirs)
                .order(by_position)
                .select(columns)
                .load(conn)?
        };
        (rows, found)
    } else {
        let wanted: BTreeSet<(i64, &str)> = applicants.iter().copied().collect();
        let depts: BTreeSet<i64> = wanted.iter().map(|(d, _)| *d).collect();
        let names: BTreeSet<&str> = wanted.iter().map(|(_, n)| *n).collect();
        let rows: Vec<CaseRow> = cases::table
            .filter(cases::department_id.eq_any(depts))
            .filter(cases::applicant_name.eq_any(names))
            .filter(cases::receipt_sort.ge(since))
            .order(cases::id)
            .select(CaseRow::as_select())
            .load(conn)?;
        let rows: Vec<CaseRow> = rows
            .into_iter()
            .filter(|r| wanted.contains(&(r.department_id, r.applicant_name.as_str())))
            .collect();
        let mut found = Vec::new();
        for ids in rows.chunks(super::INSERT_CHUNK) {
            found.extend(
                case_items::table
                    .filter(case_items::case_id.eq_any(ids.iter().map(|r| r.id)))
                    .order(by_position)
                    .select(columns)
                    .load::<(i64, String)>(conn)?,
            );
        }
        (rows, found)
    };
    let mut items: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (id, d) in found {
        items.entry(id).or_default().push(d);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let its = items.remove(&r.id).unwrap_or_default();
            (r, its)
        })
        .collect())
}

/// Statuses whose stored `due_on` is a running clock's date: a late 补正 waits on the
/// applicant (awaiting_correction) while its period runs on (Art. 30).
const RUNNING: [&str; 3] = ["received", "in_progress", "awaiting_correction"];

/// Open cases (not replied or closed) and overdue ones (running, due before `today`), as
/// stored. Both counts range over the (status, due_sort, id) index the lists read: "due
/// before" on `due_sort` is "due before" on `due_on` (see `filtered`).
pub fn count_open_overdue(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<(i64, i64)> {
    let open: i64 = cases::table
        .filter(cases::status.eq_any(["received", "awaiting_correction", "in_progress", "paused"]))
        .count()
        .get_result(conn)?;
    let overdue: i64 = cases::table
        .filter(cases::status.eq_any(RUNNING))
        .filter(cases::due_sort.lt(today))
        .count()
        .get_result(conn)?;
    Ok((open, overdue))
}

/// What a case list may be filtered by, already resolved to SQL terms by the caller.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub department_ids: Vec<i64>,
    /// `department_ids` are every department there is (an administrator, the top
    /// supervisor): no department condition, which PostgreSQL would otherwise test against
    /// the whole list on every row read.
    pub every_department: bool,
    pub statuses: Vec<String>,
    pub assignee: Option<i64>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub due_before: Option<NaiveDate>,
    /// Open and running cases due strictly before this date.
    pub overdue_before: Option<NaiveDate>,
    /// Open, running cases due from this date on (with `due_by`: not yet overdue) …
    pub due_from: Option<NaiveDate>,
    /// … and on or before the per-department date.
    pub due_by: Option<Vec<(i64, NaiveDate)>>,
    pub q: Option<String>,
    /// The probes this instance knows to be common (`search::candidates`).
    pub common_grams: Option<std::sync::Arc<search::CommonGrams>>,
    /// Only cases whose extension request waits for approval.
    pub awaiting_approval: bool,
    /// Only applications whose receipt date is not yet confirmed.
    pub unconfirmed: bool,
    /// Only cases without a due date: their clock stands still or has not started.
    pub undated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Due,
    Received,
}

/// A keyset cursor: the last row's sort date and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub date: NaiveDate,
    pub id: i64,
}

/// One page, ordered by (sort date, id); stable under inserts because it resumes after the
/// last row seen rather than at an offset.
pub fn list(
    conn: &mut DbConnection,
    f: &ListFilter,
    sort: SortKey,
    after: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<CaseRow>> {
    listed(conn, f, sort, after, limit, |conn, p| {
        filtered(cases::table.select(CaseRow::as_select()).into_boxed(), p).load(conn)
    })
}

/// The columns of a case that a desk line shows: a desk reads hundreds of cases per page,
/// and the whole row (applicant's contacts, purpose, …) was most of what it read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct DeskRow {
    pub id: i64,
    pub department_id: i64,
    pub case_number: String,
    pub applicant_name: String,
    pub channel: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub assignee_id: Option<i64>,
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub due_sort: NaiveDate,
    pub version: i32,
}

/// The first page by due date of the desk's columns (`list`'s filters and order).
pub fn desk_list(conn: &mut DbConnection, f: &ListFilter, limit: i64) -> QueryResult<Vec<DeskRow>> {
    listed(conn, f, SortKey::Due, None, limit, |conn, p| {
        filtered(cases::table.select(DeskRow::as_select()).into_boxed(), p).load(conn)
    })
}

/// A listed row's place in due order (what `listed` merges by).
trait DueKey {
    fn due_key(&self) -> (NaiveDate, i64);
}

impl DueKey for CaseRow {
    fn due_key(&self) -> (NaiveDate, i64) {
        (self.due_sort, self.id)
    }
}

impl DueKey for DeskRow {
    fn due_key(&self) -> (NaiveDate, i64) {
        (self.due_sort, self.id)
    }
}

/// A list's page of rows of any shape: the filters resolved (statuses, words) and, by due
/// date over several statuses, the per-status reads merged; `read` selects the columns.
fn listed<R: DueKey>(
    conn: &mut DbConnection,
    f: &ListFilter,
    sort: SortKey,
    after: Option<Cursor>,
    limit: i64,
    mut read: impl FnMut(&mut DbConnection, &Page<'_>) -> QueryResult<Vec<R>>,
) -> QueryResult<Vec<R>> {
    // The statuses the filters allow (None: any); the overdue and due-soon filters want a
    // running clock.
    let mut statuses = (!f.statuses.is_empty()).then(|| f.statuses.clone());
    if f.overdue_before.is_some() || f.due_by.is_some() {
        statuses = Some(match statuses {
            None => RUNNING.iter().map(|s| (*s).to_owned()).collect(),
            Some(wanted) => wanted
                .into_iter()
                .filter(|s| RUNNING.contains(&s.as_str()))
                .collect(),
        });
    }
    // A status named twice is one status: read twice, its cases would be listed twice.
    // The first mention keeps its place (the merge reads the statuses in the order given).
    if let Some(several) = statuses.as_mut() {
        let mut named = std::collections::HashSet::new();
        several.retain(|s| named.insert(s.clone()));
    }
    let words = match f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => {
            let candidates =
                search::candidates(conn, &search::probe(text), f.common_grams.as_deref())?;
            if candidates.as_ref().is_some_and(Vec::is_empty) {
                return Ok(Vec::new());
            }
            Some(Words {
                // `%` and `_` in the search are literal characters, escaped for LIKE …
                // ESCAPE '\' (the same clause on SQLite and PostgreSQL).
                pattern: format!(
                    "%{}%",
                    text.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                ),
                candidates,
                in_one_text: !text.contains(search::SEPARATOR),
            })
        }
    };
    let page = |statuses, until| Page {
        filter: f,
        statuses,
        words: words.as_ref(),
        until,
        sort,
        after,
        limit,
    };
    match statuses {
        // Running statuses of every department by due date on PostgreSQL (a supervisor's
        // desk or overdue list over the whole tree): one range of the partial index of
        // running cases (`cases_running_due`), which the page stops reading when full.
        Some(several)
            if several.len() > 1
                && sort == SortKey::Due
                && f.every_department
                && matches!(conn, DbConnection::Pg(_))
                && several.iter().all(|s| RUNNING.contains(&s.as_str())) =>
        {
            read(conn, &page(Some(&several), None))
        }
        // Several statuses by due date (the desk, the overdue list): each status is one
        // range of an index in due order ((status, due_sort, id), after the department
        // for one department), read only as far as the page goes and merged here. One
        // query over all of them would sort every open case in scope before the first row.
        Some(several) if several.len() > 1 && sort == SortKey::Due => {
            let full = usize::try_from(limit).unwrap_or(0);
            let mut rows: Vec<R> = Vec::new();
            for status in &several {
                // Once a page is full, a later status can only add rows before its last.
                let until = rows.get(full.wrapping_sub(1)).map(|r| {
                    let (date, id) = r.due_key();
                    Cursor { date, id }
                });
                rows.extend(read(
                    conn,
                    &page(Some(std::slice::from_ref(status)), until),
                )?);
                rows.sort_by_key(DueKey::due_key);
                rows.truncate(full);
            }
            Ok(rows)
        }
        statuses => read(conn, &page(statuses.as_deref(), None)),
    }
}

/// A words search as a list applies it: the LIKE pattern every case must match, and
/// the candidates from the index to read by id (None: walk the cases in order).
struct Words {
    pattern: String,
    candidates: Option<Vec<i64>>,
    /// The query lacks the separator of the cases' search texts, so matching the whole
    /// text is matching one of its parts (`search::text`).
    in_one_text: bool,
}

/// What one read of a list applies: the cases of `statuses` (None: any) that meet the
/// other filters, by due date only before `until` when given.
struct Page<'f> {
    filter: &'f ListFilter,
    statuses: Option<&'f [String]>,
    words: Option<&'f Words>,
    until: Option<Cursor>,
    sort: SortKey,
    after: Option<Cursor>,
    limit: i64,
}

/// `q` (the cases, of whatever columns) filtered, ordered and limited as `p` says.
fn filtered<'a, ST: 'a>(
    mut q: cases::BoxedQuery<'a, Backend, ST>,
    p: &Page<'_>,
) -> cases::BoxedQuery<'a, Backend, ST> {
    let f = p.filter;
    // One department or status is an equality, not `= ANY` of a one-element list:
    // PostgreSQL reads an index in order only after an equality on the columns before.
    q = match f.department_ids.as_slice() {
        _ if f.every_department => q,
        [one] => q.filter(cases::department_id.eq(*one)),
        several => q.filter(cases::department_id.eq_any(several.to_vec())),
    };
    q = match p.statuses {
        None => q,
        Some([one]) => q.filter(cases::status.eq(one.clone())),
        Some(several) => q.filter(cases::status.eq_any(several.to_vec())),
    };
    if let Some(a) = f.assignee {
        q = q.filter(cases::assignee_id.eq(a));
    }
    if f.awaiting_approval {
        q = q.filter(cases::awaiting_approval.eq(true));
    }
    if f.unconfirmed {
        q = q.filter(cases::received_on.is_null());
    }
    if f.undated {
        // The end of each status's range of the due-order index.
        q = q.filter(cases::due_sort.eq(NO_DATE));
    }
    if let Some(d) = f.received_from {
        q = q.filter(cases::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(cases::received_on.le(d));
    }
    // `due_sort` is `due_on`, or a date after every real one when there is none: "due
    // before" reads the same on either, and on `due_sort` the range and the order are one
    // index range ((status, due_sort, id)) that the page stops reading when full.
    if let Some(d) = f.due_before.into_iter().chain(f.overdue_before).min() {
        q = q.filter(cases::due_sort.lt(d));
    }
    if let Some(d) = f.due_from {
        q = q.filter(cases::due_on.ge(d));
    }
    if let Some(bounds) = &f.due_by {
        let mut any = Box::new(cases::id.eq(-1))
            as Box<dyn BoxableExpression<cases::table, Backend, SqlType = diesel::sql_types::Bool>>;
        for (dept, date) in bounds {
            any = Box::new(
                any.or(cases::department_id
                    .eq(*dept)
                    .and(cases::due_on.le(*date))
                    .assume_not_null()),
            );
        }
        q = q.filter(any);
    }
    if let Some(words) = p.words {
        // The exact substring match: the applicant, the number, or one of the items.
        let pattern = &words.pattern;
        let in_items = case_items::table
            .filter(case_items::case_id.eq(cases::id))
            .filter(case_items::description.like(pattern.clone()).escape('\\'))
            .select(case_items::case_id)
            .single_value();
        let in_texts = cases::applicant_name
            .like(pattern.clone())
            .escape('\\')
            .or(cases::case_number.like(pattern.clone()).escape('\\'))
            .or(in_items.is_not_null());
        q = if words.in_one_text {
            // The case's search text, the same match in one column of the row; its texts
            // one by one only where the text is not known. The left arm is tested first,
            // so the items' subquery runs for those cases alone.
            q.filter(
                cases::search_text
                    .like(pattern.clone())
                    .escape('\\')
                    .or(cases::search_text.is_null().and(in_texts)),
            )
        } else {
            q.filter(in_texts)
        };
        if let Some(ids) = &words.candidates {
            q = q.filter(cases::id.eq_any(ids.clone()));
        }
    }
    let (col_due, col_rec) = (cases::due_sort, cases::receipt_sort);
    q = match (p.sort, p.after) {
        (SortKey::Due, Some(c)) => q.filter(
            col_due
                .gt(c.date)
                .or(col_due.eq(c.date).and(cases::id.gt(c.id))),
        ),
        (SortKey::Received, Some(c)) => q.filter(
            col_rec
                .gt(c.date)
                .or(col_rec.eq(c.date).and(cases::id.gt(c.id))),
        ),
        (_, None) => q,
    };
    if let Some(c) = p.until {
        q = q.filter(
            col_due
                .lt(c.date)
                .or(col_due.eq(c.date).and(cases::id.lt(c.id))),
        );
    }
    q = match p.sort {
        SortKey::Due => q.order((col_due.asc(), cases::id.asc())),
        SortKey::Received => q.order((col_rec.asc(), cases::id.asc())),
    };
    q.limit(p.limit)
}

/// The events of several cases at once, in recording order (a desk derives many cases).
pub fn events_of(conn: &mut DbConnection, case_ids: &[i64]) -> QueryResult<Vec<EventRow>> {
    // In slices, so a long report stays within the bind-parameter limits; each case's
    // events are in one slice, in order.
    let mut out = Vec::new();
    for ids in case_ids.chunks(super::INSERT_CHUNK * 2) {
        out.extend(
            case_events::table
                .filter(case_events::case_id.eq_any(ids))
                .order((case_events::case_id, case_events::id))
                .select(EventRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Statuses of a case not yet answered or closed.
const OPEN: [&str; 4] = ["received", "in_progress", "awaiting_correction", "paused"];

/// Open cases per department (departments without any are left out).
pub fn open_counts(
    conn: &mut DbConnection,
    department_ids: &[i64],
) -> QueryResult<Vec<(i64, i64)>> {
    cases::table
        .filter(cases::department_id.eq_any(department_ids))
        .filter(cases::status.eq_any(OPEN))
        .group_by(cases::department_id)
        .select((cases::department_id, diesel::dsl::count_star()))
        .load(conn)
}

/// One department's cases with a receipt date in `from..=to`, in order of receipt (the fee
/// count of 国办函〔2020〕109号 reads a calendar month of them; index
/// `cases_department_receipt`).
pub fn received_between(
    conn: &mut DbConnection,
    department_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<CaseRow>> {
    cases::table
        .filter(cases::department_id.eq(department_id))
        .filter(cases::receipt_sort.between(from, to))
        .filter(cases::received_on.is_not_null())
        .order((cases::receipt_sort, cases::id))
        .select(CaseRow::as_select())
        .load(conn)
}

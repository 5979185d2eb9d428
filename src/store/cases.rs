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

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
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
}

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
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_events)]
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

/// Takes the next case number of a department and year (call inside the intake's
/// transaction). The counter row stays locked until the transaction ends: concurrent
/// intakes queue for it rather than colliding, and a rollback returns the number.
fn next_case_seq(conn: &mut DbConnection, department_id: i64, year: i32) -> QueryResult<i32> {
    use diesel::sql_types::{BigInt, Integer};
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Integer)]
        last_seq: i32,
    }
    // One statement both backends run alike: create the counter at 1, or advance it.
    let (sql_pg, sql_lite) = (
        "INSERT INTO case_counters (department_id, year, last_seq) VALUES ($1, $2, 1) \
         ON CONFLICT (department_id, year) DO UPDATE SET last_seq = case_counters.last_seq + 1 \
         RETURNING last_seq",
        "INSERT INTO case_counters (department_id, year, last_seq) VALUES (?, ?, 1) \
         ON CONFLICT (department_id, year) DO UPDATE SET last_seq = case_counters.last_seq + 1 \
         RETURNING last_seq",
    );
    let sql = match conn {
        DbConnection::Pg(_) => sql_pg,
        DbConnection::Sqlite(_) => sql_lite,
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(department_id)
        .bind::<Integer, _>(year)
        .get_result::<Taken>(conn)
        .map(|t| t.last_seq)
}

/// Inserts a case numbered `{year}-{seq:04}` within its department and year, and its items.
/// The number comes from the department's counter (`next_case_seq`); the (department,
/// year, seq) unique key still guards against a counter behind imported rows.
pub fn insert(
    conn: &mut DbConnection,
    new: &NewCase,
    year: i32,
    derived: &Derived,
    created_by: i64,
) -> QueryResult<CaseRow> {
    let seq = next_case_seq(conn, new.department_id, year)?;
    let ts = now();
    let row: CaseRow = diesel::insert_into(cases::table)
        .values((
            cases::department_id.eq(new.department_id),
            cases::case_number.eq(format!("{year}-{seq:04}")),
            cases::year.eq(year),
            cases::seq.eq(seq),
            cases::applicant_type.eq(&new.applicant_type),
            cases::applicant_name.eq(&new.applicant_name),
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
            cases::assignee_id.eq(derived.assignee_id),
            cases::status.eq(&derived.status),
            cases::due_on.eq(derived.due_on),
            cases::due_sort.eq(derived.due_on.unwrap_or(NO_DATE)),
            cases::awaiting_approval.eq(derived.awaiting_approval),
            cases::receipt_sort.eq(new.received_on.unwrap_or(new.submitted_on)),
            cases::version.eq(1),
            cases::created_by.eq(created_by),
            cases::created_at.eq(ts),
            cases::updated_at.eq(ts),
        ))
        .returning(<CaseRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)?;
    insert_items(conn, row.id, &new.items)?;
    search::add(
        conn,
        row.id,
        &searched(&row.applicant_name, &row.case_number, &new.items),
    )?;
    Ok(row)
}

/// The grams of the texts the words search looks at.
fn searched(applicant_name: &str, case_number: &str, items: &[String]) -> BTreeSet<String> {
    search::grams(
        [applicant_name, case_number]
            .into_iter()
            .chain(items.iter().map(String::as_str)),
    )
}

/// A case's items, numbered from 1 in the order given.
fn insert_items(conn: &mut DbConnection, case_id: i64, items: &[String]) -> QueryResult<()> {
    for (i, description) in items.iter().enumerate() {
        diesel::insert_into(case_items::table)
            .values((
                case_items::case_id.eq(case_id),
                case_items::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                case_items::description.eq(description),
            ))
            .execute(conn)?;
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
    diesel::update(cases::table.filter(cases::id.eq(id)))
        .set((
            cases::applicant_type.eq(&new.applicant_type),
            cases::applicant_name.eq(&new.applicant_name),
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
        insert_items(conn, id, &new.items)?;
    }
    let kept = if items { &new.items } else { &old_items };
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

/// Earlier cases of the same applicant in a department since a date, with their items.
pub fn prior_of_applicant(
    conn: &mut DbConnection,
    department_id: i64,
    applicant_name: &str,
    since: NaiveDate,
    exclude_id: Option<i64>,
) -> QueryResult<Vec<(CaseRow, Vec<String>)>> {
    let rows: Vec<CaseRow> = cases::table
        .filter(cases::department_id.eq(department_id))
        .filter(cases::applicant_name.eq(applicant_name))
        .filter(cases::receipt_sort.ge(since))
        .filter(cases::id.ne(exclude_id.unwrap_or(0)))
        .order(cases::id)
        .select(CaseRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let items = items(conn, r.id)?;
            Ok((r, items))
        })
        .collect()
}

/// Statuses whose stored `due_on` is a running clock's date: a late 补正 waits on the
/// applicant (awaiting_correction) while its period runs on (Art. 30).
const RUNNING: [&str; 3] = ["received", "in_progress", "awaiting_correction"];

/// What a case list may be filtered by, already resolved to SQL terms by the caller.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub department_ids: Vec<i64>,
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
    /// Only cases whose extension request waits for approval.
    pub awaiting_approval: bool,
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
    let mut q = cases::table
        .filter(cases::department_id.eq_any(&f.department_ids))
        .select(CaseRow::as_select())
        .into_boxed::<Backend>();
    if !f.statuses.is_empty() {
        q = q.filter(cases::status.eq_any(f.statuses.clone()));
    }
    if let Some(a) = f.assignee {
        q = q.filter(cases::assignee_id.eq(a));
    }
    if f.awaiting_approval {
        q = q.filter(cases::awaiting_approval.eq(true));
    }
    if let Some(d) = f.received_from {
        q = q.filter(cases::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(cases::received_on.le(d));
    }
    if let Some(d) = f.due_before {
        q = q.filter(cases::due_on.lt(d));
    }
    if let Some(d) = f.overdue_before {
        q = q
            .filter(cases::due_on.lt(d))
            .filter(cases::status.eq_any(RUNNING));
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
        q = q.filter(any).filter(cases::status.eq_any(RUNNING));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // `%` and `_` in the search are literal characters, escaped for LIKE … ESCAPE '\'
        // (the same clause on SQLite and PostgreSQL).
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        // Candidates from the gram index, each verified by the exact substring match.
        // One gram is the closed range [g, g]; a single character the range of grams
        // starting with it (one expression type for both).
        let candidates = |probe: &search::Probe, i: usize| {
            let (lo, hi) = match probe {
                search::Probe::Range { from, to } => (from.clone(), to.clone()),
                search::Probe::All(all) => {
                    let g = all.get(i).cloned().unwrap_or_default();
                    (g.clone(), g)
                }
            };
            search_grams::table
                .filter(search_grams::gram.ge(lo).and(search_grams::gram.le(hi)))
                .select(search_grams::case_id)
        };
        let probe = search::probe(text);
        let probes = match &probe {
            search::Probe::Range { .. } => 1,
            search::Probe::All(all) => all.len(),
        };
        for i in 0..probes {
            q = q.filter(cases::id.eq_any(candidates(&probe, i)));
        }
        // Only the items of the first probe's candidates are read, not every item.
        let in_items = case_items::table
            .filter(case_items::case_id.eq_any(candidates(&probe, 0)))
            .filter(case_items::description.like(pattern.clone()).escape('\\'))
            .select(case_items::case_id);
        q = q.filter(
            cases::applicant_name
                .like(pattern.clone())
                .escape('\\')
                .or(cases::case_number.like(pattern).escape('\\'))
                .or(cases::id.eq_any(in_items)),
        );
    }
    let (col_due, col_rec) = (cases::due_sort, cases::receipt_sort);
    q = match (sort, after) {
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
    q = match sort {
        SortKey::Due => q.order((col_due.asc(), cases::id.asc())),
        SortKey::Received => q.order((col_rec.asc(), cases::id.asc())),
    };
    q.limit(limit).load(conn)
}

/// The events of several cases at once, in recording order (a desk derives many cases).
pub fn events_of(conn: &mut DbConnection, case_ids: &[i64]) -> QueryResult<Vec<EventRow>> {
    case_events::table
        .filter(case_events::case_id.eq_any(case_ids))
        .order((case_events::case_id, case_events::id))
        .select(EventRow::as_select())
        .load(conn)
}

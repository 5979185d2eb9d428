//! Assessment periods and rectification items (diesel only), and the facts an assessment
//! reads that no other aggregate serves: extensions granted and remedies decided in a
//! period. Writes are versioned: a change is made only if the version is the one read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{assessment_periods, case_events, cases, rectification_items, remedies};
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assessment_periods)]
pub struct PeriodRow {
    pub id: i64,
    pub office_department_id: i64,
    pub title: String,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub scheme: String,
    pub manual_scores: String,
    pub remarks: String,
    pub status: String,
    pub published_on: Option<NaiveDate>,
    pub snapshot: Option<String>,
    pub snapshot_sha256: Option<String>,
    pub rectify_working_days: Option<i32>,
    pub created_by: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A period to store (validated).
pub struct NewPeriod<'a> {
    pub office_department_id: i64,
    pub title: &'a str,
    pub kind: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub scheme: &'a str,
    pub created_by: i64,
}

pub fn insert_period(conn: &mut DbConnection, p: &NewPeriod<'_>) -> QueryResult<PeriodRow> {
    let ts = now();
    diesel::insert_into(assessment_periods::table)
        .values((
            assessment_periods::office_department_id.eq(p.office_department_id),
            assessment_periods::title.eq(p.title),
            assessment_periods::kind.eq(p.kind),
            assessment_periods::starts_on.eq(p.starts_on),
            assessment_periods::ends_on.eq(p.ends_on),
            assessment_periods::scheme.eq(p.scheme),
            assessment_periods::manual_scores.eq("{}"),
            assessment_periods::remarks.eq(""),
            assessment_periods::status.eq("draft"),
            assessment_periods::created_by.eq(p.created_by),
            assessment_periods::version.eq(1),
            assessment_periods::created_at.eq(ts),
            assessment_periods::updated_at.eq(ts),
        ))
        .returning(<PeriodRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn find_period(conn: &mut DbConnection, id: i64) -> QueryResult<Option<PeriodRow>> {
    assessment_periods::table
        .find(id)
        .select(PeriodRow::as_select())
        .first(conn)
        .optional()
}

/// Periods of some offices, latest period first.
pub fn periods_of(conn: &mut DbConnection, offices: &[i64]) -> QueryResult<Vec<PeriodRow>> {
    assessment_periods::table
        .filter(assessment_periods::office_department_id.eq_any(offices))
        .order((
            assessment_periods::starts_on.desc(),
            assessment_periods::id.desc(),
        ))
        .select(PeriodRow::as_select())
        .load(conn)
}

/// Changes a draft's title, scheme, hand scores and remarks if the version is still
/// `expected`; false when another writer got there first.
pub fn update_draft(
    conn: &mut DbConnection,
    id: i64,
    expected: i32,
    title: &str,
    scheme: &str,
    manual_scores: &str,
    remarks: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        assessment_periods::table
            .filter(assessment_periods::id.eq(id))
            .filter(assessment_periods::version.eq(expected))
            .filter(assessment_periods::status.eq("draft")),
    )
    .set((
        assessment_periods::title.eq(title),
        assessment_periods::scheme.eq(scheme),
        assessment_periods::manual_scores.eq(manual_scores),
        assessment_periods::remarks.eq(remarks),
        assessment_periods::version.eq(expected + 1),
        assessment_periods::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Freezes a draft: its snapshot and hash, the day and the items' working days.
pub fn publish(
    conn: &mut DbConnection,
    id: i64,
    expected: i32,
    on: NaiveDate,
    snapshot: &str,
    sha256: &str,
    working_days: i32,
) -> QueryResult<bool> {
    let n = diesel::update(
        assessment_periods::table
            .filter(assessment_periods::id.eq(id))
            .filter(assessment_periods::version.eq(expected))
            .filter(assessment_periods::status.eq("draft")),
    )
    .set((
        assessment_periods::status.eq("published"),
        assessment_periods::published_on.eq(on),
        assessment_periods::snapshot.eq(snapshot),
        assessment_periods::snapshot_sha256.eq(sha256),
        assessment_periods::rectify_working_days.eq(working_days),
        assessment_periods::version.eq(expected + 1),
        assessment_periods::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rectification_items)]
pub struct ItemRow {
    pub id: i64,
    pub period_id: i64,
    pub department_id: i64,
    pub indicator_key: String,
    pub problem: String,
    pub issued_on: NaiveDate,
    pub working_days: i32,
    pub status: String,
    pub evidence: Option<String>,
    pub remark: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert_item(
    conn: &mut DbConnection,
    period_id: i64,
    department_id: i64,
    indicator_key: &str,
    problem: &str,
    issued_on: NaiveDate,
    working_days: i32,
) -> QueryResult<i64> {
    let ts = now();
    diesel::insert_into(rectification_items::table)
        .values((
            rectification_items::period_id.eq(period_id),
            rectification_items::department_id.eq(department_id),
            rectification_items::indicator_key.eq(indicator_key),
            rectification_items::problem.eq(problem),
            rectification_items::issued_on.eq(issued_on),
            rectification_items::working_days.eq(working_days),
            rectification_items::status.eq("open"),
            rectification_items::version.eq(1),
            rectification_items::created_at.eq(ts),
            rectification_items::updated_at.eq(ts),
        ))
        .returning(rectification_items::id)
        .get_result(conn)
}

pub fn find_item(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ItemRow>> {
    rectification_items::table
        .find(id)
        .select(ItemRow::as_select())
        .first(conn)
        .optional()
}

/// Items of some departments (optionally of one period), oldest first.
pub fn items_of(
    conn: &mut DbConnection,
    department_ids: &[i64],
    period_id: Option<i64>,
) -> QueryResult<Vec<ItemRow>> {
    let mut q = rectification_items::table
        .filter(rectification_items::department_id.eq_any(department_ids))
        .select(ItemRow::as_select())
        .into_boxed::<Backend>();
    if let Some(p) = period_id {
        q = q.filter(rectification_items::period_id.eq(p));
    }
    q.order(rectification_items::id).load(conn)
}

/// Every item in one of `statuses` (the overdue scan).
pub fn items_with_status(conn: &mut DbConnection, statuses: &[&str]) -> QueryResult<Vec<ItemRow>> {
    rectification_items::table
        .filter(rectification_items::status.eq_any(statuses.to_vec()))
        .order(rectification_items::id)
        .select(ItemRow::as_select())
        .load(conn)
}

/// Takes a step on an item if the version is still `expected`: `done` records the evidence
/// and day, `return` clears the day and keeps the reason, `close` records the 销号 day.
pub fn item_step(
    conn: &mut DbConnection,
    id: i64,
    expected: i32,
    step: &str,
    status: &str,
    text: &str,
    on: NaiveDate,
) -> QueryResult<bool> {
    let target = rectification_items::table
        .filter(rectification_items::id.eq(id))
        .filter(rectification_items::version.eq(expected));
    let ts = now();
    let n = match step {
        "done" => diesel::update(target)
            .set((
                rectification_items::status.eq(status),
                rectification_items::evidence.eq(text),
                rectification_items::done_on.eq(on),
                rectification_items::version.eq(expected + 1),
                rectification_items::updated_at.eq(ts),
            ))
            .execute(conn)?,
        "return" => diesel::update(target)
            .set((
                rectification_items::status.eq(status),
                rectification_items::remark.eq(text),
                rectification_items::done_on.eq(None::<NaiveDate>),
                rectification_items::version.eq(expected + 1),
                rectification_items::updated_at.eq(ts),
            ))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((
                rectification_items::status.eq(status),
                rectification_items::remark.eq(text),
                rectification_items::closed_on.eq(on),
                rectification_items::version.eq(expected + 1),
                rectification_items::updated_at.eq(ts),
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// (department, case) of each extension granted within [from, to] in some departments.
pub fn extensions_between(
    conn: &mut DbConnection,
    department_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(i64, i64)>> {
    case_events::table
        .inner_join(cases::table)
        .filter(cases::department_id.eq_any(department_ids))
        .filter(case_events::kind.eq("extension_granted"))
        .filter(case_events::occurred_on.ge(from))
        .filter(case_events::occurred_on.le(to))
        .order(case_events::id)
        .select((cases::department_id, case_events::case_id))
        .load(conn)
}

/// (department, case, outcome) of each remedy decided within [from, to].
pub fn remedies_decided_between(
    conn: &mut DbConnection,
    department_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(i64, i64, Option<String>)>> {
    remedies::table
        .filter(remedies::department_id.eq_any(department_ids))
        .filter(remedies::decided_on.ge(from))
        .filter(remedies::decided_on.le(to))
        .order(remedies::id)
        .select((
            remedies::department_id,
            remedies::case_id,
            remedies::outcome,
        ))
        .load(conn)
}

//! Supervision orders (督办): the order row (versioned), the cases it names and the steps
//! taken after its issue. A step is written only if the version is still the one read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{supervision_order_cases, supervision_order_steps, supervision_orders};
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = supervision_orders)]
pub struct OrderRow {
    pub id: i64,
    pub office_department_id: i64,
    pub department_id: i64,
    pub title: String,
    pub problem: String,
    pub responsible: String,
    pub issued_on: NaiveDate,
    pub working_days: i32,
    pub status: String,
    pub answered_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub issued_by: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = supervision_order_steps)]
pub struct StepRow {
    pub id: i64,
    pub order_id: i64,
    pub kind: String,
    pub body: String,
    pub recorded_on: NaiveDate,
    pub recorded_by: i64,
    pub created_at: NaiveDateTime,
}

/// An order to store (already validated).
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub office_department_id: i64,
    pub department_id: i64,
    pub title: String,
    pub problem: String,
    pub responsible: String,
    pub issued_on: NaiveDate,
    pub working_days: i32,
    pub issued_by: i64,
}

pub fn insert(conn: &mut DbConnection, o: &NewOrder, case_ids: &[i64]) -> QueryResult<OrderRow> {
    let ts = now();
    let row: OrderRow = diesel::insert_into(supervision_orders::table)
        .values((
            supervision_orders::office_department_id.eq(o.office_department_id),
            supervision_orders::department_id.eq(o.department_id),
            supervision_orders::title.eq(&o.title),
            supervision_orders::problem.eq(&o.problem),
            supervision_orders::responsible.eq(&o.responsible),
            supervision_orders::issued_on.eq(o.issued_on),
            supervision_orders::working_days.eq(o.working_days),
            supervision_orders::status.eq("open"),
            supervision_orders::issued_by.eq(o.issued_by),
            supervision_orders::version.eq(1),
            supervision_orders::created_at.eq(ts),
            supervision_orders::updated_at.eq(ts),
        ))
        .returning(<OrderRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)?;
    // One row at a time: multi-row inserts do not compile on the multi backend.
    for case_id in case_ids {
        diesel::insert_into(supervision_order_cases::table)
            .values((
                supervision_order_cases::order_id.eq(row.id),
                supervision_order_cases::case_id.eq(case_id),
            ))
            .execute(conn)?;
    }
    Ok(row)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OrderRow>> {
    supervision_orders::table
        .find(id)
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

/// A step to record: `kind` answer | return | close, its text, day and author.
#[derive(Debug, Clone, Copy)]
pub struct NewStep<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub on: NaiveDate,
    pub by: i64,
}

/// Moves the order to `status` with a step, if the version is still `expected_version`;
/// false when another writer got there first.
pub fn take_step(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    status: &str,
    step: NewStep<'_>,
) -> QueryResult<bool> {
    let NewStep { kind, body, on, by } = step;
    let target = supervision_orders::table
        .filter(supervision_orders::id.eq(id))
        .filter(supervision_orders::version.eq(expected_version));
    let ts = now();
    let changed = match kind {
        "answer" => diesel::update(target)
            .set((
                supervision_orders::status.eq(status),
                supervision_orders::answered_on.eq(on),
                supervision_orders::version.eq(expected_version + 1),
                supervision_orders::updated_at.eq(ts),
            ))
            .execute(conn)?,
        "close" => diesel::update(target)
            .set((
                supervision_orders::status.eq(status),
                supervision_orders::closed_on.eq(on),
                supervision_orders::version.eq(expected_version + 1),
                supervision_orders::updated_at.eq(ts),
            ))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((
                supervision_orders::status.eq(status),
                supervision_orders::version.eq(expected_version + 1),
                supervision_orders::updated_at.eq(ts),
            ))
            .execute(conn)?,
    };
    if changed != 1 {
        return Ok(false);
    }
    diesel::insert_into(supervision_order_steps::table)
        .values((
            supervision_order_steps::order_id.eq(id),
            supervision_order_steps::kind.eq(kind),
            supervision_order_steps::body.eq(body),
            supervision_order_steps::recorded_on.eq(on),
            supervision_order_steps::recorded_by.eq(by),
            supervision_order_steps::created_at.eq(ts),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The steps of an order, oldest first.
pub fn steps(conn: &mut DbConnection, order_id: i64) -> QueryResult<Vec<StepRow>> {
    supervision_order_steps::table
        .filter(supervision_order_steps::order_id.eq(order_id))
        .order(supervision_order_steps::id)
        .select(StepRow::as_select())
        .load(conn)
}

/// The case ids of each of `order_ids`, as (order id, case id).
pub fn cases_of(conn: &mut DbConnection, order_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    supervision_order_cases::table
        .filter(supervision_order_cases::order_id.eq_any(order_ids))
        .order((
            supervision_order_cases::order_id,
            supervision_order_cases::case_id,
        ))
        .select((
            supervision_order_cases::order_id,
            supervision_order_cases::case_id,
        ))
        .load(conn)
}

/// The orders addressed to some departments, optionally only those in `statuses`, newest
/// first.
pub fn of_departments(
    conn: &mut DbConnection,
    department_ids: &[i64],
    statuses: &[&str],
) -> QueryResult<Vec<OrderRow>> {
    let mut q = supervision_orders::table
        .filter(supervision_orders::department_id.eq_any(department_ids))
        .select(OrderRow::as_select())
        .into_boxed::<Backend>();
    if !statuses.is_empty() {
        q = q.filter(supervision_orders::status.eq_any(statuses.to_vec()));
    }
    q.order(supervision_orders::id.desc()).load(conn)
}

/// Every order in one of `statuses` (the overdue scan).
pub fn with_status(conn: &mut DbConnection, statuses: &[&str]) -> QueryResult<Vec<OrderRow>> {
    supervision_orders::table
        .filter(supervision_orders::status.eq_any(statuses.to_vec()))
        .order(supervision_orders::id)
        .select(OrderRow::as_select())
        .load(conn)
}

/// The orders not yet closed that name any of `case_ids`, as (case id, order row).
pub fn open_for_cases(
    conn: &mut DbConnection,
    case_ids: &[i64],
) -> QueryResult<Vec<(i64, OrderRow)>> {
    supervision_order_cases::table
        .inner_join(supervision_orders::table)
        .filter(supervision_order_cases::case_id.eq_any(case_ids))
        .filter(supervision_orders::status.ne("closed"))
        .order((supervision_order_cases::case_id, supervision_orders::id))
        .select((supervision_order_cases::case_id, OrderRow::as_select()))
        .load(conn)
}

//! Reconsiderations (行政复议) and lawsuits (行政诉讼) about a case: filed, then decided.
//! Versioned rows; the decision is written only if the version is still the one read. The
//! annual report's own reads are in `store::annual`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::remedies;
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = remedies)]
pub struct RemedyRow {
    pub id: i64,
    pub case_id: i64,
    pub department_id: i64,
    pub kind: String,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    pub body: String,
    pub case_ref: Option<String>,
    pub outcome: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub version: i32,
    pub recorded_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub reply_received_on: Option<NaiveDate>,
    pub posted_on: Option<NaiveDate>,
}

/// A remedy to store (already validated).
#[derive(Debug, Clone)]
pub struct NewRemedy {
    pub case_id: i64,
    pub department_id: i64,
    pub kind: String,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    pub body: String,
    pub case_ref: Option<String>,
    pub reply_received_on: Option<NaiveDate>,
    pub posted_on: Option<NaiveDate>,
    pub recorded_by: i64,
}

pub fn insert(conn: &mut DbConnection, r: &NewRemedy) -> QueryResult<RemedyRow> {
    let ts = now();
    diesel::insert_into(remedies::table)
        .values((
            remedies::case_id.eq(r.case_id),
            remedies::department_id.eq(r.department_id),
            remedies::kind.eq(&r.kind),
            remedies::after_reconsideration.eq(r.after_reconsideration),
            remedies::filed_on.eq(r.filed_on),
            remedies::body.eq(&r.body),
            remedies::case_ref.eq(&r.case_ref),
            remedies::reply_received_on.eq(r.reply_received_on),
            remedies::posted_on.eq(r.posted_on),
            remedies::version.eq(1),
            remedies::recorded_by.eq(r.recorded_by),
            remedies::created_at.eq(ts),
            remedies::updated_at.eq(ts),
        ))
        .returning(<RemedyRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<RemedyRow>> {
    remedies::table
        .find(id)
        .select(RemedyRow::as_select())
        .first(conn)
        .optional()
}

/// Records the decision if the version is still `expected_version`; false when another
/// writer got there first.
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    outcome: &str,
    decided_on: NaiveDate,
) -> QueryResult<bool> {
    let changed = diesel::update(
        remedies::table
            .filter(remedies::id.eq(id))
            .filter(remedies::version.eq(expected_version)),
    )
    .set((
        remedies::outcome.eq(outcome),
        remedies::decided_on.eq(decided_on),
        remedies::version.eq(expected_version + 1),
        remedies::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The remedies of one case, in filing order.
pub fn for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<RemedyRow>> {
    remedies::table
        .filter(remedies::case_id.eq(case_id))
        .order((remedies::filed_on, remedies::id))
        .select(RemedyRow::as_select())
        .load(conn)
}

/// The remedies of some departments, optionally only those filed within [from, to], in
/// filing order.
pub fn of_departments(
    conn: &mut DbConnection,
    department_ids: &[i64],
    filed: Option<(NaiveDate, NaiveDate)>,
) -> QueryResult<Vec<RemedyRow>> {
    let mut q = remedies::table
        .filter(remedies::department_id.eq_any(department_ids))
        .select(RemedyRow::as_select())
        .into_boxed::<Backend>();
    if let Some((from, to)) = filed {
        q = q
            .filter(remedies::filed_on.ge(from))
            .filter(remedies::filed_on.le(to));
    }
    q.order((remedies::filed_on, remedies::id)).load(conn)
}

/// Which of `case_ids` have a remedy decided `corrected` (flagged on the case for the clerk).
///
/// The outcome is compared here, not in SQL: with `outcome = $2` bound, only a custom plan
/// can use the partial index of corrected remedies, so PostgreSQL planned the statement
/// again on every list page; by case alone its cached plan serves every call. A case has
/// few remedies.
pub fn corrected_case_ids(conn: &mut DbConnection, case_ids: &[i64]) -> QueryResult<Vec<i64>> {
    let rows: Vec<(i64, Option<String>)> = remedies::table
        .filter(remedies::case_id.eq_any(case_ids))
        .select((remedies::case_id, remedies::outcome))
        .load(conn)?;
    let mut ids: Vec<i64> = rows
        .into_iter()
        .filter(|(_, outcome)| outcome.as_deref() == Some("corrected"))
        .map(|(id, _)| id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

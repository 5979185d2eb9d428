//! Reconsiderations (行政复议) and lawsuits (行政诉讼) about a case: filed, then decided.
//! Versioned rows; the decision is written only if the version is still the one read. Also
//! the reads the annual report needs (the cases of some departments with their concluding
//! events and latest reply outcomes), so that the report's queries live in one place.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::cases::EventRow;
use super::schema::{case_events, cases, remedies, replies};
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
pub fn corrected_case_ids(conn: &mut DbConnection, case_ids: &[i64]) -> QueryResult<Vec<i64>> {
    remedies::table
        .filter(remedies::case_id.eq_any(case_ids))
        .filter(remedies::outcome.eq("corrected"))
        .select(remedies::case_id)
        .distinct()
        .load(conn)
}

/// What the annual report needs of a case.
#[derive(Debug, Clone, Queryable)]
pub struct CaseBasics {
    pub id: i64,
    pub department_id: i64,
    pub case_number: String,
    pub applicant_type: String,
    pub applicant_name: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
}

/// The cases of some departments, by id.
pub fn case_basics(
    conn: &mut DbConnection,
    department_ids: &[i64],
) -> QueryResult<Vec<CaseBasics>> {
    cases::table
        .filter(cases::department_id.eq_any(department_ids))
        .order(cases::id)
        .select((
            cases::id,
            cases::department_id,
            cases::case_number,
            cases::applicant_type,
            cases::applicant_name,
            cases::submitted_on,
            cases::received_on,
        ))
        .load(conn)
}

/// The event kinds that end a case or start it again.
pub const CONCLUDING_KINDS: [&str; 5] = [
    "replied",
    "withdrawn",
    "correction_lapsed",
    "fee_lapsed",
    "reopened",
];

/// The concluding events (and reopenings) of the cases of some departments, in recording
/// order per case.
pub fn concluding_events(
    conn: &mut DbConnection,
    department_ids: &[i64],
) -> QueryResult<Vec<EventRow>> {
    let ids = cases::table
        .filter(cases::department_id.eq_any(department_ids))
        .select(cases::id);
    case_events::table
        .filter(case_events::case_id.eq_any(ids))
        .filter(case_events::kind.eq_any(CONCLUDING_KINDS))
        .order((case_events::case_id, case_events::id))
        .select(EventRow::as_select())
        .load(conn)
}

/// (case id, outcome) of every reply of some departments, oldest first, so the last one per
/// case is its latest reply.
pub fn reply_outcomes(
    conn: &mut DbConnection,
    department_ids: &[i64],
) -> QueryResult<Vec<(i64, String)>> {
    replies::table
        .filter(replies::department_id.eq_any(department_ids))
        .order((replies::case_id, replies::id))
        .select((replies::case_id, replies::outcome))
        .load(conn)
}

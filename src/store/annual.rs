//! The reads the annual report needs: the cases of some departments, their concluding
//! events (and reopenings), and their replies' outcomes, so that the report's queries live in
//! one place. Remedies themselves are read through `store::remedies`.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::DbConnection;
use super::cases::EventRow;
use super::schema::{case_events, cases, replies};

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

/// (case id, reply date, outcome) of every reply of some departments, oldest first. The reply
/// date is the day it went out (dispatch, else issue), the date of its `replied` event, so a
/// year's view can take the outcome in force at the year end.
pub fn reply_outcomes_dated(
    conn: &mut DbConnection,
    department_ids: &[i64],
) -> QueryResult<Vec<(i64, NaiveDate, String)>> {
    let rows: Vec<(i64, NaiveDate, Option<NaiveDate>, String)> = replies::table
        .filter(replies::department_id.eq_any(department_ids))
        .order((replies::case_id, replies::id))
        .select((
            replies::case_id,
            replies::issued_on,
            replies::dispatched_on,
            replies::outcome,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(case, issued, dispatched, outcome)| (case, dispatched.unwrap_or(issued), outcome))
        .collect())
}

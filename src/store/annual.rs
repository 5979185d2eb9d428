//! The reads the annual report needs: the cases of some departments that its year can
//! count, their concluding events (and reopenings), and their replies' outcomes, so that
//! the report's queries live in one place. Remedies themselves are read through
//! `store::remedies`.

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
    /// How the case ended (`CaseRow::settled_on`, `conclusion`, `reply_outcome`): all the
    /// report needs of a case that ended once; one with a `history` has its events read.
    pub settled_on: Option<NaiveDate>,
    pub conclusion: Option<String>,
    pub reply_outcome: Option<String>,
}

/// The first and last day of a report year.
pub type Span = (NaiveDate, NaiveDate);

/// Whether a case of some departments is one that a report of the year `span` can count:
/// received (or, unconfirmed, submitted) by its end, and not both received and settled
/// (concluded for good, `settled_on`) before it began — such a case counts in no cell of
/// that year and names none of its checks. So a report reads its year's cases, not all
/// the years'. (A macro: the subquery cannot be boxed on the multi-backend connection.)
macro_rules! in_year {
    ($department_ids:expr, $span:expr) => {{
        let (start, end): Span = $span;
        cases::department_id
            .eq_any($department_ids)
            .and(
                cases::received_on.le(end).or(cases::received_on
                    .is_null()
                    .and(cases::submitted_on.le(end))),
            )
            .and(
                cases::settled_on
                    .is_null()
                    .or(cases::settled_on.ge(start))
                    .or(cases::received_on.ge(start))
                    .or(cases::received_on
                        .is_null()
                        .and(cases::submitted_on.ge(start))),
            )
    }};
}

/// The cases a report of the year `span` can count (`in_year`), by id.
pub fn case_basics(
    conn: &mut DbConnection,
    department_ids: &[i64],
    span: Span,
) -> QueryResult<Vec<CaseBasics>> {
    cases::table
        .filter(in_year!(department_ids, span))
        .order(cases::id)
        .select((
            cases::id,
            cases::department_id,
            cases::case_number,
            cases::applicant_type,
            cases::applicant_name,
            cases::submitted_on,
            cases::received_on,
            cases::settled_on,
            cases::conclusion,
            cases::reply_outcome,
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

/// The concluding events (and reopenings) of the cases a report of the year `span` can
/// count that have a `history` (the others' are on the case), in recording order per case.
pub fn concluding_events(
    conn: &mut DbConnection,
    department_ids: &[i64],
    span: Span,
) -> QueryResult<Vec<EventRow>> {
    case_events::table
        .filter(
            case_events::case_id.eq_any(
                cases::table
                    .select(cases::id)
                    .filter(in_year!(department_ids, span))
                    .filter(cases::conclusion.eq(super::cases::HISTORY)),
            ),
        )
        .filter(case_events::kind.eq_any(CONCLUDING_KINDS))
        .order((case_events::case_id, case_events::id))
        .select(EventRow::as_select())
        .load(conn)
}

/// (case id, reply date, outcome) of every reply of the cases a report of the year `span`
/// can count that have a `history`, oldest first. The reply date is the day it went out (dispatch, else issue),
/// the date of its `replied` event, so a year's view can take the outcome in force at the
/// year end.
pub fn reply_outcomes_dated(
    conn: &mut DbConnection,
    department_ids: &[i64],
    span: Span,
) -> QueryResult<Vec<(i64, NaiveDate, String)>> {
    let rows: Vec<(i64, NaiveDate, Option<NaiveDate>, String)> = replies::table
        .filter(
            replies::case_id.eq_any(
                cases::table
                    .select(cases::id)
                    .filter(in_year!(department_ids, span))
                    .filter(cases::conclusion.eq(super::cases::HISTORY)),
            ),
        )
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

/// The fee events (`fee_notice_issued`, `fee_paid`) of the departments' cases dated in
/// `span` or in the year before it (a payment in the year may answer a notice of the year
/// before), by case in recording order: the annual report's section 六 figures.
pub fn fee_events(
    conn: &mut DbConnection,
    department_ids: &[i64],
    span: Span,
) -> QueryResult<Vec<EventRow>> {
    let (start, end) = span;
    let from = start - chrono::Days::new(366);
    case_events::table
        .filter(
            case_events::case_id.eq_any(
                cases::table
                    .select(cases::id)
                    .filter(cases::department_id.eq_any(department_ids)),
            ),
        )
        .filter(case_events::kind.eq_any(["fee_notice_issued", "fee_paid"]))
        .filter(case_events::occurred_on.between(from, end))
        .order((case_events::case_id, case_events::id))
        .select(EventRow::as_select())
        .load(conn)
}

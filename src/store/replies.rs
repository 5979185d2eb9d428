//! Recorded replies. Several per case are possible (a reopened case is answered again); the
//! newest is the case's reply.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{cases, replies, reply_counters};
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = replies, treat_none_as_default_value = false)]
pub struct ReplyRow {
    pub id: i64,
    pub case_id: i64,
    pub department_id: i64,
    pub doc_number: Option<String>,
    pub doc_code: Option<String>,
    pub doc_year: Option<i32>,
    pub doc_seq: Option<i32>,
    pub auto_number: bool,
    pub issued_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub delivery_method: String,
    pub tracking_number: Option<String>,
    pub outcome: String,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    pub legal_basis: String,
    pub reasons: Option<String>,
    pub redirect_to: Option<String>,
    pub remedy: String,
    pub body_text: Option<String>,
    pub findings: String,
    pub judged_due_on: Option<NaiveDate>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

/// A reply to store; JSON fields already serialised.
#[derive(Debug, Clone)]
pub struct NewReply {
    pub case_id: i64,
    pub department_id: i64,
    pub doc_number: Option<String>,
    pub doc_parts: Option<(String, i32, i32)>,
    pub auto_number: bool,
    pub issued_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub delivery_method: String,
    pub tracking_number: Option<String>,
    pub outcome: String,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    pub legal_basis: String,
    pub reasons: Option<String>,
    pub redirect_to: Option<String>,
    pub remedy: String,
    pub body_text: Option<String>,
    pub findings: String,
    pub judged_due_on: Option<NaiveDate>,
    pub recorded_by: i64,
}

impl NewReply {
    /// The row `insert` stores, built ahead of writing (`write_bulk`) with an id taken by
    /// `bulk::reserve_ids`.
    pub fn into_row(self, id: i64, recorded_at: NaiveDateTime) -> ReplyRow {
        let (doc_code, doc_year, doc_seq) = match self.doc_parts {
            Some((c, y, s)) => (Some(c), Some(y), Some(s)),
            None => (None, None, None),
        };
        ReplyRow {
            id,
            case_id: self.case_id,
            department_id: self.department_id,
            doc_number: self.doc_number,
            doc_code,
            doc_year,
            doc_seq,
            auto_number: self.auto_number,
            issued_on: self.issued_on,
            dispatched_on: self.dispatched_on,
            delivery_method: self.delivery_method,
            tracking_number: self.tracking_number,
            outcome: self.outcome,
            sealed: self.sealed,
            seal_organ: self.seal_organ,
            legal_basis: self.legal_basis,
            reasons: self.reasons,
            redirect_to: self.redirect_to,
            remedy: self.remedy,
            body_text: self.body_text,
            findings: self.findings,
            judged_due_on: self.judged_due_on,
            recorded_by: self.recorded_by,
            recorded_at,
        }
    }
}

/// Writes replies built ahead (`NewReply::into_row`), inside the caller's transaction.
/// Their numbers must be counted: automatic ones taken in order from `peek_seq`, then the
/// counter raised past them with `count_numbers`; and their cases, written with them,
/// carry the latest one's outcome (`CaseRow::reply_outcome`).
pub fn write_bulk(conn: &mut DbConnection, rows: &[ReplyRow]) -> QueryResult<()> {
    super::bulk::copy_in!(conn, replies::table, rows, super::INSERT_CHUNK)
}

/// Raises the counter of a department's code and year to `seq` if it is below (numbers
/// used by replies written in bulk), so "auto" goes on after them.
pub fn count_numbers(
    conn: &mut DbConnection,
    department_id: i64,
    code: &str,
    year: i32,
    seq: i32,
) -> QueryResult<()> {
    advance(conn, department_id, code, year, Some(seq)).map(|_| ())
}

pub fn insert(conn: &mut DbConnection, r: &NewReply) -> QueryResult<ReplyRow> {
    let (code, year, seq) = match &r.doc_parts {
        Some((c, y, s)) => (Some(c.as_str()), Some(*y), Some(*s)),
        None => (None, None, None),
    };
    // A typed-in number moves "auto" past itself (an automatic one was taken already).
    if let (false, Some((c, y, s))) = (r.auto_number, &r.doc_parts) {
        advance(conn, r.department_id, c, *y, Some(*s))?;
    }
    // The latest reply's outcome is kept beside the case (the annual report reads it there).
    diesel::update(cases::table.filter(cases::id.eq(r.case_id)))
        .set(cases::reply_outcome.eq(&r.outcome))
        .execute(conn)?;
    diesel::insert_into(replies::table)
        .values((
            replies::case_id.eq(r.case_id),
            replies::department_id.eq(r.department_id),
            replies::doc_number.eq(&r.doc_number),
            replies::doc_code.eq(code),
            replies::doc_year.eq(year),
            replies::doc_seq.eq(seq),
            replies::auto_number.eq(r.auto_number),
            replies::issued_on.eq(r.issued_on),
            replies::dispatched_on.eq(r.dispatched_on),
            replies::delivery_method.eq(&r.delivery_method),
            replies::tracking_number.eq(&r.tracking_number),
            replies::outcome.eq(&r.outcome),
            replies::sealed.eq(r.sealed),
            replies::seal_organ.eq(&r.seal_organ),
            replies::legal_basis.eq(&r.legal_basis),
            replies::reasons.eq(&r.reasons),
            replies::redirect_to.eq(&r.redirect_to),
            replies::remedy.eq(&r.remedy),
            replies::body_text.eq(&r.body_text),
            replies::findings.eq(&r.findings),
            replies::judged_due_on.eq(r.judged_due_on),
            replies::recorded_by.eq(r.recorded_by),
            replies::recorded_at.eq(now()),
        ))
        .returning(<ReplyRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// The sequence "auto" would take now for a department's code and year (a suggestion: one
/// past every number of that code and year already used, automatic or typed in).
pub fn peek_seq(
    conn: &mut DbConnection,
    department_id: i64,
    code: &str,
    year: i32,
) -> QueryResult<i32> {
    let last: Option<i32> = reply_counters::table
        .filter(reply_counters::department_id.eq(department_id))
        .filter(reply_counters::doc_code.eq(code))
        .filter(reply_counters::year.eq(year))
        .select(reply_counters::last_seq)
        .first(conn)
        .optional()?;
    Ok(last.unwrap_or(0) + 1)
}

/// Takes the next automatic sequence of a department's code and year (inside the reply's
/// transaction). The counter row stays locked until the transaction ends, so concurrent
/// replies queue for it instead of taking the same number, and a rollback returns it.
pub fn take_seq(
    conn: &mut DbConnection,
    department_id: i64,
    code: &str,
    year: i32,
) -> QueryResult<i32> {
    advance(conn, department_id, code, year, None)
}

/// Advances the counter: by one (`None`), or up to a typed-in sequence if it is beyond.
fn advance(
    conn: &mut DbConnection,
    department_id: i64,
    code: &str,
    year: i32,
    typed: Option<i32>,
) -> QueryResult<i32> {
    use diesel::sql_types::{BigInt, Integer, Text};
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Integer)]
        last_seq: i32,
    }
    let set = if typed.is_some() {
        "CASE WHEN excluded.last_seq > reply_counters.last_seq \
         THEN excluded.last_seq ELSE reply_counters.last_seq END"
    } else {
        "reply_counters.last_seq + 1"
    };
    let params = match conn {
        DbConnection::Pg(_) => "$1, $2, $3, $4",
        DbConnection::Sqlite(_) => "?, ?, ?, ?",
    };
    let sql = format!(
        "INSERT INTO reply_counters (department_id, doc_code, year, last_seq) \
         VALUES ({params}) ON CONFLICT (department_id, doc_code, year) \
         DO UPDATE SET last_seq = {set} RETURNING last_seq"
    );
    diesel::sql_query(sql)
        .bind::<BigInt, _>(department_id)
        .bind::<Text, _>(code)
        .bind::<Integer, _>(year)
        .bind::<Integer, _>(typed.unwrap_or(1))
        .get_result::<Taken>(conn)
        .map(|t| t.last_seq)
}

/// Every doc number the department has used, for the duplicate check.
pub fn doc_numbers(conn: &mut DbConnection, department_id: i64) -> QueryResult<Vec<String>> {
    replies::table
        .filter(replies::department_id.eq(department_id))
        .filter(replies::doc_number.is_not_null())
        .select(replies::doc_number.assume_not_null())
        .load(conn)
}

/// The numbers of the department that could be the same 文号 as `candidate`: those with
/// its year and sequence number (the checker compares them exactly). A number that does not
/// parse is compared with every number, as before.
pub fn doc_numbers_near(
    conn: &mut DbConnection,
    department_id: i64,
    candidate: Option<&str>,
) -> QueryResult<Vec<String>> {
    let Some(candidate) = candidate else {
        return Ok(Vec::new());
    };
    match crate::domain::doc_number::DocNumber::parse(candidate) {
        Ok(d) => replies::table
            .filter(replies::department_id.eq(department_id))
            .filter(replies::doc_year.eq(d.year))
            .filter(replies::doc_seq.eq(i32::try_from(d.seq).unwrap_or(i32::MAX)))
            .filter(replies::doc_number.is_not_null())
            .select(replies::doc_number.assume_not_null())
            .load(conn),
        Err(_) => doc_numbers(conn, department_id),
    }
}

pub fn latest_for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Option<ReplyRow>> {
    replies::table
        .filter(replies::case_id.eq(case_id))
        .order(replies::id.desc())
        .select(ReplyRow::as_select())
        .first(conn)
        .optional()
}

/// Replies of some departments issued within [from, to].
pub fn issued_between(
    conn: &mut DbConnection,
    department_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<ReplyRow>> {
    replies::table
        .filter(replies::department_id.eq_any(department_ids))
        .filter(replies::issued_on.ge(from))
        .filter(replies::issued_on.le(to))
        .order((replies::issued_on, replies::id))
        .select(ReplyRow::as_select())
        .load(conn)
}

//! Replies under review, their steps, and the departments' review chains.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{reply_review_steps, reply_reviews, review_levels};
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_levels)]
pub struct LevelRow {
    pub department_id: i64,
    pub level: i32,
    pub name: String,
    pub role: Option<String>,
    pub role_department_id: Option<i64>,
    pub user_ids: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reply_reviews, treat_none_as_default_value = false)]
pub struct ReviewRow {
    pub id: i64,
    pub case_id: i64,
    pub department_id: i64,
    pub status: String,
    pub content: String,
    pub revision: i32,
    pub level: i32,
    pub levels: i32,
    pub level_since: NaiveDate,
    pub approved_revision: Option<i32>,
    pub submitted_by: i64,
    pub reply_id: Option<i64>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reply_review_steps, treat_none_as_default_value = false)]
pub struct StepRow {
    pub id: i64,
    pub review_id: i64,
    pub revision: i32,
    pub level: i32,
    pub action: String,
    pub comment: Option<String>,
    pub override_reason: Option<String>,
    pub actor_id: i64,
    pub acted_on: NaiveDate,
    pub acted_at: NaiveDateTime,
}

/// A department's configured levels, in order (none: the default chain).
pub fn levels(conn: &mut DbConnection, department_id: i64) -> QueryResult<Vec<LevelRow>> {
    review_levels::table
        .filter(review_levels::department_id.eq(department_id))
        .order(review_levels::level)
        .select(LevelRow::as_select())
        .load(conn)
}

/// Replaces a department's levels (an empty list: back to the default chain).
pub fn set_levels(
    conn: &mut DbConnection,
    department_id: i64,
    rows: &[LevelRow],
) -> QueryResult<()> {
    diesel::delete(review_levels::table.filter(review_levels::department_id.eq(department_id)))
        .execute(conn)?;
    for r in rows {
        diesel::insert_into(review_levels::table)
            .values((
                review_levels::department_id.eq(department_id),
                review_levels::level.eq(r.level),
                review_levels::name.eq(&r.name),
                review_levels::role.eq(&r.role),
                review_levels::role_department_id.eq(r.role_department_id),
                review_levels::user_ids.eq(&r.user_ids),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The case's reply under review that is not issued yet, if any.
pub fn open_for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Option<ReviewRow>> {
    reply_reviews::table
        .filter(reply_reviews::case_id.eq(case_id))
        .filter(reply_reviews::status.ne("issued"))
        .order(reply_reviews::id.desc())
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()
}

/// The case's latest review, issued or not.
pub fn latest_for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Option<ReviewRow>> {
    reply_reviews::table
        .filter(reply_reviews::case_id.eq(case_id))
        .order(reply_reviews::id.desc())
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()
}

/// Replies waiting on a level, of some departments (every department: `None`).
pub fn in_review(
    conn: &mut DbConnection,
    department_ids: Option<&[i64]>,
) -> QueryResult<Vec<ReviewRow>> {
    let mut q = reply_reviews::table
        .filter(reply_reviews::status.eq("in_review"))
        .select(ReviewRow::as_select())
        .into_boxed::<Backend>();
    if let Some(ids) = department_ids {
        q = q.filter(reply_reviews::department_id.eq_any(ids.to_vec()));
    }
    q.order(reply_reviews::id).load(conn)
}

pub struct NewReview<'a> {
    pub case_id: i64,
    pub department_id: i64,
    pub content: &'a str,
    pub levels: i32,
    pub submitted_by: i64,
    pub today: NaiveDate,
}

pub fn insert(conn: &mut DbConnection, r: &NewReview<'_>) -> QueryResult<ReviewRow> {
    diesel::insert_into(reply_reviews::table)
        .values((
            reply_reviews::case_id.eq(r.case_id),
            reply_reviews::department_id.eq(r.department_id),
            reply_reviews::status.eq("in_review"),
            reply_reviews::content.eq(r.content),
            reply_reviews::revision.eq(1),
            reply_reviews::level.eq(1),
            reply_reviews::levels.eq(r.levels),
            reply_reviews::level_since.eq(r.today),
            reply_reviews::approved_revision.eq(None::<i32>),
            reply_reviews::submitted_by.eq(r.submitted_by),
            reply_reviews::reply_id.eq(None::<i64>),
            reply_reviews::updated_at.eq(now()),
        ))
        .returning(<ReviewRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// What a step changes on the review row.
pub struct Update<'a> {
    pub status: &'a str,
    pub content: &'a str,
    pub revision: i32,
    pub level: i32,
    pub levels: i32,
    pub level_since: NaiveDate,
    pub approved_revision: Option<i32>,
    pub reply_id: Option<i64>,
}

pub fn update(conn: &mut DbConnection, id: i64, u: &Update<'_>) -> QueryResult<ReviewRow> {
    diesel::update(reply_reviews::table.filter(reply_reviews::id.eq(id)))
        .set((
            reply_reviews::status.eq(u.status),
            reply_reviews::content.eq(u.content),
            reply_reviews::revision.eq(u.revision),
            reply_reviews::level.eq(u.level),
            reply_reviews::levels.eq(u.levels),
            reply_reviews::level_since.eq(u.level_since),
            reply_reviews::approved_revision.eq(u.approved_revision),
            reply_reviews::reply_id.eq(u.reply_id),
            reply_reviews::updated_at.eq(now()),
        ))
        .returning(<ReviewRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub struct NewStep<'a> {
    pub review_id: i64,
    pub revision: i32,
    pub level: i32,
    pub action: &'a str,
    pub comment: Option<&'a str>,
    pub override_reason: Option<&'a str>,
    pub actor_id: i64,
    pub acted_on: NaiveDate,
}

pub fn add_step(conn: &mut DbConnection, s: &NewStep<'_>) -> QueryResult<()> {
    diesel::insert_into(reply_review_steps::table)
        .values((
            reply_review_steps::review_id.eq(s.review_id),
            reply_review_steps::revision.eq(s.revision),
            reply_review_steps::level.eq(s.level),
            reply_review_steps::action.eq(s.action),
            reply_review_steps::comment.eq(s.comment),
            reply_review_steps::override_reason.eq(s.override_reason),
            reply_review_steps::actor_id.eq(s.actor_id),
            reply_review_steps::acted_on.eq(s.acted_on),
            reply_review_steps::acted_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn steps(conn: &mut DbConnection, review_id: i64) -> QueryResult<Vec<StepRow>> {
    reply_review_steps::table
        .filter(reply_review_steps::review_id.eq(review_id))
        .order(reply_review_steps::id)
        .select(StepRow::as_select())
        .load(conn)
}

/// Writes reviews and their steps built ahead (the bulk fill), ids taken by
/// `bulk::reserve_ids`, after the replies they were issued as.
pub fn write_bulk(
    conn: &mut DbConnection,
    reviews: &[ReviewRow],
    steps: &[StepRow],
) -> QueryResult<()> {
    super::bulk::copy_in!(conn, reply_reviews::table, reviews, super::INSERT_CHUNK)?;
    super::bulk::copy_in!(conn, reply_review_steps::table, steps, super::INSERT_CHUNK)
}

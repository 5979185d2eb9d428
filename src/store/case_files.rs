//! What is kept beside a case: the notices sent, the attachments (content in the database,
//! so every instance serves them), and the personal calendar feeds of its clerks.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{attachments, calendar_feeds, case_notices};
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = case_notices)]
pub struct NoticeRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub sent_on: NaiveDate,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_notice(
    conn: &mut DbConnection,
    case_id: i64,
    kind: &str,
    title: &str,
    body: &str,
    sent_on: NaiveDate,
    recorded_by: i64,
) -> QueryResult<NoticeRow> {
    diesel::insert_into(case_notices::table)
        .values((
            case_notices::case_id.eq(case_id),
            case_notices::kind.eq(kind),
            case_notices::title.eq(title),
            case_notices::body.eq(body),
            case_notices::sent_on.eq(sent_on),
            case_notices::recorded_by.eq(recorded_by),
            case_notices::recorded_at.eq(now()),
        ))
        .returning(<NoticeRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn notices(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<NoticeRow>> {
    case_notices::table
        .filter(case_notices::case_id.eq(case_id))
        .order(case_notices::id)
        .select(NoticeRow::as_select())
        .load(conn)
}

pub fn notice(conn: &mut DbConnection, id: i64) -> QueryResult<Option<NoticeRow>> {
    case_notices::table
        .filter(case_notices::id.eq(id))
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()
}

/// An attachment without its content (lists).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = attachments)]
pub struct AttachmentMeta {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    pub uploaded_at: NaiveDateTime,
}

pub struct NewAttachment<'a> {
    pub case_id: i64,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: i64,
}

pub fn insert_attachment(
    conn: &mut DbConnection,
    a: &NewAttachment,
) -> QueryResult<AttachmentMeta> {
    diesel::insert_into(attachments::table)
        .values((
            attachments::case_id.eq(a.case_id),
            attachments::kind.eq(a.kind),
            attachments::file_name.eq(a.file_name),
            attachments::content_type.eq(a.content_type),
            attachments::size_bytes.eq(i64::try_from(a.content.len()).unwrap_or(i64::MAX)),
            attachments::sha256.eq(a.sha256),
            attachments::content.eq(a.content),
            attachments::uploaded_by.eq(a.uploaded_by),
            attachments::uploaded_at.eq(now()),
        ))
        .returning(<AttachmentMeta as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn attachments_of(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<AttachmentMeta>> {
    attachments::table
        .filter(attachments::case_id.eq(case_id))
        .order(attachments::id)
        .select(AttachmentMeta::as_select())
        .load(conn)
}

/// One attachment with its content.
pub fn attachment(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Option<(AttachmentMeta, Vec<u8>)>> {
    attachments::table
        .filter(attachments::id.eq(id))
        .select((AttachmentMeta::as_select(), attachments::content))
        .first(conn)
        .optional()
}

/// Adds a feed token (its hash) for a user.
pub fn insert_feed(conn: &mut DbConnection, user_id: i64, token_hash: &str) -> QueryResult<()> {
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::user_id.eq(user_id),
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Revokes every live feed of a user; returns how many.
pub fn revoke_feeds(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        calendar_feeds::table
            .filter(calendar_feeds::user_id.eq(user_id))
            .filter(calendar_feeds::revoked_at.is_null()),
    )
    .set(calendar_feeds::revoked_at.eq(Some(now())))
    .execute(conn)
}

/// The user of a live feed token.
pub fn feed_user(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<i64>> {
    calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(calendar_feeds::user_id)
        .first(conn)
        .optional()
}

/// Whether a user has a live feed.
pub fn has_feed(conn: &mut DbConnection, user_id: i64) -> QueryResult<bool> {
    calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(user_id))
        .filter(calendar_feeds::revoked_at.is_null())
        .count()
        .get_result::<i64>(conn)
        .map(|n| n > 0)
}

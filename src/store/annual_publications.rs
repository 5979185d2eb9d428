//! Published annual reports (diesel only): each version is inserted once and never updated.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{annual_publications as ap, users};
use super::{Backend, DbConnection, now};

/// One published version without its snapshot (lists).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ap)]
pub struct PublicationMeta {
    pub id: i64,
    pub department_id: i64,
    pub include_subtree: bool,
    pub year: i32,
    pub template: String,
    pub version: i32,
    pub sha256: String,
    pub reason: Option<String>,
    pub published_by: i64,
    pub published_at: NaiveDateTime,
}

/// One published version with its snapshot.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ap)]
pub struct PublicationRow {
    #[diesel(embed)]
    pub meta: PublicationMeta,
    pub snapshot: String,
}

/// Which report: a department's year, alone or with its subtree.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub department_id: i64,
    pub include_subtree: bool,
    pub year: i32,
}

pub struct NewPublication<'a> {
    pub key: Key,
    pub template: &'a str,
    pub version: i32,
    pub snapshot: &'a str,
    pub sha256: &'a str,
    pub reason: Option<&'a str>,
    pub published_by: i64,
}

pub fn insert(conn: &mut DbConnection, p: &NewPublication<'_>) -> QueryResult<PublicationMeta> {
    diesel::insert_into(ap::table)
        .values((
            ap::department_id.eq(p.key.department_id),
            ap::include_subtree.eq(p.key.include_subtree),
            ap::year.eq(p.key.year),
            ap::template.eq(p.template),
            ap::version.eq(p.version),
            ap::snapshot.eq(p.snapshot),
            ap::sha256.eq(p.sha256),
            ap::reason.eq(p.reason),
            ap::published_by.eq(p.published_by),
            ap::published_at.eq(now()),
        ))
        .returning(<PublicationMeta as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// The versions of one report, oldest first.
pub fn versions(conn: &mut DbConnection, key: Key) -> QueryResult<Vec<PublicationMeta>> {
    ap::table
        .filter(ap::department_id.eq(key.department_id))
        .filter(ap::include_subtree.eq(key.include_subtree))
        .filter(ap::year.eq(key.year))
        .order(ap::version.asc())
        .select(PublicationMeta::as_select())
        .load(conn)
}

/// One version of a report, or its latest with `version` `None`.
pub fn find(
    conn: &mut DbConnection,
    key: Key,
    version: Option<i32>,
) -> QueryResult<Option<PublicationRow>> {
    let mut q = ap::table
        .filter(ap::department_id.eq(key.department_id))
        .filter(ap::include_subtree.eq(key.include_subtree))
        .filter(ap::year.eq(key.year))
        .into_boxed();
    if let Some(v) = version {
        q = q.filter(ap::version.eq(v));
    }
    q.order(ap::version.desc())
        .select(PublicationRow::as_select())
        .first(conn)
        .optional()
}

/// The display names of the users who published (id → name).
pub fn publisher_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
}

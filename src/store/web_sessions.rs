//! Browser sessions: the hash of the cookie's token, the account and its token version
//! (a password change ends every session), the form token and when it was last used.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::web_sessions;
use super::{Backend, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = web_sessions)]
pub struct WebSession {
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    pub token_version: i32,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    token_hash: &str,
    user_id: i64,
    token_version: i32,
    csrf_token: &str,
    at: NaiveDateTime,
) -> QueryResult<WebSession> {
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::token_hash.eq(token_hash),
            web_sessions::user_id.eq(user_id),
            web_sessions::token_version.eq(token_version),
            web_sessions::csrf_token.eq(csrf_token),
            web_sessions::created_at.eq(at),
            web_sessions::last_seen_at.eq(at),
        ))
        .returning(<WebSession as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<WebSession>> {
    web_sessions::table
        .filter(web_sessions::token_hash.eq(token_hash))
        .select(WebSession::as_select())
        .first(conn)
        .optional()
}

/// Marks the session used at `at`.
pub fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(web_sessions::table.filter(web_sessions::id.eq(id)))
        .set(web_sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(web_sessions::table.filter(web_sessions::id.eq(id)))
        .execute(conn)
        .map(|_| ())
}

/// Removes sessions idle since before `cutoff`.
pub fn delete_idle(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(web_sessions::table.filter(web_sessions::last_seen_at.lt(cutoff))).execute(conn)
}

//! User accounts, login throttling counters and the token version.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub department_id: Option<i64>,
    pub active: bool,
    pub password_hash: String,
    pub token_version: i32,
    pub failed_logins: i32,
    pub last_failed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub department_id: Option<i64>,
    pub password_hash: String,
}

/// The editable fields of a user; `password_hash` is `Some` only when it changes.
#[derive(Debug, Clone)]
pub struct UserChanges {
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub department_id: Option<i64>,
    pub active: bool,
    pub password_hash: Option<String>,
    /// Bump the token version: earlier tokens stop working.
    pub revoke_tokens: bool,
}

pub fn insert(conn: &mut DbConnection, new: &NewUser) -> QueryResult<User> {
    let ts = now();
    diesel::insert_into(users::table)
        .values((
            users::username.eq(&new.username),
            users::display_name.eq(&new.display_name),
            users::email.eq(&new.email),
            users::role.eq(&new.role),
            users::department_id.eq(new.department_id),
            users::active.eq(true),
            users::password_hash.eq(&new.password_hash),
            users::token_version.eq(1),
            users::failed_logins.eq(0),
            users::version.eq(1),
            users::created_at.eq(ts),
            users::updated_at.eq(ts),
        ))
        .returning(<User as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The account with this username, ignoring case (usernames are unique ignoring case).
pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(lower(users::username).eq(username.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
    users::table
        .order(users::id)
        .select(User::as_select())
        .load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// Applies `changes` if the stored version is still `expected_version`; `Ok(None)` when it
/// is not (or the user vanished).
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    changes: &UserChanges,
) -> QueryResult<Option<User>> {
    let target = users::table
        .filter(users::id.eq(id))
        .filter(users::version.eq(expected_version));
    let bump = i32::from(changes.revoke_tokens);
    let changed = diesel::update(target)
        .set((
            users::display_name.eq(&changes.display_name),
            users::email.eq(&changes.email),
            users::role.eq(&changes.role),
            users::department_id.eq(changes.department_id),
            users::active.eq(changes.active),
            users::token_version.eq(users::token_version + bump),
            users::version.eq(expected_version + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    if let Some(hash) = &changes.password_hash {
        diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::failed_logins.eq(0)))
            .execute(conn)?;
    }
    find(conn, id)
}

/// Counts a login attempt on the account at `at` as a failure before the password is
/// checked (`reset_failed_logins` takes it back on success), in one statement, so a burst
/// of concurrent attempts is counted one by one. When `spaced` and the account has
/// `ceiling` or more recent failures, the attempt is refused (`Ok(false)`, nothing written)
/// unless `spacing_start` (= `at` less the spacing) has passed since the last attempt.
pub fn claim_login_attempt(
    conn: &mut DbConnection,
    id: i64,
    at: NaiveDateTime,
    spaced: bool,
    ceiling: i32,
    spacing_start: NaiveDateTime,
    forget_before: NaiveDateTime,
) -> QueryResult<bool> {
    // Failures older than the memory window no longer count toward the ceiling.
    diesel::update(
        users::table
            .find(id)
            .filter(users::last_failed_at.lt(forget_before)),
    )
    .set(users::failed_logins.eq(0))
    .execute(conn)?;
    let target = users::table.find(id);
    let changed = if spaced {
        diesel::update(
            target.filter(
                users::failed_logins
                    .lt(ceiling)
                    .or(users::last_failed_at.is_null())
                    .or(users::last_failed_at.le(spacing_start)),
            ),
        )
        .set((
            users::failed_logins.eq(users::failed_logins + 1),
            users::last_failed_at.eq(Some(at)),
        ))
        .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                users::failed_logins.eq(users::failed_logins + 1),
                users::last_failed_at.eq(Some(at)),
            ))
            .execute(conn)?
    };
    Ok(changed == 1)
}

/// Counts a failed login at `at`.
pub fn record_failed_login(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::failed_logins.eq(users::failed_logins + 1),
            users::last_failed_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

/// Sets a new password hash, ends every earlier token and clears the failure counter.
pub fn set_password(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<Option<User>> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::token_version.eq(users::token_version + 1),
            users::failed_logins.eq(0),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    find(conn, id)
}

pub fn reset_failed_logins(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::failed_logins.eq(0))
        .execute(conn)
        .map(drop)
}

//! Online applications: the query codes' hashes, the public pages' rate windows and the
//! account the public form acts as.

use chrono::Timelike;
use diesel::prelude::*;

use super::schema::{online_codes, rate_windows, users};
use super::{DbConnection, now};

/// The username of the account every online action is recorded by. Real usernames cannot
/// contain `@` (`ops::org`), so none can take it.
pub const PORTAL_USERNAME: &str = "@online";

/// The id of the portal account, created on first use: disabled and with a password hash
/// that matches nothing, so nobody can sign in as it.
pub fn portal_user(c: &mut DbConnection) -> QueryResult<i64> {
    if let Some(id) = find_portal(c)? {
        return Ok(id);
    }
    let ts = now();
    let inserted = diesel::insert_into(users::table)
        .values((
            users::username.eq(PORTAL_USERNAME),
            users::display_name.eq("网上申请平台"),
            users::role.eq("admin"),
            users::active.eq(false),
            users::password_hash.eq("!"),
            users::token_version.eq(1),
            users::failed_logins.eq(0),
            users::version.eq(1),
            users::created_at.eq(ts),
            users::updated_at.eq(ts),
        ))
        .execute(c);
    match inserted {
        Ok(_) => {}
        // Another instance created it a moment earlier.
        Err(e) if super::is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    find_portal(c)?.ok_or(diesel::result::Error::NotFound)
}

fn find_portal(c: &mut DbConnection) -> QueryResult<Option<i64>> {
    users::table
        .filter(users::username.eq(PORTAL_USERNAME))
        .select(users::id)
        .first(c)
        .optional()
}

pub fn insert_code(c: &mut DbConnection, case_id: i64, code_hash: &str) -> QueryResult<()> {
    diesel::insert_into(online_codes::table)
        .values((
            online_codes::case_id.eq(case_id),
            online_codes::code_hash.eq(code_hash),
            online_codes::created_at.eq(now()),
        ))
        .execute(c)
        .map(|_| ())
}

/// The case a code's hash belongs to.
pub fn case_of(c: &mut DbConnection, code_hash: &str) -> QueryResult<Option<i64>> {
    online_codes::table
        .filter(online_codes::code_hash.eq(code_hash))
        .select(online_codes::case_id)
        .first(c)
        .optional()
}

/// Counts one hit of `client` in `bucket` within the current fixed window of
/// `window_secs` seconds; returns the window's hits so far (this one included) and the
/// seconds until the window ends. Windows older than a day are deleted on the way.
pub fn hit(
    c: &mut DbConnection,
    bucket: &str,
    client: &str,
    window_secs: i64,
) -> QueryResult<(i32, i64)> {
    let at = now();
    let secs = at.and_utc().timestamp();
    let into = secs.rem_euclid(window_secs);
    let start = at - chrono::Duration::seconds(into);
    let start = start.with_nanosecond(0).unwrap_or(start);
    let forget = at - chrono::Duration::days(1);
    diesel::delete(rate_windows::table.filter(rate_windows::window_start.lt(forget))).execute(c)?;
    let key = rate_windows::table
        .filter(rate_windows::bucket.eq(bucket))
        .filter(rate_windows::client.eq(client))
        .filter(rate_windows::window_start.eq(start));
    let updated = diesel::update(key)
        .set(rate_windows::hits.eq(rate_windows::hits + 1))
        .execute(c)?;
    if updated == 0 {
        diesel::insert_into(rate_windows::table)
            .values((
                rate_windows::bucket.eq(bucket),
                rate_windows::client.eq(client),
                rate_windows::window_start.eq(start),
                rate_windows::hits.eq(1),
            ))
            .execute(c)?;
    }
    let hits = key.select(rate_windows::hits).first(c)?;
    Ok((hits, window_secs - into))
}

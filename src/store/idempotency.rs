//! Idempotency keys: the first response to a keyed POST is kept, so a retried request gets
//! it again instead of creating a second case.

use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{DbConnection, now};

#[derive(Debug, Clone, Queryable)]
pub struct Stored {
    pub request_hash: String,
    pub status: i32,
    pub response: String,
}

pub fn find(conn: &mut DbConnection, user_id: i64, key: &str) -> QueryResult<Option<Stored>> {
    idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user_id))
        .filter(idempotency_keys::idem_key.eq(key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::response,
        ))
        .first(conn)
        .optional()
}

/// The answer to keep under an idempotency key claimed earlier in the transaction (with an
/// empty response by `insert`), filled in by `intake::write_one`.
pub struct Answer<'a> {
    pub user_id: i64,
    pub key: &'a str,
    /// The 201 answer's body.
    pub response: String,
}

/// Stores the response; a concurrent request with the same key fails here with a unique
/// violation and its transaction rolls back.
pub fn insert(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    request_hash: &str,
    status: i32,
    response: &str,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status.eq(status),
            idempotency_keys::response.eq(response),
            idempotency_keys::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

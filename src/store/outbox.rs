//! The mail outbox. Rows are claimed by compare-and-set, so any number of senders on one
//! database deliver each mail once; a sender that dies mid-send loses its claim when
//! `claimed_until` passes, and the mail is tried again.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::outbox;
use super::{DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = outbox)]
pub struct Mail {
    pub id: i64,
    pub dedup_key: String,
    pub kind: String,
    pub case_id: Option<i64>,
    pub ref_date: NaiveDate,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kind: String,
    pub case_id: Option<i64>,
    pub ref_date: NaiveDate,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

impl NewMail {
    /// The same mail, whichever scan or change produces it again.
    pub fn dedup_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.kind,
            self.case_id
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
            self.ref_date,
            self.recipient
        )
    }
}

/// Queues a mail unless the same one is queued or sent already; true when queued now.
/// `ON CONFLICT DO NOTHING` on the dedup key: two scans racing (two instances, or the
/// scheduler and `ogi-tracker notify`) queue it once, and the loser's transaction stays
/// usable on PostgreSQL (no unique-violation error to abort it).
pub fn enqueue(conn: &mut DbConnection, m: &NewMail) -> QueryResult<bool> {
    let key = m.dedup_key();
    let ts = now();
    // The multi backend has no ON CONFLICT: the same insert per variant.
    macro_rules! insert {
        ($c:expr) => {
            diesel::insert_into(outbox::table)
                .values((
                    outbox::dedup_key.eq(&key),
                    outbox::kind.eq(&m.kind),
                    outbox::case_id.eq(m.case_id),
                    outbox::ref_date.eq(m.ref_date),
                    outbox::recipient.eq(&m.recipient),
                    outbox::subject.eq(&m.subject),
                    outbox::body.eq(&m.body),
                    outbox::status.eq("pending"),
                    outbox::attempts.eq(0),
                    outbox::next_attempt_at.eq(ts),
                    outbox::created_at.eq(ts),
                ))
                .on_conflict(outbox::dedup_key)
                .do_nothing()
                .execute($c)
        };
    }
    let inserted = match conn {
        DbConnection::Pg(c) => insert!(c)?,
        DbConnection::Sqlite(c) => insert!(c)?,
    };
    Ok(inserted > 0)
}

/// (status, count) of the mails not delivered: pending, sending, failed. Sent mails are
/// not counted (the bulk of the table; the status index ranges over the others only).
pub fn count_undelivered(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    outbox::table
        .filter(outbox::status.eq_any(["pending", "sending", "failed"]))
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Queues the mails of cases created in this transaction in one multi-row insert: their
/// dedup keys name the new cases, so no earlier copy can exist and none is looked for.
pub fn enqueue_new(conn: &mut DbConnection, mails: &[NewMail]) -> QueryResult<()> {
    let ts = now();
    let keys: Vec<String> = mails.iter().map(NewMail::dedup_key).collect();
    let rows: Vec<_> = mails
        .iter()
        .zip(&keys)
        .map(|(m, key)| {
            (
                outbox::dedup_key.eq(key.as_str()),
                outbox::kind.eq(m.kind.as_str()),
                outbox::case_id.eq(m.case_id),
                outbox::ref_date.eq(m.ref_date),
                outbox::recipient.eq(m.recipient.as_str()),
                outbox::subject.eq(m.subject.as_str()),
                outbox::body.eq(m.body.as_str()),
                outbox::status.eq("pending"),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(ts),
                outbox::created_at.eq(ts),
            )
        })
        .collect();
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        super::per_backend!(conn, |c| diesel::insert_into(outbox::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Ids of mails ready to be tried at `at`: pending and due, or claimed by a sender whose
/// claim has run out.
pub fn ready(conn: &mut DbConnection, at: NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    outbox::table
        .filter(
            outbox::status
                .eq("pending")
                .and(outbox::next_attempt_at.le(at))
                .or(outbox::status
                    .eq("sending")
                    .and(outbox::claimed_until.lt(at))),
        )
        .order(outbox::id)
        .limit(limit)
        .select(outbox::id)
        .load(conn)
}

/// Takes a mail for sending until `until`; false when another sender took it first.
pub fn claim(
    conn: &mut DbConnection,
    id: i64,
    at: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Option<Mail>> {
    let taken = diesel::update(
        outbox::table.filter(outbox::id.eq(id)).filter(
            outbox::status
                .eq("pending")
                .and(outbox::next_attempt_at.le(at))
                .or(outbox::status
                    .eq("sending")
                    .and(outbox::claimed_until.lt(at))),
        ),
    )
    .set((
        outbox::status.eq("sending"),
        outbox::claimed_until.eq(Some(until)),
        outbox::attempts.eq(outbox::attempts + 1),
    ))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    outbox::table
        .find(id)
        .select(Mail::as_select())
        .first(conn)
        .optional()
}

/// Records a delivery; `body_after`, when given, replaces the kept text (a mail whose body
/// is a secret of the recipient's is not kept once it has reached them).
pub fn mark_sent(conn: &mut DbConnection, id: i64, body_after: Option<&str>) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(now())),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    if let Some(body) = body_after {
        diesel::update(outbox::table.find(id))
            .set(outbox::body.eq(body))
            .execute(conn)?;
    }
    Ok(())
}

/// Records a failed attempt: back to pending at `retry_at`, or `failed` for good.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    let status = if retry_at.is_some() {
        "pending"
    } else {
        "failed"
    };
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(status),
            outbox::next_attempt_at.eq(retry_at.unwrap_or_else(now)),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn list(conn: &mut DbConnection, status: Option<&str>, limit: i64) -> QueryResult<Vec<Mail>> {
    let mut q = outbox::table
        .select(Mail::as_select())
        .order(outbox::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(outbox::status.eq(s.to_owned()));
    }
    q.load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Mail>> {
    outbox::table
        .find(id)
        .select(Mail::as_select())
        .first(conn)
        .optional()
}

/// Puts a failed mail back in the queue with a fresh set of attempts.
pub fn retry(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("failed")),
    )
    .set((
        outbox::status.eq("pending"),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

//! One intake written in one round trip under its department's counter (PostgreSQL): the
//! case, its items, its number's search grams, the first record of its audit chain and its
//! mails, as `cases::insert_many`, `trail::open_chains` and `outbox::enqueue_new` write
//! them, and the answer under the request's idempotency key, handed to the function
//! `ogi_write_intake` (migrations `2026-12-08-100001_intake_in_one_call`,
//! `2026-12-14-100001_intake_planned_once`) as one jsonb document. A PL/pgSQL function keeps
//! its statements planned for the session, and the department's counter (taken just
//! before) stays locked for this one call and the commit instead of five statements each
//! parsed and planned afresh. The grams of the name and items, most of the index writing,
//! go in before the counter is taken (`reserve_with_grams`).
//!
//! SQLite writes intakes with `insert_many` (one writer at a time; a round trip there is a
//! function call).

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConnection;
use super::cases::CaseRow;
use super::idempotency::Answer;
use super::outbox::NewMail;
use super::search;
use super::trail::{AuditKey, Opening, Scheme, chain_now};

/// Whether `write_one` serves this connection.
pub fn in_one_call(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Pg(_))
}

/// PostgreSQL: an id for a new case, with the search grams of its texts that do not depend
/// on its number (applicant name, items) written under that id — before the department's
/// counter is taken. These ~40 index entries are most of an intake's writing; done here they
/// no longer hold up the department's other intakes queued on the counter. `search_grams`
/// has no foreign key on PostgreSQL (migration `2026-12-12-100001_intake_before_number`): the
/// case row follows in the same transaction, and a rollback takes the grams with it.
pub fn reserve_with_grams(conn: &mut DbConnection, grams: &BTreeSet<String>) -> QueryResult<i64> {
    let DbConnection::Pg(pg) = conn else {
        return Err(not_here());
    };
    let grams = serde_json::to_string(grams).unwrap_or_else(|_| "[]".into());
    // A prepared statement calling a PL/pgSQL function: planned once per connection, where
    // the same statements sent as text were parsed and planned at every intake.
    diesel::select(ogi_reserve_case(grams)).get_result(pg)
}

diesel::define_sql_function! {
    /// Migration `2026-12-14-100001_intake_planned_once`.
    fn ogi_reserve_case(grams: Text) -> diesel::sql_types::BigInt;
}

fn not_here() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError("intake in one call is PostgreSQL's".into())
}

/// Writes one case built ahead (`CaseRow::new_intake`: id from `reserve_with_grams`,
/// number from `cases::take_case_seqs`, timestamps from `trail::chain_now`), its items, its number's
/// grams, opening audit record and mails, inside the caller's transaction (and, with
/// `then.commit`, commits it). PostgreSQL only (`in_one_call`).
pub fn write_one(
    conn: &mut DbConnection,
    key: &AuditKey,
    row: &CaseRow,
    items: &[String],
    opening: &Opening<'_>,
    mails: &[NewMail],
    then: Then<'_>,
) -> QueryResult<()> {
    let DbConnection::Pg(pg) = conn else {
        return Err(not_here());
    };
    let at = chain_now();
    let doc = serde_json::json!({
        "case": {
            "id": row.id,
            "department_id": row.department_id,
            "case_number": row.case_number,
            "year": row.year,
            "seq": row.seq,
            "applicant_type": row.applicant_type,
            "applicant_name": row.applicant_name,
            "applicant_id_number": row.applicant_id_number,
            "applicant_phone": row.applicant_phone,
            "applicant_email": row.applicant_email,
            "applicant_address": row.applicant_address,
            "channel": row.channel,
            "submitted_on": row.submitted_on,
            "received_on": row.received_on,
            "tracking_number": row.tracking_number,
            "purpose": row.purpose,
            "delivery_preference": row.delivery_preference,
            "assignee_id": row.assignee_id,
            "status": row.status,
            "due_on": row.due_on,
            "due_sort": row.due_sort,
            "receipt_sort": row.receipt_sort,
            "version": row.version,
            "created_by": row.created_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "awaiting_approval": row.awaiting_approval,
            "settled_on": row.settled_on,
            "conclusion": row.conclusion,
            "reply_outcome": row.reply_outcome,
            "search_text": row.search_text,
        },
        "items": items.iter().zip(1..).map(|(d, position)| serde_json::json!({
            "case_id": row.id, "position": position, "description": d,
        })).collect::<Vec<_>>(),
        // The number's grams; the others went in with `reserve_with_grams`.
        "grams": search::grams([row.case_number.as_str()])
            .into_iter()
            .map(|g| serde_json::json!({ "gram": g, "case_id": row.id }))
            .collect::<Vec<_>>(),
        "audit": {
            "case_id": opening.case_id,
            "seq": 1,
            "actor_id": opening.actor_id,
            "at": at,
            "action": opening.action,
            "before_state": null,
            "after_state": opening.after,
            "prev_hash": super::trail::GENESIS,
            "hash": opening.hash(key, at),
            "scheme": Scheme::HmacSha256.as_str(),
        },
        "answers": then.answer.iter().map(|a| serde_json::json!({
            "user_id": a.user_id,
            "idem_key": a.key,
            "response": a.response,
        })).collect::<Vec<_>>(),
        "mails": mails.iter().map(|m| serde_json::json!({
            "dedup_key": m.dedup_key(),
            "kind": m.kind,
            "case_id": m.case_id,
            "ref_date": m.ref_date,
            "recipient": m.recipient,
            "subject": m.subject,
            "body": m.body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": row.created_at,
            "created_at": row.created_at,
        })).collect::<Vec<_>>(),
    });
    let doc = doc.to_string();
    if !then.commit {
        return diesel::sql_query("SELECT ogi_write_intake($1::jsonb)")
            .bind::<Text, _>(doc)
            .execute(pg)
            .map(|_| ());
    }
    // The call (the intake, and the answer under its idempotency key), the commit and a
    // new (empty) transaction for diesel's own COMMIT to end, in one simple-protocol
    // message: one round trip while the department's counter is held, where a bound
    // statement and a separate COMMIT take two. The document goes as a
    // dollar-quoted literal under a tag it does not contain (the text is JSON from serde:
    // no NUL, and it starts with `{` and ends with `}`, so no tag straddles its edges). On
    // an error PostgreSQL skips the rest of the message and the caller's transaction rolls
    // back as usual. The statement's text then carries the applicant's data into
    // PostgreSQL's log (`log_min_error_statement`); the errors it can still meet are rare
    // (the idempotency key is claimed before, by a bound statement), see the README.
    let mut n = 0u32;
    let tag = loop {
        let tag = format!("$ogi{n}$");
        if !doc.contains(&tag) {
            break tag;
        }
        n += 1;
    };
    let sent = pg.batch_execute(&format!(
        "SELECT ogi_write_intake({tag}{doc}{tag}::jsonb); \
         COMMIT; BEGIN"
    ));
    if sent.is_err() && pg.batch_execute("SELECT 1").is_ok() {
        // The message's COMMIT failed, which ends the transaction (and diesel, following
        // the server, forgot it): open an empty one, so that the caller's rollback succeeds
        // and reports this error rather than "not in a transaction".
        <diesel::connection::AnsiTransactionManager as diesel::connection::TransactionManager<
            diesel::PgConnection,
        >>::begin_transaction(pg)?;
    }
    sent
}

/// What follows a single intake's writes in its transaction.
pub struct Then<'a> {
    /// Nothing follows: commit in the same round trip.
    pub commit: bool,
    /// The answer to fill in under the request's idempotency key (claimed earlier in the
    /// transaction), written with the intake.
    pub answer: Option<Answer<'a>>,
}

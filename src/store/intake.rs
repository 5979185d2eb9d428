//! One intake written in one round trip (PostgreSQL): the case, its items, its search grams,
//! the first record of its audit chain and its mails, as `cases::insert_many`,
//! `trail::open_chains` and `outbox::enqueue_new` write them, handed to the function
//! `ogi_write_intake` (migration `2026-12-08-100001_intake_in_one_call`) as one JSON
//! document. A PL/pgSQL function keeps its statements planned for the session, and the
//! department's counter (taken just before) stays locked for this one call and the commit
//! instead of five statements each parsed and planned afresh.
//!
//! SQLite writes intakes with `insert_many` (one writer at a time; a round trip there is a
//! function call).

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConnection;
use super::cases::{CaseRow, TAKE_SEQS_PG, searched};
use super::outbox::NewMail;
use super::trail::{AuditKey, Opening, Scheme, chain_now};

/// Whether `write_one` serves this connection.
pub fn in_one_call(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Pg(_))
}

/// PostgreSQL: the department's next case number of `year` (as `cases::take_case_seqs`
/// takes it: its counter locked until commit) and an id for the new case, in one round
/// trip. Returns (seq, id).
pub fn take_number_and_id(
    conn: &mut DbConnection,
    department_id: i64,
    year: i32,
) -> QueryResult<(i32, i64)> {
    use diesel::sql_types::{BigInt, Integer};
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Integer)]
        last_seq: i32,
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let DbConnection::Pg(pg) = conn else {
        return Err(not_here());
    };
    diesel::sql_query(format!(
        "WITH taken AS ({TAKE_SEQS_PG}) \
         SELECT last_seq, nextval(pg_get_serial_sequence('cases', 'id')) AS id FROM taken"
    ))
    .bind::<BigInt, _>(department_id)
    .bind::<Integer, _>(year)
    .bind::<Integer, _>(1)
    .get_result::<Taken>(pg)
    .map(|t| (t.last_seq, t.id))
}

fn not_here() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError("intake in one call is PostgreSQL's".into())
}

/// Writes one case built ahead (`CaseRow::new_intake`: id and number from
/// `take_number_and_id`, timestamps from `trail::chain_now`),
/// its items, grams, opening audit record and mails, inside the caller's transaction.
/// PostgreSQL only (`in_one_call`).
pub fn write_one(
    conn: &mut DbConnection,
    key: &AuditKey,
    row: &CaseRow,
    items: &[String],
    opening: &Opening<'_>,
    mails: &[NewMail],
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
        },
        "items": items.iter().zip(1..).map(|(d, position)| serde_json::json!({
            "case_id": row.id, "position": position, "description": d,
        })).collect::<Vec<_>>(),
        "grams": searched(&row.applicant_name, &row.case_number, items)
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
    diesel::sql_query("SELECT ogi_write_intake($1::json)")
        .bind::<Text, _>(doc.to_string())
        .execute(pg)
        .map(|_| ())
}

//! The seals of the legacy epoch. Records written before the audit key existed carry plain
//! SHA-256, which anyone can recompute; without a seal, whoever can write the database could
//! forge a record (or rewrite a keyed one) and label it `sha256`. So the migration that
//! introduces keyed records also seals, in its own transaction, each chain table: the
//! highest legacy record id and each chain's last legacy record, under an HMAC of the key.
//! Afterwards an unkeyed record above that id, a rewritten legacy chain or an edited seal
//! no longer verifies. Nothing here updates or deletes a seal.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::DbConnection;
use super::schema::{action_log, audit_records, audit_seals};
use super::trail::{AuditKey, chain_now, micros};

/// The chain tables, as named in their seals.
pub const AUDIT_RECORDS: &str = "audit_records";
pub const ACTION_LOG: &str = "action_log";

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_seals)]
pub struct Seal {
    #[serde(skip)]
    pub chain_table: String,
    /// Records up to this id are the legacy epoch (0: the table was empty).
    pub legacy_max_id: i64,
    pub sealed_at: NaiveDateTime,
    #[serde(skip)]
    pub mac: String,
}

/// The seal of one chain table, if it has one.
pub fn find(conn: &mut DbConnection, table: &str) -> QueryResult<Option<Seal>> {
    audit_seals::table
        .find(table)
        .select(Seal::as_select())
        .first(conn)
        .optional()
}

/// What a seal's MAC covers: the table, the bound, when, and per chain (in byte order of
/// its name) the sequence number and hash of its last record up to the bound.
pub(crate) fn mac(
    key: &AuditKey,
    table: &str,
    legacy_max_id: i64,
    sealed_at: NaiveDateTime,
    heads: &BTreeMap<String, (i32, String)>,
) -> String {
    let (bound, at) = (legacy_max_id.to_string(), micros(sealed_at));
    let seqs: Vec<String> = heads.values().map(|(seq, _)| seq.to_string()).collect();
    let mut parts = vec!["audit-seal", table, &bound, &at];
    for ((chain, (_, hash)), seq) in heads.iter().zip(&seqs) {
        parts.extend([chain.as_str(), seq, hash]);
    }
    key.digest(&parts)
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = Text)]
    chain: String,
    #[diesel(sql_type = Integer)]
    seq: i32,
    #[diesel(sql_type = Text)]
    hash: String,
}

/// Seals both chain tables as they stand: every record in them is legacy. Called only in
/// the transaction of the migration that introduces keyed records, so the seal is made on
/// the key's first use and never again: a seal deleted later is reported, not remade.
pub(crate) fn seal(conn: &mut DbConnection, key: &AuditKey) -> QueryResult<()> {
    let bounds = [
        (
            AUDIT_RECORDS,
            "case_id",
            audit_records::table
                .select(max(audit_records::id))
                .first::<Option<i64>>(conn)?,
        ),
        (
            ACTION_LOG,
            "subject",
            action_log::table
                .select(max(action_log::id))
                .first::<Option<i64>>(conn)?,
        ),
    ];
    for (table, chain, legacy_max_id) in bounds {
        // Each chain's last record, found through its (chain, seq) unique index.
        let heads: BTreeMap<String, (i32, String)> = diesel::sql_query(format!(
            "SELECT CAST(t.{chain} AS TEXT) AS chain, t.seq, t.hash FROM {table} t \
             WHERE t.seq = (SELECT MAX(u.seq) FROM {table} u WHERE u.{chain} = t.{chain})"
        ))
        .load::<Head>(conn)?
        .into_iter()
        .map(|h| (h.chain, (h.seq, h.hash)))
        .collect();
        let legacy_max_id = legacy_max_id.unwrap_or(0);
        let sealed_at = chain_now();
        diesel::insert_into(audit_seals::table)
            .values((
                audit_seals::chain_table.eq(table),
                audit_seals::legacy_max_id.eq(legacy_max_id),
                audit_seals::sealed_at.eq(sealed_at),
                audit_seals::mac.eq(mac(key, table, legacy_max_id, sealed_at, &heads)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

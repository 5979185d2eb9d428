//! The campaign chains against the facts, run by `verify-audit` beside the hash checks. A
//! chain shows its records were not altered, not that the facts still say what the records
//! captured. So, as for cases, every campaign's chain must begin with its creation, and
//! each target, letter, reply and phone check stored must be exactly what the chain last
//! recorded of it: a fact edited, added or removed in the database is a break.

use std::collections::BTreeMap;

use serde_json::Value;

use super::LoggedReply;
use super::view::{campaign_summary, reply_view};
use crate::ops::{OpError, OpResult};
use crate::store::action_log::{ActionRecord, Break};
use crate::store::trail::Scheme;
use crate::store::{self, DbConnection};

/// A fact by kind and id (a reply by its letter's id).
type Key = (&'static str, i64);

/// What a campaign's chain says: its creation, and each fact as last recorded (`None`
/// when only its id was logged, as sheet imports did before they logged each write).
#[derive(Default)]
struct Recorded {
    created: Option<Value>,
    facts: BTreeMap<Key, Option<Value>>,
}

fn fold(chain: &[ActionRecord]) -> Recorded {
    let mut out = Recorded::default();
    for r in chain {
        let after: Value = serde_json::from_str(&r.after_state).unwrap_or(Value::Null);
        let id = |field: &str| after.get(field).and_then(Value::as_i64).unwrap_or(0);
        match r.action.as_str() {
            "campaign_created" => out.created = Some(after),
            "target_added" => _ = out.facts.insert(("target", id("id")), Some(after)),
            "letter_added" => _ = out.facts.insert(("letter", id("id")), Some(after)),
            "phone_check_added" => _ = out.facts.insert(("phone_check", id("id")), Some(after)),
            "reply_recorded" => _ = out.facts.insert(("reply", id("letter_id")), Some(after)),
            "target_department_set" => {
                if let Some(Some(target)) = out.facts.get_mut(&("target", id("target_id"))) {
                    for field in ["department_id", "version"] {
                        target[field] = after[field].clone();
                    }
                }
            }
            "letter_updated" => {
                if let Some(Some(letter)) = out.facts.get_mut(&("letter", id("letter_id"))) {
                    for field in ["signed_on", "tracking_number"] {
                        letter[field] = after[field].clone();
                    }
                }
            }
            "sheet_imported" if r.scheme == Scheme::Sha256.as_str() => {
                let ids = |field: &str| {
                    after[field]
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_i64).collect::<Vec<_>>())
                        .unwrap_or_default()
                };
                for t in ids("target_ids_created") {
                    out.facts.entry(("target", t)).or_insert(None);
                }
                for l in ids("letter_ids_created") {
                    out.facts.entry(("letter", l)).or_insert(None);
                }
                for l in ids("letter_ids_updated") {
                    out.facts.insert(("letter", l), None);
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a stored fact no longer says what its record captured. Only the captured fields
/// count, so a column added by a later release does not make every older record differ.
fn differs(captured: &Value, now: &Value) -> bool {
    match captured.as_object() {
        Some(fields) => fields.iter().any(|(k, v)| now.get(k) != Some(v)),
        None => captured != now,
    }
}

fn json(value: impl serde::Serialize) -> OpResult<Value> {
    serde_json::to_value(value).map_err(OpError::internal)
}

/// The facts of one campaign as stored, in the shape their records capture.
fn stored(c: &mut DbConnection, campaign_id: i64) -> OpResult<BTreeMap<Key, Value>> {
    let mut facts = BTreeMap::new();
    for t in store::campaigns::targets(c, campaign_id)? {
        facts.insert(("target", t.id), json(&t)?);
    }
    for l in store::campaigns::letters(c, campaign_id)? {
        facts.insert(("letter", l.id), json(&l)?);
    }
    for p in store::campaigns::phone_checks(c, campaign_id)? {
        facts.insert(("phone_check", p.id), json(&p)?);
    }
    for r in store::campaigns::replies(c, campaign_id)? {
        let letter_id = r.letter_id;
        // An unreadable reply cannot match its record: compare it as null.
        let view = reply_view(&r)
            .ok()
            .map(|reply| LoggedReply { letter_id, reply });
        facts.insert(("reply", letter_id), json(&view)?);
    }
    Ok(facts)
}

/// Every campaign against its chain (see the module comment).
pub fn cross_check(c: &mut DbConnection) -> OpResult<Vec<Break>> {
    let mut breaks = Vec::new();
    for row in store::campaigns::campaigns(c)? {
        let id = row.id;
        let subject = format!("campaign:{id}");
        let chain = store::action_log::history(c, &subject)?;
        let mut brk = |problem: String| {
            breaks.push(Break {
                subject: subject.clone(),
                seq: 0,
                record_id: 0,
                problem,
            });
        };
        let recorded = fold(&chain);
        if chain.first().is_none_or(|r| r.action != "campaign_created") {
            brk("the chain does not begin with the campaign's creation".into());
        }
        // What the campaign's own row says; the counts moved on since.
        let now = json(campaign_summary(c, row)?)?;
        if let Some(mut created) = recorded.created {
            if let Some(fields) = created.as_object_mut() {
                fields.remove("counts");
            }
            if differs(&created, &now) {
                brk("the campaign differs from what its audit record captured".into());
            }
        }
        let mut stored = stored(c, id)?;
        for (key @ (kind, fact_id), captured) in recorded.facts {
            match (stored.remove(&key), captured) {
                (None, _) => brk(format!(
                    "{kind} {fact_id} of the chain is missing: removed in the database"
                )),
                (Some(now), Some(captured)) if differs(&captured, &now) => brk(format!(
                    "{kind} {fact_id} differs from what its audit record captured"
                )),
                _ => {}
            }
        }
        for (kind, fact_id) in stored.into_keys() {
            brk(format!(
                "{kind} {fact_id} is not in the campaign's chain: added in the database"
            ));
        }
    }
    Ok(breaks)
}

//! Reply documents: recording a reply (which stops the case's clock) with the checker's
//! findings, and a compliant draft generated from the case and its department.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::cases::{Change, change_case, load};
use super::{CASE_WRITERS, Ctx, OpError, OpResult, require, scope};
use crate::auth::Actor;
use crate::cases::{Derivation, recorded};
use crate::domain::case::CaseEvent;
use crate::domain::compliance::{
    self, DeliveryMethod, Finding, LegalCitation, Organ, Redirect, Remedy, ReplyDoc,
};
use crate::domain::doc_number::DocNumber;
use crate::domain::draft::{DraftInput, draft, fill_doc_number};
use crate::domain::org::DepartmentKind;
use crate::domain::outcome::Outcome;
use crate::domain::reply::{ReplyDating, check_reply_dates, process_facts};
use crate::domain::validation::{FieldErrors, optional_multiline, optional_text};
use crate::store::cases::CaseRow;
use crate::store::departments::Department;
use crate::store::replies::{NewReply, ReplyRow};
use crate::store::{self, DbConnection};

/// The replying organ as the checker sees it: the department, its configured remedy
/// bodies, and the people's government above it.
pub fn organ_for(c: &mut DbConnection, dept: &Department) -> OpResult<Organ> {
    let parent_government_name = match dept.data.parent_id {
        Some(p) => store::departments::find(c, p)?
            .filter(|p| p.data.kind == DepartmentKind::Government)
            .map(|p| p.data.name),
        None => None,
    };
    Ok(Organ {
        name: dept.data.name.clone(),
        code: dept.data.code.clone(),
        kind: dept.data.kind,
        level: dept.data.level,
        reconsideration_organ: dept.data.reconsideration_organ.clone(),
        court: dept.data.court.clone(),
        parent_government_name,
        vertically_managed: None,
        seal_names: Vec::new(),
    })
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    /// A 文号, `"auto"` for the department's next number, or null.
    pub doc_number: Option<String>,
    pub issued_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub delivery_method: String,
    pub tracking_number: Option<String>,
    pub outcome: String,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    #[serde(default)]
    pub legal_basis: Vec<LegalCitation>,
    pub reasons: Option<String>,
    pub redirect_to: Option<Redirect>,
    pub remedy: Remedy,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub id: i64,
    pub case_id: i64,
    pub doc_number: Option<String>,
    pub auto_number: bool,
    pub issued_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub delivery_method: String,
    pub tracking_number: Option<String>,
    pub outcome: String,
    pub outcome_label: &'static str,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    pub legal_basis: serde_json::Value,
    pub reasons: Option<String>,
    pub redirect_to: serde_json::Value,
    pub remedy: serde_json::Value,
    pub text: Option<String>,
    /// The due date the reply was judged against.
    pub due_on: Option<NaiveDate>,
    pub findings: serde_json::Value,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

impl From<ReplyRow> for ReplyView {
    fn from(r: ReplyRow) -> Self {
        let json = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
        Self {
            id: r.id,
            case_id: r.case_id,
            doc_number: r.doc_number,
            auto_number: r.auto_number,
            issued_on: r.issued_on,
            dispatched_on: r.dispatched_on,
            delivery_method: r.delivery_method,
            tracking_number: r.tracking_number,
            outcome_label: Outcome::parse(&r.outcome).map_or("", Outcome::label),
            outcome: r.outcome,
            sealed: r.sealed,
            seal_organ: r.seal_organ,
            legal_basis: json(&r.legal_basis),
            reasons: r.reasons,
            redirect_to: r
                .redirect_to
                .as_deref()
                .map_or(serde_json::Value::Null, json),
            remedy: json(&r.remedy),
            text: r.body_text,
            due_on: r.judged_due_on,
            findings: json(&r.findings),
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}

fn parse_delivery(raw: &str) -> Option<DeliveryMethod> {
    match raw {
        "post" => Some(DeliveryMethod::Post),
        "email" => Some(DeliveryMethod::Email),
        "in_person" => Some(DeliveryMethod::InPerson),
        "online" => Some(DeliveryMethod::Online),
        _ => None,
    }
}

fn outcome_error() -> String {
    let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
    format!("取值应为：{}", all.join(" | "))
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// A reply's fields checked on their own, before the case is read.
pub(crate) struct Checked {
    outcome: Outcome,
    delivery: DeliveryMethod,
    tracking_number: Option<String>,
    text: Option<String>,
    wanted_number: Option<String>,
}

impl Checked {
    /// The number asked for: a 文号, `"auto"`, or none.
    pub(crate) fn wanted_number(&self) -> Option<&str> {
        self.wanted_number.as_deref()
    }

    pub(crate) fn outcome(&self) -> Outcome {
        self.outcome
    }
}

pub(crate) fn validate(input: &ReplyIn, today: NaiveDate) -> OpResult<Checked> {
    let mut e = FieldErrors::default();
    let outcome = Outcome::parse(input.outcome.trim());
    if outcome.is_none() {
        e.add("outcome", outcome_error());
    }
    let delivery = parse_delivery(input.delivery_method.trim());
    if delivery.is_none() {
        e.add(
            "delivery_method",
            "取值应为：post | email | in_person | online",
        );
    }
    if input.issued_on > today {
        e.add("issued_on", "成文日期不能晚于今天");
    }
    if let Some(d) = input.dispatched_on {
        if d < input.issued_on {
            e.add("dispatched_on", "发出日期不能早于成文日期");
        } else if d > today {
            e.add("dispatched_on", "发出日期不能晚于今天");
        }
    }
    let tracking_number = optional_text(
        &mut e,
        "tracking_number",
        input.tracking_number.as_deref(),
        64,
    );
    let text = optional_multiline(&mut e, "text", input.text.as_deref(), 100_000);
    let wanted_number = input
        .doc_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let (Some(outcome), Some(delivery), true) = (outcome, delivery, e.is_empty()) else {
        return Err(OpError::Invalid(e));
    };
    Ok(Checked {
        outcome,
        delivery,
        tracking_number,
        text,
        wanted_number,
    })
}

/// The reply document as the checker reads it.
fn reply_doc(
    input: &ReplyIn,
    outcome: Outcome,
    delivery: DeliveryMethod,
    doc_number: Option<String>,
) -> ReplyDoc {
    ReplyDoc {
        doc_number,
        issued_on: input.issued_on,
        dispatched_on: input.dispatched_on,
        delivery_method: Some(delivery),
        outcome,
        sealed: input.sealed,
        seal_organ: input.seal_organ.clone(),
        legal_basis: input.legal_basis.clone(),
        reasons: input.reasons.clone(),
        redirect_to: input.redirect_to.clone(),
        remedy: input.remedy.clone(),
    }
}

/// What the checker says of a reply as the clerk is filling it in, before it is recorded
/// (an "auto" number stands for the department's next number).
pub fn check_reply(ctx: &Ctx, actor: &Actor, id: i64, input: ReplyIn) -> OpResult<Vec<Finding>> {
    let Checked {
        outcome,
        delivery,
        wanted_number,
        ..
    } = validate(&input, ctx.today())?;
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, id, ctx.today())?;
        let doc_number = match wanted_number.as_deref() {
            Some("auto") => Some(next_number_in(c, &l.dept, input.issued_on, false)?.0),
            other => other.map(str::to_owned),
        };
        let d = &l.derivation;
        let facts = process_facts(l.row.received_on, &recorded(&d.events), &d.deadline);
        let organ = organ_for(c, &l.dept)?;
        let others = store::replies::doc_numbers_near(c, l.dept.id, doc_number.as_deref())?;
        let doc = reply_doc(&input, outcome, delivery, doc_number);
        Ok(compliance::check(&doc, &organ, &facts, &others))
    })
}

/// What the checker says of a reply not yet recorded, on the case as loaded (reviewers see
/// it; an "auto" number stands for the department's next number).
pub(crate) fn findings_now(
    c: &mut DbConnection,
    l: &super::cases::Loaded,
    input: &ReplyIn,
    checked: &Checked,
) -> OpResult<Vec<Finding>> {
    let doc_number = match checked.wanted_number() {
        Some("auto") => Some(next_number_in(c, &l.dept, input.issued_on, false)?.0),
        other => other.map(str::to_owned),
    };
    let d = &l.derivation;
    let facts = process_facts(l.row.received_on, &recorded(&d.events), &d.deadline);
    let organ = organ_for(c, &l.dept)?;
    let others = store::replies::doc_numbers_near(c, l.dept.id, doc_number.as_deref())?;
    let doc = reply_doc(input, checked.outcome, checked.delivery, doc_number);
    let mut findings = compliance::check(&doc, &organ, &facts, &others);
    findings.extend(compliance::deadline_findings(&d.deadline));
    Ok(findings)
}

/// The department's next automatic 文号 for a reply issued on `issued_on`, with its
/// sequence number: taken (`take`, inside the reply's transaction) or only looked at.
fn next_number_in(
    c: &mut DbConnection,
    dept: &Department,
    issued_on: NaiveDate,
    take: bool,
) -> OpResult<(String, i32)> {
    let year = issued_on.year();
    let seq = if take {
        store::replies::take_seq(c, dept.id, &dept.data.code, year)?
    } else {
        store::replies::peek_seq(c, dept.id, &dept.data.code, year)?
    };
    Ok((auto_number(dept, year, seq), seq))
}

/// The automatic 文号 with sequence `seq` of a department's code and year.
fn auto_number(dept: &Department, year: i32, seq: i32) -> String {
    DocNumber::format(&dept.data.code, year, u32::try_from(seq).unwrap_or(1))
}

/// A reply's 文号 as it will be stored: the text, its parsed parts (code, year, sequence)
/// for numbering and duplicate checks, and whether it was given automatically.
pub(crate) struct Numbered {
    pub doc_number: Option<String>,
    pub doc_parts: Option<(String, i32, i32)>,
    pub auto: bool,
}

impl Numbered {
    /// The department's automatic number `seq` of the year the reply is issued in.
    pub(crate) fn auto(dept: &Department, issued_on: NaiveDate, seq: i32) -> Numbered {
        let year = issued_on.year();
        Numbered {
            doc_number: Some(auto_number(dept, year, seq)),
            doc_parts: Some((dept.data.code.clone(), year, seq)),
            auto: true,
        }
    }

    /// A number typed in (parsed when it is a 文号), or none.
    fn typed(number: Option<&str>) -> Numbered {
        Numbered {
            doc_parts: number.and_then(|n| {
                let d = DocNumber::parse(n).ok()?;
                Some((d.code, d.year, i32::try_from(d.seq).ok()?))
            }),
            doc_number: number.map(str::to_owned),
            auto: false,
        }
    }
}

/// The number "auto" would take now for a reply of the case (a suggestion: another reply
/// may take it first).
pub fn next_number(ctx: &Ctx, actor: &Actor, id: i64, issued_on: NaiveDate) -> OpResult<String> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let row = super::cases::visible_case(c, &scope, id)?;
        let dept =
            store::departments::find(c, row.department_id)?.ok_or(OpError::NotFound("机关"))?;
        next_number_in(c, &dept, issued_on, false).map(|(n, _)| n)
    })
}

/// Records the reply to a case (答复, its issue): only the content the last review level
/// approved (`reviews`); checks it, stores it with its findings (never blocking), numbers
/// it if asked (the 文号 is taken here, at issue), stops the clock on the day it went out, and mails a
/// copy to an applicant who chose e-mail. Returns the reply and the case's new version.
pub fn record_reply(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: ReplyIn,
) -> OpResult<(ReplyView, i32)> {
    require(actor, CASE_WRITERS)?;
    let checked = validate(&input, ctx.today())?;
    ctx.write_retry(|c| {
        let changed = change_case(c, ctx, actor, id, expected, false, |c, before| {
            let (row, dept, d) = (&before.row, &before.dept, &before.derivation);
            admissible(row, d, &input)?;
            // Only what the last review level approved, as approved, is issued.
            let review = super::reviews::approved_for(c, row.id, &input)?;
            let numbered = match checked.wanted_number() {
                Some("auto") => {
                    let (_, seq) = next_number_in(c, dept, input.issued_on, true)?;
                    Numbered::auto(dept, input.issued_on, seq)
                }
                typed => Numbered::typed(typed),
            };
            let organ = organ_for(c, dept)?;
            let others =
                store::replies::doc_numbers_near(c, dept.id, numbered.doc_number.as_deref())?;
            let (new, findings) = compose(
                &input,
                &checked,
                (row, dept, d),
                &organ,
                numbered,
                &others,
                actor.user_id,
            );
            let saved = store::replies::insert(c, &new).map_err(super::error::on_insert)?;
            super::reviews::mark_issued(c, &review, saved.id, actor.user_id, ctx.today())?;
            let mut change = reply_change(saved, &findings, checked.outcome);
            super::reviews::note_issue(&mut change.audit, review.id, review.revision);
            Ok(change)
        })?;
        Ok((changed.value, changed.row.version))
    })
}

/// Whether the case can take a reply of these dates now: not while it is answered or
/// closed, and not dated before what it answers.
pub(crate) fn admissible(row: &CaseRow, d: &Derivation, input: &ReplyIn) -> OpResult<()> {
    if d.state.closed.is_some() || d.state.replied_on.is_some() {
        return Err(OpError::conflict(
            "case_closed",
            "案件已答复或已终结；如需再次答复，请先登记 reopened",
        ));
    }
    let dating = ReplyDating {
        submitted_on: row.submitted_on,
        received_on: d.state.receipt,
        last_event_on: d.state.last_event_on,
    };
    check_reply_dates(&dating, input.issued_on, input.dispatched_on)
        .map_err(|(field, message)| OpError::field(field, message))
}

/// The reply to store and what the checker finds in it, on the case as it stands
/// (`others`: the department's numbers that could be the same 文号).
pub(crate) fn compose(
    input: &ReplyIn,
    checked: &Checked,
    (row, dept, d): (&CaseRow, &Department, &Derivation),
    organ: &Organ,
    numbered: Numbered,
    others: &[String],
    recorded_by: i64,
) -> (NewReply, Vec<Finding>) {
    let facts = process_facts(row.received_on, &recorded(&d.events), &d.deadline);
    let reply = reply_doc(
        input,
        checked.outcome,
        checked.delivery,
        numbered.doc_number.clone(),
    );
    // A draft's blank number line gets the number assigned now (only at issue).
    let body_text = match (&checked.text, &numbered.doc_number) {
        (Some(t), Some(n)) if numbered.auto => Some(
            fill_doc_number(t, &dept.data.code, input.issued_on.year(), n)
                .unwrap_or_else(|| t.clone()),
        ),
        _ => checked.text.clone(),
    };
    let mut findings = compliance::check(&reply, organ, &facts, others);
    findings.extend(compliance::deadline_findings(&d.deadline));
    let new = NewReply {
        case_id: row.id,
        department_id: dept.id,
        doc_number: numbered.doc_number,
        doc_parts: numbered.doc_parts,
        auto_number: numbered.auto,
        issued_on: input.issued_on,
        dispatched_on: input.dispatched_on,
        delivery_method: input.delivery_method.trim().to_owned(),
        tracking_number: checked.tracking_number.clone(),
        outcome: checked.outcome.as_str().to_owned(),
        sealed: input.sealed,
        seal_organ: input.seal_organ.clone(),
        legal_basis: to_json(&input.legal_basis),
        reasons: input.reasons.clone(),
        redirect_to: input.redirect_to.as_ref().map(to_json),
        remedy: to_json(&input.remedy),
        body_text,
        findings: to_json(&findings),
        judged_due_on: facts.due_on,
        recorded_by,
    };
    (new, findings)
}

/// What a stored reply does to its case: the `replied` event on the day it went out (it
/// stops the clock, Art. 33; 民事诉讼法 Art. 85), the audit record, and the copy mailed to
/// an applicant who chose e-mail.
pub(crate) fn reply_change(
    saved: ReplyRow,
    findings: &[Finding],
    outcome: Outcome,
) -> Change<ReplyView> {
    let went_out = saved.dispatched_on.unwrap_or(saved.issued_on);
    let audit = serde_json::json!({
        "reply_id": saved.id, "doc_number": saved.doc_number, "outcome": saved.outcome,
        "issued_on": saved.issued_on, "dispatched_on": saved.dispatched_on,
        "findings": findings.iter().map(|f| f.code).collect::<Vec<_>>(),
    });
    let mail = (
        "reply",
        went_out,
        vec![
            (
                "doc_number",
                saved
                    .doc_number
                    .clone()
                    .unwrap_or_else(|| "（无文号）".to_owned()),
            ),
            ("issued_on", saved.issued_on.to_string()),
            ("outcome", outcome.label().to_owned()),
        ],
    );
    Change {
        event: Some(CaseEvent::Replied { date: went_out }),
        action: "reply_recorded".to_owned(),
        audit: Some(audit),
        mail: Some(mail),
        value: ReplyView::from(saved),
    }
}

/// A draft reply as the clerk gets it: text, HTML, the reply record it amounts to, what
/// is still to fill, and what the checker says of it as it stands.
#[derive(Debug, Serialize)]
pub struct DraftView {
    pub outcome: &'static str,
    pub text: String,
    pub html: String,
    pub reply: ReplyDoc,
    pub placeholders: Vec<String>,
    /// What the checker says of the draft as it stands: only what a clerk must still fill.
    pub findings: Vec<Finding>,
}

/// Drafts a compliant reply of the chosen outcome from the case and its department.
pub fn draft_reply(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    outcome: &str,
    issued_on: Option<NaiveDate>,
    reasons: Option<String>,
) -> OpResult<DraftView> {
    let outcome =
        Outcome::parse(outcome.trim()).ok_or_else(|| OpError::field("outcome", outcome_error()))?;
    let issued_on = issued_on.unwrap_or_else(|| ctx.today());
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, id, issued_on)?;
        let received_on = l.derivation.state.receipt.ok_or_else(|| {
            OpError::conflict("receipt_unconfirmed", "尚未确认收到申请之日，无法起草答复")
        })?;
        let organ = organ_for(c, &l.dept)?;
        let made = draft(DraftInput {
            organ: organ.clone(),
            applicant: l.row.applicant_name.clone(),
            received_on,
            items: store::cases::items(c, id)?,
            outcome,
            reasons,
            redirect_to: None,
            access: None,
            issued_on,
            doc_number: None,
            title: Default::default(),
        });
        let facts = process_facts(
            l.row.received_on,
            &recorded(&l.derivation.events),
            &l.derivation.deadline,
        );
        let others =
            store::replies::doc_numbers_near(c, l.dept.id, made.reply.doc_number.as_deref())?;
        let mut findings = compliance::check(&made.reply, &organ, &facts, &others);
        findings.extend(compliance::deadline_findings(&l.derivation.deadline));
        let html = crate::report::draft_html::render(&made.blocks)
            .map_err(|e| OpError::Internal(e.to_string()))?;
        Ok(DraftView {
            outcome: outcome.as_str(),
            text: made.text,
            html,
            reply: made.reply,
            placeholders: made.placeholders,
            findings,
        })
    })
}

//! Reply documents: recording a reply (which stops the case's clock) with the checker's
//! findings, and a compliant draft generated from the case and its department.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx_retry, etag, if_match};
use super::to_json;
use crate::auth::Role;
use crate::domain::case::{CaseEvent, clock_inputs};
use crate::domain::compliance::{
    self, DeliveryMethod, Extension, Finding, LegalCitation, Organ, ProcessFacts, Redirect, Remedy,
    ReplyDoc,
};
use crate::domain::deadline::{ClockEvent, Deadline};
use crate::domain::doc_number::DocNumber;
use crate::domain::draft::{DraftInput, draft};
use crate::domain::org::DepartmentKind;
use crate::domain::outcome::Outcome;
use crate::domain::validation::{FieldErrors, optional_text};
use crate::store::departments::Department;
use crate::store::replies::{NewReply, ReplyRow};
use crate::store::{self, DbConnection};

/// The replying organ as the checker sees it: the department, its configured remedy
/// bodies, and the people's government above it.
pub fn organ_for(c: &mut DbConnection, dept: &Department) -> Result<Organ, ApiError> {
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

/// The process facts of the current answer period, from the events and the deadline.
pub fn process_facts(
    received_on: Option<NaiveDate>,
    events: &[crate::domain::case::Recorded],
    d: &Deadline,
) -> ProcessFacts {
    let (_, clock) = clock_inputs(received_on, events);
    let correction_requests = clock
        .iter()
        .filter_map(|e| match e {
            ClockEvent::CorrectionRequested { date, .. } => Some(*date),
            _ => None,
        })
        .collect();
    let extension = clock.iter().find_map(|e| match e {
        ClockEvent::ExtensionGranted {
            notified_on,
            working_days,
            approved,
            ..
        } => Some(Extension {
            notified_on: *notified_on,
            working_days: *working_days,
            approved: *approved,
            due_before_extension: d.base_due_on.unwrap_or(*notified_on),
        }),
        _ => None,
    });
    ProcessFacts {
        received_on: d.received_on,
        due_on: d.due_on.or(d.due_on_when_stopped),
        correction_requests,
        correction_notice_due_on: d.correction_notice_due_on,
        extension,
        receipt_unconfirmed: d.received_on.is_none(),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    /// A 文号, `"auto"` for the department's next number, or null.
    doc_number: Option<String>,
    issued_on: NaiveDate,
    dispatched_on: Option<NaiveDate>,
    delivery_method: String,
    tracking_number: Option<String>,
    outcome: String,
    sealed: bool,
    seal_organ: Option<String>,
    #[serde(default)]
    legal_basis: Vec<LegalCitation>,
    reasons: Option<String>,
    redirect_to: Option<Redirect>,
    remedy: Remedy,
    text: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ReplyOut {
    id: i64,
    case_id: i64,
    doc_number: Option<String>,
    auto_number: bool,
    issued_on: NaiveDate,
    dispatched_on: Option<NaiveDate>,
    delivery_method: String,
    tracking_number: Option<String>,
    outcome: String,
    outcome_label: &'static str,
    sealed: bool,
    seal_organ: Option<String>,
    legal_basis: serde_json::Value,
    reasons: Option<String>,
    redirect_to: serde_json::Value,
    remedy: serde_json::Value,
    text: Option<String>,
    /// The due date the reply was judged against.
    due_on: Option<NaiveDate>,
    findings: serde_json::Value,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

impl From<ReplyRow> for ReplyOut {
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

pub async fn post_reply(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<ReplyIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let today = state.today();
    let mut e = FieldErrors::default();
    let outcome = Outcome::parse(input.outcome.trim());
    if outcome.is_none() {
        let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        e.add("outcome", format!("取值应为：{}", all.join(" | ")));
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
    let text = optional_text(&mut e, "text", input.text.as_deref(), 100_000);
    let wanted_number = input
        .doc_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let (Some(outcome), Some(delivery), true) = (outcome, delivery, e.is_empty()) else {
        return Err(ApiError::validation(e));
    };
    let st = state.clone();
    let (out, version) = db_tx_retry(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        let calendars = st.calendars.current(c)?;
        let row = store::cases::find(c, id)?
            .filter(|r| scope.allows(r.department_id))
            .ok_or_else(|| ApiError::not_found("案件"))?;
        if row.version != expected {
            return Err(ApiError::precondition_failed());
        }
        let dept = store::departments::find(c, row.department_id)?
            .ok_or_else(|| ApiError::not_found("机关"))?;
        let events = crate::cases::load_events(c, id)?;
        let before = crate::cases::derive(
            &calendars,
            &dept.data.region,
            row.received_on,
            events,
            today,
        )?;
        if before.state.closed.is_some() || before.state.replied_on.is_some() {
            return Err(ApiError::conflict(
                "case_closed",
                "案件已答复或已终结；如需再次答复，请先登记 reopened",
            ));
        }
        if input.issued_on < row.submitted_on {
            return Err(ApiError::field("issued_on", "成文日期不能早于申请提交日期"));
        }
        if let Some(r) = before.state.receipt
            && input.issued_on < r
        {
            return Err(ApiError::field(
                "issued_on",
                format!("成文日期不能早于收到申请之日（{r}）"),
            ));
        }
        // The reply is the case's latest event: it may not predate what it answers.
        let reply_date = input.dispatched_on.unwrap_or(input.issued_on);
        if let Some(last) = before.state.last_event_on
            && reply_date < last
        {
            let field = if input.dispatched_on.is_some() {
                "dispatched_on"
            } else {
                "issued_on"
            };
            return Err(ApiError::field(
                field,
                format!("答复日期不能早于已登记的最近一个事件（{last}）"),
            ));
        }
        let recorded = crate::cases::recorded(&before.events);
        let facts = process_facts(row.received_on, &recorded, &before.deadline);
        let (doc_number, doc_parts, auto_number) = match wanted_number.as_deref() {
            Some("auto") => {
                let year = input.issued_on.year();
                let seq = store::replies::next_seq(c, dept.id, &dept.data.code, year)?;
                let number =
                    DocNumber::format(&dept.data.code, year, u32::try_from(seq).unwrap_or(1));
                (
                    Some(number),
                    Some((dept.data.code.clone(), year, seq)),
                    true,
                )
            }
            Some(n) => {
                let parts = DocNumber::parse(n)
                    .ok()
                    .and_then(|d| Some((d.code, d.year, i32::try_from(d.seq).ok()?)));
                (Some(n.to_owned()), parts, false)
            }
            None => (None, None, false),
        };
        let reply = ReplyDoc {
            doc_number: doc_number.clone(),
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
        };
        let organ = organ_for(c, &dept)?;
        let others = store::replies::doc_numbers(c, dept.id)?;
        let findings = compliance::check(&reply, &organ, &facts, &others);
        let new = NewReply {
            case_id: id,
            department_id: dept.id,
            doc_number,
            doc_parts,
            auto_number,
            issued_on: input.issued_on,
            dispatched_on: input.dispatched_on,
            delivery_method: input.delivery_method.trim().to_owned(),
            tracking_number: tracking_number.clone(),
            outcome: outcome.as_str().to_owned(),
            sealed: input.sealed,
            seal_organ: input.seal_organ.clone(),
            legal_basis: to_json(&input.legal_basis),
            reasons: input.reasons.clone(),
            redirect_to: input.redirect_to.as_ref().map(to_json),
            remedy: to_json(&input.remedy),
            body_text: text.clone(),
            findings: to_json(&findings),
            judged_due_on: facts.due_on,
            recorded_by: auth.0.user_id,
        };
        let saved = store::replies::insert(c, &new).map_err(|err| {
            if store::is_retryable(&err) {
                ApiError::write_conflict()
            } else {
                err.into()
            }
        })?;
        // The reply stops the clock on the day it went out (Art. 33; 民事诉讼法 Art. 85).
        let replied = CaseEvent::Replied {
            date: input.dispatched_on.unwrap_or(input.issued_on),
        };
        let payload = serde_json::to_string(&replied).map_err(ApiError::internal)?;
        store::cases::insert_event(
            c,
            id,
            replied.kind(),
            replied.date(),
            &payload,
            auth.0.user_id,
        )?;
        let after = crate::cases::derive(
            &calendars,
            &dept.data.region,
            row.received_on,
            crate::cases::load_events(c, id)?,
            today,
        )?;
        if !store::cases::update_derived(c, id, expected, &after.derived, after.state.receipt)? {
            return Err(ApiError::precondition_failed());
        }
        let summary = serde_json::json!({
            "reply_id": saved.id, "doc_number": saved.doc_number, "outcome": saved.outcome,
            "issued_on": saved.issued_on, "dispatched_on": saved.dispatched_on,
            "findings": findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        });
        crate::cases::audit_change(
            c,
            &row,
            &before.derived,
            &after.derived,
            auth.0.user_id,
            "reply_recorded",
            Some(summary),
        )?;
        // A copy for applicants who chose e-mail delivery, in the same transaction.
        let now_row = store::cases::find(c, id)?.ok_or_else(|| ApiError::not_found("案件"))?;
        let ctx = crate::mail::CaseMail::for_case(&now_row, &dept, &st.settings.public_url);
        let notice = ctx
            .notice(
                "reply",
                saved.dispatched_on.unwrap_or(saved.issued_on),
                &[
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
            )
            .map_err(ApiError::internal)?;
        if let Some(m) = notice {
            store::outbox::enqueue(c, &m)?;
        }
        Ok((ReplyOut::from(saved), expected + 1))
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(version))
        .json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftQuery {
    outcome: String,
    issued_on: Option<NaiveDate>,
    reasons: Option<String>,
}

#[derive(Serialize)]
struct DraftOut {
    outcome: &'static str,
    text: String,
    html: String,
    reply: ReplyDoc,
    placeholders: Vec<String>,
    /// What the checker says of the draft as it stands: only what a clerk must still fill.
    findings: Vec<Finding>,
}

pub async fn reply_draft(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    q: web::Query<DraftQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let q = q.into_inner();
    let outcome = Outcome::parse(q.outcome.trim()).ok_or_else(|| {
        let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        ApiError::field("outcome", format!("取值应为：{}", all.join(" | ")))
    })?;
    let issued_on = q.issued_on.unwrap_or_else(|| state.today());
    let st = state.clone();
    let out = db(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        let calendars = st.calendars.current(c)?;
        let row = store::cases::find(c, id)?
            .filter(|r| scope.allows(r.department_id))
            .ok_or_else(|| ApiError::not_found("案件"))?;
        let dept = store::departments::find(c, row.department_id)?
            .ok_or_else(|| ApiError::not_found("机关"))?;
        let events = crate::cases::load_events(c, id)?;
        let d = crate::cases::derive(
            &calendars,
            &dept.data.region,
            row.received_on,
            events,
            issued_on,
        )?;
        let received_on = d.state.receipt.ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "receipt_unconfirmed",
                "尚未确认收到申请之日，无法起草答复",
            )
        })?;
        let organ = organ_for(c, &dept)?;
        let made = draft(DraftInput {
            organ: organ.clone(),
            applicant: row.applicant_name.clone(),
            received_on,
            items: store::cases::items(c, id)?,
            outcome,
            reasons: q.reasons.clone(),
            redirect_to: None,
            access: None,
            issued_on,
            doc_number: None,
            title: Default::default(),
        });
        let recorded = crate::cases::recorded(&d.events);
        let facts = process_facts(row.received_on, &recorded, &d.deadline);
        let others = store::replies::doc_numbers(c, dept.id)?;
        let findings = compliance::check(&made.reply, &organ, &facts, &others);
        Ok(DraftOut {
            outcome: outcome.as_str(),
            text: made.text,
            html: made.html,
            reply: made.reply,
            placeholders: made.placeholders,
            findings,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

//! Cases: intake (one, or a batch all-or-nothing, idempotent by key), typed events, the
//! derived state and clock, lists with filters and keyset pagination, and the audit trail.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx, db_tx_retry, etag, if_match};
use crate::auth::{Actor, Role, Scope};
use crate::cases::{
    Derivation, audit_change, department_region, derive, parse_events, queue_mails, recorded,
    refresh_paused, snapshot,
};
use crate::domain::calendar::CalendarSet;
use crate::domain::case::{
    ApplicantType, CaseEvent, Channel, DeliveryPreference, REPEAT_SIMILARITY, Status,
    item_similarity,
};
use crate::domain::deadline::Deadline;
use crate::domain::validation::{FieldErrors, optional_email, optional_text, required_text};
use crate::store::cases::{CaseRow, Cursor, ListFilter, NewCase, SortKey};
use crate::store::{self, DbConnection};

/// Working days ahead that count as "due soon" in case views.
const DUE_SOON_DAYS: i64 = 5;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicantIn {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    id_number: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseIn {
    department_id: i64,
    applicant: ApplicantIn,
    channel: String,
    submitted_on: NaiveDate,
    received_on: Option<NaiveDate>,
    tracking_number: Option<String>,
    items: Vec<ItemIn>,
    purpose: Option<String>,
    delivery_preference: Option<String>,
}

/// Parses intake input; `p` prefixes field names (`cases[2].` in a batch).
fn parse_case(input: CaseIn, today: NaiveDate, p: &str) -> Result<NewCase, FieldErrors> {
    let mut e = FieldErrors::default();
    let f = |name: &str| format!("{p}{name}");
    let kind = ApplicantType::parse(input.applicant.kind.trim());
    if kind.is_none() {
        e.add(f("applicant.type"), "取值应为：natural_person | commercial | research | public_interest | legal_service | other_org");
    }
    let name = required_text(&mut e, &f("applicant.name"), &input.applicant.name, 100);
    let id_number = optional_text(
        &mut e,
        &f("applicant.id_number"),
        input.applicant.id_number.as_deref(),
        40,
    );
    let phone = optional_text(
        &mut e,
        &f("applicant.phone"),
        input.applicant.phone.as_deref(),
        50,
    );
    let email = optional_email(
        &mut e,
        &f("applicant.email"),
        input.applicant.email.as_deref(),
    );
    let address = optional_text(
        &mut e,
        &f("applicant.address"),
        input.applicant.address.as_deref(),
        200,
    );
    let channel = Channel::parse(input.channel.trim());
    if channel.is_none() {
        e.add(
            f("channel"),
            "取值应为：in_person | registered_mail | ordinary_mail | online | fax | email",
        );
    }
    if input.submitted_on > today {
        e.add(f("submitted_on"), "提交日期不能晚于今天");
    }
    let mut received_on = input.received_on;
    if let Some(r) = received_on {
        if r < input.submitted_on {
            e.add(f("received_on"), "收到申请之日不能早于提交日期");
        } else if r > today {
            e.add(f("received_on"), "收到申请之日不能晚于今天");
        }
    }
    if channel.is_some_and(Channel::receipt_is_submission) {
        match received_on {
            Some(r) if r != input.submitted_on => {
                e.add(
                    f("received_on"),
                    "当面提交的，以提交之日为收到申请之日（第三十一条）",
                );
            }
            _ => received_on = Some(input.submitted_on),
        }
    }
    let tracking_number = optional_text(
        &mut e,
        &f("tracking_number"),
        input.tracking_number.as_deref(),
        64,
    );
    if input.items.is_empty() {
        e.add(f("items"), "至少填写一项申请公开的政府信息");
    }
    if input.items.len() > 200 {
        e.add(f("items"), "一件申请最多200项");
    }
    let items: Vec<String> = input
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| {
            required_text(
                &mut e,
                &f(&format!("items[{i}].description")),
                &it.description,
                2000,
            )
        })
        .collect();
    let purpose = optional_text(&mut e, &f("purpose"), input.purpose.as_deref(), 1000);
    let delivery = input
        .delivery_preference
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if delivery.is_some_and(|d| DeliveryPreference::parse(d).is_none()) {
        e.add(
            f("delivery_preference"),
            "取值应为：post | email | in_person | online",
        );
    }
    match (kind, name, channel, e.is_empty()) {
        (Some(kind), Some(name), Some(channel), true) => Ok(NewCase {
            department_id: input.department_id,
            applicant_type: kind.as_str().to_owned(),
            applicant_name: name,
            applicant_id_number: id_number,
            applicant_phone: phone,
            applicant_email: email,
            applicant_address: address,
            channel: channel.as_str().to_owned(),
            submitted_on: input.submitted_on,
            received_on,
            tracking_number,
            purpose,
            delivery_preference: delivery.map(str::to_owned),
            items,
        }),
        _ => Err(e),
    }
}

#[derive(Serialize)]
struct ApplicantOut {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    id_number: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

#[derive(Serialize)]
struct Flags {
    receipt_unconfirmed: bool,
    due_soon: bool,
    overdue: bool,
    provisional: bool,
    /// A reconsideration or lawsuit about the case was decided `corrected` (结果纠正): the
    /// clerk should act on it (nothing is reopened automatically).
    remedy_corrected: bool,
}

#[derive(Serialize)]
struct EventOut {
    id: i64,
    #[serde(flatten)]
    event: CaseEvent,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

#[derive(Serialize, Clone)]
pub struct Repeat {
    case_id: i64,
    case_number: String,
    received_on: Option<NaiveDate>,
    similarity: f64,
}

#[derive(Serialize)]
pub struct CaseOut {
    id: i64,
    case_number: String,
    department_id: i64,
    status: String,
    closed_reason: Option<&'static str>,
    applicant: ApplicantOut,
    channel: String,
    receipt_rule: &'static str,
    submitted_on: NaiveDate,
    received_on: Option<NaiveDate>,
    tracking_number: Option<String>,
    items: Vec<String>,
    purpose: Option<String>,
    delivery_preference: Option<String>,
    assignee_id: Option<i64>,
    due_on: Option<NaiveDate>,
    flags: Flags,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<Deadline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<EventOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    possible_repeats: Option<Vec<Repeat>>,
    /// The newest recorded reply, with the findings made when it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<super::replies::ReplyOut>,
    /// For an open case: the process findings as of the view's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<Vec<crate::domain::compliance::Finding>>,
    /// Reconsiderations and lawsuits about the case (single-case view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    remedies: Option<Vec<super::remedies::RemedyOut>>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn applicant_out(row: &CaseRow) -> ApplicantOut {
    ApplicantOut {
        kind: row.applicant_type.clone(),
        name: row.applicant_name.clone(),
        id_number: row.applicant_id_number.clone(),
        phone: row.applicant_phone.clone(),
        email: row.applicant_email.clone(),
        address: row.applicant_address.clone(),
    }
}

fn receipt_rule(channel: &str) -> &'static str {
    Channel::parse(channel).map_or("", Channel::receipt_rule)
}

/// The full view of one case (with events and the deadline explanation).
fn full_view(row: CaseRow, items: Vec<String>, d: Derivation) -> CaseOut {
    let status = Status::parse(&d.derived.status).unwrap_or(Status::Received);
    let findings = status.is_open().then(|| {
        let facts =
            super::replies::process_facts(row.received_on, &recorded(&d.events), &d.deadline);
        crate::domain::compliance::check_process(&facts, d.deadline.as_of)
    });
    let running = matches!(status, Status::Received | Status::InProgress);
    let remaining = d.deadline.working_days_remaining;
    let flags = Flags {
        receipt_unconfirmed: d.state.receipt.is_none(),
        overdue: running && d.deadline.overdue,
        due_soon: running
            && !d.deadline.overdue
            && remaining.is_some_and(|r| (0..=DUE_SOON_DAYS).contains(&r)),
        provisional: d.deadline.provisional,
        remedy_corrected: false,
    };
    CaseOut {
        id: row.id,
        case_number: row.case_number.clone(),
        department_id: row.department_id,
        status: d.derived.status.clone(),
        closed_reason: d.state.closed.map(|(r, _)| r.as_str()),
        applicant: applicant_out(&row),
        receipt_rule: receipt_rule(&row.channel),
        channel: row.channel,
        submitted_on: row.submitted_on,
        received_on: d.state.receipt,
        tracking_number: row.tracking_number,
        items,
        purpose: row.purpose,
        delivery_preference: row.delivery_preference,
        assignee_id: d.derived.assignee_id,
        due_on: d.derived.due_on,
        flags,
        events: Some(
            d.events
                .into_iter()
                .map(|(r, event)| EventOut {
                    id: r.id,
                    event,
                    recorded_by: r.recorded_by,
                    recorded_at: r.recorded_at,
                })
                .collect(),
        ),
        findings,
        reply: None,
        remedies: None,
        deadline: Some(d.deadline),
        possible_repeats: None,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Loads and derives one case the caller may see.
fn load_view(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    scope: &Scope,
    id: i64,
    as_of: NaiveDate,
) -> Result<CaseOut, ApiError> {
    let row = visible_case(c, scope, id)?;
    let items = store::cases::items(c, id)?;
    let region = department_region(c, row.department_id)?;
    let events = parse_events(store::cases::events(c, id)?)?;
    let d = derive(calendars, &region, row.received_on, events, as_of)?;
    let reply = store::replies::latest_for_case(c, id)?.map(super::replies::ReplyOut::from);
    let remedies = super::remedies::for_case(c, id)?;
    let mut view = full_view(row, items, d);
    view.reply = reply;
    view.flags.remedy_corrected = remedies
        .iter()
        .any(super::remedies::RemedyOut::is_corrected);
    view.remedies = Some(remedies);
    Ok(view)
}

fn visible_case(c: &mut DbConnection, scope: &Scope, id: i64) -> Result<CaseRow, ApiError> {
    store::cases::find(c, id)?
        .filter(|r| scope.allows(r.department_id))
        .ok_or_else(|| ApiError::not_found("案件"))
}

fn writer_scope(auth: &Auth, c: &mut DbConnection) -> Result<Scope, ApiError> {
    auth.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    auth.scope(c)
}

/// Creates one case inside the caller's transaction; returns its view with possible repeats.
fn create_one(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    scope: &Scope,
    actor: &Actor,
    new: &NewCase,
    today: NaiveDate,
    public_url: &str,
) -> Result<CaseOut, ApiError> {
    if !scope.allows(new.department_id) {
        return Err(ApiError::not_found("机关"));
    }
    let region = department_region(c, new.department_id)?;
    let d = derive(calendars, &region, new.received_on, Vec::new(), today)?;
    let row =
        store::cases::insert(c, new, today.year(), &d.derived, actor.user_id).map_err(|e| {
            if store::is_retryable(&e) {
                ApiError::write_conflict()
            } else {
                e.into()
            }
        })?;
    store::trail::append(
        c,
        row.id,
        actor.user_id,
        "case_created",
        None,
        &snapshot(&row, &d.derived, None),
    )?;
    queue_mails(c, row.id, public_url, None)?;
    let since = new.received_on.unwrap_or(new.submitted_on) - chrono::Duration::days(365);
    let repeats = store::cases::prior_of_applicant(
        c,
        new.department_id,
        &new.applicant_name,
        since,
        Some(row.id),
    )?
    .into_iter()
    .filter(
        |(prior, _)| match (&prior.applicant_id_number, &new.applicant_id_number) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        },
    )
    .filter_map(|(prior, items)| {
        let similarity = item_similarity(&items, &new.items);
        (similarity >= REPEAT_SIMILARITY).then(|| Repeat {
            case_id: prior.id,
            case_number: prior.case_number,
            received_on: prior.received_on,
            similarity: (similarity * 100.0).round() / 100.0,
        })
    })
    .collect();
    let mut view = full_view(row, new.items.clone(), d);
    view.possible_repeats = Some(repeats);
    Ok(view)
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().map(str::trim).unwrap_or_default();
            if key.is_empty() || key.len() > 200 {
                return Err(ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key 应为1至200个字符",
                ));
            }
            Ok(Some(key.to_owned()))
        }
    }
}

fn request_hash(body: &impl Serialize) -> String {
    store::trail::sha256_hex(serde_json::to_string(body).unwrap_or_default().as_bytes())
}

/// Runs a creating transaction with the idempotency protocol and retries on a write
/// conflict (two intakes taking the same case number at once).
async fn idempotent_create<F>(
    state: &State,
    actor: Actor,
    key: Option<String>,
    hash: String,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: Fn(
            &mut DbConnection,
            &CalendarSet,
            &Scope,
            &Actor,
            NaiveDate,
        ) -> Result<(serde_json::Value, Option<i32>), ApiError>
        + Send
        + Sync
        + 'static,
{
    let st = state.clone();
    let (body, version, replayed) = db_tx_retry(&state.pool, move |c| {
        if let Some(k) = &key
            && let Some(stored) = store::idempotency::find(c, actor.user_id, k)?
        {
            if stored.request_hash != hash {
                return Err(ApiError::unprocessable(
                    "idempotency_key_reused",
                    "该 Idempotency-Key 已用于内容不同的请求",
                ));
            }
            let body: serde_json::Value =
                serde_json::from_str(&stored.response).map_err(ApiError::internal)?;
            return Ok((body, None, true));
        }
        let calendars = st.calendars.current(c)?;
        let tree = store::departments::tree(c)?;
        let scope = Scope::of(&actor, &tree);
        let (body, version) = create(c, &calendars, &scope, &actor, st.today())?;
        if let Some(k) = &key {
            store::idempotency::insert(c, actor.user_id, k, &hash, 201, &body.to_string())
                .map_err(|e| {
                    if store::is_retryable(&e) {
                        ApiError::write_conflict()
                    } else {
                        e.into()
                    }
                })?;
        }
        Ok((body, version, false))
    })
    .await?;
    let mut resp = HttpResponse::Created();
    if let Some(v) = version {
        resp.insert_header(etag(v));
    }
    if replayed {
        resp.insert_header(("Idempotent-Replayed", HeaderValue::from_static("true")));
    }
    Ok(resp.json(body))
}

pub async fn create_case(
    state: State,
    auth: Auth,
    req: HttpRequest,
    body: web::Json<CaseIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    let key = idempotency_key(&req)?;
    let input = body.into_inner();
    let hash = request_hash(&input);
    let new = parse_case(input, state.today(), "")?;
    let public_url = state.settings.public_url.clone();
    idempotent_create(
        &state,
        auth.0,
        key,
        hash,
        move |c, cal, scope, actor, today| {
            let view = create_one(c, cal, scope, actor, &new, today, &public_url)?;
            let version = view.version;
            Ok((
                serde_json::to_value(&view).map_err(ApiError::internal)?,
                Some(version),
            ))
        },
    )
    .await
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BatchIn {
    cases: Vec<CaseIn>,
}

pub async fn create_batch(
    state: State,
    auth: Auth,
    req: HttpRequest,
    body: web::Json<BatchIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    let key = idempotency_key(&req)?;
    let input = body.into_inner();
    let hash = request_hash(&input);
    if input.cases.is_empty() || input.cases.len() > 500 {
        return Err(ApiError::field("cases", "一次登记1至500件"));
    }
    let today = state.today();
    let mut all = FieldErrors::default();
    let mut parsed = Vec::new();
    for (i, case) in input.cases.into_iter().enumerate() {
        match parse_case(case, today, &format!("cases[{i}].")) {
            Ok(n) => parsed.push(n),
            Err(e) => all.0.extend(e.0),
        }
    }
    let parsed = all.finish(parsed)?;
    let public_url = state.settings.public_url.clone();
    idempotent_create(
        &state,
        auth.0,
        key,
        hash,
        move |c, cal, scope, actor, today| {
            let mut items = Vec::with_capacity(parsed.len());
            for new in &parsed {
                items.push(create_one(c, cal, scope, actor, new, today, &public_url)?);
            }
            Ok((serde_json::json!({ "items": items }), None))
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    as_of: Option<NaiveDate>,
}

pub async fn get_case(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    q: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let st = state.clone();
    let view = db(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        let calendars = st.calendars.current(c)?;
        load_view(c, &calendars, &scope, id, as_of)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

pub async fn case_history(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let items = db(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        visible_case(c, &scope, id)?;
        Ok(store::trail::history(c, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// Checks facts about people that the case state cannot know.
fn check_people(
    c: &mut DbConnection,
    actor: &Actor,
    row: &CaseRow,
    event: &CaseEvent,
) -> Result<(), ApiError> {
    match event {
        CaseEvent::ExtensionGranted { approved_by, .. } => {
            if !matches!(actor.role, Role::Supervisor | Role::Admin) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "approval_required",
                    "延长答复期限须经政府信息公开工作机构负责人批准：承办人请登记 extension_requested，由监督人员批准",
                ));
            }
            if *approved_by != actor.user_id {
                return Err(ApiError::unprocessable(
                    "approver_mismatch",
                    "approved_by 应为登记批准的本人",
                ));
            }
            Ok(())
        }
        CaseEvent::Assigned { user_id, .. } => {
            let tree = store::departments::tree(c)?;
            let ok = store::users::find(c, *user_id)?.is_some_and(|u| {
                let covers = |dept: Option<i64>| {
                    dept.is_some_and(|d| tree.subtree(d).contains(&row.department_id))
                };
                u.active
                    && match Role::parse(&u.role) {
                        Some(Role::Clerk) => u.department_id == Some(row.department_id),
                        Some(Role::Supervisor) => covers(u.department_id),
                        _ => false,
                    }
            });
            if ok {
                Ok(())
            } else {
                Err(ApiError::unprocessable(
                    "assignee_invalid",
                    "承办人应为本机关在岗的承办人员或上级监督人员",
                ))
            }
        }
        _ => Ok(()),
    }
}

pub async fn post_event(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<CaseEvent>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let event = body.into_inner();
    let st = state.clone();
    let view = db_tx(&state.pool, move |c| {
        let scope = writer_scope(&auth, c)?;
        let calendars = st.calendars.current(c)?;
        let row = visible_case(c, &scope, id)?;
        if row.version != expected {
            return Err(ApiError::precondition_failed());
        }
        check_people(c, &auth.0, &row, &event)?;
        let today = st.today();
        let region = department_region(c, row.department_id)?;
        let before = derive(
            &calendars,
            &region,
            row.received_on,
            parse_events(store::cases::events(c, id)?)?,
            today,
        )?;
        before
            .state
            .check(
                &event,
                row.submitted_on,
                today,
                &calendars.calendar(Some(&region)),
            )
            .map_err(|r| {
                let status = if r.conflict {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                ApiError::new(status, r.code, r.message)
            })?;
        let payload = serde_json::to_string(&event).map_err(ApiError::internal)?;
        store::cases::insert_event(c, id, event.kind(), event.date(), &payload, auth.0.user_id)?;
        let after = derive(
            &calendars,
            &region,
            row.received_on,
            parse_events(store::cases::events(c, id)?)?,
            today,
        )?;
        if !store::cases::update_derived(c, id, expected, &after.derived, after.state.receipt)? {
            return Err(ApiError::precondition_failed());
        }
        let event_json = serde_json::to_value(&event).ok();
        let action = format!("event:{}", event.kind());
        audit_change(
            c,
            &row,
            &before.derived,
            &after.derived,
            auth.0.user_id,
            &action,
            event_json,
        )?;
        queue_mails(c, id, &st.settings.public_url, Some(&event))?;
        load_view(c, &calendars, &scope, id, today)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(view.version))
        .json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
    assignee: Option<i64>,
    received_from: Option<NaiveDate>,
    received_to: Option<NaiveDate>,
    due_before: Option<NaiveDate>,
    #[serde(default)]
    overdue: bool,
    due_soon: Option<u32>,
    q: Option<String>,
    sort: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
    as_of: Option<NaiveDate>,
}

fn parse_cursor(raw: &str) -> Result<Cursor, ApiError> {
    raw.split_once('.')
        .and_then(|(d, i)| {
            Some(Cursor {
                date: d.parse().ok()?,
                id: i.parse().ok()?,
            })
        })
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_cursor",
                "cursor 无效，请使用上一页返回的 next_cursor",
            )
        })
}

pub async fn list_cases(
    state: State,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let sort = match q.sort.as_deref() {
        None | Some("due") => SortKey::Due,
        Some("received") => SortKey::Received,
        Some(_) => return Err(ApiError::field("sort", "取值应为：due | received")),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "取值应为1至200"));
    }
    let statuses: Vec<String> = match q.status.as_deref() {
        None => Vec::new(),
        Some(raw) => raw
            .split(',')
            .map(|s| Status::parse(s.trim()).map(|s| s.as_str().to_owned()))
            .collect::<Option<_>>()
            .ok_or_else(|| ApiError::field("status", "取值应为：received | awaiting_correction | in_progress | paused | replied | closed，可用逗号分隔"))?,
    };
    let after = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let st = state.clone();
    let today = state.today();
    let (rows, due_soon_bounds, corrected) = db_tx(&state.pool, move |c| {
        let departments = auth.departments(c, q.department_id, q.include_subtree)?;
        let department_ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let calendars = st.calendars.current(c)?;
        refresh_paused(c, &calendars, &department_ids, today)?;
        // Per department: the last date that is within `due_soon` working days of as_of.
        let mut bounds: BTreeMap<i64, NaiveDate> = BTreeMap::new();
        for d in &departments {
            let days = q.due_soon.map_or(DUE_SOON_DAYS, i64::from);
            let cal = calendars.calendar(Some(&d.data.region));
            let bound = cal
                .add_working_days(as_of, u32::try_from(days).unwrap_or(u32::MAX))
                .map_err(super::calendar::calendar_error)?;
            bounds.insert(d.id, bound.value);
        }
        let filter = ListFilter {
            department_ids,
            statuses,
            assignee: q.assignee,
            received_from: q.received_from,
            received_to: q.received_to,
            due_before: q.due_before,
            overdue_before: q.overdue.then_some(as_of),
            due_from: q.due_soon.map(|_| as_of),
            due_by: q
                .due_soon
                .map(|_| bounds.iter().map(|(d, b)| (*d, *b)).collect()),
            q: q.q.clone(),
        };
        let rows = store::cases::list(c, &filter, sort, after, limit)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let corrected = store::remedies::corrected_case_ids(c, &ids)?;
        Ok((rows, bounds, corrected))
    })
    .await?;
    let next_cursor = (i64::try_from(rows.len()).unwrap_or(0) == limit)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            let date = if sort == SortKey::Due {
                r.due_sort
            } else {
                r.receipt_sort
            };
            format!("{date}.{}", r.id)
        });
    let items: Vec<CaseOut> = rows
        .into_iter()
        .map(|row| {
            let status = Status::parse(&row.status).unwrap_or(Status::Received);
            let running = matches!(status, Status::Received | Status::InProgress);
            let overdue = running && row.due_on.is_some_and(|d| d < as_of);
            let due_soon = running
                && !overdue
                && row
                    .due_on
                    .zip(due_soon_bounds.get(&row.department_id))
                    .is_some_and(|(d, b)| d <= *b);
            CaseOut {
                id: row.id,
                case_number: row.case_number.clone(),
                department_id: row.department_id,
                status: row.status.clone(),
                closed_reason: None,
                applicant: applicant_out(&row),
                receipt_rule: receipt_rule(&row.channel),
                channel: row.channel,
                submitted_on: row.submitted_on,
                received_on: row.received_on,
                tracking_number: row.tracking_number,
                items: Vec::new(),
                purpose: row.purpose,
                delivery_preference: row.delivery_preference,
                assignee_id: row.assignee_id,
                due_on: row.due_on,
                flags: Flags {
                    receipt_unconfirmed: row.received_on.is_none(),
                    due_soon,
                    overdue,
                    provisional: false,
                    remedy_corrected: corrected.contains(&row.id),
                },
                deadline: None,
                events: None,
                possible_repeats: None,
                reply: None,
                findings: None,
                remedies: None,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "items": items, "next_cursor": next_cursor, "as_of": as_of })))
}

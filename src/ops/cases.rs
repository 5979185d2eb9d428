//! Case actions: intake (one, or a batch all-or-nothing, idempotent by key), typed events,
//! the case view with its derived clock, lists with filters and keyset pagination, and the
//! audit trail. `change_case` is the one sequence every change to a case goes through.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::remedies::RemedyView;
use super::replies::ReplyView;
use super::{CASE_WRITERS, Ctx, OpError, OpResult, check_version, require, scope};
use crate::auth::{Actor, Role, Scope};
use crate::cases::{Derivation, department_calendar, derive, parse_events, recorded, snapshot};
use crate::domain::calendar::CalendarSet;
use crate::domain::case::{
    ApplicantType, CaseEvent, Channel, DeliveryPreference, REPEAT_SIMILARITY, Status,
    item_similarity,
};
use crate::domain::case_actions::{Action, OVERSIGHT, WaitsOn};
use crate::domain::deadline::{ClockState, Deadline, DeadlineFlag};
use crate::domain::validation::{
    FieldErrors, optional_email, optional_multiline, optional_text, required_text,
};
use crate::store::cases::{CaseRow, Cursor, ListFilter, NewCase, SortKey};
use crate::store::departments::Department;
use crate::store::{self, DbConnection};

/// Working days ahead that count as "due soon" in case views.
pub const DUE_SOON_DAYS: i64 = 5;

/// How far back a prior application of the same applicant counts as a possible repeat
/// (Art. 36(6): 重复申请).
const REPEAT_WINDOW_DAYS: i64 = 365;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicantIn {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub description: String,
}

/// Intake as a client sends it; `parse_case` turns it into a validated `NewCase`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseIn {
    /// Optional for a clerk: the clerk's own department.
    pub department_id: Option<i64>,
    pub applicant: ApplicantIn,
    pub channel: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub items: Vec<ItemIn>,
    pub purpose: Option<String>,
    pub delivery_preference: Option<String>,
}

/// Parses intake input; `p` prefixes field names (`cases[2].` in a batch). A clerk who
/// names no department registers for the clerk's own; everyone else must name one.
pub fn parse_case(
    input: CaseIn,
    actor: &Actor,
    today: NaiveDate,
    p: &str,
) -> Result<NewCase, FieldErrors> {
    let mut e = FieldErrors::default();
    let f = |name: &str| format!("{p}{name}");
    let department_id = input.department_id.or(match actor.role {
        Role::Clerk => actor.department_id,
        _ => None,
    });
    if department_id.is_none() {
        e.add(
            f("department_id"),
            "请填写受理机关（承办人可省略，默认为本机关）",
        );
    }
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
    let purpose = optional_multiline(&mut e, &f("purpose"), input.purpose.as_deref(), 1000);
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
    match (department_id, kind, name, channel, e.is_empty()) {
        (Some(department_id), Some(kind), Some(name), Some(channel), true) => Ok(NewCase {
            department_id,
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

#[derive(Debug, Clone, Serialize)]
pub struct ApplicantView {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flags {
    pub receipt_unconfirmed: bool,
    pub due_soon: bool,
    pub overdue: bool,
    pub provisional: bool,
    /// A reconsideration or lawsuit about the case was decided `corrected` (结果纠正): the
    /// clerk should act on it (nothing is reopened automatically).
    pub remedy_corrected: bool,
    /// The applicant's 补正 period (Art. 30) or 20 working days to pay (国办函〔2020〕109号)
    /// ran out: record `correction_lapsed` or `fee_lapsed`. Single-case view only (the
    /// due-soon report lists such cases).
    pub correction_period_passed: bool,
    pub fee_period_passed: bool,
    /// An extension request waits for a supervisor's approval.
    pub awaiting_approval: bool,
    /// A supervision order not yet closed (销号) names the case.
    pub under_order: bool,
    /// Mail to the applicant is not sent while the department lacks its address or phone
    /// (`CaseView::public_mail_held` says which). Single-case view only.
    pub public_mail_held: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i64,
    #[serde(flatten)]
    pub event: CaseEvent,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Clone)]
pub struct Repeat {
    pub case_id: i64,
    pub case_number: String,
    pub received_on: Option<NaiveDate>,
    pub similarity: f64,
}

/// A case as every face shows it: the full view (one case) or a list line.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: i64,
    pub case_number: String,
    /// `{department code} {case number}`: numbers repeat across departments.
    pub display_number: String,
    pub department_id: i64,
    pub status: String,
    pub closed_reason: Option<&'static str>,
    pub applicant: ApplicantView,
    pub channel: String,
    pub receipt_rule: &'static str,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub items: Vec<String>,
    pub purpose: Option<String>,
    pub delivery_preference: Option<String>,
    pub assignee_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub flags: Flags,
    /// Why mail to the applicant is held (names the department's missing fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_mail_held: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_repeats: Option<Vec<Repeat>>,
    /// The newest recorded reply, with the findings made when it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyView>,
    /// For an open case: the process findings as of the view's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<crate::domain::compliance::Finding>>,
    /// Reconsiderations and lawsuits about the case (single-case view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedies: Option<Vec<RemedyView>>,
    /// The supervision orders not yet closed that name the case (single-case view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<Vec<super::orders::CaseOrder>>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// How a case is named wherever cases of several departments meet: numbers are per
/// department (`2026-0001` in each), the department's code tells them apart.
pub fn display_number(department_code: &str, case_number: &str) -> String {
    format!("{department_code} {case_number}")
}

fn applicant_view(row: &CaseRow) -> ApplicantView {
    ApplicantView {
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
fn full_view(row: CaseRow, dept: &Department, items: Vec<String>, d: Derivation) -> CaseView {
    let mail_held = crate::mail::public_mail_held(
        row.applicant_email.as_deref(),
        &dept.data.address,
        &dept.data.phone,
    );
    let status = Status::parse(&d.derived.status).unwrap_or(Status::Received);
    let findings = status.is_open().then(|| {
        let facts =
            crate::domain::reply::process_facts(row.received_on, &recorded(&d.events), &d.deadline);
        let mut found = crate::domain::compliance::check_process(&facts, d.deadline.as_of);
        found.extend(crate::domain::compliance::deadline_findings(&d.deadline));
        found
    });
    // A late 补正 leaves the clock running under status awaiting_correction (Art. 30).
    let running = status.is_open() && matches!(d.deadline.clock, ClockState::Running);
    let remaining = d.deadline.working_days_remaining;
    let flags = Flags {
        receipt_unconfirmed: d.state.receipt.is_none(),
        overdue: running && d.deadline.overdue,
        due_soon: running
            && !d.deadline.overdue
            && remaining.is_some_and(|r| (0..=DUE_SOON_DAYS).contains(&r)),
        provisional: d.deadline.provisional,
        remedy_corrected: false,
        correction_period_passed: d
            .deadline
            .flags
            .contains(&DeadlineFlag::CorrectionPeriodPassed),
        fee_period_passed: d.deadline.flags.contains(&DeadlineFlag::FeePeriodPassed),
        awaiting_approval: d.derived.awaiting_approval,
        under_order: false,
        public_mail_held: mail_held.is_some(),
    };
    CaseView {
        id: row.id,
        display_number: display_number(&dept.data.code, &row.case_number),
        case_number: row.case_number.clone(),
        department_id: row.department_id,
        status: d.derived.status.clone(),
        closed_reason: d.state.closed.map(|(r, _)| r.as_str()),
        applicant: applicant_view(&row),
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
        public_mail_held: mail_held,
        events: Some(
            d.events
                .into_iter()
                .map(|(r, event)| EventView {
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
        orders: None,
        deadline: Some(d.deadline),
        possible_repeats: None,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The full view with what is stored beside the case: items, latest reply, remedies.
fn view_of(c: &mut DbConnection, row: CaseRow, d: Derivation) -> OpResult<CaseView> {
    let id = row.id;
    let dept = department(c, row.department_id)?;
    let items = store::cases::items(c, id)?;
    let reply = store::replies::latest_for_case(c, id)?.map(ReplyView::from);
    let remedies = super::remedies::for_case(c, id, &d.calendar)?;
    let orders = super::orders::open_for_case(c, id, &d.calendar, d.deadline.as_of)?;
    let mut view = full_view(row, &dept, items, d);
    view.flags.under_order = !orders.is_empty();
    view.orders = Some(orders);
    view.reply = reply;
    view.flags.remedy_corrected = remedies.iter().any(RemedyView::is_corrected);
    view.remedies = Some(remedies);
    Ok(view)
}

/// Loads a case the caller may see; anything else is "not found".
pub(crate) fn visible_case(c: &mut DbConnection, scope: &Scope, id: i64) -> OpResult<CaseRow> {
    store::cases::find(c, id)?
        .filter(|r| scope.allows(r.department_id))
        .ok_or(OpError::NotFound("案件"))
}

/// Whether the caller handles the case (承办) rather than overseeing it: clerks (their scope
/// is their department) and administrators do; a supervisor handles the cases of its own
/// department and those assigned to it. A supervisor above the case's department oversees
/// it: it sees everything, and may take only the oversight actions
/// (`case_actions::OVERSIGHT`) and record remedies — the answer is the department's.
pub fn handles(actor: &Actor, department_id: i64, assignee_id: Option<i64>) -> bool {
    actor.role != Role::Supervisor
        || actor.department_id == Some(department_id)
        || assignee_id == Some(actor.user_id)
}

/// The refusal of a handler's action to someone who oversees the case.
pub fn oversight_only() -> OpError {
    OpError::Denied {
        code: "oversight_only",
        message: "该案件由下级机关承办：监督人员可以查看、审批延期、另行确定答复期限、指定承办人；如需亲自办理，请先将案件指定给自己".into(),
    }
}

fn require_handler(actor: &Actor, row: &CaseRow) -> OpResult<()> {
    if handles(actor, row.department_id, row.assignee_id) {
        Ok(())
    } else {
        Err(oversight_only())
    }
}

/// A case the caller may see and handles (`handles`): for the handler's own writes.
pub(crate) fn handled_case(
    c: &mut DbConnection,
    scope: &Scope,
    actor: &Actor,
    id: i64,
) -> OpResult<CaseRow> {
    let row = visible_case(c, scope, id)?;
    require_handler(actor, &row)?;
    Ok(row)
}

fn department(c: &mut DbConnection, id: i64) -> OpResult<Department> {
    store::departments::find(c, id)?.ok_or(OpError::NotFound("机关"))
}

/// A case the caller may see, with its derivation as of `as_of`.
pub(crate) struct Loaded {
    pub row: CaseRow,
    pub dept: Department,
    pub calendars: std::sync::Arc<CalendarSet>,
    pub derivation: Derivation,
}

pub(crate) fn load(
    c: &mut DbConnection,
    ctx: &Ctx,
    scope: &Scope,
    id: i64,
    as_of: NaiveDate,
) -> OpResult<Loaded> {
    let row = visible_case(c, scope, id)?;
    let dept = department(c, row.department_id)?;
    let calendars = ctx.calendars(c)?;
    let events = parse_events(store::cases::events(c, id)?)?;
    let derivation = derive(&calendars, &dept.data, row.received_on, events, as_of)?;
    Ok(Loaded {
        row,
        dept,
        calendars,
        derivation,
    })
}

/// One case as of `as_of` (default today).
pub fn get(ctx: &Ctx, actor: &Actor, id: i64, as_of: Option<NaiveDate>) -> OpResult<CaseView> {
    let as_of = as_of.unwrap_or_else(|| ctx.today());
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, id, as_of)?;
        view_of(c, l.row, l.derivation)
    })
}

/// The case's audit trail, oldest first.
pub fn history(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<Vec<store::trail::AuditRecord>> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        visible_case(c, &scope, id)?;
        Ok(store::trail::history(c, id)?)
    })
}

/// Earlier applications of the same applicant to the same department within the repeat
/// window whose items are alike (a hint for the clerk, never a refusal). `earlier` are the
/// candidates: cases of the same applicants stored before this intake, and the cases of
/// the same batch registered before this one.
fn possible_repeats(new: &NewCase, earlier: &[(&CaseRow, &[String])]) -> Vec<Repeat> {
    let since =
        new.received_on.unwrap_or(new.submitted_on) - chrono::Duration::days(REPEAT_WINDOW_DAYS);
    earlier
        .iter()
        .filter(|(prior, _)| {
            prior.department_id == new.department_id
                && prior.applicant_name == new.applicant_name
                && prior.receipt_sort >= since
        })
        .filter(
            |(prior, _)| match (&prior.applicant_id_number, &new.applicant_id_number) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
        )
        .filter_map(|(prior, items)| {
            let similarity = item_similarity(items, &new.items);
            (similarity >= REPEAT_SIMILARITY).then(|| Repeat {
                case_id: prior.id,
                case_number: prior.case_number.clone(),
                received_on: prior.received_on,
                similarity: (similarity * 100.0).round() / 100.0,
            })
        })
        .collect()
}

/// Registers cases inside the caller's transaction (one intake, or a batch in order);
/// returns their views with possible repeats. Every read comes first; then the numbers are
/// taken and the rows, their audit chains and their mails written in a few multi-row
/// statements, so a department's counter stays locked only for those writes and the
/// commit.
pub(crate) fn create_cases(
    c: &mut DbConnection,
    ctx: &Ctx,
    Within { kept, scope }: Within<'_>,
    actor: &Actor,
    news: &[NewCase],
    today: NaiveDate,
    finish: Finish<'_>,
) -> OpResult<Vec<CaseView>> {
    let (dir, calendars) = (&kept.directory, &kept.calendars);
    let mut depts: BTreeMap<i64, Department> = BTreeMap::new();
    let mut derived = Vec::with_capacity(news.len());
    for new in news {
        if !scope.allows(new.department_id) {
            return Err(OpError::NotFound("机关"));
        }
        let dept = match depts.entry(new.department_id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(
                dir.get(new.department_id)
                    .cloned()
                    .ok_or(OpError::NotFound("机关"))?,
            ),
        };
        derived.push(derive(
            calendars,
            &dept.data,
            new.received_on,
            Vec::new(),
            today,
        )?);
    }
    let since = news
        .iter()
        .map(|n| n.received_on.unwrap_or(n.submitted_on))
        .min()
        .unwrap_or(today)
        - chrono::Duration::days(REPEAT_WINDOW_DAYS);
    let applicants: Vec<(i64, &str)> = news
        .iter()
        .map(|n| (n.department_id, n.applicant_name.as_str()))
        .collect();
    let stored_priors = store::cases::of_applicants(c, &applicants, since)?;

    // PostgreSQL's single intake: built ahead, and its answer made before it is written, so
    // that the write — with the commit, when nothing follows — is one round trip while the
    // department's counter is held.
    if let ([new], [d]) = (news, derived.as_slice())
        && store::intake::in_one_call(c)
    {
        let dept = &depts[&new.department_id];
        if let Finish::Commit(Some(k)) = &finish {
            // The key claimed now, by a bound statement: a concurrent request with the same
            // key waits here and then fails (and is retried, replaying this answer), never
            // inside the intake's last message; the answer is filled in with the intake.
            store::idempotency::insert(c, k.user_id, k.key, k.request_hash, 201, "")
                .map_err(super::error::on_insert)?;
        }
        let one = prepare_one(c, ctx, actor, new, d, dept, today.year())?;
        let views = views_of(
            std::slice::from_ref(&one.row),
            news,
            derived,
            &depts,
            &stored_priors,
        );
        let (commit, answer) = match &finish {
            Finish::Open => (false, None),
            Finish::Commit(keep) => (true, keep.as_ref().map(|k| k.answer(&views)).transpose()?),
        };
        let opening = store::trail::Opening {
            case_id: one.row.id,
            actor_id: actor.user_id,
            action: "case_created",
            after: &one.after,
        };
        store::intake::write_one(
            c,
            &ctx.audit_key,
            &one.row,
            &new.items,
            &opening,
            &one.mails,
            store::intake::Then { commit, answer },
        )
        .map_err(super::error::on_insert)?;
        return Ok(views);
    }
    let rows = write_many(c, ctx, actor, news, &derived, &depts, today.year())?;
    let views = views_of(&rows, news, derived, &depts, &stored_priors);
    if let Finish::Commit(Some(keep)) = &finish {
        let a = keep.answer(&views)?;
        store::idempotency::insert(c, a.user_id, a.key, keep.request_hash, 201, &a.response)
            .map_err(super::error::on_insert)?;
    }
    Ok(views)
}

/// Where an intake registers: the departments and calendars as read in its transaction
/// (one check that the kept ones are current; no read per department) and the caller's
/// scope over the departments.
#[derive(Clone, Copy)]
pub(crate) struct Within<'a> {
    pub kept: &'a super::Kept,
    pub scope: &'a Scope,
}

/// How an intake's transaction goes on after its cases are written.
pub(crate) enum Finish<'a> {
    /// The caller writes more in the same transaction.
    Open,
    /// Nothing follows but the answer's idempotency record, if the request had a key:
    /// `create_cases` writes it (one case only), and PostgreSQL's single intake commits in
    /// the same round trip as its writes.
    Commit(Option<Keep<'a>>),
}

/// An idempotency key to record with a single intake's answer.
pub(crate) struct Keep<'a> {
    pub user_id: i64,
    pub key: &'a str,
    pub request_hash: &'a str,
}

impl<'a> Keep<'a> {
    /// The stored answer: the one case's view, as `register` answers it.
    fn answer(&self, views: &[CaseView]) -> OpResult<store::idempotency::Answer<'a>> {
        let [view] = views else {
            return Err(OpError::internal("an answered intake registers one case"));
        };
        Ok(store::idempotency::Answer {
            user_id: self.user_id,
            key: self.key,
            response: serde_json::to_value(view)
                .map_err(OpError::internal)?
                .to_string(),
        })
    }
}

/// The views of new cases, each with the possible repeats among the applicant's recent
/// cases and the cases before it in the same intake.
fn views_of(
    rows: &[CaseRow],
    news: &[NewCase],
    derived: Vec<Derivation>,
    depts: &BTreeMap<i64, Department>,
    stored_priors: &[(CaseRow, Vec<String>)],
) -> Vec<CaseView> {
    let mut views = Vec::with_capacity(rows.len());
    for (i, ((row, new), d)) in rows.iter().zip(news).zip(derived).enumerate() {
        let earlier: Vec<(&CaseRow, &[String])> = stored_priors
            .iter()
            .map(|(r, items)| (r, items.as_slice()))
            .chain(
                rows[..i]
                    .iter()
                    .zip(&news[..i])
                    .map(|(r, n)| (r, n.items.as_slice())),
            )
            .collect();
        let repeats = possible_repeats(new, &earlier);
        let mut view = full_view(
            row.clone(),
            &depts[&row.department_id],
            new.items.clone(),
            d,
        );
        view.possible_repeats = Some(repeats);
        views.push(view);
    }
    views
}

/// Writes cases with their items, grams, opening audit records and mails in a few
/// multi-row statements (a batch; SQLite's single intakes). The counters are taken first
/// (`insert_many`), so they stay locked for these writes and the commit.
fn write_many(
    c: &mut DbConnection,
    ctx: &Ctx,
    actor: &Actor,
    news: &[NewCase],
    derived: &[Derivation],
    depts: &BTreeMap<i64, Department>,
    year: i32,
) -> OpResult<Vec<CaseRow>> {
    let intakes: Vec<store::cases::Intake<'_>> = news
        .iter()
        .zip(derived)
        .map(|(new, d)| store::cases::Intake {
            new,
            year,
            derived: &d.derived,
        })
        .collect();
    let rows =
        store::cases::insert_many(c, &intakes, actor.user_id).map_err(super::error::on_insert)?;
    let snapshots: Vec<String> = rows
        .iter()
        .zip(derived)
        .map(|(row, d)| snapshot(row, &d.derived, None))
        .collect();
    let openings: Vec<store::trail::Opening<'_>> = rows
        .iter()
        .zip(&snapshots)
        .map(|(row, after)| store::trail::Opening {
            case_id: row.id,
            actor_id: actor.user_id,
            action: "case_created",
            after,
        })
        .collect();
    store::trail::open_chains(c, &ctx.audit_key, &openings)?;
    let mut mails = Vec::new();
    for row in &rows {
        let dept = &depts[&row.department_id];
        if let Some(m) = crate::cases::mail_for(row, dept, &ctx.settings.public_url, None)? {
            mails.push(m);
        }
    }
    store::outbox::enqueue_new(c, &mails)?;
    Ok(rows)
}

/// One intake on PostgreSQL, built ahead of writing: an id reserved with the grams of the
/// name and items written under it, then its number taken (the department's counter then
/// stays locked until commit), the row, its snapshot and mail built here. `create_cases`
/// then writes it in one call (`store::intake::write_one`): most of the index writing
/// happens before the counter is taken, and one round trip (with the commit) after it.
struct PreparedOne {
    row: CaseRow,
    /// The opening audit record's snapshot.
    after: String,
    mails: Vec<store::outbox::NewMail>,
}

fn prepare_one(
    c: &mut DbConnection,
    ctx: &Ctx,
    actor: &Actor,
    new: &NewCase,
    d: &Derivation,
    dept: &Department,
    year: i32,
) -> OpResult<PreparedOne> {
    let id = store::intake::reserve_with_grams(
        c,
        &store::search::grams(
            std::iter::once(new.applicant_name.as_str())
                .chain(new.items.iter().map(String::as_str)),
        ),
    )?;
    // Taken last: only the number's own writes and the commit follow while it is held.
    let seq = store::cases::take_case_seqs(c, new.department_id, year, 1)?;
    let row = CaseRow::new_intake(
        id,
        new,
        (year, seq),
        &d.derived,
        actor.user_id,
        store::trail::chain_now(),
    );
    let after = snapshot(&row, &d.derived, None);
    let mails = crate::cases::mail_for(&row, dept, &ctx.settings.public_url, None)?
        .into_iter()
        .collect();
    Ok(PreparedOne { row, after, mails })
}

/// The answer to a creating request: what was created (or, for a replayed idempotency
/// key, what was answered the first time).
pub struct Registered {
    pub body: serde_json::Value,
    /// The new case's version (for its ETag); none for a batch.
    pub version: Option<i32>,
    pub replayed: bool,
}

/// What a creating transaction made: the answer, the new case's version (for its ETag),
/// and whether it already recorded the answer under the idempotency key (`Finish::Commit`).
struct Created {
    body: serde_json::Value,
    version: Option<i32>,
    answer_kept: bool,
}

/// Runs a creating transaction with the idempotency protocol (a key answers the same
/// request once; the same key with another body is refused) and retries on a write
/// conflict (two intakes taking the same case number at once).
fn idempotent_create(
    ctx: &Ctx,
    actor: &Actor,
    key: Option<&str>,
    request: &impl Serialize,
    create: impl Fn(&mut DbConnection, Within<'_>, Option<Keep<'_>>) -> OpResult<Created>,
) -> OpResult<Registered> {
    require(actor, CASE_WRITERS)?;
    let hash = store::trail::sha256_hex(
        serde_json::to_string(request)
            .unwrap_or_default()
            .as_bytes(),
    );
    ctx.write_retry(|c| {
        if let Some(k) = key
            && let Some(stored) = store::idempotency::find(c, actor.user_id, k)?
        {
            if stored.request_hash != hash {
                return Err(OpError::rejected(
                    "idempotency_key_reused",
                    "该 Idempotency-Key 已用于内容不同的请求",
                ));
            }
            let body: serde_json::Value =
                serde_json::from_str(&stored.response).map_err(OpError::internal)?;
            return Ok(Registered {
                body,
                version: None,
                replayed: true,
            });
        }
        // The departments and calendars kept (one check that the instance's copies are
        // current) give the scope, the departments written to and the deadlines: no read of
        // the tree, of each department or of the calendars.
        let kept = ctx.kept(c)?;
        let scope = Scope::of(actor, &kept.directory.tree);
        let keep = key.map(|key| Keep {
            user_id: actor.user_id,
            key,
            request_hash: &hash,
        });
        let created = create(
            c,
            Within {
                kept: &kept,
                scope: &scope,
            },
            keep,
        )?;
        if let Some(k) = key
            && !created.answer_kept
        {
            store::idempotency::insert(c, actor.user_id, k, &hash, 201, &created.body.to_string())
                .map_err(super::error::on_insert)?;
        }
        Ok(Registered {
            body: created.body,
            version: created.version,
            replayed: false,
        })
    })
}

/// Registers one application (登记).
pub fn register(
    ctx: &Ctx,
    actor: &Actor,
    input: CaseIn,
    idempotency_key: Option<&str>,
) -> OpResult<Registered> {
    require(actor, CASE_WRITERS)?;
    let today = ctx.today();
    let new = parse_case(input.clone(), actor, today, "")?;
    idempotent_create(ctx, actor, idempotency_key, &input, |c, within, keep| {
        let one = std::slice::from_ref(&new);
        let view = create_cases(c, ctx, within, actor, one, today, Finish::Commit(keep))?
            .pop()
            .ok_or_else(|| OpError::internal("intake created no case"))?;
        Ok(Created {
            version: Some(view.version),
            body: serde_json::to_value(&view).map_err(OpError::internal)?,
            answer_kept: true,
        })
    })
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BatchIn {
    pub cases: Vec<CaseIn>,
}

/// Registers identical or similar applications together: all or nothing.
pub fn register_batch(
    ctx: &Ctx,
    actor: &Actor,
    input: BatchIn,
    idempotency_key: Option<&str>,
) -> OpResult<Registered> {
    require(actor, CASE_WRITERS)?;
    if input.cases.is_empty() || input.cases.len() > 500 {
        return Err(OpError::field("cases", "一次登记1至500件"));
    }
    let today = ctx.today();
    let mut all = FieldErrors::default();
    let mut parsed = Vec::new();
    for (i, case) in input.cases.iter().enumerate() {
        match parse_case(case.clone(), actor, today, &format!("cases[{i}].")) {
            Ok(n) => parsed.push(n),
            Err(e) => all.0.extend(e.0),
        }
    }
    let parsed = all.finish(parsed)?;
    idempotent_create(ctx, actor, idempotency_key, &input, |c, within, _| {
        let items = create_cases(c, ctx, within, actor, &parsed, today, Finish::Open)?;
        Ok(Created {
            body: serde_json::json!({ "items": items }),
            version: None,
            answer_kept: false,
        })
    })
}

/// Who may record an event: an approval (granting or refusing an extension, an Art. 35
/// date) is a supervisor's or an administrator's, recorded by the approver in person.
fn check_approver(actor: &Actor, event: &CaseEvent) -> OpResult<()> {
    match event {
        CaseEvent::ExtensionRefused { .. } => {
            if matches!(actor.role, Role::Supervisor | Role::Admin) {
                Ok(())
            } else {
                Err(OpError::Denied {
                    code: "approval_required",
                    message: "延期申请由政府信息公开工作机构负责人审批：请由监督人员登记".into(),
                })
            }
        }
        CaseEvent::ExtensionGranted { approved_by, .. } => {
            if !matches!(actor.role, Role::Supervisor | Role::Admin) {
                return Err(OpError::Denied {
                    code: "approval_required",
                    message: "延长答复期限须经政府信息公开工作机构负责人批准：承办人请登记 extension_requested，由监督人员批准".into(),
                });
            }
            if *approved_by != actor.user_id {
                return Err(OpError::rejected(
                    "approver_mismatch",
                    "approved_by 应为登记批准的本人",
                ));
            }
            Ok(())
        }
        // Art. 35 defers the answer like an extension does: the same approver (RULES.md §3).
        CaseEvent::CustomDueDate { .. } => {
            if matches!(actor.role, Role::Supervisor | Role::Admin) {
                Ok(())
            } else {
                Err(OpError::Denied {
                    code: "approval_required",
                    message: "依第三十五条确定答复期限须经政府信息公开工作机构负责人批准：请由监督人员登记".into(),
                })
            }
        }
        _ => Ok(()),
    }
}

/// Who may be assigned a case: an active clerk of its department, or a supervisor above it.
fn check_assignee(c: &mut DbConnection, row: &CaseRow, event: &CaseEvent) -> OpResult<()> {
    let CaseEvent::Assigned { user_id, .. } = event else {
        return Ok(());
    };
    let tree = store::departments::tree(c)?;
    let ok = store::users::find(c, *user_id)?.is_some_and(|u| {
        let covers =
            |dept: Option<i64>| dept.is_some_and(|d| tree.subtree(d).contains(&row.department_id));
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
        Err(OpError::rejected(
            "assignee_invalid",
            "承办人应为本机关在岗的承办人员或上级监督人员",
        ))
    }
}

/// The rules an event meets on the case as it stands, given who records it: the approver,
/// and what the case's state allows on the event's date (all but the assignee, which
/// `check_assignee` reads from the database). The demo's bulk fill applies the same rules.
pub(crate) fn event_allowed(
    actor: &Actor,
    row: &CaseRow,
    before: &Derivation,
    event: &CaseEvent,
    today: NaiveDate,
) -> OpResult<()> {
    check_approver(actor, event)?;
    before
        .state
        .check(event, row.submitted_on, today, &before.calendar)
        .map_err(|r| {
            if r.conflict {
                OpError::conflict(r.code, r.message)
            } else {
                OpError::rejected(r.code, r.message)
            }
        })
}

/// A notice mailed to the applicant: template, date, values.
pub(crate) type Notice = (&'static str, NaiveDate, Vec<(&'static str, String)>);

/// What a change decides, given the case as it stands.
pub(crate) struct Change<T> {
    /// The event the change records on the case; None for a correction of the intake
    /// facts, which `decide` wrote itself.
    pub event: Option<CaseEvent>,
    /// The audit action (`event:<kind>`, `reply_recorded`).
    pub action: String,
    /// What the audit record captures beside the case's state.
    pub audit: Option<serde_json::Value>,
    /// The notice mailed to an applicant who chose e-mail, if not the event's own.
    pub mail: Option<Notice>,
    pub value: T,
}

/// A case after a change: its row and derivation as stored.
pub(crate) struct Changed<T> {
    pub row: CaseRow,
    pub derivation: Derivation,
    pub value: T,
}

/// The one sequence of every change to a case, inside the caller's transaction: scope →
/// handler (unless the change is an `oversight` one) → version → derive → decide (the
/// caller's rules and extra rows) → event → derive → versioned update → audit record → mail.
pub(crate) fn change_case<T>(
    c: &mut DbConnection,
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    oversight: bool,
    decide: impl FnOnce(&mut DbConnection, &Loaded) -> OpResult<Change<T>>,
) -> OpResult<Changed<T>> {
    require(actor, CASE_WRITERS)?;
    let today = ctx.today();
    let scope = scope(c, actor)?;
    let before = load(c, ctx, &scope, id, today)?;
    if !oversight {
        require_handler(actor, &before.row)?;
    }
    check_version(before.row.version, expected)?;
    let change = decide(c, &before)?;
    let mut events = before.derivation.events.clone();
    let received_on = match &change.event {
        Some(event) => {
            let payload = serde_json::to_string(event).map_err(OpError::internal)?;
            let event_row = store::cases::insert_event(
                c,
                id,
                event.kind(),
                event.date(),
                &payload,
                actor.user_id,
            )?;
            events.push((event_row, event.clone()));
            before.row.received_on
        }
        // The intake facts as corrected.
        None => visible_case(c, &scope, id)?.received_on,
    };
    let after = derive(
        &before.calendars,
        &before.dept.data,
        received_on,
        events,
        today,
    )?;
    let row = store::cases::update_derived(c, id, expected, &after.derived, after.state.receipt)?
        .ok_or(OpError::StaleVersion)?;
    store::trail::append(
        c,
        &ctx.audit_key,
        id,
        actor.user_id,
        &change.action,
        Some(&snapshot(&before.row, &before.derivation.derived, None)),
        &snapshot(&row, &after.derived, change.audit),
    )?;
    if let Some(m) = change_mail(
        &row,
        &before.dept,
        &ctx.settings.public_url,
        change.mail,
        change.event.as_ref(),
    )? {
        store::outbox::enqueue(c, &m)?;
    }
    Ok(Changed {
        row,
        derivation: after,
        value: change.value,
    })
}

/// The mail a change sends the applicant, given the case as changed: the change's own
/// notice, else the one its event causes; a correction of the intake facts mails nobody.
pub(crate) fn change_mail(
    row: &CaseRow,
    dept: &Department,
    public_url: &str,
    notice: Option<Notice>,
    event: Option<&CaseEvent>,
) -> OpResult<Option<store::outbox::NewMail>> {
    Ok(match (notice, event) {
        (None, None) => None,
        (None, Some(event)) => crate::cases::mail_for(row, dept, public_url, Some(event))?,
        (Some((template, date, values)), _) => {
            crate::mail::CaseMail::for_case(row, dept, public_url)
                .notice(template, date, &values)?
        }
    })
}

/// Records an event on a case (补正, 征求意见, 延期, 收费, 撤回, …): checked against the case
/// as it stands, with the caller's version.
pub fn record_event(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    mut event: CaseEvent,
) -> OpResult<CaseView> {
    event.validate_limits()?;
    // The approver of an Art. 35 date is whoever records it (checked in `check_people`),
    // never what the client claims.
    if let CaseEvent::CustomDueDate { approved_by, .. } = &mut event {
        *approved_by = Some(actor.user_id);
    }
    if let CaseEvent::ExtensionRefused { refused_by, .. } = &mut event {
        *refused_by = actor.user_id;
    }
    let oversight = Action::is_oversight_event(event.kind());
    ctx.write(|c| {
        let changed = change_case(c, ctx, actor, id, expected, oversight, |c, before| {
            fee_through_its_endpoint(&before.dept, &event)?;
            check_assignee(c, &before.row, &event)?;
            event_allowed(actor, &before.row, &before.derivation, &event, ctx.today())?;
            Ok(Change {
                action: format!("event:{}", event.kind()),
                audit: serde_json::to_value(&event).ok(),
                event: Some(event.clone()),
                mail: None,
                value: (),
            })
        })?;
        if let CaseEvent::ExtensionRefused { date, reason, .. } = &event {
            tell_refusal(c, ctx, actor, &changed.row, *date, reason)?;
        }
        view_of(c, changed.row, changed.derivation)
    })
}

/// 109号: where a department charges fees, the items or pages and the notice go through
/// `ops::fees`, which computes the amount; a client never types it. (A department without a
/// fee setting may still record a notice whose amount was set elsewhere.)
fn fee_through_its_endpoint(dept: &Department, event: &CaseEvent) -> OpResult<()> {
    let charges = dept.data.rules.fee_method != crate::domain::fee::FeeMethod::None;
    match event {
        CaseEvent::FeeAssessed { .. } => Err(OpError::rejected(
            "use_fee_endpoint",
            "件数或页数请通过 POST /api/v1/cases/{id}/fee/assessment 登记",
        )),
        CaseEvent::FeeNoticeIssued { .. } if charges => Err(OpError::rejected(
            "use_fee_endpoint",
            "本机关已设定收费方式，收费通知请通过 POST /api/v1/cases/{id}/fee/notice 发出（金额由系统计算）",
        )),
        _ => Ok(()),
    }
}

/// Mails the refusal of an extension to the case's clerk (or, unassigned, to the
/// department's clerks), in the refusal's transaction: the period stands, they must know.
fn tell_refusal(
    c: &mut DbConnection,
    ctx: &Ctx,
    actor: &Actor,
    row: &CaseRow,
    date: NaiveDate,
    reason: &str,
) -> OpResult<()> {
    let dept = store::departments::find(c, row.department_id)?.ok_or(OpError::NotFound("机关"))?;
    let users = store::users::list(c)?;
    let by = users
        .iter()
        .find(|u| u.id == actor.user_id)
        .map_or_else(String::new, |u| u.display_name.clone());
    let mail = crate::mail::CaseMail::for_case(row, &dept, &ctx.settings.public_url);
    for u in crate::cases::responsible_staff(&users, row) {
        let Some(email) = &u.email else { continue };
        let m = mail
            .extension_refused(&u.display_name, email, date, &by, reason)
            .map_err(OpError::internal)?;
        store::outbox::enqueue(c, &m)?;
    }
    Ok(())
}

/// The applicant as a correction sends it: each field sent replaces the stored one.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicantPatch {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// A correction of intake facts (a misspelt name, a wrong date): each field sent replaces
/// the stored one, an empty string clears an optional text; what is not sent stays.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeCorrection {
    pub applicant: Option<ApplicantPatch>,
    pub channel: Option<String>,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub items: Option<Vec<ItemIn>>,
    pub purpose: Option<String>,
    pub delivery_preference: Option<String>,
}

/// The intake facts of a case as a correction compares them (field name → value).
fn intake_facts(new: &NewCase) -> BTreeMap<&'static str, serde_json::Value> {
    use serde_json::json;
    BTreeMap::from([
        ("applicant.type", json!(new.applicant_type)),
        ("applicant.name", json!(new.applicant_name)),
        ("applicant.id_number", json!(new.applicant_id_number)),
        ("applicant.phone", json!(new.applicant_phone)),
        ("applicant.email", json!(new.applicant_email)),
        ("applicant.address", json!(new.applicant_address)),
        ("channel", json!(new.channel)),
        ("submitted_on", json!(new.submitted_on)),
        ("received_on", json!(new.received_on)),
        ("tracking_number", json!(new.tracking_number)),
        ("items", json!(new.items)),
        ("purpose", json!(new.purpose)),
        ("delivery_preference", json!(new.delivery_preference)),
    ])
}

/// Corrects the intake facts of a case (更正登记信息), versioned and audited
/// (`intake_corrected`, each changed field before and after). The due date moves only when
/// the receipt facts (channel, submitted_on, received_on) do: the case is derived again
/// from them and its events, as every change is.
pub fn correct_intake(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    patch: IntakeCorrection,
) -> OpResult<CaseView> {
    let today = ctx.today();
    ctx.write(|c| {
        let changed = change_case(c, ctx, actor, id, expected, false, |c, before| {
            let row = &before.row;
            let items = store::cases::items(c, id)?;
            let stored = NewCase {
                department_id: row.department_id,
                applicant_type: row.applicant_type.clone(),
                applicant_name: row.applicant_name.clone(),
                applicant_id_number: row.applicant_id_number.clone(),
                applicant_phone: row.applicant_phone.clone(),
                applicant_email: row.applicant_email.clone(),
                applicant_address: row.applicant_address.clone(),
                channel: row.channel.clone(),
                submitted_on: row.submitted_on,
                received_on: row.received_on,
                tracking_number: row.tracking_number.clone(),
                purpose: row.purpose.clone(),
                delivery_preference: row.delivery_preference.clone(),
                items: items.clone(),
            };
            let confirmed = before
                .derivation
                .events
                .iter()
                .any(|(_, e)| matches!(e, CaseEvent::ReceiptConfirmed { .. }));
            if confirmed && patch.received_on.is_some() {
                return Err(OpError::conflict(
                    "receipt_confirmed",
                    "收到申请之日已由 receipt_confirmed 事项登记，不能在登记信息中更正",
                ));
            }
            let a = patch.applicant.clone().unwrap_or_default();
            let keep = |sent: &Option<String>, stored: &Option<String>| {
                sent.clone().or_else(|| stored.clone())
            };
            let channel = patch.channel.clone().unwrap_or_else(|| row.channel.clone());
            // A channel whose receipt is the submission takes the (new) submission date.
            let received_on = match patch.received_on {
                Some(r) => Some(r),
                None if Channel::parse(channel.trim())
                    .is_some_and(Channel::receipt_is_submission) =>
                {
                    None
                }
                None => row.received_on,
            };
            let merged = CaseIn {
                department_id: Some(row.department_id),
                applicant: ApplicantIn {
                    kind: a.kind.unwrap_or_else(|| row.applicant_type.clone()),
                    name: a.name.unwrap_or_else(|| row.applicant_name.clone()),
                    id_number: keep(&a.id_number, &row.applicant_id_number),
                    phone: keep(&a.phone, &row.applicant_phone),
                    email: keep(&a.email, &row.applicant_email),
                    address: keep(&a.address, &row.applicant_address),
                },
                channel,
                submitted_on: patch.submitted_on.unwrap_or(row.submitted_on),
                received_on,
                tracking_number: keep(&patch.tracking_number, &row.tracking_number),
                items: patch.items.clone().unwrap_or_else(|| {
                    items
                        .iter()
                        .map(|d| ItemIn {
                            description: d.clone(),
                        })
                        .collect()
                }),
                purpose: keep(&patch.purpose, &row.purpose),
                delivery_preference: keep(&patch.delivery_preference, &row.delivery_preference),
            };
            let new = parse_case(merged, actor, today, "")?;
            let (old, now) = (intake_facts(&stored), intake_facts(&new));
            let changes: serde_json::Map<String, serde_json::Value> = now
                .iter()
                .filter(|(k, v)| old.get(*k) != Some(*v))
                .map(|(k, v)| {
                    (
                        (*k).to_owned(),
                        serde_json::json!({ "before": old.get(k), "after": v }),
                    )
                })
                .collect();
            if changes.is_empty() {
                return Err(OpError::rejected(
                    "nothing_to_correct",
                    "提交的内容与登记信息相同，没有需要更正的内容",
                ));
            }
            // Events are recorded in date order from the receipt on: a receipt moved past
            // one of them would leave the case's history out of order.
            let new_start = new.received_on.unwrap_or(new.submitted_on);
            if let Some((_, first)) = before
                .derivation
                .events
                .iter()
                .find(|(_, e)| e.date() < new_start)
            {
                return Err(OpError::conflict(
                    "events_before_receipt",
                    format!(
                        "已登记的事项（{}，{}）早于更正后的收到申请之日{new_start}",
                        first.kind(),
                        first.date()
                    ),
                ));
            }
            store::cases::update_intake(c, id, &new, new.items != stored.items)?;
            Ok(Change {
                event: None,
                action: "intake_corrected".to_owned(),
                audit: Some(serde_json::json!({ "corrected": changes })),
                mail: None,
                value: (),
            })
        })?;
        view_of(c, changed.row, changed.derivation)
    })
}

/// Filters of a case list, as a client sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    pub department_id: Option<i64>,
    #[serde(default)]
    pub include_subtree: bool,
    pub assignee: Option<i64>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub due_before: Option<NaiveDate>,
    #[serde(default)]
    pub overdue: bool,
    pub due_soon: Option<u32>,
    /// Only cases whose extension request waits for a supervisor's approval.
    #[serde(default)]
    pub awaiting_approval: bool,
    /// Only applications whose receipt date is not yet confirmed (no clock runs).
    #[serde(default)]
    pub unconfirmed: bool,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub as_of: Option<NaiveDate>,
}

fn parse_cursor(raw: &str) -> OpResult<Cursor> {
    raw.split_once('.')
        .and_then(|(d, i)| {
            Some(Cursor {
                date: d.parse().ok()?,
                id: i.parse().ok()?,
            })
        })
        .ok_or_else(|| {
            OpError::bad_request(
                "invalid_cursor",
                "cursor 无效，请使用上一页返回的 next_cursor",
            )
        })
}

/// One page of a case list.
#[derive(Debug, Serialize)]
pub struct CasePage {
    pub items: Vec<CaseView>,
    pub next_cursor: Option<String>,
    pub as_of: NaiveDate,
}

/// The departments a list or report may cover: the caller's scope, narrowed to one
/// department (and optionally its subtree). Auditors see none (403); a department outside
/// the scope is "not found".
pub fn departments_in_scope(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    department_id: Option<i64>,
    include_subtree: bool,
) -> OpResult<Vec<Department>> {
    let dir = ctx.directory(c)?;
    departments_in(&dir, actor, department_id, include_subtree)
}

/// `departments_in_scope` from a directory already read.
pub(crate) fn departments_in(
    dir: &store::departments::Directory,
    actor: &Actor,
    department_id: Option<i64>,
    include_subtree: bool,
) -> OpResult<Vec<Department>> {
    let scope = crate::auth::Scope::of(actor, &dir.tree);
    if !scope.sees_departments() {
        return Err(OpError::Forbidden);
    }
    let wanted: Option<std::collections::BTreeSet<i64>> = match department_id {
        None => None,
        Some(d) if !scope.allows(d) => return Err(OpError::NotFound("机关")),
        Some(d) if include_subtree => Some(dir.tree.subtree(d)),
        Some(d) => Some([d].into()),
    };
    Ok(dir
        .departments
        .iter()
        .filter(|d| scope.allows(d.id) && wanted.as_ref().is_none_or(|w| w.contains(&d.id)))
        .cloned()
        .collect())
}

/// Brings the stored state of paused cases up to date before a list reads it: a
/// consultation whose 15 working days ran out lets the clock run again by itself.
/// Only the passage of days makes a stored state stale (every write derives as of today,
/// and a calendar import recomputes every open case), so each department is checked at most
/// once a day per instance. The check reads only; the write lock is taken only when some
/// case actually changed.
pub(crate) fn refresh_paused(ctx: &Ctx, department_ids: &[i64], today: NaiveDate) -> OpResult<()> {
    // Each stale department is brought up to date by the one request that claims it; the
    // others wait for it, then find it done (or, if that request failed, claim it).
    let patience = std::time::Duration::from_secs(ctx.settings.pool_timeout_secs.max(1));
    loop {
        let todo = super::paused_stale_departments(ctx, department_ids, today);
        if todo.is_empty() {
            return Ok(());
        }
        let mine = ctx.paused_refreshing.claim(&todo, patience);
        if mine.is_empty() {
            continue;
        }
        let done = refresh_claimed(ctx, &mine, today);
        ctx.paused_refreshing.release(&mine);
        done?;
    }
}

fn refresh_claimed(ctx: &Ctx, todo: &[i64], today: NaiveDate) -> OpResult<()> {
    let stale = ctx.read(|c| {
        let calendars = ctx.calendars(c)?;
        Ok(crate::cases::stale_paused(c, &calendars, todo, today)?)
    })?;
    if !stale.is_empty() {
        ctx.write(|c| {
            for (id, version, derived) in &stale {
                // A concurrent writer that changed the version stored fresher values already.
                store::cases::refresh_derived(c, *id, *version, derived)?;
            }
            Ok(())
        })?;
    }
    super::mark_paused_fresh(ctx, todo, today);
    Ok(())
}

/// The departments a list of the caller's reads (`department_id`, `include_subtree` as
/// asked), whether they are every department there is, and their paused cases brought up
/// to date: what every case list (the list, the desk) does first.
pub(crate) fn list_scope(
    ctx: &Ctx,
    dir: &store::departments::Directory,
    actor: &Actor,
    department_id: Option<i64>,
    include_subtree: bool,
    today: NaiveDate,
) -> OpResult<(Vec<Department>, bool)> {
    let departments = departments_in(dir, actor, department_id, include_subtree)?;
    let every = departments.len() == dir.departments.len();
    let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    refresh_paused(ctx, &ids, today)?;
    Ok((departments, every))
}

/// A page of cases in the caller's scope.
pub fn list(ctx: &Ctx, actor: &Actor, q: ListQuery) -> OpResult<CasePage> {
    let today = ctx.today();
    let as_of = q.as_of.unwrap_or(today);
    let sort = match q.sort.as_deref() {
        None | Some("due") => SortKey::Due,
        Some("received") => SortKey::Received,
        Some(_) => return Err(OpError::field("sort", "取值应为：due | received")),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(OpError::field("limit", "取值应为1至200"));
    }
    let statuses: Vec<String> = match q.status.as_deref() {
        None => Vec::new(),
        Some(raw) => raw
            .split(',')
            .map(|s| Status::parse(s.trim()).map(|s| s.as_str().to_owned()))
            .collect::<Option<_>>()
            .ok_or_else(|| OpError::field("status", "取值应为：received | awaiting_correction | in_progress | paused | replied | closed，可用逗号分隔"))?,
    };
    let after = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let dir = ctx.read(|c| ctx.directory(c))?;
    let (departments, every_department) =
        list_scope(ctx, &dir, actor, q.department_id, q.include_subtree, today)?;
    let department_ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    let codes: BTreeMap<i64, String> = departments
        .iter()
        .map(|d| (d.id, d.data.code.clone()))
        .collect();
    let (rows, due_soon_bounds, corrected, under_order) = ctx.read(|c| {
        let calendars = ctx.calendars(c)?;
        // Per department: the last date that is within `due_soon` working days of as_of.
        let mut bounds: BTreeMap<i64, NaiveDate> = BTreeMap::new();
        for d in &departments {
            let days = q.due_soon.map_or(DUE_SOON_DAYS, i64::from);
            let cal = department_calendar(&calendars, &d.data);
            let bound = cal
                .add_working_days(as_of, u32::try_from(days).unwrap_or(u32::MAX))
                .map_err(|e| OpError::OutOfRange(e.to_string()))?;
            bounds.insert(d.id, bound.value);
        }
        let filter = ListFilter {
            department_ids: department_ids.clone(),
            every_department,
            statuses: statuses.clone(),
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
            common_grams: Some(ctx.common_grams.clone()),
            awaiting_approval: q.awaiting_approval,
            unconfirmed: q.unconfirmed,
            undated: false,
        };
        let rows = store::cases::list(c, &filter, sort, after, limit)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if ids.is_empty() {
            return Ok((rows, bounds, Vec::new(), BTreeSet::new()));
        }
        let corrected = store::remedies::corrected_case_ids(c, &ids)?;
        let under_order = super::orders::case_ids_under_order(c, &ids)?;
        Ok((rows, bounds, corrected, under_order))
    })?;
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
    let items = rows
        .into_iter()
        // Read without a department condition, a department created since the directory
        // was read could show through: the scope is the directory's. (The cursor was taken
        // from the rows read, so such a page may come out short, never skip a case.)
        .filter(|row| !every_department || codes.contains_key(&row.department_id))
        .map(|row| {
            let status = Status::parse(&row.status).unwrap_or(Status::Received);
            // A stored due date is a running clock's (`crate::cases::derive`).
            let running = status.is_open() && status != Status::Paused;
            let overdue = running && row.due_on.is_some_and(|d| d < as_of);
            let due_soon = running
                && !overdue
                && row
                    .due_on
                    .zip(due_soon_bounds.get(&row.department_id))
                    .is_some_and(|(d, b)| d <= *b);
            CaseView {
                id: row.id,
                display_number: display_number(
                    codes.get(&row.department_id).map_or("", String::as_str),
                    &row.case_number,
                ),
                case_number: row.case_number.clone(),
                department_id: row.department_id,
                status: row.status.clone(),
                closed_reason: None,
                applicant: applicant_view(&row),
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
                    correction_period_passed: false,
                    fee_period_passed: false,
                    awaiting_approval: row.awaiting_approval,
                    under_order: under_order.contains(&row.id),
                    public_mail_held: false,
                },
                public_mail_held: None,
                deadline: None,
                events: None,
                possible_repeats: None,
                reply: None,
                findings: None,
                remedies: None,
                orders: None,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect();
    Ok(CasePage {
        items,
        next_cursor,
        as_of,
    })
}

/// Someone a case may be assigned to.
#[derive(Debug, Clone, Serialize)]
pub struct Assignable {
    pub id: i64,
    pub display_name: String,
    pub role: String,
}

/// Who may be assigned a department's cases (the rule `check_people` enforces): its active
/// clerks, and active supervisors of it or a department above it.
fn assignable(c: &mut DbConnection, dept_id: i64) -> OpResult<Vec<Assignable>> {
    let tree = store::departments::tree(c)?;
    Ok(store::users::list(c)?
        .into_iter()
        .filter(|u| u.active)
        .filter(|u| match Role::parse(&u.role) {
            Some(Role::Clerk) => u.department_id == Some(dept_id),
            Some(Role::Supervisor) => u
                .department_id
                .is_some_and(|d| tree.subtree(d).contains(&dept_id)),
            _ => false,
        })
        .map(|u| Assignable {
            id: u.id,
            display_name: u.display_name,
            role: u.role,
        })
        .collect())
}

/// The staff a department's cases may be assigned to, for a department in the caller's
/// scope (auditors: 403; outside the scope or absent: 404).
pub fn department_staff(ctx: &Ctx, actor: &Actor, department_id: i64) -> OpResult<Vec<Assignable>> {
    ctx.read(|c| {
        if departments_in_scope(ctx, c, actor, Some(department_id), false)?.is_empty() {
            return Err(OpError::NotFound("机关"));
        }
        assignable(c, department_id)
    })
}

/// The consultations still open on a case: (the event's id, who was consulted).
pub(crate) fn open_consultations(d: &Derivation) -> Vec<(i64, String)> {
    d.events
        .iter()
        .filter(|(r, _)| d.state.open_consultations.contains_key(&r.id))
        .filter_map(|(r, e)| match e {
            CaseEvent::ConsultationStarted { consulted, .. } => Some((r.id, consulted.clone())),
            _ => None,
        })
        .collect()
}

/// An extension request (Art. 33(2)) as the clerk made it.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionRequest {
    pub requested_on: NaiveDate,
    pub working_days: u32,
    pub reason: String,
}

impl ExtensionRequest {
    /// The request an event makes; of a case's requests the latest is the one waiting (an
    /// earlier one was decided).
    pub fn of(event: &CaseEvent) -> Option<ExtensionRequest> {
        match event {
            CaseEvent::ExtensionRequested {
                date,
                working_days,
                reason,
            } => Some(ExtensionRequest {
                requested_on: *date,
                working_days: *working_days,
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
}

/// Everything a case page shows: the view, the audit trail, the actions the case allows
/// the caller now, and who it may be assigned to.
#[derive(Debug, Serialize)]
pub struct CaseFile {
    pub view: CaseView,
    pub department: String,
    pub history: Vec<store::trail::AuditRecord>,
    /// The caller handles the case (`handles`); otherwise it oversees it, and `actions`
    /// holds only the oversight actions.
    pub handles: bool,
    pub actions: Vec<Action>,
    /// What the case waits on now, in words (None: answered or closed).
    pub waits_on: Option<&'static str>,
    /// The extension request waiting for a decision.
    pub extension_request: Option<ExtensionRequest>,
    /// Who recorded the events and audit records: user id → display name.
    pub people: BTreeMap<i64, String>,
    pub staff: Vec<Assignable>,
    /// Open consultations: (event id, who was consulted).
    pub open_consultations: Vec<(i64, String)>,
    /// The notices the case has facts for, and those sent.
    pub notice_kinds: Vec<(&'static str, &'static str)>,
    pub notices: Vec<store::case_files::NoticeRow>,
    pub attachments: Vec<store::case_files::AttachmentMeta>,
}

/// One case with its trail and the actions it allows the caller now.
pub fn case_file(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<CaseFile> {
    let today = ctx.today();
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, id, today)?;
        let approver = matches!(actor.role, Role::Supervisor | Role::Admin);
        let handles = handles(actor, l.row.department_id, l.row.assignee_id);
        // A department that charges fees issues its notice from the fee section (the amount
        // is computed), not from the plain event form.
        let charges = l.dept.data.rules.fee_method != crate::domain::fee::FeeMethod::None;
        let actions = crate::domain::case_actions::available(&l.derivation.state, approver)
            .into_iter()
            .filter(|a| handles || OVERSIGHT.contains(a))
            .filter(|a| !(charges && *a == Action::FeeNotice))
            .collect();
        let state = &l.derivation.state;
        let waits_on = WaitsOn::of(state, &recorded(&l.derivation.events)).map(WaitsOn::label);
        let extension_request = state
            .extension_requested
            .then(|| {
                l.derivation
                    .events
                    .iter()
                    .rev()
                    .find_map(|(_, e)| ExtensionRequest::of(e))
            })
            .flatten();
        let open_consultations = open_consultations(&l.derivation);
        let staff = assignable(c, l.row.department_id)?;
        let history = store::trail::history(c, id)?;
        let mut people = BTreeMap::new();
        let ids = history
            .iter()
            .map(|h| h.actor_id)
            .chain(l.derivation.events.iter().map(|(r, _)| r.recorded_by));
        for user in ids {
            if let std::collections::btree_map::Entry::Vacant(e) = people.entry(user) {
                e.insert(store::users::find(c, user)?.map_or_else(String::new, |u| u.display_name));
            }
        }
        let department = l.dept.data.name.clone();
        let events: Vec<CaseEvent> = l.derivation.events.iter().map(|(_, e)| e.clone()).collect();
        let notice_kinds =
            super::case_files::notice_kinds(&events, l.derivation.state.receipt.is_some())
                .into_iter()
                .map(|k| (k.as_str(), k.title()))
                .collect();
        let notices = store::case_files::notices(c, id)?;
        let attachments = store::case_files::attachments_of(c, id)?;
        let view = view_of(c, l.row, l.derivation)?;
        Ok(CaseFile {
            view,
            department,
            history,
            handles,
            actions,
            waits_on,
            extension_request,
            people,
            staff,
            open_consultations,
            notice_kinds,
            notices,
            attachments,
        })
    })
}

/// What intake would make of a receipt: the channel's rule, the receipt date, and the due
/// date with its steps — shown before the clerk saves.
#[derive(Debug, Serialize)]
pub struct DuePreview {
    pub receipt_rule: &'static str,
    pub received_on: Option<NaiveDate>,
    pub deadline: Option<Deadline>,
    pub problem: Option<String>,
}

pub fn preview_due(
    ctx: &Ctx,
    actor: &Actor,
    department_id: i64,
    channel: &str,
    submitted_on: Option<NaiveDate>,
    received_on: Option<NaiveDate>,
) -> OpResult<DuePreview> {
    let channel = Channel::parse(channel.trim());
    let receipt_rule = channel.map_or("", Channel::receipt_rule);
    let received_on = match (channel, submitted_on) {
        (Some(ch), Some(s)) if ch.receipt_is_submission() => Some(s),
        _ => received_on,
    };
    let Some(received) = received_on else {
        return Ok(DuePreview {
            receipt_rule,
            received_on: None,
            deadline: None,
            problem: Some("收到申请之日尚未确定：确认后才开始计算答复期限".into()),
        });
    };
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        if !scope.allows(department_id) {
            return Err(OpError::NotFound("机关"));
        }
        let dept = department(c, department_id)?;
        let calendars = ctx.calendars(c)?;
        match derive(
            &calendars,
            &dept.data,
            Some(received),
            Vec::new(),
            ctx.today(),
        ) {
            Ok(d) => Ok(DuePreview {
                receipt_rule,
                received_on: Some(received),
                deadline: Some(d.deadline),
                problem: None,
            }),
            Err(e) => Ok(DuePreview {
                receipt_rule,
                received_on: Some(received),
                deadline: None,
                problem: Some(e.to_string()),
            }),
        }
    })
}

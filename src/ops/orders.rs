//! Supervision orders (督办, RULES.md §9; 条例 Art. 47): a supervisor of the OGI office issues
//! an order to a department below its own — about one case, several, or a problem in words
//! — with a deadline in working days on that department's calendar and a responsible
//! person; the department's staff answer; the office closes it (销号) or returns it. Each
//! write is versioned and audited in the order's action-log chain (`supervision_order:{id}`)
//! in its transaction. Orders past their deadline are mailed once by the scan
//! (`escalate`, called from `jobs::notify`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::cases::{departments_in_scope, display_number};
use super::{Ctx, OpError, OpResult, check_version, log_action, scope};
use crate::auth::{Actor, Role, Scope};
use crate::domain::calendar::{CalendarSet, WorkCalendar};
use crate::domain::order::{
    MAX_WORKING_DAYS, OrderDeadline, OrderStatus, OrderStep, answered_in_time, is_overdue,
    order_deadline,
};
use crate::domain::validation::{FieldErrors, multiline_text, optional_multiline, required_text};
use crate::store::orders::{NewOrder, NewStep, OrderRow, StepRow};
use crate::store::{self, DbConnection};

/// The most cases one order may name.
pub const MAX_CASES: usize = 100;

/// A case an order names.
#[derive(Debug, Clone, Serialize)]
pub struct OrderCase {
    pub case_id: i64,
    pub display_number: String,
}

/// A step after the issue, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub kind: String,
    pub kind_label: &'static str,
    pub body: String,
    pub recorded_on: NaiveDate,
    pub recorded_by: i64,
    pub recorded_by_name: String,
    pub created_at: NaiveDateTime,
}

/// An order as every face shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub id: i64,
    pub office_department_id: i64,
    pub office: String,
    pub department_id: i64,
    pub department: String,
    pub title: String,
    pub problem: String,
    pub responsible: String,
    pub issued_on: NaiveDate,
    pub working_days: i32,
    pub due_on: NaiveDate,
    /// The due date with its steps and articles.
    pub deadline: OrderDeadline,
    pub status: String,
    pub status_label: &'static str,
    /// An answer is owed and the due date has passed (as of `as_of`).
    pub overdue: bool,
    pub as_of: NaiveDate,
    /// The latest answer's day, and whether it met the due date.
    pub answered_on: Option<NaiveDate>,
    pub answered_in_time: Option<bool>,
    pub closed_on: Option<NaiveDate>,
    pub issued_by: i64,
    pub cases: Vec<OrderCase>,
    /// The steps after the issue, oldest first (single-order view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepView>>,
    /// What the caller may do now: `answer`, `return`, `close`.
    pub actions: Vec<&'static str>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Whether the caller may take `step` on the order at all: the department's own staff
/// answer; a supervisor whose scope holds the issuing office returns or closes.
fn may(actor: &Actor, scope: &Scope, row: &OrderRow, step: OrderStep) -> bool {
    match step {
        OrderStep::Answer => {
            matches!(actor.role, Role::Clerk | Role::Supervisor)
                && actor.department_id == Some(row.department_id)
        }
        OrderStep::Return | OrderStep::Close => {
            actor.role == Role::Supervisor && scope.allows(row.office_department_id)
        }
    }
}

/// What the caller may do to an order in `status` now.
fn actions_for(
    actor: &Actor,
    scope: &Scope,
    row: &OrderRow,
    status: OrderStatus,
) -> Vec<&'static str> {
    OrderStep::ALL
        .iter()
        .filter(|s| may(actor, scope, row, **s) && status.after(**s).is_ok())
        .map(|s| s.as_str())
        .collect()
}

/// Names and calendars needed to show orders.
struct Lookup {
    departments: HashMap<i64, store::departments::Department>,
    calendars: Arc<CalendarSet>,
}

impl Lookup {
    fn load(ctx: &Ctx, c: &mut DbConnection) -> OpResult<Lookup> {
        Ok(Lookup {
            departments: store::departments::list(c)?
                .into_iter()
                .map(|d| (d.id, d))
                .collect(),
            calendars: ctx.calendars(c)?,
        })
    }

    fn name(&self, id: i64) -> String {
        self.departments
            .get(&id)
            .map_or_else(String::new, |d| d.data.name.clone())
    }

    fn calendar(&self, department_id: i64) -> OpResult<Arc<WorkCalendar>> {
        let d = self
            .departments
            .get(&department_id)
            .ok_or(OpError::NotFound("机关"))?;
        Ok(crate::cases::department_calendar(&self.calendars, &d.data))
    }
}

fn parse_status(raw: &str) -> OpResult<OrderStatus> {
    OrderStatus::parse(raw).ok_or_else(|| OpError::internal(format!("order status {raw}")))
}

/// The view of one stored order (`cases`: its case ids).
fn view_of(
    c: &mut DbConnection,
    look: &Lookup,
    actor: &Actor,
    scope: &Scope,
    row: OrderRow,
    case_ids: &[i64],
    as_of: NaiveDate,
) -> OpResult<OrderView> {
    let status = parse_status(&row.status)?;
    let calendar = look.calendar(row.department_id)?;
    let days = u32::try_from(row.working_days).unwrap_or(0);
    let deadline = order_deadline(row.issued_on, days, &calendar)
        .map_err(|e| OpError::OutOfRange(e.to_string()))?;
    let code = look
        .departments
        .get(&row.department_id)
        .map_or_else(String::new, |d| d.data.code.clone());
    let mut cases = Vec::with_capacity(case_ids.len());
    for id in case_ids {
        if let Some(case) = store::cases::find(c, *id)? {
            cases.push(OrderCase {
                case_id: *id,
                display_number: display_number(&code, &case.case_number),
            });
        }
    }
    Ok(OrderView {
        id: row.id,
        office_department_id: row.office_department_id,
        office: look.name(row.office_department_id),
        department_id: row.department_id,
        department: look.name(row.department_id),
        actions: actions_for(actor, scope, &row, status),
        title: row.title,
        problem: row.problem,
        responsible: row.responsible,
        issued_on: row.issued_on,
        working_days: row.working_days,
        due_on: deadline.due_on,
        overdue: is_overdue(status, deadline.due_on, as_of),
        answered_in_time: row
            .answered_on
            .map(|d| answered_in_time(d, deadline.due_on)),
        deadline,
        status: row.status,
        status_label: status.label(),
        as_of,
        answered_on: row.answered_on,
        closed_on: row.closed_on,
        issued_by: row.issued_by,
        cases,
        steps: None,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// One order with its steps.
fn full_view(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    scope: &Scope,
    row: OrderRow,
) -> OpResult<OrderView> {
    let look = Lookup::load(ctx, c)?;
    let case_ids: Vec<i64> = store::orders::cases_of(c, &[row.id])?
        .into_iter()
        .map(|(_, case)| case)
        .collect();
    let steps = store::orders::steps(c, row.id)?;
    let mut view = view_of(c, &look, actor, scope, row, &case_ids, ctx.today())?;
    view.steps = Some(step_views(c, steps)?);
    Ok(view)
}

fn step_views(c: &mut DbConnection, steps: Vec<StepRow>) -> OpResult<Vec<StepView>> {
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(steps.len());
    for s in steps {
        if let std::collections::btree_map::Entry::Vacant(e) = names.entry(s.recorded_by) {
            let name = store::users::find(c, s.recorded_by)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            e.insert(name);
        }
        out.push(StepView {
            kind_label: OrderStep::parse(&s.kind).map_or("", OrderStep::label),
            recorded_by_name: names.get(&s.recorded_by).cloned().unwrap_or_default(),
            kind: s.kind,
            body: s.body,
            recorded_on: s.recorded_on,
            recorded_by: s.recorded_by,
            created_at: s.created_at,
        });
    }
    Ok(out)
}

/// An order the caller may see (its department is in scope), or "not found".
fn visible(c: &mut DbConnection, scope: &Scope, id: i64) -> OpResult<OrderRow> {
    store::orders::find(c, id)?
        .filter(|o| scope.allows(o.department_id))
        .ok_or(OpError::NotFound("督办事项"))
}

fn subject(id: i64) -> String {
    format!("supervision_order:{id}")
}

fn snapshot(v: &OrderView) -> serde_json::Value {
    // What the order says and where it stands; the derived explanation is left out.
    serde_json::json!({
        "id": v.id, "office_department_id": v.office_department_id,
        "department_id": v.department_id, "title": v.title, "problem": v.problem,
        "responsible": v.responsible, "issued_on": v.issued_on, "working_days": v.working_days,
        "due_on": v.due_on, "status": v.status, "answered_on": v.answered_on,
        "closed_on": v.closed_on,
        "case_ids": v.cases.iter().map(|c| c.case_id).collect::<Vec<_>>(),
        "version": v.version,
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    /// The department ordered to act (below the issuer's office).
    pub department_id: i64,
    /// 督办事项: a short title.
    pub title: String,
    /// The problem and what is required, in words.
    pub problem: String,
    /// The person answerable for it (责任人), by name.
    pub responsible: String,
    /// Working days on the department's calendar, counted from the day after issue.
    pub working_days: i64,
    /// The cases the order is about (all of the department).
    #[serde(default)]
    pub case_ids: Vec<i64>,
}

struct ParsedIssue {
    title: String,
    problem: String,
    responsible: String,
    working_days: u32,
    case_ids: Vec<i64>,
}

fn parse_issue(input: &IssueIn) -> OpResult<ParsedIssue> {
    let mut e = FieldErrors::default();
    let title = required_text(&mut e, "title", &input.title, 100);
    let problem = multiline_text(&mut e, "problem", &input.problem, 4000);
    let responsible = required_text(&mut e, "responsible", &input.responsible, 50);
    let days = u32::try_from(input.working_days)
        .ok()
        .filter(|d| (1..=MAX_WORKING_DAYS).contains(d));
    if days.is_none() {
        e.add(
            "working_days",
            format!("办理期限应为1至{MAX_WORKING_DAYS}个工作日"),
        );
    }
    let case_ids: Vec<i64> = input
        .case_ids
        .iter()
        .copied()
        .collect::<BTreeSet<i64>>()
        .into_iter()
        .collect();
    if case_ids.len() > MAX_CASES {
        e.add("case_ids", format!("一次督办最多涉及{MAX_CASES}件案件"));
    }
    match (title, problem, responsible, days, e.is_empty()) {
        (Some(title), Some(problem), Some(responsible), Some(working_days), true) => {
            Ok(ParsedIssue {
                title,
                problem,
                responsible,
                working_days,
                case_ids,
            })
        }
        _ => Err(OpError::Invalid(e)),
    }
}

/// Issues an order from the caller's office to a department below it.
pub fn issue(ctx: &Ctx, actor: &Actor, input: IssueIn) -> OpResult<OrderView> {
    if actor.role != Role::Supervisor {
        return Err(OpError::Denied {
            code: "office_only",
            message: "督办由政务公开办的监督人员下达".into(),
        });
    }
    let office = actor.department_id.ok_or(OpError::Forbidden)?;
    let parsed = parse_issue(&input)?;
    let today = ctx.today();
    ctx.write(|c| {
        let target =
            store::departments::find(c, input.department_id)?.ok_or(OpError::NotFound("机关"))?;
        let tree = store::departments::tree(c)?;
        if target.id == office || !tree.subtree(office).contains(&target.id) {
            return Err(OpError::Denied {
                code: "outside_subtree",
                message: format!("{}不是本机关的下级机关，不能向其下达督办", target.data.name),
            });
        }
        for id in &parsed.case_ids {
            let belongs =
                store::cases::find(c, *id)?.is_some_and(|case| case.department_id == target.id);
            if !belongs {
                return Err(OpError::field(
                    "case_ids",
                    format!("案件（ID {id}）不是{}的案件", target.data.name),
                ));
            }
        }
        let row = store::orders::insert(
            c,
            &NewOrder {
                office_department_id: office,
                department_id: target.id,
                title: parsed.title.clone(),
                problem: parsed.problem.clone(),
                responsible: parsed.responsible.clone(),
                issued_on: today,
                working_days: i32::try_from(parsed.working_days).unwrap_or(i32::MAX),
                issued_by: actor.user_id,
            },
            &parsed.case_ids,
        )?;
        let scope = scope(c, actor)?;
        let view = full_view(ctx, c, actor, &scope, row)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(view.id),
            "order_issued",
            None,
            &snapshot(&view),
        )?;
        Ok(view)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepIn {
    /// answer | return | close.
    pub kind: String,
    /// The answer (what was done), the reason for returning, or the 销号 comment
    /// (optional for `close`).
    #[serde(default)]
    pub body: Option<String>,
}

/// Answers, returns or closes an order (versioned).
pub fn step(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: StepIn,
) -> OpResult<OrderView> {
    let mut e = FieldErrors::default();
    let kind = OrderStep::parse(input.kind.trim());
    if kind.is_none() {
        e.add("kind", "取值应为：answer | return | close");
    }
    let body = match kind {
        Some(OrderStep::Close) => {
            optional_multiline(&mut e, "body", input.body.as_deref(), 4000).unwrap_or_default()
        }
        _ => {
            let message = match kind {
                Some(OrderStep::Return) => "请写明退回的理由和需要补充的内容",
                _ => "请写明办理或整改情况",
            };
            match input
                .body
                .as_deref()
                .map(str::trim)
                .filter(|b| !b.is_empty())
            {
                None => {
                    e.add("body", message);
                    String::new()
                }
                Some(b) => multiline_text(&mut e, "body", b, 4000).unwrap_or_default(),
            }
        }
    };
    let (Some(kind), true) = (kind, e.is_empty()) else {
        return Err(OpError::Invalid(e));
    };
    let today = ctx.today();
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let row = visible(c, &scope, id)?;
        let status = parse_status(&row.status)?;
        if !may(actor, &scope, &row, kind) {
            return Err(match kind {
                OrderStep::Answer => OpError::Denied {
                    code: "addressee_only",
                    message: "督办事项由被督办机关的工作人员反馈".into(),
                },
                _ => OpError::Denied {
                    code: "office_only",
                    message: "督办事项由下达督办的政务公开办销号或退回".into(),
                },
            });
        }
        check_version(row.version, expected)?;
        let next = status
            .after(kind)
            .map_err(|r| OpError::conflict("order_step_not_allowed", r.to_string()))?;
        let look = Lookup::load(ctx, c)?;
        let case_ids: Vec<i64> = store::orders::cases_of(c, &[id])?
            .into_iter()
            .map(|(_, case)| case)
            .collect();
        let before = view_of(c, &look, actor, &scope, row, &case_ids, today)?;
        let written = store::orders::take_step(
            c,
            id,
            expected,
            next.as_str(),
            NewStep {
                kind: kind.as_str(),
                body: &body,
                on: today,
                by: actor.user_id,
            },
        )?;
        if !written {
            return Err(OpError::StaleVersion);
        }
        let after = store::orders::find(c, id)?.ok_or(OpError::NotFound("督办事项"))?;
        let after = full_view(ctx, c, actor, &scope, after)?;
        let action = match kind {
            OrderStep::Answer => "order_answered",
            OrderStep::Return => "order_returned",
            OrderStep::Close => "order_closed",
        };
        let mut logged = snapshot(&after);
        logged["step"] = serde_json::json!({ "kind": kind.as_str(), "body": body });
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            action,
            Some(&snapshot(&before)),
            &logged,
        )?;
        Ok(after)
    })
}

/// One order, with its steps.
pub fn get(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<OrderView> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        if !scope.sees_departments() {
            return Err(OpError::Forbidden);
        }
        let row = visible(c, &scope, id)?;
        full_view(ctx, c, actor, &scope, row)
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Orders to this department (and those below it).
    pub department_id: Option<i64>,
    /// Comma-separated statuses: open, answered, returned, closed.
    pub status: Option<String>,
    /// Only orders past their due date with an answer owed.
    #[serde(default)]
    pub overdue: bool,
}

/// The orders to the departments in the caller's scope, newest first.
pub fn list(ctx: &Ctx, actor: &Actor, q: ListQuery) -> OpResult<Vec<OrderView>> {
    let mut statuses: Vec<&'static str> = Vec::new();
    for raw in q.status.as_deref().unwrap_or("").split(',') {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let s = OrderStatus::parse(raw).ok_or_else(|| {
            OpError::field(
                "status",
                "取值应为：open, answered, returned, closed（可用逗号分隔多个）",
            )
        })?;
        statuses.push(s.as_str());
    }
    let today = ctx.today();
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let departments = departments_in_scope(ctx, c, actor, q.department_id, true)?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let rows = store::orders::of_departments(c, &ids, &statuses)?;
        let order_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut cases: HashMap<i64, Vec<i64>> = HashMap::new();
        for (order, case) in store::orders::cases_of(c, &order_ids)? {
            cases.entry(order).or_default().push(case);
        }
        let look = Lookup::load(ctx, c)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let ids = cases.remove(&row.id).unwrap_or_default();
            let v = view_of(c, &look, actor, &scope, row, &ids, today)?;
            if !q.overdue || v.overdue {
                out.push(v);
            }
        }
        Ok(out)
    })
}

/// An open order as a case shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOrder {
    pub id: i64,
    pub title: String,
    pub office: String,
    pub status: String,
    pub status_label: &'static str,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// The orders not yet closed that name a case, due dates on the case's calendar.
pub fn open_for_case(
    c: &mut DbConnection,
    case_id: i64,
    calendar: &WorkCalendar,
    as_of: NaiveDate,
) -> OpResult<Vec<CaseOrder>> {
    let rows = store::orders::open_for_cases(c, &[case_id])?;
    let mut out = Vec::with_capacity(rows.len());
    for (_, row) in rows {
        let status = parse_status(&row.status)?;
        let due = order_deadline(
            row.issued_on,
            u32::try_from(row.working_days).unwrap_or(0),
            calendar,
        )
        .map_err(|e| OpError::OutOfRange(e.to_string()))?
        .due_on;
        let office = store::departments::find(c, row.office_department_id)?
            .map(|d| d.data.name)
            .unwrap_or_default();
        out.push(CaseOrder {
            id: row.id,
            title: row.title,
            office,
            status: row.status,
            status_label: status.label(),
            issued_on: row.issued_on,
            due_on: due,
            overdue: is_overdue(status, due, as_of),
        });
    }
    Ok(out)
}

/// Which of `case_ids` are named by an order not yet closed (the lists' 督办 mark).
pub fn case_ids_under_order(c: &mut DbConnection, case_ids: &[i64]) -> OpResult<BTreeSet<i64>> {
    Ok(store::orders::open_for_cases(c, case_ids)?
        .into_iter()
        .map(|(case, _)| case)
        .collect())
}

/// Queues the escalation of every order past its due date with an answer owed, once per
/// order and recipient (the outbox's dedup key names the order and its due date): to the
/// supervisors of the department ordered (or, when it has none, of the nearest department
/// above it below the office) and to the supervisors of the issuing office. Returns how
/// many mails were queued now.
pub fn escalate(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    users: &[store::users::User],
    public_url: &str,
    as_of: NaiveDate,
) -> Result<usize, String> {
    let owed = [OrderStatus::Open.as_str(), OrderStatus::Returned.as_str()];
    let rows = store::orders::with_status(c, &owed).map_err(|e| e.to_string())?;
    if rows.is_empty() {
        return Ok(0);
    }
    let departments: HashMap<i64, store::departments::Department> = store::departments::list(c)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let tree = store::departments::tree(c).map_err(|e| e.to_string())?;
    let supervisors_of = |dept: i64| -> Vec<&store::users::User> {
        users
            .iter()
            .filter(|u| {
                u.active
                    && u.role == Role::Supervisor.as_str()
                    && u.department_id == Some(dept)
                    && u.email.is_some()
            })
            .collect()
    };
    let mut queued = 0;
    for row in rows {
        let (Some(dept), Some(office)) = (
            departments.get(&row.department_id),
            departments.get(&row.office_department_id),
        ) else {
            continue;
        };
        let status = OrderStatus::parse(&row.status).ok_or("order status")?;
        let calendar = crate::cases::department_calendar(calendars, &dept.data);
        let due = order_deadline(
            row.issued_on,
            u32::try_from(row.working_days).unwrap_or(0),
            &calendar,
        )
        .map_err(|e| e.to_string())?
        .due_on;
        if !is_overdue(status, due, as_of) {
            continue;
        }
        let late = calendar
            .working_days_between(due, as_of)
            .map_err(|e| e.to_string())?
            .value;
        // The department's own supervisors, else the nearest ones above it (below the office).
        let mut recipients: Vec<&store::users::User> = Vec::new();
        let mut at = Some(dept.id);
        while let Some(d) = at.filter(|d| *d != office.id) {
            let found = supervisors_of(d);
            if !found.is_empty() {
                recipients.extend(found);
                break;
            }
            at = tree.parent_of(d);
        }
        recipients.extend(supervisors_of(office.id));
        let mut sent_to = BTreeSet::new();
        for u in recipients {
            let Some(email) = u.email.as_deref() else {
                continue;
            };
            if !sent_to.insert(email.to_owned()) {
                continue;
            }
            let mail = crate::mail::order_overdue(&crate::mail::OrderMail {
                order_id: row.id,
                recipient_name: &u.display_name,
                recipient: email,
                department: &dept.data.name,
                office: &office.data.name,
                title: &row.title,
                responsible: &row.responsible,
                issued_on: row.issued_on,
                due_on: due,
                as_of,
                working_days_late: late,
                link: &format!("{public_url}/orders/{}", row.id),
            });
            match mail {
                Ok(m) => {
                    if store::outbox::enqueue(c, &m).map_err(|e| e.to_string())? {
                        queued += 1;
                    }
                }
                Err(error) => tracing::warn!(order = row.id, %error, "order escalation skipped"),
            }
        }
    }
    Ok(queued)
}

//! Reconsiderations (行政复议) and lawsuits (行政诉讼) about a case: recorded when filed,
//! decided later (versioned), listed on the case and per department and year. They feed
//! table 四 of the annual report. A `corrected` decision reopens nothing by itself; the case
//! view flags it (`flags.remedy_corrected`) so the clerk can act. Every write is audited in
//! the case's chain, in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::cases::{departments_in_scope, visible_case};
use super::{CASE_WRITERS, Ctx, OpError, OpResult, check_version, require, scope};
use crate::auth::Actor;
use std::sync::Arc;

use crate::domain::annual::{RemedyKind, RemedyOutcome};
use crate::domain::calendar::WorkCalendar;
use crate::domain::remedy::{RemedyDeadline, judge_filing, remedy_deadline};
use crate::domain::validation::{FieldErrors, optional_text, required_text};
use crate::store::remedies::{NewRemedy, RemedyRow};
use crate::store::{self, DbConnection};

/// A remedy as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RemedyView {
    pub id: i64,
    pub case_id: i64,
    pub department_id: i64,
    pub kind: String,
    /// 行政复议 / 行政诉讼（未经复议直接起诉）/ 行政诉讼（复议后起诉）.
    pub kind_label: &'static str,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    /// The reconsideration organ or the court.
    pub body: String,
    pub case_ref: Option<String>,
    pub outcome: Option<String>,
    pub outcome_label: Option<&'static str>,
    pub decided_on: Option<NaiveDate>,
    /// The day the applicant received the reply (or, for a suit after reconsideration, the
    /// decision), when known.
    pub reply_received_on: Option<NaiveDate>,
    /// The day the filing was posted, when it was (a filing posted by the last day is in time).
    pub posted_on: Option<NaiveDate>,
    /// The period the filing is judged against, with its steps (the judgement last); none
    /// when nothing dates it (no reply before the filing).
    pub deadline: Option<RemedyDeadline>,
    /// What `deadline` counts from: `reply_received_on` (recorded), `reply_dispatched` (the
    /// reply's dispatch or issue date: the earliest it can have been received, so a `late`
    /// is a prompt to check the receipt) or `reconsideration_decided` (likewise).
    pub deadline_basis: Option<&'static str>,
    /// Filed (or posted) after the last day.
    pub late: Option<bool>,
    pub version: i32,
    pub recorded_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<RemedyRow> for RemedyView {
    fn from(r: RemedyRow) -> Self {
        let kind_label =
            RemedyKind::parse(&r.kind, r.after_reconsideration).map_or("", |k| k.label());
        let outcome_label = r
            .outcome
            .as_deref()
            .and_then(|o| RemedyOutcome::parse(o).ok())
            .map(RemedyOutcome::label);
        Self {
            id: r.id,
            case_id: r.case_id,
            department_id: r.department_id,
            kind: r.kind,
            kind_label,
            after_reconsideration: r.after_reconsideration,
            filed_on: r.filed_on,
            body: r.body,
            case_ref: r.case_ref,
            outcome: r.outcome,
            outcome_label,
            decided_on: r.decided_on,
            reply_received_on: r.reply_received_on,
            posted_on: r.posted_on,
            deadline: None,
            deadline_basis: None,
            late: None,
            version: r.version,
            recorded_by: r.recorded_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl RemedyView {
    pub fn is_corrected(&self) -> bool {
        self.outcome.as_deref() == Some(RemedyOutcome::Corrected.key())
    }
}

/// The remedies of a case, for its view, judged on the department's calendar.
pub fn for_case(
    c: &mut DbConnection,
    case_id: i64,
    calendar: &WorkCalendar,
) -> OpResult<Vec<RemedyView>> {
    store::remedies::for_case(c, case_id)?
        .into_iter()
        .map(|r| judged(c, r, calendar))
        .collect()
}

/// A remedy with its period and whether it was filed in time (行政复议法 Art. 20, 行政诉讼法
/// Arts 45, 46). No stored field says when the applicant received the reply: unless the
/// clerk recorded `reply_received_on`, the period counts from the reply's dispatch (issue)
/// date — for a suit after reconsideration, from the decision of the case's latest decided
/// reconsideration — the earliest possible receipt, and says so in `deadline_basis`.
fn judged(c: &mut DbConnection, r: RemedyRow, calendar: &WorkCalendar) -> OpResult<RemedyView> {
    let kind = RemedyKind::parse(&r.kind, r.after_reconsideration)
        .map_err(|e| OpError::internal(format!("remedy {}: {e}", r.id)))?;
    let basis = match (r.reply_received_on, kind) {
        (Some(d), _) => Some((d, "reply_received_on")),
        (
            None,
            RemedyKind::Litigation {
                after_reconsideration: true,
            },
        ) => store::remedies::for_case(c, r.case_id)?
            .into_iter()
            .filter(|o| o.kind == RemedyKind::Reconsideration.key())
            .filter_map(|o| o.decided_on)
            .filter(|d| *d <= r.filed_on)
            .max()
            .map(|d| (d, "reconsideration_decided")),
        (None, _) => store::replies::latest_for_case(c, r.case_id)?
            .map(|reply| reply.dispatched_on.unwrap_or(reply.issued_on))
            .filter(|d| *d <= r.filed_on)
            .map(|d| (d, "reply_dispatched")),
    };
    let (filed_on, posted_on) = (r.filed_on, r.posted_on);
    let mut view = RemedyView::from(r);
    if let Some((from, what)) = basis {
        let mut deadline = remedy_deadline(kind, from, calendar)
            .map_err(|e| OpError::OutOfRange(e.to_string()))?;
        let judgement = judge_filing(&deadline, filed_on, posted_on);
        deadline.steps.push(judgement.step);
        view.late = Some(judgement.late);
        view.deadline = Some(deadline);
        view.deadline_basis = Some(what);
    }
    Ok(view)
}

/// The working calendar of a case's department.
fn calendar_of(ctx: &Ctx, c: &mut DbConnection, department_id: i64) -> OpResult<Arc<WorkCalendar>> {
    let dept = crate::cases::department_data(c, department_id)?;
    let calendars = ctx.calendars(c)?;
    Ok(crate::cases::department_calendar(&calendars, &dept))
}

/// The audit snapshot of a remedy.
fn snapshot(r: &RemedyView) -> String {
    serde_json::json!({ "remedy": r }).to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemedyIn {
    pub kind: String,
    /// Litigation only: filed after a reconsideration decision (复议后起诉).
    pub after_reconsideration: Option<bool>,
    pub filed_on: NaiveDate,
    /// The reconsideration organ or the court.
    pub body: String,
    pub case_ref: Option<String>,
    /// The day the applicant received the reply (for a suit after reconsideration: the
    /// decision), when known: the remedy period runs from it.
    pub reply_received_on: Option<NaiveDate>,
    /// The day the application was posted, when it was.
    pub posted_on: Option<NaiveDate>,
}

/// The validated input: kind, dates, body, reference.
struct ParsedRemedy {
    kind: RemedyKind,
    filed_on: NaiveDate,
    body: String,
    case_ref: Option<String>,
    reply_received_on: Option<NaiveDate>,
    posted_on: Option<NaiveDate>,
}

fn parse_remedy(input: RemedyIn, today: NaiveDate) -> OpResult<ParsedRemedy> {
    let mut e = FieldErrors::default();
    let kind = match (input.kind.trim(), input.after_reconsideration) {
        ("reconsideration", None | Some(false)) => Some(RemedyKind::Reconsideration),
        ("reconsideration", Some(true)) => {
            e.add(
                "after_reconsideration",
                "仅行政诉讼可填写 after_reconsideration（复议后起诉）",
            );
            None
        }
        ("litigation", after) => Some(RemedyKind::Litigation {
            after_reconsideration: after.unwrap_or(false),
        }),
        _ => {
            e.add("kind", "取值应为：reconsideration | litigation");
            None
        }
    };
    if input.filed_on > today {
        e.add("filed_on", "提起日期不能晚于今天");
    }
    if input.reply_received_on.is_some_and(|d| d > input.filed_on) {
        e.add("reply_received_on", "收到答复日期不能晚于提起日期");
    }
    if input.posted_on.is_some_and(|d| d > input.filed_on) {
        e.add("posted_on", "交邮日期不能晚于提起日期");
    }
    let body = required_text(&mut e, "body", &input.body, 200);
    let case_ref = optional_text(&mut e, "case_ref", input.case_ref.as_deref(), 100);
    match (kind, body, e.is_empty()) {
        (Some(kind), Some(body), true) => Ok(ParsedRemedy {
            kind,
            filed_on: input.filed_on,
            body,
            case_ref,
            reply_received_on: input.reply_received_on,
            posted_on: input.posted_on,
        }),
        _ => Err(OpError::Invalid(e)),
    }
}

/// Records a reconsideration or lawsuit filed about a case.
pub fn record(ctx: &Ctx, actor: &Actor, case_id: i64, input: RemedyIn) -> OpResult<RemedyView> {
    require(actor, CASE_WRITERS)?;
    let parsed = parse_remedy(input, ctx.today())?;
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let case = visible_case(c, &scope, case_id)?;
        if parsed.filed_on < case.submitted_on {
            return Err(OpError::field("filed_on", "提起日期不能早于申请提交日期"));
        }
        let after_reconsideration = matches!(
            parsed.kind,
            RemedyKind::Litigation {
                after_reconsideration: true
            }
        );
        let row = store::remedies::insert(
            c,
            &NewRemedy {
                case_id,
                department_id: case.department_id,
                kind: parsed.kind.key().to_owned(),
                after_reconsideration,
                filed_on: parsed.filed_on,
                body: parsed.body.clone(),
                case_ref: parsed.case_ref.clone(),
                reply_received_on: parsed.reply_received_on,
                posted_on: parsed.posted_on,
                recorded_by: actor.user_id,
            },
        )?;
        let calendar = calendar_of(ctx, c, case.department_id)?;
        let out = judged(c, row, &calendar)?;
        store::trail::append(
            c,
            &ctx.audit_key,
            case_id,
            actor.user_id,
            "remedy_recorded",
            None,
            &snapshot(&out),
        )
        .map_err(super::error::on_insert)?;
        Ok(out)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub outcome: String,
    pub decided_on: NaiveDate,
}

/// Records the decision or judgment of a remedy (versioned).
pub fn decide(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: DecisionIn,
) -> OpResult<RemedyView> {
    require(actor, CASE_WRITERS)?;
    let mut e = FieldErrors::default();
    let outcome = RemedyOutcome::parse(input.outcome.trim()).ok();
    if outcome.is_none() {
        e.add("outcome", "取值应为：upheld | corrected | other");
    }
    if input.decided_on > ctx.today() {
        e.add("decided_on", "决定或裁判日期不能晚于今天");
    }
    let (Some(outcome), true) = (outcome, e.is_empty()) else {
        return Err(OpError::Invalid(e));
    };
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let row = store::remedies::find(c, id)?
            .filter(|r| scope.allows(r.department_id))
            .ok_or(OpError::NotFound("行政复议或行政诉讼"))?;
        check_version(row.version, expected)?;
        if input.decided_on < row.filed_on {
            return Err(OpError::field(
                "decided_on",
                format!("决定或裁判日期不能早于提起日期{}", row.filed_on),
            ));
        }
        if !store::remedies::decide(c, id, expected, outcome.key(), input.decided_on)? {
            return Err(OpError::StaleVersion);
        }
        let calendar = calendar_of(ctx, c, row.department_id)?;
        let before = judged(c, row, &calendar)?;
        let after = store::remedies::find(c, id)?.ok_or(OpError::NotFound("行政复议或行政诉讼"))?;
        let after = judged(c, after, &calendar)?;
        store::trail::append(
            c,
            &ctx.audit_key,
            after.case_id,
            actor.user_id,
            "remedy_decided",
            Some(&snapshot(&before)),
            &snapshot(&after),
        )
        .map_err(super::error::on_insert)?;
        Ok(after)
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub department_id: Option<i64>,
    #[serde(default)]
    pub include_subtree: bool,
    /// Filed in this calendar year.
    pub year: Option<i32>,
}

/// Remedies of the departments in the caller's scope.
pub fn list(ctx: &Ctx, actor: &Actor, q: ListQuery) -> OpResult<Vec<RemedyView>> {
    let filed = match q.year {
        None => None,
        Some(y) => Some(
            NaiveDate::from_ymd_opt(y, 1, 1)
                .zip(NaiveDate::from_ymd_opt(y, 12, 31))
                .filter(|_| (2000..=2099).contains(&y))
                .ok_or_else(|| OpError::field("year", "年度应在2000至2099之间"))?,
        ),
    };
    ctx.read(|c| {
        let departments = departments_in_scope(ctx, c, actor, q.department_id, q.include_subtree)?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let calendars = ctx.calendars(c)?;
        let by_id: std::collections::HashMap<i64, Arc<WorkCalendar>> = departments
            .iter()
            .map(|d| (d.id, crate::cases::department_calendar(&calendars, &d.data)))
            .collect();
        store::remedies::of_departments(c, &ids, filed)?
            .into_iter()
            .map(|r| match by_id.get(&r.department_id) {
                Some(cal) => judged(c, r, cal),
                None => Ok(RemedyView::from(r)),
            })
            .collect()
    })
}

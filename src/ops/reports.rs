//! Supervisors' lists: overdue and due-soon open cases, and compliance findings of recorded
//! replies. Scoped like every read: a clerk sees its department, a supervisor its subtree.
//! Each report also renders as tables (`tables()`) for CSV and Excel.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::cases::{departments_in_scope, refresh_paused};
use super::{Ctx, OpError, OpResult};
use crate::auth::Actor;
use crate::domain::calendar::CalendarSet;
use crate::domain::case::CaseState;
use crate::domain::case_actions::WaitsOn;
use crate::report::tabular::Table;
use crate::store::cases::{CaseRow, ListFilter, SortKey};
use crate::store::departments::Department;
use crate::store::{self, DbConnection};

/// At most this many rows in one report; more means the scope should be narrowed.
const MAX_ROWS: i64 = 20_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseReportQuery {
    pub as_of: Option<NaiveDate>,
    pub department_id: Option<i64>,
    #[serde(default)]
    pub include_subtree: bool,
    pub within: Option<u32>,
    pub format: Option<String>,
}

#[derive(Serialize)]
pub struct CaseLine {
    pub case_id: i64,
    pub case_number: String,
    /// `{department code} {case number}` (numbers repeat across departments).
    pub display_number: String,
    pub department_id: i64,
    pub department: String,
    pub applicant: String,
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    /// Overdue report: working days past the due date; due-soon report: working days left.
    pub working_days: i64,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
    /// Who must act before the case can be answered (`case_actions::WaitsOn`), and its words.
    pub waits_on: Option<WaitsOn>,
    pub waits_on_label: Option<&'static str>,
}

#[derive(Serialize)]
pub struct DepartmentTotal {
    pub department_id: i64,
    pub department: String,
    pub cases: i64,
    pub max_working_days: i64,
}

#[derive(Serialize)]
pub struct CaseReport {
    pub kind: &'static str,
    pub as_of: NaiveDate,
    pub within: Option<u32>,
    pub items: Vec<CaseLine>,
    pub totals: Vec<DepartmentTotal>,
    /// Open cases whose applicant let a period run out: the clerk must record the lapse
    /// (视为放弃) — they have no running due date, so the lists above cannot show them.
    pub lapsed: Vec<LapsedLine>,
    /// Due-soon list only: open cases whose applicant's days to pay a fee end within the
    /// window — the lapse (视为放弃) is coming, before it happens.
    pub payment_due: Vec<PaymentLine>,
}

/// An open case waiting on a fee whose payment period ends soon (国办函〔2020〕109号).
#[derive(Serialize)]
pub struct PaymentLine {
    pub case_id: i64,
    pub case_number: String,
    pub display_number: String,
    pub department_id: i64,
    /// The last day to pay (20 working days from the day after the notice was received).
    pub pay_by: NaiveDate,
    pub working_days_left: i64,
}

/// An open case waiting for a lapse to be recorded.
#[derive(Serialize)]
pub struct LapsedLine {
    pub case_id: i64,
    pub case_number: String,
    pub display_number: String,
    pub department_id: i64,
    pub status: String,
    /// The event to record: `correction_lapsed` (Art. 30) or `fee_lapsed` (国办函〔2020〕109号).
    pub needs: &'static str,
}

fn lines(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    departments: &[Department],
    rows: Vec<CaseRow>,
    as_of: NaiveDate,
    overdue: bool,
) -> OpResult<Vec<CaseLine>> {
    let users: HashMap<i64, String> = store::users::list(c)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let by_id: HashMap<i64, &Department> = departments.iter().map(|d| (d.id, d)).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut events = crate::cases::events_by_case(c, &ids)?;
    rows.into_iter()
        .filter_map(|row| {
            let dept = by_id.get(&row.department_id)?;
            let due = row.due_on?;
            Some((row, *dept, due))
        })
        .map(|(row, dept, due)| {
            let recorded = crate::cases::recorded(&events.remove(&row.id).unwrap_or_default());
            let waits_on = WaitsOn::of(&CaseState::fold(row.received_on, &recorded), &recorded);
            let cal = crate::cases::department_calendar(calendars, &dept.data);
            let (from, to) = if overdue { (due, as_of) } else { (as_of, due) };
            let days = cal
                .working_days_between(from, to)
                .map_err(|e| OpError::OutOfRange(e.to_string()))?
                .value;
            Ok(CaseLine {
                case_id: row.id,
                display_number: super::cases::display_number(&dept.data.code, &row.case_number),
                case_number: row.case_number,
                department_id: row.department_id,
                department: dept.data.name.clone(),
                applicant: row.applicant_name,
                received_on: row.received_on,
                due_on: row.due_on,
                status: row.status,
                working_days: days,
                assignee: row.assignee_id.and_then(|a| users.get(&a).cloned()),
                assignee_id: row.assignee_id,
                waits_on,
                waits_on_label: waits_on.map(WaitsOn::label),
            })
        })
        .collect()
}

fn totals(items: &[CaseLine]) -> Vec<DepartmentTotal> {
    let mut by: BTreeMap<i64, DepartmentTotal> = BTreeMap::new();
    for i in items {
        let t = by
            .entry(i.department_id)
            .or_insert_with(|| DepartmentTotal {
                department_id: i.department_id,
                department: i.department.clone(),
                cases: 0,
                max_working_days: 0,
            });
        t.cases += 1;
        t.max_working_days = t.max_working_days.max(i.working_days);
    }
    by.into_values().collect()
}

impl CaseReport {
    /// The report as tables, for CSV and Excel.
    pub fn tables(&self) -> Vec<Table> {
        let r = self;
        let days = if r.kind == "overdue" {
            "超期工作日"
        } else {
            "剩余工作日"
        };
        let mut items = Table::new(
            if r.kind == "overdue" {
                "超期案件"
            } else {
                "即将到期案件"
            },
            &[
                "案件编号",
                "承办机关",
                "申请人",
                "收到申请日期",
                "答复期限",
                "状态",
                days,
                "承办人",
                "等待事项",
            ],
        );
        for i in &r.items {
            items.rows.push(vec![
                i.display_number.clone().into(),
                i.department.clone().into(),
                i.applicant.clone().into(),
                i.received_on.into(),
                i.due_on.into(),
                i.status.clone().into(),
                i.working_days.into(),
                i.assignee.clone().into(),
                i.waits_on_label.map(str::to_owned).into(),
            ]);
        }
        let mut totals = Table::new(
            "按机关汇总",
            &["承办机关", "案件数", &format!("最多{days}")],
        );
        for t in &r.totals {
            totals.rows.push(vec![
                t.department.clone().into(),
                t.cases.into(),
                t.max_working_days.into(),
            ]);
        }
        vec![items, totals]
    }
}
/// The overdue list (`overdue`) or the due-soon list (within `within` working days).
pub fn case_report(
    ctx: &Ctx,
    actor: &Actor,
    q: &CaseReportQuery,
    overdue: bool,
) -> OpResult<CaseReport> {
    if overdue && q.within.is_some() {
        return Err(OpError::field("within", "超期清单不使用 within"));
    }
    let today = ctx.today();
    let as_of = q.as_of.unwrap_or(today);
    let within = if overdue {
        None
    } else {
        Some(q.within.unwrap_or(5))
    };
    if within.is_some_and(|w| w > 366) {
        return Err(OpError::field("within", "不能超过366个工作日"));
    }
    let departments =
        ctx.read(|c| departments_in_scope(ctx, c, actor, q.department_id, q.include_subtree))?;
    let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    refresh_paused(ctx, &ids, today)?;
    ctx.snapshot(|c| {
        let calendars = ctx.calendars(c)?;
        let mut filter = ListFilter {
            department_ids: ids.clone(),
            ..ListFilter::default()
        };
        if let Some(w) = within {
            let mut bounds = Vec::new();
            for d in &departments {
                let b = crate::cases::department_calendar(&calendars, &d.data)
                    .add_working_days(as_of, w);
                bounds.push((
                    d.id,
                    b.map_err(|e| OpError::OutOfRange(e.to_string()))?.value,
                ));
            }
            filter.due_from = Some(as_of);
            filter.due_by = Some(bounds);
        } else {
            filter.overdue_before = Some(as_of);
        }
        let rows = store::cases::list(c, &filter, SortKey::Due, None, MAX_ROWS)?;
        let items = lines(c, &calendars, &departments, rows, as_of, overdue)?;
        let (lapsed, payment_due) = lapsed(c, &calendars, &departments, as_of, within)?;
        Ok(CaseReport {
            kind: if overdue { "overdue" } else { "due_soon" },
            as_of,
            within,
            totals: totals(&items),
            items,
            lapsed,
            payment_due,
        })
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub department_id: Option<i64>,
    #[serde(default)]
    pub include_subtree: bool,
    pub format: Option<String>,
}

#[derive(Deserialize)]
struct StoredFinding {
    pub code: String,
    pub severity: String,
    /// The provision the rule rests on (absent in records older than the checker's articles).
    #[serde(default)]
    pub article: String,
}

#[derive(Serialize)]
pub struct CodeCount {
    pub code: String,
    pub severity: String,
    pub department_id: i64,
    pub department: String,
    pub count: i64,
    /// The provision the finding rests on, as the checker cited it.
    pub article: String,
    /// The replies behind the count.
    pub reply_ids: Vec<i64>,
}

#[derive(Serialize)]
pub struct ReplyLine {
    pub reply_id: i64,
    pub case_id: i64,
    pub department_id: i64,
    pub department: String,
    pub doc_number: Option<String>,
    pub issued_on: NaiveDate,
    pub outcome: String,
    pub findings: Vec<String>,
}

#[derive(Serialize)]
pub struct ComplianceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub replies: usize,
    /// Per finding code, over every department in the report.
    pub by_code: BTreeMap<String, i64>,
    pub counts: Vec<CodeCount>,
    pub items: Vec<ReplyLine>,
}

/// Findings of the replies issued in a period, by department and code.
pub fn compliance(ctx: &Ctx, actor: &Actor, q: &ComplianceQuery) -> OpResult<ComplianceReport> {
    let today = ctx.today();
    let to = q.to.unwrap_or(today);
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(OpError::field("from", "起始日期不能晚于截止日期"));
    }
    ctx.read(|c| {
        let departments = departments_in_scope(ctx, c, actor, q.department_id, q.include_subtree)?;
        let names: HashMap<i64, String> = departments
            .iter()
            .map(|d| (d.id, d.data.name.clone()))
            .collect();
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let replies = store::replies::issued_between(c, &ids, from, to)?;
        let mut counts: BTreeMap<(String, i64), CodeCount> = BTreeMap::new();
        let mut by_code: BTreeMap<String, i64> = BTreeMap::new();
        let mut items = Vec::new();
        for r in &replies {
            let findings: Vec<StoredFinding> =
                serde_json::from_str(&r.findings).map_err(OpError::internal)?;
            let department = names.get(&r.department_id).cloned().unwrap_or_default();
            for f in &findings {
                *by_code.entry(f.code.clone()).or_default() += 1;
                let entry = counts
                    .entry((f.code.clone(), r.department_id))
                    .or_insert_with(|| CodeCount {
                        code: f.code.clone(),
                        severity: f.severity.clone(),
                        department_id: r.department_id,
                        department: department.clone(),
                        count: 0,
                        article: f.article.clone(),
                        reply_ids: Vec::new(),
                    });
                entry.count += 1;
                entry.reply_ids.push(r.id);
            }
            items.push(ReplyLine {
                reply_id: r.id,
                case_id: r.case_id,
                department_id: r.department_id,
                department,
                doc_number: r.doc_number.clone(),
                issued_on: r.issued_on,
                outcome: r.outcome.clone(),
                findings: findings.into_iter().map(|f| f.code).collect(),
            });
        }
        Ok(ComplianceReport {
            from,
            to,
            replies: replies.len(),
            by_code,
            counts: counts.into_values().collect(),
            items,
        })
    })
}

impl ComplianceReport {
    /// The report as tables, for CSV and Excel.
    pub fn tables(&self) -> Vec<Table> {
        let report = self;
        let mut counts = Table::new(
            "问题统计",
            &["问题代码", "严重程度", "机关", "件数", "答复编号"],
        );
        for c in &report.counts {
            let ids = c
                .reply_ids
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            counts.rows.push(vec![
                c.code.clone().into(),
                c.severity.clone().into(),
                c.department.clone().into(),
                c.count.into(),
                ids.into(),
            ]);
        }
        let mut replies = Table::new(
            "答复清单",
            &[
                "答复编号",
                "案件编号",
                "机关",
                "文号",
                "成文日期",
                "答复结果",
                "问题",
            ],
        );
        for r in &report.items {
            replies.rows.push(vec![
                r.reply_id.into(),
                r.case_id.into(),
                r.department.clone().into(),
                r.doc_number.clone().into(),
                Some(r.issued_on).into(),
                r.outcome.clone().into(),
                r.findings.join(" ").into(),
            ]);
        }
        vec![counts, replies]
    }
}

/// Open cases of some departments, as of a date, whose 补正 or payment period has run out
/// (the deadline engine's `correction_period_passed` / `fee_period_passed`). Only cases with
/// events can have either, so cases merely received are skipped.
fn lapsed(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    departments: &[Department],
    as_of: NaiveDate,
    within: Option<u32>,
) -> OpResult<(Vec<LapsedLine>, Vec<PaymentLine>)> {
    use crate::domain::deadline::DeadlineFlag;
    let by_id: HashMap<i64, &Department> = departments.iter().map(|d| (d.id, d)).collect();
    let filter = ListFilter {
        department_ids: by_id.keys().copied().collect(),
        statuses: ["awaiting_correction", "in_progress", "paused"]
            .map(str::to_owned)
            .to_vec(),
        ..ListFilter::default()
    };
    let mut out = Vec::new();
    let mut payments = Vec::new();
    for row in store::cases::list(c, &filter, SortKey::Due, None, MAX_ROWS)? {
        let Some(dept) = by_id.get(&row.department_id) else {
            continue;
        };
        let events = crate::cases::load_events(c, row.id)?;
        let d = crate::cases::derive(calendars, &dept.data, row.received_on, events, as_of)?;
        if let (Some(w), Some(from)) = (within, d.state.fee_pay_from) {
            let cal = crate::cases::department_calendar(calendars, &dept.data);
            let range =
                |e: crate::domain::calendar::CalendarError| OpError::OutOfRange(e.to_string());
            let pay_by = cal
                .add_working_days(from, crate::domain::case::FEE_PAYMENT_DAYS)
                .map_err(range)?
                .value;
            let left = cal
                .working_days_between(as_of, pay_by)
                .map_err(range)?
                .value;
            if (0..=i64::from(w)).contains(&left) {
                payments.push(PaymentLine {
                    case_id: row.id,
                    display_number: super::cases::display_number(&dept.data.code, &row.case_number),
                    case_number: row.case_number.clone(),
                    department_id: row.department_id,
                    pay_by,
                    working_days_left: left,
                });
            }
        }
        for (flag, needs) in [
            (DeadlineFlag::CorrectionPeriodPassed, "correction_lapsed"),
            (DeadlineFlag::FeePeriodPassed, "fee_lapsed"),
        ] {
            if d.deadline.flags.contains(&flag) {
                out.push(LapsedLine {
                    case_id: row.id,
                    display_number: super::cases::display_number(&dept.data.code, &row.case_number),
                    case_number: row.case_number.clone(),
                    department_id: row.department_id,
                    status: row.status.clone(),
                    needs,
                });
            }
        }
    }
    Ok((out, payments))
}

//! Supervisors' lists: overdue and due-soon open cases, and compliance findings of recorded
//! replies; as JSON, CSV or .xlsx. Scoped like every read: a clerk sees its department, a
//! supervisor its subtree.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx};
use crate::domain::calendar::CalendarSet;
use crate::report::tabular::{self, Table};
use crate::store::cases::{CaseRow, ListFilter, SortKey};
use crate::store::departments::Department;
use crate::store::{self, DbConnection};

/// At most this many rows in one report; more means the scope should be narrowed.
const MAX_ROWS: i64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

fn parse_format(raw: Option<&str>) -> Result<Format, ApiError> {
    match raw {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("xlsx") => Ok(Format::Xlsx),
        Some(_) => Err(ApiError::field("format", "取值应为：json | csv | xlsx")),
    }
}

/// Answers JSON, or the tables as CSV (the first table) or as a workbook.
fn respond<T: Serialize>(
    format: Format,
    name: &str,
    json: &T,
    tables: &[Table],
) -> Result<HttpResponse, ApiError> {
    match format {
        Format::Json => Ok(HttpResponse::Ok().json(json)),
        Format::Csv => {
            let body = tables.first().map(tabular::csv).unwrap_or_default();
            Ok(HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ))
                .body(body))
        }
        Format::Xlsx => {
            let bytes = tabular::xlsx(tables).map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.xlsx\""),
                ))
                .body(bytes))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseReportQuery {
    as_of: Option<NaiveDate>,
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
    within: Option<u32>,
    format: Option<String>,
}

#[derive(Serialize)]
struct CaseLine {
    case_id: i64,
    case_number: String,
    department_id: i64,
    department: String,
    applicant: String,
    received_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    status: String,
    /// Overdue report: working days past the due date; due-soon report: working days left.
    working_days: i64,
    assignee_id: Option<i64>,
    assignee: Option<String>,
}

#[derive(Serialize)]
struct DepartmentTotal {
    department_id: i64,
    department: String,
    cases: i64,
    max_working_days: i64,
}

#[derive(Serialize)]
struct CaseReport {
    kind: &'static str,
    as_of: NaiveDate,
    within: Option<u32>,
    items: Vec<CaseLine>,
    totals: Vec<DepartmentTotal>,
}

fn lines(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    departments: &[Department],
    rows: Vec<CaseRow>,
    as_of: NaiveDate,
    overdue: bool,
) -> Result<Vec<CaseLine>, ApiError> {
    let users: HashMap<i64, String> = store::users::list(c)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let by_id: HashMap<i64, &Department> = departments.iter().map(|d| (d.id, d)).collect();
    rows.into_iter()
        .filter_map(|row| {
            let dept = by_id.get(&row.department_id)?;
            let due = row.due_on?;
            Some((row, *dept, due))
        })
        .map(|(row, dept, due)| {
            let cal = calendars.calendar(Some(&dept.data.region));
            let (from, to) = if overdue { (due, as_of) } else { (as_of, due) };
            let days = cal
                .working_days_between(from, to)
                .map_err(super::calendar::calendar_error)?
                .value;
            Ok(CaseLine {
                case_id: row.id,
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

fn case_tables(r: &CaseReport) -> Vec<Table> {
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
        ],
    );
    for i in &r.items {
        items.rows.push(vec![
            i.case_number.clone().into(),
            i.department.clone().into(),
            i.applicant.clone().into(),
            i.received_on.into(),
            i.due_on.into(),
            i.status.clone().into(),
            i.working_days.into(),
            i.assignee.clone().into(),
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

async fn case_report(
    state: State,
    auth: Auth,
    q: CaseReportQuery,
    overdue: bool,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(q.format.as_deref())?;
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let within = if overdue {
        None
    } else {
        Some(q.within.unwrap_or(5))
    };
    if within.is_some_and(|w| w > 366) {
        return Err(ApiError::field("within", "不能超过366个工作日"));
    }
    let st = state.clone();
    let today = state.today();
    let report = db_tx(&state.pool, move |c| {
        let departments = auth.departments(c, q.department_id, q.include_subtree)?;
        let calendars = st.calendars.current(c)?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        crate::cases::refresh_paused(c, &calendars, &ids, today)?;
        let mut filter = ListFilter {
            department_ids: departments.iter().map(|d| d.id).collect(),
            ..ListFilter::default()
        };
        if let Some(w) = within {
            let mut bounds = Vec::new();
            for d in &departments {
                let b = calendars
                    .calendar(Some(&d.data.region))
                    .add_working_days(as_of, w);
                bounds.push((d.id, b.map_err(super::calendar::calendar_error)?.value));
            }
            filter.due_from = Some(as_of);
            filter.due_by = Some(bounds);
        } else {
            filter.overdue_before = Some(as_of);
        }
        let rows = store::cases::list(c, &filter, SortKey::Due, None, MAX_ROWS)?;
        let items = lines(c, &calendars, &departments, rows, as_of, overdue)?;
        Ok(CaseReport {
            kind: if overdue { "overdue" } else { "due_soon" },
            as_of,
            within,
            totals: totals(&items),
            items,
        })
    })
    .await?;
    let name = format!("{}-{}", report.kind, report.as_of);
    respond(format, &name, &report, &case_tables(&report))
}

pub async fn overdue(
    state: State,
    auth: Auth,
    q: web::Query<CaseReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    if q.within.is_some() {
        return Err(ApiError::field("within", "超期清单不使用 within"));
    }
    case_report(state, auth, q, true).await
}

pub async fn due_soon(
    state: State,
    auth: Auth,
    q: web::Query<CaseReportQuery>,
) -> Result<HttpResponse, ApiError> {
    case_report(state, auth, q.into_inner(), false).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
    format: Option<String>,
}

#[derive(Deserialize)]
struct StoredFinding {
    code: String,
    severity: String,
}

#[derive(Serialize)]
struct CodeCount {
    code: String,
    severity: String,
    department_id: i64,
    department: String,
    count: i64,
    /// The replies behind the count.
    reply_ids: Vec<i64>,
}

#[derive(Serialize)]
struct ReplyLine {
    reply_id: i64,
    case_id: i64,
    department_id: i64,
    department: String,
    doc_number: Option<String>,
    issued_on: NaiveDate,
    outcome: String,
    findings: Vec<String>,
}

#[derive(Serialize)]
struct ComplianceReport {
    from: NaiveDate,
    to: NaiveDate,
    replies: usize,
    /// Per finding code, over every department in the report.
    by_code: BTreeMap<String, i64>,
    counts: Vec<CodeCount>,
    items: Vec<ReplyLine>,
}

pub async fn compliance(
    state: State,
    auth: Auth,
    q: web::Query<ComplianceQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = parse_format(q.format.as_deref())?;
    let today = state.today();
    let to = q.to.unwrap_or(today);
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::field("from", "起始日期不能晚于截止日期"));
    }
    let report = db(&state.pool, move |c| {
        let departments = auth.departments(c, q.department_id, q.include_subtree)?;
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
                serde_json::from_str(&r.findings).map_err(ApiError::internal)?;
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
    .await?;
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
    respond(
        format,
        &format!("compliance-{}-{}", report.from, report.to),
        &report,
        &[counts, replies],
    )
}

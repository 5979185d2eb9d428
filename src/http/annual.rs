//! The annual report (Art. 50; 国办公开办函〔2021〕30号): tables 三 and 四 computed from the
//! cases and remedies of a department (optionally with its subtree), as JSON, the official
//! layout as .xlsx or HTML, and the cases behind any cell. The counting is
//! `domain::annual`'s; this module only gathers the facts (receipt date, final conclusion,
//! applicant type; remedies) and shapes the answer. Scoped like every report.

use std::collections::{BTreeSet, HashMap};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db};
use super::remedies::RemedyOut;
use crate::domain::annual::{
    AnnualReport, ApplicantColumn, CaseFact, CellError, CellRef, Conclusion, RemedyFact,
    RemedyKind, RemedyOutcome, RowKey, Template, final_conclusion, outcome_row,
};
use crate::domain::case::{ApplicantType, CaseEvent};
use crate::domain::outcome::{Outcome, SpecialRegimeRow};
use crate::report::{annual_html, annual_xlsx};
use crate::store::annual::CaseBasics;
use crate::store::departments::Department;
use crate::store::remedies::RemedyRow;
use crate::store::{self, DbConnection};

/// Reports exist for years the bundled calendars cover, up to the current one (a report for
/// the current year is a preview of the year so far).
const FIRST_YEAR: i32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xlsx,
    Html,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualQuery {
    year: Option<i32>,
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
    format: Option<String>,
    template: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellQuery {
    year: Option<i32>,
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
    template: Option<String>,
    row: Option<String>,
    column: Option<String>,
}

/// What every annual request names: the year, the department and the layout.
struct ReportScope {
    year: i32,
    department_id: i64,
    include_subtree: bool,
    template: Template,
    /// Where `special_regime` replies count (a setting; echoed in the report).
    special_regime: SpecialRegimeRow,
}

fn parse_scope(
    year: Option<i32>,
    department_id: Option<i64>,
    include_subtree: bool,
    template: Option<&str>,
    today: NaiveDate,
    special_regime: SpecialRegimeRow,
) -> Result<ReportScope, ApiError> {
    let year = year.ok_or_else(|| ApiError::field("year", "请指定统计年度，如 year=2025"))?;
    if !(FIRST_YEAR..=today.year()).contains(&year) {
        return Err(ApiError::field(
            "year",
            format!("统计年度应在{FIRST_YEAR}年至{}年之间", today.year()),
        ));
    }
    let department_id = department_id
        .ok_or_else(|| ApiError::field("department_id", "请指定编制年度报告的机关"))?;
    let template = match template {
        None => Template::for_year(year),
        Some(raw) => Template::parse(raw.trim())
            .map_err(|_| ApiError::field("template", "取值应为：2021 | 2019"))?,
    };
    Ok(ReportScope {
        year,
        department_id,
        include_subtree,
        template,
        special_regime,
    })
}

/// The report with the facts it was computed from.
struct Computed {
    report: AnnualReport,
    department: Department,
    department_ids: Vec<i64>,
    cases: Vec<CaseBasics>,
    facts: HashMap<i64, CaseFact>,
    remedies: Vec<RemedyRow>,
    special_regime: SpecialRegimeRow,
}

/// Gathers the facts of the departments in scope, in one snapshot (a reply recorded
/// meanwhile must not pair a case's events with another reply), and computes the report.
async fn compute(state: &State, auth: Auth, s: ReportScope) -> Result<Computed, ApiError> {
    db(&state.pool, move |c| {
        use diesel::Connection;
        c.transaction(|c| {
            store::begin_snapshot(c)?;
            compute_in(c, &auth, &s)
        })
    })
    .await
}

fn compute_in(c: &mut DbConnection, auth: &Auth, s: &ReportScope) -> Result<Computed, ApiError> {
    let departments = auth.departments(c, Some(s.department_id), s.include_subtree)?;
    let department = departments
        .iter()
        .find(|d| d.id == s.department_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("机关"))?;
    let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    let codes: HashMap<i64, &str> = departments
        .iter()
        .map(|d| (d.id, d.data.code.as_str()))
        .collect();
    let end = NaiveDate::from_ymd_opt(s.year, 12, 31)
        .ok_or_else(|| ApiError::field("year", "统计年度无效"))?;

    let cases = store::annual::case_basics(c, &ids)?;
    let mut events: HashMap<i64, Vec<CaseEvent>> = HashMap::new();
    for row in store::annual::concluding_events(c, &ids)? {
        let event: CaseEvent = serde_json::from_str(&row.payload)
            .map_err(|e| ApiError::internal(format!("event {} unreadable: {e}", row.id)))?;
        events.entry(row.case_id).or_default().push(event);
    }
    // Oldest first: the last reply of a case is its latest.
    let mut latest_reply: HashMap<i64, String> = HashMap::new();
    for (case_id, outcome) in store::annual::reply_outcomes(c, &ids)? {
        latest_reply.insert(case_id, outcome);
    }

    let mut facts = HashMap::new();
    for case in &cases {
        // A case not yet received when the year ended has nothing to do with it; an
        // unconfirmed one submitted by then is listed (not counted) by the report's check.
        if case.received_on.unwrap_or(case.submitted_on) > end {
            continue;
        }
        let applicant: ApplicantColumn = ApplicantType::parse(&case.applicant_type)
            .ok_or_else(|| {
                ApiError::internal(format!(
                    "case {} has applicant type {}",
                    case.id, case.applicant_type
                ))
            })?
            .into();
        let reply = latest_reply
            .get(&case.id)
            .map(|o| {
                Outcome::parse(o)
                    .map(|o| outcome_row(o, s.special_regime))
                    .ok_or_else(|| {
                        ApiError::internal(format!("case {} has reply outcome {o}", case.id))
                    })
            })
            .transpose()?;
        let concluded = final_conclusion(events.get(&case.id).map_or(&[], Vec::as_slice), reply)
            .map_err(|e| ApiError::internal(format!("case {}: {e}", case.id)))?;
        let case_number = if ids.len() > 1 {
            format!(
                "{} {}",
                codes.get(&case.department_id).unwrap_or(&""),
                case.case_number
            )
        } else {
            case.case_number.clone()
        };
        facts.insert(
            case.id,
            CaseFact {
                case_id: case.id,
                case_number,
                applicant,
                received_on: case.received_on,
                concluded,
            },
        );
    }

    let remedies = store::remedies::of_departments(c, &ids, None)?;
    let remedy_facts = remedies
        .iter()
        .map(|r| {
            let kind = RemedyKind::parse(&r.kind, r.after_reconsideration)
                .map_err(|e| ApiError::internal(format!("remedy {}: {e}", r.id)))?;
            let outcome = r
                .outcome
                .as_deref()
                .map(RemedyOutcome::parse)
                .transpose()
                .map_err(|e| ApiError::internal(format!("remedy {}: {e}", r.id)))?;
            Ok(RemedyFact {
                remedy_id: r.id,
                case_id: r.case_id,
                kind,
                filed_on: r.filed_on,
                decided: r.decided_on.zip(outcome),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;

    let mut case_facts: Vec<CaseFact> = facts.values().cloned().collect();
    case_facts.sort_by_key(|f| f.case_id);
    let report = AnnualReport::compute(s.year, s.template, &case_facts, &remedy_facts)
        .map_err(|e| ApiError::field("year", e.to_string()))?;
    Ok(Computed {
        report,
        department,
        department_ids: ids,
        cases,
        facts,
        remedies,
        special_regime: s.special_regime,
    })
}

#[derive(Serialize)]
struct DepartmentRef {
    id: i64,
    name: String,
    code: String,
}

impl From<&Department> for DepartmentRef {
    fn from(d: &Department) -> Self {
        Self {
            id: d.id,
            name: d.data.name.clone(),
            code: d.data.code.clone(),
        }
    }
}

#[derive(Serialize)]
struct Table4Out {
    /// The 15 column labels, e.g. "行政诉讼 复议后起诉 尚未审结".
    columns: Vec<String>,
    /// The same columns' stable keys (`reconsideration_upheld` …), for `row=table4&column=`.
    column_keys: Vec<String>,
    values: [i64; 15],
}

#[derive(Serialize)]
struct AnnualOut<'a> {
    year: i32,
    department: DepartmentRef,
    include_subtree: bool,
    /// Every department whose cases are counted.
    department_ids: &'a [i64],
    template: Template,
    template_source: &'static str,
    table3: &'a crate::domain::annual::Table3,
    table4: Table4Out,
    checks: &'a [crate::domain::annual::Check],
    all_checks_pass: bool,
    /// The configurable readings this report was computed with.
    readings: Readings,
}

#[derive(Serialize)]
struct Readings {
    /// `administrative_query` ((三)8, the default) or `other` ((六)3).
    special_regime: &'static str,
    special_regime_row: &'static str,
}

fn title(c: &Computed, include_subtree: bool) -> String {
    let scope = if include_subtree {
        "（含所属机关）"
    } else {
        ""
    };
    format!(
        "{}{scope}{}年政府信息公开工作年度报告",
        c.department.data.name, c.report.year
    )
}

pub async fn annual_report(
    state: State,
    auth: Auth,
    q: web::Query<AnnualQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = match q.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("xlsx") => Format::Xlsx,
        Some("html") => Format::Html,
        Some(_) => return Err(ApiError::field("format", "取值应为：json | xlsx | html")),
    };
    let s = parse_scope(
        q.year,
        q.department_id,
        q.include_subtree,
        q.template.as_deref(),
        state.today(),
        state.settings.special_regime_row,
    )?;
    let include_subtree = s.include_subtree;
    let computed = compute(&state, auth, s).await?;
    let report = &computed.report;
    let file = format!("annual-{}-{}", report.year, computed.department.id);
    match format {
        Format::Json => {
            let columns = report.table4.columns;
            Ok(HttpResponse::Ok().json(AnnualOut {
                year: report.year,
                department: DepartmentRef::from(&computed.department),
                include_subtree,
                department_ids: &computed.department_ids,
                template: report.template,
                template_source: report.template.source(),
                table3: &report.table3,
                table4: Table4Out {
                    columns: columns.iter().map(|c| c.full_label()).collect(),
                    column_keys: columns.iter().map(|c| c.key()).collect(),
                    values: report.table4.values,
                },
                checks: &report.checks,
                all_checks_pass: report.all_checks_pass(),
                readings: Readings {
                    special_regime: computed.special_regime.as_str(),
                    special_regime_row: Outcome::SpecialRegime.report_row(computed.special_regime),
                },
            }))
        }
        Format::Xlsx => {
            let bytes = annual_xlsx::annual_xlsx(report, &title(&computed, include_subtree))
                .map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.xlsx\""),
                ))
                .body(bytes))
        }
        Format::Html => {
            let html = annual_html::annual_html(report, &title(&computed, include_subtree));
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html))
        }
    }
}

#[derive(Serialize)]
struct CaseLine {
    case_id: i64,
    case_number: String,
    department_id: i64,
    applicant_type: String,
    applicant_name: String,
    submitted_on: NaiveDate,
    received_on: Option<NaiveDate>,
    /// The date of the final conclusion (reply dispatched, withdrawal, lapse), if any.
    concluded_on: Option<NaiveDate>,
    /// `reply`, `withdrawn` or `abandoned`.
    conclusion: Option<&'static str>,
    /// The result row the conclusion counts in under the report's template.
    result_row: Option<RowKey>,
}

#[derive(Serialize)]
struct CellOut {
    year: i32,
    department_id: i64,
    template: Template,
    row: String,
    column: String,
    /// The cell's labels, e.g. "（三）不予公开 3.危及“三安全一稳定” / 自然人".
    label: String,
    /// The number in the cell.
    count: usize,
    /// The cases behind the cell (table 四: the cases of its remedies).
    items: Vec<CaseLine>,
    /// Table 四 only: the remedies behind the cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    remedies: Option<Vec<RemedyOut>>,
}

fn cell_error(e: CellError) -> ApiError {
    match e {
        CellError::UnknownKey(k) if k.kind == "row" => ApiError::field(
            "row",
            format!(
                "未知的行：{}；取值应为表三的行（new、carried_over、disclosed … carried_forward）或 table4",
                k.key
            ),
        ),
        CellError::UnknownKey(k) => ApiError::field(
            "column",
            format!(
                "未知的列：{}；表三取 natural_person … total，表四取 0 至 14 或 reconsideration_upheld 等",
                k.key
            ),
        ),
        CellError::RowNotInTemplate { row, template } => ApiError::field(
            "row",
            format!("{template}年表格式没有“{}”这一行", row.label()),
        ),
    }
}

pub async fn annual_cells(
    state: State,
    auth: Auth,
    q: web::Query<CellQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let s = parse_scope(
        q.year,
        q.department_id,
        q.include_subtree,
        q.template.as_deref(),
        state.today(),
        state.settings.special_regime_row,
    )?;
    let row = q
        .row
        .map(|r| r.trim().to_owned())
        .ok_or_else(|| ApiError::field("row", "请指定行，如 row=withheld_3 或 row=table4"))?;
    let column = q
        .column
        .map(|c| c.trim().to_owned())
        .ok_or_else(|| ApiError::field("column", "请指定列，如 column=natural_person"))?;
    let cell = CellRef::parse(&row, &column).map_err(cell_error)?;
    let computed = compute(&state, auth, s).await?;
    let report = &computed.report;
    let ids = report.cell_ids(cell).map_err(cell_error)?;
    let (label, case_ids, remedies) = match cell {
        CellRef::Table3 { row, column } => {
            let label = match row.group() {
                Some(group) => format!("{group} {} / {}", row.label(), column.label()),
                None => format!("{} / {}", row.label(), column.label()),
            };
            (label, ids.iter().copied().collect::<BTreeSet<i64>>(), None)
        }
        CellRef::Table4(column) => {
            let wanted: BTreeSet<i64> = ids.iter().copied().collect();
            let remedies: Vec<RemedyOut> = computed
                .remedies
                .iter()
                .filter(|r| wanted.contains(&r.id))
                .cloned()
                .map(RemedyOut::from)
                .collect();
            let case_ids = computed
                .remedies
                .iter()
                .filter(|r| wanted.contains(&r.id))
                .map(|r| r.case_id)
                .collect();
            (column.full_label(), case_ids, Some(remedies))
        }
    };
    let template = report.template;
    let items = computed
        .cases
        .iter()
        .filter(|c| case_ids.contains(&c.id))
        .map(|c| {
            let concluded = computed.facts.get(&c.id).and_then(|f| f.concluded);
            CaseLine {
                case_id: c.id,
                case_number: c.case_number.clone(),
                department_id: c.department_id,
                applicant_type: c.applicant_type.clone(),
                applicant_name: c.applicant_name.clone(),
                submitted_on: c.submitted_on,
                received_on: c.received_on,
                concluded_on: concluded.map(|(d, _)| d),
                conclusion: concluded.map(|(_, k)| match k {
                    Conclusion::Outcome(_) => "reply",
                    Conclusion::Withdrawn => "withdrawn",
                    Conclusion::Abandoned(_) => "abandoned",
                }),
                result_row: concluded.map(|(_, k)| template.result_row(k.row())),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CellOut {
        year: report.year,
        department_id: computed.department.id,
        template,
        row,
        column,
        label,
        count: ids.len(),
        items,
        remedies,
    }))
}

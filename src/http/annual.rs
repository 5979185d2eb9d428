//! The annual report (Art. 50; 国办公开办函〔2021〕30号): tables 三 and 四 computed from the
//! cases and remedies of a department (optionally with its subtree), as JSON, the official
//! layout as .xlsx or HTML, and the cases behind any cell. The counting is
//! `domain::annual`'s; this module only gathers the facts (receipt date, final conclusion,
//! applicant type; remedies) and shapes the answer. Scoped like every report.

use std::collections::BTreeSet;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, Query, State, run};
use crate::domain::annual::{CellError, CellRef, Conclusion, RowKey, Template};
use crate::domain::outcome::Outcome;
use crate::ops::annual::{self, Computed};
use crate::ops::remedies::RemedyView as RemedyOut;
use crate::report::{annual_html, annual_xlsx};
use crate::store::departments::Department;

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
    q: Query<AnnualQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = match q.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("xlsx") => Format::Xlsx,
        Some("html") => Format::Html,
        Some(_) => return Err(ApiError::field("format", "取值应为：json | xlsx | html")),
    };
    let s = annual::parse_scope(
        q.year,
        q.department_id,
        q.include_subtree,
        q.template.as_deref(),
        state.today(),
        state.settings.special_regime_row,
    )?;
    let include_subtree = s.include_subtree;
    let computed = run(&state, move |ctx| annual::compute(ctx, &auth.0, &s)).await?;
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
    /// `{department code} {case number}` (numbers repeat across departments).
    display_number: String,
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
    q: Query<CellQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let s = annual::parse_scope(
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
    let computed = run(&state, move |ctx| annual::compute(ctx, &auth.0, &s)).await?;
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
                display_number: crate::ops::cases::display_number(
                    computed
                        .department_codes
                        .get(&c.department_id)
                        .map_or("", String::as_str),
                    &c.case_number,
                ),
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

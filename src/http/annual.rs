//! The annual report (Art. 50; 国办公开办函〔2021〕30号): tables 三 and 四 computed from the
//! cases and remedies of a department (optionally with its subtree), as JSON, the official
//! layout as .xlsx or HTML, and the cases behind any cell. The counting is
//! `domain::annual`'s; this module only gathers the facts (receipt date, final conclusion,
//! applicant type; remedies) and shapes the answer. Scoped like every report.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, Query, State, run};
use crate::domain::annual::Template;
use crate::domain::outcome::Outcome;
use crate::ops::annual;
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
    /// Section 六 (其他需要报告的事项): the year's fee notices and fees collected.
    fees: crate::domain::fee::FeeFigures,
}

#[derive(Serialize)]
struct Readings {
    /// `administrative_query` ((三)8, the default) or `other` ((六)3).
    special_regime: &'static str,
    special_regime_row: &'static str,
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
                fees: computed.fees,
            }))
        }
        Format::Xlsx => {
            let bytes =
                annual_xlsx::annual_xlsx(report, &annual::title(&computed, include_subtree))
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
            let html = annual_html::annual_html(report, &annual::title(&computed, include_subtree));
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html))
        }
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
    let (row, column) = (q.row, q.column);
    let cell = run(&state, move |ctx| {
        annual::cell(ctx, &auth.0, &s, row.as_deref(), column.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(cell))
}

//! The annual report (Art. 50; 国办公开办函〔2021〕30号): tables 三 and 四 computed from the
//! cases and remedies of a department (optionally with its subtree), as JSON, the official
//! layout as .xlsx or HTML, the published page and .docx, the cases behind any cell, and
//! publishing (a frozen snapshot per version, `ops::annual_publish`). The counting is
//! `domain::annual`'s; this module only gathers the facts (receipt date, final conclusion,
//! applicant type; remedies) and shapes the answer. Scoped like every report.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, run};
use crate::ops::{annual, annual_publish};
use crate::report::{annual_docx, annual_html, annual_xlsx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xlsx,
    Html,
    /// The report as people read it (headings 一…六, printable).
    Page,
    Docx,
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
    /// `latest` (default: the latest publication, else live), `live`, or a version number.
    version: Option<String>,
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
        Some("page") => Format::Page,
        Some("docx") => Format::Docx,
        Some(_) => {
            return Err(ApiError::field(
                "format",
                "取值应为：json | xlsx | html | page | docx",
            ));
        }
    };
    let version = annual_publish::Version::parse(q.version.as_deref())?;
    let s = annual::parse_scope(
        q.year,
        q.department_id,
        q.include_subtree,
        q.template.as_deref(),
        state.today(),
        state.settings.special_regime_row,
    )?;
    let served = run(&state, move |ctx| {
        annual_publish::serve(ctx, &auth.0, s, version)
    })
    .await?;
    let report = &served.report;
    let version_tag = served
        .published
        .as_ref()
        .map_or_else(|| "live".to_owned(), |p| format!("v{}", p.version.version));
    let file = format!(
        "annual-{}-{}-{version_tag}",
        report.year,
        q.department_id.unwrap_or_default()
    );
    match format {
        Format::Json => Ok(HttpResponse::Ok().json(&served.body)),
        Format::Xlsx => {
            let bytes =
                annual_xlsx::annual_xlsx(report, &served.title).map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.xlsx\""),
                ))
                .body(bytes))
        }
        Format::Html => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(annual_html::annual_html(report, &served.title))),
        Format::Page => {
            let html = annual_html::published_page(report, &served.doc(&served.status()))
                .map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html))
        }
        Format::Docx => {
            let bytes = annual_docx::annual_docx(report, &served.doc(&served.status()))
                .map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                )
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.docx\""),
                ))
                .body(bytes))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationsQuery {
    year: Option<i32>,
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
}

/// The published versions of a department's year, oldest first.
pub async fn publications(
    state: State,
    auth: Auth,
    q: Query<PublicationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let year = q
        .year
        .ok_or_else(|| ApiError::field("year", "请指定统计年度，如 year=2025"))?;
    let department_id = q
        .department_id
        .ok_or_else(|| ApiError::field("department_id", "请指定机关"))?;
    let items = run(&state, move |ctx| {
        annual_publish::versions(ctx, &auth.0, department_id, q.include_subtree, year)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// Publishes a department's year (a new version; a reason from the second on).
pub async fn publish(
    state: State,
    auth: Auth,
    body: Json<annual_publish::PublishIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        annual_publish::publish(ctx, &auth.0, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
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

//! Supervisors' lists over JSON, CSV or .xlsx: parse → `ops::reports` → render.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;

use super::error::ApiError;
use super::extract::{Auth, Query, State, run};
use crate::ops::reports::{self, CaseReportQuery, ComplianceQuery};
use crate::report::tabular::{self, Table};

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
    let as_xlsx = match format {
        Format::Json => return Ok(HttpResponse::Ok().json(json)),
        Format::Csv => false,
        Format::Xlsx => true,
    };
    let file = tabular::download(tables, name, as_xlsx).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file.filename),
        ))
        .body(file.bytes))
}

async fn case_report(
    state: State,
    auth: Auth,
    q: CaseReportQuery,
    overdue: bool,
) -> Result<HttpResponse, ApiError> {
    let format = parse_format(q.format.as_deref())?;
    let report = run(&state, move |ctx| {
        reports::case_report(ctx, &auth.0, &q, overdue)
    })
    .await?;
    let name = format!("{}-{}", report.kind, report.as_of);
    respond(format, &name, &report, &report.tables())
}

pub async fn overdue(
    state: State,
    auth: Auth,
    q: Query<CaseReportQuery>,
) -> Result<HttpResponse, ApiError> {
    case_report(state, auth, q.into_inner(), true).await
}

pub async fn due_soon(
    state: State,
    auth: Auth,
    q: Query<CaseReportQuery>,
) -> Result<HttpResponse, ApiError> {
    case_report(state, auth, q.into_inner(), false).await
}

pub async fn compliance(
    state: State,
    auth: Auth,
    q: Query<ComplianceQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = parse_format(q.format.as_deref())?;
    let report = run(&state, move |ctx| reports::compliance(ctx, &auth.0, &q)).await?;
    respond(
        format,
        &format!("compliance-{}-{}", report.from, report.to),
        &report,
        &report.tables(),
    )
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverviewQuery {
    pub department_id: Option<i64>,
}

/// 督办 overview: open, due-soon and overdue cases per department of the subtree.
pub async fn supervision_overview(
    state: State,
    auth: Auth,
    q: Query<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let dept = q.into_inner().department_id;
    let o = run(&state, move |ctx| {
        crate::ops::supervision::overview(ctx, &auth.0, dept)
    })
    .await?;
    Ok(HttpResponse::Ok().json(o))
}

/// Extension requests waiting for the office head.
pub async fn approvals(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let items = run(&state, move |ctx| {
        crate::ops::supervision::approvals(ctx, &auth.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

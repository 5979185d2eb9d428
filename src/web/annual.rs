//! 年度报告 for supervisors: tables 三 and 四 in the official layout (the report's own
//! template, so page, document and workbook never disagree), the checks, the .xlsx, and the
//! cases behind any number one click away. Parse → `ops::annual` → render.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Datelike;
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, download, html};
use super::render::render;
use super::run;
use super::session::Page;
use crate::http::extract::State;
use crate::ops::{OpError, annual, org};
use crate::report::{annual_html, annual_xlsx};

#[derive(Deserialize)]
pub struct AnnualQuery {
    year: Option<i32>,
    department_id: Option<i64>,
    include_subtree: Option<String>,
    row: Option<String>,
    column: Option<String>,
    format: Option<String>,
}

impl AnnualQuery {
    fn subtree(&self) -> bool {
        self.include_subtree
            .as_deref()
            .is_some_and(|v| v == "1" || v == "on" || v == "true")
    }
}

/// The report page, or with `format=xlsx` its workbook.
pub async fn report(
    state: State,
    page: Page,
    q: web::Query<AnnualQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let today = state.ctx.today();
    let actor = page.0.actor.clone();
    let departments = run(&state, move |ctx| org::list_departments(ctx, &actor)).await?;
    let year = q.year.unwrap_or(today.year() - 1);
    let Some(department_id) = q
        .department_id
        .or_else(|| departments.first().map(|d| d.id))
    else {
        return Err(WebError::Op(OpError::NotFound("机关")));
    };
    let subtree = q.subtree();
    let scope = annual::parse_scope(
        Some(year),
        Some(department_id),
        subtree,
        None,
        today,
        state.settings.special_regime_row,
    )?;
    let actor = page.0.actor.clone();
    let computed = run(&state, move |ctx| annual::compute(ctx, &actor, &scope)).await?;
    let title = annual::title(&computed, subtree);
    if q.format.as_deref() == Some("xlsx") {
        let bytes = annual_xlsx::annual_xlsx(&computed.report, &title)
            .map_err(|e| WebError::Op(OpError::internal(e)))?;
        return Ok(download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("annual-{year}-{department_id}.xlsx"),
            bytes,
        ));
    }
    let sub = if subtree { "&include_subtree=1" } else { "" };
    let link = format!("/reports/annual/cell?year={year}&department_id={department_id}{sub}");
    let tables = annual_html::body(&computed.report, &title, &link)
        .map_err(|e| WebError::Op(OpError::internal(e)))?;
    let years: Vec<i32> = (2019..=today.year()).rev().collect();
    let body = render(
        "annual.html",
        context! {
            user => page.user(),
            title => title,
            tables => Value::from_safe_string(tables),
            year => year,
            years => years,
            department_id => department_id,
            subtree => subtree,
            departments => Value::from_serialize(departments.iter().map(|d| (d.id, d.data.name.clone())).collect::<Vec<_>>()),
            all_checks_pass => computed.report.all_checks_pass(),
            fees => Value::from_serialize(computed.fees),
            preview => year == today.year(),
            nav => "annual",
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// The cases behind one number of the report.
pub async fn cell(
    state: State,
    page: Page,
    q: web::Query<AnnualQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let subtree = q.subtree();
    let scope = annual::parse_scope(
        q.year,
        q.department_id,
        subtree,
        None,
        state.ctx.today(),
        state.settings.special_regime_row,
    )?;
    let actor = page.0.actor.clone();
    let (row, column) = (q.row.clone(), q.column.clone());
    let cell = run(&state, move |ctx| {
        annual::cell(ctx, &actor, &scope, row.as_deref(), column.as_deref())
    })
    .await?;
    let back = format!(
        "/reports/annual?year={}&department_id={}{}",
        cell.year,
        cell.department_id,
        if subtree { "&include_subtree=1" } else { "" }
    );
    let body = render(
        "annual_cell.html",
        context! { user => page.user(), c => Value::from_serialize(&cell), back => back, nav => "annual" },
    )?;
    Ok(html(StatusCode::OK, body))
}

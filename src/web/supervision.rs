//! 督办 pages for supervisors: the overview of the subtree with its chart, the overdue list
//! with its downloads, and the extension requests to decide. Each parses, calls one
//! operation, renders; deciding a request posts to the case's event form like any action.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, html};
use super::render::render;
use super::run;
use super::session::Page;
use crate::http::extract::State;
use crate::ops::reports::{self, CaseReportQuery};
use crate::ops::supervision;
use crate::report::tabular;

#[derive(Deserialize)]
pub struct ScopeQuery {
    department_id: Option<i64>,
    format: Option<String>,
}

pub async fn overview(
    state: State,
    page: Page,
    q: web::Query<ScopeQuery>,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let dept = q.department_id;
    let o = run(&state, move |ctx| supervision::overview(ctx, &actor, dept)).await?;
    let max = o.departments.iter().map(|d| d.open).max().unwrap_or(0);
    let body = render(
        "supervision.html",
        context! { user => page.user(), o => Value::from_serialize(&o), chart_max => max, nav => "supervision" },
    )?;
    Ok(html(StatusCode::OK, body))
}

pub async fn overdue(
    state: State,
    page: Page,
    q: web::Query<ScopeQuery>,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let query = CaseReportQuery {
        as_of: None,
        department_id: q.department_id,
        include_subtree: true,
        within: None,
        format: None,
    };
    let report = run(&state, move |ctx| {
        reports::case_report(ctx, &actor, &query, true)
    })
    .await?;
    let as_xlsx = match q.format.as_deref() {
        None => {
            let body = render(
                "overdue.html",
                context! { user => page.user(), r => Value::from_serialize(&report), department_id => q.department_id, nav => "supervision" },
            )?;
            return Ok(html(StatusCode::OK, body));
        }
        Some("xlsx") => true,
        Some("csv") => false,
        Some(_) => return Err(WebError::BadForm("下载格式应为 csv 或 xlsx".into())),
    };
    let name = format!("{}-{}", report.kind, report.as_of);
    let file = tabular::download(&report.tables(), &name, as_xlsx)
        .map_err(|e| WebError::Op(crate::ops::OpError::internal(e)))?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file.filename),
        ))
        .body(file.bytes))
}

#[derive(Deserialize)]
pub struct ApprovalsQuery {
    done: Option<String>,
    case: Option<String>,
}

pub async fn approvals(
    state: State,
    page: Page,
    q: web::Query<ApprovalsQuery>,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let list = run(&state, move |ctx| supervision::approvals(ctx, &actor)).await?;
    let today = state.ctx.today();
    let body = render(
        "approvals.html",
        context! {
            user => page.user(),
            items => Value::from_serialize(&list),
            today => today.to_string(),
            done => q.done.as_deref(),
            done_case => q.case.as_deref(),
            nav => "approvals",
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

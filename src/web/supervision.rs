//! 督办 pages for supervisors: the overview of the subtree with its chart, the overdue list
//! with its downloads, and the extension requests to decide. Each parses, calls one
//! operation, renders; deciding a request posts to the case's event form like any action.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, download, html};
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
    let (o, stuck) = run(&state, move |ctx| {
        Ok((
            supervision::overview(ctx, &actor, dept)?,
            crate::ops::reviews::stuck(ctx, &actor)?,
        ))
    })
    .await?;
    let max = o.departments.iter().map(|d| d.open).max().unwrap_or(0);
    let body = render(
        "supervision.html",
        context! {
            user => page.user(), o => Value::from_serialize(&o), chart_max => max, nav => "supervision",
            stuck => Value::from_serialize(&stuck),
        },
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
    Ok(download(file.content_type, &file.filename, file.bytes))
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

#[derive(Deserialize)]
pub struct ComplianceQuery {
    from: Option<String>,
    to: Option<String>,
    department_id: Option<i64>,
    /// Drill-down: the replies with this finding (and department, when given).
    code: Option<String>,
    dept: Option<i64>,
    format: Option<String>,
}

/// 答复合规: findings by department and code over a period, with the replies behind them.
pub async fn compliance(
    state: State,
    page: Page,
    q: web::Query<ComplianceQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let date = |raw: &Option<String>, name: &str| -> Result<Option<chrono::NaiveDate>, WebError> {
        match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| WebError::BadForm(format!("{name}“{s}”不是有效日期"))),
        }
    };
    let query = reports::ComplianceQuery {
        from: date(&q.from, "起始日期")?,
        to: date(&q.to, "截止日期")?,
        department_id: q.department_id,
        include_subtree: true,
        format: None,
    };
    let actor = page.0.actor.clone();
    let report = run(&state, move |ctx| reports::compliance(ctx, &actor, &query)).await?;
    if let Some(fmt) = q.format.as_deref() {
        let as_xlsx = match fmt {
            "xlsx" => true,
            "csv" => false,
            _ => return Err(WebError::BadForm("下载格式应为 csv 或 xlsx".into())),
        };
        let name = format!("compliance-{}-{}", report.from, report.to);
        let file = tabular::download(&report.tables(), &name, as_xlsx)
            .map_err(|e| WebError::Op(crate::ops::OpError::internal(e)))?;
        return Ok(download(file.content_type, &file.filename, file.bytes));
    }
    // The chart: one bar per code, most frequent first; its article from any count of it.
    let mut by_code: Vec<(String, i64, String)> = report
        .by_code
        .iter()
        .map(|(code, n)| {
            let article = report
                .counts
                .iter()
                .find(|c| &c.code == code)
                .map(|c| c.article.clone())
                .unwrap_or_default();
            (code.clone(), *n, article)
        })
        .collect();
    by_code.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let max = by_code.first().map_or(0, |b| b.1);
    let drill: Vec<&reports::ReplyLine> = match &q.code {
        Some(code) => report
            .items
            .iter()
            .filter(|r| r.findings.iter().any(|f| f == code))
            .filter(|r| q.dept.is_none_or(|d| r.department_id == d))
            .collect(),
        None => Vec::new(),
    };
    let body = render(
        "compliance.html",
        context! {
            user => page.user(),
            r => Value::from_serialize(&report),
            by_code => Value::from_serialize(&by_code),
            chart_max => max,
            code => q.code,
            dept => q.dept,
            department_id => q.department_id,
            drill => Value::from_serialize(&drill),
            nav => "compliance",
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

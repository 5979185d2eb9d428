//! 年度报告 for supervisors: tables 三 and 四 in the official layout (the report's own
//! template, so page, document and workbook never disagree), the checks, the .xlsx, and the
//! cases behind any number one click away; publishing (the state, the versions, the
//! 发布后变更 list, the published page and .docx of each version). Parse → ops → render.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Datelike;
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, download, html, refusal, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::auth::Role;
use crate::http::extract::State;
use crate::ops::{OpError, annual, annual_publish, org};
use crate::report::{annual_docx, annual_html, annual_xlsx};

#[derive(Deserialize)]
pub struct AnnualQuery {
    year: Option<i32>,
    department_id: Option<i64>,
    include_subtree: Option<String>,
    row: Option<String>,
    column: Option<String>,
    format: Option<String>,
    /// `latest` (default), `live` or a published version number.
    version: Option<String>,
    /// The action just done (`published`), for the confirmation line.
    done: Option<String>,
}

impl AnnualQuery {
    fn subtree(&self) -> bool {
        self.include_subtree
            .as_deref()
            .is_some_and(|v| v == "1" || v == "on" || v == "true")
    }
}

/// The report page (the latest publication of a published year, else live), or with
/// `format=xlsx | docx | page` that version's workbook, document or published page.
pub async fn report(
    state: State,
    page: Page,
    q: web::Query<AnnualQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    report_page(&state, &page, q, None, StatusCode::OK).await
}

async fn report_page(
    state: &State,
    page: &Page,
    q: AnnualQuery,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let today = state.ctx.today();
    let actor = page.0.actor.clone();
    let departments = run(state, move |ctx| org::list_departments(ctx, &actor)).await?;
    let year = q.year.unwrap_or(today.year() - 1);
    let Some(department_id) = q
        .department_id
        .or_else(|| departments.first().map(|d| d.id))
    else {
        return Err(WebError::Op(OpError::NotFound("机关")));
    };
    let subtree = q.subtree();
    let version = annual_publish::Version::parse(q.version.as_deref())?;
    let scope = annual::parse_scope(
        Some(year),
        Some(department_id),
        subtree,
        None,
        today,
        state.settings.special_regime_row,
    )?;
    let actor = page.0.actor.clone();
    let served = run(state, move |ctx| {
        annual_publish::serve(ctx, &actor, scope, version)
    })
    .await?;
    let report = &served.report;
    let tag = served
        .published
        .as_ref()
        .map_or_else(|| "live".to_owned(), |p| format!("v{}", p.version.version));
    let status_line = served.status();
    match q.format.as_deref() {
        Some("xlsx") => {
            let bytes = annual_xlsx::annual_xlsx(report, &served.title)
                .map_err(|e| WebError::Op(OpError::internal(e)))?;
            return Ok(download(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("annual-{year}-{department_id}-{tag}.xlsx"),
                bytes,
            ));
        }
        Some("docx") => {
            let bytes = annual_docx::annual_docx(report, &served.doc(&status_line))
                .map_err(|e| WebError::Op(OpError::internal(e)))?;
            return Ok(download(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &format!("annual-{year}-{department_id}-{tag}.docx"),
                bytes,
            ));
        }
        Some("page") => {
            let body = annual_html::published_page(report, &served.doc(&status_line))
                .map_err(|e| WebError::Op(OpError::internal(e)))?;
            return Ok(html(StatusCode::OK, body));
        }
        _ => {}
    }
    let sub = if subtree { "&include_subtree=1" } else { "" };
    let base = format!("/reports/annual?year={year}&department_id={department_id}{sub}");
    // The numbers link to the live cases only where the live numbers are shown.
    let link = format!("/reports/annual/cell?year={year}&department_id={department_id}{sub}");
    let tables = if served.published.is_some() {
        annual_html::body_without_links(report, &served.title)
    } else {
        annual_html::body(report, &served.title, &link)
    }
    .map_err(|e| WebError::Op(OpError::internal(e)))?;
    let years: Vec<i32> = (2019..=today.year()).rev().collect();
    let may_publish = matches!(page.0.actor.role, Role::Supervisor | Role::Admin);
    let body = render(
        "annual.html",
        context! {
            user => page.user(),
            title => served.title.clone(),
            tables => Value::from_safe_string(tables),
            year => year,
            years => years,
            department_id => department_id,
            subtree => subtree,
            departments => Value::from_serialize(departments.iter().map(|d| (d.id, d.data.name.clone())).collect::<Vec<_>>()),
            all_checks_pass => report.all_checks_pass(),
            fees => Value::from_serialize(served.fees),
            preview => year >= today.year(),
            published => Value::from_serialize(&served.published),
            status_line => status_line,
            versions => Value::from_serialize(&served.versions),
            changes => Value::from_serialize(&served.changes),
            live => served.published.is_none(),
            base => base,
            may_publish => may_publish,
            message => message,
            done => q.done,
            nav => "annual",
        },
    )?;
    Ok(html(status, body))
}

/// Publishes the year shown (a reason from the second version on), then shows it.
pub async fn publish(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let year = form.get("year").and_then(|y| y.parse().ok()).unwrap_or(0);
    let department_id = form
        .get("department_id")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let include_subtree = form.get("include_subtree") == Some("1");
    let input = annual_publish::PublishIn {
        department_id,
        year,
        include_subtree,
        reason: form.get("reason").map(str::to_owned),
    };
    let actor = page.0.actor.clone();
    let sub = if include_subtree {
        "&include_subtree=1"
    } else {
        ""
    };
    match run(&state, move |ctx| {
        annual_publish::publish(ctx, &actor, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/reports/annual?year={year}&department_id={department_id}{sub}&done=published"
        ))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let message = r.summary();
            let q = AnnualQuery {
                year: Some(year),
                department_id: Some(department_id),
                include_subtree: include_subtree.then(|| "1".to_owned()),
                row: None,
                column: None,
                format: None,
                version: None,
                done: None,
            };
            report_page(&state, &page, q, Some(message), r.status).await
        }
        Err(e) => Err(e),
    }
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

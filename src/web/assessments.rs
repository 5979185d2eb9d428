//! 考核通报 pages: the office's periods (define one), a period with its ranking, figures
//! (each drilling down to the cases, orders or items behind it), problems, the office's own
//! section and the publish form; the 通报 as a print page, .docx and the scores' .xlsx; the
//! rectification items (the department reports, the office closes or returns). Each handler
//! parses, calls one operation, renders or redirects.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Datelike;
use minijinja::{Value, context};
use serde::Deserialize;

use super::docx;
use super::error::{WebError, download, html, refusal, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::domain::assessment::{Indicator, IndicatorKind};
use crate::http::extract::State;
use crate::ops::assessments::{
    self, ItemQuery, ItemStepIn, ManualIn, PeriodIn, PeriodPatch, PublishIn,
};

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn list_page(
    state: &State,
    page: &Page,
    message: Option<String>,
    values: BTreeMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let items = run(state, move |ctx| assessments::list(ctx, &actor)).await?;
    let today = state.ctx.today();
    let body = render(
        "assessments.html",
        context! {
            user => page.user(), nav => "assessments", items => Value::from_serialize(&items),
            message => message, values => values, year => today.year(),
            quarter => today.month0() / 3 + 1,
        },
    )?;
    Ok(html(status, body))
}

pub async fn list(state: State, page: Page) -> Result<HttpResponse, WebError> {
    list_page(&state, &page, None, BTreeMap::new(), StatusCode::OK).await
}

pub async fn create(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let input = PeriodIn {
        kind: form.get("kind").unwrap_or_default().to_owned(),
        year: form.get("year").and_then(|y| y.parse().ok()).unwrap_or(0),
        quarter: form.get("quarter").and_then(|q| q.parse().ok()),
        department_id: None,
        title: form.get("title").map(str::to_owned),
        scheme: None,
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| assessments::create(ctx, &actor, input)).await {
        Ok(p) => Ok(see_other(&format!("/assessments/{}?done=created", p.id))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let message = r.summary();
            list_page(&state, &page, Some(message), form.values(), r.status).await
        }
        Err(e) => Err(e),
    }
}

async fn period_page(
    state: &State,
    page: &Page,
    id: i64,
    done: Option<String>,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (p, items) = run(state, move |ctx| {
        let p = assessments::get(ctx, &actor, id)?;
        let items = assessments::list_items(
            ctx,
            &actor,
            ItemQuery {
                period_id: Some(id),
                ..ItemQuery::default()
            },
        )?;
        Ok((p, items))
    })
    .await?;
    let body = render(
        "assessment.html",
        context! {
            user => page.user(), nav => "assessments", p => Value::from_serialize(&p),
            items => Value::from_serialize(&items), done => done, message => message,
        },
    )?;
    Ok(html(status, body))
}

pub async fn show(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, WebError> {
    period_page(
        &state,
        &page,
        path.into_inner(),
        q.into_inner().done,
        None,
        StatusCode::OK,
    )
    .await
}

fn version(form: &Form) -> Result<i32, WebError> {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadForm("缺少版本号".into()))
}

/// Runs a change to a period and shows the period again (with the refusal, if any).
async fn change<F>(
    state: &State,
    page: &Page,
    id: i64,
    done: &str,
    f: F,
) -> Result<HttpResponse, WebError>
where
    F: FnOnce(&crate::ops::Ctx) -> Result<assessments::PeriodView, crate::ops::OpError>
        + Send
        + 'static,
{
    match run(state, f).await {
        Ok(_) => Ok(see_other(&format!("/assessments/{id}?done={done}"))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let message = r.summary();
            period_page(state, page, id, None, Some(message), r.status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn remarks(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let patch = PeriodPatch {
        remarks: Some(form.get("remarks").unwrap_or_default().to_owned()),
        ..PeriodPatch::default()
    };
    let actor = page.0.actor.clone();
    change(&state, &page, id, "remarks", move |ctx| {
        assessments::update(ctx, &actor, id, expected, patch)
    })
    .await
}

/// The scheme form: rows `key_N`, `kind_N`, `name_N`, `weight_N`, `max_N`, `per_error_N`,
/// `per_warning_N`, `per_item_N`; a row with an empty key or `drop_N` set is left out.
fn scheme_of(form: &Form) -> Vec<Indicator> {
    let num = |k: String| form.get(&k).and_then(|v| v.trim().parse::<f64>().ok());
    let int = |k: String| form.get(&k).and_then(|v| v.trim().parse::<u32>().ok());
    (0..crate::domain::assessment::MAX_INDICATORS)
        .filter_map(|i| {
            let key = form.get(&format!("key_{i}"))?.trim().to_owned();
            if key.is_empty() || form.get(&format!("drop_{i}")).is_some() {
                return None;
            }
            Some(Indicator {
                key,
                kind: IndicatorKind::parse(form.get(&format!("kind_{i}")).unwrap_or_default())
                    .unwrap_or(IndicatorKind::Manual),
                name: form
                    .get(&format!("name_{i}"))
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                weight: int(format!("weight_{i}")).unwrap_or(0),
                max: int(format!("max_{i}")).unwrap_or(0),
                per_error: num(format!("per_error_{i}")).unwrap_or(0.0),
                per_warning: num(format!("per_warning_{i}")).unwrap_or(0.0),
                per_item: num(format!("per_item_{i}")).unwrap_or(0.0),
            })
        })
        .collect()
}

pub async fn scheme(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let patch = PeriodPatch {
        scheme: Some(scheme_of(&form)),
        ..PeriodPatch::default()
    };
    let actor = page.0.actor.clone();
    change(&state, &page, id, "scheme", move |ctx| {
        assessments::update(ctx, &actor, id, expected, patch)
    })
    .await
}

pub async fn manual(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let input = ManualIn {
        department_id: form
            .get("department_id")
            .and_then(|d| d.parse().ok())
            .unwrap_or(0),
        key: form.get("key").unwrap_or_default().to_owned(),
        score: form
            .get("score")
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN),
        note: form.get("note").unwrap_or_default().to_owned(),
    };
    let actor = page.0.actor.clone();
    change(&state, &page, id, "scored", move |ctx| {
        assessments::set_manual(ctx, &actor, id, expected, input)
    })
    .await
}

pub async fn publish(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let input = PublishIn {
        working_days: form
            .get("working_days")
            .and_then(|d| d.parse().ok())
            .unwrap_or(0),
    };
    let actor = page.0.actor.clone();
    change(&state, &page, id, "published", move |ctx| {
        assessments::publish(ctx, &actor, id, expected, input)
    })
    .await
}

async fn period(state: &State, page: &Page, id: i64) -> Result<assessments::PeriodView, WebError> {
    let actor = page.0.actor.clone();
    run(state, move |ctx| assessments::get(ctx, &actor, id)).await
}

/// The 通报 as a print page.
pub async fn notice(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let p = period(&state, &page, path.into_inner()).await?;
    let paragraphs = assessments::notice_paragraphs(&p);
    let body = render(
        "assessment_notice.html",
        context! {
            user => page.user(), nav => "assessments", p => Value::from_serialize(&p),
            paragraphs => paragraphs,
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// The 通报 as a .docx (GB/T 9704 layout of `web::docx`).
pub async fn notice_docx(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let p = period(&state, &page, id).await?;
    let date = p.published_on.unwrap_or(p.computed_on);
    let bytes = docx::letter(&docx::Letter {
        organ: &p.office,
        doc_number: None,
        title: &p.title,
        body: &assessments::notice_paragraphs(&p).join("\n"),
        date: &assessments::long_date(date),
    })
    .map_err(WebError::Internal)?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("assessment-{id}.docx"),
        bytes,
    ))
}

/// The scores as an .xlsx workbook.
pub async fn scores_xlsx(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let p = period(&state, &page, id).await?;
    let bytes = crate::report::tabular::xlsx(&[assessments::score_table(&p)])
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("assessment-{id}.xlsx"),
        bytes,
    ))
}

#[derive(Deserialize)]
pub struct ItemsPageQuery {
    status: Option<String>,
    overdue: Option<String>,
}

pub async fn items(
    state: State,
    page: Page,
    q: web::Query<ItemsPageQuery>,
) -> Result<HttpResponse, WebError> {
    let overdue = q.overdue.is_some();
    let status = q.status.clone().filter(|s| !s.is_empty());
    let query = ItemQuery {
        status: status.clone(),
        overdue,
        ..ItemQuery::default()
    };
    let actor = page.0.actor.clone();
    let items = run(&state, move |ctx| {
        assessments::list_items(ctx, &actor, query)
    })
    .await?;
    let body = render(
        "rectifications.html",
        context! {
            user => page.user(), nav => "orders", items => Value::from_serialize(&items),
            status => status, overdue => overdue,
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

async fn item_page(
    state: &State,
    page: &Page,
    id: i64,
    done: Option<String>,
    refused: Option<(String, BTreeMap<String, String>)>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let i = run(state, move |ctx| assessments::get_item(ctx, &actor, id)).await?;
    let (message, values) = refused.unzip();
    let body = render(
        "rectification.html",
        context! {
            user => page.user(), nav => "orders", i => Value::from_serialize(&i),
            done => done, message => message, values => values.unwrap_or_default(),
        },
    )?;
    Ok(html(status, body))
}

pub async fn item(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, WebError> {
    item_page(
        &state,
        &page,
        path.into_inner(),
        q.into_inner().done,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn item_step(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let kind = form.get("kind").unwrap_or_default().to_owned();
    let input = ItemStepIn {
        kind: kind.clone(),
        body: form.get("body").map(str::to_owned),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        assessments::item_step(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/assessments/items/{id}?done={kind}"))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let message = r.summary();
            item_page(
                &state,
                &page,
                id,
                None,
                Some((message, form.values())),
                r.status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

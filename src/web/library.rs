//! 案例库 pages: the library's search (published entries; the entries waiting for review for
//! supervisors), one entry — the copy, and for its curators the original beside it with the
//! edit, publish and withdraw forms; for staff the "按此答复" form naming one of their open
//! cases — and the case page's form marking a finished case typical. Each handler parses a
//! form, calls an operation, renders or redirects.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, html, refusal, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::domain::outcome::Outcome;
use crate::http::extract::State;
use crate::ops::cases::{self, ListQuery, handles};
use crate::ops::library::{self, EditIn, MarkIn, SearchQuery, UseIn, WithdrawIn};

fn outcomes() -> Vec<(&'static str, &'static str)> {
    Outcome::ALL
        .iter()
        .map(|o| (o.as_str(), o.label()))
        .collect()
}

#[derive(Deserialize)]
pub struct ListPageQuery {
    q: Option<String>,
    outcome: Option<String>,
    article: Option<String>,
    topic: Option<String>,
    status: Option<String>,
}

pub async fn list(
    state: State,
    page: Page,
    q: web::Query<ListPageQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let blank = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
    let query = SearchQuery {
        q: blank(&q.q),
        outcome: blank(&q.outcome),
        article: blank(&q.article),
        topic: blank(&q.topic),
        status: blank(&q.status),
        limit: Some(100),
    };
    let filters = serde_json::json!({
        "q": query.q, "outcome": query.outcome, "article": query.article,
        "topic": query.topic, "status": query.status.clone().unwrap_or_else(|| "published".into()),
    });
    let actor = page.0.actor.clone();
    let (result, errors, status) =
        match run(&state, move |ctx| library::search(ctx, &actor, query)).await {
            Ok(r) => (Some(r), BTreeMap::new(), StatusCode::OK),
            Err(WebError::Op(e)) => {
                let r = refusal(e)?;
                let mut fields = r.fields;
                if let Some(m) = r.message {
                    fields.insert("status".into(), m);
                }
                (None, fields, r.status)
            }
            Err(e) => return Err(e),
        };
    let body = render(
        "library.html",
        context! {
            user => page.user(), nav => "library", outcomes => outcomes(),
            result => Value::from_serialize(&result), f => Value::from_serialize(&filters),
            errors => errors,
            may_curate => matches!(page.0.actor.role, crate::auth::Role::Supervisor | crate::auth::Role::Admin),
        },
    )?;
    Ok(html(status, body))
}

/// The entry page: the copy; the original and the curator's forms; the cases it may answer.
async fn entry_page(
    state: &State,
    page: &Page,
    id: i64,
    values: Option<BTreeMap<String, String>>,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let today = state.today();
    let (entry, original, open_cases) = run(state, move |ctx| {
        let entry = library::get(ctx, &actor, id)?;
        let original = if entry.actions.contains(&"edit") {
            library::original(ctx, &actor, id).ok()
        } else {
            None
        };
        let open_cases = if entry.actions.contains(&"use") {
            let page = cases::list(
                ctx,
                &actor,
                ListQuery {
                    status: Some("received,awaiting_correction,in_progress,paused".into()),
                    department_id: None,
                    include_subtree: false,
                    assignee: None,
                    received_from: None,
                    received_to: None,
                    due_before: None,
                    overdue: false,
                    due_soon: None,
                    awaiting_approval: false,
                    unconfirmed: false,
                    q: None,
                    sort: None,
                    limit: Some(200),
                    cursor: None,
                    as_of: Some(today),
                },
            )?;
            page.items
                .into_iter()
                .filter(|c| handles(&actor, c.department_id, c.assignee_id))
                .map(|c| {
                    let first = c.items.first().cloned().unwrap_or_default();
                    (c.id, c.display_number, c.applicant.name, first, c.due_on)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok((entry, original, open_cases))
    })
    .await?;
    let values = values.unwrap_or_else(|| {
        let mut v = BTreeMap::new();
        v.insert("title".to_owned(), entry.title.clone());
        v.insert("note".to_owned(), entry.note.clone());
        v.insert("topics".to_owned(), entry.topics.join("、"));
        v.insert("items".to_owned(), entry.items.join("\n"));
        v.insert("reply_text".to_owned(), entry.reply_text.clone());
        v.insert(
            "reasons".to_owned(),
            entry.reasons.clone().unwrap_or_default(),
        );
        v
    });
    let open_cases: Vec<(i64, String, String, String, Option<chrono::NaiveDate>)> = open_cases;
    let body = render(
        "library_entry.html",
        context! {
            user => page.user(), nav => "library", e => Value::from_serialize(&entry),
            original => Value::from_serialize(&original), values => values,
            open_cases => Value::from_serialize(&open_cases), message => message,
        },
    )?;
    Ok(html(status, body))
}

pub async fn show(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    entry_page(&state, &page, path.into_inner(), None, None, StatusCode::OK).await
}

/// A refused step shows the entry again, saying why and keeping what was typed.
async fn refused(
    state: &State,
    page: &Page,
    id: i64,
    form: &Form,
    e: WebError,
) -> Result<HttpResponse, WebError> {
    match e {
        WebError::Op(e) => {
            let r = refusal(e)?;
            let mut message = r.message.unwrap_or_default();
            for m in r.fields.values() {
                message.push_str(m);
                message.push('。');
            }
            let values = (form.get("reply_text").is_some()).then(|| form.values());
            entry_page(state, page, id, values, Some(message), r.status).await
        }
        e => Err(e),
    }
}

/// 标为典型案例, from the case page.
pub async fn mark(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let case_id = form
        .get("case_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadForm("缺少案件编号".into()))?;
    let input = MarkIn {
        case_id,
        topics: vec![form.get("topics").unwrap_or_default().to_owned()],
        note: form.get("note").unwrap_or_default().to_owned(),
    };
    let actor = page.0.actor.clone();
    let entry = run(&state, move |ctx| library::mark(ctx, &actor, input)).await?;
    Ok(see_other(&format!("/library/{}", entry.id)))
}

pub async fn edit(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = super::form_version(&form)?;
    let input = EditIn {
        title: form.get("title").unwrap_or_default().to_owned(),
        note: form.get("note").unwrap_or_default().to_owned(),
        topics: vec![form.get("topics").unwrap_or_default().to_owned()],
        items: form
            .get("items")
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect(),
        reply_text: form.get("reply_text").unwrap_or_default().to_owned(),
        reasons: form.get("reasons").map(str::to_owned),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        library::edit(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/library/{id}?saved=1"))),
        Err(e) => refused(&state, &page, id, &form, e).await,
    }
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
    let expected = super::form_version(&form)?;
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        library::publish(ctx, &actor, id, expected)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/library/{id}"))),
        Err(e) => refused(&state, &page, id, &form, e).await,
    }
}

pub async fn withdraw(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = super::form_version(&form)?;
    let input = WithdrawIn {
        reason: form.get("reason").unwrap_or_default().to_owned(),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        library::withdraw(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/library/{id}"))),
        Err(e) => refused(&state, &page, id, &form, e).await,
    }
}

/// 按此答复: the draft opens in the case's reply form.
pub async fn use_entry(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let Some(case_id) = form.get("case_id").and_then(|v| v.parse::<i64>().ok()) else {
        return entry_page(
            &state,
            &page,
            id,
            None,
            Some("请选择要答复的案件".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        library::use_entry(ctx, &actor, id, UseIn { case_id })
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{case_id}/reply?library={id}"))),
        Err(e) => refused(&state, &page, id, &form, e).await,
    }
}

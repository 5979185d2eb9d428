//! 督办事项 pages: the list of orders in scope, the office's form to issue one (optionally
//! about cases, from a case page), and one order with its due date, history and the forms
//! its reader may use (answer; return or 销号). Each handler parses, calls one operation,
//! renders or redirects.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, html, refusal, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::auth::Role;
use crate::http::extract::State;
use crate::ops::orders::{self, IssueIn, ListQuery, StepIn};
use crate::ops::{OpError, cases};

#[derive(Deserialize)]
pub struct ListPageQuery {
    status: Option<String>,
    overdue: Option<String>,
}

pub async fn list(
    state: State,
    page: Page,
    q: web::Query<ListPageQuery>,
) -> Result<HttpResponse, WebError> {
    let overdue = q.overdue.is_some();
    let status = q.status.clone().filter(|s| !s.is_empty());
    let query = ListQuery {
        department_id: None,
        status: status.clone(),
        overdue,
    };
    let actor = page.0.actor.clone();
    let items = run(&state, move |ctx| orders::list(ctx, &actor, query)).await?;
    let body = render(
        "orders.html",
        context! {
            user => page.user(), nav => "orders", items => Value::from_serialize(&items),
            status => status, overdue => overdue,
            may_issue => page.0.actor.role == Role::Supervisor,
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// The departments below the caller's own, in tree order of ids (the order form's choice).
async fn targets(state: &State, page: &Page) -> Result<Vec<(i64, String)>, WebError> {
    let actor = page.0.actor.clone();
    let own = actor.department_id;
    let list = run(state, move |ctx| {
        ctx.read(|c| cases::departments_in_scope(ctx, c, &actor, None, true))
    })
    .await?;
    Ok(list
        .into_iter()
        .filter(|d| Some(d.id) != own)
        .map(|d| (d.id, d.data.name))
        .collect())
}

/// The cases named on the form, as (id, display number), read through the case view so
/// that only cases the caller may see are shown.
async fn named_cases(
    state: &State,
    page: &Page,
    ids: Vec<i64>,
) -> Result<Vec<(i64, String, i64)>, WebError> {
    let actor = page.0.actor.clone();
    run(state, move |ctx| {
        let mut out = Vec::new();
        for id in ids {
            let f = cases::case_file(ctx, &actor, id)?;
            out.push((id, f.view.display_number, f.view.department_id));
        }
        Ok(out)
    })
    .await
}

async fn form_page(
    state: &State,
    page: &Page,
    case_ids: Vec<i64>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let departments = targets(state, page).await?;
    let named = named_cases(state, page, case_ids).await?;
    let mut values = values;
    if let Some((_, _, dept)) = named.first() {
        values
            .entry("department_id".into())
            .or_insert_with(|| dept.to_string());
    }
    values
        .entry("working_days".into())
        .or_insert_with(|| "5".into());
    let body = render(
        "order_new.html",
        context! {
            user => page.user(), nav => "orders", departments => departments,
            cases => named, values => values, errors => errors, message => message,
        },
    )?;
    Ok(html(status, body))
}

pub async fn new_form(
    state: State,
    page: Page,
    q: web::Query<Form>,
) -> Result<HttpResponse, WebError> {
    if page.0.actor.role != Role::Supervisor {
        return Err(WebError::Op(OpError::Denied {
            code: "office_only",
            message: "督办由政务公开办的监督人员下达".into(),
        }));
    }
    // `case` may repeat (several cases of the department).
    let ids: Vec<i64> = q
        .all("case")
        .iter()
        .filter_map(|c| c.parse().ok())
        .collect();
    form_page(
        &state,
        &page,
        ids,
        BTreeMap::new(),
        BTreeMap::new(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn issue(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let case_ids: Vec<i64> = form
        .all("case")
        .iter()
        .filter_map(|c| c.parse().ok())
        .collect();
    let mut errors = BTreeMap::new();
    let department_id = form.get("department_id").and_then(|d| d.parse().ok());
    if department_id.is_none() {
        errors.insert("department_id".to_owned(), "请选择被督办机关".to_owned());
    }
    let working_days = form.get("working_days").and_then(|d| d.parse().ok());
    if working_days.is_none() {
        errors.insert("working_days".to_owned(), "请填写工作日数".to_owned());
    }
    let (Some(department_id), Some(working_days)) = (department_id, working_days) else {
        return form_page(
            &state,
            &page,
            case_ids,
            form.values(),
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = IssueIn {
        department_id,
        title: form.get("title").unwrap_or_default().to_owned(),
        problem: form.get("problem").unwrap_or_default().to_owned(),
        responsible: form.get("responsible").unwrap_or_default().to_owned(),
        working_days,
        case_ids: case_ids.clone(),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| orders::issue(ctx, &actor, input)).await {
        Ok(o) => Ok(see_other(&format!("/orders/{}?done=issued", o.id))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            form_page(
                &state,
                &page,
                case_ids,
                form.values(),
                r.fields,
                r.message,
                r.status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct OrderQuery {
    done: Option<String>,
}

async fn order_view(
    state: &State,
    page: &Page,
    id: i64,
    done: Option<String>,
    refused: Option<(String, BTreeMap<String, String>)>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let o = run(state, move |ctx| orders::get(ctx, &actor, id)).await?;
    let (message, values) = refused.unzip();
    let body = render(
        "order.html",
        context! {
            user => page.user(), nav => "orders", o => Value::from_serialize(&o),
            done => done, message => message, values => values.unwrap_or_default(),
        },
    )?;
    Ok(html(status, body))
}

pub async fn show(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<OrderQuery>,
) -> Result<HttpResponse, WebError> {
    order_view(
        &state,
        &page,
        path.into_inner(),
        q.into_inner().done,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn step(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadForm("缺少督办事项版本号".into()))?;
    let kind = form.get("kind").unwrap_or_default().to_owned();
    let input = StepIn {
        kind: kind.clone(),
        body: form.get("body").map(str::to_owned),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        orders::step(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/orders/{id}?done={kind}"))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let message = r.summary();
            order_view(
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

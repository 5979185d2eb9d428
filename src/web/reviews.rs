//! 答复审核: a reply's review page (the letter, the checker's findings, the chain and its
//! steps; approve or return for the level's reviewers; issue for the clerk once approved),
//! and the reviewer's queue. Each handler parses a form, calls one operation, renders.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};

use super::error::{WebError, html, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::http::extract::State;
use crate::ops::OpError;
use crate::ops::cases;
use crate::ops::reviews::{self, DecisionIn, IssueIn};

async fn review_page(
    state: &State,
    page: &Page,
    id: i64,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (file, review) = run(state, move |ctx| {
        let file = cases::case_file(ctx, &actor, id)?;
        let review = reviews::get(ctx, &actor, id)?.ok_or(OpError::NotFound("答复审核"))?;
        Ok((file, review))
    })
    .await?;
    let body = render(
        "review.html",
        context! {
            user => page.user(), nav => "reviews", file => Value::from_serialize(&file),
            r => Value::from_serialize(&review), message => message,
            today => state.today().to_string(),
        },
    )?;
    Ok(html(status, body))
}

pub async fn show(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    review_page(&state, &page, path.into_inner(), None, StatusCode::OK).await
}

/// A refused step shows the page again with why.
async fn refused(
    state: &State,
    page: &Page,
    id: i64,
    e: WebError,
) -> Result<HttpResponse, WebError> {
    match e {
        WebError::Op(e) => {
            let r = super::error::refusal(e)?;
            let mut message = r.message.unwrap_or_default();
            for m in r.fields.values() {
                message.push_str(m);
            }
            review_page(state, page, id, Some(message), r.status).await
        }
        e => Err(e),
    }
}

pub async fn decide(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = super::form_version(&form)?;
    let input = DecisionIn {
        decision: form.get("decision").unwrap_or_default().to_owned(),
        comment: form.get("comment").map(str::to_owned),
        override_reason: form.get("override_reason").map(str::to_owned),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        reviews::decide(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}/review"))),
        Err(e) => refused(&state, &page, id, e).await,
    }
}

pub async fn issue(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = super::form_version(&form)?;
    let dispatched_on = match form.get("dispatched_on") {
        None => None,
        Some(raw) => match raw.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                return review_page(
                    &state,
                    &page,
                    id,
                    Some("请填写有效的发出日期".into()),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    let input = IssueIn {
        dispatched_on,
        tracking_number: form.get("tracking_number").map(str::to_owned),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        reviews::issue(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=replied"))),
        Err(e) => refused(&state, &page, id, e).await,
    }
}

pub async fn queue(state: State, page: Page) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let items = run(&state, move |ctx| reviews::queue(ctx, &actor)).await?;
    let body = render(
        "reviews.html",
        context! { user => page.user(), nav => "reviews", items => Value::from_serialize(&items) },
    )?;
    Ok(html(StatusCode::OK, body))
}

//! Fees on a case over JSON (国办函〔2020〕109号): parse → `ops::fees` → answer with the
//! case's new ETag.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Auth, Json, State, etag, if_match, run};
use crate::ops::fees::{self, AssessmentIn, FeeView, NoticeIn};

fn answer(view: FeeView, created: bool) -> HttpResponse {
    let mut resp = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header(etag(view.version)).json(view)
}

pub async fn get_fee(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = run(&state, move |ctx| fees::get(ctx, &auth.0, id)).await?;
    Ok(answer(view, false))
}

pub async fn post_assessment(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<AssessmentIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let view = run(&state, move |ctx| {
        fees::assess(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(answer(view, true))
}

pub async fn post_notice(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<NoticeIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let view = run(&state, move |ctx| {
        fees::issue_notice(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(answer(view, true))
}

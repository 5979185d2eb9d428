//! Replies over JSON: parse → `ops::replies` → answer.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, etag, if_match, run};
use crate::ops::replies::{self, ReplyIn};

pub async fn post_reply(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<ReplyIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let (out, version) = run(&state, move |ctx| {
        replies::record_reply(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(version))
        .json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftQuery {
    outcome: String,
    issued_on: Option<NaiveDate>,
    reasons: Option<String>,
}

pub async fn reply_draft(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    q: Query<DraftQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let DraftQuery {
        outcome,
        issued_on,
        reasons,
    } = q.into_inner();
    let out = run(&state, move |ctx| {
        replies::draft_reply(ctx, &auth.0, id, &outcome, issued_on, reasons)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

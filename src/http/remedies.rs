//! Reconsiderations and lawsuits over JSON: parse → `ops::remedies` → answer.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, etag, if_match, run};
use crate::ops::remedies::{self, DecisionIn, ListQuery, RemedyIn};

pub async fn post_remedy(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: Json<RemedyIn>,
) -> Result<HttpResponse, ApiError> {
    let case_id = path.into_inner();
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        remedies::record(ctx, &auth.0, case_id, input)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn patch_remedy(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<DecisionIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        remedies::decide(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn list_remedies(
    state: State,
    auth: Auth,
    q: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let items = run(&state, move |ctx| remedies::list(ctx, &auth.0, q)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

//! Supervision orders over JSON: parse → `ops::orders` → answer.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, etag, if_match, run};
use crate::ops::orders::{self, IssueIn, ListQuery, StepIn};

pub async fn post_order(
    state: State,
    auth: Auth,
    body: Json<IssueIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let out = run(&state, move |ctx| orders::issue(ctx, &auth.0, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn get_order(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| orders::get(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn post_step(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<StepIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        orders::step(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn list_orders(
    state: State,
    auth: Auth,
    q: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let items = run(&state, move |ctx| orders::list(ctx, &auth.0, q)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

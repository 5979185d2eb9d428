//! Assessment periods and rectification items over JSON: parse → `ops::assessments` → answer.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, etag, if_match, run};
use crate::ops::assessments::{
    self, ItemQuery, ItemStepIn, ManualIn, PeriodIn, PeriodPatch, PublishIn,
};

pub async fn post_period(
    state: State,
    auth: Auth,
    body: Json<PeriodIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let out = run(&state, move |ctx| assessments::create(ctx, &auth.0, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn list_periods(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let items = run(&state, move |ctx| assessments::list(ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

pub async fn get_period(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| assessments::get(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn patch_period(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<PeriodPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        assessments::update(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn put_manual(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<ManualIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        assessments::set_manual(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn post_publish(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<PublishIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        assessments::publish(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn list_items(
    state: State,
    auth: Auth,
    q: Query<ItemQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let items = run(&state, move |ctx| assessments::list_items(ctx, &auth.0, q)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

pub async fn get_item(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| assessments::get_item(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn post_item_step(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<ItemStepIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        assessments::item_step(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

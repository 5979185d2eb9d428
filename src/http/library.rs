//! The typical-case library over JSON: parse → `ops::library` → answer.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, etag, if_match, run};
use crate::ops::library::{self, EditIn, MarkIn, SearchQuery, UseIn, WithdrawIn};

pub async fn search(
    state: State,
    auth: Auth,
    q: Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let out = run(&state, move |ctx| library::search(ctx, &auth.0, q)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn mark(state: State, auth: Auth, body: Json<MarkIn>) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let out = run(&state, move |ctx| library::mark(ctx, &auth.0, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn get_entry(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| library::get(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn original(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| library::original(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn patch_entry(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<EditIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        library::edit(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn publish(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let out = run(&state, move |ctx| {
        library::publish(ctx, &auth.0, id, expected)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn withdraw(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<WithdrawIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        library::withdraw(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

pub async fn reply_draft(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: Json<UseIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        library::use_entry(ctx, &auth.0, id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

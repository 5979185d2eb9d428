//! Review before issue over JSON: parse → `ops::reviews` → answer.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::{Auth, Json, State, etag, if_match, run};
use crate::ops::OpError;
use crate::ops::replies::ReplyIn;
use crate::ops::reviews::{self, ChainIn, DecisionIn, IssueIn};

pub async fn get_chain(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| reviews::get_chain(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn put_chain(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: Json<ChainIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        reviews::set_chain(ctx, &auth.0, id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn get_review(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| {
        reviews::get(ctx, &auth.0, id)?.ok_or(OpError::NotFound("答复审核"))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.case_version))
        .json(out))
}

pub async fn put_review(
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
        reviews::submit(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(version)).json(out))
}

pub async fn post_decision(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<DecisionIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let (out, version) = run(&state, move |ctx| {
        reviews::decide(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(version)).json(out))
}

pub async fn post_issue(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<IssueIn>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let (out, version) = run(&state, move |ctx| {
        reviews::issue(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(version))
        .json(out))
}

pub async fn queue(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let out = run(&state, move |ctx| reviews::queue(ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": out })))
}

pub async fn stuck(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let out = run(&state, move |ctx| reviews::stuck(ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": out })))
}

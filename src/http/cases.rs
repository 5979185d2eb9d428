//! Cases over JSON: parse → `ops::cases` → answer (status, ETag, idempotency headers).

use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, etag, if_match, run};
use crate::domain::case::CaseEvent;
use crate::ops::cases::{self, BatchIn, CaseIn, ListQuery, Registered};

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().map(str::trim).unwrap_or_default();
            if key.is_empty() || key.len() > 200 {
                return Err(ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key 应为1至200个字符",
                ));
            }
            Ok(Some(key.to_owned()))
        }
    }
}

fn created(r: Registered) -> HttpResponse {
    let mut resp = HttpResponse::Created();
    if let Some(v) = r.version {
        resp.insert_header(etag(v));
    }
    if r.replayed {
        resp.insert_header(("Idempotent-Replayed", HeaderValue::from_static("true")));
    }
    resp.json(r.body)
}

pub async fn create_case(
    state: State,
    auth: Auth,
    req: HttpRequest,
    body: Json<CaseIn>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let input = body.into_inner();
    let r = run(&state, move |ctx| {
        cases::register(ctx, &auth.0, input, key.as_deref())
    })
    .await?;
    Ok(created(r))
}

pub async fn create_batch(
    state: State,
    auth: Auth,
    req: HttpRequest,
    body: Json<BatchIn>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let input = body.into_inner();
    let r = run(&state, move |ctx| {
        cases::register_batch(ctx, &auth.0, input, key.as_deref())
    })
    .await?;
    Ok(created(r))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    as_of: Option<NaiveDate>,
}

pub async fn get_case(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    q: Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let as_of = q.as_of;
    let view = run(&state, move |ctx| cases::get(ctx, &auth.0, id, as_of)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

pub async fn case_history(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let items = run(&state, move |ctx| cases::history(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

pub async fn post_event(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<CaseEvent>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let event = body.into_inner();
    let view = run(&state, move |ctx| {
        cases::record_event(ctx, &auth.0, id, expected, event)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(view.version))
        .json(view))
}

pub async fn list_cases(
    state: State,
    auth: Auth,
    q: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = run(&state, move |ctx| cases::list(ctx, &auth.0, q)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskQuery {
    /// Only the cases assigned to the caller.
    #[serde(default)]
    mine: bool,
}

/// The caller's desk (工作台), as the start page shows it.
pub async fn get_desk(
    state: State,
    auth: Auth,
    q: Query<DeskQuery>,
) -> Result<HttpResponse, ApiError> {
    let mine = q.into_inner().mine;
    let desk = run(&state, move |ctx| {
        crate::ops::desk::desk(ctx, &auth.0, mine)
    })
    .await?;
    Ok(HttpResponse::Ok().json(desk))
}

pub async fn patch_case(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<cases::IntakeCorrection>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let patch = body.into_inner();
    let view = run(&state, move |ctx| {
        cases::correct_intake(ctx, &auth.0, id, expected, patch)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

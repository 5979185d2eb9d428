//! Test-applicant campaigns under `/api/v1/audits` (the path predates the name): each
//! handler parses the request, runs one `ops::campaigns` action and answers its result as
//! JSON (or the report as .xlsx).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Auth, Json, State, etag, if_match, run};
use crate::ops::campaigns::{
    self, CampaignIn, LetterIn, LetterPatch, MAX_IMPORT_BYTES, PhoneIn, ReplyIn,
    TargetDepartmentIn, TargetIn,
};
use crate::report::tabular;

pub async fn create_campaign(
    state: State,
    Auth(actor): Auth,
    body: web::Json<CampaignIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let out = run(&state, move |ctx| campaigns::create(ctx, &actor, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

pub async fn list_campaigns(state: State, Auth(actor): Auth) -> Result<HttpResponse, ApiError> {
    let items = run(&state, move |ctx| campaigns::list(ctx, &actor)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

pub async fn get_campaign(
    state: State,
    Auth(actor): Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let out = run(&state, move |ctx| campaigns::get(ctx, &actor, id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn add_target(
    state: State,
    Auth(actor): Auth,
    path: web::Path<i64>,
    body: web::Json<TargetIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (path.into_inner(), body.into_inner());
    let out = run(&state, move |ctx| {
        campaigns::add_target(ctx, &actor, id, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

pub async fn scorecard(
    state: State,
    Auth(actor): Auth,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, target_id) = path.into_inner();
    let out = run(&state, move |ctx| {
        campaigns::scorecard(ctx, &actor, id, target_id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.target.version))
        .json(out))
}

/// Links a unit to the department it is (If-Match: the score card's ETag).
pub async fn put_target_department(
    state: State,
    Auth(actor): Auth,
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    body: Json<TargetDepartmentIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, target_id) = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let out = run(&state, move |ctx| {
        campaigns::set_target_department(ctx, &actor, id, target_id, expected, input)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.target.version))
        .json(out))
}

pub async fn add_letter(
    state: State,
    Auth(actor): Auth,
    path: web::Path<i64>,
    body: web::Json<LetterIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (path.into_inner(), body.into_inner());
    let out = run(&state, move |ctx| {
        campaigns::add_letter(ctx, &actor, id, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

pub async fn patch_letter(
    state: State,
    Auth(actor): Auth,
    path: web::Path<(i64, i64)>,
    body: web::Json<LetterPatch>,
) -> Result<HttpResponse, ApiError> {
    let ((id, letter_id), input) = (path.into_inner(), body.into_inner());
    let out = run(&state, move |ctx| {
        campaigns::patch_letter(ctx, &actor, id, letter_id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn put_reply(
    state: State,
    Auth(actor): Auth,
    path: web::Path<(i64, i64)>,
    body: web::Json<ReplyIn>,
) -> Result<HttpResponse, ApiError> {
    let ((id, letter_id), input) = (path.into_inner(), body.into_inner());
    let out = run(&state, move |ctx| {
        campaigns::put_reply(ctx, &actor, id, letter_id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn add_phone_check(
    state: State,
    Auth(actor): Auth,
    path: web::Path<i64>,
    body: web::Json<PhoneIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (path.into_inner(), body.into_inner());
    let out = run(&state, move |ctx| {
        campaigns::add_phone_check(ctx, &actor, id, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// The body is the CSV file itself (not JSON), read up to the import's size limit.
pub async fn import(
    state: State,
    Auth(actor): Auth,
    path: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let bytes = payload
        .to_bytes_limited(MAX_IMPORT_BYTES)
        .await
        .map_err(|_| {
            ApiError::bad_request(
                "body_too_large",
                format!("CSV 文件过大（最多{}MB）", MAX_IMPORT_BYTES / 1024 / 1024),
            )
        })?
        .map_err(|e| ApiError::bad_request("invalid_body", format!("无法读取请求体：{e}")))?;
    let out = run(&state, move |ctx| {
        campaigns::import(ctx, &actor, id, &bytes)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    format: Option<String>,
}

pub async fn report(
    state: State,
    Auth(actor): Auth,
    path: web::Path<i64>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let xlsx = match q.format.as_deref() {
        None | Some("json") => false,
        Some("xlsx") => true,
        Some(_) => return Err(ApiError::field("format", "取值应为：json | xlsx")),
    };
    let id = path.into_inner();
    let out = run(&state, move |ctx| campaigns::report(ctx, &actor, id)).await?;
    if !xlsx {
        return Ok(HttpResponse::Ok().json(out));
    }
    let bytes = tabular::xlsx(&campaigns::workbook(&out.report)).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"audit-{}-{}.xlsx\"",
                out.audit.id, out.as_of
            ),
        ))
        .body(bytes))
}

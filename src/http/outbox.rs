//! The mail outbox over JSON: parse → `ops::outbox` → answer.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Auth, Query, State, run};
use crate::ops::outbox;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    status: Option<String>,
    limit: Option<i64>,
}

pub async fn list(
    state: State,
    auth: Auth,
    q: Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let OutboxQuery { status, limit } = q.into_inner();
    let items = run(&state, move |ctx| {
        outbox::list(ctx, &auth.0, status.as_deref(), limit)
    })
    .await?;
    Ok(HttpResponse::Ok().json(
        serde_json::json!({ "items": items, "smtp_configured": state.settings.smtp_url.is_some() }),
    ))
}

pub async fn retry(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let mail = run(&state, move |ctx| outbox::retry(ctx, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(mail))
}

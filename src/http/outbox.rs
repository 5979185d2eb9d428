//! The mail outbox for admins: what is queued, sent or failed, and a retry for failures.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx};
use crate::auth::Role;
use crate::store;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    status: Option<String>,
    limit: Option<i64>,
}

pub async fn list(
    state: State,
    auth: Auth,
    q: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Admin])?;
    let q = q.into_inner();
    if let Some(s) = q.status.as_deref()
        && !["pending", "sending", "sent", "failed"].contains(&s)
    {
        return Err(ApiError::field(
            "status",
            "取值应为：pending | sending | sent | failed",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::field("limit", "取值应为1至1000"));
    }
    let items = db(&state.pool, move |c| {
        Ok(store::outbox::list(c, q.status.as_deref(), limit)?)
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
    auth.require(&[Role::Admin])?;
    let id = path.into_inner();
    let mail = db_tx(&state.pool, move |c| {
        let mail = store::outbox::find(c, id)?.ok_or_else(|| ApiError::not_found("邮件"))?;
        if !store::outbox::retry(c, id)? {
            return Err(ApiError::conflict(
                "not_failed",
                format!("该邮件状态为 {}，只有发送失败的邮件可以重试", mail.status),
            ));
        }
        store::outbox::find(c, id)?.ok_or_else(|| ApiError::not_found("邮件"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(mail))
}

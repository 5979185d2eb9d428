//! Liveness (no IO) and readiness (the database answers).

use actix_web::HttpResponse;
use serde_json::json;

use super::error::ApiError;
use super::extract::{State, run};

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

pub async fn ready(state: State) -> Result<HttpResponse, ApiError> {
    let checked = run(&state, |ctx| ctx.ping()).await;
    if let Err(e) = checked {
        tracing::warn!(error = %e, "readiness check failed");
        return Err(ApiError::unavailable("数据库暂不可用"));
    }
    let backend = if state.settings.database_url.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": backend})))
}

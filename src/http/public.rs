//! The public doors of online applications over JSON (no account): submit an application,
//! look it up with its query code. Parse → `ops::online` → answer.

use actix_web::HttpResponse;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ClientAddr, Json, State, run};
use crate::ops::online::{self, OnlineIn};

pub async fn post_application(
    state: State,
    client: ClientAddr,
    body: Json<OnlineIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let client = client.0.map(|ip| ip.to_string());
    let out = run(&state, move |ctx| {
        online::submit(ctx, client.as_deref(), input, Vec::new())
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    pub code: String,
}

pub async fn post_status(
    state: State,
    client: ClientAddr,
    body: Json<StatusIn>,
) -> Result<HttpResponse, ApiError> {
    let code = body.into_inner().code;
    let client = client.0.map(|ip| ip.to_string());
    let out = run(&state, move |ctx| {
        online::lookup(ctx, client.as_deref(), &code)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

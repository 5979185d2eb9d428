//! Login (with throttling of repeated failures) and the caller's own profile.

use actix_web::HttpResponse;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, ClientAddr, Json, State, run};
use crate::ops::org::UserView;
use crate::ops::{org, session};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct LoginOut {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    user: UserView,
}

pub async fn login(
    state: State,
    client: ClientAddr,
    body: Json<LoginIn>,
) -> Result<HttpResponse, ApiError> {
    let LoginIn { username, password } = body.into_inner();
    let now = Utc::now();
    let at = now.naive_utc();
    let user = run(&state, move |ctx| {
        session::login(ctx, &username, &password, client.0, at)
    })
    .await?;
    let token = state
        .jwt
        .issue(
            user.id,
            &user.role,
            user.department_id,
            user.token_version,
            now.timestamp(),
        )
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(LoginOut {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.jwt.ttl_secs,
        user: UserView::from(user),
    }))
}

pub async fn me(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = run(&state, move |ctx| org::me(ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

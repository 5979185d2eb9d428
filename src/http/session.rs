//! Login (with throttling of repeated failures) and the caller's own profile.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db};
use super::org::UserOut;
use crate::auth::{login_wait, password};
use crate::store;

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
    user: UserOut,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthenticated("用户名或密码错误")
}

pub async fn login(state: State, body: web::Json<LoginIn>) -> Result<HttpResponse, ApiError> {
    let LoginIn { username, password } = body.into_inner();
    let now = Utc::now();
    let at = now.naive_utc();
    let user = db(&state.pool, move |c| {
        let Some(user) = store::users::find_by_username(c, username.trim())? else {
            password::verify_dummy(&password);
            return Err(invalid_credentials());
        };
        if let Some(wait) = login_wait(user.failed_logins, user.last_failed_at, at) {
            return Err(ApiError::too_many_attempts(wait));
        }
        if !password::verify(&user.password_hash, &password) {
            store::users::record_failed_login(c, user.id, at)?;
            return Err(invalid_credentials());
        }
        if !user.active {
            return Err(ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                "account_disabled",
                "账号已停用，请联系管理员",
            ));
        }
        if user.failed_logins > 0 {
            store::users::reset_failed_logins(c, user.id)?;
        }
        Ok(user)
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
        user: UserOut::from(user),
    }))
}

pub async fn me(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let id = auth.0.user_id;
    let user = db(&state.pool, move |c| {
        store::users::find(c, id)?.ok_or_else(|| ApiError::not_found("用户"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserOut::from(user)))
}

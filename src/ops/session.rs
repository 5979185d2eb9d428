//! Signing in: password check with a back-off on repeated failures. The token itself is
//! the face's business (JWT for the API).

use chrono::NaiveDateTime;

use super::{Ctx, OpError, OpResult};
use crate::auth::{login_wait, password};
use crate::store::{self, users::User};

fn invalid_credentials() -> OpError {
    OpError::Unauthenticated("用户名或密码错误".to_owned())
}

/// Checks a username and password at `at`; returns the account on success.
pub fn login(ctx: &Ctx, username: &str, secret: &str, at: NaiveDateTime) -> OpResult<User> {
    ctx.read(|c| {
        let Some(user) = store::users::find_by_username(c, username.trim())? else {
            password::verify_dummy(secret);
            return Err(invalid_credentials());
        };
        if let Some(wait) = login_wait(user.failed_logins, user.last_failed_at, at) {
            return Err(OpError::TooManyAttempts {
                retry_after_secs: wait,
            });
        }
        if !password::verify(&user.password_hash, secret) {
            store::users::record_failed_login(c, user.id, at)?;
            return Err(invalid_credentials());
        }
        if !user.active {
            return Err(OpError::Denied {
                code: "account_disabled",
                message: "账号已停用，请联系管理员".into(),
            });
        }
        if user.failed_logins > 0 {
            store::users::reset_failed_logins(c, user.id)?;
        }
        Ok(user)
    })
}

/// The account behind a token, reloaded for each request so that a disabled account or a
/// changed password (a new token version) takes effect at once.
pub fn authenticate(ctx: &Ctx, user_id: i64, token_version: i32) -> OpResult<crate::auth::Actor> {
    let user = ctx.read(|c| Ok(store::users::find(c, user_id)?))?;
    let user = user
        .filter(|u| u.active && u.token_version == token_version)
        .ok_or_else(|| {
            OpError::Unauthenticated("令牌已失效（账号已停用或密码已修改），请重新登录".to_owned())
        })?;
    let role = crate::auth::Role::parse(&user.role)
        .ok_or_else(|| OpError::internal(format!("user {} has role {}", user.id, user.role)))?;
    Ok(crate::auth::Actor {
        user_id: user.id,
        username: user.username,
        role,
        department_id: user.department_id,
    })
}

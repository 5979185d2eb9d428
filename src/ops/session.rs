//! Signing in: password check with a back-off on repeated failures. The token itself is
//! the face's business (JWT for the API).

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};

use super::{Ctx, OpError, OpResult};
use crate::auth::password;
use crate::auth::throttle::{ACCOUNT_CEILING, ACCOUNT_SPACING_SECS};
use crate::store::{self, users::User};

fn invalid_credentials() -> OpError {
    OpError::Unauthenticated("用户名或密码错误".to_owned())
}

/// The address of callers that do not say where they are (the command line).
const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

/// Checks a username and password at `at` for a caller at `client` (`None`: local, e.g.
/// the command line); returns the account on success.
///
/// Unknown and known usernames take the same path: the same back-offs, one password
/// verification each, the same answer. In order: the (account, address) back-off and the
/// address's back-off (memory, per instance); a free hashing slot, else 503 at once; the
/// account's ceiling (database for real accounts, memory for unknown names), which spaces
/// out attempts from addresses that have already failed on a much-attacked account but
/// never stops a fresh address; then the password.
pub fn login(
    ctx: &Ctx,
    username: &str,
    secret: &str,
    client: Option<IpAddr>,
    at: NaiveDateTime,
) -> OpResult<User> {
    let guard = &ctx.login_guard;
    let addr = client.unwrap_or(LOCAL);
    let name = username.trim();
    let key = name.to_lowercase();
    let too_many = |retry_after_secs| OpError::TooManyAttempts { retry_after_secs };
    guard.reserve(&key, addr, at).map_err(too_many)?;
    let Some(_slot) = guard.hash_slot() else {
        guard.release(&key, addr);
        return Err(OpError::Busy {
            retry_after_secs: 1,
        });
    };
    let spaced = guard.has_failed_before(&key, addr);
    let result = ctx.read(|c| {
        let found = store::users::find_by_username(c, name)?;
        let Some(user) = found else {
            if spaced {
                guard.claim_unknown(&key, at).map_err(too_many)?;
            }
            password::verify_dummy(secret);
            return Err(invalid_credentials());
        };
        let claimed = store::users::claim_login_attempt(
            c,
            user.id,
            at,
            spaced,
            ACCOUNT_CEILING,
            at - Duration::seconds(ACCOUNT_SPACING_SECS),
            at - Duration::minutes(15),
        )?;
        if !claimed {
            return Err(too_many(ACCOUNT_SPACING_SECS as u64));
        }
        if !password::verify(&user.password_hash, secret) {
            return Err(invalid_credentials());
        }
        store::users::reset_failed_logins(c, user.id)?;
        if !user.active {
            return Err(OpError::Denied {
                code: "account_disabled",
                message: "账号已停用，请联系管理员".into(),
            });
        }
        Ok(user)
    });
    match &result {
        Ok(_) => guard.succeeded(&key, addr),
        Err(OpError::Unauthenticated(_) | OpError::TooManyAttempts { .. }) => {
            // The username is needed to investigate; the password never reaches a log.
            tracing::warn!(username = %name, client = %addr, "login failed");
        }
        Err(_) => {}
    }
    result
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

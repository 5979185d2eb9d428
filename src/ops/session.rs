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
    Ok(authenticated(ctx, user_id, token_version)?.0)
}

/// `authenticate`, with the user's display name (a page shows it).
fn authenticated(
    ctx: &Ctx,
    user_id: i64,
    token_version: i32,
) -> OpResult<(crate::auth::Actor, String)> {
    let user = ctx.read(|c| Ok(store::users::find(c, user_id)?))?;
    let user = user
        .filter(|u| u.active && u.token_version == token_version)
        .ok_or_else(|| {
            OpError::Unauthenticated("令牌已失效（账号已停用或密码已修改），请重新登录".to_owned())
        })?;
    let role = crate::auth::Role::parse(&user.role)
        .ok_or_else(|| OpError::internal(format!("user {} has role {}", user.id, user.role)))?;
    Ok((
        crate::auth::Actor {
            user_id: user.id,
            username: user.username,
            role,
            department_id: user.department_id,
        },
        user.display_name,
    ))
}

/// A browser session: the secret for the cookie (shown once) and the form token.
pub struct WebLogin {
    pub cookie_token: String,
    pub csrf_token: String,
    pub user: User,
}

/// A signed-in browser session, as a page sees it.
pub struct WebSession {
    pub session_id: i64,
    pub actor: crate::auth::Actor,
    pub display_name: String,
    pub csrf_token: String,
}

/// A browser session ends after this long without a request.
pub const WEB_IDLE_MINUTES: i64 = 30;

/// Signs in from the web form: the same password check and back-off as the API, then a
/// new session (the database keeps only the token's hash).
pub fn web_login(
    ctx: &Ctx,
    username: &str,
    secret: &str,
    client: Option<std::net::IpAddr>,
    at: NaiveDateTime,
) -> OpResult<WebLogin> {
    let user = login(ctx, username, secret, client, at)?;
    let cookie_token = crate::auth::random_hex::<32>().map_err(OpError::internal)?;
    let csrf_token = crate::auth::random_hex::<32>().map_err(OpError::internal)?;
    let hash = store::trail::sha256_hex(cookie_token.as_bytes());
    ctx.write(|c| {
        store::web_sessions::delete_idle(c, at - chrono::Duration::minutes(WEB_IDLE_MINUTES))?;
        store::web_sessions::insert(c, &hash, user.id, user.token_version, &csrf_token, at)?;
        Ok(())
    })?;
    Ok(WebLogin {
        cookie_token,
        csrf_token,
        user,
    })
}

/// The session behind a cookie, if it is current: not idle too long, the account active
/// and its password unchanged since sign-in. Marks it used.
pub fn web_session(ctx: &Ctx, cookie_token: &str, at: NaiveDateTime) -> OpResult<WebSession> {
    let hash = store::trail::sha256_hex(cookie_token.as_bytes());
    let expired = || OpError::Unauthenticated("登录已过期，请重新登录".to_owned());
    let session = ctx
        .read(|c| Ok(store::web_sessions::find(c, &hash)?))?
        .ok_or_else(expired)?;
    if session.last_seen_at < at - chrono::Duration::minutes(WEB_IDLE_MINUTES) {
        ctx.write(|c| Ok(store::web_sessions::delete(c, session.id)?))?;
        return Err(expired());
    }
    let (actor, display_name) = authenticated(ctx, session.user_id, session.token_version)?;
    // At most one write a minute per session: most page views only read.
    if at - session.last_seen_at > chrono::Duration::minutes(1) {
        ctx.read(|c| Ok(store::web_sessions::touch(c, session.id, at)?))?;
    }
    Ok(WebSession {
        session_id: session.id,
        actor,
        display_name,
        csrf_token: session.csrf_token,
    })
}

/// Signs out: the session is gone on every instance.
pub fn web_logout(ctx: &Ctx, session_id: i64) -> OpResult<()> {
    ctx.write(|c| Ok(store::web_sessions::delete(c, session_id)?))
}

/// Changes one's own password (the current one is asked again); every other session and
/// token of the account ends.
pub fn change_own_password(
    ctx: &Ctx,
    actor: &crate::auth::Actor,
    current: &str,
    new: &str,
) -> OpResult<User> {
    let user = ctx
        .read(|c| Ok(store::users::find(c, actor.user_id)?))?
        .ok_or(OpError::NotFound("用户"))?;
    if !password::verify(&user.password_hash, current) {
        return Err(OpError::field("current_password", "当前密码不正确"));
    }
    if let Err(msg) = password::check_strength(new) {
        return Err(OpError::field("new_password", msg));
    }
    let password_hash = password::hash(new).map_err(OpError::internal)?;
    ctx.write(|c| {
        let changes = store::users::UserChanges {
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            role: user.role.clone(),
            department_id: user.department_id,
            active: user.active,
            password_hash: Some(password_hash.clone()),
            revoke_tokens: true,
        };
        let updated = store::users::update(c, user.id, user.version, &changes)?
            .ok_or(OpError::StaleVersion)?;
        super::log_action(
            ctx,
            c,
            Some(actor),
            &format!("user:{}", user.id),
            "password_changed",
            None,
            &serde_json::json!({ "by": "self" }),
        )?;
        Ok(updated)
    })
}

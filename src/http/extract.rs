//! Request-side plumbing: the shared state, the authenticated caller, optimistic-concurrency
//! headers and running diesel work off the async executor.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, web};

use super::error::ApiError;
use crate::auth::jwt::JwtKeys;
use crate::auth::{Actor, Role};
use crate::ops::{Ctx, OpError};

pub struct AppState {
    pub ctx: Arc<Ctx>,
    pub jwt: JwtKeys,
}

/// Handlers read the pool, settings and clock of the one context.
impl std::ops::Deref for AppState {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

pub type State = web::Data<AppState>;

/// Runs an operation on the blocking thread pool (diesel blocks).
pub async fn run<T, F>(state: &State, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&Ctx) -> Result<T, OpError> + Send + 'static,
    T: Send + 'static,
{
    let ctx = state.ctx.clone();
    Ok(web::block(move || f(&ctx)).await??)
}

/// The caller, authenticated by a Bearer token and reloaded from the database, so a
/// disabled account or a changed password takes effect on the next request.
#[derive(Debug, Clone)]
pub struct Auth(pub Actor);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<State>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthenticated("需要登录：请在 Authorization 头中携带 Bearer 令牌")
            })?;
            let claims = state
                .jwt
                .verify(&token)
                .map_err(|_| ApiError::unauthenticated("令牌无效或已过期，请重新登录"))?;
            let user_id: i64 = claims
                .sub
                .parse()
                .map_err(|_| ApiError::unauthenticated("令牌无效，请重新登录"))?;
            let version = claims.ver;
            let actor = run(&state, move |ctx| {
                crate::ops::session::authenticate(ctx, user_id, version)
            })
            .await?;
            Ok(Auth(actor))
        })
    }
}

impl Auth {
    pub fn require(&self, roles: &[Role]) -> Result<&Actor, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// The strong ETag for a row version.
pub fn etag(version: i32) -> (header::HeaderName, HeaderValue) {
    (
        header::ETAG,
        HeaderValue::from_str(&format!("\"{version}\""))
            .unwrap_or(HeaderValue::from_static("\"0\"")),
    )
}

/// The version the client read, from `If-Match`; a write without it is refused (428) so
/// that no update silently overwrites another.
pub fn if_match(req: &HttpRequest) -> Result<i32, ApiError> {
    let raw = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or_else(ApiError::precondition_required)?
        .to_str()
        .map_err(|_| ApiError::precondition_failed())?
        .trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw);
    raw.trim_matches('"')
        .parse::<i32>()
        .map_err(|_| ApiError::precondition_failed())
}

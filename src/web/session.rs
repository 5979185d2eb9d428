//! Signing in and out of the pages: a session cookie (HttpOnly, SameSite=Strict, Secure
//! behind https), a form token checked on every state-changing form, idle expiry. The
//! same accounts, roles and scopes as the API.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;

use super::error::{WebError, html, see_other};
use super::{Form, render::render, run};
use crate::http::extract::State;
use crate::ops::session::{self, WebSession};

pub const SESSION_COOKIE: &str = "ogi_session";
const LOGIN_COOKIE: &str = "ogi_login";

/// The signed-in user of a page.
pub struct Page(pub WebSession);

impl Page {
    /// Refuses a form whose token is not this session's (cross-site forgery).
    pub fn check_csrf(&self, form: &Form) -> Result<(), WebError> {
        let sent = form.get("csrf").unwrap_or_default();
        if constant_eq(sent.as_bytes(), self.0.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// What every page's layout needs to know about the user.
    pub fn user(&self) -> minijinja::Value {
        minijinja::Value::from_serialize(serde_json::json!({
            "name": self.0.display_name,
            "role": self.0.actor.role.as_str(),
            "csrf": self.0.csrf_token,
        }))
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequest for Page {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<State>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let next = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        Box::pin(async move {
            let state = state.ok_or_else(|| WebError::Internal("state missing".into()))?;
            let Some(token) = token else {
                return Err(WebError::LoginRequired { next });
            };
            let at = Utc::now().naive_utc();
            match run(&state, move |ctx| session::web_session(ctx, &token, at)).await {
                Ok(s) => Ok(Page(s)),
                Err(WebError::Op(crate::ops::OpError::Unauthenticated(_))) => {
                    Err(WebError::LoginRequired { next })
                }
                Err(e) => Err(e),
            }
        })
    }
}

fn secure_cookies(state: &State) -> bool {
    state.settings.public_url.starts_with("https://")
}

fn cookie<'a>(state: &State, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure_cookies(state))
        .finish()
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a local path may be a destination after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(
    state: &State,
    next: &str,
    username: &str,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let token = crate::auth::random_hex::<16>().map_err(|e| WebError::Internal(e.to_string()))?;
    let body = render(
        "login.html",
        context! { next => next, username => username, error => error, csrf => &token, user => () },
    )?;
    let status = if error.is_some() {
        actix_web::http::StatusCode::UNAUTHORIZED
    } else {
        actix_web::http::StatusCode::OK
    };
    let mut resp = html(status, body);
    resp.add_cookie(&cookie(state, LOGIN_COOKIE, token))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(resp)
}

pub async fn login_form(state: State, q: web::Query<NextQuery>) -> Result<HttpResponse, WebError> {
    login_page(&state, &safe_next(q.next.as_deref()), "", None)
}

pub async fn login(
    state: State,
    req: HttpRequest,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let next = safe_next(form.get("next"));
    let username = form.get("username").unwrap_or_default().to_owned();
    // Login forms carry a token matching a cookie set with the form (a forged form from
    // another site cannot read it).
    let expected = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    if expected.is_none_or(|e| {
        !constant_eq(
            e.as_bytes(),
            form.get("csrf").unwrap_or_default().as_bytes(),
        )
    }) {
        return login_page(
            &state,
            &next,
            &username,
            Some("表单已过期，请重新登录。".into()),
        );
    }
    let password = form.get("password").unwrap_or_default().to_owned();
    let at = Utc::now().naive_utc();
    let user = username.clone();
    // The same per-address back-off as the API's login.
    let client = crate::http::extract::client_addr(
        req.head(),
        req.peer_addr(),
        &state.settings.trusted_proxies,
    );
    match run(&state, move |ctx| {
        session::web_login(ctx, &user, &password, client, at)
    })
    .await
    {
        Ok(login) => {
            let mut resp = see_other(&next);
            resp.add_cookie(&cookie(&state, SESSION_COOKIE, login.cookie_token))
                .map_err(|e| WebError::Internal(e.to_string()))?;
            let mut gone = cookie(&state, LOGIN_COOKIE, String::new());
            gone.make_removal();
            resp.add_cookie(&gone)
                .map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(resp)
        }
        Err(WebError::Op(e))
            if !matches!(
                e,
                crate::ops::OpError::Internal(_) | crate::ops::OpError::Unavailable(_)
            ) =>
        {
            let message = match e {
                crate::ops::OpError::TooManyAttempts { retry_after_secs } => {
                    format!("登录失败次数过多，请{retry_after_secs}秒后再试。")
                }
                crate::ops::OpError::Busy { retry_after_secs } => {
                    format!("登录请求过多，请{retry_after_secs}秒后再试。")
                }
                other => other.to_string(),
            };
            login_page(&state, &next, &username, Some(message))
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    page.check_csrf(&form)?;
    let id = page.0.session_id;
    run(&state, move |ctx| session::web_logout(ctx, id)).await?;
    let mut resp = see_other("/login");
    let mut gone = cookie(&state, SESSION_COOKIE, String::new());
    gone.make_removal();
    resp.add_cookie(&gone)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(resp)
}

pub async fn password_form(page: Page) -> Result<HttpResponse, WebError> {
    let body = render(
        "password.html",
        context! { user => page.user(), errors => (), done => false },
    )?;
    Ok(html(actix_web::http::StatusCode::OK, body))
}

pub async fn change_password(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    page.check_csrf(&form)?;
    let current = form.get("current_password").unwrap_or_default().to_owned();
    let new = form.get("new_password").unwrap_or_default().to_owned();
    let again = form.get("new_password_again").unwrap_or_default();
    let mut errors = std::collections::BTreeMap::new();
    if new != again {
        errors.insert(
            "new_password_again".to_owned(),
            "两次输入的新密码不一致".to_owned(),
        );
    }
    let actor = page.0.actor.clone();
    let result = if errors.is_empty() {
        run(&state, move |ctx| {
            session::change_own_password(ctx, &actor, &current, &new)
        })
        .await
    } else {
        Err(WebError::Op(crate::ops::OpError::Invalid(
            Default::default(),
        )))
    };
    match result {
        // Every session of the account ended with the password: sign in again.
        Ok(_) => Ok(see_other("/login?next=/")),
        Err(WebError::Op(crate::ops::OpError::Invalid(fields))) => {
            errors.extend(fields.0);
            let body = render(
                "password.html",
                context! { user => page.user(), errors => errors, done => false },
            )?;
            Ok(html(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                body,
            ))
        }
        Err(e) => Err(e),
    }
}

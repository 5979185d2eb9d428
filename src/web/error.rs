//! How a page shows a failure: a sign-in redirect, a Chinese error page with the right
//! status (another department's case is "not found"), never a stack trace.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use minijinja::context;

use crate::ops::OpError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    Op(#[from] OpError),
    /// No session, or it expired: sign in, then come back to `next`.
    #[error("login required")]
    LoginRequired { next: String },
    /// The form token is missing or stale (a forged or very old form).
    #[error("csrf")]
    Csrf,
    #[error("{0}")]
    BadForm(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        WebError::Internal(e.to_string())
    }
}

/// The headers every page carries: no framing, no sniffing, no caching of personal data,
/// and only this server's own scripts and styles.
pub fn secure(resp: &mut actix_web::HttpResponseBuilder) {
    resp.insert_header((
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ))
    .insert_header((header::X_FRAME_OPTIONS, "DENY"))
    .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
    .insert_header((header::CACHE_CONTROL, "no-store"))
    .insert_header((header::REFERRER_POLICY, "same-origin"));
}

/// An HTML page with the secure headers.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    secure(&mut resp);
    resp.content_type("text/html; charset=utf-8").body(body)
}

/// A file to save (letters, workbooks, CSV): never cached, never sniffed.
pub fn download(content_type: &str, name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes)
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(location: &str) -> HttpResponse {
    let mut resp = HttpResponse::SeeOther();
    secure(&mut resp);
    resp.insert_header((header::LOCATION, location)).finish()
}

impl WebError {
    pub(crate) fn status_and_message(&self) -> (StatusCode, String) {
        use OpError as E;
        match self {
            WebError::Op(e) => match e {
                E::NotFound(what) => (
                    StatusCode::NOT_FOUND,
                    format!("{what}不存在，或不在您的权限范围内。"),
                ),
                E::Forbidden | E::Denied { .. } => (StatusCode::FORBIDDEN, e.to_string()),
                E::Invalid(fields) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    fields.0.values().cloned().collect::<Vec<_>>().join("；"),
                ),
                E::Rejected { message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, message.clone()),
                E::Conflict { message, .. } => (StatusCode::CONFLICT, message.clone()),
                E::BadRequest { message, .. } => (StatusCode::BAD_REQUEST, message.clone()),
                E::StaleVersion => (
                    StatusCode::PRECONDITION_FAILED,
                    "该案件已被他人修改，请刷新页面后重新操作。".into(),
                ),
                E::WriteConflict => (StatusCode::CONFLICT, "并发写入冲突，请重试。".into()),
                E::TooManyAttempts { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("登录失败次数过多，请{retry_after_secs}秒后再试。"),
                ),
                E::RateLimited { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "来自同一网络地址的请求过于频繁，请{}分钟后再试。",
                        retry_after_secs.div_ceil(60)
                    ),
                ),
                E::Busy { retry_after_secs } => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("请求过多，请{retry_after_secs}秒后再试。"),
                ),
                E::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, m.clone()),
                E::OutOfRange(m) => (StatusCode::UNPROCESSABLE_ENTITY, m.clone()),
                E::Unavailable(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "数据库暂时无法连接，请稍后重试。".into(),
                ),
                E::Internal(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器内部错误，已记录，请联系管理员。".into(),
                ),
            },
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "表单已过期或来源不明，请返回刷新页面后重新提交。".into(),
            ),
            WebError::BadForm(m) => (StatusCode::BAD_REQUEST, m.clone()),
            WebError::LoginRequired { .. } => (StatusCode::SEE_OTHER, String::new()),
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，已记录，请联系管理员。".into(),
            ),
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        self.status_and_message().0
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::LoginRequired { next } = self {
            let next: String = url_encode(next);
            return see_other(&format!("/login?next={next}"));
        }
        if let WebError::Internal(cause) | WebError::Op(OpError::Internal(cause)) = self {
            tracing::error!(cause = %cause, "page failed");
        }
        let (status, message) = self.status_and_message();
        let body = super::render::render(
            "error.html",
            context! { status => status.as_u16(), message => message, user => () },
        )
        .unwrap_or_else(|_| format!("<!doctype html><meta charset=utf-8><p>{}</p>", status));
        html(status, body)
    }
}

/// An operation's refusal of a form, shown in place on the form's page with what was
/// typed; anything else is an error page.
pub struct Refusal {
    pub status: StatusCode,
    /// A message for the whole form (none when the fields say it all).
    pub message: Option<String>,
    pub fields: std::collections::BTreeMap<String, String>,
    /// Someone else changed the case meanwhile.
    pub stale: bool,
}

impl Refusal {
    /// The refusal in one line for a page's message box: the form's message, else the
    /// fields' messages joined.
    pub fn summary(&self) -> String {
        self.message
            .clone()
            .unwrap_or_else(|| self.fields.values().cloned().collect::<Vec<_>>().join("；"))
    }
}

pub fn refusal(e: OpError) -> Result<Refusal, WebError> {
    let (status, message, fields, stale) = match e {
        OpError::StaleVersion => (
            StatusCode::PRECONDITION_FAILED,
            Some(super::STALE_FORM.to_owned()),
            Default::default(),
            true,
        ),
        OpError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, None, f.0, false),
        OpError::Rejected { message, .. }
        | OpError::Conflict { message, .. }
        | OpError::OutOfRange(message) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            Default::default(),
            false,
        ),
        OpError::Denied { message, .. } => (
            StatusCode::FORBIDDEN,
            Some(message),
            Default::default(),
            false,
        ),
        other => return Err(WebError::Op(other)),
    };
    Ok(Refusal {
        status,
        message,
        fields,
        stale,
    })
}

/// Percent-encodes a path for a query parameter.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! The one error of the application layer. Each variant says what went wrong in the
//! caller's terms; `http::error` (and the web pages) choose how to show it. Internal causes
//! travel as text for the log only.

use crate::domain::validation::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// Absent, or outside the caller's scope (no existence leak).
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// The caller's role may not do this.
    #[error("当前角色无权执行此操作")]
    Forbidden,
    /// The caller's role may not do this, with a specific reason.
    #[error("{message}")]
    Denied { code: &'static str, message: String },
    /// Field-level input errors.
    #[error("提交的数据有误")]
    Invalid(FieldErrors),
    /// A rule refuses the action on well-formed input (422).
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    /// The action conflicts with the current state (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Malformed request parameters that are not form fields (400).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// The version the caller read is no longer current.
    #[error("数据已被他人修改")]
    StaleVersion,
    /// Two writers raced for one unique value; `Ctx::write_retry` tries again.
    #[error("并发写入冲突")]
    WriteConflict,
    #[error("登录失败次数过多")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many requests from one client address in a window (the public pages).
    #[error("请求过于频繁")]
    RateLimited { retry_after_secs: u64 },
    /// Every password-hashing slot is taken: answer at once rather than queue (503).
    #[error("登录请求过多")]
    Busy { retry_after_secs: u64 },
    #[error("{0}")]
    Unauthenticated(String),
    /// A date outside the supported calendar range.
    #[error("{0}")]
    OutOfRange(String),
    /// The database cannot be reached (503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl OpError {
    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        Self::Rejected {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, message);
        Self::Invalid(e)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}

impl From<FieldErrors> for OpError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<diesel::result::Error> for OpError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Internal(format!("database: {e}"))
    }
}

impl From<r2d2::Error> for OpError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(format!("connection pool: {e}"))
    }
}

impl From<crate::store::StoreError> for OpError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Pool(e) => e.into(),
            other => Self::Internal(format!("store: {other}")),
        }
    }
}

impl From<crate::cases::CaseError> for OpError {
    fn from(e: crate::cases::CaseError) -> Self {
        use crate::cases::CaseError as E;
        match e {
            E::NotFound(what) => Self::NotFound(what),
            E::WriteConflict => Self::WriteConflict,
            E::OutOfRange(message) => Self::OutOfRange(message),
            E::Db(e) => e.into(),
            other @ (E::Corrupt(_) | E::Template(_)) => Self::internal(other),
        }
    }
}

impl From<crate::mail::TemplateError> for OpError {
    fn from(e: crate::mail::TemplateError) -> Self {
        Self::internal(format!("mail template: {e}"))
    }
}

/// A failed unique insert: a lost race for a number (retryable) or a real duplicate.
pub fn on_insert(e: diesel::result::Error) -> OpError {
    if crate::store::is_retryable(&e) {
        OpError::WriteConflict
    } else {
        e.into()
    }
}

//! The one error boundary: every failure a handler can meet becomes `ApiError`, answered as
//! `{"code": "snake_case", "message": "中文说明", "fields": {...}}`. Internal causes are logged
//! here, once, and never sent to the client.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::validation::FieldErrors;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Option<BTreeMap<String, String>>,
    pub retry_after_secs: Option<u64>,
    /// The cause of a 5xx, for the log only.
    internal: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a BTreeMap<String, String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: None,
            retry_after_secs: None,
            internal: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "当前角色无权执行此操作")
    }

    /// Also the answer for a resource outside the caller's scope (no existence leak).
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what}不存在"))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            "数据已被他人修改，请重新读取后再提交（If-Match 与当前版本不符）",
        )
    }

    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "修改需要携带 If-Match 请求头（取自读取时的 ETag），以免覆盖他人的修改",
        )
    }

    pub fn validation(fields: FieldErrors) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "提交的数据有误，请按字段说明修改",
        );
        e.fields = Some(fields.0);
        e
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        Self::validation(fields)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// Two writers raced for the same unique value; the handler retries.
    pub fn write_conflict() -> Self {
        Self::conflict("write_conflict", "并发写入冲突，请重试")
    }

    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("登录失败次数过多，请{retry_after_secs}秒后再试"),
        );
        e.retry_after_secs = Some(retry_after_secs);
        e
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误，已记录，请联系管理员并提供请求编号（X-Request-Id）",
        );
        e.internal = Some(cause.to_string());
        e
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.internal {
            tracing::error!(code = self.code, cause = %cause, "request failed");
        }
        let mut resp = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after_secs {
            resp.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        resp.json(Body {
            code: self.code,
            message: &self.message,
            fields: self.fields.as_ref(),
        })
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::internal(format!("database: {e}"))
    }
}

/// The only place an operation's failure becomes a status code.
impl From<crate::ops::OpError> for ApiError {
    fn from(e: crate::ops::OpError) -> Self {
        use crate::ops::OpError as E;
        match e {
            E::NotFound(what) => ApiError::not_found(what),
            E::Forbidden => ApiError::forbidden(),
            E::Denied { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            E::Invalid(fields) => ApiError::validation(fields),
            E::Rejected { code, message } => ApiError::unprocessable(code, message),
            E::Conflict { code, message } => ApiError::conflict(code, message),
            E::BadRequest { code, message } => ApiError::bad_request(code, message),
            E::StaleVersion => ApiError::precondition_failed(),
            E::WriteConflict => ApiError::write_conflict(),
            E::TooManyAttempts { retry_after_secs } => {
                ApiError::too_many_attempts(retry_after_secs)
            }
            E::RateLimited { retry_after_secs } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("来自同一地址的请求过于频繁，请{retry_after_secs}秒后再试"),
                );
                e.retry_after_secs = Some(retry_after_secs);
                e
            }
            E::Busy { retry_after_secs } => {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "login_busy",
                    format!("登录请求过多，请{retry_after_secs}秒后再试"),
                );
                e.retry_after_secs = Some(retry_after_secs);
                e
            }
            E::Unauthenticated(message) => ApiError::unauthenticated(message),
            E::OutOfRange(message) => ApiError::unprocessable("date_out_of_range", message),
            E::Unavailable(cause) => {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "数据库暂时无法连接，请稍后重试",
                );
                e.internal = Some(cause);
                e
            }
            E::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<crate::cases::CaseError> for ApiError {
    fn from(e: crate::cases::CaseError) -> Self {
        use crate::cases::CaseError as E;
        match e {
            E::NotFound(what) => ApiError::not_found(what),
            E::WriteConflict => ApiError::write_conflict(),
            E::OutOfRange(message) => ApiError::unprocessable("date_out_of_range", message),
            E::Db(e) => e.into(),
            other @ (E::Corrupt(_) | E::Template(_)) => ApiError::internal(other),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal(format!("store: {e}"))
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        ApiError::internal(format!("connection pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(format!("blocking task: {e}"))
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::validation(e)
    }
}

/// A 422 (the caller adjusts the status) naming the field at `path` (serde_path_to_error's
/// notation; `.` is the whole body) with serde's English message translated.
pub fn field_error(code: &'static str, lead: &str, path: &str, serde_text: &str) -> ApiError {
    let (field, message) = translate_serde(path, serde_text);
    let mut e = ApiError::unprocessable(code, format!("{lead}：{field}：{message}"));
    let mut fields = BTreeMap::new();
    fields.insert(field, message);
    e.fields = Some(fields);
    e
}

/// The text between the first pair of backticks, as serde quotes field names.
fn quoted(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

fn join(path: &str, field: &str) -> String {
    match path {
        "" | "." => field.to_owned(),
        p if p.ends_with(field) => p.to_owned(),
        p => format!("{p}.{field}"),
    }
}

/// What a serde "expected …" means, in Chinese.
fn expected(text: &str) -> &'static str {
    let exp = text.rsplit_once("expected ").map_or("", |(_, e)| e);
    if exp.starts_with('i') || exp.starts_with('u') || exp.contains("integer") {
        "整数"
    } else if exp.starts_with('f') || exp.contains("number") {
        "数字"
    } else if exp.contains("string") || exp.contains("char") {
        "字符串"
    } else if exp.contains("bool") {
        "布尔值（true 或 false）"
    } else if exp.contains("sequence") || exp.contains("array") || exp.contains("tuple") {
        "数组"
    } else if exp.contains("struct") || exp.contains("map") {
        "对象"
    } else if exp.contains("date") {
        "日期（YYYY-MM-DD）"
    } else {
        "其他类型"
    }
}

/// (field path, Chinese message) for one of serde's error texts.
pub fn translate_serde(path: &str, text: &str) -> (String, String) {
    let root = matches!(path, "" | ".");
    let here = if root {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if let Some(rest) = text.strip_prefix("missing field ") {
        let name = quoted(rest).unwrap_or(rest);
        return (join(path, name), "缺少必填字段".into());
    }
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let name = quoted(rest).unwrap_or(rest);
        return (join(path, name), "不允许的字段".into());
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let allowed = rest
            .split_once("expected ")
            .map(|(_, e)| {
                e.replace("one of ", "")
                    .replace('`', "")
                    .replace(", ", "、")
                    .replace(" or ", "、")
            })
            .unwrap_or_default();
        return (here, format!("取值无效，可选：{allowed}"));
    }
    let message = if text.starts_with("invalid type") {
        format!("类型不正确，应为{}", expected(text))
    } else if text.contains("out of range") {
        "数值或日期超出允许范围".to_owned()
    } else if text.starts_with("invalid length") {
        "数组长度不正确".to_owned()
    } else if text.starts_with("invalid value") {
        format!("取值无效，应为{}", expected(text))
    } else if text.starts_with("input contains invalid characters")
        || text.starts_with("premature end of input")
        || text.starts_with("trailing input")
        || text.starts_with("input is not enough")
        || text.contains("invalid digit")
        || text.starts_with("cannot parse")
        || text.starts_with("invalid")
    {
        "格式不正确（日期为 YYYY-MM-DD，数字为十进制整数）".to_owned()
    } else {
        "取值无效".to_owned()
    };
    (here, message)
}

/// Errors of `web::Json` bodies (routes not yet on `extract::Json`), in the same shape.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::ContentType => ApiError::bad_request(
            "unsupported_content_type",
            "请求体须为 JSON（Content-Type: application/json）",
        ),
        J::Deserialize(e) if e.is_data() => {
            let text = e.to_string();
            let text = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(t, _)| t);
            field_error("invalid_body", "请求体字段有误", ".", text)
        }
        J::Deserialize(e) => ApiError::bad_request(
            "invalid_json",
            format!("JSON 格式错误（第{}行第{}列）", e.line(), e.column()),
        ),
        J::Overflow { limit } => super::extract::body_too_large(*limit),
        J::OverflowKnownLength { limit, .. } => super::extract::body_too_large(*limit),
        _ => ApiError::bad_request("invalid_body", "无法读取请求体"),
    };
    api.into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let mut api = field_error("invalid_query", "查询参数有误", ".", &err.to_string());
    api.status = StatusCode::BAD_REQUEST;
    api.into()
}

/// A path segment that does not parse (`/cases/abc`): 404 as for any unknown resource,
/// naming the segment.
pub fn path_error(
    _err: actix_web::error::PathError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let mut fields = BTreeMap::new();
    for (name, value) in req.match_info().iter() {
        let numeric = name == "id" || name.ends_with("_id") || name == "year";
        if numeric && value.parse::<i64>().map_or(true, |n| n <= 0) {
            fields.insert(
                name.to_owned(),
                format!("“{value}”不是有效的编号，须为正整数"),
            );
        }
    }
    let mut e = ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "路径参数有误：资源不存在",
    );
    if !fields.is_empty() {
        e.fields = Some(fields);
    }
    e.into()
}

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
    pub metrics: Arc<crate::metrics::Metrics>,
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
    Ok(web::block(move || ctx.request(f)).await??)
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
        .map_err(|_| malformed_if_match())?
        .trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw);
    // Garbage is the caller's mistake (400), not a version that no longer matches (412).
    raw.trim_matches('"')
        .parse::<i32>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(malformed_if_match)
}

fn malformed_if_match() -> ApiError {
    let mut e = ApiError::bad_request(
        "invalid_if_match",
        "If-Match 请求头格式有误，应为读取时返回的 ETag（如 \"3\"）",
    );
    e.fields = Some(
        [("If-Match".to_owned(), "应为 ETag，如 \"3\"".to_owned())]
            .into_iter()
            .collect(),
    );
    e
}

/// The default limit of a JSON body; routes that import data raise it (`BodyLimit`).
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// A per-resource JSON body limit in bytes, set as resource data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body. Unlike `web::Json`, a field that does not fit names its path
/// (`items[1].type`) with a Chinese message, because serde's English text reached users.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

pub fn body_too_large(limit: usize) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("请求体过大（此接口最多{}KB）", limit / 1024),
    )
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = web::Payload::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::bad_request(
                    "unsupported_content_type",
                    "请求体须为 JSON（Content-Type: application/json）",
                ));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(body_too_large(limit));
            }
            let bytes = payload
                .await
                .map_err(|e| ApiError::bad_request("invalid_body", format!("无法读取请求体：{e}")))?
                .to_bytes_limited(limit)
                .await
                .map_err(|_| body_too_large(limit))?
                .map_err(|e| {
                    ApiError::bad_request("invalid_body", format!("无法读取请求体：{e}"))
                })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// Deserializes a JSON document, naming the failing field.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let mut path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let text = inner.to_string();
            let text = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(t, _)| t);
            if path == "." {
                // Internally tagged enums (case events) buffer their fields, and the path is
                // lost; find the one value serde complained about instead.
                if let Some(found) = locate_unexpected(bytes, text) {
                    path = found;
                }
            }
            super::error::field_error("invalid_body", "请求体字段有误", &path, text)
        } else if bytes.iter().all(u8::is_ascii_whitespace) {
            ApiError::bad_request("invalid_json", "请求体为空，须为 JSON")
        } else {
            ApiError::bad_request(
                "invalid_json",
                format!(
                    "JSON 格式错误（第{}行第{}列）",
                    inner.line(),
                    inner.column()
                ),
            )
        }
    })?;
    de.end()
        .map_err(|_| ApiError::bad_request("invalid_json", "JSON 之后还有多余内容"))?;
    Ok(value)
}

/// The path of the only leaf whose serde rendering (`string "x"`, `integer `5``) is the
/// "unexpected" part of `text` (`invalid type: string "x", expected i64`).
fn locate_unexpected(bytes: &[u8], text: &str) -> Option<String> {
    let rest = text
        .strip_prefix("invalid type: ")
        .or_else(|| text.strip_prefix("invalid value: "))?;
    let (unexpected, _) = rest.rsplit_once(", expected ")?;
    let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    fn render(v: &serde_json::Value) -> String {
        use serde_json::Value as V;
        match v {
            V::Null => "null".into(),
            V::Bool(b) => format!("boolean `{b}`"),
            V::Number(n) if n.is_f64() => format!("floating point `{n}`"),
            V::Number(n) => format!("integer `{n}`"),
            V::String(s) => format!("string {s:?}"),
            V::Array(_) => "sequence".into(),
            V::Object(_) => "map".into(),
        }
    }
    fn walk(v: &serde_json::Value, at: String, want: &str, hits: &mut Vec<String>) {
        if render(v) == want {
            hits.push(at.clone());
        }
        match v {
            serde_json::Value::Object(m) => {
                for (k, child) in m {
                    let p = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    walk(child, p, want, hits);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}[{i}]"), want, hits);
                }
            }
            _ => {}
        }
    }
    let mut hits = Vec::new();
    walk(&doc, String::new(), unexpected, &mut hits);
    hits.retain(|h| !h.is_empty());
    (hits.len() == 1).then(|| hits.remove(0))
}

/// Query parameters, with the same field-named errors as `Json` (status 400).
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(
            req.query_string().as_bytes(),
        ));
        std::future::ready(
            serde_path_to_error::deserialize::<_, T>(de)
                .map(Query)
                .map_err(|e| {
                    let path = e.path().to_string();
                    let text = e.into_inner().to_string();
                    let mut api =
                        super::error::field_error("invalid_query", "查询参数有误", &path, &text);
                    api.status = actix_web::http::StatusCode::BAD_REQUEST;
                    api
                }),
        )
    }
}

/// The client's address: the TCP peer, unless the peer is a configured trusted proxy
/// (`OGI_TRUSTED_PROXIES`); then the right-most `X-Forwarded-For` entry that is not itself
/// a trusted proxy. Without configured proxies the header is ignored: anyone can send it.
pub fn client_addr(
    head: &actix_web::dev::RequestHead,
    peer: Option<std::net::SocketAddr>,
    proxies: &[crate::config::ProxyNet],
) -> Option<std::net::IpAddr> {
    let peer = peer?.ip();
    let trusted = |ip: std::net::IpAddr| proxies.iter().any(|p| p.contains(ip));
    if !trusted(peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = head
        .headers()
        .get_all(header::HeaderName::from_static("x-forwarded-for"))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted(*ip))
            .unwrap_or(peer),
    )
}

/// The caller's address as `client_addr` decides it.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequest for ClientAddr {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let proxies = req
            .app_data::<State>()
            .map(|s| s.settings.trusted_proxies.clone())
            .unwrap_or_default();
        std::future::ready(Ok(ClientAddr(client_addr(
            req.head(),
            req.peer_addr(),
            &proxies,
        ))))
    }
}

//! actix-web only: the route table, handlers, DTOs and the error boundary. Handlers parse
//! input, call `domain`/`store`, and shape the answer; rules live in `domain`.

mod annual;
mod assessments;
mod calendar;
mod campaigns;
mod cases;
pub mod error;
pub mod extract;
mod fees;
mod health;
mod library;
pub mod metrics;
mod orders;
mod org;
mod outbox;
mod public;
mod remedies;
mod replies;
mod reports;
mod reviews;
mod session;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::{FromRequest, Handler, HttpResponse, Responder, ResponseError, web};

pub use extract::AppState;

use error::ApiError;

/// Every route of the API, declared once. `configure` registers them; `route_list` lists
/// them so a test can compare the set with `api-spec/openapi.yaml`.
#[rustfmt::skip]
fn declare(r: &mut Routes) {
    use Method as M;
    r.add(M::GET,   "/health/live", health::live);
    r.add(M::GET,   "/health/ready", health::ready);
    r.add(M::GET,   "/metrics", metrics::scrape);
    r.add(M::POST,  "/api/v1/auth/login", session::login);
    r.add(M::GET,   "/api/v1/me", session::me);
    r.add(M::POST,  "/api/v1/departments", org::create_department);
    r.add(M::GET,   "/api/v1/departments", org::list_departments);
    r.add(M::GET,   "/api/v1/departments/{id}", org::get_department);
    r.add(M::PATCH, "/api/v1/departments/{id}", org::patch_department);
    r.add(M::GET,   "/api/v1/departments/{id}/staff", org::department_staff);
    r.add(M::POST,  "/api/v1/users", org::create_user);
    r.add(M::GET,   "/api/v1/users", org::list_users);
    r.add(M::PATCH, "/api/v1/users/{id}", org::patch_user);
    r.add(M::POST,  "/api/v1/cases", cases::create_case);
    r.add(M::GET,   "/api/v1/cases", cases::list_cases);
    r.add(M::GET,   "/api/v1/desk", cases::get_desk);
    r.add(M::POST,  "/api/v1/cases/batch", cases::create_batch);
    r.add(M::GET,   "/api/v1/cases/{id}", cases::get_case);
    r.add(M::PATCH, "/api/v1/cases/{id}", cases::patch_case);
    r.add(M::POST,  "/api/v1/cases/{id}/events", cases::post_event);
    r.add(M::GET,   "/api/v1/cases/{id}/history", cases::case_history);
    r.add(M::GET,   "/api/v1/cases/{id}/fee", fees::get_fee);
    r.add(M::POST,  "/api/v1/cases/{id}/fee/assessment", fees::post_assessment);
    r.add(M::POST,  "/api/v1/cases/{id}/fee/notice", fees::post_notice);
    r.add(M::POST,  "/api/v1/cases/{id}/reply", replies::post_reply);
    r.add(M::GET,   "/api/v1/cases/{id}/reply-draft", replies::reply_draft);
    r.add(M::GET,   "/api/v1/cases/{id}/review", reviews::get_review);
    r.add(M::PUT,   "/api/v1/cases/{id}/review", reviews::put_review);
    r.add(M::POST,  "/api/v1/cases/{id}/review/decisions", reviews::post_decision);
    r.add(M::POST,  "/api/v1/cases/{id}/review/issue", reviews::post_issue);
    r.add(M::GET,   "/api/v1/reviews/queue", reviews::queue);
    r.add(M::GET,   "/api/v1/supervision/reviews", reviews::stuck);
    r.add(M::GET,   "/api/v1/departments/{id}/review-chain", reviews::get_chain);
    r.add(M::PUT,   "/api/v1/departments/{id}/review-chain", reviews::put_chain);
    r.add(M::GET,   "/api/v1/reports/overdue", reports::overdue);
    r.add(M::GET,   "/api/v1/reports/due-soon", reports::due_soon);
    r.add(M::GET,   "/api/v1/reports/compliance", reports::compliance);
    r.add(M::GET,   "/api/v1/supervision/overview", reports::supervision_overview);
    r.add(M::GET,   "/api/v1/supervision/approvals", reports::approvals);
    r.add(M::GET,   "/api/v1/outbox", outbox::list);
    r.add(M::POST,  "/api/v1/outbox/{id}/retry", outbox::retry);
    r.add(M::GET,   "/api/v1/calendar/add-working-days", calendar::add_working_days);
    r.add(M::GET,   "/api/v1/calendar/working-days", calendar::working_days);
    r.add(M::GET,   "/api/v1/calendars", calendar::list_calendars);
    r.add(M::GET,   "/api/v1/calendars/{region}/{year}", calendar::get_calendar_year);
    r.add(M::PUT,   "/api/v1/calendars/{region}/{year}", calendar::put_calendar_year);
    r.add(M::POST,  "/api/v1/calendars/{region}/{year}/preview", calendar::preview_calendar_year);
    r.add(M::POST,  "/api/v1/cases/{id}/remedies", remedies::post_remedy);
    r.add(M::PATCH, "/api/v1/remedies/{id}", remedies::patch_remedy);
    r.add(M::GET,   "/api/v1/remedies", remedies::list_remedies);
    r.add(M::POST,  "/api/v1/orders", orders::post_order);
    r.add(M::GET,   "/api/v1/orders", orders::list_orders);
    r.add(M::GET,   "/api/v1/orders/{id}", orders::get_order);
    r.add(M::POST,  "/api/v1/orders/{id}/steps", orders::post_step);
    r.add(M::GET,   "/api/v1/library", library::search);
    r.add(M::POST,  "/api/v1/library", library::mark);
    r.add(M::GET,   "/api/v1/library/{id}", library::get_entry);
    r.add(M::PATCH, "/api/v1/library/{id}", library::patch_entry);
    r.add(M::GET,   "/api/v1/library/{id}/original", library::original);
    r.add(M::POST,  "/api/v1/library/{id}/publish", library::publish);
    r.add(M::POST,  "/api/v1/library/{id}/withdraw", library::withdraw);
    r.add(M::POST,  "/api/v1/library/{id}/reply-draft", library::reply_draft);
    r.add(M::GET,   "/api/v1/assessments/items", assessments::list_items);
    r.add(M::GET,   "/api/v1/assessments/items/{id}", assessments::get_item);
    r.add(M::POST,  "/api/v1/assessments/items/{id}/steps", assessments::post_item_step);
    r.add(M::POST,  "/api/v1/assessments", assessments::post_period);
    r.add(M::GET,   "/api/v1/assessments", assessments::list_periods);
    r.add(M::GET,   "/api/v1/assessments/{id}", assessments::get_period);
    r.add(M::PATCH, "/api/v1/assessments/{id}", assessments::patch_period);
    r.add(M::PUT,   "/api/v1/assessments/{id}/manual-scores", assessments::put_manual);
    r.add(M::POST,  "/api/v1/assessments/{id}/publish", assessments::post_publish);
    r.add(M::GET,   "/api/v1/reports/annual", annual::annual_report);
    r.add(M::GET,   "/api/v1/reports/annual/cases", annual::annual_cells);
    r.add(M::GET,   "/api/v1/reports/annual/publications", annual::publications);
    r.add(M::POST,  "/api/v1/reports/annual/publications", annual::publish);
    r.add(M::POST,  "/api/v1/audits", campaigns::create_campaign);
    r.add(M::GET,   "/api/v1/audits", campaigns::list_campaigns);
    r.add(M::GET,   "/api/v1/audits/{id}", campaigns::get_campaign);
    r.add(M::POST,  "/api/v1/audits/{id}/targets", campaigns::add_target);
    r.add(M::GET,   "/api/v1/audits/{id}/targets/{target_id}", campaigns::scorecard);
    r.add(M::PUT,   "/api/v1/audits/{id}/targets/{target_id}/department", campaigns::put_target_department);
    r.add(M::POST,  "/api/v1/audits/{id}/letters", campaigns::add_letter);
    r.add(M::PATCH, "/api/v1/audits/{id}/letters/{letter_id}", campaigns::patch_letter);
    r.add(M::PUT,   "/api/v1/audits/{id}/letters/{letter_id}/reply", campaigns::put_reply);
    r.add(M::POST,  "/api/v1/audits/{id}/phone-checks", campaigns::add_phone_check);
    r.add(M::POST,  "/api/v1/audits/{id}/import", campaigns::import);
    r.add(M::GET,   "/api/v1/audits/{id}/report", campaigns::report);
    r.add(M::POST,  "/api/v1/public/applications", public::post_application);
    r.add(M::POST,  "/api/v1/public/status", public::post_status);
}

/// Collects routes per path (one actix resource per path, so a wrong method answers 405).
struct Routes {
    resources: Vec<(&'static str, actix_web::Resource)>,
    listed: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add<F, Args>(&mut self, method: Method, path: &'static str, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.listed.push((method.clone(), path));
        let route = web::method(method).to(handler);
        match self.resources.iter_mut().find(|(p, _)| *p == path) {
            Some((_, res)) => {
                let taken = std::mem::replace(res, web::resource(path));
                *res = taken.route(route);
            }
            None => self
                .resources
                .push((path, web::resource(path).route(route))),
        }
    }
}

fn collect() -> Routes {
    let mut routes = Routes {
        resources: Vec::new(),
        listed: Vec::new(),
    };
    declare(&mut routes);
    routes
}

/// (method, path) of every route, in declaration order.
pub fn route_list() -> Vec<(String, String)> {
    collect()
        .listed
        .into_iter()
        .map(|(m, p)| (m.as_str().to_owned(), p.to_owned()))
        .collect()
}

/// Routes that import whole data sets (a calendar year, a batch of cases) accept bodies up
/// to this size; every other JSON body is limited to `extract::DEFAULT_BODY_LIMIT`.
const IMPORT_BODY_LIMIT: usize = 4 * 1024 * 1024;
const IMPORT_ROUTES: &[&str] = &[
    "/api/v1/cases/batch",
    "/api/v1/calendars/{region}/{year}",
    "/api/v1/calendars/{region}/{year}/preview",
];

/// Registers the API on an actix `App`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(extract::DEFAULT_BODY_LIMIT)
            .error_handler(|e, _| error::json_error(e)),
    )
    .app_data(web::QueryConfig::default().error_handler(error::query_error))
    .app_data(web::PathConfig::default().error_handler(error::path_error));
    let routes = collect();
    for (path, resource) in routes.resources {
        let allow = routes
            .listed
            .iter()
            .filter(|(_, p)| *p == path)
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let resource = if IMPORT_ROUTES.contains(&path) {
            resource
                .app_data(extract::BodyLimit(IMPORT_BODY_LIMIT))
                .app_data(
                    web::JsonConfig::default()
                        .limit(IMPORT_BODY_LIMIT)
                        .error_handler(|e, _| error::json_error(e)),
                )
        } else {
            resource
        };
        cfg.service(resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(allow) }
        })));
    }
}

/// 405 with the `Allow` header listing what the path accepts.
fn method_not_allowed(allow: String) -> HttpResponse {
    let mut resp = ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该接口不支持此请求方法",
    )
    .error_response();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
        resp.headers_mut()
            .insert(actix_web::http::header::ALLOW, value);
    }
    resp
}

/// Request heads larger than this (in bytes, or more header lines than `MAX_HEADER_COUNT`)
/// get a JSON 431. actix itself answers heads over 128 KiB with an empty 431 before any
/// middleware runs; this lower limit makes the usual case carry the error body.
const MAX_HEADER_BYTES: usize = 32 * 1024;
const MAX_HEADER_COUNT: usize = 64;

/// The browser-hardening headers on every answer: `nosniff` everywhere; `no-store` on the
/// API (tokens and personal data), except the public calendar arithmetic; a strict CSP and
/// no framing on HTML pages. Oversized request heads are refused here with a JSON body.
pub async fn security_headers(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let head_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    let no_store = req.path().starts_with("/api/") && !req.path().starts_with("/api/v1/calendar/");
    let mut res = if head_bytes > MAX_HEADER_BYTES || req.headers().len() > MAX_HEADER_COUNT {
        let resp = ApiError::new(
            actix_web::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "请求头过大或过多（合计不超过32KB、64个）",
        )
        .error_response();
        req.into_response(resp).map_into_right_body()
    } else {
        next.call(req).await?.map_into_left_body()
    };
    add_security_headers(res.headers_mut(), no_store);
    Ok(res)
}

fn add_security_headers(headers: &mut actix_web::http::header::HeaderMap, no_store: bool) {
    use actix_web::http::header::{self, HeaderValue};
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if no_store && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // The pages set their own, stricter policy (no inline styles at all); keep it.
    if html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // Inline styles stay allowed: the annual report embeds its stylesheet. Scripts,
        // frames, plugins and foreign origins do not.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; \
                 base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
}

/// The answer for a path no route matches.
pub async fn not_found() -> HttpResponse {
    ApiError::not_found("接口").error_response()
}

/// Copies tracing-actix-web's request id into an `X-Request-Id` response header, so a
/// caller who meets an opaque 500 can quote the id found in the log.
pub fn with_request_id<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: actix_web::dev::Service<
            ServiceRequest,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    S::Future: 'static,
{
    use actix_web::HttpMessage;
    let id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .copied();
    let call = srv.call(req);
    async move {
        let mut res = call.await?;
        if let Some(id) = id
            && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&id.to_string())
        {
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("x-request-id"),
                value,
            );
        }
        Ok(res)
    }
}

/// The request span of tracing-actix-web (method, route, client, request id …) plus one
/// `request` log line when the response is ready, with its status and latency.
pub struct RequestLog;

struct RequestStart(std::time::Instant);

impl tracing_actix_web::RootSpanBuilder for RequestLog {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        use actix_web::HttpMessage;
        request
            .extensions_mut()
            .insert(RequestStart(std::time::Instant::now()));
        // tracing-actix-web's default span logs the query string (applicant names in `q`)
        // and believes any X-Forwarded-For; this one logs the path only and the address
        // as `extract::client_addr` decides it.
        let proxies = request
            .app_data::<extract::State>()
            .map(|s| s.settings.trusted_proxies.clone())
            .unwrap_or_default();
        let client = extract::client_addr(request.head(), request.peer_addr(), &proxies)
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.path(),
            http.client_ip = %client,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        use actix_web::HttpMessage;
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        let (status, elapsed_ms) = match outcome {
            Ok(res) => {
                let ms = res
                    .request()
                    .extensions()
                    .get::<RequestStart>()
                    .map(|s| s.0.elapsed().as_secs_f64() * 1000.0);
                (res.status().as_u16(), ms)
            }
            Err(e) => (e.as_response_error().status_code().as_u16(), None),
        };
        span.in_scope(|| tracing::info!(status, elapsed_ms, "request"));
    }
}

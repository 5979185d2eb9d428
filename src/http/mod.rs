//! actix-web only: the route table, handlers, DTOs and the error boundary. Handlers parse
//! input, call `domain`/`store`, and shape the answer; rules live in `domain`.

mod annual;
mod calendar;
mod campaigns;
mod cases;
pub mod error;
pub mod extract;
mod health;
mod org;
mod outbox;
mod remedies;
mod replies;
mod reports;
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
    r.add(M::POST,  "/api/v1/auth/login", session::login);
    r.add(M::GET,   "/api/v1/me", session::me);
    r.add(M::POST,  "/api/v1/departments", org::create_department);
    r.add(M::GET,   "/api/v1/departments", org::list_departments);
    r.add(M::GET,   "/api/v1/departments/{id}", org::get_department);
    r.add(M::PATCH, "/api/v1/departments/{id}", org::patch_department);
    r.add(M::POST,  "/api/v1/users", org::create_user);
    r.add(M::GET,   "/api/v1/users", org::list_users);
    r.add(M::PATCH, "/api/v1/users/{id}", org::patch_user);
    r.add(M::POST,  "/api/v1/cases", cases::create_case);
    r.add(M::GET,   "/api/v1/cases", cases::list_cases);
    r.add(M::POST,  "/api/v1/cases/batch", cases::create_batch);
    r.add(M::GET,   "/api/v1/cases/{id}", cases::get_case);
    r.add(M::POST,  "/api/v1/cases/{id}/events", cases::post_event);
    r.add(M::GET,   "/api/v1/cases/{id}/history", cases::case_history);
    r.add(M::POST,  "/api/v1/cases/{id}/reply", replies::post_reply);
    r.add(M::GET,   "/api/v1/cases/{id}/reply-draft", replies::reply_draft);
    r.add(M::GET,   "/api/v1/reports/overdue", reports::overdue);
    r.add(M::GET,   "/api/v1/reports/due-soon", reports::due_soon);
    r.add(M::GET,   "/api/v1/reports/compliance", reports::compliance);
    r.add(M::GET,   "/api/v1/outbox", outbox::list);
    r.add(M::POST,  "/api/v1/outbox/{id}/retry", outbox::retry);
    r.add(M::GET,   "/api/v1/calendar/add-working-days", calendar::add_working_days);
    r.add(M::GET,   "/api/v1/calendar/working-days", calendar::working_days);
    r.add(M::GET,   "/api/v1/calendars", calendar::list_calendars);
    r.add(M::GET,   "/api/v1/calendars/{region}/{year}", calendar::get_calendar_year);
    r.add(M::PUT,   "/api/v1/calendars/{region}/{year}", calendar::put_calendar_year);
    r.add(M::POST,  "/api/v1/cases/{id}/remedies", remedies::post_remedy);
    r.add(M::PATCH, "/api/v1/remedies/{id}", remedies::patch_remedy);
    r.add(M::GET,   "/api/v1/remedies", remedies::list_remedies);
    r.add(M::GET,   "/api/v1/reports/annual", annual::annual_report);
    r.add(M::GET,   "/api/v1/reports/annual/cases", annual::annual_cells);
    r.add(M::POST,  "/api/v1/audits", campaigns::create_campaign);
    r.add(M::GET,   "/api/v1/audits", campaigns::list_campaigns);
    r.add(M::GET,   "/api/v1/audits/{id}", campaigns::get_campaign);
    r.add(M::POST,  "/api/v1/audits/{id}/targets", campaigns::add_target);
    r.add(M::POST,  "/api/v1/audits/{id}/letters", campaigns::add_letter);
    r.add(M::PATCH, "/api/v1/audits/{id}/letters/{letter_id}", campaigns::patch_letter);
    r.add(M::PUT,   "/api/v1/audits/{id}/letters/{letter_id}/reply", campaigns::put_reply);
    r.add(M::POST,  "/api/v1/audits/{id}/phone-checks", campaigns::add_phone_check);
    r.add(M::POST,  "/api/v1/audits/{id}/import", campaigns::import);
    r.add(M::GET,   "/api/v1/audits/{id}/report", campaigns::report);
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

/// Registers the API on an actix `App`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(2 * 1024 * 1024)
            .error_handler(|e, _| error::json_error(e)),
    )
    .app_data(web::QueryConfig::default().error_handler(error::query_error))
    .app_data(web::PathConfig::default().error_handler(error::path_error));
    for (_, resource) in collect().resources {
        cfg.service(resource.default_service(web::to(method_not_allowed)));
    }
}

async fn method_not_allowed() -> HttpResponse {
    ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该接口不支持此请求方法",
    )
    .error_response()
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
        tracing_actix_web::root_span!(request)
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

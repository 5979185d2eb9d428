//! The HTML face for clerks, and the public pages of online applications (`/apply`, no
//! account): server-rendered Chinese pages over the same operations as the JSON API. A page handler parses its form, calls one operation, renders a template; it
//! opens no transaction and writes no audit record or mail of its own. Pages live at `/`,
//! the API at `/api/v1`. Core paths work without JavaScript; htmx (vendored) adds live
//! previews.

mod admin;
mod annual;
mod assessments;
mod audits;
mod cases;
mod desk;
use crate::report::docx;
pub mod error;
mod fees;
mod files;
mod library;
mod online;
mod orders;
mod render;
mod replies;
mod reviews;
pub mod session;
mod supervision;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::http::extract::State;
use crate::ops::{Ctx, OpError};
use error::WebError;

/// Runs an operation on the blocking thread pool (diesel blocks).
pub async fn run<T, F>(state: &State, f: F) -> Result<T, WebError>
where
    F: FnOnce(&Ctx) -> Result<T, OpError> + Send + 'static,
    T: Send + 'static,
{
    let ctx = state.ctx.clone();
    Ok(web::block(move || ctx.request(f)).await??)
}

/// Runs an operation on what a form parsed to; a form that did not parse is refused the same
/// way the operation would refuse it (its field errors).
pub async fn run_parsed<I, T, F>(
    state: &State,
    parsed: Result<I, OpError>,
    f: F,
) -> Result<T, WebError>
where
    I: Send + 'static,
    F: FnOnce(&Ctx, I) -> Result<T, OpError> + Send + 'static,
    T: Send + 'static,
{
    let input = parsed?;
    run(state, move |ctx| f(ctx, input)).await
}

/// A submitted form, keys in order (a key may repeat).
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of a field, trimmed; None when absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every value of a field (repeated inputs).
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The fields as a map for re-rendering a rejected form (nothing typed is lost).
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        let mut m = std::collections::BTreeMap::new();
        for (k, v) in &self.0 {
            if k != "csrf" && k != "password" {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        m
    }
}

/// What a page says when someone else changed the case while its form was being filled.
pub const STALE_FORM: &str =
    "该案件在您填写期间已被他人修改：下面是最新情况，您填写的内容仍保留在表单中，请核对后再提交。";

/// The case version a form was filled against (its hidden `version` field).
pub fn form_version(form: &Form) -> Result<i32, WebError> {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadForm("缺少案件版本号".into()))
}

const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/vendor/htmx-2.0.11.min.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        "print.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/print.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
];

/// The embedded stylesheet and scripts (offices are often offline: nothing from a CDN).
async fn asset(path: web::Path<String>) -> HttpResponse {
    match STATIC.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, mime, body)) => HttpResponse::Ok()
            .content_type(*mime)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}

/// The pages' routes (registered after the API's).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{file}", web::get().to(asset))
        .route("/login", web::get().to(session::login_form))
        .route("/login", web::post().to(session::login))
        .route("/logout", web::post().to(session::logout))
        .route("/account/password", web::get().to(session::password_form))
        .route(
            "/account/password",
            web::post().to(session::change_password),
        )
        .route("/", web::get().to(desk::desk))
        .route("/apply", web::get().to(online::index))
        .route("/apply/status", web::get().to(online::status_form))
        .route("/apply/status", web::post().to(online::lookup))
        .route("/apply/status/correction", web::post().to(online::correct))
        .route("/apply/status/letter", web::post().to(online::letter))
        .route("/apply/{dept}", web::get().to(online::form))
        .route("/apply/{dept}", web::post().to(online::submit))
        .route("/apply/{dept}/guide", web::get().to(online::guide))
        .route("/supervision", web::get().to(supervision::overview))
        .route("/supervision/overdue", web::get().to(supervision::overdue))
        .route(
            "/supervision/compliance",
            web::get().to(supervision::compliance),
        )
        .route("/approvals", web::get().to(supervision::approvals))
        .route("/library", web::get().to(library::list))
        .route("/library", web::post().to(library::mark))
        .route("/library/{id}", web::get().to(library::show))
        .route("/library/{id}/edit", web::post().to(library::edit))
        .route("/library/{id}/publish", web::post().to(library::publish))
        .route("/library/{id}/withdraw", web::post().to(library::withdraw))
        .route("/library/{id}/use", web::post().to(library::use_entry))
        .route("/orders", web::get().to(orders::list))
        .route("/orders", web::post().to(orders::issue))
        .route("/orders/new", web::get().to(orders::new_form))
        .route("/orders/{id}", web::get().to(orders::show))
        .route("/orders/{id}/steps", web::post().to(orders::step))
        .route("/assessments", web::get().to(assessments::list))
        .route("/assessments", web::post().to(assessments::create))
        .route("/assessments/items", web::get().to(assessments::items))
        .route("/assessments/items/{id}", web::get().to(assessments::item))
        .route(
            "/assessments/items/{id}/steps",
            web::post().to(assessments::item_step),
        )
        .route("/assessments/{id}", web::get().to(assessments::show))
        .route(
            "/assessments/{id}/remarks",
            web::post().to(assessments::remarks),
        )
        .route(
            "/assessments/{id}/manual",
            web::post().to(assessments::manual),
        )
        .route(
            "/assessments/{id}/scheme",
            web::post().to(assessments::scheme),
        )
        .route(
            "/assessments/{id}/publish",
            web::post().to(assessments::publish),
        )
        .route(
            "/assessments/{id}/notice",
            web::get().to(assessments::notice),
        )
        .route(
            "/assessments/{id}/notice.docx",
            web::get().to(assessments::notice_docx),
        )
        .route(
            "/assessments/{id}/scores.xlsx",
            web::get().to(assessments::scores_xlsx),
        )
        .route("/reports/annual", web::get().to(annual::report))
        .route("/reports/annual/cell", web::get().to(annual::cell))
        .route("/reports/annual/publish", web::post().to(annual::publish))
        .route("/audits", web::get().to(audits::list))
        .route("/audits", web::post().to(audits::create))
        .route("/audits/{id}", web::get().to(audits::campaign))
        .route("/audits/{id}/targets", web::post().to(audits::add_target))
        .route(
            "/audits/{id}/targets/{target_id}",
            web::get().to(audits::scorecard),
        )
        .route(
            "/audits/{id}/targets/{target_id}/department",
            web::post().to(audits::link_department),
        )
        .route("/audits/{id}/letters", web::post().to(audits::add_letter))
        .route(
            "/audits/{id}/letters/{letter_id}",
            web::post().to(audits::edit_letter),
        )
        .route(
            "/audits/{id}/letters/{letter_id}/reply",
            web::post().to(audits::reply),
        )
        .route(
            "/audits/{id}/phone-checks",
            web::post().to(audits::add_phone_check),
        )
        .route("/audits/{id}/import", web::post().to(audits::import))
        .route("/audits/{id}/report", web::get().to(audits::report))
        .route(
            "/audits/{id}/report.xlsx",
            web::get().to(audits::report_xlsx),
        )
        .route("/cases", web::get().to(cases::search))
        .route("/cases/new", web::get().to(cases::intake_form))
        .route("/cases/new", web::post().to(cases::intake))
        .route("/cases/preview", web::get().to(cases::preview))
        .route("/cases/{id}", web::get().to(cases::case_page))
        .route("/cases/{id}/events", web::post().to(cases::record_event))
        .route("/cases/{id}/fee/assessment", web::post().to(fees::assess))
        .route("/cases/{id}/fee/notice", web::post().to(fees::issue))
        .route("/cases/{id}/reply", web::get().to(replies::reply_form))
        .route("/cases/{id}/reply", web::post().to(replies::record))
        .route("/cases/{id}/reply/check", web::post().to(replies::check))
        .route("/cases/{id}/review", web::get().to(reviews::show))
        .route("/cases/{id}/review/decide", web::post().to(reviews::decide))
        .route("/cases/{id}/review/issue", web::post().to(reviews::issue))
        .route("/reviews", web::get().to(reviews::queue))
        .route("/cases/{id}/reply/print", web::get().to(replies::print))
        .route("/cases/{id}/reply.docx", web::get().to(replies::docx))
        .route(
            "/cases/{id}/notices/{kind}",
            web::get().to(files::notice_form),
        )
        .route(
            "/cases/{id}/notices/{kind}",
            web::post().to(files::record_notice),
        )
        .route("/notices/{id}/print", web::get().to(files::print_notice))
        .route("/notices/{id}.docx", web::get().to(files::notice_docx))
        .route("/cases/{id}/attachments", web::post().to(files::upload))
        .route(
            "/attachments/{id}",
            web::get().to(files::download_attachment),
        )
        .route("/account/calendar", web::get().to(files::calendar_page))
        .route("/account/calendar", web::post().to(files::new_feed))
        .route(
            "/account/calendar/revoke",
            web::post().to(files::revoke_feed),
        )
        .route("/calendar/{token}", web::get().to(files::ics))
        .route("/admin/departments", web::get().to(admin::departments))
        .route(
            "/admin/departments",
            web::post().to(admin::create_department),
        )
        .route(
            "/admin/departments/{id}",
            web::get().to(admin::department_form),
        )
        .route(
            "/admin/departments/{id}",
            web::post().to(admin::update_department),
        )
        .route("/admin/users", web::get().to(admin::users))
        .route("/admin/users", web::post().to(admin::create_user))
        .route("/admin/users/{id}", web::get().to(admin::user_form))
        .route("/admin/users/{id}", web::post().to(admin::update_user))
        .route(
            "/admin/users/{id}/active",
            web::post().to(admin::set_active),
        )
        .route(
            "/admin/users/{id}/password",
            web::post().to(admin::reset_password),
        )
        .route("/admin/calendars", web::get().to(admin::calendars))
        .route(
            "/admin/calendars/preview",
            web::post().to(admin::preview_import),
        )
        .route(
            "/admin/calendars/import",
            web::post().to(admin::apply_import),
        )
        .route("/admin/outbox", web::get().to(admin::outbox))
        .route(
            "/admin/outbox/{id}/retry",
            web::post().to(admin::retry_mail),
        );
}

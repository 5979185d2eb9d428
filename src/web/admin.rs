//! The administrators' pages: the department tree with its forms, users (create, role and
//! department, password reset, deactivation), the holiday calendars as month grids with an
//! import that is previewed before it is applied, and the mail outbox. Each handler parses
//! its form, calls one operation (the API's), renders; the operations refuse other roles.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, html, refusal, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::domain::org::{CourtInput, DepartmentInput, OrganInput};
use crate::http::extract::State;
use crate::ops::calendars::{self, ImportIn};
use crate::ops::org::{self, DepartmentView, UserIn, UserPatch};
use crate::ops::{OpError, admin, outbox};

type Fields = BTreeMap<String, String>;

/// What a page says when someone else saved the same record while its form was open.
const STALE_RECORD: &str = "在您填写期间，其他人已修改并保存了这条记录。下面“当前保存的内容”是最新情况；您填写的内容仍保留在表单中，核对后再次保存即以您填写的为准。";

fn owned(form: &Form, key: &str) -> Option<String> {
    form.get(key).map(str::to_owned)
}

/// The version a form was filled against (its hidden `version` field).
fn version(form: &Form) -> Result<i32, WebError> {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadForm("缺少版本号，请刷新页面后重新提交".into()))
}

fn id_of(form: &Form, key: &str) -> Option<i64> {
    form.get(key).and_then(|v| v.parse().ok())
}

// ---------------------------------------------------------------- departments

/// The department form as the API's input. Every field is sent, so an edit replaces what
/// was stored; blank organ and court blocks clear them.
fn department_input(form: &Form) -> DepartmentInput {
    let organ = ["name", "address", "phone"]
        .iter()
        .any(|f| form.get(&format!("reconsideration_organ.{f}")).is_some())
        .then(|| OrganInput {
            name: owned(form, "reconsideration_organ.name").unwrap_or_default(),
            address: owned(form, "reconsideration_organ.address"),
            phone: owned(form, "reconsideration_organ.phone"),
        });
    let court = ["name", "address"]
        .iter()
        .any(|f| form.get(&format!("court.{f}")).is_some())
        .then(|| CourtInput {
            name: owned(form, "court.name").unwrap_or_default(),
            address: owned(form, "court.address"),
            designated: form.get("court.designated").is_some(),
        });
    DepartmentInput {
        name: Some(owned(form, "name").unwrap_or_default()),
        code: Some(owned(form, "code").unwrap_or_default()),
        kind: owned(form, "kind"),
        level: owned(form, "level"),
        parent_id: Some(id_of(form, "parent_id")),
        region: Some(owned(form, "region").unwrap_or_default()),
        address: Some(owned(form, "address")),
        phone: Some(owned(form, "phone")),
        office_name: Some(owned(form, "office_name")),
        office_hours: Some(owned(form, "office_hours")),
        fax: Some(owned(form, "fax")),
        reconsideration_organ: Some(organ),
        court: Some(court),
        fee_pauses_clock: Some(form.get("fee_pauses_clock").is_some()),
        regional_holidays: Some(form.get("regional_holidays").is_some()),
        // An unknown value is left out: the stored (or default) setting stays.
        fee_method: form
            .get("fee_method")
            .and_then(crate::domain::fee::FeeMethod::parse),
    }
}

/// A stored department as the form's values.
fn department_values(d: &DepartmentView) -> Fields {
    let mut v = Fields::new();
    let mut put = |k: &str, val: Option<&str>| {
        if let Some(val) = val {
            v.insert(k.to_owned(), val.to_owned());
        }
    };
    put("name", Some(&d.name));
    put("code", Some(&d.code));
    put("kind", Some(d.kind));
    put("level", Some(d.level));
    put("region", Some(&d.region));
    put("address", d.address.as_deref());
    put("phone", d.phone.as_deref());
    put("office_name", d.office_name.as_deref());
    put("office_hours", d.office_hours.as_deref());
    put("fax", d.fax.as_deref());
    if let Some(o) = &d.reconsideration_organ {
        put("reconsideration_organ.name", Some(&o.name));
        put("reconsideration_organ.address", o.address.as_deref());
        put("reconsideration_organ.phone", o.phone.as_deref());
    }
    if let Some(c) = &d.court {
        put("court.name", Some(&c.name));
        put("court.address", c.address.as_deref());
        put("court.designated", c.designated.then_some("on"));
    }
    put("fee_pauses_clock", d.rules.fee_pauses_clock.then_some("on"));
    put(
        "regional_holidays",
        d.rules.regional_holidays.then_some("on"),
    );
    put("fee_method", Some(d.rules.fee_method.as_str()));
    let parent = d.parent_id.map(|p| p.to_string());
    put("parent_id", parent.as_deref());
    put("version", Some(&d.version.to_string()));
    v
}

/// What a new department's form starts with: the readings on by default, as in the API.
fn new_department_values() -> Fields {
    Fields::from([
        ("fee_pauses_clock".to_owned(), "on".to_owned()),
        ("regional_holidays".to_owned(), "on".to_owned()),
        ("fee_method".to_owned(), "none".to_owned()),
        ("kind".to_owned(), "department".to_owned()),
        ("level".to_owned(), "county".to_owned()),
    ])
}

struct DeptPage {
    values: Fields,
    errors: Fields,
    message: Option<String>,
    /// The stored department beside a stale form.
    current: Option<Fields>,
    status: StatusCode,
}

impl DeptPage {
    fn fresh(values: Fields) -> Self {
        Self {
            values,
            errors: Fields::new(),
            message: None,
            current: None,
            status: StatusCode::OK,
        }
    }
}

async fn departments_page(
    state: &State,
    page: &Page,
    editing: Option<i64>,
    p: DeptPage,
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let tree = run(state, move |ctx| admin::department_tree(ctx, &actor)).await?;
    let body = render(
        "admin_departments.html",
        context! {
            user => page.user(), nav => "admin_departments",
            tree => Value::from_serialize(&tree), editing => editing,
            values => p.values, errors => p.errors, message => p.message,
            current => p.current, done => done,
        },
    )?;
    Ok(html(p.status, body))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn departments(
    state: State,
    page: Page,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, WebError> {
    let p = DeptPage::fresh(new_department_values());
    departments_page(&state, &page, None, p, q.done.as_deref()).await
}

pub async fn department_form(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = page.0.actor.clone();
    let d = run(&state, move |ctx| org::get_department(ctx, &actor, id)).await?;
    let p = DeptPage::fresh(department_values(&DepartmentView::from(d)));
    departments_page(&state, &page, Some(id), p, q.done.as_deref()).await
}

pub async fn create_department(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let input = department_input(&form);
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        org::create_department(ctx, &actor, input)
    })
    .await
    {
        Ok(d) => Ok(see_other(&format!("/admin/departments?done={}", d.id))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let p = DeptPage {
                values: form.values(),
                errors: r.fields,
                message: r.message,
                current: None,
                status: r.status,
            };
            departments_page(&state, &page, None, p, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn update_department(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let input = department_input(&form);
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        org::update_department(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(d) => Ok(see_other(&format!("/admin/departments?done={}", d.id))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let mut values = form.values();
            let current = if r.stale {
                let actor = page.0.actor.clone();
                let d = run(&state, move |ctx| org::get_department(ctx, &actor, id)).await?;
                let stored = department_values(&DepartmentView::from(d));
                // The next save is made knowingly over the stored version.
                if let Some(v) = stored.get("version") {
                    values.insert("version".into(), v.clone());
                }
                Some(stored)
            } else {
                None
            };
            let p = DeptPage {
                values,
                errors: r.fields,
                message: if r.stale {
                    Some(STALE_RECORD.to_owned())
                } else {
                    r.message
                },
                current,
                status: r.status,
            };
            departments_page(&state, &page, Some(id), p, None).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- users

struct UsersPage {
    values: Fields,
    errors: Fields,
    message: Option<String>,
    /// A password generated or typed for a new account, shown this once.
    shown_password: Option<(String, String)>,
    status: StatusCode,
}

async fn users_page(state: &State, page: &Page, p: UsersPage) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (users, tree) = run(state, move |ctx| {
        Ok((
            admin::users(ctx, &actor)?,
            admin::department_tree(ctx, &actor)?,
        ))
    })
    .await?;
    let body = render(
        "admin_users.html",
        context! {
            user => page.user(), nav => "admin_users",
            users => Value::from_serialize(&users), tree => Value::from_serialize(&tree),
            values => p.values, errors => p.errors, message => p.message,
            shown_password => p.shown_password,
        },
    )?;
    Ok(html(p.status, body))
}

pub async fn users(state: State, page: Page) -> Result<HttpResponse, WebError> {
    let p = UsersPage {
        values: Fields::from([("role".to_owned(), "clerk".to_owned())]),
        errors: Fields::new(),
        message: None,
        shown_password: None,
        status: StatusCode::OK,
    };
    users_page(&state, &page, p).await
}

/// A password the admin typed, or one generated (as `ogi-tracker user add` does), and
/// whether it was generated.
fn chosen_password(form: &Form) -> Result<(String, bool), WebError> {
    match form.get("password") {
        Some(p) => Ok((p.to_owned(), false)),
        None => Ok((
            crate::auth::password::generate().map_err(|e| WebError::Internal(e.to_string()))?,
            true,
        )),
    }
}

pub async fn create_user(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let (password, generated) = chosen_password(&form)?;
    let input = UserIn {
        username: owned(&form, "username").unwrap_or_default(),
        display_name: owned(&form, "display_name").unwrap_or_default(),
        email: owned(&form, "email"),
        role: owned(&form, "role").unwrap_or_default(),
        department_id: id_of(&form, "department_id"),
        password: password.clone(),
    };
    let actor = page.0.actor.clone();
    let p = match run(&state, move |ctx| {
        org::create_user(ctx, Some(&actor), input)
    })
    .await
    {
        Ok(u) => UsersPage {
            values: Fields::from([("role".to_owned(), "clerk".to_owned())]),
            errors: Fields::new(),
            message: None,
            // Only a generated password needs showing: the admin knows one typed.
            shown_password: Some((u.username, if generated { password } else { String::new() })),
            status: StatusCode::CREATED,
        },
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            UsersPage {
                values: form.values(),
                errors: r.fields,
                message: r.message,
                shown_password: None,
                status: r.status,
            }
        }
        Err(e) => return Err(e),
    };
    users_page(&state, &page, p).await
}

struct UserPage {
    values: Option<Fields>,
    errors: Fields,
    message: Option<String>,
    stale: bool,
    new_password: Option<String>,
    done: Option<&'static str>,
    status: StatusCode,
}

impl UserPage {
    fn ok(done: Option<&'static str>) -> Self {
        Self {
            values: None,
            errors: Fields::new(),
            message: None,
            stale: false,
            new_password: None,
            done,
            status: StatusCode::OK,
        }
    }
}

async fn user_page(
    state: &State,
    page: &Page,
    id: i64,
    p: UserPage,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (u, tree) = run(state, move |ctx| {
        Ok((
            admin::user(ctx, &actor, id)?,
            admin::department_tree(ctx, &actor)?,
        ))
    })
    .await?;
    let stored = Fields::from([
        ("display_name".to_owned(), u.user.display_name.clone()),
        ("email".to_owned(), u.user.email.clone().unwrap_or_default()),
        ("role".to_owned(), u.user.role.clone()),
        (
            "department_id".to_owned(),
            u.user
                .department_id
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
    ]);
    let mut values = p.values.unwrap_or_else(|| stored.clone());
    // Every form on the page is filled against the stored version (a stale one is kept
    // as typed, and saving again is then a knowing overwrite).
    values.insert("version".into(), u.user.version.to_string());
    let body = render(
        "admin_user.html",
        context! {
            user => page.user(), nav => "admin_users",
            u => Value::from_serialize(&u), tree => Value::from_serialize(&tree),
            values => values, stored => stored, errors => p.errors, message => p.message,
            stale => p.stale, new_password => p.new_password, done => p.done,
            own => id == page.0.actor.user_id,
        },
    )?;
    Ok(html(p.status, body))
}

#[derive(Deserialize)]
pub struct UserDoneQuery {
    done: Option<String>,
}

pub async fn user_form(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<UserDoneQuery>,
) -> Result<HttpResponse, WebError> {
    let done = match q.done.as_deref() {
        Some("saved") => Some("saved"),
        Some("deactivated") => Some("deactivated"),
        Some("activated") => Some("activated"),
        _ => None,
    };
    user_page(&state, &page, path.into_inner(), UserPage::ok(done)).await
}

/// Runs a change of a user and shows the page again: the change's result, or the refusal
/// with what was typed.
async fn change_user(
    state: &State,
    page: &Page,
    id: i64,
    form: &Form,
    patch: UserPatch,
    done: &'static str,
) -> Result<HttpResponse, WebError> {
    let expected = version(form)?;
    let actor = page.0.actor.clone();
    match run(state, move |ctx| {
        org::update_user(ctx, &actor, id, expected, patch)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}?done={done}"))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let p = UserPage {
                values: Some(form.values()),
                errors: r.fields,
                message: if r.stale {
                    Some(STALE_RECORD.to_owned())
                } else {
                    r.message
                },
                stale: r.stale,
                new_password: None,
                done: None,
                status: r.status,
            };
            user_page(state, page, id, p).await
        }
        Err(e) => Err(e),
    }
}

pub async fn update_user(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let patch = UserPatch {
        display_name: Some(owned(&form, "display_name").unwrap_or_default()),
        email: Some(owned(&form, "email")),
        role: Some(owned(&form, "role").unwrap_or_default()),
        department_id: Some(id_of(&form, "department_id")),
        ..UserPatch::default()
    };
    change_user(&state, &page, path.into_inner(), &form, patch, "saved").await
}

pub async fn set_active(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let active = match form.get("active") {
        Some("1") => true,
        Some("0") => false,
        _ => return Err(WebError::BadForm("缺少账号状态".into())),
    };
    let patch = UserPatch {
        active: Some(active),
        ..UserPatch::default()
    };
    let done = if active { "activated" } else { "deactivated" };
    change_user(&state, &page, path.into_inner(), &form, patch, done).await
}

/// A new password, typed by the admin or generated and shown once (as
/// `ogi-tracker user reset-password` does); the account's sessions end with it.
pub async fn reset_password(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = version(&form)?;
    let (password, generated) = chosen_password(&form)?;
    let patch = UserPatch {
        password: Some(password.clone()),
        ..UserPatch::default()
    };
    let actor = page.0.actor.clone();
    let p = match run(&state, move |ctx| {
        org::update_user(ctx, &actor, id, expected, patch)
    })
    .await
    {
        Ok(_) => UserPage {
            new_password: Some(if generated { password } else { String::new() }),
            ..UserPage::ok(None)
        },
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            UserPage {
                errors: r.fields,
                message: if r.stale {
                    Some(STALE_RECORD.to_owned())
                } else {
                    r.message
                },
                stale: r.stale,
                status: r.status,
                ..UserPage::ok(None)
            }
        }
        Err(e) => return Err(e),
    };
    user_page(&state, &page, id, p).await
}

// ---------------------------------------------------------------- calendars

#[derive(Deserialize)]
pub struct CalendarQuery {
    layer: Option<String>,
    year: Option<i32>,
    imported: Option<i32>,
    moved: Option<usize>,
}

/// What the calendar page shows besides the year: a refused import form, or the result
/// of an import just applied.
struct CalendarPage {
    layer: String,
    year: i32,
    import: Fields,
    errors: Fields,
    status: StatusCode,
    imported: Option<(i32, usize)>,
}

async fn calendars_page(
    state: &State,
    page: &Page,
    p: CalendarPage,
) -> Result<HttpResponse, WebError> {
    let CalendarPage {
        layer,
        year,
        import,
        errors,
        status,
        imported,
    } = p;
    let view = run(state, move |ctx| calendars::year_view(ctx, &layer, year)).await?;
    let body = render(
        "admin_calendars.html",
        context! {
            user => page.user(), nav => "admin_calendars",
            v => Value::from_serialize(&view), import => import, errors => errors,
            imported => imported,
            weekdays => ["一", "二", "三", "四", "五", "六", "日"],
        },
    )?;
    Ok(html(status, body))
}

pub async fn calendars(
    state: State,
    page: Page,
    q: web::Query<CalendarQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let layer = q.layer.unwrap_or_else(|| "national".into());
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&state.today()));
    let imported = q.imported.zip(q.moved);
    let p = CalendarPage {
        layer,
        year,
        import: Fields::new(),
        errors: Fields::new(),
        status: StatusCode::OK,
        imported,
    };
    calendars_page(&state, &page, p).await
}

/// The import form: the layer, the year and the pasted JSON (the PUT body).
struct ImportForm {
    layer: String,
    year: i32,
    body: ImportIn,
}

fn import_form(form: &Form) -> Result<ImportForm, Fields> {
    let mut errors = Fields::new();
    let layer = owned(form, "layer").unwrap_or_else(|| "national".into());
    let year = form.get("year").and_then(|y| y.parse().ok());
    if year.is_none() {
        errors.insert("year".into(), "请填写年份（四位数字）".into());
    }
    let body = match form.get("body") {
        None => {
            errors.insert(
                "body".into(),
                "请粘贴该年的节假日数据（JSON，格式同 data/calendars/ 下的文件）".into(),
            );
            None
        }
        Some(raw) => match serde_json::from_str::<ImportIn>(raw) {
            Ok(b) => Some(b),
            Err(e) => {
                errors.insert(
                    "body".into(),
                    format!(
                        "JSON 无法解析（第{}行第{}列）：应为 {{\"source\": …, \"years\": {{\"年份\": {{\"holidays\": […], \"workdays\": […]}}}}}}",
                        e.line(),
                        e.column()
                    ),
                );
                None
            }
        },
    };
    match (year, body) {
        (Some(year), Some(body)) if errors.is_empty() => Ok(ImportForm { layer, year, body }),
        _ => Err(errors),
    }
}

/// An operation's field names (`years.2026.2026-04-18`) shown next to the pasted text.
fn import_errors(fields: Fields) -> Fields {
    let mut out = Fields::new();
    for (k, v) in fields {
        let key = match k.as_str() {
            "year" | "region" => k.clone(),
            _ => "body".to_owned(),
        };
        out.entry(key)
            .and_modify(|m: &mut String| {
                m.push('；');
                m.push_str(&v);
            })
            .or_insert(v);
    }
    out
}

async fn refused_import(
    state: &State,
    page: &Page,
    form: &Form,
    errors: Fields,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let layer = owned(form, "layer").unwrap_or_else(|| "national".into());
    let shown_layer = calendars::parse_layer(&layer)
        .map(|r| crate::store::calendars::layer_key(r.as_ref()))
        .unwrap_or_else(|_| "national".into());
    let year = form
        .get("year")
        .and_then(|y| y.parse().ok())
        .filter(|y| {
            (crate::domain::calendar::FIRST_YEAR..=crate::domain::calendar::LAST_YEAR).contains(y)
        })
        .unwrap_or_else(|| chrono::Datelike::year(&state.today()));
    let p = CalendarPage {
        layer: shown_layer,
        year,
        import: form.values(),
        errors,
        status,
        imported: None,
    };
    calendars_page(state, page, p).await
}

/// The pasted year did not parse: the page again with what is wrong beside it.
async fn refused_form(
    state: &State,
    page: &Page,
    form: &Form,
    errors: Fields,
) -> Result<HttpResponse, WebError> {
    refused_import(state, page, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The preview or the import refused the year: its reasons beside the pasted text.
async fn refused_op(
    state: &State,
    page: &Page,
    form: &Form,
    e: OpError,
) -> Result<HttpResponse, WebError> {
    let r = refusal(e)?;
    let mut errors = import_errors(r.fields);
    if let Some(m) = r.message {
        errors.insert("body".into(), m);
    }
    refused_import(state, page, form, errors, r.status).await
}

pub async fn preview_import(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let input = match import_form(&form) {
        Ok(i) => i,
        Err(errors) => return refused_form(&state, &page, &form, errors).await,
    };
    let actor = page.0.actor.clone();
    let (layer, year) = (input.layer.clone(), input.year);
    match run(&state, move |ctx| {
        calendars::preview_import(ctx, &actor, &input.layer, input.year, input.body)
    })
    .await
    {
        Ok(preview) => {
            let body = render(
                "admin_calendar_preview.html",
                context! {
                    user => page.user(), nav => "admin_calendars",
                    p => Value::from_serialize(&preview), layer => layer, year => year,
                    body => form.get("body").unwrap_or_default(),
                },
            )?;
            Ok(html(StatusCode::OK, body))
        }
        Err(WebError::Op(e)) => refused_op(&state, &page, &form, e).await,
        Err(e) => Err(e),
    }
}

pub async fn apply_import(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let input = match import_form(&form) {
        Ok(i) => i,
        Err(errors) => return refused_form(&state, &page, &form, errors).await,
    };
    let actor = page.0.actor.clone();
    let year = input.year;
    match run(&state, move |ctx| {
        calendars::import_year(ctx, &actor, &input.layer, input.year, input.body)
    })
    .await
    {
        Ok((row, moved)) => Ok(see_other(&format!(
            "/admin/calendars?layer={}&year={year}&imported={}&moved={}",
            row.layer,
            row.version,
            moved.len()
        ))),
        Err(WebError::Op(e)) => refused_op(&state, &page, &form, e).await,
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- outbox

#[derive(Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    limit: Option<i64>,
    retried: Option<i64>,
}

async fn outbox_page(
    state: &State,
    page: &Page,
    status: Option<String>,
    limit: Option<i64>,
    retried: Option<i64>,
    message: Option<String>,
    code: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let s = status.clone();
    let mails = run(state, move |ctx| {
        outbox::list(ctx, &actor, s.as_deref(), limit)
    })
    .await?;
    let body = render(
        "admin_outbox.html",
        context! {
            user => page.user(), nav => "admin_outbox",
            mails => Value::from_serialize(&mails), status => status,
            limit => limit.unwrap_or(100), retried => retried, message => message,
            smtp_configured => state.settings.smtp_url.is_some(),
        },
    )?;
    Ok(html(code, body))
}

pub async fn outbox(
    state: State,
    page: Page,
    q: web::Query<OutboxQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let status = q.status.filter(|s| !s.is_empty());
    outbox_page(
        &state,
        &page,
        status,
        q.limit,
        q.retried,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn retry_mail(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| outbox::retry(ctx, &actor, id)).await {
        Ok(_) => Ok(see_other(&format!("/admin/outbox?retried={id}"))),
        Err(WebError::Op(e @ OpError::Conflict { .. })) => {
            let r = refusal(e)?;
            outbox_page(&state, &page, None, None, None, r.message, r.status).await
        }
        Err(e) => Err(e),
    }
}

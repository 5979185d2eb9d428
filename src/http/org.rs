//! Departments and users. Reads are scoped (a department outside the caller's scope is a
//! 404); writes are admin-only and guarded by `If-Match`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx, etag, if_match};
use crate::auth::{Role, Scope, password};
use crate::domain::org::{
    Court, DepartmentInput, ReconsiderationOrgan, check_parent, double_option,
};
use crate::domain::validation::{FieldErrors, optional_email, required_text};
use crate::store::departments::Department;
use crate::store::users::{NewUser, User, UserChanges};
use crate::store::{self, is_unique_violation};

#[derive(Serialize)]
pub struct DepartmentOut {
    id: i64,
    name: String,
    code: String,
    kind: &'static str,
    level: &'static str,
    parent_id: Option<i64>,
    region: String,
    address: Option<String>,
    phone: Option<String>,
    reconsideration_organ: Option<ReconsiderationOrgan>,
    court: Option<Court>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<Department> for DepartmentOut {
    fn from(d: Department) -> Self {
        let data = d.data;
        Self {
            id: d.id,
            name: data.name,
            code: data.code,
            kind: data.kind.as_str(),
            level: data.level.as_str(),
            parent_id: data.parent_id,
            region: data.region.as_str().to_owned(),
            address: data.address,
            phone: data.phone,
            reconsideration_organ: data.reconsideration_organ,
            court: data.court,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

fn department_response(status: actix_web::http::StatusCode, d: Department) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(d.version))
        .json(DepartmentOut::from(d))
}

fn code_taken() -> ApiError {
    ApiError::conflict("department_code_taken", "机关代字已被其他机关使用")
}

pub async fn create_department(
    state: State,
    auth: Auth,
    body: web::Json<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Admin])?;
    let data = body.into_inner().resolve(None)?;
    let created = db_tx(&state.pool, move |c| {
        check_parent(&store::departments::tree(c)?, None, data.parent_id)?;
        store::departments::insert(c, &data).map_err(|e| {
            if is_unique_violation(&e) {
                code_taken()
            } else {
                e.into()
            }
        })
    })
    .await?;
    Ok(department_response(
        actix_web::http::StatusCode::CREATED,
        created,
    ))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

pub async fn list_departments(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let items = db(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        if !scope.sees_departments() {
            return Err(ApiError::forbidden());
        }
        Ok(store::departments::list(c)?
            .into_iter()
            .filter(|d| scope.allows(d.id))
            .map(DepartmentOut::from)
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// Loads a department the caller may see; anything else is "not found".
fn visible_department(
    c: &mut store::DbConnection,
    scope: &Scope,
    id: i64,
) -> Result<Department, ApiError> {
    if !scope.allows(id) {
        return Err(ApiError::not_found("机关"));
    }
    store::departments::find(c, id)?.ok_or_else(|| ApiError::not_found("机关"))
}

pub async fn get_department(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let dept = db(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        visible_department(c, &scope, id)
    })
    .await?;
    Ok(department_response(actix_web::http::StatusCode::OK, dept))
}

pub async fn patch_department(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    let admin = auth.require(&[Role::Admin])?.user_id;
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let st = state.clone();
    let updated = db_tx(&state.pool, move |c| {
        let current =
            store::departments::find(c, id)?.ok_or_else(|| ApiError::not_found("机关"))?;
        if current.version != expected {
            return Err(ApiError::precondition_failed());
        }
        let data = input.resolve(Some(&current.data))?;
        check_parent(&store::departments::tree(c)?, Some(id), data.parent_id)?;
        let updated = store::departments::update(c, id, expected, &data)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    code_taken()
                } else {
                    e.into()
                }
            })?
            .ok_or_else(ApiError::precondition_failed)?;
        // Another province may mean another holiday layer: the open cases' due dates follow,
        // each recomputation audited on its case.
        if data.region.province() != current.data.region.province() {
            let calendars = st.calendars.current(c)?;
            crate::cases::recompute_open(c, &calendars, admin, st.today(), Some(id))?;
        }
        Ok(updated)
    })
    .await?;
    Ok(department_response(
        actix_web::http::StatusCode::OK,
        updated,
    ))
}

#[derive(Serialize)]
pub struct UserOut {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    role: String,
    department_id: Option<i64>,
    active: bool,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            role: u.role,
            department_id: u.department_id,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

fn user_response(status: actix_web::http::StatusCode, u: User) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(u.version))
        .json(UserOut::from(u))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    username: String,
    display_name: String,
    email: Option<String>,
    role: String,
    department_id: Option<i64>,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    display_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    email: Option<Option<String>>,
    role: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    department_id: Option<Option<i64>>,
    active: Option<bool>,
    password: Option<String>,
}

fn parse_role(e: &mut FieldErrors, raw: &str) -> Option<Role> {
    let role = Role::parse(raw.trim());
    if role.is_none() {
        e.add("role", "取值应为：clerk | supervisor | auditor | admin");
    }
    role
}

/// Cross-field rules of a user: clerks and supervisors belong to an existing department.
fn check_membership(
    c: &mut store::DbConnection,
    e: &mut FieldErrors,
    role: Option<Role>,
    department_id: Option<i64>,
) -> Result<(), ApiError> {
    match department_id {
        Some(d) if store::departments::find(c, d)?.is_none() => {
            e.add("department_id", "机关不存在")
        }
        None if role.is_some_and(Role::needs_department) => {
            e.add("department_id", "承办人和监督人员必须隶属于一个机关")
        }
        _ => {}
    }
    Ok(())
}

pub async fn create_user(
    state: State,
    auth: Auth,
    body: web::Json<UserIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Admin])?;
    let input = body.into_inner();
    let mut e = FieldErrors::default();
    let username = required_text(&mut e, "username", &input.username, 64);
    if username.as_deref().is_some_and(|u| {
        u.chars().count() < 3
            || !u
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
    }) {
        e.add("username", "用户名为3至64个字符，仅限字母、数字和 . _ -");
    }
    let display_name = required_text(&mut e, "display_name", &input.display_name, 100);
    let email = optional_email(&mut e, "email", input.email.as_deref());
    let role = parse_role(&mut e, &input.role);
    if let Err(msg) = password::check_strength(&input.password) {
        e.add("password", msg);
    }
    let department_id = input.department_id;
    let pw = input.password;
    let created = db_tx(&state.pool, move |c| {
        check_membership(c, &mut e, role, department_id)?;
        let (Some(username), Some(display_name), Some(role), true) =
            (username, display_name, role, e.is_empty())
        else {
            return Err(ApiError::validation(e));
        };
        let password_hash = password::hash(&pw).map_err(ApiError::internal)?;
        let new = NewUser {
            username,
            display_name,
            email,
            role: role.as_str().to_owned(),
            department_id,
            password_hash,
        };
        store::users::insert(c, &new).map_err(|err| {
            if is_unique_violation(&err) {
                ApiError::conflict("username_taken", "用户名已被使用")
            } else {
                err.into()
            }
        })
    })
    .await?;
    Ok(user_response(actix_web::http::StatusCode::CREATED, created))
}

pub async fn list_users(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Admin])?;
    let items = db(&state.pool, |c| {
        Ok(store::users::list(c)?
            .into_iter()
            .map(UserOut::from)
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

pub async fn patch_user(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let admin = auth.require(&[Role::Admin])?.user_id;
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let patch = body.into_inner();
    let updated = db_tx(&state.pool, move |c| {
        let current = store::users::find(c, id)?.ok_or_else(|| ApiError::not_found("用户"))?;
        if current.version != expected {
            return Err(ApiError::precondition_failed());
        }
        let mut e = FieldErrors::default();
        let display_name = patch
            .display_name
            .map_or(Some(current.display_name.clone()), |d| {
                required_text(&mut e, "display_name", &d, 100)
            });
        let email = match patch.email {
            Some(raw) => optional_email(&mut e, "email", raw.as_deref()),
            None => current.email.clone(),
        };
        let role = parse_role(&mut e, patch.role.as_deref().unwrap_or(&current.role));
        let department_id = patch.department_id.unwrap_or(current.department_id);
        let active = patch.active.unwrap_or(current.active);
        if id == admin && (!active || role != Some(Role::Admin)) {
            e.add("active", "不能停用自己的账号或取消自己的管理员角色");
        }
        let password_hash = match &patch.password {
            Some(pw) => match password::check_strength(pw) {
                Ok(()) => Some(password::hash(pw).map_err(ApiError::internal)?),
                Err(msg) => {
                    e.add("password", msg);
                    None
                }
            },
            None => None,
        };
        check_membership(c, &mut e, role, department_id)?;
        let (Some(display_name), Some(role), true) = (display_name, role, e.is_empty()) else {
            return Err(ApiError::validation(e));
        };
        // Old tokens die when the password, the role or the department changes, or the
        // account is disabled.
        let revoke_tokens = password_hash.is_some()
            || !active
            || role.as_str() != current.role
            || department_id != current.department_id;
        let changes = UserChanges {
            display_name,
            email,
            role: role.as_str().to_owned(),
            department_id,
            active,
            password_hash,
            revoke_tokens,
        };
        store::users::update(c, id, expected, &changes)?.ok_or_else(ApiError::precondition_failed)
    })
    .await?;
    Ok(user_response(actix_web::http::StatusCode::OK, updated))
}

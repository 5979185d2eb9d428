//! Departments and users. Reads are scoped (a department outside the caller's scope is
//! "not found"); writes are admin-only (or the operator at the console), versioned, and
//! leave an action-log record.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{Ctx, OpError, OpResult, check_version, log_action, require, scope};
use crate::auth::{Actor, Role, Scope, password};
use crate::domain::org::{
    Court, DepartmentInput, DepartmentRules, ReconsiderationOrgan, check_parent, double_option,
};
use crate::domain::validation::{FieldErrors, optional_email, required_text};
use crate::store::departments::Department;
use crate::store::users::{NewUser, User, UserChanges};
use crate::store::{self, is_unique_violation};

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind: &'static str,
    pub level: &'static str,
    pub parent_id: Option<i64>,
    pub region: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_name: Option<String>,
    pub office_hours: Option<String>,
    pub fax: Option<String>,
    pub reconsideration_organ: Option<ReconsiderationOrgan>,
    pub court: Option<Court>,
    /// The [configurable] readings of RULES.md this department chose.
    #[serde(flatten)]
    pub rules: DepartmentRules,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<Department> for DepartmentView {
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
            office_name: data.office_name,
            office_hours: data.office_hours,
            fax: data.fax,
            reconsideration_organ: data.reconsideration_organ,
            court: data.court,
            rules: data.rules,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub department_id: Option<i64>,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<User> for UserView {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub department_id: Option<i64>,
    pub password: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub department_id: Option<Option<i64>>,
    pub active: Option<bool>,
    pub password: Option<String>,
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
) -> OpResult<()> {
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

fn code_taken() -> OpError {
    OpError::conflict("department_code_taken", "机关代字已被其他机关使用")
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Creates a department (admin).
pub fn create_department(ctx: &Ctx, actor: &Actor, input: DepartmentInput) -> OpResult<Department> {
    require(actor, &[Role::Admin])?;
    let data = input.resolve(None)?;
    ctx.write(|c| {
        check_parent(&store::departments::tree(c)?, None, data.parent_id)?;
        let created = store::departments::insert(c, &data).map_err(|e| {
            if is_unique_violation(&e) {
                code_taken()
            } else {
                e.into()
            }
        })?;
        log_action(
            ctx,
            c,
            Some(actor),
            &format!("department:{}", created.id),
            "department_created",
            None,
            &json(&DepartmentView::from(created.clone())),
        )?;
        Ok(created)
    })
}

/// The departments the caller may see.
pub fn list_departments(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<Department>> {
    ctx.read(|c| super::cases::departments_in_scope(ctx, c, actor, None, false))
}

/// Loads a department the caller may see; anything else is "not found".
fn visible_department(c: &mut store::DbConnection, scope: &Scope, id: i64) -> OpResult<Department> {
    if !scope.allows(id) {
        return Err(OpError::NotFound("机关"));
    }
    store::departments::find(c, id)?.ok_or(OpError::NotFound("机关"))
}

pub fn get_department(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<Department> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        visible_department(c, &scope, id)
    })
}

/// Changes a department (admin, versioned). A move to another province may mean another
/// holiday layer, and a changed rule reading another clock: the open cases' due dates
/// follow, each recomputation audited on its case.
pub fn update_department(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: DepartmentInput,
) -> OpResult<Department> {
    require(actor, &[Role::Admin])?;
    ctx.write(|c| {
        let current = store::departments::find(c, id)?.ok_or(OpError::NotFound("机关"))?;
        // The body's own mistakes first: they stay mistakes whatever the version.
        let data = input.resolve(Some(&current.data))?;
        check_version(current.version, expected)?;
        check_parent(&store::departments::tree(c)?, Some(id), data.parent_id)?;
        let updated = store::departments::update(c, id, expected, &data)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    code_taken()
                } else {
                    e.into()
                }
            })?
            .ok_or(OpError::StaleVersion)?;
        // Another holiday layer or another reading moves the open cases' due dates.
        if data.region.province() != current.data.region.province()
            || data.rules != current.data.rules
        {
            let calendars = ctx.calendars(c)?;
            crate::cases::recompute_open(
                c,
                &ctx.audit_key,
                &calendars,
                actor.user_id,
                ctx.today(),
                Some(id),
            )?;
        }
        log_action(
            ctx,
            c,
            Some(actor),
            &format!("department:{id}"),
            "department_updated",
            Some(&json(&DepartmentView::from(current))),
            &json(&DepartmentView::from(updated.clone())),
        )?;
        Ok(updated)
    })
}

/// Creates a user: by an administrator through the API, or by the operator at the console
/// (`actor` None, `ogi-tracker user add`). The same checks either way.
pub fn create_user(ctx: &Ctx, actor: Option<&Actor>, input: UserIn) -> OpResult<User> {
    if let Some(a) = actor {
        require(a, &[Role::Admin])?;
    }
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
    // Hashing is slow on purpose: done before the transaction, not inside it.
    let password_hash = if e.is_empty() {
        Some(password::hash(&input.password).map_err(OpError::internal)?)
    } else {
        None
    };
    let department_id = input.department_id;
    ctx.write(|c| {
        let mut e = e.clone();
        check_membership(c, &mut e, role, department_id)?;
        let (Some(username), Some(display_name), Some(role), Some(password_hash), true) = (
            username.clone(),
            display_name.clone(),
            role,
            password_hash.clone(),
            e.is_empty(),
        ) else {
            return Err(OpError::Invalid(e));
        };
        if store::users::find_by_username(c, &username)?.is_some() {
            return Err(OpError::conflict(
                "username_taken",
                "用户名已被使用（不区分大小写）",
            ));
        }
        let new = NewUser {
            username,
            display_name,
            email: email.clone(),
            role: role.as_str().to_owned(),
            department_id,
            password_hash,
        };
        let user = store::users::insert(c, &new).map_err(|err| {
            if is_unique_violation(&err) {
                OpError::conflict("username_taken", "用户名已被使用")
            } else {
                err.into()
            }
        })?;
        log_action(
            ctx,
            c,
            actor,
            &format!("user:{}", user.id),
            "user_created",
            None,
            &json(&UserView::from(user.clone())),
        )?;
        Ok(user)
    })
}

/// Sets a new password for `username` (an administrator, or the console with `None`),
/// ends the account's tokens and records it in the action log.
pub fn reset_password(
    ctx: &Ctx,
    actor: Option<&Actor>,
    username: &str,
    new_password: &str,
) -> OpResult<User> {
    if let Some(a) = actor {
        require(a, &[Role::Admin])?;
    }
    password::check_strength(new_password).map_err(|msg| OpError::field("password", msg))?;
    let hash = password::hash(new_password).map_err(OpError::internal)?;
    ctx.write(|c| {
        let user =
            store::users::find_by_username(c, username.trim())?.ok_or(OpError::NotFound("用户"))?;
        let updated =
            store::users::set_password(c, user.id, &hash)?.ok_or(OpError::NotFound("用户"))?;
        let mut after = json(&UserView::from(updated.clone()));
        after["password_changed"] = serde_json::Value::Bool(true);
        after["tokens_revoked"] = serde_json::Value::Bool(true);
        log_action(
            ctx,
            c,
            actor,
            &format!("user:{}", user.id),
            "password_reset",
            Some(&json(&UserView::from(user))),
            &after,
        )?;
        Ok(updated)
    })
}

pub fn list_users(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<User>> {
    require(actor, &[Role::Admin])?;
    ctx.read(|c| Ok(store::users::list(c)?))
}

/// One's own account.
pub fn me(ctx: &Ctx, actor: &Actor) -> OpResult<User> {
    ctx.read(|c| store::users::find(c, actor.user_id)?.ok_or(OpError::NotFound("用户")))
}

/// Changes a user (admin, versioned). Old tokens die when the password, the role or the
/// department changes, or the account is disabled.
pub fn update_user(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    patch: UserPatch,
) -> OpResult<User> {
    require(actor, &[Role::Admin])?;
    let mut e = FieldErrors::default();
    let password_hash = match &patch.password {
        Some(pw) => match password::check_strength(pw) {
            Ok(()) => Some(password::hash(pw).map_err(OpError::internal)?),
            Err(msg) => {
                e.add("password", msg);
                None
            }
        },
        None => None,
    };
    ctx.write(|c| {
        let mut e = e.clone();
        let current = store::users::find(c, id)?.ok_or(OpError::NotFound("用户"))?;
        let display_name = patch
            .display_name
            .as_ref()
            .map_or(Some(current.display_name.clone()), |d| {
                required_text(&mut e, "display_name", d, 100)
            });
        let email = match &patch.email {
            Some(raw) => optional_email(&mut e, "email", raw.as_deref()),
            None => current.email.clone(),
        };
        let role = parse_role(&mut e, patch.role.as_deref().unwrap_or(&current.role));
        let department_id = patch.department_id.unwrap_or(current.department_id);
        let active = patch.active.unwrap_or(current.active);
        if id == actor.user_id && (!active || role != Some(Role::Admin)) {
            e.add("active", "不能停用自己的账号或取消自己的管理员角色");
        }
        check_membership(c, &mut e, role, department_id)?;
        let (Some(display_name), Some(role), true) = (display_name, role, e.is_empty()) else {
            return Err(OpError::Invalid(e));
        };
        // After the body's own mistakes: they stay mistakes whatever the version.
        check_version(current.version, expected)?;
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
            password_hash: password_hash.clone(),
            revoke_tokens,
        };
        let updated =
            store::users::update(c, id, expected, &changes)?.ok_or(OpError::StaleVersion)?;
        let mut after = json(&UserView::from(updated.clone()));
        if password_hash.is_some() {
            after["password_changed"] = serde_json::Value::Bool(true);
        }
        log_action(
            ctx,
            c,
            Some(actor),
            &format!("user:{id}"),
            "user_updated",
            Some(&json(&UserView::from(current))),
            &after,
        )?;
        Ok(updated)
    })
}

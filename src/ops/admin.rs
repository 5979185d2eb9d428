//! What the administrators' pages read besides the API's lists: the department tree in
//! tree order with each department's depth, and the users with their department's name.
//! Every change on those pages goes through the same operations as the API (`org`,
//! `calendars`, `outbox`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::org::{DepartmentView, UserView};
use super::{Ctx, OpError, OpResult, require};
use crate::auth::{Actor, Role};
use crate::store;

/// A department with its depth in the tree (0: a top-level government).
#[derive(Debug, Serialize)]
pub struct TreeRow {
    pub depth: usize,
    /// The parent's name, for reading the tree at a glance.
    pub parent: Option<String>,
    #[serde(flatten)]
    pub department: DepartmentView,
}

/// Every department, each followed by the departments below it (admin).
pub fn department_tree(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<TreeRow>> {
    require(actor, &[Role::Admin])?;
    let all = ctx.read(|c| Ok(store::departments::list(c)?))?;
    let names: BTreeMap<i64, String> = all.iter().map(|d| (d.id, d.data.name.clone())).collect();
    let mut children: BTreeMap<Option<i64>, Vec<DepartmentView>> = BTreeMap::new();
    for d in all {
        // A parent that is gone cannot happen (foreign key), but would not hide a department.
        let parent = d.data.parent_id.filter(|p| names.contains_key(p));
        children
            .entry(parent)
            .or_default()
            .push(DepartmentView::from(d));
    }
    for kids in children.values_mut() {
        kids.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::with_capacity(names.len());
    let mut stack: Vec<(DepartmentView, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|d| (d, 0))
        .collect();
    while let Some((d, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(d.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push(TreeRow {
            depth,
            parent: d.parent_id.and_then(|p| names.get(&p).cloned()),
            department: d,
        });
    }
    Ok(out)
}

/// A user with the name of its department.
#[derive(Debug, Serialize)]
pub struct UserRow {
    pub department: Option<String>,
    #[serde(flatten)]
    pub user: UserView,
}

/// Every user, with department names (admin).
pub fn users(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<UserRow>> {
    require(actor, &[Role::Admin])?;
    ctx.read(|c| {
        let names: BTreeMap<i64, String> = store::departments::list(c)?
            .into_iter()
            .map(|d| (d.id, d.data.name))
            .collect();
        Ok(store::users::list(c)?
            .into_iter()
            .map(|u| UserRow {
                department: u.department_id.and_then(|d| names.get(&d).cloned()),
                user: UserView::from(u),
            })
            .collect())
    })
}

/// One user (admin).
pub fn user(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<UserRow> {
    require(actor, &[Role::Admin])?;
    ctx.read(|c| {
        let u = store::users::find(c, id)?.ok_or(OpError::NotFound("用户"))?;
        let department = match u.department_id {
            Some(d) => store::departments::find(c, d)?.map(|d| d.data.name),
            None => None,
        };
        Ok(UserRow {
            department,
            user: UserView::from(u),
        })
    })
}

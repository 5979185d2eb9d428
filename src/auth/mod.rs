//! Who is asking and what they may see: roles, the access scope derived from a user's role
//! and department, password hashing (argon2id) and JWT tokens. No actix types here; the HTTP
//! extractor in `http::extract` calls into this module.

pub mod jwt;
pub mod password;
pub mod throttle;

use std::collections::BTreeSet;

use crate::domain::org::{DeptTree, text_enum};

text_enum!(
    /// A user's role. Clerks (承办人) handle their department's cases, supervisors (政务公开办)
    /// oversee their department and everything below it, auditors see only audit data.
    Role {
        Clerk => "clerk",
        Supervisor => "supervisor",
        Auditor => "auditor",
        Admin => "admin",
    }
);

impl Role {
    /// Clerks and supervisors act for a department and must belong to one.
    pub fn needs_department(self) -> bool {
        matches!(self, Role::Clerk | Role::Supervisor)
    }
}

/// The authenticated caller, as loaded fresh from the database for each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub department_id: Option<i64>,
}

/// Which departments' data the caller may see. The single place these rules live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Departments(BTreeSet<i64>),
    /// Auditors: audit data only, no department or case data.
    AuditOnly,
}

impl Scope {
    pub fn of(actor: &Actor, tree: &DeptTree) -> Scope {
        match (actor.role, actor.department_id) {
            (Role::Admin, _) => Scope::All,
            (Role::Auditor, _) => Scope::AuditOnly,
            (Role::Clerk, Some(dept)) => Scope::Departments(BTreeSet::from([dept])),
            (Role::Supervisor, Some(dept)) => Scope::Departments(tree.subtree(dept)),
            // A clerk or supervisor without a department cannot be created; if one exists
            // (a department deleted in the database), it sees nothing.
            (Role::Clerk | Role::Supervisor, None) => Scope::Departments(BTreeSet::new()),
        }
    }

    pub fn allows(&self, department_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Departments(ids) => ids.contains(&department_id),
            Scope::AuditOnly => false,
        }
    }

    /// True for scopes that may read organisation and case data at all.
    pub fn sees_departments(&self) -> bool {
        !matches!(self, Scope::AuditOnly)
    }
}

/// Failures allowed before each further attempt must wait.
const FREE_FAILURES: i32 = 5;
const MAX_WAIT_SECS: i64 = 15 * 60;

/// Whole seconds (rounded up) still to wait before another login attempt: after five
/// failures the wait doubles with each failure (2 s, 4 s, 8 s … up to 15 minutes), counted
/// from the last failure.
pub fn login_wait(
    failed: i32,
    last_failed: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> Option<u64> {
    login_wait_after(failed, FREE_FAILURES, last_failed, now)
}

/// `login_wait` with `free` failures before the first wait.
pub fn login_wait_after(
    failed: i32,
    free: i32,
    last_failed: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> Option<u64> {
    let last = last_failed?;
    if failed < free {
        return None;
    }
    let exp = u32::try_from(failed - free + 1).unwrap_or(u32::MAX).min(20);
    let wait = 2_i64.saturating_pow(exp).min(MAX_WAIT_SECS);
    let left_ms = (last + chrono::Duration::seconds(wait) - now).num_milliseconds();
    u64::try_from(left_ms)
        .ok()
        .filter(|ms| *ms > 0)
        .map(|ms| ms.div_ceil(1000))
}

/// A secret of `N` random bytes from the OS, as lowercase hex: session and feed tokens,
/// form tokens, idempotency keys of forms.
pub fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_waits_grow_after_five_failures() {
        let t0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(login_wait(4, Some(t0), t0), None);
        assert_eq!(login_wait(5, Some(t0), t0), Some(2));
        assert_eq!(
            login_wait(5, Some(t0), t0 + chrono::Duration::milliseconds(1500)),
            Some(1)
        );
        assert_eq!(login_wait(8, Some(t0), t0), Some(16));
        assert_eq!(login_wait(40, Some(t0), t0), Some(900));
        assert_eq!(
            login_wait(8, Some(t0), t0 + chrono::Duration::seconds(16)),
            None
        );
    }

    fn actor(role: Role, dept: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            department_id: dept,
        }
    }

    #[test]
    fn scope_rules() {
        let tree = DeptTree::new([(1, None), (2, Some(1)), (3, Some(2)), (4, None)]);
        let clerk = Scope::of(&actor(Role::Clerk, Some(2)), &tree);
        assert!(clerk.allows(2) && !clerk.allows(1) && !clerk.allows(3));
        let sup = Scope::of(&actor(Role::Supervisor, Some(2)), &tree);
        assert!(sup.allows(2) && sup.allows(3) && !sup.allows(1) && !sup.allows(4));
        let admin = Scope::of(&actor(Role::Admin, None), &tree);
        assert!(admin.allows(4));
        let auditor = Scope::of(&actor(Role::Auditor, Some(1)), &tree);
        assert!(!auditor.allows(1) && !auditor.sees_departments());
    }
}

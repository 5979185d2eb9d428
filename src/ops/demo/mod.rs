//! Realistic demonstration data: a department tree, a clerk and a supervisor per department,
//! and cases over the past three years — some answered (with and without findings), some
//! with corrections, consultations, extensions or fee notices, some still open or overdue,
//! some taken to reconsideration or court. For trying the pages, and for benchmarks at scale.
//! Deterministic: the same seed gives the same data.
//!
//! The departments and users are always made through the operations. The cases are planned
//! first (`plan`), then either replayed through the operations one by one (every intake,
//! event and reply its own transaction), or in bulk (`bulk`: the same rules applied in
//! memory, the rows written in large batches) — the way to a million cases.

mod bulk;
mod plan;

use serde::Serialize;

use super::cases::{BatchIn, CaseIn};
use super::{Ctx, OpError, OpResult};
use crate::auth::{Actor, Role};
use crate::domain::org::DepartmentInput;
use plan::{Action, Planned, Rng};

/// What was made.
#[derive(Debug, Default, Serialize)]
pub struct DemoReport {
    pub departments: usize,
    pub users: Vec<(String, String)>,
    pub cases: usize,
    pub replies: usize,
    pub corrections: usize,
    pub extensions: usize,
    pub consultations: usize,
    pub fee_notices: usize,
    pub remedies: usize,
}

impl DemoReport {
    /// Counts an accepted step.
    fn tally(&mut self, action: &Action) {
        use crate::domain::case::CaseEvent as E;
        match action {
            Action::Event(E::CorrectionRequested { .. }) => self.corrections += 1,
            Action::Event(E::ExtensionGranted { .. }) => self.extensions += 1,
            Action::Event(E::ConsultationStarted { .. }) => self.consultations += 1,
            Action::Event(E::FeeNoticeIssued { .. }) => self.fee_notices += 1,
            Action::Event(_) => {}
            Action::Reply(_) => self.replies += 1,
            Action::Remedy(_) => self.remedies += 1,
        }
    }

    fn add(&mut self, part: DemoReport) {
        self.cases += part.cases;
        self.replies += part.replies;
        self.corrections += part.corrections;
        self.extensions += part.extensions;
        self.consultations += part.consultations;
        self.fee_notices += part.fee_notices;
        self.remedies += part.remedies;
    }
}

/// How the cases are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Every intake, event and reply through its operation, as a clerk's would be.
    Operations,
    /// The same steps judged by the same rules in memory, written in large batches.
    Bulk,
}

/// Departments filled at once (each worker takes the next department). Through the
/// operations every step is its own transaction, so a few connections keep the database
/// busy; in bulk one worker prepares a batch while another's is being written.
pub const WORKERS: u32 = 4;

/// Fills the database with `cases` cases over `departments` departments in a three-level
/// tree (a city government, county governments under it, their departments under them),
/// as of today.
pub fn fill(
    ctx: &Ctx,
    admin: &Actor,
    cases: usize,
    departments: usize,
    password: &str,
    seed: u64,
    how: Fill,
) -> OpResult<DemoReport> {
    super::require(admin, &[Role::Admin])?;
    let mut rng = Rng(seed.max(1));
    let today = ctx.today();
    let mut report = DemoReport::default();
    let dept_ids = tree(ctx, admin, departments, password, &mut rng, &mut report)?;

    // Cases: each department from its own seeded generator (the same data whatever the
    // order the workers take them in).
    let per_dept = cases.div_ceil(dept_ids.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = match how {
        Fill::Operations => WORKERS,
        Fill::Bulk => bulk::workers(ctx)?,
    };
    let parts: Vec<OpResult<DemoReport>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..(workers as usize).min(dept_ids.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut part = DemoReport::default();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(dept) = dept_ids.get(n) else {
                            return Ok(part);
                        };
                        let want = per_dept.min(cases.saturating_sub(n * per_dept));
                        let salt = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                        let mut rng = Rng((seed ^ salt).max(1));
                        let plans = plan::department(&mut rng, *dept, want, today, admin.user_id);
                        match how {
                            Fill::Operations => replay(ctx, admin, plans, &mut part)?,
                            Fill::Bulk => bulk::department(ctx, admin, *dept, plans, &mut part)?,
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(OpError::internal("a demo worker panicked")))
            })
            .collect()
    });
    for part in parts {
        report.add(part?);
    }
    Ok(report)
}

/// The department tree and its staff: department 0 the city government; then every 11th a
/// county government under it, the ten after it that county's departments.
fn tree(
    ctx: &Ctx,
    admin: &Actor,
    departments: usize,
    password: &str,
    rng: &mut Rng,
    report: &mut DemoReport,
) -> OpResult<Vec<i64>> {
    use plan::{GIVEN, PLACES, SURNAMES};
    let mut dept_ids = Vec::new();
    let (mut city, mut county) = (None, None);
    for i in 0..departments.max(1) {
        let (kind, level, parent, name, place) = if i == 0 {
            (
                "government",
                "city",
                None,
                "示范市人民政府".to_owned(),
                PLACES[0],
            )
        } else {
            let n = (i - 1) / 11 + 1;
            let place = PLACES[i % PLACES.len()];
            if (i - 1) % 11 == 0 {
                (
                    "government",
                    "county",
                    city,
                    format!("示范第{n}县人民政府"),
                    place,
                )
            } else {
                (
                    "department",
                    "county",
                    county,
                    format!("示范第{n}县{place}所"),
                    place,
                )
            }
        };
        let input: DepartmentInput = serde_json::from_value(serde_json::json!({
            "name": name, "code": format!("示范{i:03}"),
            "kind": kind, "level": level, "parent_id": parent,
            "region": "450122", "address": format!("南宁市示范县{place}人民路{}号", i + 1),
            "phone": format!("0771-65{:05}", i),
            "reconsideration_organ": {"name": "南宁市人民政府", "address": "南宁市民族大道1号", "phone": "0771-2800000"},
            "court": {"name": "南宁市中级人民法院"}
        }))
        .map_err(OpError::internal)?;
        let d = super::org::create_department(ctx, admin, input)?;
        match (i, kind) {
            (0, _) => city = Some(d.id),
            (_, "government") => county = Some(d.id),
            _ => {}
        }
        dept_ids.push(d.id);
        for (role, prefix) in [("clerk", "clerk"), ("supervisor", "sup")] {
            let username = format!("{prefix}{i:03}");
            let user = super::org::create_user(
                ctx,
                Some(admin),
                super::org::UserIn {
                    username: username.clone(),
                    display_name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
                    email: None,
                    role: role.into(),
                    department_id: Some(d.id),
                    password: password.into(),
                },
            )?;
            report.users.push((username, user.role));
        }
    }
    report.departments = dept_ids.len();
    Ok(dept_ids)
}

/// A step the rules refused (its date, the case's state): demo data skips it, as a clerk
/// would be told and move on. Anything else stops the fill.
fn refused(e: &OpError) -> bool {
    matches!(
        e,
        OpError::Invalid(_) | OpError::Rejected { .. } | OpError::Conflict { .. }
    )
}

/// Whether a step went through: accepted, refused, or an error that stops the fill.
fn accepted<T>(result: OpResult<T>) -> OpResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if refused(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One department's cases through the operations: intake in batches of 500, then each
/// case's steps, each its own transaction.
fn replay(ctx: &Ctx, admin: &Actor, plans: Vec<Planned>, report: &mut DemoReport) -> OpResult<()> {
    let mut made = Vec::new();
    for chunk in plans.chunks(500) {
        made.extend(register(
            ctx,
            admin,
            chunk.iter().map(|p| p.intake.clone()).collect(),
        )?);
    }
    report.cases += made.len();
    for (id, plan) in made.into_iter().zip(plans) {
        let mut version = 1;
        let mut previous = true;
        for step in plan.steps {
            if step.after_previous && !previous {
                continue;
            }
            previous = match &step.action {
                Action::Event(e) => accepted(super::cases::record_event(
                    ctx,
                    admin,
                    id,
                    version,
                    e.clone(),
                ))?
                .map(|view| version = view.version),
                Action::Reply(r) => accepted(super::replies::record_reply(
                    ctx,
                    admin,
                    id,
                    version,
                    (**r).clone(),
                ))?
                .map(|(_, v)| version = v),
                Action::Remedy(r) => {
                    accepted(super::remedies::record(ctx, admin, id, r.clone()))?.map(|_| ())
                }
            }
            .is_some();
            if previous {
                report.tally(&step.action);
            }
        }
    }
    Ok(())
}

fn register(ctx: &Ctx, admin: &Actor, cases: Vec<CaseIn>) -> OpResult<Vec<i64>> {
    let r = super::cases::register_batch(ctx, admin, BatchIn { cases }, None)?;
    Ok(r.body["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|c| c["id"].as_i64()).collect())
        .unwrap_or_default())
}

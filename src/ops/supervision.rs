//! 督办: what a supervisor (政务公开办) watches across its department subtree — open,
//! due-soon and overdue cases per department with the oldest overdue one, and the
//! extension requests waiting for the office head (Art. 33(2)). Reads only; approving or
//! refusing is `cases::record_event`, the same operation the JSON API calls.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::cases::{ExtensionRequest, departments_in_scope, display_number, refresh_paused};
use super::reports::{self, CaseReportQuery};
use super::{Ctx, OpError, OpResult};
use crate::auth::Actor;
use crate::cases::parse_events;
use crate::store;
use crate::store::cases::{ListFilter, SortKey};

/// The working days ahead that count as "due soon" on the overview (the desk's horizon).
pub const DUE_SOON_DAYS: u32 = 5;

#[derive(Debug, Serialize)]
pub struct OldestOverdue {
    pub case_id: i64,
    pub display_number: String,
    pub working_days: i64,
}

/// One department's load; `depth` 0 is the top of the supervisor's view.
#[derive(Debug, Serialize)]
pub struct DepartmentLoad {
    pub department_id: i64,
    pub department: String,
    pub depth: usize,
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
    pub oldest_overdue: Option<OldestOverdue>,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub as_of: NaiveDate,
    pub within: u32,
    /// Departments in tree order (parents before their children).
    pub departments: Vec<DepartmentLoad>,
    pub totals: Totals,
    /// Extension requests waiting for a decision.
    pub awaiting_approval: usize,
}

/// The overview of the actor's departments (or of `department_id` and its subtree).
pub fn overview(ctx: &Ctx, actor: &Actor, department_id: Option<i64>) -> OpResult<Overview> {
    let query = |within: Option<u32>| CaseReportQuery {
        as_of: None,
        department_id,
        include_subtree: true,
        within,
        format: None,
    };
    let overdue = reports::case_report(ctx, actor, &query(None), true)?;
    let due_soon = reports::case_report(ctx, actor, &query(Some(DUE_SOON_DAYS)), false)?;
    let (departments, dir, open) = ctx.read(|c| {
        let dir = ctx.directory(c)?;
        let departments = super::cases::departments_in(&dir, actor, department_id, true)?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let open: HashMap<i64, i64> = store::cases::open_counts(c, &ids)?.into_iter().collect();
        Ok((departments, dir, open))
    })?;
    let tree = &dir.tree;
    let waiting = approvals(ctx, actor)?.len();

    // Tree order: each department after its nearest ancestor in view.
    let in_view: BTreeMap<i64, &store::departments::Department> =
        departments.iter().map(|d| (d.id, d)).collect();
    let parent_in_view = |id: i64| -> Option<i64> {
        let mut p = tree.parent_of(id);
        while let Some(x) = p {
            if in_view.contains_key(&x) {
                return Some(x);
            }
            p = tree.parent_of(x);
        }
        None
    };
    let mut children: BTreeMap<Option<i64>, Vec<i64>> = BTreeMap::new();
    for id in in_view.keys() {
        children.entry(parent_in_view(*id)).or_default().push(*id);
    }
    let mut order: Vec<(i64, usize)> = Vec::new();
    let mut stack: Vec<(i64, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|id| (*id, 0)).collect())
        .unwrap_or_default();
    while let Some((id, depth)) = stack.pop() {
        order.push((id, depth));
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }

    let mut totals = Totals::default();
    let mut rows = Vec::with_capacity(order.len());
    for (id, depth) in order {
        let Some(d) = in_view.get(&id) else { continue };
        let late: Vec<&reports::CaseLine> = overdue
            .items
            .iter()
            .filter(|i| i.department_id == id)
            .collect();
        let soon = due_soon
            .items
            .iter()
            .filter(|i| i.department_id == id)
            .count();
        let oldest = late
            .iter()
            .max_by_key(|i| (i.working_days, std::cmp::Reverse(i.case_id)))
            .map(|i| OldestOverdue {
                case_id: i.case_id,
                display_number: i.display_number.clone(),
                working_days: i.working_days,
            });
        let row = DepartmentLoad {
            department_id: id,
            department: d.data.name.clone(),
            depth,
            open: open.get(&id).copied().unwrap_or(0),
            due_soon: i64::try_from(soon).unwrap_or(i64::MAX),
            overdue: i64::try_from(late.len()).unwrap_or(i64::MAX),
            oldest_overdue: oldest,
        };
        totals.open += row.open;
        totals.due_soon += row.due_soon;
        totals.overdue += row.overdue;
        rows.push(row);
    }
    Ok(Overview {
        as_of: overdue.as_of,
        within: DUE_SOON_DAYS,
        departments: rows,
        totals,
        awaiting_approval: waiting,
    })
}

/// An extension request waiting for the office head.
#[derive(Debug, Serialize)]
pub struct Approval {
    pub case_id: i64,
    pub display_number: String,
    pub department: String,
    pub applicant: String,
    pub version: i32,
    pub due_on: Option<NaiveDate>,
    /// Working days from today to the current due date (negative: overdue).
    pub working_days_left: Option<i64>,
    #[serde(flatten)]
    pub request: ExtensionRequest,
}

/// The requests waiting for a decision in the actor's departments, soonest due first.
pub fn approvals(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<Approval>> {
    let today = ctx.today();
    let departments = ctx.read(|c| departments_in_scope(ctx, c, actor, None, true))?;
    let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    refresh_paused(ctx, &ids, today)?;
    let by_id: HashMap<i64, &store::departments::Department> =
        departments.iter().map(|d| (d.id, d)).collect();
    ctx.snapshot(|c| {
        let calendars = ctx.calendars(c)?;
        let filter = ListFilter {
            department_ids: ids.clone(),
            awaiting_approval: true,
            ..ListFilter::default()
        };
        let rows = store::cases::list(c, &filter, SortKey::Due, None, 1_000)?;
        let case_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut requests: HashMap<i64, ExtensionRequest> = HashMap::new();
        for (row, event) in parse_events(store::cases::events_of(c, &case_ids)?)? {
            if let Some(r) = ExtensionRequest::of(&event) {
                requests.insert(row.case_id, r);
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (Some(dept), Some(request)) =
                (by_id.get(&row.department_id), requests.remove(&row.id))
            else {
                continue;
            };
            let cal = crate::cases::department_calendar(&calendars, &dept.data);
            let left = match row.due_on {
                Some(due) if due >= today => Some(
                    cal.working_days_between(today, due)
                        .map_err(|e| OpError::OutOfRange(e.to_string()))?
                        .value,
                ),
                Some(due) => Some(
                    -cal.working_days_between(due, today)
                        .map_err(|e| OpError::OutOfRange(e.to_string()))?
                        .value,
                ),
                None => None,
            };
            out.push(Approval {
                case_id: row.id,
                display_number: display_number(&dept.data.code, &row.case_number),
                department: dept.data.name.clone(),
                applicant: row.applicant_name,
                version: row.version,
                due_on: row.due_on,
                working_days_left: left,
                request,
            });
        }
        Ok(out)
    })
}

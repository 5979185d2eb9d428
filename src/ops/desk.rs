//! The clerk's desk (工作台): the open cases in scope by due date, each with its working
//! days left, how urgent it is, and what it waits on; the unconfirmed receipts; counts.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use super::cases::list_scope;
use super::{Ctx, OpResult};
use crate::auth::Actor;
use crate::cases::{department_calendar, derive, events_by_case, recorded};
use crate::domain::calendar::CalendarSet;
use crate::domain::case::CaseEvent;
use crate::domain::case::FEE_PAYMENT_DAYS;
use crate::domain::case_actions::WaitsOn;
use crate::domain::org::DepartmentData;
use crate::store::DbConnection;
use crate::store::cases::{DeskRow, EventRow, ListFilter};
use crate::store::{self, departments::Directory};

/// How many running cases a desk shows at most, by due date (the rest are found by search).
const DESK_LIMIT: i64 = 200;
/// How many cases waiting on the applicant or a third party a desk shows at most.
const WAITING_LIMIT: i64 = 100;
/// How many applications not yet confirmed received a desk shows at most.
const UNCONFIRMED_LIMIT: i64 = 50;

/// How pressing a case is, for colour and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    /// Due within 2 working days.
    Due2,
    /// Due within 5 working days.
    Due5,
    Running,
    /// The clock stands still: waiting on the applicant or a third party.
    Waiting,
}

/// A case as its desk line shows it.
#[derive(Debug, Serialize)]
pub struct DeskCase {
    pub id: i64,
    pub display_number: String,
    pub department_id: i64,
    pub applicant_name: String,
    pub channel: String,
    pub status: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    /// The due date in force (none while the clock stands still).
    pub due_on: Option<NaiveDate>,
    pub assignee_id: Option<i64>,
    /// A supervision order (督办) on the case is not yet settled.
    pub under_order: bool,
    pub version: i32,
}

#[derive(Debug, Serialize)]
pub struct DeskLine {
    pub case: DeskCase,
    pub urgency: Urgency,
    /// Working days left to the due date in force; negative: overdue by that many.
    pub working_days_left: Option<i64>,
    /// What the case waits on, in words, with the date it waits until.
    pub waits_on: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct DeskCounts {
    pub open: usize,
    pub overdue: usize,
    pub due2: usize,
    pub due5: usize,
    pub waiting: usize,
    pub unconfirmed: usize,
    /// Counts of a desk that shows only part of its cases: true where more such cases
    /// exist than the count (it counts the cases shown).
    pub partial: Partial,
}

/// Which counts are lower bounds (see `DeskCounts`).
#[derive(Debug, Default, Serialize)]
pub struct Partial {
    pub open: bool,
    pub overdue: bool,
    pub due2: bool,
    pub due5: bool,
    pub waiting: bool,
    pub unconfirmed: bool,
}

#[derive(Debug, Serialize)]
pub struct Desk {
    pub as_of: NaiveDate,
    pub counts: DeskCounts,
    pub lines: Vec<DeskLine>,
    /// Applications whose receipt date is not yet confirmed: no clock runs.
    pub unconfirmed: Vec<DeskCase>,
    /// For each unconfirmed application, in order: calendar days since it was submitted
    /// (how long the applicant has been waiting for the confirmation).
    pub unconfirmed_waited: Vec<i64>,
    /// The cases listed that the caller oversees rather than handles (a supervisor's cases
    /// of the departments below): to look at, not to work on.
    pub overseen: Vec<i64>,
    /// More open cases exist than the desk shows.
    pub truncated: bool,
}

/// Reads up to `limit` rows, and the first row beyond them if there is one.
fn up_to(
    c: &mut DbConnection,
    filter: &ListFilter,
    limit: i64,
) -> OpResult<(Vec<DeskRow>, Option<DeskRow>)> {
    let mut rows = store::cases::desk_list(c, filter, limit + 1)?;
    let beyond = rows.split_off(usize::try_from(limit).unwrap_or(0).min(rows.len()));
    Ok((rows, beyond.into_iter().next()))
}

/// The desk of the caller: open cases of the departments in scope (`mine`: only those
/// assigned to the caller).
pub fn desk(ctx: &Ctx, actor: &Actor, mine: bool) -> OpResult<Desk> {
    let today = ctx.today();
    let (dir, calendars) = ctx.read(|c| Ok((ctx.directory(c)?, ctx.calendars(c)?)))?;
    let (departments, every_department) = list_scope(ctx, &dir, actor, None, false, today)?;
    let codes: HashMap<i64, &str> = departments
        .iter()
        .map(|d| (d.id, d.data.code.as_str()))
        .collect();
    let scoped = ListFilter {
        department_ids: departments.iter().map(|d| d.id).collect(),
        every_department,
        assignee: mine.then_some(actor.user_id),
        ..ListFilter::default()
    };
    let of = |statuses: &[&str]| ListFilter {
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        ..scoped.clone()
    };
    // A case whose clock stands still (waiting on the applicant or a third party) has no
    // due date and sorts after every dated case: the waiting cases are read apart, and so,
    // when the running cases do not all fit, are the applications not yet confirmed
    // received (undated too), which the first page would otherwise never reach. A late 补正
    // keeps its clock and its due date (Art. 30): it is read with the running cases only,
    // and takes no place among the waiting ones.
    let (running, beyond, waiting, more_waiting, unconfirmed_rows, more_unconfirmed, under) =
        ctx.read(|c| {
            let (running, beyond) = up_to(
                c,
                &of(&["received", "awaiting_correction", "in_progress"]),
                DESK_LIMIT,
            )?;
            let (waiting, more_waiting) = up_to(
                c,
                &ListFilter {
                    undated: true,
                    ..of(&["awaiting_correction", "paused"])
                },
                WAITING_LIMIT,
            )?;
            let (unconfirmed, more_unconfirmed) = if beyond.is_some() {
                let unconfirmed = ListFilter {
                    unconfirmed: true,
                    ..of(&["received"])
                };
                up_to(c, &unconfirmed, UNCONFIRMED_LIMIT)?
            } else {
                (Vec::new(), None)
            };
            let ids: Vec<i64> = running
                .iter()
                .chain(&waiting)
                .chain(&unconfirmed)
                .map(|r| r.id)
                .collect();
            let under = super::orders::case_ids_under_order(c, &ids)?;
            Ok((
                running,
                beyond,
                waiting,
                more_waiting.is_some(),
                unconfirmed,
                more_unconfirmed.is_some(),
                under,
            ))
        })?;
    // Dated running cases exist beyond the ones shown when the first row beyond is dated
    // (an undated one sorts after every dated one, and the undated are all read apart).
    let more_dated = beyond.as_ref().is_some_and(|r| r.due_on.is_some());
    let dated_beyond = running.last().and_then(|c| c.due_on).filter(|_| more_dated);
    let mut rows = running;
    if beyond.is_some() {
        // Only the dated cases: the undated ones come from the lists read apart.
        rows.retain(|c| c.due_on.is_some());
        rows.extend(unconfirmed_rows);
    }
    rows.extend(waiting);
    // A late 补正 is in two of the reads: it is listed once. Read without a department
    // condition, a department created since the directory was read could show through:
    // the scope is the directory's.
    let mut seen = std::collections::HashSet::new();
    let items: Vec<DeskCase> = rows
        .into_iter()
        .filter(|r| seen.insert(r.id))
        .filter_map(|r| {
            let code = codes.get(&r.department_id)?;
            Some(DeskCase {
                id: r.id,
                display_number: super::cases::display_number(code, &r.case_number),
                department_id: r.department_id,
                applicant_name: r.applicant_name,
                channel: r.channel,
                status: r.status,
                submitted_on: r.submitted_on,
                received_on: r.received_on,
                due_on: r.due_on,
                assignee_id: r.assignee_id,
                under_order: under.contains(&r.id),
                version: r.version,
            })
        })
        .collect();
    let truncated = more_dated || more_waiting || more_unconfirmed;
    // What the lines' events give, from this instance's memory for the cases unchanged
    // since it last derived them today; the events of the others are read.
    let (mut facts, missing) = ctx.desk_lines.known(
        today,
        &calendars,
        &dir,
        items
            .iter()
            .filter(|c| c.received_on.is_some())
            .map(|c| (c.id, c.version)),
    );
    let mut events = if missing.is_empty() {
        HashMap::new()
    } else {
        ctx.read(|c| Ok(events_by_case(c, &missing)?))?
    };
    // The lines are in the caller's scope already: only their departments' data is wanted.
    let data: HashMap<i64, _> = departments.iter().map(|d| (d.id, &d.data)).collect();
    let mut counts = DeskCounts::default();
    let mut lines = Vec::new();
    let mut unconfirmed = Vec::new();
    let mut derived = Vec::new();
    let overseen = items
        .iter()
        .filter(|c| !super::cases::handles(actor, c.department_id, c.assignee_id))
        .map(|c| c.id)
        .collect();
    for case in items {
        if case.received_on.is_none() {
            counts.unconfirmed += 1;
            unconfirmed.push(case);
            continue;
        }
        let Some(dept) = data.get(&case.department_id) else {
            continue;
        };
        let f = match facts.remove(&case.id) {
            Some(f) => f,
            None => {
                let f = Facts::of(
                    &calendars,
                    dept,
                    case.received_on,
                    events.remove(&case.id).unwrap_or_default(),
                    today,
                )?;
                derived.push((case.id, case.version, f.clone()));
                f
            }
        };
        let (left, waits_on) = (f.working_days_left, f.waits_on);
        // Waiting: the clock stands still (a late 补正 keeps its due date and runs on).
        let stopped = case.status == "paused"
            || (case.status == "awaiting_correction" && case.due_on.is_none());
        let urgency = if stopped {
            Urgency::Waiting
        } else if f.overdue {
            Urgency::Overdue
        } else {
            match left {
                Some(l) if l <= 2 => Urgency::Due2,
                Some(l) if l <= 5 => Urgency::Due5,
                _ => Urgency::Running,
            }
        };
        match urgency {
            Urgency::Overdue => counts.overdue += 1,
            Urgency::Due2 => counts.due2 += 1,
            Urgency::Due5 => counts.due5 += 1,
            Urgency::Waiting => counts.waiting += 1,
            Urgency::Running => {}
        }
        counts.open += 1;
        lines.push(DeskLine {
            case,
            urgency,
            working_days_left: left,
            waits_on,
        });
    }
    ctx.desk_lines.keep(today, &calendars, &dir, derived);
    // Overdue first, then by working days left; waiting cases last.
    lines.sort_by_key(|l| {
        (
            l.urgency == Urgency::Waiting,
            l.working_days_left.unwrap_or(i64::MAX),
        )
    });
    // What lies beyond a truncated desk: dated cases due on or after its last line (none
    // of them overdue when that line is not), and the waiting or unconfirmed cases past
    // their own pages.
    if let Some(last) = dated_beyond {
        let bound = |days: u32| {
            departments
                .iter()
                .map(|d| department_calendar(&calendars, &d.data).add_working_days(today, days))
                .map(|r| r.ok().map(|r| r.value))
                .collect::<Option<Vec<NaiveDate>>>()
                .and_then(|b| b.into_iter().max())
        };
        counts.partial.open = true;
        counts.partial.overdue = last < today;
        counts.partial.due2 = bound(2).is_none_or(|b| last <= b);
        counts.partial.due5 = bound(5).is_none_or(|b| last <= b);
    }
    counts.partial.open |= more_waiting;
    counts.partial.waiting = more_waiting;
    counts.partial.unconfirmed = more_unconfirmed;
    let unconfirmed_waited = unconfirmed
        .iter()
        .map(|c: &DeskCase| (today - c.submitted_on).num_days().max(0))
        .collect();
    Ok(Desk {
        as_of: today,
        counts,
        lines,
        unconfirmed,
        unconfirmed_waited,
        overseen,
        truncated,
    })
}

/// What a desk line takes from the case's events.
#[derive(Debug, Clone)]
struct Facts {
    working_days_left: Option<i64>,
    overdue: bool,
    waits_on: Option<String>,
}

impl Facts {
    fn of(
        calendars: &CalendarSet,
        dept: &DepartmentData,
        received_on: Option<NaiveDate>,
        events: Vec<(EventRow, CaseEvent)>,
        today: NaiveDate,
    ) -> OpResult<Facts> {
        let d = derive(calendars, dept, received_on, events, today)?;
        let cal = department_calendar(calendars, dept);
        let waits_on = match WaitsOn::of(&d.state, &recorded(&d.events)) {
            Some(WaitsOn::Correction) => d
                .state
                .awaiting_correction
                .map(|(_, by)| format!("等待申请人补正（补正期限 {by}）")),
            Some(WaitsOn::Fee) => d.state.fee_pay_from.map(|notice| {
                let by = cal
                    .add_working_days(notice, FEE_PAYMENT_DAYS)
                    .map(|r| r.value.to_string())
                    .unwrap_or_default();
                format!("等待申请人缴费（缴费期限 {by}）")
            }),
            Some(w @ (WaitsOn::ThirdParty | WaitsOn::Agency)) => {
                let consulted: Vec<String> = super::cases::open_consultations(&d)
                    .into_iter()
                    .map(|(_, who)| who)
                    .collect();
                Some(format!("{}：{}", w.label(), consulted.join("、")))
            }
            Some(w @ WaitsOn::Approval) => Some(w.label().to_owned()),
            Some(WaitsOn::Receipt | WaitsOn::Reply) | None => None,
        };
        Ok(Facts {
            working_days_left: d.deadline.working_days_remaining,
            overdue: d.deadline.overdue,
            waits_on,
        })
    }
}

/// The facts of the desk lines this instance derived today, per case and version: a desk
/// read again (every clerk's start page, all day) derives only the cases changed since.
/// Every change to a case's events or receipt raises its version; a new day, a calendar
/// import or a department's change (new `Arc`s from their caches) forgets everything.
#[derive(Default)]
pub struct LineCache {
    inner: std::sync::Mutex<Lines>,
}

#[derive(Default)]
struct Lines {
    day: Option<NaiveDate>,
    calendars: Option<Arc<CalendarSet>>,
    directory: Option<Arc<Directory>>,
    facts: HashMap<i64, (i32, Facts)>,
}

/// Beyond this many cases the memory starts again (a province's open cases fit).
const LINE_CACHE_MAX: usize = 100_000;

impl Lines {
    fn current(&self, day: NaiveDate, calendars: &Arc<CalendarSet>, dir: &Arc<Directory>) -> bool {
        self.day == Some(day)
            && self
                .calendars
                .as_ref()
                .is_some_and(|c| Arc::ptr_eq(c, calendars))
            && self.directory.as_ref().is_some_and(|d| Arc::ptr_eq(d, dir))
    }
}

impl LineCache {
    /// The facts known for these (case, version) pairs, and the cases to derive.
    fn known(
        &self,
        day: NaiveDate,
        calendars: &Arc<CalendarSet>,
        dir: &Arc<Directory>,
        cases: impl Iterator<Item = (i64, i32)>,
    ) -> (HashMap<i64, Facts>, Vec<i64>) {
        let lines = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = lines.current(day, calendars, dir);
        let (mut known, mut missing) = (HashMap::new(), Vec::new());
        for (id, version) in cases {
            match lines.facts.get(&id) {
                Some((v, f)) if current && *v == version => {
                    known.insert(id, f.clone());
                }
                _ => missing.push(id),
            }
        }
        (known, missing)
    }

    fn keep(
        &self,
        day: NaiveDate,
        calendars: &Arc<CalendarSet>,
        dir: &Arc<Directory>,
        derived: Vec<(i64, i32, Facts)>,
    ) {
        if derived.is_empty() {
            return;
        }
        let mut lines = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !lines.current(day, calendars, dir) || lines.facts.len() + derived.len() > LINE_CACHE_MAX
        {
            *lines = Lines {
                day: Some(day),
                calendars: Some(calendars.clone()),
                directory: Some(dir.clone()),
                facts: HashMap::new(),
            };
        }
        for (id, version, f) in derived {
            lines.facts.insert(id, (version, f));
        }
    }
}

//! A case's derived state, and what every change to a case writes alongside it: the
//! derived columns, the audit record, the mails it causes. Store and domain only (no actix),
//! shared by the HTTP handlers and the notification job.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::calendar::CalendarSet;
use crate::domain::calendar::WorkCalendar;
use crate::domain::case::{CaseEvent, CaseState, Recorded, clock_inputs};
use crate::domain::deadline::{ClockState, Deadline, compute_deadline};
use crate::domain::org::DepartmentData;
use crate::mail::{CaseMail, TemplateError};
use crate::store::cases::{CaseRow, Derived, EventRow};
use crate::store::trail::AuditKey;
use crate::store::{self, DbConnection};

/// Why work on a case stopped; the HTTP layer turns each into its answer.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// Another writer changed the case first (the caller may retry).
    #[error("并发写入冲突")]
    WriteConflict,
    /// A date outside the supported calendar range.
    #[error("{0}")]
    OutOfRange(String),
    /// Stored data that no longer parses.
    #[error("stored data: {0}")]
    Corrupt(String),
    #[error("mail template: {0}")]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Everything about a case derived from its stored facts.
pub struct Derivation {
    pub state: CaseState,
    pub deadline: Deadline,
    pub derived: Derived,
    pub events: Vec<(EventRow, CaseEvent)>,
    /// The department's working calendar the deadline was computed on.
    pub calendar: std::sync::Arc<WorkCalendar>,
}

pub fn parse_events(rows: Vec<EventRow>) -> Result<Vec<(EventRow, CaseEvent)>, CaseError> {
    rows.into_iter()
        .map(|r| {
            let ev: CaseEvent = serde_json::from_str(&r.payload)
                .map_err(|e| CaseError::Corrupt(format!("event {} unreadable: {e}", r.id)))?;
            Ok((r, ev))
        })
        .collect()
}

/// The events of a case, parsed.
pub fn load_events(c: &mut DbConnection, id: i64) -> Result<Vec<(EventRow, CaseEvent)>, CaseError> {
    parse_events(store::cases::events(c, id)?)
}

/// The events of several cases, parsed, by case (in recording order).
pub fn events_by_case(
    c: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(EventRow, CaseEvent)>>, CaseError> {
    let mut by_case: HashMap<i64, Vec<(EventRow, CaseEvent)>> = HashMap::new();
    for (row, event) in parse_events(store::cases::events_of(c, ids)?)? {
        by_case.entry(row.case_id).or_default().push((row, event));
    }
    Ok(by_case)
}

/// The events as the domain folds them.
pub fn recorded(events: &[(EventRow, CaseEvent)]) -> Vec<Recorded> {
    events
        .iter()
        .map(|(row, ev)| Recorded {
            id: row.id,
            event: ev.clone(),
        })
        .collect()
}

/// Writes the audit record of a change to a case.
pub fn audit_change(
    c: &mut DbConnection,
    key: &AuditKey,
    row: &CaseRow,
    before: &Derived,
    after: &Derived,
    actor_id: i64,
    action: &str,
) -> Result<(), CaseError> {
    // The "after" side is read back, so changed facts (a confirmed receipt) show as changed.
    let now = store::cases::find(c, row.id)?.ok_or_else(|| CaseError::NotFound("案件"))?;
    store::trail::append(
        c,
        key,
        row.id,
        actor_id,
        action,
        Some(&snapshot(row, before, None)),
        &snapshot(&now, after, None),
    )?;
    Ok(())
}

/// The mail a change to a case sends the applicant, if any; no event means the case's
/// creation (an acknowledgement once the receipt date is known).
pub fn mail_for(
    row: &store::cases::CaseRow,
    dept: &store::departments::Department,
    public_url: &str,
    event: Option<&CaseEvent>,
) -> Result<Option<store::outbox::NewMail>, CaseError> {
    let ctx = CaseMail::for_case(row, dept, public_url);
    let mail = match event {
        None | Some(CaseEvent::ReceiptConfirmed { .. }) => ctx.acknowledgement(),
        Some(CaseEvent::CorrectionRequested {
            date,
            items,
            respond_by,
        }) => {
            let items = items
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{}. {t}", i + 1))
                .collect::<Vec<_>>()
                .join("\n");
            ctx.notice(
                "correction_requested",
                *date,
                &[("items", items), ("respond_by", respond_by.to_string())],
            )
        }
        Some(CaseEvent::ExtensionGranted {
            notified_on,
            working_days,
            reason,
            ..
        }) => ctx.notice(
            "extension_granted",
            *notified_on,
            &[
                ("working_days", working_days.to_string()),
                ("reason", reason.clone()),
            ],
        ),
        Some(CaseEvent::FeeNoticeIssued {
            date, amount_fen, ..
        }) => {
            let amount = format!("{}.{:02}", amount_fen / 100, amount_fen % 100);
            ctx.notice("fee_notice_issued", *date, &[("amount", amount)])
        }
        Some(_) => Ok(None),
    }?;
    Ok(mail)
}

/// The working calendar of a department: its region's layer only when it chose it
/// (RULES.md §2, [configurable]).
pub fn department_calendar(
    calendars: &CalendarSet,
    dept: &DepartmentData,
) -> std::sync::Arc<WorkCalendar> {
    calendars.calendar(dept.rules.calendar_region(&dept.region))
}

/// Folds the events, runs the deadline engine with the department's readings and calendar,
/// and returns the derived columns.
pub fn derive(
    calendars: &CalendarSet,
    dept: &DepartmentData,
    received_on: Option<NaiveDate>,
    events: Vec<(EventRow, CaseEvent)>,
    as_of: NaiveDate,
) -> Result<Derivation, CaseError> {
    let recorded = recorded(&events);
    let state = CaseState::fold(received_on, &recorded);
    let rules = dept.rules.rule_settings();
    let (receipt, clock) = clock_inputs(received_on, &recorded);
    let calendar = department_calendar(calendars, dept);
    let deadline = compute_deadline(receipt, &clock, &rules, &calendar, as_of)
        .map_err(|e| CaseError::OutOfRange(e.to_string()))?;
    let status = state.status(matches!(deadline.clock, ClockState::Paused));
    // Only a running clock has a fixed due date to store; a paused one's projection moves
    // with every day (the case view shows it). A late 补正 leaves the clock running while
    // the status says the case waits on the applicant (Art. 30): its date is kept, so the
    // case stays on the due-soon and overdue lists.
    let derived = Derived {
        status: status.as_str().to_owned(),
        due_on: if matches!(deadline.clock, ClockState::Running) {
            deadline.due_on
        } else {
            None
        },
        assignee_id: state.assignee,
        // A correction received or a reopening starts a new period and settles a pending
        // request (`CaseState`); a closed or replied case waits for nobody.
        awaiting_approval: state.extension_requested && status.is_open(),
        settled_on: settled_on(&state, &recorded),
        conclusion: conclusion(&recorded),
    };
    Ok(Derivation {
        state,
        deadline,
        derived,
        events,
        calendar,
    })
}

/// The events that end a case or start it again.
fn concluding(events: &[Recorded]) -> impl Iterator<Item = &CaseEvent> {
    events
        .iter()
        .map(|r| &r.event)
        .filter(|e| store::annual::CONCLUDING_KINDS.contains(&e.kind()))
}

/// For a concluded case, the latest date among its concluding events and reopenings (in
/// any order of recording): no year that starts after it can see the case change.
fn settled_on(state: &CaseState, events: &[Recorded]) -> Option<NaiveDate> {
    if state.closed.is_none() && state.replied_on.is_none() {
        return None;
    }
    concluding(events).map(CaseEvent::date).max()
}

/// What ended a case that ended once and was never reopened (that event's kind; its date
/// is `settled_on`), `history` when its events hold a reopening or more than one
/// conclusion; none while it never ended. The annual report reads the events of a case
/// only in the `history` case.
fn conclusion(events: &[Recorded]) -> Option<String> {
    let mut found = concluding(events);
    match (found.next(), found.next()) {
        (None, _) => None,
        (Some(one), None) if !matches!(one, CaseEvent::Reopened { .. }) => {
            Some(one.kind().to_owned())
        }
        _ => Some(store::cases::HISTORY.to_owned()),
    }
}

/// A department's stored data (its region and rule readings decide every derivation).
pub fn department_data(
    c: &mut DbConnection,
    department_id: i64,
) -> Result<DepartmentData, CaseError> {
    Ok(store::departments::find(c, department_id)?
        .ok_or_else(|| CaseError::NotFound("机关"))?
        .data)
}

/// The audit snapshot of a case: its facts and derived state, without the explanation.
pub fn snapshot(row: &CaseRow, derived: &Derived, extra: Option<serde_json::Value>) -> String {
    serde_json::json!({
        "case_number": row.case_number,
        "department_id": row.department_id,
        "applicant": {
            "type": row.applicant_type, "name": row.applicant_name,
            "id_number": row.applicant_id_number, "phone": row.applicant_phone,
            "email": row.applicant_email, "address": row.applicant_address,
        },
        "channel": row.channel,
        "submitted_on": row.submitted_on,
        "received_on": row.received_on,
        "status": derived.status,
        "due_on": derived.due_on,
        "assignee_id": derived.assignee_id,
        "event": extra,
    })
    .to_string()
}

/// Paused cases of some departments whose stored state is out of date as of `today` (a
/// consultation whose 15 working days ran out without an answer lets the clock run again
/// by itself, Arts 32–34, with no event to refresh the stored status): (id, version, the
/// derived columns to store). Reads only.
pub fn stale_paused(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    department_ids: &[i64],
    today: NaiveDate,
) -> Result<Vec<(i64, i32, Derived)>, CaseError> {
    let mut stale = Vec::new();
    for id in store::cases::paused_ids(c, department_ids)? {
        let Some(row) = store::cases::find(c, id)? else {
            continue;
        };
        let dept = department_data(c, row.department_id)?;
        let d = derive(
            calendars,
            &dept,
            row.received_on,
            load_events(c, id)?,
            today,
        )?;
        if d.derived.status != row.status
            || d.derived.due_on != row.due_on
            || d.derived.awaiting_approval != row.awaiting_approval
        {
            stale.push((id, row.version, d.derived));
        }
    }
    Ok(stale)
}

/// Brings stored paused cases of some departments up to date as of `today` (see
/// `stale_paused`), inside the caller's write transaction.
pub fn refresh_paused(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    department_ids: &[i64],
    today: NaiveDate,
) -> Result<(), CaseError> {
    for (id, version, derived) in stale_paused(c, calendars, department_ids, today)? {
        // A concurrent writer that changed the version stored fresher values already.
        store::cases::refresh_derived(c, id, version, &derived)?;
    }
    Ok(())
}

/// A case whose due date a calendar import changed.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    case_id: i64,
    case_number: String,
    old_due_on: Option<NaiveDate>,
    new_due_on: Option<NaiveDate>,
}

/// The open cases (of one department, or all) whose due date differs on `calendars`, with
/// their new derivation. Reads only.
fn open_cases_moved(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    today: NaiveDate,
    department: Option<i64>,
) -> Result<Vec<(CaseRow, Derived)>, CaseError> {
    let mut moved = Vec::new();
    for id in store::cases::open_ids(c)? {
        let Some(row) = store::cases::find(c, id)? else {
            continue;
        };
        if department.is_some_and(|d| d != row.department_id) {
            continue;
        }
        let dept = department_data(c, row.department_id)?;
        let d = derive(
            calendars,
            &dept,
            row.received_on,
            parse_events(store::cases::events(c, id)?)?,
            today,
        )?;
        if d.derived.due_on != row.due_on {
            moved.push((row, d.derived));
        }
    }
    Ok(moved)
}

fn moved_of(row: &CaseRow, new: &Derived) -> Moved {
    Moved {
        case_id: row.id,
        case_number: row.case_number.clone(),
        old_due_on: row.due_on,
        new_due_on: new.due_on,
    }
}

/// The open cases whose due date would move if `calendars` were in force: what an import
/// would report, computed without writing (the import preview).
pub fn would_move(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    today: NaiveDate,
) -> Result<Vec<Moved>, CaseError> {
    Ok(open_cases_moved(c, calendars, today, None)?
        .iter()
        .map(|(row, new)| moved_of(row, new))
        .collect())
}

/// Recomputes every open case on `calendars` (inside the import's transaction), writes the
/// due dates that moved and an audit record for each, and lists them.
pub fn recompute_open(
    c: &mut DbConnection,
    key: &AuditKey,
    calendars: &CalendarSet,
    actor_id: i64,
    today: NaiveDate,
    department: Option<i64>,
) -> Result<Vec<Moved>, CaseError> {
    let mut moved = Vec::new();
    for (row, derived) in open_cases_moved(c, calendars, today, department)? {
        // Versioned: a writer who derived this case on the old calendar meanwhile gets a
        // 412 instead of overwriting the new date; if it committed first, this import retries.
        if !store::cases::refresh_derived(c, row.id, row.version, &derived)? {
            return Err(CaseError::WriteConflict);
        }
        let before = Derived {
            status: row.status.clone(),
            due_on: row.due_on,
            assignee_id: row.assignee_id,
            awaiting_approval: row.awaiting_approval,
            settled_on: row.settled_on,
            conclusion: row.conclusion.clone(),
        };
        audit_change(
            c,
            key,
            &row,
            &before,
            &derived,
            actor_id,
            "calendar_recomputed",
        )?;
        moved.push(moved_of(&row, &derived));
    }
    Ok(moved)
}

/// Who answers for a case: its clerk when assigned and active, else every active clerk of
/// its department. Reminders and refusals go to them.
pub fn responsible_staff<'a>(
    users: &'a [store::users::User],
    row: &CaseRow,
) -> Vec<&'a store::users::User> {
    let clerk = crate::auth::Role::Clerk.as_str();
    match row
        .assignee_id
        .and_then(|a| users.iter().find(|u| u.id == a && u.active))
    {
        Some(u) => vec![u],
        None => users
            .iter()
            .filter(|u| u.active && u.role == clerk && u.department_id == Some(row.department_id))
            .collect(),
    }
}

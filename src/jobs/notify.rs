//! The notification scan: due-soon reminders (to the assignee, or the department's clerks
//! when unassigned) on the configured working days before a due date, and a daily overdue
//! digest to each supervisor; the escalation of supervision orders past their due date. Every mail carries a dedup key, so a repeated scan queues
//! nothing new. Then one send pass. Several instances may run it: one scans at a time
//! (the others skip), and the outbox hands each mail to one sender.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::Role;
use crate::domain::calendar::CalendarSet;
use crate::domain::case::Status;
use crate::mail::sender::{Mailer, SendReport};
use crate::mail::{self, CaseMail};
use crate::store::cases::{CaseRow, ListFilter, SortKey};
use std::sync::Arc;

use crate::ops::{Ctx, OpError};
use crate::store::{self, DbConnection};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    pub due_soon: usize,
    pub digests: usize,
    /// Escalations of supervision orders past their due date (once per order and recipient).
    pub orders_overdue: usize,
    /// Escalations of rectification items past their due date (once per item and recipient).
    pub rectifications_overdue: usize,
    /// Reminders to reviewers of replies stuck in review.
    pub review_reminders: usize,
    /// Another instance was scanning at the same moment; this pass left the work to it.
    pub skipped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Report {
    pub as_of: NaiveDate,
    pub scan: ScanReport,
    pub send: SendReport,
}

/// Queues the reminders and digests due `as_of` (inside one transaction).
pub fn scan(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    public_url: &str,
    due_soon_days: &[u32],
    review_remind_days: u32,
    as_of: NaiveDate,
) -> Result<ScanReport, String> {
    let mut report = ScanReport::default();
    // One scan at a time per database: a second instance skips rather than repeat the
    // work. Each mail's dedup key would keep a repeat harmless anyway.
    if !store::try_lock_scan(c).map_err(|e| e.to_string())? {
        report.skipped = true;
        return Ok(report);
    }
    let departments = store::departments::list(c).map_err(|e| e.to_string())?;
    let every: Vec<i64> = departments.iter().map(|d| d.id).collect();
    // A consultation whose 15 working days ran out runs again without any event: bring such
    // cases up to date before deciding who is due or overdue.
    crate::cases::refresh_paused(c, calendars, &every, as_of).map_err(|e| e.to_string())?;
    let by_id: HashMap<i64, &store::departments::Department> =
        departments.iter().map(|d| (d.id, d)).collect();
    let users = store::users::list(c).map_err(|e| e.to_string())?;
    let all_ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    let running = ListFilter {
        department_ids: all_ids.clone(),
        statuses: vec![
            Status::Received.as_str().to_owned(),
            Status::InProgress.as_str().to_owned(),
            // A late 补正: the clock runs on (Art. 30).
            Status::AwaitingCorrection.as_str().to_owned(),
        ],
        ..ListFilter::default()
    };
    let open: Vec<CaseRow> =
        store::cases::list(c, &running, SortKey::Due, None, 100_000).map_err(|e| e.to_string())?;

    for row in &open {
        let (Some(due), Some(dept)) = (row.due_on, by_id.get(&row.department_id)) else {
            continue;
        };
        let cal = crate::cases::department_calendar(calendars, &dept.data);
        // Reminders go out on the agency's working days only.
        if due < as_of || !cal.is_working_day(as_of).unwrap_or(false) {
            continue;
        }
        let left = cal
            .working_days_between(as_of, due)
            .map_err(|e| e.to_string())?
            .value;
        if !due_soon_days.iter().any(|d| i64::from(*d) == left) {
            continue;
        }
        let ctx = CaseMail::for_case(row, dept, public_url);
        for u in crate::cases::responsible_staff(&users, row) {
            let Some(email) = &u.email else { continue };
            match ctx.due_soon(&u.display_name, email, left) {
                Ok(m) => {
                    if store::outbox::enqueue(c, &m).map_err(|e| e.to_string())? {
                        report.due_soon += 1;
                    }
                }
                // One unrenderable mail must not stop everyone else's reminders.
                Err(error) => tracing::warn!(case = row.id, %error, "reminder skipped"),
            }
        }
    }

    // Replies stuck in review: their level's reviewers, once per stay at a level.
    for m in crate::ops::reviews::reminders(c, calendars, public_url, review_remind_days, as_of)
        .map_err(|e| e.to_string())?
    {
        if store::outbox::enqueue(c, &m).map_err(|e| e.to_string())? {
            report.review_reminders += 1;
        }
    }

    let national = calendars.calendar(None);
    if national.is_working_day(as_of).unwrap_or(false) {
        let tree = store::departments::tree(c).map_err(|e| e.to_string())?;
        let names: BTreeMap<i64, String> = users
            .iter()
            .map(|u| (u.id, u.display_name.clone()))
            .collect();
        for sup in users
            .iter()
            .filter(|u| u.active && u.role == Role::Supervisor.as_str())
        {
            let (Some(email), Some(home)) = (&sup.email, sup.department_id) else {
                continue;
            };
            let scope = tree.subtree(home);
            let mut lines = Vec::new();
            for row in open.iter().filter(|r| scope.contains(&r.department_id)) {
                let (Some(due), Some(dept)) = (row.due_on, by_id.get(&row.department_id)) else {
                    continue;
                };
                if due >= as_of {
                    continue;
                }
                let cal = crate::cases::department_calendar(calendars, &dept.data);
                let late = cal
                    .working_days_between(due, as_of)
                    .map_err(|e| e.to_string())?
                    .value;
                let assignee = row
                    .assignee_id
                    .and_then(|a| names.get(&a).cloned())
                    .unwrap_or_else(|| "未分配".to_owned());
                lines.push(format!(
                    "- {} {} 申请人：{} 期限：{} 超期{}个工作日 承办人：{}",
                    crate::ops::cases::display_number(&dept.data.code, &row.case_number),
                    dept.data.name,
                    row.applicant_name,
                    due,
                    late,
                    assignee
                ));
            }
            if lines.is_empty() {
                continue;
            }
            let link = format!("{public_url}/api/v1/reports/overdue");
            match mail::overdue_digest(&sup.display_name, email, as_of, &lines, &link) {
                Ok(m) => {
                    if store::outbox::enqueue(c, &m).map_err(|e| e.to_string())? {
                        report.digests += 1;
                    }
                }
                Err(error) => tracing::warn!(supervisor = sup.id, %error, "digest skipped"),
            }
        }
    }
    report.orders_overdue = crate::ops::orders::escalate(c, calendars, &users, public_url, as_of)?;
    report.rectifications_overdue =
        crate::ops::assessments::escalate(c, calendars, &users, public_url, as_of)?;
    Ok(report)
}

/// One scan as of `as_of` (one write transaction: a scan that fails half-way queues
/// nothing) and one send pass.
pub async fn run_once(ctx: Arc<Ctx>, mailer: &Mailer, as_of: NaiveDate) -> Result<Report, String> {
    let c2 = ctx.clone();
    let scan = actix_web::rt::task::spawn_blocking(move || -> Result<ScanReport, String> {
        let ctx = c2;
        let public_url = ctx.settings.public_url.clone();
        let days = ctx.settings.due_soon_days.clone();
        ctx.write(|c| {
            let calendars = ctx.calendars(c)?;
            let remind = ctx.settings.review_remind_days;
            scan(c, &calendars, &public_url, &days, remind, as_of).map_err(OpError::Internal)
        })
        .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())??;
    let send = mailer
        .send_pass(&ctx.pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Report { as_of, scan, send })
}

//! Rules of recording a reply that do not depend on its content: the dates it may carry,
//! and the process facts of the answer period that the compliance checker judges.

use chrono::NaiveDate;

use super::case::{Recorded, clock_inputs};
use super::compliance::{Extension, ProcessFacts};
use super::deadline::{ClockEvent, Deadline};

/// The process facts of the current answer period, from the events and the deadline.
pub fn process_facts(
    received_on: Option<NaiveDate>,
    events: &[Recorded],
    d: &Deadline,
) -> ProcessFacts {
    let (_, clock) = clock_inputs(received_on, events);
    let correction_requests = clock
        .iter()
        .filter_map(|e| match e {
            ClockEvent::CorrectionRequested { date, .. } => Some(*date),
            _ => None,
        })
        .collect();
    let extension = clock.iter().find_map(|e| match e {
        ClockEvent::ExtensionGranted {
            notified_on,
            working_days,
            approved,
            ..
        } => Some(Extension {
            notified_on: *notified_on,
            working_days: *working_days,
            approved: *approved,
            due_before_extension: d.base_due_on.unwrap_or(*notified_on),
        }),
        _ => None,
    });
    ProcessFacts {
        received_on: d.received_on,
        due_on: d.due_on.or(d.due_on_when_stopped),
        correction_requests,
        correction_notice_due_on: d.correction_notice_due_on,
        extension,
        receipt_unconfirmed: d.received_on.is_none(),
    }
}

/// What the case says about when a reply may be dated.
pub struct ReplyDating {
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    /// The date of the case's latest recorded event.
    pub last_event_on: Option<NaiveDate>,
}

/// A reply may not predate the application, its receipt, or what it answers (the reply is
/// the case's latest event). Errors name the field and say why.
pub fn check_reply_dates(
    case: &ReplyDating,
    issued_on: NaiveDate,
    dispatched_on: Option<NaiveDate>,
) -> Result<(), (&'static str, String)> {
    if issued_on < case.submitted_on {
        return Err(("issued_on", "成文日期不能早于申请提交日期".to_owned()));
    }
    if let Some(r) = case.received_on
        && issued_on < r
    {
        return Err(("issued_on", format!("成文日期不能早于收到申请之日（{r}）")));
    }
    let reply_date = dispatched_on.unwrap_or(issued_on);
    if let Some(last) = case.last_event_on
        && reply_date < last
    {
        let field = if dispatched_on.is_some() {
            "dispatched_on"
        } else {
            "issued_on"
        };
        return Err((
            field,
            format!("答复日期不能早于已登记的最近一个事件（{last}）"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_reply_may_not_predate_receipt_or_the_last_event() {
        let case = ReplyDating {
            submitted_on: d("2026-03-01"),
            received_on: Some(d("2026-03-04")),
            last_event_on: Some(d("2026-03-10")),
        };
        assert_eq!(
            check_reply_dates(&case, d("2026-02-28"), None).map_err(|e| e.0),
            Err("issued_on")
        );
        assert_eq!(
            check_reply_dates(&case, d("2026-03-03"), None).map_err(|e| e.0),
            Err("issued_on")
        );
        assert_eq!(
            check_reply_dates(&case, d("2026-03-05"), Some(d("2026-03-09"))).map_err(|e| e.0),
            Err("dispatched_on")
        );
        assert!(check_reply_dates(&case, d("2026-03-05"), Some(d("2026-03-10"))).is_ok());
    }
}

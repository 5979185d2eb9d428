//! The applicant's remedy periods after a reply: 60 days to apply for reconsideration
//! (行政复议法 Art. 20(1)) and 6 months to sue (行政诉讼法 Art. 46(1)), counted from the day
//! the reply was received; and whether a remedy was filed within them.
//!
//! Counting (民事诉讼法 Art. 85, 民法典 Arts 201–203, as the courts apply them to these
//! periods): the day of receipt is not counted, day 1 is the next day; a period in months ends
//! on the same-numbered day of the last month, or on that month's last day when it has none;
//! a period whose last day is a rest day ends on the next working day; a filing posted by its
//! last day is in time (期间不包括在途时间).
//!
//! Must not touch: IO, the clock, the database.

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

pub use super::annual::RemedyKind;
use super::calendar::{CalendarError, WorkCalendar};
use super::deadline::Step;

const ART_RECONSIDERATION: &str = "《行政复议法》第二十条第一款";
const ART_SUIT: &str = "《行政诉讼法》第四十六条第一款";
const ART_SUIT_AFTER: &str = "《行政诉讼法》第四十五条";
const ART_COUNTING: &str = "《民事诉讼法》第八十五条；《民法典》第二百零一条至第二百零三条";

/// The last day to file a remedy, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemedyDeadline {
    pub kind: RemedyKind,
    pub reply_received_on: NaiveDate,
    /// The last day of the period before the rest-day rule.
    pub period_ends_on: NaiveDate,
    /// The last day to file (moved to the next working day when needed).
    pub last_day: NaiveDate,
    pub provisional: bool,
    pub provisional_reasons: Vec<String>,
    pub steps: Vec<Step>,
}

/// Whether a recorded filing was within the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilingJudgement {
    pub late: bool,
    /// The date judged: the posting date when given, else the filing date.
    pub judged_on: NaiveDate,
    pub step: Step,
}

fn step(date: NaiveDate, event: &str, effect: String, article: &str) -> Step {
    Step {
        date: Some(date),
        event: event.to_owned(),
        effect,
        article: article.to_owned(),
    }
}

/// The remedy period of `kind` for a reply received on `received` (for a suit after
/// reconsideration: the reconsideration decision, 15 days, 行政诉讼法 Art. 45).
pub fn remedy_deadline(
    kind: RemedyKind,
    received: NaiveDate,
    calendar: &WorkCalendar,
) -> Result<RemedyDeadline, CalendarError> {
    let (ends, period, article) = match kind {
        RemedyKind::Reconsideration => (
            received.checked_add_days(Days::new(60)),
            "六十日",
            ART_RECONSIDERATION,
        ),
        // chrono clamps to the month's last day when the same-numbered day does not exist.
        RemedyKind::Litigation {
            after_reconsideration: false,
        } => (
            received.checked_add_months(Months::new(6)),
            "六个月",
            ART_SUIT,
        ),
        RemedyKind::Litigation {
            after_reconsideration: true,
        } => (
            received.checked_add_days(Days::new(15)),
            "十五日",
            ART_SUIT_AFTER,
        ),
    };
    let received_what = match kind {
        RemedyKind::Litigation {
            after_reconsideration: true,
        } => "收到行政复议决定书",
        _ => "收到答复",
    };
    let ends = ends.ok_or(CalendarError::ResultOutOfRange)?;
    let next = calendar.next_working_day_on_or_after(ends)?;
    let mut steps = vec![step(
        received,
        received_what,
        format!("自{received_what}之日起{period}内提出：期间自次日起算，届满日为{ends}"),
        article,
    )];
    if next.value != ends {
        steps.push(step(
            ends,
            "期间届满日为休息日",
            format!("以休息日后的第一个工作日为期间届满日，即{}", next.value),
            ART_COUNTING,
        ));
    }
    Ok(RemedyDeadline {
        kind,
        reply_received_on: received,
        period_ends_on: ends,
        last_day: next.value,
        provisional: next.provisional,
        provisional_reasons: next.provisional_reasons,
        steps,
    })
}

/// Judges a filing against the period: by the posting date when the application was posted
/// (in time if posted by the last day), else by the filing date.
pub fn judge_filing(
    deadline: &RemedyDeadline,
    filed_on: NaiveDate,
    posted_on: Option<NaiveDate>,
) -> FilingJudgement {
    let (judged_on, how) = match posted_on {
        Some(p) => (p, "交邮"),
        None => (filed_on, "提出"),
    };
    let late = judged_on > deadline.last_day;
    let effect = if late {
        format!(
            "{judged_on}{how}，晚于期间届满日{}（逾期{}日）",
            deadline.last_day,
            (judged_on - deadline.last_day).num_days()
        )
    } else {
        format!("{judged_on}{how}，在期间届满日{}之前", deadline.last_day)
    };
    FilingJudgement {
        late,
        judged_on,
        step: step(filed_on, "提出救济申请", effect, ART_COUNTING),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::CalendarSet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn sixty_days_and_six_months_from_the_day_after_receipt() {
        let cal = CalendarSet::bundled().calendar(None);
        // Received Mon 2024-09-02: day 60 is Fri 11-01.
        let r = remedy_deadline(RemedyKind::Reconsideration, d("2024-09-02"), &cal).unwrap();
        assert_eq!(r.last_day, d("2024-11-01"));
        assert_eq!(r.steps.len(), 1);
        // Received 2024-08-02: day 60 is 10-01 (国庆), so the period ends on Tue 10-08.
        let r = remedy_deadline(RemedyKind::Reconsideration, d("2024-08-02"), &cal).unwrap();
        assert_eq!(r.period_ends_on, d("2024-10-01"));
        assert_eq!(r.last_day, d("2024-10-08"));
        assert_eq!(r.steps[1].article, ART_COUNTING);
        let direct = RemedyKind::Litigation {
            after_reconsideration: false,
        };
        // Six months: same-numbered day; 08-31 → 02-28 (no 31st), a Friday.
        let r = remedy_deadline(direct, d("2024-03-15"), &cal).unwrap();
        assert_eq!(r.last_day, d("2024-09-18"), "09-15..17 is 中秋");
        let r = remedy_deadline(direct, d("2024-08-31"), &cal).unwrap();
        assert_eq!(r.period_ends_on, d("2025-02-28"));
        assert_eq!(r.last_day, d("2025-02-28"));
        assert!(!r.provisional);
    }

    #[test]
    fn a_filing_posted_in_time_is_in_time() {
        let cal = CalendarSet::bundled().calendar(None);
        let r = remedy_deadline(RemedyKind::Reconsideration, d("2024-09-02"), &cal).unwrap();
        assert!(!judge_filing(&r, d("2024-11-01"), None).late);
        let late = judge_filing(&r, d("2024-11-05"), None);
        assert!(late.late);
        assert!(late.step.effect.contains("逾期4日"));
        let posted = judge_filing(&r, d("2024-11-05"), Some(d("2024-11-01")));
        assert!(!posted.late);
        assert_eq!(posted.judged_on, d("2024-11-01"));
        let after = RemedyKind::Litigation {
            after_reconsideration: true,
        };
        let r = remedy_deadline(after, d("2024-09-02"), &cal).unwrap();
        assert_eq!(r.last_day, d("2024-09-18"), "09-17 is 中秋");
    }
}

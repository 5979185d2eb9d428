//! Supervision orders (督办, RULES.md §9; 《政府信息公开条例》第四十七条): the OGI office orders a
//! department below it to put something right by a number of working days on the
//! department's calendar; the department answers; the office closes the order (销号) or
//! returns it for another answer. Here: the states and the transitions they allow, the due
//! date with its explanation, and whether an order is overdue on a day.
//!
//! Must not touch: IO, the clock, the database.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{CalendarError, WorkCalendar};
use super::deadline::Step;
use super::org::text_enum;

/// The office's duty to supervise and order rectification.
pub const ART_SUPERVISION: &str = "《政府信息公开条例》第四十七条第一款";
/// How a period of working days is counted: the day of issue is not counted.
pub const ART_COUNTING: &str = "《民法典》第二百零一条";

/// The longest period an order may give (a quarter's working days, about).
pub const MAX_WORKING_DAYS: u32 = 60;

text_enum!(
    /// Where an order stands. `Returned` waits for a new answer, like `Open`.
    OrderStatus {
        Open => "open",
        Answered => "answered",
        Returned => "returned",
        Closed => "closed",
    }
);

text_enum!(
    /// What can be done to an order after it is issued.
    OrderStep {
        Answer => "answer",
        Return => "return",
        Close => "close",
    }
);

impl OrderStatus {
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Open => "待反馈",
            OrderStatus::Answered => "已反馈待销号",
            OrderStatus::Returned => "退回重办",
            OrderStatus::Closed => "已销号",
        }
    }

    /// The department owes an answer.
    pub fn awaits_answer(self) -> bool {
        matches!(self, OrderStatus::Open | OrderStatus::Returned)
    }

    /// The state after `step`, or why the step is not allowed now.
    pub fn after(self, step: OrderStep) -> Result<OrderStatus, StepRefused> {
        match (self, step) {
            (OrderStatus::Open | OrderStatus::Returned, OrderStep::Answer) => {
                Ok(OrderStatus::Answered)
            }
            (OrderStatus::Answered, OrderStep::Return) => Ok(OrderStatus::Returned),
            (OrderStatus::Answered, OrderStep::Close) => Ok(OrderStatus::Closed),
            (from, step) => Err(StepRefused { from, step }),
        }
    }
}

impl OrderStep {
    pub fn label(self) -> &'static str {
        match self {
            OrderStep::Answer => "反馈办理情况",
            OrderStep::Return => "退回",
            OrderStep::Close => "销号",
        }
    }
}

/// A step the order's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("督办事项当前为“{}”，不能{}", from.label(), step.label())]
pub struct StepRefused {
    pub from: OrderStatus,
    pub step: OrderStep,
}

/// An order's due date, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderDeadline {
    pub issued_on: NaiveDate,
    pub working_days: u32,
    pub due_on: NaiveDate,
    /// The calendar counted on (the department's), e.g. "全国节假日安排".
    pub calendar: String,
    pub provisional: bool,
    pub provisional_reasons: Vec<String>,
    pub steps: Vec<Step>,
}

/// The due date of an order issued on `issued_on` for `working_days` working days on the
/// department's calendar: the `working_days`-th working day after the day of issue.
pub fn order_deadline(
    issued_on: NaiveDate,
    working_days: u32,
    calendar: &WorkCalendar,
) -> Result<OrderDeadline, CalendarError> {
    let due = calendar.add_working_days(issued_on, working_days)?;
    let steps = vec![
        Step {
            date: Some(issued_on),
            event: "下达督办".to_owned(),
            effect: format!(
                "限{working_days}个工作日内办结并反馈：下达当日不计入，自次日起算，第{working_days}个工作日为{}",
                due.value
            ),
            article: format!("{ART_SUPERVISION}；{ART_COUNTING}"),
        },
        Step {
            date: Some(due.value),
            event: "反馈期限".to_owned(),
            effect: format!(
                "按被督办机关的日历（{}）计算；逾期未反馈的，通知其上级监督人员和政务公开办",
                calendar.label()
            ),
            article: ART_SUPERVISION.to_owned(),
        },
    ];
    Ok(OrderDeadline {
        issued_on,
        working_days,
        due_on: due.value,
        calendar: calendar.label(),
        provisional: due.provisional,
        provisional_reasons: due.provisional_reasons,
        steps,
    })
}

/// Whether an order is overdue on `as_of`: it still owes an answer and its due date passed.
/// An answer given late ends the overdue state (the answer date is kept for the record).
pub fn is_overdue(status: OrderStatus, due_on: NaiveDate, as_of: NaiveDate) -> bool {
    status.awaits_answer() && as_of > due_on
}

/// Whether an answer given on `answered_on` met the due date.
pub fn answered_in_time(answered_on: NaiveDate, due_on: NaiveDate) -> bool {
    answered_on <= due_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::CalendarSet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_lifecycle_allows_only_its_steps() {
        use OrderStatus::*;
        use OrderStep::*;
        assert_eq!(Open.after(Answer), Ok(Answered));
        assert_eq!(Answered.after(Return), Ok(Returned));
        assert_eq!(Returned.after(Answer), Ok(Answered));
        assert_eq!(Answered.after(Close), Ok(Closed));
        for (from, step) in [
            (Open, Close),
            (Open, Return),
            (Returned, Close),
            (Answered, Answer),
            (Closed, Answer),
            (Closed, Return),
            (Closed, Close),
        ] {
            assert_eq!(from.after(step), Err(StepRefused { from, step }));
        }
        assert_eq!(
            Open.after(Close).unwrap_err().to_string(),
            "督办事项当前为“待反馈”，不能销号"
        );
    }

    #[test]
    fn the_due_date_counts_working_days_after_the_day_of_issue() {
        let set = CalendarSet::bundled();
        let cal = set.calendar(None);
        // Issued Fri 2024-09-27: the National Day week is off, 9-29 and 10-12 are worked.
        let dl = order_deadline(d("2024-09-27"), 5, &cal).unwrap();
        assert_eq!(dl.due_on, d("2024-10-10"));
        assert!(!dl.provisional);
        assert_eq!(dl.steps.len(), 2);
        assert!(dl.steps[0].effect.contains("第5个工作日为2024-10-10"));
        assert!(dl.steps[0].article.contains("第四十七条"));
    }

    #[test]
    fn overdue_is_an_answer_owed_after_the_due_date() {
        let due = d("2026-11-25");
        assert!(!is_overdue(OrderStatus::Open, due, due));
        assert!(is_overdue(OrderStatus::Open, due, d("2026-11-26")));
        assert!(is_overdue(OrderStatus::Returned, due, d("2026-11-26")));
        assert!(!is_overdue(OrderStatus::Answered, due, d("2026-11-26")));
        assert!(!is_overdue(OrderStatus::Closed, due, d("2026-12-26")));
        assert!(answered_in_time(due, due));
        assert!(!answered_in_time(d("2026-11-26"), due));
    }
}

//! The statutory answer period of one request (RULES.md §3): when the 20 working days run,
//! what pauses or restarts them, and which article says so.
//!
//! Owns: the clock events of a case and the derivation of its due dates from them (facts in,
//! conclusions out: nothing here is stored). Every step carries the article it applies, in
//! Chinese, so a clerk can see why a date is what it is. Irregular event sequences are
//! explained (a step and a [`DeadlineFlag`]), never rejected: validating events is the
//! service's job, judging them is the compliance checker's.
//!
//! Must not touch: IO, the clock ("as of" is a parameter), the database.
//!
//! Arithmetic: with working-day ordinals W(d) from the calendar, a pause (s, e] removes the
//! ordinals W(s)+1 ..= W(e). The due date is the target-th ordinal after W(start) that is not
//! removed: walk the merged pause intervals in order, each one that starts at or before the
//! current candidate pushes it back by its length.
//!
//! Layout: this file holds the model (events, settings, the [`Deadline`]) and the entry point;
//! `engine.rs` the state and the working-day arithmetic; `events.rs` one handler per event.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, WorkCalendar};
use engine::Engine;

mod engine;
mod events;
#[cfg(test)]
mod tests;

const ART_RECEIPT: &str = "《政府信息公开条例》第三十一条";
const ART_PERIOD: &str = "《政府信息公开条例》第三十三条第二款";
const ART_CORRECTION: &str = "《政府信息公开条例》第三十条";
const ART_THIRD_PARTY: &str = "《政府信息公开条例》第三十二条、第三十三条第三款";
const ART_AGENCY: &str = "《政府信息公开条例》第三十三条第三款、第三十四条";
const ART_CUSTOM: &str = "《政府信息公开条例》第三十五条";
const ART_FEE: &str = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）";
const ART_WITHDRAWN: &str = "无对应条文（申请人撤回申请）";

/// The rule readings in force (each a setting; RULES.md §3 defaults). Returned with every
/// [`Deadline`] so the output says which reading was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleSettings {
    /// Art. 33(2): 20 working days.
    pub statutory_days: u32,
    /// Art. 30: a 补正 notice within 7 working days of receipt.
    pub correction_notice_days: u32,
    /// Arts 32, 34: a consultation pauses the clock for at most 15 working days.
    pub consultation_max_days: u32,
    /// Art. 33(2): an extension of at most 20 working days.
    pub max_extension_days: u32,
    /// 国办函〔2020〕109号 (configurable in RULES.md): the clock is paused from fee notice to payment.
    pub fee_pauses_clock: bool,
    /// 国办函〔2020〕109号: the applicant has 20 working days to pay.
    pub fee_payment_days: u32,
    /// Art. 35 sets no ceiling on the "reasonable later date"; the product bounds it at this
    /// many working days after the start of the period (three base periods: 20 beyond the
    /// Art. 33(2) maximum of 20 + 20), so a typo like 2099-12-31 cannot hide a case.
    pub custom_due_max_days: u32,
    /// RULES.md §2 (configurable per agency): the regional holiday layer applies. The engine
    /// is given the calendar; this echoes which one the department chose.
    pub regional_holidays: bool,
}

impl Default for RuleSettings {
    fn default() -> Self {
        Self {
            statutory_days: 20,
            correction_notice_days: 7,
            consultation_max_days: 15,
            max_extension_days: 20,
            fee_pauses_clock: true,
            fee_payment_days: 20,
            custom_due_max_days: 60,
            regional_holidays: true,
        }
    }
}

/// Who is consulted: a third party (Art. 32) or another agency (Art. 34).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultedParty {
    ThirdParty,
    Agency,
}

/// A recorded fact that affects the answer period. `date` is the day it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClockEvent {
    /// The receipt was confirmed (signed for, or confirmed by both sides), Art. 31.
    ReceiptConfirmed {
        date: NaiveDate,
    },
    /// 补正 notice sent (Art. 30); `respond_by` is the period given to the applicant.
    CorrectionRequested {
        date: NaiveDate,
        #[serde(default)]
        respond_by: Option<NaiveDate>,
    },
    CorrectionReceived {
        date: NaiveDate,
    },
    /// The applicant missed the 补正 period: deemed abandoned.
    CorrectionLapsed {
        date: NaiveDate,
    },
    /// Written request for an opinion dispatched (Arts 32, 34). The consulted party's 15
    /// working days run from the day it received the request (`third_party_received_on`,
    /// for a third party or an agency alike); unknown, they are counted from dispatch.
    ConsultationStarted {
        date: NaiveDate,
        id: String,
        party: ConsultedParty,
        #[serde(default)]
        third_party_received_on: Option<NaiveDate>,
    },
    /// The opinion arrived.
    ConsultationEnded {
        date: NaiveDate,
        id: String,
    },
    /// Extension decided on `date`, notified to the applicant on `notified_on` (Art. 33(2)).
    ExtensionGranted {
        date: NaiveDate,
        notified_on: NaiveDate,
        working_days: u32,
        approved: bool,
    },
    FeeNoticeIssued {
        date: NaiveDate,
        /// The applicant's receipt of the notice, when known: the days to pay run from it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delivered_on: Option<NaiveDate>,
    },
    FeePaid {
        date: NaiveDate,
    },
    /// The fee was not paid in time: deemed abandoned.
    FeeLapsed {
        date: NaiveDate,
    },
    /// A reasonable later date set and notified by the agency (Art. 35). Approved like an
    /// extension: without approval it has no effect (absent in old input: not approved).
    CustomDueDate {
        date: NaiveDate,
        due_on: NaiveDate,
        #[serde(default)]
        approved: bool,
    },
    Withdrawn {
        date: NaiveDate,
    },
    Replied {
        date: NaiveDate,
    },
}

impl ClockEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            Self::ReceiptConfirmed { date }
            | Self::CorrectionRequested { date, .. }
            | Self::CorrectionReceived { date }
            | Self::CorrectionLapsed { date }
            | Self::ConsultationStarted { date, .. }
            | Self::ConsultationEnded { date, .. }
            | Self::ExtensionGranted { date, .. }
            | Self::FeeNoticeIssued { date, .. }
            | Self::FeePaid { date }
            | Self::FeeLapsed { date }
            | Self::CustomDueDate { date, .. }
            | Self::Withdrawn { date }
            | Self::Replied { date } => *date,
        }
    }

    /// What happened, in Chinese (a step's `event`).
    pub fn label(&self) -> &'static str {
        match self {
            Self::ReceiptConfirmed { .. } => "确认收到申请",
            Self::CorrectionRequested { .. } => "发出补正通知",
            Self::CorrectionReceived { .. } => "收到补正材料",
            Self::CorrectionLapsed { .. } => "补正期限届满未补正",
            Self::ConsultationStarted {
                party: ConsultedParty::ThirdParty,
                ..
            } => "书面征求第三方意见",
            Self::ConsultationStarted {
                party: ConsultedParty::Agency,
                ..
            } => "征求其他机关意见",
            Self::ConsultationEnded { .. } => "收到征求意见答复",
            Self::ExtensionGranted { .. } => "延长答复期限",
            Self::FeeNoticeIssued { .. } => "发出收费通知",
            Self::FeePaid { .. } => "申请人缴费",
            Self::FeeLapsed { .. } => "逾期未缴费",
            Self::CustomDueDate { .. } => "确定合理答复期限",
            Self::Withdrawn { .. } => "申请人撤回申请",
            Self::Replied { .. } => "作出答复",
        }
    }

    fn article(&self) -> &'static str {
        match self {
            Self::ReceiptConfirmed { .. } => ART_RECEIPT,
            Self::CorrectionRequested { .. }
            | Self::CorrectionReceived { .. }
            | Self::CorrectionLapsed { .. } => ART_CORRECTION,
            Self::ConsultationStarted {
                party: ConsultedParty::Agency,
                ..
            } => ART_AGENCY,
            Self::ConsultationStarted { .. } | Self::ConsultationEnded { .. } => ART_THIRD_PARTY,
            Self::FeeNoticeIssued { .. } | Self::FeePaid { .. } | Self::FeeLapsed { .. } => ART_FEE,
            Self::CustomDueDate { .. } => ART_CUSTOM,
            Self::Withdrawn { .. } => ART_WITHDRAWN,
            Self::ExtensionGranted { .. } | Self::Replied { .. } => ART_PERIOD,
        }
    }
}

/// Why the clock stopped for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Replied,
    Withdrawn,
    /// 视为放弃 (Art. 30).
    CorrectionLapsed,
    /// 视为放弃 (国办函〔2020〕109号).
    FeeLapsed,
}

impl StopReason {
    fn label(self) -> &'static str {
        match self {
            Self::Replied => "作出答复",
            Self::Withdrawn => "撤回申请",
            Self::CorrectionLapsed => "逾期未补正、视为放弃",
            Self::FeeLapsed => "逾期未缴费、视为放弃",
        }
    }
}

/// State of the answer clock as of the computation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum ClockState {
    /// No confirmed receipt (Art. 31).
    NotStarted,
    Running,
    /// A consultation or fee notice is open.
    Paused,
    /// 补正 requested; the period restarts when the correction arrives.
    AwaitingCorrection,
    Stopped(StopReason),
}

/// Machine-readable facts the compliance checker and the UI may act on. Each is also
/// explained in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineFlag {
    ReceiptNotConfirmed,
    ReceiptMismatch,
    EventBeforeReceipt,
    EventWithoutClock,
    EventAfterStop,
    EventAfterAsOf,
    EndWithoutStart,
    LateCorrectionNotice,
    SecondCorrection,
    CorrectionResponseLate,
    CorrectionPeriodPassed,
    /// A 补正 notice that does not restart the period (late, or not the first): Art. 30.
    CorrectionNoRestart,
    DuplicateConsultation,
    ConsultationCapped,
    PauseAfterDue,
    DuplicateFeeNotice,
    FeeNoticeAfterDue,
    /// The applicant's 20 working days to pay have run out: record `fee_lapsed`.
    FeePeriodPassed,
    ExtensionUnapproved,
    ExtensionNoticeLate,
    ExtensionOverMax,
    CustomDueBeforeStatutory,
    /// Art. 35 date set after the period in force had ended: no effect.
    CustomDueLate,
    CustomDueUnapproved,
    /// Beyond [`RuleSettings::custom_due_max_days`]: counted as that bound.
    CustomDueOverMax,
    RepliedLate,
    Overdue,
}

/// One line of the explanation, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `None` for a statement not tied to a day (no receipt yet).
    pub date: Option<NaiveDate>,
    /// What happened, e.g. "收到申请".
    pub event: String,
    /// What it does to the period, e.g. "答复期限起算：第20个工作日为2024-10-30".
    pub effect: String,
    /// The rule applied, e.g. "《政府信息公开条例》第三十三条第二款".
    pub article: String,
}

/// The answer period of one request as of a given date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub as_of: NaiveDate,
    /// The calendar used, e.g. "全国节假日安排＋广西壮族自治区地方节假日安排".
    pub calendar: String,
    pub rules: RuleSettings,
    pub received_on: Option<NaiveDate>,
    /// Receipt, or the last correction received (Art. 30 restart).
    pub clock_start: Option<NaiveDate>,
    /// Last day for a 补正 notice: receipt + 7 working days (Art. 30).
    pub correction_notice_due_on: Option<NaiveDate>,
    /// Statutory days after `clock_start`, pauses excluded.
    pub base_due_on: Option<NaiveDate>,
    /// With the extension (pauses excluded); shown even when the extension is not in force.
    pub extended_due_on: Option<NaiveDate>,
    /// Art. 35 date set by the agency.
    pub custom_due_on: Option<NaiveDate>,
    /// The date in force (custom > effective extension > base). `None` without a running
    /// clock: no receipt, awaiting correction, or stopped.
    pub due_on: Option<NaiveDate>,
    /// For a stopped case: the date that was in force when it stopped (to judge a reply).
    pub due_on_when_stopped: Option<NaiveDate>,
    /// Working days by which pauses pushed the statutory (or extended) due date back.
    pub paused_working_days: u32,
    /// Counted (not paused) working days in (clock_start, as_of] (or up to the stop date).
    pub working_days_used: Option<i64>,
    /// Counted working days left to the date in force; negative = overdue by that many.
    pub working_days_remaining: Option<i64>,
    /// `as_of` is after the date in force (also on a rest day, when `remaining` is still 0).
    pub overdue: bool,
    pub clock: ClockState,
    pub provisional: bool,
    pub provisional_reasons: Vec<String>,
    pub flags: Vec<DeadlineFlag>,
    pub steps: Vec<Step>,
}

/// Derives the answer period from the receipt date and the case's clock events, as of
/// `as_of`. Events are taken in date order (stable for same-day events); events after `as_of`
/// are not counted. Fails only when a date falls outside the calendar's supported range.
pub fn compute_deadline(
    receipt: Option<NaiveDate>,
    events: &[ClockEvent],
    settings: &RuleSettings,
    calendar: &WorkCalendar,
    as_of: NaiveDate,
) -> Result<Deadline, CalendarError> {
    let received_on = receipt.or_else(|| {
        events.iter().find_map(|e| match e {
            ClockEvent::ReceiptConfirmed { date } => Some(*date),
            _ => None,
        })
    });
    let mut engine = Engine::new(calendar, settings, as_of, received_on);

    // The receipt goes before the events of its own day.
    let mut items: Vec<(NaiveDate, u8, Item<'_>)> = events
        .iter()
        .map(|e| (e.date(), 1, Item::Event(e)))
        .collect();
    match received_on {
        Some(r) => items.push((r, 0, Item::Receipt(r))),
        None => {
            engine.flag(DeadlineFlag::ReceiptNotConfirmed);
            engine.step(
                None,
                "收到申请日期未确认",
                "尚未确认收到申请之日（邮寄以签收之日、网络和传真等以双方确认之日为准），答复期限尚未起算"
                    .to_owned(),
                ART_RECEIPT,
            );
        }
    }
    items.sort_by_key(|(date, rank, _)| (*date, *rank));

    for (date, _, item) in items {
        match item {
            Item::Receipt(r) if r > as_of => {
                engine.flag(DeadlineFlag::EventAfterAsOf);
                engine.later.push(Step {
                    date: Some(r),
                    event: "收到申请".to_owned(),
                    effect: format!("收到申请日期晚于计算基准日（{as_of}），答复期限尚未起算"),
                    article: ART_RECEIPT.to_owned(),
                });
            }
            Item::Receipt(r) => engine.on_receipt(r)?,
            // The confirmation that *is* the receipt adds nothing.
            Item::Event(ClockEvent::ReceiptConfirmed { date }) if Some(*date) == received_on => {}
            Item::Event(e) if date > as_of => {
                engine.flag(DeadlineFlag::EventAfterAsOf);
                engine.later.push(Step {
                    date: Some(date),
                    event: e.label().to_owned(),
                    effect: format!("该事件晚于计算基准日（{as_of}），未计入"),
                    article: e.article().to_owned(),
                });
            }
            Item::Event(e) => engine.on_event(e)?,
        }
    }
    engine.finish()
}

enum Item<'e> {
    Receipt(NaiveDate),
    Event(&'e ClockEvent),
}

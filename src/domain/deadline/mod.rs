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

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, WorkCalendar};

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
            | Self::FeeNoticeIssued { date }
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
    let mut engine = Engine {
        cal: Tracked {
            cal: calendar,
            lo: None,
            hi: None,
        },
        settings,
        as_of,
        received_on,
        steps: Vec::new(),
        later: Vec::new(),
        flags: Vec::new(),
        clock_start: None,
        correction_notice_due: None,
        awaiting: None,
        corrections: 0,
        pauses: Vec::new(),
        fee_notice: None,
        extensions: Vec::new(),
        custom_due: None,
        stopped: None,
    };

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

/// The calendar, remembering the span of dates the computation touched (for `provisional`).
struct Tracked<'a> {
    cal: &'a WorkCalendar,
    lo: Option<NaiveDate>,
    hi: Option<NaiveDate>,
}

impl Tracked<'_> {
    fn touch(&mut self, d: NaiveDate) {
        self.lo = Some(self.lo.map_or(d, |lo| lo.min(d)));
        self.hi = Some(self.hi.map_or(d, |hi| hi.max(d)));
    }

    fn ord(&mut self, d: NaiveDate) -> Result<u32, CalendarError> {
        let k = self.cal.ordinal(d)?;
        self.touch(d);
        Ok(k)
    }

    fn at(&mut self, k: u32) -> Result<NaiveDate, CalendarError> {
        let d = self.cal.nth_working_day(k)?;
        self.touch(d);
        Ok(d)
    }

    /// The `n`-th working day after `d` (`d` itself for 0).
    fn add(&mut self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let k = self.ord(d)?;
        if n == 0 {
            Ok(d)
        } else {
            self.at(k.saturating_add(n))
        }
    }

    fn reasons(&self) -> Vec<String> {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => self.cal.provisional_reasons(lo.year(), hi.year()),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
enum PauseKind {
    Consultation { id: String, party: ConsultedParty },
    Fee,
}

#[derive(Debug, Clone)]
struct Pause {
    kind: PauseKind,
    start: NaiveDate,
    end: Option<NaiveDate>,
    /// Consultations stop pausing after their 15th working day.
    cap: Option<NaiveDate>,
}

impl Pause {
    /// The end used at `now`: the recorded end, or `now` while open; never past the cap.
    fn end_at(&self, now: NaiveDate) -> NaiveDate {
        let end = self.end.unwrap_or(now);
        self.cap.map_or(end, |cap| end.min(cap))
    }

    fn is_open_consultation(&self, wanted: &str) -> bool {
        self.end.is_none()
            && matches!(&self.kind, PauseKind::Consultation { id, .. } if id == wanted)
    }
}

#[derive(Debug, Clone, Copy)]
struct Awaiting {
    respond_by: Option<NaiveDate>,
    /// Art. 30 restarts the period only for the one 补正 notice given within 7 working days
    /// of receipt; any other notice leaves the clock running (as a late extension does).
    restarts: bool,
}

#[derive(Debug, Clone, Copy)]
struct Extension {
    days: u32,
    effective: bool,
}

/// Due dates at one moment.
struct Dues {
    start_ord: u32,
    base: NaiveDate,
    extended: Option<NaiveDate>,
    /// Base or effective extension (what pauses act on).
    statutory: NaiveDate,
    /// Custom if set, else `statutory`.
    in_force: NaiveDate,
    paused: u32,
    /// Pause intervals (working-day ordinals, inclusive) that moved `statutory`.
    applied: Vec<(u32, u32)>,
}

struct Engine<'a> {
    cal: Tracked<'a>,
    settings: &'a RuleSettings,
    as_of: NaiveDate,
    received_on: Option<NaiveDate>,
    steps: Vec<Step>,
    /// Notes on events after `as_of`: listed after the as-of summary, to keep date order.
    later: Vec<Step>,
    flags: Vec<DeadlineFlag>,
    clock_start: Option<NaiveDate>,
    correction_notice_due: Option<NaiveDate>,
    awaiting: Option<Awaiting>,
    corrections: u32,
    pauses: Vec<Pause>,
    /// Date of the outstanding fee notice (tracked whether or not it pauses the clock).
    fee_notice: Option<NaiveDate>,
    extensions: Vec<Extension>,
    custom_due: Option<NaiveDate>,
    stopped: Option<(StopReason, NaiveDate)>,
}

impl Engine<'_> {
    fn step(&mut self, date: Option<NaiveDate>, event: &str, effect: String, article: &str) {
        self.steps.push(Step {
            date,
            event: event.to_owned(),
            effect,
            article: article.to_owned(),
        });
    }

    fn flag(&mut self, flag: DeadlineFlag) {
        if !self.flags.contains(&flag) {
            self.flags.push(flag);
        }
    }

    /// An event that changes nothing: say why.
    fn note(&mut self, e: &ClockEvent, flag: DeadlineFlag, why: String) {
        self.flag(flag);
        self.step(Some(e.date()), e.label(), why, e.article());
    }

    /// Merged pause intervals in ordinal space, clipped to after the clock start.
    fn intervals(
        &mut self,
        now: NaiveDate,
        start_ord: u32,
    ) -> Result<Vec<(u32, u32)>, CalendarError> {
        let mut raw = Vec::with_capacity(self.pauses.len());
        for p in &self.pauses {
            let end = p.end_at(now);
            if end <= p.start {
                continue;
            }
            let lo = self.cal.ord(p.start)?.max(start_ord).saturating_add(1);
            let hi = self.cal.ord(end)?;
            if hi >= lo {
                raw.push((lo, hi));
            }
        }
        raw.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(raw.len());
        for (lo, hi) in raw {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        Ok(merged)
    }

    fn date_at(
        &mut self,
        k: u32,
        start_ord: u32,
        start: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        if k == start_ord {
            Ok(start)
        } else {
            self.cal.at(k)
        }
    }

    /// Due dates with what is known at `now` (open pauses taken as ending at `now`).
    /// `None` without a running clock.
    fn dues(&mut self, now: NaiveDate) -> Result<Option<Dues>, CalendarError> {
        let Some(start) = self.clock_start else {
            return Ok(None);
        };
        if self.awaiting.is_some_and(|a| a.restarts) {
            return Ok(None);
        }
        let start_ord = self.cal.ord(start)?;
        let intervals = self.intervals(now, start_ord)?;
        let s = *self.settings;
        let target = |extra: u32| {
            start_ord
                .saturating_add(s.statutory_days)
                .saturating_add(extra)
        };

        let (base_k, base_paused, base_n) = shift(target(0), &intervals);
        let base = self.date_at(base_k, start_ord, start)?;

        let sum = |only_effective: bool| {
            self.extensions
                .iter()
                .filter(|e| e.effective || !only_effective)
                .fold(0u32, |acc, e| acc.saturating_add(e.days))
                .min(s.max_extension_days)
        };
        let (ext_effective, ext_any) = (sum(true), sum(false));
        let shown = if ext_effective > 0 {
            ext_effective
        } else {
            ext_any
        };
        let extended = if shown > 0 {
            let (k, _, _) = shift(target(shown), &intervals);
            Some(self.date_at(k, start_ord, start)?)
        } else {
            None
        };
        let (statutory, paused, n) = match (ext_effective > 0, extended) {
            (true, Some(date)) => {
                let (_, paused, n) = shift(target(ext_effective), &intervals);
                (date, paused, n)
            }
            _ => (base, base_paused, base_n),
        };
        Ok(Some(Dues {
            start_ord,
            base,
            extended,
            statutory,
            in_force: self.custom_due.unwrap_or(statutory),
            paused,
            applied: intervals.into_iter().take(n).collect(),
        }))
    }

    fn due_text(&mut self, now: NaiveDate) -> Result<String, CalendarError> {
        Ok(match self.dues(now)? {
            Some(d) => d.in_force.to_string(),
            None => "（未起算）".to_owned(),
        })
    }

    fn on_receipt(&mut self, r: NaiveDate) -> Result<(), CalendarError> {
        if let Some((reason, on)) = self.stopped {
            self.flag(DeadlineFlag::EventAfterStop);
            let why = format!("案件已于{on}终结（{}），答复期限不再起算", reason.label());
            self.step(Some(r), "收到申请", why, ART_RECEIPT);
            return Ok(());
        }
        self.clock_start = Some(r);
        let s = *self.settings;
        let notice_due = self.cal.add(r, s.correction_notice_days)?;
        self.correction_notice_due = Some(notice_due);
        let due = self.due_text(r)?;
        let n = s.statutory_days;
        self.step(
            Some(r),
            "收到申请",
            format!("答复期限起算：第{n}个工作日为{due}"),
            ART_PERIOD,
        );
        let m = s.correction_notice_days;
        self.step(
            Some(r),
            "补正告知期限",
            format!("如需补正，应自收到申请之日起{m}个工作日内一次性告知，即最迟{notice_due}"),
            ART_CORRECTION,
        );
        Ok(())
    }

    fn on_event(&mut self, e: &ClockEvent) -> Result<(), CalendarError> {
        if let ClockEvent::ReceiptConfirmed { date } = e {
            let why = match self.received_on {
                Some(r) => format!("与收到申请日期（{r}）不一致，以{r}为准"),
                None => format!("{date}的确认未被采用"),
            };
            self.note(e, DeadlineFlag::ReceiptMismatch, why);
            return Ok(());
        }
        if let Some((reason, on)) = self.stopped {
            let why = format!("案件已于{on}终结（{}），该事件不影响期限", reason.label());
            self.note(e, DeadlineFlag::EventAfterStop, why);
            return Ok(());
        }
        let ends_case = matches!(e, ClockEvent::Withdrawn { .. } | ClockEvent::Replied { .. });
        if self.clock_start.is_none() {
            if let Some(r) = self.received_on {
                self.flag(DeadlineFlag::EventBeforeReceipt);
                if !ends_case {
                    let why = format!("早于收到申请之日（{r}），该事件不影响期限");
                    self.note(e, DeadlineFlag::EventBeforeReceipt, why);
                    return Ok(());
                }
            } else if !ends_case {
                let why = "收到申请日期尚未确认，答复期限尚未起算，该事件不影响期限".to_owned();
                self.note(e, DeadlineFlag::EventWithoutClock, why);
                return Ok(());
            }
        }
        let correction_event = matches!(
            e,
            ClockEvent::CorrectionRequested { .. }
                | ClockEvent::CorrectionReceived { .. }
                | ClockEvent::CorrectionLapsed { .. }
        );
        if self.awaiting.is_some_and(|a| a.restarts) && !correction_event && !ends_case {
            let why = "等待申请人补正期间答复期限不计算，该事件不影响期限".to_owned();
            self.note(e, DeadlineFlag::EventWithoutClock, why);
            return Ok(());
        }

        match e {
            ClockEvent::ReceiptConfirmed { .. } => {}
            ClockEvent::CorrectionRequested { date, respond_by } => {
                self.on_correction_requested(e, *date, *respond_by)?;
            }
            ClockEvent::CorrectionReceived { date } => self.on_correction_received(e, *date)?,
            ClockEvent::CorrectionLapsed { date } => {
                if self.awaiting.is_none() {
                    let why = "未登记补正通知，该事件不影响期限".to_owned();
                    self.note(e, DeadlineFlag::EndWithoutStart, why);
                } else {
                    self.stopped = Some((StopReason::CorrectionLapsed, *date));
                    let effect = "申请人逾期未补正，视为放弃申请，案件终结".to_owned();
                    self.step(Some(*date), e.label(), effect, ART_CORRECTION);
                }
            }
            ClockEvent::ConsultationStarted {
                date,
                id,
                party,
                third_party_received_on,
            } => {
                self.on_consultation_started(e, *date, id, *party, *third_party_received_on)?;
            }
            ClockEvent::ConsultationEnded { date, id } => {
                self.on_consultation_ended(e, *date, id)?;
            }
            ClockEvent::ExtensionGranted {
                date,
                notified_on,
                working_days,
                approved,
            } => self.on_extension(e, *date, *notified_on, *working_days, *approved)?,
            ClockEvent::FeeNoticeIssued { date } => self.on_fee_notice(e, *date)?,
            ClockEvent::FeePaid { date } => self.on_fee_paid(e, *date)?,
            ClockEvent::FeeLapsed { date } => {
                if self.fee_notice.is_none() {
                    let why = "未登记收费通知，该事件不影响期限".to_owned();
                    self.note(e, DeadlineFlag::EndWithoutStart, why);
                } else {
                    self.stopped = Some((StopReason::FeeLapsed, *date));
                    let effect = "申请人逾期未缴纳信息处理费，视为放弃申请，案件终结".to_owned();
                    self.step(Some(*date), e.label(), effect, ART_FEE);
                }
            }
            ClockEvent::CustomDueDate {
                date,
                due_on,
                approved,
            } => self.on_custom_due(e, *date, *due_on, *approved)?,
            ClockEvent::Withdrawn { date } => {
                self.stopped = Some((StopReason::Withdrawn, *date));
                let effect = "案件终结，答复期限不再计算".to_owned();
                self.step(Some(*date), e.label(), effect, ART_WITHDRAWN);
            }
            ClockEvent::Replied { date } => {
                let effect = match self.dues(*date)? {
                    Some(d) if *date > d.in_force => {
                        self.flag(DeadlineFlag::RepliedLate);
                        format!("答复已作出，晚于答复期限（{}）", d.in_force)
                    }
                    Some(d) => format!("答复已作出，在答复期限（{}）内", d.in_force),
                    None => "答复已作出".to_owned(),
                };
                self.stopped = Some((StopReason::Replied, *date));
                self.step(Some(*date), e.label(), effect, ART_PERIOD);
            }
        }
        Ok(())
    }

    fn on_correction_requested(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
        respond_by: Option<NaiveDate>,
    ) -> Result<(), CalendarError> {
        self.corrections = self.corrections.saturating_add(1);
        let mut problems = Vec::new();
        if self.corrections > 1 {
            self.flag(DeadlineFlag::SecondCorrection);
            problems.push(format!(
                "补正应一次性告知，此为第{}次补正",
                self.corrections
            ));
        }
        if let Some(due) = self.correction_notice_due
            && date > due
        {
            self.flag(DeadlineFlag::LateCorrectionNotice);
            let m = self.settings.correction_notice_days;
            problems.push(format!("补正通知晚于收到申请后第{m}个工作日（{due}）"));
        }
        let restarts = problems.is_empty();
        let mut effect = if restarts {
            "答复期限停止计算，待申请人补正".to_owned()
        } else {
            self.flag(DeadlineFlag::CorrectionNoRestart);
            let due = self.due_text(date)?;
            format!(
                "答复期限继续计算，仍为{due}（仅收到申请之日起规定期限内一次性告知的补正，答复期限方自收到补正材料之日起重新计算）"
            )
        };
        if let Some(rb) = respond_by {
            effect.push_str(&format!("（补正期限至{rb}）"));
        }
        if restarts {
            effect.push_str("；收到补正材料后重新计算答复期限");
        }
        for p in problems {
            effect.push_str("。注意：");
            effect.push_str(&p);
        }
        self.awaiting = Some(Awaiting {
            respond_by,
            restarts,
        });
        self.step(Some(date), e.label(), effect, ART_CORRECTION);
        Ok(())
    }

    fn on_correction_received(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
    ) -> Result<(), CalendarError> {
        let Some(awaiting) = self.awaiting.take() else {
            let why = "未登记补正通知，该事件不影响期限".to_owned();
            self.note(e, DeadlineFlag::EndWithoutStart, why);
            return Ok(());
        };
        if !awaiting.restarts {
            let due = self.due_text(date)?;
            let mut effect = format!("该补正不重新起算答复期限，答复期限仍为{due}");
            if let Some(rb) = awaiting.respond_by
                && date > rb
            {
                self.flag(DeadlineFlag::CorrectionResponseLate);
                effect.push_str(&format!("。注意：补正材料晚于补正期限（{rb}）收到"));
            }
            self.step(Some(date), e.label(), effect, ART_CORRECTION);
            return Ok(());
        }
        // A new period: what was decided for the old one lapses. Pauses need no reset:
        // they are clipped to after the new start.
        let dropped = !self.extensions.is_empty() || self.custom_due.is_some();
        self.extensions.clear();
        self.custom_due = None;
        self.clock_start = Some(date);
        let n = self.settings.statutory_days;
        let due = self.due_text(date)?;
        let mut effect = format!("答复期限重新起算：第{n}个工作日为{due}");
        if dropped {
            effect.push_str("；此前的延期或自定期限随之失效");
        }
        if let Some(rb) = awaiting.respond_by
            && date > rb
        {
            self.flag(DeadlineFlag::CorrectionResponseLate);
            effect.push_str(&format!("。注意：补正材料晚于补正期限（{rb}）收到"));
        }
        self.step(Some(date), e.label(), effect, ART_CORRECTION);
        Ok(())
    }

    fn on_consultation_started(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
        id: &str,
        party: ConsultedParty,
        received: Option<NaiveDate>,
    ) -> Result<(), CalendarError> {
        if self.pauses.iter().any(|p| p.is_open_consultation(id)) {
            let why = format!("编号{id}的征求意见尚未结束，重复登记不影响期限");
            self.note(e, DeadlineFlag::DuplicateConsultation, why);
            return Ok(());
        }
        let m = self.settings.consultation_max_days;
        // Arts 32, 34: the consulted party has 15 working days from its receipt of the
        // request; a receipt before dispatch is impossible and is read as dispatch.
        let (from, counted_from) = match received {
            Some(r) if r > date => (r, format!("被征求意见方于{r}收到征求意见书，自次日起")),
            Some(_) | None => (
                date,
                "被征求意见方收到征求意见书的日期未登记，暂自发出次日起".to_owned(),
            ),
        };
        let cap = self.cal.add(from, m)?;
        let before = self.dues(date)?;
        let mut effect = format!(
            "自次日起暂停计算答复期限，至收到意见之日止；{counted_from}最长{m}个工作日（至{cap}）"
        );
        if let Some(b) = &before {
            if date >= b.statutory {
                self.flag(DeadlineFlag::PauseAfterDue);
                effect = format!(
                    "答复期限已于{}届满，期满后征求意见不能延长答复期限",
                    b.statutory
                );
            } else if self.custom_due.is_some() {
                effect.push_str("；已依第三十五条确定的答复期限不因此改变");
            }
        }
        self.pauses.push(Pause {
            kind: PauseKind::Consultation {
                id: id.to_owned(),
                party,
            },
            start: date,
            end: None,
            cap: Some(cap),
        });
        self.step(Some(date), e.label(), effect, e.article());
        Ok(())
    }

    fn on_consultation_ended(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
        id: &str,
    ) -> Result<(), CalendarError> {
        let Some(pause) = self.pauses.iter_mut().find(|p| p.is_open_consultation(id)) else {
            let why = format!("未找到编号{id}的征求意见，该事件不影响期限");
            self.note(e, DeadlineFlag::EndWithoutStart, why);
            return Ok(());
        };
        pause.end = Some(date);
        let (start, cap, kind) = (pause.start, pause.cap, pause.kind.clone());
        let (event, article, silence) = match kind {
            PauseKind::Consultation {
                party: ConsultedParty::Agency,
                ..
            } => (
                "收到其他机关意见",
                ART_AGENCY,
                "逾期未提出意见的视为同意公开",
            ),
            _ => (
                "收到第三方意见",
                ART_THIRD_PARTY,
                "逾期未提出意见的由行政机关依照条例决定是否公开",
            ),
        };
        let end = cap.map_or(date, |c| date.min(c));
        let days = self.cal.ord(end)?.saturating_sub(self.cal.ord(start)?);
        let due = self.due_text(date)?;
        let effect = match cap {
            Some(c) if date > c => {
                self.flag(DeadlineFlag::ConsultationCapped);
                let m = self.settings.consultation_max_days;
                format!(
                    "超过{m}个工作日（{c}）才收到意见（{silence}），超出部分计入答复期限；扣除{days}个工作日，答复期限为{due}"
                )
            }
            _ => format!("征求意见用时{days}个工作日，不计入答复期限；答复期限为{due}"),
        };
        self.step(Some(date), event, effect, article);
        Ok(())
    }

    fn on_extension(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
        notified_on: NaiveDate,
        days: u32,
        approved: bool,
    ) -> Result<(), CalendarError> {
        let now = notified_on.min(self.as_of).max(date);
        let Some(before) = self.dues(now)? else {
            return Ok(());
        };
        let max = self.settings.max_extension_days;
        let total = self
            .extensions
            .iter()
            .fold(days, |acc, x| acc.saturating_add(x.days));
        let mut notes = Vec::new();
        let mut effective = true;
        if !approved {
            effective = false;
            self.flag(DeadlineFlag::ExtensionUnapproved);
            notes.push("延期未经政府信息公开工作机构负责人同意，不产生延期效力".to_owned());
        }
        if notified_on > before.in_force {
            effective = false;
            self.flag(DeadlineFlag::ExtensionNoticeLate);
            notes.push(format!(
                "延期告知（{notified_on}）晚于原答复期限（{}），不产生延期效力",
                before.in_force
            ));
        }
        if total > max {
            self.flag(DeadlineFlag::ExtensionOverMax);
            notes.push(format!(
                "延期合计{total}个工作日，超过最长{max}个工作日，按{max}个工作日计"
            ));
        }
        self.extensions.push(Extension { days, effective });
        let after = self.due_text(now)?;
        let mut effect = if effective {
            format!("延长{days}个工作日（{notified_on}告知申请人），答复期限延长至{after}")
        } else {
            format!("延期{days}个工作日未生效，答复期限仍为{after}")
        };
        for n in notes {
            effect.push('；');
            effect.push_str(&n);
        }
        self.step(Some(date), e.label(), effect, ART_PERIOD);
        Ok(())
    }

    fn on_custom_due(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
        due_on: NaiveDate,
        approved: bool,
    ) -> Result<(), CalendarError> {
        let Some(before) = self.dues(date)? else {
            let why = "答复期限未在计算中，该事件不影响期限".to_owned();
            self.note(e, DeadlineFlag::EventWithoutClock, why);
            return Ok(());
        };
        let mut notes = Vec::new();
        let mut effective = true;
        if !approved {
            effective = false;
            self.flag(DeadlineFlag::CustomDueUnapproved);
            notes.push("未经批准，不产生效力".to_owned());
        }
        // Art. 35 defers a reply that cannot be given "within the Art. 33 period": the date
        // must be decided and notified before that period ends.
        if date > before.in_force {
            effective = false;
            self.flag(DeadlineFlag::CustomDueLate);
            notes.push(format!(
                "确定并告知的日期（{date}）晚于原答复期限（{}），不产生效力",
                before.in_force
            ));
        }
        let max = self.settings.custom_due_max_days;
        let bound = self.cal.add(self.clock_start.unwrap_or(date), max)?;
        let mut due = due_on;
        if due_on > bound {
            self.flag(DeadlineFlag::CustomDueOverMax);
            due = bound;
            notes.push(format!(
                "超过自起算之日起{max}个工作日（{bound}）的上限，按{bound}计"
            ));
        }
        if due < before.statutory {
            self.flag(DeadlineFlag::CustomDueBeforeStatutory);
            notes.push("该日期早于法定答复期限".to_owned());
        }
        let mut effect = if effective {
            self.custom_due = Some(due);
            format!(
                "依第三十五条确定并告知的合理期限：答复期限为{due}（原为{}）",
                before.in_force
            )
        } else {
            format!(
                "确定的答复期限{due_on}未生效，答复期限仍为{}",
                before.in_force
            )
        };
        for n in notes {
            effect.push('；');
            effect.push_str(&n);
        }
        self.step(Some(date), e.label(), effect, ART_CUSTOM);
        Ok(())
    }

    fn on_fee_notice(&mut self, e: &ClockEvent, date: NaiveDate) -> Result<(), CalendarError> {
        if self.fee_notice.is_some() {
            let why = "已有未结的收费通知，重复登记不影响期限".to_owned();
            self.note(e, DeadlineFlag::DuplicateFeeNotice, why);
            return Ok(());
        }
        self.fee_notice = Some(date);
        let before = self.dues(date)?;
        let mut effect = if self.settings.fee_pauses_clock {
            self.pauses.push(Pause {
                kind: PauseKind::Fee,
                start: date,
                end: None,
                cap: None,
            });
            "按设置（收费期间暂停计算），自次日起暂停计算答复期限，至申请人缴费之日止".to_owned()
        } else {
            let due = self.due_text(date)?;
            format!("按设置（收费期间不暂停计算），答复期限不变（{due}）")
        };
        effect.push_str("；申请人应自收到通知次日起20个工作日内缴费，逾期视为放弃");
        if let Some(b) = before
            && date > b.statutory
        {
            self.flag(DeadlineFlag::FeeNoticeAfterDue);
            effect.push_str(&format!(
                "。注意：收费通知应在答复期限（{}）内发出",
                b.statutory
            ));
        }
        self.step(Some(date), e.label(), effect, ART_FEE);
        Ok(())
    }

    fn on_fee_paid(&mut self, e: &ClockEvent, date: NaiveDate) -> Result<(), CalendarError> {
        let Some(start) = self.fee_notice.take() else {
            let why = "未登记收费通知，该事件不影响期限".to_owned();
            self.note(e, DeadlineFlag::EndWithoutStart, why);
            return Ok(());
        };
        let mut paused = false;
        if let Some(p) = self
            .pauses
            .iter_mut()
            .find(|p| p.end.is_none() && matches!(p.kind, PauseKind::Fee))
        {
            p.end = Some(date);
            paused = true;
        }
        let due = self.due_text(date)?;
        let effect = if paused {
            let days = self.cal.ord(date)?.saturating_sub(self.cal.ord(start)?);
            format!("缴费用时{days}个工作日，不计入答复期限；答复期限为{due}")
        } else {
            format!("已缴费；答复期限为{due}")
        };
        self.step(Some(date), e.label(), effect, ART_FEE);
        Ok(())
    }

    fn finish(mut self) -> Result<Deadline, CalendarError> {
        let as_of = self.as_of;
        let mut out = Deadline {
            as_of,
            calendar: self.cal.cal.label(),
            rules: *self.settings,
            received_on: self.received_on,
            clock_start: self.clock_start,
            correction_notice_due_on: self.correction_notice_due,
            base_due_on: None,
            extended_due_on: None,
            custom_due_on: None,
            due_on: None,
            due_on_when_stopped: None,
            paused_working_days: 0,
            working_days_used: None,
            working_days_remaining: None,
            overdue: false,
            clock: ClockState::NotStarted,
            provisional: false,
            provisional_reasons: Vec::new(),
            flags: Vec::new(),
            steps: Vec::new(),
        };

        if let Some((reason, on)) = self.stopped {
            out.clock = ClockState::Stopped(reason);
            if let Some(d) = self.dues(on)? {
                let used = counted(d.start_ord, self.cal.ord(as_of.min(on))?, &d.applied);
                let total = counted(d.start_ord, self.cal.ord(d.in_force)?, &d.applied);
                out.base_due_on = Some(d.base);
                out.extended_due_on = d.extended;
                out.custom_due_on = self.custom_due;
                out.due_on_when_stopped = Some(d.in_force);
                out.paused_working_days = d.paused;
                out.working_days_used = Some(used);
                out.working_days_remaining = Some(total - used);
            }
        } else if let Some(awaiting) = self.awaiting.filter(|a| a.restarts) {
            out.clock = ClockState::AwaitingCorrection;
            match awaiting.respond_by {
                Some(rb) if rb < as_of => {
                    self.flag(DeadlineFlag::CorrectionPeriodPassed);
                    let effect = format!(
                        "补正期限（{rb}）已届满，尚未收到补正材料；申请人逾期未补正的，视为放弃申请，请登记"
                    );
                    self.step(Some(as_of), "截至计算日", effect, ART_CORRECTION);
                }
                _ => {
                    let effect = "等待申请人补正，答复期限暂不计算".to_owned();
                    self.step(Some(as_of), "截至计算日", effect, ART_CORRECTION);
                }
            }
        } else if self.clock_start.is_some()
            && let Some(d) = self.dues(as_of)?
        {
            let as_of_ord = self.cal.ord(as_of)?;
            let used = counted(d.start_ord, as_of_ord, &d.applied);
            let total = counted(d.start_ord, self.cal.ord(d.in_force)?, &d.applied);
            let remaining = total - used;
            out.base_due_on = Some(d.base);
            out.extended_due_on = d.extended;
            out.custom_due_on = self.custom_due;
            out.due_on = Some(d.in_force);
            out.paused_working_days = d.paused;
            out.working_days_used = Some(used);
            out.working_days_remaining = Some(remaining);
            out.overdue = as_of > d.in_force;

            let mut paused = false;
            let open: Vec<Pause> = self
                .pauses
                .iter()
                .filter(|p| p.end.is_none())
                .cloned()
                .collect();
            for p in open {
                let (what, article, silence) = match &p.kind {
                    PauseKind::Consultation {
                        party: ConsultedParty::Agency,
                        ..
                    } => (
                        "征求其他机关意见",
                        ART_AGENCY,
                        "逾期未提出意见的视为同意公开",
                    ),
                    PauseKind::Consultation { .. } => (
                        "征求第三方意见",
                        ART_THIRD_PARTY,
                        "逾期未提出意见的由行政机关依照条例决定是否公开",
                    ),
                    PauseKind::Fee => ("收费通知", ART_FEE, ""),
                };
                match p.cap {
                    Some(cap) if cap <= as_of => {
                        self.flag(DeadlineFlag::ConsultationCapped);
                        let m = self.settings.consultation_max_days;
                        let effect = format!(
                            "{what}已满{m}个工作日（{cap}）仍未收到意见，答复期限恢复计算（{silence}）"
                        );
                        self.step(Some(as_of), "截至计算日", effect, article);
                    }
                    _ if p.start < d.statutory => {
                        paused = true;
                        let end = p.end_at(as_of);
                        let until = match p.kind {
                            PauseKind::Fee => "申请人缴费后",
                            PauseKind::Consultation { .. } => "收到意见后",
                        };
                        let effect = format!(
                            "{what}尚未结束，暂按暂停至{end}推算，答复期限暂为{}；{until}将重新计算",
                            d.in_force
                        );
                        self.step(Some(as_of), "截至计算日", effect, article);
                    }
                    _ => {}
                }
            }
            out.clock = if paused {
                ClockState::Paused
            } else {
                ClockState::Running
            };
            // A 补正 that did not restart the period: the clock ran on, but the applicant's
            // period still ends (Art. 30, 视为放弃).
            if let Some(Awaiting {
                respond_by: Some(rb),
                ..
            }) = self.awaiting
                && rb < as_of
            {
                self.flag(DeadlineFlag::CorrectionPeriodPassed);
                let effect = format!(
                    "补正期限（{rb}）已届满，尚未收到补正材料；申请人逾期未补正的，视为放弃申请，请登记"
                );
                self.step(Some(as_of), "截至计算日", effect, ART_CORRECTION);
            }
            // 国办函〔2020〕109号: unpaid after the payment period, the request is deemed
            // abandoned. Counted from the notice date (the earliest it can have arrived).
            if let Some(notice) = self.fee_notice {
                let n = self.settings.fee_payment_days;
                let last = self.cal.add(notice, n)?;
                if last < as_of {
                    self.flag(DeadlineFlag::FeePeriodPassed);
                    let effect = format!(
                        "缴费期限（自收费通知发出次日起{n}个工作日，至{last}）已届满，尚未缴费；申请人逾期未缴纳的，视为放弃申请，请登记（申请人收到通知较晚的，按实际收到之日核对）"
                    );
                    self.step(Some(as_of), "截至计算日", effect, ART_FEE);
                }
            }

            let due = d.in_force;
            let effect = if out.overdue {
                self.flag(DeadlineFlag::Overdue);
                match -remaining {
                    n if n > 0 => format!("已超过答复期限（{due}）{n}个工作日"),
                    _ => format!("已超过答复期限（{due}）"),
                }
            } else {
                format!("已计{used}个工作日，剩余{remaining}个工作日，答复期限为{due}")
            };
            let article = if self.custom_due.is_some() {
                ART_CUSTOM
            } else {
                ART_PERIOD
            };
            self.step(Some(as_of), "截至计算日", effect, article);
        }

        out.provisional_reasons = self.cal.reasons();
        out.provisional = !out.provisional_reasons.is_empty();
        out.flags = self.flags;
        self.steps.append(&mut self.later);
        out.steps = self.steps;
        Ok(out)
    }
}

/// Pushes ordinal `k` back past every pause interval that starts at or before it. Returns the
/// new ordinal, the days added and how many intervals were applied (a prefix: they are sorted).
fn shift(mut k: u32, intervals: &[(u32, u32)]) -> (u32, u32, usize) {
    let mut paused = 0u32;
    let mut applied = 0;
    for &(lo, hi) in intervals {
        if lo > k {
            break;
        }
        let len = hi - lo + 1;
        k = k.saturating_add(len);
        paused = paused.saturating_add(len);
        applied += 1;
    }
    (k, paused, applied)
}

/// Counted (not paused) working days in ordinals (a, b]; negative when b < a.
fn counted(a: u32, b: u32, applied: &[(u32, u32)]) -> i64 {
    let (lo, hi, sign) = if b >= a { (a, b, 1) } else { (b, a, -1) };
    let paused: u32 = applied
        .iter()
        .map(|&(s, e)| {
            let (s, e) = (s.max(lo.saturating_add(1)), e.min(hi));
            if e >= s { e - s + 1 } else { 0 }
        })
        .sum();
    sign * (i64::from(hi - lo) - i64::from(paused))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, OnceLock};

    use proptest::prelude::*;

    use super::*;
    use crate::domain::calendar::{CalendarSet, RegionCode};

    fn set() -> &'static CalendarSet {
        static SET: OnceLock<CalendarSet> = OnceLock::new();
        SET.get_or_init(CalendarSet::bundled)
    }

    fn national() -> Arc<WorkCalendar> {
        set().calendar(None)
    }

    fn guangxi() -> Arc<WorkCalendar> {
        set().calendar(Some(&RegionCode::parse("450000").unwrap()))
    }

    fn xinjiang() -> Arc<WorkCalendar> {
        set().calendar(Some(&RegionCode::parse("650000").unwrap()))
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn run(cal: &WorkCalendar, receipt: &str, events: &[ClockEvent], as_of: &str) -> Deadline {
        let receipt = (!receipt.is_empty()).then(|| d(receipt));
        compute_deadline(receipt, events, &RuleSettings::default(), cal, d(as_of)).unwrap()
    }

    fn consult(start: &str, id: &str) -> ClockEvent {
        ClockEvent::ConsultationStarted {
            date: d(start),
            id: id.to_owned(),
            party: ConsultedParty::ThirdParty,
            third_party_received_on: None,
        }
    }

    fn consult_end(end: &str, id: &str) -> ClockEvent {
        ClockEvent::ConsultationEnded {
            date: d(end),
            id: id.to_owned(),
        }
    }

    fn extension(date: &str, notified: &str, days: u32, approved: bool) -> ClockEvent {
        ClockEvent::ExtensionGranted {
            date: d(date),
            notified_on: d(notified),
            working_days: days,
            approved,
        }
    }

    #[test]
    fn base_period_rules_md_check() {
        // RULES.md §2: received Fri 2024-09-27 → due Wed 2024-10-30 (national 2024).
        let dl = run(&national(), "2024-09-27", &[], "2024-10-15");
        assert_eq!(dl.received_on, Some(d("2024-09-27")));
        assert_eq!(dl.clock_start, Some(d("2024-09-27")));
        assert_eq!(dl.base_due_on, Some(d("2024-10-30")));
        assert_eq!(dl.due_on, Some(d("2024-10-30")));
        assert_eq!(dl.extended_due_on, None);
        // Day 1 is Sun 09-29 (调休上班); 10-01..07 off; Sat 10-12 is the 7th.
        assert_eq!(dl.correction_notice_due_on, Some(d("2024-10-12")));
        assert_eq!(dl.clock, ClockState::Running);
        assert_eq!(dl.working_days_used, Some(9));
        assert_eq!(dl.working_days_remaining, Some(11));
        assert!(!dl.overdue && !dl.provisional && dl.flags.is_empty());
        assert_eq!(dl.calendar, "全国节假日安排");
        assert_eq!(
            dl.steps[0],
            Step {
                date: Some(d("2024-09-27")),
                event: "收到申请".to_owned(),
                effect: "答复期限起算：第20个工作日为2024-10-30".to_owned(),
                article: "《政府信息公开条例》第三十三条第二款".to_owned(),
            }
        );
        assert_eq!(dl.steps[1].article, "《政府信息公开条例》第三十条");
        let last = dl.steps.last().unwrap();
        assert_eq!(
            last.effect,
            "已计9个工作日，剩余11个工作日，答复期限为2024-10-30"
        );
    }

    #[test]
    fn overdue_counts_working_days_past_the_due_date() {
        let dl = run(&national(), "2024-09-27", &[], "2024-11-04");
        assert!(dl.overdue);
        assert_eq!(dl.working_days_remaining, Some(-3));
        assert!(dl.flags.contains(&DeadlineFlag::Overdue));
        assert_eq!(
            dl.steps.last().unwrap().effect,
            "已超过答复期限（2024-10-30）3个工作日"
        );
        // On the Saturday after a Friday due date: 0 working days, but overdue.
        let dl = run(&national(), "2024-11-01", &[], "2024-11-30");
        assert_eq!(dl.due_on, Some(d("2024-11-29")));
        assert_eq!(dl.working_days_remaining, Some(0));
        assert!(dl.overdue);
    }

    #[test]
    fn no_receipt_means_no_clock() {
        let dl = run(&national(), "", &[], "2024-10-15");
        assert_eq!(dl.due_on, None);
        assert_eq!(dl.clock, ClockState::NotStarted);
        assert_eq!(dl.flags, [DeadlineFlag::ReceiptNotConfirmed]);
        assert_eq!(dl.steps[0].date, None);
        assert_eq!(dl.steps[0].article, "《政府信息公开条例》第三十一条");
        assert!(dl.steps[0].effect.contains("答复期限尚未起算"));
        // A confirmation event supplies the receipt.
        let dl = run(
            &national(),
            "",
            &[ClockEvent::ReceiptConfirmed {
                date: d("2024-09-27"),
            }],
            "2024-10-15",
        );
        assert_eq!(dl.due_on, Some(d("2024-10-30")));
        assert!(dl.flags.is_empty());
    }

    #[test]
    fn correction_restarts_the_period() {
        // RULES.md §3: received 2025-03-03, correction received 2025-03-20.
        let events = [
            ClockEvent::CorrectionRequested {
                date: d("2025-03-05"),
                respond_by: Some(d("2025-03-25")),
            },
            ClockEvent::CorrectionReceived {
                date: d("2025-03-20"),
            },
        ];
        let gx = run(&guangxi(), "2025-03-03", &events, "2025-03-21");
        assert_eq!(gx.clock_start, Some(d("2025-03-20")));
        assert_eq!(gx.due_on, Some(d("2025-04-22")));
        assert_eq!(gx.received_on, Some(d("2025-03-03")));
        assert!(gx.flags.is_empty(), "{:?}", gx.flags);
        let nat = run(&national(), "2025-03-03", &events, "2025-03-21");
        assert_eq!(nat.due_on, Some(d("2025-04-18")));
        let step = nat
            .steps
            .iter()
            .find(|s| s.event == "收到补正材料")
            .unwrap();
        assert_eq!(step.effect, "答复期限重新起算：第20个工作日为2025-04-18");

        // While awaiting correction there is no running clock.
        let waiting = run(&national(), "2025-03-03", &events[..1], "2025-03-10");
        assert_eq!(waiting.clock, ClockState::AwaitingCorrection);
        assert_eq!(waiting.due_on, None);
        assert_eq!(waiting.working_days_remaining, None);
        let passed = run(&national(), "2025-03-03", &events[..1], "2025-03-26");
        assert!(passed.flags.contains(&DeadlineFlag::CorrectionPeriodPassed));

        let lapsed = [
            events[0].clone(),
            ClockEvent::CorrectionLapsed {
                date: d("2025-03-26"),
            },
        ];
        let dl = run(&national(), "2025-03-03", &lapsed, "2025-04-01");
        assert_eq!(dl.clock, ClockState::Stopped(StopReason::CorrectionLapsed));
        assert_eq!(dl.due_on, None);
    }

    #[test]
    fn correction_irregularities_are_noted() {
        let events = [
            ClockEvent::CorrectionRequested {
                date: d("2024-10-14"),
                respond_by: Some(d("2024-10-20")),
            },
            ClockEvent::CorrectionReceived {
                date: d("2024-10-22"),
            },
            ClockEvent::CorrectionRequested {
                date: d("2024-10-23"),
                respond_by: None,
            },
        ];
        let dl = run(&national(), "2024-09-27", &events, "2024-10-24");
        assert_eq!(
            dl.flags,
            [
                DeadlineFlag::LateCorrectionNotice,
                DeadlineFlag::CorrectionNoRestart,
                DeadlineFlag::CorrectionResponseLate,
                DeadlineFlag::SecondCorrection,
            ]
        );
        // Neither notice restarted the period (Art. 30).
        assert_eq!(dl.clock_start, Some(d("2024-09-27")));
        assert_eq!(dl.due_on, Some(d("2024-10-30")));
        assert!(
            dl.steps[2]
                .effect
                .contains("晚于收到申请后第7个工作日（2024-10-12）")
        );
    }

    #[test]
    fn consultation_pauses_rules_md_example() {
        // Guangxi agency: received Tue 2025-06-03, consultation 06-10 → 06-17.
        let events = [consult("2025-06-10", "c1"), consult_end("2025-06-17", "c1")];
        let dl = run(&guangxi(), "2025-06-03", &events, "2025-06-18");
        assert_eq!(dl.paused_working_days, 5);
        assert_eq!(dl.base_due_on, Some(d("2025-07-08")));
        assert_eq!(dl.due_on, Some(d("2025-07-08")));
        assert_eq!(dl.clock, ClockState::Running);
        assert_eq!(dl.steps[0].effect, "答复期限起算：第20个工作日为2025-07-01");
        let start = &dl.steps[2];
        assert_eq!(start.event, "书面征求第三方意见");
        assert_eq!(
            start.article,
            "《政府信息公开条例》第三十二条、第三十三条第三款"
        );
        let end = &dl.steps[3];
        assert_eq!(end.event, "收到第三方意见");
        assert_eq!(
            end.effect,
            "征求意见用时5个工作日，不计入答复期限；答复期限为2025-07-08"
        );
        // Used: 06-04..06-10 counted (5), 06-11..17 paused, 06-18 counted.
        assert_eq!(dl.working_days_used, Some(6));
        assert_eq!(dl.working_days_remaining, Some(14));
    }

    #[test]
    fn open_consultation_is_projected_to_as_of() {
        let events = [consult("2025-06-10", "c1")];
        let dl = run(&guangxi(), "2025-06-03", &events, "2025-06-13");
        assert_eq!(dl.clock, ClockState::Paused);
        // (06-10, 06-13]: 3 working days so far.
        assert_eq!(dl.paused_working_days, 3);
        assert_eq!(dl.due_on, Some(d("2025-07-04")));
        let projection = &dl.steps[dl.steps.len() - 2];
        assert!(
            projection.effect.contains("暂按暂停至2025-06-13推算"),
            "{}",
            projection.effect
        );
        // Past its 15th working day the consultation no longer pauses.
        let dl = run(&guangxi(), "2025-06-03", &events, "2025-08-01");
        assert_eq!(dl.clock, ClockState::Running);
        assert_eq!(dl.paused_working_days, 15);
        assert!(dl.flags.contains(&DeadlineFlag::ConsultationCapped));
    }

    #[test]
    fn late_opinion_only_pauses_fifteen_days() {
        let n = national();
        let cap = n.add_working_days(d("2025-06-10"), 15).unwrap().value;
        let events = [
            ClockEvent::ConsultationStarted {
                date: d("2025-06-10"),
                id: "x".to_owned(),
                party: ConsultedParty::Agency,
                third_party_received_on: None,
            },
            consult_end("2025-07-20", "x"),
        ];
        let dl = run(&n, "2025-06-03", &events, "2025-07-21");
        assert_eq!(dl.paused_working_days, 15);
        let base = n.add_working_days(d("2025-06-03"), 20).unwrap().value;
        let expected = n.add_working_days(base, 15).unwrap().value;
        assert_eq!(dl.due_on, Some(expected));
        assert!(dl.flags.contains(&DeadlineFlag::ConsultationCapped));
        assert!(dl.steps[3].effect.contains(&cap.to_string()));
        assert!(dl.steps[3].effect.contains("视为同意公开"));
        assert_eq!(
            dl.steps[2].article,
            "《政府信息公开条例》第三十三条第三款、第三十四条"
        );
    }

    #[test]
    fn overlapping_pauses_count_once() {
        let events = [
            consult("2025-06-10", "a"),
            consult("2025-06-12", "b"),
            consult_end("2025-06-17", "a"),
            consult_end("2025-06-20", "b"),
        ];
        let dl = run(&guangxi(), "2025-06-03", &events, "2025-06-23");
        // Union (06-10, 06-20]: 06-11..13, 06-16..20 = 8 working days.
        assert_eq!(dl.paused_working_days, 8);
        let n = guangxi();
        let expected = n.add_working_days(d("2025-07-01"), 8).unwrap().value;
        assert_eq!(dl.due_on, Some(expected));
    }

    #[test]
    fn pause_after_the_due_date_changes_nothing() {
        let events = [consult("2024-10-30", "a"), consult_end("2024-11-05", "a")];
        let dl = run(&national(), "2024-09-27", &events, "2024-11-06");
        assert_eq!(dl.due_on, Some(d("2024-10-30")));
        assert_eq!(dl.paused_working_days, 0);
        assert!(dl.flags.contains(&DeadlineFlag::PauseAfterDue));
        assert!(dl.overdue);
    }

    #[test]
    fn extension_rules() {
        let n = national();
        let ok = run(
            &n,
            "2024-09-27",
            &[extension("2024-10-28", "2024-10-29", 20, true)],
            "2024-11-01",
        );
        let forty = n.add_working_days(d("2024-09-27"), 40).unwrap().value;
        assert_eq!(ok.base_due_on, Some(d("2024-10-30")));
        assert_eq!(ok.extended_due_on, Some(forty));
        assert_eq!(ok.due_on, Some(forty));
        assert!(ok.flags.is_empty());
        assert!(
            ok.steps[2]
                .effect
                .contains(&format!("答复期限延长至{forty}"))
        );

        let over = run(
            &n,
            "2024-09-27",
            &[extension("2024-10-28", "2024-10-29", 30, true)],
            "2024-11-01",
        );
        assert_eq!(over.due_on, Some(forty));
        assert_eq!(over.flags, [DeadlineFlag::ExtensionOverMax]);

        let unapproved = run(
            &n,
            "2024-09-27",
            &[extension("2024-10-28", "2024-10-29", 10, false)],
            "2024-11-01",
        );
        assert_eq!(unapproved.due_on, Some(d("2024-10-30")));
        assert_eq!(
            unapproved.extended_due_on,
            Some(n.add_working_days(d("2024-09-27"), 30).unwrap().value)
        );
        assert_eq!(
            unapproved.flags,
            [DeadlineFlag::ExtensionUnapproved, DeadlineFlag::Overdue]
        );
        assert!(unapproved.steps[2].effect.contains("工作机构负责人"));

        let late = run(
            &n,
            "2024-09-27",
            &[extension("2024-10-31", "2024-10-31", 10, true)],
            "2024-11-01",
        );
        assert_eq!(late.due_on, Some(d("2024-10-30")));
        assert!(late.flags.contains(&DeadlineFlag::ExtensionNoticeLate));
    }

    #[test]
    fn extension_counts_after_pauses() {
        let events = [
            consult("2025-06-10", "c1"),
            consult_end("2025-06-17", "c1"),
            extension("2025-07-01", "2025-07-01", 20, true),
        ];
        let g = guangxi();
        let dl = run(&g, "2025-06-03", &events, "2025-07-02");
        assert_eq!(dl.base_due_on, Some(d("2025-07-08")));
        let expected = g.add_working_days(d("2025-07-08"), 20).unwrap().value;
        assert_eq!(dl.extended_due_on, Some(expected));
        assert_eq!(dl.due_on, Some(expected));
    }

    #[test]
    fn fee_notice_pauses_by_default() {
        let events = [
            ClockEvent::FeeNoticeIssued {
                date: d("2024-10-14"),
            },
            ClockEvent::FeePaid {
                date: d("2024-10-18"),
            },
        ];
        let n = national();
        let dl = run(&n, "2024-09-27", &events, "2024-10-21");
        assert_eq!(dl.paused_working_days, 4);
        assert_eq!(
            dl.due_on,
            Some(n.add_working_days(d("2024-10-30"), 4).unwrap().value)
        );
        assert!(dl.rules.fee_pauses_clock);

        let settings = RuleSettings {
            fee_pauses_clock: false,
            ..RuleSettings::default()
        };
        let dl = compute_deadline(
            Some(d("2024-09-27")),
            &events,
            &settings,
            &n,
            d("2024-10-21"),
        )
        .unwrap();
        assert_eq!(dl.due_on, Some(d("2024-10-30")));
        assert!(dl.steps[2].effect.contains("按设置（收费期间不暂停计算）"));
        assert_eq!(
            dl.steps[2].article,
            "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
        );

        let lapsed = [
            events[0].clone(),
            ClockEvent::FeeLapsed {
                date: d("2024-11-12"),
            },
        ];
        let dl = run(&n, "2024-09-27", &lapsed, "2024-11-13");
        assert_eq!(dl.clock, ClockState::Stopped(StopReason::FeeLapsed));
        assert_eq!(dl.due_on, None);
    }

    #[test]
    fn late_correction_does_not_restart_the_clock() {
        // Issue 13: received 2026-09-01 (due 09-29); 补正 10-20, answered 10-22, reply 11-18.
        let n = national();
        let events = [
            ClockEvent::CorrectionRequested {
                date: d("2026-10-20"),
                respond_by: Some(d("2026-10-30")),
            },
            ClockEvent::CorrectionReceived {
                date: d("2026-10-22"),
            },
            ClockEvent::Replied {
                date: d("2026-11-18"),
            },
        ];
        let dl = run(&n, "2026-09-01", &events, "2026-11-20");
        assert_eq!(dl.clock_start, Some(d("2026-09-01")));
        assert_eq!(dl.due_on_when_stopped, Some(d("2026-09-29")));
        assert!(dl.flags.contains(&DeadlineFlag::LateCorrectionNotice));
        assert!(dl.flags.contains(&DeadlineFlag::CorrectionNoRestart));
        assert!(dl.flags.contains(&DeadlineFlag::RepliedLate));
        // While the late notice is pending the clock runs and the case is overdue.
        let waiting = run(&n, "2026-09-01", &events[..1], "2026-10-21");
        assert_eq!(waiting.clock, ClockState::Running);
        assert_eq!(waiting.due_on, Some(d("2026-09-29")));
        assert!(waiting.overdue);
        let passed = run(&n, "2026-09-01", &events[..1], "2026-11-02");
        assert!(passed.flags.contains(&DeadlineFlag::CorrectionPeriodPassed));

        // A second round after a timely first one: only the first restarts.
        let events = [
            ClockEvent::CorrectionRequested {
                date: d("2026-09-03"),
                respond_by: Some(d("2026-09-10")),
            },
            ClockEvent::CorrectionReceived {
                date: d("2026-09-08"),
            },
            ClockEvent::CorrectionRequested {
                date: d("2026-09-15"),
                respond_by: Some(d("2026-09-25")),
            },
            ClockEvent::CorrectionReceived {
                date: d("2026-09-21"),
            },
        ];
        let dl = run(&n, "2026-09-01", &events, "2026-09-22");
        let first_restart = n.add_working_days(d("2026-09-08"), 20).unwrap().value;
        assert_eq!(dl.clock_start, Some(d("2026-09-08")));
        assert_eq!(dl.due_on, Some(first_restart));
        assert!(dl.flags.contains(&DeadlineFlag::SecondCorrection));
        assert!(dl.flags.contains(&DeadlineFlag::CorrectionNoRestart));
    }

    #[test]
    fn custom_due_date_is_handled_like_an_extension() {
        let n = national();
        let custom = |date: &str, due: &str, approved: bool| ClockEvent::CustomDueDate {
            date: d(date),
            due_on: d(due),
            approved,
        };
        // Set after the period ended (10-30): no effect, flagged, still overdue.
        let late = run(
            &n,
            "2024-09-27",
            &[custom("2024-11-05", "2024-12-20", true)],
            "2024-11-08",
        );
        assert_eq!(late.due_on, Some(d("2024-10-30")));
        assert_eq!(late.custom_due_on, None);
        assert!(late.overdue);
        assert!(late.flags.contains(&DeadlineFlag::CustomDueLate));
        // Unapproved: no effect.
        let unapproved = run(
            &n,
            "2024-09-27",
            &[custom("2024-10-10", "2024-12-20", false)],
            "2024-11-08",
        );
        assert_eq!(unapproved.due_on, Some(d("2024-10-30")));
        assert!(
            unapproved
                .flags
                .contains(&DeadlineFlag::CustomDueUnapproved)
        );
        // Beyond the bound (60 working days from the start): counted as the bound.
        let far = run(
            &n,
            "2024-09-27",
            &[custom("2024-10-10", "2099-12-31", true)],
            "2024-11-08",
        );
        let bound = n.add_working_days(d("2024-09-27"), 60).unwrap().value;
        assert_eq!(far.due_on, Some(bound));
        assert!(far.flags.contains(&DeadlineFlag::CustomDueOverMax));
        let json = serde_json::from_str::<ClockEvent>(
            r#"{"type":"custom_due_date","date":"2024-10-10","due_on":"2024-12-20"}"#,
        )
        .unwrap();
        assert_eq!(json, custom("2024-10-10", "2024-12-20", false));
    }

    #[test]
    fn consultation_cap_counts_from_the_partys_receipt() {
        let n = national();
        let with = |received: Option<&str>| ClockEvent::ConsultationStarted {
            date: d("2025-06-10"),
            id: "c".to_owned(),
            party: ConsultedParty::ThirdParty,
            third_party_received_on: received.map(d),
        };
        let cap_dispatch = n.add_working_days(d("2025-06-10"), 15).unwrap().value;
        let cap_receipt = n.add_working_days(d("2025-06-13"), 15).unwrap().value;
        let late_end = consult_end("2025-08-20", "c");
        let unknown = run(
            &n,
            "2025-06-03",
            &[with(None), late_end.clone()],
            "2025-08-21",
        );
        assert!(unknown.steps[2].effect.contains("未登记"));
        assert!(unknown.steps[2].effect.contains(&cap_dispatch.to_string()));
        let known = run(
            &n,
            "2025-06-03",
            &[with(Some("2025-06-13")), late_end],
            "2025-08-21",
        );
        assert!(known.steps[2].effect.contains(&cap_receipt.to_string()));
        // Three more working days of pause: the due date moves by three.
        assert_eq!(known.paused_working_days, unknown.paused_working_days + 3);
    }

    #[test]
    fn fee_period_passed_is_flagged() {
        let n = national();
        let events = [ClockEvent::FeeNoticeIssued {
            date: d("2024-10-14"),
        }];
        let last = n.add_working_days(d("2024-10-14"), 20).unwrap().value;
        let running = run(&n, "2024-09-27", &events, &last.to_string());
        assert!(!running.flags.contains(&DeadlineFlag::FeePeriodPassed));
        let after = last.succ_opt().unwrap().to_string();
        let passed = run(&n, "2024-09-27", &events, &after);
        assert!(passed.flags.contains(&DeadlineFlag::FeePeriodPassed));
        assert!(passed.steps.iter().any(|s| s.effect.contains("缴费期限")));
    }

    #[test]
    fn custom_due_date_wins() {
        let events = [ClockEvent::CustomDueDate {
            date: d("2024-10-10"),
            due_on: d("2024-12-20"),
            approved: true,
        }];
        let dl = run(&national(), "2024-09-27", &events, "2024-10-15");
        assert_eq!(dl.custom_due_on, Some(d("2024-12-20")));
        assert_eq!(dl.base_due_on, Some(d("2024-10-30")));
        assert_eq!(dl.due_on, Some(d("2024-12-20")));
        assert_eq!(
            dl.steps.last().unwrap().article,
            "《政府信息公开条例》第三十五条"
        );
    }

    #[test]
    fn reply_and_withdrawal_stop_the_clock() {
        let dl = run(
            &national(),
            "2024-09-27",
            &[ClockEvent::Replied {
                date: d("2024-10-29"),
            }],
            "2024-11-15",
        );
        assert_eq!(dl.clock, ClockState::Stopped(StopReason::Replied));
        assert_eq!(dl.due_on, None);
        assert_eq!(dl.due_on_when_stopped, Some(d("2024-10-30")));
        assert_eq!(dl.working_days_used, Some(19));
        assert_eq!(dl.steps[2].effect, "答复已作出，在答复期限（2024-10-30）内");
        assert!(!dl.overdue);

        let late = run(
            &national(),
            "2024-09-27",
            &[ClockEvent::Replied {
                date: d("2024-10-31"),
            }],
            "2024-11-15",
        );
        assert_eq!(late.flags, [DeadlineFlag::RepliedLate]);

        let dl = run(
            &national(),
            "2024-09-27",
            &[
                ClockEvent::Withdrawn {
                    date: d("2024-10-09"),
                },
                ClockEvent::Replied {
                    date: d("2024-10-10"),
                },
            ],
            "2024-10-15",
        );
        assert_eq!(dl.clock, ClockState::Stopped(StopReason::Withdrawn));
        assert_eq!(dl.flags, [DeadlineFlag::EventAfterStop]);
    }

    #[test]
    fn bad_combinations_are_explained_not_rejected() {
        let events = [
            ClockEvent::FeePaid {
                date: d("2024-09-20"),
            },
            consult_end("2024-10-09", "nope"),
            ClockEvent::CorrectionReceived {
                date: d("2024-10-10"),
            },
            ClockEvent::ReceiptConfirmed {
                date: d("2024-09-26"),
            },
            consult("2024-10-11", "a"),
            consult("2024-10-11", "a"),
            ClockEvent::Replied {
                date: d("2024-12-01"),
            },
        ];
        let dl = run(&national(), "2024-09-27", &events, "2024-10-14");
        assert_eq!(
            dl.flags,
            [
                DeadlineFlag::EventBeforeReceipt,
                DeadlineFlag::ReceiptMismatch,
                DeadlineFlag::EndWithoutStart,
                DeadlineFlag::DuplicateConsultation,
                DeadlineFlag::EventAfterAsOf,
            ]
        );
        assert_eq!(dl.clock, ClockState::Paused);
        // Date order, receipt first on its day.
        let dates: Vec<_> = dl.steps.iter().map(|s| s.date).collect();
        let mut sorted = dates.clone();
        sorted.sort();
        assert_eq!(dates, sorted);
        // Events with no receipt at all.
        let dl = run(&national(), "", &[consult("2024-10-11", "a")], "2024-10-14");
        assert!(dl.flags.contains(&DeadlineFlag::EventWithoutClock));
    }

    #[test]
    fn provisional_years_are_said() {
        let dl = run(&national(), "2026-12-15", &[], "2026-12-16");
        assert!(dl.provisional);
        assert_eq!(
            dl.provisional_reasons,
            [
                "2027年全国节假日安排尚未载入，按《全国年节及纪念日放假办法》规定的节日和周一至周五推算（未计调休），载入后将重新计算"
            ]
        );
        let dl = run(&xinjiang(), "2024-03-01", &[], "2024-03-05");
        assert!(dl.provisional);
        assert!(dl.provisional_reasons[0].starts_with("2024年新疆维吾尔自治区"));
        let dl = run(&guangxi(), "2013-03-25", &[], "2013-03-26");
        assert!(!dl.provisional);
        let dl = run(&national(), "2026-11-02", &[], "2026-11-03");
        assert!(!dl.provisional);
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        let r = compute_deadline(
            Some(d("1999-12-01")),
            &[],
            &RuleSettings::default(),
            &national(),
            d("2000-01-05"),
        );
        assert!(matches!(r, Err(CalendarError::OutOfRange { .. })));
        let r = compute_deadline(
            Some(d("2099-12-20")),
            &[],
            &RuleSettings::default(),
            &national(),
            d("2099-12-21"),
        );
        assert_eq!(r.err(), Some(CalendarError::ResultOutOfRange));
    }

    #[test]
    fn json_shape() {
        let events: Vec<ClockEvent> = serde_json::from_str(
            r#"[{"type":"consultation_started","date":"2025-06-10","id":"c1","party":"third_party"},
                {"type":"consultation_ended","date":"2025-06-17","id":"c1"},
                {"type":"correction_requested","date":"2025-06-04"},
                {"type":"replied","date":"2025-06-20"}]"#,
        )
        .unwrap();
        assert_eq!(events[0], consult("2025-06-10", "c1"));
        assert_eq!(
            events[2],
            ClockEvent::CorrectionRequested {
                date: d("2025-06-04"),
                respond_by: None
            }
        );
        let dl = run(&guangxi(), "2025-06-03", &events[..2], "2025-06-18");
        let v = serde_json::to_value(&dl).unwrap();
        assert_eq!(v["due_on"], "2025-07-08");
        assert_eq!(v["clock"]["state"], "running");
        assert_eq!(v["rules"]["statutory_days"], 20);
        assert_eq!(v["steps"][0]["event"], "收到申请");
        let dl = run(&guangxi(), "2025-06-03", &events[3..], "2025-06-21");
        let v = serde_json::to_value(&dl).unwrap();
        assert_eq!(
            v["clock"],
            serde_json::json!({"state": "stopped", "reason": "replied"})
        );
        let flags = serde_json::to_value([DeadlineFlag::ExtensionOverMax]).unwrap();
        assert_eq!(flags, serde_json::json!(["extension_over_max"]));
        let s: RuleSettings = serde_json::from_str(r#"{"fee_pauses_clock":false}"#).unwrap();
        assert_eq!(s.statutory_days, 20);
    }

    // ---- properties ----

    fn any_calendar() -> impl Strategy<Value = Arc<WorkCalendar>> {
        prop_oneof![Just(national()), Just(guangxi()), Just(xinjiang())]
    }

    fn any_receipt() -> impl Strategy<Value = NaiveDate> {
        (0u64..(22 * 365)).prop_map(|o| d("2006-01-01") + chrono::Days::new(o))
    }

    /// An event `offset` days after the receipt.
    fn any_event() -> impl Strategy<Value = (u64, u8, u8, u32, bool)> {
        (0u64..90, 0u8..13, 0u8..3, 0u32..30, any::<bool>())
    }

    fn make_event(
        receipt: NaiveDate,
        (offset, kind, id, n, flag): (u64, u8, u8, u32, bool),
    ) -> ClockEvent {
        let date = receipt + chrono::Days::new(offset);
        let later = date + chrono::Days::new(u64::from(n));
        let id = format!("c{id}");
        let party = if flag {
            ConsultedParty::Agency
        } else {
            ConsultedParty::ThirdParty
        };
        match kind {
            0 => ClockEvent::CorrectionRequested {
                date,
                respond_by: flag.then_some(later),
            },
            1 => ClockEvent::CorrectionReceived { date },
            2 => ClockEvent::CorrectionLapsed { date },
            3 | 4 => ClockEvent::ConsultationStarted {
                date,
                id,
                party,
                third_party_received_on: flag.then_some(later),
            },
            5 | 6 => ClockEvent::ConsultationEnded { date, id },
            7 => ClockEvent::ExtensionGranted {
                date,
                notified_on: later,
                working_days: n,
                approved: flag,
            },
            8 => ClockEvent::FeeNoticeIssued { date },
            9 => ClockEvent::FeePaid { date },
            10 => ClockEvent::CustomDueDate {
                date,
                due_on: later,
                approved: flag,
            },
            11 => ClockEvent::ReceiptConfirmed { date },
            _ => ClockEvent::FeeLapsed { date },
        }
    }

    proptest! {
        #[test]
        fn never_fails_and_due_is_a_working_day(
            cal in any_calendar(),
            receipt in any_receipt(),
            raw in prop::collection::vec(any_event(), 0..8),
            as_of_offset in 0u64..150,
        ) {
            let events: Vec<_> = raw.into_iter().map(|e| make_event(receipt, e)).collect();
            let as_of = receipt + chrono::Days::new(as_of_offset);
            let dl = compute_deadline(Some(receipt), &events, &RuleSettings::default(), &cal, as_of).unwrap();
            let custom = events.iter().any(|e| matches!(e, ClockEvent::CustomDueDate { .. }));
            if let Some(due) = dl.due_on && !custom {
                prop_assert!(cal.is_working_day(due).unwrap(), "{due}");
                prop_assert!(due > dl.clock_start.unwrap());
            }
            if let (Some(used), Some(rem), Some(_)) = (dl.working_days_used, dl.working_days_remaining, dl.due_on) {
                prop_assert!(used >= 0);
                if dl.overdue { prop_assert!(rem <= 0); }
            }
            prop_assert_eq!(dl.provisional, !dl.provisional_reasons.is_empty());
        }

        #[test]
        fn pauses_never_make_the_due_date_earlier(
            cal in any_calendar(),
            receipt in any_receipt(),
            pauses in prop::collection::vec((0u64..60, 0u64..40, any::<bool>()), 0..4),
            as_of_offset in 0u64..150,
        ) {
            let as_of = receipt + chrono::Days::new(as_of_offset);
            let plain = compute_deadline(Some(receipt), &[], &RuleSettings::default(), &cal, as_of).unwrap();
            let mut events = Vec::new();
            for (i, (start, len, ended)) in pauses.into_iter().enumerate() {
                let s = receipt + chrono::Days::new(start);
                events.push(ClockEvent::ConsultationStarted { date: s, id: i.to_string(), party: ConsultedParty::ThirdParty, third_party_received_on: None });
                if ended {
                    events.push(ClockEvent::ConsultationEnded { date: s + chrono::Days::new(len), id: i.to_string() });
                }
            }
            events.sort_by_key(ClockEvent::date);
            let paused = compute_deadline(Some(receipt), &events, &RuleSettings::default(), &cal, as_of).unwrap();
            prop_assert!(paused.due_on >= plain.due_on);
            prop_assert_eq!(paused.base_due_on, paused.due_on);
            let shifted = cal.add_working_days(plain.due_on.unwrap(), paused.paused_working_days).unwrap().value;
            prop_assert!(paused.due_on.unwrap() >= shifted);
        }

        #[test]
        fn restart_is_never_earlier_than_the_base_rule_from_the_new_date(
            cal in any_calendar(),
            receipt in any_receipt(),
            ask in 0u64..15,
            wait in 0u64..40,
            pause in prop::option::of((0u64..30, 0u64..30)),
        ) {
            let asked = receipt + chrono::Days::new(ask);
            let got = asked + chrono::Days::new(wait);
            let mut events = vec![
                ClockEvent::CorrectionRequested { date: asked, respond_by: None },
                ClockEvent::CorrectionReceived { date: got },
            ];
            if let Some((s, l)) = pause {
                let s = receipt + chrono::Days::new(s);
                events.push(ClockEvent::ConsultationStarted { date: s, id: "p".into(), party: ConsultedParty::Agency, third_party_received_on: None });
                events.push(ClockEvent::ConsultationEnded { date: s + chrono::Days::new(l), id: "p".into() });
            }
            let as_of = got + chrono::Days::new(10);
            let dl = compute_deadline(Some(receipt), &events, &RuleSettings::default(), &cal, as_of).unwrap();
            let notice_due = cal.add_working_days(receipt, 7).unwrap().value;
            if asked <= notice_due {
                let base = cal.add_working_days(got, 20).unwrap().value;
                prop_assert_eq!(dl.clock_start, Some(got));
                prop_assert!(dl.due_on.unwrap() >= base);
            } else {
                // Art. 30: a late notice never restarts the period.
                prop_assert_eq!(dl.clock_start, Some(receipt));
                prop_assert!(dl.flags.contains(&DeadlineFlag::CorrectionNoRestart));
            }
        }
    }
}

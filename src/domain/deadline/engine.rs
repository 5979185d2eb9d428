//! The engine's state while it walks the events, the due-date arithmetic over working-day
//! ordinals and the final [`Deadline`]. The handler of each event is in `events.rs`.

use chrono::{Datelike, NaiveDate};

use super::*;
use crate::domain::calendar::{CalendarError, WorkCalendar};

/// The calendar, remembering the span of dates the computation touched (for `provisional`).
pub(super) struct Tracked<'a> {
    pub(super) cal: &'a WorkCalendar,
    pub(super) lo: Option<NaiveDate>,
    pub(super) hi: Option<NaiveDate>,
}

impl Tracked<'_> {
    pub(super) fn touch(&mut self, d: NaiveDate) {
        self.lo = Some(self.lo.map_or(d, |lo| lo.min(d)));
        self.hi = Some(self.hi.map_or(d, |hi| hi.max(d)));
    }

    pub(super) fn ord(&mut self, d: NaiveDate) -> Result<u32, CalendarError> {
        let k = self.cal.ordinal(d)?;
        self.touch(d);
        Ok(k)
    }

    pub(super) fn at(&mut self, k: u32) -> Result<NaiveDate, CalendarError> {
        let d = self.cal.nth_working_day(k)?;
        self.touch(d);
        Ok(d)
    }

    /// The `n`-th working day after `d` (`d` itself for 0).
    pub(super) fn add(&mut self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let k = self.ord(d)?;
        if n == 0 {
            Ok(d)
        } else {
            self.at(k.saturating_add(n))
        }
    }

    pub(super) fn reasons(&self) -> Vec<String> {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => self.cal.provisional_reasons(lo.year(), hi.year()),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum PauseKind {
    Consultation { id: String, party: ConsultedParty },
    Fee,
}

#[derive(Debug, Clone)]
pub(super) struct Pause {
    pub(super) kind: PauseKind,
    pub(super) start: NaiveDate,
    pub(super) end: Option<NaiveDate>,
    /// Consultations stop pausing after their 15th working day.
    pub(super) cap: Option<NaiveDate>,
}

impl Pause {
    /// The end used at `now`: the recorded end, or `now` while open; never past the cap.
    pub(super) fn end_at(&self, now: NaiveDate) -> NaiveDate {
        let end = self.end.unwrap_or(now);
        self.cap.map_or(end, |cap| end.min(cap))
    }

    pub(super) fn is_open_consultation(&self, wanted: &str) -> bool {
        self.end.is_none()
            && matches!(&self.kind, PauseKind::Consultation { id, .. } if id == wanted)
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Awaiting {
    pub(super) respond_by: Option<NaiveDate>,
    /// Art. 30 restarts the period only for the one 补正 notice given within 7 working days
    /// of receipt; any other notice leaves the clock running (as a late extension does).
    pub(super) restarts: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Extension {
    pub(super) days: u32,
    pub(super) effective: bool,
}

/// Due dates at one moment.
pub(super) struct Dues {
    pub(super) start_ord: u32,
    pub(super) base: NaiveDate,
    pub(super) extended: Option<NaiveDate>,
    /// Base or effective extension (what pauses act on).
    pub(super) statutory: NaiveDate,
    /// Custom if set, else `statutory`.
    pub(super) in_force: NaiveDate,
    pub(super) paused: u32,
    /// Pause intervals (working-day ordinals, inclusive) that moved `statutory`.
    pub(super) applied: Vec<(u32, u32)>,
}

pub(super) struct Engine<'a> {
    pub(super) cal: Tracked<'a>,
    pub(super) settings: &'a RuleSettings,
    pub(super) as_of: NaiveDate,
    pub(super) received_on: Option<NaiveDate>,
    pub(super) steps: Vec<Step>,
    /// Notes on events after `as_of`: listed after the as-of summary, to keep date order.
    pub(super) later: Vec<Step>,
    pub(super) flags: Vec<DeadlineFlag>,
    pub(super) clock_start: Option<NaiveDate>,
    pub(super) correction_notice_due: Option<NaiveDate>,
    pub(super) awaiting: Option<Awaiting>,
    pub(super) corrections: u32,
    pub(super) pauses: Vec<Pause>,
    /// Date of the outstanding fee notice (tracked whether or not it pauses the clock).
    pub(super) fee_notice: Option<NaiveDate>,
    /// The day the days to pay of that notice run from: its delivery, else its date.
    pub(super) fee_pay_from: Option<NaiveDate>,
    pub(super) extensions: Vec<Extension>,
    pub(super) custom_due: Option<NaiveDate>,
    pub(super) stopped: Option<(StopReason, NaiveDate)>,
}

impl<'a> Engine<'a> {
    pub(super) fn new(
        calendar: &'a WorkCalendar,
        settings: &'a RuleSettings,
        as_of: NaiveDate,
        received_on: Option<NaiveDate>,
    ) -> Self {
        Engine {
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
            fee_pay_from: None,
            extensions: Vec::new(),
            custom_due: None,
            stopped: None,
        }
    }

    pub(super) fn step(
        &mut self,
        date: Option<NaiveDate>,
        event: &str,
        effect: String,
        article: &str,
    ) {
        self.steps.push(Step {
            date,
            event: event.to_owned(),
            effect,
            article: article.to_owned(),
        });
    }

    pub(super) fn flag(&mut self, flag: DeadlineFlag) {
        if !self.flags.contains(&flag) {
            self.flags.push(flag);
        }
    }

    /// An event that changes nothing: say why.
    pub(super) fn note(&mut self, e: &ClockEvent, flag: DeadlineFlag, why: String) {
        self.flag(flag);
        self.step(Some(e.date()), e.label(), why, e.article());
    }

    /// Merged pause intervals in ordinal space, clipped to after the clock start.
    pub(super) fn intervals(
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

    pub(super) fn date_at(
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
    pub(super) fn dues(&mut self, now: NaiveDate) -> Result<Option<Dues>, CalendarError> {
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

    pub(super) fn due_text(&mut self, now: NaiveDate) -> Result<String, CalendarError> {
        Ok(match self.dues(now)? {
            Some(d) => d.in_force.to_string(),
            None => "（未起算）".to_owned(),
        })
    }

    pub(super) fn finish(mut self) -> Result<Deadline, CalendarError> {
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
            // abandoned. Counted from the notice's delivery, else from its date (the
            // earliest it can have arrived).
            if let Some(notice) = self.fee_notice {
                let n = self.settings.fee_payment_days;
                let from = self.fee_pay_from.unwrap_or(notice);
                let last = self.cal.add(from, n)?;
                if last < as_of {
                    self.flag(DeadlineFlag::FeePeriodPassed);
                    let counted = if from == notice {
                        "自收费通知发出次日起（送达日期未登记）"
                    } else {
                        "自申请人收到收费通知次日起"
                    };
                    let effect = format!(
                        "缴费期限（{counted}{n}个工作日，至{last}）已届满，尚未缴费；申请人逾期未缴纳的，视为放弃申请，请登记"
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

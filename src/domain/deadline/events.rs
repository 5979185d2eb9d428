//! One handler per clock event: what the event does to the period, and the step that says
//! so with its article.

use chrono::NaiveDate;

use super::engine::{Awaiting, Engine, Extension, Pause, PauseKind};
use super::*;
use crate::domain::calendar::CalendarError;

impl Engine<'_> {
    pub(super) fn on_receipt(&mut self, r: NaiveDate) -> Result<(), CalendarError> {
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

    pub(super) fn on_event(&mut self, e: &ClockEvent) -> Result<(), CalendarError> {
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
            ClockEvent::FeeNoticeIssued { date, delivered_on } => {
                self.on_fee_notice(e, *date, *delivered_on)?;
            }
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

    fn on_fee_notice(
        &mut self,
        e: &ClockEvent,
        date: NaiveDate,
        delivered_on: Option<NaiveDate>,
    ) -> Result<(), CalendarError> {
        if self.fee_notice.is_some() {
            let why = "已有未结的收费通知，重复登记不影响期限".to_owned();
            self.note(e, DeadlineFlag::DuplicateFeeNotice, why);
            return Ok(());
        }
        self.fee_notice = Some(date);
        self.fee_pay_from = Some(delivered_on.unwrap_or(date));
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
        self.fee_pay_from = None;
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
}

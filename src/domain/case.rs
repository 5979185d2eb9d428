//! A request case (件): intake values, the typed events of its life, the state derived from
//! them, and the rules that decide whether a new event may be recorded. The deadline comes
//! from `deadline::compute_deadline` over the events mapped here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::deadline::{ClockEvent, ConsultedParty, RuleSettings};
use super::fee::{FeeMethod, Reduction};
use super::org::text_enum;

text_enum!(
    /// The applicant columns of the annual report (table 三).
    ApplicantType {
        NaturalPerson => "natural_person",
        Commercial => "commercial",
        Research => "research",
        PublicInterest => "public_interest",
        LegalService => "legal_service",
        OtherOrg => "other_org",
    }
);

text_enum!(
    /// How the application arrived; decides what the receipt date is (Art. 31).
    Channel {
        InPerson => "in_person",
        RegisteredMail => "registered_mail",
        OrdinaryMail => "ordinary_mail",
        Online => "online",
        Fax => "fax",
        Email => "email",
    }
);

impl Channel {
    /// In person the receipt is the day of handing in; every other channel has a receipt
    /// date only once the agency signed for it or both sides confirmed it.
    pub fn receipt_is_submission(self) -> bool {
        matches!(self, Channel::InPerson)
    }

    /// What the receipt date means for this channel (Art. 31), for explanations.
    pub fn receipt_rule(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交的，以提交之日为收到申请之日",
            Channel::RegisteredMail => "以邮寄方式提交的，以行政机关签收之日为收到申请之日",
            Channel::OrdinaryMail => {
                "以平常信函等无需签收的邮寄方式提交的，以政府信息公开工作机构与申请人确认之日为收到申请之日"
            }
            Channel::Online | Channel::Fax | Channel::Email => {
                "通过互联网渠道或者政府信息公开工作机构的传真提交的，以双方确认之日为收到申请之日"
            }
        }
    }
}

text_enum!(
    /// How the applicant wants the information delivered.
    DeliveryPreference {
        Post => "post",
        Email => "email",
        InPerson => "in_person",
        Online => "online",
    }
);

/// An event as a client records it (`type` tag). Dates are the days things happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseEvent {
    ReceiptConfirmed {
        date: NaiveDate,
    },
    Assigned {
        date: NaiveDate,
        user_id: i64,
    },
    CorrectionRequested {
        date: NaiveDate,
        items: Vec<String>,
        respond_by: NaiveDate,
    },
    CorrectionReceived {
        date: NaiveDate,
    },
    CorrectionLapsed {
        date: NaiveDate,
    },
    ConsultationStarted {
        date: NaiveDate,
        party: ConsultedParty,
        consulted: String,
        /// The day the consulted party received the request: its 15 working days run from
        /// it (Arts 32, 34). Unknown: counted from dispatch (`date`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        third_party_received_on: Option<NaiveDate>,
    },
    ConsultationEnded {
        date: NaiveDate,
        /// The id of the `consultation_started` event.
        consultation: i64,
    },
    /// The consulted party's receipt of a request, learned after dispatch (postal tracking,
    /// a signed receipt): `date` is the day the agency records it, which keeps events in
    /// date order; `received_on` is the receipt, and counts as the consultation's
    /// `third_party_received_on` (Arts 32, 34).
    ConsultationReceived {
        date: NaiveDate,
        /// The id of the `consultation_started` event.
        consultation: i64,
        received_on: NaiveDate,
    },
    /// A clerk asks for an extension; a supervisor grants it.
    ExtensionRequested {
        date: NaiveDate,
        working_days: u32,
        reason: String,
    },
    ExtensionGranted {
        date: NaiveDate,
        approved_by: i64,
        notified_on: NaiveDate,
        working_days: u32,
        reason: String,
    },
    /// The office head refuses a pending request (Art. 33(2) leaves the decision to them):
    /// the period stays as it was and the clerk is told why. `refused_by` is set by the
    /// service to the supervisor recording it.
    ExtensionRefused {
        date: NaiveDate,
        reason: String,
        #[serde(default)]
        refused_by: i64,
    },
    /// 109号: the items (按件) or pages (按量) of this application as the clerk recorded them,
    /// with any reduction or waiver and its reason. Recorded through the fee endpoint, which
    /// takes the method from the department; the amount is computed, never stored here.
    FeeAssessed {
        date: NaiveDate,
        method: FeeMethod,
        quantity: u32,
        /// By volume: how non-paper media were converted to pages (the agency's own rule).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page_rule: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reduction: Option<Reduction>,
    },
    FeeNoticeIssued {
        date: NaiveDate,
        amount_fen: i64,
        /// The day the applicant received the notice, when known: the 20 working days to
        /// pay run from the day after it. Unknown: counted from `date`, the earliest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delivered_on: Option<NaiveDate>,
    },
    /// The applicant's receipt of the fee notice, learned after it went out (postal
    /// tracking, a signed receipt): `date` is the day the agency records it; the 20 working
    /// days to pay run from the day after `delivered_on` (109号), as if the notice had
    /// carried it.
    FeeNoticeDelivered {
        date: NaiveDate,
        delivered_on: NaiveDate,
    },
    FeePaid {
        date: NaiveDate,
    },
    FeeLapsed {
        date: NaiveDate,
    },
    /// Art. 35: a reasonable later date set and notified by the agency. Approved like an
    /// extension: the service sets `approved_by` to the supervisor recording it; without it
    /// the date has no effect (and is flagged).
    CustomDueDate {
        date: NaiveDate,
        due_on: NaiveDate,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<i64>,
    },
    Withdrawn {
        date: NaiveDate,
    },
    Reopened {
        date: NaiveDate,
        reason: String,
    },
    /// Recorded by the reply endpoint, never posted directly.
    Replied {
        date: NaiveDate,
    },
}

impl CaseEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            Self::ReceiptConfirmed { date }
            | Self::Assigned { date, .. }
            | Self::CorrectionRequested { date, .. }
            | Self::CorrectionReceived { date }
            | Self::CorrectionLapsed { date }
            | Self::ConsultationStarted { date, .. }
            | Self::ConsultationEnded { date, .. }
            | Self::ConsultationReceived { date, .. }
            | Self::ExtensionRequested { date, .. }
            | Self::ExtensionGranted { date, .. }
            | Self::ExtensionRefused { date, .. }
            | Self::FeeAssessed { date, .. }
            | Self::FeeNoticeIssued { date, .. }
            | Self::FeeNoticeDelivered { date, .. }
            | Self::FeePaid { date }
            | Self::FeeLapsed { date }
            | Self::CustomDueDate { date, .. }
            | Self::Withdrawn { date }
            | Self::Reopened { date, .. }
            | Self::Replied { date } => *date,
        }
    }

    /// The stable `type` code.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ReceiptConfirmed { .. } => "receipt_confirmed",
            Self::Assigned { .. } => "assigned",
            Self::CorrectionRequested { .. } => "correction_requested",
            Self::CorrectionReceived { .. } => "correction_received",
            Self::CorrectionLapsed { .. } => "correction_lapsed",
            Self::ConsultationStarted { .. } => "consultation_started",
            Self::ConsultationEnded { .. } => "consultation_ended",
            Self::ConsultationReceived { .. } => "consultation_received",
            Self::ExtensionRequested { .. } => "extension_requested",
            Self::ExtensionGranted { .. } => "extension_granted",
            Self::ExtensionRefused { .. } => "extension_refused",
            Self::FeeAssessed { .. } => "fee_assessed",
            Self::FeeNoticeIssued { .. } => "fee_notice_issued",
            Self::FeeNoticeDelivered { .. } => "fee_notice_delivered",
            Self::FeePaid { .. } => "fee_paid",
            Self::FeeLapsed { .. } => "fee_lapsed",
            Self::CustomDueDate { .. } => "custom_due_date",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Reopened { .. } => "reopened",
            Self::Replied { .. } => "replied",
        }
    }
}

/// A stored event with its id (consultations are referred to by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub id: i64,
    pub event: CaseEvent,
}

text_enum!(
    /// The case status, derived from its events.
    Status {
        Received => "received",
        AwaitingCorrection => "awaiting_correction",
        InProgress => "in_progress",
        Paused => "paused",
        Replied => "replied",
        Closed => "closed",
    }
);

impl Status {
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Replied | Status::Closed)
    }
}

text_enum!(
    /// Why a closed case is closed.
    ClosedReason {
        Withdrawn => "withdrawn",
        Abandoned => "abandoned",
    }
);

/// Everything the events say about a case, folded in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseState {
    pub receipt: Option<NaiveDate>,
    pub assignee: Option<i64>,
    /// The pending 补正 request: (date sent, respond by).
    pub awaiting_correction: Option<(NaiveDate, NaiveDate)>,
    pub corrections_requested: u32,
    /// Open consultations: event id → dispatch date.
    pub open_consultations: BTreeMap<i64, NaiveDate>,
    /// Every consultation of the current period: event id → (dispatch, party's receipt).
    pub consultations: BTreeMap<i64, (NaiveDate, Option<NaiveDate>)>,
    pub extension_requested: bool,
    pub extension_granted: bool,
    /// The date of an unpaid fee notice.
    pub fee_pending: Option<NaiveDate>,
    /// The day the 20 working days to pay of the unpaid notice run from (its delivery,
    /// else its date).
    pub fee_pay_from: Option<NaiveDate>,
    /// The unpaid notice's receipt by the applicant is recorded (on it or later).
    pub fee_delivery_known: bool,
    /// The method the application was assessed by: fixed once recorded (never both ways).
    pub fee_method: Option<FeeMethod>,
    /// The latest assessment: quantity and reduction.
    pub fee_assessed: Option<(u32, Option<Reduction>)>,
    pub closed: Option<(ClosedReason, NaiveDate)>,
    pub replied_on: Option<NaiveDate>,
    /// The latest reopening: the answer period starts again from it.
    pub reopened_on: Option<NaiveDate>,
    /// The latest 补正 received: the latest day the answer period can have restarted from.
    pub correction_received_on: Option<NaiveDate>,
    /// Any event that shows the case is being worked on.
    pub worked_on: bool,
    /// The date of the latest event: events are recorded in date order, so the state folded
    /// in recording order and the clock (which reads dates) always agree.
    pub last_event_on: Option<NaiveDate>,
}

/// Why an event cannot be recorded. `conflict` (409) when the case's state forbids it,
/// otherwise the input itself is wrong (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRejected {
    pub code: &'static str,
    pub message: String,
    pub conflict: bool,
}

fn conflict(code: &'static str, message: impl Into<String>) -> EventRejected {
    EventRejected {
        code,
        message: message.into(),
        conflict: true,
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> EventRejected {
    EventRejected {
        code,
        message: message.into(),
        conflict: false,
    }
}

/// 国办函〔2020〕109号: working days an applicant has to pay a fee.
pub const FEE_PAYMENT_DAYS: u32 = 20;

/// Art. 33(2): an extension adds at most 20 working days.
pub const MAX_EXTENSION_DAYS: u32 = 20;

impl CaseState {
    /// Folds the intake facts and the events (in recording order).
    pub fn fold(received_on: Option<NaiveDate>, events: &[Recorded]) -> CaseState {
        let mut s = CaseState {
            receipt: received_on,
            ..CaseState::default()
        };
        for r in events {
            s.apply(r);
        }
        s
    }

    fn apply(&mut self, r: &Recorded) {
        use CaseEvent as E;
        // Anything but confirming the receipt shows the case is being handled.
        if !matches!(r.event, E::ReceiptConfirmed { .. }) {
            self.worked_on = true;
        }
        self.last_event_on = self.last_event_on.max(Some(r.event.date()));
        match &r.event {
            E::ReceiptConfirmed { date } => self.receipt = Some(*date),
            E::Assigned { user_id, .. } => self.assignee = Some(*user_id),
            E::CorrectionRequested {
                date, respond_by, ..
            } => {
                self.awaiting_correction = Some((*date, *respond_by));
                self.corrections_requested += 1;
            }
            E::CorrectionReceived { date } => {
                // The period starts again (Art. 30): so may its extension.
                self.correction_received_on = Some(*date);
                self.awaiting_correction = None;
                self.extension_requested = false;
                self.extension_granted = false;
            }
            E::CorrectionLapsed { date } => {
                self.awaiting_correction = None;
                self.closed = Some((ClosedReason::Abandoned, *date));
            }
            E::ConsultationStarted {
                date,
                third_party_received_on,
                ..
            } => {
                self.open_consultations.insert(r.id, *date);
                self.consultations
                    .insert(r.id, (*date, *third_party_received_on));
            }
            E::ConsultationEnded { consultation, .. } => {
                self.open_consultations.remove(consultation);
            }
            E::ConsultationReceived {
                consultation,
                received_on,
                ..
            } => {
                if let Some(c) = self.consultations.get_mut(consultation) {
                    c.1 = Some(*received_on);
                }
            }
            E::ExtensionRequested { .. } => self.extension_requested = true,
            E::ExtensionRefused { .. } => self.extension_requested = false,
            E::ExtensionGranted { .. } => {
                self.extension_requested = false;
                self.extension_granted = true;
            }
            E::FeeAssessed {
                method,
                quantity,
                reduction,
                ..
            } => {
                self.fee_method = Some(*method);
                self.fee_assessed = Some((*quantity, reduction.clone()));
            }
            E::FeeNoticeIssued {
                date, delivered_on, ..
            } => {
                self.fee_pending = Some(*date);
                self.fee_pay_from = Some(delivered_on.unwrap_or(*date));
                self.fee_delivery_known = delivered_on.is_some();
            }
            E::FeeNoticeDelivered { delivered_on, .. } => {
                if self.fee_pending.is_some() {
                    self.fee_pay_from = Some(*delivered_on);
                    self.fee_delivery_known = true;
                }
            }
            E::FeePaid { .. } => {
                self.fee_pending = None;
                self.fee_pay_from = None;
            }
            E::FeeLapsed { date } => {
                self.fee_pending = None;
                self.fee_pay_from = None;
                self.closed = Some((ClosedReason::Abandoned, *date));
            }
            E::CustomDueDate { .. } => {}
            E::Withdrawn { date } => self.closed = Some((ClosedReason::Withdrawn, *date)),
            E::Replied { date } => self.replied_on = Some(*date),
            E::Reopened { date, .. } => {
                // A new answer period: what was pending before is settled.
                *self = CaseState {
                    receipt: self.receipt,
                    assignee: self.assignee,
                    reopened_on: Some(*date),
                    worked_on: true,
                    // One application is charged one way, whatever its periods.
                    fee_method: self.fee_method,
                    last_event_on: self.last_event_on,
                    ..CaseState::default()
                };
            }
        }
    }

    /// The status; `clock_paused` is the deadline engine's verdict as of the day asked, which
    /// knows when a consultation's 15 working days ran out and the clock runs again.
    pub fn status(&self, clock_paused: bool) -> Status {
        if self.closed.is_some() {
            Status::Closed
        } else if self.replied_on.is_some() {
            Status::Replied
        } else if self.awaiting_correction.is_some() {
            Status::AwaitingCorrection
        } else if clock_paused {
            Status::Paused
        } else if self.worked_on {
            Status::InProgress
        } else {
            Status::Received
        }
    }

    /// Whether `event` may be recorded now. `today` is the agency's current date; `recorder`
    /// facts (is the caller a supervisor, does the assignee belong to the department) are
    /// checked by the caller.
    pub fn check(
        &self,
        event: &CaseEvent,
        submitted_on: NaiveDate,
        today: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<(), EventRejected> {
        use CaseEvent as E;
        let date = event.date();
        if date > today {
            return Err(invalid(
                "event_in_future",
                format!("事件日期{date}晚于今天（{today}）"),
            ));
        }
        if let E::ExtensionGranted { notified_on, .. } = event
            && *notified_on > today
        {
            return Err(invalid(
                "event_in_future",
                format!("告知日期{notified_on}晚于今天（{today}）"),
            ));
        }
        if let Some(last) = self.last_event_on.filter(|last| date < *last) {
            return Err(invalid(
                "event_out_of_order",
                format!("事件日期{date}早于已登记的最近一个事件（{last}）；事件应按发生顺序登记"),
            ));
        }
        if matches!(event, E::Replied { .. }) {
            return Err(invalid(
                "use_reply_endpoint",
                "答复请通过 POST /api/v1/cases/{id}/reply 登记",
            ));
        }
        if let E::ReceiptConfirmed { .. } = event {
            if let Some(r) = self.receipt {
                return Err(conflict(
                    "receipt_already_confirmed",
                    format!("收到申请之日已确定为{r}"),
                ));
            }
            if date < submitted_on {
                return Err(invalid(
                    "event_before_submission",
                    format!("确认日期{date}早于提交日期{submitted_on}"),
                ));
            }
            return Ok(());
        }
        let Some(receipt) = self.receipt else {
            return Err(conflict(
                "receipt_unconfirmed",
                "尚未确认收到申请之日（第三十一条），请先登记 receipt_confirmed",
            ));
        };
        if date < receipt {
            return Err(invalid(
                "event_before_receipt",
                format!("事件日期{date}早于收到申请之日{receipt}"),
            ));
        }
        if let Some(on) = self.reopened_on.filter(|on| date < *on) {
            return Err(invalid(
                "event_before_reopening",
                format!("事件日期{date}早于重新办理之日{on}"),
            ));
        }
        let ended = self.closed.is_some() || self.replied_on.is_some();
        if let E::Reopened { reason, .. } = event {
            if !ended {
                return Err(conflict("case_not_closed", "案件仍在办理中，无需重新办理"));
            }
            return require_text("reason", reason);
        }
        if ended {
            return Err(conflict(
                "case_closed",
                "案件已答复或已终结；如需继续办理，请先登记 reopened",
            ));
        }
        match event {
            E::CorrectionRequested {
                date,
                items,
                respond_by,
            } => {
                if self.awaiting_correction.is_some() {
                    return Err(conflict(
                        "correction_pending",
                        "已发出补正通知，尚未收到补正",
                    ));
                }
                if items.iter().all(|i| i.trim().is_empty()) {
                    return Err(invalid(
                        "correction_items_missing",
                        "补正通知应一次性列明需要补正的事项（第三十条）",
                    ));
                }
                if respond_by <= date {
                    return Err(invalid(
                        "respond_by_not_after_notice",
                        "补正期限应晚于通知日期",
                    ));
                }
                Ok(())
            }
            E::CorrectionReceived { date } | E::CorrectionLapsed { date } => {
                let Some((sent, respond_by)) = self.awaiting_correction else {
                    return Err(conflict("no_correction_requested", "没有待补正的通知"));
                };
                if *date < sent {
                    return Err(invalid(
                        "event_before_correction_request",
                        format!("日期早于补正通知日期{sent}"),
                    ));
                }
                if matches!(event, E::CorrectionLapsed { .. }) && *date <= respond_by {
                    return Err(invalid(
                        "correction_period_running",
                        format!("补正期限至{respond_by}，届满后方可视为放弃"),
                    ));
                }
                Ok(())
            }
            // The applicant may withdraw, and work may be assigned, at any time.
            E::Assigned { .. } | E::Withdrawn { .. } => Ok(()),
            _ if self.awaiting_correction.is_some() => Err(conflict(
                "awaiting_correction",
                "正在等待申请人补正，补正前答复期限不计算；请先登记收到补正或补正期限届满",
            )),
            E::ConsultationStarted {
                consulted,
                date,
                third_party_received_on,
                ..
            } => {
                if let Some(r) = third_party_received_on {
                    if r < date {
                        return Err(invalid(
                            "received_before_dispatch",
                            "被征求意见方收到日期不能早于发出日期",
                        ));
                    }
                    if *r > today {
                        return Err(invalid(
                            "event_in_future",
                            format!("收到日期{r}晚于今天（{today}）"),
                        ));
                    }
                }
                require_text("consulted", consulted)
            }
            E::ConsultationEnded { consultation, date } => {
                match self.open_consultations.get(consultation) {
                    None => Err(conflict(
                        "consultation_not_open",
                        format!("没有编号为{consultation}的未结束征求意见"),
                    )),
                    Some(start) if date < start => Err(invalid(
                        "event_before_consultation",
                        format!("日期早于征求意见日期{start}"),
                    )),
                    Some(_) => Ok(()),
                }
            }
            E::ConsultationReceived {
                consultation,
                date,
                received_on,
            } => match self.consultations.get(consultation) {
                None => Err(conflict(
                    "consultation_not_found",
                    format!("本答复期限内没有编号为{consultation}的征求意见"),
                )),
                Some((_, Some(known))) => Err(conflict(
                    "consultation_receipt_known",
                    format!("该征求意见已登记被征求意见方收到日期（{known}）"),
                )),
                Some((sent, None)) if received_on < sent => Err(invalid(
                    "received_before_dispatch",
                    "被征求意见方收到日期不能早于发出日期",
                )),
                Some(_) if received_on > date => Err(invalid(
                    "received_after_recording",
                    format!("被征求意见方收到日期{received_on}晚于登记日期{date}"),
                )),
                Some(_) => Ok(()),
            },
            E::ExtensionRequested {
                working_days,
                reason,
                ..
            }
            | E::ExtensionGranted {
                working_days,
                reason,
                ..
            } => {
                if self.extension_granted {
                    return Err(conflict(
                        "extension_already_granted",
                        "答复期限已延长过一次，不得再次延长（第三十三条第二款）",
                    ));
                }
                if matches!(event, E::ExtensionRequested { .. }) && self.extension_requested {
                    return Err(conflict(
                        "extension_already_requested",
                        "已有待批准的延期申请",
                    ));
                }
                if *working_days == 0 || *working_days > MAX_EXTENSION_DAYS {
                    return Err(invalid(
                        "extension_too_long",
                        format!("延长的期限为1至{MAX_EXTENSION_DAYS}个工作日（第三十三条第二款）"),
                    ));
                }
                if let E::ExtensionGranted {
                    notified_on, date, ..
                } = event
                    && notified_on < date
                {
                    return Err(invalid(
                        "notice_before_decision",
                        "告知日期不能早于批准日期",
                    ));
                }
                require_text("reason", reason)
            }
            E::ExtensionRefused { reason, .. } => {
                if !self.extension_requested {
                    return Err(conflict("no_extension_requested", "没有待批准的延期申请"));
                }
                require_text("reason", reason)
            }
            E::FeeAssessed {
                method, quantity, ..
            } => {
                if self.fee_pending.is_some() {
                    return Err(conflict(
                        "fee_notice_pending",
                        "已发出收费通知，缴费或逾期前不能重新核定",
                    ));
                }
                if let Some(fixed) = self.fee_method.filter(|m| m != method) {
                    return Err(conflict(
                        "fee_method_fixed",
                        format!(
                            "本申请已按{}核定，同一申请不得按件和按量两种方式收费（国办函〔2020〕109号）",
                            fixed.label()
                        ),
                    ));
                }
                if *method == FeeMethod::None {
                    return Err(invalid("fee_method_none", "本机关未设定收费方式"));
                }
                if *quantity == 0 {
                    return Err(invalid("quantity_not_positive", "件数或页数应大于零"));
                }
                Ok(())
            }
            E::FeeNoticeIssued {
                amount_fen,
                date,
                delivered_on,
            } => {
                if self.fee_pending.is_some() {
                    return Err(conflict("fee_notice_pending", "已有未缴的收费通知"));
                }
                if let Some(on) = delivered_on {
                    if on < date {
                        return Err(invalid(
                            "delivered_before_notice",
                            "申请人收到通知的日期不能早于通知发出日期",
                        ));
                    }
                    if *on > today {
                        return Err(invalid(
                            "event_in_future",
                            format!("收到日期{on}晚于今天（{today}）"),
                        ));
                    }
                }
                if *amount_fen <= 0 {
                    return Err(invalid(
                        "amount_not_positive",
                        "收费金额应大于零（单位：分）",
                    ));
                }
                Ok(())
            }
            E::FeeNoticeDelivered { date, delivered_on } => match self.fee_pending {
                None => Err(conflict("no_fee_pending", "没有待缴费的收费通知")),
                Some(_) if self.fee_delivery_known => Err(conflict(
                    "fee_delivery_known",
                    "该收费通知已登记申请人收到日期",
                )),
                Some(sent) if delivered_on < &sent => Err(invalid(
                    "delivered_before_notice",
                    "申请人收到通知的日期不能早于通知发出日期",
                )),
                Some(_) if delivered_on > date => Err(invalid(
                    "received_after_recording",
                    format!("申请人收到日期{delivered_on}晚于登记日期{date}"),
                )),
                Some(_) => Ok(()),
            },
            E::FeePaid { date } | E::FeeLapsed { date } => match self.fee_pending {
                None => Err(conflict("no_fee_pending", "没有待缴费的收费通知")),
                Some(sent) if *date < sent => Err(invalid(
                    "event_before_fee_notice",
                    format!("日期早于收费通知日期{sent}"),
                )),
                Some(sent) if matches!(event, E::FeeLapsed { .. }) => {
                    // 国办函〔2020〕109号: 20 working days to pay, counted from the day after the
                    // notice arrives; unknown, the notice date is the earliest it can have.
                    let from = self.fee_pay_from.unwrap_or(sent);
                    let last = calendar
                        .add_working_days(from, FEE_PAYMENT_DAYS)
                        .map_err(|e| invalid("date_out_of_range", e.to_string()))?
                        .value;
                    if *date <= last {
                        Err(invalid(
                            "fee_period_running",
                            format!("缴费期限至少至{last}，届满后方可视为放弃"),
                        ))
                    } else {
                        Ok(())
                    }
                }
                Some(_) => Ok(()),
            },
            E::CustomDueDate {
                due_on,
                date,
                reason,
                ..
            } => {
                if due_on <= date {
                    return Err(invalid(
                        "due_on_not_after_notice",
                        "确定的答复期限应晚于告知日期",
                    ));
                }
                // The product's bound on Art. 35 (RuleSettings::custom_due_max_days), from
                // the latest day the period can have started.
                let start = [Some(receipt), self.reopened_on, self.correction_received_on]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(receipt);
                let max = RuleSettings::default().custom_due_max_days;
                let bound = calendar
                    .add_working_days(start, max)
                    .map_err(|e| invalid("date_out_of_range", e.to_string()))?
                    .value;
                if *due_on > bound {
                    return Err(invalid(
                        "custom_due_too_far",
                        format!(
                            "依第三十五条确定的答复期限最迟为答复期限起算之日起{max}个工作日（{bound}）"
                        ),
                    ));
                }
                require_text("reason", reason)
            }
            E::ReceiptConfirmed { .. } | E::Reopened { .. } | E::Replied { .. } => Ok(()),
        }
    }
}

fn require_text(field: &str, value: &str) -> Result<(), EventRejected> {
    if value.trim().is_empty() {
        Err(invalid("field_missing", format!("{field} 不能为空")))
    } else {
        Ok(())
    }
}

/// What the deadline engine needs: the start of the current answer period and the clock
/// events after it. A reopening starts a new period from its date.
pub fn clock_inputs(
    received_on: Option<NaiveDate>,
    events: &[Recorded],
) -> (Option<NaiveDate>, Vec<ClockEvent>) {
    let start = events
        .iter()
        .rposition(|r| matches!(r.event, CaseEvent::Reopened { .. }))
        .map_or(0, |i| i + 1);
    let receipt = match start {
        0 => received_on,
        i => events.get(i - 1).map(|r| r.event.date()),
    };
    let period = events.get(start..).unwrap_or_default();
    // A receipt recorded later is a fact about the dispatch: the engine reads it there.
    let receipts: BTreeMap<i64, NaiveDate> = period
        .iter()
        .filter_map(|r| match r.event {
            CaseEvent::ConsultationReceived {
                consultation,
                received_on,
                ..
            } => Some((consultation, received_on)),
            _ => None,
        })
        .collect();
    // Likewise a fee notice's delivery learned later belongs to the notice before it.
    let mut deliveries: BTreeMap<i64, NaiveDate> = BTreeMap::new();
    let mut notice = None;
    for r in period {
        match r.event {
            CaseEvent::FeeNoticeIssued { .. } => notice = Some(r.id),
            CaseEvent::FeeNoticeDelivered { delivered_on, .. } => {
                if let Some(id) = notice {
                    deliveries.insert(id, delivered_on);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for r in period {
        use CaseEvent as E;
        let clock = match &r.event {
            E::ReceiptConfirmed { date } => Some(ClockEvent::ReceiptConfirmed { date: *date }),
            E::CorrectionRequested {
                date, respond_by, ..
            } => Some(ClockEvent::CorrectionRequested {
                date: *date,
                respond_by: Some(*respond_by),
            }),
            E::CorrectionReceived { date } => Some(ClockEvent::CorrectionReceived { date: *date }),
            E::CorrectionLapsed { date } => Some(ClockEvent::CorrectionLapsed { date: *date }),
            E::ConsultationStarted {
                date,
                party,
                third_party_received_on,
                ..
            } => Some(ClockEvent::ConsultationStarted {
                date: *date,
                id: r.id.to_string(),
                party: *party,
                third_party_received_on: third_party_received_on
                    .or_else(|| receipts.get(&r.id).copied()),
            }),
            E::ConsultationEnded { date, consultation } => Some(ClockEvent::ConsultationEnded {
                date: *date,
                id: consultation.to_string(),
            }),
            E::ExtensionGranted {
                date,
                notified_on,
                working_days,
                ..
            } => Some(ClockEvent::ExtensionGranted {
                date: *date,
                notified_on: *notified_on,
                working_days: *working_days,
                approved: true,
            }),
            E::FeeNoticeIssued {
                date, delivered_on, ..
            } => Some(ClockEvent::FeeNoticeIssued {
                date: *date,
                delivered_on: delivered_on.or_else(|| deliveries.get(&r.id).copied()),
            }),
            E::FeePaid { date } => Some(ClockEvent::FeePaid { date: *date }),
            E::FeeLapsed { date } => Some(ClockEvent::FeeLapsed { date: *date }),
            E::CustomDueDate {
                date,
                due_on,
                approved_by,
                ..
            } => Some(ClockEvent::CustomDueDate {
                date: *date,
                due_on: *due_on,
                approved: approved_by.is_some(),
            }),
            E::Withdrawn { date } => Some(ClockEvent::Withdrawn { date: *date }),
            E::Replied { date } => Some(ClockEvent::Replied { date: *date }),
            E::Assigned { .. }
            | E::FeeAssessed { .. }
            | E::FeeNoticeDelivered { .. }
            | E::ExtensionRequested { .. }
            | E::ExtensionRefused { .. }
            | E::ConsultationReceived { .. }
            | E::Reopened { .. } => None,
        };
        out.extend(clock);
    }
    (receipt, out)
}

/// Similarity of two requests' item texts, 0–1: the Jaccard index of their character
/// bigrams (punctuation and spaces removed), which survives reordering and small edits.
pub fn item_similarity(a: &[String], b: &[String]) -> f64 {
    fn bigrams(items: &[String]) -> std::collections::BTreeSet<(char, char)> {
        // '|' separates items so no bigram spans two of them.
        let noise = |c: char| {
            c.is_whitespace()
                || c.is_ascii_punctuation()
                || "，。、；：“”‘’（）《》？！".contains(c)
        };
        let chars: Vec<char> = items
            .iter()
            .flat_map(|s| s.chars().filter(|c| !noise(*c)).chain(std::iter::once('|')))
            .collect();
        chars
            .windows(2)
            .filter_map(|w| match w {
                [x, y] if *x != '|' && *y != '|' => Some((*x, *y)),
                _ => None,
            })
            .collect()
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    #[expect(clippy::cast_precision_loss, reason = "bigram counts are small")]
    let ratio = x.intersection(&y).count() as f64 / union as f64;
    ratio
}

/// Items at least this similar from the same applicant within 12 months are pointed out as a
/// possible repeat (Art. 36(6)); the clerk decides.
pub const REPEAT_SIMILARITY: f64 = 0.6;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rec(id: i64, event: CaseEvent) -> Recorded {
        Recorded { id, event }
    }

    #[test]
    fn custom_due_date_is_bounded_and_consultation_receipt_checked() {
        let cal = crate::domain::calendar::CalendarSet::bundled().calendar(None);
        let s = CaseState::fold(Some(d("2024-09-27")), &[]);
        let today = d("2024-10-20");
        let check = |e: CaseEvent| {
            s.check(&e, d("2024-09-27"), today, &cal)
                .map_err(|r| r.code)
        };
        let custom = |due: &str| CaseEvent::CustomDueDate {
            date: d("2024-10-10"),
            due_on: d(due),
            reason: "申请数量明显超过合理范围".into(),
            approved_by: Some(7),
        };
        assert_eq!(check(custom("2099-12-31")), Err("custom_due_too_far"));
        let bound = cal.add_working_days(d("2024-09-27"), 60).unwrap().value;
        assert_eq!(check(custom(&bound.to_string())), Ok(()));
        let after = bound.succ_opt().unwrap().to_string();
        assert_eq!(check(custom(&after)), Err("custom_due_too_far"));
        let consult = |received: &str| CaseEvent::ConsultationStarted {
            date: d("2024-10-10"),
            party: ConsultedParty::ThirdParty,
            consulted: "某公司".into(),
            third_party_received_on: Some(d(received)),
        };
        assert_eq!(
            check(consult("2024-10-09")),
            Err("received_before_dispatch")
        );
        assert_eq!(check(consult("2024-10-21")), Err("event_in_future"));
        assert_eq!(check(consult("2024-10-12")), Ok(()));
        // Stored events without the new fields still parse.
        let old: CaseEvent = serde_json::from_str(
            r#"{"type":"custom_due_date","date":"2024-10-10","due_on":"2024-11-20","reason":"x"}"#,
        )
        .unwrap();
        let (_, clock) = clock_inputs(Some(d("2024-09-27")), &[rec(1, old)]);
        assert!(matches!(
            clock[0],
            ClockEvent::CustomDueDate {
                approved: false,
                ..
            }
        ));
    }

    #[test]
    fn status_follows_the_events() {
        let mut events = vec![];
        let s = CaseState::fold(Some(d("2025-06-03")), &events);
        assert_eq!(s.status(false), Status::Received);
        events.push(rec(
            1,
            CaseEvent::ConsultationStarted {
                date: d("2025-06-10"),
                party: ConsultedParty::ThirdParty,
                consulted: "某公司".into(),
                third_party_received_on: None,
            },
        ));
        assert_eq!(
            CaseState::fold(Some(d("2025-06-03")), &events).status(true),
            Status::Paused
        );
        events.push(rec(
            2,
            CaseEvent::ConsultationEnded {
                date: d("2025-06-17"),
                consultation: 1,
            },
        ));
        assert_eq!(
            CaseState::fold(Some(d("2025-06-03")), &events).status(false),
            Status::InProgress
        );
        events.push(rec(
            3,
            CaseEvent::Withdrawn {
                date: d("2025-06-18"),
            },
        ));
        let s = CaseState::fold(Some(d("2025-06-03")), &events);
        assert_eq!(
            (s.status(true), s.closed.map(|c| c.0)),
            (Status::Closed, Some(ClosedReason::Withdrawn))
        );
    }

    #[test]
    fn events_are_checked_against_the_state() {
        let cal = crate::domain::calendar::CalendarSet::bundled().calendar(None);
        let today = d("2025-12-31");
        let sub = d("2025-03-01");
        let unconfirmed = CaseState::fold(None, &[]);
        let e = unconfirmed
            .check(
                &CaseEvent::Withdrawn {
                    date: d("2025-03-05"),
                },
                sub,
                today,
                &cal,
            )
            .unwrap_err();
        assert_eq!((e.code, e.conflict), ("receipt_unconfirmed", true));
        assert!(
            unconfirmed
                .check(
                    &CaseEvent::ReceiptConfirmed {
                        date: d("2025-03-03")
                    },
                    sub,
                    today,
                    &cal
                )
                .is_ok()
        );

        let s = CaseState::fold(Some(d("2025-03-03")), &[]);
        let check = |e: CaseEvent| s.check(&e, sub, today, &cal).map_err(|r| r.code);
        assert_eq!(
            check(CaseEvent::CorrectionReceived {
                date: d("2025-03-10")
            }),
            Err("no_correction_requested")
        );
        assert_eq!(
            check(CaseEvent::Withdrawn {
                date: d("2025-03-01")
            }),
            Err("event_before_receipt")
        );
        assert_eq!(
            check(CaseEvent::Withdrawn {
                date: d("2026-01-01")
            }),
            Err("event_in_future")
        );
        let ext = |days| CaseEvent::ExtensionGranted {
            date: d("2025-03-20"),
            approved_by: 1,
            notified_on: d("2025-03-20"),
            working_days: days,
            reason: "量大".into(),
        };
        assert_eq!(check(ext(21)), Err("extension_too_long"));
        assert_eq!(check(ext(20)), Ok(()));
        let granted = CaseState::fold(Some(d("2025-03-03")), &[rec(1, ext(10))]);
        assert_eq!(
            granted.check(&ext(5), sub, today, &cal).map_err(|r| r.code),
            Err("extension_already_granted")
        );
        assert_eq!(
            check(CaseEvent::ConsultationEnded {
                date: d("2025-03-20"),
                consultation: 9
            }),
            Err("consultation_not_open")
        );
        assert_eq!(
            check(CaseEvent::FeePaid {
                date: d("2025-03-20")
            }),
            Err("no_fee_pending")
        );
        assert_eq!(
            check(CaseEvent::Reopened {
                date: d("2025-03-20"),
                reason: "x".into()
            }),
            Err("case_not_closed")
        );

        let awaiting = CaseState::fold(
            Some(d("2025-03-03")),
            &[rec(
                1,
                CaseEvent::CorrectionRequested {
                    date: d("2025-03-05"),
                    items: vec!["身份证明".into()],
                    respond_by: d("2025-03-20"),
                },
            )],
        );
        let lapsed = CaseEvent::CorrectionLapsed {
            date: d("2025-03-15"),
        };
        assert_eq!(
            awaiting
                .check(&lapsed, sub, today, &cal)
                .map_err(|r| r.code),
            Err("correction_period_running")
        );
        let consult = CaseEvent::ConsultationStarted {
            date: d("2025-03-10"),
            party: ConsultedParty::Agency,
            consulted: "某局".into(),
            third_party_received_on: None,
        };
        assert_eq!(
            awaiting
                .check(&consult, sub, today, &cal)
                .map_err(|r| r.code),
            Err("awaiting_correction")
        );

        let closed = CaseState::fold(
            Some(d("2025-03-03")),
            &[rec(
                1,
                CaseEvent::Withdrawn {
                    date: d("2025-03-05"),
                },
            )],
        );
        assert_eq!(
            closed
                .check(
                    &CaseEvent::FeePaid {
                        date: d("2025-03-06")
                    },
                    sub,
                    today,
                    &cal
                )
                .map_err(|r| r.code),
            Err("case_closed")
        );
        assert!(
            closed
                .check(
                    &CaseEvent::Reopened {
                        date: d("2025-03-06"),
                        reason: "复议纠正".into()
                    },
                    sub,
                    today,
                    &cal
                )
                .is_ok()
        );
    }

    #[test]
    fn a_reopening_starts_a_new_period() {
        let events = vec![
            rec(
                1,
                CaseEvent::Replied {
                    date: d("2025-03-20"),
                },
            ),
            rec(
                2,
                CaseEvent::Reopened {
                    date: d("2025-05-06"),
                    reason: "复议决定责令重新答复".into(),
                },
            ),
        ];
        let (receipt, clock) = clock_inputs(Some(d("2025-03-03")), &events);
        assert_eq!(receipt, Some(d("2025-05-06")));
        assert!(clock.is_empty());
        let s = CaseState::fold(Some(d("2025-03-03")), &events);
        assert_eq!(s.status(false), Status::InProgress);
    }

    #[test]
    fn dates_run_forward_fees_get_their_period_and_a_restart_may_be_extended() {
        let cal = crate::domain::calendar::CalendarSet::bundled().calendar(None);
        let (sub, today) = (d("2024-09-27"), d("2025-12-31"));
        let consulting = CaseState::fold(
            Some(sub),
            &[rec(
                1,
                CaseEvent::ConsultationStarted {
                    date: d("2024-10-10"),
                    party: ConsultedParty::ThirdParty,
                    consulted: "某公司".into(),
                    third_party_received_on: None,
                },
            )],
        );
        let backdated = CaseEvent::CorrectionRequested {
            date: d("2024-10-08"),
            items: vec!["x".into()],
            respond_by: d("2024-10-20"),
        };
        assert_eq!(
            consulting
                .check(&backdated, sub, today, &cal)
                .map_err(|r| r.code),
            Err("event_out_of_order")
        );

        let fee = CaseState::fold(
            Some(sub),
            &[rec(
                1,
                CaseEvent::FeeNoticeIssued {
                    date: d("2024-10-09"),
                    amount_fen: 100,
                    delivered_on: None,
                },
            )],
        );
        // 20 working days after 2024-10-09 (10-12 is a 调休 Saturday) end on 2024-11-05.
        let early = CaseEvent::FeeLapsed {
            date: d("2024-11-05"),
        };
        assert_eq!(
            fee.check(&early, sub, today, &cal).map_err(|r| r.code),
            Err("fee_period_running")
        );
        assert!(
            fee.check(
                &CaseEvent::FeeLapsed {
                    date: d("2024-11-06")
                },
                sub,
                today,
                &cal
            )
            .is_ok()
        );

        let ext = |date: &str| CaseEvent::ExtensionGranted {
            date: d(date),
            approved_by: 1,
            notified_on: d(date),
            working_days: 10,
            reason: "r".into(),
        };
        let restarted = CaseState::fold(
            Some(sub),
            &[
                rec(1, ext("2024-10-08")),
                rec(
                    2,
                    CaseEvent::CorrectionRequested {
                        date: d("2024-10-09"),
                        items: vec!["x".into()],
                        respond_by: d("2024-10-20"),
                    },
                ),
                rec(
                    3,
                    CaseEvent::CorrectionReceived {
                        date: d("2024-10-15"),
                    },
                ),
            ],
        );
        assert!(
            restarted
                .check(&ext("2024-10-16"), sub, today, &cal)
                .is_ok()
        );
        let future_notice = CaseEvent::ExtensionGranted {
            date: d("2025-12-30"),
            approved_by: 1,
            notified_on: d("2026-01-05"),
            working_days: 5,
            reason: "r".into(),
        };
        assert_eq!(
            restarted
                .check(&future_notice, sub, today, &cal)
                .map_err(|r| r.code),
            Err("event_in_future")
        );
    }

    #[test]
    fn similar_items_are_recognised() {
        let a = vec!["2024年南宁市道路建设项目的招标文件".to_owned()];
        let b = vec!["南宁市2024年道路建设项目招标文件".to_owned()];
        let c = vec!["市教育局2023年部门预算".to_owned()];
        assert!(item_similarity(&a, &b) >= REPEAT_SIMILARITY);
        assert!(item_similarity(&a, &c) < 0.2);
        assert!((item_similarity(&a, &a) - 1.0).abs() < 1e-9);
    }
}

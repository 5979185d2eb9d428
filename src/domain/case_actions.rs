//! What can be done with a case now: the actions a case page offers, decided from the
//! folded state alone (dates are still checked when the action is recorded). Mirrors the
//! order of `CaseState::check`, so no button leads to a certain refusal. Also what an open
//! case waits on, for the lists that ask why it is not answered yet.

use serde::Serialize;

use super::case::{CaseEvent, CaseState, Recorded};
use super::deadline::ConsultedParty;

/// A user action on a case, with the event it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ConfirmReceipt,
    Assign,
    RequestCorrection,
    CorrectionReceived,
    CorrectionLapsed,
    StartConsultation,
    EndConsultation,
    RequestExtension,
    GrantExtension,
    RefuseExtension,
    CustomDueDate,
    FeeNotice,
    FeeDelivered,
    FeePaid,
    FeeLapsed,
    Withdraw,
    Reply,
    Reopen,
}

/// What someone who oversees a case without handling it (a supervisor above the case's
/// department) may do on it: decide an extension request (Art. 33(2)), set an Art. 35 date,
/// and say who handles the case — the office head's part. The rest is the handler's.
pub const OVERSIGHT: [Action; 4] = [
    Action::Assign,
    Action::GrantExtension,
    Action::RefuseExtension,
    Action::CustomDueDate,
];

impl Action {
    /// Whether an event of this kind (`CaseEvent::kind`) is one of the oversight actions.
    pub fn is_oversight_event(kind: &str) -> bool {
        OVERSIGHT.iter().any(|a| a.event_type() == kind)
    }

    /// The words on the button.
    pub fn label(self) -> &'static str {
        match self {
            Action::ConfirmReceipt => "确认收到申请",
            Action::Assign => "指定承办人",
            Action::RequestCorrection => "补正告知",
            Action::CorrectionReceived => "收到补正",
            Action::CorrectionLapsed => "补正期满未补正",
            Action::StartConsultation => "征求意见",
            Action::EndConsultation => "征求意见结束",
            Action::RequestExtension => "申请延期",
            Action::GrantExtension => "批准延期",
            Action::RefuseExtension => "不批准延期",
            Action::CustomDueDate => "另行确定答复期限",
            Action::FeeNotice => "收费通知",
            Action::FeeDelivered => "申请人收到收费通知",
            Action::FeePaid => "已缴费",
            Action::FeeLapsed => "逾期未缴费",
            Action::Withdraw => "申请人撤回",
            Action::Reply => "答复",
            Action::Reopen => "重新办理",
        }
    }

    /// The event type the action records (`replied` goes through the reply form).
    pub fn event_type(self) -> &'static str {
        match self {
            Action::ConfirmReceipt => "receipt_confirmed",
            Action::Assign => "assigned",
            Action::RequestCorrection => "correction_requested",
            Action::CorrectionReceived => "correction_received",
            Action::CorrectionLapsed => "correction_lapsed",
            Action::StartConsultation => "consultation_started",
            Action::EndConsultation => "consultation_ended",
            Action::RequestExtension => "extension_requested",
            Action::GrantExtension => "extension_granted",
            Action::RefuseExtension => "extension_refused",
            Action::CustomDueDate => "custom_due_date",
            Action::FeeNotice => "fee_notice_issued",
            Action::FeeDelivered => "fee_notice_delivered",
            Action::FeePaid => "fee_paid",
            Action::FeeLapsed => "fee_lapsed",
            Action::Withdraw => "withdrawn",
            Action::Reply => "replied",
            Action::Reopen => "reopened",
        }
    }

    /// The article the action rests on, shown beside the form.
    pub fn article(self) -> &'static str {
        match self {
            Action::ConfirmReceipt => "《条例》第三十一条",
            Action::RequestCorrection | Action::CorrectionReceived | Action::CorrectionLapsed => {
                "《条例》第三十条"
            }
            Action::StartConsultation | Action::EndConsultation => "《条例》第三十二条、第三十四条",
            Action::RequestExtension | Action::GrantExtension | Action::RefuseExtension => {
                "《条例》第三十三条第二款"
            }
            Action::CustomDueDate => "《条例》第三十五条",
            Action::FeeNotice | Action::FeeDelivered | Action::FeePaid | Action::FeeLapsed => {
                "《条例》第四十二条；国办函〔2020〕109号"
            }
            Action::Reply => "《条例》第三十三条、第三十六条",
            Action::Assign | Action::Withdraw | Action::Reopen => "",
        }
    }
}

/// The actions the case allows now. `approver`: the caller may approve extensions and set
/// an Art. 35 date (the office head: supervisors and administrators).
pub fn available(state: &CaseState, approver: bool) -> Vec<Action> {
    use Action as A;
    if state.receipt.is_none() {
        return vec![A::ConfirmReceipt];
    }
    if state.closed.is_some() || state.replied_on.is_some() {
        return vec![A::Reopen];
    }
    if state.awaiting_correction.is_some() {
        return vec![
            A::CorrectionReceived,
            A::CorrectionLapsed,
            A::Assign,
            A::Withdraw,
        ];
    }
    let mut out = vec![
        A::Reply,
        A::Assign,
        A::RequestCorrection,
        A::StartConsultation,
    ];
    if !state.open_consultations.is_empty() {
        out.push(A::EndConsultation);
    }
    if !state.extension_requested && !state.extension_granted {
        out.push(A::RequestExtension);
    }
    if approver && !state.extension_granted {
        out.push(A::GrantExtension);
    }
    if approver && state.extension_requested {
        out.push(A::RefuseExtension);
    }
    if approver {
        out.push(A::CustomDueDate);
    }
    if state.fee_pending.is_some() {
        if !state.fee_delivery_known {
            out.push(A::FeeDelivered);
        }
        out.extend([A::FeePaid, A::FeeLapsed]);
    } else {
        out.push(A::FeeNotice);
    }
    out.push(A::Withdraw);
    out
}

/// What an open case waits on: who has to act before it can be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitsOn {
    /// No receipt date yet: the handler confirms it (Art. 31).
    Receipt,
    /// The applicant's 补正 (Art. 30).
    Correction,
    /// The applicant's payment (国办函〔2020〕109号).
    Fee,
    /// A third party's opinion (Art. 32).
    ThirdParty,
    /// Another agency's opinion (Art. 34).
    Agency,
    /// An extension request, for the office head (Art. 33(2)).
    Approval,
    /// Nobody else: the answer is the handler's to give.
    Reply,
}

impl WaitsOn {
    pub fn label(self) -> &'static str {
        match self {
            WaitsOn::Receipt => "待确认收到",
            WaitsOn::Correction => "待补正",
            WaitsOn::Fee => "待缴费",
            WaitsOn::ThirdParty => "征求第三方意见",
            WaitsOn::Agency => "征求其他机关意见",
            WaitsOn::Approval => "待审批延期",
            WaitsOn::Reply => "待答复",
        }
    }

    /// What the case waits on now; None once it is answered or closed. The applicant comes
    /// first (their period decides), then a consulted party, then the office head.
    pub fn of(state: &CaseState, events: &[Recorded]) -> Option<WaitsOn> {
        if state.closed.is_some() || state.replied_on.is_some() {
            return None;
        }
        if state.receipt.is_none() {
            return Some(WaitsOn::Receipt);
        }
        if state.awaiting_correction.is_some() {
            return Some(WaitsOn::Correction);
        }
        if state.fee_pending.is_some() {
            return Some(WaitsOn::Fee);
        }
        let consulted: Vec<ConsultedParty> = events
            .iter()
            .filter(|r| state.open_consultations.contains_key(&r.id))
            .filter_map(|r| match r.event {
                CaseEvent::ConsultationStarted { party, .. } => Some(party),
                _ => None,
            })
            .collect();
        if consulted.contains(&ConsultedParty::ThirdParty) {
            return Some(WaitsOn::ThirdParty);
        }
        if !consulted.is_empty() {
            return Some(WaitsOn::Agency);
        }
        if state.extension_requested {
            return Some(WaitsOn::Approval);
        }
        Some(WaitsOn::Reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_actions_follow_the_state() {
        let mut s = CaseState::default();
        assert_eq!(available(&s, false), vec![Action::ConfirmReceipt]);
        s.receipt = Some(d("2026-03-02"));
        let clerk = available(&s, false);
        assert!(clerk.contains(&Action::Reply) && clerk.contains(&Action::RequestExtension));
        assert!(!clerk.contains(&Action::GrantExtension));
        assert!(available(&s, true).contains(&Action::GrantExtension));
        s.awaiting_correction = Some((d("2026-03-03"), d("2026-03-20")));
        assert!(!available(&s, false).contains(&Action::Reply));
        s.awaiting_correction = None;
        s.replied_on = Some(d("2026-03-10"));
        assert_eq!(available(&s, true), vec![Action::Reopen]);
    }

    #[test]
    fn oversight_is_the_office_heads_part() {
        assert!(Action::is_oversight_event("extension_granted"));
        assert!(Action::is_oversight_event("assigned"));
        assert!(!Action::is_oversight_event("correction_requested"));
        assert!(!Action::is_oversight_event("replied"));
    }

    #[test]
    fn a_case_waits_on_whoever_must_act_first() {
        let mut s = CaseState::default();
        assert_eq!(WaitsOn::of(&s, &[]), Some(WaitsOn::Receipt));
        s.receipt = Some(d("2026-03-02"));
        assert_eq!(WaitsOn::of(&s, &[]), Some(WaitsOn::Reply));
        s.extension_requested = true;
        assert_eq!(WaitsOn::of(&s, &[]), Some(WaitsOn::Approval));
        let consult = |id, party| Recorded {
            id,
            event: CaseEvent::ConsultationStarted {
                date: d("2026-03-04"),
                party,
                consulted: "某公司".into(),
                third_party_received_on: None,
            },
        };
        let events = [
            consult(7, ConsultedParty::Agency),
            consult(8, ConsultedParty::ThirdParty),
        ];
        s.open_consultations.insert(7, d("2026-03-04"));
        assert_eq!(WaitsOn::of(&s, &events), Some(WaitsOn::Agency));
        s.open_consultations.insert(8, d("2026-03-04"));
        assert_eq!(WaitsOn::of(&s, &events), Some(WaitsOn::ThirdParty));
        s.fee_pending = Some(d("2026-03-05"));
        assert_eq!(WaitsOn::of(&s, &events), Some(WaitsOn::Fee));
        s.awaiting_correction = Some((d("2026-03-03"), d("2026-03-20")));
        assert_eq!(WaitsOn::of(&s, &events), Some(WaitsOn::Correction));
        s.replied_on = Some(d("2026-03-10"));
        assert_eq!(WaitsOn::of(&s, &events), None);
    }
}

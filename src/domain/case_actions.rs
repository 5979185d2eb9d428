//! What can be done with a case now: the actions a case page offers, decided from the
//! folded state alone (dates are still checked when the action is recorded). Mirrors the
//! order of `CaseState::check`, so no button leads to a certain refusal.

use serde::Serialize;

use super::case::CaseState;

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
    FeePaid,
    FeeLapsed,
    Withdraw,
    Reply,
    Reopen,
}

impl Action {
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
            Action::FeeNotice | Action::FeePaid | Action::FeeLapsed => {
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
        out.extend([A::FeePaid, A::FeeLapsed]);
    } else {
        out.push(A::FeeNotice);
    }
    out.push(A::Withdraw);
    out
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
}

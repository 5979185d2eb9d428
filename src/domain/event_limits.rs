//! Limits on client-supplied event fields (kept apart from the case rules in `case`).

/// Bounds on what a client may put in an event: the text of reasons and names, the number
/// of correction items, money and day counts. Checked before an event is recorded, so the
/// trail never stores a megabyte of reason or an amount no fee can reach.
impl super::case::CaseEvent {
    pub const MAX_REASON_CHARS: usize = 2000;
    pub const MAX_CORRECTION_ITEMS: usize = 50;
    pub const MAX_ITEM_CHARS: usize = 500;
    pub const MAX_PARTY_CHARS: usize = 200;
    /// 1,000,000 yuan: far above any processing fee, far below overflow.
    pub const MAX_AMOUNT_FEN: i64 = 100_000_000;
    pub const MAX_WORKING_DAYS: u32 = 365;

    pub fn validate_limits(&self) -> Result<(), crate::domain::validation::FieldErrors> {
        use crate::domain::validation::{FieldErrors, multiline_text, required_text};
        let mut e = FieldErrors::default();
        match self {
            Self::CorrectionRequested { items, .. } => {
                if items.is_empty() || items.len() > Self::MAX_CORRECTION_ITEMS {
                    e.add(
                        "items",
                        format!("须列出1至{}项需补正的内容", Self::MAX_CORRECTION_ITEMS),
                    );
                }
                for (i, item) in items.iter().enumerate().take(Self::MAX_CORRECTION_ITEMS) {
                    required_text(&mut e, &format!("items[{i}]"), item, Self::MAX_ITEM_CHARS);
                }
            }
            Self::ConsultationStarted { consulted, .. } => {
                required_text(&mut e, "consulted", consulted, Self::MAX_PARTY_CHARS);
            }
            Self::ExtensionRequested {
                reason,
                working_days,
                ..
            }
            | Self::ExtensionGranted {
                reason,
                working_days,
                ..
            } => {
                multiline_text(&mut e, "reason", reason, Self::MAX_REASON_CHARS);
                if *working_days > Self::MAX_WORKING_DAYS {
                    e.add(
                        "working_days",
                        format!("不能超过{}个工作日", Self::MAX_WORKING_DAYS),
                    );
                }
            }
            Self::CustomDueDate { reason, .. }
            | Self::Reopened { reason, .. }
            | Self::ExtensionRefused { reason, .. } => {
                multiline_text(&mut e, "reason", reason, Self::MAX_REASON_CHARS);
            }
            Self::FeeNoticeIssued { amount_fen, .. } if *amount_fen > Self::MAX_AMOUNT_FEN => {
                e.add("amount_fen", "金额超出允许范围（最多1000000元）");
            }
            _ => {}
        }
        e.finish(())
    }
}

//! 期限: the reply's date against the due date, and the process facts (receipt, 补正, extension).

use super::*;

pub(super) fn reply_late(ctx: &Ctx) -> Option<Finding> {
    let due = ctx.process.due_on?;
    let reply = ctx.reply;
    let (date, how) = match (reply.dispatched_on, reply.delivery_method) {
        (Some(d), Some(DeliveryMethod::Post)) => (d, "交邮"),
        (Some(d), Some(DeliveryMethod::InPerson)) => (d, "送达"),
        (Some(d), _) => (d, "发出"),
        (None, _) => (reply.issued_on, "作出（无发出日期，按成文日期计）"),
    };
    (date > due).then(|| {
        Finding::error(
            REPLY_LATE,
            format!(
                "答复于{}{how}，晚于答复期限{}（逾期{}日）",
                cn_date(date),
                cn_date(due),
                (date - due).num_days()
            ),
            SRC_LATE,
        )
    })
}

pub(super) fn overdue(process: &ProcessFacts, as_of: NaiveDate) -> Option<Finding> {
    let due = process.due_on?;
    (as_of > due).then(|| {
        Finding::error(
            REPLY_LATE,
            format!(
                "已超过答复期限{}仍未答复（截至{}，逾期{}日）",
                cn_date(due),
                cn_date(as_of),
                (as_of - due).num_days()
            ),
            SRC_LATE,
        )
    })
}

pub(super) fn receipt_unconfirmed(p: &ProcessFacts) -> Option<Finding> {
    p.receipt_unconfirmed.then(|| {
        Finding::warning(
            RECEIPT_UNCONFIRMED,
            "申请尚未确认收到（平常信函、互联网、传真等渠道须与申请人确认），收到申请之日未定，答复期限无法起算",
            SRC_RECEIPT,
        )
    })
}

pub(super) fn correction_notice_late(p: &ProcessFacts) -> Option<Finding> {
    let due = p.correction_notice_due_on?;
    let first = p.correction_requests.iter().min()?;
    (*first > due).then(|| {
        Finding::error(
            CORRECTION_NOTICE_LATE,
            format!(
                "补正告知于{}发出，晚于收到申请之日起7个工作日（{}），不产生重新计算答复期限的效力",
                cn_date(*first),
                cn_date(due)
            ),
            SRC_CORRECTION,
        )
    })
}

pub(super) fn correction_repeated(p: &ProcessFacts) -> Option<Finding> {
    let n = p.correction_requests.len();
    (n > 1).then(|| {
        Finding::error(
            CORRECTION_REPEATED,
            format!(
                "补正告知发出了{n}次，应当一次性告知需要补正的事项；第二次及以后的补正不重新计算答复期限"
            ),
            SRC_CORRECTION,
        )
    })
}

pub(super) fn extension_notice_late(p: &ProcessFacts) -> Option<Finding> {
    let e = p.extension.as_ref()?;
    (e.notified_on > e.due_before_extension).then(|| {
        Finding::error(
            EXTENSION_NOTICE_LATE,
            format!(
                "延期告知于{}发出，晚于原答复期限{}，延期应在答复期限届满前告知申请人",
                cn_date(e.notified_on),
                cn_date(e.due_before_extension)
            ),
            SRC_EXTENSION,
        )
    })
}

pub(super) fn extension_too_long(p: &ProcessFacts) -> Option<Finding> {
    let e = p.extension.as_ref()?;
    (e.working_days > MAX_EXTENSION_WORKING_DAYS).then(|| {
        Finding::error(
            EXTENSION_TOO_LONG,
            format!("延长答复期限{}个工作日，超过最长20个工作日", e.working_days),
            SRC_EXTENSION,
        )
    })
}

pub(super) fn extension_unapproved(p: &ProcessFacts) -> Option<Finding> {
    let e = p.extension.as_ref()?;
    (!e.approved).then(|| {
        Finding::error(
            EXTENSION_UNAPPROVED,
            "延长答复期限未经政府信息公开工作机构负责人同意",
            SRC_EXTENSION,
        )
    })
}

/// Findings the deadline engine raised on the Art. 35 later date (RULES.md §5: "approved like
/// an extension"): set after the period ended, without approval, or beyond the bound. The
/// message is the engine's own explanation of that event.
pub fn deadline_findings(deadline: &Deadline) -> Vec<Finding> {
    let custom_step = deadline
        .steps
        .iter()
        .rev()
        .find(|s| s.article == SRC_CUSTOM)
        .map_or_else(String::new, |s| format!("：{}", s.effect));
    [
        (
            DeadlineFlag::CustomDueLate,
            CUSTOM_DUE_LATE,
            "依第三十五条确定的答复期限在原答复期限届满后才确定并告知",
        ),
        (
            DeadlineFlag::CustomDueUnapproved,
            CUSTOM_DUE_UNAPPROVED,
            "依第三十五条确定的答复期限未经批准",
        ),
        (
            DeadlineFlag::CustomDueOverMax,
            CUSTOM_DUE_OVER_MAX,
            "依第三十五条确定的答复期限超过系统设定的合理上限",
        ),
    ]
    .into_iter()
    .filter(|(flag, _, _)| deadline.flags.contains(flag))
    .map(|(_, code, what)| Finding::error(code, format!("{what}{custom_step}"), SRC_CUSTOM))
    .collect()
}

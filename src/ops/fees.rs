//! Information-processing fees on a case (国办函〔2020〕109号, RULES.md §8): recording the
//! items or pages, the amount with its explanation, issuing the fee notice (a document and
//! the `fee_notice_issued` event, in one transaction), and the applicant's days to pay.
//! Payment and lapse are ordinary events (`fee_paid`, `fee_lapsed`, `cases::record_event`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cases::{Change, Loaded, change_case, load};
use super::{Ctx, OpError, OpResult, scope};
use crate::auth::Actor;
use crate::domain::case::{CaseEvent, FEE_PAYMENT_DAYS};
use crate::domain::fee::{
    self, ApplicantKey, EarlierApplication, FeeComputation, FeeMethod, PayBy, Reduction,
    SameApplicant,
};
use crate::domain::notice::NoticeKind;
use crate::store::{self, DbConnection};

/// The items (按件) or pages (按量) a clerk records, with any reduction or waiver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    /// The day of recording (default today).
    pub date: Option<NaiveDate>,
    pub quantity: u32,
    /// By volume: how non-paper media were converted to pages.
    pub page_rule: Option<String>,
    pub reduction: Option<Reduction>,
}

/// Issuing the fee notice: the document as finalised and the facts the period needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeIn {
    /// The day the notice goes out (default today).
    pub issued_on: Option<NaiveDate>,
    /// The day the applicant received it, when known now (handed over, e-mailed).
    pub delivered_on: Option<NaiveDate>,
    pub how_to_pay: String,
    /// The notice text as edited; absent: the draft as the service writes it.
    pub text: Option<String>,
}

/// Another application whose applicant has this one's name and phone but no matching ID:
/// not counted, shown so the clerk can check.
#[derive(Debug, Clone, Serialize)]
pub struct PossibleSame {
    pub case_id: i64,
    pub case_number: String,
    pub received_on: Option<NaiveDate>,
    pub applicant_name: String,
}

/// The outstanding or settled fee notice of the current period.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeState {
    pub issued_on: NaiveDate,
    pub amount_fen: i64,
    pub pay_by: Option<PayBy>,
    pub paid_on: Option<NaiveDate>,
    pub lapsed_on: Option<NaiveDate>,
}

/// Everything the fee section of a case shows.
#[derive(Debug, Clone, Serialize)]
pub struct FeeView {
    pub case_id: i64,
    pub version: i32,
    /// The department's setting; `none` means the service computes nothing.
    pub department_method: FeeMethod,
    /// The method the case was assessed by (fixed once recorded), else the department's.
    pub method: FeeMethod,
    pub quantity: Option<u32>,
    pub page_rule: Option<String>,
    pub computation: Option<FeeComputation>,
    /// Same name and phone, ID missing on one side: not counted (warning).
    pub possible_same: Vec<PossibleSame>,
    /// The applicant has no ID number or credit code on the case: by count, only this
    /// application is counted until it is recorded.
    pub applicant_without_id: bool,
    pub notice: Option<NoticeState>,
    /// A notice may be issued now (assessed, amount above zero, none outstanding).
    pub can_issue: bool,
    pub fee_pauses_clock: bool,
    /// The notice the service would draft now, for the clerk to edit.
    pub draft: Option<String>,
}

fn key_of(row: &store::cases::CaseRow) -> ApplicantKey {
    ApplicantKey::new(
        &row.applicant_name,
        row.applicant_id_number.as_deref(),
        row.applicant_phone.as_deref(),
    )
}

/// The latest assessment of each of some cases: quantity (by count: items).
fn assessed_items(
    c: &mut DbConnection,
    ids: &[i64],
) -> OpResult<std::collections::HashMap<i64, u32>> {
    let mut out = std::collections::HashMap::new();
    for (id, events) in crate::cases::events_by_case(c, ids)? {
        let mut latest = None;
        for (_, e) in events {
            if let CaseEvent::FeeAssessed {
                method: FeeMethod::ByCount,
                quantity,
                ..
            } = e
            {
                latest = Some(quantity);
            }
        }
        if let Some(q) = latest {
            out.insert(id, q);
        }
    }
    Ok(out)
}

/// The amount of the case's latest assessment, with the month's earlier applications of
/// the same applicant, and the applications that only look like the same applicant.
fn compute(
    c: &mut DbConnection,
    l: &Loaded,
) -> OpResult<(Option<FeeComputation>, Vec<PossibleSame>)> {
    let state = &l.derivation.state;
    let (Some(method), Some((quantity, reduction))) = (state.fee_method, &state.fee_assessed)
    else {
        return Ok((None, Vec::new()));
    };
    let computation = match method {
        FeeMethod::ByVolume => fee::by_volume(*quantity),
        FeeMethod::ByCount => {
            let Some(received) = l.row.received_on else {
                return Ok((None, Vec::new()));
            };
            let (first, last) = fee::month_of(received);
            let month = store::cases::received_between(c, l.row.department_id, first, last)?;
            let me = key_of(&l.row);
            let mut earlier = Vec::new();
            let mut possible = Vec::new();
            for other in month.iter().filter(|o| o.id != l.row.id) {
                match me.compare(&key_of(other)) {
                    // In order of receipt; a same-day application registered first comes
                    // first.
                    Some(SameApplicant::Id)
                        if (other.received_on, other.id) < (l.row.received_on, l.row.id) =>
                    {
                        earlier.push(other);
                    }
                    Some(SameApplicant::Id) => {}
                    Some(SameApplicant::NameAndPhoneOnly) => possible.push(PossibleSame {
                        case_id: other.id,
                        case_number: other.case_number.clone(),
                        received_on: other.received_on,
                        applicant_name: other.applicant_name.clone(),
                    }),
                    None => {}
                }
            }
            let ids: Vec<i64> = earlier.iter().map(|o| o.id).collect();
            let items = assessed_items(c, &ids)?;
            let earlier = earlier
                .into_iter()
                .map(|o| EarlierApplication {
                    case_id: o.id,
                    case_number: o.case_number.clone(),
                    received_on: o.received_on.unwrap_or(o.receipt_sort),
                    items: items.get(&o.id).copied().unwrap_or(1),
                    items_recorded: items.contains_key(&o.id),
                })
                .collect();
            return Ok((
                Some(fee::by_count(earlier, *quantity).reduced(reduction.clone())),
                possible,
            ));
        }
        FeeMethod::None => return Ok((None, Vec::new())),
    };
    Ok((Some(computation.reduced(reduction.clone())), Vec::new()))
}

fn notice_state(l: &Loaded) -> Option<NoticeState> {
    let cal = crate::cases::department_calendar(&l.calendars, &l.dept.data);
    let mut out: Option<NoticeState> = None;
    for (_, e) in &l.derivation.events {
        match e {
            CaseEvent::FeeNoticeIssued {
                date,
                amount_fen,
                delivered_on,
            } => {
                let pay_by = fee::pay_by(&cal, *date, *delivered_on, FEE_PAYMENT_DAYS).ok();
                out = Some(NoticeState {
                    issued_on: *date,
                    amount_fen: *amount_fen,
                    pay_by,
                    paid_on: None,
                    lapsed_on: None,
                });
            }
            CaseEvent::FeeNoticeDelivered { delivered_on, .. } => {
                if let Some(n) = out.as_mut() {
                    n.pay_by =
                        fee::pay_by(&cal, n.issued_on, Some(*delivered_on), FEE_PAYMENT_DAYS).ok();
                }
            }
            CaseEvent::FeePaid { date } => {
                if let Some(n) = out.as_mut() {
                    n.paid_on = Some(*date);
                }
            }
            CaseEvent::FeeLapsed { date } => {
                if let Some(n) = out.as_mut() {
                    n.lapsed_on = Some(*date);
                }
            }
            CaseEvent::Reopened { .. } => out = None,
            _ => {}
        }
    }
    out
}

fn draft_text(
    l: &Loaded,
    computation: &FeeComputation,
    issued_on: NaiveDate,
    delivered_on: Option<NaiveDate>,
    how_to_pay: &str,
) -> OpResult<String> {
    let cal = crate::cases::department_calendar(&l.calendars, &l.dept.data);
    let pay_by = match delivered_on {
        Some(d) => Some(
            cal.add_working_days(d, FEE_PAYMENT_DAYS)
                .map_err(|e| OpError::OutOfRange(e.to_string()))?
                .value,
        ),
        None => None,
    };
    Ok(fee::notice_text(&fee::NoticeFacts {
        organ: &l.dept.data.name,
        organ_address: l.dept.data.address.as_deref(),
        organ_phone: l.dept.data.phone.as_deref(),
        applicant: &l.row.applicant_name,
        case_number: &l.row.case_number,
        received_on: l.derivation.state.receipt,
        issued_on,
        computation,
        pay_by,
        how_to_pay,
        pauses_clock: l.dept.data.rules.fee_pauses_clock,
    }))
}

fn view(c: &mut DbConnection, l: &Loaded, today: NaiveDate) -> OpResult<FeeView> {
    let state = &l.derivation.state;
    let (computation, possible_same) = compute(c, l)?;
    let notice = notice_state(l);
    let department_method = l.dept.data.rules.fee_method;
    let open = state.closed.is_none() && state.replied_on.is_none();
    let can_issue = open
        && state.fee_pending.is_none()
        && department_method != FeeMethod::None
        && computation.as_ref().is_some_and(|c| c.amount_fen > 0);
    let draft = match (&computation, can_issue) {
        (Some(comp), true) => Some(draft_text(l, comp, today, None, "")?),
        _ => None,
    };
    let page_rule = l.derivation.events.iter().rev().find_map(|(_, e)| match e {
        CaseEvent::FeeAssessed { page_rule, .. } => Some(page_rule.clone()),
        _ => None,
    });
    Ok(FeeView {
        case_id: l.row.id,
        version: l.row.version,
        department_method,
        method: state.fee_method.unwrap_or(department_method),
        quantity: state.fee_assessed.as_ref().map(|(q, _)| *q),
        page_rule: page_rule.flatten(),
        computation,
        possible_same,
        applicant_without_id: l
            .row
            .applicant_id_number
            .as_deref()
            .and_then(fee::normalise_id)
            .is_none(),
        notice,
        can_issue,
        fee_pauses_clock: l.dept.data.rules.fee_pauses_clock,
        draft,
    })
}

/// The fee section of a case as of today.
pub fn get(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<FeeView> {
    let today = ctx.today();
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, id, today)?;
        view(c, &l, today)
    })
}

fn reload(c: &mut DbConnection, ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<FeeView> {
    let today = ctx.today();
    let scope = scope(c, actor)?;
    let l = load(c, ctx, &scope, id, today)?;
    view(c, &l, today)
}

/// Records the items or pages of the case (and any reduction with its reason): the method
/// is the department's; an application assessed one way cannot be assessed the other.
pub fn assess(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: AssessmentIn,
) -> OpResult<FeeView> {
    let today = ctx.today();
    let date = input.date.unwrap_or(today);
    let mut e = crate::domain::validation::FieldErrors::default();
    if input.quantity == 0 || input.quantity > 1_000_000 {
        e.add("quantity", "件数或页数应为1至1000000之间的整数");
    }
    let page_rule = crate::domain::validation::optional_text(
        &mut e,
        "page_rule",
        input.page_rule.as_deref(),
        500,
    );
    let reduction = match input.reduction {
        None => None,
        Some(r) => {
            if r.amount_fen <= 0 || r.amount_fen > CaseEvent::MAX_AMOUNT_FEN {
                e.add("reduction.amount_fen", "减免金额应大于零（单位：分）");
            }
            let reason = crate::domain::validation::required_text(
                &mut e,
                "reduction.reason",
                &r.reason,
                CaseEvent::MAX_REASON_CHARS,
            );
            reason.map(|reason| Reduction {
                amount_fen: r.amount_fen,
                reason,
            })
        }
    };
    e.finish(())?;
    ctx.write(|c| {
        change_case(c, ctx, actor, id, expected, false, |_, before| {
            let method = before.dept.data.rules.fee_method;
            if method == FeeMethod::None {
                return Err(OpError::conflict(
                    "fees_not_charged",
                    "本机关未设定信息处理费收费方式（按件或按量），请管理员在机关设置中设定",
                ));
            }
            // The department's method: the case's rules refuse another one than the
            // application was first assessed by (never both ways).
            let event = CaseEvent::FeeAssessed {
                date,
                method,
                quantity: input.quantity,
                page_rule: page_rule.clone().filter(|_| method == FeeMethod::ByVolume),
                reduction: reduction.clone(),
            };
            super::cases::event_allowed(actor, &before.row, &before.derivation, &event, today)?;
            Ok(Change {
                action: format!("event:{}", event.kind()),
                audit: serde_json::to_value(&event).ok(),
                event: Some(event),
                mail: None,
                value: (),
            })
        })?;
        reload(c, ctx, actor, id)
    })
}

/// Issues the fee notice: records `fee_notice_issued` with the computed amount (the clock
/// pauses by the department's setting) and keeps the notice as sent, in one transaction.
pub fn issue_notice(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: NoticeIn,
) -> OpResult<FeeView> {
    let today = ctx.today();
    let issued_on = input.issued_on.unwrap_or(today);
    let mut e = crate::domain::validation::FieldErrors::default();
    let how =
        crate::domain::validation::required_text(&mut e, "how_to_pay", &input.how_to_pay, 500);
    if let Some(t) = &input.text
        && (t.trim().is_empty() || t.chars().count() > 20_000)
    {
        e.add("text", "通知正文应为1至20000字");
    }
    e.finish(())?;
    let how = how.unwrap_or_default();
    ctx.write(|c| {
        let changed = change_case(c, ctx, actor, id, expected, false, |c, before| {
            if before.dept.data.rules.fee_method == FeeMethod::None {
                return Err(OpError::conflict(
                    "fees_not_charged",
                    "本机关未设定信息处理费收费方式（按件或按量）",
                ));
            }
            let (computation, _) = compute(c, before)?;
            let Some(computation) = computation else {
                return Err(OpError::conflict(
                    "fee_not_assessed",
                    "请先登记本申请的件数或页数",
                ));
            };
            if computation.amount_fen <= 0 {
                return Err(OpError::conflict(
                    "fee_amount_zero",
                    "核定的收费金额为零，无需发出收费通知",
                ));
            }
            let event = CaseEvent::FeeNoticeIssued {
                date: issued_on,
                amount_fen: computation.amount_fen,
                delivered_on: input.delivered_on,
            };
            event.validate_limits()?;
            super::cases::event_allowed(actor, &before.row, &before.derivation, &event, today)?;
            let text = match &input.text {
                Some(t) => t.trim().to_owned(),
                None => draft_text(before, &computation, issued_on, input.delivered_on, &how)?,
            };
            Ok(Change {
                action: format!("event:{}", event.kind()),
                // The audit record captures the event itself (verify-audit compares them);
                // the notice text, with the computation and how to pay, is audited as sent.
                audit: serde_json::to_value(&event).ok(),
                event: Some(event),
                mail: None,
                value: text,
            })
        })?;
        let kind = NoticeKind::Fee;
        let row = store::case_files::insert_notice(
            c,
            id,
            kind.as_str(),
            kind.title(),
            &changed.value,
            issued_on,
            actor.user_id,
        )?;
        store::trail::append(
            c,
            &ctx.audit_key,
            id,
            actor.user_id,
            "notice_sent",
            None,
            &serde_json::json!({
                "notice_id": row.id, "kind": row.kind, "sent_on": row.sent_on,
                "sha256": store::trail::sha256_hex(row.body.as_bytes()),
            })
            .to_string(),
        )
        .map_err(super::error::on_insert)?;
        reload(c, ctx, actor, id)
    })
}

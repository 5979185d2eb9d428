//! What a clerk keeps with a case besides events and the reply: the notices sent (drafted
//! from the case, edited, recorded when sent), attachments (scans of the letter, envelope
//! and postal receipt, the documents sent), and a personal calendar feed of due dates.
//! Every addition is an audit record in the case's trail.

use chrono::NaiveDate;
use serde::Serialize;

use super::cases::{handled_case, load, visible_case};
use super::{CASE_WRITERS, Ctx, OpError, OpResult, log_action, require, scope};
use crate::auth::{Actor, Role};
use crate::domain::case::{CaseEvent, FEE_PAYMENT_DAYS};
use crate::domain::notice::{NoticeInput, NoticeKind, draft};
use crate::store::case_files::{AttachmentMeta, NewAttachment, NoticeRow};
use crate::store::{self, DbConnection};

/// A notice drafted for the clerk to edit.
#[derive(Debug, Serialize)]
pub struct NoticeDraft {
    pub kind: NoticeKind,
    pub title: String,
    pub text: String,
}

/// Working days a consulted party has to answer (Arts 32, 34).
const CONSULTATION_DAYS: u32 = 15;

/// The notice kinds a case has facts for now.
pub fn notice_kinds(events: &[CaseEvent], receipt_known: bool) -> Vec<NoticeKind> {
    let mut kinds = Vec::new();
    if receipt_known {
        kinds.push(NoticeKind::Receipt);
    }
    let has = |f: fn(&CaseEvent) -> bool| events.iter().any(f);
    if has(|e| matches!(e, CaseEvent::CorrectionRequested { .. })) {
        kinds.push(NoticeKind::Correction);
    }
    if has(|e| matches!(e, CaseEvent::ExtensionGranted { .. })) {
        kinds.push(NoticeKind::Extension);
    }
    if has(|e| matches!(e, CaseEvent::ConsultationStarted { .. })) {
        kinds.push(NoticeKind::Consultation);
    }
    if has(|e| matches!(e, CaseEvent::FeeNoticeIssued { .. })) {
        kinds.push(NoticeKind::Fee);
    }
    kinds
}

/// Drafts a notice of the case as of `issued_on` (default today).
pub fn draft_notice(
    ctx: &Ctx,
    actor: &Actor,
    case_id: i64,
    kind: NoticeKind,
    issued_on: Option<NaiveDate>,
) -> OpResult<NoticeDraft> {
    let issued_on = issued_on.unwrap_or_else(|| ctx.today());
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, case_id, ctx.today())?;
        let d = &l.derivation;
        let events: Vec<CaseEvent> = d.events.iter().map(|(_, e)| e.clone()).collect();
        if !notice_kinds(&events, d.state.receipt.is_some()).contains(&kind) {
            return Err(OpError::conflict(
                "notice_not_applicable",
                format!("该案件尚无可写入《{}》的事项", kind.title()),
            ));
        }
        let cal = crate::cases::department_calendar(&l.calendars, &l.dept.data);
        let add =
            |from: NaiveDate, days: u32| cal.add_working_days(from, days).ok().map(|r| r.value);
        let last = |f: &dyn Fn(&CaseEvent) -> bool| events.iter().rev().find(|e| f(e)).cloned();
        let mut n = NoticeInput {
            kind,
            organ: l.dept.data.name.clone(),
            organ_address: l.dept.data.address.clone(),
            organ_phone: l.dept.data.phone.clone(),
            applicant: l.row.applicant_name.clone(),
            case_number: l.row.case_number.clone(),
            received_on: d.state.receipt,
            items: store::cases::items(c, case_id)?,
            issued_on,
            due_on: d.deadline.due_on.or(d.deadline.due_on_when_stopped),
            correction_items: Vec::new(),
            respond_by: None,
            extension_days: None,
            reason: None,
            consulted: None,
            answer_by: None,
            amount_fen: None,
            pay_by: None,
        };
        match kind {
            NoticeKind::Correction => {
                if let Some(CaseEvent::CorrectionRequested {
                    items, respond_by, ..
                }) = last(&|e| matches!(e, CaseEvent::CorrectionRequested { .. }))
                {
                    n.correction_items = items;
                    n.respond_by = Some(respond_by);
                }
            }
            NoticeKind::Extension => {
                if let Some(CaseEvent::ExtensionGranted {
                    working_days,
                    reason,
                    ..
                }) = last(&|e| matches!(e, CaseEvent::ExtensionGranted { .. }))
                {
                    n.extension_days = Some(working_days);
                    n.reason = Some(reason);
                }
                n.due_on = d.deadline.extended_due_on.or(n.due_on);
            }
            NoticeKind::Consultation => {
                if let Some(CaseEvent::ConsultationStarted {
                    date,
                    consulted,
                    third_party_received_on,
                    ..
                }) = last(&|e| matches!(e, CaseEvent::ConsultationStarted { .. }))
                {
                    n.consulted = Some(consulted);
                    n.answer_by = third_party_received_on.and_then(|r| add(r, CONSULTATION_DAYS));
                    if n.answer_by.is_none() {
                        // Counted from dispatch until the party's receipt is known.
                        n.answer_by = add(date, CONSULTATION_DAYS);
                    }
                }
            }
            NoticeKind::Fee => {
                if let Some(CaseEvent::FeeNoticeIssued {
                    date,
                    amount_fen,
                    delivered_on,
                }) = last(&|e| matches!(e, CaseEvent::FeeNoticeIssued { .. }))
                {
                    n.amount_fen = Some(amount_fen);
                    let from = d.state.fee_pay_from.or(delivered_on).unwrap_or(date);
                    n.pay_by = add(from, FEE_PAYMENT_DAYS);
                }
            }
            NoticeKind::Receipt => {}
        }
        let (title, text) = draft(&n);
        Ok(NoticeDraft { kind, title, text })
    })
}

/// Records a notice as sent, with the text as finalised; audited on the case.
pub fn record_notice(
    ctx: &Ctx,
    actor: &Actor,
    case_id: i64,
    kind: NoticeKind,
    text: &str,
    sent_on: NaiveDate,
) -> OpResult<NoticeRow> {
    require(actor, CASE_WRITERS)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(OpError::field("text", "通知正文不能为空"));
    }
    if text.chars().count() > 20_000 {
        return Err(OpError::field("text", "通知正文不能超过20000字"));
    }
    if sent_on > ctx.today() {
        return Err(OpError::field("sent_on", "发出日期不能晚于今天"));
    }
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let case = handled_case(c, &scope, actor, case_id)?;
        if sent_on < case.submitted_on {
            return Err(OpError::field("sent_on", "发出日期不能早于申请提交日期"));
        }
        let row = store::case_files::insert_notice(
            c,
            case_id,
            kind.as_str(),
            kind.title(),
            text,
            sent_on,
            actor.user_id,
        )?;
        store::trail::append(
            c,
            &ctx.audit_key,
            case_id,
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
        Ok(row)
    })
}

pub fn notices(ctx: &Ctx, actor: &Actor, case_id: i64) -> OpResult<Vec<NoticeRow>> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        visible_case(c, &scope, case_id)?;
        Ok(store::case_files::notices(c, case_id)?)
    })
}

/// One recorded notice of a case the caller may see.
pub fn notice(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<(NoticeRow, String)> {
    ctx.read(|c| {
        let row = store::case_files::notice(c, id)?.ok_or(OpError::NotFound("通知"))?;
        let scope = scope(c, actor)?;
        let case = visible_case(c, &scope, row.case_id).map_err(|_| OpError::NotFound("通知"))?;
        let organ = store::departments::find(c, case.department_id)?
            .map(|d| d.data.name)
            .unwrap_or_default();
        Ok((row, organ))
    })
}

/// What an attachment may be: the kinds a clerk files, and the formats accepted.
pub const ATTACHMENT_KINDS: &[(&str, &str)] = &[
    ("application", "申请书"),
    ("envelope", "信封"),
    ("postal_receipt", "邮寄回执/签收单"),
    ("sent", "发出的文书"),
    ("id_document", "身份证明"),
    ("supporting", "证明材料"),
    ("other", "其他"),
];

/// Largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The format of a file, by its first bytes (what the browser claims is not trusted).
fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if content.starts_with(b"II*\0") || content.starts_with(b"MM\0*") {
        Some("image/tiff")
    } else if content.starts_with(b"PK\x03\x04") {
        // .docx / .ofd are zip packages.
        Some("application/zip")
    } else {
        None
    }
}

/// Attaches a file to a case; audited on the case.
pub fn attach(
    ctx: &Ctx,
    actor: &Actor,
    case_id: i64,
    kind: &str,
    file_name: &str,
    content: &[u8],
) -> OpResult<AttachmentMeta> {
    require(actor, CASE_WRITERS)?;
    let file = checked_file(kind, file_name, content, MAX_ATTACHMENT_BYTES, "file")?;
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        handled_case(c, &scope, actor, case_id)?;
        store_attachment(c, ctx, actor.user_id, case_id, &file)
    })
}

/// An attachment that passed the checks: kind known, a name, not empty, within `max`
/// bytes, and a format recognised by its first bytes.
pub(crate) struct CheckedFile<'a> {
    kind: &'a str,
    file_name: String,
    content_type: &'static str,
    content: &'a [u8],
}

/// Checks an attachment before anything is written; errors name `field`.
pub(crate) fn checked_file<'a>(
    kind: &'a str,
    file_name: &str,
    content: &'a [u8],
    max: usize,
    field: &str,
) -> OpResult<CheckedFile<'a>> {
    if !ATTACHMENT_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(OpError::field(
            "kind",
            "取值应为：application | envelope | postal_receipt | sent | id_document | supporting | other",
        ));
    }
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(200)
        .collect();
    if file_name.trim().is_empty() {
        return Err(OpError::field(field, "请选择文件"));
    }
    if content.is_empty() {
        return Err(OpError::field(field, "文件为空"));
    }
    if content.len() > max {
        return Err(OpError::field(
            field,
            format!("文件不能超过{}MB", max / (1024 * 1024)),
        ));
    }
    let content_type = sniff(content).ok_or_else(|| {
        OpError::field(
            field,
            "只接受 PDF、JPEG、PNG、TIFF 扫描件或 Word（.docx）、OFD 文件",
        )
    })?;
    Ok(CheckedFile {
        kind,
        file_name: file_name.trim().to_owned(),
        content_type,
        content,
    })
}

/// Stores a checked attachment with its audit record, in the caller's transaction.
pub(crate) fn store_attachment(
    c: &mut DbConnection,
    ctx: &Ctx,
    user_id: i64,
    case_id: i64,
    file: &CheckedFile<'_>,
) -> OpResult<AttachmentMeta> {
    let sha256 = store::trail::sha256_hex(file.content);
    let meta = store::case_files::insert_attachment(
        c,
        &NewAttachment {
            case_id,
            kind: file.kind,
            file_name: &file.file_name,
            content_type: file.content_type,
            sha256: &sha256,
            content: file.content,
            uploaded_by: user_id,
        },
    )?;
    store::trail::append(
        c,
        &ctx.audit_key,
        case_id,
        user_id,
        "attachment_added",
        None,
        &serde_json::json!({
            "attachment_id": meta.id, "kind": meta.kind, "file_name": meta.file_name,
            "size_bytes": meta.size_bytes, "sha256": meta.sha256,
        })
        .to_string(),
    )
    .map_err(super::error::on_insert)?;
    Ok(meta)
}

pub fn attachments(ctx: &Ctx, actor: &Actor, case_id: i64) -> OpResult<Vec<AttachmentMeta>> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        visible_case(c, &scope, case_id)?;
        Ok(store::case_files::attachments_of(c, case_id)?)
    })
}

/// One attachment with its content, if its case is in scope.
pub fn attachment(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<(AttachmentMeta, Vec<u8>)> {
    ctx.read(|c| {
        let (meta, content) =
            store::case_files::attachment(c, id)?.ok_or(OpError::NotFound("附件"))?;
        let scope = scope(c, actor)?;
        visible_case(c, &scope, meta.case_id).map_err(|_| OpError::NotFound("附件"))?;
        Ok((meta, content))
    })
}

/// Creates a new personal calendar link (the previous one stops working); returns the
/// secret token, shown once.
pub fn new_feed(ctx: &Ctx, actor: &Actor) -> OpResult<String> {
    let token = crate::auth::random_hex::<24>().map_err(OpError::internal)?;
    let hash = store::trail::sha256_hex(token.as_bytes());
    ctx.write(|c| {
        store::case_files::revoke_feeds(c, actor.user_id)?;
        store::case_files::insert_feed(c, actor.user_id, &hash)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &format!("user:{}", actor.user_id),
            "calendar_feed_created",
            None,
            &serde_json::json!({}),
        )?;
        Ok(token)
    })
}

/// Stops the personal calendar link.
pub fn revoke_feed(ctx: &Ctx, actor: &Actor) -> OpResult<()> {
    ctx.write(|c| {
        if store::case_files::revoke_feeds(c, actor.user_id)? > 0 {
            log_action(
                ctx,
                c,
                Some(actor),
                &format!("user:{}", actor.user_id),
                "calendar_feed_revoked",
                None,
                &serde_json::json!({}),
            )?;
        }
        Ok(())
    })
}

pub fn has_feed(ctx: &Ctx, actor: &Actor) -> OpResult<bool> {
    ctx.read(|c| Ok(store::case_files::has_feed(c, actor.user_id)?))
}

/// One line of a calendar feed: a case's due date.
#[derive(Debug, Serialize)]
pub struct FeedEntry {
    pub case_id: i64,
    pub case_number: String,
    pub applicant: String,
    pub due_on: NaiveDate,
}

/// The due dates behind a feed token: the open cases assigned to its owner (for a clerk,
/// also the department's unassigned ones). An unknown or revoked token is "not found".
pub fn feed(ctx: &Ctx, token: &str) -> OpResult<Vec<FeedEntry>> {
    let hash = store::trail::sha256_hex(token.as_bytes());
    let user_id = ctx
        .read(|c| Ok(store::case_files::feed_user(c, &hash)?))?
        .ok_or(OpError::NotFound("日历"))?;
    let user = ctx
        .read(|c| Ok(store::users::find(c, user_id)?))?
        .filter(|u| u.active)
        .ok_or(OpError::NotFound("日历"))?;
    let actor = super::session::authenticate(ctx, user.id, user.token_version)?;
    ctx.read(|c| feed_of(ctx, c, &actor))
}

fn feed_of(ctx: &Ctx, c: &mut DbConnection, actor: &Actor) -> OpResult<Vec<FeedEntry>> {
    let departments: Vec<i64> = super::cases::departments_in_scope(ctx, c, actor, None, false)?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let filter = store::cases::ListFilter {
        department_ids: departments,
        statuses: vec!["received".into(), "in_progress".into()],
        ..Default::default()
    };
    let rows = store::cases::list(c, &filter, store::cases::SortKey::Due, None, 1000)?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            r.assignee_id == Some(actor.user_id)
                || (actor.role == Role::Clerk && r.assignee_id.is_none())
        })
        .filter_map(|r| {
            Some(FeedEntry {
                case_id: r.id,
                case_number: r.case_number,
                applicant: r.applicant_name,
                due_on: r.due_on?,
            })
        })
        .collect())
}

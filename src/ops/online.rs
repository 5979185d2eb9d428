//! Online applications (issue 20): what the public may do without an account — apply to a
//! department on its form, look the application up with the query code it was given, send
//! a 补正 online, read the reply once issued, and read the department's 指南.
//!
//! Everything the public does is recorded by one disabled account (`store::online`), through
//! the same intake and case-change sequence as the staff's actions. The query code is never
//! stored: only its SHA-256, so a reader of the database cannot look a case up. A code that
//! is wrong and one that never existed get the same answer. Each client address has fixed
//! windows of submits and look-ups, kept in the database so that every instance counts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cases::{ApplicantIn, CaseIn, Change, Finish, ItemIn, change_case, create_cases, load};
use super::{Ctx, OpError, OpResult};
use crate::auth::{Actor, Role, Scope};
use crate::domain::case::{CaseEvent, DeliveryPreference};
use crate::domain::validation::{FieldErrors, required_text};
use crate::store::{self, DbConnection};

/// Bytes of randomness in a query code (160 bits; at least 128 are asked for).
const CODE_BYTES: usize = 20;

/// Look-ups (and online corrections, which carry the code) per client address and window.
pub const LOOKUP_LIMIT: i32 = 100;
/// Applications per client address and window.
pub const SUBMIT_LIMIT: i32 = 10;
/// The fixed window both limits count in.
pub const WINDOW_SECS: i64 = 3600;

/// Attachments of one online application: at most this many, each at most this large.
pub const MAX_FILES: usize = 3;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// An application as the public form or `POST /api/v1/public/applications` sends it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OnlineIn {
    pub department_id: i64,
    pub applicant: ApplicantIn,
    pub items: Vec<ItemIn>,
    pub purpose: Option<String>,
    pub delivery_preference: Option<String>,
    /// The honeypot: hidden from people, filled in by form-filling robots.
    #[serde(default)]
    pub website: Option<String>,
}

/// One attachment sent with an application: kind, file name, content.
pub struct FileIn {
    pub kind: String,
    pub file_name: String,
    pub content: Vec<u8>,
}

/// What the applicant is told once, after submitting.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    /// The query code, in groups of four for reading aloud and typing.
    pub code: String,
    pub case_number: String,
    pub department: String,
    pub submitted_on: NaiveDate,
    /// Whether a mail with the code was queued (an e-mail was given and the department's
    /// address and phone are known).
    pub mailed: bool,
}

/// A department as the public sees it: name only (no staff).
#[derive(Debug, Clone, Serialize)]
pub struct PublicDepartment {
    pub id: i64,
    pub name: String,
}

/// A 补正 request as the applicant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicCorrection {
    pub requested_on: NaiveDate,
    pub items: Vec<String>,
    pub respond_by: NaiveDate,
    /// The correction arrived (online or otherwise) after this request.
    pub received_on: Option<NaiveDate>,
}

/// The issued reply, as the applicant may read it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicReply {
    pub issued_on: NaiveDate,
    pub doc_number: Option<String>,
    pub outcome_label: &'static str,
    pub text: Option<String>,
}

/// One step of the due date's explanation.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStep {
    pub date: Option<NaiveDate>,
    pub event: String,
    pub effect: String,
    pub article: String,
}

/// What a query code shows: the application's state, never staff or other people's data.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub case_number: String,
    pub department_id: i64,
    pub department: String,
    pub status: String,
    pub submitted_on: NaiveDate,
    /// None until a clerk confirmed receipt (Art. 31(3)): no period runs before.
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub working_days_remaining: Option<i64>,
    pub steps: Vec<PublicStep>,
    pub items: Vec<String>,
    pub correction: Option<PublicCorrection>,
    /// A correction may be sent online now.
    pub can_correct: bool,
    pub reply: Option<PublicReply>,
}

/// The account the public acts as, for the operations that need one.
fn portal(c: &mut DbConnection) -> OpResult<Actor> {
    let user_id = store::online::portal_user(c).map_err(super::error::on_insert)?;
    Ok(Actor {
        user_id,
        username: store::online::PORTAL_USERNAME.to_owned(),
        role: Role::Admin,
        department_id: None,
    })
}

/// Counts a request of `client` in `bucket`; refuses it past `limit` in the window.
fn limit(ctx: &Ctx, bucket: &str, client: Option<&str>, limit: i32) -> OpResult<()> {
    // The address is personal data: only its hash is kept.
    let key = store::trail::sha256_hex(client.unwrap_or("unknown").as_bytes());
    let (hits, left) = ctx.write_retry(|c| {
        store::online::hit(c, bucket, &key, WINDOW_SECS).map_err(super::error::on_insert)
    })?;
    if hits > limit {
        return Err(OpError::RateLimited {
            retry_after_secs: u64::try_from(left.max(1)).unwrap_or(1),
        });
    }
    Ok(())
}

/// The departments one may apply to.
pub fn departments(ctx: &Ctx) -> OpResult<Vec<PublicDepartment>> {
    ctx.read(|c| {
        Ok(store::departments::list(c)?
            .into_iter()
            .map(|d| PublicDepartment {
                id: d.id,
                name: d.data.name,
            })
            .collect())
    })
}

/// One department by id, as the public sees it.
pub fn department(ctx: &Ctx, id: i64) -> OpResult<PublicDepartment> {
    ctx.read(|c| {
        let d = store::departments::find(c, id)?.ok_or(OpError::NotFound("机关"))?;
        Ok(PublicDepartment {
            id: d.id,
            name: d.data.name,
        })
    })
}

/// The online form's own rules on top of intake's: a phone to confirm receipt with
/// (Art. 31(3): both sides confirm), an identity document, and the address or e-mail the
/// chosen delivery needs.
fn online_rules(input: &OnlineIn, files: &[FileIn]) -> FieldErrors {
    let mut e = FieldErrors::default();
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    if input
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        e.add("website", "此栏应留空");
    }
    if blank(&input.applicant.phone) {
        e.add(
            "applicant.phone",
            "请填写联系电话：收到申请之日以双方确认之日为准，工作人员将通过此电话与您确认",
        );
    }
    if blank(&input.applicant.id_number) {
        e.add(
            "applicant.id_number",
            "请填写身份证件号码（法人或其他组织填写统一社会信用代码）",
        );
    }
    match input.delivery_preference.as_deref().map(str::trim) {
        Some("post") if blank(&input.applicant.address) => {
            e.add("applicant.address", "选择邮寄的，请填写通信地址")
        }
        Some("email") if blank(&input.applicant.email) => {
            e.add("applicant.email", "选择电子邮件的，请填写电子邮箱")
        }
        _ => {}
    }
    if files.len() > MAX_FILES {
        e.add("files", format!("最多上传{MAX_FILES}个附件"));
    }
    e
}

/// A new query code: `CODE_BYTES` random bytes as lowercase hex.
fn new_code() -> OpResult<String> {
    crate::auth::random_hex::<CODE_BYTES>().map_err(OpError::internal)
}

/// The code as typed, reduced to its hex digits (spaces, dashes and case do not matter).
fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The code in groups of four, as shown and mailed.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn code_hash(code: &str) -> String {
    store::trail::sha256_hex(normalise(code).as_bytes())
}

/// Submits an application: checked like an intake (channel `online`, receipt unconfirmed
/// until a clerk confirms it), created through intake with its attachments in one
/// transaction; the query code is returned once and mailed if an e-mail was given.
pub fn submit(
    ctx: &Ctx,
    client: Option<&str>,
    input: OnlineIn,
    files: Vec<FileIn>,
) -> OpResult<Submitted> {
    limit(ctx, "submit", client, SUBMIT_LIMIT)?;
    let today = ctx.today();
    let mut errors = online_rules(&input, &files);
    let delivery = input
        .delivery_preference
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if delivery.is_none() {
        errors.add("delivery_preference", "请选择获取信息的方式");
    } else if delivery.is_some_and(|d| DeliveryPreference::parse(d).is_none()) {
        errors.add(
            "delivery_preference",
            "取值应为：post | email | in_person | online",
        );
    }
    let case_in = CaseIn {
        department_id: Some(input.department_id),
        applicant: input.applicant.clone(),
        channel: "online".into(),
        submitted_on: today,
        received_on: None,
        tracking_number: None,
        items: input.items.clone(),
        purpose: input.purpose.clone(),
        delivery_preference: input.delivery_preference.clone(),
    };
    let portal_shape = Actor {
        user_id: 0,
        username: String::new(),
        role: Role::Admin,
        department_id: None,
    };
    let parsed = super::cases::parse_case(case_in, &portal_shape, today, "");
    let mut checked = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match super::case_files::checked_file(
            &f.kind,
            &f.file_name,
            &f.content,
            MAX_FILE_BYTES,
            &format!("files[{i}]"),
        ) {
            Ok(file) => checked.push(file),
            Err(OpError::Invalid(fe)) => errors.0.extend(fe.0),
            Err(other) => return Err(other),
        }
    }
    let new = match parsed {
        Ok(new) if errors.is_empty() => new,
        Ok(_) => return Err(errors.into()),
        Err(mut fe) => {
            fe.0.extend(errors.0);
            return Err(fe.into());
        }
    };
    let code = new_code()?;
    let hash = code_hash(&code);
    ctx.write_retry(|c| {
        let kept = ctx.kept(c)?;
        let dept = kept
            .directory
            .get(new.department_id)
            .cloned()
            .ok_or_else(|| OpError::field("department_id", "请选择受理机关"))?;
        let actor = portal(c)?;
        let view = create_cases(
            c,
            ctx,
            super::cases::Within {
                kept: &kept,
                scope: &Scope::All,
            },
            &actor,
            std::slice::from_ref(&new),
            today,
            Finish::Open,
        )?
        .pop()
        .ok_or_else(|| OpError::internal("intake created no case"))?;
        store::online::insert_code(c, view.id, &hash).map_err(super::error::on_insert)?;
        for file in &checked {
            super::case_files::store_attachment(c, ctx, actor.user_id, view.id, file)?;
        }
        let row = store::cases::find(c, view.id)?.ok_or(OpError::NotFound("案件"))?;
        let mail = crate::mail::CaseMail::for_case(&row, &dept, &ctx.settings.public_url)
            .online_code(&grouped(&code), today)?;
        let mailed = mail.is_some();
        if let Some(m) = mail {
            store::outbox::enqueue(c, &m)?;
        }
        Ok(Submitted {
            code: grouped(&code),
            case_number: view.case_number,
            department: dept.data.name,
            submitted_on: today,
            mailed,
        })
    })
}

/// The case behind a code, or the one answer every wrong or unknown code gets.
fn case_of(c: &mut DbConnection, code: &str) -> OpResult<i64> {
    store::online::case_of(c, &code_hash(code))?.ok_or(OpError::NotFound("查询码对应的申请"))
}

/// What the code's holder sees of the case as of `as_of`.
fn status_of(c: &mut DbConnection, ctx: &Ctx, id: i64, as_of: NaiveDate) -> OpResult<PublicStatus> {
    let l = load(c, ctx, &Scope::All, id, as_of)?;
    let d = &l.derivation;
    let mut correction: Option<PublicCorrection> = None;
    for (_, e) in &d.events {
        match e {
            CaseEvent::CorrectionRequested {
                date,
                items,
                respond_by,
            } => {
                correction = Some(PublicCorrection {
                    requested_on: *date,
                    items: items.clone(),
                    respond_by: *respond_by,
                    received_on: None,
                });
            }
            CaseEvent::CorrectionReceived { date } => {
                if let Some(cr) = correction.as_mut() {
                    cr.received_on = Some(*date);
                }
            }
            _ => {}
        }
    }
    // Only within the period set (Art. 30): a correction sent later would restart the 20
    // working days by itself and leave the clerk no way to record the lapse (视为放弃);
    // a late one with good reason goes to the office, which may record it.
    let can_correct = d.derived.status == "awaiting_correction"
        && correction
            .as_ref()
            .is_some_and(|c| c.received_on.is_none() && as_of <= c.respond_by);
    let reply = store::replies::latest_for_case(c, id)?.map(|r| {
        let view = super::replies::ReplyView::from(r);
        PublicReply {
            issued_on: view.issued_on,
            doc_number: view.doc_number,
            outcome_label: view.outcome_label,
            text: view.text,
        }
    });
    let received = d.state.receipt.is_some();
    Ok(PublicStatus {
        case_number: l.row.case_number.clone(),
        department_id: l.row.department_id,
        department: l.dept.data.name.clone(),
        status: d.derived.status.clone(),
        submitted_on: l.row.submitted_on,
        received_on: d.state.receipt,
        due_on: received.then_some(d.deadline.due_on).flatten(),
        working_days_remaining: received
            .then_some(d.deadline.working_days_remaining)
            .flatten(),
        steps: if received {
            d.deadline
                .steps
                .iter()
                .map(|s| PublicStep {
                    date: s.date,
                    event: s.event.clone(),
                    effect: s.effect.clone(),
                    article: s.article.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        items: store::cases::items(c, id)?,
        correction,
        can_correct,
        reply,
    })
}

/// Looks an application up by its query code.
pub fn lookup(ctx: &Ctx, client: Option<&str>, code: &str) -> OpResult<PublicStatus> {
    limit(ctx, "lookup", client, LOOKUP_LIMIT)?;
    ctx.read(|c| {
        let id = case_of(c, code)?;
        status_of(c, ctx, id, ctx.today())
    })
}

/// The applicant answers a 补正 request online: `correction_received` dated today, through
/// the case-change sequence (its rules, audit record and mail); the text sent is kept in
/// the audit record and any files as attachments.
pub fn correct(
    ctx: &Ctx,
    client: Option<&str>,
    code: &str,
    text: &str,
    files: Vec<FileIn>,
) -> OpResult<PublicStatus> {
    limit(ctx, "lookup", client, LOOKUP_LIMIT)?;
    let mut e = FieldErrors::default();
    let text = required_text(&mut e, "text", text, 3000);
    if files.len() > MAX_FILES {
        e.add("files", format!("最多上传{MAX_FILES}个附件"));
    }
    let mut checked = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match super::case_files::checked_file(
            &f.kind,
            &f.file_name,
            &f.content,
            MAX_FILE_BYTES,
            &format!("files[{i}]"),
        ) {
            Ok(file) => checked.push(file),
            Err(OpError::Invalid(fe)) => e.0.extend(fe.0),
            Err(other) => return Err(other),
        }
    }
    let text = e.finish(text)?.unwrap_or_default();
    let today = ctx.today();
    ctx.write(|c| {
        let id = case_of(c, code)?;
        let actor = portal(c)?;
        let version = store::cases::find(c, id)?
            .ok_or(OpError::NotFound("查询码对应的申请"))?
            .version;
        let status = status_of(c, ctx, id, today)?;
        if !status.can_correct {
            if let Some(cr) = status.correction.as_ref().filter(|cr| {
                status.status == "awaiting_correction" && cr.received_on.is_none()
            }) {
                return Err(OpError::conflict(
                    "correction_period_ended",
                    format!(
                        "补正期限已于{}届满，不能再在线提交补正（《条例》第三十条）；有正当理由的，请与受理机关联系",
                        cr.respond_by
                    ),
                ));
            }
            return Err(OpError::conflict(
                "no_correction_pending",
                "该申请目前没有待补正的事项",
            ));
        }
        let event = CaseEvent::CorrectionReceived { date: today };
        change_case(c, ctx, &actor, id, version, false, |_, before| {
            super::cases::event_allowed(&actor, &before.row, &before.derivation, &event, today)?;
            Ok(Change {
                action: "event:correction_received".into(),
                audit: Some(serde_json::json!({
                    "type": "correction_received", "date": today,
                    "channel": "online", "text": text,
                })),
                event: Some(event.clone()),
                mail: None,
                value: (),
            })
        })?;
        for file in &checked {
            super::case_files::store_attachment(c, ctx, actor.user_id, id, file)?;
        }
        status_of(c, ctx, id, today)
    })
}

/// The issued reply behind a code, with the issuing department's name (for the letter).
pub fn reply_letter(
    ctx: &Ctx,
    client: Option<&str>,
    code: &str,
) -> OpResult<(String, String, PublicReply)> {
    let status = lookup(ctx, client, code)?;
    let reply = status
        .reply
        .ok_or_else(|| OpError::conflict("no_reply", "答复书尚未发出：发出后可在此阅读和下载"))?;
    Ok((status.department, status.case_number, reply))
}

/// The 指南 of a department (Art. 12): its own settings, as letters and mails use them.
#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    pub department_id: i64,
    pub name: String,
    /// The OGI office (工作机构): its own name if set, else the department's.
    pub office_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_hours: Option<String>,
    pub fax: Option<String>,
    pub fee_method: &'static str,
    pub fee_label: &'static str,
}

pub fn guide(ctx: &Ctx, id: i64) -> OpResult<Guide> {
    ctx.read(|c| {
        let d = store::departments::find(c, id)?.ok_or(OpError::NotFound("机关"))?;
        let method = d.data.rules.fee_method;
        Ok(Guide {
            department_id: d.id,
            office_name: d.data.office_name.unwrap_or_else(|| d.data.name.clone()),
            name: d.data.name,
            address: d.data.address,
            phone: d.data.phone,
            office_hours: d.data.office_hours,
            fax: d.data.fax,
            fee_method: method.as_str(),
            fee_label: fee_label(method),
        })
    })
}

fn fee_label(m: crate::domain::fee::FeeMethod) -> &'static str {
    use crate::domain::fee::FeeMethod as F;
    match m {
        F::None => "不收取信息处理费。",
        F::ByCount => {
            "按件计收信息处理费（国办函〔2020〕109号）：同一申请人一个自然月内申请超过10件的，超出部分按件收费；需要收费的，将书面通知金额和缴费方式，您可在收到通知次日起20个工作日内缴纳，逾期未缴视为放弃申请。"
        }
        F::ByVolume => {
            "按量计收信息处理费（国办函〔2020〕109号）：一件申请答复的页数超过30页的，超出部分按页收费；需要收费的，将书面通知金额和缴费方式，您可在收到通知次日起20个工作日内缴纳，逾期未缴视为放弃申请。"
        }
    }
}

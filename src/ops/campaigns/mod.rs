//! Test-applicant campaigns (模拟用户实测, RULES.md §7): create and read campaigns, add their
//! targets, registered letters, the replies as received and phone checks, import the
//! evaluators' sheet (`import`) and build the report (`report`). Auditors and admins only:
//! clerks and supervisors never see campaign data.
//!
//! Every change writes one action-log record on the campaign's chain (`campaign:{id}`) in its
//! transaction (a sheet import one per write it makes, then `sheet_imported`), and
//! `cross_check` holds the stored facts to what the chain recorded. Only facts are stored;
//! due dates and grades are derived on every read (`view`), so an imported calendar year
//! corrects every campaign.

mod cross_check;
mod import;
mod link;
mod report;
mod scorecard;
mod view;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

pub use cross_check::cross_check;
pub use import::{ImportCell, ImportSummary, MAX_IMPORT_BYTES, import, import_cell};
pub use link::{TargetDepartmentIn, department_scores, set_target_department};
pub use report::{ReportCampaign, ReportView, report, workbook};
pub use scorecard::{DepartmentRef, ScoreCard, scorecard};
pub use view::{
    CampaignSummary, CampaignView, Counts, Due, LetterView, PhoneView, ReplyView, TargetView,
};

use self::view::{
    campaign_summary, china_date, find_campaign, load, local_to_utc, phone_view, reply_view,
    target_view,
};
use super::{Ctx, Logged, OpError, OpResult, log_actions, require};
use crate::auth::{Actor, Role};
use crate::domain::calendar::RegionCode;
use crate::domain::campaign::{
    self, Channel, Citation, DEFAULT_PASS_THRESHOLD, DEFAULT_STATUTORY_DAYS, Rubric,
};
use crate::domain::compliance::Remedy;
use crate::domain::validation::{FieldErrors, optional_text, required_text};
use crate::store::campaigns::{NewCampaign, NewLetter, NewReply, NewTarget};
use crate::store::{self, DbConnection};

/// Who may see and change campaigns.
pub const ROLES: &[Role] = &[Role::Auditor, Role::Admin];
/// Longest statutory period a campaign may use (20 + a 20-day extension, with room).
const MAX_STATUTORY_DAYS: u32 = 60;

/// Appends records to the campaign's action-log chain, in order.
fn log_all(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    campaign_id: i64,
    records: &[Logged],
) -> OpResult<()> {
    log_actions(
        ctx,
        c,
        Some(actor),
        &format!("campaign:{campaign_id}"),
        records,
    )
}

/// Appends one record to the campaign's action-log chain.
fn log<B: Serialize, A: Serialize>(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    campaign_id: i64,
    action: &'static str,
    before: Option<&B>,
    after: &A,
) -> OpResult<()> {
    log_all(
        ctx,
        c,
        actor,
        campaign_id,
        &[Logged::of(action, before, after)?],
    )
}

// ---------------------------------------------------------------------------------------------
// Input

/// A new campaign.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    pub name: String,
    pub region: String,
    pub statutory_days: Option<u32>,
    pub cutoff_on: NaiveDate,
    pub pass_threshold: Option<f64>,
    pub rubric: Option<Rubric>,
}

fn parse_campaign(input: CampaignIn, actor: i64) -> OpResult<NewCampaign> {
    let mut e = FieldErrors::default();
    let name = required_text(&mut e, "name", &input.name, 200);
    let region = parse_region(&mut e, "region", Some(&input.region));
    let days = input.statutory_days.unwrap_or(DEFAULT_STATUTORY_DAYS);
    if !(1..=MAX_STATUTORY_DAYS).contains(&days) {
        e.add(
            "statutory_days",
            format!("应为1至{MAX_STATUTORY_DAYS}个工作日"),
        );
    }
    let threshold = input.pass_threshold.unwrap_or(DEFAULT_PASS_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        e.add("pass_threshold", "合格线应为0到1之间的小数（如0.6表示60%）");
    }
    let rubric = input.rubric.unwrap_or_default();
    if rubric.letter_max() == 0 && rubric.phone_connected == 0 {
        e.add("rubric", "评分规则的分值不能全部为0");
    }
    let (Some(name), Some(region), true) = (name, region, e.is_empty()) else {
        return Err(e.into());
    };
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a fraction in [0, 1] times 10 000 fits an i32"
    )]
    let pass_threshold_bp = (threshold * 10_000.0).round() as i32;
    Ok(NewCampaign {
        name,
        region: region.as_str().to_owned(),
        statutory_days: i32::try_from(days).unwrap_or(DEFAULT_STATUTORY_DAYS as i32),
        cutoff_on: input.cutoff_on,
        pass_threshold_bp,
        rubric: serde_json::to_string(&rubric).map_err(OpError::internal)?,
        created_by: actor,
    })
}

fn parse_region(e: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<RegionCode> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match RegionCode::parse(raw) {
        Ok(r) => Some(r),
        Err(err) => {
            e.add(field, err.to_string());
            None
        }
    }
}

/// An evaluated unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetIn {
    pub name: String,
    pub category: String,
    pub region: Option<String>,
}

/// Checks a unit; `p` prefixes field names (`rows[3].` in the import).
fn parse_target(e: &mut FieldErrors, p: &str, input: &TargetIn) -> Option<NewTarget> {
    let f = |name: &str| format!("{p}{name}");
    let name = required_text(e, &f("name"), &input.name, 200);
    let category = required_text(e, &f("category"), &input.category, 50);
    if category.as_deref() == Some(campaign::ALL) {
        e.add(
            f("category"),
            "“all”是保留字，表示全部类别，不能用作单位类别",
        );
    }
    let region = parse_region(e, &f("region"), input.region.as_deref());
    Some(NewTarget {
        name: name?,
        category: category.filter(|c| c != campaign::ALL)?,
        region: region.map(|r| r.as_str().to_owned()),
    })
}

/// A letter's own fields (the target is resolved by the caller).
#[derive(Debug, Clone)]
struct LetterFields {
    channel: Channel,
    sent_on: NaiveDate,
    tracking_number: Option<String>,
    signed_on: Option<NaiveDate>,
}

fn parse_letter(
    e: &mut FieldErrors,
    p: &str,
    channel: &str,
    sent_on: NaiveDate,
    tracking_number: Option<&str>,
    signed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<LetterFields> {
    let f = |name: &str| format!("{p}{name}");
    let parsed = Channel::parse(channel);
    if parsed.is_none() {
        e.add(
            f("channel"),
            "取值应为：regular（正常渠道）| irregular（非正常渠道）",
        );
    }
    check_letter_dates(e, p, sent_on, signed_on, today);
    let tracking_number = optional_text(e, &f("tracking_number"), tracking_number, 64);
    Some(LetterFields {
        channel: parsed?,
        sent_on,
        tracking_number,
        signed_on,
    })
}

fn check_letter_dates(
    e: &mut FieldErrors,
    p: &str,
    sent_on: NaiveDate,
    signed_on: Option<NaiveDate>,
    today: NaiveDate,
) {
    if sent_on > today {
        e.add(format!("{p}sent_on"), "寄出日期不能晚于今天");
    }
    if let Some(s) = signed_on {
        if s < sent_on {
            e.add(format!("{p}signed_on"), "签收日期不能早于寄出日期");
        } else if s > today {
            e.add(format!("{p}signed_on"), "签收日期不能晚于今天");
        }
    }
}

/// A registered letter sent to a target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterIn {
    pub target_id: i64,
    /// `regular` | `irregular` (or 正常渠道 | 非正常渠道).
    pub channel: String,
    pub sent_on: NaiveDate,
    pub tracking_number: Option<String>,
    pub signed_on: Option<NaiveDate>,
}

/// What the post confirms later: the signing date and the tracking number; and the
/// mailing date, when it was mistyped.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterPatch {
    pub sent_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    /// Absent: unchanged; `null`: cleared.
    #[serde(default, deserialize_with = "crate::domain::org::double_option")]
    pub tracking_number: Option<Option<String>>,
}

/// The reply to a letter as the evaluators received it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    pub received_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub doc_date: Option<NaiveDate>,
    pub doc_number: Option<String>,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    #[serde(default)]
    pub legal_basis: Vec<Citation>,
    #[serde(default)]
    pub remedy: Remedy,
}

/// Checks a reply against the letter's signing date; `p` prefixes field names.
fn parse_reply(
    e: &mut FieldErrors,
    p: &str,
    input: &ReplyIn,
    signed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NewReply> {
    let f = |name: &str| format!("{p}{name}");
    let before = e.0.len();
    let Some(signed_on) = signed_on else {
        e.add(
            f("signed_on"),
            "信函没有签收日期，无法登记答复（答复期限自签收之日起算，第三十一条）",
        );
        return None;
    };
    if input.received_on > today {
        e.add(f("received_on"), "收到答复日期不能晚于今天");
    }
    if input.received_on < signed_on {
        e.add(f("received_on"), "收到答复日期不能早于签收日期");
    }
    for (field, date, label) in [
        ("dispatched_on", input.dispatched_on, "邮戳日期"),
        ("doc_date", input.doc_date, "成文日期"),
    ] {
        if let Some(d) = date {
            if d > input.received_on {
                e.add(f(field), format!("{label}不能晚于收到答复日期"));
            } else if d < signed_on {
                e.add(f(field), format!("{label}不能早于签收日期"));
            }
        }
    }
    let doc_number = optional_text(e, &f("doc_number"), input.doc_number.as_deref(), 100);
    let seal_organ = optional_text(e, &f("seal_organ"), input.seal_organ.as_deref(), 200);
    if input.legal_basis.len() > 20 {
        e.add(f("legal_basis"), "法律依据最多20条");
    }
    for (i, c) in input.legal_basis.iter().enumerate() {
        for (name, value) in [
            ("law", Some(c.law.as_str())),
            ("article", c.article.as_deref()),
            ("paragraph", c.paragraph.as_deref()),
            ("item", c.item.as_deref()),
        ] {
            if value.is_some_and(|v| v.chars().count() > 200) {
                e.add(f(&format!("legal_basis[{i}].{name}")), "不能超过200个字符");
            }
        }
    }
    if e.0.len() > before {
        return None;
    }
    Some(NewReply {
        received_on: input.received_on,
        dispatched_on: input.dispatched_on,
        doc_date: input.doc_date,
        doc_number,
        sealed: input.sealed,
        seal_organ,
        legal_basis: serde_json::to_string(&input.legal_basis).unwrap_or_else(|_| "[]".into()),
        remedy: serde_json::to_string(&input.remedy).unwrap_or_else(|_| "{}".into()),
    })
}

/// One call to a target's published OGI number.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneIn {
    pub target_id: i64,
    /// RFC 3339 with an offset, or a local time (China Standard Time) without one.
    pub called_at: String,
    pub connected: bool,
}

fn parse_called_at(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc).naive_utc());
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(raw, fmt).ok())
    .map(local_to_utc)
}

fn target_exists(c: &mut DbConnection, campaign_id: i64, target_id: i64) -> OpResult<()> {
    store::campaigns::find_target(c, campaign_id, target_id)?
        .map(drop)
        .ok_or_else(|| OpError::field("target_id", "本次评估中没有该评估对象"))
}

fn unique_violation(err: diesel::result::Error, message: &str) -> OpError {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            OpError::conflict("audit_target_exists", message)
        }
        other => super::error::on_insert(other),
    }
}

// ---------------------------------------------------------------------------------------------
// Actions

/// Creates a campaign (`campaign_created`).
pub fn create(ctx: &Ctx, actor: &Actor, input: CampaignIn) -> OpResult<CampaignSummary> {
    require(actor, ROLES)?;
    let new = parse_campaign(input, actor.user_id)?;
    ctx.write_retry(|c| {
        let row = store::campaigns::insert_campaign(c, &new)?;
        let out = campaign_summary(c, row)?;
        log(ctx, c, actor, out.id, "campaign_created", None::<&()>, &out)?;
        Ok(out)
    })
}

/// Every campaign, newest first.
pub fn list(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<CampaignSummary>> {
    require(actor, ROLES)?;
    ctx.snapshot(|c| {
        store::campaigns::campaigns(c)?
            .into_iter()
            .map(|row| campaign_summary(c, row))
            .collect()
    })
}

/// One campaign with its targets, graded letters and phone checks.
pub fn get(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<CampaignView> {
    require(actor, ROLES)?;
    let today = ctx.today();
    ctx.snapshot(|c| {
        let calendars = ctx.calendars(c)?;
        let loaded = load(c, &calendars, id, today)?;
        let letters = loaded
            .letters
            .iter()
            .map(|l| loaded.letter_view(l))
            .collect::<OpResult<Vec<_>>>()?;
        Ok(CampaignView {
            as_of: loaded.as_of,
            targets: loaded
                .targets
                .iter()
                .map(|t| target_view(t, loaded.region.as_str()))
                .collect(),
            letters,
            phone_checks: loaded.phones.iter().map(phone_view).collect(),
            campaign: campaign_summary(c, loaded.row.clone())?,
        })
    })
}

/// Adds an evaluated unit (`target_added`).
pub fn add_target(ctx: &Ctx, actor: &Actor, id: i64, input: TargetIn) -> OpResult<TargetView> {
    require(actor, ROLES)?;
    let mut e = FieldErrors::default();
    let new = parse_target(&mut e, "", &input);
    let (Some(new), true) = (new, e.is_empty()) else {
        return Err(e.into());
    };
    ctx.write_retry(|c| {
        let campaign = find_campaign(c, id)?;
        let row = store::campaigns::insert_target(c, id, &new)
            .map_err(|err| unique_violation(err, "本次评估已有同名的评估对象"))?;
        log(ctx, c, actor, id, "target_added", None::<&()>, &row)?;
        Ok(target_view(&row, &campaign.region))
    })
}

/// Records a letter sent to a target (`letter_added`).
pub fn add_letter(ctx: &Ctx, actor: &Actor, id: i64, input: LetterIn) -> OpResult<LetterView> {
    require(actor, ROLES)?;
    let today = ctx.today();
    let mut e = FieldErrors::default();
    let fields = parse_letter(
        &mut e,
        "",
        &input.channel,
        input.sent_on,
        input.tracking_number.as_deref(),
        input.signed_on,
        today,
    );
    let (Some(fields), true) = (fields, e.is_empty()) else {
        return Err(e.into());
    };
    ctx.write_retry(|c| {
        let calendars = ctx.calendars(c)?;
        find_campaign(c, id)?;
        target_exists(c, id, input.target_id)?;
        let row = store::campaigns::insert_letter(
            c,
            id,
            &NewLetter {
                target_id: input.target_id,
                channel: fields.channel,
                sent_on: fields.sent_on,
                tracking_number: fields.tracking_number.clone(),
                signed_on: fields.signed_on,
            },
            actor.user_id,
        )?;
        log(ctx, c, actor, id, "letter_added", None::<&()>, &row)?;
        load(c, &calendars, id, today)?.letter_view(&row)
    })
}

/// What a letter patch may change, for the log.
#[derive(Serialize)]
struct PostalFacts<'a> {
    letter_id: i64,
    sent_on: NaiveDate,
    signed_on: Option<NaiveDate>,
    tracking_number: Option<&'a str>,
}

/// Records a signing date or tracking number the post confirmed later, or corrects the
/// mailing date (`letter_updated`).
pub fn patch_letter(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    letter_id: i64,
    input: LetterPatch,
) -> OpResult<LetterView> {
    require(actor, ROLES)?;
    let today = ctx.today();
    ctx.write_retry(|c| {
        let calendars = ctx.calendars(c)?;
        find_campaign(c, id)?;
        let letter =
            store::campaigns::find_letter(c, id, letter_id)?.ok_or(OpError::NotFound("信函"))?;
        let sent_on = input.sent_on.unwrap_or(letter.sent_on);
        let signed_on = input.signed_on.or(letter.signed_on);
        if letter.signed_on.is_some()
            && signed_on != letter.signed_on
            && store::campaigns::find_reply(c, letter_id)?.is_some()
        {
            return Err(OpError::conflict(
                "letter_has_reply",
                "该信函已登记答复，签收日期不能再修改（答复的及时性以签收日期为准）",
            ));
        }
        let tracking = match &input.tracking_number {
            Some(t) => t.as_deref(),
            None => letter.tracking_number.as_deref(),
        };
        let mut e = FieldErrors::default();
        check_letter_dates(&mut e, "", sent_on, signed_on, today);
        let tracking = optional_text(&mut e, "tracking_number", tracking, 64);
        if !e.is_empty() {
            return Err(e.into());
        }
        store::campaigns::update_letter(c, letter_id, sent_on, signed_on, tracking.as_deref())?;
        let before = PostalFacts {
            letter_id,
            sent_on: letter.sent_on,
            signed_on: letter.signed_on,
            tracking_number: letter.tracking_number.as_deref(),
        };
        let after = PostalFacts {
            letter_id,
            sent_on,
            signed_on,
            tracking_number: tracking.as_deref(),
        };
        log(ctx, c, actor, id, "letter_updated", Some(&before), &after)?;
        let row =
            store::campaigns::find_letter(c, id, letter_id)?.ok_or(OpError::NotFound("信函"))?;
        load(c, &calendars, id, today)?.letter_view(&row)
    })
}

/// The reply of a letter, for the log.
#[derive(Serialize)]
struct LoggedReply {
    letter_id: i64,
    #[serde(flatten)]
    reply: ReplyView,
}

/// Records the reply to a signed letter, replacing an earlier one (`reply_recorded`).
pub fn put_reply(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    letter_id: i64,
    input: ReplyIn,
) -> OpResult<LetterView> {
    require(actor, ROLES)?;
    let today = ctx.today();
    ctx.write_retry(|c| {
        let calendars = ctx.calendars(c)?;
        find_campaign(c, id)?;
        let letter =
            store::campaigns::find_letter(c, id, letter_id)?.ok_or(OpError::NotFound("信函"))?;
        if letter.signed_on.is_none() {
            return Err(OpError::conflict(
                "letter_not_signed",
                "信函没有签收日期，无法登记答复（答复期限自签收之日起算，第三十一条）",
            ));
        }
        let mut e = FieldErrors::default();
        let new = parse_reply(&mut e, "", &input, letter.signed_on, today);
        let (Some(new), true) = (new, e.is_empty()) else {
            return Err(e.into());
        };
        let logged = store_reply(c, actor, letter_id, &new)?;
        log_all(ctx, c, actor, id, &[logged])?;
        load(c, &calendars, id, today)?.letter_view(&letter)
    })
}

/// Stores a reply; returns its log record, with the reply it replaces.
fn store_reply(
    c: &mut DbConnection,
    actor: &Actor,
    letter_id: i64,
    new: &NewReply,
) -> OpResult<Logged> {
    let before = store::campaigns::find_reply(c, letter_id)?
        .map(|r| reply_view(&r))
        .transpose()?
        .map(|reply| LoggedReply { letter_id, reply });
    let row = store::campaigns::put_reply(c, letter_id, new, actor.user_id)?;
    let after = LoggedReply {
        letter_id,
        reply: reply_view(&row)?,
    };
    Logged::of("reply_recorded", before.as_ref(), &after)
}

/// Records one call to a target's OGI number (`phone_check_added`).
pub fn add_phone_check(ctx: &Ctx, actor: &Actor, id: i64, input: PhoneIn) -> OpResult<PhoneView> {
    require(actor, ROLES)?;
    let called_at = parse_called_at(&input.called_at).ok_or_else(|| {
        OpError::field(
            "called_at",
            "时间格式应为 RFC 3339（如 2020-11-16T09:30:00+08:00），或不带时区的北京时间（如 2020-11-16 09:30）",
        )
    })?;
    if china_date(called_at) > ctx.today() {
        return Err(OpError::field("called_at", "拨打时间不能晚于今天"));
    }
    ctx.write_retry(|c| {
        find_campaign(c, id)?;
        target_exists(c, id, input.target_id)?;
        let row = store::campaigns::insert_phone_check(
            c,
            id,
            input.target_id,
            called_at,
            input.connected,
            actor.user_id,
        )?;
        log(ctx, c, actor, id, "phone_check_added", None::<&()>, &row)?;
        Ok(phone_view(&row))
    })
}

//! Test-applicant mail audits (模拟用户实测, RULES.md §7): campaigns, their targets, registered
//! letters, the replies as received, phone checks, a CSV import of the evaluators' sheet, and
//! the report (JSON or .xlsx). Auditors and admins only: clerks and supervisors never see
//! audit data.
//!
//! Only facts are stored. Every read recomputes due dates on the calendars in force (the
//! target's region, else the campaign's; the signing day is the receipt day, Art. 31, and is
//! not counted) and grades with `domain::audit` as of the cut-off — or today, while the cut-off
//! is still ahead.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::calendar_error;
use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx};
use super::to_json;
use crate::auth::Role;
use crate::domain::audit::{
    self, AuditInput, AuditReport, Campaign, Channel, Citation, DEFAULT_PASS_THRESHOLD,
    DEFAULT_STATUTORY_DAYS, Letter, LetterStatus, PhoneCheck, ReplyRecord, Rubric, Target,
};
use crate::domain::calendar::{CalendarSet, RegionCode};
use crate::domain::compliance::{Finding, LitigationRoute, ReconsiderationRoute, Remedy};
use crate::domain::validation::{FieldErrors, optional_text, required_text};
use crate::report::tabular::{self, Cell, Table};
use crate::store::audits::{
    CampaignRow, LetterRow, NewCampaign, NewLetter, NewReply, NewTarget, PhoneRow, ReplyRow,
    TargetRow,
};
use crate::store::{self, DbConnection};

const ROLES: &[Role] = &[Role::Auditor, Role::Admin];
/// Longest statutory period a campaign may use (20 + a 20-day extension, with room).
const MAX_STATUTORY_DAYS: u32 = 60;
/// Largest CSV accepted by the import.
const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
const MAX_IMPORT_ROWS: usize = 20_000;
/// China Standard Time, for the day a phone call was made.
const CST_HOURS: i64 = 8;
const DUE_RULE: &str = "《政府信息公开条例》第三十一条第（二）项：以签收之日为收到申请之日；第三十三条第二款：自收到申请之日起按评估活动的法定工作日数（默认20个工作日）计算答复期限，签收当日不计入（民法典第二百零一条），按评估对象所在地区的工作日历计算";

// ---------------------------------------------------------------------------------------------
// Parsing raw input

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    name: String,
    region: String,
    statutory_days: Option<u32>,
    cutoff_on: NaiveDate,
    pass_threshold: Option<f64>,
    rubric: Option<Rubric>,
}

fn parse_campaign(input: CampaignIn, actor: i64) -> Result<NewCampaign, ApiError> {
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
        rubric: to_json(&rubric),
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetIn {
    name: String,
    category: String,
    region: Option<String>,
}

fn parse_target(e: &mut FieldErrors, p: &str, input: &TargetIn) -> Option<NewTarget> {
    let f = |name: &str| format!("{p}{name}");
    let name = required_text(e, &f("name"), &input.name, 200);
    let category = required_text(e, &f("category"), &input.category, 50);
    if category.as_deref() == Some(audit::ALL) {
        e.add(
            f("category"),
            "“all”是保留字，表示全部类别，不能用作单位类别",
        );
    }
    let region = parse_region(e, &f("region"), input.region.as_deref());
    Some(NewTarget {
        name: name?,
        category: category.filter(|c| c != audit::ALL)?,
        region: region.map(|r| r.as_str().to_owned()),
    })
}

fn parse_channel(raw: &str) -> Option<Channel> {
    match raw.trim() {
        "regular" | "正常渠道" => Some(Channel::Regular),
        "irregular" | "非正常渠道" => Some(Channel::Irregular),
        _ => None,
    }
}

fn channel_code(channel: Channel) -> &'static str {
    match channel {
        Channel::Regular => "regular",
        Channel::Irregular => "irregular",
    }
}

/// A letter's own fields (the target is resolved by the caller).
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
    let parsed = parse_channel(channel);
    if parsed.is_none() {
        e.add(
            f("channel"),
            "取值应为：regular（正常渠道）| irregular（非正常渠道）",
        );
    }
    if sent_on > today {
        e.add(f("sent_on"), "寄出日期不能晚于今天");
    }
    if let Some(s) = signed_on {
        if s < sent_on {
            e.add(f("signed_on"), "签收日期不能早于寄出日期");
        } else if s > today {
            e.add(f("signed_on"), "签收日期不能晚于今天");
        }
    }
    let tracking_number = optional_text(e, &f("tracking_number"), tracking_number, 64);
    Some(LetterFields {
        channel: parsed?,
        sent_on,
        tracking_number,
        signed_on,
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    received_on: NaiveDate,
    dispatched_on: Option<NaiveDate>,
    doc_date: Option<NaiveDate>,
    doc_number: Option<String>,
    sealed: bool,
    seal_organ: Option<String>,
    #[serde(default)]
    legal_basis: Vec<Citation>,
    #[serde(default)]
    remedy: Remedy,
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
        legal_basis: to_json(&input.legal_basis),
        remedy: to_json(&input.remedy),
    })
}

/// `called_at`: RFC 3339 with an offset, or a local time (China Standard Time) without one.
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
    .map(|local| local - chrono::Duration::hours(CST_HOURS))
}

fn china_date(utc: NaiveDateTime) -> NaiveDate {
    (utc + chrono::Duration::hours(CST_HOURS)).date()
}

fn unique_violation(err: diesel::result::Error, field: &str, message: &str) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            let mut e = ApiError::conflict("audit_target_exists", message.to_owned());
            let mut fields = FieldErrors::default();
            fields.add(field, message);
            e.fields = Some(fields.0);
            e
        }
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Loading a campaign and deriving what the facts imply

/// A campaign's facts with the derived due dates, ready for the domain.
struct Loaded {
    row: CampaignRow,
    rubric: Rubric,
    region: RegionCode,
    /// The date the report judges as of: the cut-off, or today while it is ahead.
    as_of: NaiveDate,
    targets: Vec<TargetRow>,
    letters: Vec<LetterRow>,
    replies: HashMap<i64, ReplyRow>,
    phones: Vec<PhoneRow>,
    dues: HashMap<i64, Due>,
}

#[derive(Debug, Clone, Serialize)]
struct Due {
    on: NaiveDate,
    provisional: bool,
    provisional_reasons: Vec<String>,
    calendar: String,
}

fn stored_region(raw: &str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(raw).map_err(|e| ApiError::internal(format!("stored region {raw}: {e}")))
}

/// The region whose calendar a target's letters use.
fn target_region(target: &TargetRow, campaign: &RegionCode) -> Result<RegionCode, ApiError> {
    match &target.region {
        Some(r) => stored_region(r),
        None => Ok(campaign.clone()),
    }
}

/// The statutory_days-th working day after signing, on the region's calendar.
fn due_on(
    calendars: &CalendarSet,
    region: &RegionCode,
    signed_on: NaiveDate,
    days: i32,
) -> Result<Due, ApiError> {
    let calendar = calendars.calendar(Some(region));
    let r = calendar
        .add_working_days(
            signed_on,
            u32::try_from(days).unwrap_or(DEFAULT_STATUTORY_DAYS),
        )
        .map_err(calendar_error)?;
    Ok(Due {
        on: r.value,
        provisional: r.provisional,
        provisional_reasons: r.provisional_reasons,
        calendar: calendar.label(),
    })
}

fn rubric_of(row: &CampaignRow) -> Result<Rubric, ApiError> {
    serde_json::from_str(&row.rubric)
        .map_err(|e| ApiError::internal(format!("campaign {} rubric: {e}", row.id)))
}

fn find_campaign(c: &mut DbConnection, id: i64) -> Result<CampaignRow, ApiError> {
    store::audits::find_campaign(c, id)?.ok_or_else(|| ApiError::not_found("评估活动"))
}

fn load(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    id: i64,
    today: NaiveDate,
) -> Result<Loaded, ApiError> {
    let row = find_campaign(c, id)?;
    let rubric = rubric_of(&row)?;
    let region = stored_region(&row.region)?;
    let targets = store::audits::targets(c, id)?;
    let letters = store::audits::letters(c, id)?;
    let replies = store::audits::replies(c, id)?
        .into_iter()
        .map(|r| (r.letter_id, r))
        .collect();
    let phones = store::audits::phone_checks(c, id)?;
    let regions: HashMap<i64, RegionCode> = targets
        .iter()
        .map(|t| Ok((t.id, target_region(t, &region)?)))
        .collect::<Result<_, ApiError>>()?;
    let mut dues = HashMap::new();
    for l in &letters {
        if let (Some(signed_on), Some(r)) = (l.signed_on, regions.get(&l.target_id)) {
            dues.insert(l.id, due_on(calendars, r, signed_on, row.statutory_days)?);
        }
    }
    Ok(Loaded {
        as_of: row.cutoff_on.min(today),
        row,
        rubric,
        region,
        targets,
        letters,
        replies,
        phones,
        dues,
    })
}

fn reply_record(r: &ReplyRow) -> Result<ReplyRecord, ApiError> {
    let json_err = |e: serde_json::Error| {
        ApiError::internal(format!("audit reply of letter {}: {e}", r.letter_id))
    };
    Ok(ReplyRecord {
        received_on: r.received_on,
        dispatched_on: r.dispatched_on,
        doc_date: r.doc_date,
        doc_number: r.doc_number.clone(),
        sealed: r.sealed,
        seal_organ: r.seal_organ.clone(),
        legal_basis: serde_json::from_str(&r.legal_basis).map_err(json_err)?,
        remedy: serde_json::from_str(&r.remedy).map_err(json_err)?,
    })
}

fn stored_channel(raw: &str) -> Result<Channel, ApiError> {
    parse_channel(raw).ok_or_else(|| ApiError::internal(format!("stored channel {raw}")))
}

impl Loaded {
    fn pass_threshold(&self) -> f64 {
        f64::from(self.row.pass_threshold_bp) / 10_000.0
    }

    /// The domain's view: ids as strings, the cut-off replaced by `as_of`.
    fn domain_campaign(&self) -> Campaign {
        Campaign {
            statutory_days: u32::try_from(self.row.statutory_days)
                .unwrap_or(DEFAULT_STATUTORY_DAYS),
            cutoff_on: self.as_of,
            pass_threshold: self.pass_threshold(),
            rubric: self.rubric,
        }
    }

    fn domain_letter(&self, l: &LetterRow) -> Result<Letter, ApiError> {
        Ok(Letter {
            id: l.id.to_string(),
            target_id: l.target_id.to_string(),
            channel: stored_channel(&l.channel)?,
            tracking_number: l.tracking_number.clone(),
            sent_on: l.sent_on,
            signed_on: l.signed_on,
            due_on: self.dues.get(&l.id).map(|d| d.on),
            reply: self.replies.get(&l.id).map(reply_record).transpose()?,
        })
    }

    fn input(&self) -> Result<AuditInput, ApiError> {
        Ok(AuditInput {
            campaign: self.domain_campaign(),
            targets: self
                .targets
                .iter()
                .map(|t| Target {
                    id: t.id.to_string(),
                    name: t.name.clone(),
                    category: t.category.clone(),
                })
                .collect(),
            letters: self
                .letters
                .iter()
                .map(|l| self.domain_letter(l))
                .collect::<Result<_, _>>()?,
            phone_checks: self
                .phones
                .iter()
                .map(|p| PhoneCheck {
                    target_id: p.target_id.to_string(),
                    called_on: Some(china_date(p.called_at)),
                    connected: p.connected,
                })
                .collect(),
        })
    }

    fn report(&self) -> Result<AuditReport, ApiError> {
        self.input()?
            .report()
            .map_err(|e| ApiError::unprocessable("audit_inconsistent", e.to_string()))
    }

    fn target(&self, id: i64) -> Option<&TargetRow> {
        self.targets.iter().find(|t| t.id == id)
    }

    fn letter_out(&self, l: &LetterRow) -> Result<LetterOut, ApiError> {
        let letter = self.domain_letter(l)?;
        let grade = audit::grade_letter(&letter, &self.domain_campaign())
            .map_err(|e| ApiError::unprocessable("audit_inconsistent", e.to_string()))?;
        let unit = self.target(l.target_id).map_or("", |t| t.name.as_str());
        let findings = letter
            .reply
            .as_ref()
            .map(|r| audit::check_reply(r, unit, letter.due_on))
            .unwrap_or_default();
        Ok(LetterOut {
            id: l.id,
            target_id: l.target_id,
            channel: channel_code(letter.channel),
            channel_label: letter.channel.label(),
            sent_on: l.sent_on,
            tracking_number: l.tracking_number.clone(),
            signed_on: l.signed_on,
            due_on: self.dues.get(&l.id).map(|d| d.on),
            due: self.dues.get(&l.id).cloned(),
            due_rule: DUE_RULE,
            reply: self.replies.get(&l.id).map(reply_out).transpose()?,
            status: grade.status,
            status_label: grade.status.label(),
            dispatched_on: grade.dispatched_on,
            late_by_days: grade.late_by_days,
            reply_after_cutoff: grade.reply_after_cutoff,
            defects: grade.defects.iter().map(|d| d.code()).collect(),
            findings,
            created_at: l.created_at,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Output shapes

#[derive(Serialize)]
struct CampaignOut {
    id: i64,
    name: String,
    region: String,
    statutory_days: i32,
    cutoff_on: NaiveDate,
    pass_threshold: f64,
    rubric: Rubric,
    created_by: i64,
    created_at: NaiveDateTime,
    counts: Counts,
}

#[derive(Serialize)]
struct Counts {
    targets: i64,
    letters: i64,
    replies: i64,
    phone_checks: i64,
}

fn campaign_out(c: &mut DbConnection, row: CampaignRow) -> Result<CampaignOut, ApiError> {
    let rubric = rubric_of(&row)?;
    let [targets, letters, replies, phone_checks] = store::audits::counts(c, row.id)?;
    Ok(CampaignOut {
        id: row.id,
        name: row.name,
        region: row.region,
        statutory_days: row.statutory_days,
        cutoff_on: row.cutoff_on,
        pass_threshold: f64::from(row.pass_threshold_bp) / 10_000.0,
        rubric,
        created_by: row.created_by,
        created_at: row.created_at,
        counts: Counts {
            targets,
            letters,
            replies,
            phone_checks,
        },
    })
}

#[derive(Serialize)]
struct TargetOut {
    id: i64,
    campaign_id: i64,
    name: String,
    category: String,
    region: Option<String>,
    /// The region whose calendar its letters use.
    calendar_region: String,
    created_at: NaiveDateTime,
}

fn target_out(t: &TargetRow, campaign_region: &str) -> TargetOut {
    TargetOut {
        id: t.id,
        campaign_id: t.campaign_id,
        name: t.name.clone(),
        category: t.category.clone(),
        region: t.region.clone(),
        calendar_region: t
            .region
            .clone()
            .unwrap_or_else(|| campaign_region.to_owned()),
        created_at: t.created_at,
    }
}

#[derive(Serialize)]
struct ReplyOut {
    received_on: NaiveDate,
    dispatched_on: Option<NaiveDate>,
    doc_date: Option<NaiveDate>,
    doc_number: Option<String>,
    sealed: bool,
    seal_organ: Option<String>,
    legal_basis: Vec<Citation>,
    remedy: Remedy,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

fn reply_out(r: &ReplyRow) -> Result<ReplyOut, ApiError> {
    let rec = reply_record(r)?;
    Ok(ReplyOut {
        received_on: r.received_on,
        dispatched_on: r.dispatched_on,
        doc_date: r.doc_date,
        doc_number: r.doc_number.clone(),
        sealed: r.sealed,
        seal_organ: r.seal_organ.clone(),
        legal_basis: rec.legal_basis,
        remedy: rec.remedy,
        recorded_by: r.recorded_by,
        recorded_at: r.recorded_at,
    })
}

#[derive(Serialize)]
struct LetterOut {
    id: i64,
    target_id: i64,
    channel: &'static str,
    channel_label: &'static str,
    sent_on: NaiveDate,
    tracking_number: Option<String>,
    signed_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    /// How the due date was computed: calendar, provisional years.
    due: Option<Due>,
    due_rule: &'static str,
    reply: Option<ReplyOut>,
    /// As of the cut-off (or today, while the cut-off is ahead).
    status: LetterStatus,
    status_label: &'static str,
    dispatched_on: Option<NaiveDate>,
    late_by_days: Option<i64>,
    reply_after_cutoff: bool,
    /// Seed 000's defect kinds (counted in the report).
    defects: Vec<&'static str>,
    /// The compliance checker's findings on the reply.
    findings: Vec<Finding>,
    created_at: NaiveDateTime,
}

#[derive(Serialize)]
struct PhoneOut {
    id: i64,
    target_id: i64,
    called_at: DateTime<Utc>,
    /// The day of the call in China Standard Time, compared with the cut-off.
    called_on: NaiveDate,
    connected: bool,
    created_at: NaiveDateTime,
}

fn phone_out(p: &PhoneRow) -> PhoneOut {
    PhoneOut {
        id: p.id,
        target_id: p.target_id,
        called_at: p.called_at.and_utc(),
        called_on: china_date(p.called_at),
        connected: p.connected,
        created_at: p.created_at,
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

pub async fn create_campaign(
    state: State,
    auth: Auth,
    body: web::Json<CampaignIn>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.require(ROLES)?;
    let new = parse_campaign(body.into_inner(), actor.user_id)?;
    let out = db_tx(&state.pool, move |c| {
        let row = store::audits::insert_campaign(c, &new)?;
        campaign_out(c, row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

pub async fn list_campaigns(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.require(ROLES)?;
    let items = db(&state.pool, move |c| {
        store::audits::campaigns(c)?
            .into_iter()
            .map(|row| campaign_out(c, row))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Serialize)]
struct CampaignView {
    #[serde(flatten)]
    campaign: CampaignOut,
    as_of: NaiveDate,
    targets: Vec<TargetOut>,
    letters: Vec<LetterOut>,
    phone_checks: Vec<PhoneOut>,
}

pub async fn get_campaign(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    auth.require(ROLES)?;
    let id = path.into_inner();
    let today = state.today();
    let st = state.clone();
    let out = db(&state.pool, move |c| {
        let calendars = st.calendars.current(c)?;
        let loaded = load(c, &calendars, id, today)?;
        let letters = loaded
            .letters
            .iter()
            .map(|l| loaded.letter_out(l))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CampaignView {
            as_of: loaded.as_of,
            targets: loaded
                .targets
                .iter()
                .map(|t| target_out(t, loaded.region.as_str()))
                .collect(),
            letters,
            phone_checks: loaded.phones.iter().map(phone_out).collect(),
            campaign: campaign_out(c, loaded.row.clone())?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn add_target(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Json<TargetIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(ROLES)?;
    let id = path.into_inner();
    let mut e = FieldErrors::default();
    let new = parse_target(&mut e, "", &body);
    let (Some(new), true) = (new, e.is_empty()) else {
        return Err(e.into());
    };
    let out = db_tx(&state.pool, move |c| {
        let campaign = find_campaign(c, id)?;
        let row = store::audits::insert_target(c, id, &new)
            .map_err(|err| unique_violation(err, "name", "本次评估已有同名的评估对象"))?;
        Ok(target_out(&row, &campaign.region))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterIn {
    target_id: i64,
    channel: String,
    sent_on: NaiveDate,
    tracking_number: Option<String>,
    signed_on: Option<NaiveDate>,
}

pub async fn add_letter(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Json<LetterIn>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.require(ROLES)?.user_id;
    let id = path.into_inner();
    let today = state.today();
    let input = body.into_inner();
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
    let st = state.clone();
    let out = db_tx(&state.pool, move |c| {
        let calendars = st.calendars.current(c)?;
        find_campaign(c, id)?;
        store::audits::find_target(c, id, input.target_id)?
            .ok_or_else(|| ApiError::field("target_id", "本次评估中没有该评估对象"))?;
        let row = store::audits::insert_letter(
            c,
            id,
            &NewLetter {
                target_id: input.target_id,
                channel: channel_code(fields.channel).to_owned(),
                sent_on: fields.sent_on,
                tracking_number: fields.tracking_number,
                signed_on: fields.signed_on,
            },
            actor,
        )?;
        let loaded = load(c, &calendars, id, today)?;
        loaded.letter_out(&row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// What the post confirms later: the signing date and the tracking number.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterPatch {
    signed_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::domain::org::double_option")]
    tracking_number: Option<Option<String>>,
}

pub async fn patch_letter(
    state: State,
    auth: Auth,
    path: web::Path<(i64, i64)>,
    body: web::Json<LetterPatch>,
) -> Result<HttpResponse, ApiError> {
    auth.require(ROLES)?;
    let (id, letter_id) = path.into_inner();
    let today = state.today();
    let input = body.into_inner();
    let st = state.clone();
    let out = db_tx(&state.pool, move |c| {
        let calendars = st.calendars.current(c)?;
        find_campaign(c, id)?;
        let letter = store::audits::find_letter(c, id, letter_id)?
            .ok_or_else(|| ApiError::not_found("信函"))?;
        let signed_on = input.signed_on.or(letter.signed_on);
        if letter.signed_on.is_some()
            && signed_on != letter.signed_on
            && store::audits::find_reply(c, letter_id)?.is_some()
        {
            return Err(ApiError::conflict(
                "letter_has_reply",
                "该信函已登记答复，签收日期不能再修改（答复的及时性以签收日期为准）",
            ));
        }
        let tracking = match &input.tracking_number {
            Some(t) => t.as_deref(),
            None => letter.tracking_number.as_deref(),
        };
        let mut e = FieldErrors::default();
        let fields = parse_letter(
            &mut e,
            "",
            &letter.channel,
            letter.sent_on,
            tracking,
            signed_on,
            today,
        );
        let (Some(fields), true) = (fields, e.is_empty()) else {
            return Err(e.into());
        };
        store::audits::update_letter(
            c,
            letter_id,
            fields.signed_on,
            fields.tracking_number.as_deref(),
        )?;
        let row = store::audits::find_letter(c, id, letter_id)?
            .ok_or_else(|| ApiError::not_found("信函"))?;
        let loaded = load(c, &calendars, id, today)?;
        loaded.letter_out(&row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn put_reply(
    state: State,
    auth: Auth,
    path: web::Path<(i64, i64)>,
    body: web::Json<ReplyIn>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.require(ROLES)?.user_id;
    let (id, letter_id) = path.into_inner();
    let today = state.today();
    let input = body.into_inner();
    let st = state.clone();
    let out = db_tx(&state.pool, move |c| {
        let calendars = st.calendars.current(c)?;
        find_campaign(c, id)?;
        let letter = store::audits::find_letter(c, id, letter_id)?
            .ok_or_else(|| ApiError::not_found("信函"))?;
        if letter.signed_on.is_none() {
            return Err(ApiError::conflict(
                "letter_not_signed",
                "信函没有签收日期，无法登记答复（答复期限自签收之日起算，第三十一条）",
            ));
        }
        let mut e = FieldErrors::default();
        let new = parse_reply(&mut e, "", &input, letter.signed_on, today);
        let (Some(new), true) = (new, e.is_empty()) else {
            return Err(e.into());
        };
        store::audits::put_reply(c, letter_id, &new, actor)?;
        let loaded = load(c, &calendars, id, today)?;
        loaded.letter_out(&letter)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneIn {
    target_id: i64,
    called_at: String,
    connected: bool,
}

pub async fn add_phone_check(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Json<PhoneIn>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.require(ROLES)?.user_id;
    let id = path.into_inner();
    let input = body.into_inner();
    let called_at = parse_called_at(&input.called_at).ok_or_else(|| {
        ApiError::field(
            "called_at",
            "时间格式应为 RFC 3339（如 2020-11-16T09:30:00+08:00），或不带时区的北京时间（如 2020-11-16 09:30）",
        )
    })?;
    if china_date(called_at) > state.today() {
        return Err(ApiError::field("called_at", "拨打时间不能晚于今天"));
    }
    let out = db_tx(&state.pool, move |c| {
        find_campaign(c, id)?;
        store::audits::find_target(c, id, input.target_id)?
            .ok_or_else(|| ApiError::field("target_id", "本次评估中没有该评估对象"))?;
        let row = store::audits::insert_phone_check(
            c,
            id,
            input.target_id,
            called_at,
            input.connected,
            actor,
        )?;
        Ok(phone_out(&row))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

// ---------------------------------------------------------------------------------------------
// CSV import

/// The import's columns: (header, field name in errors, required).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("单位名称", "name", true),
    ("单位类别", "category", true),
    ("行政区划", "region", false),
    ("渠道", "channel", true),
    ("寄出日期", "sent_on", true),
    ("挂号信单号", "tracking_number", false),
    ("签收日期", "signed_on", false),
    ("收到答复日期", "received_on", false),
    ("邮戳日期", "dispatched_on", false),
    ("成文日期", "doc_date", false),
    ("文号", "doc_number", false),
    ("加盖公章", "sealed", false),
    ("印章", "seal_organ", false),
    ("法律依据", "legal_basis.law", false),
    ("法律依据条款", "legal_basis.article", false),
    ("告知复议", "remedy.reconsideration", false),
    ("复议机关", "remedy.reconsideration.organ", false),
    ("复议期限", "remedy.reconsideration.period_days", false),
    ("告知诉讼", "remedy.litigation", false),
    ("受理法院", "remedy.litigation.court", false),
    ("起诉期限", "remedy.litigation.period_months", false),
];

/// The reply columns: a row without 收到答复日期 must leave them empty.
const REPLY_FIELDS: &[&str] = &[
    "dispatched_on",
    "doc_date",
    "doc_number",
    "sealed",
    "seal_organ",
    "legal_basis.law",
    "legal_basis.article",
    "remedy.reconsideration",
    "remedy.reconsideration.organ",
    "remedy.reconsideration.period_days",
    "remedy.litigation",
    "remedy.litigation.court",
    "remedy.litigation.period_months",
];

/// One data row, cells by field name (blank cells absent).
struct Row<'a> {
    /// The row number a spreadsheet shows (the header is row 1).
    number: usize,
    cells: HashMap<&'static str, &'a str>,
}

impl Row<'_> {
    fn prefix(&self) -> String {
        format!("rows[{}].", self.number)
    }

    fn text(&self, field: &str) -> Option<&str> {
        self.cells.get(field).copied()
    }

    fn header(field: &str) -> &'static str {
        COLUMNS
            .iter()
            .find(|(_, f, _)| *f == field)
            .map_or("", |(h, _, _)| h)
    }

    fn date(&self, e: &mut FieldErrors, field: &str) -> Option<NaiveDate> {
        let raw = self.text(field)?;
        let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(raw, "%Y/%m/%d"))
            .ok();
        if parsed.is_none() {
            e.add(
                format!("{}{field}", self.prefix()),
                format!(
                    "第{}行「{}」应为日期（如 2020-09-23），收到“{raw}”",
                    self.number,
                    Self::header(field)
                ),
            );
        }
        parsed
    }

    fn yes_no(&self, e: &mut FieldErrors, field: &str) -> Option<bool> {
        let raw = self.text(field)?;
        let parsed = match raw {
            "是" | "有" | "Y" | "y" | "yes" | "true" | "1" => Some(true),
            "否" | "无" | "N" | "n" | "no" | "false" | "0" => Some(false),
            _ => None,
        };
        if parsed.is_none() {
            e.add(
                format!("{}{field}", self.prefix()),
                format!(
                    "第{}行「{}」应填“是”或“否”，收到“{raw}”",
                    self.number,
                    Self::header(field)
                ),
            );
        }
        parsed
    }

    fn number(&self, e: &mut FieldErrors, field: &str) -> Option<u32> {
        let raw = self.text(field)?;
        let parsed = raw.parse::<u32>().ok();
        if parsed.is_none() {
            e.add(
                format!("{}{field}", self.prefix()),
                format!(
                    "第{}行「{}」应为整数，收到“{raw}”",
                    self.number,
                    Self::header(field)
                ),
            );
        }
        parsed
    }

    fn missing(&self, e: &mut FieldErrors, field: &str) {
        e.add(
            format!("{}{field}", self.prefix()),
            format!("第{}行「{}」不能为空", self.number, Self::header(field)),
        );
    }

    /// The reply of this row, when 收到答复日期 is filled (errors go to `e`).
    fn reply(&self, e: &mut FieldErrors) -> Option<ReplyIn> {
        let Some(received_on) = self.date(e, "received_on") else {
            if self.text("received_on").is_none() {
                for field in REPLY_FIELDS {
                    if self.text(field).is_some() {
                        e.add(
                            format!("{}{field}", self.prefix()),
                            format!(
                                "第{}行没有「收到答复日期」，不应填写「{}」",
                                self.number,
                                Self::header(field)
                            ),
                        );
                    }
                }
            }
            return None;
        };
        let dispatched_on = self.date(e, "dispatched_on");
        let doc_date = self.date(e, "doc_date");
        let sealed = self.yes_no(e, "sealed");
        if self.text("sealed").is_none() {
            self.missing(e, "sealed");
        }
        let law = self.text("legal_basis.law");
        let article = self.text("legal_basis.article");
        if article.is_some() && law.is_none() {
            self.missing(e, "legal_basis.law");
        }
        let legal_basis = law
            .map(|law| Citation {
                law: law.to_owned(),
                article: article.map(str::to_owned),
                ..Citation::default()
            })
            .into_iter()
            .collect();
        let route = |e: &mut FieldErrors, flag: &str, detail: &str| {
            let said = self.yes_no(e, flag);
            if said == Some(false) && self.text(detail).is_some() {
                e.add(
                    format!("{}{flag}", self.prefix()),
                    format!(
                        "第{}行「{}」为“否”，却填写了「{}」",
                        self.number,
                        Self::header(flag),
                        Self::header(detail)
                    ),
                );
            }
            said.unwrap_or(false) || self.text(detail).is_some()
        };
        let reconsideration = route(e, "remedy.reconsideration", "remedy.reconsideration.organ");
        let litigation = route(e, "remedy.litigation", "remedy.litigation.court");
        let period_days = self.number(e, "remedy.reconsideration.period_days");
        let period_months = self.number(e, "remedy.litigation.period_months");
        let remedy = Remedy {
            reconsideration: reconsideration.then(|| ReconsiderationRoute {
                organ: self.text("remedy.reconsideration.organ").map(str::to_owned),
                period_days,
                ..ReconsiderationRoute::default()
            }),
            litigation: litigation.then(|| LitigationRoute {
                court: self.text("remedy.litigation.court").map(str::to_owned),
                period_months,
                ..LitigationRoute::default()
            }),
            reconsideration_first: None,
        };
        Some(ReplyIn {
            received_on,
            dispatched_on,
            doc_date,
            doc_number: self.text("doc_number").map(str::to_owned),
            sealed: sealed.unwrap_or(false),
            seal_organ: self.text("seal_organ").map(str::to_owned),
            legal_basis,
            remedy,
        })
    }
}

/// A parsed import row, before targets are resolved.
struct ImportRow {
    number: usize,
    target: NewTarget,
    letter: LetterFields,
    reply: Option<NewReply>,
}

fn parse_rows(bytes: &[u8], today: NaiveDate) -> Result<Vec<ImportRow>, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ApiError::bad_request(
            "invalid_csv",
            "CSV 文件须为 UTF-8 编码（Excel 中另存为“CSV UTF-8”）",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::bad_request("invalid_csv", format!("无法读取表头：{e}")))?
        .clone();
    let mut e = FieldErrors::default();
    let mut positions: Vec<(usize, &'static str)> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match COLUMNS.iter().find(|(name, _, _)| *name == h) {
            Some((_, field, _)) if positions.iter().any(|(_, f)| f == field) => {
                e.add("headers", format!("表头「{h}」重复"));
            }
            Some((_, field, _)) => positions.push((i, field)),
            None => e.add(
                "headers",
                format!(
                    "无法识别的表头「{h}」；可用的表头：{}",
                    COLUMNS.iter().map(|c| c.0).collect::<Vec<_>>().join("、")
                ),
            ),
        }
    }
    for (header, field, required) in COLUMNS {
        if *required && !positions.iter().any(|(_, f)| f == field) {
            e.add("headers", format!("缺少必填的表头「{header}」"));
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let records: Vec<csv::StringRecord> = reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            r.map_err(|err| {
                ApiError::field(
                    &format!("rows[{}]", i + 2),
                    format!("第{}行无法解析：{err}", i + 2),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    if records.is_empty() {
        return Err(ApiError::field("rows", "CSV 文件没有数据行"));
    }
    if records.len() > MAX_IMPORT_ROWS {
        return Err(ApiError::field(
            "rows",
            format!("一次最多导入{MAX_IMPORT_ROWS}行"),
        ));
    }
    let mut out = Vec::with_capacity(records.len());
    // Rows naming the same unit must agree on its category and region.
    let mut units: HashMap<String, (usize, NewTarget)> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let number = i + 2;
        let before = e.0.len();
        if record.len() > headers.len() {
            e.add(
                format!("rows[{number}]"),
                format!("第{number}行的列数多于表头"),
            );
            continue;
        }
        let row = Row {
            number,
            cells: positions
                .iter()
                .filter_map(|&(col, field)| {
                    record
                        .get(col)
                        .filter(|v| !v.is_empty())
                        .map(|v| (field, v))
                })
                .collect(),
        };
        let p = row.prefix();
        for (_, field, required) in COLUMNS {
            if *required && row.text(field).is_none() {
                row.missing(&mut e, field);
            }
        }
        let target = parse_target(
            &mut e,
            &p,
            &TargetIn {
                name: row.text("name").unwrap_or_default().to_owned(),
                category: row.text("category").unwrap_or_default().to_owned(),
                region: row.text("region").map(str::to_owned),
            },
        );
        let sent_on = row.date(&mut e, "sent_on");
        let signed_on = row.date(&mut e, "signed_on");
        let letter = sent_on.and_then(|sent_on| {
            parse_letter(
                &mut e,
                &p,
                row.text("channel").unwrap_or_default(),
                sent_on,
                row.text("tracking_number"),
                signed_on,
                today,
            )
        });
        let reply = row
            .reply(&mut e)
            .map(|input| parse_reply(&mut e, &p, &input, signed_on, today));
        if let Some(target) = &target {
            match units.get(&target.name) {
                Some((first, unit)) if unit.category != target.category => e.add(
                    format!("{p}category"),
                    format!(
                        "第{number}行：评估对象“{}”在第{first}行的类别是“{}”",
                        target.name, unit.category
                    ),
                ),
                Some((first, unit)) if target.region.is_some() && unit.region != target.region => e
                    .add(
                        format!("{p}region"),
                        format!(
                            "第{number}行：评估对象“{}”在第{first}行的行政区划不同",
                            target.name
                        ),
                    ),
                Some(_) => {}
                None => {
                    units.insert(target.name.clone(), (number, target.clone()));
                }
            }
        }
        if e.0.len() > before {
            continue;
        }
        if let (Some(target), Some(letter), reply) = (target, letter, reply) {
            out.push(ImportRow {
                number,
                target,
                letter,
                reply: reply.flatten(),
            });
        }
    }
    e.finish(out).map_err(ApiError::from)
}

#[derive(Serialize)]
struct ImportOut {
    rows: usize,
    targets_created: usize,
    targets_reused: usize,
    letters_created: usize,
    replies_recorded: usize,
}

pub async fn import(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.require(ROLES)?.user_id;
    let id = path.into_inner();
    let today = state.today();
    let bytes = payload
        .to_bytes_limited(MAX_IMPORT_BYTES)
        .await
        .map_err(|_| {
            ApiError::bad_request(
                "body_too_large",
                format!("CSV 文件过大（最多{}MB）", MAX_IMPORT_BYTES / 1024 / 1024),
            )
        })?
        .map_err(|e| ApiError::bad_request("invalid_body", format!("无法读取请求体：{e}")))?;
    let rows = parse_rows(&bytes, today)?;
    let out = db_tx(&state.pool, move |c| {
        find_campaign(c, id)?;
        let mut known: HashMap<String, TargetRow> = store::audits::targets(c, id)?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        let mut created: BTreeMap<String, usize> = BTreeMap::new();
        let mut e = FieldErrors::default();
        let mut out = ImportOut {
            rows: rows.len(),
            targets_created: 0,
            targets_reused: 0,
            letters_created: 0,
            replies_recorded: 0,
        };
        let mut reused: BTreeSet<String> = BTreeSet::new();
        for row in &rows {
            let p = format!("rows[{}].", row.number);
            let target = match known.get(&row.target.name) {
                Some(t) => {
                    if t.category != row.target.category {
                        e.add(
                            format!("{p}category"),
                            format!(
                                "第{}行：评估对象“{}”的类别已是“{}”",
                                row.number, t.name, t.category
                            ),
                        );
                        continue;
                    }
                    if row.target.region.is_some() && row.target.region != t.region {
                        e.add(
                            format!("{p}region"),
                            format!(
                                "第{}行：评估对象“{}”的行政区划已是“{}”",
                                row.number,
                                t.name,
                                t.region.as_deref().unwrap_or("（沿用评估活动的区划）")
                            ),
                        );
                        continue;
                    }
                    if !created.contains_key(&t.name) {
                        reused.insert(t.name.clone());
                    }
                    t.clone()
                }
                None => {
                    let t = store::audits::insert_target(c, id, &row.target).map_err(|err| {
                        unique_violation(err, &format!("{p}name"), "评估对象已被同时导入，请重试")
                    })?;
                    created.insert(t.name.clone(), row.number);
                    known.insert(t.name.clone(), t.clone());
                    t
                }
            };
            let letter = store::audits::insert_letter(
                c,
                id,
                &NewLetter {
                    target_id: target.id,
                    channel: channel_code(row.letter.channel).to_owned(),
                    sent_on: row.letter.sent_on,
                    tracking_number: row.letter.tracking_number.clone(),
                    signed_on: row.letter.signed_on,
                },
                actor,
            )?;
            out.letters_created += 1;
            if let Some(reply) = &row.reply {
                store::audits::put_reply(c, letter.id, reply, actor)?;
                out.replies_recorded += 1;
            }
        }
        if !e.is_empty() {
            // Nothing is kept: the transaction rolls back with the error.
            return Err(e.into());
        }
        out.targets_created = created.len();
        out.targets_reused = reused.len();
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

// ---------------------------------------------------------------------------------------------
// The report

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    format: Option<String>,
}

#[derive(Serialize)]
struct ReportOut {
    audit: ReportCampaign,
    /// The date the statuses are judged as of: the cut-off, or today while it is ahead.
    as_of: NaiveDate,
    #[serde(flatten)]
    report: AuditReport,
}

#[derive(Serialize)]
struct ReportCampaign {
    id: i64,
    name: String,
    region: String,
    cutoff_on: NaiveDate,
}

pub async fn report(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    auth.require(ROLES)?;
    let xlsx = match q.format.as_deref() {
        None | Some("json") => false,
        Some("xlsx") => true,
        Some(_) => return Err(ApiError::field("format", "取值应为：json | xlsx")),
    };
    let id = path.into_inner();
    let today = state.today();
    let st = state.clone();
    let out = db(&state.pool, move |c| {
        let calendars: Arc<CalendarSet> = st.calendars.current(c)?;
        let loaded = load(c, &calendars, id, today)?;
        Ok(ReportOut {
            audit: ReportCampaign {
                id: loaded.row.id,
                name: loaded.row.name.clone(),
                region: loaded.row.region.clone(),
                cutoff_on: loaded.row.cutoff_on,
            },
            as_of: loaded.as_of,
            report: loaded.report()?,
        })
    })
    .await?;
    if !xlsx {
        return Ok(HttpResponse::Ok().json(out));
    }
    let bytes = tabular::xlsx(&report_tables(&out.report)).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"audit-{}-{}.xlsx\"",
                out.audit.id, out.as_of
            ),
        ))
        .body(bytes))
}

fn count(n: usize) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn category_label(category: &str) -> String {
    if category == audit::ALL {
        "全部类别".to_owned()
    } else {
        category.to_owned()
    }
}

/// The workbook: one sheet per table of the report, Chinese headers, rates as percentages.
fn report_tables(r: &AuditReport) -> Vec<Table> {
    let mut groups = Table::new(
        "分组统计",
        &[
            "渠道",
            "单位类别",
            "信函数",
            "签收数",
            "答复数",
            "按时答复",
            "超期答复",
            "未答复",
            "待定",
            "缺少文号",
            "未加盖公章",
            "未告知法律依据及具体条款",
            "未告知救济渠道",
            "救济途径未列明机关或法院",
            "签收率",
            "答复率",
        ],
    );
    for g in &r.groups {
        groups.rows.push(vec![
            g.channel.label().into(),
            category_label(&g.category).into(),
            count(g.letters),
            count(g.signed),
            count(g.replied),
            count(g.on_time),
            count(g.late),
            count(g.no_reply),
            count(g.pending),
            count(g.missing_doc_number),
            count(g.unsealed),
            count(g.no_legal_basis),
            count(g.no_remedy),
            count(g.remedy_without_detail),
            Cell::Rate(g.sign_rate),
            Cell::Rate(g.on_time_rate),
        ]);
    }
    let mut phone = Table::new(
        "电话核查",
        &["单位类别", "核查单位数", "接通", "未接通", "接通率"],
    );
    for p in &r.phone.by_category {
        phone.rows.push(vec![
            p.category.clone().into(),
            count(p.total),
            count(p.connected),
            count(p.not_connected),
            Cell::Rate(p.rate),
        ]);
    }
    phone.rows.push(vec![
        "全部类别".into(),
        count(r.phone.total),
        count(r.phone.connected),
        count(r.phone.not_connected),
        Cell::Rate(r.phone.rate),
    ]);
    let mut targets = Table::new(
        "单位得分",
        &[
            "单位",
            "单位类别",
            "得分",
            "满分",
            "得分率",
            "是否合格",
            "电话接通",
            "尚有未到期信函",
        ],
    );
    let yes_no = |b: Option<bool>| -> Cell {
        match b {
            Some(true) => "是".into(),
            Some(false) => "否".into(),
            None => "".into(),
        }
    };
    for t in &r.targets {
        targets.rows.push(vec![
            t.name.clone().into(),
            t.category.clone().into(),
            Cell::Int(i64::try_from(t.score).unwrap_or(i64::MAX)),
            Cell::Int(i64::try_from(t.max).unwrap_or(i64::MAX)),
            Cell::Rate(t.score_rate),
            yes_no(t.passed),
            yes_no(t.phone_connected),
            yes_no(Some(t.provisional)),
        ]);
    }
    let mut pass = Table::new(
        "合格率",
        &[
            "单位类别",
            "单位数",
            "参评单位数",
            "合格单位数",
            "合格率",
            "平均得分率",
        ],
    );
    for p in &r.pass_rates {
        pass.rows.push(vec![
            category_label(&p.category).into(),
            count(p.targets),
            count(p.graded),
            count(p.passed),
            Cell::Rate(p.pass_rate),
            Cell::Rate(p.mean_score_rate),
        ]);
    }
    let mut letters = Table::new(
        "信函明细",
        &[
            "单位",
            "单位类别",
            "渠道",
            "签收日期",
            "答复期限",
            "答复情况",
            "答复发出日期",
            "逾期天数",
            "问题",
        ],
    );
    for l in &r.letters {
        letters.rows.push(vec![
            l.target_name.clone().into(),
            l.category.clone().into(),
            l.channel.label().into(),
            l.signed_on.into(),
            l.due_on.into(),
            l.grade.status.label().into(),
            l.grade.dispatched_on.into(),
            l.grade
                .late_by_days
                .map_or_else(|| Cell::Text(String::new()), Cell::Int),
            l.grade
                .defects
                .iter()
                .map(|d| d.label())
                .collect::<Vec<_>>()
                .join("；")
                .into(),
        ]);
    }
    let mut lists = Table::new("问题清单", &["问题", "单位", "单位类别", "渠道"]);
    let named = [
        ("未答复", &r.lists.no_reply),
        ("超期答复", &r.lists.late),
        ("待定", &r.lists.pending),
        ("答复书缺少文号", &r.lists.missing_doc_number),
        ("答复书没有加盖公章", &r.lists.unsealed),
        ("未告知法律依据及具体条款", &r.lists.no_legal_basis),
        ("未告知救济渠道", &r.lists.no_remedy),
        (
            "救济途径未列明复议机关或受理法院",
            &r.lists.remedy_without_detail,
        ),
    ];
    for (label, refs) in named {
        for l in refs {
            lists.rows.push(vec![
                label.into(),
                l.target_name.clone().into(),
                l.category.clone().into(),
                l.channel.label().into(),
            ]);
        }
    }
    for t in &r.lists.phone_not_connected {
        lists.rows.push(vec![
            "电话无法接通".into(),
            t.name.clone().into(),
            t.category.clone().into(),
            "".into(),
        ]);
    }
    vec![groups, phone, targets, pass, letters, lists]
}

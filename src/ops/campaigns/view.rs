//! A campaign as read: its facts loaded once, due dates derived on the calendars in force
//! (the target's region, else the campaign's; the signing day is the receipt day, Art. 31,
//! and is not counted), graded with `domain::campaign` as of the cut-off — or today, while
//! the cut-off is still ahead — and shaped for the faces.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::domain::calendar::{CalendarError, CalendarSet, RegionCode};
use crate::domain::campaign::{
    self, Campaign, CampaignInput, CampaignReport, Citation, DEFAULT_STATUTORY_DAYS, Letter,
    LetterStatus, PhoneCheck, ReplyRecord, Rubric, Target,
};
use crate::domain::compliance::{Finding, Remedy};
use crate::ops::{OpError, OpResult};
use crate::store::campaigns::{CampaignRow, LetterRow, PhoneRow, ReplyRow, TargetRow};
use crate::store::{self, DbConnection};

/// China Standard Time, for the day a phone call was made.
const CST_HOURS: i64 = 8;
const DUE_RULE: &str = "《政府信息公开条例》第三十一条第（二）项：以签收之日为收到申请之日；第三十三条第二款：自收到申请之日起按评估活动的法定工作日数（默认20个工作日）计算答复期限，签收当日不计入（民法典第二百零一条），按评估对象所在地区的工作日历计算";

fn china_time(utc: NaiveDateTime) -> NaiveDateTime {
    utc + chrono::Duration::hours(CST_HOURS)
}

pub(super) fn china_date(utc: NaiveDateTime) -> NaiveDate {
    china_time(utc).date()
}

pub(super) fn local_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    local - chrono::Duration::hours(CST_HOURS)
}

fn calendar_error(e: CalendarError) -> OpError {
    match e {
        CalendarError::OutOfRange { .. } | CalendarError::ResultOutOfRange => {
            OpError::OutOfRange(e.to_string())
        }
        CalendarError::InvalidRegionCode(_) => OpError::field("region", e.to_string()),
        other => OpError::rejected("calendar_error", other.to_string()),
    }
}

fn inconsistent(e: campaign::CampaignError) -> OpError {
    OpError::rejected("audit_inconsistent", e.to_string())
}

pub(super) fn find_campaign(c: &mut DbConnection, id: i64) -> OpResult<CampaignRow> {
    store::campaigns::find_campaign(c, id)?.ok_or(OpError::NotFound("评估活动"))
}

fn stored_region(raw: &str) -> OpResult<RegionCode> {
    RegionCode::parse(raw).map_err(|e| OpError::internal(format!("stored region {raw}: {e}")))
}

fn rubric_of(row: &CampaignRow) -> OpResult<Rubric> {
    serde_json::from_str(&row.rubric)
        .map_err(|e| OpError::internal(format!("campaign {} rubric: {e}", row.id)))
}

/// A stored reply, its JSON columns parsed.
pub(super) fn reply_record(r: &ReplyRow) -> OpResult<ReplyRecord> {
    let json_err = |e: serde_json::Error| {
        OpError::internal(format!("campaign reply of letter {}: {e}", r.letter_id))
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

/// How a due date was computed.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub on: NaiveDate,
    pub provisional: bool,
    pub provisional_reasons: Vec<String>,
    pub calendar: String,
}

/// The statutory_days-th working day after signing, on the region's calendar.
fn due_on(
    calendars: &CalendarSet,
    region: &RegionCode,
    signed_on: NaiveDate,
    days: i32,
) -> OpResult<Due> {
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

/// A campaign's facts with the derived due dates, ready for the domain.
pub(super) struct Loaded {
    pub row: CampaignRow,
    pub rubric: Rubric,
    pub region: RegionCode,
    /// The date the report judges as of: the cut-off, or today while it is ahead.
    pub as_of: NaiveDate,
    pub targets: Vec<TargetRow>,
    pub letters: Vec<LetterRow>,
    pub replies: HashMap<i64, ReplyRow>,
    pub phones: Vec<PhoneRow>,
    pub dues: HashMap<i64, Due>,
}

pub(super) fn load(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    id: i64,
    today: NaiveDate,
) -> OpResult<Loaded> {
    let row = find_campaign(c, id)?;
    let rubric = rubric_of(&row)?;
    let region = stored_region(&row.region)?;
    let targets = store::campaigns::targets(c, id)?;
    let letters = store::campaigns::letters(c, id)?;
    let replies = store::campaigns::replies(c, id)?
        .into_iter()
        .map(|r| (r.letter_id, r))
        .collect();
    let phones = store::campaigns::phone_checks(c, id)?;
    // The region whose calendar a target's letters use.
    let regions: HashMap<i64, RegionCode> = targets
        .iter()
        .map(|t| {
            let r = match &t.region {
                Some(r) => stored_region(r)?,
                None => region.clone(),
            };
            Ok((t.id, r))
        })
        .collect::<OpResult<_>>()?;
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

    fn domain_letter(&self, l: &LetterRow) -> OpResult<Letter> {
        Ok(Letter {
            id: l.id.to_string(),
            target_id: l.target_id.to_string(),
            channel: l.channel,
            tracking_number: l.tracking_number.clone(),
            sent_on: l.sent_on,
            signed_on: l.signed_on,
            due_on: self.dues.get(&l.id).map(|d| d.on),
            reply: self.replies.get(&l.id).map(reply_record).transpose()?,
        })
    }

    fn input(&self) -> OpResult<CampaignInput> {
        Ok(CampaignInput {
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
                .collect::<OpResult<_>>()?,
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

    pub fn report(&self) -> OpResult<CampaignReport> {
        self.input()?.report().map_err(inconsistent)
    }

    fn target(&self, id: i64) -> Option<&TargetRow> {
        self.targets.iter().find(|t| t.id == id)
    }

    pub fn letter_view(&self, l: &LetterRow) -> OpResult<LetterView> {
        let letter = self.domain_letter(l)?;
        let grade =
            campaign::grade_letter(&letter, &self.domain_campaign()).map_err(inconsistent)?;
        let unit = self.target(l.target_id).map_or("", |t| t.name.as_str());
        let findings = letter
            .reply
            .as_ref()
            .map(|r| campaign::check_reply(r, unit, letter.due_on))
            .unwrap_or_default();
        Ok(LetterView {
            id: l.id,
            target_id: l.target_id,
            channel: letter.channel.code(),
            channel_label: letter.channel.label(),
            sent_on: l.sent_on,
            tracking_number: l.tracking_number.clone(),
            signed_on: l.signed_on,
            due_on: self.dues.get(&l.id).map(|d| d.on),
            due: self.dues.get(&l.id).cloned(),
            due_rule: DUE_RULE,
            reply: self.replies.get(&l.id).map(reply_view).transpose()?,
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
// What the faces show

#[derive(Debug, Serialize)]
pub struct CampaignSummary {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub statutory_days: i32,
    pub cutoff_on: NaiveDate,
    pub pass_threshold: f64,
    pub rubric: Rubric,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub targets: i64,
    pub letters: i64,
    pub replies: i64,
    pub phone_checks: i64,
}

pub(super) fn campaign_summary(
    c: &mut DbConnection,
    row: CampaignRow,
) -> OpResult<CampaignSummary> {
    let rubric = rubric_of(&row)?;
    let [targets, letters, replies, phone_checks] = store::campaigns::counts(c, row.id)?;
    Ok(CampaignSummary {
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

#[derive(Debug, Serialize)]
pub struct CampaignView {
    #[serde(flatten)]
    pub campaign: CampaignSummary,
    pub as_of: NaiveDate,
    pub targets: Vec<TargetView>,
    pub letters: Vec<LetterView>,
    pub phone_checks: Vec<PhoneView>,
}

#[derive(Debug, Serialize)]
pub struct TargetView {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    pub category: String,
    pub region: Option<String>,
    /// The region whose calendar its letters use.
    pub calendar_region: String,
    pub created_at: NaiveDateTime,
    /// The department the unit is, as linked by an administrator: its score then counts in
    /// that department's periodic assessment (`campaign_score`).
    pub department_id: Option<i64>,
    /// Guards the link (ETag / If-Match).
    pub version: i32,
}

pub(super) fn target_view(t: &TargetRow, campaign_region: &str) -> TargetView {
    TargetView {
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
        department_id: t.department_id,
        version: t.version,
    }
}

#[derive(Debug, Serialize)]
pub struct ReplyView {
    pub received_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub doc_date: Option<NaiveDate>,
    pub doc_number: Option<String>,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    pub legal_basis: Vec<Citation>,
    pub remedy: Remedy,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

pub(super) fn reply_view(r: &ReplyRow) -> OpResult<ReplyView> {
    let rec = reply_record(r)?;
    Ok(ReplyView {
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

#[derive(Debug, Serialize)]
pub struct LetterView {
    pub id: i64,
    pub target_id: i64,
    pub channel: &'static str,
    pub channel_label: &'static str,
    pub sent_on: NaiveDate,
    pub tracking_number: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// How the due date was computed: calendar, provisional years.
    pub due: Option<Due>,
    pub due_rule: &'static str,
    pub reply: Option<ReplyView>,
    /// As of the cut-off (or today, while the cut-off is ahead).
    pub status: LetterStatus,
    pub status_label: &'static str,
    pub dispatched_on: Option<NaiveDate>,
    pub late_by_days: Option<i64>,
    pub reply_after_cutoff: bool,
    /// Seed 000's defect kinds (counted in the report).
    pub defects: Vec<&'static str>,
    /// The compliance checker's findings on the reply.
    pub findings: Vec<Finding>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Serialize)]
pub struct PhoneView {
    pub id: i64,
    pub target_id: i64,
    pub called_at: DateTime<Utc>,
    /// The time of the call in China Standard Time, as the evaluator noted it.
    pub called_at_local: NaiveDateTime,
    /// The day of the call in China Standard Time, compared with the cut-off.
    pub called_on: NaiveDate,
    pub connected: bool,
    pub created_at: NaiveDateTime,
}

pub(super) fn phone_view(p: &PhoneRow) -> PhoneView {
    PhoneView {
        id: p.id,
        target_id: p.target_id,
        called_at: p.called_at.and_utc(),
        called_at_local: china_time(p.called_at),
        called_on: china_date(p.called_at),
        connected: p.connected,
        created_at: p.created_at,
    }
}

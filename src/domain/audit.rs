//! Test-applicant mail audits (模拟用户实测法): seed 000 sections (五)2–3 and 四(四); RULES §7.
//!
//! Evaluators send the same application to every unit by registered letter, once through the
//! proper channel (正常渠道, [`Channel::Regular`]) and once through an improper one (非正常渠道,
//! [`Channel::Irregular`]), phone the published OGI number, and grade what comes back. This module
//! owns the grading of each letter, the reply-document defects the evaluators count (RULES §5),
//! the phone result, each unit's score under a replaceable [`Rubric`], and the report by channel
//! and unit category.
//!
//! It must not touch IO, the clock or the calendar. The caller computes every due date with its
//! calendar engine (the unit's regional calendar, receipt = signing date, Art. 31(2)) and passes
//! it in as [`Letter::due_on`]; "today" is the campaign's [`Campaign::cutoff_on`].
//!
//! # Decisions
//!
//! - **Dispatch date** of a reply: the postmark ([`ReplyRecord::dispatched_on`]); else the
//!   document date; else the date it was received ([`DispatchSource`]). A reply is **on time**
//!   when that date is on or before the due date (民事诉讼法 Art. 85: 期满前交邮的，不算过期),
//!   **late** otherwise.
//! - **Cut-off**: a reply counts only when it was received on or before the cut-off; one
//!   received later is treated as not there yet (and flagged `reply_after_cutoff`).
//! - With no counted reply: **no_reply** when the letter was signed and its due date is on or
//!   before the cut-off; **pending** otherwise, in two kinds: `pending_not_due` (signed, due
//!   after the cut-off) and `pending_unsigned` (no signing date: the period never started).
//! - **Defects** are counted over replied letters (on time + late) only.
//!   `no_legal_basis`: no citation names a specific article. `no_remedy`: neither
//!   reconsideration nor litigation mentioned. `remedy_without_detail`: at least one route
//!   mentioned and some mentioned route lacks its organ (复议机关) or court (受理法院). The two
//!   remedy defects exclude each other. Blank strings count as absent.
//! - **Rates** are fractions in [0, 1] rounded half away from zero to 4 decimals (the precision
//!   seed 000 publishes, xx.xx%), and `None` when the denominator is 0. Pass decisions compare
//!   the unrounded score rate with the threshold.
//! - **Phone** checks are attempts; they are aggregated per unit: a unit is connected (接通) when
//!   any recorded attempt connected (seed 000 counts units: "31家区直单位、8家设区市政府电话能够
//!   顺利接通"). Attempts dated after the cut-off are ignored, like late replies; undated ones
//!   count.
//! - **Scores**: every letter that is not `pending_not_due` adds [`Rubric::letter_max`] to the
//!   unit's maximum (an unsigned letter scores 0 of it: the agency did not accept the channel);
//!   a `pending_not_due` letter adds nothing yet and makes the unit `provisional`. A unit with at
//!   least one phone attempt adds [`Rubric::phone_connected`]. A unit with maximum 0 is not
//!   graded (`passed: None`) and stays out of the pass rates.
//! - **Shared shapes**: citations and remedies are the compliance checker's
//!   ([`Citation`] = `LegalCitation`, [`Remedy`]), so audit and case replies are recorded alike;
//!   [`check_reply`] runs that checker on an audit reply, keeping the rules that need neither
//!   the outcome nor the unit's configuration ([`CHECKER_CODES`]). The seed 000 counts stay
//!   with [`ReplyRecord::defects`].

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::compliance::{
    self, DeliveryMethod, Finding, Organ, OrganKind, OrganLevel, ProcessFacts, ReplyDoc, Severity,
    codes,
};
use super::outcome::Outcome;

/// The scope name that stands for "every channel" or "every category" in [`Group`] and friends.
pub const ALL: &str = "all";
/// Seed 000 footnote 2: 平均得分率达到60%及以上为合格.
pub const DEFAULT_PASS_THRESHOLD: f64 = 0.6;
/// Art. 33(2): 20 working days.
pub const DEFAULT_STATUTORY_DAYS: u32 = 20;
/// Rates are rounded to this many decimals (seed 000 publishes percentages with 2 decimals).
pub const RATE_DECIMALS: i32 = 4;

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// One audit campaign: its cut-off, pass threshold and rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Working days the agencies had (Art. 33(2)). The due dates come with each letter; this
    /// number is echoed and used for a sanity check (a due date earlier than `statutory_days`
    /// calendar days after signing cannot be right).
    #[serde(default = "default_statutory_days")]
    pub statutory_days: u32,
    /// Last day of data collection (seed 000: 数据采集时间截至2020年11月20日).
    pub cutoff_on: NaiveDate,
    /// Score rate a unit needs to pass (合格), in [0, 1].
    #[serde(default = "default_pass_threshold")]
    pub pass_threshold: f64,
    #[serde(default)]
    pub rubric: Rubric,
}

fn default_statutory_days() -> u32 {
    DEFAULT_STATUTORY_DAYS
}

fn default_pass_threshold() -> f64 {
    DEFAULT_PASS_THRESHOLD
}

/// Points per letter and per unit phone result. Replace it per campaign; when given, every field
/// must be given (no silent defaults for a weight an auditor forgot).
///
/// Default (a letter is worth 11, a phone result 2; a unit with two letters and a phone number
/// is graded out of 24):
///
/// | item | points | why |
/// |---|---|---|
/// | `signed` | 1 | the channel accepted the letter (签收, seed 000 (五)2) |
/// | `replied_on_time` | 4 | the core duty (Art. 33(2)); seed 000's 答复率 counts only these |
/// | `replied_late` | 2 | the applicant still got an answer, but late (half) |
/// | `doc_number` | 1 | form: 文号 |
/// | `seal` | 1 | form: 公章 |
/// | `legal_basis` | 2 | content: the article applied, which the applicant needs to contest it |
/// | `remedy_with_detail` | 2 | content: remedy routes with organ and court named |
/// | `remedy_without_detail` | 1 | a route mentioned, organ or court not named (half) |
/// | `phone_connected` | 2 | the published OGI number answered (接通) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub signed: u32,
    pub replied_on_time: u32,
    pub replied_late: u32,
    pub doc_number: u32,
    pub seal: u32,
    pub legal_basis: u32,
    pub remedy_with_detail: u32,
    pub remedy_without_detail: u32,
    pub phone_connected: u32,
}

impl Default for Rubric {
    fn default() -> Self {
        Self {
            signed: 1,
            replied_on_time: 4,
            replied_late: 2,
            doc_number: 1,
            seal: 1,
            legal_basis: 2,
            remedy_with_detail: 2,
            remedy_without_detail: 1,
            phone_connected: 2,
        }
    }
}

impl Rubric {
    /// Most points one letter can earn.
    pub fn letter_max(&self) -> u64 {
        [
            self.signed,
            self.replied_on_time.max(self.replied_late),
            self.doc_number,
            self.seal,
            self.legal_basis,
            self.remedy_with_detail.max(self.remedy_without_detail),
        ]
        .into_iter()
        .fold(0u64, |sum, points| sum.saturating_add(u64::from(points)))
    }
}

/// An evaluated unit (评估对象).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub name: String,
    /// Free text, e.g. 区直单位, 设区市政府. Must not be blank or [`ALL`].
    pub category: String,
}

/// Which way the letter went in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 正常渠道 (书面申请 addressed as the unit's OGI guide says).
    Regular,
    /// 非正常渠道 (e.g. not addressed to the OGI office).
    Irregular,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Regular => "正常渠道",
            Channel::Irregular => "非正常渠道",
        }
    }
}

/// One registered letter and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    pub id: String,
    pub target_id: String,
    pub channel: Channel,
    #[serde(default)]
    pub tracking_number: Option<String>,
    pub sent_on: NaiveDate,
    /// The agency's signing date from postal tracking: the receipt date (RULES §1, Art. 31(2)).
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// Computed by the caller on the unit's calendar; `None` exactly when `signed_on` is `None`.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    #[serde(default)]
    pub reply: Option<ReplyRecord>,
}

/// The reply as the evaluators received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRecord {
    pub received_on: NaiveDate,
    /// Postmark (交邮日期).
    #[serde(default)]
    pub dispatched_on: Option<NaiveDate>,
    /// Date printed on the reply (成文日期).
    #[serde(default)]
    pub doc_date: Option<NaiveDate>,
    /// 文号 as printed; a blank string counts as missing. Its format is not graded here.
    #[serde(default)]
    pub doc_number: Option<String>,
    /// 加盖公章.
    pub sealed: bool,
    /// Whose seal it is, as printed (checked against the unit's name when given).
    #[serde(default)]
    pub seal_organ: Option<String>,
    #[serde(default)]
    pub legal_basis: Vec<Citation>,
    #[serde(default)]
    pub remedy: Remedy,
}

/// Citations and remedies have the shapes of case replies (the compliance checker's types), so
/// one client form and one stored JSON shape serve both.
pub use super::compliance::{
    LegalCitation as Citation, LitigationRoute as LitigationNotice,
    ReconsiderationRoute as ReconsiderationNotice, Remedy,
};

/// Names a specific article (seed 000: 法律依据及具体条款).
pub fn is_specific(citation: &Citation) -> bool {
    is_present(citation.article.as_deref())
}

/// One call to the unit's published OGI number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneCheck {
    pub target_id: String,
    #[serde(default)]
    pub called_on: Option<NaiveDate>,
    pub connected: bool,
}

/// Everything a report is computed from, as stored or uploaded. Unknown top-level keys are
/// ignored (a fixture may carry its expected figures beside the input); nested records reject them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditInput {
    pub campaign: Campaign,
    pub targets: Vec<Target>,
    pub letters: Vec<Letter>,
    #[serde(default)]
    pub phone_checks: Vec<PhoneCheck>,
}

impl AuditInput {
    pub fn report(&self) -> Result<AuditReport, AuditError> {
        audit(
            &self.campaign,
            &self.targets,
            &self.letters,
            &self.phone_checks,
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Per-letter rules
// ---------------------------------------------------------------------------------------------

/// Where a reply's dispatch date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchSource {
    Postmark,
    DocDate,
    Received,
}

/// What became of one letter by the cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    OnTime,
    Late,
    NoReply,
    /// Signed, due after the cut-off, no reply yet.
    PendingNotDue,
    /// Never signed for: the period never started.
    PendingUnsigned,
}

impl LetterStatus {
    pub const ALL: [LetterStatus; 5] = [
        LetterStatus::OnTime,
        LetterStatus::Late,
        LetterStatus::NoReply,
        LetterStatus::PendingNotDue,
        LetterStatus::PendingUnsigned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LetterStatus::OnTime => "on_time",
            LetterStatus::Late => "late",
            LetterStatus::NoReply => "no_reply",
            LetterStatus::PendingNotDue => "pending_not_due",
            LetterStatus::PendingUnsigned => "pending_unsigned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LetterStatus::OnTime => "按时答复",
            LetterStatus::Late => "超期答复",
            LetterStatus::NoReply => "未答复",
            LetterStatus::PendingNotDue => "答复期限未届满",
            LetterStatus::PendingUnsigned => "未签收",
        }
    }

    /// The rule behind the status, for a clerk who asks why.
    pub fn basis(self) -> &'static str {
        match self {
            LetterStatus::OnTime | LetterStatus::Late => {
                "《政府信息公开条例》第三十三条第二款（自收到申请之日起20个工作日内答复）；\
                 《民事诉讼法》第八十五条（期满前交邮的，不算过期）：以邮戳日期为准，无邮戳以成文日期、再以收到日期为准"
            }
            LetterStatus::NoReply => {
                "《政府信息公开条例》第三十三条第二款：答复期限在数据采集截止日前届满，截止日前未收到答复"
            }
            LetterStatus::PendingNotDue => "答复期限晚于数据采集截止日，尚未届满",
            LetterStatus::PendingUnsigned => {
                "《政府信息公开条例》第三十一条第（二）项：以邮寄方式提交的，以签收之日为收到申请之日；未签收，期限未起算"
            }
        }
    }

    pub fn is_replied(self) -> bool {
        matches!(self, LetterStatus::OnTime | LetterStatus::Late)
    }

    pub fn is_pending(self) -> bool {
        matches!(
            self,
            LetterStatus::PendingNotDue | LetterStatus::PendingUnsigned
        )
    }
}

/// A defect of a reply document (seed 000 四(四)二–三; RULES §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Defect {
    MissingDocNumber,
    Unsealed,
    NoLegalBasis,
    NoRemedy,
    RemedyWithoutDetail,
}

impl Defect {
    pub const ALL: [Defect; 5] = [
        Defect::MissingDocNumber,
        Defect::Unsealed,
        Defect::NoLegalBasis,
        Defect::NoRemedy,
        Defect::RemedyWithoutDetail,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Defect::MissingDocNumber => "missing_doc_number",
            Defect::Unsealed => "unsealed",
            Defect::NoLegalBasis => "no_legal_basis",
            Defect::NoRemedy => "no_remedy",
            Defect::RemedyWithoutDetail => "remedy_without_detail",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Defect::MissingDocNumber => "答复书缺少文号",
            Defect::Unsealed => "答复书没有加盖公章",
            Defect::NoLegalBasis => "未告知法律依据及具体条款",
            Defect::NoRemedy => "未告知救济渠道",
            Defect::RemedyWithoutDetail => "告知了复议或诉讼权利，但未列明复议机关或受理法院",
        }
    }

    pub fn basis(self) -> &'static str {
        match self {
            Defect::MissingDocNumber => {
                "《党政机关公文处理工作条例》第九条（发文字号）；GB/T 9704-2012 第7.2.5条"
            }
            Defect::Unsealed => {
                "《党政机关公文处理工作条例》第九条（印章）；GB/T 9704-2012 第7.3.5条"
            }
            Defect::NoLegalBasis => "《政府信息公开条例》第三十六条：答复应写明所适用的条款",
            Defect::NoRemedy | Defect::RemedyWithoutDetail => {
                "《政府信息公开条例》第五十一条；《行政复议法》《行政诉讼法》：告知复议机关、受理法院及期限"
            }
        }
    }
}

/// How a reply fares on remedies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyFinding {
    None,
    WithoutDetail,
    WithDetail,
}

/// How a reply fares on remedies (seed 000 四(四)三).
pub fn remedy_finding(remedy: &Remedy) -> RemedyFinding {
    let routes = [
        remedy
            .reconsideration
            .as_ref()
            .map(|r| is_present(r.organ.as_deref())),
        remedy
            .litigation
            .as_ref()
            .map(|l| is_present(l.court.as_deref())),
    ];
    let mentioned: Vec<bool> = routes.into_iter().flatten().collect();
    if mentioned.is_empty() {
        RemedyFinding::None
    } else if mentioned.iter().all(|named| *named) {
        RemedyFinding::WithDetail
    } else {
        RemedyFinding::WithoutDetail
    }
}

impl ReplyRecord {
    /// The date the reply counts as issued, and where it came from.
    pub fn dispatch(&self) -> (NaiveDate, DispatchSource) {
        match (self.dispatched_on, self.doc_date) {
            (Some(postmark), _) => (postmark, DispatchSource::Postmark),
            (None, Some(doc_date)) => (doc_date, DispatchSource::DocDate),
            (None, None) => (self.received_on, DispatchSource::Received),
        }
    }

    pub fn has_doc_number(&self) -> bool {
        is_present(self.doc_number.as_deref())
    }

    pub fn has_specific_legal_basis(&self) -> bool {
        self.legal_basis.iter().any(is_specific)
    }

    /// The defects of this reply document, in [`Defect::ALL`] order.
    pub fn defects(&self) -> Vec<Defect> {
        let mut found = Vec::new();
        if !self.has_doc_number() {
            found.push(Defect::MissingDocNumber);
        }
        if !self.sealed {
            found.push(Defect::Unsealed);
        }
        if !self.has_specific_legal_basis() {
            found.push(Defect::NoLegalBasis);
        }
        match remedy_finding(&self.remedy) {
            RemedyFinding::None => found.push(Defect::NoRemedy),
            RemedyFinding::WithoutDetail => found.push(Defect::RemedyWithoutDetail),
            RemedyFinding::WithDetail => {}
        }
        found
    }
}

fn is_present(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

/// The compliance checker's codes that apply to an evaluator's reply (RULES §5). The others
/// need what an evaluator does not record — the outcome (`legal_basis_mismatch`,
/// `reasons_missing`, `redirect_missing`, the 复议前置 and period rules) or the unit's
/// configured kind, level and court (`remedy_reconsideration_organ_wrong`,
/// `remedy_court_wrong`) — or the unit's other documents (`doc_number_duplicate`).
pub const CHECKER_CODES: &[&str] = &[
    codes::DOC_NUMBER_MISSING,
    codes::DOC_NUMBER_MALFORMED,
    codes::DOC_NUMBER_YEAR_MISMATCH,
    codes::SEAL_MISSING,
    codes::SEAL_ORGAN_MISMATCH,
    codes::LEGAL_BASIS_MISSING,
    codes::LEGAL_BASIS_NO_ARTICLE,
    codes::REMEDY_MISSING,
    codes::REMEDY_RECONSIDERATION_ORGAN_MISSING,
    codes::REMEDY_COURT_MISSING,
    codes::REPLY_LATE,
];

/// Grades a reply with the compliance checker of case replies (the same rules and messages),
/// keeping the [`CHECKER_CODES`] that need no outcome and no organ configuration. The seed 000
/// defect counts come from [`ReplyRecord::defects`], not from here: the checker is finer (a
/// malformed 文号, a seal of the wrong organ, an organ named without address).
pub fn check_reply(
    reply: &ReplyRecord,
    unit_name: &str,
    due_on: Option<NaiveDate>,
) -> Vec<Finding> {
    let (dispatched_on, _) = reply.dispatch();
    let doc = ReplyDoc {
        doc_number: reply.doc_number.clone(),
        issued_on: reply.doc_date.unwrap_or(dispatched_on),
        dispatched_on: Some(dispatched_on),
        delivery_method: Some(DeliveryMethod::Post),
        // Not recorded by evaluators; the rules that read it are filtered out below.
        outcome: Outcome::Disclosed,
        sealed: reply.sealed,
        seal_organ: reply.seal_organ.clone(),
        legal_basis: reply.legal_basis.clone(),
        reasons: None,
        redirect_to: None,
        remedy: reply.remedy.clone(),
    };
    let organ = Organ {
        name: unit_name.to_owned(),
        code: "××".to_owned(),
        kind: OrganKind::Department,
        level: OrganLevel::Province,
        reconsideration_organ: None,
        court: None,
        parent_government_name: None,
        vertically_managed: None,
        seal_names: Vec::new(),
    };
    let process = ProcessFacts {
        due_on,
        ..ProcessFacts::default()
    };
    compliance::check(&doc, &organ, &process, &[])
        .into_iter()
        .filter(|f| CHECKER_CODES.contains(&f.code))
        // The coarse-article warning compares with the outcome's articles.
        .filter(|f| !(f.code == codes::LEGAL_BASIS_NO_ARTICLE && f.severity == Severity::Warning))
        .collect()
}

/// The grade of one letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterGrade {
    pub status: LetterStatus,
    /// The reply's dispatch date, when a reply counts.
    pub dispatched_on: Option<NaiveDate>,
    pub dispatch_source: Option<DispatchSource>,
    /// Calendar days between the due date and the dispatch date of a late reply.
    pub late_by_days: Option<i64>,
    /// A reply is recorded but was received after the cut-off, so it is not counted.
    pub reply_after_cutoff: bool,
    pub defects: Vec<Defect>,
    pub score: u64,
    pub max: u64,
}

/// Grades one letter as of the campaign's cut-off, after checking its dates fit together.
pub fn grade_letter(letter: &Letter, campaign: &Campaign) -> Result<LetterGrade, AuditError> {
    let id = || letter.id.clone();
    if let Some(signed_on) = letter.signed_on
        && signed_on < letter.sent_on
    {
        return Err(AuditError::SignedBeforeSent(id()));
    }
    let due = match (letter.signed_on, letter.due_on) {
        (Some(_), None) => return Err(AuditError::SignedWithoutDue(id())),
        (None, Some(_)) => return Err(AuditError::DueWithoutSigning(id())),
        (None, None) => None,
        (Some(signed_on), Some(due_on)) => {
            if due_on.signed_duration_since(signed_on).num_days()
                < i64::from(campaign.statutory_days)
            {
                return Err(AuditError::DueTooEarly {
                    letter: id(),
                    days: campaign.statutory_days,
                });
            }
            Some((signed_on, due_on))
        }
    };
    if let Some(reply) = &letter.reply {
        let Some((signed_on, _)) = due else {
            return Err(AuditError::ReplyWithoutSigning(id()));
        };
        let (dispatched_on, _) = reply.dispatch();
        if dispatched_on < signed_on {
            return Err(AuditError::DispatchBeforeSigning(id()));
        }
        if dispatched_on > reply.received_on {
            return Err(AuditError::DispatchAfterReceipt(id()));
        }
    }

    let cutoff_on = campaign.cutoff_on;
    let counted = letter
        .reply
        .as_ref()
        .filter(|reply| reply.received_on <= cutoff_on);
    let reply_after_cutoff = letter.reply.is_some() && counted.is_none();

    let mut grade = LetterGrade {
        status: LetterStatus::PendingUnsigned,
        dispatched_on: None,
        dispatch_source: None,
        late_by_days: None,
        reply_after_cutoff,
        defects: Vec::new(),
        score: 0,
        max: 0,
    };
    let rubric = &campaign.rubric;
    let mut points: Vec<u32> = Vec::new();
    match (due, counted) {
        (None, _) => grade.status = LetterStatus::PendingUnsigned,
        (Some((_, due_on)), None) => {
            points.push(rubric.signed);
            grade.status = if due_on <= cutoff_on {
                LetterStatus::NoReply
            } else {
                LetterStatus::PendingNotDue
            };
        }
        (Some((_, due_on)), Some(reply)) => {
            points.push(rubric.signed);
            let (dispatched_on, source) = reply.dispatch();
            grade.dispatched_on = Some(dispatched_on);
            grade.dispatch_source = Some(source);
            if dispatched_on <= due_on {
                grade.status = LetterStatus::OnTime;
                points.push(rubric.replied_on_time);
            } else {
                grade.status = LetterStatus::Late;
                grade.late_by_days = Some(dispatched_on.signed_duration_since(due_on).num_days());
                points.push(rubric.replied_late);
            }
            grade.defects = reply.defects();
            let lacks = |defect| grade.defects.contains(&defect);
            if !lacks(Defect::MissingDocNumber) {
                points.push(rubric.doc_number);
            }
            if !lacks(Defect::Unsealed) {
                points.push(rubric.seal);
            }
            if !lacks(Defect::NoLegalBasis) {
                points.push(rubric.legal_basis);
            }
            match remedy_finding(&reply.remedy) {
                RemedyFinding::WithDetail => points.push(rubric.remedy_with_detail),
                RemedyFinding::WithoutDetail => points.push(rubric.remedy_without_detail),
                RemedyFinding::None => {}
            }
        }
    }
    if grade.status != LetterStatus::PendingNotDue {
        grade.max = rubric.letter_max();
        grade.score = points
            .into_iter()
            .fold(0u64, |sum, p| sum.saturating_add(u64::from(p)));
    }
    Ok(grade)
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/// Channel scope of a [`Group`]: one channel or [`ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelScope {
    Regular,
    Irregular,
    All,
}

impl ChannelScope {
    pub const ALL: [ChannelScope; 3] = [
        ChannelScope::Regular,
        ChannelScope::Irregular,
        ChannelScope::All,
    ];

    pub fn contains(self, channel: Channel) -> bool {
        match self {
            ChannelScope::All => true,
            ChannelScope::Regular => channel == Channel::Regular,
            ChannelScope::Irregular => channel == Channel::Irregular,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelScope::Regular => Channel::Regular.label(),
            ChannelScope::Irregular => Channel::Irregular.label(),
            ChannelScope::All => "全部渠道",
        }
    }
}

/// Counts for one (channel, category) pair; `category` is a target category or [`ALL`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub channel: ChannelScope,
    pub category: String,
    pub letters: usize,
    pub signed: usize,
    /// on_time + late.
    pub replied: usize,
    pub on_time: usize,
    pub late: usize,
    pub no_reply: usize,
    /// pending_not_due + pending_unsigned.
    pub pending: usize,
    pub missing_doc_number: usize,
    pub unsealed: usize,
    pub no_legal_basis: usize,
    pub no_remedy: usize,
    pub remedy_without_detail: usize,
    /// 签收率 = signed / letters.
    pub sign_rate: Option<f64>,
    /// 答复率 (seed 000) = on_time / letters.
    pub on_time_rate: Option<f64>,
}

impl Group {
    fn new(channel: ChannelScope, category: &str) -> Self {
        Self {
            channel,
            category: category.to_owned(),
            letters: 0,
            signed: 0,
            replied: 0,
            on_time: 0,
            late: 0,
            no_reply: 0,
            pending: 0,
            missing_doc_number: 0,
            unsealed: 0,
            no_legal_basis: 0,
            no_remedy: 0,
            remedy_without_detail: 0,
            sign_rate: None,
            on_time_rate: None,
        }
    }

    fn add(&mut self, letter: &Letter, grade: &LetterGrade) {
        self.letters += 1;
        if letter.signed_on.is_some() {
            self.signed += 1;
        }
        match grade.status {
            LetterStatus::OnTime => self.on_time += 1,
            LetterStatus::Late => self.late += 1,
            LetterStatus::NoReply => self.no_reply += 1,
            LetterStatus::PendingNotDue | LetterStatus::PendingUnsigned => self.pending += 1,
        }
        if grade.status.is_replied() {
            self.replied += 1;
        }
        for defect in &grade.defects {
            *self.defect_count(*defect) += 1;
        }
    }

    fn defect_count(&mut self, defect: Defect) -> &mut usize {
        match defect {
            Defect::MissingDocNumber => &mut self.missing_doc_number,
            Defect::Unsealed => &mut self.unsealed,
            Defect::NoLegalBasis => &mut self.no_legal_basis,
            Defect::NoRemedy => &mut self.no_remedy,
            Defect::RemedyWithoutDetail => &mut self.remedy_without_detail,
        }
    }

    fn finish(&mut self) {
        self.sign_rate = rate(self.signed, self.letters);
        self.on_time_rate = rate(self.on_time, self.letters);
    }
}

/// Phone results by unit (a unit counts once: connected when any attempt connected).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneGroup {
    pub category: String,
    /// Units with at least one attempt.
    pub total: usize,
    pub connected: usize,
    pub not_connected: usize,
    /// 接通率 = connected / total.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneSummary {
    pub total: usize,
    pub connected: usize,
    pub not_connected: usize,
    pub rate: Option<f64>,
    /// One entry per target category, in the order categories first appear among the targets.
    pub by_category: Vec<PhoneGroup>,
}

/// One unit's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    pub target_id: String,
    pub name: String,
    pub category: String,
    pub score: u64,
    pub max: u64,
    /// 得分率 = score / max.
    pub score_rate: Option<f64>,
    /// 合格: score_rate ≥ threshold; `None` when the unit has nothing graded (max 0).
    pub passed: Option<bool>,
    /// Some letter is still `pending_not_due`: the score may change.
    pub provisional: bool,
    /// `None` when the unit was not phoned.
    pub phone_connected: Option<bool>,
}

/// 合格率 and 平均得分率 for one category or [`ALL`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassRateGroup {
    pub category: String,
    pub targets: usize,
    /// Units with max > 0.
    pub graded: usize,
    pub passed: usize,
    /// 合格率 = passed / graded.
    pub pass_rate: Option<f64>,
    /// Mean of the graded units' score rates (平均得分率).
    pub mean_score_rate: Option<f64>,
}

/// A letter named in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterRef {
    pub letter_id: String,
    pub target_id: String,
    pub target_name: String,
    pub category: String,
    pub channel: Channel,
}

/// A unit named in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRef {
    pub target_id: String,
    pub name: String,
    pub category: String,
}

/// Who is behind each count, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Lists {
    pub no_reply: Vec<LetterRef>,
    pub late: Vec<LetterRef>,
    pub pending: Vec<LetterRef>,
    pub missing_doc_number: Vec<LetterRef>,
    pub unsealed: Vec<LetterRef>,
    pub no_legal_basis: Vec<LetterRef>,
    pub no_remedy: Vec<LetterRef>,
    pub remedy_without_detail: Vec<LetterRef>,
    pub phone_not_connected: Vec<TargetRef>,
}

impl Lists {
    fn defect_list(&mut self, defect: Defect) -> &mut Vec<LetterRef> {
        match defect {
            Defect::MissingDocNumber => &mut self.missing_doc_number,
            Defect::Unsealed => &mut self.unsealed,
            Defect::NoLegalBasis => &mut self.no_legal_basis,
            Defect::NoRemedy => &mut self.no_remedy,
            Defect::RemedyWithoutDetail => &mut self.remedy_without_detail,
        }
    }
}

/// One graded letter with the unit it went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterResult {
    pub letter_id: String,
    pub target_id: String,
    pub target_name: String,
    pub category: String,
    pub channel: Channel,
    pub signed_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    #[serde(flatten)]
    pub grade: LetterGrade,
    /// The compliance checker's findings on the counted reply ([`check_reply`]).
    pub findings: Vec<Finding>,
}

/// How many counted replies the compliance checker flagged with one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckerCount {
    pub code: &'static str,
    pub replies: usize,
}

/// Code, Chinese label and rule of a status or defect, given once per report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleNote {
    pub code: &'static str,
    pub label: &'static str,
    pub basis: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Legend {
    pub statuses: Vec<RuleNote>,
    pub defects: Vec<RuleNote>,
}

impl Legend {
    fn new() -> Self {
        Self {
            statuses: LetterStatus::ALL
                .iter()
                .map(|s| RuleNote {
                    code: s.code(),
                    label: s.label(),
                    basis: s.basis(),
                })
                .collect(),
            defects: Defect::ALL
                .iter()
                .map(|d| RuleNote {
                    code: d.code(),
                    label: d.label(),
                    basis: d.basis(),
                })
                .collect(),
        }
    }
}

/// The audit report (seed 000 (五)2–3, 四(四)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// The settings used (cut-off, threshold, rubric), echoed.
    pub campaign: Campaign,
    /// Every (channel, category) pair: channels regular, irregular, all; categories in order of
    /// first appearance among the targets, then [`ALL`].
    pub groups: Vec<Group>,
    pub phone: PhoneSummary,
    pub targets: Vec<TargetResult>,
    /// Per category, then [`ALL`].
    pub pass_rates: Vec<PassRateGroup>,
    pub lists: Lists,
    /// Per [`CHECKER_CODES`] code (in that order), the counted replies it flags.
    pub checker: Vec<CheckerCount>,
    pub letters: Vec<LetterResult>,
    pub legend: Legend,
}

impl AuditReport {
    pub fn group(&self, channel: ChannelScope, category: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.channel == channel && g.category == category)
    }

    pub fn pass_rate(&self, category: &str) -> Option<&PassRateGroup> {
        self.pass_rates.iter().find(|p| p.category == category)
    }

    pub fn target(&self, target_id: &str) -> Option<&TargetResult> {
        self.targets.iter().find(|t| t.target_id == target_id)
    }
}

impl PhoneSummary {
    pub fn category(&self, category: &str) -> Option<&PhoneGroup> {
        self.by_category.iter().find(|p| p.category == category)
    }
}

/// Input that cannot be graded. Messages are shown to auditors.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AuditError {
    #[error("合格线须在0到1之间，收到 {0}")]
    InvalidThreshold(f64),
    #[error("法定答复期限须至少为1个工作日")]
    ZeroStatutoryDays,
    #[error("评估对象编号重复：{0}")]
    DuplicateTarget(String),
    #[error("评估对象 {target} 的类别无效（不能为空，也不能是保留字“all”）：{category:?}")]
    InvalidCategory { target: String, category: String },
    #[error("信函编号重复：{0}")]
    DuplicateLetter(String),
    #[error("信函 {letter} 指向不存在的评估对象 {target}")]
    UnknownLetterTarget { letter: String, target: String },
    #[error("电话核查指向不存在的评估对象 {0}")]
    UnknownPhoneTarget(String),
    #[error("信函 {0} 的签收日期早于寄出日期")]
    SignedBeforeSent(String),
    #[error("信函 {0} 已签收，但没有给出答复期限")]
    SignedWithoutDue(String),
    #[error("信函 {0} 未签收，却给出了答复期限")]
    DueWithoutSigning(String),
    #[error("信函 {letter} 的答复期限距签收日不足{days}天，不可能是{days}个工作日")]
    DueTooEarly { letter: String, days: u32 },
    #[error("信函 {0} 有答复记录，但没有签收日期")]
    ReplyWithoutSigning(String),
    #[error("信函 {0} 的答复发出日期早于签收日期")]
    DispatchBeforeSigning(String),
    #[error("信函 {0} 的答复发出日期晚于收到日期")]
    DispatchAfterReceipt(String),
}

/// Grades every letter and phone check of a campaign and builds the report.
pub fn audit(
    campaign: &Campaign,
    targets: &[Target],
    letters: &[Letter],
    phone_checks: &[PhoneCheck],
) -> Result<AuditReport, AuditError> {
    let threshold = campaign.pass_threshold;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(AuditError::InvalidThreshold(threshold));
    }
    if campaign.statutory_days == 0 {
        return Err(AuditError::ZeroStatutoryDays);
    }

    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut categories: Vec<&str> = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        if by_id.insert(target.id.as_str(), index).is_some() {
            return Err(AuditError::DuplicateTarget(target.id.clone()));
        }
        let category = target.category.as_str();
        if category.trim().is_empty() || category == ALL {
            return Err(AuditError::InvalidCategory {
                target: target.id.clone(),
                category: target.category.clone(),
            });
        }
        if !categories.contains(&category) {
            categories.push(category);
        }
    }

    let mut letter_ids: HashSet<&str> = HashSet::new();
    let mut graded: Vec<(&Letter, &Target, LetterGrade)> = Vec::with_capacity(letters.len());
    for letter in letters {
        if !letter_ids.insert(letter.id.as_str()) {
            return Err(AuditError::DuplicateLetter(letter.id.clone()));
        }
        let target = by_id
            .get(letter.target_id.as_str())
            .and_then(|&i| targets.get(i))
            .ok_or_else(|| AuditError::UnknownLetterTarget {
                letter: letter.id.clone(),
                target: letter.target_id.clone(),
            })?;
        graded.push((letter, target, grade_letter(letter, campaign)?));
    }

    // Phone: per unit, connected when any attempt on or before the cut-off connected.
    let mut phone_by_target: HashMap<&str, bool> = HashMap::new();
    for check in phone_checks {
        if !by_id.contains_key(check.target_id.as_str()) {
            return Err(AuditError::UnknownPhoneTarget(check.target_id.clone()));
        }
        if check.called_on.is_some_and(|day| day > campaign.cutoff_on) {
            continue;
        }
        let connected = phone_by_target
            .entry(check.target_id.as_str())
            .or_insert(false);
        *connected |= check.connected;
    }

    // Groups.
    let category_scopes: Vec<&str> = categories.iter().copied().chain([ALL]).collect();
    let mut groups: Vec<Group> = Vec::new();
    for channel in ChannelScope::ALL {
        for &category in &category_scopes {
            let mut group = Group::new(channel, category);
            for (letter, target, grade) in &graded {
                if channel.contains(letter.channel)
                    && (category == ALL || target.category == category)
                {
                    group.add(letter, grade);
                }
            }
            group.finish();
            groups.push(group);
        }
    }

    // Lists and per-letter results.
    let mut lists = Lists::default();
    let mut results = Vec::with_capacity(graded.len());
    for (letter, target, grade) in &graded {
        let reference = LetterRef {
            letter_id: letter.id.clone(),
            target_id: target.id.clone(),
            target_name: target.name.clone(),
            category: target.category.clone(),
            channel: letter.channel,
        };
        match grade.status {
            LetterStatus::NoReply => lists.no_reply.push(reference.clone()),
            LetterStatus::Late => lists.late.push(reference.clone()),
            LetterStatus::PendingNotDue | LetterStatus::PendingUnsigned => {
                lists.pending.push(reference.clone())
            }
            LetterStatus::OnTime => {}
        }
        for defect in &grade.defects {
            lists.defect_list(*defect).push(reference.clone());
        }
        results.push(LetterResult {
            letter_id: letter.id.clone(),
            target_id: target.id.clone(),
            target_name: target.name.clone(),
            category: target.category.clone(),
            channel: letter.channel,
            signed_on: letter.signed_on,
            due_on: letter.due_on,
            grade: grade.clone(),
            findings: letter
                .reply
                .as_ref()
                .filter(|_| grade.status.is_replied())
                .map(|reply| check_reply(reply, &target.name, letter.due_on))
                .unwrap_or_default(),
        });
    }

    // Targets.
    let rubric = &campaign.rubric;
    let mut target_results = Vec::with_capacity(targets.len());
    let mut unrounded_rates: Vec<Option<f64>> = Vec::with_capacity(targets.len());
    let mut letter_totals: HashMap<&str, (u64, u64, bool)> = HashMap::new();
    for (letter, _, grade) in &graded {
        let totals = letter_totals
            .entry(letter.target_id.as_str())
            .or_insert((0, 0, false));
        totals.0 = totals.0.saturating_add(grade.score);
        totals.1 = totals.1.saturating_add(grade.max);
        totals.2 |= grade.status == LetterStatus::PendingNotDue;
    }
    for target in targets {
        let (mut score, mut max, provisional) = letter_totals
            .get(target.id.as_str())
            .copied()
            .unwrap_or((0, 0, false));
        let phone_connected = phone_by_target.get(target.id.as_str()).copied();
        if let Some(connected) = phone_connected {
            max = max.saturating_add(u64::from(rubric.phone_connected));
            if connected {
                score = score.saturating_add(u64::from(rubric.phone_connected));
            } else {
                lists.phone_not_connected.push(TargetRef {
                    target_id: target.id.clone(),
                    name: target.name.clone(),
                    category: target.category.clone(),
                });
            }
        }
        let exact = exact_rate(score, max);
        unrounded_rates.push(exact);
        target_results.push(TargetResult {
            target_id: target.id.clone(),
            name: target.name.clone(),
            category: target.category.clone(),
            score,
            max,
            score_rate: exact.map(round_rate),
            passed: exact.map(|r| r >= threshold),
            provisional,
            phone_connected,
        });
    }

    // Phone summary and pass rates per category, then all.
    let mut by_category = Vec::with_capacity(categories.len());
    let mut pass_rates = Vec::with_capacity(category_scopes.len());
    let mut phone_all = PhoneGroup::new(ALL);
    for &category in &category_scopes {
        let mut phone = PhoneGroup::new(category);
        let mut pass = PassRateGroup {
            category: category.to_owned(),
            targets: 0,
            graded: 0,
            passed: 0,
            pass_rate: None,
            mean_score_rate: None,
        };
        let mut rate_sum = 0.0;
        for (result, exact) in target_results.iter().zip(&unrounded_rates) {
            if category != ALL && result.category != category {
                continue;
            }
            pass.targets += 1;
            if let Some(exact) = exact {
                pass.graded += 1;
                rate_sum += exact;
                if result.passed == Some(true) {
                    pass.passed += 1;
                }
            }
            if let Some(connected) = result.phone_connected {
                phone.total += 1;
                if connected {
                    phone.connected += 1;
                }
            }
        }
        pass.pass_rate = rate(pass.passed, pass.graded);
        pass.mean_score_rate = if pass.graded == 0 {
            None
        } else {
            Some(round_rate(rate_sum / pass.graded as f64))
        };
        pass_rates.push(pass);
        phone.not_connected = phone.total.saturating_sub(phone.connected);
        phone.rate = rate(phone.connected, phone.total);
        if category == ALL {
            phone_all = phone;
        } else {
            by_category.push(phone);
        }
    }

    Ok(AuditReport {
        campaign: campaign.clone(),
        groups,
        phone: PhoneSummary {
            total: phone_all.total,
            connected: phone_all.connected,
            not_connected: phone_all.not_connected,
            rate: phone_all.rate,
            by_category,
        },
        targets: target_results,
        pass_rates,
        checker: CHECKER_CODES
            .iter()
            .map(|&code| CheckerCount {
                code,
                replies: results
                    .iter()
                    .filter(|r| r.findings.iter().any(|f| f.code == code))
                    .count(),
            })
            .collect(),
        lists,
        letters: results,
        legend: Legend::new(),
    })
}

impl PhoneGroup {
    fn new(category: &str) -> Self {
        Self {
            category: category.to_owned(),
            total: 0,
            connected: 0,
            not_connected: 0,
            rate: None,
        }
    }
}

fn exact_rate(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// `numerator / denominator` rounded to [`RATE_DECIMALS`], `None` for an empty denominator.
pub fn rate(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| round_rate(numerator as f64 / denominator as f64))
}

fn round_rate(value: f64) -> f64 {
    let scale = 10f64.powi(RATE_DECIMALS);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const FIXTURE: &str = include_str!("../../tests/fixtures/seed000.json");

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn campaign() -> Campaign {
        Campaign {
            statutory_days: 20,
            cutoff_on: d("2020-11-20"),
            pass_threshold: DEFAULT_PASS_THRESHOLD,
            rubric: Rubric::default(),
        }
    }

    fn target(id: &str, category: &str) -> Target {
        Target {
            id: id.into(),
            name: format!("单位{id}"),
            category: category.into(),
        }
    }

    /// A reply with nothing missing, posted on `postmark`.
    fn reply(postmark: &str) -> ReplyRecord {
        ReplyRecord {
            received_on: d("2020-11-10"),
            dispatched_on: Some(d(postmark)),
            doc_date: Some(d("2020-10-30")),
            doc_number: Some("桂测复〔2020〕1号".into()),
            sealed: true,
            seal_organ: None,
            legal_basis: vec![Citation {
                law: "《中华人民共和国政府信息公开条例》".into(),
                article: Some("第三十六条".into()),
                item: Some("第（二）项".into()),
                ..Citation::default()
            }],
            remedy: Remedy {
                reconsideration: Some(ReconsiderationNotice {
                    organ: Some("广西壮族自治区人民政府".into()),
                    period_days: Some(60),
                    ..ReconsiderationNotice::default()
                }),
                litigation: Some(LitigationNotice {
                    court: Some("南宁市××区人民法院".into()),
                    period_months: Some(6),
                    ..LitigationNotice::default()
                }),
                ..Remedy::default()
            },
        }
    }

    /// Signed Wed 2020-09-30 in Guangxi: the 20th working day after is Wed 2020-11-04.
    fn letter(id: &str, reply: Option<ReplyRecord>) -> Letter {
        Letter {
            id: id.into(),
            target_id: "t1".into(),
            channel: Channel::Regular,
            tracking_number: None,
            sent_on: d("2020-09-21"),
            signed_on: Some(d("2020-09-30")),
            due_on: Some(d("2020-11-04")),
            reply,
        }
    }

    fn grade(letter: &Letter) -> LetterGrade {
        grade_letter(letter, &campaign()).unwrap()
    }

    // --- timeliness ------------------------------------------------------------------------

    #[test]
    fn on_time_when_posted_on_the_due_date() {
        let g = grade(&letter("a", Some(reply("2020-11-04"))));
        assert_eq!(g.status, LetterStatus::OnTime);
        assert_eq!(g.dispatched_on, Some(d("2020-11-04")));
        assert_eq!(g.dispatch_source, Some(DispatchSource::Postmark));
        assert_eq!(g.late_by_days, None);
        assert!(g.defects.is_empty());
        assert_eq!((g.score, g.max), (11, 11));
    }

    #[test]
    fn late_when_posted_the_day_after() {
        let g = grade(&letter("a", Some(reply("2020-11-05"))));
        assert_eq!(g.status, LetterStatus::Late);
        assert_eq!(g.late_by_days, Some(1));
        // signed 1 + late 2 + doc 1 + seal 1 + basis 2 + remedy 2
        assert_eq!((g.score, g.max), (9, 11));
    }

    #[test]
    fn postmark_wins_over_document_date() {
        let mut r = reply("2020-11-06");
        r.doc_date = Some(d("2020-11-03"));
        let g = grade(&letter("a", Some(r)));
        assert_eq!(g.status, LetterStatus::Late);
        assert_eq!(g.dispatched_on, Some(d("2020-11-06")));

        let mut r = reply("2020-11-04");
        r.doc_date = Some(d("2020-11-05"));
        assert_eq!(grade(&letter("b", Some(r))).status, LetterStatus::OnTime);
    }

    #[test]
    fn document_date_counts_when_there_is_no_postmark() {
        let mut r = reply("2020-11-01");
        r.dispatched_on = None;
        r.doc_date = Some(d("2020-11-04"));
        let g = grade(&letter("a", Some(r.clone())));
        assert_eq!(g.status, LetterStatus::OnTime);
        assert_eq!(g.dispatch_source, Some(DispatchSource::DocDate));

        r.doc_date = Some(d("2020-11-05"));
        let g = grade(&letter("b", Some(r)));
        assert_eq!(g.status, LetterStatus::Late);
        assert_eq!(g.dispatched_on, Some(d("2020-11-05")));
    }

    #[test]
    fn received_date_counts_when_there_is_neither_postmark_nor_document_date() {
        let mut r = reply("2020-11-01");
        r.dispatched_on = None;
        r.doc_date = None;
        r.received_on = d("2020-11-04");
        let g = grade(&letter("a", Some(r.clone())));
        assert_eq!(g.status, LetterStatus::OnTime);
        assert_eq!(g.dispatch_source, Some(DispatchSource::Received));

        r.received_on = d("2020-11-05");
        assert_eq!(grade(&letter("b", Some(r))).status, LetterStatus::Late);
    }

    // --- cut-off -----------------------------------------------------------------------------

    #[test]
    fn no_reply_when_due_on_or_before_the_cutoff() {
        let mut c = campaign();
        c.cutoff_on = d("2020-11-04");
        let g = grade_letter(&letter("a", None), &c).unwrap();
        assert_eq!(g.status, LetterStatus::NoReply);
        assert_eq!((g.score, g.max), (1, 11));
        assert!(g.defects.is_empty());
    }

    #[test]
    fn pending_when_due_after_the_cutoff() {
        let mut c = campaign();
        c.cutoff_on = d("2020-11-03");
        let g = grade_letter(&letter("a", None), &c).unwrap();
        assert_eq!(g.status, LetterStatus::PendingNotDue);
        assert!(g.status.is_pending());
        assert_eq!((g.score, g.max), (0, 0));
    }

    #[test]
    fn reply_received_after_the_cutoff_is_not_counted() {
        let mut r = reply("2020-11-04");
        r.received_on = d("2020-11-21");
        let g = grade(&letter("a", Some(r.clone())));
        assert_eq!(g.status, LetterStatus::NoReply);
        assert!(g.reply_after_cutoff);
        assert!(g.defects.is_empty());

        let mut c = campaign();
        c.cutoff_on = d("2020-11-03");
        r.received_on = d("2020-11-04");
        let g = grade_letter(&letter("b", Some(r)), &c).unwrap();
        assert_eq!(g.status, LetterStatus::PendingNotDue);
        assert!(g.reply_after_cutoff);
    }

    #[test]
    fn reply_received_on_the_cutoff_counts() {
        let mut r = reply("2020-11-04");
        r.received_on = d("2020-11-20");
        let g = grade(&letter("a", Some(r)));
        assert_eq!(g.status, LetterStatus::OnTime);
        assert!(!g.reply_after_cutoff);
    }

    #[test]
    fn unsigned_letter_is_pending_and_scores_nothing() {
        let mut l = letter("a", None);
        l.signed_on = None;
        l.due_on = None;
        let g = grade(&l);
        assert_eq!(g.status, LetterStatus::PendingUnsigned);
        assert_eq!((g.score, g.max), (0, 11));

        let report = audit(&campaign(), &[target("t1", "区直单位")], &[l], &[]).unwrap();
        let all = report.group(ChannelScope::All, ALL).unwrap();
        assert_eq!((all.letters, all.signed, all.pending), (1, 0, 1));
        assert_eq!(all.sign_rate, Some(0.0));
        assert_eq!(report.lists.pending.len(), 1);
        assert_eq!(report.targets[0].passed, Some(false));
    }

    // --- defects -----------------------------------------------------------------------------

    fn defects_of(r: ReplyRecord) -> Vec<Defect> {
        grade(&letter("a", Some(r))).defects
    }

    #[test]
    fn missing_doc_number() {
        let mut r = reply("2020-11-02");
        r.doc_number = None;
        assert_eq!(defects_of(r.clone()), vec![Defect::MissingDocNumber]);
        r.doc_number = Some("  ".into());
        assert_eq!(defects_of(r), vec![Defect::MissingDocNumber]);
    }

    #[test]
    fn unsealed() {
        let mut r = reply("2020-11-02");
        r.sealed = false;
        assert_eq!(defects_of(r), vec![Defect::Unsealed]);
    }

    #[test]
    fn no_legal_basis_without_a_specific_article() {
        let law_only = Citation {
            law: "《中华人民共和国政府信息公开条例》".into(),
            article: None,
            item: None,
            ..Citation::default()
        };
        for basis in [
            vec![],
            vec![law_only.clone()],
            vec![Citation {
                article: Some(" ".into()),
                ..law_only.clone()
            }],
        ] {
            let mut r = reply("2020-11-02");
            r.legal_basis = basis;
            assert_eq!(defects_of(r), vec![Defect::NoLegalBasis]);
        }
        // One specific citation among vague ones is enough.
        let mut r = reply("2020-11-02");
        r.legal_basis.insert(0, law_only);
        assert!(defects_of(r).is_empty());
    }

    #[test]
    fn no_remedy_when_neither_route_is_mentioned() {
        let mut r = reply("2020-11-02");
        r.remedy = Remedy::default();
        assert_eq!(defects_of(r.clone()), vec![Defect::NoRemedy]);
        let g = grade(&letter("a", Some(r)));
        assert_eq!(g.score, 9);
    }

    #[test]
    fn remedy_without_detail_when_a_mentioned_route_lacks_organ_or_court() {
        let full = reply("2020-11-02").remedy;
        let cases = [
            Remedy {
                reconsideration: Some(ReconsiderationNotice::default()),
                litigation: None,
                ..Remedy::default()
            },
            Remedy {
                reconsideration: None,
                litigation: Some(LitigationNotice {
                    court: Some(String::new()),
                    period_months: Some(6),
                    ..LitigationNotice::default()
                }),
                ..Remedy::default()
            },
            Remedy {
                reconsideration: full.reconsideration.clone(),
                litigation: Some(LitigationNotice::default()),
                ..Remedy::default()
            },
        ];
        for remedy in cases {
            let mut r = reply("2020-11-02");
            r.remedy = remedy;
            assert_eq!(defects_of(r.clone()), vec![Defect::RemedyWithoutDetail]);
            assert_eq!(grade(&letter("a", Some(r))).score, 10);
        }
        // A single route with its organ named is detailed enough.
        let mut r = reply("2020-11-02");
        r.remedy.litigation = None;
        assert!(defects_of(r).is_empty());
    }

    #[test]
    fn every_defect_at_once_and_none_without_a_reply() {
        let r = ReplyRecord {
            received_on: d("2020-11-10"),
            dispatched_on: Some(d("2020-11-02")),
            doc_date: None,
            doc_number: None,
            sealed: false,
            seal_organ: None,
            legal_basis: vec![],
            remedy: Remedy::default(),
        };
        assert_eq!(
            defects_of(r),
            vec![
                Defect::MissingDocNumber,
                Defect::Unsealed,
                Defect::NoLegalBasis,
                Defect::NoRemedy
            ]
        );
        assert!(grade(&letter("a", None)).defects.is_empty());
    }

    // --- input checks ------------------------------------------------------------------------

    #[test]
    fn inconsistent_letters_are_rejected() {
        let c = campaign();
        let mut l = letter("a", None);
        l.due_on = None;
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::SignedWithoutDue("a".into()))
        );

        let mut l = letter("a", None);
        l.signed_on = None;
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::DueWithoutSigning("a".into()))
        );

        let mut l = letter("a", None);
        l.signed_on = Some(d("2020-09-20"));
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::SignedBeforeSent("a".into()))
        );

        // Due 19 calendar days after signing cannot be 20 working days.
        let mut l = letter("a", None);
        l.due_on = Some(d("2020-10-19"));
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::DueTooEarly {
                letter: "a".into(),
                days: 20
            })
        );

        let mut l = letter("a", Some(reply("2020-11-02")));
        l.signed_on = None;
        l.due_on = None;
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::ReplyWithoutSigning("a".into()))
        );

        let l = letter("a", Some(reply("2020-09-29")));
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::DispatchBeforeSigning("a".into()))
        );

        let l = letter("a", Some(reply("2020-11-11")));
        assert_eq!(
            grade_letter(&l, &c),
            Err(AuditError::DispatchAfterReceipt("a".into()))
        );
    }

    #[test]
    fn inconsistent_campaigns_are_rejected() {
        let t = [target("t1", "区直单位")];
        let l = [letter("a", None)];
        let mut c = campaign();
        c.pass_threshold = 1.5;
        assert_eq!(
            audit(&c, &t, &l, &[]),
            Err(AuditError::InvalidThreshold(1.5))
        );
        c.pass_threshold = f64::NAN;
        assert!(matches!(
            audit(&c, &t, &l, &[]),
            Err(AuditError::InvalidThreshold(_))
        ));
        let mut c = campaign();
        c.statutory_days = 0;
        assert_eq!(audit(&c, &t, &l, &[]), Err(AuditError::ZeroStatutoryDays));

        let c = campaign();
        assert_eq!(
            audit(&c, &[t[0].clone(), t[0].clone()], &l, &[]),
            Err(AuditError::DuplicateTarget("t1".into()))
        );
        assert!(matches!(
            audit(&c, &[target("t1", ALL)], &l, &[]),
            Err(AuditError::InvalidCategory { .. })
        ));
        assert!(matches!(
            audit(&c, &[target("t1", " ")], &l, &[]),
            Err(AuditError::InvalidCategory { .. })
        ));
        assert_eq!(
            audit(&c, &t, &[l[0].clone(), l[0].clone()], &[]),
            Err(AuditError::DuplicateLetter("a".into()))
        );
        let mut stray = l[0].clone();
        stray.target_id = "t9".into();
        assert_eq!(
            audit(&c, &t, &[stray], &[]),
            Err(AuditError::UnknownLetterTarget {
                letter: "a".into(),
                target: "t9".into()
            })
        );
        let call = PhoneCheck {
            target_id: "t9".into(),
            called_on: None,
            connected: true,
        };
        assert_eq!(
            audit(&c, &t, &l, &[call]),
            Err(AuditError::UnknownPhoneTarget("t9".into()))
        );
    }

    #[test]
    fn errors_speak_chinese() {
        let message = AuditError::ReplyWithoutSigning("a".into()).to_string();
        assert_eq!(message, "信函 a 有答复记录，但没有签收日期");
    }

    // --- report ------------------------------------------------------------------------------

    fn call(target_id: &str, connected: bool) -> PhoneCheck {
        PhoneCheck {
            target_id: target_id.into(),
            called_on: None,
            connected,
        }
    }

    #[test]
    fn phone_counts_units_connected_on_any_attempt_by_the_cutoff() {
        let targets = [
            target("t1", "区直单位"),
            target("t2", "区直单位"),
            target("t3", "设区市政府"),
            target("t4", "设区市政府"),
        ];
        let calls = [
            call("t1", false),
            call("t1", true),
            call("t2", false),
            call("t2", false),
            call("t3", true),
        ];
        let mut late_call = call("t2", true);
        late_call.called_on = Some(d("2020-11-21"));
        let calls = [calls.as_slice(), &[late_call]].concat();
        let report = audit(&campaign(), &targets, &[], &calls).unwrap();
        let p = &report.phone;
        assert_eq!((p.total, p.connected, p.not_connected), (3, 2, 1));
        assert_eq!(p.rate, Some(0.6667));
        let qz = p.category("区直单位").unwrap();
        assert_eq!((qz.total, qz.connected, qz.rate), (2, 1, Some(0.5)));
        let names: Vec<&str> = report
            .lists
            .phone_not_connected
            .iter()
            .map(|t| t.target_id.as_str())
            .collect();
        assert_eq!(names, ["t2"]);
        // t4 was never phoned and has no letters: not graded.
        let t4 = report.target("t4").unwrap();
        assert_eq!((t4.max, t4.score_rate, t4.passed), (0, None, None));
        assert_eq!(t4.phone_connected, None);
        let all = report.pass_rate(ALL).unwrap();
        assert_eq!((all.targets, all.graded, all.passed), (4, 3, 2));
    }

    #[test]
    fn groups_cover_every_pair_and_empty_groups_have_no_rate() {
        let targets = [target("t1", "区直单位"), target("t2", "设区市政府")];
        let mut irregular = letter("b", None);
        irregular.channel = Channel::Irregular;
        let letters = [letter("a", Some(reply("2020-11-04"))), irregular];
        let report = audit(&campaign(), &targets, &letters, &[]).unwrap();
        let pairs: Vec<(ChannelScope, &str)> = report
            .groups
            .iter()
            .map(|g| (g.channel, g.category.as_str()))
            .collect();
        assert_eq!(pairs.len(), 9);
        assert_eq!(pairs[0], (ChannelScope::Regular, "区直单位"));
        assert_eq!(pairs[8], (ChannelScope::All, ALL));
        let empty = report.group(ChannelScope::Regular, "设区市政府").unwrap();
        assert_eq!(
            (empty.letters, empty.sign_rate, empty.on_time_rate),
            (0, None, None)
        );
        let all = report.group(ChannelScope::All, ALL).unwrap();
        assert_eq!((all.letters, all.on_time, all.no_reply), (2, 1, 1));
        assert_eq!(all.on_time_rate, Some(0.5));
        let irr = report.group(ChannelScope::Irregular, "区直单位").unwrap();
        assert_eq!((irr.letters, irr.no_reply), (1, 1));
        assert_eq!(report.lists.no_reply[0].letter_id, "b");

        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["groups"][0]["channel"], "regular");
        assert_eq!(json["groups"][8]["category"], "all");
        assert_eq!(json["letters"][0]["status"], "on_time");
        assert_eq!(json["letters"][0]["dispatch_source"], "postmark");
        assert_eq!(json["legend"]["defects"][0]["label"], "答复书缺少文号");
    }

    #[test]
    fn rates_are_rounded_to_four_decimals() {
        assert_eq!(rate(94, 114), Some(0.8246));
        assert_eq!(rate(39, 57), Some(0.6842));
        assert_eq!(rate(1, 1), Some(1.0));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn default_rubric_and_threshold() {
        let r = Rubric::default();
        assert_eq!(r.letter_max(), 11);
        let c: Campaign = serde_json::from_value(json!({"cutoff_on": "2020-11-20"})).unwrap();
        assert_eq!(c.pass_threshold, 0.6);
        assert_eq!(c.statutory_days, 20);
        assert_eq!(c.rubric, r);
    }

    #[test]
    fn rubric_is_replaceable_and_must_be_complete() {
        let custom = json!({
            "signed": 1, "replied_on_time": 5, "replied_late": 0, "doc_number": 1, "seal": 1,
            "legal_basis": 1, "remedy_with_detail": 1, "remedy_without_detail": 0,
            "phone_connected": 0
        });
        let rubric: Rubric = serde_json::from_value(custom.clone()).unwrap();
        assert_eq!(rubric.letter_max(), 10);

        let mut partial = custom.clone();
        partial.as_object_mut().unwrap().remove("seal");
        assert!(serde_json::from_value::<Rubric>(partial).is_err());
        let mut typo = custom;
        typo.as_object_mut()
            .unwrap()
            .insert("sael".into(), json!(1));
        assert!(serde_json::from_value::<Rubric>(typo).is_err());

        // Exactly at the threshold passes: signed 1 + on time 5 = 6 of 10.
        let bare = ReplyRecord {
            received_on: d("2020-11-10"),
            dispatched_on: Some(d("2020-11-02")),
            doc_date: None,
            doc_number: None,
            sealed: false,
            seal_organ: None,
            legal_basis: vec![],
            remedy: Remedy::default(),
        };
        let mut c = campaign();
        c.rubric = rubric;
        let t = [target("t1", "区直单位")];
        let report = audit(&c, &t, &[letter("a", Some(bare.clone()))], &[]).unwrap();
        let result = &report.targets[0];
        assert_eq!((result.score, result.max), (6, 10));
        assert_eq!(result.score_rate, Some(0.6));
        assert_eq!(result.passed, Some(true));

        // Posted a day late: 1 of 10 fails.
        let mut late = bare;
        late.dispatched_on = Some(d("2020-11-05"));
        let report = audit(&c, &t, &[letter("a", Some(late))], &[]).unwrap();
        assert_eq!(report.targets[0].passed, Some(false));
        assert_eq!(report.pass_rate("区直单位").unwrap().pass_rate, Some(0.0));
    }

    #[test]
    fn pending_letter_leaves_the_score_provisional() {
        let mut c = campaign();
        c.cutoff_on = d("2020-11-03");
        let t = [target("t1", "区直单位")];
        let mut second = letter("b", Some(reply("2020-11-01")));
        second.reply.as_mut().unwrap().received_on = d("2020-11-03");
        let report = audit(&c, &t, &[letter("a", None), second], &[call("t1", true)]).unwrap();
        let result = &report.targets[0];
        assert!(result.provisional);
        assert_eq!((result.score, result.max), (13, 13));
        assert_eq!(report.lists.pending[0].letter_id, "a");
    }

    // --- seed 000 fixture --------------------------------------------------------------------

    fn fixture() -> (AuditInput, Value) {
        let input: AuditInput = serde_json::from_str(FIXTURE).unwrap();
        let root: Value = serde_json::from_str(FIXTURE).unwrap();
        (input, root)
    }

    fn find(items: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
        items.as_array().unwrap().iter().find(|v| pred(v)).unwrap()
    }

    fn same(actual: &Value, expected: &Value) -> bool {
        match (actual.as_f64(), expected.as_f64()) {
            (Some(a), Some(e)) => (a - e).abs() < 1e-9,
            _ => actual == expected,
        }
    }

    #[test]
    fn seed000_fixture_reproduces_every_figure() {
        let (input, root) = fixture();
        let report = input.report().unwrap();
        let json = serde_json::to_value(&report).unwrap();
        let rows = root["expected"]["figures"].as_array().unwrap();
        assert!(rows.len() >= 60);
        for row in rows {
            let field = row["field"].as_str().unwrap();
            let category = row["category"].as_str().unwrap_or(ALL);
            let actual = match row["scope"].as_str().unwrap() {
                "letters" => find(&json["groups"], |g| {
                    g["channel"] == row["channel"] && g["category"] == row["category"]
                })[field]
                    .clone(),
                "phone" if category == ALL => json["phone"][field].clone(),
                "phone" => find(&json["phone"]["by_category"], |p| p["category"] == category)
                    [field]
                    .clone(),
                "pass_rates" => {
                    find(&json["pass_rates"], |p| p["category"] == category)[field].clone()
                }
                "targets" => json!(
                    input
                        .targets
                        .iter()
                        .filter(|t| t.category == category)
                        .count()
                ),
                "campaign" => json["campaign"][field].clone(),
                other => panic!("unknown scope {other}"),
            };
            assert!(same(&actual, &row["value"]), "{row}: got {actual}");
            if row["source"] == "conflict" {
                assert!(!same(&actual, &row["published_value"]), "{row}");
            }
        }
    }

    #[test]
    fn seed000_fixture_lists() {
        let (input, root) = fixture();
        let report = input.report().unwrap();
        let json = serde_json::to_value(&report).unwrap();
        for expected in root["expected"]["lists"].as_array().unwrap() {
            let list = expected["list"].as_str().unwrap();
            let mut names: Vec<&str> = json["lists"][list]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| expected["channel"].is_null() || r["channel"] == expected["channel"])
                .map(|r| r["target_name"].as_str().unwrap())
                .collect();
            names.sort_unstable();
            let mut want: Vec<&str> = expected["names"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect();
            want.sort_unstable();
            assert_eq!(names, want, "{expected}");
        }
        // Every count has its list behind it.
        let all = report.group(ChannelScope::All, ALL).unwrap();
        let l = &report.lists;
        assert_eq!(l.no_reply.len(), all.no_reply);
        assert_eq!(l.late.len(), all.late);
        assert_eq!(l.pending.len(), all.pending);
        assert_eq!(l.missing_doc_number.len(), all.missing_doc_number);
        assert_eq!(l.unsealed.len(), all.unsealed);
        assert_eq!(l.no_legal_basis.len(), all.no_legal_basis);
        assert_eq!(l.no_remedy.len(), all.no_remedy);
        assert_eq!(l.remedy_without_detail.len(), all.remedy_without_detail);
        assert_eq!(l.phone_not_connected.len(), report.phone.not_connected);
        // The late reply was dated in time but posted late: the postmark decides.
        let late = report
            .letters
            .iter()
            .find(|r| r.grade.status == LetterStatus::Late)
            .unwrap();
        assert_eq!(late.target_name, "交通运输厅");
        assert_eq!(late.grade.dispatch_source, Some(DispatchSource::Postmark));
        assert_eq!(late.grade.late_by_days, Some(4));
    }

    #[test]
    fn seed000_fixture_shape_and_rubric() {
        let (input, _) = fixture();
        assert_eq!(input.campaign.rubric, Rubric::default());
        assert_eq!(input.targets.len(), 57);
        assert_eq!(input.letters.len(), 114);
        for t in &input.targets {
            let channels: Vec<Channel> = input
                .letters
                .iter()
                .filter(|l| l.target_id == t.id)
                .map(|l| l.channel)
                .collect();
            assert_eq!(channels, [Channel::Regular, Channel::Irregular], "{}", t.id);
        }
        // Every dispatch source and the due date itself occur.
        let report = input.report().unwrap();
        for source in [
            DispatchSource::Postmark,
            DispatchSource::DocDate,
            DispatchSource::Received,
        ] {
            assert!(
                report
                    .letters
                    .iter()
                    .any(|r| r.grade.dispatch_source == Some(source))
            );
        }
        assert!(
            report.letters.iter().any(
                |r| r.grade.status == LetterStatus::OnTime && r.grade.dispatched_on == r.due_on
            )
        );
    }

    /// The fixture's due dates are the 20th working day after signing on the Guangxi 2020
    /// calendar it carries (national 国庆节、中秋节 10-01..10-08, 调休 09-27 and 10-10; no
    /// 三月三 in 2020). The receipt day never counts.
    #[test]
    fn seed000_fixture_due_dates_follow_the_guangxi_calendar() {
        let (input, root) = fixture();
        let cal = &root["calendar"];
        let dates = |key: &str| -> Vec<NaiveDate> {
            cal[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| d(v.as_str().unwrap()))
                .collect()
        };
        let (holidays, workdays, covers) = (dates("holidays"), dates("workdays"), dates("covers"));
        let working = |day: NaiveDate| {
            use chrono::Datelike;
            workdays.contains(&day)
                || (day.weekday().number_from_monday() <= 5 && !holidays.contains(&day))
        };
        let nth_working_day_after = |start: NaiveDate, n: u32| {
            let mut day = start;
            let mut counted = 0;
            while counted < n {
                day = day.succ_opt().unwrap();
                assert!(day <= covers[1], "calendar does not cover {day}");
                if working(day) {
                    counted += 1;
                }
            }
            day
        };
        // RULES §2-style checks on this calendar.
        assert_eq!(nth_working_day_after(d("2020-09-30"), 20), d("2020-11-04"));
        assert_eq!(nth_working_day_after(d("2020-09-27"), 20), d("2020-10-30"));
        assert_eq!(nth_working_day_after(d("2020-10-05"), 1), d("2020-10-09"));
        assert_eq!(nth_working_day_after(d("2020-10-09"), 1), d("2020-10-10"));
        for l in &input.letters {
            let signed = l.signed_on.unwrap();
            assert!(signed >= covers[0]);
            assert_eq!(
                l.due_on,
                Some(nth_working_day_after(signed, input.campaign.statutory_days)),
                "{}",
                l.id
            );
        }
    }

    #[test]
    fn the_compliance_checker_grades_audit_replies_without_outcome_rules() {
        // A complete reply (the checker also wants the organ's address or phone): nothing to say.
        let complete = |postmark: &str| {
            let mut r = reply(postmark);
            if let Some(rc) = r.remedy.reconsideration.as_mut() {
                rc.address = Some("南宁市民族大道".into());
            }
            r
        };
        let full = complete("2020-11-02");
        let found = check_reply(&full, "单位t1", Some(d("2020-11-04")));
        assert!(found.is_empty(), "{found:?}");
        // Every seed 000 defect, and a late postmark, as the checker words them.
        let mut r = reply("2020-11-05");
        r.doc_number = None;
        r.sealed = false;
        r.legal_basis = vec![Citation {
            law: "《中华人民共和国政府信息公开条例》".into(),
            ..Citation::default()
        }];
        r.remedy = Remedy {
            reconsideration: Some(ReconsiderationNotice::default()),
            ..Remedy::default()
        };
        let codes: Vec<&str> = check_reply(&r, "单位t1", Some(d("2020-11-04")))
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            codes,
            [
                codes::DOC_NUMBER_MISSING,
                codes::SEAL_MISSING,
                codes::LEGAL_BASIS_NO_ARTICLE,
                codes::REMEDY_RECONSIDERATION_ORGAN_MISSING,
                codes::REMEDY_COURT_MISSING,
                codes::REPLY_LATE,
            ]
        );
        // A citation that does not fit a guessed outcome is not flagged: the outcome is unknown.
        let mut r = complete("2020-11-02");
        r.legal_basis[0].article = Some("第十四条".into());
        assert!(check_reply(&r, "单位t1", Some(d("2020-11-04"))).is_empty());
        // A seal of another organ is.
        let mut r = complete("2020-11-02");
        r.seal_organ = Some("另一单位".into());
        let codes: Vec<&str> = check_reply(&r, "单位t1", None)
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, [codes::SEAL_ORGAN_MISMATCH]);
    }
}

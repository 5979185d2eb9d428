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

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

mod grading;
mod report;
#[cfg(test)]
mod tests;

pub use grading::*;
pub use report::*;

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

    /// The stored and JSON code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Regular => "regular",
            Channel::Irregular => "irregular",
        }
    }

    /// The code, or the Chinese label an evaluator's sheet uses.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "regular" | "正常渠道" => Some(Channel::Regular),
            "irregular" | "非正常渠道" => Some(Channel::Irregular),
            _ => None,
        }
    }
}

/// A stored channel code that is not one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown letter channel {0:?}")]
pub struct UnknownChannel(pub String);

impl TryFrom<String> for Channel {
    type Error = UnknownChannel;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Channel::parse(&raw).ok_or(UnknownChannel(raw))
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
pub use crate::domain::compliance::{
    LegalCitation as Citation, LitigationRoute as LitigationNotice,
    ReconsiderationRoute as ReconsiderationNotice, Remedy,
};

/// Names a specific article (seed 000: 法律依据及具体条款): the case checker's rule, so
/// "依据《条例》有关规定" counts as no article in both.
pub fn is_specific(citation: &Citation) -> bool {
    crate::domain::letter_rules::cites_article(citation)
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
pub struct CampaignInput {
    pub campaign: Campaign,
    pub targets: Vec<Target>,
    pub letters: Vec<Letter>,
    #[serde(default)]
    pub phone_checks: Vec<PhoneCheck>,
}

impl CampaignInput {
    pub fn report(&self) -> Result<CampaignReport, CampaignError> {
        build_report(
            &self.campaign,
            &self.targets,
            &self.letters,
            &self.phone_checks,
        )
    }
}

/// Input that cannot be graded. Messages are shown to auditors.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CampaignError {
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

/// The department a target's name suggests: the one department whose name or OGI office
/// name (`office_name`) equals it exactly (both trimmed). None when no department or more
/// than one matches — a suggestion must never be a guess, and it is only ever offered.
pub fn suggest_department<'a>(
    target_name: &str,
    departments: impl IntoIterator<Item = (i64, &'a str, Option<&'a str>)>,
) -> Option<i64> {
    let name = target_name.trim();
    if name.is_empty() {
        return None;
    }
    let mut found = departments
        .into_iter()
        .filter(|(_, n, office)| n.trim() == name || office.is_some_and(|o| o.trim() == name))
        .map(|(id, _, _)| id);
    let first = found.next()?;
    found.all(|id| id == first).then_some(first)
}

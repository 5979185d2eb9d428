//! The campaign report: counts by channel and unit category, phone results, each unit's
//! score and pass decision, pass rates, the lists behind every count, and a legend.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::grading::{CHECKER_CODES, Defect, LetterGrade, LetterStatus, check_reply, grade_letter};
use super::{ALL, Campaign, CampaignError, Channel, Letter, PhoneCheck, RATE_DECIMALS, Target};
use crate::domain::compliance::Finding;

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
pub struct CampaignReport {
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
    /// Graded units by 得分率 in ten bands of ten points (the last one includes 100%).
    pub score_distribution: Vec<ScoreBand>,
    pub legend: Legend,
}

/// How many graded units have a 得分率 in `[from_percent, to_percent)` (the last band
/// also holds 100%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreBand {
    pub from_percent: u32,
    pub to_percent: u32,
    pub units: usize,
}

/// Ten bands of ten points over the graded units (integer arithmetic: a unit at exactly
/// 60% is in 60–70%, never 50–60% by a rounding error).
pub fn score_distribution(targets: &[TargetResult]) -> Vec<ScoreBand> {
    let mut bands: Vec<ScoreBand> = (0..10)
        .map(|i| ScoreBand {
            from_percent: i * 10,
            to_percent: i * 10 + 10,
            units: 0,
        })
        .collect();
    for t in targets.iter().filter(|t| t.max > 0) {
        let band = usize::try_from((t.score.min(t.max) * 10 / t.max).min(9)).unwrap_or(9);
        if let Some(b) = bands.get_mut(band) {
            b.units += 1;
        }
    }
    bands
}

impl CampaignReport {
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

/// Grades every letter and phone check of a campaign and builds the report.
pub fn build_report(
    campaign: &Campaign,
    targets: &[Target],
    letters: &[Letter],
    phone_checks: &[PhoneCheck],
) -> Result<CampaignReport, CampaignError> {
    let threshold = campaign.pass_threshold;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(CampaignError::InvalidThreshold(threshold));
    }
    if campaign.statutory_days == 0 {
        return Err(CampaignError::ZeroStatutoryDays);
    }

    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut categories: Vec<&str> = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        if by_id.insert(target.id.as_str(), index).is_some() {
            return Err(CampaignError::DuplicateTarget(target.id.clone()));
        }
        let category = target.category.as_str();
        if category.trim().is_empty() || category == ALL {
            return Err(CampaignError::InvalidCategory {
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
            return Err(CampaignError::DuplicateLetter(letter.id.clone()));
        }
        let target = by_id
            .get(letter.target_id.as_str())
            .and_then(|&i| targets.get(i))
            .ok_or_else(|| CampaignError::UnknownLetterTarget {
                letter: letter.id.clone(),
                target: letter.target_id.clone(),
            })?;
        graded.push((letter, target, grade_letter(letter, campaign)?));
    }

    // Phone: per unit, connected when any attempt on or before the cut-off connected.
    let mut phone_by_target: HashMap<&str, bool> = HashMap::new();
    for check in phone_checks {
        if !by_id.contains_key(check.target_id.as_str()) {
            return Err(CampaignError::UnknownPhoneTarget(check.target_id.clone()));
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

    let distribution = score_distribution(&target_results);
    Ok(CampaignReport {
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
        score_distribution: distribution,
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

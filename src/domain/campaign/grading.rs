//! Grading one letter: its status by the cut-off, the reply document's defects, its score
//! under the campaign's rubric, and the compliance checker's findings on the reply.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Campaign, CampaignError, Letter, Remedy, ReplyRecord, is_specific};
use crate::domain::compliance::{
    self, DeliveryMethod, Finding, Organ, OrganKind, OrganLevel, ProcessFacts, ReplyDoc, Severity,
    codes,
};
use crate::domain::outcome::Outcome;

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
        // The checker's seal rule accepts the unit's name with its region prefix, so the
        // evaluator's short unit name needs no configured seal names.
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
pub fn grade_letter(letter: &Letter, campaign: &Campaign) -> Result<LetterGrade, CampaignError> {
    let id = || letter.id.clone();
    if let Some(signed_on) = letter.signed_on
        && signed_on < letter.sent_on
    {
        return Err(CampaignError::SignedBeforeSent(id()));
    }
    let due = match (letter.signed_on, letter.due_on) {
        (Some(_), None) => return Err(CampaignError::SignedWithoutDue(id())),
        (None, Some(_)) => return Err(CampaignError::DueWithoutSigning(id())),
        (None, None) => None,
        (Some(signed_on), Some(due_on)) => {
            if due_on.signed_duration_since(signed_on).num_days()
                < i64::from(campaign.statutory_days)
            {
                return Err(CampaignError::DueTooEarly {
                    letter: id(),
                    days: campaign.statutory_days,
                });
            }
            Some((signed_on, due_on))
        }
    };
    if let Some(reply) = &letter.reply {
        let Some((signed_on, _)) = due else {
            return Err(CampaignError::ReplyWithoutSigning(id()));
        };
        let (dispatched_on, _) = reply.dispatch();
        if dispatched_on < signed_on {
            return Err(CampaignError::DispatchBeforeSigning(id()));
        }
        if dispatched_on > reply.received_on {
            return Err(CampaignError::DispatchAfterReceipt(id()));
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

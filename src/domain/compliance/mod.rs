//! The reply compliance checker (RULES.md §5): what a 答复书 must carry, checked field by field
//! against the outcome, the replying organ and the process facts. Each defect is a
//! [`Finding`] with a stable code, a Chinese message and the provision it comes from. Findings
//! never block anything: the reply is recorded as sent and the flag says what is wrong.
//!
//! Owns: the finding codes and one small rule function per code; which reconsideration organ a
//! reply must name ([`review_rule`], [`expected_reconsideration_organ`]), shared with the draft.
//! Must not touch: IO, the clock (dates come in as parameters), working-day arithmetic (the
//! service computes due dates with the calendar engine and passes them in [`ProcessFacts`]).
//!
//! Which law applies is decided by the reply's issue date: the 2019 Regulation's article
//! numbers from 2019-05-15; the 2023 行政复议法 (own-government jurisdiction, 复议前置 for
//! 不予公开) from 2024-01-01; the 6-month suit period from 2015-05-01 (3 months before).
//!
//! Layout: this file holds the model, the entry points and the rule tables; the rules are in
//! `document.rs` (文号, 印章, 依据, 理由), `remedy.rs` (救济途径) and `period.rs` (期限).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::deadline::{Deadline, DeadlineFlag};
use super::doc_number::DocNumber;
use super::outcome::{A36_3, Fit, Outcome, Provision, REGULATION};

mod document;
mod period;
mod remedy;
#[cfg(test)]
pub(crate) mod tests;

use document::*;
pub use period::*;
pub use remedy::*;

/// The stable finding codes.
pub mod codes {
    pub const DOC_NUMBER_MISSING: &str = "doc_number_missing";
    pub const DOC_NUMBER_MALFORMED: &str = "doc_number_malformed";
    pub const DOC_NUMBER_YEAR_MISMATCH: &str = "doc_number_year_mismatch";
    pub const DOC_NUMBER_DUPLICATE: &str = "doc_number_duplicate";
    pub const SEAL_MISSING: &str = "seal_missing";
    pub const SEAL_ORGAN_MISMATCH: &str = "seal_organ_mismatch";
    pub const LEGAL_BASIS_MISSING: &str = "legal_basis_missing";
    pub const LEGAL_BASIS_NO_ARTICLE: &str = "legal_basis_no_article";
    pub const LEGAL_BASIS_MISMATCH: &str = "legal_basis_mismatch";
    pub const REASONS_MISSING: &str = "reasons_missing";
    pub const REDIRECT_MISSING: &str = "redirect_missing";
    pub const REMEDY_MISSING: &str = "remedy_missing";
    pub const REMEDY_RECONSIDERATION_ORGAN_MISSING: &str = "remedy_reconsideration_organ_missing";
    pub const REMEDY_COURT_MISSING: &str = "remedy_court_missing";
    pub const REMEDY_COURT_WRONG: &str = "remedy_court_wrong";
    pub const REMEDY_PERIOD_WRONG: &str = "remedy_period_wrong";
    pub const REMEDY_RECONSIDERATION_ORGAN_WRONG: &str = "remedy_reconsideration_organ_wrong";
    pub const REMEDY_RECONSIDERATION_FIRST_MISSING: &str = "remedy_reconsideration_first_missing";
    pub const REPLY_LATE: &str = "reply_late";
    pub const CORRECTION_NOTICE_LATE: &str = "correction_notice_late";
    pub const CORRECTION_REPEATED: &str = "correction_repeated";
    pub const EXTENSION_NOTICE_LATE: &str = "extension_notice_late";
    pub const EXTENSION_TOO_LONG: &str = "extension_too_long";
    pub const EXTENSION_UNAPPROVED: &str = "extension_unapproved";
    pub const RECEIPT_UNCONFIRMED: &str = "receipt_unconfirmed";
    pub const CUSTOM_DUE_LATE: &str = "custom_due_late";
    pub const CUSTOM_DUE_UNAPPROVED: &str = "custom_due_unapproved";
    pub const CUSTOM_DUE_OVER_MAX: &str = "custom_due_over_max";

    /// A short Chinese name of a code, for lists and charts (the finding's own message says
    /// more); an unknown code names itself.
    pub fn label(code: &str) -> &str {
        match code {
            DOC_NUMBER_MISSING => "缺少文号",
            DOC_NUMBER_MALFORMED => "文号不规范",
            DOC_NUMBER_YEAR_MISMATCH => "文号年份与成文日期不符",
            DOC_NUMBER_DUPLICATE => "文号重复",
            SEAL_MISSING => "未加盖印章",
            SEAL_ORGAN_MISMATCH => "印章与答复机关不符",
            LEGAL_BASIS_MISSING => "未引用法律依据",
            LEGAL_BASIS_NO_ARTICLE => "法律依据未写明条款",
            LEGAL_BASIS_MISMATCH => "法律依据与答复结果不符",
            REASONS_MISSING => "未说明理由",
            REDIRECT_MISSING => "未告知负责公开的机关",
            REMEDY_MISSING => "未告知救济途径",
            REMEDY_RECONSIDERATION_ORGAN_MISSING => "未列明行政复议机关",
            REMEDY_COURT_MISSING => "未列明受理法院",
            REMEDY_COURT_WRONG => "受理法院有误",
            REMEDY_PERIOD_WRONG => "救济期限有误",
            REMEDY_RECONSIDERATION_ORGAN_WRONG => "行政复议机关有误",
            REMEDY_RECONSIDERATION_FIRST_MISSING => "未告知复议前置",
            REPLY_LATE => "逾期答复",
            CORRECTION_NOTICE_LATE => "补正告知逾期",
            CORRECTION_REPEATED => "多次补正",
            EXTENSION_NOTICE_LATE => "延期告知逾期",
            EXTENSION_TOO_LONG => "延期超过20个工作日",
            EXTENSION_UNAPPROVED => "延期未经批准",
            RECEIPT_UNCONFIRMED => "未确认收到申请",
            CUSTOM_DUE_LATE => "另定期限晚于原期限届满",
            CUSTOM_DUE_UNAPPROVED => "另定期限未经批准",
            CUSTOM_DUE_OVER_MAX => "另定期限过长",
            other => other,
        }
    }

    /// The codes [`deadline_findings`](super::deadline_findings) can return (read off the
    /// deadline engine's flags; not part of [`ALL`], which lists the rules of `check`).
    pub const DEADLINE: &[&str] = &[CUSTOM_DUE_LATE, CUSTOM_DUE_UNAPPROVED, CUSTOM_DUE_OVER_MAX];

    /// Every code, in the order [`check`](super::check) runs its rules.
    pub const ALL: &[&str] = &[
        DOC_NUMBER_MISSING,
        DOC_NUMBER_MALFORMED,
        DOC_NUMBER_YEAR_MISMATCH,
        DOC_NUMBER_DUPLICATE,
        SEAL_MISSING,
        SEAL_ORGAN_MISMATCH,
        LEGAL_BASIS_MISSING,
        LEGAL_BASIS_NO_ARTICLE,
        LEGAL_BASIS_MISMATCH,
        REASONS_MISSING,
        REDIRECT_MISSING,
        REMEDY_MISSING,
        REMEDY_RECONSIDERATION_ORGAN_MISSING,
        REMEDY_COURT_MISSING,
        REMEDY_COURT_WRONG,
        REMEDY_PERIOD_WRONG,
        REMEDY_RECONSIDERATION_ORGAN_WRONG,
        REMEDY_RECONSIDERATION_FIRST_MISSING,
        REPLY_LATE,
        RECEIPT_UNCONFIRMED,
        CORRECTION_NOTICE_LATE,
        CORRECTION_REPEATED,
        EXTENSION_NOTICE_LATE,
        EXTENSION_TOO_LONG,
        EXTENSION_UNAPPROVED,
    ];

    /// The codes [`check_process`](super::check_process) can return (open cases).
    pub const PROCESS: &[&str] = &[
        RECEIPT_UNCONFIRMED,
        CORRECTION_NOTICE_LATE,
        CORRECTION_REPEATED,
        EXTENSION_NOTICE_LATE,
        EXTENSION_TOO_LONG,
        EXTENSION_UNAPPROVED,
        REPLY_LATE,
    ];
}

use codes::*;

// Sources cited by findings.
const SRC_DOC_NUMBER: &str = "《党政机关公文处理工作条例》第九条第五项；GB/T 9704-2012 7.2.5";
const SRC_DOC_FORMAT: &str = "GB/T 9704-2012 7.2.5";
const SRC_SEAL: &str = "《党政机关公文处理工作条例》第九条第十三项；GB/T 9704-2012 7.3.5";
const SRC_BASIS: &str = "《政府信息公开条例》第三十六条";
const SRC_REMEDY: &str = "《行政复议法》第二十条；《行政诉讼法》第四十六条；《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》第六十四条";
const SRC_RECON_ORGAN: &str = "《行政复议法》第二十条";
const SRC_COURT: &str = "《行政诉讼法》第十八条、第四十六条";
const SRC_COURT_PLACE: &str = "《行政诉讼法》第十四条、第十五条、第十八条";
const SRC_COURT_LEVEL: &str = "《行政诉讼法》第十五条第一项、第十八条第二款";
const SRC_PERIOD_RECON: &str = "《行政复议法》第二十条第一款";
const SRC_PERIOD_SUIT: &str = "《行政诉讼法》第四十六条第一款";
const SRC_PERIOD_AFTER_RECON: &str = "《行政诉讼法》第四十五条";
const SRC_FIRST: &str = "《行政复议法》第二十三条第一款第四项";
const SRC_LATE: &str = "《政府信息公开条例》第三十三条第二款；《民事诉讼法》第八十五条";
const SRC_CORRECTION: &str = "《政府信息公开条例》第三十条";
const SRC_EXTENSION: &str = "《政府信息公开条例》第三十三条第二款";
const SRC_RECEIPT: &str = "《政府信息公开条例》第三十一条";
const SRC_CUSTOM: &str = "《政府信息公开条例》第三十五条";

/// Reconsideration period (行政复议法 Art. 20(1)).
pub const RECONSIDERATION_DAYS: u32 = 60;
/// Suit period (行政诉讼法 Art. 46(1)), from 2015-05-01.
pub const SUIT_MONTHS: u32 = 6;
/// Suit period after a reconsideration decision (行政诉讼法 Art. 45).
pub const SUIT_AFTER_RECONSIDERATION_DAYS: u32 = 15;
/// Longest extension (Art. 33(2)).
pub const MAX_EXTENSION_WORKING_DAYS: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The reply breaks a rule.
    Error,
    /// The reply is incomplete or imprecise, or the rule cannot be applied with certainty.
    Warning,
}

/// One defect. Never blocks anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, one of [`codes::ALL`].
    pub code: &'static str,
    pub severity: Severity,
    /// For the clerk, in Chinese.
    pub message: String,
    /// The provision(s) the rule comes from, in Chinese.
    pub article: String,
}

impl Finding {
    fn error(code: &'static str, message: impl Into<String>, article: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            article: article.into(),
        }
    }

    fn warning(code: &'static str, message: impl Into<String>, article: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Warning,
            message: message.into(),
            article: article.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Input types

/// How the reply went out; for mail the dispatch date is the postmark (民事诉讼法 Art. 85).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    InPerson,
    Post,
    Email,
    Online,
    Fax,
    Other,
}

/// One legal basis as written in the reply. `article` may be `"33"`, `"第三十三条"`,
/// `"三十三"`, or a whole reference (`"第三十六条第（二）项"`, `"第十四条、第三十六条第三项"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalCitation {
    pub law: String,
    #[serde(default)]
    pub article: Option<String>,
    #[serde(default)]
    pub paragraph: Option<String>,
    #[serde(default)]
    pub item: Option<String>,
}

/// The competent organ named under Art. 36(5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    pub name: String,
    #[serde(default)]
    pub contact: Option<String>,
}

/// The reconsideration route as the reply states it. Every part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconsiderationRoute {
    #[serde(default)]
    pub organ: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub period_days: Option<u32>,
}

/// The litigation route as the reply states it. `period_days` holds a period given in days:
/// the 15 days after a reconsideration decision (行政诉讼法 Art. 45) under 复议前置.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LitigationRoute {
    #[serde(default)]
    pub court: Option<String>,
    #[serde(default)]
    pub period_months: Option<u32>,
    #[serde(default)]
    pub period_days: Option<u32>,
}

/// 救济途径. `None` routes were not mentioned at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remedy {
    #[serde(default)]
    pub reconsideration: Option<ReconsiderationRoute>,
    #[serde(default)]
    pub litigation: Option<LitigationRoute>,
    /// Whether the reply says reconsideration must come first (复议前置); `None`: not said.
    #[serde(default)]
    pub reconsideration_first: Option<bool>,
}

/// A reply document (答复书) as recorded: the structured fields a clerk or evaluator reads off it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyDoc {
    #[serde(default)]
    pub doc_number: Option<String>,
    /// 成文日期.
    pub issued_on: NaiveDate,
    /// Handed over / posted (postmark) / sent.
    #[serde(default)]
    pub dispatched_on: Option<NaiveDate>,
    #[serde(default)]
    pub delivery_method: Option<DeliveryMethod>,
    pub outcome: Outcome,
    pub sealed: bool,
    #[serde(default)]
    pub seal_organ: Option<String>,
    #[serde(default)]
    pub legal_basis: Vec<LegalCitation>,
    #[serde(default)]
    pub reasons: Option<String>,
    #[serde(default)]
    pub redirect_to: Option<Redirect>,
    #[serde(default)]
    pub remedy: Remedy,
}

pub use super::org::{
    Court, DepartmentKind as OrganKind, Level as OrganLevel, ReconsiderationOrgan,
};

/// The replying organ as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organ {
    pub name: String,
    /// 机关代字 for its replies, e.g. `南交信复`.
    pub code: String,
    pub kind: OrganKind,
    pub level: OrganLevel,
    #[serde(default)]
    pub reconsideration_organ: Option<ReconsiderationOrgan>,
    #[serde(default)]
    pub court: Option<Court>,
    /// For a department: the people's government it belongs to (本级人民政府). For a
    /// government: the next-higher government.
    #[serde(default)]
    pub parent_government_name: Option<String>,
    /// Vertically managed (行政复议法 Art. 27: 海关、金融、外汇管理、税务、国家安全 …). `None`:
    /// guessed from the name, see [`is_vertically_managed`].
    #[serde(default)]
    pub vertically_managed: Option<bool>,
    /// Further seals accepted on this organ's replies (e.g. a government whose 办公室 replies
    /// in its name). The organ's own seal (its name, `…印章`, `…公章`) and its designated OGI
    /// seal (`…政府信息公开…章`) are always accepted.
    #[serde(default)]
    pub seal_names: Vec<String>,
}

/// Facts of the request's handling. The service computes the dates with its calendar engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessFacts {
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// The effective due date (after restarts, pauses and any extension).
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// Dates the 补正 notices went out.
    #[serde(default)]
    pub correction_requests: Vec<NaiveDate>,
    /// The 7th working day after receipt (Art. 30).
    #[serde(default)]
    pub correction_notice_due_on: Option<NaiveDate>,
    #[serde(default)]
    pub extension: Option<Extension>,
    /// The channel needs a confirmation of receipt (Art. 31) and has none.
    #[serde(default)]
    pub receipt_unconfirmed: bool,
}

/// An extension (延期) under Art. 33(2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub notified_on: NaiveDate,
    pub working_days: u32,
    /// Approved by the head of the OGI office (工作机构负责人).
    pub approved: bool,
    /// The due date the extension extends.
    pub due_before_extension: NaiveDate,
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// Checks a reply. `other_doc_numbers` are the numbers of the organ's other replies (any year:
/// only the same code, year and sequence count as a duplicate).
pub fn check(
    reply: &ReplyDoc,
    organ: &Organ,
    process: &ProcessFacts,
    other_doc_numbers: &[String],
) -> Vec<Finding> {
    let ctx = Ctx {
        reply,
        organ,
        process,
        other_doc_numbers,
    };
    let mut out: Vec<Finding> = REPLY_RULES.iter().filter_map(|rule| rule(&ctx)).collect();
    out.extend(PROCESS_RULES.iter().filter_map(|rule| rule(process)));
    out
}

/// Checks an open case (no reply yet) as of a date: the process codes only, and `reply_late`
/// once the due date has passed.
pub fn check_process(process: &ProcessFacts, as_of: NaiveDate) -> Vec<Finding> {
    let mut out: Vec<Finding> = PROCESS_RULES
        .iter()
        .filter_map(|rule| rule(process))
        .collect();
    out.extend(overdue(process, as_of));
    out
}

struct Ctx<'a> {
    reply: &'a ReplyDoc,
    organ: &'a Organ,
    process: &'a ProcessFacts,
    other_doc_numbers: &'a [String],
}

type ReplyRule = fn(&Ctx) -> Option<Finding>;
type ProcessRule = fn(&ProcessFacts) -> Option<Finding>;

const REPLY_RULES: &[ReplyRule] = &[
    doc_number_missing,
    doc_number_malformed,
    doc_number_year_mismatch,
    doc_number_duplicate,
    seal_missing,
    seal_organ_mismatch,
    legal_basis_missing,
    legal_basis_no_article,
    legal_basis_mismatch,
    reasons_missing,
    redirect_missing,
    remedy_missing,
    remedy_reconsideration_organ_missing,
    remedy_court_missing,
    remedy_court_wrong,
    remedy_period_wrong,
    remedy_reconsideration_organ_wrong,
    remedy_reconsideration_first_missing,
    reply_late,
];

const PROCESS_RULES: &[ProcessRule] = &[
    receipt_unconfirmed,
    correction_notice_late,
    correction_repeated,
    extension_notice_late,
    extension_too_long,
    extension_unapproved,
];

// ---------------------------------------------------------------------------------------------
// Helpers

/// `2024年9月27日`, as dates are written in a 公文.
pub fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

fn on_or_after(d: NaiveDate, (y, m, day): (i32, u32, u32)) -> bool {
    (d.year(), d.month(), d.day()) >= (y, m, day)
}

/// The 2023 行政复议法 (in force 2024-01-01) governs replies issued from that day.
fn under_2023_review_law(issued_on: NaiveDate) -> bool {
    on_or_after(issued_on, (2024, 1, 1))
}

/// Names compared without spaces, quotes or bracket width.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》' | '“' | '”' | '"' | '〈' | '〉'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum NameMatch {
    Same,
    /// The named organ is part of the expected name ("市人民政府" for "南宁市人民政府").
    Abbreviated,
    Different,
}

fn match_name(named: &str, expected: &str) -> NameMatch {
    let (n, e) = (norm(named), norm(expected));
    if e.is_empty() || n.contains(&e) {
        NameMatch::Same
    } else if !n.is_empty() && e.contains(&n) {
        NameMatch::Abbreviated
    } else {
        NameMatch::Different
    }
}

fn is_regulation(law: &str) -> bool {
    let n = norm(law);
    let n = n.strip_prefix("中华人民共和国").unwrap_or(&n);
    n == "条例"
        || n == "政府信息公开条例"
        || n.strip_prefix("政府信息公开条例")
            .is_some_and(|rest| rest.starts_with('('))
}

struct Basis {
    /// Provisions of the Regulation the reply cites.
    regulation: Vec<Provision>,
    /// Whether any citation (of any law) names an article.
    any_article: bool,
}

fn basis(reply: &ReplyDoc) -> Basis {
    let mut b = Basis {
        regulation: Vec::new(),
        any_article: false,
    };
    for c in &reply.legal_basis {
        for p in super::letter_rules::cited_provisions(c)
            .into_iter()
            .flatten()
        {
            b.any_article = true;
            if is_regulation(&c.law) {
                b.regulation.push(p);
            }
        }
    }
    b
}

fn best_fit(expected: &[Provision], cited: &[Provision]) -> Fit {
    let fits = expected
        .iter()
        .flat_map(|e| cited.iter().map(move |c| e.fit(c)));
    let mut best = Fit::No;
    for f in fits {
        match f {
            Fit::Exact => return Fit::Exact,
            Fit::Coarse => best = Fit::Coarse,
            Fit::No => {}
        }
    }
    best
}

fn labels(ps: &[Provision], sep: &str) -> String {
    ps.iter()
        .map(Provision::label)
        .collect::<Vec<_>>()
        .join(sep)
}

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

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::deadline::{Deadline, DeadlineFlag};
use super::doc_number::DocNumber;
use super::outcome::{A36_3, Fit, Outcome, Provision, REGULATION};

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
pub struct Redirect {
    pub name: String,
    #[serde(default)]
    pub contact: Option<String>,
}

/// The reconsideration route as the reply states it. Every part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// The provisions one citation names; `"第十四条、第三十六条第三项"` names two. `None` entries
/// are parts with no readable article number.
fn cited_provisions(c: &LegalCitation) -> Vec<Option<Provision>> {
    let Some(article) = c.article.as_deref().filter(|a| !a.trim().is_empty()) else {
        return vec![None];
    };
    let parts: Vec<&str> = article
        .split(['、', ',', '，', ';', '；', '和', '及'])
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.len() <= 1 {
        return vec![Provision::parse_parts(
            article,
            c.paragraph.as_deref(),
            c.item.as_deref(),
        )];
    }
    parts
        .into_iter()
        .map(|p| Provision::parse_parts(p, None, None))
        .collect()
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
        for p in cited_provisions(c).into_iter().flatten() {
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

// ---------------------------------------------------------------------------------------------
// 文号

fn doc_number_missing(ctx: &Ctx) -> Option<Finding> {
    blank(ctx.reply.doc_number.as_deref()).then(|| {
        Finding::error(
            DOC_NUMBER_MISSING,
            "答复书缺少文号（发文字号）",
            SRC_DOC_NUMBER,
        )
    })
}

fn doc_number_malformed(ctx: &Ctx) -> Option<Finding> {
    let raw = ctx
        .reply
        .doc_number
        .as_deref()
        .filter(|s| !s.trim().is_empty())?;
    let problems = DocNumber::diagnose(raw).err()?;
    let what: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Some(Finding::error(
        DOC_NUMBER_MALFORMED,
        format!(
            "文号“{raw}”不规范：{}（规范格式如“{}”）",
            what.join("；"),
            DocNumber::format(&ctx.organ.code, ctx.reply.issued_on.year(), 15)
        ),
        SRC_DOC_FORMAT,
    ))
}

fn doc_number_year_mismatch(ctx: &Ctx) -> Option<Finding> {
    let n = DocNumber::parse(ctx.reply.doc_number.as_deref()?).ok()?;
    let year = ctx.reply.issued_on.year();
    (n.year != year).then(|| {
        Finding::error(
            DOC_NUMBER_YEAR_MISMATCH,
            format!(
                "文号年份为{}，与成文日期{}的年份{}不一致",
                n.year,
                cn_date(ctx.reply.issued_on),
                year
            ),
            SRC_DOC_FORMAT,
        )
    })
}

fn doc_number_duplicate(ctx: &Ctx) -> Option<Finding> {
    let raw = ctx.reply.doc_number.as_deref()?;
    let mine = DocNumber::parse(raw).ok();
    let same = |other: &String| match (&mine, DocNumber::parse(other)) {
        (Some(a), Ok(b)) => *a == b,
        // Malformed numbers can still collide verbatim.
        _ => norm(other) == norm(raw),
    };
    ctx.other_doc_numbers.iter().any(same).then(|| {
        Finding::error(
            DOC_NUMBER_DUPLICATE,
            format!("文号“{raw}”与本机关同年度另一份文书重复"),
            SRC_DOC_NUMBER,
        )
    })
}

// ---------------------------------------------------------------------------------------------
// 印章

fn seal_missing(ctx: &Ctx) -> Option<Finding> {
    (!ctx.reply.sealed).then(|| Finding::error(SEAL_MISSING, "答复书未加盖印章", SRC_SEAL))
}

/// The organ's own seal, or its designated OGI seal (`…政府信息公开专用章`), or a configured
/// one. The seal of an internal unit (`…办公室`) is not the organ's: the reply is the organ's
/// act (Art. 4, 36) and the seal must match the signing organ.
fn seal_accepted(seal: &str, organ: &Organ) -> bool {
    let s = norm(seal);
    if organ.seal_names.iter().any(|n| norm(n) == s) {
        return true;
    }
    let Some(rest) = s.strip_prefix(norm(&organ.name).as_str()) else {
        return false;
    };
    let rest = rest.trim_matches(['(', ')']);
    matches!(rest, "" | "印章" | "公章" | "章")
        || (rest.contains("政府信息公开") && rest.ends_with('章'))
}

fn seal_organ_mismatch(ctx: &Ctx) -> Option<Finding> {
    if !ctx.reply.sealed {
        return None;
    }
    let seal = ctx
        .reply
        .seal_organ
        .as_deref()
        .filter(|s| !s.trim().is_empty())?;
    (!seal_accepted(seal, ctx.organ)).then(|| {
        Finding::error(
            SEAL_ORGAN_MISMATCH,
            format!(
                "所盖印章“{seal}”与答复机关“{}”不符（应加盖本机关印章或本机关政府信息公开专用章）",
                ctx.organ.name
            ),
            SRC_SEAL,
        )
    })
}

// ---------------------------------------------------------------------------------------------
// 法律依据

fn legal_basis_missing(ctx: &Ctx) -> Option<Finding> {
    ctx.reply
        .legal_basis
        .iter()
        .all(|c| c.law.trim().is_empty())
        .then(|| Finding::error(LEGAL_BASIS_MISSING, "答复书未告知法律依据", SRC_BASIS))
}

fn legal_basis_no_article(ctx: &Ctx) -> Option<Finding> {
    if ctx
        .reply
        .legal_basis
        .iter()
        .all(|c| c.law.trim().is_empty())
    {
        return None; // legal_basis_missing
    }
    let b = basis(ctx.reply);
    if !b.any_article {
        return Some(Finding::error(
            LEGAL_BASIS_NO_ARTICLE,
            "答复书仅笼统引用法规名称（如“依据《条例》”），未写明具体条款",
            SRC_BASIS,
        ));
    }
    let expected = ctx.reply.outcome.articles();
    (best_fit(expected, &b.regulation) == Fit::Coarse).then(|| {
        Finding::warning(
            LEGAL_BASIS_NO_ARTICLE,
            format!(
                "引用了条，但未写明决定所依据的款、项（应为{}）",
                labels(expected, "或")
            ),
            expected
                .first()
                .map_or_else(|| SRC_BASIS.to_owned(), Provision::citation),
        )
    })
}

fn legal_basis_mismatch(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let expected = reply.outcome.articles();
    // Before 2019-05-15 replies cited the 2007 text, whose numbering differs.
    if expected.is_empty() || !on_or_after(reply.issued_on, (2019, 5, 15)) {
        return None;
    }
    let b = basis(reply);
    if !b.any_article || best_fit(expected, &b.regulation) != Fit::No {
        return None;
    }
    let cited = if b.regulation.is_empty() {
        format!("未引用{REGULATION}的条款")
    } else {
        format!("引用的是{}", labels(&b.regulation, "、"))
    };
    Some(Finding::error(
        LEGAL_BASIS_MISMATCH,
        format!(
            "答复结果为“{}”，应引用{REGULATION}{}，{cited}",
            reply.outcome.label(),
            labels(expected, "或")
        ),
        expected
            .iter()
            .map(Provision::citation)
            .collect::<Vec<_>>()
            .join("；"),
    ))
}

// ---------------------------------------------------------------------------------------------
// 理由、告知负责机关

fn reasons_missing(ctx: &Ctx) -> Option<Finding> {
    let outcome = ctx.reply.outcome;
    if !outcome.needs_reasons() || !blank(ctx.reply.reasons.as_deref()) {
        return None;
    }
    let article = if outcome.is_redirect() {
        Provision::item(36, 5).citation()
    } else if outcome == Outcome::PartiallyDisclosed {
        format!("{REGULATION}第三十七条、{}", A36_3.label())
    } else if outcome.reasons_required_by_text() {
        A36_3.citation()
    } else {
        outcome
            .articles()
            .first()
            .map_or_else(|| SRC_BASIS.to_owned(), Provision::citation)
    };
    let message = format!("答复结果为“{}”，但未说明理由", outcome.label());
    Some(if outcome.reasons_required_by_text() {
        Finding::error(REASONS_MISSING, message, article)
    } else {
        Finding::warning(REASONS_MISSING, message, article)
    })
}

fn redirect_missing(ctx: &Ctx) -> Option<Finding> {
    if !ctx.reply.outcome.is_redirect() {
        return None;
    }
    let article = Provision::item(36, 5).citation();
    match &ctx.reply.redirect_to {
        Some(r) if !r.name.trim().is_empty() => blank(r.contact.as_deref()).then(|| {
            Finding::warning(
                REDIRECT_MISSING,
                format!("告知了负责公开的行政机关“{}”，但未告知其联系方式", r.name),
                article,
            )
        }),
        _ => Some(Finding::error(
            REDIRECT_MISSING,
            "告知不属于本机关负责公开，但未告知负责公开该信息的行政机关名称及联系方式",
            article,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// 救济途径

fn remedy_missing(ctx: &Ctx) -> Option<Finding> {
    let r = &ctx.reply.remedy;
    (r.reconsideration.is_none() && r.litigation.is_none()).then(|| {
        Finding::error(
            REMEDY_MISSING,
            "答复书未告知救济途径（申请行政复议、提起行政诉讼的权利、机关和期限）",
            SRC_REMEDY,
        )
    })
}

fn remedy_reconsideration_organ_missing(ctx: &Ctx) -> Option<Finding> {
    let r = &ctx.reply.remedy;
    match (&r.reconsideration, &r.litigation) {
        (None, None) => None, // remedy_missing
        (None, Some(_)) => Some(Finding::error(
            REMEDY_RECONSIDERATION_ORGAN_MISSING,
            "只告知了提起行政诉讼，未告知申请行政复议的权利及行政复议机关",
            SRC_RECON_ORGAN,
        )),
        (Some(rc), _) if blank(rc.organ.as_deref()) => Some(Finding::error(
            REMEDY_RECONSIDERATION_ORGAN_MISSING,
            "告知了申请行政复议的权利，但未列明行政复议机关",
            SRC_RECON_ORGAN,
        )),
        (Some(rc), _) => (blank(rc.address.as_deref()) && blank(rc.phone.as_deref())).then(|| {
            Finding::warning(
                REMEDY_RECONSIDERATION_ORGAN_MISSING,
                "列明了行政复议机关，但未写明其地址或联系电话",
                SRC_RECON_ORGAN,
            )
        }),
    }
}

fn remedy_court_missing(ctx: &Ctx) -> Option<Finding> {
    let r = &ctx.reply.remedy;
    match (&r.reconsideration, &r.litigation) {
        (None, None) => None, // remedy_missing
        (Some(_), None) => Some(Finding::error(
            REMEDY_COURT_MISSING,
            "只告知了申请行政复议，未告知提起行政诉讼的权利及受理法院",
            SRC_COURT,
        )),
        (_, Some(l)) => blank(l.court.as_deref()).then(|| {
            Finding::error(
                REMEDY_COURT_MISSING,
                "告知了提起行政诉讼的权利，但未列明受理的人民法院",
                SRC_COURT,
            )
        }),
    }
}

/// 行政诉讼法 Art. 15(1): a suit against a State Council department or a county-or-higher
/// local people's government is heard by an intermediate court.
pub fn needs_intermediate_court(organ: &Organ) -> bool {
    match organ.kind {
        OrganKind::Government => !matches!(organ.level, OrganLevel::Township),
        OrganKind::Department => matches!(organ.level, OrganLevel::State),
    }
}

/// A basic people's court (基层人民法院): `…区/县/市/旗人民法院` that is not 中级/高级/最高.
/// Special courts (铁路运输法院 …) are not judged by name.
pub fn is_basic_court(name: &str) -> bool {
    let n = norm(name);
    let Some(place) = n.strip_suffix("人民法院") else {
        return false;
    };
    !(place.contains("中级") || place.contains("高级") || place.contains("最高"))
        && ['区', '县', '市', '旗'].iter().any(|c| place.ends_with(*c))
}

/// The configured court when it may be named: designated, or of the level Art. 15 requires.
/// `None` when none is configured or it is a basic court for a suit an intermediate court hears.
pub fn expected_court(organ: &Organ) -> Option<&Court> {
    organ
        .court
        .as_ref()
        .filter(|c| !c.name.trim().is_empty())
        .filter(|c| c.designated || !(needs_intermediate_court(organ) && is_basic_court(&c.name)))
}

/// The level first (行政诉讼法 Art. 15: a county-or-higher government is sued in an
/// intermediate court, unless a designated court is configured); then against the configured
/// court: jurisdiction depends on designated and centralised administrative jurisdiction
/// (e.g. 铁路运输法院), which names alone cannot tell.
fn remedy_court_wrong(ctx: &Ctx) -> Option<Finding> {
    let named = ctx.reply.remedy.litigation.as_ref()?.court.as_deref()?;
    if named.trim().is_empty() {
        return None;
    }
    let designated = ctx.organ.court.as_ref().filter(|c| c.designated);
    let named_designated =
        designated.is_some_and(|c| match_name(named, &c.name) == NameMatch::Same);
    if needs_intermediate_court(ctx.organ) && is_basic_court(named) && !named_designated {
        return Some(Finding::error(
            REMEDY_COURT_WRONG,
            format!(
                "对县级以上地方人民政府（或国务院部门）提起的行政诉讼由中级人民法院管辖，告知的“{named}”为基层人民法院"
            ),
            SRC_COURT_LEVEL,
        ));
    }
    let configured = ctx.organ.court.as_ref()?;
    if match_name(named, &configured.name) == NameMatch::Same {
        return None;
    }
    Some(Finding::warning(
        REMEDY_COURT_WRONG,
        format!(
            "告知的受理法院“{named}”与本机关配置的管辖法院“{}”不一致，请核对管辖",
            configured.name
        ),
        SRC_COURT_PLACE,
    ))
}

fn reconsideration_first_in_force(reply: &ReplyDoc) -> bool {
    reply.outcome.needs_reconsideration_first() && under_2023_review_law(reply.issued_on)
}

fn remedy_period_wrong(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let r = &reply.remedy;
    let mut errors: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut sources: Vec<&str> = Vec::new();

    if let Some(rc) = &r.reconsideration {
        match rc.period_days {
            Some(d) if d != RECONSIDERATION_DAYS => {
                errors.push(format!("申请行政复议的期限应为六十日，答复书写为{d}日"));
                sources.push(SRC_PERIOD_RECON);
            }
            None => {
                warnings.push("未写明申请行政复议的期限（六十日）".to_owned());
                sources.push(SRC_PERIOD_RECON);
            }
            Some(_) => {}
        }
    }
    if let Some(l) = &r.litigation {
        let first = reconsideration_first_in_force(reply) && r.reconsideration_first == Some(true);
        let months = if on_or_after(reply.issued_on, (2015, 5, 1)) {
            SUIT_MONTHS
        } else {
            3
        };
        if let Some(d) = l
            .period_days
            .filter(|&d| d != SUIT_AFTER_RECONSIDERATION_DAYS || !first)
        {
            let want = if first {
                "对行政复议决定不服的，起诉期限为收到行政复议决定书之日起十五日"
            } else {
                "直接提起行政诉讼的期限为六个月"
            };
            errors.push(format!("{want}，答复书写为{d}日"));
            sources.push(if first {
                SRC_PERIOD_AFTER_RECON
            } else {
                SRC_PERIOD_SUIT
            });
        }
        match l.period_months {
            Some(m) if m != months => {
                errors.push(format!(
                    "直接提起行政诉讼的期限应为{months}个月，答复书写为{m}个月"
                ));
                sources.push(SRC_PERIOD_SUIT);
            }
            // A full refusal under 复议前置 cannot be sued directly; the 6 months misleads.
            Some(_) if first && reply.outcome != Outcome::PartiallyDisclosed => {
                warnings.push(
                    "复议前置的情形不能直接起诉，不宜告知六个月起诉期限；对行政复议决定不服的，应自收到行政复议决定书之日起十五日内起诉"
                        .to_owned(),
                );
                sources.push(SRC_PERIOD_AFTER_RECON);
            }
            None if l.period_days.is_none() => {
                warnings.push("未写明提起行政诉讼的期限".to_owned());
                sources.push(if first {
                    SRC_PERIOD_AFTER_RECON
                } else {
                    SRC_PERIOD_SUIT
                });
            }
            _ => {}
        }
    }
    if errors.is_empty() && warnings.is_empty() {
        return None;
    }
    let mut article: Vec<&str> = Vec::new();
    for src in sources {
        if !article.contains(&src) {
            article.push(src);
        }
    }
    let severity = if errors.is_empty() {
        Severity::Warning
    } else {
        Severity::Error
    };
    errors.extend(warnings);
    Some(Finding {
        code: REMEDY_PERIOD_WRONG,
        severity,
        message: errors.join("；"),
        article: article.join("；"),
    })
}

/// Which organ reviews the replying organ's acts, by the law in force on the issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewRule {
    /// A department of a county-or-higher local government, from 2024: that government
    /// (行政复议法 2023 Art. 24(1)(1)).
    OwnGovernment,
    /// A county, city or township government: the next-higher government (Art. 24(1)(2);
    /// 1999 text Art. 13).
    HigherGovernment,
    /// A province-level government (Art. 24(2)) or a State Council department (Art. 25(1)):
    /// the organ itself.
    Itself,
    /// Vertically managed organs (customs, finance, forex, tax, state security): the
    /// next-higher authority (Art. 27; 1999 text Art. 12(2)).
    VerticalHigher,
    /// A local justice department from 2024: its government or the higher justice department
    /// (Art. 28).
    JusticeEither,
    /// A local department before 2024: the applicant's choice of its government or the
    /// higher department (1999 text Art. 12(1)); either is right.
    ApplicantChoice,
    /// Anything else (e.g. a township-level department): only the configured organ is known.
    ConfiguredOnly,
}

impl ReviewRule {
    fn source(self, issued_on: NaiveDate) -> &'static str {
        let new = under_2023_review_law(issued_on);
        match self {
            ReviewRule::OwnGovernment => "《行政复议法》第二十四条第一款第一项",
            ReviewRule::HigherGovernment if new => "《行政复议法》第二十四条第一款第二项",
            ReviewRule::HigherGovernment => "《行政复议法》（2017年修正）第十三条",
            ReviewRule::Itself if new => "《行政复议法》第二十四条第二款、第二十五条第一项",
            ReviewRule::Itself => "《行政复议法》（2017年修正）第十四条",
            ReviewRule::VerticalHigher if new => "《行政复议法》第二十七条",
            ReviewRule::VerticalHigher => "《行政复议法》（2017年修正）第十二条第二款",
            ReviewRule::JusticeEither => "《行政复议法》第二十八条",
            ReviewRule::ApplicantChoice => "《行政复议法》（2017年修正）第十二条第一款",
            ReviewRule::ConfiguredOnly => SRC_RECON_ORGAN,
        }
    }
}

/// Art. 27 organs by name, when the configuration does not say. Local financial bureaus
/// (地方金融…局) are ordinary government departments and are excluded.
pub fn is_vertically_managed(organ: &Organ) -> bool {
    if let Some(v) = organ.vertically_managed {
        return v;
    }
    let n = norm(&organ.name);
    const MARKERS: &[&str] = &[
        "海关",
        "税务",
        "外汇管理",
        "国家安全",
        "人民银行",
        "金融监督管理总局",
        "金融监管总局",
        "证券监督管理",
        "证监局",
    ];
    MARKERS.iter().any(|m| n.contains(m)) && !n.contains("地方金融") && !n.contains("安全生产")
}

fn is_justice_department(organ: &Organ) -> bool {
    let n = norm(&organ.name);
    n.contains("司法局") || n.contains("司法厅")
}

/// The review rule that applies to `organ`'s reply issued on `issued_on`.
pub fn review_rule(organ: &Organ, issued_on: NaiveDate) -> ReviewRule {
    let new = under_2023_review_law(issued_on);
    match (organ.kind, organ.level) {
        (OrganKind::Government, OrganLevel::Province | OrganLevel::State) => ReviewRule::Itself,
        (OrganKind::Government, _) => ReviewRule::HigherGovernment,
        (OrganKind::Department, OrganLevel::State) => ReviewRule::Itself,
        (OrganKind::Department, _) if is_vertically_managed(organ) => ReviewRule::VerticalHigher,
        (OrganKind::Department, OrganLevel::Township) => ReviewRule::ConfiguredOnly,
        (OrganKind::Department, _) if !new => ReviewRule::ApplicantChoice,
        (OrganKind::Department, _) if is_justice_department(organ) => ReviewRule::JusticeEither,
        (OrganKind::Department, _) => ReviewRule::OwnGovernment,
    }
}

fn names_government(name: &str) -> bool {
    norm(name).contains("人民政府")
}

/// The reconsideration organ a reply must name, with the configured contact details when the
/// configured organ is the right one. Configuration that contradicts the law (a higher
/// department configured for a department after 2024) is passed over for the government.
pub fn expected_reconsideration_organ(
    organ: &Organ,
    issued_on: NaiveDate,
) -> Option<ReconsiderationOrgan> {
    let configured = organ.reconsideration_organ.clone();
    let parent = organ
        .parent_government_name
        .as_ref()
        .filter(|p| !p.trim().is_empty())
        .map(|name| ReconsiderationOrgan {
            name: name.clone(),
            ..ReconsiderationOrgan::default()
        });
    match review_rule(organ, issued_on) {
        ReviewRule::OwnGovernment | ReviewRule::HigherGovernment => match (configured, parent) {
            (Some(c), Some(p))
                if names_government(&c.name) && match_name(&c.name, &p.name) == NameMatch::Same =>
            {
                Some(c)
            }
            (_, Some(p)) => Some(p),
            (Some(c), None) if names_government(&c.name) => Some(c),
            (Some(_), None) | (None, None) => None,
        },
        ReviewRule::Itself => Some(match configured {
            Some(c) if match_name(&c.name, &organ.name) == NameMatch::Same => c,
            _ => ReconsiderationOrgan {
                name: organ.name.clone(),
                ..ReconsiderationOrgan::default()
            },
        }),
        ReviewRule::VerticalHigher => configured.filter(|c| !names_government(&c.name)),
        ReviewRule::JusticeEither | ReviewRule::ApplicantChoice => configured.or(parent),
        ReviewRule::ConfiguredOnly => configured,
    }
}

/// The old "本级人民政府或者上一级主管部门" choice, or a department, named after 2024.
fn names_old_choice(named: &str) -> bool {
    let n = norm(named);
    n.contains("上一级") || n.contains("主管部门") || n.contains('或')
}

fn remedy_reconsideration_organ_wrong(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let named = reply
        .remedy
        .reconsideration
        .as_ref()?
        .organ
        .as_deref()
        .filter(|s| !s.trim().is_empty())?;
    let rule = review_rule(ctx.organ, reply.issued_on);
    let source = rule.source(reply.issued_on);
    let expected = expected_reconsideration_organ(ctx.organ, reply.issued_on);
    let expected_name = expected.as_ref().map(|e| e.name.as_str());
    let wrong = |why: String| {
        Some(Finding::error(
            REMEDY_RECONSIDERATION_ORGAN_WRONG,
            why,
            source,
        ))
    };
    let should_be = expected_name.map_or_else(String::new, |e| format!("，应为“{e}”"));

    // Structural errors first: they hold whatever is configured.
    match rule {
        ReviewRule::OwnGovernment if !names_government(named) || names_old_choice(named) => {
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：自2024年1月1日起，对县级以上地方人民政府工作部门的行政行为不服的，由本级人民政府管辖，不再向上一级主管部门申请{should_be}"
            ));
        }
        ReviewRule::HigherGovernment if !names_government(named) => {
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：对人民政府的行政行为不服的，向上一级人民政府申请行政复议{should_be}"
            ));
        }
        ReviewRule::VerticalHigher if names_government(named) => {
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：本机关实行垂直领导，应向上一级主管部门申请行政复议{should_be}"
            ));
        }
        ReviewRule::JusticeEither => {
            // Either its government or the higher justice department.
            if names_government(named) {
                let parent = ctx.organ.parent_government_name.as_deref()?;
                return (match_name(named, parent) == NameMatch::Different).then(|| {
                    Finding::error(
                        REMEDY_RECONSIDERATION_ORGAN_WRONG,
                        format!("告知的行政复议机关“{named}”不是本级人民政府“{parent}”"),
                        source,
                    )
                });
            }
            if norm(named).contains("司法") {
                return None;
            }
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：应为本级人民政府或者上一级司法行政部门"
            ));
        }
        ReviewRule::ApplicantChoice => return None,
        _ => {}
    }
    match match_name(named, expected_name?) {
        NameMatch::Same => None,
        NameMatch::Abbreviated => Some(Finding::warning(
            REMEDY_RECONSIDERATION_ORGAN_WRONG,
            format!("行政复议机关名称“{named}”不完整{should_be}"),
            source,
        )),
        NameMatch::Different => wrong(format!(
            "告知的行政复议机关“{named}”与应当受理的行政复议机关不一致{should_be}"
        )),
    }
}

fn remedy_reconsideration_first_missing(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let r = &reply.remedy;
    if !reconsideration_first_in_force(reply)
        || r.reconsideration_first == Some(true)
        || (r.reconsideration.is_none() && r.litigation.is_none())
    {
        return None;
    }
    let message = format!(
        "答复结果为“{}”，属于不予公开，应告知申请人须先申请行政复议，对行政复议决定不服的再提起行政诉讼（复议前置）",
        reply.outcome.label()
    );
    // The Arts 14–16 withholdings are the core of Art. 23(1)(4); whether partial disclosure
    // and 行政查询事项 fall under it is less settled, so those are warnings.
    Some(if reply.outcome.is_withholding() {
        Finding::error(REMEDY_RECONSIDERATION_FIRST_MISSING, message, SRC_FIRST)
    } else {
        Finding::warning(REMEDY_RECONSIDERATION_FIRST_MISSING, message, SRC_FIRST)
    })
}

// ---------------------------------------------------------------------------------------------
// 期限

fn reply_late(ctx: &Ctx) -> Option<Finding> {
    let due = ctx.process.due_on?;
    let reply = ctx.reply;
    let (date, how) = match (reply.dispatched_on, reply.delivery_method) {
        (Some(d), Some(DeliveryMethod::Post)) => (d, "交邮"),
        (Some(d), Some(DeliveryMethod::InPerson)) => (d, "送达"),
        (Some(d), _) => (d, "发出"),
        (None, _) => (reply.issued_on, "作出（无发出日期，按成文日期计）"),
    };
    (date > due).then(|| {
        Finding::error(
            REPLY_LATE,
            format!(
                "答复于{}{how}，晚于答复期限{}（逾期{}日）",
                cn_date(date),
                cn_date(due),
                (date - due).num_days()
            ),
            SRC_LATE,
        )
    })
}

fn overdue(process: &ProcessFacts, as_of: NaiveDate) -> Option<Finding> {
    let due = process.due_on?;
    (as_of > due).then(|| {
        Finding::error(
            REPLY_LATE,
            format!(
                "已超过答复期限{}仍未答复（截至{}，逾期{}日）",
                cn_date(due),
                cn_date(as_of),
                (as_of - due).num_days()
            ),
            SRC_LATE,
        )
    })
}

fn receipt_unconfirmed(p: &ProcessFacts) -> Option<Finding> {
    p.receipt_unconfirmed.then(|| {
        Finding::warning(
            RECEIPT_UNCONFIRMED,
            "申请尚未确认收到（平常信函、互联网、传真等渠道须与申请人确认），收到申请之日未定，答复期限无法起算",
            SRC_RECEIPT,
        )
    })
}

fn correction_notice_late(p: &ProcessFacts) -> Option<Finding> {
    let due = p.correction_notice_due_on?;
    let first = p.correction_requests.iter().min()?;
    (*first > due).then(|| {
        Finding::error(
            CORRECTION_NOTICE_LATE,
            format!(
                "补正告知于{}发出，晚于收到申请之日起7个工作日（{}），不产生重新计算答复期限的效力",
                cn_date(*first),
                cn_date(due)
            ),
            SRC_CORRECTION,
        )
    })
}

fn correction_repeated(p: &ProcessFacts) -> Option<Finding> {
    let n = p.correction_requests.len();
    (n > 1).then(|| {
        Finding::error(
            CORRECTION_REPEATED,
            format!(
                "补正告知发出了{n}次，应当一次性告知需要补正的事项；第二次及以后的补正不重新计算答复期限"
            ),
            SRC_CORRECTION,
        )
    })
}

fn extension_notice_late(p: &ProcessFacts) -> Option<Finding> {
    let e = p.extension.as_ref()?;
    (e.notified_on > e.due_before_extension).then(|| {
        Finding::error(
            EXTENSION_NOTICE_LATE,
            format!(
                "延期告知于{}发出，晚于原答复期限{}，延期应在答复期限届满前告知申请人",
                cn_date(e.notified_on),
                cn_date(e.due_before_extension)
            ),
            SRC_EXTENSION,
        )
    })
}

fn extension_too_long(p: &ProcessFacts) -> Option<Finding> {
    let e = p.extension.as_ref()?;
    (e.working_days > MAX_EXTENSION_WORKING_DAYS).then(|| {
        Finding::error(
            EXTENSION_TOO_LONG,
            format!("延长答复期限{}个工作日，超过最长20个工作日", e.working_days),
            SRC_EXTENSION,
        )
    })
}

fn extension_unapproved(p: &ProcessFacts) -> Option<Finding> {
    let e = p.extension.as_ref()?;
    (!e.approved).then(|| {
        Finding::error(
            EXTENSION_UNAPPROVED,
            "延长答复期限未经政府信息公开工作机构负责人同意",
            SRC_EXTENSION,
        )
    })
}

/// Findings the deadline engine raised on the Art. 35 later date (RULES.md §5: "approved like
/// an extension"): set after the period ended, without approval, or beyond the bound. The
/// message is the engine's own explanation of that event.
pub fn deadline_findings(deadline: &Deadline) -> Vec<Finding> {
    let custom_step = deadline
        .steps
        .iter()
        .rev()
        .find(|s| s.article == SRC_CUSTOM)
        .map_or_else(String::new, |s| format!("：{}", s.effect));
    [
        (
            DeadlineFlag::CustomDueLate,
            CUSTOM_DUE_LATE,
            "依第三十五条确定的答复期限在原答复期限届满后才确定并告知",
        ),
        (
            DeadlineFlag::CustomDueUnapproved,
            CUSTOM_DUE_UNAPPROVED,
            "依第三十五条确定的答复期限未经批准",
        ),
        (
            DeadlineFlag::CustomDueOverMax,
            CUSTOM_DUE_OVER_MAX,
            "依第三十五条确定的答复期限超过系统设定的合理上限",
        ),
    ]
    .into_iter()
    .filter(|(flag, _, _)| deadline.flags.contains(flag))
    .map(|(_, code, what)| Finding::error(code, format!("{what}{custom_step}"), SRC_CUSTOM))
    .collect()
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) fn organ() -> Organ {
        Organ {
            name: "南宁市交通运输局".to_owned(),
            code: "南交信复".to_owned(),
            kind: OrganKind::Department,
            level: OrganLevel::City,
            reconsideration_organ: Some(ReconsiderationOrgan {
                name: "南宁市人民政府".to_owned(),
                address: Some("南宁市青秀区民族大道1号".to_owned()),
                phone: Some("0771-1234567".to_owned()),
            }),
            court: Some(Court {
                name: "南宁市青秀区人民法院".to_owned(),
                address: None,
                designated: false,
            }),
            parent_government_name: Some("南宁市人民政府".to_owned()),
            vertically_managed: None,
            seal_names: vec![],
        }
    }

    fn regulation(article: &str, paragraph: Option<&str>, item: Option<&str>) -> LegalCitation {
        LegalCitation {
            law: "《中华人民共和国政府信息公开条例》".to_owned(),
            article: Some(article.to_owned()),
            paragraph: paragraph.map(str::to_owned),
            item: item.map(str::to_owned),
        }
    }

    /// A fully compliant reply (disclosed, 2024, city department).
    fn reply() -> ReplyDoc {
        ReplyDoc {
            doc_number: Some("南交信复〔2024〕15号".to_owned()),
            issued_on: d(2024, 10, 8),
            dispatched_on: Some(d(2024, 10, 9)),
            delivery_method: Some(DeliveryMethod::Post),
            outcome: Outcome::Disclosed,
            sealed: true,
            seal_organ: Some("南宁市交通运输局".to_owned()),
            legal_basis: vec![regulation("第三十六条", None, Some("（二）"))],
            reasons: None,
            redirect_to: None,
            remedy: Remedy {
                reconsideration: Some(ReconsiderationRoute {
                    organ: Some("南宁市人民政府".to_owned()),
                    address: Some("南宁市青秀区民族大道1号".to_owned()),
                    phone: None,
                    period_days: Some(60),
                }),
                litigation: Some(LitigationRoute {
                    court: Some("南宁市青秀区人民法院".to_owned()),
                    period_months: Some(6),
                    period_days: None,
                }),
                reconsideration_first: None,
            },
        }
    }

    /// A compliant withholding (Art. 14, 复议前置).
    fn withheld() -> ReplyDoc {
        let mut r = reply();
        r.outcome = Outcome::WithheldStateSecret;
        r.legal_basis = vec![regulation("第十四条、第三十六条第三项", None, None)];
        r.reasons = Some("该信息已依法定密为秘密级".to_owned());
        r.remedy.reconsideration_first = Some(true);
        if let Some(l) = r.remedy.litigation.as_mut() {
            l.period_months = None;
            l.period_days = Some(15);
        }
        r
    }

    fn process() -> ProcessFacts {
        ProcessFacts {
            received_on: Some(d(2024, 9, 27)),
            due_on: Some(d(2024, 10, 30)),
            correction_requests: vec![],
            correction_notice_due_on: Some(d(2024, 10, 11)),
            extension: None,
            receipt_unconfirmed: false,
        }
    }

    fn run(rule: ReplyRule, r: &ReplyDoc) -> Option<Finding> {
        run_with(rule, r, &organ(), &[])
    }

    fn run_with(rule: ReplyRule, r: &ReplyDoc, o: &Organ, others: &[String]) -> Option<Finding> {
        let p = process();
        rule(&Ctx {
            reply: r,
            organ: o,
            process: &p,
            other_doc_numbers: others,
        })
    }

    fn code(f: Option<Finding>) -> Option<(&'static str, Severity)> {
        f.map(|f| {
            assert!(!f.message.is_empty() && !f.article.is_empty());
            assert!(codes::ALL.contains(&f.code));
            (f.code, f.severity)
        })
    }

    const E: Severity = Severity::Error;
    const W: Severity = Severity::Warning;

    #[test]
    fn compliant_replies_have_no_findings() {
        assert_eq!(check(&reply(), &organ(), &process(), &[]), vec![]);
        assert_eq!(check(&withheld(), &organ(), &process(), &[]), vec![]);
    }

    #[test]
    fn a_bad_reply_collects_findings_in_rule_order() {
        let mut r = reply();
        r.doc_number = None;
        r.sealed = false;
        r.legal_basis.clear();
        r.remedy = Remedy::default();
        let got: Vec<&str> = check(&r, &organ(), &process(), &[])
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            got,
            [
                DOC_NUMBER_MISSING,
                SEAL_MISSING,
                LEGAL_BASIS_MISSING,
                REMEDY_MISSING
            ]
        );
    }

    #[test]
    fn findings_serialise_in_snake_case() {
        let mut r = reply();
        r.sealed = false;
        let json = serde_json::to_value(check(&r, &organ(), &process(), &[])).unwrap();
        assert_eq!(json[0]["code"], "seal_missing");
        assert_eq!(json[0]["severity"], "error");
    }

    #[test]
    fn reply_doc_reads_from_json_with_defaults() {
        let r: ReplyDoc = serde_json::from_str(
            r#"{"issued_on":"2024-10-08","outcome":"withheld_third_party","sealed":true,
                "legal_basis":[{"law":"条例","article":"十五"}]}"#,
        )
        .unwrap();
        assert_eq!(r.outcome, Outcome::WithheldThirdParty);
        assert_eq!(r.remedy, Remedy::default());
        let back: ReplyDoc = serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    // 文号 ---------------------------------------------------------------------------------

    #[test]
    fn doc_number_missing_rule() {
        let mut r = reply();
        assert_eq!(code(run(doc_number_missing, &r)), None);
        r.doc_number = Some("  ".to_owned());
        assert_eq!(
            code(run(doc_number_missing, &r)),
            Some((DOC_NUMBER_MISSING, E))
        );
        r.doc_number = None;
        assert_eq!(
            code(run(doc_number_missing, &r)),
            Some((DOC_NUMBER_MISSING, E))
        );
    }

    #[test]
    fn doc_number_malformed_rule() {
        let mut r = reply();
        assert_eq!(code(run(doc_number_malformed, &r)), None);
        r.doc_number = Some("南交信复[2024]第015号".to_owned());
        let f = run(doc_number_malformed, &r).unwrap();
        assert_eq!(f.code, DOC_NUMBER_MALFORMED);
        assert!(f.message.contains("六角括号"), "{}", f.message);
        assert!(f.message.contains("不加“第”字"), "{}", f.message);
        assert!(f.message.contains("南交信复〔2024〕15号"), "{}", f.message);
        assert_eq!(f.article, "GB/T 9704-2012 7.2.5");
    }

    #[test]
    fn doc_number_year_mismatch_rule() {
        let mut r = reply();
        assert_eq!(code(run(doc_number_year_mismatch, &r)), None);
        r.doc_number = Some("南交信复〔2023〕15号".to_owned());
        assert_eq!(
            code(run(doc_number_year_mismatch, &r)),
            Some((DOC_NUMBER_YEAR_MISMATCH, E))
        );
    }

    #[test]
    fn doc_number_duplicate_rule() {
        let r = reply();
        let others = vec![
            "南交信复〔2024〕14号".to_owned(),
            "南交信复〔2023〕15号".to_owned(),
        ];
        assert_eq!(
            code(run_with(doc_number_duplicate, &r, &organ(), &others)),
            None
        );
        let others = vec!["南交信复 〔2024〕 15号".to_owned()];
        assert_eq!(
            code(run_with(doc_number_duplicate, &r, &organ(), &others)),
            Some((DOC_NUMBER_DUPLICATE, E))
        );
        // Two malformed numbers that are the same text.
        let mut bad = reply();
        bad.doc_number = Some("南交信复[2024]15号".to_owned());
        let others = vec!["南交信复[2024]15号".to_owned()];
        assert!(run_with(doc_number_duplicate, &bad, &organ(), &others).is_some());
    }

    // 印章 ---------------------------------------------------------------------------------

    #[test]
    fn seal_missing_rule() {
        let mut r = reply();
        assert_eq!(code(run(seal_missing, &r)), None);
        r.sealed = false;
        assert_eq!(code(run(seal_missing, &r)), Some((SEAL_MISSING, E)));
    }

    #[test]
    fn seal_organ_mismatch_rule() {
        let mut r = reply();
        for ok in [
            "南宁市交通运输局",
            "南宁市交通运输局政府信息公开专用章",
            "南宁市交通运输局（印章）",
        ] {
            r.seal_organ = Some(ok.to_owned());
            assert_eq!(code(run(seal_organ_mismatch, &r)), None, "{ok}");
        }
        for bad in [
            "南宁市交通运输局办公室",
            "南宁市人民政府",
            "广西壮族自治区交通运输厅",
        ] {
            r.seal_organ = Some(bad.to_owned());
            assert_eq!(
                code(run(seal_organ_mismatch, &r)),
                Some((SEAL_ORGAN_MISMATCH, E)),
                "{bad}"
            );
        }
        let mut o = organ();
        o.seal_names = vec!["南宁市交通运输局办公室".to_owned()];
        assert_eq!(
            code(run_with(seal_organ_mismatch, &r, &o, &[])),
            Some((SEAL_ORGAN_MISMATCH, E))
        );
        r.seal_organ = Some("南宁市交通运输局办公室".to_owned());
        assert_eq!(code(run_with(seal_organ_mismatch, &r, &o, &[])), None);
    }

    // 法律依据 -----------------------------------------------------------------------------

    #[test]
    fn legal_basis_missing_rule() {
        let mut r = reply();
        assert_eq!(code(run(legal_basis_missing, &r)), None);
        r.legal_basis = vec![LegalCitation::default()];
        assert_eq!(
            code(run(legal_basis_missing, &r)),
            Some((LEGAL_BASIS_MISSING, E))
        );
        r.legal_basis.clear();
        assert_eq!(
            code(run(legal_basis_missing, &r)),
            Some((LEGAL_BASIS_MISSING, E))
        );
    }

    #[test]
    fn legal_basis_no_article_rule() {
        let mut r = reply();
        assert_eq!(code(run(legal_basis_no_article, &r)), None);
        r.legal_basis = vec![LegalCitation {
            law: "《条例》".to_owned(),
            article: Some("有关规定".to_owned()),
            ..LegalCitation::default()
        }];
        assert_eq!(
            code(run(legal_basis_no_article, &r)),
            Some((LEGAL_BASIS_NO_ARTICLE, E))
        );
        // The article without the item that decides the outcome.
        r.legal_basis = vec![regulation("36", None, None)];
        assert_eq!(
            code(run(legal_basis_no_article, &r)),
            Some((LEGAL_BASIS_NO_ARTICLE, W))
        );
        r.legal_basis = vec![regulation("36", None, Some("2"))];
        assert_eq!(code(run(legal_basis_no_article, &r)), None);
    }

    #[test]
    fn legal_basis_mismatch_rule() {
        let mut r = reply();
        assert_eq!(code(run(legal_basis_mismatch, &r)), None);
        // Disclosed but citing the withholding article.
        r.legal_basis = vec![regulation("第十四条", None, None)];
        let f = run(legal_basis_mismatch, &r).unwrap();
        assert_eq!((f.code, f.severity), (LEGAL_BASIS_MISMATCH, E));
        assert!(f.message.contains("第三十六条第二项"), "{}", f.message);
        assert_eq!(f.article, "《政府信息公开条例》第三十六条第二项");
        // Wrong item of the right article.
        r.legal_basis = vec![regulation("36", None, Some("三"))];
        assert!(run(legal_basis_mismatch, &r).is_some());
        // Only another law.
        r.legal_basis = vec![LegalCitation {
            law: "《中华人民共和国保守国家秘密法》".to_owned(),
            article: Some("第十三条".to_owned()),
            ..LegalCitation::default()
        }];
        assert!(
            run(legal_basis_mismatch, &r)
                .unwrap()
                .message
                .contains("未引用")
        );
        // A withholding citing only Art. 36(3) lacks its ground (Art. 14).
        let mut w = withheld();
        assert_eq!(code(run(legal_basis_mismatch, &w)), None);
        w.legal_basis = vec![regulation("36", None, Some("3"))];
        assert!(run(legal_basis_mismatch, &w).is_some());
        // Outcomes with no article in §4 accept any.
        w.outcome = Outcome::WithheldAdministrativeQuery;
        assert_eq!(code(run(legal_basis_mismatch, &w)), None);
        // Replies under the 2007 text are not compared.
        let mut old = reply();
        old.issued_on = d(2019, 5, 14);
        old.legal_basis = vec![regulation("第二十一条", None, None)];
        assert_eq!(code(run(legal_basis_mismatch, &old)), None);
    }

    #[test]
    fn legal_basis_accepts_many_spellings_of_the_regulation() {
        for law in [
            "条例",
            "《条例》",
            "政府信息公开条例",
            "中华人民共和国政府信息公开条例（2019年修订）",
        ] {
            assert!(is_regulation(law), "{law}");
        }
        for law in [
            "《国务院办公厅关于施行〈中华人民共和国政府信息公开条例〉若干问题的意见》",
            "保守国家秘密法",
        ] {
            assert!(!is_regulation(law), "{law}");
        }
    }

    // 理由、告知负责机关 -------------------------------------------------------------------

    #[test]
    fn reasons_missing_rule() {
        let mut w = withheld();
        assert_eq!(code(run(reasons_missing, &w)), None);
        w.reasons = Some(" ".to_owned());
        let f = run(reasons_missing, &w).unwrap();
        assert_eq!((f.code, f.severity), (REASONS_MISSING, E));
        assert_eq!(f.article, "《政府信息公开条例》第三十六条第三项");
        let mut p = reply();
        p.outcome = Outcome::PartiallyDisclosed;
        assert_eq!(code(run(reasons_missing, &p)), Some((REASONS_MISSING, E)));
        let mut n = reply();
        n.outcome = Outcome::UnavailableNotHeld;
        assert_eq!(code(run(reasons_missing, &n)), Some((REASONS_MISSING, W)));
        // Disclosure needs none.
        assert_eq!(code(run(reasons_missing, &reply())), None);
    }

    #[test]
    fn redirect_missing_rule() {
        let mut r = reply();
        r.outcome = Outcome::UnavailableNotResponsible;
        assert_eq!(code(run(redirect_missing, &r)), Some((REDIRECT_MISSING, E)));
        r.redirect_to = Some(Redirect {
            name: "南宁市自然资源局".to_owned(),
            contact: None,
        });
        assert_eq!(code(run(redirect_missing, &r)), Some((REDIRECT_MISSING, W)));
        r.redirect_to = Some(Redirect {
            name: "南宁市自然资源局".to_owned(),
            contact: Some("0771-7654321".to_owned()),
        });
        assert_eq!(code(run(redirect_missing, &r)), None);
        assert_eq!(code(run(redirect_missing, &reply())), None);
    }

    // 救济途径 -----------------------------------------------------------------------------

    #[test]
    fn remedy_missing_rule() {
        let mut r = reply();
        assert_eq!(code(run(remedy_missing, &r)), None);
        r.remedy.litigation = None;
        assert_eq!(code(run(remedy_missing, &r)), None);
        r.remedy.reconsideration = None;
        assert_eq!(code(run(remedy_missing, &r)), Some((REMEDY_MISSING, E)));
        // Only remedy_missing, not the two "organ/court missing" ones as well.
        assert_eq!(run(remedy_reconsideration_organ_missing, &r), None);
        assert_eq!(run(remedy_court_missing, &r), None);
    }

    #[test]
    fn remedy_reconsideration_organ_missing_rule() {
        let mut r = reply();
        assert_eq!(code(run(remedy_reconsideration_organ_missing, &r)), None);
        if let Some(rc) = r.remedy.reconsideration.as_mut() {
            rc.organ = None;
        }
        assert_eq!(
            code(run(remedy_reconsideration_organ_missing, &r)),
            Some((REMEDY_RECONSIDERATION_ORGAN_MISSING, E))
        );
        r.remedy.reconsideration = None;
        assert_eq!(
            code(run(remedy_reconsideration_organ_missing, &r)),
            Some((REMEDY_RECONSIDERATION_ORGAN_MISSING, E))
        );
        r.remedy.reconsideration = Some(ReconsiderationRoute {
            organ: Some("南宁市人民政府".to_owned()),
            period_days: Some(60),
            ..ReconsiderationRoute::default()
        });
        assert_eq!(
            code(run(remedy_reconsideration_organ_missing, &r)),
            Some((REMEDY_RECONSIDERATION_ORGAN_MISSING, W))
        );
    }

    #[test]
    fn remedy_court_missing_rule() {
        let mut r = reply();
        assert_eq!(code(run(remedy_court_missing, &r)), None);
        if let Some(l) = r.remedy.litigation.as_mut() {
            l.court = Some(String::new());
        }
        assert_eq!(
            code(run(remedy_court_missing, &r)),
            Some((REMEDY_COURT_MISSING, E))
        );
        r.remedy.litigation = None;
        assert_eq!(
            code(run(remedy_court_missing, &r)),
            Some((REMEDY_COURT_MISSING, E))
        );
    }

    #[test]
    fn remedy_court_wrong_rule() {
        let mut r = reply();
        assert_eq!(code(run(remedy_court_wrong, &r)), None);
        if let Some(l) = r.remedy.litigation.as_mut() {
            l.court = Some("南宁市中级人民法院".to_owned());
        }
        assert_eq!(
            code(run(remedy_court_wrong, &r)),
            Some((REMEDY_COURT_WRONG, W))
        );
        let mut o = organ();
        o.court = None;
        assert_eq!(code(run_with(remedy_court_wrong, &r, &o, &[])), None);
    }

    #[test]
    fn remedy_court_level_for_county_governments() {
        // Issue 13: a county government naming a basic court.
        let mut county = organ();
        county.name = "南宁市武鸣区人民政府".to_owned();
        county.kind = OrganKind::Government;
        county.level = OrganLevel::County;
        county.court = Some(Court {
            name: "南宁市武鸣区人民法院".to_owned(),
            address: None,
            designated: false,
        });
        let named = |court: &str| {
            let mut r = reply();
            if let Some(l) = r.remedy.litigation.as_mut() {
                l.court = Some(court.to_owned());
            }
            r
        };
        let f = run_with(
            remedy_court_wrong,
            &named("南宁市武鸣区人民法院"),
            &county,
            &[],
        );
        assert_eq!(code(f.clone()), Some((REMEDY_COURT_WRONG, E)));
        assert!(f.unwrap().article.contains("第十五条"));
        assert_eq!(expected_court(&county), None);
        // The intermediate court is right (a warning only if it differs from the configured).
        county.court = Some(Court {
            name: "南宁市中级人民法院".to_owned(),
            address: None,
            designated: false,
        });
        assert_eq!(
            run_with(
                remedy_court_wrong,
                &named("南宁市中级人民法院"),
                &county,
                &[]
            ),
            None
        );
        // A designated court (集中管辖) may be a basic court.
        county.court = Some(Court {
            name: "南宁市良庆区人民法院".to_owned(),
            address: None,
            designated: true,
        });
        assert_eq!(
            run_with(
                remedy_court_wrong,
                &named("南宁市良庆区人民法院"),
                &county,
                &[]
            ),
            None
        );
        assert!(expected_court(&county).is_some());
        // A city department is sued in a basic court.
        assert!(!needs_intermediate_court(&organ()));
        assert!(is_basic_court("隆安县人民法院"));
        assert!(is_basic_court("横州市人民法院"));
        assert!(!is_basic_court("南宁市中级人民法院"));
        assert!(!is_basic_court("南宁铁路运输法院"));
    }

    #[test]
    fn custom_due_flags_become_findings() {
        use crate::domain::calendar::CalendarSet;
        use crate::domain::deadline::{ClockEvent, RuleSettings, compute_deadline};
        let cal = CalendarSet::bundled().calendar(None);
        let dl = compute_deadline(
            Some(d(2024, 9, 27)),
            &[ClockEvent::CustomDueDate {
                date: d(2024, 11, 5),
                due_on: d(2024, 12, 20),
                approved: false,
            }],
            &RuleSettings::default(),
            &cal,
            d(2024, 11, 8),
        )
        .unwrap();
        let f = deadline_findings(&dl);
        let found: Vec<_> = f.iter().map(|f| f.code).collect();
        assert_eq!(found, [CUSTOM_DUE_LATE, CUSTOM_DUE_UNAPPROVED]);
        assert!(f[0].message.contains("2024-10-30"));
        assert!(found.iter().all(|c| codes::DEADLINE.contains(c)));
    }

    #[test]
    fn remedy_period_wrong_rule() {
        let mut r = reply();
        assert_eq!(code(run(remedy_period_wrong, &r)), None);
        if let Some(rc) = r.remedy.reconsideration.as_mut() {
            rc.period_days = Some(15);
        }
        assert_eq!(
            code(run(remedy_period_wrong, &r)),
            Some((REMEDY_PERIOD_WRONG, E))
        );
        let mut r = reply();
        if let Some(l) = r.remedy.litigation.as_mut() {
            l.period_months = Some(3);
        }
        let f = run(remedy_period_wrong, &r).unwrap();
        assert_eq!((f.code, f.severity), (REMEDY_PERIOD_WRONG, E));
        assert!(f.article.contains("第四十六条"));
        // Periods not stated: a warning.
        let mut r = reply();
        if let Some(rc) = r.remedy.reconsideration.as_mut() {
            rc.period_days = None;
        }
        assert_eq!(
            code(run(remedy_period_wrong, &r)),
            Some((REMEDY_PERIOD_WRONG, W))
        );
        // Before 2015-05-01 the suit period was three months.
        let mut old = reply();
        old.issued_on = d(2015, 4, 30);
        if let Some(l) = old.remedy.litigation.as_mut() {
            l.period_months = Some(3);
        }
        assert_eq!(code(run(remedy_period_wrong, &old)), None);
    }

    #[test]
    fn remedy_period_under_reconsideration_first() {
        let mut w = withheld();
        assert_eq!(code(run(remedy_period_wrong, &w)), None);
        if let Some(l) = w.remedy.litigation.as_mut() {
            l.period_days = Some(30);
        }
        assert_eq!(
            code(run(remedy_period_wrong, &w)),
            Some((REMEDY_PERIOD_WRONG, E))
        );
        // Telling a withholding's applicant to sue directly within 6 months misleads.
        if let Some(l) = w.remedy.litigation.as_mut() {
            l.period_days = None;
            l.period_months = Some(6);
        }
        assert_eq!(
            code(run(remedy_period_wrong, &w)),
            Some((REMEDY_PERIOD_WRONG, W))
        );
        // A partial disclosure may give both (6 months for the disclosed part).
        w.outcome = Outcome::PartiallyDisclosed;
        if let Some(l) = w.remedy.litigation.as_mut() {
            l.period_days = Some(15);
        }
        assert_eq!(code(run(remedy_period_wrong, &w)), None);
        // 15 days where 复议前置 does not apply is wrong.
        let mut r = reply();
        if let Some(l) = r.remedy.litigation.as_mut() {
            l.period_days = Some(15);
        }
        assert_eq!(
            code(run(remedy_period_wrong, &r)),
            Some((REMEDY_PERIOD_WRONG, E))
        );
    }

    #[test]
    fn remedy_reconsideration_organ_wrong_rule_for_departments_after_2024() {
        let mut r = reply();
        assert_eq!(code(run(remedy_reconsideration_organ_wrong, &r)), None);
        for bad in [
            "广西壮族自治区交通运输厅",
            "上一级主管部门",
            "南宁市人民政府或者广西壮族自治区交通运输厅",
        ] {
            r.remedy.reconsideration.as_mut().unwrap().organ = Some(bad.to_owned());
            let f = run(remedy_reconsideration_organ_wrong, &r).unwrap();
            assert_eq!(
                (f.code, f.severity),
                (REMEDY_RECONSIDERATION_ORGAN_WRONG, E),
                "{bad}"
            );
            assert!(f.article.contains("第二十四条"), "{}", f.article);
            assert!(f.message.contains("应为“南宁市人民政府”"), "{}", f.message);
        }
        // Another government.
        r.remedy.reconsideration.as_mut().unwrap().organ = Some("柳州市人民政府".to_owned());
        assert_eq!(
            code(run(remedy_reconsideration_organ_wrong, &r)),
            Some((REMEDY_RECONSIDERATION_ORGAN_WRONG, E))
        );
        // Abbreviated.
        r.remedy.reconsideration.as_mut().unwrap().organ = Some("市人民政府".to_owned());
        assert_eq!(
            code(run(remedy_reconsideration_organ_wrong, &r)),
            Some((REMEDY_RECONSIDERATION_ORGAN_WRONG, W))
        );
        // A configuration still naming the higher department does not make it right.
        let mut o = organ();
        o.reconsideration_organ = Some(ReconsiderationOrgan {
            name: "广西壮族自治区交通运输厅".to_owned(),
            ..ReconsiderationOrgan::default()
        });
        r.remedy.reconsideration.as_mut().unwrap().organ =
            Some("广西壮族自治区交通运输厅".to_owned());
        assert!(run_with(remedy_reconsideration_organ_wrong, &r, &o, &[]).is_some());
    }

    #[test]
    fn remedy_reconsideration_organ_before_2024_was_the_applicants_choice() {
        let mut r = reply();
        r.issued_on = d(2023, 12, 29);
        r.remedy.reconsideration.as_mut().unwrap().organ =
            Some("广西壮族自治区交通运输厅".to_owned());
        assert_eq!(code(run(remedy_reconsideration_organ_wrong, &r)), None);
        assert_eq!(
            review_rule(&organ(), d(2023, 12, 29)),
            ReviewRule::ApplicantChoice
        );
        assert_eq!(
            review_rule(&organ(), d(2024, 1, 1)),
            ReviewRule::OwnGovernment
        );
    }

    #[test]
    fn remedy_reconsideration_organ_for_vertical_organs() {
        let mut o = organ();
        o.name = "国家税务总局南宁市税务局".to_owned();
        o.reconsideration_organ = Some(ReconsiderationOrgan {
            name: "国家税务总局广西壮族自治区税务局".to_owned(),
            ..ReconsiderationOrgan::default()
        });
        assert_eq!(review_rule(&o, d(2024, 6, 1)), ReviewRule::VerticalHigher);
        let mut r = reply();
        r.remedy.reconsideration.as_mut().unwrap().organ =
            Some("国家税务总局广西壮族自治区税务局".to_owned());
        assert_eq!(
            code(run_with(remedy_reconsideration_organ_wrong, &r, &o, &[])),
            None
        );
        r.remedy.reconsideration.as_mut().unwrap().organ = Some("南宁市人民政府".to_owned());
        let f = run_with(remedy_reconsideration_organ_wrong, &r, &o, &[]).unwrap();
        assert!(f.article.contains("第二十七条"));
        // Explicit configuration wins over the name.
        o.vertically_managed = Some(false);
        assert_eq!(review_rule(&o, d(2024, 6, 1)), ReviewRule::OwnGovernment);
    }

    #[test]
    fn vertical_detection_by_name() {
        let mut o = organ();
        for (name, vertical) in [
            ("南宁海关", true),
            ("国家外汇管理局广西壮族自治区分局", true),
            ("中国人民银行广西壮族自治区分行", true),
            ("国家金融监督管理总局广西监管局", true),
            ("广西壮族自治区国家安全厅", true),
            ("广西壮族自治区地方金融监督管理局", false),
            ("南宁市交通运输局", false),
        ] {
            o.name = name.to_owned();
            assert_eq!(is_vertically_managed(&o), vertical, "{name}");
        }
    }

    #[test]
    fn remedy_reconsideration_organ_for_governments_and_others() {
        // A county government: the city government.
        let county = Organ {
            name: "隆安县人民政府".to_owned(),
            code: "隆政信复".to_owned(),
            kind: OrganKind::Government,
            level: OrganLevel::County,
            reconsideration_organ: None,
            court: None,
            parent_government_name: Some("南宁市人民政府".to_owned()),
            vertically_managed: None,
            seal_names: vec![],
        };
        let mut r = reply();
        assert_eq!(
            code(run_with(
                remedy_reconsideration_organ_wrong,
                &r,
                &county,
                &[]
            )),
            None
        );
        r.remedy.reconsideration.as_mut().unwrap().organ = Some("南宁市司法局".to_owned());
        assert!(run_with(remedy_reconsideration_organ_wrong, &r, &county, &[]).is_some());
        // A province government: itself.
        let province = Organ {
            name: "广西壮族自治区人民政府".to_owned(),
            kind: OrganKind::Government,
            level: OrganLevel::Province,
            parent_government_name: None,
            ..county.clone()
        };
        r.remedy.reconsideration.as_mut().unwrap().organ =
            Some("广西壮族自治区人民政府".to_owned());
        assert_eq!(
            code(run_with(
                remedy_reconsideration_organ_wrong,
                &r,
                &province,
                &[]
            )),
            None
        );
        r.remedy.reconsideration.as_mut().unwrap().organ = Some("国务院".to_owned());
        assert!(run_with(remedy_reconsideration_organ_wrong, &r, &province, &[]).is_some());
        // A justice department: its government or the higher justice department.
        let mut justice = organ();
        justice.name = "南宁市司法局".to_owned();
        assert_eq!(
            review_rule(&justice, d(2024, 6, 1)),
            ReviewRule::JusticeEither
        );
        for ok in ["南宁市人民政府", "广西壮族自治区司法厅"] {
            r.remedy.reconsideration.as_mut().unwrap().organ = Some(ok.to_owned());
            assert_eq!(
                code(run_with(
                    remedy_reconsideration_organ_wrong,
                    &r,
                    &justice,
                    &[]
                )),
                None
            );
        }
        r.remedy.reconsideration.as_mut().unwrap().organ = Some("柳州市人民政府".to_owned());
        assert!(run_with(remedy_reconsideration_organ_wrong, &r, &justice, &[]).is_some());
    }

    #[test]
    fn expected_reconsideration_organ_prefers_the_law_over_stale_config() {
        let mut o = organ();
        let got = expected_reconsideration_organ(&o, d(2024, 6, 1)).unwrap();
        assert_eq!(got.name, "南宁市人民政府");
        assert!(got.phone.is_some(), "configured contact kept");
        o.reconsideration_organ = Some(ReconsiderationOrgan {
            name: "广西壮族自治区交通运输厅".to_owned(),
            ..ReconsiderationOrgan::default()
        });
        assert_eq!(
            expected_reconsideration_organ(&o, d(2024, 6, 1))
                .unwrap()
                .name,
            "南宁市人民政府"
        );
        o.parent_government_name = None;
        assert_eq!(expected_reconsideration_organ(&o, d(2024, 6, 1)), None);
    }

    #[test]
    fn remedy_reconsideration_first_missing_rule() {
        let mut w = withheld();
        assert_eq!(code(run(remedy_reconsideration_first_missing, &w)), None);
        w.remedy.reconsideration_first = None;
        let f = run(remedy_reconsideration_first_missing, &w).unwrap();
        assert_eq!(
            (f.code, f.severity),
            (REMEDY_RECONSIDERATION_FIRST_MISSING, E)
        );
        assert_eq!(f.article, "《行政复议法》第二十三条第一款第四项");
        // Partial disclosure: a warning.
        w.outcome = Outcome::PartiallyDisclosed;
        assert_eq!(
            code(run(remedy_reconsideration_first_missing, &w)),
            Some((REMEDY_RECONSIDERATION_FIRST_MISSING, W))
        );
        // Before 2024 there was no 复议前置 for 不予公开.
        w.outcome = Outcome::WithheldStateSecret;
        w.issued_on = d(2023, 12, 31);
        assert_eq!(code(run(remedy_reconsideration_first_missing, &w)), None);
        // Disclosure needs none.
        assert_eq!(
            code(run(remedy_reconsideration_first_missing, &reply())),
            None
        );
    }

    // 期限 ---------------------------------------------------------------------------------

    #[test]
    fn reply_late_rule() {
        let mut r = reply();
        assert_eq!(code(run(reply_late, &r)), None);
        // Posted on the due date, arriving later: in time.
        r.dispatched_on = Some(d(2024, 10, 30));
        assert_eq!(code(run(reply_late, &r)), None);
        r.dispatched_on = Some(d(2024, 10, 31));
        let f = run(reply_late, &r).unwrap();
        assert_eq!((f.code, f.severity), (REPLY_LATE, E));
        assert!(f.message.contains("交邮"), "{}", f.message);
        assert!(f.message.contains("逾期1日"), "{}", f.message);
        // No dispatch date: the issue date counts.
        r.dispatched_on = None;
        r.issued_on = d(2024, 11, 1);
        assert!(run(reply_late, &r).unwrap().message.contains("成文日期"));
    }

    #[test]
    fn check_process_flags_an_overdue_open_case() {
        let p = process();
        assert_eq!(check_process(&p, d(2024, 10, 30)), vec![]);
        let f = check_process(&p, d(2024, 11, 4));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, REPLY_LATE);
        assert!(f[0].message.contains("逾期5日"));
        assert!(f.iter().all(|f| codes::PROCESS.contains(&f.code)));
    }

    #[test]
    fn receipt_unconfirmed_rule() {
        let mut p = process();
        assert_eq!(code(receipt_unconfirmed(&p)), None);
        p.receipt_unconfirmed = true;
        assert_eq!(
            code(receipt_unconfirmed(&p)),
            Some((RECEIPT_UNCONFIRMED, W))
        );
    }

    #[test]
    fn correction_notice_late_rule() {
        let mut p = process();
        p.correction_requests = vec![d(2024, 10, 11)];
        assert_eq!(code(correction_notice_late(&p)), None);
        p.correction_requests = vec![d(2024, 10, 14)];
        assert_eq!(
            code(correction_notice_late(&p)),
            Some((CORRECTION_NOTICE_LATE, E))
        );
    }

    #[test]
    fn correction_repeated_rule() {
        let mut p = process();
        p.correction_requests = vec![d(2024, 10, 8)];
        assert_eq!(code(correction_repeated(&p)), None);
        p.correction_requests.push(d(2024, 10, 20));
        assert_eq!(
            code(correction_repeated(&p)),
            Some((CORRECTION_REPEATED, E))
        );
    }

    fn extension() -> Extension {
        Extension {
            notified_on: d(2024, 10, 30),
            working_days: 20,
            approved: true,
            due_before_extension: d(2024, 10, 30),
        }
    }

    #[test]
    fn extension_notice_late_rule() {
        let mut p = process();
        p.extension = Some(extension());
        assert_eq!(code(extension_notice_late(&p)), None);
        p.extension = Some(Extension {
            notified_on: d(2024, 10, 31),
            ..extension()
        });
        assert_eq!(
            code(extension_notice_late(&p)),
            Some((EXTENSION_NOTICE_LATE, E))
        );
    }

    #[test]
    fn extension_too_long_rule() {
        let mut p = process();
        p.extension = Some(extension());
        assert_eq!(code(extension_too_long(&p)), None);
        p.extension = Some(Extension {
            working_days: 21,
            ..extension()
        });
        assert_eq!(code(extension_too_long(&p)), Some((EXTENSION_TOO_LONG, E)));
    }

    #[test]
    fn extension_unapproved_rule() {
        let mut p = process();
        p.extension = Some(extension());
        assert_eq!(code(extension_unapproved(&p)), None);
        p.extension = Some(Extension {
            approved: false,
            ..extension()
        });
        assert_eq!(
            code(extension_unapproved(&p)),
            Some((EXTENSION_UNAPPROVED, E))
        );
    }

    #[test]
    fn every_code_has_a_rule_that_emits_it() {
        // Each code appears once in the list and is produced by some rule in the tests above;
        // here only the list's shape is checked.
        let mut seen = std::collections::HashSet::new();
        for c in codes::ALL {
            assert!(seen.insert(c), "{c} twice");
        }
        assert_eq!(codes::ALL.len(), REPLY_RULES.len() + PROCESS_RULES.len());
    }

    #[test]
    fn cn_date_has_no_leading_zeros() {
        assert_eq!(cn_date(d(2024, 9, 7)), "2024年9月7日");
    }
}

//! The annual report's statistics (OGI Regulations Art. 50; format 国办公开办函〔2021〕30号, and the
//! older 国办公开办函〔2019〕60号): table 三 (applications received and handled, by applicant
//! column) and table 四 (reconsideration and litigation), the cross-checks the format prints,
//! and the ids behind every cell so that a clerk can check a number.
//!
//! PURE: the year is a parameter, the facts come in as plain values; no IO, no clock, no
//! rendering (see `report::annual_xlsx` and `report::annual_html` for the official layout).
//!
//! # Counting rules (RULES.md §4, §6)
//!
//! All dates are calendar days; the year runs from Jan 1 to Dec 31 inclusive.
//!
//! - 一 `new`: the receipt date (收到申请之日, Art. 31) is in the year.
//! - 二 `carried_over`: received before Jan 1 and not concluded before Jan 1.
//! - 三 results: concluded in the year, counted **once**, in the row of its final conclusion.
//!   A partial disclosure (区分处理, Art. 37) counts only in (二) `partially_disclosed`.
//!   (七) `total` is the number of cases concluded in the year.
//! - 四 `carried_forward`: received by Dec 31 and not concluded by Dec 31 (a case concluded
//!   after the year end is still open on Dec 31).
//! - **Unconfirmed cases** (no receipt date yet: a channel that needs a signature or a
//!   confirmation that has not happened, RULES.md §1) are **not counted at all**: in law the
//!   application has not been received. They are listed by the `unconfirmed_not_counted`
//!   check, which fails if such a case was nevertheless concluded in the year (it was handled
//!   and appears nowhere in the table).
//! - **Withdrawal** (申请人撤回申请): neither format has a row for it; a withdrawn case counts in
//!   (六)3 "其他" (`other_3`), the usual practice, so that it leaves the balance
//!   一 + 二 = 三(七) + 四 intact. In the 2019 format it counts in the single (六) row.
//! - **Deemed abandoned** (视为放弃): no 补正 in time (Art. 30) → (六)1 `other_1`; fee not paid in
//!   time (国办函〔2020〕109号) → (六)2 `other_2`.
//! - Template 2019 (`Y2019`) folds (六)1–3 into one row `other` (其他处理).
//! - **Conclusions from events** (`final_conclusion`): the latest of `replied` (the outcome
//!   of the case's latest reply, by `Outcome::report_row`), `withdrawn`, `correction_lapsed`
//!   and `fee_lapsed`, on its date; a later `reopened` makes the case open again, so a
//!   reopened case counts once, by its latest conclusion.
//! - **A year is judged by its own events** (`year_view`): year Y sees only the events up to
//!   Dec 31 of Y and the reply in force then, so a later reopening never rewrites a report.
//!   A reopening in a later year than the conclusion before it is a new handling of that
//!   year: 一 (received on the reopening date), then 三 or 四 there. This reading keeps
//!   一 + 二 = 三(七) + 四 in both years (RULES.md §6 counts an application once per year, by
//!   its final outcome in that year).
//! - Table 四 counts remedies **filed in the year**, in three groups (reconsideration;
//!   litigation without prior reconsideration; litigation after reconsideration), by their
//!   result **as of Dec 31**: a decision dated after Dec 31 counts as 尚未审结.
//!
//! # Checks
//!
//! Every check is reported, passed or failed, with the cases that cause a failure:
//! `balance_<column>` (一 + 二 = 三(七) + 四 in every column; it also fails when the numbers
//! agree only because a case counted on one side only offsets another), `results_sum_to_total`
//! ((一)…(六) add up to (七)), `total_column_sums` (总计 = the six columns),
//! `table4_<group>_total` (总计 = its four results), `case_dates_consistent` (no case counted
//! in the year was concluded before its receipt date), `remedy_dates_consistent`,
//! `case_ids_unique`, `remedy_ids_unique` and `unconfirmed_not_counted`.
//!
//! # Labels
//!
//! Verbatim from the official format (国办公开办函〔2021〕30号, 〔2019〕60号) as printed in
//! published reports: simplified script, full-width punctuation, “” around 三安全一稳定. The
//! shared seed 001 (a 2020 district report) is a traditional-script copy whose table 三 lost
//! its cells; what survives there (the titles on lines 30 and 57, the 勾稽关系 note on line
//! 31, (二) on line 37) matches these labels character for character once converted back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::case::{ApplicantType, CaseEvent};
use super::outcome::{Outcome, SpecialRegimeRow};

/// A key that is not one of the known keys of an enum (row, column, template…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} key `{key}`")]
pub struct UnknownKey {
    pub kind: &'static str,
    pub key: String,
}

/// An enum whose values travel as stable snake_case keys (API, storage, query strings).
macro_rules! key_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $key:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(into = "&'static str", try_from = "String")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the order of the report.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            /// The value for a stable key.
            pub fn parse(key: &str) -> Result<Self, UnknownKey> {
                match key {
                    $($key => Ok($name::$variant),)+
                    _ => Err(UnknownKey { kind: $kind, key: key.to_owned() }),
                }
            }
        }

        impl From<$name> for &'static str {
            fn from(value: $name) -> Self {
                value.key()
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownKey;
            fn try_from(key: String) -> Result<Self, UnknownKey> {
                $name::parse(&key)
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownKey;
            fn from_str(key: &str) -> Result<Self, UnknownKey> {
                $name::parse(key)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

/// The official labels (国办公开办函〔2021〕30号, as printed in published reports; RULES.md §6).
/// Simplified characters and full-width punctuation, Chinese quotation marks “” in
/// "三安全一稳定".
pub mod labels {
    pub const TABLE3_TITLE: &str = "三、收到和处理政府信息公开申请情况";
    pub const TABLE4_TITLE: &str = "四、政府信息公开行政复议、行政诉讼情况";
    /// The header of the label block of table 三.
    pub const BALANCE_NOTE: &str =
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
    pub const APPLICANTS: &str = "申请人情况";
    pub const NATURAL_PERSON: &str = "自然人";
    pub const LEGAL_PERSON_OR_ORG: &str = "法人或其他组织";
    pub const COMMERCIAL: &str = "商业企业";
    pub const RESEARCH: &str = "科研机构";
    pub const PUBLIC_INTEREST: &str = "社会公益组织";
    pub const LEGAL_SERVICE: &str = "法律服务机构";
    pub const OTHER_ORG: &str = "其他";
    pub const TOTAL: &str = "总计";
    pub const RESULTS_SECTION: &str = "三、本年度办理结果";

    pub const RECONSIDERATION: &str = "行政复议";
    pub const LITIGATION: &str = "行政诉讼";
    pub const LITIGATION_DIRECT: &str = "未经复议直接起诉";
    pub const LITIGATION_AFTER_RECONSIDERATION: &str = "复议后起诉";
    pub const UPHELD: &str = "结果维持";
    pub const CORRECTED: &str = "结果纠正";
    pub const OTHER_RESULT: &str = "其他结果";
    pub const PENDING: &str = "尚未审结";
}

key_enum!(
    /// The applicant columns of table 三 (the same keys as the case's applicant type).
    ApplicantColumn("applicant column") {
        NaturalPerson => "natural_person",
        Commercial => "commercial",
        Research => "research",
        PublicInterest => "public_interest",
        LegalService => "legal_service",
        OtherOrg => "other_org",
    }
);

key_enum!(
    /// The seven data columns of table 三: the six applicant columns and 总计.
    ColumnKey("column") {
        NaturalPerson => "natural_person",
        Commercial => "commercial",
        Research => "research",
        PublicInterest => "public_interest",
        LegalService => "legal_service",
        OtherOrg => "other_org",
        Total => "total",
    }
);

impl ApplicantColumn {
    /// Position among the data columns (0–5).
    pub fn index(self) -> usize {
        ColumnKey::from(self).index()
    }
}

impl From<ApplicantColumn> for ColumnKey {
    fn from(column: ApplicantColumn) -> Self {
        match column {
            ApplicantColumn::NaturalPerson => ColumnKey::NaturalPerson,
            ApplicantColumn::Commercial => ColumnKey::Commercial,
            ApplicantColumn::Research => ColumnKey::Research,
            ApplicantColumn::PublicInterest => ColumnKey::PublicInterest,
            ApplicantColumn::LegalService => ColumnKey::LegalService,
            ApplicantColumn::OtherOrg => ColumnKey::OtherOrg,
        }
    }
}

impl ColumnKey {
    /// The seven columns in the order of the table.
    pub const COLUMNS: [ColumnKey; 7] = [
        ColumnKey::NaturalPerson,
        ColumnKey::Commercial,
        ColumnKey::Research,
        ColumnKey::PublicInterest,
        ColumnKey::LegalService,
        ColumnKey::OtherOrg,
        ColumnKey::Total,
    ];

    /// Position among the data columns (0–6).
    pub fn index(self) -> usize {
        match self {
            ColumnKey::NaturalPerson => 0,
            ColumnKey::Commercial => 1,
            ColumnKey::Research => 2,
            ColumnKey::PublicInterest => 3,
            ColumnKey::LegalService => 4,
            ColumnKey::OtherOrg => 5,
            ColumnKey::Total => 6,
        }
    }

    /// The column's own header cell (the five organisation subtypes sit under
    /// "法人或其他组织").
    pub fn label(self) -> &'static str {
        match self {
            ColumnKey::NaturalPerson => labels::NATURAL_PERSON,
            ColumnKey::Commercial => labels::COMMERCIAL,
            ColumnKey::Research => labels::RESEARCH,
            ColumnKey::PublicInterest => labels::PUBLIC_INTEREST,
            ColumnKey::LegalService => labels::LEGAL_SERVICE,
            ColumnKey::OtherOrg => labels::OTHER_ORG,
            ColumnKey::Total => labels::TOTAL,
        }
    }
}

key_enum!(
    /// The annual-report row of a final reply outcome (RULES.md §4, column "annual report
    /// row"): the row key that `compliance`'s `Outcome::report_row` returns.
    OutcomeRow("outcome row") {
        Disclosed => "disclosed",
        PartiallyDisclosed => "partially_disclosed",
        Withheld1 => "withheld_1",
        Withheld2 => "withheld_2",
        Withheld3 => "withheld_3",
        Withheld4 => "withheld_4",
        Withheld5 => "withheld_5",
        Withheld6 => "withheld_6",
        Withheld7 => "withheld_7",
        Withheld8 => "withheld_8",
        Unavailable1 => "unavailable_1",
        Unavailable2 => "unavailable_2",
        Unavailable3 => "unavailable_3",
        NotProcessed1 => "not_processed_1",
        NotProcessed2 => "not_processed_2",
        NotProcessed3 => "not_processed_3",
        NotProcessed4 => "not_processed_4",
        NotProcessed5 => "not_processed_5",
        Other1 => "other_1",
        Other2 => "other_2",
        Other3 => "other_3",
    }
);

key_enum!(
    /// The rows of table 三. `Other` exists only in the 2019 template, `Other1`…`Other3` only in
    /// the 2021 one.
    RowKey("row") {
        New => "new",
        CarriedOver => "carried_over",
        Disclosed => "disclosed",
        PartiallyDisclosed => "partially_disclosed",
        Withheld1 => "withheld_1",
        Withheld2 => "withheld_2",
        Withheld3 => "withheld_3",
        Withheld4 => "withheld_4",
        Withheld5 => "withheld_5",
        Withheld6 => "withheld_6",
        Withheld7 => "withheld_7",
        Withheld8 => "withheld_8",
        Unavailable1 => "unavailable_1",
        Unavailable2 => "unavailable_2",
        Unavailable3 => "unavailable_3",
        NotProcessed1 => "not_processed_1",
        NotProcessed2 => "not_processed_2",
        NotProcessed3 => "not_processed_3",
        NotProcessed4 => "not_processed_4",
        NotProcessed5 => "not_processed_5",
        Other1 => "other_1",
        Other2 => "other_2",
        Other3 => "other_3",
        Other => "other",
        Total => "total",
        CarriedForward => "carried_forward",
    }
);

impl From<OutcomeRow> for RowKey {
    fn from(row: OutcomeRow) -> Self {
        match row {
            OutcomeRow::Disclosed => RowKey::Disclosed,
            OutcomeRow::PartiallyDisclosed => RowKey::PartiallyDisclosed,
            OutcomeRow::Withheld1 => RowKey::Withheld1,
            OutcomeRow::Withheld2 => RowKey::Withheld2,
            OutcomeRow::Withheld3 => RowKey::Withheld3,
            OutcomeRow::Withheld4 => RowKey::Withheld4,
            OutcomeRow::Withheld5 => RowKey::Withheld5,
            OutcomeRow::Withheld6 => RowKey::Withheld6,
            OutcomeRow::Withheld7 => RowKey::Withheld7,
            OutcomeRow::Withheld8 => RowKey::Withheld8,
            OutcomeRow::Unavailable1 => RowKey::Unavailable1,
            OutcomeRow::Unavailable2 => RowKey::Unavailable2,
            OutcomeRow::Unavailable3 => RowKey::Unavailable3,
            OutcomeRow::NotProcessed1 => RowKey::NotProcessed1,
            OutcomeRow::NotProcessed2 => RowKey::NotProcessed2,
            OutcomeRow::NotProcessed3 => RowKey::NotProcessed3,
            OutcomeRow::NotProcessed4 => RowKey::NotProcessed4,
            OutcomeRow::NotProcessed5 => RowKey::NotProcessed5,
            OutcomeRow::Other1 => RowKey::Other1,
            OutcomeRow::Other2 => RowKey::Other2,
            OutcomeRow::Other3 => RowKey::Other3,
        }
    }
}

const WITHHELD: &str = "（三）不予公开";
const UNAVAILABLE: &str = "（四）无法提供";
const NOT_PROCESSED: &str = "（五）不予处理";
const OTHER_HANDLING: &str = "（六）其他处理";

impl RowKey {
    /// The row's own label cell, verbatim from the official format.
    pub fn label(self) -> &'static str {
        match self {
            RowKey::New => "一、本年新收政府信息公开申请数量",
            RowKey::CarriedOver => "二、上年结转政府信息公开申请数量",
            RowKey::Disclosed => "（一）予以公开",
            RowKey::PartiallyDisclosed => {
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
            }
            RowKey::Withheld1 => "1.属于国家秘密",
            RowKey::Withheld2 => "2.其他法律行政法规禁止公开",
            RowKey::Withheld3 => "3.危及“三安全一稳定”",
            RowKey::Withheld4 => "4.保护第三方合法权益",
            RowKey::Withheld5 => "5.属于三类内部事务信息",
            RowKey::Withheld6 => "6.属于四类过程性信息",
            RowKey::Withheld7 => "7.属于行政执法案卷",
            RowKey::Withheld8 => "8.属于行政查询事项",
            RowKey::Unavailable1 => "1.本机关不掌握相关政府信息",
            RowKey::Unavailable2 => "2.没有现成信息需要另行制作",
            RowKey::Unavailable3 => "3.补正后申请内容仍不明确",
            RowKey::NotProcessed1 => "1.信访举报投诉类申请",
            RowKey::NotProcessed2 => "2.重复申请",
            RowKey::NotProcessed3 => "3.要求提供公开出版物",
            RowKey::NotProcessed4 => "4.无正当理由大量反复申请",
            RowKey::NotProcessed5 => "5.要求行政机关确认或重新出具已获取信息",
            RowKey::Other1 => "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            RowKey::Other2 => {
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
            }
            RowKey::Other3 => "3.其他",
            RowKey::Other => OTHER_HANDLING,
            RowKey::Total => "（七）总计",
            RowKey::CarriedForward => "四、结转下年度继续办理",
        }
    }

    /// The group label a numbered sub-row sits under ("（三）不予公开" …), if any.
    pub fn group(self) -> Option<&'static str> {
        match self {
            RowKey::Withheld1
            | RowKey::Withheld2
            | RowKey::Withheld3
            | RowKey::Withheld4
            | RowKey::Withheld5
            | RowKey::Withheld6
            | RowKey::Withheld7
            | RowKey::Withheld8 => Some(WITHHELD),
            RowKey::Unavailable1 | RowKey::Unavailable2 | RowKey::Unavailable3 => Some(UNAVAILABLE),
            RowKey::NotProcessed1
            | RowKey::NotProcessed2
            | RowKey::NotProcessed3
            | RowKey::NotProcessed4
            | RowKey::NotProcessed5 => Some(NOT_PROCESSED),
            RowKey::Other1 | RowKey::Other2 | RowKey::Other3 => Some(OTHER_HANDLING),
            _ => None,
        }
    }

    /// "三、本年度办理结果" for the result rows (一)…(七), `None` for 一, 二 and 四.
    pub fn section(self) -> Option<&'static str> {
        match self {
            RowKey::New | RowKey::CarriedOver | RowKey::CarriedForward => None,
            _ => Some(labels::RESULTS_SECTION),
        }
    }

    /// A result row (一)…(六) that a concluded case is counted in (not (七), 一, 二, 四).
    pub fn is_result(self) -> bool {
        self.section().is_some() && self != RowKey::Total
    }
}

key_enum!(
    /// The layout of table 三.
    Template("template") {
        /// 国办公开办函〔2021〕30号, reports for 2021 onwards: (六) has three rows.
        Y2021 => "2021",
        /// 国办公开办函〔2019〕60号, reports for 2019 and 2020: (六) is one row.
        Y2019 => "2019",
    }
);

impl Template {
    /// The template the official format prescribes for a report year (RULES.md §6).
    pub fn for_year(year: i32) -> Template {
        if year >= 2021 {
            Template::Y2021
        } else {
            Template::Y2019
        }
    }

    /// The document that defines the layout.
    pub fn source(self) -> &'static str {
        match self {
            Template::Y2021 => "国办公开办函〔2021〕30号",
            Template::Y2019 => "国办公开办函〔2019〕60号",
        }
    }

    /// The rows of table 三, in order.
    pub fn rows(self) -> Vec<RowKey> {
        RowKey::ALL
            .iter()
            .copied()
            .filter(|row| {
                !matches!(
                    (self, row),
                    (Template::Y2021, RowKey::Other)
                        | (
                            Template::Y2019,
                            RowKey::Other1 | RowKey::Other2 | RowKey::Other3
                        )
                )
            })
            .collect()
    }

    /// The row a final outcome counts in under this template.
    pub fn result_row(self, row: OutcomeRow) -> RowKey {
        match (self, row) {
            (Template::Y2019, OutcomeRow::Other1 | OutcomeRow::Other2 | OutcomeRow::Other3) => {
                RowKey::Other
            }
            (_, row) => RowKey::from(row),
        }
    }
}

/// Why a case was deemed abandoned (视为放弃).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbandonReason {
    /// No 补正 within the period (Art. 30) → (六)1.
    Correction,
    /// Fee not paid within 20 working days (国办函〔2020〕109号) → (六)2.
    Fee,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// A final reply; the row of its outcome (RULES.md §4).
    Outcome(OutcomeRow),
    /// The applicant withdrew the application: counted in (六)3 "其他" (no row of its own).
    Withdrawn,
    /// Deemed abandoned.
    Abandoned(AbandonReason),
}

impl Conclusion {
    /// The row of the 2021 format this conclusion counts in.
    pub fn row(self) -> OutcomeRow {
        match self {
            Conclusion::Outcome(row) => row,
            Conclusion::Withdrawn => OutcomeRow::Other3,
            Conclusion::Abandoned(AbandonReason::Correction) => OutcomeRow::Other1,
            Conclusion::Abandoned(AbandonReason::Fee) => OutcomeRow::Other2,
        }
    }
}

/// What the statistics need to know about one application (件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFact {
    pub case_id: i64,
    pub case_number: String,
    pub applicant: ApplicantColumn,
    /// 收到申请之日 (Art. 31); `None` while unconfirmed: such a case is not counted.
    pub received_on: Option<NaiveDate>,
    /// The day the case ended and how.
    pub concluded: Option<(NaiveDate, Conclusion)>,
}

/// The kind of remedy the applicant sought against a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// 行政复议.
    Reconsideration,
    /// 行政诉讼, directly (未经复议直接起诉) or after a reconsideration (复议后起诉).
    Litigation { after_reconsideration: bool },
}

/// The result of a reconsideration or a lawsuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyOutcome {
    /// 结果维持.
    Upheld,
    /// 结果纠正.
    Corrected,
    /// 其他结果 (withdrawn, dismissed, terminated…).
    Other,
}

/// One reconsideration or lawsuit about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemedyFact {
    pub remedy_id: i64,
    pub case_id: i64,
    pub kind: RemedyKind,
    pub filed_on: NaiveDate,
    pub decided: Option<(NaiveDate, RemedyOutcome)>,
}

key_enum!(
    /// The three column groups of table 四.
    RemedyGroup("remedy group") {
        Reconsideration => "reconsideration",
        LitigationDirect => "litigation_direct",
        LitigationAfterReconsideration => "litigation_after_reconsideration",
    }
);

key_enum!(
    /// The five columns of each group of table 四.
    RemedyResult("remedy result") {
        Upheld => "upheld",
        Corrected => "corrected",
        Other => "other",
        Pending => "pending",
        Total => "total",
    }
);

impl RemedyGroup {
    /// (group label, sub-group label): 行政复议 has no sub-group.
    pub fn labels(self) -> (&'static str, Option<&'static str>) {
        match self {
            RemedyGroup::Reconsideration => (labels::RECONSIDERATION, None),
            RemedyGroup::LitigationDirect => (labels::LITIGATION, Some(labels::LITIGATION_DIRECT)),
            RemedyGroup::LitigationAfterReconsideration => (
                labels::LITIGATION,
                Some(labels::LITIGATION_AFTER_RECONSIDERATION),
            ),
        }
    }

    fn of(kind: RemedyKind) -> RemedyGroup {
        match kind {
            RemedyKind::Reconsideration => RemedyGroup::Reconsideration,
            RemedyKind::Litigation {
                after_reconsideration: false,
            } => RemedyGroup::LitigationDirect,
            RemedyKind::Litigation {
                after_reconsideration: true,
            } => RemedyGroup::LitigationAfterReconsideration,
        }
    }
}

impl RemedyResult {
    pub fn label(self) -> &'static str {
        match self {
            RemedyResult::Upheld => labels::UPHELD,
            RemedyResult::Corrected => labels::CORRECTED,
            RemedyResult::Other => labels::OTHER_RESULT,
            RemedyResult::Pending => labels::PENDING,
            RemedyResult::Total => labels::TOTAL,
        }
    }
}

/// One of the 15 columns of table 四. Serialised as
/// `{"key": "reconsideration_upheld", "group": "行政复议", "subgroup": null, "label": "结果维持"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table4Column {
    pub group: RemedyGroup,
    pub result: RemedyResult,
}

impl Table4Column {
    /// The 15 columns in the order of the table.
    pub fn all() -> [Table4Column; 15] {
        let groups = [
            RemedyGroup::Reconsideration,
            RemedyGroup::LitigationDirect,
            RemedyGroup::LitigationAfterReconsideration,
        ];
        let results = [
            RemedyResult::Upheld,
            RemedyResult::Corrected,
            RemedyResult::Other,
            RemedyResult::Pending,
            RemedyResult::Total,
        ];
        std::array::from_fn(|i| Table4Column {
            group: groups[i / 5],
            result: results[i % 5],
        })
    }

    /// Position in the table (0–14).
    pub fn index(self) -> usize {
        let group = match self.group {
            RemedyGroup::Reconsideration => 0,
            RemedyGroup::LitigationDirect => 1,
            RemedyGroup::LitigationAfterReconsideration => 2,
        };
        let result = match self.result {
            RemedyResult::Upheld => 0,
            RemedyResult::Corrected => 1,
            RemedyResult::Other => 2,
            RemedyResult::Pending => 3,
            RemedyResult::Total => 4,
        };
        group * 5 + result
    }

    /// `"<group>_<result>"`, e.g. `litigation_direct_pending`.
    pub fn key(self) -> String {
        format!("{}_{}", self.group.key(), self.result.key())
    }

    /// A column from its index (`"0"`…`"14"`) or its key (`"reconsideration_upheld"`).
    pub fn parse(key: &str) -> Result<Table4Column, UnknownKey> {
        let all = Table4Column::all();
        let found = match key.parse::<usize>() {
            Ok(index) => all.get(index).copied(),
            Err(_) => all.into_iter().find(|column| column.key() == key),
        };
        found.ok_or_else(|| UnknownKey {
            kind: "table 四 column",
            key: key.to_owned(),
        })
    }

    /// "行政复议 结果维持", "行政诉讼 复议后起诉 总计" …
    pub fn full_label(self) -> String {
        match self.group.labels() {
            (group, None) => format!("{group} {}", self.result.label()),
            (group, Some(sub)) => format!("{group} {sub} {}", self.result.label()),
        }
    }
}

impl Serialize for Table4Column {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (group, subgroup) = self.group.labels();
        let mut s = serializer.serialize_struct("Table4Column", 4)?;
        s.serialize_field("key", &self.key())?;
        s.serialize_field("group", group)?;
        s.serialize_field("subgroup", &subgroup)?;
        s.serialize_field("label", self.result.label())?;
        s.end()
    }
}

/// One row of table 三.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub key: RowKey,
    /// The row's own label cell (official text).
    pub label: &'static str,
    /// "（三）不予公开" … for numbered sub-rows.
    pub group: Option<&'static str>,
    /// "三、本年度办理结果" for the result rows.
    pub section: Option<&'static str>,
    /// In the order of `Table3::columns`.
    pub values: [i64; 7],
}

/// Table 三.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table3 {
    pub columns: [ColumnKey; 7],
    pub rows: Vec<Row>,
}

impl Table3 {
    pub fn row(&self, key: RowKey) -> Option<&Row> {
        self.rows.iter().find(|row| row.key == key)
    }

    /// The number in one cell; `None` for a row the template does not have.
    pub fn value(&self, row: RowKey, column: ColumnKey) -> Option<i64> {
        self.row(row).map(|r| r.values[column.index()])
    }
}

/// One cell of the label block of table 三 (the three label columns left of the numbers),
/// positioned relative to the first body row. Describes the official layout (RULES.md §6) so
/// that every renderer merges the same cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LabelCell {
    /// Body row (0 = the row 一) and label column (0–2) of the top-left corner.
    pub row: usize,
    pub col: usize,
    pub row_span: usize,
    pub col_span: usize,
    pub text: &'static str,
}

impl Table3 {
    /// The label block: 一, 二 and 四 span its three columns; "三、本年度办理结果" spans all
    /// result rows in the first column; (一), (二), (七) (and the 2019 (六)) span the other two;
    /// each numbered group ((三), (四), (五), (六)) spans its rows in the second column with its
    /// sub-labels in the third.
    pub fn label_block(&self) -> Vec<LabelCell> {
        let run = |from: usize, same: &dyn Fn(&Row) -> bool| {
            self.rows[from..].iter().take_while(|r| same(r)).count()
        };
        let mut cells = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let Some(section) = row.section else {
                cells.push(LabelCell {
                    row: i,
                    col: 0,
                    row_span: 1,
                    col_span: 3,
                    text: row.label,
                });
                continue;
            };
            let first_of_section = i == 0 || self.rows[i - 1].section != Some(section);
            if first_of_section {
                cells.push(LabelCell {
                    row: i,
                    col: 0,
                    row_span: run(i, &|r| r.section == Some(section)),
                    col_span: 1,
                    text: section,
                });
            }
            match row.group {
                None => cells.push(LabelCell {
                    row: i,
                    col: 1,
                    row_span: 1,
                    col_span: 2,
                    text: row.label,
                }),
                Some(group) => {
                    if i == 0 || self.rows[i - 1].group != Some(group) {
                        cells.push(LabelCell {
                            row: i,
                            col: 1,
                            row_span: run(i, &|r| r.group == Some(group)),
                            col_span: 1,
                            text: group,
                        });
                    }
                    cells.push(LabelCell {
                        row: i,
                        col: 2,
                        row_span: 1,
                        col_span: 1,
                        text: row.label,
                    });
                }
            }
        }
        cells
    }
}

/// Table 四.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table4 {
    pub columns: [Table4Column; 15],
    pub values: [i64; 15],
}

impl Table4 {
    pub fn value(&self, column: Table4Column) -> i64 {
        self.values[column.index()]
    }
}

/// The result of one cross-check. A failed check names what causes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name, e.g. `balance_natural_person`, `case_dates_consistent`.
    pub name: String,
    pub ok: bool,
    /// What is wrong (in Chinese, for the clerk); also set on a passed check that has
    /// something to say (e.g. unconfirmed cases left out).
    pub detail: Option<String>,
    /// The cases that cause the failure (or that the detail is about), ascending.
    pub case_ids: Vec<i64>,
    /// The remedies that cause a table-四 failure, ascending.
    pub remedy_ids: Vec<i64>,
}

/// A cell of the report, for `AnnualReport::cases_behind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellRef {
    Table3 { row: RowKey, column: ColumnKey },
    Table4(Table4Column),
}

impl CellRef {
    /// The row key `table4` selects table 四; the column is then an index `0`…`14` or a
    /// key such as `reconsideration_pending`. Otherwise a table-三 row key and column key.
    pub fn parse(row_key: &str, column_key: &str) -> Result<CellRef, CellError> {
        if row_key == "table4" {
            return Ok(CellRef::Table4(Table4Column::parse(column_key)?));
        }
        Ok(CellRef::Table3 {
            row: RowKey::parse(row_key)?,
            column: ColumnKey::parse(column_key)?,
        })
    }
}

/// A cell that cannot be looked up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error(transparent)]
    UnknownKey(#[from] UnknownKey),
    #[error("row `{row}` is not part of the {template} template")]
    RowNotInTemplate { row: RowKey, template: Template },
}

/// The report cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnualError {
    #[error("year {0} is out of range")]
    InvalidYear(i32),
}

/// Tables 三 and 四 of one year, their checks, and the ids behind every cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnualReport {
    pub year: i32,
    pub template: Template,
    pub table3: Table3,
    pub table4: Table4,
    pub checks: Vec<Check>,
    /// Case ids behind each table-三 cell (ascending); not serialised: ask `cases_behind`.
    #[serde(skip)]
    behind3: BTreeMap<RowKey, [Vec<i64>; 7]>,
    /// Remedy ids behind each table-四 cell (ascending).
    #[serde(skip)]
    behind4: [Vec<i64>; 15],
}

impl AnnualReport {
    /// Computes the report of `year` from every case and remedy the agency has (the ones
    /// outside the year are sorted out here).
    pub fn compute(
        year: i32,
        template: Template,
        cases: &[CaseFact],
        remedies: &[RemedyFact],
    ) -> Result<AnnualReport, AnnualError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AnnualError::InvalidYear(year))?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AnnualError::InvalidYear(year))?;
        let in_year = |d: NaiveDate| start <= d && d <= end;

        // Ids per row and applicant column (total column added below).
        let mut cells: BTreeMap<RowKey, [Vec<i64>; 6]> = BTreeMap::new();
        let mut put = |row: RowKey, column: ApplicantColumn, id: i64| {
            cells.entry(row).or_default()[column.index()].push(id);
        };
        let mut unconfirmed: Vec<&CaseFact> = Vec::new();
        let mut bad_dates: Vec<i64> = Vec::new();

        for case in cases {
            let Some(received) = case.received_on else {
                unconfirmed.push(case);
                continue;
            };
            let id = case.case_id;
            let column = case.applicant;
            let concluded_on = case.concluded.map(|(d, _)| d);
            let mut counted = false;
            if in_year(received) {
                put(RowKey::New, column, id);
                counted = true;
            }
            if received < start && concluded_on.is_none_or(|d| d >= start) {
                put(RowKey::CarriedOver, column, id);
                counted = true;
            }
            if let Some((on, conclusion)) = case.concluded
                && in_year(on)
            {
                put(template.result_row(conclusion.row()), column, id);
                put(RowKey::Total, column, id);
                counted = true;
            }
            if received <= end && concluded_on.is_none_or(|d| d > end) {
                put(RowKey::CarriedForward, column, id);
                counted = true;
            }
            if counted && concluded_on.is_some_and(|d| d < received) {
                bad_dates.push(id);
            }
        }

        let mut behind3 = BTreeMap::new();
        let mut rows = Vec::new();
        for key in template.rows() {
            let six = cells.remove(&key).unwrap_or_default();
            let mut all: Vec<i64> = six.iter().flatten().copied().collect();
            all.sort_unstable();
            let mut ids: [Vec<i64>; 7] = Default::default();
            for (slot, mut column_ids) in ids.iter_mut().zip(six) {
                column_ids.sort_unstable();
                *slot = column_ids;
            }
            ids[6] = all;
            rows.push(Row {
                key,
                label: key.label(),
                group: key.group(),
                section: key.section(),
                values: std::array::from_fn(|i| count(&ids[i])),
            });
            behind3.insert(key, ids);
        }
        let table3 = Table3 {
            columns: ColumnKey::COLUMNS,
            rows,
        };

        // Table 四.
        let columns = Table4Column::all();
        let mut behind4: [Vec<i64>; 15] = Default::default();
        let mut bad_remedies: Vec<&RemedyFact> = Vec::new();
        for remedy in remedies.iter().filter(|r| in_year(r.filed_on)) {
            let group = RemedyGroup::of(remedy.kind);
            let result = match remedy.decided {
                Some((on, outcome)) if on <= end => match outcome {
                    RemedyOutcome::Upheld => RemedyResult::Upheld,
                    RemedyOutcome::Corrected => RemedyResult::Corrected,
                    RemedyOutcome::Other => RemedyResult::Other,
                },
                _ => RemedyResult::Pending,
            };
            behind4[Table4Column { group, result }.index()].push(remedy.remedy_id);
            behind4[Table4Column {
                group,
                result: RemedyResult::Total,
            }
            .index()]
            .push(remedy.remedy_id);
            if remedy.decided.is_some_and(|(on, _)| on < remedy.filed_on) {
                bad_remedies.push(remedy);
            }
        }
        for ids in &mut behind4 {
            ids.sort_unstable();
        }
        let table4 = Table4 {
            columns,
            values: std::array::from_fn(|i| count(&behind4[i])),
        };

        let mut report = AnnualReport {
            year,
            template,
            table3,
            table4,
            checks: Vec::new(),
            behind3,
            behind4,
        };
        report.checks = report.run_checks(
            cases,
            remedies,
            &unconfirmed,
            &bad_dates,
            &bad_remedies,
            (start, end),
        );
        Ok(report)
    }

    /// The ids behind a cell: case ids for table 三, remedy ids for table 四 (ascending).
    pub fn cell_ids(&self, cell: CellRef) -> Result<&[i64], CellError> {
        match cell {
            CellRef::Table3 { row, column } => self
                .behind3
                .get(&row)
                .map(|ids| ids[column.index()].as_slice())
                .ok_or(CellError::RowNotInTemplate {
                    row,
                    template: self.template,
                }),
            CellRef::Table4(column) => Ok(&self.behind4[column.index()]),
        }
    }

    /// The ids behind the cell named by keys, as a clerk's "which cases are these?" link
    /// sends them: (`withheld_3`, `natural_person`) → case ids; (`table4`, `3` or
    /// `reconsideration_pending`) → remedy ids.
    pub fn cases_behind(&self, row_key: &str, column_key: &str) -> Result<Vec<i64>, CellError> {
        let cell = CellRef::parse(row_key, column_key)?;
        Ok(self.cell_ids(cell)?.to_vec())
    }

    /// Whether every check passed.
    pub fn all_checks_pass(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    fn ids(&self, row: RowKey, column: usize) -> &[i64] {
        self.behind3
            .get(&row)
            .map(|ids| ids[column].as_slice())
            .unwrap_or_default()
    }

    fn run_checks(
        &self,
        cases: &[CaseFact],
        remedies: &[RemedyFact],
        unconfirmed: &[&CaseFact],
        bad_dates: &[i64],
        bad_remedies: &[&RemedyFact],
        year_span: (NaiveDate, NaiveDate),
    ) -> Vec<Check> {
        let mut checks = Vec::new();
        let t3 = &self.table3;
        let value = |row: RowKey, column: ColumnKey| t3.value(row, column).unwrap_or(0);

        // 一 + 二 = 三(七) + 四, per column.
        for column in ColumnKey::COLUMNS {
            let c = column.index();
            let received = value(RowKey::New, column) + value(RowKey::CarriedOver, column);
            let handled = value(RowKey::Total, column) + value(RowKey::CarriedForward, column);
            let left: BTreeSet<i64> = self
                .ids(RowKey::New, c)
                .iter()
                .chain(self.ids(RowKey::CarriedOver, c))
                .copied()
                .collect();
            let right: BTreeSet<i64> = self
                .ids(RowKey::Total, c)
                .iter()
                .chain(self.ids(RowKey::CarriedForward, c))
                .copied()
                .collect();
            // Cases on one side only; with equal numbers they offset each other, which still
            // leaves two wrong cells.
            let odd: Vec<i64> = left.symmetric_difference(&right).copied().collect();
            let mut check = Check::new(
                format!("balance_{}", column.key()),
                received == handled && odd.is_empty(),
            );
            if received != handled {
                check.detail = Some(format!(
                    "{}列：一（{}）+ 二（{}）= {received}，三（七）（{}）+ 四（{}）= {handled}，不相等",
                    column.label(),
                    value(RowKey::New, column),
                    value(RowKey::CarriedOver, column),
                    value(RowKey::Total, column),
                    value(RowKey::CarriedForward, column),
                ));
            } else if !odd.is_empty() {
                check.detail = Some(format!(
                    "{}列：数字相等（{received}），但有 {} 件申请只计入了等式的一边，相互抵消",
                    column.label(),
                    odd.len()
                ));
            }
            check.case_ids = odd;
            checks.push(check);
        }

        // (一)…(六) = (七), per column.
        let mut wrong = Vec::new();
        for column in ColumnKey::COLUMNS {
            let sum: i64 = t3
                .rows
                .iter()
                .filter(|r| r.key.is_result())
                .map(|r| r.values[column.index()])
                .sum();
            let total = value(RowKey::Total, column);
            if sum != total {
                wrong.push(format!(
                    "{}列：（一）至（六）之和 {sum} ≠ （七）总计 {total}",
                    column.label()
                ));
            }
        }
        checks.push(Check::from_problems("results_sum_to_total", wrong));

        // 总计 column = the six applicant columns, per row.
        let wrong = t3
            .rows
            .iter()
            .filter_map(|r| {
                let sum: i64 = r.values[..6].iter().sum();
                (sum != r.values[6])
                    .then(|| format!("{}：六列之和 {sum} ≠ 总计 {}", r.label, r.values[6]))
            })
            .collect();
        checks.push(Check::from_problems("total_column_sums", wrong));

        // Table 四: each 总计 = its four results.
        for group in RemedyGroup::ALL.iter().copied() {
            let cell = |result| self.table4.value(Table4Column { group, result });
            let sum = cell(RemedyResult::Upheld)
                + cell(RemedyResult::Corrected)
                + cell(RemedyResult::Other)
                + cell(RemedyResult::Pending);
            let total = cell(RemedyResult::Total);
            let mut check = Check::new(format!("table4_{}_total", group.key()), sum == total);
            if sum != total {
                let (label, sub) = group.labels();
                check.detail = Some(format!(
                    "{label}{}：四项之和 {sum} ≠ 总计 {total}",
                    sub.map(|s| format!(" {s}")).unwrap_or_default()
                ));
                let total_ids = &self.behind4[Table4Column {
                    group,
                    result: RemedyResult::Total,
                }
                .index()];
                let parts: BTreeSet<i64> = [
                    RemedyResult::Upheld,
                    RemedyResult::Corrected,
                    RemedyResult::Other,
                    RemedyResult::Pending,
                ]
                .into_iter()
                .flat_map(|result| self.behind4[Table4Column { group, result }.index()].clone())
                .collect();
                let total_ids: BTreeSet<i64> = total_ids.iter().copied().collect();
                check.remedy_ids = parts.symmetric_difference(&total_ids).copied().collect();
            }
            checks.push(check);
        }

        // A case counted in the year and concluded before it was received.
        let mut check = Check::new("case_dates_consistent", bad_dates.is_empty());
        if !bad_dates.is_empty() {
            let mut ids = bad_dates.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let numbers = case_numbers(cases, &ids);
            check.detail = Some(format!(
                "{} 件申请的办结日期早于收到申请之日（{numbers}），破坏“第一项加第二项之和，等于第三项加第四项之和”，请更正日期",
                ids.len()
            ));
            check.case_ids = ids;
        }
        checks.push(check);

        // A remedy filed in the year and decided before it was filed.
        let mut check = Check::new("remedy_dates_consistent", bad_remedies.is_empty());
        if !bad_remedies.is_empty() {
            let mut remedy_ids: Vec<i64> = bad_remedies.iter().map(|r| r.remedy_id).collect();
            remedy_ids.sort_unstable();
            remedy_ids.dedup();
            let mut case_ids: Vec<i64> = bad_remedies.iter().map(|r| r.case_id).collect();
            case_ids.sort_unstable();
            case_ids.dedup();
            check.detail = Some(format!(
                "{} 件行政复议或行政诉讼的结案日期早于提起日期",
                remedy_ids.len()
            ));
            check.remedy_ids = remedy_ids;
            check.case_ids = case_ids;
        }
        checks.push(check);

        // The same case id twice would be counted twice.
        let duplicates = duplicated(cases.iter().map(|c| c.case_id));
        let mut check = Check::new("case_ids_unique", duplicates.is_empty());
        if !duplicates.is_empty() {
            check.detail = Some(format!(
                "{} 个申请编号重复出现，相关申请被重复统计",
                duplicates.len()
            ));
            check.case_ids = duplicates;
        }
        checks.push(check);

        let duplicates = duplicated(remedies.iter().map(|r| r.remedy_id));
        let mut check = Check::new("remedy_ids_unique", duplicates.is_empty());
        if !duplicates.is_empty() {
            check.detail = Some(format!(
                "{} 个行政复议或行政诉讼编号重复出现，被重复统计",
                duplicates.len()
            ));
            check.remedy_ids = duplicates;
        }
        checks.push(check);

        // Unconfirmed cases are left out; one concluded in the year is missing from the table.
        let (start, end) = year_span;
        let relevant: Vec<&CaseFact> = unconfirmed
            .iter()
            .copied()
            .filter(|c| c.concluded.is_none_or(|(d, _)| d >= start))
            .collect();
        let mut done: Vec<i64> = relevant
            .iter()
            .filter(|c| c.concluded.is_some_and(|(d, _)| d <= end))
            .map(|c| c.case_id)
            .collect();
        done.sort_unstable();
        let mut check = Check::new("unconfirmed_not_counted", done.is_empty());
        if !relevant.is_empty() {
            let mut text = format!(
                "{} 件申请尚无收到申请之日（未签收或未经双方确认，《条例》第三十一条），未计入本表",
                relevant.len()
            );
            if !done.is_empty() {
                text.push_str(&format!(
                    "；其中 {} 件已在本年办结却未计入任何一栏（{}），请补录收到申请之日",
                    done.len(),
                    case_numbers(cases, &done)
                ));
            }
            let mut ids: Vec<i64> = relevant.iter().map(|c| c.case_id).collect();
            ids.sort_unstable();
            check.detail = Some(text);
            check.case_ids = ids;
        }
        checks.push(check);

        checks
    }
}

impl Check {
    fn new(name: impl Into<String>, ok: bool) -> Check {
        Check {
            name: name.into(),
            ok,
            detail: None,
            case_ids: Vec::new(),
            remedy_ids: Vec::new(),
        }
    }

    fn from_problems(name: &str, problems: Vec<String>) -> Check {
        let mut check = Check::new(name, problems.is_empty());
        if !problems.is_empty() {
            check.detail = Some(problems.join("；"));
        }
        check
    }
}

fn count(ids: &[i64]) -> i64 {
    i64::try_from(ids.len()).unwrap_or(i64::MAX)
}

fn duplicated(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut seen = BTreeSet::new();
    let mut twice = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            twice.insert(id);
        }
    }
    twice.into_iter().collect()
}

/// "2024-001、2024-007" for the ids given (the case numbers a clerk knows).
fn case_numbers(cases: &[CaseFact], ids: &[i64]) -> String {
    ids.iter()
        .map(|id| {
            cases
                .iter()
                .find(|c| c.case_id == *id)
                .map(|c| c.case_number.clone())
                .unwrap_or_else(|| format!("#{id}"))
        })
        .collect::<Vec<_>>()
        .join("、")
}

// ---------------------------------------------------------------------------------------
// From the crate's own case types to the report's facts.

impl From<ApplicantType> for ApplicantColumn {
    fn from(kind: ApplicantType) -> Self {
        match kind {
            ApplicantType::NaturalPerson => ApplicantColumn::NaturalPerson,
            ApplicantType::Commercial => ApplicantColumn::Commercial,
            ApplicantType::Research => ApplicantColumn::Research,
            ApplicantType::PublicInterest => ApplicantColumn::PublicInterest,
            ApplicantType::LegalService => ApplicantColumn::LegalService,
            ApplicantType::OtherOrg => ApplicantColumn::OtherOrg,
        }
    }
}

impl From<ApplicantColumn> for ApplicantType {
    fn from(column: ApplicantColumn) -> Self {
        match column {
            ApplicantColumn::NaturalPerson => ApplicantType::NaturalPerson,
            ApplicantColumn::Commercial => ApplicantType::Commercial,
            ApplicantColumn::Research => ApplicantType::Research,
            ApplicantColumn::PublicInterest => ApplicantType::PublicInterest,
            ApplicantColumn::LegalService => ApplicantType::LegalService,
            ApplicantColumn::OtherOrg => ApplicantType::OtherOrg,
        }
    }
}

/// The table-三 row of a reply outcome (RULES.md §4, `Outcome::report_row`).
pub fn outcome_row(outcome: Outcome, special: SpecialRegimeRow) -> OutcomeRow {
    // `report_row` only returns keys of `OutcomeRow` (tested below); (六)3 "其他" would be the
    // honest place for anything else.
    OutcomeRow::parse(outcome.report_row(special)).unwrap_or(OutcomeRow::Other3)
}

/// A case's conclusion cannot be worked out from its stored facts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConclusionError {
    #[error("the case ends with a `replied` event but has no recorded reply")]
    ReplyMissing,
}

/// How a case stands at the end of its events (in recording order): the latest conclusion —
/// `replied` (the outcome of the latest reply, `latest_reply`), `withdrawn`,
/// `correction_lapsed` ((六)1) or `fee_lapsed` ((六)2) — unless a later `reopened` made it
/// open again (`None`). A case reopened and concluded again counts by its latest
/// conclusion, on that date.
pub fn final_conclusion(
    events: &[CaseEvent],
    latest_reply: Option<OutcomeRow>,
) -> Result<Option<(NaiveDate, Conclusion)>, ConclusionError> {
    let mut concluded = None;
    for event in events {
        concluded = match event {
            CaseEvent::Replied { date } => Some((
                *date,
                Conclusion::Outcome(latest_reply.ok_or(ConclusionError::ReplyMissing)?),
            )),
            CaseEvent::Withdrawn { date } => Some((*date, Conclusion::Withdrawn)),
            CaseEvent::CorrectionLapsed { date } => {
                Some((*date, Conclusion::Abandoned(AbandonReason::Correction)))
            }
            CaseEvent::FeeLapsed { date } => {
                Some((*date, Conclusion::Abandoned(AbandonReason::Fee)))
            }
            CaseEvent::Reopened { .. } => None,
            _ => concluded,
        };
    }
    Ok(concluded)
}

/// A case as it stood at the end of a report year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearView {
    /// The start of the handling that year's report sees: the receipt, or a reopening in a
    /// later year than the previous conclusion (a new 本年新收 in the reopening's year).
    pub received_on: Option<NaiveDate>,
    pub concluded: Option<(NaiveDate, Conclusion)>,
}

/// The case as `year`'s report must see it: only its events up to Dec 31 of `year`, and the
/// outcome of its latest reply dated by then (`replies`: (reply date, row), oldest first).
/// Handling after the year end belongs to the later year, so publishing a report can never
/// be changed by a reopening: a case concluded in year Y and reopened in Y+1 counts in Y by
/// its conclusion in Y, and in Y+1 as newly received on the reopening date (一), concluded
/// (三) or carried forward (四) there, which keeps 一 + 二 = 三(七) + 四 in both years. A
/// reopening in the same year as the conclusion before it continues that year's handling
/// (the case counts once, by its latest conclusion).
pub fn year_view(
    year: i32,
    received_on: Option<NaiveDate>,
    events: &[CaseEvent],
    replies: &[(NaiveDate, OutcomeRow)],
) -> Result<YearView, ConclusionError> {
    let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
        return Ok(YearView {
            received_on,
            concluded: None,
        });
    };
    let upto: Vec<CaseEvent> = events.iter().filter(|e| e.date() <= end).cloned().collect();
    let latest_reply = replies
        .iter()
        .rfind(|(on, _)| *on <= end)
        .map(|(_, row)| *row);
    let mut start = received_on;
    let mut last_conclusion: Option<NaiveDate> = None;
    for e in &upto {
        match e {
            CaseEvent::Replied { date }
            | CaseEvent::Withdrawn { date }
            | CaseEvent::CorrectionLapsed { date }
            | CaseEvent::FeeLapsed { date } => last_conclusion = Some(*date),
            CaseEvent::Reopened { date, .. } => {
                if last_conclusion.is_some_and(|c| c.year() < date.year()) {
                    start = Some(*date);
                }
                last_conclusion = None;
            }
            _ => {}
        }
    }
    Ok(YearView {
        received_on: start,
        concluded: final_conclusion(&upto, latest_reply)?,
    })
}

impl RemedyKind {
    /// From the stored `kind` (`reconsideration` | `litigation`) and
    /// `after_reconsideration` (litigation only).
    pub fn parse(kind: &str, after_reconsideration: bool) -> Result<RemedyKind, UnknownKey> {
        match (kind, after_reconsideration) {
            ("reconsideration", false) => Ok(RemedyKind::Reconsideration),
            ("litigation", after_reconsideration) => Ok(RemedyKind::Litigation {
                after_reconsideration,
            }),
            _ => Err(UnknownKey {
                kind: "remedy kind",
                key: format!("{kind} (after_reconsideration: {after_reconsideration})"),
            }),
        }
    }

    /// The stored `kind`.
    pub fn key(self) -> &'static str {
        match self {
            RemedyKind::Reconsideration => "reconsideration",
            RemedyKind::Litigation { .. } => "litigation",
        }
    }

    /// 行政复议, 行政诉讼（未经复议直接起诉）, 行政诉讼（复议后起诉）.
    pub fn label(self) -> &'static str {
        match self {
            RemedyKind::Reconsideration => "行政复议",
            RemedyKind::Litigation {
                after_reconsideration: false,
            } => "行政诉讼（未经复议直接起诉）",
            RemedyKind::Litigation {
                after_reconsideration: true,
            } => "行政诉讼（复议后起诉）",
        }
    }
}

impl RemedyOutcome {
    pub const ALL: [RemedyOutcome; 3] = [
        RemedyOutcome::Upheld,
        RemedyOutcome::Corrected,
        RemedyOutcome::Other,
    ];

    /// The stable key (`upheld` | `corrected` | `other`).
    pub fn key(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => "upheld",
            RemedyOutcome::Corrected => "corrected",
            RemedyOutcome::Other => "other",
        }
    }

    pub fn parse(key: &str) -> Result<RemedyOutcome, UnknownKey> {
        RemedyOutcome::ALL
            .into_iter()
            .find(|o| o.key() == key)
            .ok_or_else(|| UnknownKey {
                kind: "remedy outcome",
                key: key.to_owned(),
            })
    }

    /// 结果维持, 结果纠正, 其他结果.
    pub fn label(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => labels::UPHELD,
            RemedyOutcome::Corrected => labels::CORRECTED,
            RemedyOutcome::Other => labels::OTHER_RESULT,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use ApplicantColumn::{
        Commercial as Com, LegalService as Leg, NaturalPerson as Np, OtherOrg as Oth,
        PublicInterest as Pub, Research as Res,
    };

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn out(key: &str) -> Conclusion {
        Conclusion::Outcome(OutcomeRow::parse(key).unwrap())
    }

    fn case(
        id: i64,
        applicant: ApplicantColumn,
        received: Option<&str>,
        concluded: Option<(&str, Conclusion)>,
    ) -> CaseFact {
        CaseFact {
            case_id: id,
            case_number: format!("依申请-{id:03}"),
            applicant,
            received_on: received.map(d),
            concluded: concluded.map(|(on, c)| (d(on), c)),
        }
    }

    fn remedy(
        id: i64,
        case_id: i64,
        kind: RemedyKind,
        filed: &str,
        decided: Option<(&str, RemedyOutcome)>,
    ) -> RemedyFact {
        RemedyFact {
            remedy_id: id,
            case_id,
            kind,
            filed_on: d(filed),
            decided: decided.map(|(on, o)| (d(on), o)),
        }
    }

    /// A hand-made 2024: every outcome row, every applicant column, cases crossing both year
    /// boundaries, an unconfirmed case.
    pub(crate) fn sample_cases() -> Vec<CaseFact> {
        let y = |on: &'static str, c| Some((on, c));
        vec![
            // Received and concluded in 2024: one per result row.
            case(1, Np, Some("2024-01-08"), y("2024-01-30", out("disclosed"))),
            case(
                2,
                Com,
                Some("2024-02-01"),
                y("2024-02-20", out("disclosed")),
            ),
            case(
                3,
                Res,
                Some("2024-02-05"),
                y("2024-03-01", out("partially_disclosed")),
            ),
            case(
                4,
                Pub,
                Some("2024-03-04"),
                y("2024-03-29", out("withheld_1")),
            ),
            case(
                5,
                Leg,
                Some("2024-03-05"),
                y("2024-03-29", out("withheld_2")),
            ),
            case(
                6,
                Oth,
                Some("2024-03-06"),
                y("2024-04-02", out("withheld_3")),
            ),
            case(
                7,
                Np,
                Some("2024-04-01"),
                y("2024-04-25", out("withheld_4")),
            ),
            case(
                8,
                Np,
                Some("2024-04-02"),
                y("2024-04-26", out("withheld_5")),
            ),
            case(
                9,
                Np,
                Some("2024-04-03"),
                y("2024-04-28", out("withheld_6")),
            ),
            case(
                10,
                Np,
                Some("2024-05-06"),
                y("2024-05-30", out("withheld_7")),
            ),
            case(
                11,
                Com,
                Some("2024-05-07"),
                y("2024-05-31", out("withheld_8")),
            ),
            case(
                12,
                Np,
                Some("2024-06-03"),
                y("2024-06-28", out("unavailable_1")),
            ),
            case(
                13,
                Np,
                Some("2024-06-04"),
                y("2024-06-28", out("unavailable_2")),
            ),
            case(
                14,
                Leg,
                Some("2024-06-05"),
                y("2024-07-15", out("unavailable_3")),
            ),
            case(
                15,
                Np,
                Some("2024-07-01"),
                y("2024-07-10", out("not_processed_1")),
            ),
            case(
                16,
                Np,
                Some("2024-07-02"),
                y("2024-07-10", out("not_processed_2")),
            ),
            case(
                17,
                Np,
                Some("2024-07-03"),
                y("2024-07-10", out("not_processed_3")),
            ),
            case(
                18,
                Com,
                Some("2024-07-04"),
                y("2024-07-30", out("not_processed_4")),
            ),
            case(
                19,
                Np,
                Some("2024-08-01"),
                y("2024-08-20", out("not_processed_5")),
            ),
            case(
                20,
                Np,
                Some("2024-08-05"),
                y(
                    "2024-09-10",
                    Conclusion::Abandoned(AbandonReason::Correction),
                ),
            ),
            case(
                21,
                Res,
                Some("2024-08-06"),
                y("2024-10-15", Conclusion::Abandoned(AbandonReason::Fee)),
            ),
            case(22, Np, Some("2024-09-02"), y("2024-09-20", out("other_3"))),
            case(
                23,
                Pub,
                Some("2024-09-03"),
                y("2024-09-05", Conclusion::Withdrawn),
            ),
            // Across Jan 1: received in 2023, concluded in 2024 / 2025 / never.
            case(
                30,
                Np,
                Some("2023-12-20"),
                y("2024-01-15", out("disclosed")),
            ),
            case(
                31,
                Com,
                Some("2023-12-28"),
                y("2025-01-10", out("withheld_4")),
            ),
            case(
                37,
                Np,
                Some("2023-12-31"),
                y("2024-01-01", out("unavailable_1")),
            ),
            case(40, Res, Some("2023-06-01"), None),
            // Across Dec 31: received in 2024, open on Dec 31.
            case(32, Np, Some("2024-12-20"), None),
            case(
                33,
                Leg,
                Some("2024-12-30"),
                y("2025-01-06", out("disclosed")),
            ),
            // Boundary days are inside the year.
            case(
                36,
                Oth,
                Some("2024-01-01"),
                y("2024-12-31", out("partially_disclosed")),
            ),
            // Outside the year altogether.
            case(
                34,
                Np,
                Some("2023-11-01"),
                y("2023-12-15", out("disclosed")),
            ),
            case(
                35,
                Np,
                Some("2025-01-02"),
                y("2025-01-20", out("disclosed")),
            ),
            // Unconfirmed (no receipt date): not counted.
            case(38, Np, None, None),
        ]
    }

    pub(crate) fn sample_remedies() -> Vec<RemedyFact> {
        use RemedyOutcome::{Corrected, Other, Upheld};
        let recon = RemedyKind::Reconsideration;
        let direct = RemedyKind::Litigation {
            after_reconsideration: false,
        };
        let after = RemedyKind::Litigation {
            after_reconsideration: true,
        };
        vec![
            remedy(1, 7, recon, "2024-05-06", Some(("2024-06-20", Upheld))),
            remedy(2, 8, recon, "2024-05-07", Some(("2024-07-01", Corrected))),
            remedy(3, 9, recon, "2024-06-01", Some(("2024-07-01", Other))),
            // Decided after the year end: 尚未审结 on Dec 31.
            remedy(4, 10, recon, "2024-12-01", Some(("2025-01-20", Upheld))),
            remedy(5, 12, recon, "2024-12-15", None),
            remedy(6, 13, direct, "2024-07-01", Some(("2024-11-01", Corrected))),
            remedy(7, 4, direct, "2024-09-01", Some(("2025-03-01", Other))),
            remedy(8, 5, after, "2024-04-01", Some(("2024-10-01", Upheld))),
            remedy(9, 6, after, "2024-05-05", Some(("2024-11-11", Other))),
            remedy(10, 11, after, "2024-06-06", None),
            remedy(13, 15, after, "2024-08-01", Some(("2024-09-01", Corrected))),
            // Filed outside the year: not counted.
            remedy(11, 30, recon, "2023-12-01", Some(("2024-01-20", Upheld))),
            remedy(12, 14, direct, "2025-01-05", None),
        ]
    }

    pub(crate) fn sample_report(template: Template) -> AnnualReport {
        AnnualReport::compute(2024, template, &sample_cases(), &sample_remedies()).unwrap()
    }

    fn table(report: &AnnualReport) -> Vec<(&'static str, [i64; 7])> {
        report
            .table3
            .rows
            .iter()
            .map(|r| (r.key.key(), r.values))
            .collect()
    }

    fn check<'a>(report: &'a AnnualReport, name: &str) -> &'a Check {
        report
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}"))
    }

    /// Worked out by hand from `sample_cases` (columns: 自然人, 商业企业, 科研机构,
    /// 社会公益组织, 法律服务机构, 其他, 总计).
    #[test]
    fn table3_2021_matches_the_hand_count() {
        let report = sample_report(Template::Y2021);
        let expected: Vec<(&str, [i64; 7])> = vec![
            // 1,7,8,9,10,12,13,15,16,17,19,20,22,32 | 2,11,18 | 3,21 | 4,23 | 5,14,33 | 6,36
            ("new", [14, 3, 2, 2, 3, 2, 26]),
            // 30,37 | 31 | 40
            ("carried_over", [2, 1, 1, 0, 0, 0, 4]),
            ("disclosed", [2, 1, 0, 0, 0, 0, 3]),
            ("partially_disclosed", [0, 0, 1, 0, 0, 1, 2]),
            ("withheld_1", [0, 0, 0, 1, 0, 0, 1]),
            ("withheld_2", [0, 0, 0, 0, 1, 0, 1]),
            ("withheld_3", [0, 0, 0, 0, 0, 1, 1]),
            ("withheld_4", [1, 0, 0, 0, 0, 0, 1]),
            ("withheld_5", [1, 0, 0, 0, 0, 0, 1]),
            ("withheld_6", [1, 0, 0, 0, 0, 0, 1]),
            ("withheld_7", [1, 0, 0, 0, 0, 0, 1]),
            ("withheld_8", [0, 1, 0, 0, 0, 0, 1]),
            ("unavailable_1", [2, 0, 0, 0, 0, 0, 2]),
            ("unavailable_2", [1, 0, 0, 0, 0, 0, 1]),
            ("unavailable_3", [0, 0, 0, 0, 1, 0, 1]),
            ("not_processed_1", [1, 0, 0, 0, 0, 0, 1]),
            ("not_processed_2", [1, 0, 0, 0, 0, 0, 1]),
            ("not_processed_3", [1, 0, 0, 0, 0, 0, 1]),
            ("not_processed_4", [0, 1, 0, 0, 0, 0, 1]),
            ("not_processed_5", [1, 0, 0, 0, 0, 0, 1]),
            ("other_1", [1, 0, 0, 0, 0, 0, 1]),
            ("other_2", [0, 0, 1, 0, 0, 0, 1]),
            // 22 (other), 23 (withdrawn)
            ("other_3", [1, 0, 0, 1, 0, 0, 2]),
            ("total", [15, 3, 2, 2, 2, 2, 26]),
            // 32 | 31 | 40 | 33
            ("carried_forward", [1, 1, 1, 0, 1, 0, 4]),
        ];
        assert_eq!(table(&report), expected);
        assert_eq!(report.year, 2024);
        assert_eq!(report.template, Template::Y2021);
        assert_eq!(report.table3.columns, ColumnKey::COLUMNS);
        let failed: Vec<&Check> = report.checks.iter().filter(|c| !c.ok).collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn table4_counts_remedies_filed_in_the_year_as_of_dec_31() {
        let report = sample_report(Template::Y2021);
        assert_eq!(
            report.table4.values,
            [1, 1, 1, 2, 5, 0, 1, 0, 1, 2, 1, 1, 1, 1, 4]
        );
        let labels: Vec<String> = report
            .table4
            .columns
            .iter()
            .map(|c| c.full_label())
            .collect();
        assert_eq!(labels[0], "行政复议 结果维持");
        assert_eq!(labels[3], "行政复议 尚未审结");
        assert_eq!(labels[9], "行政诉讼 未经复议直接起诉 总计");
        assert_eq!(labels[13], "行政诉讼 复议后起诉 尚未审结");
        for group in [
            "reconsideration",
            "litigation_direct",
            "litigation_after_reconsideration",
        ] {
            assert!(check(&report, &format!("table4_{group}_total")).ok);
        }
        // Decided after Dec 31 (4) and undecided (5) are 尚未审结.
        assert_eq!(report.cases_behind("table4", "3").unwrap(), vec![4, 5]);
        assert_eq!(
            report
                .cases_behind("table4", "reconsideration_pending")
                .unwrap(),
            vec![4, 5]
        );
        assert_eq!(
            report
                .cases_behind("table4", "litigation_after_reconsideration_total")
                .unwrap(),
            vec![8, 9, 10, 13]
        );
        assert_eq!(report.cases_behind("table4", "8").unwrap(), vec![7]);
    }

    #[test]
    fn cases_behind_names_the_cases_of_a_cell() {
        let report = sample_report(Template::Y2021);
        let behind = |row, col| report.cases_behind(row, col).unwrap();
        assert_eq!(behind("other_3", "natural_person"), vec![22]);
        assert_eq!(behind("other_3", "public_interest"), vec![23]);
        assert_eq!(behind("other_3", "total"), vec![22, 23]);
        assert_eq!(behind("carried_over", "total"), vec![30, 31, 37, 40]);
        assert_eq!(behind("carried_forward", "total"), vec![31, 32, 33, 40]);
        assert_eq!(behind("partially_disclosed", "total"), vec![3, 36]);
        assert_eq!(behind("unavailable_1", "natural_person"), vec![12, 37]);
        assert_eq!(behind("withheld_8", "research"), Vec::<i64>::new());
        // Every cell's number is the length of its list.
        for row in &report.table3.rows {
            for column in ColumnKey::COLUMNS {
                let ids = report
                    .cell_ids(CellRef::Table3 {
                        row: row.key,
                        column,
                    })
                    .unwrap();
                assert_eq!(ids.len() as i64, row.values[column.index()]);
            }
        }
        assert!(matches!(
            report.cases_behind("other", "total"),
            Err(CellError::RowNotInTemplate { .. })
        ));
        assert!(matches!(
            report.cases_behind("nonsense", "total"),
            Err(CellError::UnknownKey(_))
        ));
        assert!(report.cases_behind("table4", "15").is_err());
        assert!(report.cases_behind("new", "everyone").is_err());
    }

    #[test]
    fn unconfirmed_cases_are_left_out_and_listed() {
        let report = sample_report(Template::Y2021);
        let c = check(&report, "unconfirmed_not_counted");
        assert!(c.ok);
        assert_eq!(c.case_ids, vec![38]);
        assert!(c.detail.as_deref().unwrap().contains("第三十一条"));
        for row in &report.table3.rows {
            for column in ColumnKey::COLUMNS {
                let ids = report.cases_behind(row.key.key(), column.key()).unwrap();
                assert!(!ids.contains(&38));
            }
        }
    }

    #[test]
    fn template_2019_folds_other_handling_into_one_row() {
        let report = sample_report(Template::Y2019);
        let keys: Vec<&str> = report.table3.rows.iter().map(|r| r.key.key()).collect();
        assert!(keys.contains(&"other"));
        assert!(!keys.iter().any(|k| k.starts_with("other_")));
        assert_eq!(keys.len(), 23);
        let other = report.table3.row(RowKey::Other).unwrap();
        // 20 (no 补正), 22 (other), 21 (fee), 23 (withdrawn)
        assert_eq!(other.values, [2, 0, 1, 1, 0, 0, 4]);
        assert_eq!(other.label, "（六）其他处理");
        assert_eq!(other.group, None);
        assert_eq!(
            report.cases_behind("other", "total").unwrap(),
            vec![20, 21, 22, 23]
        );
        // Every other row is the same as in 2021.
        let y2021 = sample_report(Template::Y2021);
        for row in report.table3.rows.iter().filter(|r| r.key != RowKey::Other) {
            assert_eq!(Some(row), y2021.table3.row(row.key));
        }
        assert!(report.all_checks_pass(), "{:#?}", report.checks);
        assert_eq!(report.table4, y2021.table4);
        assert_eq!(Template::for_year(2020), Template::Y2019);
        assert_eq!(Template::for_year(2021), Template::Y2021);
    }

    #[test]
    fn inconsistent_dates_fail_the_checks_and_name_the_cases() {
        let mut cases = sample_cases();
        // Concluded in 2024 but received in 2025: counted in 三 only.
        cases.push(case(
            50,
            Np,
            Some("2025-01-03"),
            Some(("2024-12-30", out("disclosed"))),
        ));
        // Received in 2024 but "concluded" in 2023: counted in 一 only.
        cases.push(case(
            51,
            Com,
            Some("2024-03-10"),
            Some(("2023-12-01", out("disclosed"))),
        ));
        // Concluded before receipt inside the year: balanced, still wrong.
        cases.push(case(
            53,
            Leg,
            Some("2024-05-01"),
            Some(("2024-04-01", out("withheld_2"))),
        ));
        let report =
            AnnualReport::compute(2024, Template::Y2021, &cases, &sample_remedies()).unwrap();
        assert!(!report.all_checks_pass());

        let np = check(&report, "balance_natural_person");
        assert!(!np.ok);
        assert_eq!(np.case_ids, vec![50]);
        assert!(np.detail.as_deref().unwrap().contains("自然人列"));
        let com = check(&report, "balance_commercial");
        assert!(!com.ok);
        assert_eq!(com.case_ids, vec![51]);
        let total = check(&report, "balance_total");
        assert!(!total.ok);
        assert_eq!(total.case_ids, vec![50, 51]);
        assert!(total.detail.as_deref().unwrap().contains("相互抵消"));
        assert!(check(&report, "balance_legal_service").ok);
        assert!(check(&report, "balance_research").ok);

        let dates = check(&report, "case_dates_consistent");
        assert!(!dates.ok);
        assert_eq!(dates.case_ids, vec![50, 51, 53]);
        let detail = dates.detail.as_deref().unwrap();
        assert!(
            detail.contains("依申请-050") && detail.contains("依申请-053"),
            "{detail}"
        );

        // The sums themselves still hold.
        assert!(check(&report, "total_column_sums").ok);
        assert!(check(&report, "results_sum_to_total").ok);
    }

    #[test]
    fn an_unconfirmed_case_concluded_in_the_year_fails() {
        let mut cases = sample_cases();
        cases.push(case(52, Res, None, Some(("2024-06-30", out("disclosed")))));
        // Concluded before the year: irrelevant to 2024.
        cases.push(case(54, Res, None, Some(("2023-06-30", out("disclosed")))));
        let report =
            AnnualReport::compute(2024, Template::Y2021, &cases, &sample_remedies()).unwrap();
        let c = check(&report, "unconfirmed_not_counted");
        assert!(!c.ok);
        assert_eq!(c.case_ids, vec![38, 52]);
        assert!(c.detail.as_deref().unwrap().contains("依申请-052"));
        // Not counted, so the balance holds.
        assert!(check(&report, "balance_total").ok);
    }

    #[test]
    fn duplicates_and_bad_remedy_dates_are_reported() {
        let mut cases = sample_cases();
        cases.push(case(1, Np, Some("2024-01-08"), None));
        let mut remedies = sample_remedies();
        remedies.push(remedy(
            20,
            9,
            RemedyKind::Reconsideration,
            "2024-06-01",
            Some(("2024-05-01", RemedyOutcome::Upheld)),
        ));
        remedies.push(remedy(
            20,
            9,
            RemedyKind::Reconsideration,
            "2024-06-01",
            None,
        ));
        let report = AnnualReport::compute(2024, Template::Y2021, &cases, &remedies).unwrap();
        let c = check(&report, "case_ids_unique");
        assert!(!c.ok);
        assert_eq!(c.case_ids, vec![1]);
        let r = check(&report, "remedy_ids_unique");
        assert!(!r.ok);
        assert_eq!(r.remedy_ids, vec![20]);
        let r = check(&report, "remedy_dates_consistent");
        assert!(!r.ok);
        assert_eq!(r.remedy_ids, vec![20]);
        assert_eq!(r.case_ids, vec![9]);
    }

    #[test]
    fn every_check_is_reported_even_when_passing() {
        let report = sample_report(Template::Y2021);
        let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "balance_natural_person",
                "balance_commercial",
                "balance_research",
                "balance_public_interest",
                "balance_legal_service",
                "balance_other_org",
                "balance_total",
                "results_sum_to_total",
                "total_column_sums",
                "table4_reconsideration_total",
                "table4_litigation_direct_total",
                "table4_litigation_after_reconsideration_total",
                "case_dates_consistent",
                "remedy_dates_consistent",
                "case_ids_unique",
                "remedy_ids_unique",
                "unconfirmed_not_counted",
            ]
        );
    }

    #[test]
    fn conclusions_map_to_rows() {
        assert_eq!(Conclusion::Withdrawn.row(), OutcomeRow::Other3);
        assert_eq!(
            Conclusion::Abandoned(AbandonReason::Correction).row(),
            OutcomeRow::Other1
        );
        assert_eq!(
            Conclusion::Abandoned(AbandonReason::Fee).row(),
            OutcomeRow::Other2
        );
        for row in OutcomeRow::ALL {
            assert_eq!(RowKey::from(*row).key(), row.key());
            assert!(RowKey::from(*row).is_result());
        }
        assert_eq!(
            OutcomeRow::parse("withheld_9").unwrap_err().kind,
            "outcome row"
        );
    }

    #[test]
    fn empty_year_and_bad_year() {
        let report = AnnualReport::compute(2025, Template::Y2021, &[], &[]).unwrap();
        assert!(report.table3.rows.iter().all(|r| r.values == [0; 7]));
        assert_eq!(report.table4.values, [0; 15]);
        assert!(report.all_checks_pass());
        assert_eq!(
            AnnualReport::compute(i32::MAX, Template::Y2021, &[], &[]),
            Err(AnnualError::InvalidYear(i32::MAX))
        );
    }

    #[test]
    fn labels_are_verbatim() {
        assert_eq!(
            RowKey::Withheld3.label(),
            "3.危及\u{201c}三安全一稳定\u{201d}"
        );
        assert_eq!(
            RowKey::PartiallyDisclosed.label(),
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
        );
        assert_eq!(
            labels::BALANCE_NOTE,
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        );
        // Full-width punctuation throughout the labels.
        for key in RowKey::ALL {
            let label = key.label();
            assert!(!label.contains('(') && !label.contains(','), "{label}");
        }
    }

    #[test]
    fn label_block_spans_follow_the_official_layout() {
        let report = sample_report(Template::Y2021);
        let block = report.table3.label_block();
        let find = |text: &str| *block.iter().find(|c| c.text == text).unwrap();
        let span = |c: LabelCell| (c.row, c.col, c.row_span, c.col_span);
        assert_eq!(span(find("一、本年新收政府信息公开申请数量")), (0, 0, 1, 3));
        assert_eq!(span(find("二、上年结转政府信息公开申请数量")), (1, 0, 1, 3));
        assert_eq!(span(find("三、本年度办理结果")), (2, 0, 22, 1));
        assert_eq!(span(find("（一）予以公开")), (2, 1, 1, 2));
        assert_eq!(span(find("（三）不予公开")), (4, 1, 8, 1));
        assert_eq!(span(find("3.危及“三安全一稳定”")), (6, 2, 1, 1));
        assert_eq!(span(find("（四）无法提供")), (12, 1, 3, 1));
        assert_eq!(span(find("（五）不予处理")), (15, 1, 5, 1));
        assert_eq!(span(find("（六）其他处理")), (20, 1, 3, 1));
        assert_eq!(span(find("（七）总计")), (23, 1, 1, 2));
        assert_eq!(span(find("四、结转下年度继续办理")), (24, 0, 1, 3));

        let y2019 = sample_report(Template::Y2019);
        let block = y2019.table3.label_block();
        let find = |text: &str| *block.iter().find(|c| c.text == text).unwrap();
        assert_eq!(span(find("三、本年度办理结果")), (2, 0, 20, 1));
        assert_eq!(span(find("（六）其他处理")), (20, 1, 1, 2));
    }

    #[test]
    fn report_serialises_keys_and_labels() {
        let report = sample_report(Template::Y2021);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["template"], "2021");
        assert_eq!(json["table3"]["columns"][6], "total");
        assert_eq!(json["table3"]["rows"][6]["key"], "withheld_3");
        assert_eq!(json["table3"]["rows"][6]["group"], "（三）不予公开");
        assert_eq!(
            json["table4"]["columns"][10]["key"],
            "litigation_after_reconsideration_upheld"
        );
        assert_eq!(json["table4"]["columns"][10]["subgroup"], "复议后起诉");
        assert_eq!(json["table4"]["values"][14], 4);
        assert!(json.get("behind3").is_none());
        let fact: CaseFact = serde_json::from_value(serde_json::json!({
            "case_id": 1, "case_number": "x", "applicant": "legal_service",
            "received_on": "2024-01-02",
            "concluded": ["2024-01-05", {"abandoned": "fee"}]
        }))
        .unwrap();
        assert_eq!(
            fact.concluded.unwrap().1,
            Conclusion::Abandoned(AbandonReason::Fee)
        );
        let fact: CaseFact = serde_json::from_value(serde_json::json!({
            "case_id": 1, "case_number": "x", "applicant": "natural_person",
            "received_on": null,
            "concluded": ["2024-01-05", {"outcome": "not_processed_4"}]
        }))
        .unwrap();
        assert_eq!(fact.concluded.unwrap().1, out("not_processed_4"));
    }

    #[test]
    fn applicant_types_map_both_ways_by_key() {
        for kind in ApplicantType::ALL {
            let column = ApplicantColumn::from(*kind);
            assert_eq!(column.key(), kind.as_str());
            assert_eq!(ApplicantType::from(column), *kind);
        }
        assert_eq!(ApplicantType::ALL.len(), ApplicantColumn::ALL.len());
    }

    #[test]
    fn every_outcome_has_a_row() {
        for outcome in Outcome::ALL {
            for special in [
                SpecialRegimeRow::AdministrativeQuery,
                SpecialRegimeRow::Other,
            ] {
                let key = outcome.report_row(special);
                assert_eq!(outcome_row(*outcome, special).key(), key, "{outcome}");
            }
        }
        assert_eq!(
            outcome_row(Outcome::SpecialRegime, SpecialRegimeRow::default()),
            OutcomeRow::Withheld8
        );
    }

    #[test]
    fn a_reopening_after_the_year_end_leaves_that_year_alone() {
        // Issue 13: answered in 2025, corrected in reconsideration, reopened 2026-01-05.
        let events = [
            CaseEvent::Replied {
                date: d("2025-04-01"),
            },
            CaseEvent::Reopened {
                date: d("2026-01-05"),
                reason: "复议决定责令重新答复".into(),
            },
            CaseEvent::Replied {
                date: d("2026-02-10"),
            },
        ];
        let replies = [
            (d("2025-04-01"), OutcomeRow::Withheld3),
            (d("2026-02-10"), OutcomeRow::Disclosed),
        ];
        let fact = |year: i32, upto: usize| {
            let v = year_view(
                year,
                Some(d("2025-03-01")),
                &events[..upto],
                &replies[..upto.min(2)],
            )
            .unwrap();
            CaseFact {
                case_id: 1,
                case_number: "依申请-001".into(),
                applicant: ApplicantColumn::NaturalPerson,
                received_on: v.received_on,
                concluded: v.concluded,
            }
        };
        // 2025 computed before and after the reopening: the same report.
        let before = AnnualReport::compute(2025, Template::Y2021, &[fact(2025, 1)], &[]).unwrap();
        let after = AnnualReport::compute(2025, Template::Y2021, &[fact(2025, 3)], &[]).unwrap();
        assert_eq!(before.table3, after.table3);
        assert_eq!(
            fact(2025, 3).concluded,
            Some((d("2025-04-01"), out("withheld_3")))
        );
        // 2026: a new handling from the reopening, concluded by the new reply; balanced.
        let y26 = fact(2026, 3);
        assert_eq!(y26.received_on, Some(d("2026-01-05")));
        assert_eq!(y26.concluded, Some((d("2026-02-10"), out("disclosed"))));
        let r26 = AnnualReport::compute(2026, Template::Y2021, &[y26], &[]).unwrap();
        assert!(r26.checks.iter().all(|c| c.ok), "{:?}", r26.checks);
        assert_eq!(r26.table3.value(RowKey::New, ColumnKey::Total), Some(1));
        // Reopened in the same year: one handling, counted once by its latest conclusion.
        let same = [
            CaseEvent::Replied {
                date: d("2025-04-01"),
            },
            CaseEvent::Reopened {
                date: d("2025-06-01"),
                reason: "重新答复".into(),
            },
        ];
        let v = year_view(2025, Some(d("2025-03-01")), &same, &replies[..1]).unwrap();
        assert_eq!(v.received_on, Some(d("2025-03-01")));
        assert_eq!(v.concluded, None);
    }

    #[test]
    fn the_latest_conclusion_counts_and_a_reopening_undoes_it() {
        let replied = |on| CaseEvent::Replied { date: d(on) };
        let reopened = |on| CaseEvent::Reopened {
            date: d(on),
            reason: "复议决定责令重新答复".into(),
        };
        let disclosed = Some(OutcomeRow::Disclosed);
        assert_eq!(final_conclusion(&[], None), Ok(None));
        assert_eq!(
            final_conclusion(&[replied("2024-03-01")], disclosed),
            Ok(Some((d("2024-03-01"), out("disclosed"))))
        );
        assert_eq!(
            final_conclusion(&[replied("2024-03-01"), reopened("2024-05-01")], disclosed),
            Ok(None)
        );
        assert_eq!(
            final_conclusion(
                &[
                    replied("2024-03-01"),
                    reopened("2024-05-01"),
                    CaseEvent::Withdrawn {
                        date: d("2025-01-03")
                    }
                ],
                disclosed
            ),
            Ok(Some((d("2025-01-03"), Conclusion::Withdrawn)))
        );
        assert_eq!(
            final_conclusion(
                &[CaseEvent::CorrectionLapsed {
                    date: d("2024-06-01")
                }],
                None
            ),
            Ok(Some((
                d("2024-06-01"),
                Conclusion::Abandoned(AbandonReason::Correction)
            )))
        );
        assert_eq!(
            final_conclusion(
                &[CaseEvent::FeeLapsed {
                    date: d("2024-06-01")
                }],
                None
            )
            .map(|c| c.map(|(_, c)| c.row())),
            Ok(Some(OutcomeRow::Other2))
        );
        assert_eq!(
            final_conclusion(&[replied("2024-03-01")], None),
            Err(ConclusionError::ReplyMissing)
        );
    }

    #[test]
    fn remedy_keys_round_trip() {
        for outcome in RemedyOutcome::ALL {
            assert_eq!(RemedyOutcome::parse(outcome.key()), Ok(outcome));
        }
        assert!(RemedyOutcome::parse("won").is_err());
        assert_eq!(
            RemedyKind::parse("reconsideration", false),
            Ok(RemedyKind::Reconsideration)
        );
        assert!(RemedyKind::parse("reconsideration", true).is_err());
        assert_eq!(
            RemedyKind::parse("litigation", true),
            Ok(RemedyKind::Litigation {
                after_reconsideration: true
            })
        );
        assert!(RemedyKind::parse("appeal", false).is_err());
    }
}

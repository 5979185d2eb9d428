//! The annual report's statistics (OGI Regulations Art. 50; format 国办公开办函〔2021〕30号, and the
//! older 国办公开办函〔2019〕60号): table 三 (applications received and handled, by applicant
//! column) and table 四 (reconsideration and litigation), the cross-checks the format prints,
//! and the ids behind every cell so that a clerk can check a number.
//!
//! PURE: the year is a parameter, the facts come in as plain values; no IO, no clock, no
//! rendering (see `report::annual_xlsx` and `report::annual_html` for the official layout).
//!
//! Layout: this file holds the facts, the report and its computation; `table3.rs` and
//! `table4.rs` the keys and cells of each table, `checks.rs` the cross-checks, `year.rs` the
//! facts of one year from the case's events.
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

mod checks;
mod publication;
mod table3;
mod table4;
#[cfg(test)]
pub(crate) mod tests;
mod year;

pub use publication::*;
pub use table3::*;
pub use table4::*;
pub use year::*;

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

/// The result of one cross-check. A failed check names what causes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

fn count(ids: &[i64]) -> i64 {
    i64::try_from(ids.len()).unwrap_or(i64::MAX)
}

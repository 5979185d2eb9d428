//! Table 三: its columns (the applicant kinds), its rows (the results), the two templates and
//! the official layout of its label cells.

use super::*;

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

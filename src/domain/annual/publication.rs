//! A published year (issue 17: "a published year is frozen"): the ids behind every cell kept
//! with the published numbers, so that the report can be laid out again from them alone, the
//! cells a later edit would change (发布后变更), and the check that next year's 二、上年结转
//! equals the published 四、结转下年度继续办理.
//!
//! PURE like the rest of `domain::annual`: the caller stores and hashes the frozen form.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    AnnualReport, Check, ColumnKey, RowKey, Table3, Table4, Table4Column, Template, count,
};

/// What a report is rebuilt from: the ids behind every cell (the numbers are their counts)
/// and the case numbers a clerk knows them by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenCells {
    /// Table 三: per row key, the case ids behind its seven columns.
    pub table3: BTreeMap<RowKey, [Vec<i64>; 7]>,
    /// Table 四: the remedy ids behind its fifteen columns.
    pub table4: [Vec<i64>; 15],
    /// Case id → the number shown for it (with the department's code in a subtree report).
    pub case_numbers: BTreeMap<i64, String>,
}

/// The frozen cells do not fit the template they claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("frozen report lacks row `{0}`")]
pub struct MissingRow(pub RowKey);

impl AnnualReport {
    /// The cells as they are now, for freezing. `numbers` names the cases (a case without a
    /// number is left out of `case_numbers`; it is then shown by its id).
    pub fn freeze(&self, numbers: impl Fn(i64) -> Option<String>) -> FrozenCells {
        let case_numbers = self
            .behind3
            .values()
            .flat_map(|ids| ids[6].iter().copied())
            .collect::<BTreeSet<i64>>()
            .into_iter()
            .filter_map(|id| numbers(id).map(|n| (id, n)))
            .collect();
        FrozenCells {
            table3: self.behind3.clone(),
            table4: self.behind4.clone(),
            case_numbers,
        }
    }

    /// The report rebuilt from frozen cells and the checks published with them: the same
    /// tables as when it was frozen, for every layout (page, workbook, document).
    pub fn thaw(
        year: i32,
        template: Template,
        cells: &FrozenCells,
        checks: Vec<Check>,
    ) -> Result<AnnualReport, MissingRow> {
        let mut rows = Vec::new();
        for key in template.rows() {
            let ids = cells.table3.get(&key).ok_or(MissingRow(key))?;
            rows.push(super::Row {
                key,
                label: key.label(),
                group: key.group(),
                section: key.section(),
                values: std::array::from_fn(|i| count(&ids[i])),
            });
        }
        let behind3 = template
            .rows()
            .into_iter()
            .filter_map(|k| cells.table3.get(&k).map(|ids| (k, ids.clone())))
            .collect();
        Ok(AnnualReport {
            year,
            template,
            table3: Table3 {
                columns: ColumnKey::COLUMNS,
                rows,
            },
            table4: Table4 {
                columns: Table4Column::all(),
                values: std::array::from_fn(|i| count(&cells.table4[i])),
            },
            checks,
            behind3,
            behind4: cells.table4.clone(),
        })
    }
}

/// One cell that differs between the published report and the live computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellChange {
    /// `table3`, `table4` or `section6` (the fee figures).
    pub table: &'static str,
    /// A table-三 row key, or `table4`.
    pub row: String,
    /// A table-三 column key, or a table-四 column key (`reconsideration_upheld` …).
    pub column: String,
    /// The cell's labels, e.g. "（一）予以公开 / 自然人".
    pub label: String,
    pub published: i64,
    pub live: i64,
    /// Ids counted now but not when published: cases (table 三) or remedies (table 四).
    pub added: Vec<i64>,
    /// Ids counted when published but no longer.
    pub removed: Vec<i64>,
}

/// The cells in which `live` differs from `published` (both of one year and template), in
/// table order, each with the ids that moved. Compares the ids, not only the numbers: a case
/// that left a cell while another entered it is a change although the count is the same.
pub fn changes_since(published: &AnnualReport, live: &AnnualReport) -> Vec<CellChange> {
    let mut out = Vec::new();
    for key in published.template.rows() {
        for column in ColumnKey::COLUMNS {
            let before = published.ids(key, column.index());
            let now = live.ids(key, column.index());
            if let Some((added, removed)) = moved(before, now) {
                let label = match key.group() {
                    Some(group) => format!("{group} {} / {}", key.label(), column.label()),
                    None => format!("{} / {}", key.label(), column.label()),
                };
                out.push(CellChange {
                    table: "table3",
                    row: key.key().to_owned(),
                    column: column.key().to_owned(),
                    label,
                    published: count(before),
                    live: count(now),
                    added,
                    removed,
                });
            }
        }
    }
    for column in Table4Column::all() {
        let i = column.index();
        if let Some((added, removed)) = moved(&published.behind4[i], &live.behind4[i]) {
            out.push(CellChange {
                table: "table4",
                row: "table4".to_owned(),
                column: column.key(),
                label: column.full_label(),
                published: count(&published.behind4[i]),
                live: count(&live.behind4[i]),
                added,
                removed,
            });
        }
    }
    out
}

/// Section 六's fee figures that differ between the publication and the live computation
/// (row `fees`; the figures are totals, so no ids move with them).
pub fn fee_changes(
    published: &crate::domain::fee::FeeFigures,
    live: &crate::domain::fee::FeeFigures,
) -> Vec<CellChange> {
    [
        (
            "notices",
            "收费通知书（件）",
            published.notices,
            live.notices,
        ),
        (
            "notices_amount_fen",
            "通知收取金额（分）",
            published.notices_amount_fen,
            live.notices_amount_fen,
        ),
        ("paid", "已缴费（件）", published.paid, live.paid),
        (
            "collected_fen",
            "实际收取金额（分）",
            published.collected_fen,
            live.collected_fen,
        ),
    ]
    .into_iter()
    .filter(|(_, _, before, now)| before != now)
    .map(|(column, label, before, now)| CellChange {
        table: "section6",
        row: "fees".to_owned(),
        column: column.to_owned(),
        label: format!("六、信息处理费 / {label}"),
        published: before,
        live: now,
        added: Vec::new(),
        removed: Vec::new(),
    })
    .collect()
}

/// The ids added and removed, or `None` when both lists hold the same ids.
fn moved(before: &[i64], now: &[i64]) -> Option<(Vec<i64>, Vec<i64>)> {
    let before: BTreeSet<i64> = before.iter().copied().collect();
    let now: BTreeSet<i64> = now.iter().copied().collect();
    if before == now {
        return None;
    }
    Some((
        now.difference(&before).copied().collect(),
        before.difference(&now).copied().collect(),
    ))
}

/// Name of the check that ties a year to the published report of the year before.
pub const CARRY_OVER_CHECK: &str = "carried_over_matches_published";

/// Year Y's 二、上年结转 (all columns) against the published 四、结转下年度继续办理 of Y − 1
/// (国办公开办函〔2021〕30号: the two are the same applications). A failure names the cases
/// in one and not the other, by the numbers `number` gives (else by id).
pub fn carry_over_check(
    report: &AnnualReport,
    published_version: i32,
    published_forward: &[i64],
    number: impl Fn(i64) -> Option<String>,
) -> Check {
    let carried: BTreeSet<i64> = report
        .ids(RowKey::CarriedOver, ColumnKey::Total.index())
        .iter()
        .copied()
        .collect();
    let forward: BTreeSet<i64> = published_forward.iter().copied().collect();
    let only_here: Vec<i64> = carried.difference(&forward).copied().collect();
    let only_there: Vec<i64> = forward.difference(&carried).copied().collect();
    let prev = report.year - 1;
    let names = |ids: &[i64]| {
        ids.iter()
            .map(|id| number(*id).unwrap_or_else(|| format!("#{id}")))
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut problems = Vec::new();
    if !only_here.is_empty() {
        problems.push(format!(
            "计入本年“二、上年结转”但不在已发布的{prev}年度报告（第{published_version}版）“四、结转下年度继续办理”中：{}",
            names(&only_here)
        ));
    }
    if !only_there.is_empty() {
        problems.push(format!(
            "已发布的{prev}年度报告（第{published_version}版）计入“四、结转下年度继续办理”，但未计入本年“二、上年结转”：{}",
            names(&only_there)
        ));
    }
    let ok = problems.is_empty();
    let mut ids: Vec<i64> = only_here.into_iter().chain(only_there).collect();
    ids.sort_unstable();
    Check {
        name: CARRY_OVER_CHECK.to_owned(),
        ok,
        detail: Some(if ok {
            format!(
                "与已发布的{prev}年度报告（第{published_version}版）“四、结转下年度继续办理”一致（{}件）",
                carried.len()
            )
        } else {
            problems.join("；")
        }),
        case_ids: ids,
        remedy_ids: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::annual::{ApplicantColumn, CaseFact, Conclusion, OutcomeRow};

    #[test]
    fn fee_figures_that_moved_are_listed_and_the_others_not() {
        use crate::domain::fee::FeeFigures;
        let published = FeeFigures {
            notices: 2,
            notices_amount_fen: 30_000,
            paid: 1,
            collected_fen: 10_000,
        };
        assert!(fee_changes(&published, &published).is_empty());
        let live = FeeFigures {
            paid: 2,
            collected_fen: 30_000,
            ..published
        };
        let changes = fee_changes(&published, &live);
        let got: Vec<(&str, &str, i64, i64)> = changes
            .iter()
            .map(|c| (c.table, c.column.as_str(), c.published, c.live))
            .collect();
        assert_eq!(
            got,
            vec![
                ("section6", "paid", 1, 2),
                ("section6", "collected_fen", 10_000, 30_000)
            ]
        );
        assert_eq!(changes[0].label, "六、信息处理费 / 已缴费（件）");
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn case(id: i64, received: NaiveDate, concluded: Option<NaiveDate>) -> CaseFact {
        CaseFact {
            case_id: id,
            case_number: format!("N{id}"),
            applicant: ApplicantColumn::NaturalPerson,
            received_on: Some(received),
            concluded: concluded.map(|on| (on, Conclusion::Outcome(OutcomeRow::Disclosed))),
        }
    }

    fn report(year: i32, cases: &[CaseFact]) -> AnnualReport {
        AnnualReport::compute(year, Template::Y2021, cases, &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_thawed_report_equals_the_frozen_one() {
        let r = report(
            2025,
            &[
                case(1, d(2025, 3, 1), Some(d(2025, 3, 20))),
                case(2, d(2024, 12, 20), None),
            ],
        );
        let cells = r.freeze(|id| Some(format!("N{id}")));
        let text = serde_json::to_string(&cells).unwrap_or_default();
        let back: FrozenCells = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let thawed = AnnualReport::thaw(2025, Template::Y2021, &back, r.checks.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(thawed, r);
        assert_eq!(back.case_numbers.get(&2).map(String::as_str), Some("N2"));
    }

    #[test]
    fn a_case_concluded_later_moves_from_carried_forward_to_its_result_row() {
        let published = report(2025, &[case(1, d(2025, 12, 1), None)]);
        let live = report(2025, &[case(1, d(2025, 12, 1), Some(d(2025, 12, 30)))]);
        let changes = changes_since(&published, &live);
        let keys: Vec<(&str, &str, i64, i64)> = changes
            .iter()
            .map(|c| (c.row.as_str(), c.column.as_str(), c.published, c.live))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("disclosed", "natural_person", 0, 1),
                ("disclosed", "total", 0, 1),
                ("total", "natural_person", 0, 1),
                ("total", "total", 0, 1),
                ("carried_forward", "natural_person", 1, 0),
                ("carried_forward", "total", 1, 0),
            ]
        );
        assert_eq!(changes[0].added, vec![1]);
        assert_eq!(changes[4].removed, vec![1]);
        assert!(changes_since(&live, &live).is_empty());
    }

    #[test]
    fn carry_over_names_the_cases_on_either_side() {
        let next = report(
            2026,
            &[case(1, d(2025, 12, 1), None), case(3, d(2025, 11, 1), None)],
        );
        let check = carry_over_check(&next, 1, &[1, 2], |id| Some(format!("N{id}")));
        assert!(!check.ok);
        assert_eq!(check.case_ids, vec![2, 3]);
        let detail = check.detail.unwrap_or_default();
        assert!(detail.contains("N3") && detail.contains("N2"), "{detail}");
        assert!(carry_over_check(&next, 1, &[1, 3], |_| None).ok);
    }
}

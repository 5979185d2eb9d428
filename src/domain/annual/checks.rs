//! The cross-checks the format prints (一 + 二 = 三(七) + 四 …), each naming the cases or
//! remedies that make it fail.

use super::*;

impl AnnualReport {
    pub(super) fn run_checks(
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

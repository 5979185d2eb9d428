//! Unit tests of the annual statistics; the sample report is shared with the renderers' tests.

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
    let report = AnnualReport::compute(2024, Template::Y2021, &cases, &sample_remedies()).unwrap();
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
    let report = AnnualReport::compute(2024, Template::Y2021, &cases, &sample_remedies()).unwrap();
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

//! Tables 三 and 四 of the annual report as an .xlsx workbook, in the official layout
//! (国办公开办函〔2021〕30号 / 〔2019〕60号; RULES.md §6): merged label block, Chinese headers,
//! table 四 below table 三. A second sheet lists every check, failed ones first.
//!
//! Owns only the rendering: the numbers, labels and the label block's spans come from
//! `domain::annual`. Writes to a buffer, never to a file.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::domain::annual::{
    AnnualReport, ColumnKey, RemedyGroup, RemedyResult, Table4Column, labels,
};

pub use rust_xlsxwriter::XlsxError;

/// The sheet that holds tables 三 and 四.
pub const REPORT_SHEET: &str = "年度报告";
/// The sheet that lists the checks.
pub const CHECKS_SHEET: &str = "校验";

/// Sheet row of the title of table 三; the header follows, then the body.
pub const TABLE3_TITLE_ROW: u32 = 2;
/// Sheet row of the first body row (一) of table 三.
pub const TABLE3_BODY_ROW: u32 = TABLE3_TITLE_ROW + 4;
/// Sheet column of the first data column (自然人) of table 三.
pub const TABLE3_DATA_COL: u16 = 3;

/// Widths, in Excel character units, of the label columns A–C and of a data column.
const LABEL_WIDTHS: [f64; 3] = [7.0, 14.0, 36.0];
const DATA_WIDTH: f64 = 10.0;
const LINE_HEIGHT: f64 = 15.0;
const FONT: &str = "宋体";
/// Excel's paper code for A4.
const A4: u8 = 9;

/// The sheet row of table 四's title, for a report with `rows` rows in table 三.
pub fn table4_title_row(rows: usize) -> u32 {
    TABLE3_BODY_ROW + to_u32(rows) + 1
}

/// The workbook as bytes.
pub fn annual_xlsx(report: &AnnualReport, title: &str) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let styles = Styles::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(REPORT_SHEET)?;
    sheet
        .set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    for (col, width) in LABEL_WIDTHS.iter().enumerate() {
        sheet.set_column_width(to_u16(col), *width)?;
    }
    for col in TABLE3_DATA_COL..15 {
        sheet.set_column_width(col, DATA_WIDTH)?;
    }

    sheet.merge_range(0, 0, 0, 14, title, &styles.title)?;
    sheet.set_row_height(0, 2.0 * LINE_HEIGHT)?;
    let period = format!(
        "统计期限：{year}年1月1日至{year}年12月31日（表格式：{}）",
        report.template.source(),
        year = report.year
    );
    sheet.merge_range(1, 0, 1, 14, &period, &styles.caption)?;

    write_table3(sheet, report, &styles)?;
    write_table4(sheet, report, &styles)?;

    let checks = workbook.add_worksheet();
    checks.set_name(CHECKS_SHEET)?;
    checks
        .set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    write_checks(checks, report, &styles)?;

    workbook.save_to_buffer()
}

struct Styles {
    title: Format,
    caption: Format,
    heading: Format,
    header: Format,
    label: Format,
    number: Format,
    plain: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(11)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let cell = base.clone().set_border(FormatBorder::Thin);
        Styles {
            title: base
                .clone()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center),
            caption: base.clone().set_align(FormatAlign::Left),
            heading: base.clone().set_bold().set_align(FormatAlign::Left),
            header: cell.clone().set_bold().set_align(FormatAlign::Center),
            label: cell.clone().set_align(FormatAlign::Left),
            number: cell.set_align(FormatAlign::Center).set_num_format("0"),
            plain: base.set_align(FormatAlign::Left),
        }
    }
}

fn write_table3(
    sheet: &mut Worksheet,
    report: &AnnualReport,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let t = TABLE3_TITLE_ROW;
    let d = TABLE3_DATA_COL;
    sheet.merge_range(t, 0, t, 14, labels::TABLE3_TITLE, &styles.heading)?;

    // Header: the note over the label block, 申请人情况, then the applicant columns.
    let h = t + 1;
    sheet.merge_range(h, 0, h + 2, 2, labels::BALANCE_NOTE, &styles.header)?;
    sheet.merge_range(h, d, h, d + 6, labels::APPLICANTS, &styles.header)?;
    sheet.merge_range(h + 1, d, h + 2, d, labels::NATURAL_PERSON, &styles.header)?;
    sheet.merge_range(
        h + 1,
        d + 1,
        h + 1,
        d + 5,
        labels::LEGAL_PERSON_OR_ORG,
        &styles.header,
    )?;
    sheet.merge_range(h + 1, d + 6, h + 2, d + 6, labels::TOTAL, &styles.header)?;
    for column in &ColumnKey::COLUMNS[1..6] {
        let col = d + to_u16(column.index());
        sheet.write_string_with_format(h + 2, col, column.label(), &styles.header)?;
    }

    // Body: the label block, then the numbers.
    let body = TABLE3_BODY_ROW;
    let mut lines = vec![1_usize; report.table3.rows.len()];
    for cell in report.table3.label_block() {
        let first_row = body + to_u32(cell.row);
        let first_col = to_u16(cell.col);
        let last_row = first_row + to_u32(cell.row_span) - 1;
        let last_col = first_col + to_u16(cell.col_span) - 1;
        let format = if cell.col == 0 && cell.col_span == 1 {
            &styles.header
        } else {
            &styles.label
        };
        if first_row == last_row && first_col == last_col {
            sheet.write_string_with_format(first_row, first_col, cell.text, format)?;
        } else {
            sheet.merge_range(first_row, first_col, last_row, last_col, cell.text, format)?;
        }
        if cell.row_span == 1 {
            let width: f64 = LABEL_WIDTHS[cell.col..cell.col + cell.col_span]
                .iter()
                .sum();
            if let Some(slot) = lines.get_mut(cell.row) {
                *slot = (*slot).max(lines_needed(cell.text, width));
            }
        }
    }
    for (i, row) in report.table3.rows.iter().enumerate() {
        let r = body + to_u32(i);
        for (c, value) in row.values.iter().enumerate() {
            sheet.write_number_with_format(r, d + to_u16(c), *value as f64, &styles.number)?;
        }
        if let Some(&n) = lines.get(i)
            && n > 1
        {
            sheet.set_row_height(r, LINE_HEIGHT * n as f64)?;
        }
    }
    Ok(())
}

fn write_table4(
    sheet: &mut Worksheet,
    report: &AnnualReport,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let t = table4_title_row(report.table3.rows.len());
    sheet.merge_range(t, 0, t, 14, labels::TABLE4_TITLE, &styles.heading)?;
    let h = t + 1;
    sheet.merge_range(h, 0, h, 4, labels::RECONSIDERATION, &styles.header)?;
    sheet.merge_range(h, 5, h, 14, labels::LITIGATION, &styles.header)?;
    for column in report.table4.columns {
        let col = to_u16(column.index());
        let label = column.result.label();
        match column.group {
            // 行政复议's five results span the two lower header rows.
            RemedyGroup::Reconsideration => {
                sheet.merge_range(h + 1, col, h + 2, col, label, &styles.header)?;
            }
            RemedyGroup::LitigationDirect | RemedyGroup::LitigationAfterReconsideration => {
                sheet.write_string_with_format(h + 2, col, label, &styles.header)?;
            }
        }
    }
    for group in [
        RemedyGroup::LitigationDirect,
        RemedyGroup::LitigationAfterReconsideration,
    ] {
        let first = to_u16(
            Table4Column {
                group,
                result: RemedyResult::Upheld,
            }
            .index(),
        );
        let sub = group.labels().1.unwrap_or_default();
        sheet.merge_range(h + 1, first, h + 1, first + 4, sub, &styles.header)?;
    }
    for (i, value) in report.table4.values.iter().enumerate() {
        sheet.write_number_with_format(h + 3, to_u16(i), *value as f64, &styles.number)?;
    }
    Ok(())
}

fn write_checks(
    sheet: &mut Worksheet,
    report: &AnnualReport,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let widths = [34.0, 8.0, 80.0, 30.0, 20.0];
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(to_u16(col), *width)?;
    }
    let header = ["校验项", "结果", "说明", "相关申请ID", "相关复议诉讼ID"];
    for (col, text) in header.iter().enumerate() {
        sheet.write_string_with_format(0, to_u16(col), *text, &styles.header)?;
    }
    let mut checks: Vec<_> = report.checks.iter().collect();
    checks.sort_by_key(|c| c.ok);
    for (i, check) in checks.iter().enumerate() {
        let r = to_u32(i + 1);
        let ids = |ids: &[i64]| {
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        sheet.write_string_with_format(r, 0, &check.name, &styles.label)?;
        sheet.write_string_with_format(
            r,
            1,
            if check.ok { "通过" } else { "不通过" },
            &styles.label,
        )?;
        sheet.write_string_with_format(
            r,
            2,
            check.detail.as_deref().unwrap_or(""),
            &styles.label,
        )?;
        sheet.write_string_with_format(r, 3, ids(&check.case_ids), &styles.label)?;
        sheet.write_string_with_format(r, 4, ids(&check.remedy_ids), &styles.label)?;
    }
    let note_row = to_u32(checks.len() + 2);
    let summary = if report.all_checks_pass() {
        "全部校验通过。"
    } else {
        "有校验未通过：发布前请按所列申请核对。"
    };
    sheet.write_string_with_format(note_row, 0, summary, &styles.plain)?;
    Ok(())
}

/// Lines a label needs in a column `width` units wide (a CJK character takes two units).
fn lines_needed(text: &str, width: f64) -> usize {
    let units: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    let per_line = (width - 2.0).max(1.0);
    (units as f64 / per_line).ceil().max(1.0) as usize
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Dimensions, Reader, Xlsx, open_workbook_from_rs};

    use super::*;
    use crate::domain::annual::tests::sample_report;
    use crate::domain::annual::{AnnualReport, Template};

    struct Parsed {
        range: calamine::Range<Data>,
        merges: Vec<Dimensions>,
        checks: calamine::Range<Data>,
    }

    fn parse(report: &AnnualReport, title: &str) -> Parsed {
        let bytes = annual_xlsx(report, title).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec![REPORT_SHEET, CHECKS_SHEET]);
        let range = book.worksheet_range(REPORT_SHEET).unwrap();
        let merges = book.merge_cells_by_sheet_name(REPORT_SHEET).unwrap();
        let checks = book.worksheet_range(CHECKS_SHEET).unwrap();
        Parsed {
            range,
            merges,
            checks,
        }
    }

    impl Parsed {
        fn text(&self, row: u32, col: u16) -> String {
            match self.range.get_value((row, u32::from(col))) {
                Some(Data::String(s)) => s.clone(),
                other => panic!("({row}, {col}): expected text, got {other:?}"),
            }
        }

        fn number(&self, row: u32, col: u16) -> i64 {
            match self.range.get_value((row, u32::from(col))) {
                Some(Data::Float(f)) => *f as i64,
                Some(Data::Int(i)) => *i,
                other => panic!("({row}, {col}): expected a number, got {other:?}"),
            }
        }

        /// The cell is the top-left of a merge covering exactly these rows and columns.
        fn merged(&self, first: (u32, u16), last: (u32, u16)) {
            let want = Dimensions {
                start: (first.0, u32::from(first.1)),
                end: (last.0, u32::from(last.1)),
            };
            assert!(
                self.merges.contains(&want),
                "no merge {want:?} in {:?}",
                self.merges
            );
        }
    }

    fn assert_layout(report: &AnnualReport) {
        let title = "南宁市测试区人民政府2024年政府信息公开工作年度报告";
        let x = parse(report, title);
        assert_eq!(x.text(0, 0), title);
        x.merged((0, 0), (0, 14));

        // Table 三: title and header.
        let t = TABLE3_TITLE_ROW;
        assert_eq!(x.text(t, 0), "三、收到和处理政府信息公开申请情况");
        assert_eq!(
            x.text(t + 1, 0),
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        );
        x.merged((t + 1, 0), (t + 3, 2));
        assert_eq!(x.text(t + 1, 3), "申请人情况");
        x.merged((t + 1, 3), (t + 1, 9));
        assert_eq!(x.text(t + 2, 3), "自然人");
        x.merged((t + 2, 3), (t + 3, 3));
        assert_eq!(x.text(t + 2, 4), "法人或其他组织");
        x.merged((t + 2, 4), (t + 2, 8));
        assert_eq!(x.text(t + 2, 9), "总计");
        x.merged((t + 2, 9), (t + 3, 9));
        let subtypes: Vec<String> = (4..9).map(|c| x.text(t + 3, c)).collect();
        assert_eq!(
            subtypes,
            [
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他"
            ]
        );

        // Table 三: every label verbatim where the official layout puts it, merged as it
        // says, and every number.
        let body = TABLE3_BODY_ROW;
        let block = report.table3.label_block();
        for cell in &block {
            let row = body + cell.row as u32;
            let col = cell.col as u16;
            assert_eq!(x.text(row, col), cell.text);
            if cell.row_span > 1 || cell.col_span > 1 {
                x.merged(
                    (row, col),
                    (
                        row + cell.row_span as u32 - 1,
                        col + cell.col_span as u16 - 1,
                    ),
                );
            }
        }
        for (i, row) in report.table3.rows.iter().enumerate() {
            let r = body + i as u32;
            let label = block
                .iter()
                .find(|c| c.row == i && c.text == row.label)
                .unwrap_or_else(|| panic!("no label cell for {}", row.key));
            assert_eq!(x.text(r, label.col as u16), row.label);
            for (c, value) in row.values.iter().enumerate() {
                assert_eq!(
                    x.number(r, TABLE3_DATA_COL + c as u16),
                    *value,
                    "{} {c}",
                    row.key
                );
            }
        }
        let last = body + report.table3.rows.len() as u32 - 1;
        assert_eq!(x.text(last, 0), "四、结转下年度继续办理");
        x.merged((last, 0), (last, 2));
        assert_eq!(x.text(body + 2, 0), "三、本年度办理结果");

        // Table 四.
        let t4 = table4_title_row(report.table3.rows.len());
        assert_eq!(x.text(t4, 0), "四、政府信息公开行政复议、行政诉讼情况");
        assert_eq!(x.text(t4 + 1, 0), "行政复议");
        x.merged((t4 + 1, 0), (t4 + 1, 4));
        assert_eq!(x.text(t4 + 1, 5), "行政诉讼");
        x.merged((t4 + 1, 5), (t4 + 1, 14));
        let results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
        for (c, label) in results.iter().enumerate() {
            let c = c as u16;
            assert_eq!(x.text(t4 + 2, c), *label);
            x.merged((t4 + 2, c), (t4 + 3, c));
            assert_eq!(x.text(t4 + 3, 5 + c), *label);
            assert_eq!(x.text(t4 + 3, 10 + c), *label);
        }
        assert_eq!(x.text(t4 + 2, 5), "未经复议直接起诉");
        x.merged((t4 + 2, 5), (t4 + 2, 9));
        assert_eq!(x.text(t4 + 2, 10), "复议后起诉");
        x.merged((t4 + 2, 10), (t4 + 2, 14));
        for (c, value) in report.table4.values.iter().enumerate() {
            assert_eq!(x.number(t4 + 4, c as u16), *value);
        }

        // The checks sheet lists every check.
        let names: Vec<String> = (1..=report.checks.len() as u32)
            .map(|r| match x.checks.get_value((r, 0)) {
                Some(Data::String(s)) => s.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        for check in &report.checks {
            assert!(names.contains(&check.name), "{}", check.name);
        }
    }

    #[test]
    fn xlsx_2021_reads_back_with_every_number_and_label() {
        let report = sample_report(Template::Y2021);
        assert_layout(&report);
        // Spot-check against the hand count (not only against the report itself).
        let x = parse(&report, "t");
        let row = |key: &str| {
            TABLE3_BODY_ROW
                + report
                    .table3
                    .rows
                    .iter()
                    .position(|r| r.key.key() == key)
                    .unwrap() as u32
        };
        assert_eq!(x.number(row("new"), 9), 26);
        assert_eq!(x.number(row("other_3"), 6), 1);
        assert_eq!(x.number(row("carried_forward"), 9), 4);
        assert_eq!(
            x.text(row("withheld_3"), 2),
            "3.危及\u{201c}三安全一稳定\u{201d}"
        );
        let t4 = table4_title_row(report.table3.rows.len());
        assert_eq!(x.number(t4 + 4, 3), 2);
        assert_eq!(x.number(t4 + 4, 14), 4);
    }

    #[test]
    fn xlsx_2019_has_a_single_other_row() {
        let report = sample_report(Template::Y2019);
        assert_layout(&report);
        let x = parse(&report, "t");
        let i = report
            .table3
            .rows
            .iter()
            .position(|r| r.key.key() == "other")
            .unwrap() as u32;
        assert_eq!(x.text(TABLE3_BODY_ROW + i, 1), "（六）其他处理");
        x.merged((TABLE3_BODY_ROW + i, 1), (TABLE3_BODY_ROW + i, 2));
        assert_eq!(x.number(TABLE3_BODY_ROW + i, 9), 4);
    }
}

//! The annual report as people read it (国办公开办函〔2021〕30号): the template's six headings
//! in order, tables 三 and 四 under theirs, section 六's fee figures. Shared by the printable
//! page (`annual_html::published_page`) and the .docx (`docx`), which lays tables 三 and 四 out
//! as plain grids (one label column; the merged label block is the page's and workbook's).

use crate::domain::annual::{AnnualReport, ColumnKey, labels};
use crate::domain::fee::{FeeFigures, yuan};

use super::docx;

/// The six headings of the report template, in order.
pub const HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    labels::TABLE3_TITLE,
    labels::TABLE4_TITLE,
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// Sections 一, 二 and 五 are written by the organ; the system records none of their facts.
pub const WRITTEN_BY_ORGAN: &str = "（本部分由本机关另行撰写。）";

/// What the document shows besides the tables.
pub struct Doc<'a> {
    pub title: &'a str,
    pub organ: &'a str,
    /// "第2版 · 2026年1月20日发布", or "未发布（实时统计）".
    pub status: &'a str,
    pub fees: FeeFigures,
}

/// Section 六's sentence on information-processing fees (国办函〔2020〕109号).
pub fn fee_paragraph(year: i32, fees: FeeFigures) -> String {
    format!(
        "{year}年度发出信息处理费收费通知{}件，金额{}；收取信息处理费{}件，共{}。",
        fees.notices,
        yuan(fees.notices_amount_fen),
        fees.paid,
        yuan(fees.collected_fen)
    )
}

/// Table 三 as rows of text: a header row, then each row's full label and its seven numbers.
pub fn table3_rows(report: &AnnualReport) -> Vec<Vec<String>> {
    let mut rows = vec![
        std::iter::once("项目".to_owned())
            .chain(ColumnKey::COLUMNS.iter().map(|c| {
                if matches!(c, ColumnKey::NaturalPerson | ColumnKey::Total) {
                    c.label().to_owned()
                } else {
                    format!("{}：{}", labels::LEGAL_PERSON_OR_ORG, c.label())
                }
            }))
            .collect(),
    ];
    for row in &report.table3.rows {
        let label = [row.section, row.group, Some(row.label)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(
            std::iter::once(label)
                .chain(row.values.iter().map(ToString::to_string))
                .collect(),
        );
    }
    rows
}

/// Table 四 as rows of text: the fifteen full column labels, then the numbers.
pub fn table4_rows(report: &AnnualReport) -> Vec<Vec<String>> {
    vec![
        report
            .table4
            .columns
            .iter()
            .map(|c| c.full_label())
            .collect(),
        report
            .table4
            .values
            .iter()
            .map(ToString::to_string)
            .collect(),
    ]
}

/// The .docx bytes.
pub fn annual_docx(report: &AnnualReport, doc: &Doc<'_>) -> Result<Vec<u8>, String> {
    const BODY: &str = "仿宋_GB2312";
    const HEAD: &str = "黑体";
    let mut body = String::new();
    body.push_str(&docx::para(doc.title, "center", "方正小标宋简体", 44, 0));
    body.push_str(&docx::para(doc.status, "center", BODY, 24, 0));
    body.push_str(&docx::para(
        &format!(
            "统计期限：{y}年1月1日至{y}年12月31日（表格式：{}）",
            report.template.source(),
            y = report.year
        ),
        "both",
        BODY,
        32,
        200,
    ));
    for (i, heading) in HEADINGS.iter().enumerate() {
        body.push_str(&docx::para(heading, "left", HEAD, 32, 200));
        match i {
            2 => body.push_str(&docx::table(&table3_rows(report), 1)),
            3 => body.push_str(&docx::table(&table4_rows(report), 1)),
            5 => body.push_str(&docx::para(
                &fee_paragraph(report.year, doc.fees),
                "both",
                BODY,
                32,
                200,
            )),
            _ => body.push_str(&docx::para(WRITTEN_BY_ORGAN, "both", BODY, 32, 200)),
        }
    }
    body.push_str(&docx::para("", "left", BODY, 32, 0));
    body.push_str(&docx::para(doc.organ, "right", BODY, 32, 0));
    docx::document_of(&body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annual::Template;
    use crate::domain::annual::tests::sample_report;

    #[test]
    fn the_docx_holds_every_heading_and_number() {
        let report = sample_report(Template::Y2021);
        let bytes = annual_docx(
            &report,
            &Doc {
                title: "某局2024年政府信息公开工作年度报告",
                organ: "某局",
                status: "第1版",
                fees: FeeFigures {
                    notices: 2,
                    notices_amount_fen: 170_000,
                    paid: 1,
                    collected_fen: 100_000,
                },
            },
        )
        .unwrap_or_default();
        let doc = crate::report::docx::tests::document_xml(bytes);
        let mut at = 0;
        for h in HEADINGS {
            let found = doc[at..]
                .find(h)
                .unwrap_or_else(|| panic!("{h} missing or out of order"));
            at += found;
        }
        let rows = table3_rows(&report);
        assert_eq!(rows.len(), report.table3.rows.len() + 1);
        assert!(doc.contains("本年新收政府信息公开申请数量"));
        assert!(doc.contains("收取信息处理费1件，共1000.00元"));
        assert!(doc.contains("行政诉讼 复议后起诉 尚未审结"));
    }
}

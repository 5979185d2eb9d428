//! Tables 三 and 四 of the annual report as an HTML page, in the official layout (RULES.md §6:
//! the label block with `rowspan`/`colspan`, the Chinese headers, table 四 below), followed by
//! the checks. Every data cell carries `data-row`/`data-col` (the keys
//! `AnnualReport::cases_behind` takes) so that a page can link a number to its cases.
//!
//! Owns only the rendering; every piece of text is escaped.

use std::fmt::Write as _;

use crate::domain::annual::{AnnualReport, ColumnKey, RemedyGroup, labels};

const STYLE: &str = "body{font-family:\"SimSun\",\"Songti SC\",serif}\
table{border-collapse:collapse;margin:0 0 1.5em}\
th,td{border:1px solid #000;padding:2px 6px;text-align:center;vertical-align:middle}\
td.label{text-align:left}td.n{min-width:3em}\
.checks .fail{color:#b00000}";

/// A complete HTML document (UTF-8).
pub fn annual_html(report: &AnnualReport, title: &str) -> String {
    let mut html = String::with_capacity(16 * 1024);
    html.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(html, "<title>{}</title>", escape(title));
    let _ = writeln!(html, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(html, "<h1>{}</h1>", escape(title));
    let _ = writeln!(
        html,
        "<p>统计期限：{year}年1月1日至{year}年12月31日（表格式：{}）</p>",
        escape(report.template.source()),
        year = report.year
    );
    table3(&mut html, report);
    table4(&mut html, report);
    checks(&mut html, report);
    html.push_str("</body>\n</html>\n");
    html
}

fn table3(html: &mut String, report: &AnnualReport) {
    let _ = writeln!(html, "<h2>{}</h2>", escape(labels::TABLE3_TITLE));
    html.push_str("<table class=\"table3\">\n");
    let _ = writeln!(
        html,
        "<tr><th colspan=\"3\" rowspan=\"3\">{}</th><th colspan=\"7\">{}</th></tr>",
        escape(labels::BALANCE_NOTE),
        escape(labels::APPLICANTS)
    );
    let _ = writeln!(
        html,
        "<tr><th rowspan=\"2\">{}</th><th colspan=\"5\">{}</th><th rowspan=\"2\">{}</th></tr>",
        escape(labels::NATURAL_PERSON),
        escape(labels::LEGAL_PERSON_OR_ORG),
        escape(labels::TOTAL)
    );
    html.push_str("<tr>");
    for column in &ColumnKey::COLUMNS[1..6] {
        let _ = write!(html, "<th>{}</th>", escape(column.label()));
    }
    html.push_str("</tr>\n");

    let block = report.table3.label_block();
    for (i, row) in report.table3.rows.iter().enumerate() {
        html.push_str("<tr>");
        for cell in block.iter().filter(|c| c.row == i) {
            let tag = if cell.col == 0 && cell.col_span == 1 {
                "th"
            } else {
                "td class=\"label\""
            };
            let close = if tag == "th" { "th" } else { "td" };
            html.push('<');
            html.push_str(tag);
            if cell.row_span > 1 {
                let _ = write!(html, " rowspan=\"{}\"", cell.row_span);
            }
            if cell.col_span > 1 {
                let _ = write!(html, " colspan=\"{}\"", cell.col_span);
            }
            let _ = write!(html, ">{}</{close}>", escape(cell.text));
        }
        for (column, value) in ColumnKey::COLUMNS.iter().zip(row.values) {
            let _ = write!(
                html,
                "<td class=\"n\" data-row=\"{}\" data-col=\"{}\">{value}</td>",
                escape(row.key.key()),
                escape(column.key())
            );
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
}

fn table4(html: &mut String, report: &AnnualReport) {
    let _ = writeln!(html, "<h2>{}</h2>", escape(labels::TABLE4_TITLE));
    html.push_str("<table class=\"table4\">\n");
    let _ = writeln!(
        html,
        "<tr><th colspan=\"5\">{}</th><th colspan=\"10\">{}</th></tr>",
        escape(labels::RECONSIDERATION),
        escape(labels::LITIGATION)
    );
    html.push_str("<tr>");
    for column in report
        .table4
        .columns
        .iter()
        .filter(|c| c.group == RemedyGroup::Reconsideration)
    {
        let _ = write!(
            html,
            "<th rowspan=\"2\">{}</th>",
            escape(column.result.label())
        );
    }
    for group in [
        RemedyGroup::LitigationDirect,
        RemedyGroup::LitigationAfterReconsideration,
    ] {
        let sub = group.labels().1.unwrap_or_default();
        let _ = write!(html, "<th colspan=\"5\">{}</th>", escape(sub));
    }
    html.push_str("</tr>\n<tr>");
    for column in report
        .table4
        .columns
        .iter()
        .filter(|c| c.group != RemedyGroup::Reconsideration)
    {
        let _ = write!(html, "<th>{}</th>", escape(column.result.label()));
    }
    html.push_str("</tr>\n<tr>");
    for (column, value) in report.table4.columns.iter().zip(report.table4.values) {
        let _ = write!(
            html,
            "<td class=\"n\" data-row=\"table4\" data-col=\"{}\" title=\"{}\">{value}</td>",
            column.index(),
            escape(&column.full_label())
        );
    }
    html.push_str("</tr>\n</table>\n");
}

fn checks(html: &mut String, report: &AnnualReport) {
    html.push_str("<section class=\"checks\">\n<h2>校验</h2>\n");
    let summary = if report.all_checks_pass() {
        "全部校验通过。"
    } else {
        "有校验未通过：发布前请按所列申请核对。"
    };
    let _ = writeln!(html, "<p>{summary}</p>\n<ul>");
    let mut checks: Vec<_> = report.checks.iter().collect();
    checks.sort_by_key(|c| c.ok);
    for check in checks {
        let (class, verdict) = if check.ok {
            ("ok", "通过")
        } else {
            ("fail", "不通过")
        };
        let _ = write!(
            html,
            "<li class=\"{class}\" data-check=\"{}\"><code>{}</code>：{verdict}",
            escape(&check.name),
            escape(&check.name)
        );
        if let Some(detail) = &check.detail {
            let _ = write!(html, "。{}", escape(detail));
        }
        if !check.case_ids.is_empty() {
            let _ = write!(html, "（申请ID：{}）", join(&check.case_ids));
        }
        if !check.remedy_ids.is_empty() {
            let _ = write!(html, "（复议诉讼ID：{}）", join(&check.remedy_ids));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n</section>\n");
}

fn join(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes text for an HTML text node or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annual::tests::{sample_cases, sample_remedies, sample_report};
    use crate::domain::annual::{AnnualReport, CaseFact, Conclusion, OutcomeRow, Template};

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    #[test]
    fn html_has_every_label_and_number_in_the_official_layout() {
        for template in [Template::Y2021, Template::Y2019] {
            let report = sample_report(template);
            let html = annual_html(&report, "2024年政府信息公开工作年度报告");
            for text in [
                labels::TABLE3_TITLE,
                labels::TABLE4_TITLE,
                "<th colspan=\"3\" rowspan=\"3\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>",
                "<th colspan=\"7\">申请人情况</th>",
                "<th rowspan=\"2\">自然人</th><th colspan=\"5\">法人或其他组织</th><th rowspan=\"2\">总计</th>",
                "<th>商业企业</th><th>科研机构</th><th>社会公益组织</th><th>法律服务机构</th><th>其他</th>",
                "<th colspan=\"5\">行政复议</th><th colspan=\"10\">行政诉讼</th>",
                "<th colspan=\"5\">未经复议直接起诉</th><th colspan=\"5\">复议后起诉</th>",
                "<td class=\"label\" colspan=\"3\">一、本年新收政府信息公开申请数量</td>",
                "<td class=\"label\" colspan=\"3\">四、结转下年度继续办理</td>",
                "<td class=\"label\" colspan=\"2\">（七）总计</td>",
                "<td class=\"label\" rowspan=\"8\">（三）不予公开</td>",
                "<td class=\"label\">3.危及“三安全一稳定”</td>",
            ] {
                assert!(html.contains(text), "{template}: missing {text}");
            }
            let section_rows = if template == Template::Y2021 { 22 } else { 20 };
            assert!(html.contains(&format!(
                "<th rowspan=\"{section_rows}\">三、本年度办理结果</th>"
            )));
            for row in &report.table3.rows {
                assert!(html.contains(&escape(row.label)), "{}", row.label);
                for (column, value) in ColumnKey::COLUMNS.iter().zip(row.values) {
                    let cell = format!(
                        "data-row=\"{}\" data-col=\"{}\">{value}</td>",
                        row.key, column
                    );
                    assert_eq!(count(&html, &cell), 1, "{cell}");
                }
            }
            for (i, value) in report.table4.values.iter().enumerate() {
                let cell = format!("data-row=\"table4\" data-col=\"{i}\"");
                let at = html.find(&cell).unwrap();
                assert!(html[at..].starts_with(&cell));
                let close = html[at..].find("</td>").unwrap();
                assert!(html[at..at + close].ends_with(&format!(">{value}")));
            }
            assert_eq!(count(&html, "<th rowspan=\"2\">结果维持</th>"), 1);
            assert_eq!(count(&html, "<th>结果维持</th>"), 2);
            // Every row of table 三 has 7 numbers and, with the label block, 10 columns.
            assert_eq!(
                count(&html, "<td class=\"n\""),
                report.table3.rows.len() * 7 + 15
            );
        }
    }

    #[test]
    fn html_escapes_the_title_and_case_numbers() {
        let mut cases = sample_cases();
        cases.push(CaseFact {
            case_id: 99,
            case_number: "<b>x</b>&".to_owned(),
            applicant: crate::domain::annual::ApplicantColumn::NaturalPerson,
            received_on: None,
            concluded: Some((
                chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
                Conclusion::Outcome(OutcomeRow::Disclosed),
            )),
        });
        let report =
            AnnualReport::compute(2024, Template::Y2021, &cases, &sample_remedies()).unwrap();
        let html = annual_html(&report, "报告<script>alert(\"x\")</script>");
        assert!(!html.contains("<script>"));
        assert!(
            html.contains("<title>报告&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>")
        );
        assert!(html.contains("<h1>报告&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>"));
        assert!(!html.contains("<b>x</b>"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;&amp;"));
        // The failing check is shown, with its case.
        assert!(html.contains("class=\"fail\" data-check=\"unconfirmed_not_counted\""));
        assert!(html.contains("申请ID：38, 99"));
        assert_eq!(escape("a'b"), "a&#39;b");
    }
}

//! Tables 三 and 四 of the annual report as an HTML page, in the official layout (RULES.md §6:
//! the label block with `rowspan`/`colspan`, the Chinese headers, table 四 below), followed by
//! the checks. Every data cell carries `data-row`/`data-col` (the keys
//! `AnnualReport::cases_behind` takes) so that a page can link a number to its cases.
//!
//! Owns only the view model; the template `templates/report/annual.html` lays it out and the
//! template engine escapes every piece of text.

use minijinja::Value;
use serde::Serialize;

use super::annual_docx::{Doc, HEADINGS, WRITTEN_BY_ORGAN, fee_paragraph};
use super::templates::{self, RenderError};
use crate::domain::annual::{AnnualReport, Check, ColumnKey, LabelCell, RemedyGroup, labels};

/// What the template lays out: the report's numbers and labels in table order.
#[derive(Serialize)]
struct Page<'a> {
    title: &'a str,
    /// With it, each number links to `{link}&row=…&column=…` (the page's drill-down).
    link: Option<&'a str>,
    year: i32,
    source: &'static str,
    table3: Table3View,
    table4: Table4View,
    all_checks_pass: bool,
    /// Failed checks first.
    checks: Vec<&'a Check>,
    /// The published page leaves the checks out (they are the clerk's, not the public's) and
    /// states the period under its title instead of above table 三.
    show_checks: bool,
}

#[derive(Serialize)]
struct Table3View {
    title: &'static str,
    balance_note: &'static str,
    applicants: &'static str,
    natural_person: &'static str,
    legal_person_or_org: &'static str,
    total: &'static str,
    /// The five kinds of legal person or organisation.
    org_columns: Vec<&'static str>,
    rows: Vec<Row3>,
}

#[derive(Serialize)]
struct Row3 {
    key: &'static str,
    /// The label cells that start on this row (`rowspan`/`colspan` from the official layout).
    labels: Vec<LabelCell>,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Cell {
    /// The `data-col` key that `AnnualReport::cases_behind` takes.
    col: String,
    value: i64,
    /// Only in table 四: the cell's full header.
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

#[derive(Serialize)]
struct Table4View {
    title: &'static str,
    reconsideration: &'static str,
    litigation: &'static str,
    reconsideration_results: Vec<&'static str>,
    litigation_groups: Vec<&'static str>,
    litigation_results: Vec<&'static str>,
    cells: Vec<Cell>,
}

/// A complete HTML document (UTF-8).
pub fn render(report: &AnnualReport, title: &str) -> Result<String, RenderError> {
    templates::render("annual.html", page(report, title, None))
}

/// The tables and checks alone, for a page of the web interface: each number links to
/// `{link}&row=…&column=…`.
pub fn body(report: &AnnualReport, title: &str, link: &str) -> Result<String, RenderError> {
    templates::render("_annual_body.html", page(report, title, Some(link)))
}

/// The tables and checks alone without links (a published version: its numbers are not the
/// live cases').
pub fn body_without_links(report: &AnnualReport, title: &str) -> Result<String, RenderError> {
    templates::render("_annual_body.html", page(report, title, None))
}

/// The report as people read it: the template's six headings in order with tables 三 and 四
/// under theirs, section 六's fee figures, printable on A4 (`/static/print.css`).
pub fn published_page(report: &AnnualReport, doc: &Doc<'_>) -> Result<String, RenderError> {
    let tables = templates::render(
        "_annual_body.html",
        page_with(report, doc.title, None, false),
    )?;
    templates::render(
        "annual_page.html",
        minijinja::context! {
            title => doc.title,
            organ => doc.organ,
            status => doc.status,
            headings => HEADINGS,
            written_by_organ => WRITTEN_BY_ORGAN,
            tables => Value::from_safe_string(tables),
            fees => fee_paragraph(report.year, doc.fees),
            period => format!(
                "{y}年1月1日至{y}年12月31日（表格式：{}）",
                report.template.source(),
                y = report.year
            ),
        },
    )
}

fn page(report: &AnnualReport, title: &str, link: Option<&str>) -> Value {
    page_with(report, title, link, true)
}

fn page_with(report: &AnnualReport, title: &str, link: Option<&str>, show_checks: bool) -> Value {
    let mut checks: Vec<&Check> = report.checks.iter().collect();
    checks.sort_by_key(|c| c.ok);
    let page = Page {
        title,
        link,
        year: report.year,
        source: report.template.source(),
        table3: table3(report),
        table4: table4(report),
        all_checks_pass: report.all_checks_pass(),
        checks,
        show_checks,
    };
    Value::from_serialize(&page)
}

/// [`render`] for callers that cannot report an error: the template is embedded and rendered
/// by this module's tests, so a failure is a build defect; it is logged and the page says so.
pub fn annual_html(report: &AnnualReport, title: &str) -> String {
    render(report, title).unwrap_or_else(|e| {
        tracing::error!(error = %e, "annual report page");
        "<!DOCTYPE html>\n<p>年度报告页面生成失败，请联系管理员。</p>\n".to_owned()
    })
}

fn table3(report: &AnnualReport) -> Table3View {
    let block = report.table3.label_block();
    let rows = report
        .table3
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| Row3 {
            key: row.key.key(),
            labels: block.iter().filter(|c| c.row == i).copied().collect(),
            cells: ColumnKey::COLUMNS
                .iter()
                .zip(row.values)
                .map(|(column, value)| Cell {
                    col: column.key().to_owned(),
                    value,
                    title: None,
                })
                .collect(),
        })
        .collect();
    Table3View {
        title: labels::TABLE3_TITLE,
        balance_note: labels::BALANCE_NOTE,
        applicants: labels::APPLICANTS,
        natural_person: labels::NATURAL_PERSON,
        legal_person_or_org: labels::LEGAL_PERSON_OR_ORG,
        total: labels::TOTAL,
        org_columns: ColumnKey::COLUMNS[1..6].iter().map(|c| c.label()).collect(),
        rows,
    }
}

fn table4(report: &AnnualReport) -> Table4View {
    let columns = &report.table4.columns;
    let results = |litigation: bool| {
        columns
            .iter()
            .filter(|c| (c.group != RemedyGroup::Reconsideration) == litigation)
            .map(|c| c.result.label())
            .collect()
    };
    Table4View {
        title: labels::TABLE4_TITLE,
        reconsideration: labels::RECONSIDERATION,
        litigation: labels::LITIGATION,
        reconsideration_results: results(false),
        litigation_groups: [
            RemedyGroup::LitigationDirect,
            RemedyGroup::LitigationAfterReconsideration,
        ]
        .into_iter()
        .map(|g| g.labels().1.unwrap_or_default())
        .collect(),
        litigation_results: results(true),
        cells: columns
            .iter()
            .zip(report.table4.values)
            .map(|(column, value)| Cell {
                col: column.index().to_string(),
                value,
                title: Some(column.full_label()),
            })
            .collect(),
    }
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
                assert!(
                    html.contains(&minijinja::HtmlEscape(row.label).to_string()),
                    "{}",
                    row.label
                );
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
        // The engine writes / as &#x2f; (the same text to a browser).
        assert!(
            html.contains(
                "<title>报告&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt;</title>"
            )
        );
        assert!(
            html.contains("<h1>报告&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt;</h1>")
        );
        assert!(!html.contains("<b>x</b>"));
        assert!(html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;&amp;"));
        // The failing check is shown, with its case.
        assert!(html.contains("class=\"fail\" data-check=\"unconfirmed_not_counted\""));
        assert!(html.contains("申请ID：38, 99"));
    }
}

//! A simple table model rendered as CSV (UTF-8 with BOM, so Excel reads Chinese) or as an
//! .xlsx workbook with one sheet per table and Chinese headers.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(Option<NaiveDate>),
    /// A fraction in [0, 1]: a percentage in Excel, the fraction in CSV; empty when `None`.
    Rate(Option<f64>),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        Cell::Text(s.unwrap_or_default())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Self {
        Cell::Date(d)
    }
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::Rate(r) => r.map(|r| r.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet name (at most 31 characters in Excel).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: &str, headers: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }
}

/// CSV injection (OWASP "CSV Injection"): a text cell starting with `= + - @`, tab or CR
/// is read as a formula by spreadsheets; a leading `'` makes it text. Numbers and dates are
/// written by the program and are never prefixed (a negative count stays a number).
fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The first table as CSV (RFC 4180 quoting, CRLF line ends, UTF-8 BOM).
pub fn csv(table: &Table) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out.push_str(&line(table.headers.iter().map(|h| neutralise(h)).collect()));
    for row in &table.rows {
        let cells = row.iter().map(|c| match c {
            Cell::Text(s) => neutralise(s),
            other => other.text(),
        });
        out.push_str(&line(cells.collect()));
    }
    out
}

/// All tables as one workbook, one sheet each; dates are real Excel dates.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let percent = Format::new().set_num_format("0.00%");
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name.chars().take(31).collect::<String>())?;
        for (c, h) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col(c), h, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => sheet.write_string(r, col(c), s).map(drop)?,
                    #[expect(
                        clippy::cast_precision_loss,
                        reason = "report counts are far below 2^53"
                    )]
                    Cell::Int(n) => sheet.write_number(r, col(c), *n as f64).map(drop)?,
                    Cell::Date(Some(d)) => sheet
                        .write_datetime_with_format(r, col(c), d, &date)
                        .map(drop)?,
                    Cell::Rate(Some(x)) => sheet
                        .write_number_with_format(r, col(c), *x, &percent)
                        .map(drop)?,
                    Cell::Date(None) | Cell::Rate(None) => {}
                }
            }
        }
        sheet.autofit();
    }
    book.save_to_buffer()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A download of tables: CSV (the first table) or a workbook of all of them. The JSON API
/// and the pages answer the same bytes under the same name.
pub struct Download {
    pub content_type: &'static str,
    pub filename: String,
    pub bytes: Vec<u8>,
}

pub fn download(tables: &[Table], name: &str, as_xlsx: bool) -> Result<Download, XlsxError> {
    Ok(if as_xlsx {
        Download {
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename: format!("{name}.xlsx"),
            bytes: xlsx(tables)?,
        }
    } else {
        Download {
            content_type: "text/csv; charset=utf-8",
            filename: format!("{name}.csv"),
            bytes: tables.first().map(csv).unwrap_or_default().into_bytes(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_bom() {
        let mut t = Table::new("s", &["名称", "数量"]);
        t.rows.push(vec!["a,\"b\"".into(), 3.into()]);
        assert_eq!(csv(&t), "\u{feff}名称,数量\r\n\"a,\"\"b\"\"\",3\r\n");
    }

    #[test]
    fn csv_neutralises_formulas() {
        let mut t = Table::new("s", &["=H", "n"]);
        for s in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "ok",
        ] {
            t.rows.push(vec![s.into(), (-3).into()]);
        }
        let out = csv(&t);
        let lines: Vec<&str> = out.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "'=H,n");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\",-3");
        assert_eq!(lines[2], "'+1,-3");
        assert_eq!(lines[3], "'-2,-3");
        assert_eq!(lines[4], "'@SUM(A1),-3");
        assert_eq!(lines[5], "'\tx,-3");
        assert_eq!(lines[6], "\"'\rx\",-3");
        assert_eq!(lines[7], "ok,-3");
    }
}

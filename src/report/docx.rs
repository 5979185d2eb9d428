//! The reply letter as a .docx (officials finish letters in WPS or Word): the parts a
//! WordprocessingML package needs, laid out after GB/T 9704-2012 — A4, margins 37/35/28/26
//! mm, body 3号 仿宋 (16 pt) with fixed 28.95 pt lines (22 lines a page), title 2号 小标宋
//! (22 pt) centred, 文号 centred under the heading, the date right-aligned. Other documents
//! (the annual report) reuse its paragraphs, tables and package.

use std::io::Write;

use zip::write::SimpleFileOptions;

/// One letter to lay out.
pub struct Letter<'a> {
    pub organ: &'a str,
    pub doc_number: Option<&'a str>,
    pub title: &'a str,
    /// The body, one paragraph per line; the first is the addressee (主送) line.
    pub body: &'a str,
    pub date: &'a str,
}

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A paragraph: `jc` alignment, font, half-points size, first-line indent in chars*100.
pub(crate) fn para(text: &str, jc: &str, font: &str, half_points: u32, indent: u32) -> String {
    let ind = if indent > 0 {
        format!("<w:ind w:firstLineChars=\"{indent}\"/>")
    } else {
        String::new()
    };
    format!(
        "<w:p><w:pPr><w:jc w:val=\"{jc}\"/><w:spacing w:line=\"579\" w:lineRule=\"exact\"/>{ind}</w:pPr>\
<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\"/><w:sz w:val=\"{half_points}\"/></w:rPr>\
<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        esc(text)
    )
}

fn document(l: &Letter) -> String {
    let mut body = String::new();
    body.push_str(&para(l.organ, "center", "方正小标宋简体", 44, 0));
    body.push_str(&para("", "left", "仿宋_GB2312", 32, 0));
    if let Some(n) = l.doc_number {
        body.push_str(&para(n, "center", "仿宋_GB2312", 32, 0));
    }
    body.push_str(&para("", "left", "仿宋_GB2312", 32, 0));
    body.push_str(&para(l.title, "center", "方正小标宋简体", 44, 0));
    body.push_str(&para("", "left", "仿宋_GB2312", 32, 0));
    for (i, line) in l.body.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        // The addressee line is flush left; body paragraphs indent two characters.
        let indent = if i == 0 { 0 } else { 200 };
        body.push_str(&para(line, "both", "仿宋_GB2312", 32, indent));
    }
    body.push_str(&para("", "left", "仿宋_GB2312", 32, 0));
    body.push_str(&para(l.organ, "right", "仿宋_GB2312", 32, 0));
    body.push_str(&para(l.date, "right", "仿宋_GB2312", 32, 0));
    wrap(&body)
}

/// A table of text cells, borders on every cell, `header_rows` rows in bold; cell text
/// 小四 (12 pt) so that the annual report's 15 columns fit the type area.
pub(crate) fn table(rows: &[Vec<String>], header_rows: usize) -> String {
    let mut t = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/>\
<w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
</w:tblBorders></w:tblPr>",
    );
    for (i, row) in rows.iter().enumerate() {
        t.push_str("<w:tr>");
        for cell in row {
            let bold = if i < header_rows { "<w:b/>" } else { "" };
            t.push_str(&format!(
                "<w:tc><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr>{bold}<w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"21\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                esc(cell)
            ));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

/// `word/document.xml` around a body of paragraphs and tables: A4, GB/T 9704 margins.
fn wrap(body: &str) -> String {
    // A4 in twentieths of a point; margins top 37 mm, bottom 35, left 28, right 26.
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
</w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

/// The letter as .docx bytes.
pub fn letter(l: &Letter) -> Result<Vec<u8>, String> {
    package(document(l))
}

/// A document of paragraphs and tables (`para`, `table`) as .docx bytes.
pub(crate) fn document_of(body: &str) -> Result<Vec<u8>, String> {
    package(wrap(body))
}

fn package(document: String) -> Result<Vec<u8>, String> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default();
        for (name, content) in [
            ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
            ("_rels/.rels", RELS.to_owned()),
            ("word/document.xml", document),
        ] {
            z.start_file(name, opts).map_err(|e| e.to_string())?;
            z.write_all(content.as_bytes()).map_err(|e| e.to_string())?;
        }
        z.finish().map_err(|e| e.to_string())?;
    }
    Ok(buf.into_inner())
}

/// Whether a line is a letter's date as written at its foot (`2026年12月4日`).
pub fn is_letter_date(line: &str) -> bool {
    let l = line.trim();
    l.ends_with('日') && l.contains('年') && l.contains('月') && l.chars().count() <= 12
}

/// A stored letter's text split for layout: its title line and the lines between the
/// title and the closing (organ and date), which the layout draws from the reply record.
/// A text without a recognisable title is all body.
pub fn split_letter(text: &str) -> (Option<String>, Vec<String>) {
    const TITLES: [&str; 2] = ["政府信息公开申请答复书", "关于政府信息公开申请的答复"];
    let lines: Vec<&str> = text.lines().collect();
    let Some(t) = lines.iter().position(|l| TITLES.contains(&l.trim())) else {
        return (
            None,
            lines.iter().map(|l| l.trim_end().to_owned()).collect(),
        );
    };
    let mut body: Vec<&str> = lines[t + 1..].to_vec();
    // Drop the closing: trailing blanks, the date, then the signing organ.
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    if body.last().is_some_and(|l| is_letter_date(l)) {
        body.pop();
        if body.last().is_some_and(|l| {
            !l.trim().is_empty() && !l.trim().ends_with('。') && l.trim().chars().count() <= 30
        }) {
            body.pop();
        }
    }
    while body.first().is_some_and(|l| l.trim().is_empty()) {
        body.remove(0);
    }
    (
        Some(lines[t].trim().to_owned()),
        body.iter().map(|l| l.trim_end().to_owned()).collect(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Read;

    /// The `word/document.xml` of a .docx made here.
    pub(crate) fn document_xml(bytes: Vec<u8>) -> String {
        let mut z =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let mut doc = String::new();
        z.by_name("word/document.xml")
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut doc)
            .unwrap_or_default();
        doc
    }

    #[test]
    fn the_letter_is_a_docx_with_its_text_escaped() {
        let bytes = letter(&Letter {
            organ: "某市自然资源局",
            doc_number: Some("某自然信复〔2026〕15号"),
            title: "政府信息公开申请答复书",
            body: "张三：\n本机关于2026年3月2日收到您的申请<A&B>。",
            date: "2026年3月20日",
        })
        .unwrap_or_default();
        let doc = document_xml(bytes);
        assert!(doc.contains("某自然信复〔2026〕15号"));
        assert!(doc.contains("&lt;A&amp;B&gt;"));
        assert!(doc.contains("w:w=\"11906\""));
    }
}

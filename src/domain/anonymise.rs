//! Anonymising a case's texts for the typical-case library (RULES.md §9, seed 002 案例库):
//! the applicant's name, ID numbers, phone numbers, addresses and e-mail addresses are
//! replaced by a bracketed word saying what was there. Pure: the caller passes the texts
//! and what the case record knows about the people in it.
//!
//! Two sources: the facts the record holds (the applicant's name, address, phone, e-mail,
//! ID number — removed wherever they occur, whatever their form), and patterns for what a
//! letter may hold beyond the record (18- and 15-digit ID numbers, mobile and landline
//! numbers, e-mail addresses, street addresses ending in a house number). A name that is
//! not in the record cannot be found by pattern; the person publishing reviews the result.

/// What the case record knows, each removed wherever it occurs.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub names: Vec<String>,
    pub addresses: Vec<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub id_numbers: Vec<String>,
}

pub const NAME: &str = "【姓名】";
pub const ID_NUMBER: &str = "【身份证号】";
pub const PHONE: &str = "【电话】";
pub const ADDRESS: &str = "【地址】";
pub const EMAIL: &str = "【电子邮箱】";

/// The text with every known fact and every pattern match replaced.
pub fn anonymise(text: &str, known: &Known) -> String {
    let mut out = text.to_owned();
    // Longest first: an address may contain a shorter known string.
    let mut facts: Vec<(&str, &str)> = Vec::new();
    for (list, word) in [
        (&known.addresses, ADDRESS),
        (&known.emails, EMAIL),
        (&known.id_numbers, ID_NUMBER),
        (&known.phones, PHONE),
        (&known.names, NAME),
    ] {
        facts.extend(
            list.iter()
                .map(|s| s.trim())
                .filter(|s| s.chars().count() >= 2)
                .map(|s| (s, word)),
        );
    }
    facts.sort_by_key(|(s, _)| std::cmp::Reverse(s.chars().count()));
    for (fact, word) in facts {
        out = replace_spaced(&out, fact, word);
    }
    let out = replace_emails(&out);
    let out = replace_digit_runs(&out);
    replace_addresses(&out)
}

/// Blanks a letter may put between the characters of a name or number (张　伟, 张 伟).
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\t' | '\u{a0}')
}

/// Every occurrence of `fact` in `text` replaced by `word`, blanks between its characters
/// allowed: a two-character name is often padded to three (张　伟).
fn replace_spaced(text: &str, fact: &str, word: &str) -> String {
    let pattern: Vec<char> = fact.chars().filter(|c| !is_blank(*c)).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = spaced_match(&chars, i, &pattern) {
            out.push_str(word);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The end of `pattern` matched at `at`, blanks allowed between (not before) its characters.
fn spaced_match(chars: &[char], at: usize, pattern: &[char]) -> Option<usize> {
    let mut i = at;
    for (k, p) in pattern.iter().enumerate() {
        if k > 0 {
            while i < chars.len() && is_blank(chars[i]) {
                i += 1;
            }
        }
        if chars.get(i) != Some(p) {
            return None;
        }
        i += 1;
    }
    (!pattern.is_empty()).then_some(i)
}

/// A full-width form (１, －, ＠, （, the ideographic space) as its ASCII twin, for the
/// patterns only: the text keeps its own characters.
fn narrow(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

fn is_email_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '%')
}

/// `local@domain.tld` → 【电子邮箱】.
fn replace_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n: Vec<char> = chars.iter().copied().map(narrow).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if n[i] == '@' {
            let mut start = i;
            while start > 0 && is_email_char(n[start - 1]) {
                start -= 1;
            }
            let mut end = i + 1;
            while end < n.len() && is_email_char(n[end]) {
                end += 1;
            }
            let domain: String = n[i + 1..end].iter().collect();
            let domain = domain.trim_end_matches('.');
            if start < i && domain.contains('.') {
                // Drop the local part already copied.
                let local = i - start;
                for _ in 0..local {
                    out.pop();
                }
                out.push_str(EMAIL);
                // Keep a sentence's full stop after the address.
                let kept = end - (i + 1) - domain.chars().count();
                i = end - kept;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Runs of digits that are ID numbers or phone numbers: 17 digits and a digit or X (18-digit
/// ID), 15 digits (old ID), 11 digits from 13–19 (mobile, also after 86), 0 + area code +
/// 7–8 digits (landline). A number may be written in groups joined by one hyphen or space,
/// its area code in brackets, in full-width digits. Groups are joined only as far as they
/// make a number (longest first), so a number followed on the line by another number or a
/// year is still found; a group that starts none is kept as it is.
fn replace_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n: Vec<char> = chars.iter().copied().map(narrow).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < n.len() {
        let boundary = i == 0 || !n[i - 1].is_ascii_alphanumeric();
        let opens = n[i] == '(' && n.get(i + 1) == Some(&'0');
        if boundary && (n[i].is_ascii_digit() || opens) {
            let groups = digit_groups(&n, i);
            if let Some((end, word, country)) = first_number(&n, &groups) {
                // "+86 138…": the plus goes with the number.
                if country && out.ends_with(['+', '＋']) {
                    out.pop();
                }
                out.push_str(word);
                i = end;
                continue;
            }
            let end = groups.first().map_or(i + 1, |g| g.1);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The digit groups of a run starting at `at`: (first index, end, digits), the first one
/// possibly an area code in brackets; groups are joined by one hyphen or space (or the
/// closing bracket and at most one of them).
fn digit_groups(n: &[char], at: usize) -> Vec<(usize, usize, String)> {
    let mut groups: Vec<(usize, usize, String)> = Vec::new();
    let mut i = at;
    let bracket = n[i] == '(';
    if bracket {
        i += 1;
    }
    let mut total = 0;
    loop {
        let start = i;
        let mut digits = String::new();
        while i < n.len() && n[i].is_ascii_digit() {
            digits.push(n[i]);
            i += 1;
        }
        if digits.is_empty() {
            break;
        }
        total += digits.len();
        groups.push((if groups.is_empty() { at } else { start }, i, digits));
        if total >= 24 {
            break;
        }
        let mut j = i;
        if bracket && groups.len() == 1 {
            if n.get(j) != Some(&')') {
                // An unclosed bracket is no area code.
                return Vec::new();
            }
            j += 1;
            if matches!(n.get(j), Some('-' | ' ')) {
                j += 1;
            }
        } else if matches!(n.get(j), Some('-' | ' ')) {
            j += 1;
        } else {
            break;
        }
        if !n.get(j).is_some_and(char::is_ascii_digit) {
            break;
        }
        i = j;
    }
    groups
}

/// The longest run of leading groups that is a number: its end, the word, and whether it
/// carried the country code 86.
fn first_number(
    n: &[char],
    groups: &[(usize, usize, String)],
) -> Option<(usize, &'static str, bool)> {
    for k in (0..groups.len()).rev() {
        let mut digits: String = groups[..=k].iter().map(|g| g.2.as_str()).collect();
        let mut end = groups[k].1;
        // An 18-digit ID may end in X.
        if digits.len() == 17 && matches!(n.get(end), Some('X' | 'x')) {
            digits.push('X');
            end += 1;
        }
        if n.get(end).is_some_and(char::is_ascii_alphanumeric) {
            continue;
        }
        if let Some(word) = classify(&digits) {
            return Some((end, word, false));
        }
        if digits.len() == 13 && digits.starts_with("86") && classify(&digits[2..]) == Some(PHONE) {
            return Some((end, PHONE, true));
        }
    }
    None
}

fn classify(digits: &str) -> Option<&'static str> {
    let n = digits.len();
    let b = digits.as_bytes();
    if n == 18 && b[..17].iter().all(u8::is_ascii_digit) && looks_like_birth(&digits[6..14]) {
        return Some(ID_NUMBER);
    }
    if n == 15 && looks_like_birth(&format!("19{}", &digits[6..12])) {
        return Some(ID_NUMBER);
    }
    if n == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Some(PHONE);
    }
    if (10..=12).contains(&n) && b[0] == b'0' && b[1] != b'0' {
        return Some(PHONE);
    }
    None
}

/// `YYYYMMDD` that could be a date of birth.
fn looks_like_birth(s: &str) -> bool {
    let (Ok(y), Ok(m), Ok(d)) = (
        s[..4].parse::<u32>(),
        s[4..6].parse::<u32>(),
        s[6..8].parse::<u32>(),
    ) else {
        return false;
    };
    (1900..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// A street address: a run of Chinese characters and digits holding a road, street, lane or
/// village and ending in a house number (…路12号, …村3组5号, …街8号2栋301室).
fn replace_addresses(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_part = |c: char| {
        let c = narrow(c);
        is_cjk(c) || c.is_ascii_digit() || c == '-'
    };
    // What is written so far, and where the run of address characters before its end
    // starts (at most 40 back).
    let run_before = |out: &str| {
        let copied: Vec<char> = out.chars().collect();
        let mut start = copied.len();
        while start > 0 && copied.len() - start < 40 && is_part(copied[start - 1]) {
            start -= 1;
        }
        (copied, start)
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // A flat without a house number: …花园5栋2单元301室.
        if chars[i] == '室' {
            let (copied, start) = run_before(&out);
            let run: String = copied[start..].iter().collect();
            let (lead, run) = split_lead(&run);
            let flat = run
                .chars()
                .last()
                .is_some_and(|c| narrow(c).is_ascii_digit())
                && (run.contains(['栋', '幢']) || run.contains("单元"));
            if flat && run.chars().count() >= 4 {
                out = copied[..start].iter().collect::<String>() + lead;
                out.push_str(ADDRESS);
                i += 1;
                continue;
            }
        }
        if chars[i] == '号' {
            // Extend past 栋/单元/室 parts: 8号2栋301室.
            let mut end = i + 1;
            let mut j = end;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || matches!(chars[j], '栋' | '幢' | '单' | '元' | '室' | '楼' | '层'))
            {
                j += 1;
                if matches!(chars[j - 1], '室' | '栋' | '幢' | '层' | '元') {
                    end = j;
                }
            }
            // Back over the run before 号: at most 40 characters, starting after
            // punctuation, a space, or a word that introduces an address.
            let (copied, start) = run_before(&out);
            let run: String = copied[start..].iter().collect();
            let (lead, run) = split_lead(&run);
            let has_digit_before = run
                .chars()
                .last()
                .is_some_and(|c| narrow(c).is_ascii_digit() || is_cn_numeral(c));
            let has_way = run.chars().any(|c| {
                matches!(
                    c,
                    '路' | '街' | '巷' | '道' | '村' | '弄' | '里' | '组' | '区' | '镇'
                )
            });
            if has_digit_before && has_way && run.chars().count() >= 4 {
                let keep: String = copied[..start].iter().collect::<String>() + lead;
                out = keep;
                out.push_str(ADDRESS);
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A run's leading words that introduce an address rather than belong to it.
fn split_lead(run: &str) -> (&str, &str) {
    for lead in [
        "家住",
        "住址为",
        "住址",
        "地址为",
        "地址",
        "住所地",
        "住",
        "位于",
        "寄至",
        "送达至",
    ] {
        if let Some(pos) = run.rfind(lead) {
            let cut = pos + lead.len();
            return (&run[..cut], &run[cut..]);
        }
    }
    ("", run)
}

fn is_cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百'
    )
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            names: vec!["张伟".into()],
            addresses: vec!["南宁市青秀区民族大道100号".into()],
            phones: vec!["13807710001".into()],
            emails: vec!["zhangwei@example.com".into()],
            id_numbers: vec!["450103198501011234".into()],
        }
    }

    #[test]
    fn a_letter_loses_the_name_the_id_number_and_the_mobile_number() {
        let text = "张伟：\n本机关于2026年11月16日收到您（身份证号450103198501011234，\
                    联系电话13807710001）提出的政府信息公开申请。张伟同志所申请的信息予以公开。";
        let out = anonymise(text, &known());
        for gone in ["张伟", "450103198501011234", "13807710001"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(out.starts_with("【姓名】：\n本机关于2026年11月16日收到您（身份证号【身份证号】"));
        assert!(out.contains("联系电话【电话】"));
        // Dates and document numbers stay.
        assert!(out.contains("2026年11月16日"));
    }

    #[test]
    fn patterns_catch_what_the_record_does_not_hold() {
        let none = Known::default();
        let text = "另一申请人身份证号11010519491231002X，手机 139-0771-2345，\
                    电话0771-5551234，邮箱 li.si+ogi@mail.gx.cn。住址：南宁市兴宁区朝阳路12号3栋501室。\
                    文号南交信复〔2026〕12号，共3件，2026年第10号公告。";
        let out = anonymise(text, &none);
        for gone in [
            "11010519491231002X",
            "139-0771-2345",
            "0771-5551234",
            "li.si+ogi@mail.gx.cn",
            "朝阳路12号",
            "501室",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(out.contains("邮箱 【电子邮箱】。"), "{out}");
        assert!(out.contains("住址：【地址】。"), "{out}");
        // A document number, counts and years are no address or phone.
        assert!(out.contains("南交信复〔2026〕12号"), "{out}");
        assert!(out.contains("共3件"));
        assert!(out.contains("2026年第10号公告"), "{out}");
    }

    #[test]
    fn known_facts_go_wherever_they_occur_longest_first() {
        let out = anonymise(
            "请寄至南宁市青秀区民族大道100号，或发送至zhangwei@example.com。",
            &known(),
        );
        assert_eq!(out, "请寄至【地址】，或发送至【电子邮箱】。");
    }

    #[test]
    fn numbers_as_people_write_them_are_found() {
        let none = Known::default();
        for (text, want) in [
            ("电话（0771）5551234。", "电话【电话】。"),
            ("电话(0771) 5551234。", "电话【电话】。"),
            ("手机１３９７７１２３４５６。", "手机【电话】。"),
            ("手机+86 139 7712 3456。", "手机【电话】。"),
            ("电话0771-5551234 13977123456。", "电话【电话】 【电话】。"),
            ("电话13977123456 2026年", "电话【电话】 2026年"),
            ("电话0771-5551234-8001。", "电话【电话】-8001。"),
            ("身份证 450103 19850101 1234。", "身份证 【身份证号】。"),
            ("现住阳光花园5栋2单元301室。", "现住【地址】。"),
        ] {
            assert_eq!(anonymise(text, &none), want, "{text}");
        }
    }

    #[test]
    fn a_known_name_is_found_with_blanks_inside() {
        let known = Known {
            names: vec!["张伟".into()],
            ..Known::default()
        };
        assert_eq!(
            anonymise("张　伟：张 伟同志", &known),
            "【姓名】：【姓名】同志"
        );
    }

    #[test]
    fn numbers_that_are_not_personal_stay() {
        let none = Known::default();
        for keep in [
            "预算金额12345678元",
            "第20个工作日",
            "编号2026-0001",
            "统一社会信用代码11450100000000000X",
            "2026-11-22 第3号",
            "（2026）桂01行初12号",
        ] {
            assert_eq!(anonymise(keep, &none), keep);
        }
    }
}

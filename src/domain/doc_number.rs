//! 发文字号 (文号) of a reply: `桂政办信复〔2020〕15号`, i.e. 机关代字 + year in 〔〕 + sequence +
//! 号 (GB/T 9704-2012 §7.2.5: "年份应标全称，用六角括号〔〕括入；发文顺序号不加‘第’字，不编虚位
//! （即1不编为01），在阿拉伯数字后加‘号’字"; 《党政机关公文处理工作条例》第九条第五项).
//!
//! Owns: parsing raw numbers into [`DocNumber`], saying what is wrong with a malformed one,
//! and formatting numbers for auto-numbering. Must not touch: IO, the clock, the register of
//! numbers already used (the caller passes those to the checker).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A well-formed 文号.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocNumber {
    /// 机关代字, e.g. `桂政办信复`.
    pub code: String,
    /// The full year, e.g. 2020.
    pub year: i32,
    /// 发文顺序号, from 1.
    pub seq: u32,
}

/// What is wrong with a 文号. `code()` is stable; the `Display` text is for clerks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocNumberProblem {
    #[error("文号为空")]
    Empty,
    #[error("缺少机关代字")]
    MissingCode,
    #[error("缺少年份（应为用六角括号括入的四位年份，如〔2020〕）")]
    MissingYear,
    #[error("年份“{found}”不规范：应标全称四位阿拉伯数字，如〔2020〕")]
    MalformedYear { found: String },
    #[error("年份使用了“{found}”括号，应使用六角括号〔〕")]
    WrongBrackets { found: String },
    #[error("年份未用六角括号〔〕括入")]
    MissingBrackets,
    #[error("发文顺序号前不加“第”字")]
    HasDi,
    #[error("发文顺序号“{found}”不规范：从1起编，不编虚位（1不编为01）")]
    LeadingZero { found: String },
    #[error("缺少发文顺序号")]
    MissingSeq,
    #[error("发文顺序号“{found}”应为阿拉伯数字")]
    NonNumericSeq { found: String },
    #[error("发文顺序号后缺少“号”字")]
    MissingHao,
    #[error("“号”字后有多余内容“{found}”")]
    TrailingText { found: String },
}

impl DocNumberProblem {
    pub fn code(&self) -> &'static str {
        match self {
            DocNumberProblem::Empty => "empty",
            DocNumberProblem::MissingCode => "missing_code",
            DocNumberProblem::MissingYear => "missing_year",
            DocNumberProblem::MalformedYear { .. } => "malformed_year",
            DocNumberProblem::WrongBrackets { .. } => "wrong_brackets",
            DocNumberProblem::MissingBrackets => "missing_brackets",
            DocNumberProblem::HasDi => "has_di",
            DocNumberProblem::LeadingZero { .. } => "leading_zero",
            DocNumberProblem::MissingSeq => "missing_seq",
            DocNumberProblem::NonNumericSeq { .. } => "non_numeric_seq",
            DocNumberProblem::MissingHao => "missing_hao",
            DocNumberProblem::TrailingText { .. } => "trailing_text",
        }
    }
}

// ﹝﹞ (small brackets) are the usual IME slip for 〔〕.
const OPEN: &[char] = &[
    '〔', '﹝', '[', '(', '【', '（', '［', '〈', '《', '{', '「', '『', '〖', '<',
];
const CLOSE: &[char] = &[
    '〕', '﹞', ']', ')', '】', '）', '］', '〉', '》', '}', '」', '』', '〗', '>',
];
const CN_DIGITS: &[char] = &[
    '零', '〇', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千',
];

impl DocNumber {
    /// Parses a 文号, reporting the first problem found. See [`diagnose`](Self::diagnose) for
    /// all of them.
    pub fn parse(raw: &str) -> Result<DocNumber, DocNumberProblem> {
        Self::diagnose(raw).map_err(|problems| {
            problems
                .into_iter()
                .next()
                .unwrap_or(DocNumberProblem::Empty)
        })
    }

    /// Parses a 文号, or lists everything wrong with it (in reading order), so that a clerk
    /// fixes a number once. Whitespace is ignored and full-width digits are read as digits:
    /// neither changes what the number says.
    pub fn diagnose(raw: &str) -> Result<DocNumber, Vec<DocNumberProblem>> {
        let s: Vec<char> = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' => {
                    char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
                }
                c => c,
            })
            .collect();
        if s.is_empty() {
            return Err(vec![DocNumberProblem::Empty]);
        }
        let mut problems = Vec::new();
        let Some(split) = split_year(&s, &mut problems) else {
            return Err(problems);
        };
        if split.code.is_empty() {
            // Before the year problems: reading order.
            problems.insert(0, DocNumberProblem::MissingCode);
        }
        let seq = parse_seq(split.rest, &mut problems);
        match (split.year, seq, problems.is_empty()) {
            (Some(year), Some(seq), true) => Ok(DocNumber {
                code: split.code.iter().collect(),
                year,
                seq,
            }),
            _ => Err(problems),
        }
    }

    /// The canonical form, for auto-numbering: `{code}〔{year}〕{seq}号`.
    pub fn format(code: &str, year: i32, seq: u32) -> String {
        format!("{code}〔{year}〕{seq}号")
    }
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Self::format(&self.code, self.year, self.seq))
    }
}

struct Split<'a> {
    code: &'a [char],
    year: Option<i32>,
    rest: &'a [char],
}

/// Finds the year: inside the first bracket pair, or else the first run of four digits.
fn split_year<'a>(s: &'a [char], problems: &mut Vec<DocNumberProblem>) -> Option<Split<'a>> {
    if let Some(open) = s.iter().position(|c| OPEN.contains(c)) {
        let Some(close) = s[open..]
            .iter()
            .position(|c| CLOSE.contains(c))
            .map(|i| i + open)
        else {
            problems.push(DocNumberProblem::MalformedYear {
                found: s[open..].iter().collect(),
            });
            return None;
        };
        let (o, c) = (s[open], s[close]);
        if (o, c) != ('〔', '〕') {
            problems.push(DocNumberProblem::WrongBrackets {
                found: format!("{o}{c}"),
            });
        }
        let inside = &s[open + 1..close];
        let digits: String = inside.iter().take_while(|c| c.is_ascii_digit()).collect();
        let year = if inside.is_empty() || !inside.iter().any(char::is_ascii_digit) {
            problems.push(DocNumberProblem::MissingYear);
            None
        } else if digits.len() == 4 && digits.len() == inside.len() {
            year_value(&digits, problems)
        } else {
            // "〔20〕", "〔2020年〕": say so, but keep a four-digit year for the later checks.
            problems.push(DocNumberProblem::MalformedYear {
                found: inside.iter().collect(),
            });
            if digits.len() == 4 {
                digits.parse().ok()
            } else {
                None
            }
        };
        return Some(Split {
            code: &s[..open],
            year,
            rest: &s[close + 1..],
        });
    }
    let Some(first) = s.iter().position(char::is_ascii_digit) else {
        problems.push(DocNumberProblem::MissingYear);
        // No digits at all: the sequence (if any) starts at 第 or at a Chinese numeral.
        let start = s
            .iter()
            .position(|c| *c == '第')
            .or_else(|| trailing_cn_numeral_start(s))
            .unwrap_or(s.len());
        return Some(Split {
            code: &s[..start],
            year: None,
            rest: &s[start..],
        });
    };
    let run = s[first..].iter().take_while(|c| c.is_ascii_digit()).count();
    let head: String = s[first..first + run.min(4)].iter().collect();
    let looks_like_year = run >= 4 && (head.starts_with("19") || head.starts_with("20"));
    if !looks_like_year {
        problems.push(DocNumberProblem::MissingYear);
        let start = if first > 0 && s[first - 1] == '第' {
            first - 1
        } else {
            first
        };
        return Some(Split {
            code: &s[..start],
            year: None,
            rest: &s[start..],
        });
    }
    problems.push(DocNumberProblem::MissingBrackets);
    let year = year_value(&head, problems);
    let mut after = first + 4;
    // "2020年15号", "2020-15号": the separator stands where the brackets should be.
    if run == 4 && matches!(s.get(after), Some('年' | '-' | '—' | '/' | '_' | '.')) {
        after += 1;
    }
    Some(Split {
        code: &s[..first],
        year,
        rest: &s[after..],
    })
}

fn trailing_cn_numeral_start(s: &[char]) -> Option<usize> {
    let end = if s.last() == Some(&'号') {
        s.len() - 1
    } else {
        s.len()
    };
    let len = s[..end]
        .iter()
        .rev()
        .take_while(|c| CN_DIGITS.contains(c))
        .count();
    (len > 0).then(|| end - len)
}

fn year_value(digits: &str, problems: &mut Vec<DocNumberProblem>) -> Option<i32> {
    match digits.parse::<i32>() {
        Ok(y) if (1900..=2999).contains(&y) => Some(y),
        _ => {
            problems.push(DocNumberProblem::MalformedYear {
                found: digits.to_owned(),
            });
            None
        }
    }
}

/// Reads `[第] digits 号` after the year.
fn parse_seq(rest: &[char], problems: &mut Vec<DocNumberProblem>) -> Option<u32> {
    let mut i = 0;
    if rest.first() == Some(&'第') {
        problems.push(DocNumberProblem::HasDi);
        i = 1;
    }
    let digits: String = rest[i..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let mut seq = None;
    if digits.is_empty() {
        let cn: String = rest[i..]
            .iter()
            .take_while(|c| CN_DIGITS.contains(c))
            .collect();
        if cn.is_empty() {
            problems.push(DocNumberProblem::MissingSeq);
        } else {
            i += cn.chars().count();
            problems.push(DocNumberProblem::NonNumericSeq { found: cn });
        }
    } else {
        i += digits.len();
        if digits.starts_with('0') {
            problems.push(DocNumberProblem::LeadingZero {
                found: digits.clone(),
            });
        }
        match digits.parse::<u32>() {
            Ok(n) => seq = Some(n),
            Err(_) => problems.push(DocNumberProblem::NonNumericSeq {
                found: digits.clone(),
            }),
        }
    }
    let tail = &rest[i..];
    match tail.iter().position(|c| *c == '号') {
        None if tail.is_empty() => problems.push(DocNumberProblem::MissingHao),
        None => {
            problems.push(DocNumberProblem::NonNumericSeq {
                found: format!("{digits}{}", tail.iter().collect::<String>()),
            });
            problems.push(DocNumberProblem::MissingHao);
        }
        Some(pos) => {
            if pos > 0 {
                // "15-1号", "15之一号": the sequence is not a plain number.
                problems.push(DocNumberProblem::NonNumericSeq {
                    found: format!("{digits}{}", tail[..pos].iter().collect::<String>()),
                });
            }
            if pos + 1 < tail.len() {
                problems.push(DocNumberProblem::TrailingText {
                    found: tail[pos + 1..].iter().collect(),
                });
            }
        }
    }
    seq
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codes(raw: &str) -> Vec<&'static str> {
        match DocNumber::diagnose(raw) {
            Ok(_) => vec![],
            Err(p) => p.iter().map(DocNumberProblem::code).collect(),
        }
    }

    #[test]
    fn parses_a_well_formed_number() {
        let n = DocNumber::parse("桂政办信复〔2020〕15号").unwrap();
        assert_eq!(n.code, "桂政办信复");
        assert_eq!(n.year, 2020);
        assert_eq!(n.seq, 15);
        assert_eq!(n.to_string(), "桂政办信复〔2020〕15号");
        // Spaces and full-width digits do not change the number.
        assert_eq!(
            DocNumber::parse(" 桂政办信复〔２０２０〕 15号 ").unwrap(),
            n
        );
    }

    #[test]
    fn names_each_defect() {
        assert_eq!(codes(""), ["empty"]);
        assert_eq!(codes("   "), ["empty"]);
        assert_eq!(codes("〔2020〕15号"), ["missing_code"]);
        assert_eq!(codes("桂政办信复[2020]15号"), ["wrong_brackets"]);
        assert_eq!(codes("桂政办信复(2020)15号"), ["wrong_brackets"]);
        assert_eq!(codes("桂政办信复【2020】15号"), ["wrong_brackets"]);
        assert_eq!(codes("桂政办信复（2020）15号"), ["wrong_brackets"]);
        assert_eq!(codes("桂政办信复﹝2020﹞15号"), ["wrong_brackets"]);
        assert_eq!(codes("桂政办信复〔2020〕015号"), ["leading_zero"]);
        assert_eq!(codes("桂政办信复〔2020〕0号"), ["leading_zero"]);
        assert_eq!(codes("桂政办信复〔2020〕第15号"), ["has_di"]);
        assert_eq!(codes("桂政办信复〔2020〕15"), ["missing_hao"]);
        assert_eq!(codes("桂政办信复15号"), ["missing_year"]);
        assert_eq!(codes("桂政办信复〔〕15号"), ["missing_year"]);
        assert_eq!(codes("桂政办信复〔20〕15号"), ["malformed_year"]);
        assert_eq!(codes("桂政办信复〔2020年〕15号"), ["malformed_year"]);
        assert_eq!(codes("桂政办信复2020年15号"), ["missing_brackets"]);
        assert_eq!(codes("桂政办信复〔2020〕十五号"), ["non_numeric_seq"]);
        assert_eq!(codes("桂政办信复〔2020〕15-1号"), ["non_numeric_seq"]);
        assert_eq!(codes("桂政办信复〔2020〕号"), ["missing_seq"]);
        assert_eq!(codes("桂政办信复〔2020〕15号文"), ["trailing_text"]);
        assert_eq!(codes("桂政办信复〔2020〕15号（补）"), ["trailing_text"]);
        assert_eq!(codes("桂政办信复〔2020"), ["malformed_year"]);
    }

    #[test]
    fn reports_several_defects_at_once() {
        assert_eq!(
            codes("桂政办信复[2020]第015号"),
            ["wrong_brackets", "has_di", "leading_zero"]
        );
        assert_eq!(
            codes("[2020]15"),
            ["missing_code", "wrong_brackets", "missing_hao"]
        );
        assert_eq!(
            codes("桂政办信复第十五号"),
            ["missing_year", "has_di", "non_numeric_seq"]
        );
        assert_eq!(
            codes("桂政办信复十五号"),
            ["missing_year", "non_numeric_seq"]
        );
        // parse() reports the first.
        assert_eq!(
            DocNumber::parse("桂政办信复[2020]第015号"),
            Err(DocNumberProblem::WrongBrackets {
                found: "[]".to_owned()
            })
        );
    }

    #[test]
    fn messages_are_chinese_and_name_the_fault() {
        let e = DocNumber::parse("桂政办信复（2020）15号").unwrap_err();
        assert_eq!(e.to_string(), "年份使用了“（）”括号，应使用六角括号〔〕");
        let e = DocNumber::parse("桂政办信复〔2020〕01号").unwrap_err();
        assert!(e.to_string().contains("01"));
    }

    #[test]
    fn format_is_canonical() {
        assert_eq!(
            DocNumber::format("南交信复", 2024, 7),
            "南交信复〔2024〕7号"
        );
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(
            code in "[政办信复桂南交通运输局厅委]{1,8}",
            year in 1949i32..2100,
            seq in 1u32..1_000_000,
        ) {
            let n = DocNumber::parse(&DocNumber::format(&code, year, seq)).unwrap();
            prop_assert_eq!(n, DocNumber { code, year, seq });
        }

        #[test]
        fn never_panics_and_errors_are_never_empty(raw in "\\PC{0,24}") {
            if let Err(p) = DocNumber::diagnose(&raw) {
                prop_assert!(!p.is_empty());
            }
        }

        #[test]
        fn never_panics_on_bracket_soup(raw in "[〔〕\\[\\]()（）第号0-9年桂政]{0,16}") {
            let _ = DocNumber::parse(&raw);
        }
    }
}

//! Reply outcomes (RULES.md §4): the stable codes, their Chinese labels, the provisions of the
//! OGI Regulations a reply with that outcome rests on, and the annual-report row it counts in.
//! Also the [`Provision`] type and Chinese-numeral helpers, because a provision is how an
//! outcome names its article and how a cited article is compared with it.
//!
//! Owns: the outcome table. Must not touch: IO, the clock, checking or drafting replies (the
//! checker and the draft read this table; nothing here reads them).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The Regulation as findings cite it (short form, as in RULES.md).
pub const REGULATION: &str = "《政府信息公开条例》";
/// The Regulation's full title, as a reply document cites it.
pub const REGULATION_FULL: &str = "《中华人民共和国政府信息公开条例》";

/// One provision: article (条), optional paragraph (款), optional item (项).
///
/// RULES.md writes "36(2)" for both an item (Art. 36 has one paragraph and seven items) and a
/// paragraph (Art. 16 and Art. 39 have two paragraphs and no items); here the two are kept
/// apart so that the Chinese label says 项 or 款 correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Provision {
    pub article: u16,
    pub paragraph: Option<u16>,
    pub item: Option<u16>,
}

/// How a cited provision relates to an expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Same article, and every 款/项 the expected provision names is cited.
    Exact,
    /// Same article, but the 款/项 that decides the outcome is not cited.
    Coarse,
    /// A different article, or a different 款/项.
    No,
}

impl Provision {
    pub const fn article(article: u16) -> Self {
        Self {
            article,
            paragraph: None,
            item: None,
        }
    }

    pub const fn paragraph(article: u16, paragraph: u16) -> Self {
        Self {
            article,
            paragraph: Some(paragraph),
            item: None,
        }
    }

    pub const fn item(article: u16, item: u16) -> Self {
        Self {
            article,
            paragraph: None,
            item: Some(item),
        }
    }

    /// `第三十六条第二项`, `第十六条第二款` (legislative style, no brackets round the item).
    pub fn label(&self) -> String {
        let mut s = format!("第{}条", cn_numeral(u32::from(self.article)));
        if let Some(p) = self.paragraph {
            s.push_str(&format!("第{}款", cn_numeral(u32::from(p))));
        }
        if let Some(i) = self.item {
            s.push_str(&format!("第{}项", cn_numeral(u32::from(i))));
        }
        s
    }

    /// `《政府信息公开条例》第三十六条第二项`.
    pub fn citation(&self) -> String {
        format!("{REGULATION}{}", self.label())
    }

    /// Whether `cited` refers to this (expected) provision. A level the expected provision
    /// leaves open is not compared; a level it names must be cited and equal for `Exact`.
    pub fn fit(&self, cited: &Provision) -> Fit {
        if self.article != cited.article {
            return Fit::No;
        }
        let mut coarse = false;
        for (want, got) in [(self.paragraph, cited.paragraph), (self.item, cited.item)] {
            match (want, got) {
                (Some(w), Some(g)) if w != g => return Fit::No,
                (Some(_), None) => coarse = true,
                _ => {}
            }
        }
        if coarse { Fit::Coarse } else { Fit::Exact }
    }

    /// Reads a citation's parts as they arrive from clerks or OCR: `"33"`, `"第三十三条"`,
    /// `"三十三"`, `"第三十六条第（二）项"` (all in the article field), `"36(2)"`, paragraph
    /// `"第二款"` / `"2"`, item `"（二）"` / `"第二项"`. `None` when no article number can be read.
    pub fn parse_parts(article: &str, paragraph: Option<&str>, item: Option<&str>) -> Option<Self> {
        let mut p = parse_reference(article, Level::Article)?;
        let art = p.article?;
        if let Some(raw) = paragraph.filter(|s| !s.trim().is_empty()) {
            let q = parse_reference(raw, Level::Paragraph)?;
            p.paragraph = q.paragraph.or(p.paragraph);
            p.item = q.item.or(p.item);
        }
        if let Some(raw) = item.filter(|s| !s.trim().is_empty()) {
            let q = parse_reference(raw, Level::Item)?;
            p.item = q.item.or(q.paragraph).or(p.item);
        }
        // "36(2)" gives an unnamed sub-unit: Art. 36 is one paragraph with items, the other
        // articles a reply cites by number are split into paragraphs.
        if let Some(sub) = p.sub {
            if art == 36 {
                p.item = p.item.or(Some(sub));
            } else {
                p.paragraph = p.paragraph.or(Some(sub));
            }
        }
        // Art. 36 has a single paragraph, so "第三十六条第二款" can only mean item (二).
        if art == 36 {
            match (p.paragraph, p.item) {
                (Some(n), None) if n > 1 => (p.paragraph, p.item) = (None, Some(n)),
                (Some(1), Some(_)) => p.paragraph = None,
                _ => {}
            }
        }
        Some(Provision {
            article: art,
            paragraph: p.paragraph,
            item: p.item,
        })
    }
}

impl fmt::Display for Provision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Article,
    Paragraph,
    Item,
}

#[derive(Default)]
struct Parsed {
    article: Option<u16>,
    paragraph: Option<u16>,
    item: Option<u16>,
    /// A number in brackets right after the article ("36(2)"), meaning 款 or 项.
    sub: Option<u16>,
}

/// Splits "第三十六条第一款第（二）项" at 条/款/项; an unmarked number goes to `default`.
fn parse_reference(raw: &str, default: Level) -> Option<Parsed> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => to_ascii_digit(c),
        })
        .collect();
    let mut out = Parsed::default();
    let mut current = String::new();
    let mut marked = false;
    for c in s.chars() {
        let level = match c {
            '条' => Level::Article,
            '款' => Level::Paragraph,
            '项' => Level::Item,
            _ => {
                current.push(c);
                continue;
            }
        };
        marked = true;
        let n = parse_unit(&current)?;
        assign(&mut out, level, n);
        current.clear();
    }
    if !current.is_empty() {
        if marked {
            // Text after the last marker ("第三十三条的规定"): ignore it.
            return Some(out);
        }
        // "36(2)": an article with an unnamed sub-unit.
        if let Some((head, tail)) = current.split_once('(')
            && !head.trim_start_matches('第').is_empty()
        {
            assign(&mut out, default, parse_unit(head)?);
            out.sub = Some(parse_unit(tail)?);
            return Some(out);
        }
        assign(&mut out, default, parse_unit(&current)?);
    }
    Some(out)
}

fn assign(out: &mut Parsed, level: Level, n: u16) {
    match level {
        Level::Article => out.article = Some(n),
        Level::Paragraph => out.paragraph = Some(n),
        Level::Item => out.item = Some(n),
    }
}

/// One number with its decorations: "第三十三", "(二)", "33".
fn parse_unit(raw: &str) -> Option<u16> {
    let t = raw
        .trim_start_matches('第')
        .trim_matches(|c| c == '(' || c == ')');
    parse_numeral(t).and_then(|n| u16::try_from(n).ok())
}

fn to_ascii_digit(c: char) -> char {
    match c {
        '０'..='９' => {
            char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
        }
        c => c,
    }
}

/// Parses `"33"`, `"３３"`, `"三十三"`, `"十"`, `"一百零五"`, `"两"`. `None` for anything else,
/// and for zero (no article, paragraph or item is numbered zero).
pub fn parse_numeral(raw: &str) -> Option<u32> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let ascii: String = s.chars().map(to_ascii_digit).collect();
    if ascii.bytes().all(|b| b.is_ascii_digit()) {
        return ascii.parse().ok().filter(|&n| n > 0);
    }
    let (mut total, mut current) = (0u32, 0u32);
    for c in s.chars() {
        let digit = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = digit {
            current = d;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        // "十五" means 15: a bare 十 counts as 一十.
        let head = if current == 0 && unit == 10 {
            1
        } else {
            current
        };
        total = total.checked_add(head.checked_mul(unit)?)?;
        current = 0;
    }
    total.checked_add(current).filter(|&n| n > 0)
}

/// Chinese numeral as laws number their articles: 10 → 十, 33 → 三十三, 105 → 一百零五.
pub fn cn_numeral(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digit = |d: u32| DIGITS.get(d as usize).copied().unwrap_or('零');
    if n == 0 {
        return "零".to_owned();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut pending_zero = false;
    for (value, name) in units {
        let d = rest / value;
        rest %= value;
        if d == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 10–19 read 十, 十一 … at the start, but 一百一十 inside a larger number.
        if !(value == 10 && d == 1 && out.is_empty()) {
            out.push(digit(d));
        }
        out.push(name);
    }
    if rest > 0 {
        if pending_zero {
            out.push('零');
        }
        out.push(digit(rest));
    }
    out
}

/// Which annual-report row the `special_regime` outcome counts in **[configurable]**: RULES.md
/// §4 defaults to (三)8 (行政查询事项); some offices report it as (六)3 (其他).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialRegimeRow {
    #[default]
    AdministrativeQuery,
    Other,
}

impl SpecialRegimeRow {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecialRegimeRow::AdministrativeQuery => "administrative_query",
            SpecialRegimeRow::Other => "other",
        }
    }
}

/// The definition of 政府信息 (the basis for refusing a request that seeks no existing record).
pub const A2: Provision = Provision::article(2);
const A14: Provision = Provision::article(14);
const A15: Provision = Provision::article(15);
const A16_1: Provision = Provision::paragraph(16, 1);
const A16_2: Provision = Provision::paragraph(16, 2);
const A30: Provision = Provision::article(30);
const A35: Provision = Provision::article(35);
const A36_1: Provision = Provision::item(36, 1);
const A36_2: Provision = Provision::item(36, 2);
/// The generic "不予公开，告知并说明理由" item every withholding reply also rests on.
pub const A36_3: Provision = Provision::item(36, 3);
const A36_4: Provision = Provision::item(36, 4);
const A36_5: Provision = Provision::item(36, 5);
const A36_6: Provision = Provision::item(36, 6);
const A36_7: Provision = Provision::item(36, 7);
const A37: Provision = Provision::article(37);
const A38: Provision = Provision::article(38);
const A39_1: Provision = Provision::paragraph(39, 1);
const A39_2: Provision = Provision::paragraph(39, 2);
/// The fee article (信息处理费); the detailed rules are 国办函〔2020〕109号.
pub const A42: Provision = Provision::article(42);

/// One table drives the enum and all its lookups, so a code, its label, its articles and its
/// report row cannot drift apart.
macro_rules! outcomes {
    ($( $(#[$meta:meta])* $variant:ident => $code:literal, $label:literal, [$($prov:ident),*], $row:literal; )+) => {
        /// How a request was answered. Serialised as the stable snake_case code (API, storage,
        /// reports); see RULES.md §4.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Outcome {
            $( $(#[$meta])* $variant ),+
        }

        impl Outcome {
            /// Every outcome, in the order of RULES.md §4.
            pub const ALL: &'static [Outcome] = &[$(Outcome::$variant),+];

            /// The stable code.
            pub fn as_str(self) -> &'static str {
                match self { $(Outcome::$variant => $code),+ }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw.trim() { $($code => Some(Outcome::$variant),)+ _ => None }
            }

            /// The Chinese label, for clerks and findings (close to the annual-report wording of
            /// 国办公开办函〔2021〕30号, which the report module keeps verbatim itself).
            pub fn label(self) -> &'static str {
                match self { $(Outcome::$variant => $label),+ }
            }

            /// The provisions of the Regulation a reply with this outcome must cite (any one of
            /// them fits). Empty where RULES.md §4 gives no article of the Regulation
            /// (行政查询事项, 确认或重新出具, 收费未缴纳, 其他): no article is then expected.
            pub fn articles(self) -> &'static [Provision] {
                match self { $(Outcome::$variant => &[$($prov),*]),+ }
            }

            fn default_row(self) -> &'static str {
                match self { $(Outcome::$variant => $row),+ }
            }
        }
    };
}

outcomes! {
    /// Already proactively published: tell how to get it.
    DisclosedAlreadyPublic => "disclosed_already_public", "予以公开（已主动公开，告知获取方式）", [A36_1], "disclosed";
    Disclosed => "disclosed", "予以公开", [A36_2], "disclosed";
    /// Partly disclosed (区分处理); counted only in row (二).
    PartiallyDisclosed => "partially_disclosed", "部分公开", [A37], "partially_disclosed";
    WithheldStateSecret => "withheld_state_secret", "不予公开：属于国家秘密", [A14], "withheld_1";
    WithheldProhibitedByLaw => "withheld_prohibited_by_law", "不予公开：其他法律行政法规禁止公开", [A14], "withheld_2";
    WithheldSecurityStability => "withheld_security_stability", "不予公开：危及“三安全一稳定”", [A14], "withheld_3";
    WithheldThirdParty => "withheld_third_party", "不予公开：保护第三方合法权益", [A15], "withheld_4";
    WithheldInternalAffairs => "withheld_internal_affairs", "不予公开：属于三类内部事务信息", [A16_1], "withheld_5";
    WithheldProcessInfo => "withheld_process_info", "不予公开：属于四类过程性信息", [A16_2], "withheld_6";
    WithheldEnforcementFile => "withheld_enforcement_file", "不予公开：属于行政执法案卷", [A16_2], "withheld_7";
    WithheldAdministrativeQuery => "withheld_administrative_query", "不予公开：属于行政查询事项", [], "withheld_8";
    UnavailableNotHeld => "unavailable_not_held", "无法提供：本机关不掌握相关政府信息", [A36_4], "unavailable_1";
    /// Not this agency's to disclose: the reply names the competent organ (Art. 36(5)).
    UnavailableNotResponsible => "unavailable_not_responsible", "无法提供：不属于本机关负责公开", [A36_5], "unavailable_1";
    UnavailableNeedsCreation => "unavailable_needs_creation", "无法提供：没有现成信息需要另行制作", [A38], "unavailable_2";
    UnavailableUnclearAfterCorrection => "unavailable_unclear_after_correction", "无法提供：补正后申请内容仍不明确", [A30], "unavailable_3";
    NotProcessedPetition => "not_processed_petition", "不予处理：信访举报投诉类申请", [A39_1], "not_processed_1";
    NotProcessedRepeated => "not_processed_repeated", "不予处理：重复申请", [A36_6], "not_processed_2";
    NotProcessedPublication => "not_processed_publication", "不予处理：要求提供公开出版物", [A39_2], "not_processed_3";
    NotProcessedExcessive => "not_processed_excessive", "不予处理：无正当理由大量反复申请", [A35], "not_processed_4";
    NotProcessedConfirmation => "not_processed_confirmation", "不予处理：要求行政机关确认或重新出具已获取信息", [], "not_processed_5";
    OtherNoCorrection => "other_no_correction", "其他处理：申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [A30], "other_1";
    OtherFeeUnpaid => "other_fee_unpaid", "其他处理：申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [], "other_2";
    Other => "other", "其他处理：其他", [], "other_3";
    /// Special access regime (工商、不动产登记资料等): the applicant must use that procedure.
    SpecialRegime => "special_regime", "告知按有关法律、行政法规规定的程序办理（工商、不动产登记资料等）", [A36_7], "withheld_8";
}

impl Outcome {
    /// The annual-report row key (`disclosed`, `withheld_1` … `other_3`). Only
    /// `special_regime` depends on the setting.
    pub fn report_row(self, special: SpecialRegimeRow) -> &'static str {
        match (self, special) {
            (Outcome::SpecialRegime, SpecialRegimeRow::Other) => "other_3",
            _ => self.default_row(),
        }
    }

    /// Withheld under Arts 14–16: the reply needs reasons (Art. 36(3)) and, from 2024, the
    /// 复议前置 notice (行政复议法 Art. 23(1)(4)).
    pub fn is_withholding(self) -> bool {
        matches!(
            self,
            Outcome::WithheldStateSecret
                | Outcome::WithheldProhibitedByLaw
                | Outcome::WithheldSecurityStability
                | Outcome::WithheldThirdParty
                | Outcome::WithheldInternalAffairs
                | Outcome::WithheldProcessInfo
                | Outcome::WithheldEnforcementFile
        )
    }

    /// A decision that refuses some information, so 行政复议法 Art. 23(1)(4) ("申请政府信息
    /// 公开，行政机关不予公开") makes reconsideration a precondition of suit: the Arts 14–16
    /// withholdings, the withheld part of a partial disclosure, and 行政查询事项 (which the
    /// annual report counts as 不予公开, row (三)8).
    pub fn needs_reconsideration_first(self) -> bool {
        self.is_withholding()
            || matches!(
                self,
                Outcome::PartiallyDisclosed | Outcome::WithheldAdministrativeQuery
            )
    }

    /// The reply must say why: every outcome that does not give the applicant what was asked
    /// and is not a lapse of the applicant's own (补正/fee). Arts 36(3)–(5) and 37 say so in
    /// words; for 36(4), 38, 30, 35, 36(6), 39 and 36(7) a bare conclusion cannot be reviewed
    /// (courts ask what was searched, why it is a petition, which procedure applies).
    pub fn needs_reasons(self) -> bool {
        !matches!(
            self,
            Outcome::DisclosedAlreadyPublic
                | Outcome::Disclosed
                | Outcome::OtherNoCorrection
                | Outcome::OtherFeeUnpaid
                | Outcome::Other
        )
    }

    /// Where the Regulation's own text demands reasons (Art. 36(3) for every 不予公开, Art. 37
    /// via 36(3), Art. 36(5) "说明理由"); the other [`needs_reasons`](Self::needs_reasons)
    /// outcomes rest on review practice, so their finding is a warning.
    pub fn reasons_required_by_text(self) -> bool {
        self.needs_reconsideration_first() || self.is_redirect()
    }

    /// Art. 36(5): not this agency's information; the reply names the competent organ.
    pub fn is_redirect(self) -> bool {
        self == Outcome::UnavailableNotResponsible
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_codes_round_trip_through_parse_and_serde() {
        assert_eq!(Outcome::ALL.len(), 24);
        for &o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
            assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), o);
        }
        assert_eq!(Outcome::parse("withheld"), None);
    }

    #[test]
    fn articles_follow_rules_section_4() {
        let label =
            |o: Outcome| -> Vec<String> { o.articles().iter().map(|p| p.label()).collect() };
        assert_eq!(label(Outcome::DisclosedAlreadyPublic), ["第三十六条第一项"]);
        assert_eq!(label(Outcome::Disclosed), ["第三十六条第二项"]);
        assert_eq!(label(Outcome::WithheldStateSecret), ["第十四条"]);
        assert_eq!(label(Outcome::WithheldThirdParty), ["第十五条"]);
        assert_eq!(label(Outcome::WithheldInternalAffairs), ["第十六条第一款"]);
        assert_eq!(label(Outcome::WithheldEnforcementFile), ["第十六条第二款"]);
        assert_eq!(
            label(Outcome::UnavailableNotResponsible),
            ["第三十六条第五项"]
        );
        assert_eq!(label(Outcome::NotProcessedPetition), ["第三十九条第一款"]);
        assert_eq!(
            label(Outcome::NotProcessedPublication),
            ["第三十九条第二款"]
        );
        assert_eq!(label(Outcome::NotProcessedRepeated), ["第三十六条第六项"]);
        assert_eq!(label(Outcome::SpecialRegime), ["第三十六条第七项"]);
        assert!(Outcome::WithheldAdministrativeQuery.articles().is_empty());
        assert!(Outcome::Other.articles().is_empty());
    }

    #[test]
    fn report_rows_cover_every_row_once_except_shared_ones() {
        let rows: Vec<&str> = Outcome::ALL
            .iter()
            .map(|o| o.report_row(SpecialRegimeRow::default()))
            .collect();
        for key in [
            "withheld_1",
            "withheld_7",
            "unavailable_3",
            "not_processed_5",
            "other_3",
        ] {
            assert!(rows.contains(&key), "{key}");
        }
        assert_eq!(
            Outcome::SpecialRegime.report_row(SpecialRegimeRow::AdministrativeQuery),
            "withheld_8"
        );
        assert_eq!(
            Outcome::SpecialRegime.report_row(SpecialRegimeRow::Other),
            "other_3"
        );
        assert_eq!(
            Outcome::UnavailableNotResponsible.report_row(SpecialRegimeRow::Other),
            "unavailable_1"
        );
        assert_eq!(
            Outcome::PartiallyDisclosed.report_row(SpecialRegimeRow::Other),
            "partially_disclosed"
        );
    }

    #[test]
    fn predicates() {
        let withholding: Vec<_> = Outcome::ALL.iter().filter(|o| o.is_withholding()).collect();
        assert_eq!(withholding.len(), 7);
        assert!(!Outcome::WithheldAdministrativeQuery.is_withholding());
        assert!(Outcome::WithheldAdministrativeQuery.needs_reconsideration_first());
        assert!(Outcome::PartiallyDisclosed.needs_reconsideration_first());
        assert!(!Outcome::UnavailableNotHeld.needs_reconsideration_first());
        assert!(Outcome::PartiallyDisclosed.needs_reasons());
        assert!(Outcome::NotProcessedExcessive.needs_reasons());
        assert!(!Outcome::Disclosed.needs_reasons());
        assert!(!Outcome::OtherFeeUnpaid.needs_reasons());
        assert!(Outcome::UnavailableNotResponsible.is_redirect());
        assert!(Outcome::UnavailableNotResponsible.reasons_required_by_text());
        assert!(!Outcome::UnavailableNotHeld.reasons_required_by_text());
        assert_eq!(Outcome::ALL.iter().filter(|o| o.is_redirect()).count(), 1);
    }

    #[test]
    fn numerals_parse_and_format() {
        for (s, n) in [
            ("33", 33),
            ("３３", 33),
            ("三十三", 33),
            ("十", 10),
            ("十五", 15),
            ("二十", 20),
            ("一百零五", 105),
            ("一百一十", 110),
            ("两", 2),
        ] {
            assert_eq!(parse_numeral(s), Some(n), "{s}");
        }
        for bad in ["", "零", "0", "三十x", "abc"] {
            assert_eq!(parse_numeral(bad), None, "{bad}");
        }
        assert_eq!(cn_numeral(33), "三十三");
        assert_eq!(cn_numeral(10), "十");
        assert_eq!(cn_numeral(16), "十六");
        assert_eq!(cn_numeral(105), "一百零五");
        assert_eq!(cn_numeral(110), "一百一十");
        assert_eq!(cn_numeral(1260), "一千二百六十");
        assert_eq!(cn_numeral(1002), "一千零二");
        for n in 1..2000 {
            assert_eq!(parse_numeral(&cn_numeral(n)), Some(n), "{n}");
        }
    }

    #[test]
    fn provisions_parse_from_clerk_input() {
        let p = |a: &str, par: Option<&str>, it: Option<&str>| Provision::parse_parts(a, par, it);
        assert_eq!(p("33", None, None), Some(Provision::article(33)));
        assert_eq!(
            p("第三十三条", Some("第二款"), None),
            Some(Provision::paragraph(33, 2))
        );
        assert_eq!(
            p("三十三", Some("2"), None),
            Some(Provision::paragraph(33, 2))
        );
        assert_eq!(p("第33条", None, None), Some(Provision::article(33)));
        assert_eq!(
            p("第三十六条第（二）项", None, None),
            Some(Provision::item(36, 2))
        );
        assert_eq!(p("36", None, Some("（二）")), Some(Provision::item(36, 2)));
        assert_eq!(p("36", None, Some("第二项")), Some(Provision::item(36, 2)));
        assert_eq!(p("36(2)", None, None), Some(Provision::item(36, 2)));
        assert_eq!(p("16（二）", None, None), Some(Provision::paragraph(16, 2)));
        assert_eq!(
            p("第三十六条", Some("第二款"), None),
            Some(Provision::item(36, 2))
        );
        assert_eq!(
            p("第三十六条第一款第（三）项", None, None),
            Some(Provision::item(36, 3))
        );
        assert_eq!(
            p("第十六条第二款的规定", None, None),
            Some(Provision::paragraph(16, 2))
        );
        assert_eq!(p("有关规定", None, None), None);
        assert_eq!(p("", None, None), None);
    }

    #[test]
    fn fit_distinguishes_exact_coarse_and_wrong() {
        let want = Provision::item(36, 2);
        assert_eq!(want.fit(&Provision::item(36, 2)), Fit::Exact);
        assert_eq!(want.fit(&Provision::article(36)), Fit::Coarse);
        assert_eq!(want.fit(&Provision::item(36, 3)), Fit::No);
        assert_eq!(want.fit(&Provision::article(14)), Fit::No);
        assert_eq!(
            Provision::article(14).fit(&Provision::paragraph(14, 1)),
            Fit::Exact
        );
    }

    proptest::proptest! {
        #[test]
        fn citation_parsing_never_panics(
            a in "\\PC{0,12}",
            p in proptest::option::of("\\PC{0,6}"),
            i in proptest::option::of("[第条款项()（）一二三十百千0-9]{0,8}"),
        ) {
            let _ = Provision::parse_parts(&a, p.as_deref(), i.as_deref());
            let _ = parse_numeral(&a);
        }
    }

    #[test]
    fn huge_numerals_do_not_overflow() {
        // 500 000 × 9000 exceeds u32: checked arithmetic gives None instead of a panic.
        assert_eq!(parse_numeral(&"九千".repeat(500_000)), None);
        assert_eq!(parse_numeral("99999999999999"), None);
    }

    #[test]
    fn labels_and_citations() {
        assert_eq!(
            Provision::paragraph(33, 2).citation(),
            "《政府信息公开条例》第三十三条第二款"
        );
        assert_eq!(Provision::item(36, 5).to_string(), "第三十六条第五项");
    }
}

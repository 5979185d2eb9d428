//! Two questions every reply letter is asked, answered once for the case checker
//! (`compliance`) and the campaign grader (`campaign`): does a citation name an article, and
//! does a seal name the replying organ? Pure string rules; no organ configuration beyond
//! the names passed in.

use super::compliance::LegalCitation;
use super::outcome::Provision;

/// The provisions one citation names; `"第十四条、第三十六条第三项"` names two. A `None`
/// entry is a part with no readable article number ("有关规定", "相关条款").
pub fn cited_provisions(citation: &LegalCitation) -> Vec<Option<Provision>> {
    let Some(article) = citation.article.as_deref().filter(|a| !a.trim().is_empty()) else {
        return vec![None];
    };
    let parts: Vec<&str> = article
        .split(['、', ',', '，', ';', '；', '和', '及'])
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.len() <= 1 {
        return vec![Provision::parse_parts(
            article,
            citation.paragraph.as_deref(),
            citation.item.as_deref(),
        )];
    }
    parts
        .into_iter()
        .map(|p| Provision::parse_parts(p, None, None))
        .collect()
}

/// Whether the citation names a specific article (法律依据及具体条款): "依据《条例》有关规定"
/// names none, "第三十六条" does. Any law counts; which article fits the outcome is
/// `compliance`'s business.
pub fn cites_article(citation: &LegalCitation) -> bool {
    !citation.law.trim().is_empty() && cited_provisions(citation).iter().any(Option::is_some)
}

/// Whether a seal, as printed, is the replying organ's: its own name (the seal may carry
/// the region the organ's short name leaves out: "广西壮族自治区交通运输厅" for
/// "交通运输厅"), optionally followed by 印章/公章/章 or a designated OGI seal
/// (`…政府信息公开专用章`), or one of `other_names` (configured seals). An internal unit's
/// seal ("…办公室") or another organ's is not: the reply is the organ's act (Art. 4, 36).
pub fn seal_names_organ(seal: &str, organ_name: &str, other_names: &[String]) -> bool {
    let s = norm(seal);
    if other_names.iter().any(|n| norm(n) == s) {
        return true;
    }
    let organ = norm(organ_name);
    if organ.is_empty() {
        return false;
    }
    // Every place the organ's name starts after a region prefix (or at the start).
    s.match_indices(organ.as_str()).any(|(at, _)| {
        let (prefix, rest) = (&s[..at], &s[at + organ.len()..]);
        (prefix.is_empty() || is_region_prefix(prefix)) && is_seal_suffix(rest)
    })
}

/// What may follow an organ's name on its own seal.
fn is_seal_suffix(rest: &str) -> bool {
    let rest = rest.trim_matches(['(', ')']);
    matches!(rest, "" | "印章" | "公章" | "章")
        || (rest.contains("政府信息公开") && rest.ends_with('章'))
}

/// Administrative-division suffixes, longest first.
const DIVISION_SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
];

/// A run of division names ("广西壮族自治区", "广西壮族自治区南宁市", "南宁市青秀区"):
/// each segment is at least two characters and ends in a division suffix.
fn is_region_prefix(prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    // Try every first segment that ends in a suffix, shortest first, and the rest after it:
    // "广西壮族自治区南宁市" splits as 广西壮族自治区 + 南宁市. Any region is accepted; the
    // unit's own region is not known here.
    let chars: Vec<(usize, char)> = prefix.char_indices().collect();
    (2..=chars.len()).any(|n| {
        let end = chars.get(n).map_or(prefix.len(), |&(i, _)| i);
        let segment = &prefix[..end];
        DIVISION_SUFFIXES.iter().any(|s| {
            segment
                .strip_suffix(s)
                .is_some_and(|name| name.chars().count() >= 1)
        }) && is_region_prefix(&prefix[end..])
    })
}

/// Names compared without spaces, quotes or bracket width.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》' | '“' | '”' | '"' | '〈' | '〉'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation(law: &str, article: Option<&str>) -> LegalCitation {
        LegalCitation {
            law: law.to_owned(),
            article: article.map(str::to_owned),
            ..LegalCitation::default()
        }
    }

    #[test]
    fn a_vague_reference_is_no_article() {
        for vague in ["有关规定", "相关规定", "相关条款", " "] {
            assert!(
                !cites_article(&citation("《条例》", Some(vague))),
                "{vague}"
            );
        }
        assert!(!cites_article(&citation("《条例》", None)));
        assert!(!cites_article(&citation(" ", Some("第三十六条"))));
    }

    #[test]
    fn a_numbered_article_is_cited() {
        for article in [
            "第三十六条",
            "第三十六条第（二）项",
            "36",
            "第十四条、第三十六条第三项",
        ] {
            assert!(
                cites_article(&citation(
                    "《中华人民共和国政府信息公开条例》",
                    Some(article)
                )),
                "{article}"
            );
        }
        // One readable part of several is enough.
        assert!(cites_article(&citation(
            "《条例》",
            Some("第三十六条及有关规定")
        )));
        assert_eq!(
            cited_provisions(&citation("《条例》", Some("第十四条、第三十六条第三项"))).len(),
            2
        );
    }

    #[test]
    fn the_organs_own_seal_with_or_without_its_region() {
        for (seal, organ) in [
            ("交通运输厅", "交通运输厅"),
            ("广西壮族自治区交通运输厅", "交通运输厅"),
            ("广西壮族自治区南宁市交通运输局", "南宁市交通运输局"),
            ("南宁市青秀区人民政府", "青秀区人民政府"),
            ("广西壮族自治区交通运输厅政府信息公开专用章", "交通运输厅"),
            ("南宁市交通运输局（印章）", "南宁市交通运输局"),
            ("南宁市交通运输局", "南宁市交通运输局"),
        ] {
            assert!(seal_names_organ(seal, organ, &[]), "{seal} / {organ}");
        }
    }

    #[test]
    fn another_organs_or_an_internal_units_seal_is_not() {
        for (seal, organ) in [
            ("广西壮族自治区交通运输厅办公室", "交通运输厅"),
            ("南宁市人民政府", "南宁市交通运输局"),
            ("广西壮族自治区交通运输厅", "南宁市交通运输局"),
            ("南宁市公安局交通运输局", "交通运输局"),
            ("另一单位", "交通运输厅"),
            ("交通运输厅", ""),
        ] {
            assert!(!seal_names_organ(seal, organ, &[]), "{seal} / {organ}");
        }
        let configured = vec!["南宁市交通运输局办公室".to_owned()];
        assert!(seal_names_organ(
            "南宁市交通运输局办公室",
            "南宁市交通运输局",
            &configured
        ));
    }
}

//! A compliant 答复书 draft for any outcome: the text a clerk edits, the same content as a
//! document model ([`Block`]; `report::draft_html` renders it as HTML), the structured
//! [`ReplyDoc`] the draft implies (so the checker can vouch for it), and the list of what the
//! clerk must still fill in.
//!
//! Owns: the wording of replies. Must not touch: IO, markup, the clock (the issue date is an
//! input), numbering (a given 文号 is used as is, otherwise a blank is left for the clerk).
//!
//! The draft passes [`check`](super::compliance::check) except for what only the clerk can
//! supply: the 文号 (`doc_number_missing` until one is given), the seal (`seal_missing`: a
//! draft is unsealed), and, where the input or the organ's configuration lacks them, the
//! reasons, the competent organ (36(5)), the reconsideration organ or the court, and the
//! decision of an `other` outcome. Each of those leaves a 【…】 placeholder in the text.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::compliance::{
    LegalCitation, LitigationRoute, Organ, RECONSIDERATION_DAYS, ReconsiderationRoute, Redirect,
    Remedy, ReplyDoc, SUIT_AFTER_RECONSIDERATION_DAYS, SUIT_MONTHS, cn_date, expected_court,
    expected_reconsideration_organ,
};
use super::outcome::{A2, A36_3, A42, Outcome, Provision, REGULATION_FULL, cn_numeral};

/// The title line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftTitle {
    /// 关于政府信息公开申请的答复
    #[default]
    Reply,
    /// 政府信息公开申请答复书
    Form,
}

impl DraftTitle {
    pub fn text(self) -> &'static str {
        match self {
            DraftTitle::Reply => "关于政府信息公开申请的答复",
            DraftTitle::Form => "政府信息公开申请答复书",
        }
    }
}

/// What the draft is made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftInput {
    /// The replying organ, with its reconsideration organ (address, phone) and court.
    pub organ: Organ,
    pub applicant: String,
    pub received_on: NaiveDate,
    /// The information requested, one description per item.
    #[serde(default)]
    pub items: Vec<String>,
    pub outcome: Outcome,
    #[serde(default)]
    pub reasons: Option<String>,
    /// The competent organ for `unavailable_not_responsible`.
    #[serde(default)]
    pub redirect_to: Option<Redirect>,
    /// How, where or through which procedure to obtain the information (36(1), 39(2),
    /// 行政查询事项, 36(7), or an optional note for a disclosure).
    #[serde(default)]
    pub access: Option<String>,
    /// 成文日期.
    pub issued_on: NaiveDate,
    /// A number already assigned; otherwise `{code}〔{year}〕 号` is left for the clerk.
    #[serde(default)]
    pub doc_number: Option<String>,
    #[serde(default)]
    pub title: DraftTitle,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub text: String,
    /// The same content as a document model, for renderings with markup
    /// (`report::draft_html`). Not part of the draft's JSON: the text and the record are.
    #[serde(skip)]
    pub blocks: Vec<Block>,
    /// The structured fields the draft implies (unsealed, not yet dispatched).
    pub reply: ReplyDoc,
    /// What the clerk must still fill in or do, in Chinese, in document order.
    pub placeholders: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// A tiny document model: rendered here as text, and by `report::draft_html` as HTML, so the
// two cannot disagree. Serialised as `{"kind": "para", "content": …}` for the template.

/// A run of text in a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "content", rename_all = "snake_case")]
pub enum Span {
    Text(String),
    /// Something the clerk fills in: `shown` in the text, `label` in the list.
    Hole {
        label: String,
        shown: String,
    },
}

/// One block of the reply, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "content", rename_all = "snake_case")]
pub enum Block {
    Organ(Vec<Span>),
    DocNumber(Vec<Span>),
    Title(String),
    Salutation(Vec<Span>),
    Para(Vec<Span>),
    Items(Vec<Vec<Span>>),
    Signature(String),
    Date(String),
}

fn t(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

fn hole(label: &str) -> Span {
    Span::Hole {
        label: label.to_owned(),
        shown: format!("【{label}】"),
    }
}

/// The input value, or a placeholder for it.
fn given(value: Option<&str>, label: &str) -> Span {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => t(v),
        None => hole(label),
    }
}

fn nonblank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|v| !v.is_empty())
}

fn spans_text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(x) => x.as_str(),
            Span::Hole { shown, .. } => shown.as_str(),
        })
        .collect()
}

const INDENT: &str = "\u{3000}\u{3000}";

fn render_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Organ(s) | Block::DocNumber(s) => out.push_str(&spans_text(s)),
            Block::Title(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Block::Salutation(s) => out.push_str(&spans_text(s)),
            Block::Para(s) => {
                out.push_str(INDENT);
                out.push_str(&spans_text(s));
            }
            Block::Items(items) => {
                let lines: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{INDENT}{}. {}", i + 1, spans_text(s)))
                    .collect();
                out.push_str(&lines.join("\n"));
            }
            Block::Signature(s) => {
                out.push('\n');
                out.push_str(s);
            }
            Block::Date(s) => out.push_str(s),
        }
        out.push('\n');
    }
    out
}

fn holes(blocks: &[Block]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |spans: &[Span]| {
        for s in spans {
            if let Span::Hole { label, .. } = s
                && !out.contains(label)
            {
                out.push(label.clone());
            }
        }
    };
    for b in blocks {
        match b {
            Block::Organ(s) | Block::DocNumber(s) | Block::Salutation(s) | Block::Para(s) => add(s),
            Block::Items(items) => items.iter().for_each(|s| add(s)),
            Block::Title(_) | Block::Signature(_) | Block::Date(_) => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Wording

fn citation(p: &Provision) -> LegalCitation {
    LegalCitation {
        law: REGULATION_FULL.to_owned(),
        article: Some(format!("第{}条", cn_numeral(u32::from(p.article)))),
        paragraph: p
            .paragraph
            .map(|n| format!("第{}款", cn_numeral(u32::from(n)))),
        item: p.item.map(|n| format!("第{}项", cn_numeral(u32::from(n)))),
    }
}

/// `《中华人民共和国政府信息公开条例》第十四条、第三十六条第三项`.
fn cite(ps: &[Provision]) -> String {
    let labels: Vec<String> = ps.iter().map(Provision::label).collect();
    format!("{REGULATION_FULL}{}", labels.join("、"))
}

struct Decision {
    paras: Vec<Vec<Span>>,
    provisions: Vec<Provision>,
    other_basis: Vec<LegalCitation>,
}

/// The ground of an Arts 14–16 withholding, in the Regulation's words.
fn withholding_ground(o: Outcome) -> &'static str {
    match o {
        Outcome::WithheldStateSecret => "经审查，您申请获取的信息属于国家秘密。",
        Outcome::WithheldProhibitedByLaw => {
            "经审查，您申请获取的信息属于法律、行政法规禁止公开的政府信息。"
        }
        Outcome::WithheldSecurityStability => {
            "经审查，您申请获取的信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。"
        }
        Outcome::WithheldThirdParty => {
            "经审查，您申请获取的信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。"
        }
        Outcome::WithheldInternalAffairs => {
            "经审查，您申请获取的信息属于人事管理、后勤管理、内部工作流程等方面的内部事务信息。"
        }
        Outcome::WithheldProcessInfo => {
            "经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息。"
        }
        _ => "经审查，您申请获取的信息属于行政执法案卷信息。",
    }
}

fn decision(input: &DraftInput) -> Decision {
    let o = input.outcome;
    let access = nonblank(input.access.as_deref());
    let mut provisions: Vec<Provision> = o.articles().to_vec();
    match o {
        Outcome::PartiallyDisclosed => provisions.push(A36_3),
        _ if o.is_withholding() => provisions.push(A36_3),
        Outcome::WithheldAdministrativeQuery => provisions = vec![A36_3],
        Outcome::NotProcessedConfirmation => provisions = vec![A2],
        Outcome::OtherFeeUnpaid => provisions = vec![A42],
        _ => {}
    }
    let c = cite(&provisions);
    let by = |after: &str| format!("根据{c}的规定，{after}");
    let mut other_basis = Vec::new();
    let para: Vec<Span> = match o {
        Outcome::DisclosedAlreadyPublic => vec![
            t("经查，您申请获取的信息已由本机关主动公开。"),
            t(by("现告知您获取该信息的方式和途径：")),
            given(access, "获取方式和途径"),
            t("。"),
        ],
        Outcome::Disclosed => {
            let mut p = vec![
                t("经查，您申请获取的信息属于可以公开的政府信息。"),
                t(by("本机关决定予以公开，现将该信息提供给您（见附件）。")),
            ];
            if let Some(a) = access {
                p.push(t(format!("您也可以通过以下方式获取：{a}。")));
            }
            p
        }
        Outcome::PartiallyDisclosed => vec![
            t("经查，您申请获取的信息中含有不应当公开的内容，但能够作区分处理。"),
            t(by(
                "本机关决定对其中可以公开的部分予以公开（见附件），对其余部分不予公开。",
            )),
        ],
        Outcome::WithheldAdministrativeQuery => vec![
            t("经审查，您申请获取的信息属于行政查询事项。"),
            t(by("本机关不予公开，您可以通过")),
            given(access, "查询渠道"),
            t("查询。"),
        ],
        Outcome::UnavailableNotHeld => vec![
            t("经检索查找，本机关未制作或者获取您申请获取的信息。"),
            t(by("告知您该政府信息不存在。")),
        ],
        Outcome::UnavailableNotResponsible => {
            let r = input.redirect_to.as_ref();
            vec![
                t("经审查，您申请获取的信息不属于本机关负责公开的范围。"),
                t(by("告知您该信息由")),
                given(r.map(|r| r.name.as_str()), "负责公开的行政机关名称"),
                t("负责公开，联系方式："),
                given(r.and_then(|r| r.contact.as_deref()), "该机关联系方式"),
                t("。"),
            ]
        }
        Outcome::UnavailableNeedsCreation => vec![
            t("经审查，您申请获取的信息需要本机关对现有政府信息进行加工、分析才能形成。"),
            t(by("本机关不予提供。")),
        ],
        Outcome::UnavailableUnclearAfterCorrection => vec![
            t(
                "本机关已告知您对申请内容作出补正，但补正后申请内容仍不明确，无法确定您所需的政府信息。",
            ),
            t(by("本机关无法提供。")),
        ],
        Outcome::NotProcessedPetition => vec![
            t("经审查，您是以政府信息公开申请的形式进行信访、投诉、举报等活动。"),
            t(by("本机关不作为政府信息公开申请处理，您可以通过")),
            t(access.unwrap_or("信访、投诉、举报等相应渠道")),
            t("提出。"),
        ],
        Outcome::NotProcessedRepeated => vec![
            t(
                "经查，本机关已就您此前提出的相同政府信息公开申请作出答复，您此次系重复申请公开相同政府信息。",
            ),
            t(by("本机关不予重复处理。")),
        ],
        Outcome::NotProcessedPublication => vec![
            t("经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。"),
            t(by("现告知您获取途径：")),
            given(access, "获取途径"),
            t("。"),
        ],
        Outcome::NotProcessedExcessive => vec![
            t(
                "您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，您未说明理由或者理由不合理。",
            ),
            t(by("本机关不予处理。")),
        ],
        Outcome::NotProcessedConfirmation => vec![t(format!(
            "经审查，您的申请系要求本机关确认或者重新出具您已获取的信息，不属于{c}所称的政府信息，本机关不作为政府信息公开申请处理。"
        ))],
        Outcome::OtherNoCorrection => vec![
            t("本机关已于"),
            hole("补正告知日期"),
            t("告知您对申请内容作出补正，您无正当理由逾期未补正。"),
            t(by("视为您放弃申请，本机关不再处理该政府信息公开申请。")),
        ],
        Outcome::OtherFeeUnpaid => {
            other_basis.push(LegalCitation {
                law: "《政府信息公开信息处理费管理办法》".to_owned(),
                ..LegalCitation::default()
            });
            vec![
                t("本机关已于"),
                hole("收费通知日期"),
                t("向您发出收费通知，您逾期未按收费通知要求缴纳费用。"),
                t(format!(
                    "根据{c}和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）的规定，视为您放弃申请，本机关不再处理该政府信息公开申请。"
                )),
            ]
        }
        Outcome::Other => {
            provisions.clear();
            vec![hole("处理决定及其法律依据")]
        }
        Outcome::SpecialRegime => vec![
            t("经审查，您申请获取的信息属于有关法律、行政法规对信息的获取有特别规定的情形。"),
            t(by("请您依照有关法律、行政法规的规定，通过")),
            given(access, "办理途径"),
            t("办理。"),
        ],
        Outcome::WithheldStateSecret
        | Outcome::WithheldProhibitedByLaw
        | Outcome::WithheldSecurityStability
        | Outcome::WithheldThirdParty
        | Outcome::WithheldInternalAffairs
        | Outcome::WithheldProcessInfo
        | Outcome::WithheldEnforcementFile => {
            vec![t(withholding_ground(o)), t(by("本机关决定不予公开。"))]
        }
    };
    Decision {
        paras: vec![para],
        provisions,
        other_basis,
    }
}

fn reasons_label(o: Outcome) -> &'static str {
    match o {
        Outcome::PartiallyDisclosed => "不予公开部分的理由",
        Outcome::UnavailableNotHeld => "检索情况及理由",
        Outcome::NotProcessedRepeated => "前次答复情况及理由",
        _ if o.needs_reasons() => "理由",
        _ => "说明",
    }
}

/// The remedy paragraph and the structured remedy it states.
fn remedy(input: &DraftInput) -> (Vec<Span>, Remedy) {
    let organ = expected_reconsideration_organ(&input.organ, input.issued_on);
    let recon_name = || match &organ {
        Some(o) => t(o.name.clone()),
        None => hole("行政复议机关名称"),
    };
    let contact: Vec<String> = organ
        .iter()
        .flat_map(|o| {
            [
                nonblank(o.address.as_deref()).map(|a| format!("地址：{a}")),
                nonblank(o.phone.as_deref()).map(|p| format!("联系电话：{p}")),
            ]
        })
        .flatten()
        .collect();
    // An organ the law put in place of the configured one (or configured bare) comes
    // without contact details: leave them visibly blank rather than omit them.
    let contact: Vec<Span> = if contact.is_empty() && organ.is_some() {
        vec![
            t("（地址："),
            hole("行政复议机关地址"),
            t("；联系电话："),
            hole("行政复议机关联系电话"),
            t("）"),
        ]
    } else if contact.is_empty() {
        Vec::new()
    } else {
        vec![t(format!("（{}）", contact.join("；")))]
    };
    // 行政诉讼法 Art. 15: a configured basic court is not repeated for a county-or-higher
    // government unless it is designated.
    let court = expected_court(&input.organ);
    let court_name = || match court {
        Some(c) => t(c.name.clone()),
        None => hole("人民法院名称"),
    };

    // 复议前置 (行政复议法 Art. 23(1)(4)) governs 不予公开 decisions from 2024.
    let first = input.outcome.needs_reconsideration_first() && input.issued_on.year() >= 2024;
    let partial = input.outcome == Outcome::PartiallyDisclosed;
    let mut s = Vec::new();
    if first {
        s.push(t(if partial {
            "如对本答复中不予公开的部分不服，您应当自收到本答复之日起六十日内先向"
        } else {
            "如对本答复不服，您应当自收到本答复之日起六十日内先向"
        }));
        s.push(recon_name());
        s.extend(contact.iter().cloned());
        s.push(t(
            "申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向",
        ));
        s.push(court_name());
        s.push(t("提起行政诉讼"));
        if partial {
            s.push(t(
                "；对本答复其他内容不服的，可以自收到本答复之日起六十日内向",
            ));
            s.push(recon_name());
            s.push(t("申请行政复议，也可以自收到本答复之日起六个月内向"));
            s.push(court_name());
            s.push(t("提起行政诉讼"));
        }
        s.push(t("。"));
    } else {
        s.push(t("如对本答复不服，可以自收到本答复之日起六十日内向"));
        s.push(recon_name());
        s.extend(contact.iter().cloned());
        s.push(t("申请行政复议，也可以自收到本答复之日起六个月内向"));
        s.push(court_name());
        s.push(t("提起行政诉讼。"));
    }

    let remedy = Remedy {
        reconsideration: Some(ReconsiderationRoute {
            organ: organ.as_ref().map(|o| o.name.clone()),
            address: organ.as_ref().and_then(|o| o.address.clone()),
            phone: organ.as_ref().and_then(|o| o.phone.clone()),
            period_days: Some(RECONSIDERATION_DAYS),
        }),
        litigation: Some(LitigationRoute {
            court: court.map(|c| c.name.clone()),
            period_months: (!first || partial).then_some(SUIT_MONTHS),
            period_days: first.then_some(SUIT_AFTER_RECONSIDERATION_DAYS),
        }),
        reconsideration_first: first.then_some(true),
    };
    (s, remedy)
}

/// Puts the 文号 assigned at issue into a draft's text: the blank number line the draft left
/// (`{organ_code}〔{year}〕 号`) becomes `doc_number`. `None` when the text has no such line
/// (edited by hand, or a number was given at drafting): the caller then keeps the text.
pub fn fill_doc_number(
    text: &str,
    organ_code: &str,
    year: i32,
    doc_number: &str,
) -> Option<String> {
    let blank = format!("{organ_code}〔{year}〕 号");
    text.contains(&blank)
        .then(|| text.replacen(&blank, doc_number, 1))
}

/// Builds the draft. Pure: the same input gives the same draft.
pub fn draft(input: DraftInput) -> Draft {
    let organ = &input.organ;
    let outcome = input.outcome;
    let mut blocks = Vec::new();

    blocks.push(Block::Organ(vec![given(Some(&organ.name), "答复机关名称")]));
    let number = nonblank(input.doc_number.as_deref());
    blocks.push(Block::DocNumber(match number {
        Some(n) => vec![t(n)],
        None => vec![
            given(Some(&organ.code), "机关代字"),
            t(format!("〔{}〕", input.issued_on.year())),
            Span::Hole {
                label: "文号序号".to_owned(),
                shown: " ".to_owned(),
            },
            t("号"),
        ],
    }));
    blocks.push(Block::Title(input.title.text().to_owned()));
    blocks.push(Block::Salutation(vec![
        given(Some(&input.applicant), "申请人姓名或名称"),
        t("："),
    ]));
    blocks.push(Block::Para(vec![t(format!(
        "本机关于{}收到您提出的政府信息公开申请，申请获取以下信息：",
        cn_date(input.received_on)
    ))]));
    let items: Vec<Vec<Span>> = input
        .items
        .iter()
        .filter_map(|i| nonblank(Some(i)))
        .map(|i| vec![t(i)])
        .collect();
    blocks.push(Block::Items(if items.is_empty() {
        vec![vec![hole("申请获取的信息")]]
    } else {
        items
    }));
    blocks.push(Block::Para(vec![t("现答复如下：")]));

    let d = decision(&input);
    blocks.extend(d.paras.into_iter().map(Block::Para));

    let reasons = nonblank(input.reasons.as_deref());
    if outcome.needs_reasons() || reasons.is_some() {
        let label = reasons_label(outcome);
        blocks.push(Block::Para(vec![
            t(format!("{label}：")),
            given(reasons, label),
            t(if reasons.is_some_and(|r| r.ends_with('。')) {
                ""
            } else {
                "。"
            }),
        ]));
    }

    let (remedy_spans, remedy) = remedy(&input);
    blocks.push(Block::Para(remedy_spans));
    blocks.push(Block::Para(vec![t("特此告知。")]));
    blocks.push(Block::Signature(organ.name.clone()));
    blocks.push(Block::Date(cn_date(input.issued_on)));

    let mut placeholders = holes(&blocks);
    if matches!(outcome, Outcome::Disclosed | Outcome::PartiallyDisclosed) {
        placeholders.push("附件：拟公开的政府信息".to_owned());
    }
    placeholders.push(format!("加盖{}印章（或政府信息公开专用章）", organ.name));

    let mut legal_basis: Vec<LegalCitation> = d.provisions.iter().map(citation).collect();
    legal_basis.extend(d.other_basis);
    let reply = ReplyDoc {
        doc_number: number.map(str::to_owned),
        issued_on: input.issued_on,
        dispatched_on: None,
        delivery_method: None,
        outcome,
        sealed: false,
        seal_organ: Some(organ.name.clone()),
        legal_basis,
        reasons: reasons.map(str::to_owned),
        redirect_to: if outcome.is_redirect() {
            input.redirect_to.clone()
        } else {
            None
        },
        remedy,
    };
    Draft {
        text: render_text(&blocks),
        blocks,
        reply,
        placeholders,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::compliance::{
        Court, OrganKind, OrganLevel, ProcessFacts, ReconsiderationOrgan, check, codes,
    };

    // The checker's fixture: a city department under its people's government.
    use crate::domain::compliance::tests::{d, organ as city_department};

    fn organs() -> Vec<Organ> {
        let county_government = Organ {
            name: "隆安县人民政府".to_owned(),
            code: "隆政信复".to_owned(),
            kind: OrganKind::Government,
            level: OrganLevel::County,
            reconsideration_organ: Some(ReconsiderationOrgan {
                name: "南宁市人民政府".to_owned(),
                address: Some("南宁市青秀区民族大道1号".to_owned()),
                phone: None,
            }),
            court: Some(Court {
                name: "南宁市中级人民法院".to_owned(),
                address: None,
                designated: false,
            }),
            parent_government_name: Some("南宁市人民政府".to_owned()),
            vertically_managed: None,
            seal_names: vec![],
        };
        let tax = Organ {
            name: "国家税务总局南宁市税务局".to_owned(),
            code: "南税信复".to_owned(),
            reconsideration_organ: Some(ReconsiderationOrgan {
                name: "国家税务总局广西壮族自治区税务局".to_owned(),
                address: None,
                phone: Some("0771-7654321".to_owned()),
            }),
            parent_government_name: None,
            ..city_department()
        };
        let province = Organ {
            name: "广西壮族自治区人民政府".to_owned(),
            code: "桂政办信复".to_owned(),
            kind: OrganKind::Government,
            level: OrganLevel::Province,
            reconsideration_organ: Some(ReconsiderationOrgan {
                name: "广西壮族自治区人民政府".to_owned(),
                address: Some("南宁市民族大道".to_owned()),
                phone: None,
            }),
            court: Some(Court {
                name: "南宁市中级人民法院".to_owned(),
                address: None,
                designated: false,
            }),
            parent_government_name: None,
            vertically_managed: None,
            seal_names: vec![],
        };
        vec![city_department(), county_government, tax, province]
    }

    pub(crate) fn input(organ: Organ, outcome: Outcome, issued_on: NaiveDate) -> DraftInput {
        DraftInput {
            organ,
            applicant: "张三".to_owned(),
            received_on: d(2024, 9, 27),
            items: vec!["2023年城市道路养护资金使用情况".to_owned()],
            outcome,
            reasons: Some("详见具体说明".to_owned()),
            redirect_to: Some(Redirect {
                name: "南宁市住房和城乡建设局".to_owned(),
                contact: Some("0771-5550000".to_owned()),
            }),
            access: Some("本机关门户网站“政府信息公开”栏目".to_owned()),
            issued_on,
            doc_number: None,
            title: DraftTitle::default(),
        }
    }

    /// What the clerk must still do on a complete input: number it and seal it (and, for
    /// `other`, write the decision and its basis).
    fn clerk_codes(outcome: Outcome) -> Vec<&'static str> {
        let mut v = vec![codes::DOC_NUMBER_MISSING, codes::SEAL_MISSING];
        if outcome == Outcome::Other {
            v.push(codes::LEGAL_BASIS_MISSING);
        }
        v
    }

    #[test]
    fn a_basic_court_is_not_repeated_for_a_county_government() {
        let mut county = organs()[1].clone();
        county.name = "南宁市武鸣区人民政府".to_owned();
        county.court = Some(Court {
            name: "南宁市武鸣区人民法院".to_owned(),
            address: None,
            designated: false,
        });
        let dr = draft(input(county.clone(), Outcome::Disclosed, d(2024, 10, 8)));
        assert!(!dr.text.contains("武鸣区人民法院"), "{}", dr.text);
        assert!(dr.text.contains("【人民法院名称】"));
        assert!(dr.placeholders.contains(&"人民法院名称".to_owned()));
        // Designated (集中管辖): named as configured.
        if let Some(c) = county.court.as_mut() {
            c.designated = true;
        }
        let dr = draft(input(county, Outcome::Disclosed, d(2024, 10, 8)));
        assert!(dr.text.contains("南宁市武鸣区人民法院"));
    }

    #[test]
    fn an_organ_put_in_by_the_law_gets_blank_contact_details() {
        // Configured: the higher department; the law (2024) names the own government.
        let mut o = city_department();
        o.reconsideration_organ = Some(ReconsiderationOrgan {
            name: "广西壮族自治区交通运输厅".to_owned(),
            address: Some("南宁市".to_owned()),
            phone: Some("0771-1".to_owned()),
        });
        o.parent_government_name = Some("南宁市人民政府".to_owned());
        let dr = draft(input(o, Outcome::Disclosed, d(2024, 10, 8)));
        assert!(
            dr.text.contains(
                "南宁市人民政府（地址：【行政复议机关地址】；联系电话：【行政复议机关联系电话】）"
            ),
            "{}",
            dr.text
        );
        assert!(dr.placeholders.contains(&"行政复议机关地址".to_owned()));
    }

    #[test]
    fn the_assigned_number_goes_into_the_text() {
        let dr = draft(input(city_department(), Outcome::Disclosed, d(2026, 10, 8)));
        assert!(dr.text.contains("南交信复〔2026〕 号"));
        let filled = fill_doc_number(&dr.text, "南交信复", 2026, "南交信复〔2026〕15号").unwrap();
        assert!(filled.contains("南交信复〔2026〕15号"));
        assert!(!filled.contains("〔2026〕 号"));
        assert_eq!(fill_doc_number(&filled, "南交信复", 2026, "x"), None);
    }

    #[test]
    fn every_outcome_drafts_a_reply_that_passes_the_checker() {
        for organ in organs() {
            for issued_on in [d(2024, 10, 8), d(2023, 10, 9)] {
                for &outcome in Outcome::ALL {
                    let dr = draft(input(organ.clone(), outcome, issued_on));
                    let found: Vec<&str> = check(&dr.reply, &organ, &ProcessFacts::default(), &[])
                        .iter()
                        .map(|f| f.code)
                        .collect();
                    assert_eq!(
                        found,
                        clerk_codes(outcome),
                        "{} {} {}\n{}",
                        organ.name,
                        issued_on,
                        outcome.as_str(),
                        dr.text
                    );
                    assert!(dr.placeholders.contains(&"文号序号".to_owned()));
                    assert!(dr.text.contains(&format!(
                        "{}〔{}〕 号",
                        organ.code,
                        issued_on.year()
                    )));
                }
            }
        }
    }

    #[test]
    fn a_given_number_and_a_seal_leave_nothing_to_fix() {
        let dr = draft(DraftInput {
            doc_number: Some("南交信复〔2024〕15号".to_owned()),
            ..input(
                city_department(),
                Outcome::WithheldThirdParty,
                d(2024, 10, 8),
            )
        });
        let mut reply = dr.reply.clone();
        reply.sealed = true;
        assert_eq!(
            check(&reply, &city_department(), &ProcessFacts::default(), &[]),
            vec![]
        );
        assert!(!dr.placeholders.contains(&"文号序号".to_owned()));
        assert!(dr.text.contains("南交信复〔2024〕15号"));
    }

    #[test]
    fn withholding_text_carries_article_reasons_and_reconsideration_first() {
        let dr = draft(input(
            city_department(),
            Outcome::WithheldStateSecret,
            d(2024, 10, 8),
        ));
        let text = &dr.text;
        assert!(
            text.starts_with("南宁市交通运输局\n南交信复〔2024〕 号\n关于政府信息公开申请的答复\n"),
            "{text}"
        );
        assert!(text.contains("张三："));
        assert!(text.contains("2024年9月27日收到"));
        assert!(text.contains("1. 2023年城市道路养护资金使用情况"));
        assert!(text.contains("《中华人民共和国政府信息公开条例》第十四条、第三十六条第三项的规定，本机关决定不予公开"), "{text}");
        assert!(text.contains("理由：详见具体说明。"));
        assert!(text.contains("应当自收到本答复之日起六十日内先向南宁市人民政府（地址：南宁市青秀区民族大道1号；联系电话：0771-1234567）申请行政复议"), "{text}");
        assert!(
            text.contains("十五日内向南宁市青秀区人民法院提起行政诉讼"),
            "{text}"
        );
        assert!(
            text.ends_with("南宁市交通运输局\n2024年10月8日\n"),
            "{text}"
        );
        assert_eq!(dr.reply.remedy.reconsideration_first, Some(true));
    }

    #[test]
    fn disclosure_offers_both_routes_without_reconsideration_first() {
        let dr = draft(input(city_department(), Outcome::Disclosed, d(2024, 10, 8)));
        assert!(
            dr.text
                .contains("第三十六条第二项的规定，本机关决定予以公开")
        );
        assert!(dr.text.contains("六十日内向南宁市人民政府"));
        assert!(
            dr.text
                .contains("六个月内向南宁市青秀区人民法院提起行政诉讼")
        );
        assert!(!dr.text.contains("先向"));
        assert_eq!(dr.reply.remedy.reconsideration_first, None);
        assert!(
            dr.placeholders
                .contains(&"附件：拟公开的政府信息".to_owned())
        );
    }

    #[test]
    fn form_title_is_available() {
        let dr = draft(DraftInput {
            title: DraftTitle::Form,
            ..input(city_department(), Outcome::Disclosed, d(2024, 10, 8))
        });
        assert!(dr.text.contains("\n政府信息公开申请答复书\n"));
        assert!(
            dr.blocks
                .contains(&Block::Title("政府信息公开申请答复书".to_owned()))
        );
    }

    #[test]
    fn missing_inputs_become_placeholders_and_expected_findings() {
        let mut organ = city_department();
        organ.court = None;
        organ.parent_government_name = None;
        organ.reconsideration_organ = None;
        let dr = draft(DraftInput {
            reasons: None,
            redirect_to: None,
            items: vec![],
            ..input(
                organ.clone(),
                Outcome::UnavailableNotResponsible,
                d(2024, 10, 8),
            )
        });
        for p in [
            "申请获取的信息",
            "负责公开的行政机关名称",
            "该机关联系方式",
            "理由",
            "行政复议机关名称",
            "人民法院名称",
        ] {
            assert!(
                dr.placeholders.contains(&p.to_owned()),
                "{p}: {:?}",
                dr.placeholders
            );
            assert!(dr.text.contains(&format!("【{p}】")), "{p}");
        }
        let found: Vec<&str> = check(&dr.reply, &organ, &ProcessFacts::default(), &[])
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            found,
            [
                codes::DOC_NUMBER_MISSING,
                codes::SEAL_MISSING,
                codes::REASONS_MISSING,
                codes::REDIRECT_MISSING,
                codes::REMEDY_RECONSIDERATION_ORGAN_MISSING,
                codes::REMEDY_COURT_MISSING,
            ]
        );
    }

    #[test]
    fn draft_input_reads_from_json() {
        let json = serde_json::json!({
            "organ": city_department(),
            "applicant": "李四",
            "received_on": "2024-09-27",
            "items": ["某项目环评批复"],
            "outcome": "partially_disclosed",
            "reasons": "其中涉及个人隐私的内容不予公开",
            "issued_on": "2024-10-08"
        });
        let input: DraftInput = serde_json::from_value(json).unwrap();
        let dr = draft(input);
        assert!(
            dr.text
                .contains("不予公开部分的理由：其中涉及个人隐私的内容不予公开。")
        );
        assert!(dr.text.contains("对本答复中不予公开的部分不服"));
        let json = serde_json::to_value(&dr).unwrap();
        assert_eq!(json["reply"]["outcome"], "partially_disclosed");
    }
}

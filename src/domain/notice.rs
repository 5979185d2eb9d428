//! The notices a case sends besides the reply, drafted from its facts: 受理回执 (receipt),
//! 补正告知书 (Art. 30), 延期答复告知书 (Art. 33(2)), 征求意见函 (Arts 32, 34) and
//! 收费通知书 (Art. 42; 国办函〔2020〕109号). Each says what the recipient must do by when,
//! with the article. Plain text, one paragraph a line, for the clerk to edit.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::org::text_enum;

text_enum!(
    /// The kinds of notice.
    NoticeKind {
        Receipt => "receipt",
        Correction => "correction",
        Extension => "extension",
        Consultation => "consultation",
        Fee => "fee",
    }
);

impl NoticeKind {
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "政府信息公开申请受理回执",
            NoticeKind::Correction => "政府信息公开申请补正告知书",
            NoticeKind::Extension => "政府信息公开申请延期答复告知书",
            NoticeKind::Consultation => "政府信息公开征求意见函",
            NoticeKind::Fee => "政府信息公开信息处理费缴费通知书",
        }
    }
}

/// What a notice is drafted from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeInput {
    pub kind: NoticeKind,
    pub organ: String,
    pub organ_address: Option<String>,
    pub organ_phone: Option<String>,
    pub applicant: String,
    pub case_number: String,
    pub received_on: Option<NaiveDate>,
    pub items: Vec<String>,
    pub issued_on: NaiveDate,
    /// The answer deadline in force (receipt, extension).
    pub due_on: Option<NaiveDate>,
    /// 补正: what to correct, and by when.
    pub correction_items: Vec<String>,
    pub respond_by: Option<NaiveDate>,
    /// 延期: working days added, and why.
    pub extension_days: Option<u32>,
    pub reason: Option<String>,
    /// 征求意见: who is consulted, and by when they answer.
    pub consulted: Option<String>,
    pub answer_by: Option<NaiveDate>,
    /// 收费: amount in fen, and the last day to pay.
    pub amount_fen: Option<i64>,
    pub pay_by: Option<NaiveDate>,
}

fn cn(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A visible blank for what the case does not know.
fn or_blank(v: Option<String>, what: &str) -> String {
    v.unwrap_or_else(|| format!("【{what}】"))
}

fn items_line(items: &[String]) -> String {
    if items.is_empty() {
        "【申请内容】".to_owned()
    } else {
        items
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {t}", i + 1))
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// The notice's title and text (addressee first, signature and date last).
pub fn draft(n: &NoticeInput) -> (String, String) {
    let received = or_blank(n.received_on.map(cn), "收到申请日期");
    let mut lines: Vec<String> = Vec::new();
    let addressee = match n.kind {
        NoticeKind::Consultation => or_blank(n.consulted.clone(), "征求意见对象"),
        _ => n.applicant.clone(),
    };
    lines.push(format!("{addressee}："));
    match n.kind {
        NoticeKind::Receipt => {
            lines.push(format!(
                "本机关于{received}收到您提出的政府信息公开申请（编号{}），申请获取：{}。",
                n.case_number,
                items_line(&n.items)
            ));
            lines.push(format!(
                "根据《中华人民共和国政府信息公开条例》第三十三条第二款，本机关将在收到申请之日起20个工作日内予以答复，即不晚于{}；如需延长答复期限，将另行告知。",
                or_blank(n.due_on.map(cn), "答复期限")
            ));
        }
        NoticeKind::Correction => {
            lines.push(format!(
                "本机关于{received}收到您提出的政府信息公开申请（编号{}）。经审查，您的申请内容不够明确，根据《中华人民共和国政府信息公开条例》第三十条的规定，请您对以下事项作出补正：",
                n.case_number
            ));
            if n.correction_items.is_empty() {
                lines.push("1. 【需要补正的事项】".to_owned());
            }
            for (i, item) in n.correction_items.iter().enumerate() {
                lines.push(format!("{}. {item}", i + 1));
            }
            lines.push(format!(
                "请于{}前提交补正材料。答复期限自本机关收到补正后的申请之日起计算；无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
                or_blank(n.respond_by.map(cn), "补正期限")
            ));
        }
        NoticeKind::Extension => {
            lines.push(format!(
                "本机关于{received}收到您提出的政府信息公开申请（编号{}）。因{}，不能在规定期限内答复，经本机关政府信息公开工作机构负责人同意，根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，答复期限延长{}个工作日，本机关将于{}前作出答复。",
                n.case_number,
                or_blank(n.reason.clone(), "延期理由"),
                n.extension_days.map_or_else(|| "【延长天数】".to_owned(), |d| d.to_string()),
                or_blank(n.due_on.map(cn), "延长后的答复期限")
            ));
        }
        NoticeKind::Consultation => {
            lines.push(format!(
                "本机关于{received}收到{}提出的政府信息公开申请，申请获取：{}。该信息的公开可能损害贵方的合法权益（或涉及贵机关职责），根据《中华人民共和国政府信息公开条例》第三十二条（第三十四条）的规定，现书面征求贵方意见。",
                n.applicant,
                items_line(&n.items)
            ));
            lines.push(format!(
                "请贵方自收到本函之日起15个工作日内提出意见（即不晚于{}）。逾期未提出意见的，由本机关依照《条例》的规定决定是否公开。第三方不同意公开且有合理理由的，本机关不予公开；本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的内容和理由书面告知第三方。",
                or_blank(n.answer_by.map(cn), "提出意见的期限")
            ));
        }
        NoticeKind::Fee => {
            let amount = n
                .amount_fen
                .map(|f| format!("{}.{:02}元", f / 100, f % 100));
            lines.push(format!(
                "本机关于{received}收到您提出的政府信息公开申请（编号{}）。根据《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）的规定，您的申请超出了合理范围，本机关依法收取信息处理费，金额为{}。",
                n.case_number,
                or_blank(amount, "收费金额")
            ));
            lines.push(format!(
                "请于{}前（自收到本通知之日起20个工作日内）缴纳，缴费方式：【缴费方式】。逾期未缴纳的，视为放弃申请。答复期限自本机关收到费用之日起重新计算。",
                or_blank(n.pay_by.map(cn), "缴费期限")
            ));
        }
    }
    let contact = match (&n.organ_address, &n.organ_phone) {
        (Some(a), Some(p)) => format!("联系地址：{a}；联系电话：{p}。"),
        (Some(a), None) => format!("联系地址：{a}；联系电话：【联系电话】。"),
        (None, Some(p)) => format!("联系地址：【联系地址】；联系电话：{p}。"),
        (None, None) => "联系地址：【联系地址】；联系电话：【联系电话】。".to_owned(),
    };
    lines.push(contact);
    lines.push("特此告知。".to_owned());
    lines.push(String::new());
    lines.push(n.organ.clone());
    lines.push(cn(n.issued_on));
    (n.kind.title().to_owned(), lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn input(kind: NoticeKind) -> NoticeInput {
        NoticeInput {
            kind,
            organ: "某市自然资源局".into(),
            organ_address: Some("某市某路1号".into()),
            organ_phone: None,
            applicant: "张三".into(),
            case_number: "2026-0007".into(),
            received_on: Some(d("2026-03-02")),
            items: vec!["某地块征收补偿方案".into()],
            issued_on: d("2026-03-04"),
            due_on: Some(d("2026-03-30")),
            correction_items: vec!["请明确地块位置".into()],
            respond_by: Some(d("2026-03-20")),
            extension_days: None,
            reason: None,
            consulted: None,
            answer_by: None,
            amount_fen: Some(12_050),
            pay_by: None,
        }
    }

    #[test]
    fn a_correction_notice_lists_the_items_and_the_period() {
        let (title, text) = draft(&input(NoticeKind::Correction));
        assert_eq!(title, "政府信息公开申请补正告知书");
        assert!(text.starts_with("张三："));
        assert!(text.contains("1. 请明确地块位置"));
        assert!(text.contains("请于2026年3月20日前提交补正材料"));
        assert!(text.contains("第三十条"));
        assert!(
            text.contains("联系电话：【联系电话】"),
            "unknown facts stay visible blanks"
        );
        assert!(text.ends_with("某市自然资源局\n2026年3月4日"));
    }

    #[test]
    fn a_fee_notice_states_the_amount_and_leaves_unknown_dates_blank() {
        let (_, text) = draft(&input(NoticeKind::Fee));
        assert!(text.contains("金额为120.50元"));
        assert!(text.contains("请于【缴费期限】前"));
        assert!(text.contains("国办函〔2020〕109号"));
    }

    #[test]
    fn a_receipt_names_the_due_date() {
        let (_, text) = draft(&input(NoticeKind::Receipt));
        assert!(text.contains("不晚于2026年3月30日"));
    }
}

//! Mail: the templates (in `templates/mail/`, Chinese), composing the mails a change or a
//! scan causes, and delivering the outbox over SMTP (`sender`). Composing is pure; queueing
//! happens in the caller's transaction through `store::outbox`.

pub mod sender;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::store::outbox::NewMail;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "acknowledgement",
        include_str!("../../templates/mail/acknowledgement.txt"),
    ),
    (
        "due_soon",
        include_str!("../../templates/mail/due_soon.txt"),
    ),
    (
        "extension_refused",
        include_str!("../../templates/mail/extension_refused.txt"),
    ),
    (
        "overdue_digest",
        include_str!("../../templates/mail/overdue_digest.txt"),
    ),
    (
        "order_overdue",
        include_str!("../../templates/mail/order_overdue.txt"),
    ),
    (
        "rectification_overdue",
        include_str!("../../templates/mail/rectification_overdue.txt"),
    ),
    (
        "notice_correction_requested",
        include_str!("../../templates/mail/notice_correction_requested.txt"),
    ),
    (
        "notice_extension_granted",
        include_str!("../../templates/mail/notice_extension_granted.txt"),
    ),
    (
        "notice_fee_notice_issued",
        include_str!("../../templates/mail/notice_fee_notice_issued.txt"),
    ),
    (
        "notice_reply",
        include_str!("../../templates/mail/notice_reply.txt"),
    ),
    (
        "online_submitted",
        include_str!("../../templates/mail/online_submitted.txt"),
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("no mail template {0}")]
    Unknown(String),
    #[error("template {template} has no subject line")]
    NoSubject { template: String },
    #[error("template {template} needs {placeholder}")]
    Missing {
        template: String,
        placeholder: String,
    },
}

/// The mail templates, parsed once: each file's subject line and body as two templates
/// of the one template engine (minijinja, shared with the pages). Values are data, never
/// template text (an applicant may well type "{{"); a placeholder without a value is an
/// error, never sent. Mail is plain text: nothing is HTML-escaped.
static MAIL: std::sync::LazyLock<Result<minijinja::Environment<'static>, TemplateError>> =
    std::sync::LazyLock::new(|| {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        for (name, raw) in TEMPLATES {
            let (subject, body) = raw
                .strip_prefix("Subject: ")
                .and_then(|rest| rest.split_once("\n\n"))
                .ok_or_else(|| TemplateError::NoSubject {
                    template: (*name).to_owned(),
                })?;
            env.add_template_owned(format!("{name}.subject"), subject.trim().to_owned())
                .map_err(|e| TemplateError::Unknown(format!("{name}: {e}")))?;
            env.add_template_owned(format!("{name}.body"), body.to_owned())
                .map_err(|e| TemplateError::Unknown(format!("{name}: {e}")))?;
        }
        Ok(env)
    });

/// What the outbox keeps of a delivered mail in place of its body, for the kinds whose
/// body is the recipient's secret: the online query code (only its hash is kept elsewhere)
/// must not stay readable in the outbox once the applicant has it.
pub fn body_after_delivery(kind: &str) -> Option<&'static str> {
    (kind == "online_submitted").then_some("（此邮件含申请人的查询码，发送后正文不再保存。）")
}

/// Fills a mail template's placeholders; returns (subject, body).
pub fn render(
    template: &str,
    vars: &BTreeMap<&str, String>,
) -> Result<(String, String), TemplateError> {
    let env = MAIL.as_ref().map_err(Clone::clone)?;
    let fill = |part: &str| -> Result<String, TemplateError> {
        let t = env
            .get_template(&format!("{template}.{part}"))
            .map_err(|_| TemplateError::Unknown(template.to_owned()))?;
        t.render(vars).map_err(|e| TemplateError::Missing {
            template: template.to_owned(),
            placeholder: e.detail().map_or_else(|| e.to_string(), str::to_owned),
        })
    };
    Ok((fill("subject")?, fill("body")?.trim_end().to_owned() + "\n"))
}

/// Why mail to the applicant is held, if it is: every mail to the public names the
/// department's address and phone (the applicant's only way to reach it), so without them
/// none is queued. None when the applicant gave no e-mail (nothing would be sent anyway).
pub fn public_mail_held(
    applicant_email: Option<&str>,
    address: &Option<String>,
    phone: &Option<String>,
) -> Option<String> {
    applicant_email?;
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    let missing: Vec<&str> = [("地址（address）", address), ("电话（phone）", phone)]
        .into_iter()
        .filter(|(_, v)| blank(v))
        .map(|(name, _)| name)
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "受理机关未登记{}，发给申请人的邮件暂不发送：请补全机关信息，已暂停的通知请另行送达",
            missing.join("、")
        )
    })
}

/// What every case mail may say about the case and its agency. No secrets. The link (the
/// case in the API, which needs a login) goes to staff only, never to the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMail {
    pub case_id: i64,
    pub case_number: String,
    /// `{department code} {case number}`, for staff who see several departments.
    pub display_number: String,
    pub applicant: String,
    pub applicant_email: Option<String>,
    pub wants_email: bool,
    pub department: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub receipt_rule: String,
    pub due_on: Option<NaiveDate>,
    pub link: String,
}

impl CaseMail {
    /// The mail context of a stored case and its department.
    pub fn for_case(
        row: &crate::store::cases::CaseRow,
        dept: &crate::store::departments::Department,
        public_url: &str,
    ) -> CaseMail {
        CaseMail {
            case_id: row.id,
            case_number: row.case_number.clone(),
            display_number: crate::ops::cases::display_number(&dept.data.code, &row.case_number),
            applicant: row.applicant_name.clone(),
            applicant_email: row.applicant_email.clone(),
            wants_email: row.delivery_preference.as_deref() == Some("email"),
            department: dept.data.name.clone(),
            address: dept.data.address.clone(),
            phone: dept.data.phone.clone(),
            received_on: row.received_on,
            receipt_rule: crate::domain::case::Channel::parse(&row.channel)
                .map_or_else(String::new, |c| c.receipt_rule().to_owned()),
            due_on: row.due_on,
            link: format!("{public_url}/api/v1/cases/{}", row.id),
        }
    }

    fn vars(&self) -> BTreeMap<&'static str, String> {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "（未登记）".to_owned());
        let date =
            |d: Option<NaiveDate>| d.map_or_else(|| "（待定）".to_owned(), |d| d.to_string());
        BTreeMap::from([
            ("case_number", self.case_number.clone()),
            ("display_number", self.display_number.clone()),
            ("applicant", self.applicant.clone()),
            ("department", self.department.clone()),
            ("address", or_none(&self.address)),
            ("phone", or_none(&self.phone)),
            ("received_on", date(self.received_on)),
            ("receipt_rule", self.receipt_rule.clone()),
            ("due_on", date(self.due_on)),
            ("link", self.link.clone()),
        ])
    }

    fn to_applicant(
        &self,
        kind: &str,
        ref_date: NaiveDate,
        template: &str,
        extra: &[(&'static str, String)],
    ) -> Result<Option<NewMail>, TemplateError> {
        let Some(to) = self.applicant_email.clone() else {
            return Ok(None);
        };
        if public_mail_held(Some(&to), &self.address, &self.phone).is_some() {
            return Ok(None);
        }
        let mut vars = self.vars();
        vars.remove("link");
        vars.extend(extra.iter().cloned());
        let (subject, body) = render(template, &vars)?;
        Ok(Some(NewMail {
            kind: kind.to_owned(),
            case_id: Some(self.case_id),
            ref_date,
            recipient: to,
            subject,
            body,
        }))
    }

    /// 受理回执: once the case has its receipt date, to the applicant's e-mail.
    pub fn acknowledgement(&self) -> Result<Option<NewMail>, TemplateError> {
        let Some(received) = self.received_on else {
            return Ok(None);
        };
        self.to_applicant("acknowledgement", received, "acknowledgement", &[])
    }

    /// The query code of an online application, to the e-mail given on the form (whatever
    /// the delivery chosen: the code is shown once on the page, the mail keeps it).
    pub fn online_code(
        &self,
        code: &str,
        submitted_on: NaiveDate,
    ) -> Result<Option<NewMail>, TemplateError> {
        self.to_applicant(
            "online_submitted",
            submitted_on,
            "online_submitted",
            &[
                ("code", code.to_owned()),
                ("submitted_on", submitted_on.to_string()),
            ],
        )
    }

    /// A copy of a notice, for applicants who chose e-mail delivery.
    pub fn notice(
        &self,
        kind: &str,
        date: NaiveDate,
        extra: &[(&'static str, String)],
    ) -> Result<Option<NewMail>, TemplateError> {
        if !self.wants_email {
            return Ok(None);
        }
        let mut vars: Vec<(&'static str, String)> = vec![("event_date", date.to_string())];
        vars.extend(extra.iter().cloned());
        self.to_applicant(
            &format!("notice_{kind}"),
            date,
            &format!("notice_{kind}"),
            &vars,
        )
    }

    /// A due-soon reminder to one member of staff.
    pub fn due_soon(
        &self,
        name: &str,
        email: &str,
        days_left: i64,
    ) -> Result<NewMail, TemplateError> {
        let mut vars = self.vars();
        vars.insert("recipient_name", name.to_owned());
        vars.insert("days_left", days_left.to_string());
        let (subject, body) = render("due_soon", &vars)?;
        Ok(NewMail {
            kind: format!("due_soon_{days_left}"),
            case_id: Some(self.case_id),
            ref_date: self.due_on.unwrap_or(NaiveDate::MIN),
            recipient: email.to_owned(),
            subject,
            body,
        })
    }
}

impl CaseMail {
    /// Tells a clerk that the office head refused the extension asked for: the period
    /// stands. One per refusal (keyed by its date and recipient).
    pub fn extension_refused(
        &self,
        name: &str,
        email: &str,
        refused_on: NaiveDate,
        refused_by: &str,
        reason: &str,
    ) -> Result<NewMail, TemplateError> {
        let mut vars = self.vars();
        vars.insert("recipient_name", name.to_owned());
        vars.insert("event_date", refused_on.to_string());
        vars.insert("refused_by", refused_by.to_owned());
        vars.insert("reason", reason.to_owned());
        let (subject, body) = render("extension_refused", &vars)?;
        Ok(NewMail {
            kind: "extension_refused".to_owned(),
            case_id: Some(self.case_id),
            ref_date: refused_on,
            recipient: email.to_owned(),
            subject,
            body,
        })
    }
}

/// The daily overdue digest for one supervisor.
pub fn overdue_digest(
    name: &str,
    email: &str,
    as_of: NaiveDate,
    lines: &[String],
    link: &str,
) -> Result<NewMail, TemplateError> {
    let vars = BTreeMap::from([
        ("recipient_name", name.to_owned()),
        ("as_of", as_of.to_string()),
        ("count", lines.len().to_string()),
        ("lines", lines.join("\n")),
        ("link", link.to_owned()),
    ]);
    let (subject, body) = render("overdue_digest", &vars)?;
    Ok(NewMail {
        kind: "overdue_digest".to_owned(),
        case_id: None,
        ref_date: as_of,
        recipient: email.to_owned(),
        subject,
        body,
    })
}

/// What an order's escalation mail says, to whom.
pub struct OrderMail<'a> {
    pub order_id: i64,
    pub recipient_name: &'a str,
    pub recipient: &'a str,
    pub department: &'a str,
    pub office: &'a str,
    pub title: &'a str,
    pub responsible: &'a str,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The day of the scan that found it overdue.
    pub as_of: NaiveDate,
    pub working_days_late: i64,
    pub link: &'a str,
}

/// The escalation of a supervision order past its due date. Sent once per order and
/// recipient: the kind names the order and the reference date is its due date.
pub fn order_overdue(m: &OrderMail<'_>) -> Result<NewMail, TemplateError> {
    let vars = BTreeMap::from([
        ("recipient_name", m.recipient_name.to_owned()),
        ("department", m.department.to_owned()),
        ("office", m.office.to_owned()),
        ("title", m.title.to_owned()),
        ("responsible", m.responsible.to_owned()),
        ("issued_on", m.issued_on.to_string()),
        ("due_on", m.due_on.to_string()),
        ("as_of", m.as_of.to_string()),
        ("late", m.working_days_late.to_string()),
        ("link", m.link.to_owned()),
    ]);
    let (subject, body) = render("order_overdue", &vars)?;
    Ok(NewMail {
        kind: format!("order_overdue_{}", m.order_id),
        case_id: None,
        ref_date: m.due_on,
        recipient: m.recipient.to_owned(),
        subject,
        body,
    })
}

/// What a rectification item's escalation mail says, to whom.
pub struct ItemMail<'a> {
    pub item_id: i64,
    pub recipient_name: &'a str,
    pub recipient: &'a str,
    pub department: &'a str,
    pub office: &'a str,
    pub period_title: &'a str,
    pub published_on: NaiveDate,
    pub problem: &'a str,
    pub due_on: NaiveDate,
    /// The day of the scan that found it overdue.
    pub as_of: NaiveDate,
    pub working_days_late: i64,
    pub link: &'a str,
}

/// The escalation of a rectification item past its due date with nothing reported. Sent
/// once per item and recipient: the kind names the item, the reference date its due date.
pub fn rectification_overdue(m: &ItemMail<'_>) -> Result<NewMail, TemplateError> {
    let vars = BTreeMap::from([
        ("recipient_name", m.recipient_name.to_owned()),
        ("department", m.department.to_owned()),
        ("office", m.office.to_owned()),
        ("period_title", m.period_title.to_owned()),
        ("published_on", m.published_on.to_string()),
        ("problem", m.problem.to_owned()),
        ("due_on", m.due_on.to_string()),
        ("as_of", m.as_of.to_string()),
        ("late", m.working_days_late.to_string()),
        ("link", m.link.to_owned()),
    ]);
    let (subject, body) = render("rectification_overdue", &vars)?;
    Ok(NewMail {
        kind: format!("rectification_overdue_{}", m.item_id),
        case_id: None,
        ref_date: m.due_on,
        recipient: m.recipient.to_owned(),
        subject,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> CaseMail {
        CaseMail {
            case_id: 7,
            case_number: "2024-0003".into(),
            display_number: "南交 2024-0003".into(),
            applicant: "张三".into(),
            applicant_email: Some("zhangsan@example.cn".into()),
            wants_email: true,
            department: "南宁市交通运输局".into(),
            address: Some("南宁市民族大道1号".into()),
            phone: Some("0771-1234567".into()),
            received_on: NaiveDate::from_ymd_opt(2024, 9, 27),
            receipt_rule: "当面提交的，以提交之日为收到申请之日".into(),
            due_on: NaiveDate::from_ymd_opt(2024, 10, 30),
            link: "https://ogi.example.gov.cn/api/v1/cases/7".into(),
        }
    }

    /// Compares with `src/mail/snapshots/{name}.txt`; `UPDATE_SNAPSHOTS=1` rewrites them.
    fn snapshot(name: &str, mail: &NewMail) {
        let text = format!(
            "To: {}\nSubject: {}\n\n{}",
            mail.recipient, mail.subject, mail.body
        );
        let path = format!(
            "{}/src/mail/snapshots/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let expected =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing snapshot {path}"));
        assert_eq!(
            text, expected,
            "snapshot {name} differs (UPDATE_SNAPSHOTS=1 to accept)"
        );
    }

    #[test]
    fn every_template_renders_as_recorded() {
        let c = case();
        let due = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        snapshot(
            "order_overdue",
            &order_overdue(&OrderMail {
                order_id: 3,
                recipient_name: "赵监督",
                recipient: "zhao@nn.gov.cn",
                department: "南宁市交通运输局",
                office: "南宁市人民政府办公室",
                title: "逾期未答复的申请",
                responsible: "王局长",
                issued_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                due_on: due,
                as_of: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
                working_days_late: 2,
                link: "https://ogi.example.gov.cn/orders/3",
            })
            .unwrap(),
        );
        snapshot(
            "rectification_overdue",
            &rectification_overdue(&ItemMail {
                item_id: 4,
                recipient_name: "赵监督",
                recipient: "zhao@nn.gov.cn",
                department: "南宁市交通运输局",
                office: "南宁市人民政府",
                period_title: "南宁市人民政府关于2026年第三季度政府信息公开工作考核结果的通报",
                published_on: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
                problem: "逾期答复1件（本期答复2件，按期答复率50%）。",
                due_on: NaiveDate::from_ymd_opt(2026, 12, 11).unwrap(),
                as_of: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
                working_days_late: 1,
                link: "https://ogi.example.gov.cn/assessments/items/4",
            })
            .unwrap(),
        );
        snapshot("acknowledgement", &c.acknowledgement().unwrap().unwrap());
        snapshot(
            "due_soon",
            &c.due_soon("李承办", "clerk@example.gov.cn", 5).unwrap(),
        );
        let d = NaiveDate::from_ymd_opt(2024, 10, 9).unwrap();
        snapshot(
            "notice_correction_requested",
            &c.notice(
                "correction_requested",
                d,
                &[
                    ("items", "1. 身份证明".into()),
                    ("respond_by", "2024-10-20".into()),
                ],
            )
            .unwrap()
            .unwrap(),
        );
        snapshot(
            "notice_extension_granted",
            &c.notice(
                "extension_granted",
                d,
                &[
                    ("working_days", "20".into()),
                    ("reason", "需调取档案".into()),
                ],
            )
            .unwrap()
            .unwrap(),
        );
        snapshot(
            "notice_fee_notice_issued",
            &c.notice("fee_notice_issued", d, &[("amount", "100.00".into())])
                .unwrap()
                .unwrap(),
        );
        snapshot(
            "notice_reply",
            &c.notice(
                "reply",
                d,
                &[
                    ("doc_number", "南交信复〔2024〕3号".into()),
                    ("issued_on", "2024-10-25".into()),
                    ("outcome", "予以公开".into()),
                ],
            )
            .unwrap()
            .unwrap(),
        );
        let lines = vec!["- 南交 2024-0001 南宁市交通运输局 申请人：王五 期限：2024-10-08 超期3个工作日 承办人：李承办".to_owned()];
        snapshot(
            "overdue_digest",
            &overdue_digest(
                "赵监督",
                "sup@example.gov.cn",
                d,
                &lines,
                "https://ogi.example.gov.cn/api/v1/reports/overdue",
            )
            .unwrap(),
        );
    }

    #[test]
    fn braces_in_values_are_text() {
        let mut c = case();
        c.applicant = "{{测试}}".into();
        let m = c.acknowledgement().unwrap().unwrap();
        assert!(m.body.starts_with("{{测试}}："));
    }

    #[test]
    fn missing_values_are_errors_and_no_email_means_no_mail() {
        let mut c = case();
        assert!(matches!(
            c.notice("extension_granted", c.due_on.unwrap(), &[]),
            Err(TemplateError::Missing { .. })
        ));
        c.wants_email = false;
        assert_eq!(c.notice("reply", c.due_on.unwrap(), &[]), Ok(None));
        c.applicant_email = None;
        assert_eq!(c.acknowledgement(), Ok(None));
    }

    #[test]
    fn mail_to_the_public_has_no_link_and_needs_address_and_phone() {
        let mut c = case();
        let m = c.acknowledgement().unwrap().unwrap();
        assert!(!m.body.contains("/api/"), "{}", m.body);
        assert!(
            c.due_soon("李承办", "clerk@example.gov.cn", 5)
                .unwrap()
                .body
                .contains(&c.link)
        );
        c.phone = None;
        assert_eq!(c.acknowledgement(), Ok(None));
        let d = c.due_on.unwrap();
        assert_eq!(c.notice("reply", d, &[]), Ok(None));
        let why = public_mail_held(Some("a@b.cn"), &c.address, &c.phone).unwrap();
        assert!(why.contains("电话") && !why.contains("地址"), "{why}");
        assert_eq!(public_mail_held(None, &None, &None), None);
    }
}

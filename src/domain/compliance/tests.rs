//! Unit tests of the compliance checker, one or more per finding code; `d` and `organ` are
//! shared with other modules' tests.

use super::*;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(crate) fn organ() -> Organ {
    Organ {
        name: "南宁市交通运输局".to_owned(),
        code: "南交信复".to_owned(),
        kind: OrganKind::Department,
        level: OrganLevel::City,
        reconsideration_organ: Some(ReconsiderationOrgan {
            name: "南宁市人民政府".to_owned(),
            address: Some("南宁市青秀区民族大道1号".to_owned()),
            phone: Some("0771-1234567".to_owned()),
        }),
        court: Some(Court {
            name: "南宁市青秀区人民法院".to_owned(),
            address: None,
            designated: false,
        }),
        parent_government_name: Some("南宁市人民政府".to_owned()),
        vertically_managed: None,
        seal_names: vec![],
    }
}

fn regulation(article: &str, paragraph: Option<&str>, item: Option<&str>) -> LegalCitation {
    LegalCitation {
        law: "《中华人民共和国政府信息公开条例》".to_owned(),
        article: Some(article.to_owned()),
        paragraph: paragraph.map(str::to_owned),
        item: item.map(str::to_owned),
    }
}

/// A fully compliant reply (disclosed, 2024, city department).
fn reply() -> ReplyDoc {
    ReplyDoc {
        doc_number: Some("南交信复〔2024〕15号".to_owned()),
        issued_on: d(2024, 10, 8),
        dispatched_on: Some(d(2024, 10, 9)),
        delivery_method: Some(DeliveryMethod::Post),
        outcome: Outcome::Disclosed,
        sealed: true,
        seal_organ: Some("南宁市交通运输局".to_owned()),
        legal_basis: vec![regulation("第三十六条", None, Some("（二）"))],
        reasons: None,
        redirect_to: None,
        remedy: Remedy {
            reconsideration: Some(ReconsiderationRoute {
                organ: Some("南宁市人民政府".to_owned()),
                address: Some("南宁市青秀区民族大道1号".to_owned()),
                phone: None,
                period_days: Some(60),
            }),
            litigation: Some(LitigationRoute {
                court: Some("南宁市青秀区人民法院".to_owned()),
                period_months: Some(6),
                period_days: None,
            }),
            reconsideration_first: None,
        },
    }
}

/// A compliant withholding (Art. 14, 复议前置).
fn withheld() -> ReplyDoc {
    let mut r = reply();
    r.outcome = Outcome::WithheldStateSecret;
    r.legal_basis = vec![regulation("第十四条、第三十六条第三项", None, None)];
    r.reasons = Some("该信息已依法定密为秘密级".to_owned());
    r.remedy.reconsideration_first = Some(true);
    if let Some(l) = r.remedy.litigation.as_mut() {
        l.period_months = None;
        l.period_days = Some(15);
    }
    r
}

fn process() -> ProcessFacts {
    ProcessFacts {
        received_on: Some(d(2024, 9, 27)),
        due_on: Some(d(2024, 10, 30)),
        correction_requests: vec![],
        correction_notice_due_on: Some(d(2024, 10, 11)),
        extension: None,
        receipt_unconfirmed: false,
    }
}

fn run(rule: ReplyRule, r: &ReplyDoc) -> Option<Finding> {
    run_with(rule, r, &organ(), &[])
}

fn run_with(rule: ReplyRule, r: &ReplyDoc, o: &Organ, others: &[String]) -> Option<Finding> {
    let p = process();
    rule(&Ctx {
        reply: r,
        organ: o,
        process: &p,
        other_doc_numbers: others,
    })
}

fn code(f: Option<Finding>) -> Option<(&'static str, Severity)> {
    f.map(|f| {
        assert!(!f.message.is_empty() && !f.article.is_empty());
        assert!(codes::ALL.contains(&f.code));
        (f.code, f.severity)
    })
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

#[test]
fn compliant_replies_have_no_findings() {
    assert_eq!(check(&reply(), &organ(), &process(), &[]), vec![]);
    assert_eq!(check(&withheld(), &organ(), &process(), &[]), vec![]);
}

#[test]
fn a_bad_reply_collects_findings_in_rule_order() {
    let mut r = reply();
    r.doc_number = None;
    r.sealed = false;
    r.legal_basis.clear();
    r.remedy = Remedy::default();
    let got: Vec<&str> = check(&r, &organ(), &process(), &[])
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(
        got,
        [
            DOC_NUMBER_MISSING,
            SEAL_MISSING,
            LEGAL_BASIS_MISSING,
            REMEDY_MISSING
        ]
    );
}

#[test]
fn findings_serialise_in_snake_case() {
    let mut r = reply();
    r.sealed = false;
    let json = serde_json::to_value(check(&r, &organ(), &process(), &[])).unwrap();
    assert_eq!(json[0]["code"], "seal_missing");
    assert_eq!(json[0]["severity"], "error");
}

#[test]
fn reply_doc_reads_from_json_with_defaults() {
    let r: ReplyDoc = serde_json::from_str(
        r#"{"issued_on":"2024-10-08","outcome":"withheld_third_party","sealed":true,
            "legal_basis":[{"law":"条例","article":"十五"}]}"#,
    )
    .unwrap();
    assert_eq!(r.outcome, Outcome::WithheldThirdParty);
    assert_eq!(r.remedy, Remedy::default());
    let back: ReplyDoc = serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}

// 文号 ---------------------------------------------------------------------------------

#[test]
fn doc_number_missing_rule() {
    let mut r = reply();
    assert_eq!(code(run(doc_number_missing, &r)), None);
    r.doc_number = Some("  ".to_owned());
    assert_eq!(
        code(run(doc_number_missing, &r)),
        Some((DOC_NUMBER_MISSING, E))
    );
    r.doc_number = None;
    assert_eq!(
        code(run(doc_number_missing, &r)),
        Some((DOC_NUMBER_MISSING, E))
    );
}

#[test]
fn doc_number_malformed_rule() {
    let mut r = reply();
    assert_eq!(code(run(doc_number_malformed, &r)), None);
    r.doc_number = Some("南交信复[2024]第015号".to_owned());
    let f = run(doc_number_malformed, &r).unwrap();
    assert_eq!(f.code, DOC_NUMBER_MALFORMED);
    assert!(f.message.contains("六角括号"), "{}", f.message);
    assert!(f.message.contains("不加“第”字"), "{}", f.message);
    assert!(f.message.contains("南交信复〔2024〕15号"), "{}", f.message);
    assert_eq!(f.article, "GB/T 9704-2012 7.2.5");
}

#[test]
fn doc_number_year_mismatch_rule() {
    let mut r = reply();
    assert_eq!(code(run(doc_number_year_mismatch, &r)), None);
    r.doc_number = Some("南交信复〔2023〕15号".to_owned());
    assert_eq!(
        code(run(doc_number_year_mismatch, &r)),
        Some((DOC_NUMBER_YEAR_MISMATCH, E))
    );
}

#[test]
fn doc_number_duplicate_rule() {
    let r = reply();
    let others = vec![
        "南交信复〔2024〕14号".to_owned(),
        "南交信复〔2023〕15号".to_owned(),
    ];
    assert_eq!(
        code(run_with(doc_number_duplicate, &r, &organ(), &others)),
        None
    );
    let others = vec!["南交信复 〔2024〕 15号".to_owned()];
    assert_eq!(
        code(run_with(doc_number_duplicate, &r, &organ(), &others)),
        Some((DOC_NUMBER_DUPLICATE, E))
    );
    // Two malformed numbers that are the same text.
    let mut bad = reply();
    bad.doc_number = Some("南交信复[2024]15号".to_owned());
    let others = vec!["南交信复[2024]15号".to_owned()];
    assert!(run_with(doc_number_duplicate, &bad, &organ(), &others).is_some());
}

// 印章 ---------------------------------------------------------------------------------

#[test]
fn seal_missing_rule() {
    let mut r = reply();
    assert_eq!(code(run(seal_missing, &r)), None);
    r.sealed = false;
    assert_eq!(code(run(seal_missing, &r)), Some((SEAL_MISSING, E)));
}

#[test]
fn seal_organ_mismatch_rule() {
    let mut r = reply();
    for ok in [
        "南宁市交通运输局",
        "南宁市交通运输局政府信息公开专用章",
        "南宁市交通运输局（印章）",
    ] {
        r.seal_organ = Some(ok.to_owned());
        assert_eq!(code(run(seal_organ_mismatch, &r)), None, "{ok}");
    }
    for bad in [
        "南宁市交通运输局办公室",
        "南宁市人民政府",
        "广西壮族自治区交通运输厅",
    ] {
        r.seal_organ = Some(bad.to_owned());
        assert_eq!(
            code(run(seal_organ_mismatch, &r)),
            Some((SEAL_ORGAN_MISMATCH, E)),
            "{bad}"
        );
    }
    let mut o = organ();
    o.seal_names = vec!["南宁市交通运输局办公室".to_owned()];
    assert_eq!(
        code(run_with(seal_organ_mismatch, &r, &o, &[])),
        Some((SEAL_ORGAN_MISMATCH, E))
    );
    r.seal_organ = Some("南宁市交通运输局办公室".to_owned());
    assert_eq!(code(run_with(seal_organ_mismatch, &r, &o, &[])), None);
}

// 法律依据 -----------------------------------------------------------------------------

#[test]
fn legal_basis_missing_rule() {
    let mut r = reply();
    assert_eq!(code(run(legal_basis_missing, &r)), None);
    r.legal_basis = vec![LegalCitation::default()];
    assert_eq!(
        code(run(legal_basis_missing, &r)),
        Some((LEGAL_BASIS_MISSING, E))
    );
    r.legal_basis.clear();
    assert_eq!(
        code(run(legal_basis_missing, &r)),
        Some((LEGAL_BASIS_MISSING, E))
    );
}

#[test]
fn legal_basis_no_article_rule() {
    let mut r = reply();
    assert_eq!(code(run(legal_basis_no_article, &r)), None);
    r.legal_basis = vec![LegalCitation {
        law: "《条例》".to_owned(),
        article: Some("有关规定".to_owned()),
        ..LegalCitation::default()
    }];
    assert_eq!(
        code(run(legal_basis_no_article, &r)),
        Some((LEGAL_BASIS_NO_ARTICLE, E))
    );
    // The article without the item that decides the outcome.
    r.legal_basis = vec![regulation("36", None, None)];
    assert_eq!(
        code(run(legal_basis_no_article, &r)),
        Some((LEGAL_BASIS_NO_ARTICLE, W))
    );
    r.legal_basis = vec![regulation("36", None, Some("2"))];
    assert_eq!(code(run(legal_basis_no_article, &r)), None);
}

#[test]
fn legal_basis_mismatch_rule() {
    let mut r = reply();
    assert_eq!(code(run(legal_basis_mismatch, &r)), None);
    // Disclosed but citing the withholding article.
    r.legal_basis = vec![regulation("第十四条", None, None)];
    let f = run(legal_basis_mismatch, &r).unwrap();
    assert_eq!((f.code, f.severity), (LEGAL_BASIS_MISMATCH, E));
    assert!(f.message.contains("第三十六条第二项"), "{}", f.message);
    assert_eq!(f.article, "《政府信息公开条例》第三十六条第二项");
    // Wrong item of the right article.
    r.legal_basis = vec![regulation("36", None, Some("三"))];
    assert!(run(legal_basis_mismatch, &r).is_some());
    // Only another law.
    r.legal_basis = vec![LegalCitation {
        law: "《中华人民共和国保守国家秘密法》".to_owned(),
        article: Some("第十三条".to_owned()),
        ..LegalCitation::default()
    }];
    assert!(
        run(legal_basis_mismatch, &r)
            .unwrap()
            .message
            .contains("未引用")
    );
    // A withholding citing only Art. 36(3) lacks its ground (Art. 14).
    let mut w = withheld();
    assert_eq!(code(run(legal_basis_mismatch, &w)), None);
    w.legal_basis = vec![regulation("36", None, Some("3"))];
    assert!(run(legal_basis_mismatch, &w).is_some());
    // Outcomes with no article in §4 accept any.
    w.outcome = Outcome::WithheldAdministrativeQuery;
    assert_eq!(code(run(legal_basis_mismatch, &w)), None);
    // Replies under the 2007 text are not compared.
    let mut old = reply();
    old.issued_on = d(2019, 5, 14);
    old.legal_basis = vec![regulation("第二十一条", None, None)];
    assert_eq!(code(run(legal_basis_mismatch, &old)), None);
}

#[test]
fn legal_basis_accepts_many_spellings_of_the_regulation() {
    for law in [
        "条例",
        "《条例》",
        "政府信息公开条例",
        "中华人民共和国政府信息公开条例（2019年修订）",
    ] {
        assert!(is_regulation(law), "{law}");
    }
    for law in [
        "《国务院办公厅关于施行〈中华人民共和国政府信息公开条例〉若干问题的意见》",
        "保守国家秘密法",
    ] {
        assert!(!is_regulation(law), "{law}");
    }
}

// 理由、告知负责机关 -------------------------------------------------------------------

#[test]
fn reasons_missing_rule() {
    let mut w = withheld();
    assert_eq!(code(run(reasons_missing, &w)), None);
    w.reasons = Some(" ".to_owned());
    let f = run(reasons_missing, &w).unwrap();
    assert_eq!((f.code, f.severity), (REASONS_MISSING, E));
    assert_eq!(f.article, "《政府信息公开条例》第三十六条第三项");
    let mut p = reply();
    p.outcome = Outcome::PartiallyDisclosed;
    assert_eq!(code(run(reasons_missing, &p)), Some((REASONS_MISSING, E)));
    let mut n = reply();
    n.outcome = Outcome::UnavailableNotHeld;
    assert_eq!(code(run(reasons_missing, &n)), Some((REASONS_MISSING, W)));
    // Disclosure needs none.
    assert_eq!(code(run(reasons_missing, &reply())), None);
}

#[test]
fn redirect_missing_rule() {
    let mut r = reply();
    r.outcome = Outcome::UnavailableNotResponsible;
    assert_eq!(code(run(redirect_missing, &r)), Some((REDIRECT_MISSING, E)));
    r.redirect_to = Some(Redirect {
        name: "南宁市自然资源局".to_owned(),
        contact: None,
    });
    assert_eq!(code(run(redirect_missing, &r)), Some((REDIRECT_MISSING, W)));
    r.redirect_to = Some(Redirect {
        name: "南宁市自然资源局".to_owned(),
        contact: Some("0771-7654321".to_owned()),
    });
    assert_eq!(code(run(redirect_missing, &r)), None);
    assert_eq!(code(run(redirect_missing, &reply())), None);
}

// 救济途径 -----------------------------------------------------------------------------

#[test]
fn remedy_missing_rule() {
    let mut r = reply();
    assert_eq!(code(run(remedy_missing, &r)), None);
    r.remedy.litigation = None;
    assert_eq!(code(run(remedy_missing, &r)), None);
    r.remedy.reconsideration = None;
    assert_eq!(code(run(remedy_missing, &r)), Some((REMEDY_MISSING, E)));
    // Only remedy_missing, not the two "organ/court missing" ones as well.
    assert_eq!(run(remedy_reconsideration_organ_missing, &r), None);
    assert_eq!(run(remedy_court_missing, &r), None);
}

#[test]
fn remedy_reconsideration_organ_missing_rule() {
    let mut r = reply();
    assert_eq!(code(run(remedy_reconsideration_organ_missing, &r)), None);
    if let Some(rc) = r.remedy.reconsideration.as_mut() {
        rc.organ = None;
    }
    assert_eq!(
        code(run(remedy_reconsideration_organ_missing, &r)),
        Some((REMEDY_RECONSIDERATION_ORGAN_MISSING, E))
    );
    r.remedy.reconsideration = None;
    assert_eq!(
        code(run(remedy_reconsideration_organ_missing, &r)),
        Some((REMEDY_RECONSIDERATION_ORGAN_MISSING, E))
    );
    r.remedy.reconsideration = Some(ReconsiderationRoute {
        organ: Some("南宁市人民政府".to_owned()),
        period_days: Some(60),
        ..ReconsiderationRoute::default()
    });
    assert_eq!(
        code(run(remedy_reconsideration_organ_missing, &r)),
        Some((REMEDY_RECONSIDERATION_ORGAN_MISSING, W))
    );
}

#[test]
fn remedy_court_missing_rule() {
    let mut r = reply();
    assert_eq!(code(run(remedy_court_missing, &r)), None);
    if let Some(l) = r.remedy.litigation.as_mut() {
        l.court = Some(String::new());
    }
    assert_eq!(
        code(run(remedy_court_missing, &r)),
        Some((REMEDY_COURT_MISSING, E))
    );
    r.remedy.litigation = None;
    assert_eq!(
        code(run(remedy_court_missing, &r)),
        Some((REMEDY_COURT_MISSING, E))
    );
}

#[test]
fn remedy_court_wrong_rule() {
    let mut r = reply();
    assert_eq!(code(run(remedy_court_wrong, &r)), None);
    if let Some(l) = r.remedy.litigation.as_mut() {
        l.court = Some("南宁市中级人民法院".to_owned());
    }
    assert_eq!(
        code(run(remedy_court_wrong, &r)),
        Some((REMEDY_COURT_WRONG, W))
    );
    let mut o = organ();
    o.court = None;
    assert_eq!(code(run_with(remedy_court_wrong, &r, &o, &[])), None);
}

#[test]
fn remedy_court_level_for_county_governments() {
    // Issue 13: a county government naming a basic court.
    let mut county = organ();
    county.name = "南宁市武鸣区人民政府".to_owned();
    county.kind = OrganKind::Government;
    county.level = OrganLevel::County;
    county.court = Some(Court {
        name: "南宁市武鸣区人民法院".to_owned(),
        address: None,
        designated: false,
    });
    let named = |court: &str| {
        let mut r = reply();
        if let Some(l) = r.remedy.litigation.as_mut() {
            l.court = Some(court.to_owned());
        }
        r
    };
    let f = run_with(
        remedy_court_wrong,
        &named("南宁市武鸣区人民法院"),
        &county,
        &[],
    );
    assert_eq!(code(f.clone()), Some((REMEDY_COURT_WRONG, E)));
    assert!(f.unwrap().article.contains("第十五条"));
    assert_eq!(expected_court(&county), None);
    // The intermediate court is right (a warning only if it differs from the configured).
    county.court = Some(Court {
        name: "南宁市中级人民法院".to_owned(),
        address: None,
        designated: false,
    });
    assert_eq!(
        run_with(
            remedy_court_wrong,
            &named("南宁市中级人民法院"),
            &county,
            &[]
        ),
        None
    );
    // A designated court (集中管辖) may be a basic court.
    county.court = Some(Court {
        name: "南宁市良庆区人民法院".to_owned(),
        address: None,
        designated: true,
    });
    assert_eq!(
        run_with(
            remedy_court_wrong,
            &named("南宁市良庆区人民法院"),
            &county,
            &[]
        ),
        None
    );
    assert!(expected_court(&county).is_some());
    // A city department is sued in a basic court.
    assert!(!needs_intermediate_court(&organ()));
    assert!(is_basic_court("隆安县人民法院"));
    assert!(is_basic_court("横州市人民法院"));
    assert!(!is_basic_court("南宁市中级人民法院"));
    assert!(!is_basic_court("南宁铁路运输法院"));
}

#[test]
fn custom_due_flags_become_findings() {
    use crate::domain::calendar::CalendarSet;
    use crate::domain::deadline::{ClockEvent, RuleSettings, compute_deadline};
    let cal = CalendarSet::bundled().calendar(None);
    let dl = compute_deadline(
        Some(d(2024, 9, 27)),
        &[ClockEvent::CustomDueDate {
            date: d(2024, 11, 5),
            due_on: d(2024, 12, 20),
            approved: false,
        }],
        &RuleSettings::default(),
        &cal,
        d(2024, 11, 8),
    )
    .unwrap();
    let f = deadline_findings(&dl);
    let found: Vec<_> = f.iter().map(|f| f.code).collect();
    assert_eq!(found, [CUSTOM_DUE_LATE, CUSTOM_DUE_UNAPPROVED]);
    assert!(f[0].message.contains("2024-10-30"));
    assert!(found.iter().all(|c| codes::DEADLINE.contains(c)));
}

#[test]
fn remedy_period_wrong_rule() {
    let mut r = reply();
    assert_eq!(code(run(remedy_period_wrong, &r)), None);
    if let Some(rc) = r.remedy.reconsideration.as_mut() {
        rc.period_days = Some(15);
    }
    assert_eq!(
        code(run(remedy_period_wrong, &r)),
        Some((REMEDY_PERIOD_WRONG, E))
    );
    let mut r = reply();
    if let Some(l) = r.remedy.litigation.as_mut() {
        l.period_months = Some(3);
    }
    let f = run(remedy_period_wrong, &r).unwrap();
    assert_eq!((f.code, f.severity), (REMEDY_PERIOD_WRONG, E));
    assert!(f.article.contains("第四十六条"));
    // Periods not stated: a warning.
    let mut r = reply();
    if let Some(rc) = r.remedy.reconsideration.as_mut() {
        rc.period_days = None;
    }
    assert_eq!(
        code(run(remedy_period_wrong, &r)),
        Some((REMEDY_PERIOD_WRONG, W))
    );
    // Before 2015-05-01 the suit period was three months.
    let mut old = reply();
    old.issued_on = d(2015, 4, 30);
    if let Some(l) = old.remedy.litigation.as_mut() {
        l.period_months = Some(3);
    }
    assert_eq!(code(run(remedy_period_wrong, &old)), None);
}

#[test]
fn remedy_period_under_reconsideration_first() {
    let mut w = withheld();
    assert_eq!(code(run(remedy_period_wrong, &w)), None);
    if let Some(l) = w.remedy.litigation.as_mut() {
        l.period_days = Some(30);
    }
    assert_eq!(
        code(run(remedy_period_wrong, &w)),
        Some((REMEDY_PERIOD_WRONG, E))
    );
    // Telling a withholding's applicant to sue directly within 6 months misleads.
    if let Some(l) = w.remedy.litigation.as_mut() {
        l.period_days = None;
        l.period_months = Some(6);
    }
    assert_eq!(
        code(run(remedy_period_wrong, &w)),
        Some((REMEDY_PERIOD_WRONG, W))
    );
    // A partial disclosure may give both (6 months for the disclosed part).
    w.outcome = Outcome::PartiallyDisclosed;
    if let Some(l) = w.remedy.litigation.as_mut() {
        l.period_days = Some(15);
    }
    assert_eq!(code(run(remedy_period_wrong, &w)), None);
    // 15 days where 复议前置 does not apply is wrong.
    let mut r = reply();
    if let Some(l) = r.remedy.litigation.as_mut() {
        l.period_days = Some(15);
    }
    assert_eq!(
        code(run(remedy_period_wrong, &r)),
        Some((REMEDY_PERIOD_WRONG, E))
    );
}

#[test]
fn remedy_reconsideration_organ_wrong_rule_for_departments_after_2024() {
    let mut r = reply();
    assert_eq!(code(run(remedy_reconsideration_organ_wrong, &r)), None);
    for bad in [
        "广西壮族自治区交通运输厅",
        "上一级主管部门",
        "南宁市人民政府或者广西壮族自治区交通运输厅",
    ] {
        r.remedy.reconsideration.as_mut().unwrap().organ = Some(bad.to_owned());
        let f = run(remedy_reconsideration_organ_wrong, &r).unwrap();
        assert_eq!(
            (f.code, f.severity),
            (REMEDY_RECONSIDERATION_ORGAN_WRONG, E),
            "{bad}"
        );
        assert!(f.article.contains("第二十四条"), "{}", f.article);
        assert!(f.message.contains("应为“南宁市人民政府”"), "{}", f.message);
    }
    // Another government.
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("柳州市人民政府".to_owned());
    assert_eq!(
        code(run(remedy_reconsideration_organ_wrong, &r)),
        Some((REMEDY_RECONSIDERATION_ORGAN_WRONG, E))
    );
    // Abbreviated.
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("市人民政府".to_owned());
    assert_eq!(
        code(run(remedy_reconsideration_organ_wrong, &r)),
        Some((REMEDY_RECONSIDERATION_ORGAN_WRONG, W))
    );
    // A configuration still naming the higher department does not make it right.
    let mut o = organ();
    o.reconsideration_organ = Some(ReconsiderationOrgan {
        name: "广西壮族自治区交通运输厅".to_owned(),
        ..ReconsiderationOrgan::default()
    });
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("广西壮族自治区交通运输厅".to_owned());
    assert!(run_with(remedy_reconsideration_organ_wrong, &r, &o, &[]).is_some());
}

#[test]
fn remedy_reconsideration_organ_before_2024_was_the_applicants_choice() {
    let mut r = reply();
    r.issued_on = d(2023, 12, 29);
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("广西壮族自治区交通运输厅".to_owned());
    assert_eq!(code(run(remedy_reconsideration_organ_wrong, &r)), None);
    assert_eq!(
        review_rule(&organ(), d(2023, 12, 29)),
        ReviewRule::ApplicantChoice
    );
    assert_eq!(
        review_rule(&organ(), d(2024, 1, 1)),
        ReviewRule::OwnGovernment
    );
}

#[test]
fn remedy_reconsideration_organ_for_vertical_organs() {
    let mut o = organ();
    o.name = "国家税务总局南宁市税务局".to_owned();
    o.reconsideration_organ = Some(ReconsiderationOrgan {
        name: "国家税务总局广西壮族自治区税务局".to_owned(),
        ..ReconsiderationOrgan::default()
    });
    assert_eq!(review_rule(&o, d(2024, 6, 1)), ReviewRule::VerticalHigher);
    let mut r = reply();
    r.remedy.reconsideration.as_mut().unwrap().organ =
        Some("国家税务总局广西壮族自治区税务局".to_owned());
    assert_eq!(
        code(run_with(remedy_reconsideration_organ_wrong, &r, &o, &[])),
        None
    );
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("南宁市人民政府".to_owned());
    let f = run_with(remedy_reconsideration_organ_wrong, &r, &o, &[]).unwrap();
    assert!(f.article.contains("第二十七条"));
    // Explicit configuration wins over the name.
    o.vertically_managed = Some(false);
    assert_eq!(review_rule(&o, d(2024, 6, 1)), ReviewRule::OwnGovernment);
}

#[test]
fn vertical_detection_by_name() {
    let mut o = organ();
    for (name, vertical) in [
        ("南宁海关", true),
        ("国家外汇管理局广西壮族自治区分局", true),
        ("中国人民银行广西壮族自治区分行", true),
        ("国家金融监督管理总局广西监管局", true),
        ("广西壮族自治区国家安全厅", true),
        ("广西壮族自治区地方金融监督管理局", false),
        ("南宁市交通运输局", false),
    ] {
        o.name = name.to_owned();
        assert_eq!(is_vertically_managed(&o), vertical, "{name}");
    }
}

#[test]
fn remedy_reconsideration_organ_for_governments_and_others() {
    // A county government: the city government.
    let county = Organ {
        name: "隆安县人民政府".to_owned(),
        code: "隆政信复".to_owned(),
        kind: OrganKind::Government,
        level: OrganLevel::County,
        reconsideration_organ: None,
        court: None,
        parent_government_name: Some("南宁市人民政府".to_owned()),
        vertically_managed: None,
        seal_names: vec![],
    };
    let mut r = reply();
    assert_eq!(
        code(run_with(
            remedy_reconsideration_organ_wrong,
            &r,
            &county,
            &[]
        )),
        None
    );
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("南宁市司法局".to_owned());
    assert!(run_with(remedy_reconsideration_organ_wrong, &r, &county, &[]).is_some());
    // A province government: itself.
    let province = Organ {
        name: "广西壮族自治区人民政府".to_owned(),
        kind: OrganKind::Government,
        level: OrganLevel::Province,
        parent_government_name: None,
        ..county.clone()
    };
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("广西壮族自治区人民政府".to_owned());
    assert_eq!(
        code(run_with(
            remedy_reconsideration_organ_wrong,
            &r,
            &province,
            &[]
        )),
        None
    );
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("国务院".to_owned());
    assert!(run_with(remedy_reconsideration_organ_wrong, &r, &province, &[]).is_some());
    // A justice department: its government or the higher justice department.
    let mut justice = organ();
    justice.name = "南宁市司法局".to_owned();
    assert_eq!(
        review_rule(&justice, d(2024, 6, 1)),
        ReviewRule::JusticeEither
    );
    for ok in ["南宁市人民政府", "广西壮族自治区司法厅"] {
        r.remedy.reconsideration.as_mut().unwrap().organ = Some(ok.to_owned());
        assert_eq!(
            code(run_with(
                remedy_reconsideration_organ_wrong,
                &r,
                &justice,
                &[]
            )),
            None
        );
    }
    r.remedy.reconsideration.as_mut().unwrap().organ = Some("柳州市人民政府".to_owned());
    assert!(run_with(remedy_reconsideration_organ_wrong, &r, &justice, &[]).is_some());
}

#[test]
fn expected_reconsideration_organ_prefers_the_law_over_stale_config() {
    let mut o = organ();
    let got = expected_reconsideration_organ(&o, d(2024, 6, 1)).unwrap();
    assert_eq!(got.name, "南宁市人民政府");
    assert!(got.phone.is_some(), "configured contact kept");
    o.reconsideration_organ = Some(ReconsiderationOrgan {
        name: "广西壮族自治区交通运输厅".to_owned(),
        ..ReconsiderationOrgan::default()
    });
    assert_eq!(
        expected_reconsideration_organ(&o, d(2024, 6, 1))
            .unwrap()
            .name,
        "南宁市人民政府"
    );
    o.parent_government_name = None;
    assert_eq!(expected_reconsideration_organ(&o, d(2024, 6, 1)), None);
}

#[test]
fn remedy_reconsideration_first_missing_rule() {
    let mut w = withheld();
    assert_eq!(code(run(remedy_reconsideration_first_missing, &w)), None);
    w.remedy.reconsideration_first = None;
    let f = run(remedy_reconsideration_first_missing, &w).unwrap();
    assert_eq!(
        (f.code, f.severity),
        (REMEDY_RECONSIDERATION_FIRST_MISSING, E)
    );
    assert_eq!(f.article, "《行政复议法》第二十三条第一款第四项");
    // Partial disclosure: a warning.
    w.outcome = Outcome::PartiallyDisclosed;
    assert_eq!(
        code(run(remedy_reconsideration_first_missing, &w)),
        Some((REMEDY_RECONSIDERATION_FIRST_MISSING, W))
    );
    // Before 2024 there was no 复议前置 for 不予公开.
    w.outcome = Outcome::WithheldStateSecret;
    w.issued_on = d(2023, 12, 31);
    assert_eq!(code(run(remedy_reconsideration_first_missing, &w)), None);
    // Disclosure needs none.
    assert_eq!(
        code(run(remedy_reconsideration_first_missing, &reply())),
        None
    );
}

// 期限 ---------------------------------------------------------------------------------

#[test]
fn reply_late_rule() {
    let mut r = reply();
    assert_eq!(code(run(reply_late, &r)), None);
    // Posted on the due date, arriving later: in time.
    r.dispatched_on = Some(d(2024, 10, 30));
    assert_eq!(code(run(reply_late, &r)), None);
    r.dispatched_on = Some(d(2024, 10, 31));
    let f = run(reply_late, &r).unwrap();
    assert_eq!((f.code, f.severity), (REPLY_LATE, E));
    assert!(f.message.contains("交邮"), "{}", f.message);
    assert!(f.message.contains("逾期1日"), "{}", f.message);
    // No dispatch date: the issue date counts.
    r.dispatched_on = None;
    r.issued_on = d(2024, 11, 1);
    assert!(run(reply_late, &r).unwrap().message.contains("成文日期"));
}

#[test]
fn check_process_flags_an_overdue_open_case() {
    let p = process();
    assert_eq!(check_process(&p, d(2024, 10, 30)), vec![]);
    let f = check_process(&p, d(2024, 11, 4));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, REPLY_LATE);
    assert!(f[0].message.contains("逾期5日"));
    assert!(f.iter().all(|f| codes::PROCESS.contains(&f.code)));
}

#[test]
fn receipt_unconfirmed_rule() {
    let mut p = process();
    assert_eq!(code(receipt_unconfirmed(&p)), None);
    p.receipt_unconfirmed = true;
    assert_eq!(
        code(receipt_unconfirmed(&p)),
        Some((RECEIPT_UNCONFIRMED, W))
    );
}

#[test]
fn correction_notice_late_rule() {
    let mut p = process();
    p.correction_requests = vec![d(2024, 10, 11)];
    assert_eq!(code(correction_notice_late(&p)), None);
    p.correction_requests = vec![d(2024, 10, 14)];
    assert_eq!(
        code(correction_notice_late(&p)),
        Some((CORRECTION_NOTICE_LATE, E))
    );
}

#[test]
fn correction_repeated_rule() {
    let mut p = process();
    p.correction_requests = vec![d(2024, 10, 8)];
    assert_eq!(code(correction_repeated(&p)), None);
    p.correction_requests.push(d(2024, 10, 20));
    assert_eq!(
        code(correction_repeated(&p)),
        Some((CORRECTION_REPEATED, E))
    );
}

fn extension() -> Extension {
    Extension {
        notified_on: d(2024, 10, 30),
        working_days: 20,
        approved: true,
        due_before_extension: d(2024, 10, 30),
    }
}

#[test]
fn extension_notice_late_rule() {
    let mut p = process();
    p.extension = Some(extension());
    assert_eq!(code(extension_notice_late(&p)), None);
    p.extension = Some(Extension {
        notified_on: d(2024, 10, 31),
        ..extension()
    });
    assert_eq!(
        code(extension_notice_late(&p)),
        Some((EXTENSION_NOTICE_LATE, E))
    );
}

#[test]
fn extension_too_long_rule() {
    let mut p = process();
    p.extension = Some(extension());
    assert_eq!(code(extension_too_long(&p)), None);
    p.extension = Some(Extension {
        working_days: 21,
        ..extension()
    });
    assert_eq!(code(extension_too_long(&p)), Some((EXTENSION_TOO_LONG, E)));
}

#[test]
fn extension_unapproved_rule() {
    let mut p = process();
    p.extension = Some(extension());
    assert_eq!(code(extension_unapproved(&p)), None);
    p.extension = Some(Extension {
        approved: false,
        ..extension()
    });
    assert_eq!(
        code(extension_unapproved(&p)),
        Some((EXTENSION_UNAPPROVED, E))
    );
}

#[test]
fn every_code_has_a_rule_that_emits_it() {
    // Each code appears once in the list and is produced by some rule in the tests above;
    // here only the list's shape is checked.
    let mut seen = std::collections::HashSet::new();
    for c in codes::ALL {
        assert!(seen.insert(c), "{c} twice");
    }
    assert_eq!(codes::ALL.len(), REPLY_RULES.len() + PROCESS_RULES.len());
}

#[test]
fn cn_date_has_no_leading_zeros() {
    assert_eq!(cn_date(d(2024, 9, 7)), "2024年9月7日");
}

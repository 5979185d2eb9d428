//! Unit tests of grading and the report, on seed 000 and hand-made cases.

use super::*;
use crate::domain::compliance::codes;
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../../../tests/fixtures/seed000.json");

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn campaign() -> Campaign {
    Campaign {
        statutory_days: 20,
        cutoff_on: d("2020-11-20"),
        pass_threshold: DEFAULT_PASS_THRESHOLD,
        rubric: Rubric::default(),
    }
}

fn target(id: &str, category: &str) -> Target {
    Target {
        id: id.into(),
        name: format!("单位{id}"),
        category: category.into(),
    }
}

/// A reply with nothing missing, posted on `postmark`.
fn reply(postmark: &str) -> ReplyRecord {
    ReplyRecord {
        received_on: d("2020-11-10"),
        dispatched_on: Some(d(postmark)),
        doc_date: Some(d("2020-10-30")),
        doc_number: Some("桂测复〔2020〕1号".into()),
        sealed: true,
        seal_organ: None,
        legal_basis: vec![Citation {
            law: "《中华人民共和国政府信息公开条例》".into(),
            article: Some("第三十六条".into()),
            item: Some("第（二）项".into()),
            ..Citation::default()
        }],
        remedy: Remedy {
            reconsideration: Some(ReconsiderationNotice {
                organ: Some("广西壮族自治区人民政府".into()),
                period_days: Some(60),
                ..ReconsiderationNotice::default()
            }),
            litigation: Some(LitigationNotice {
                court: Some("南宁市××区人民法院".into()),
                period_months: Some(6),
                ..LitigationNotice::default()
            }),
            ..Remedy::default()
        },
    }
}

/// Signed Wed 2020-09-30 in Guangxi: the 20th working day after is Wed 2020-11-04.
fn letter(id: &str, reply: Option<ReplyRecord>) -> Letter {
    Letter {
        id: id.into(),
        target_id: "t1".into(),
        channel: Channel::Regular,
        tracking_number: None,
        sent_on: d("2020-09-21"),
        signed_on: Some(d("2020-09-30")),
        due_on: Some(d("2020-11-04")),
        reply,
    }
}

fn grade(letter: &Letter) -> LetterGrade {
    grade_letter(letter, &campaign()).unwrap()
}

// --- timeliness ------------------------------------------------------------------------

#[test]
fn on_time_when_posted_on_the_due_date() {
    let g = grade(&letter("a", Some(reply("2020-11-04"))));
    assert_eq!(g.status, LetterStatus::OnTime);
    assert_eq!(g.dispatched_on, Some(d("2020-11-04")));
    assert_eq!(g.dispatch_source, Some(DispatchSource::Postmark));
    assert_eq!(g.late_by_days, None);
    assert!(g.defects.is_empty());
    assert_eq!((g.score, g.max), (11, 11));
}

#[test]
fn late_when_posted_the_day_after() {
    let g = grade(&letter("a", Some(reply("2020-11-05"))));
    assert_eq!(g.status, LetterStatus::Late);
    assert_eq!(g.late_by_days, Some(1));
    // signed 1 + late 2 + doc 1 + seal 1 + basis 2 + remedy 2
    assert_eq!((g.score, g.max), (9, 11));
}

#[test]
fn postmark_wins_over_document_date() {
    let mut r = reply("2020-11-06");
    r.doc_date = Some(d("2020-11-03"));
    let g = grade(&letter("a", Some(r)));
    assert_eq!(g.status, LetterStatus::Late);
    assert_eq!(g.dispatched_on, Some(d("2020-11-06")));

    let mut r = reply("2020-11-04");
    r.doc_date = Some(d("2020-11-05"));
    assert_eq!(grade(&letter("b", Some(r))).status, LetterStatus::OnTime);
}

#[test]
fn document_date_counts_when_there_is_no_postmark() {
    let mut r = reply("2020-11-01");
    r.dispatched_on = None;
    r.doc_date = Some(d("2020-11-04"));
    let g = grade(&letter("a", Some(r.clone())));
    assert_eq!(g.status, LetterStatus::OnTime);
    assert_eq!(g.dispatch_source, Some(DispatchSource::DocDate));

    r.doc_date = Some(d("2020-11-05"));
    let g = grade(&letter("b", Some(r)));
    assert_eq!(g.status, LetterStatus::Late);
    assert_eq!(g.dispatched_on, Some(d("2020-11-05")));
}

#[test]
fn received_date_counts_when_there_is_neither_postmark_nor_document_date() {
    let mut r = reply("2020-11-01");
    r.dispatched_on = None;
    r.doc_date = None;
    r.received_on = d("2020-11-04");
    let g = grade(&letter("a", Some(r.clone())));
    assert_eq!(g.status, LetterStatus::OnTime);
    assert_eq!(g.dispatch_source, Some(DispatchSource::Received));

    r.received_on = d("2020-11-05");
    assert_eq!(grade(&letter("b", Some(r))).status, LetterStatus::Late);
}

// --- cut-off -----------------------------------------------------------------------------

#[test]
fn no_reply_when_due_on_or_before_the_cutoff() {
    let mut c = campaign();
    c.cutoff_on = d("2020-11-04");
    let g = grade_letter(&letter("a", None), &c).unwrap();
    assert_eq!(g.status, LetterStatus::NoReply);
    assert_eq!((g.score, g.max), (1, 11));
    assert!(g.defects.is_empty());
}

#[test]
fn pending_when_due_after_the_cutoff() {
    let mut c = campaign();
    c.cutoff_on = d("2020-11-03");
    let g = grade_letter(&letter("a", None), &c).unwrap();
    assert_eq!(g.status, LetterStatus::PendingNotDue);
    assert!(g.status.is_pending());
    assert_eq!((g.score, g.max), (0, 0));
}

#[test]
fn reply_received_after_the_cutoff_is_not_counted() {
    let mut r = reply("2020-11-04");
    r.received_on = d("2020-11-21");
    let g = grade(&letter("a", Some(r.clone())));
    assert_eq!(g.status, LetterStatus::NoReply);
    assert!(g.reply_after_cutoff);
    assert!(g.defects.is_empty());

    let mut c = campaign();
    c.cutoff_on = d("2020-11-03");
    r.received_on = d("2020-11-04");
    let g = grade_letter(&letter("b", Some(r)), &c).unwrap();
    assert_eq!(g.status, LetterStatus::PendingNotDue);
    assert!(g.reply_after_cutoff);
}

#[test]
fn reply_received_on_the_cutoff_counts() {
    let mut r = reply("2020-11-04");
    r.received_on = d("2020-11-20");
    let g = grade(&letter("a", Some(r)));
    assert_eq!(g.status, LetterStatus::OnTime);
    assert!(!g.reply_after_cutoff);
}

#[test]
fn unsigned_letter_is_pending_and_scores_nothing() {
    let mut l = letter("a", None);
    l.signed_on = None;
    l.due_on = None;
    let g = grade(&l);
    assert_eq!(g.status, LetterStatus::PendingUnsigned);
    assert_eq!((g.score, g.max), (0, 11));

    let report = build_report(&campaign(), &[target("t1", "区直单位")], &[l], &[]).unwrap();
    let all = report.group(ChannelScope::All, ALL).unwrap();
    assert_eq!((all.letters, all.signed, all.pending), (1, 0, 1));
    assert_eq!(all.sign_rate, Some(0.0));
    assert_eq!(report.lists.pending.len(), 1);
    assert_eq!(report.targets[0].passed, Some(false));
}

// --- defects -----------------------------------------------------------------------------

fn defects_of(r: ReplyRecord) -> Vec<Defect> {
    grade(&letter("a", Some(r))).defects
}

#[test]
fn missing_doc_number() {
    let mut r = reply("2020-11-02");
    r.doc_number = None;
    assert_eq!(defects_of(r.clone()), vec![Defect::MissingDocNumber]);
    r.doc_number = Some("  ".into());
    assert_eq!(defects_of(r), vec![Defect::MissingDocNumber]);
}

#[test]
fn unsealed() {
    let mut r = reply("2020-11-02");
    r.sealed = false;
    assert_eq!(defects_of(r), vec![Defect::Unsealed]);
}

#[test]
fn no_legal_basis_without_a_specific_article() {
    let law_only = Citation {
        law: "《中华人民共和国政府信息公开条例》".into(),
        article: None,
        item: None,
        ..Citation::default()
    };
    for basis in [
        vec![],
        vec![law_only.clone()],
        vec![Citation {
            article: Some(" ".into()),
            ..law_only.clone()
        }],
    ] {
        let mut r = reply("2020-11-02");
        r.legal_basis = basis;
        assert_eq!(defects_of(r), vec![Defect::NoLegalBasis]);
    }
    // One specific citation among vague ones is enough.
    let mut r = reply("2020-11-02");
    r.legal_basis.insert(0, law_only);
    assert!(defects_of(r).is_empty());
}

#[test]
fn no_remedy_when_neither_route_is_mentioned() {
    let mut r = reply("2020-11-02");
    r.remedy = Remedy::default();
    assert_eq!(defects_of(r.clone()), vec![Defect::NoRemedy]);
    let g = grade(&letter("a", Some(r)));
    assert_eq!(g.score, 9);
}

#[test]
fn remedy_without_detail_when_a_mentioned_route_lacks_organ_or_court() {
    let full = reply("2020-11-02").remedy;
    let cases = [
        Remedy {
            reconsideration: Some(ReconsiderationNotice::default()),
            litigation: None,
            ..Remedy::default()
        },
        Remedy {
            reconsideration: None,
            litigation: Some(LitigationNotice {
                court: Some(String::new()),
                period_months: Some(6),
                ..LitigationNotice::default()
            }),
            ..Remedy::default()
        },
        Remedy {
            reconsideration: full.reconsideration.clone(),
            litigation: Some(LitigationNotice::default()),
            ..Remedy::default()
        },
    ];
    for remedy in cases {
        let mut r = reply("2020-11-02");
        r.remedy = remedy;
        assert_eq!(defects_of(r.clone()), vec![Defect::RemedyWithoutDetail]);
        assert_eq!(grade(&letter("a", Some(r))).score, 10);
    }
    // A single route with its organ named is detailed enough.
    let mut r = reply("2020-11-02");
    r.remedy.litigation = None;
    assert!(defects_of(r).is_empty());
}

#[test]
fn every_defect_at_once_and_none_without_a_reply() {
    let r = ReplyRecord {
        received_on: d("2020-11-10"),
        dispatched_on: Some(d("2020-11-02")),
        doc_date: None,
        doc_number: None,
        sealed: false,
        seal_organ: None,
        legal_basis: vec![],
        remedy: Remedy::default(),
    };
    assert_eq!(
        defects_of(r),
        vec![
            Defect::MissingDocNumber,
            Defect::Unsealed,
            Defect::NoLegalBasis,
            Defect::NoRemedy
        ]
    );
    assert!(grade(&letter("a", None)).defects.is_empty());
}

// --- input checks ------------------------------------------------------------------------

#[test]
fn inconsistent_letters_are_rejected() {
    let c = campaign();
    let mut l = letter("a", None);
    l.due_on = None;
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::SignedWithoutDue("a".into()))
    );

    let mut l = letter("a", None);
    l.signed_on = None;
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::DueWithoutSigning("a".into()))
    );

    let mut l = letter("a", None);
    l.signed_on = Some(d("2020-09-20"));
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::SignedBeforeSent("a".into()))
    );

    // Due 19 calendar days after signing cannot be 20 working days.
    let mut l = letter("a", None);
    l.due_on = Some(d("2020-10-19"));
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::DueTooEarly {
            letter: "a".into(),
            days: 20
        })
    );

    let mut l = letter("a", Some(reply("2020-11-02")));
    l.signed_on = None;
    l.due_on = None;
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::ReplyWithoutSigning("a".into()))
    );

    let l = letter("a", Some(reply("2020-09-29")));
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::DispatchBeforeSigning("a".into()))
    );

    let l = letter("a", Some(reply("2020-11-11")));
    assert_eq!(
        grade_letter(&l, &c),
        Err(CampaignError::DispatchAfterReceipt("a".into()))
    );
}

#[test]
fn inconsistent_campaigns_are_rejected() {
    let t = [target("t1", "区直单位")];
    let l = [letter("a", None)];
    let mut c = campaign();
    c.pass_threshold = 1.5;
    assert_eq!(
        build_report(&c, &t, &l, &[]),
        Err(CampaignError::InvalidThreshold(1.5))
    );
    c.pass_threshold = f64::NAN;
    assert!(matches!(
        build_report(&c, &t, &l, &[]),
        Err(CampaignError::InvalidThreshold(_))
    ));
    let mut c = campaign();
    c.statutory_days = 0;
    assert_eq!(
        build_report(&c, &t, &l, &[]),
        Err(CampaignError::ZeroStatutoryDays)
    );

    let c = campaign();
    assert_eq!(
        build_report(&c, &[t[0].clone(), t[0].clone()], &l, &[]),
        Err(CampaignError::DuplicateTarget("t1".into()))
    );
    assert!(matches!(
        build_report(&c, &[target("t1", ALL)], &l, &[]),
        Err(CampaignError::InvalidCategory { .. })
    ));
    assert!(matches!(
        build_report(&c, &[target("t1", " ")], &l, &[]),
        Err(CampaignError::InvalidCategory { .. })
    ));
    assert_eq!(
        build_report(&c, &t, &[l[0].clone(), l[0].clone()], &[]),
        Err(CampaignError::DuplicateLetter("a".into()))
    );
    let mut stray = l[0].clone();
    stray.target_id = "t9".into();
    assert_eq!(
        build_report(&c, &t, &[stray], &[]),
        Err(CampaignError::UnknownLetterTarget {
            letter: "a".into(),
            target: "t9".into()
        })
    );
    let call = PhoneCheck {
        target_id: "t9".into(),
        called_on: None,
        connected: true,
    };
    assert_eq!(
        build_report(&c, &t, &l, &[call]),
        Err(CampaignError::UnknownPhoneTarget("t9".into()))
    );
}

#[test]
fn errors_speak_chinese() {
    let message = CampaignError::ReplyWithoutSigning("a".into()).to_string();
    assert_eq!(message, "信函 a 有答复记录，但没有签收日期");
}

// --- report ------------------------------------------------------------------------------

fn call(target_id: &str, connected: bool) -> PhoneCheck {
    PhoneCheck {
        target_id: target_id.into(),
        called_on: None,
        connected,
    }
}

#[test]
fn phone_counts_units_connected_on_any_attempt_by_the_cutoff() {
    let targets = [
        target("t1", "区直单位"),
        target("t2", "区直单位"),
        target("t3", "设区市政府"),
        target("t4", "设区市政府"),
    ];
    let calls = [
        call("t1", false),
        call("t1", true),
        call("t2", false),
        call("t2", false),
        call("t3", true),
    ];
    let mut late_call = call("t2", true);
    late_call.called_on = Some(d("2020-11-21"));
    let calls = [calls.as_slice(), &[late_call]].concat();
    let report = build_report(&campaign(), &targets, &[], &calls).unwrap();
    let p = &report.phone;
    assert_eq!((p.total, p.connected, p.not_connected), (3, 2, 1));
    assert_eq!(p.rate, Some(0.6667));
    let qz = p.category("区直单位").unwrap();
    assert_eq!((qz.total, qz.connected, qz.rate), (2, 1, Some(0.5)));
    let names: Vec<&str> = report
        .lists
        .phone_not_connected
        .iter()
        .map(|t| t.target_id.as_str())
        .collect();
    assert_eq!(names, ["t2"]);
    // t4 was never phoned and has no letters: not graded.
    let t4 = report.target("t4").unwrap();
    assert_eq!((t4.max, t4.score_rate, t4.passed), (0, None, None));
    assert_eq!(t4.phone_connected, None);
    let all = report.pass_rate(ALL).unwrap();
    assert_eq!((all.targets, all.graded, all.passed), (4, 3, 2));
}

#[test]
fn groups_cover_every_pair_and_empty_groups_have_no_rate() {
    let targets = [target("t1", "区直单位"), target("t2", "设区市政府")];
    let mut irregular = letter("b", None);
    irregular.channel = Channel::Irregular;
    let letters = [letter("a", Some(reply("2020-11-04"))), irregular];
    let report = build_report(&campaign(), &targets, &letters, &[]).unwrap();
    let pairs: Vec<(ChannelScope, &str)> = report
        .groups
        .iter()
        .map(|g| (g.channel, g.category.as_str()))
        .collect();
    assert_eq!(pairs.len(), 9);
    assert_eq!(pairs[0], (ChannelScope::Regular, "区直单位"));
    assert_eq!(pairs[8], (ChannelScope::All, ALL));
    let empty = report.group(ChannelScope::Regular, "设区市政府").unwrap();
    assert_eq!(
        (empty.letters, empty.sign_rate, empty.on_time_rate),
        (0, None, None)
    );
    let all = report.group(ChannelScope::All, ALL).unwrap();
    assert_eq!((all.letters, all.on_time, all.no_reply), (2, 1, 1));
    assert_eq!(all.on_time_rate, Some(0.5));
    let irr = report.group(ChannelScope::Irregular, "区直单位").unwrap();
    assert_eq!((irr.letters, irr.no_reply), (1, 1));
    assert_eq!(report.lists.no_reply[0].letter_id, "b");

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["groups"][0]["channel"], "regular");
    assert_eq!(json["groups"][8]["category"], "all");
    assert_eq!(json["letters"][0]["status"], "on_time");
    assert_eq!(json["letters"][0]["dispatch_source"], "postmark");
    assert_eq!(json["legend"]["defects"][0]["label"], "答复书缺少文号");
}

#[test]
fn rates_are_rounded_to_four_decimals() {
    assert_eq!(rate(94, 114), Some(0.8246));
    assert_eq!(rate(39, 57), Some(0.6842));
    assert_eq!(rate(1, 1), Some(1.0));
    assert_eq!(rate(0, 0), None);
}

#[test]
fn default_rubric_and_threshold() {
    let r = Rubric::default();
    assert_eq!(r.letter_max(), 11);
    let c: Campaign = serde_json::from_value(json!({"cutoff_on": "2020-11-20"})).unwrap();
    assert_eq!(c.pass_threshold, 0.6);
    assert_eq!(c.statutory_days, 20);
    assert_eq!(c.rubric, r);
}

#[test]
fn rubric_is_replaceable_and_must_be_complete() {
    let custom = json!({
        "signed": 1, "replied_on_time": 5, "replied_late": 0, "doc_number": 1, "seal": 1,
        "legal_basis": 1, "remedy_with_detail": 1, "remedy_without_detail": 0,
        "phone_connected": 0
    });
    let rubric: Rubric = serde_json::from_value(custom.clone()).unwrap();
    assert_eq!(rubric.letter_max(), 10);

    let mut partial = custom.clone();
    partial.as_object_mut().unwrap().remove("seal");
    assert!(serde_json::from_value::<Rubric>(partial).is_err());
    let mut typo = custom;
    typo.as_object_mut()
        .unwrap()
        .insert("sael".into(), json!(1));
    assert!(serde_json::from_value::<Rubric>(typo).is_err());

    // Exactly at the threshold passes: signed 1 + on time 5 = 6 of 10.
    let bare = ReplyRecord {
        received_on: d("2020-11-10"),
        dispatched_on: Some(d("2020-11-02")),
        doc_date: None,
        doc_number: None,
        sealed: false,
        seal_organ: None,
        legal_basis: vec![],
        remedy: Remedy::default(),
    };
    let mut c = campaign();
    c.rubric = rubric;
    let t = [target("t1", "区直单位")];
    let report = build_report(&c, &t, &[letter("a", Some(bare.clone()))], &[]).unwrap();
    let result = &report.targets[0];
    assert_eq!((result.score, result.max), (6, 10));
    assert_eq!(result.score_rate, Some(0.6));
    assert_eq!(result.passed, Some(true));

    // Posted a day late: 1 of 10 fails.
    let mut late = bare;
    late.dispatched_on = Some(d("2020-11-05"));
    let report = build_report(&c, &t, &[letter("a", Some(late))], &[]).unwrap();
    assert_eq!(report.targets[0].passed, Some(false));
    assert_eq!(report.pass_rate("区直单位").unwrap().pass_rate, Some(0.0));
}

#[test]
fn pending_letter_leaves_the_score_provisional() {
    let mut c = campaign();
    c.cutoff_on = d("2020-11-03");
    let t = [target("t1", "区直单位")];
    let mut second = letter("b", Some(reply("2020-11-01")));
    second.reply.as_mut().unwrap().received_on = d("2020-11-03");
    let report = build_report(&c, &t, &[letter("a", None), second], &[call("t1", true)]).unwrap();
    let result = &report.targets[0];
    assert!(result.provisional);
    assert_eq!((result.score, result.max), (13, 13));
    assert_eq!(report.lists.pending[0].letter_id, "a");
}

// --- seed 000 fixture --------------------------------------------------------------------

fn fixture() -> (CampaignInput, Value) {
    let input: CampaignInput = serde_json::from_str(FIXTURE).unwrap();
    let root: Value = serde_json::from_str(FIXTURE).unwrap();
    (input, root)
}

fn find(items: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    items.as_array().unwrap().iter().find(|v| pred(v)).unwrap()
}

fn same(actual: &Value, expected: &Value) -> bool {
    match (actual.as_f64(), expected.as_f64()) {
        (Some(a), Some(e)) => (a - e).abs() < 1e-9,
        _ => actual == expected,
    }
}

#[test]
fn seed000_fixture_reproduces_every_figure() {
    let (input, root) = fixture();
    let report = input.report().unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let rows = root["expected"]["figures"].as_array().unwrap();
    assert!(rows.len() >= 60);
    for row in rows {
        let field = row["field"].as_str().unwrap();
        let category = row["category"].as_str().unwrap_or(ALL);
        let actual = match row["scope"].as_str().unwrap() {
            "letters" => find(&json["groups"], |g| {
                g["channel"] == row["channel"] && g["category"] == row["category"]
            })[field]
                .clone(),
            "phone" if category == ALL => json["phone"][field].clone(),
            "phone" => {
                find(&json["phone"]["by_category"], |p| p["category"] == category)[field].clone()
            }
            "pass_rates" => find(&json["pass_rates"], |p| p["category"] == category)[field].clone(),
            "targets" => json!(
                input
                    .targets
                    .iter()
                    .filter(|t| t.category == category)
                    .count()
            ),
            "campaign" => json["campaign"][field].clone(),
            other => panic!("unknown scope {other}"),
        };
        assert!(same(&actual, &row["value"]), "{row}: got {actual}");
        if row["source"] == "conflict" {
            assert!(!same(&actual, &row["published_value"]), "{row}");
        }
    }
}

#[test]
fn seed000_fixture_lists() {
    let (input, root) = fixture();
    let report = input.report().unwrap();
    let json = serde_json::to_value(&report).unwrap();
    for expected in root["expected"]["lists"].as_array().unwrap() {
        let list = expected["list"].as_str().unwrap();
        let mut names: Vec<&str> = json["lists"][list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| expected["channel"].is_null() || r["channel"] == expected["channel"])
            .map(|r| r["target_name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        let mut want: Vec<&str> = expected["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        want.sort_unstable();
        assert_eq!(names, want, "{expected}");
    }
    // Every count has its list behind it.
    let all = report.group(ChannelScope::All, ALL).unwrap();
    let l = &report.lists;
    assert_eq!(l.no_reply.len(), all.no_reply);
    assert_eq!(l.late.len(), all.late);
    assert_eq!(l.pending.len(), all.pending);
    assert_eq!(l.missing_doc_number.len(), all.missing_doc_number);
    assert_eq!(l.unsealed.len(), all.unsealed);
    assert_eq!(l.no_legal_basis.len(), all.no_legal_basis);
    assert_eq!(l.no_remedy.len(), all.no_remedy);
    assert_eq!(l.remedy_without_detail.len(), all.remedy_without_detail);
    assert_eq!(l.phone_not_connected.len(), report.phone.not_connected);
    // The late reply was dated in time but posted late: the postmark decides.
    let late = report
        .letters
        .iter()
        .find(|r| r.grade.status == LetterStatus::Late)
        .unwrap();
    assert_eq!(late.target_name, "交通运输厅");
    assert_eq!(late.grade.dispatch_source, Some(DispatchSource::Postmark));
    assert_eq!(late.grade.late_by_days, Some(4));
}

#[test]
fn seed000_fixture_shape_and_rubric() {
    let (input, _) = fixture();
    assert_eq!(input.campaign.rubric, Rubric::default());
    assert_eq!(input.targets.len(), 57);
    assert_eq!(input.letters.len(), 114);
    for t in &input.targets {
        let channels: Vec<Channel> = input
            .letters
            .iter()
            .filter(|l| l.target_id == t.id)
            .map(|l| l.channel)
            .collect();
        assert_eq!(channels, [Channel::Regular, Channel::Irregular], "{}", t.id);
    }
    // Every dispatch source and the due date itself occur.
    let report = input.report().unwrap();
    for source in [
        DispatchSource::Postmark,
        DispatchSource::DocDate,
        DispatchSource::Received,
    ] {
        assert!(
            report
                .letters
                .iter()
                .any(|r| r.grade.dispatch_source == Some(source))
        );
    }
    assert!(
        report
            .letters
            .iter()
            .any(|r| r.grade.status == LetterStatus::OnTime && r.grade.dispatched_on == r.due_on)
    );
}

/// The fixture's due dates are the 20th working day after signing on the Guangxi 2020
/// calendar it carries (national 国庆节、中秋节 10-01..10-08, 调休 09-27 and 10-10; no
/// 三月三 in 2020). The receipt day never counts.
#[test]
fn seed000_fixture_due_dates_follow_the_guangxi_calendar() {
    let (input, root) = fixture();
    let cal = &root["calendar"];
    let dates = |key: &str| -> Vec<NaiveDate> {
        cal[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| d(v.as_str().unwrap()))
            .collect()
    };
    let (holidays, workdays, covers) = (dates("holidays"), dates("workdays"), dates("covers"));
    let working = |day: NaiveDate| {
        use chrono::Datelike;
        workdays.contains(&day)
            || (day.weekday().number_from_monday() <= 5 && !holidays.contains(&day))
    };
    let nth_working_day_after = |start: NaiveDate, n: u32| {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day = day.succ_opt().unwrap();
            assert!(day <= covers[1], "calendar does not cover {day}");
            if working(day) {
                counted += 1;
            }
        }
        day
    };
    // RULES §2-style checks on this calendar.
    assert_eq!(nth_working_day_after(d("2020-09-30"), 20), d("2020-11-04"));
    assert_eq!(nth_working_day_after(d("2020-09-27"), 20), d("2020-10-30"));
    assert_eq!(nth_working_day_after(d("2020-10-05"), 1), d("2020-10-09"));
    assert_eq!(nth_working_day_after(d("2020-10-09"), 1), d("2020-10-10"));
    for l in &input.letters {
        let signed = l.signed_on.unwrap();
        assert!(signed >= covers[0]);
        assert_eq!(
            l.due_on,
            Some(nth_working_day_after(signed, input.campaign.statutory_days)),
            "{}",
            l.id
        );
    }
}

#[test]
fn the_compliance_checker_grades_audit_replies_without_outcome_rules() {
    // A complete reply (the checker also wants the organ's address or phone): nothing to say.
    let complete = |postmark: &str| {
        let mut r = reply(postmark);
        if let Some(rc) = r.remedy.reconsideration.as_mut() {
            rc.address = Some("南宁市民族大道".into());
        }
        r
    };
    let full = complete("2020-11-02");
    let found = check_reply(&full, "单位t1", Some(d("2020-11-04")));
    assert!(found.is_empty(), "{found:?}");
    // Every seed 000 defect, and a late postmark, as the checker words them.
    let mut r = reply("2020-11-05");
    r.doc_number = None;
    r.sealed = false;
    r.legal_basis = vec![Citation {
        law: "《中华人民共和国政府信息公开条例》".into(),
        ..Citation::default()
    }];
    r.remedy = Remedy {
        reconsideration: Some(ReconsiderationNotice::default()),
        ..Remedy::default()
    };
    let codes: Vec<&str> = check_reply(&r, "单位t1", Some(d("2020-11-04")))
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(
        codes,
        [
            codes::DOC_NUMBER_MISSING,
            codes::SEAL_MISSING,
            codes::LEGAL_BASIS_NO_ARTICLE,
            codes::REMEDY_RECONSIDERATION_ORGAN_MISSING,
            codes::REMEDY_COURT_MISSING,
            codes::REPLY_LATE,
        ]
    );
    // A citation that does not fit a guessed outcome is not flagged: the outcome is unknown.
    let mut r = complete("2020-11-02");
    r.legal_basis[0].article = Some("第十四条".into());
    assert!(check_reply(&r, "单位t1", Some(d("2020-11-04"))).is_empty());
    // A seal of another organ is.
    let mut r = complete("2020-11-02");
    r.seal_organ = Some("另一单位".into());
    let codes: Vec<&str> = check_reply(&r, "单位t1", None)
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(codes, [codes::SEAL_ORGAN_MISMATCH]);
}

#[test]
fn a_vague_reference_to_the_regulation_is_no_legal_basis() {
    // "依据《条例》有关规定": the grader and the case checker agree it names no article.
    let mut r = reply("2020-11-02");
    r.legal_basis = vec![Citation {
        law: "《条例》".into(),
        article: Some("有关规定".into()),
        ..Citation::default()
    }];
    assert_eq!(defects_of(r.clone()), vec![Defect::NoLegalBasis]);
    assert!(!r.has_specific_legal_basis());
    let codes: Vec<&str> = check_reply(&r, "单位t1", None)
        .iter()
        .map(|f| f.code)
        .collect();
    assert!(codes.contains(&codes::LEGAL_BASIS_NO_ARTICLE), "{codes:?}");
}

#[test]
fn the_units_seal_named_with_its_region_is_its_own() {
    let mut r = reply("2020-11-02");
    if let Some(rc) = r.remedy.reconsideration.as_mut() {
        rc.address = Some("南宁市民族大道".into());
    }
    r.seal_organ = Some("广西壮族自治区交通运输厅".into());
    let found = check_reply(&r, "交通运输厅", Some(d("2020-11-04")));
    assert!(found.is_empty(), "{found:?}");
    // An internal unit of it is still not the organ.
    r.seal_organ = Some("广西壮族自治区交通运输厅办公室".into());
    let codes: Vec<&str> = check_reply(&r, "交通运输厅", Some(d("2020-11-04")))
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(codes, [codes::SEAL_ORGAN_MISMATCH]);
}

#[test]
fn score_bands_put_a_unit_at_the_threshold_in_the_band_above() {
    let result = |score: u64, max: u64| TargetResult {
        target_id: format!("{score}/{max}"),
        name: String::new(),
        category: "c".into(),
        score,
        max,
        score_rate: None,
        passed: None,
        provisional: false,
        phone_connected: None,
    };
    let bands = score_distribution(&[
        result(6, 10),
        result(59, 100),
        result(24, 24),
        result(0, 11),
        result(0, 0),
    ]);
    assert_eq!(bands.len(), 10);
    let units: Vec<usize> = bands.iter().map(|b| b.units).collect();
    assert_eq!(units, [1, 0, 0, 0, 0, 1, 1, 0, 0, 1]);
    assert_eq!((bands[6].from_percent, bands[6].to_percent), (60, 70));
}

#[test]
fn a_department_is_suggested_only_on_one_exact_match() {
    let depts = [
        (1, "南宁市甲局", Some("南宁市甲局政务公开办")),
        (2, "南宁市乙局", None),
        (3, "南宁市丙局", Some("南宁市乙局")),
    ];
    let suggest = |name: &str| super::suggest_department(name, depts.iter().copied());
    assert_eq!(suggest("南宁市甲局"), Some(1));
    assert_eq!(
        suggest(" 南宁市甲局政务公开办 "),
        Some(1),
        "the office name, trimmed"
    );
    assert_eq!(
        suggest("南宁市乙局"),
        None,
        "two departments match: no guess"
    );
    assert_eq!(suggest("甲局"), None, "no partial match");
    assert_eq!(suggest(""), None);
}

//! Replies through the HTTP API: every finding code triggered by one reply and absent from a
//! compliant one, automatic doc numbers under concurrency, drafts that pass the checker, and
//! the supervisors' reports as JSON, CSV and parsed .xlsx.

use std::collections::BTreeSet;
use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

/// A city transport bureau under 南宁市人民政府 (the helper configures the government as
/// reconsideration organ and 南宁市中级人民法院 as court).
struct Bureau {
    dept: i64,
    name: String,
    clerk: String,
    sup: String,
    sup_id: i64,
}

async fn bureau(app: &TestApp) -> Bureau {
    let (_, dept) = app.city_and_bureau().await;
    let (_, clerk) = app.user("clerk_bureau", "clerk", Some(dept)).await;
    let (sup_id, sup) = app.user("sup_bureau", "supervisor", Some(dept)).await;
    Bureau {
        dept,
        name: "南宁市交通运输局".into(),
        clerk,
        sup,
        sup_id,
    }
}

/// A case received in person on Fri 2024-09-27 (due 2024-10-30).
async fn new_case(app: &TestApp, b: &Bureau, channel: &str) -> Resp {
    let received = if channel == "in_person" {
        json!("2024-09-27")
    } else {
        Value::Null
    };
    let r = app
        .post(
            "/api/v1/cases",
            &b.clerk,
            json!({
                "department_id": b.dept,
                "applicant": {"type": "natural_person", "name": "王五"},
                "channel": channel, "submitted_on": "2024-09-27", "received_on": received,
                "items": [{"description": "2024年南宁市城市道路养护资金使用情况"}]
            }),
        )
        .await;
    r.expect(201, None);
    r
}

async fn event(app: &TestApp, token: &str, case: &Resp, body: Value) -> Resp {
    let id = case.body["id"].as_i64().unwrap();
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/cases/{id}/events"),
            Some(token),
            Some(body),
            &[("If-Match", &case.etag())],
        )
        .await;
    r.expect(201, None);
    r
}

/// Issues `body` as the case's reply by the bureau's clerk once the review chain approved
/// it (the default chain: the bureau's supervisor).
async fn reply(app: &TestApp, b: &Bureau, case: &Resp, body: Value) -> Resp {
    let id = case.body["id"].as_i64().unwrap();
    let etag = app
        .approved_by(&b.clerk, &b.sup, id, &case.etag(), &body)
        .await;
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/reply"),
        Some(&b.clerk),
        Some(body),
        &[("If-Match", &etag)],
    )
    .await
}

/// A compliant reply for `outcome`, built from the draft the service generates.
async fn compliant(
    app: &TestApp,
    b: &Bureau,
    case: &Resp,
    outcome: &str,
    doc_number: &str,
) -> Value {
    let id = case.body["id"].as_i64().unwrap();
    let d = app
        .get(&format!("/api/v1/cases/{id}/reply-draft?outcome={outcome}&issued_on=2024-10-25&reasons=涉及第三方商业秘密，经征求意见第三方不同意公开"), &b.clerk)
        .await;
    let draft = d.expect(200, None)["reply"].clone();
    json!({
        "doc_number": doc_number,
        "issued_on": "2024-10-25",
        "dispatched_on": "2024-10-28",
        "delivery_method": "post",
        "tracking_number": "XA123456789CN",
        "outcome": outcome,
        "sealed": true,
        "seal_organ": b.name,
        "legal_basis": draft["legal_basis"],
        "reasons": draft["reasons"],
        "redirect_to": draft["redirect_to"],
        "remedy": draft["remedy"],
        "text": d.body["text"],
    })
}

fn codes(r: &Resp) -> BTreeSet<String> {
    r.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn each_finding_code_is_raised_by_one_reply_and_not_by_a_compliant_one() {
    let app = spawn_app().await;
    let b = bureau(&app).await;

    // The compliant baseline: recorded with no findings at all, and it stops the clock.
    let case = new_case(&app, &b, "in_person").await;
    let body = compliant(&app, &b, &case, "disclosed", "南交信复〔2024〕1号").await;
    let ok = reply(&app, &b, &case, body.clone()).await;
    ok.expect(201, None);
    assert_eq!(codes(&ok), BTreeSet::new(), "{}", ok.body["findings"]);
    let after = app
        .get(&format!("/api/v1/cases/{}", case.body["id"]), &b.clerk)
        .await;
    assert_eq!(after.body["status"], "replied");
    assert_eq!(after.body["reply"]["doc_number"], "南交信复〔2024〕1号");
    reply(&app, &b, &after, body.clone())
        .await
        .expect(409, Some("case_closed"));

    let withheld = {
        let case = new_case(&app, &b, "in_person").await;
        compliant(
            &app,
            &b,
            &case,
            "withheld_third_party",
            "南交信复〔2024〕2号",
        )
        .await
    };
    let not_responsible = {
        let case = new_case(&app, &b, "in_person").await;
        compliant(
            &app,
            &b,
            &case,
            "unavailable_not_responsible",
            "南交信复〔2024〕3号",
        )
        .await
    };

    // (expected code, the compliant body with one defect)
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let with = |base: &Value, f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    let mut n = 10;
    let mut number = || {
        n += 1;
        format!("南交信复〔2024〕{n}号")
    };
    cases.push((
        "doc_number_missing",
        with(&body, &|v| v["doc_number"] = Value::Null),
    ));
    cases.push((
        "doc_number_malformed",
        with(&body, &|v| v["doc_number"] = json!("南交信复[2024]7号")),
    ));
    cases.push((
        "doc_number_year_mismatch",
        with(&body, &|v| v["doc_number"] = json!("南交信复〔2023〕8号")),
    ));
    cases.push((
        "doc_number_duplicate",
        with(&body, &|v| v["doc_number"] = json!("南交信复〔2024〕1号")),
    ));
    let fresh = |v: &mut Value, num: String| v["doc_number"] = json!(num);
    let mut push = |code: &'static str, base: &Value, f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        fresh(&mut v, number());
        f(&mut v);
        cases.push((code, v));
    };
    push("seal_missing", &body, &|v| v["sealed"] = json!(false));
    push("seal_organ_mismatch", &body, &|v| {
        v["seal_organ"] = json!("南宁市交通运输局办公室")
    });
    push("legal_basis_missing", &body, &|v| {
        v["legal_basis"] = json!([])
    });
    push("legal_basis_no_article", &body, &|v| {
        v["legal_basis"] = json!([{"law": "《中华人民共和国政府信息公开条例》"}])
    });
    push(
        "legal_basis_mismatch",
        &body,
        &|v| {
            v["legal_basis"] =
                json!([{"law": "《中华人民共和国政府信息公开条例》", "article": "第十四条"}])
        },
    );
    push("reasons_missing", &withheld, &|v| {
        v["reasons"] = Value::Null
    });
    push("redirect_missing", &not_responsible, &|v| {
        v["redirect_to"] = Value::Null
    });
    push("remedy_missing", &body, &|v| {
        v["remedy"] = json!({"reconsideration": null, "litigation": null})
    });
    push("remedy_reconsideration_organ_missing", &body, &|v| {
        v["remedy"]["reconsideration"]["organ"] = Value::Null
    });
    push("remedy_court_missing", &body, &|v| {
        v["remedy"]["litigation"]["court"] = Value::Null
    });
    push("remedy_period_wrong", &body, &|v| {
        v["remedy"]["reconsideration"]["period_days"] = json!(30)
    });
    push("remedy_reconsideration_organ_wrong", &body, &|v| {
        v["remedy"]["reconsideration"]["organ"] = json!("广西壮族自治区交通运输厅")
    });
    push("remedy_reconsideration_first_missing", &withheld, &|v| {
        v["remedy"]["reconsideration_first"] = json!(false)
    });
    push("reply_late", &body, &|v| {
        v["issued_on"] = json!("2024-10-31");
        v["dispatched_on"] = json!("2024-10-31");
    });
    for (code, reply_body) in cases {
        let case = new_case(&app, &b, "in_person").await;
        let r = reply(&app, &b, &case, reply_body).await;
        r.expect(201, None);
        assert!(
            codes(&r).contains(code),
            "{code} not in {}",
            r.body["findings"]
        );
    }

    // Process findings come from the case's history.
    let late_notice = {
        let case = new_case(&app, &b, "in_person").await;
        // The notice was due within 7 working days: by 2024-10-12 (a 调休 Saturday).
        let c = event(&app, &b.clerk, &case, json!({"type": "correction_requested", "date": "2024-10-14", "items": ["身份证明"], "respond_by": "2024-10-24"})).await;
        event(
            &app,
            &b.clerk,
            &c,
            json!({"type": "correction_received", "date": "2024-10-15"}),
        )
        .await
    };
    let repeated = {
        let case = new_case(&app, &b, "in_person").await;
        let c = event(&app, &b.clerk, &case, json!({"type": "correction_requested", "date": "2024-09-30", "items": ["身份证明"], "respond_by": "2024-10-10"})).await;
        let c = event(
            &app,
            &b.clerk,
            &c,
            json!({"type": "correction_received", "date": "2024-10-08"}),
        )
        .await;
        let c = event(&app, &b.clerk, &c, json!({"type": "correction_requested", "date": "2024-10-09", "items": ["授权委托书"], "respond_by": "2024-10-18"})).await;
        event(
            &app,
            &b.clerk,
            &c,
            json!({"type": "correction_received", "date": "2024-10-10"}),
        )
        .await
    };
    let late_extension = {
        let case = new_case(&app, &b, "in_person").await;
        event(&app, &b.sup, &case, json!({"type": "extension_granted", "date": "2024-10-31", "approved_by": b.sup_id, "notified_on": "2024-10-31", "working_days": 10, "reason": "需调档"})).await
    };
    let unconfirmed = new_case(&app, &b, "online").await;
    for (code, case) in [
        ("correction_notice_late", late_notice),
        ("correction_repeated", repeated),
        ("extension_notice_late", late_extension),
        ("receipt_unconfirmed", unconfirmed),
    ] {
        let mut body = body.clone();
        body["doc_number"] = json!(number());
        body["issued_on"] = json!("2024-11-01");
        body["dispatched_on"] = json!("2024-11-01");
        let r = reply(&app, &b, &case, body).await;
        r.expect(201, None);
        assert!(
            codes(&r).contains(code),
            "{code} not in {}",
            r.body["findings"]
        );
    }

    // extension_too_long and extension_unapproved cannot arise through the API: the events
    // that would create them are refused when recorded (the checker's unit tests cover the
    // rules for imported data).
    let case = new_case(&app, &b, "in_person").await;
    let r = app
        .request(Method::POST, &format!("/api/v1/cases/{}/events", case.body["id"]), Some(&b.sup), Some(json!({"type": "extension_granted", "date": "2024-10-20", "approved_by": b.sup_id, "notified_on": "2024-10-20", "working_days": 25, "reason": "x"})), &[("If-Match", &case.etag())])
        .await;
    r.expect(422, Some("extension_too_long"));

    let bad = reply(
        &app,
        &b,
        &case,
        with(&body, &|v| v["outcome"] = json!("ignored")),
    )
    .await;
    assert!(bad.expect(422, Some("validation_failed"))["fields"]["outcome"].is_string());
    let stale = app
        .request(
            Method::POST,
            &format!("/api/v1/cases/{}/reply", case.body["id"]),
            Some(&b.clerk),
            Some(body.clone()),
            &[("If-Match", "\"99\"")],
        )
        .await;
    stale.expect(412, Some("stale_version"));
    // An If-Match that is no ETag at all is the caller's mistake (400), not a stale version.
    for garbage in ["", "-Infinity", "\"abc\"", "-1"] {
        let r = app
            .request(
                Method::POST,
                &format!("/api/v1/cases/{}/reply", case.body["id"]),
                Some(&b.clerk),
                Some(body.clone()),
                &[("If-Match", garbage)],
            )
            .await;
        assert!(
            r.expect(400, Some("invalid_if_match"))["fields"]["If-Match"].is_string(),
            "{garbage}"
        );
    }
    // The remedy's parts are closed objects, as the contract says: an unknown key is refused
    // by name instead of silently dropped.
    let mut extra = body.clone();
    extra["remedy"]["litigation"]["deadline"] = json!("六个月");
    let r = reply(&app, &b, &case, extra).await;
    assert!(
        r.expect(422, Some("invalid_body"))["fields"]["remedy.litigation.deadline"].is_string(),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn automatic_doc_numbers_never_collide() {
    let app = spawn_app().await;
    let b = bureau(&app).await;
    let mut cases = Vec::new();
    for _ in 0..6 {
        cases.push(new_case(&app, &b, "in_person").await);
    }
    // A number typed in by hand is skipped by the automatic sequence.
    let first = compliant(&app, &b, &cases[0], "disclosed", "南交信复〔2024〕3号").await;
    reply(&app, &b, &cases[0], first).await.expect(201, None);
    let mut bodies = Vec::new();
    for c in &cases[1..] {
        bodies.push(compliant(&app, &b, c, "disclosed", "auto").await);
    }
    let pending: Vec<_> = cases[1..]
        .iter()
        .zip(bodies)
        .map(|(c, body)| reply(&app, &b, c, body))
        .collect();
    let mut numbers = Vec::new();
    for r in crate::cases::join_all(pending).await {
        let body = r.expect(201, None);
        assert_eq!(body["auto_number"], true);
        numbers.push(body["doc_number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    assert_eq!(
        numbers,
        [
            "南交信复〔2024〕4号",
            "南交信复〔2024〕5号",
            "南交信复〔2024〕6号",
            "南交信复〔2024〕7号",
            "南交信复〔2024〕8号"
        ]
    );
}

#[actix_web::test]
async fn concurrent_automatic_replies_in_one_department_are_numbered_gapless() {
    let app = spawn_app().await;
    let b = bureau(&app).await;
    let mut cases = Vec::new();
    let mut bodies = Vec::new();
    for _ in 0..24 {
        let c = new_case(&app, &b, "in_person").await;
        bodies.push(compliant(&app, &b, &c, "disclosed", "auto").await);
        cases.push(c);
    }
    let pending: Vec<_> = cases
        .iter()
        .zip(bodies)
        .map(|(c, body)| reply(&app, &b, c, body))
        .collect();
    let answers = crate::cases::join_all(pending).await;
    let failed: Vec<_> = answers
        .iter()
        .filter(|r| r.status.as_u16() != 201)
        .map(|r| (r.status, r.body.clone()))
        .collect();
    assert!(failed.is_empty(), "non-2xx answers: {failed:?}");
    let mut seqs: Vec<u32> = answers
        .iter()
        .map(|r| {
            let n = r.body["doc_number"].as_str().unwrap();
            n.strip_prefix("南交信复〔2024〕")
                .and_then(|n| n.strip_suffix('号'))
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=24).collect::<Vec<u32>>());
}

#[actix_web::test]
async fn drafts_pass_the_checker_but_for_what_a_clerk_fills_in() {
    let app = spawn_app().await;
    let b = bureau(&app).await;
    let case = new_case(&app, &b, "in_person").await;
    let id = case.body["id"].as_i64().unwrap();
    let allowed: BTreeSet<&str> = [
        "doc_number_missing",
        "seal_missing",
        "legal_basis_missing",
        "reasons_missing",
        "redirect_missing",
    ]
    .into();
    for outcome in [
        "disclosed_already_public",
        "disclosed",
        "partially_disclosed",
        "withheld_state_secret",
        "withheld_prohibited_by_law",
        "withheld_security_stability",
        "withheld_third_party",
        "withheld_internal_affairs",
        "withheld_process_info",
        "withheld_enforcement_file",
        "withheld_administrative_query",
        "unavailable_not_held",
        "unavailable_not_responsible",
        "unavailable_needs_creation",
        "unavailable_unclear_after_correction",
        "not_processed_petition",
        "not_processed_repeated",
        "not_processed_publication",
        "not_processed_excessive",
        "not_processed_confirmation",
        "other_no_correction",
        "other_fee_unpaid",
        "other",
        "special_regime",
    ] {
        let d = app
            .get(
                &format!("/api/v1/cases/{id}/reply-draft?outcome={outcome}&issued_on=2024-10-25"),
                &b.clerk,
            )
            .await;
        let body = d.expect(200, None);
        let found: BTreeSet<String> = body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect();
        let unexpected: Vec<&String> = found
            .iter()
            .filter(|c| !allowed.contains(c.as_str()))
            .collect();
        assert!(unexpected.is_empty(), "{outcome}: {unexpected:?}");
        let text = body["text"].as_str().unwrap();
        for must in [
            "王五",
            "南宁市人民政府",
            "六十日",
            "南宁市中级人民法院",
            "南宁市交通运输局",
        ] {
            assert!(text.contains(must), "{outcome}: {must} missing");
        }
        // Withholding under Arts 14–16: reconsideration first (行政复议法 2023 Art. 23(1)(4)),
        // then suit within 15 days of the decision; otherwise either route, suit in 6 months.
        let first = text.contains("六十日内先向");
        if outcome.starts_with("withheld_") {
            assert!(first, "{outcome}: {text}");
        }
        assert!(
            if first {
                text.contains("十五日内")
            } else {
                text.contains("六个月")
            },
            "{outcome}: {text}"
        );
        assert!(!body["html"].as_str().unwrap().contains("<script"));
    }
    app.get(
        &format!("/api/v1/cases/{id}/reply-draft?outcome=maybe"),
        &b.clerk,
    )
    .await
    .expect(422, Some("validation_failed"));
    let unconfirmed = new_case(&app, &b, "online").await;
    app.get(
        &format!(
            "/api/v1/cases/{}/reply-draft?outcome=disclosed",
            unconfirmed.body["id"]
        ),
        &b.clerk,
    )
    .await
    .expect(409, Some("receipt_unconfirmed"));
}

async fn bytes(app: &TestApp, path: &str, token: &str) -> (String, Vec<u8>) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    (ct, r.bytes().await.unwrap().to_vec())
}

fn sheet(data: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(data.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

#[actix_web::test]
async fn supervisors_lists_in_json_csv_and_xlsx() {
    let app = spawn_app().await;
    let b = bureau(&app).await;
    let other = app
        .department("柳州市交通运输局", "柳交信复", None, "450200")
        .await;
    let (_, other_clerk) = app.user("clerk_other", "clerk", Some(other)).await;
    let (_, auditor) = app.user("auditor", "auditor", None).await;
    // Due 2024-10-30 (overdue on 11-05 by 4 working days), and one replied with a defect.
    let open = new_case(&app, &b, "in_person").await;
    event(&app, &b.clerk, &open, json!({"type": "assigned", "date": "2024-09-28", "user_id": app.get("/api/v1/me", &b.clerk).await.body["id"]})).await;
    let replied = new_case(&app, &b, "in_person").await;
    let mut body = compliant(&app, &b, &replied, "disclosed", "南交信复〔2024〕1号").await;
    body["sealed"] = json!(false);
    reply(&app, &b, &replied, body).await.expect(201, None);

    let r = app
        .get("/api/v1/reports/overdue?as_of=2024-11-05", &b.sup)
        .await;
    let report = r.expect(200, None);
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    assert_eq!(report["items"][0]["case_number"], open.body["case_number"]);
    assert_eq!(report["items"][0]["working_days"], 4);
    assert_eq!(report["items"][0]["assignee"], "clerk_bureau");
    assert_eq!(report["items"][0]["waits_on"], "reply");
    assert_eq!(report["items"][0]["waits_on_label"], "待答复");
    assert_eq!(report["totals"][0]["cases"], 1);
    assert_eq!(
        app.get("/api/v1/reports/overdue?as_of=2024-11-05", &other_clerk)
            .await
            .body["items"],
        json!([])
    );
    app.get(
        &format!("/api/v1/reports/overdue?department_id={}", b.dept),
        &other_clerk,
    )
    .await
    .expect(404, Some("not_found"));
    app.get("/api/v1/reports/overdue", &auditor)
        .await
        .expect(403, Some("forbidden"));

    let soon = app
        .get(
            "/api/v1/reports/due-soon?within=3&as_of=2024-10-25",
            &b.clerk,
        )
        .await;
    let items = soon.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["working_days"], 3);
    assert_eq!(
        app.get(
            "/api/v1/reports/due-soon?within=2&as_of=2024-10-25",
            &b.clerk
        )
        .await
        .body["items"],
        json!([])
    );

    let c = app
        .get(
            "/api/v1/reports/compliance?from=2024-01-01&to=2024-12-31",
            &b.sup,
        )
        .await;
    let report = c.expect(200, None);
    assert_eq!(report["replies"], 1);
    assert_eq!(report["by_code"]["seal_missing"], 1);
    let count = report["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "seal_missing")
        .unwrap();
    assert_eq!(count["department"], "南宁市交通运输局");
    assert_eq!(count["reply_ids"].as_array().unwrap().len(), 1);

    let (ct, csv) = bytes(
        &app,
        "/api/v1/reports/overdue?as_of=2024-11-05&format=csv",
        &b.sup,
    )
    .await;
    assert!(ct.starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("案件编号,承办机关,申请人"));
    assert!(
        lines[1].contains(open.body["case_number"].as_str().unwrap())
            && lines[1].ends_with(",4,clerk_bureau,待答复")
    );

    let (ct, xlsx) = bytes(
        &app,
        "/api/v1/reports/overdue?as_of=2024-11-05&format=xlsx",
        &b.sup,
    )
    .await;
    assert!(ct.contains("spreadsheetml"));
    let rows = sheet(&xlsx, "超期案件");
    assert_eq!(rows[0][0], "案件编号");
    // Case numbers repeat across departments: the sheet names the department's code too.
    assert_eq!(rows[1][0], open.body["display_number"].as_str().unwrap());
    assert_eq!(rows[1][6], "4");
    assert_eq!(
        (rows[0][8].as_str(), rows[1][8].as_str()),
        ("等待事项", "待答复")
    );
    assert_eq!(sheet(&xlsx, "按机关汇总")[1][1], "1");
    let (_, xlsx) = bytes(
        &app,
        "/api/v1/reports/due-soon?within=3&as_of=2024-10-25&format=xlsx",
        &b.sup,
    )
    .await;
    assert_eq!(sheet(&xlsx, "即将到期案件")[1][6], "3");
    let (_, xlsx) = bytes(
        &app,
        "/api/v1/reports/compliance?from=2024-01-01&to=2024-12-31&format=xlsx",
        &b.sup,
    )
    .await;
    let rows = sheet(&xlsx, "问题统计");
    assert!(rows.iter().any(|r| r[0] == "seal_missing" && r[3] == "1"));
    assert_eq!(sheet(&xlsx, "答复清单")[1][3], "南交信复〔2024〕1号");
    app.get("/api/v1/reports/compliance?format=pdf", &b.sup)
        .await
        .expect(422, Some("validation_failed"));
}

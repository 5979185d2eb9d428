//! The legal fixes of issue 13 through the HTTP API: department rule readings in every
//! derivation, Art. 35 dates (approval, bound, findings), a late 补正 that leaves the clock
//! running, the fee lapse listed, a consultation receipt recorded after dispatch, numbers put
//! into a reply's text at issue, the annual report's year end, and remedy periods.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

struct Office {
    dept: i64,
    clerk: String,
    sup: String,
    sup_id: i64,
}

/// A department (with `extra` fields merged into the usual ones), a clerk and a supervisor.
async fn office(app: &TestApp, code: &str, region: &str, extra: Value) -> Office {
    let mut body = json!({
        "name": format!("{code}机关"), "code": code, "kind": "department", "level": "city",
        "region": region,
        "reconsideration_organ": {"name": "某市人民政府"},
        "court": {"name": "某市中级人民法院"}
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app
        .post("/api/v1/departments", &app.admin_token, body)
        .await;
    r.expect(201, None);
    let dept = r.body["id"].as_i64().unwrap();
    let (_, clerk) = app
        .user(&format!("clerk_{dept}"), "clerk", Some(dept))
        .await;
    let (sup_id, sup) = app
        .user(&format!("sup_{dept}"), "supervisor", Some(dept))
        .await;
    Office {
        dept,
        clerk,
        sup,
        sup_id,
    }
}

/// A case handed in on `received` (in person: the receipt date).
async fn case(app: &TestApp, o: &Office, received: &str) -> Resp {
    let r = app
        .post(
            "/api/v1/cases",
            &o.clerk,
            json!({
                "department_id": o.dept,
                "applicant": {"type": "natural_person", "name": "李四"},
                "channel": "in_person", "submitted_on": received,
                "items": [{"description": "本机关2024年道路养护资金使用情况"}]
            }),
        )
        .await;
    r.expect(201, None);
    r
}

async fn try_event(app: &TestApp, token: &str, case: &Resp, body: Value) -> Resp {
    let id = case.body["id"].as_i64().unwrap();
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(token),
        Some(body),
        &[("If-Match", &case.etag())],
    )
    .await
}

async fn event(app: &TestApp, token: &str, case: &Resp, body: Value) -> Resp {
    let r = try_event(app, token, case, body).await;
    r.expect(201, None);
    r
}

async fn view(app: &TestApp, token: &str, case: &Resp, as_of: &str) -> Value {
    let id = case.body["id"].as_i64().unwrap();
    let r = app
        .get(&format!("/api/v1/cases/{id}?as_of={as_of}"), token)
        .await;
    r.expect(200, None).clone()
}

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn has_flag(deadline: &Value, flag: &str) -> bool {
    deadline["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == flag)
}

/// A minimal reply dispatched on `date`.
fn reply_body(date: &str, doc_number: &str, text: Option<&str>) -> Value {
    json!({
        "doc_number": doc_number, "issued_on": date, "dispatched_on": date,
        "delivery_method": "post", "outcome": "disclosed", "sealed": true, "remedy": {},
        "text": text
    })
}

async fn reply(app: &TestApp, token: &str, case: &Resp, body: Value) -> Resp {
    let id = case.body["id"].as_i64().unwrap();
    let r = app.issued_reply(token, id, &case.etag(), body).await;
    r.expect(201, None);
    r
}

#[actix_web::test]
async fn department_readings_decide_every_derivation() {
    let app = spawn_app().await;
    let paused = office(&app, "京甲信复", "110100", json!({})).await;
    let running = office(
        &app,
        "京乙信复",
        "110100",
        json!({"fee_pauses_clock": false, "court": {"name": "北京铁路运输法院", "designated": true}}),
    )
    .await;
    // The department shows its readings and the court's designation.
    let d = app
        .get(
            &format!("/api/v1/departments/{}", running.dept),
            &app.admin_token,
        )
        .await;
    let d = d.expect(200, None);
    assert_eq!(d["fee_pauses_clock"], false);
    assert_eq!(d["regional_holidays"], true);
    assert_eq!(d["court"]["designated"], true);

    // Received Fri 2024-09-27 (due 10-30); fee notice 10-10, paid 10-17: 6 working days
    // (Sat 10-12 was a working day).
    let mut dues = Vec::new();
    for o in [&paused, &running] {
        let c = case(&app, o, "2024-09-27").await;
        let c = event(
            &app,
            &o.clerk,
            &c,
            json!({"type": "fee_notice_issued", "date": "2024-10-10", "amount_fen": 10000}),
        )
        .await;
        let c = event(
            &app,
            &o.clerk,
            &c,
            json!({"type": "fee_paid", "date": "2024-10-17"}),
        )
        .await;
        dues.push((
            c.body["due_on"].clone(),
            c.body["deadline"]["rules"].clone(),
        ));
    }
    assert_eq!(dues[0].0, "2024-11-07");
    assert_eq!(dues[0].1["fee_pauses_clock"], true);
    assert_eq!(dues[1].0, "2024-10-30");
    assert_eq!(dues[1].1["fee_pauses_clock"], false);

    // Guangxi: 三月三 (2025-03-31, 04-01) is off only for an agency that keeps the layer.
    let layered = office(&app, "桂甲信复", "450100", json!({})).await;
    let national = office(
        &app,
        "桂乙信复",
        "450100",
        json!({"regional_holidays": false}),
    )
    .await;
    let beijing = case(&app, &paused, "2025-03-20").await;
    let with = case(&app, &layered, "2025-03-20").await;
    let without = case(&app, &national, "2025-03-20").await;
    assert_ne!(with.body["due_on"], without.body["due_on"]);
    assert_eq!(without.body["due_on"], beijing.body["due_on"]);
    assert_eq!(
        without.body["deadline"]["rules"]["regional_holidays"],
        false
    );
    assert!(
        !without.body["deadline"]["calendar"]
            .as_str()
            .unwrap()
            .contains("广西")
    );

    // Changing the reading moves the open cases (the fee case above stays as computed).
    let before = app
        .get(
            &format!("/api/v1/departments/{}", national.dept),
            &app.admin_token,
        )
        .await;
    let r = app
        .patch(
            &format!("/api/v1/departments/{}", national.dept),
            &app.admin_token,
            &before.etag(),
            json!({"regional_holidays": true}),
        )
        .await;
    r.expect(200, None);
    let id = without.body["id"].as_i64().unwrap();
    let after = app
        .get(&format!("/api/v1/cases/{id}"), &national.clerk)
        .await;
    assert_eq!(after.body["due_on"], with.body["due_on"]);
}

#[actix_web::test]
async fn art35_dates_need_a_supervisor_a_timely_notice_and_a_bound() {
    let app = spawn_app().await;
    let o = office(&app, "京丙信复", "110100", json!({})).await;
    let c = case(&app, &o, "2024-09-27").await;
    let custom = |date: &str, due: &str| {
        json!({"type": "custom_due_date", "date": date, "due_on": due,
               "reason": "申请数量明显超过合理范围", "approved_by": 999})
    };
    try_event(&app, &o.clerk, &c, custom("2024-10-10", "2024-12-20"))
        .await
        .expect(403, Some("approval_required"));
    try_event(&app, &o.sup, &c, custom("2024-10-10", "2099-12-31"))
        .await
        .expect(422, Some("custom_due_too_far"));
    let set = event(&app, &o.sup, &c, custom("2024-10-10", "2024-12-20")).await;
    assert_eq!(set.body["due_on"], "2024-12-20");
    let recorded = set.body["events"].as_array().unwrap().last().unwrap();
    assert_eq!(recorded["approved_by"], o.sup_id, "set by the service");

    // Set after the period ended (10-30): no effect, the case stays overdue, and it is a
    // finding of the case, of a draft and of the reply.
    let late = case(&app, &o, "2024-09-27").await;
    let late = event(&app, &o.sup, &late, custom("2024-11-05", "2024-12-20")).await;
    assert_eq!(late.body["due_on"], "2024-10-30");
    let v = view(&app, &o.clerk, &late, "2024-11-08").await;
    assert_eq!(v["flags"]["overdue"], true);
    assert!(codes(&v["findings"]).contains(&"custom_due_late".to_owned()));
    let id = late.body["id"].as_i64().unwrap();
    let overdue = app
        .get("/api/v1/cases?overdue=true&as_of=2024-11-08", &o.clerk)
        .await;
    let ids: Vec<i64> = overdue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&id));
    let draft = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed&issued_on=2024-11-08"),
            &o.clerk,
        )
        .await;
    assert!(codes(&draft.expect(200, None)["findings"]).contains(&"custom_due_late".to_owned()));
    let r = reply(
        &app,
        &o.clerk,
        &late,
        reply_body("2024-11-08", "auto", None),
    )
    .await;
    let found = codes(&r.body["findings"]);
    assert!(found.contains(&"custom_due_late".to_owned()), "{found:?}");
    assert!(found.contains(&"reply_late".to_owned()), "{found:?}");
}

#[actix_web::test]
async fn a_late_correction_leaves_the_case_overdue() {
    let app = spawn_app().await;
    let o = office(&app, "京丁信复", "110100", json!({})).await;
    // The example: received 2026-09-01, due 09-29; 补正 asked 10-20 (after day 7).
    let c = case(&app, &o, "2026-09-01").await;
    assert_eq!(c.body["due_on"], "2026-09-29");
    let asked = event(
        &app,
        &o.clerk,
        &c,
        json!({"type": "correction_requested", "date": "2026-10-20",
               "items": ["请明确所需信息的年度"], "respond_by": "2026-11-03"}),
    )
    .await;
    assert_eq!(asked.body["status"], "awaiting_correction");
    assert_eq!(asked.body["due_on"], "2026-09-29", "the clock runs on");
    assert_eq!(asked.body["flags"]["overdue"], true);
    let id = c.body["id"].as_i64().unwrap();
    let on_list = |body: &Value| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["case_id"] == id || i["id"] == id)
    };
    let report = app
        .get("/api/v1/reports/overdue?as_of=2026-10-21", &o.clerk)
        .await;
    assert!(on_list(report.expect(200, None)));
    let answered = event(
        &app,
        &o.clerk,
        &asked,
        json!({"type": "correction_received", "date": "2026-10-22"}),
    )
    .await;
    assert_eq!(answered.body["due_on"], "2026-09-29", "no restart");
    let listed = app
        .get("/api/v1/cases?overdue=true&as_of=2026-11-17", &o.clerk)
        .await;
    assert!(on_list(listed.expect(200, None)));
    let r = reply(
        &app,
        &o.clerk,
        &answered,
        reply_body("2026-11-18", "auto", None),
    )
    .await;
    assert_eq!(r.body["due_on"], "2026-09-29");
    assert!(codes(&r.body["findings"]).contains(&"reply_late".to_owned()));
}

#[actix_web::test]
async fn an_unpaid_fee_is_listed_for_the_lapse_to_be_recorded() {
    let app = spawn_app().await;
    let o = office(&app, "京戊信复", "110100", json!({})).await;
    let c = case(&app, &o, "2024-09-27").await;
    let c = event(
        &app,
        &o.clerk,
        &c,
        json!({"type": "fee_notice_issued", "date": "2024-10-10", "amount_fen": 10000}),
    )
    .await;
    // 20 working days from 10-10 end on 11-06 (Sat 10-12 was a working day).
    let inside = view(&app, &o.clerk, &c, "2024-11-06").await;
    assert_eq!(inside["flags"]["fee_period_passed"], false);
    let after = view(&app, &o.clerk, &c, "2024-11-07").await;
    assert_eq!(after["flags"]["fee_period_passed"], true);
    assert!(has_flag(&after["deadline"], "fee_period_passed"));
    let report = app
        .get("/api/v1/reports/due-soon?as_of=2024-11-07", &o.clerk)
        .await;
    let lapsed = report.expect(200, None)["lapsed"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(lapsed.len(), 1, "{lapsed:?}");
    assert_eq!(lapsed[0]["case_id"], c.body["id"]);
    assert_eq!(lapsed[0]["needs"], "fee_lapsed");
    let before = app
        .get("/api/v1/reports/due-soon?as_of=2024-11-06", &o.clerk)
        .await;
    assert_eq!(before.body["lapsed"], json!([]));
}

#[actix_web::test]
async fn a_consultation_receipt_is_recorded_after_dispatch() {
    let app = spawn_app().await;
    let o = office(&app, "京己信复", "110100", json!({})).await;
    let consult = json!({"type": "consultation_started", "date": "2025-06-10",
                         "party": "third_party", "consulted": "某科技有限公司"});
    let unknown = case(&app, &o, "2025-06-03").await;
    let unknown = event(&app, &o.clerk, &unknown, consult.clone()).await;
    let known = case(&app, &o, "2025-06-03").await;
    let known = event(&app, &o.clerk, &known, consult).await;
    let consultation = known.body["events"].as_array().unwrap().last().unwrap()["id"].clone();
    let receipt = |date: &str, received: &str| {
        json!({"type": "consultation_received", "date": date,
               "consultation": consultation, "received_on": received})
    };
    try_event(&app, &o.clerk, &known, receipt("2025-06-16", "2025-06-09"))
        .await
        .expect(422, Some("received_before_dispatch"));
    try_event(&app, &o.clerk, &known, receipt("2025-06-16", "2025-06-17"))
        .await
        .expect(422, Some("received_after_recording"));
    let known = event(&app, &o.clerk, &known, receipt("2025-06-16", "2025-06-13")).await;
    try_event(&app, &o.clerk, &known, receipt("2025-06-17", "2025-06-13"))
        .await
        .expect(409, Some("consultation_receipt_known"));
    // No opinion ever came: the 15 working days run from the party's receipt, three
    // working days later than from dispatch.
    let a = view(&app, &o.clerk, &unknown, "2025-08-21").await;
    let b = view(&app, &o.clerk, &known, "2025-08-21").await;
    assert_eq!(
        b["deadline"]["paused_working_days"].as_i64().unwrap(),
        a["deadline"]["paused_working_days"].as_i64().unwrap() + 3
    );
    assert_ne!(a["due_on"], b["due_on"]);
    assert!(
        b["deadline"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["effect"].as_str().unwrap().contains("2025-06-13收到"))
    );
}

#[actix_web::test]
async fn an_automatic_number_is_put_into_the_drafts_text() {
    let app = spawn_app().await;
    let o = office(&app, "京庚信复", "110100", json!({})).await;
    let c = case(&app, &o, "2024-09-27").await;
    let id = c.body["id"].as_i64().unwrap();
    let d = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed&issued_on=2024-10-25"),
            &o.clerk,
        )
        .await;
    let text = d.expect(200, None)["text"].as_str().unwrap().to_owned();
    assert!(text.contains("京庚信复〔2024〕 号"), "{text}");
    let r = reply(
        &app,
        &o.clerk,
        &c,
        reply_body("2024-10-25", "auto", Some(&text)),
    )
    .await;
    assert_eq!(r.body["doc_number"], "京庚信复〔2024〕1号");
    let stored = r.body["text"].as_str().unwrap();
    assert!(stored.contains("京庚信复〔2024〕1号"), "{stored}");
    assert!(!stored.contains("〔2024〕 号"));
}

#[actix_web::test]
async fn a_reopening_after_the_year_end_leaves_the_closed_year_alone() {
    let app = spawn_app().await;
    let o = office(&app, "京辛信复", "110100", json!({})).await;
    let c = case(&app, &o, "2025-03-03").await;
    let c = reply(&app, &o.clerk, &c, reply_body("2025-03-20", "auto", None)).await;
    let id = c.body["case_id"].as_i64().unwrap();
    let remedy = app
        .post(
            &format!("/api/v1/cases/{id}/remedies"),
            &o.clerk,
            json!({"kind": "reconsideration", "filed_on": "2025-04-01", "body": "某市人民政府"}),
        )
        .await;
    remedy.expect(201, None);
    let decided = app
        .patch(
            &format!("/api/v1/remedies/{}", remedy.body["id"]),
            &o.clerk,
            &remedy.etag(),
            json!({"outcome": "corrected", "decided_on": "2025-12-01"}),
        )
        .await;
    decided.expect(200, None);
    let y2025 = format!("/api/v1/reports/annual?year=2025&department_id={}", o.dept);
    let before = app.get(&y2025, &o.clerk).await.expect(200, None).clone();

    let case_now = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    let reopened = event(
        &app,
        &o.clerk,
        &case_now,
        json!({"type": "reopened", "date": "2026-01-05", "reason": "行政复议决定责令重新答复"}),
    )
    .await;
    reply(
        &app,
        &o.clerk,
        &reopened,
        reply_body("2026-01-20", "auto", None),
    )
    .await;

    let after = app.get(&y2025, &o.clerk).await.expect(200, None).clone();
    assert_eq!(before["table3"], after["table3"]);
    assert_eq!(before["table4"], after["table4"]);
    assert_eq!(before["checks"], after["checks"]);
    let y2026 = app
        .get(
            &format!("/api/v1/reports/annual?year=2026&department_id={}", o.dept),
            &o.clerk,
        )
        .await;
    let y2026 = y2026.expect(200, None);
    let rows = y2026["table3"]["rows"].as_array().unwrap();
    let total = |key: &str| {
        rows.iter().find(|r| r["key"] == key).unwrap()["values"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_i64()
            .unwrap()
    };
    assert_eq!(total("new"), 1, "the reopening is new in 2026");
    assert_eq!(total("carried_over"), 0);
    assert_eq!(total("total"), 1);
    assert_eq!(y2026["all_checks_pass"], true, "{}", y2026["checks"]);
}

#[actix_web::test]
async fn a_remedy_is_judged_against_its_period() {
    let app = spawn_app().await;
    let o = office(&app, "京壬信复", "110100", json!({})).await;
    let c = case(&app, &o, "2024-08-20").await;
    let r = reply(&app, &o.clerk, &c, reply_body("2024-08-30", "auto", None)).await;
    let id = r.body["case_id"].as_i64().unwrap();
    let file = |body: Value| {
        let app = &app;
        let token = o.clerk.clone();
        async move {
            let r = app
                .post(&format!("/api/v1/cases/{id}/remedies"), &token, body)
                .await;
            r.expect(201, None).clone()
        }
    };
    // Received Mon 2024-09-02: day 60 is Fri 11-01; filed on day 61 (Sat 11-02): late.
    let late = file(json!({"kind": "reconsideration", "filed_on": "2024-11-02",
                           "body": "某市人民政府", "reply_received_on": "2024-09-02"}))
    .await;
    assert_eq!(late["late"], true);
    assert_eq!(late["deadline"]["last_day"], "2024-11-01");
    assert_eq!(late["deadline_basis"], "reply_received_on");
    // Posted on day 60, arriving later: in time.
    let posted = file(json!({"kind": "reconsideration", "filed_on": "2024-11-04",
                             "posted_on": "2024-11-01", "body": "某市人民政府",
                             "reply_received_on": "2024-09-02"}))
    .await;
    assert_eq!(posted["late"], false);
    let steps = posted["deadline"]["steps"].as_array().unwrap();
    assert!(
        steps.last().unwrap()["effect"]
            .as_str()
            .unwrap()
            .contains("交邮")
    );
    // Without the receipt date: counted from the dispatch (08-30 → day 60 is 10-29).
    let unknown = file(json!({"kind": "reconsideration", "filed_on": "2024-10-30",
                              "body": "某市人民政府"}))
    .await;
    assert_eq!(unknown["deadline_basis"], "reply_dispatched");
    assert_eq!(unknown["late"], true);
    // The case view and the list show the same judgement.
    let v = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    let lates: Vec<&Value> = v.body["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["late"])
        .collect();
    assert_eq!(lates, vec![&json!(true), &json!(true), &json!(false)]);
    let bad = app
        .post(
            &format!("/api/v1/cases/{id}/remedies"),
            &o.clerk,
            json!({"kind": "reconsideration", "filed_on": "2024-11-04",
                   "posted_on": "2024-11-05", "body": "某市人民政府"}),
        )
        .await;
    assert!(bad.expect(422, None)["fields"]["posted_on"].is_string());
}

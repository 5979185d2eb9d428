//! Review before a reply is issued (issue 18): a department's chain of levels, submission,
//! approval and return per level, issue only of what the last level approved, 文号 only
//! at issue, the override of an error-level finding, the reviewers' queue, the stuck
//! replies and the reminder mails — every step on the case's audit trail.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app, spawn_app_with};

struct Office {
    dept: i64,
    clerk: String,
    /// Level 1 (初审): a named user.
    first: String,
    first_id: i64,
    /// Level 2 (审定): the department's supervisors.
    sup: String,
    /// A supervisor of the department who is not named at level 1.
    other_sup: String,
}

/// A bureau with a two-level chain: 初审 by a named clerk, 审定 by the supervisors.
async fn office(app: &TestApp) -> Office {
    let (_, dept) = app.city_and_bureau().await;
    let (_, clerk) = app.user("clerk_review", "clerk", Some(dept)).await;
    let (first_id, first) = app.user("legal_review", "clerk", Some(dept)).await;
    let (_, sup) = app.user("sup_review", "supervisor", Some(dept)).await;
    let (_, other_sup) = app.user("sup_other", "supervisor", Some(dept)).await;
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/departments/{dept}/review-chain"),
            Some(&app.admin_token),
            Some(json!({"levels": [
                {"name": "初审", "user_ids": [first_id]},
                {"name": "审定", "role": "supervisor"}
            ]})),
            &[],
        )
        .await;
    let chain = r.expect(200, None);
    assert_eq!(chain["configured"], true);
    assert_eq!(chain["levels"].as_array().unwrap().len(), 2);
    Office {
        dept,
        clerk,
        first,
        first_id,
        sup,
        other_sup,
    }
}

/// A case received in person on `received` by `o`'s clerk.
async fn case(app: &TestApp, o: &Office, received: &str, applicant: &str) -> Resp {
    let r = app
        .post(
            "/api/v1/cases",
            &o.clerk,
            json!({
                "department_id": o.dept,
                "applicant": {"type": "natural_person", "name": applicant},
                "channel": "in_person", "submitted_on": received, "received_on": received,
                "items": [{"description": "2026年城市道路养护资金使用情况"}]
            }),
        )
        .await;
    r.expect(201, None);
    r
}

/// A compliant reply from the service's draft, numbered automatically.
async fn compliant(app: &TestApp, o: &Office, id: i64, issued_on: &str) -> Value {
    let d = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed&issued_on={issued_on}"),
            &o.clerk,
        )
        .await;
    let d = d.expect(200, None);
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(true);
    body["seal_organ"] = json!("南宁市交通运输局");
    body["text"] = d["text"].clone();
    body.as_object_mut().unwrap().remove("dispatched_on");
    body
}

async fn submit(app: &TestApp, token: &str, id: i64, etag: &str, body: &Value) -> Resp {
    app.request(
        Method::PUT,
        &format!("/api/v1/cases/{id}/review"),
        Some(token),
        Some(body.clone()),
        &[("If-Match", etag)],
    )
    .await
}

async fn decide(app: &TestApp, token: &str, id: i64, etag: &str, body: Value) -> Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/review/decisions"),
        Some(token),
        Some(body),
        &[("If-Match", etag)],
    )
    .await
}

async fn issue(app: &TestApp, token: &str, id: i64, etag: &str, body: &Value) -> Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/reply"),
        Some(token),
        Some(body.clone()),
        &[("If-Match", etag)],
    )
    .await
}

fn approve() -> Value {
    json!({"decision": "approve"})
}

fn verify_audit(app: &TestApp) {
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn issuing_without_all_approvals_is_refused() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let c = case(&app, &o, "2026-11-02", "王五").await;
    let id = c.body["id"].as_i64().unwrap();
    let body = compliant(&app, &o, id, "2026-11-20").await;

    // Not submitted at all.
    issue(&app, &o.clerk, id, &c.etag(), &body)
        .await
        .expect(409, Some("review_required"));
    let s = submit(&app, &o.clerk, id, &c.etag(), &body).await;
    let v = s.expect(200, None);
    assert_eq!(
        (v["status"].as_str(), v["level"].as_i64()),
        (Some("in_review"), Some(1))
    );
    assert_eq!(v["level_name"], "初审");
    assert_eq!(v["findings"], json!([]), "a compliant draft");
    issue(&app, &o.clerk, id, &s.etag(), &body)
        .await
        .expect(409, Some("review_required"));
    // Level 1 approves: level 2 is still to act.
    let a1 = decide(&app, &o.first, id, &s.etag(), approve()).await;
    assert_eq!(a1.expect(200, None)["level"], 2);
    assert_eq!(a1.body["status"], "in_review");
    issue(&app, &o.clerk, id, &a1.etag(), &body)
        .await
        .expect(409, Some("review_required"));
    let a2 = decide(&app, &o.sup, id, &a1.etag(), approve()).await;
    assert_eq!(a2.expect(200, None)["status"], "approved");
    // Approved: issued, with the mailing facts added then.
    let mut sent = body.clone();
    sent["dispatched_on"] = json!("2026-11-20");
    sent["tracking_number"] = json!("XA123456789CN");
    let r = issue(&app, &o.clerk, id, &a2.etag(), &sent).await;
    assert_eq!(r.expect(201, None)["doc_number"], "南交信复〔2026〕1号");
    let after = app
        .get(&format!("/api/v1/cases/{id}/review"), &o.clerk)
        .await;
    let after = after.expect(200, None);
    assert_eq!(after["status"], "issued");
    let steps: Vec<&str> = after["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["submitted", "approved", "approved", "issued"]);
    // Every step is on the case's audit trail.
    let history = app
        .get(&format!("/api/v1/cases/{id}/history"), &o.clerk)
        .await;
    let actions: Vec<&str> = history.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "case_created",
            "review_submitted",
            "review_approved",
            "review_approved",
            "reply_recorded"
        ]
    );
    verify_audit(&app);
}

#[actix_web::test]
async fn a_reviewer_outside_the_level_cannot_approve() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let c = case(&app, &o, "2026-11-02", "王五").await;
    let id = c.body["id"].as_i64().unwrap();
    let body = compliant(&app, &o, id, "2026-11-20").await;
    let s = submit(&app, &o.clerk, id, &c.etag(), &body).await;
    s.expect(200, None);
    // Level 1 names one user: a supervisor, the submitting clerk, the admin may not act.
    for token in [&o.sup, &o.other_sup, &o.clerk, &app.admin_token] {
        decide(&app, token, id, &s.etag(), approve())
            .await
            .expect(403, Some("not_reviewer"));
    }
    let view = app.get(&format!("/api/v1/cases/{id}/review"), &o.sup).await;
    assert_eq!(view.expect(200, None)["may_review"], false);
    let view = app
        .get(&format!("/api/v1/cases/{id}/review"), &o.first)
        .await;
    assert_eq!(view.expect(200, None)["may_review"], true);
    // At level 2 the named clerk is outside it, and any supervisor of the department in.
    let a1 = decide(&app, &o.first, id, &s.etag(), approve()).await;
    a1.expect(200, None);
    decide(&app, &o.first, id, &a1.etag(), approve())
        .await
        .expect(403, Some("not_reviewer"));
    decide(&app, &o.other_sup, id, &a1.etag(), approve())
        .await
        .expect(200, None);
    // A supervisor of another department sees nothing of the case.
    let elsewhere = app
        .department("南宁市教育局", "南教信复", None, "450100")
        .await;
    let (_, stranger) = app
        .user("sup_elsewhere", "supervisor", Some(elsewhere))
        .await;
    decide(&app, &stranger, id, "\"1\"", approve())
        .await
        .expect(404, None);
    // A decision other than approve or return is refused.
    decide(&app, &o.first, id, "\"1\"", json!({"decision": "maybe"}))
        .await
        .expect(422, Some("validation_failed"));
    verify_audit(&app);
}

#[actix_web::test]
async fn editing_after_approval_resets_the_chain() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let c = case(&app, &o, "2026-11-02", "王五").await;
    let id = c.body["id"].as_i64().unwrap();
    let body = compliant(&app, &o, id, "2026-11-20").await;
    let s = submit(&app, &o.clerk, id, &c.etag(), &body).await;
    let a1 = decide(&app, &o.first, id, &s.etag(), approve()).await;
    let a2 = decide(&app, &o.sup, id, &a1.etag(), approve()).await;
    assert_eq!(a2.expect(200, None)["status"], "approved");
    // The same content again is no change.
    submit(&app, &o.clerk, id, &a2.etag(), &body)
        .await
        .expect(409, Some("review_unchanged"));
    // Issuing something else than what was approved is refused …
    let mut edited = body.clone();
    edited["text"] = json!(format!("{}\n（补充说明）", body["text"].as_str().unwrap()));
    issue(&app, &o.clerk, id, &a2.etag(), &edited)
        .await
        .expect(409, Some("review_changed"));
    // … and submitting the change sends it back to level 1.
    let e = submit(&app, &o.clerk, id, &a2.etag(), &edited).await;
    let v = e.expect(200, None);
    assert_eq!(
        (
            v["status"].as_str(),
            v["level"].as_i64(),
            v["revision"].as_i64()
        ),
        (Some("in_review"), Some(1), Some(2))
    );
    assert_eq!(
        v["steps"].as_array().unwrap().last().unwrap()["action"],
        "reset"
    );
    // Neither the old approved version nor the new one can be issued now.
    for b in [&body, &edited] {
        issue(&app, &o.clerk, id, &e.etag(), b)
            .await
            .expect(409, Some("review_required"));
    }
    // An edit while at level 2 also goes back to level 1.
    let a1 = decide(&app, &o.first, id, &e.etag(), approve()).await;
    assert_eq!(a1.expect(200, None)["level"], 2);
    let e2 = submit(&app, &o.clerk, id, &a1.etag(), &body).await;
    assert_eq!(e2.expect(200, None)["level"], 1);
    let a1 = decide(&app, &o.first, id, &e2.etag(), approve()).await;
    let a2 = decide(&app, &o.sup, id, &a1.etag(), approve()).await;
    issue(&app, &o.clerk, id, &a2.etag(), &body)
        .await
        .expect(201, None);
    verify_audit(&app);
}

#[actix_web::test]
async fn returned_drafts_consume_no_doc_number() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let first = case(&app, &o, "2026-11-02", "王五").await;
    let second = case(&app, &o, "2026-11-03", "赵六").await;
    let (a, b) = (
        first.body["id"].as_i64().unwrap(),
        second.body["id"].as_i64().unwrap(),
    );
    let body_a = compliant(&app, &o, a, "2026-11-20").await;
    let body_b = compliant(&app, &o, b, "2026-11-20").await;
    // The first case's reply is returned twice (once per level) and fixed each time.
    let s = submit(&app, &o.clerk, a, &first.etag(), &body_a).await;
    decide(&app, &o.first, a, &s.etag(), json!({"decision": "return"}))
        .await
        .expect(422, Some("validation_failed"));
    let r = decide(
        &app,
        &o.first,
        a,
        &s.etag(),
        json!({"decision": "return", "comment": "请补充救济途径的联系电话"}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "returned");
    issue(&app, &o.clerk, a, &r.etag(), &body_a)
        .await
        .expect(409, Some("review_required"));
    let s = submit(&app, &o.clerk, a, &r.etag(), &body_a).await;
    assert_eq!(s.expect(200, None)["steps"][2]["action"], "resubmitted");
    let a1 = decide(&app, &o.first, a, &s.etag(), approve()).await;
    let r2 = decide(
        &app,
        &o.sup,
        a,
        &a1.etag(),
        json!({"decision": "return", "comment": "理由表述不清"}),
    )
    .await;
    r2.expect(200, None);
    // Meanwhile the second case's reply is approved and issued first: it takes number 1.
    let sb = submit(&app, &o.clerk, b, &second.etag(), &body_b).await;
    let b1 = decide(&app, &o.first, b, &sb.etag(), approve()).await;
    let b2 = decide(&app, &o.sup, b, &b1.etag(), approve()).await;
    let etag_b = b2.etag();
    let issued_b = issue(&app, &o.clerk, b, &etag_b, &body_b).await;
    assert_eq!(
        issued_b.expect(201, None)["doc_number"],
        "南交信复〔2026〕1号"
    );
    // The first is fixed, approved by both levels, issued: number 2, no hole.
    let s = submit(&app, &o.clerk, a, &r2.etag(), &body_a).await;
    let a1 = decide(&app, &o.first, a, &s.etag(), approve()).await;
    let a2 = decide(&app, &o.sup, a, &a1.etag(), approve()).await;
    let issued_a = issue(&app, &o.clerk, a, &a2.etag(), &body_a).await;
    assert_eq!(
        issued_a.expect(201, None)["doc_number"],
        "南交信复〔2026〕2号"
    );
    verify_audit(&app);
}

#[actix_web::test]
async fn approving_an_error_finding_needs_a_reason() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let c = case(&app, &o, "2026-11-02", "王五").await;
    let id = c.body["id"].as_i64().unwrap();
    let mut body = compliant(&app, &o, id, "2026-11-20").await;
    body["sealed"] = json!(false);
    body["seal_organ"] = json!(null);
    let s = submit(&app, &o.clerk, id, &c.etag(), &body).await;
    let v = s.expect(200, None);
    assert_eq!(v["needs_override"], true);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "error"),
        "{v}"
    );
    // Every reviewer sees the findings; approving without a reason is refused.
    decide(&app, &o.first, id, &s.etag(), approve())
        .await
        .expect(422, Some("override_required"));
    decide(
        &app,
        &o.first,
        id,
        &s.etag(),
        json!({"decision": "approve", "override_reason": "   "}),
    )
    .await
    .expect(422, Some("override_required"));
    let a1 = decide(
        &app,
        &o.first,
        id,
        &s.etag(),
        json!({"decision": "approve", "override_reason": "电子答复无需加盖印章，经法制机构确认"}),
    )
    .await;
    let v = a1.expect(200, None);
    assert_eq!(
        v["steps"][1]["override_reason"],
        "电子答复无需加盖印章，经法制机构确认"
    );
    let history = app
        .get(&format!("/api/v1/cases/{id}/history"), &o.clerk)
        .await;
    assert!(history.body.to_string().contains("电子答复无需加盖印章"));
    verify_audit(&app);
}

#[actix_web::test]
async fn the_queue_is_sorted_by_days_left_and_stuck_replies_remind_once() {
    // Today (the tests' fixed clock) is Sun 2026-11-22; Mon 2026-11-23 is a working day.
    let app = spawn_app_with(|s| s.review_remind_days = 2).await;
    let o = office(&app).await;
    // Reviewers with an address get the reminders.
    let r = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": "legal_mail", "display_name": "法制科", "role": "clerk",
                   "department_id": o.dept, "password": crate::helpers::USER_PASSWORD,
                   "email": "legal@example.gov.cn"}),
        )
        .await;
    let legal_id = r.expect(201, None)["id"].as_i64().unwrap();
    app.request(
        Method::PUT,
        &format!("/api/v1/departments/{}/review-chain", o.dept),
        Some(&app.admin_token),
        Some(json!({"levels": [{"name": "初审", "user_ids": [o.first_id, legal_id]}]})),
        &[],
    )
    .await
    .expect(200, None);
    // A case received earlier is due earlier.
    let later = case(&app, &o, "2026-11-16", "王五").await;
    let sooner = case(&app, &o, "2026-10-26", "赵六").await;
    for c in [&later, &sooner] {
        let id = c.body["id"].as_i64().unwrap();
        let body = compliant(&app, &o, id, "2026-11-20").await;
        submit(&app, &o.clerk, id, &c.etag(), &body)
            .await
            .expect(200, None);
    }
    let q = app.get("/api/v1/reviews/queue", &o.first).await;
    let items = q.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["case_id"], sooner.body["id"]);
    assert!(items[0]["days_left"].as_i64() < items[1]["days_left"].as_i64());
    // Not a reviewer of the level: an empty queue.
    let q = app.get("/api/v1/reviews/queue", &o.sup).await;
    assert!(q.expect(200, None)["items"].as_array().unwrap().is_empty());
    // The supervisor's dashboard: the sooner case is due within 2 working days.
    let stuck = app.get("/api/v1/supervision/reviews", &o.sup).await;
    let stuck = stuck.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(stuck.len(), 1, "{stuck:?}");
    assert_eq!(stuck[0]["case_id"], sooner.body["id"]);
    app.get("/api/v1/supervision/reviews", &o.clerk)
        .await
        .expect(403, Some("forbidden"));
    // The reminder: once for the sooner case today; both after 3 working days' wait, and
    // never twice.
    let pending = |app: &TestApp| {
        let out = app.cli(&["notify", "--as-of", "2026-11-23"]).stdout;
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    let first = pending(&app);
    assert_eq!(first["scan"]["review_reminders"], 1, "{first}");
    let again = pending(&app);
    assert_eq!(again["scan"]["review_reminders"], 0, "{again}");
    let out = app.cli(&["notify", "--as-of", "2026-11-26"]).stdout;
    let later_scan: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(later_scan["scan"]["review_reminders"], 1, "{later_scan}");
    let mails = app.get("/api/v1/outbox", &app.admin_token).await;
    let reminders: Vec<Value> = mails.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "review_reminder")
        .cloned()
        .collect();
    assert_eq!(reminders.len(), 2);
    assert!(
        reminders
            .iter()
            .all(|m| m["recipient"] == "legal@example.gov.cn")
    );
}

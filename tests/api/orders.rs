//! Supervision orders (督办) through the HTTP API: the office issues an order about a case to
//! a department below it, the department answers, the office returns it and then closes it
//! (销号); the case shows the open order on its view and in the lists; only the office's
//! subtree can be ordered; an order past its due date is mailed once to the department's
//! supervisor and the office, however often and by however many instances the scan runs.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, USER_PASSWORD, spawn_app};

struct Tree {
    gov: i64,
    bureau: i64,
    centre: i64,
    other: i64,
    /// Supervisor of the city government's OGI office (the issuing office).
    office: String,
    /// Supervisor of the bureau (above the centre, below the office).
    bureau_sup: String,
    clerk: String,
    other_clerk: String,
}

async fn user(app: &TestApp, name: &str, role: &str, dept: i64, email: Option<&str>) -> String {
    app.post(
        "/api/v1/users",
        &app.admin_token,
        json!({"username": name, "display_name": name, "role": role, "email": email,
               "department_id": dept, "password": USER_PASSWORD}),
    )
    .await
    .expect(201, None);
    app.login(name, USER_PASSWORD).await
}

/// A city government (the office), a bureau under it, a centre under the bureau, and an
/// unrelated county government.
async fn tree(app: &TestApp) -> Tree {
    let (gov, bureau) = app.city_and_bureau().await;
    let centre = app
        .department("南宁市公路发展中心", "南公信复", Some(bureau), "450100")
        .await;
    let other = app
        .department("横州市人民政府", "横府信复", None, "450100")
        .await;
    Tree {
        gov,
        bureau,
        centre,
        other,
        office: user(
            app,
            "office_sup",
            "supervisor",
            gov,
            Some("office@nn.gov.cn"),
        )
        .await,
        bureau_sup: user(
            app,
            "bureau_sup",
            "supervisor",
            bureau,
            Some("bureau@nn.gov.cn"),
        )
        .await,
        clerk: user(
            app,
            "centre_clerk",
            "clerk",
            centre,
            Some("clerk@nn.gov.cn"),
        )
        .await,
        other_clerk: user(app, "other_clerk", "clerk", other, None).await,
    }
}

async fn case(app: &TestApp, token: &str, dept: i64) -> i64 {
    let r = app
        .post(
            "/api/v1/cases",
            token,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "赵六"},
                "channel": "in_person", "submitted_on": "2026-10-09", "received_on": "2026-10-09",
                "items": [{"description": "某路段改造工程的招标文件"}]
            }),
        )
        .await;
    r.expect(201, None)["id"].as_i64().unwrap()
}

async fn issue(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/orders", token, body).await
}

fn order_body(dept: i64, cases: &[i64]) -> Value {
    json!({
        "department_id": dept,
        "title": "逾期未答复的申请",
        "problem": "该申请已超过法定答复期限，请立即答复并说明逾期原因。",
        "responsible": "王主任",
        "working_days": 3,
        "case_ids": cases,
    })
}

async fn step(app: &TestApp, token: &str, id: i64, version: &str, body: Value) -> Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/orders/{id}/steps"),
        Some(token),
        Some(body),
        &[("If-Match", version)],
    )
    .await
}

async fn case_view(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/api/v1/cases/{id}"), token)
        .await
        .expect(200, None)
        .clone()
}

#[actix_web::test]
async fn the_office_issues_the_department_answers_and_the_office_returns_then_closes() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let case_id = case(&app, &t.clerk, t.centre).await;

    let r = issue(&app, &t.office, order_body(t.centre, &[case_id])).await;
    let o = r.expect(201, None).clone();
    let id = o["id"].as_i64().unwrap();
    assert_eq!(o["status"], "open");
    assert_eq!(o["office_department_id"], t.gov);
    // Issued on the test clock's Sunday 2026-11-22: Mon, Tue, Wed.
    assert_eq!(o["issued_on"], "2026-11-22");
    assert_eq!(o["due_on"], "2026-11-25");
    let steps = o["deadline"]["steps"].as_array().unwrap();
    assert!(
        steps[0]["effect"]
            .as_str()
            .unwrap()
            .contains("第3个工作日为2026-11-25")
    );
    assert!(steps[0]["article"].as_str().unwrap().contains("第四十七条"));
    assert_eq!(o["cases"][0]["case_id"], case_id);
    assert_eq!(
        o["cases"][0]["display_number"]
            .as_str()
            .unwrap()
            .split(' ')
            .next(),
        Some("南公信复")
    );
    assert_eq!(
        o["actions"],
        json!([]),
        "nothing to do until the department answers"
    );
    let v1 = r.etag();

    // The case shows the open order, on its view and in the lists.
    let v = case_view(&app, &t.clerk, case_id).await;
    assert_eq!(v["flags"]["under_order"], true);
    assert_eq!(v["orders"][0]["id"], id);
    assert_eq!(v["orders"][0]["due_on"], "2026-11-25");
    let list = app.get("/api/v1/cases", &t.clerk).await;
    let item = &list.expect(200, None)["items"][0];
    assert_eq!(
        (item["id"].as_i64(), &item["flags"]["under_order"]),
        (Some(case_id), &json!(true))
    );

    // The department sees it and may answer; the office may not answer, the clerk may not close.
    let seen = app.get(&format!("/api/v1/orders/{id}"), &t.clerk).await;
    assert_eq!(seen.expect(200, None)["actions"], json!(["answer"]));
    step(
        &app,
        &t.office,
        id,
        &v1,
        json!({"kind": "answer", "body": "已答复"}),
    )
    .await
    .expect(403, Some("addressee_only"));
    step(&app, &t.clerk, id, &v1, json!({"kind": "close"}))
        .await
        .expect(403, Some("office_only"));
    step(
        &app,
        &t.clerk,
        id,
        &v1,
        json!({"kind": "answer", "body": "  "}),
    )
    .await
    .expect(422, Some("validation_failed"));
    step(
        &app,
        &t.clerk,
        id,
        &v1,
        json!({"kind": "answer", "body": "x", "extra": 1}),
    )
    .await
    .expect(422, Some("invalid_body"));

    let r = step(
        &app,
        &t.clerk,
        id,
        &v1,
        json!({"kind": "answer", "body": "已于11月23日答复申请人。"}),
    )
    .await;
    let answered = r.expect(200, None).clone();
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["answered_on"], "2026-11-22");
    assert_eq!(answered["answered_in_time"], true);
    let v2 = r.etag();
    // A stale version is refused; so is a second answer.
    step(&app, &t.office, id, &v1, json!({"kind": "close"}))
        .await
        .expect(412, Some("stale_version"));
    step(
        &app,
        &t.clerk,
        id,
        &v2,
        json!({"kind": "answer", "body": "再次反馈"}),
    )
    .await
    .expect(409, Some("order_step_not_allowed"));
    // The bureau's supervisor sees the order (the centre is below it) but is not the office.
    let b = app
        .get(&format!("/api/v1/orders/{id}"), &t.bureau_sup)
        .await;
    assert_eq!(b.expect(200, None)["actions"], json!([]));
    step(&app, &t.bureau_sup, id, &v2, json!({"kind": "close"}))
        .await
        .expect(403, Some("office_only"));

    // Returned for more, answered again, closed.
    let r = step(
        &app,
        &t.office,
        id,
        &v2,
        json!({"kind": "return", "body": "请附答复书扫描件。"}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "returned");
    let r = step(
        &app,
        &t.clerk,
        id,
        &r.etag(),
        json!({"kind": "answer", "body": "已补充答复书扫描件。"}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "answered");
    let r = step(
        &app,
        &t.office,
        id,
        &r.etag(),
        json!({"kind": "close", "body": "整改到位，同意销号。"}),
    )
    .await;
    let closed = r.expect(200, None).clone();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closed_on"], "2026-11-22");
    let kinds: Vec<&str> = closed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["answer", "return", "answer", "close"]);
    assert_eq!(closed["steps"][1]["recorded_by_name"], "office_sup");
    step(&app, &t.office, id, &r.etag(), json!({"kind": "close"}))
        .await
        .expect(409, Some("order_step_not_allowed"));

    // Closed: the case no longer shows it.
    let v = case_view(&app, &t.clerk, case_id).await;
    assert_eq!(v["flags"]["under_order"], false);
    assert_eq!(v["orders"], json!([]));

    // Lists: by status, per caller's scope.
    let all = app.get("/api/v1/orders", &t.office).await;
    assert_eq!(all.expect(200, None)["items"].as_array().unwrap().len(), 1);
    let open = app
        .get("/api/v1/orders?status=open,returned", &t.clerk)
        .await;
    assert_eq!(open.expect(200, None)["items"], json!([]));
    app.get("/api/v1/orders?status=lost", &t.clerk)
        .await
        .expect(422, Some("validation_failed"));
    let none = app.get("/api/v1/orders", &t.other_clerk).await;
    assert_eq!(none.expect(200, None)["items"], json!([]));
    app.get(&format!("/api/v1/orders/{id}"), &t.other_clerk)
        .await
        .expect(404, Some("not_found"));

    // Every step is in the audit trail, and the trail holds.
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn only_departments_below_the_office_can_be_ordered() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let own_case = case(&app, &t.clerk, t.centre).await;
    let other_case = case(&app, &t.other_clerk, t.other).await;

    // Outside the subtree: a government elsewhere, the office's parent, the office itself.
    for dept in [t.other, t.gov] {
        issue(&app, &t.bureau_sup, order_body(dept, &[]))
            .await
            .expect(403, Some("outside_subtree"));
    }
    issue(&app, &t.office, order_body(t.other, &[]))
        .await
        .expect(403, Some("outside_subtree"));
    issue(&app, &t.office, order_body(t.gov, &[]))
        .await
        .expect(403, Some("outside_subtree"));
    issue(&app, &t.office, order_body(999_999, &[]))
        .await
        .expect(404, Some("not_found"));
    // Only a supervisor issues.
    issue(&app, &t.clerk, order_body(t.centre, &[]))
        .await
        .expect(403, Some("office_only"));
    issue(&app, &app.admin_token, order_body(t.centre, &[]))
        .await
        .expect(403, Some("office_only"));
    // The cases must be the department's.
    let r = issue(
        &app,
        &t.office,
        order_body(t.centre, &[own_case, other_case]),
    )
    .await;
    assert!(r.expect(422, Some("validation_failed"))["fields"]["case_ids"].is_string());
    let mut bad = order_body(t.centre, &[]);
    bad["working_days"] = json!(0);
    bad["responsible"] = json!("");
    let r = issue(&app, &t.office, bad).await;
    let fields = &r.expect(422, Some("validation_failed"))["fields"];
    assert!(fields["working_days"].is_string() && fields["responsible"].is_string());
    // Nothing was written by the refusals.
    let list = app.get("/api/v1/orders", &t.office).await;
    assert_eq!(list.expect(200, None)["items"], json!([]));

    // A problem in words, two levels down, and the bureau ordering the centre: both fine.
    issue(&app, &t.office, order_body(t.centre, &[]))
        .await
        .expect(201, None);
    let r = issue(&app, &t.bureau_sup, order_body(t.centre, &[own_case])).await;
    assert_eq!(r.expect(201, None)["office_department_id"], t.bureau);
}

fn notify(app: &TestApp, as_of: &str) -> std::process::Command {
    app.cli_command(&["notify", "--as-of", as_of], &[])
}

fn scan(app: &TestApp, as_of: &str) -> Value {
    let out = notify(app, as_of).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The escalation mails queued so far: (kind, recipient, subject).
async fn escalations(app: &TestApp) -> Vec<(String, String, String)> {
    let r = app.get("/api/v1/outbox", &app.admin_token).await;
    let mut out: Vec<(String, String, String)> = r.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"].as_str().unwrap().starts_with("order_overdue_"))
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["recipient"].as_str().unwrap().to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[actix_web::test]
async fn an_order_past_its_due_date_is_mailed_once_to_the_supervisor_and_the_office() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let late = issue(&app, &t.office, order_body(t.centre, &[])).await;
    let late_id = late.expect(201, None)["id"].as_i64().unwrap();
    // A second order, answered in time: never escalated.
    let r = issue(&app, &t.office, order_body(t.centre, &[])).await;
    let answered_id = r.expect(201, None)["id"].as_i64().unwrap();
    step(
        &app,
        &t.clerk,
        answered_id,
        &r.etag(),
        json!({"kind": "answer", "body": "已整改"}),
    )
    .await
    .expect(200, None);

    // On the due date nothing is overdue.
    assert_eq!(scan(&app, "2026-11-25")["scan"]["orders_overdue"], 0);
    assert!(escalations(&app).await.is_empty());

    // The day after, two instances scan at once: one mail per recipient in all.
    let quiet = |mut cmd: std::process::Command| {
        cmd.stdout(std::process::Stdio::null());
        cmd.spawn().unwrap()
    };
    let mut a = quiet(notify(&app, "2026-11-26"));
    let mut b = quiet(notify(&app, "2026-11-26"));
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    // Later scans add nothing.
    assert_eq!(scan(&app, "2026-11-26")["scan"]["orders_overdue"], 0);
    assert_eq!(scan(&app, "2026-11-27")["scan"]["orders_overdue"], 0);

    let mails = escalations(&app).await;
    let kind = format!("order_overdue_{late_id}");
    // The centre has no supervisor: the nearest above it (the bureau's), and the office.
    let who: Vec<(&str, &str)> = mails
        .iter()
        .map(|(k, r, _)| (k.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            (kind.as_str(), "bureau@nn.gov.cn"),
            (kind.as_str(), "office@nn.gov.cn")
        ]
    );
    assert!(mails[0].2.contains("南宁市公路发展中心未按期反馈督办事项"));

    // Seen from a day after the due date (another instance with a later clock), the list
    // flags it overdue and the answered one not.
    let later = app.another_instance(|s| s.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26));
    let r = app
        .client
        .get(format!("{later}/api/v1/orders?overdue=true"))
        .bearer_auth(&t.office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["id"].as_i64(), &items[0]["overdue"]),
        (Some(late_id), &json!(true))
    );
}

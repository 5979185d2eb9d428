//! 督办 through the HTTP API: the overview of a three-level subtree finds an overdue case two
//! levels down; an extension request waits in the approvals list; a refusal keeps the period
//! and mails the clerk; a second request is granted. Clerks cannot decide.

use chrono::{Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, USER_PASSWORD, spawn_app};

async fn case(app: &TestApp, token: &str, dept: i64, received: &str) -> Resp {
    let r = app
        .post(
            "/api/v1/cases",
            token,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "赵六"},
                "channel": "in_person", "submitted_on": received, "received_on": received,
                "items": [{"description": "某路段改造工程的招标文件"}]
            }),
        )
        .await;
    r.expect(201, None);
    r
}

async fn event(app: &TestApp, token: &str, id: i64, version: &str, body: Value) -> Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(token),
        Some(body),
        &[("If-Match", version)],
    )
    .await
}

#[actix_web::test]
async fn a_supervisor_sees_the_subtree_and_decides_extensions() {
    let app = spawn_app().await;
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let bureau = app
        .department("南宁市交通运输局", "南交信复", Some(gov), "450100")
        .await;
    let office = app
        .department("南宁市公路发展中心", "南公信复", Some(bureau), "450100")
        .await;
    let (_, sup) = app.user("sup_gov", "supervisor", Some(gov)).await;
    let clerk_r = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": "clerk_office", "display_name": "钱七", "role": "clerk",
                   "department_id": office, "email": "qian@example.gov.cn", "password": USER_PASSWORD}),
        )
        .await;
    clerk_r.expect(201, None);
    let clerk = app.login("clerk_office", USER_PASSWORD).await;

    // Overdue: received two months ago, two levels below the supervisor.
    // The test clock's today (helpers::test_settings).
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let old = (today - Duration::days(60)).to_string();
    let late = case(&app, &clerk, office, &old).await;
    let late_id = late.body["id"].as_i64().unwrap();
    // In time: received yesterday.
    let fresh = case(
        &app,
        &clerk,
        office,
        &(today - Duration::days(1)).to_string(),
    )
    .await;
    let fresh_id = fresh.body["id"].as_i64().unwrap();

    let o = app.get("/api/v1/supervision/overview", &sup).await;
    let o = o.expect(200, None);
    let rows = o["departments"].as_array().unwrap();
    let names: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["department"].as_str().unwrap(),
                r["depth"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("南宁市人民政府", 0),
            ("南宁市交通运输局", 1),
            ("南宁市公路发展中心", 2)
        ]
    );
    let leaf = &rows[2];
    assert_eq!(leaf["open"], 2);
    assert_eq!(leaf["overdue"], 1);
    assert_eq!(leaf["oldest_overdue"]["case_id"], late_id);
    assert!(leaf["oldest_overdue"]["working_days"].as_i64().unwrap() > 10);
    assert_eq!(o["totals"]["overdue"], 1);
    assert_eq!(o["totals"]["open"], 2);
    // The overview of the bureau alone leaves the government out.
    let sub = app
        .get(
            &format!("/api/v1/supervision/overview?department_id={bureau}"),
            &sup,
        )
        .await;
    assert_eq!(
        sub.expect(200, None)["departments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The clerk asks for more time; the request waits for the office head.
    let day = today.to_string();
    let r = event(&app, &clerk, fresh_id, &fresh.etag(), json!({"type": "extension_requested", "date": day, "working_days": 15, "reason": "需调取档案"})).await;
    r.expect(201, None);
    let waiting = app.get("/api/v1/supervision/approvals", &sup).await;
    let items = waiting.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["case_id"], fresh_id);
    assert_eq!(items[0]["working_days"], 15);
    assert_eq!(items[0]["reason"], "需调取档案");
    let version = format!("\"{}\"", items[0]["version"]);
    let due_before = r.body["due_on"].clone();

    // A clerk cannot decide; a refusal needs a reason.
    let denied = event(
        &app,
        &clerk,
        fresh_id,
        &version,
        json!({"type": "extension_refused", "date": day, "reason": "不需要"}),
    )
    .await;
    denied.expect(403, Some("approval_required"));
    let blank = event(
        &app,
        &sup,
        fresh_id,
        &version,
        json!({"type": "extension_refused", "date": day, "reason": " "}),
    )
    .await;
    assert_eq!(blank.status.as_u16(), 422, "{}", blank.body);

    // Refused: the period stands, the list empties, the clerk is mailed why.
    let refused = event(&app, &sup, fresh_id, &version, json!({"type": "extension_refused", "date": day, "reason": "材料已齐备，应按期答复", "refused_by": 999})).await;
    refused.expect(201, None);
    assert_eq!(refused.body["due_on"], due_before);
    let waiting = app.get("/api/v1/supervision/approvals", &sup).await;
    assert!(
        waiting.expect(200, None)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let outbox = app.get("/api/v1/outbox", &app.admin_token).await;
    let mails: Vec<Value> = outbox.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "extension_refused")
        .cloned()
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["recipient"], "qian@example.gov.cn");
    // The trail names the supervisor, whatever the client claimed.
    let history = app
        .get(&format!("/api/v1/cases/{fresh_id}/history"), &sup)
        .await;
    let text = history.expect(200, None).to_string();
    assert!(text.contains("extension_refused"), "{text}");
    assert!(!text.contains("\"refused_by\":999"), "{text}");
    // Nothing left to refuse.
    let again = event(
        &app,
        &sup,
        fresh_id,
        &refused.etag(),
        json!({"type": "extension_refused", "date": day, "reason": "重复"}),
    )
    .await;
    again.expect(409, Some("no_extension_requested"));

    // A second request, granted: the due date moves.
    let r = event(&app, &clerk, fresh_id, &refused.etag(), json!({"type": "extension_requested", "date": day, "working_days": 10, "reason": "涉及第三方"})).await;
    r.expect(201, None);
    let sup_id = app.get("/api/v1/me", &sup).await.body["id"]
        .as_i64()
        .unwrap();
    let granted = event(&app, &sup, fresh_id, &r.etag(), json!({"type": "extension_granted", "date": day, "approved_by": sup_id, "notified_on": day, "working_days": 10, "reason": "涉及第三方"})).await;
    granted.expect(201, None);
    assert_ne!(granted.body["due_on"], due_before);
}

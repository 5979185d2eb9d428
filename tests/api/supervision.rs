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
    let (gov, bureau, office) = three_levels(&app).await;
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

/// Today on the test clock (`helpers::test_settings`).
const TODAY: &str = "2026-11-22";

#[actix_web::test]
async fn overdue_cases_say_what_they_wait_on() {
    let app = spawn_app().await;
    let dept = app
        .department("南宁市交通运输局", "南交信复", None, "450100")
        .await;
    let (_, clerk) = app.user("clerk_bureau", "clerk", Some(dept)).await;
    // Five cases received on 2026-09-01, all past their due dates by today.
    let mut ids = Vec::new();
    let later: [Option<Value>; 5] = [
        None,
        Some(
            json!({"type": "extension_requested", "date": "2026-09-10", "working_days": 15, "reason": "需调取档案"}),
        ),
        // A 补正 notice after day 7 leaves the clock running (Art. 30).
        Some(
            json!({"type": "correction_requested", "date": "2026-10-20", "items": ["请说明所需信息的名称"], "respond_by": "2026-12-31"}),
        ),
        // Consultations stop pausing the clock after 15 working days (Arts 32, 34).
        Some(
            json!({"type": "consultation_started", "date": "2026-09-03", "party": "third_party", "consulted": "某建设公司"}),
        ),
        Some(
            json!({"type": "consultation_started", "date": "2026-09-03", "party": "agency", "consulted": "市自然资源局"}),
        ),
    ];
    for then in later {
        let c = case(&app, &clerk, dept, "2026-09-01").await;
        let id = c.body["id"].as_i64().unwrap();
        if let Some(body) = then {
            event(&app, &clerk, id, &c.etag(), body)
                .await
                .expect(201, None);
        }
        ids.push(id);
    }
    let r = app.get("/api/v1/reports/overdue", &clerk).await;
    let items = r.expect(200, None)["items"].as_array().unwrap().clone();
    let waits: Vec<(&str, &str)> = ids
        .iter()
        .map(|id| {
            let line = items
                .iter()
                .find(|i| i["case_id"] == *id)
                .unwrap_or_else(|| panic!("case {id} not overdue: {items:?}"));
            (
                line["waits_on"].as_str().unwrap(),
                line["waits_on_label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        waits,
        [
            ("reply", "待答复"),
            ("approval", "待审批延期"),
            ("correction", "待补正"),
            ("third_party", "征求第三方意见"),
            ("agency", "征求其他机关意见"),
        ]
    );
    // The overdue page says the same.
    let page = crate::audit_pages::Browser::login(&app, "clerk_bureau").await;
    let (status, html, _) = page.get("/supervision/overdue").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<th>等待事项</th>") && html.contains("<td class=\"waits\">待审批延期</td>")
    );
}

/// A city government, a bureau under it and an office under the bureau.
async fn three_levels(app: &TestApp) -> (i64, i64, i64) {
    let (gov, bureau) = app.city_and_bureau().await;
    let office = app
        .department("南宁市公路发展中心", "南公信复", Some(bureau), "450100")
        .await;
    (gov, bureau, office)
}

/// The page a supervisor sees and the forms on it.
fn has_form(html: &str, event: &str) -> bool {
    html.contains(&format!("id=\"act-{event}\""))
}

#[actix_web::test]
async fn a_supervisor_above_oversees_a_case_and_handles_only_its_own() {
    let app = spawn_app().await;
    let (gov, _, office) = three_levels(&app).await;
    let (sup_id, sup) = app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, own_sup) = app.user("sup_office", "supervisor", Some(office)).await;
    let (_, clerk) = app.user("clerk_office", "clerk", Some(office)).await;
    let c = case(&app, &clerk, office, "2026-11-02").await;
    let id = c.body["id"].as_i64().unwrap();
    let asked = event(&app, &clerk, id, &c.etag(), json!({"type": "extension_requested", "date": "2026-11-20", "working_days": 15, "reason": "需调取2019年以前的档案"})).await;
    asked.expect(201, None);
    let v = asked.etag();

    // Two levels down, the supervisor oversees: the handler's work is refused, whoever asks.
    let refused = event(&app, &sup, id, &v, json!({"type": "correction_requested", "date": TODAY, "items": ["请说明用途"], "respond_by": "2026-12-31"})).await;
    refused.expect(403, Some("oversight_only"));
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("监督人员")
    );
    app.patch(
        &format!("/api/v1/cases/{id}"),
        &sup,
        &v,
        json!({"applicant": {"name": "赵陆"}}),
    )
    .await
    .expect(403, Some("oversight_only"));
    let draft = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed"),
            &clerk,
        )
        .await;
    let mut reply = draft.expect(200, None)["reply"].clone();
    reply["doc_number"] = json!("auto");
    reply["delivery_method"] = json!("post");
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/reply"),
        Some(&sup),
        Some(reply),
        &[("If-Match", &v)],
    )
    .await
    .expect(403, Some("oversight_only"));

    // The case page shows it all, read-only, with the oversight forms only.
    let page = crate::audit_pages::Browser::login(&app, "sup_gov").await;
    let (status, html, _) = page.get(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"oversight\"") && html.contains("督办事项"));
    for form in [
        "extension_granted",
        "extension_refused",
        "assigned",
        "custom_due_date",
    ] {
        assert!(has_form(&html, form), "{form} missing");
    }
    for form in ["correction_requested", "consultation_started", "withdrawn"] {
        assert!(!has_form(&html, form), "{form} offered");
    }
    assert!(!html.contains("reply-outcome") && !html.contains("/attachments\""));
    assert!(html.contains("id=\"extension-request\"") && html.contains("需调取2019年以前的档案"));
    assert!(html.contains("id=\"extension_granted-days\" name=\"working_days\" value=\"15\""));
    assert!(html.contains("等待事项：<b>待审批延期</b>"), "{html}");
    for form in ["reply", "notices/extension"] {
        let (status, html, _) = page.get(&format!("/cases/{id}/{form}")).await;
        assert_eq!(status, 403, "{form}");
        assert!(html.contains("监督人员"), "{form}");
    }
    let version = v.trim_matches('"');
    let (status, _, html) = page
        .post(
            &format!("/cases/{id}/events"),
            &[("version", version), ("type", "withdrawn"), ("date", TODAY)],
        )
        .await;
    assert_eq!(status, 403);
    assert!(html.contains("监督人员"), "{html}");
    let (_, desk, _) = page.get("/").await;
    assert!(desk.contains(&format!("<a href=\"/cases/{id}\">查看</a>")));
    assert!(!desk.contains(&format!("/cases/{id}/reply")));

    // The supervisor of the case's own department handles it like its clerks.
    let own = event(&app, &own_sup, id, &v, json!({"type": "consultation_started", "date": TODAY, "party": "third_party", "consulted": "某建设公司"})).await;
    own.expect(201, None);

    // The approval, from the case page; then the supervisor takes the case over.
    let version = own.etag().trim_matches('"').to_owned();
    let (status, location, _) = page
        .post(
            &format!("/cases/{id}/events"),
            &[
                ("version", &version),
                ("type", "extension_granted"),
                ("date", TODAY),
                ("notified_on", TODAY),
                ("working_days", "15"),
                ("reason", "需调取2019年以前的档案"),
            ],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_str()),
        (303, format!("/cases/{id}?done=extension_granted").as_str())
    );
    let now = app.get(&format!("/api/v1/cases/{id}"), &sup).await;
    assert_eq!(now.body["flags"]["awaiting_approval"], false);
    let took = event(
        &app,
        &sup,
        id,
        &now.etag(),
        json!({"type": "assigned", "date": TODAY, "user_id": sup_id}),
    )
    .await;
    took.expect(201, None);
    let consultation = took.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "consultation_started")
        .unwrap()["id"]
        .clone();
    event(
        &app,
        &sup,
        id,
        &took.etag(),
        json!({"type": "consultation_ended", "date": TODAY, "consultation": consultation}),
    )
    .await
    .expect(201, None);
    let (_, html, _) = page.get(&format!("/cases/{id}")).await;
    assert!(!html.contains("id=\"oversight\"") && has_form(&html, "withdrawn"));
}

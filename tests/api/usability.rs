//! Issue 13, points 21–23: intake without naming the clerk's own department, the staff a
//! department's cases may go to, the supervisors' approval queue, intake corrections,
//! case numbers that name their department, and mail to the public.

use reqwest::Method;
use serde_json::{Value, json};

use crate::cases::{create, event, intake, office};
use crate::helpers::{Resp, TestApp, spawn_app};

async fn queue(app: &TestApp, token: &str) -> Vec<i64> {
    let r = app.get("/api/v1/cases?awaiting_approval=true", token).await;
    r.expect(200, None);
    r.item_ids()
}

fn without_department(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("department_id");
    body
}

async fn patch_case(app: &TestApp, token: &str, case: &Resp, body: Value) -> Resp {
    let id = case.body["id"].as_i64().unwrap();
    app.patch(&format!("/api/v1/cases/{id}"), token, &case.etag(), body)
        .await
}

#[actix_web::test]
async fn a_clerk_registers_for_the_own_department_without_naming_it() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let body = without_department(intake(o.dept, "in_person", "2024-09-27", None));

    let r = create(&app, &o.clerk, body.clone()).await;
    assert_eq!(r.expect(201, None)["department_id"], o.dept);

    // Supervisors and administrators act for several departments: they must name one.
    for token in [&o.sup, &app.admin_token] {
        let r = create(&app, token, body.clone()).await;
        let e = r.expect(422, Some("validation_failed"));
        assert!(e["fields"]["department_id"].is_string(), "{e}");
    }
    // In a batch the field is named with its position.
    let r = app
        .post("/api/v1/cases/batch", &o.sup, json!({"cases": [body]}))
        .await;
    let e = r.expect(422, Some("validation_failed"));
    assert!(e["fields"]["cases[0].department_id"].is_string(), "{e}");
}

#[actix_web::test]
async fn department_staff_lists_who_may_be_assigned() {
    let app = spawn_app().await;
    let top = office(&app, "南宁市", "450100").await;
    let child = app
        .department("南宁市交通运输局", "南交", Some(top.dept), "450100")
        .await;
    let (child_clerk_id, child_clerk) = app.user("child_clerk", "clerk", Some(child)).await;
    let (gone, _) = app.user("gone_clerk", "clerk", Some(child)).await;
    let v = app.get("/api/v1/users", &app.admin_token).await;
    let version = v.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == gone)
        .unwrap()["version"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/users/{gone}"),
        &app.admin_token,
        &format!("\"{version}\""),
        json!({"active": false}),
    )
    .await
    .expect(200, None);
    let (_, auditor) = app.user("auditor", "auditor", None).await;

    let staff = |r: &Resp| -> Vec<(i64, String)> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                assert!(u["display_name"].is_string());
                (
                    u["id"].as_i64().unwrap(),
                    u["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // The department's own active clerks and the supervisors above it, not the clerks above.
    for token in [&child_clerk, &top.sup] {
        let r = app
            .get(&format!("/api/v1/departments/{child}/staff"), token)
            .await;
        r.expect(200, None);
        let mut got = staff(&r);
        got.sort();
        assert_eq!(
            got,
            vec![
                (top.sup_id, "supervisor".to_owned()),
                (child_clerk_id, "clerk".to_owned())
            ]
        );
    }
    // Outside the caller's scope: not found; auditors see no organisation data.
    app.get(
        &format!("/api/v1/departments/{}/staff", top.dept),
        &child_clerk,
    )
    .await
    .expect(404, Some("not_found"));
    app.get("/api/v1/departments/999999/staff", &app.admin_token)
        .await
        .expect(404, Some("not_found"));
    app.get(&format!("/api/v1/departments/{child}/staff"), &auditor)
        .await
        .expect(403, Some("forbidden"));
}

#[actix_web::test]
async fn awaiting_approval_lists_extension_requests_until_granted() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let waiting = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let other = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    other.expect(201, None);
    let requested = event(&app, &o.clerk, &waiting, json!({"type": "extension_requested", "date": "2024-10-24", "working_days": 20, "reason": "需调取档案"})).await;
    requested.expect(201, None);
    assert_eq!(requested.body["flags"]["awaiting_approval"], true);

    assert_eq!(
        queue(&app, &o.sup).await,
        vec![waiting.body["id"].as_i64().unwrap()]
    );
    let all = app
        .get("/api/v1/cases?awaiting_approval=false", &o.sup)
        .await;
    assert_eq!(all.expect(200, None)["items"].as_array().unwrap().len(), 2);

    event(&app, &o.sup, &requested, json!({"type": "extension_granted", "date": "2024-10-25", "approved_by": o.sup_id, "notified_on": "2024-10-25", "working_days": 20, "reason": "需调取档案"}))
        .await
        .expect(201, None);
    assert!(queue(&app, &o.sup).await.is_empty());
    app.get("/api/v1/cases?awaiting_approval=yes", &o.sup)
        .await
        .expect(400, Some("invalid_query"));
}

#[actix_web::test]
async fn intake_corrections_are_versioned_audited_and_move_dates_only_with_receipt_facts() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let case = create(
        &app,
        &o.clerk,
        intake(o.dept, "registered_mail", "2024-09-25", Some("2024-09-27")),
    )
    .await;
    case.expect(201, None);
    let due = case.body["due_on"].clone();
    let id = case.body["id"].as_i64().unwrap();

    // Without If-Match: 428; with an old version: 412.
    app.request(
        Method::PATCH,
        &format!("/api/v1/cases/{id}"),
        Some(&o.clerk),
        Some(json!({"purpose": "科研"})),
        &[],
    )
    .await
    .expect(428, None);

    let r = patch_case(&app, &o.clerk, &case, json!({"applicant": {"name": "张叁", "phone": "13800000000"}, "items": [{"description": "更正后的事项"}], "tracking_number": "XA123"})).await;
    let v = r.expect(200, None).clone();
    assert_eq!(v["applicant"]["name"], "张叁");
    assert_eq!(v["applicant"]["id_number"], "450100199001011234");
    assert_eq!(v["items"], json!(["更正后的事项"]));
    assert_eq!(v["due_on"], due, "names and items do not move the due date");
    assert_eq!(v["version"], case.body["version"].as_i64().unwrap() + 1);
    patch_case(&app, &o.clerk, &case, json!({"purpose": "科研"}))
        .await
        .expect(412, None);

    // A later receipt date moves the due date.
    let r = patch_case(&app, &o.clerk, &r, json!({"received_on": "2024-09-30"})).await;
    let v2 = r.expect(200, None).clone();
    assert_eq!(v2["received_on"], "2024-09-30");
    assert_ne!(v2["due_on"], due);

    // Validation names the field; a correction that changes nothing is refused.
    patch_case(&app, &o.clerk, &r, json!({"channel": "pigeon"}))
        .await
        .expect(422, Some("validation_failed"));
    patch_case(&app, &o.clerk, &r, json!({"tracking_number": "XA123"}))
        .await
        .expect(422, Some("nothing_to_correct"));

    let trail = app
        .get(&format!("/api/v1/cases/{id}/history"), &o.clerk)
        .await;
    let items = trail.expect(200, None)["items"].as_array().unwrap().clone();
    let corrected: Vec<&Value> = items
        .iter()
        .filter(|a| a["action"] == "intake_corrected")
        .collect();
    assert_eq!(corrected.len(), 2, "{items:?}");
    let text = corrected[0].to_string();
    assert!(
        text.contains("张三") && text.contains("张叁") && text.contains("XA123"),
        "{text}"
    );
    assert!(corrected[1].to_string().contains("2024-09-30"));
}

#[actix_web::test]
async fn case_numbers_name_their_department_in_views_lists_and_reports() {
    let app = spawn_app().await;
    let a = office(&app, "南交信复", "450100").await;
    let b = app
        .department("南宁市公安局", "南公", Some(a.dept), "450100")
        .await;
    let r1 = create(
        &app,
        &a.sup,
        intake(a.dept, "in_person", "2024-09-02", None),
    )
    .await;
    let r2 = create(&app, &a.sup, intake(b, "in_person", "2024-09-02", None)).await;
    assert_eq!(r1.body["case_number"], r2.body["case_number"]);
    let n = r1.body["case_number"].as_str().unwrap().to_owned();
    assert_eq!(r1.body["display_number"], format!("南交信复 {n}"));
    assert_eq!(r2.body["display_number"], format!("南公 {n}"));

    let list = app.get("/api/v1/cases", &a.sup).await;
    let mut shown: Vec<String> = list.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_number"].as_str().unwrap().to_owned())
        .collect();
    shown.sort();
    assert_eq!(shown, vec![format!("南交信复 {n}"), format!("南公 {n}")]);

    let report = app
        .get("/api/v1/reports/overdue?as_of=2024-11-20", &a.sup)
        .await;
    let lines = report.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .any(|l| l["display_number"] == format!("南公 {n}"))
    );
    let csv = app
        .request(
            Method::GET,
            "/api/v1/reports/overdue?as_of=2024-11-20&format=csv",
            Some(&a.sup),
            None,
            &[],
        )
        .await;
    let text = csv.body.as_str().unwrap().to_owned();
    assert!(
        text.contains(&format!("南公 {n}")) && text.contains(&format!("南交信复 {n}")),
        "{text}"
    );
}

#[actix_web::test]
async fn mail_to_the_public_is_held_without_the_departments_address_and_phone() {
    let app = spawn_app().await;
    // `office` creates departments without address or phone.
    let o = office(&app, "南交信复", "450100").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let v = r.expect(201, None);
    assert_eq!(v["flags"]["public_mail_held"], true);
    let why = v["public_mail_held"].as_str().unwrap();
    assert!(why.contains("地址") && why.contains("电话"), "{why}");
    let outbox = app.get("/api/v1/outbox", &app.admin_token).await;
    assert!(
        outbox.expect(200, None)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // With both registered, the next mail goes out, without a link into the API.
    let d = app
        .get(&format!("/api/v1/departments/{}", o.dept), &app.admin_token)
        .await;
    app.patch(
        &format!("/api/v1/departments/{}", o.dept),
        &app.admin_token,
        &d.etag(),
        json!({"address": "南宁市民族大道1号", "phone": "0771-1234567"}),
    )
    .await
    .expect(200, None);
    let id = v["id"].as_i64().unwrap();
    let view = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    assert_eq!(view.expect(200, None)["flags"]["public_mail_held"], false);
    assert!(view.body.get("public_mail_held").is_none());
    event(&app, &o.clerk, &view, json!({"type": "correction_requested", "date": "2024-09-30", "items": ["身份证明"], "respond_by": "2024-10-15"}))
        .await
        .expect(201, None);
    let outbox = app.get("/api/v1/outbox", &app.admin_token).await;
    let items = outbox.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(!items[0].to_string().contains("/api/v1/"), "{:?}", items[0]);
}

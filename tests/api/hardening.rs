//! Hostile input and API usability: login throttling, limits on every field, response
//! headers, files and logs, passwords, field-named parse errors, intake corrections.

use reqwest::Method;
use serde_json::json;

use crate::cases::{create, event, intake, office};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn responses_carry_the_hardening_headers() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let me = app.get("/api/v1/me", &t).await;
    me.expect(200, None);
    assert_eq!(me.headers["x-content-type-options"], "nosniff");
    assert_eq!(me.headers["cache-control"], "no-store");
    let live = app.get("/health/live", &t).await;
    assert_eq!(live.headers["x-content-type-options"], "nosniff");
    assert!(live.headers.get("cache-control").is_none());

    let wrong = app
        .request(Method::DELETE, "/api/v1/me", Some(&t), None, &[])
        .await;
    wrong.expect(405, Some("method_not_allowed"));
    assert_eq!(wrong.headers["allow"], "GET");
    let depts = app
        .request(Method::PUT, "/api/v1/departments/1", Some(&t), None, &[])
        .await;
    assert_eq!(depts.headers["allow"], "GET, PATCH");

    // An HTML page (the annual report) may not be framed or run foreign content.
    let html = app
        .get("/api/v1/reports/annual?year=2025&format=html", &t)
        .await;
    if html.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html")
    {
        let csp = html.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(html.headers["x-frame-options"], "DENY");
    }

    let big = "x".repeat(40 * 1024);
    let r = app
        .request(
            Method::GET,
            "/api/v1/me",
            Some(&t),
            None,
            &[("x-filler", &big)],
        )
        .await;
    r.expect(431, Some("headers_too_large"));

    let huge = json!({"name": "y".repeat(300 * 1024)});
    app.post("/api/v1/departments", &t, huge)
        .await
        .expect(413, Some("body_too_large"));
}

#[actix_web::test]
async fn parse_errors_name_the_field_in_chinese() {
    let app = spawn_app().await;
    let o = office(&app, "桂字段", "450100").await;

    let missing = create(&app, &o.clerk, json!({"department_id": o.dept})).await;
    let body = missing.expect(422, Some("invalid_body"));
    let fields = body["fields"].as_object().unwrap();
    let (field, message) = fields.iter().next().unwrap();
    assert!(!field.is_empty() && field != "body", "{body}");
    assert!(message.as_str().unwrap().contains("缺少"), "{body}");

    let mut bad_item = intake(o.dept, "in_person", "2026-11-20", None);
    bad_item["items"] = json!([{"description": "甲"}, {"descripton": "乙"}]);
    let r = create(&app, &o.clerk, bad_item).await;
    let body = r.expect(422, Some("invalid_body"));
    assert!(
        body["fields"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("items[1]")),
        "{body}"
    );
    assert!(
        !body["message"].as_str().unwrap().contains("expected"),
        "{body}"
    );

    let case = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-20", None),
    )
    .await;
    case.expect(201, None);
    let r = event(
        &app,
        &o.clerk,
        &case,
        json!({"type": "fee_notice_issued", "date": "2026-11-21", "amount_fen": "many"}),
    )
    .await;
    let body = r.expect(422, Some("invalid_body"));
    assert_eq!(
        body["fields"]["amount_fen"], "类型不正确，应为整数",
        "{body}"
    );

    let q = app
        .get(
            "/api/v1/calendar/add-working-days?from=2026-13-01&days=2",
            &o.clerk,
        )
        .await;
    let body = q.expect(400, Some("invalid_query"));
    assert!(body["fields"]["from"].as_str().is_some(), "{body}");

    let p = app.get("/api/v1/cases/abc", &o.clerk).await;
    let body = p.expect(404, Some("not_found"));
    assert!(body["fields"]["id"].as_str().is_some(), "{body}");
}

#[actix_web::test]
async fn every_free_text_count_and_amount_is_bounded() {
    let app = spawn_app().await;
    let o = office(&app, "桂限长", "450100").await;
    let case = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-20", None),
    )
    .await;
    case.expect(201, None);

    let huge_reason = "理".repeat(600_000);
    let r = event(&app, &o.clerk, &case, json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 20, "reason": huge_reason})).await;
    r.expect(413, Some("body_too_large"));
    let long_reason = "理".repeat(50_000);
    let r = event(&app, &o.clerk, &case, json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 20, "reason": long_reason})).await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["reason"].is_string(), "{body}");

    let items: Vec<String> = (0..2000).map(|i| format!("材料{i}")).collect();
    let r = event(&app, &o.clerk, &case, json!({"type": "correction_requested", "date": "2026-11-21", "items": items, "respond_by": "2026-12-10"})).await;
    r.expect(422, Some("validation_failed"));

    let r = event(
        &app,
        &o.clerk,
        &case,
        json!({"type": "fee_notice_issued", "date": "2026-11-21", "amount_fen": i64::MAX}),
    )
    .await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["amount_fen"].is_string(), "{body}");

    let r = event(&app, &o.clerk, &case, json!({"type": "consultation_started", "date": "2026-11-21", "party": "agency", "consulted": "某局\u{202E}txt.exe"})).await;
    r.expect(422, Some("validation_failed"));

    for name in ["\u{200B}\u{200B}", "张\u{0}三", "张三\n李四", "\u{1b}[2J"] {
        let mut body = intake(o.dept, "in_person", "2026-11-20", None);
        body["applicant"]["name"] = json!(name);
        let r = create(&app, &o.clerk, body).await;
        let b = r.expect(422, Some("validation_failed"));
        assert!(b["fields"]["applicant.name"].is_string(), "{name:?}: {b}");
    }
    let mut body = intake(o.dept, "in_person", "2026-11-20", None);
    body["applicant"]["email"] = json!("a@b.cn\r\nBcc: victim@example.cn");
    create(&app, &o.clerk, body)
        .await
        .expect(422, Some("validation_failed"));

    // Multi-line text stays allowed where it belongs.
    let r = event(&app, &o.clerk, &case, json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 20, "reason": "需调取档案；\n涉及多个科室"})).await;
    r.expect(201, None);
}

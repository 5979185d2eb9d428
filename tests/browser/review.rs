//! Review before issue in the browser: the clerk submits a reply, the first level returns
//! it, the clerk fixes it, two levels approve, the clerk issues it and prints the letter.

use fantoccini::Client;
use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app_with};
use crate::{browser, click, driver, screen, set, sign_in, text, wait_for, wait_text};

/// Opens the case's review page.
async fn review_page(c: &Client, base: &str, id: i64) {
    c.goto(&format!("{base}/cases/{id}/review"))
        .await
        .expect("review page");
    wait_for(c, "#review-status").await;
}

#[actix_web::test]
async fn clerk_submits_reviewer_returns_two_levels_approve_clerk_issues_and_prints() {
    let app = spawn_app_with(|s| s.public_url = "http://127.0.0.1".into()).await;
    let dept = app
        .department("武鸣区自然资源局", "武自然信复", None, "450110")
        .await;
    let (_, clerk) = app.user("liqing", "clerk", Some(dept)).await;
    let (legal_id, _) = app.user("fazhi", "clerk", Some(dept)).await;
    app.user("juzhang", "supervisor", Some(dept)).await;
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/departments/{dept}/review-chain"),
        Some(&app.admin_token),
        Some(json!({"levels": [
            {"name": "初审", "user_ids": [legal_id]},
            {"name": "审定", "role": "supervisor"}
        ]})),
        &[],
    )
    .await
    .expect(200, None);
    let case = app
        .post(
            "/api/v1/cases",
            &clerk,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "张伟"},
                "channel": "in_person", "submitted_on": "2026-11-16", "received_on": "2026-11-16",
                "items": [{"description": "城厢镇香山片区土地征收补偿安置方案"}]
            }),
        )
        .await;
    let id = case.expect(201, None)["id"].as_i64().unwrap();

    let driver = driver();
    let c = browser(&driver).await;
    let reviewer = browser(&driver).await;

    // The clerk drafts the reply and submits it for review — without the seal.
    sign_in(&c, &app.base, "liqing", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    c.goto(&format!("{}/cases/{id}/reply?outcome=disclosed", app.base))
        .await
        .expect("reply form");
    wait_for(&c, "#reply-form").await;
    set(&c, "dispatched_on", "2026-11-20").await;
    set(&c, "issued_on", "2026-11-20").await;
    wait_text(&c, "#findings", "未加盖印章").await;
    click(&c, "#reply-form button[type=submit]").await;
    let status = wait_text(&c, "#review-status", "审核中").await;
    assert!(status.contains("审核中"));
    assert!(text(&c, "main").await.contains("待第 1 级（初审）审核"));

    // Level 1 sees it on the desk, sees the finding, and returns it with a comment.
    sign_in(&reviewer, &app.base, "fazhi", USER_PASSWORD).await;
    wait_for(&reviewer, ".counts").await;
    let queue = text(&reviewer, "#reviews + table").await;
    assert!(queue.contains("张伟") && queue.contains("初审"), "{queue}");
    review_page(&reviewer, &app.base, id).await;
    assert!(text(&reviewer, "aside").await.contains("未加盖印章"));
    set(&reviewer, "comment", "答复书未加盖印章，请加盖后重新提交").await;
    screen(&reviewer, "45-review-return").await;
    click(&reviewer, "button[value=return]").await;
    wait_text(&reviewer, "#review-status", "已退回").await;

    // The clerk fixes it: the form holds the reply as submitted; the seal is added.
    review_page(&c, &app.base, id).await;
    assert!(text(&c, "aside").await.contains("请加盖后重新提交"));
    click(&c, "a[href$='/reply?from=review']").await;
    wait_for(&c, "#reply-form").await;
    assert_eq!(
        c.find(fantoccini::Locator::Id("dispatched_on"))
            .await
            .expect("dispatched_on")
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("2026-11-20")
    );
    click(&c, "input[name=sealed]").await;
    set(&c, "seal_organ", "武鸣区自然资源局").await;
    click(&c, "#reply-form button[type=submit]").await;
    wait_text(&c, "#review-status", "审核中").await;
    assert!(text(&c, "main").await.contains("第 2 稿"));

    // Two levels approve: 初审 by the named clerk, 审定 by the supervisor.
    review_page(&reviewer, &app.base, id).await;
    click(&reviewer, "button[value=approve]").await;
    let after_first = wait_text(&reviewer, "main", "待第 2 级（审定）审核").await;
    assert!(
        !after_first.contains("审核意见"),
        "level 1 cannot act at level 2"
    );
    let head = browser(&driver).await;
    sign_in(&head, &app.base, "juzhang", USER_PASSWORD).await;
    wait_for(&head, ".counts").await;
    review_page(&head, &app.base, id).await;
    screen(&head, "46-review-approve").await;
    click(&head, "button[value=approve]").await;
    wait_text(&head, "#review-status", "已审定").await;

    // The clerk issues it (the 文号 is taken now) and prints the letter.
    review_page(&c, &app.base, id).await;
    wait_text(&c, "#review-status", "已审定").await;
    screen(&c, "47-review-issue").await;
    click(&c, "form[action$='/review/issue'] button[type=submit]").await;
    wait_for(&c, ".notice.ok").await;
    assert!(text(&c, "h1").await.contains("已答复"));
    click(&c, "a[href$='/reply/print']").await;
    wait_for(&c, ".sheet").await;
    let sheet = text(&c, ".sheet").await;
    assert!(sheet.contains("武自然信复〔2026〕1号"), "{sheet}");
    assert!(sheet.contains("张伟"));

    // The whole history is on the case's trail.
    let steps = app.get(&format!("/api/v1/cases/{id}/review"), &clerk).await;
    let actions: Vec<String> = steps.expect(200, None)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "returned",
            "resubmitted",
            "approved",
            "approved",
            "issued"
        ]
    );
    for client in [c, reviewer, head] {
        client.close().await.expect("close");
    }
}

//! 考核通报 in the browser: the office defines the quarter, sees the ranking computed from the
//! replies, writes its own section, publishes and opens the 通报; the late bureau's clerk
//! finds the rectification item (from 督办事项) and reports it done; the office closes it.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, USER_PASSWORD, spawn_app};
use crate::{
    browser, click, driver, menu_in_one_row, screen, set, sign_in, text, wait_for, wait_text,
};

/// A case of `dept` received 2026-07-01 (due 2026-07-29), answered on `issued_on` with the
/// drafted letter, sealed by `organ`.
async fn answered(app: &TestApp, clerk: &str, dept: i64, organ: &str, issued_on: &str) {
    let r = app
        .post(
            "/api/v1/cases",
            clerk,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "孙八"},
                "channel": "in_person", "submitted_on": "2026-07-01", "received_on": "2026-07-01",
                "items": [{"description": "道路养护资金使用情况"}]
            }),
        )
        .await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let d = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed&issued_on={issued_on}"),
            clerk,
        )
        .await;
    let d = d.expect(200, None);
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(true);
    body["seal_organ"] = json!(organ);
    body["text"] = d["text"].clone();
    body.as_object_mut().unwrap().remove("dispatched_on");
    let etag = app.approved(clerk, id, &r.etag(), &body).await;
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/reply"),
        Some(clerk),
        Some(body),
        &[("If-Match", &etag)],
    )
    .await
    .expect(201, None);
}

#[actix_web::test]
async fn the_office_publishes_the_notice_the_department_rectifies_and_the_office_closes() {
    let app = spawn_app().await;
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let a = app
        .department("南宁市甲局", "南甲信复", Some(gov), "450100")
        .await;
    let b = app
        .department("南宁市乙局", "南乙信复", Some(gov), "450100")
        .await;
    app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, clerk_a) = app.user("clerk_a", "clerk", Some(a)).await;
    let (_, clerk_b) = app.user("clerk_b", "clerk", Some(b)).await;
    answered(&app, &clerk_a, a, "南宁市甲局", "2026-07-10").await;
    answered(&app, &clerk_b, b, "南宁市乙局", "2026-07-10").await;
    answered(&app, &clerk_b, b, "南宁市乙局", "2026-09-01").await;

    let driver = driver();
    let c = browser(&driver).await;

    // The office defines the third quarter from the menu.
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    menu_in_one_row(&c).await;
    click(&c, "header nav a[href='/assessments']").await;
    wait_for(&c, "#period-form").await;
    set(&c, "year", "2026").await;
    set(&c, "quarter", "3").await;
    click(&c, "#period-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已新建考核期").await;
    // The office adds a hand-scored indicator and scores both bureaus.
    click(&c, "#scheme-card summary").await;
    for (id, value) in [
        ("key_6", "training"),
        ("name_6", "业务培训"),
        ("weight_6", "10"),
        ("max_6", "10"),
    ] {
        set(&c, id, value).await;
    }
    click(&c, "#scheme-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已保存考核方案").await;
    for (dept, score, note) in [(a, "10", "举办培训2次"), (b, "6", "未留存培训签到记录")]
    {
        set(&c, "m-dept-training", &dept.to_string()).await;
        set(&c, "m-score-training", score).await;
        set(&c, "m-note-training", note).await;
        click(&c, "#manual-training button[type=submit]").await;
        wait_text(&c, ".notice.ok", "已保存人工评分").await;
    }
    // Out of 110: 甲 100 + 10 = 110 (100%); 乙 on time 1 of 2 → 40 × 1/2 = 20, so
    // 80 + 6 = 86 (86 / 110 = 78.18%).
    let ranking = text(&c, "#ranking").await;
    assert!(ranking.contains("南宁市甲局"), "{ranking}");
    let first = text(&c, "#ranking tbody tr:first-child").await;
    assert!(
        first.contains("南宁市甲局") && first.contains("100%"),
        "{first}"
    );
    let second = text(&c, "#ranking tbody tr:nth-child(2)").await;
    assert!(
        second.contains("南宁市乙局") && second.contains("78.18%") && second.contains("南乙信复"),
        "{second}"
    );
    assert!(text(&c, "main").await.contains("逾期答复1件"));
    set(
        &c,
        "remarks",
        "本季度各单位均按要求报送了依申请公开工作台账。",
    )
    .await;
    click(&c, "#remarks-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已保存通报正文").await;
    screen(&c, "60-assessment-draft").await;

    // Publish: frozen, and the problem becomes an item for 乙.
    set(&c, "working_days", "10").await;
    click(&c, "#publish-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已发布通报").await;
    assert!(text(&c, "#period-status").await.contains("已发布"));
    let items = text(&c, "#period-items").await;
    assert!(
        items.contains("南宁市乙局") && items.contains("逾期答复1件"),
        "{items}"
    );
    screen(&c, "61-assessment-published").await;
    let period_url = c.current_url().await.expect("url");

    // The 通报: ranking, problems per department, the office's section, the requirement.
    click(&c, "#notice-link").await;
    wait_for(&c, "#notice-title").await;
    let notice = text(&c, ".sheet").await;
    for needle in [
        "绩效排序",
        "需要完善的事项",
        "南宁市乙局：逾期答复1件",
        "台账",
        "盘点销号",
        "10个工作日",
    ] {
        assert!(notice.contains(needle), "{needle}: {notice}");
    }
    screen(&c, "62-assessment-notice").await;
    // The .docx and the score workbook download (zip packages: "PK").
    let got = c
        .execute(
            "return Promise.all(['notice.docx', 'scores.xlsx'].map(f =>
                fetch(location.pathname.replace(/notice$/, f)).then(r => r.arrayBuffer().then(b =>
                    [r.status, r.headers.get('content-type'), new Uint8Array(b).slice(0, 2).join(',')]))));",
            vec![],
        )
        .await
        .expect("downloads");
    assert_eq!(
        got,
        json!([
            [
                200,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "80,75"
            ],
            [
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "80,75"
            ]
        ])
    );
    c.goto(period_url.as_str()).await.expect("period");
    wait_for(&c, "#ranking").await;
    click(&c, ".who button[type=submit]").await;
    wait_for(&c, "#username").await;

    // 乙's clerk: 督办事项 → 通报整改事项 → the item; reports it done.
    sign_in(&c, &app.base, "clerk_b", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    click(&c, "header nav a[href='/orders']").await;
    click(&c, "main a[href='/assessments/items']").await;
    wait_for(&c, "#items").await;
    assert!(text(&c, "#items").await.contains("逾期答复1件"));
    screen(&c, "63-rectifications").await;
    click(&c, "#items a[href^='/assessments/items/']").await;
    wait_for(&c, "#done-form").await;
    // Published Sunday 2026-11-22: ten working days are Nov 23 – Dec 4.
    assert!(text(&c, "#due").await.contains("2026-12-04"));
    set(
        &c,
        "done-body",
        "已建立答复期限提醒台账，每周由科长核对临期案件。",
    )
    .await;
    click(&c, "#done-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已报送整改情况").await;
    assert_eq!(text(&c, "#item-status").await, "已整改待销号");
    screen(&c, "64-rectification-done").await;
    let item_url = c.current_url().await.expect("url");
    click(&c, ".who button[type=submit]").await;
    wait_for(&c, "#username").await;

    // The office closes it (销号).
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    c.goto(item_url.as_str()).await.expect("item");
    wait_for(&c, "#close-form").await;
    set(&c, "close-body", "整改到位，同意销号。").await;
    click(&c, "#close-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已销号").await;
    assert_eq!(text(&c, "#item-status").await, "已销号");
    assert!(text(&c, "main").await.contains("提醒台账"));
    screen(&c, "65-rectification-closed").await;
    c.close().await.expect("close");
}

//! 督办 in the browser: the office's supervisor issues an order about a case from the case
//! page, the department's clerk finds it (marked on the desk, listed under 督办事项) and
//! answers, and the supervisor closes it (销号).

use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app};
use crate::{
    browser, click, driver, menu_in_one_row, screen, set, sign_in, text, wait_for, wait_text,
};

#[actix_web::test]
async fn the_office_issues_an_order_the_department_answers_and_the_office_closes_it() {
    let app = spawn_app().await;
    let (gov, bureau) = app.city_and_bureau().await;
    app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, clerk) = app.user("clerk_bureau", "clerk", Some(bureau)).await;
    let r = app
        .post(
            "/api/v1/cases",
            &clerk,
            json!({
                "department_id": bureau,
                "applicant": {"type": "natural_person", "name": "孙八"},
                "channel": "in_person", "submitted_on": "2026-10-09", "received_on": "2026-10-09",
                "items": [{"description": "某路段改造工程的招标文件"}]
            }),
        )
        .await;
    let case_id = r.expect(201, None)["id"].as_i64().unwrap();

    let driver = driver();
    let c = browser(&driver).await;

    // The office: from the overdue case, an order to the bureau about it.
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    menu_in_one_row(&c).await;
    c.goto(&format!("{}/cases/{case_id}", app.base))
        .await
        .expect("case");
    wait_for(&c, "#orders").await;
    click(&c, &format!("#orders a[href='/orders/new?case={case_id}']")).await;
    wait_for(&c, "#order-form").await;
    assert!(text(&c, "main").await.contains("南交信复"));
    set(&c, "title", "逾期未答复的申请").await;
    set(
        &c,
        "problem",
        "该申请已超过法定答复期限，请立即答复并说明逾期原因。",
    )
    .await;
    set(&c, "responsible", "王主任").await;
    set(&c, "working_days", "3").await;
    screen(&c, "40-order-new").await;
    click(&c, "#order-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已下达督办").await;
    // Issued Sunday 2026-11-22 (the test clock): due on the third working day after.
    assert!(text(&c, "#due").await.contains("2026-11-25"));
    assert!(text(&c, "main").await.contains("第四十七条"));
    assert_eq!(text(&c, "#order-status").await, "待反馈");
    let order_url = c.current_url().await.expect("url");
    click(&c, ".who button[type=submit]").await;
    wait_for(&c, "#username").await;

    // The bureau: the case is marked on the desk; the order is under 督办事项.
    sign_in(&c, &app.base, "clerk_bureau", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    assert!(text(&c, "table.desk").await.contains("督办"));
    click(&c, "header nav a[href='/orders']").await;
    wait_for(&c, "#orders").await;
    assert!(text(&c, "#orders").await.contains("逾期未答复的申请"));
    screen(&c, "43-orders").await;
    click(&c, "#orders a[href^='/orders/']").await;
    wait_for(&c, "#answer-form").await;
    set(
        &c,
        "answer-body",
        "已于11月23日答复申请人，并对承办人进行了约谈。",
    )
    .await;
    click(&c, "#answer-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已反馈办理情况").await;
    assert_eq!(text(&c, "#order-status").await, "已反馈待销号");
    assert!(text(&c, "#order-steps").await.contains("约谈"));
    screen(&c, "41-order-answered").await;
    click(&c, ".who button[type=submit]").await;
    wait_for(&c, "#username").await;

    // The office closes it.
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    c.goto(order_url.as_str()).await.expect("order");
    wait_for(&c, "#close-form").await;
    set(&c, "close-body", "整改到位，同意销号。").await;
    click(&c, "#close-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已销号").await;
    assert_eq!(text(&c, "#order-status").await, "已销号");
    let steps = text(&c, "#order-steps").await;
    assert!(
        steps.contains("反馈办理情况") && steps.contains("销号"),
        "{steps}"
    );
    screen(&c, "42-order-closed").await;

    // The case no longer shows an open order.
    c.goto(&format!("{}/cases/{case_id}", app.base))
        .await
        .expect("case");
    wait_for(&c, "#orders").await;
    assert!(!text(&c, "#orders").await.contains("逾期未答复的申请"));
    c.close().await.expect("close");
}

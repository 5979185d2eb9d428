//! An administrator's round in the browser: the departments and users, then the calendars —
//! a corrected Guangxi year is pasted, the preview shows the case whose due date moves
//! (old and new date), the import is confirmed, and the case page shows the new date.

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, spawn_app};
use crate::{browser, click, driver, menu_in_one_row, screen, sign_in, text, wait_for, wait_text};

/// Guangxi 2026 with the 三月三 break moved one day later (04-18..04-21).
fn corrected_year() -> String {
    let days: Vec<_> = ["2026-04-18", "2026-04-19", "2026-04-20", "2026-04-21"]
        .iter()
        .map(|d| json!({"date": d, "name": "壮族三月三"}))
        .collect();
    serde_json::to_string_pretty(&json!({
        "region": "450000", "name": "广西壮族自治区",
        "source": "自治区人民政府办公厅关于2026年“广西三月三”放假的更正通知",
        "years": {"2026": {"holidays": days, "workdays": []}}
    }))
    .unwrap()
}

#[actix_web::test]
async fn an_admin_previews_a_calendar_year_and_the_case_takes_the_new_due_date() {
    let app = spawn_app().await;
    let (gov, bureau) = app.city_and_bureau().await;
    let (_, clerk) = app.user("clerk_bureau", "clerk", Some(bureau)).await;
    app.user("sup_gov", "supervisor", Some(gov)).await;
    let case = app
        .post(
            "/api/v1/cases",
            &clerk,
            json!({
                "department_id": bureau,
                "applicant": {"type": "natural_person", "name": "韦十"},
                "channel": "in_person", "submitted_on": "2026-03-19", "received_on": "2026-03-19",
                "items": [{"description": "某路段改造工程的招标文件"}]
            }),
        )
        .await;
    let case = case.expect(201, None).clone();
    assert_eq!(case["due_on"], "2026-04-21");
    let id = case["id"].as_i64().unwrap();

    let driver = driver();
    let c = browser(&driver).await;
    sign_in(&c, &app.base, "admin", ADMIN_PASSWORD).await;
    wait_for(&c, "header nav").await;
    // Twelve pages in four groups, one row at 1366 px.
    let menu = text(&c, "header nav.menu").await;
    for group in ["办件", "监督", "测评", "管理"] {
        assert!(menu.contains(group), "{menu}");
    }
    menu_in_one_row(&c).await;
    wait_for(&c, ".counts").await;
    screen(&c, "36-admin-desk").await;

    // The departments as a tree, and the users.
    click(&c, "header nav a[href='/admin/departments']").await;
    wait_for(&c, "#department-tree").await;
    let tree = text(&c, "#department-tree").await;
    assert!(
        tree.contains("南宁市交通运输局") && tree.contains("南宁市中级人民法院"),
        "{tree}"
    );
    screen(&c, "30-departments").await;
    click(&c, "header nav a[href='/admin/users']").await;
    wait_for(&c, "#user-list").await;
    assert!(text(&c, "#user-list").await.contains("clerk_bureau"));
    screen(&c, "31-users").await;

    // The calendars: Guangxi 2026, April with 三月三 on 17–20.
    click(&c, "header nav a[href='/admin/calendars']").await;
    wait_for(&c, ".months").await;
    click(&c, "nav.tabs a[href^='/admin/calendars?layer=450000']").await;
    wait_text(&c, "h1", "广西壮族自治区").await;
    assert!(
        text(&c, "#m4 + table + ul.notes")
            .await
            .contains("17–20日 壮族三月三")
    );
    screen(&c, "32-calendars").await;

    // Paste the corrected year and preview it.
    let body = c.find(Locator::Id("import-body")).await.unwrap();
    body.clear().await.unwrap();
    body.send_keys(&corrected_year()).await.unwrap();
    click(&c, "#import-form button[type=submit]").await;
    wait_for(&c, "#moved").await;
    let diff = text(&c, "#diff").await;
    assert!(
        diff.contains("增加") && diff.contains("2026-04-21（周二）"),
        "{diff}"
    );
    assert!(
        diff.contains("删除") && diff.contains("2026-04-17（周五）"),
        "{diff}"
    );
    let moved = text(&c, &format!("#moved-{id}")).await;
    assert!(
        moved.contains("2026-04-21（周二）") && moved.contains("2026-04-17（周五）"),
        "{moved}"
    );
    screen(&c, "33-calendar-preview").await;
    // Nothing has changed yet.
    let before = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
    assert_eq!(before.body["due_on"], "2026-04-21");

    click(&c, "#apply-form button[type=submit]").await;
    wait_text(&c, "#imported", "已导入第1版").await;
    assert!(text(&c, "#imported").await.contains("1件办理中案件"));
    screen(&c, "34-calendar-imported").await;

    // The case page shows the new due date.
    c.goto(&format!("{}/cases/{id}", app.base)).await.unwrap();
    wait_for(&c, "#due").await;
    let due = text(&c, "#due").await;
    assert!(due.contains("2026-04-17（周五）"), "{due}");
    screen(&c, "35-case-after-import").await;
    c.close().await.expect("close");
}

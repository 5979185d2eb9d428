//! A supervisor's round in the browser: the 督办 overview finds an overdue case two levels
//! below, its list says what the case waits on and opens it read-only with only the
//! supervisor's actions, where its extension request is approved; another request is
//! approved from the approvals list.

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app};
use crate::{browser, click, driver, menu_in_one_row, screen, sign_in, text, wait_for, wait_text};

#[actix_web::test]
async fn a_supervisor_finds_an_overdue_case_and_approves_an_extension() {
    let app = spawn_app().await;
    let (gov, bureau) = app.city_and_bureau().await;
    let office = app
        .department("南宁市公路发展中心", "南公信复", Some(bureau), "450100")
        .await;
    app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, clerk) = app.user("clerk_office", "clerk", Some(office)).await;
    let register =
        |received: &'static str, name: &'static str| {
            let app = &app;
            let clerk = clerk.clone();
            async move {
                let r = app
                .post("/api/v1/cases", &clerk, json!({
                    "department_id": office,
                    "applicant": {"type": "natural_person", "name": name},
                    "channel": "in_person", "submitted_on": received, "received_on": received,
                    "items": [{"description": "某路段改造工程的招标文件"}]
                }))
                .await;
                r.expect(201, None);
                r
            }
        };
    // Today is 2026-11-22 on the test clock: one case long overdue, one asking for time.
    let late = register("2026-09-01", "孙八").await;
    let late_id = late.body["id"].as_i64().unwrap();
    let fresh = register("2026-11-20", "周九").await;
    let fresh_id = fresh.body["id"].as_i64().unwrap();
    for (case, reason) in [
        (&late, "涉及第三方，正在协调"),
        (&fresh, "需调取2019年以前的档案"),
    ] {
        let id = case.body["id"].as_i64().unwrap();
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{id}/events"),
            Some(&clerk),
            Some(json!({"type": "extension_requested", "date": "2026-11-20", "working_days": 15, "reason": reason})),
            &[("If-Match", &case.etag())],
        )
        .await
        .expect(201, None);
    }

    // A third case answered without a seal: a finding for the compliance page.
    let sealed = register("2026-11-02", "吴十").await;
    let sealed_id = sealed.body["id"].as_i64().unwrap();
    let draft = app
        .get(
            &format!(
                "/api/v1/cases/{sealed_id}/reply-draft?outcome=disclosed&issued_on=2026-11-20"
            ),
            &clerk,
        )
        .await;
    let mut reply = draft.expect(200, None)["reply"].clone();
    reply["sealed"] = json!(false);
    reply["seal_organ"] = json!(null);
    reply["doc_number"] = json!("auto");
    reply["dispatched_on"] = json!("2026-11-20");
    reply["delivery_method"] = json!("post");
    app.issued_reply(&clerk, sealed_id, &sealed.etag(), reply)
        .await
        .expect(201, None);

    let driver = driver();
    let c = browser(&driver).await;
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    // The desk of the subtree: the cases below are to look at, not to answer.
    menu_in_one_row(&c).await;
    assert!(text(&c, "table.desk").await.contains("查看"));
    screen(&c, "15-supervisor-desk").await;

    // The overview: three levels, the overdue case in the lowest one.
    click(&c, "header nav a[href='/supervision']").await;
    wait_for(&c, "#dept-table").await;
    let table = text(&c, "#dept-table").await;
    assert!(table.contains("南宁市公路发展中心"), "{table}");
    assert!(text(&c, ".counts a.overdue").await.starts_with('1'));
    assert!(c.find(Locator::Css("figure.chart svg rect")).await.is_ok());
    screen(&c, "10-supervision").await;
    click(
        &c,
        &format!("#dept-table a[href='/supervision/overdue?department_id={office}']"),
    )
    .await;
    wait_for(&c, "#overdue-list").await;
    let list = text(&c, "#overdue-list").await;
    assert!(list.contains("孙八") && list.contains("超期"), "{list}");
    assert!(list.contains("待审批延期"), "{list}");
    assert!(!list.contains("周九"), "{list}");
    screen(&c, "11-overdue").await;

    // The case, two levels down: everything to read, only the supervisor's actions.
    click(&c, &format!("#overdue-list a[href='/cases/{late_id}']")).await;
    wait_for(&c, "#due").await;
    assert!(text(&c, "h1").await.contains("南公信复"));
    assert!(text(&c, "#oversight").await.contains("只读"));
    assert!(
        text(&c, "#extension-request")
            .await
            .contains("涉及第三方，正在协调")
    );
    for clerks in [
        "#act-correction_requested",
        "#act-withdrawn",
        "#reply-outcome",
    ] {
        assert!(
            c.find(Locator::Css(clerks)).await.is_err(),
            "{clerks} offered"
        );
    }
    assert!(text(&c, "#waits-on").await.contains("待审批延期"));
    screen(&c, "16-supervisor-case").await;
    click(&c, "#act-extension_granted > summary").await;
    click(&c, "#act-extension_granted button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已保存").await;
    assert!(text(&c, "#waits-on").await.contains("待答复"));
    assert!(c.find(Locator::Css("#extension-request")).await.is_err());
    assert!(text(&c, ".timeline").await.contains("批准延期"));

    // The approvals list: grant the other request as asked.
    click(&c, "header nav a[href='/approvals']").await;
    wait_for(&c, &format!("#approval-{fresh_id}")).await;
    let card = text(&c, &format!("#approval-{fresh_id}")).await;
    assert!(
        card.contains("需调取2019年以前的档案") && card.contains("15"),
        "{card}"
    );
    screen(&c, "12-approvals").await;
    click(
        &c,
        &format!("#approval-{fresh_id} form.decide button[type=submit]:not(.secondary)"),
    )
    .await;
    wait_text(&c, ".notice.ok", "已批准延期").await;
    assert!(text(&c, "main").await.contains("没有待审批的延期申请"));

    // Compliance: the missing seal is counted, named in Chinese with its article, and the
    // reply behind it is one click away.
    click(&c, "header nav a[href='/supervision/compliance']").await;
    wait_for(&c, "#by-code").await;
    let codes = text(&c, "#by-code").await;
    assert!(codes.contains("未加盖印章"), "{codes}");
    assert!(c.find(Locator::Css("figure.chart svg rect")).await.is_ok());
    screen(&c, "13-compliance").await;
    click(&c, "#by-department a[href*='code=seal_missing']").await;
    wait_for(&c, "#drill-list").await;
    click(&c, &format!("#drill-list a[href='/cases/{sealed_id}']")).await;
    wait_for(&c, "#due").await;

    // The annual report of the whole subtree: the disclosed reply is one number of table 三,
    // and that number opens the case behind it.
    c.goto(&format!(
        "{}/reports/annual?year=2026&department_id={gov}&include_subtree=1",
        app.base
    ))
    .await
    .expect("annual");
    wait_for(&c, ".card.annual table.table3").await;
    assert!(
        text(&c, "h1")
            .await
            .contains("2026年政府信息公开工作年度报告")
    );
    let cell = "td[data-row='disclosed'][data-col='natural_person'] a";
    assert_eq!(text(&c, cell).await, "1");
    screen(&c, "14-annual").await;
    click(&c, cell).await;
    wait_for(&c, "#cell-cases").await;
    assert!(text(&c, "#cell-cases").await.contains("吴十"));

    let case = app.get(&format!("/api/v1/cases/{fresh_id}"), &clerk).await;
    let v = case.expect(200, None);
    assert_eq!(v["flags"]["awaiting_approval"], false, "{v}");
    assert_ne!(v["due_on"], fresh.body["due_on"], "{v}");
    c.close().await.expect("close");
}

//! 考核通报 in the browser: the office defines the quarter, sees the ranking computed from the
//! replies, writes its own section, publishes and opens the 通报; the late bureau's clerk
//! finds the rectification item (from 督办事项) and reports it done; the office closes it.

use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, TestApp, USER_PASSWORD, spawn_app};
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
    app.issued_reply(clerk, id, &r.etag(), body)
        .await
        .expect(201, None);
}

/// The city government (its supervisor `sup_gov`) with two bureaus under it: (甲局, 乙局).
async fn city_with_two_bureaus(app: &TestApp) -> (i64, i64) {
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
    (a, b)
}

#[actix_web::test]
async fn the_office_publishes_the_notice_the_department_rectifies_and_the_office_closes() {
    let app = spawn_app().await;
    let (a, b) = city_with_two_bureaus(&app).await;
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
    // The score table is ruled as printed (its style comes from print.css: the pages'
    // CSP refuses inline styles).
    let ruled = c
        .execute(
            "return getComputedStyle(document.querySelector('#notice-scores td')).borderTopStyle;",
            vec![],
        )
        .await
        .expect("style");
    assert_eq!(ruled, "solid");
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

/// A campaign target with one phone check (and, when `signed`, a letter signed for on
/// 2026-08-05 and never answered); returns its id.
async fn audit_unit(
    app: &TestApp,
    auditor: &str,
    campaign: i64,
    name: &str,
    connected: bool,
    signed: bool,
) -> i64 {
    let t = app
        .post(
            &format!("/api/v1/audits/{campaign}/targets"),
            auditor,
            json!({"name": name, "category": "市直部门"}),
        )
        .await;
    let t = t.expect(201, None)["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/audits/{campaign}/phone-checks"),
        auditor,
        json!({"target_id": t, "called_at": "2026-08-10T10:00:00+08:00", "connected": connected}),
    )
    .await
    .expect(201, None);
    if signed {
        app.post(
            &format!("/api/v1/audits/{campaign}/letters"),
            auditor,
            json!({"target_id": t, "channel": "regular", "sent_on": "2026-08-03",
                   "signed_on": "2026-08-05"}),
        )
        .await
        .expect(201, None);
    }
    t
}

#[actix_web::test]
async fn the_admin_links_campaign_units_and_the_office_sees_them_in_the_quarter() {
    let app = spawn_app().await;
    let (a, b) = city_with_two_bureaus(&app).await;
    let (_, auditor) = app.user("auditor1", "auditor", None).await;
    // The evaluators' campaign, data collected until 2026-09-30: "南宁市甲局" (its name is the
    // department's) is signed for but never answers, the phone not answered: 1 of 13;
    // "乙局政务服务窗口" answers the phone: 2 of 2.
    let campaign = app
        .post(
            "/api/v1/audits",
            &auditor,
            json!({"name": "2026年市直部门模拟用户实测", "region": "450100", "cutoff_on": "2026-09-30"}),
        )
        .await;
    let campaign = campaign.expect(201, None)["id"].as_i64().unwrap();
    let t_a = audit_unit(&app, &auditor, campaign, "南宁市甲局", false, true).await;
    let t_b = audit_unit(&app, &auditor, campaign, "乙局政务服务窗口", true, false).await;

    let driver = driver();
    let c = browser(&driver).await;

    // The administrator opens 甲's score card: the department of the same name is
    // preselected but not linked until saved.
    sign_in(&c, &app.base, "admin", ADMIN_PASSWORD).await;
    wait_for(&c, ".counts, main").await;
    c.goto(&format!("{}/audits/{campaign}/targets/{t_a}", app.base))
        .await
        .expect("score card");
    wait_for(&c, "#department-form").await;
    assert!(
        text(&c, "#linked-department")
            .await
            .contains("尚未关联机关")
    );
    let chosen = c
        .execute(
            "return document.getElementById('department_id').value;",
            vec![],
        )
        .await
        .expect("select");
    assert_eq!(chosen, json!(a.to_string()));
    click(&c, "#department-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已保存关联机关").await;
    assert!(text(&c, "#linked-department").await.contains("南宁市甲局"));
    screen(&c, "66-audit-target-department").await;
    // 乙's unit has another name: nothing preselected; the administrator chooses 乙.
    c.goto(&format!("{}/audits/{campaign}/targets/{t_b}", app.base))
        .await
        .expect("score card");
    wait_for(&c, "#department-form").await;
    let chosen = c
        .execute(
            "return document.getElementById('department_id').value;",
            vec![],
        )
        .await
        .expect("select");
    assert_eq!(chosen, json!(""));
    set(&c, "department_id", &b.to_string()).await;
    click(&c, "#department-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已保存关联机关").await;
    click(&c, ".who button[type=submit]").await;
    wait_for(&c, "#username").await;

    // The office: the third quarter with the campaign indicator added in the scheme editor.
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    click(&c, "header nav a[href='/assessments']").await;
    wait_for(&c, "#period-form").await;
    set(&c, "year", "2026").await;
    set(&c, "quarter", "3").await;
    click(&c, "#period-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已新建考核期").await;
    click(&c, "#scheme-card summary").await;
    for (id, value) in [
        ("key_6", "audit"),
        ("kind_6", "campaign_score"),
        ("name_6", "模拟用户实测得分率"),
        ("weight_6", "20"),
        ("max_6", "20"),
    ] {
        set(&c, id, value).await;
    }
    click(&c, "#scheme-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已保存考核方案").await;
    // No case in the quarter: the six default indicators score full (100). Out of 120:
    // 甲 100 + 20 × 1/13 = 101.54 (84.62%); 乙 100 + 20 × 2/2 = 120 (100%).
    let first = text(&c, "#ranking tbody tr:first-child").await;
    assert!(
        first.contains("南宁市乙局") && first.contains("100%"),
        "{first}"
    );
    let second = text(&c, "#ranking tbody tr:nth-child(2)").await;
    assert!(
        second.contains("南宁市甲局") && second.contains("1.54") && second.contains("84.62%"),
        "{second}"
    );
    let drill = text(&c, "#campaign-figures").await;
    for needle in [
        "2026年市直部门模拟用户实测",
        "南宁市甲局",
        "1 / 13",
        "乙局政务服务窗口",
        "2 / 2",
    ] {
        assert!(drill.contains(needle), "{needle}: {drill}");
    }
    assert!(text(&c, "main").await.contains("模拟用户实测得分率7.69%"));
    screen(&c, "68-assessment-campaign-ranking").await;
    c.execute(
        "document.getElementById('campaign-figures').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll");
    screen(&c, "67-assessment-campaign-score").await;
    // The 通报 names the audit campaigns among its sources, as the scheme scores them.
    let period = c.current_url().await.expect("url");
    c.goto(&format!("{}{}/notice", app.base, period.path()))
        .await
        .expect("open");
    wait_text(&c, "body", "模拟用户实测记录").await;
}

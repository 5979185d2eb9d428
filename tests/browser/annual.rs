//! Publishing the annual report in the browser: a supervisor publishes the bureau's 2025,
//! sees the published state and the frozen numbers; a reply recorded afterwards for a case
//! of 2025 appears under 发布后变更 with its cells and case, while the published numbers
//! stay; the published page reads 一…六 in order; a republication asks for its reason.

use serde_json::json;

use crate::helpers::{TestApp, USER_PASSWORD, spawn_app};
use crate::{browser, click, driver, screen, set, sign_in, text, wait_for, wait_text};

async fn case(app: &TestApp, clerk: &str, dept: i64, received: &str) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/cases",
            clerk,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "周九"},
                "channel": "in_person", "submitted_on": received, "received_on": received,
                "items": [{"description": "公交线路调整的论证材料"}]
            }),
        )
        .await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    (id, r.etag())
}

async fn reply(app: &TestApp, clerk: &str, id: i64, etag: &str, date: &str) {
    let body = json!({
        "doc_number": "auto", "issued_on": date, "dispatched_on": date,
        "delivery_method": "post", "outcome": "disclosed", "sealed": true, "remedy": {}
    });
    app.issued_reply(clerk, id, etag, body)
        .await
        .expect(201, None);
}

#[actix_web::test]
async fn a_supervisor_publishes_the_year_and_sees_later_changes_listed() {
    let app = spawn_app().await;
    let (gov, bureau) = app.city_and_bureau().await;
    app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, clerk) = app.user("clerk_bureau", "clerk", Some(bureau)).await;
    let (answered, etag) = case(&app, &clerk, bureau, "2025-03-03").await;
    reply(&app, &clerk, answered, &etag, "2025-03-20").await;
    let (open, open_etag) = case(&app, &clerk, bureau, "2025-12-01").await;

    let driver = driver();
    let c = browser(&driver).await;
    sign_in(&c, &app.base, "sup_gov", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    let page = format!(
        "{}/reports/annual?year=2025&department_id={bureau}",
        app.base
    );
    c.goto(&page).await.unwrap();
    wait_text(&c, "#publication-state", "尚未发布").await;
    click(&c, "#publish-button").await;
    let state = wait_text(&c, "#publication-state", "已发布 第1版").await;
    assert!(state.contains("第1版"));
    assert!(text(&c, "#annual-publication").await.contains("校验一致"));
    let forward = text(&c, "td[data-row=carried_forward][data-col=total]").await;
    assert_eq!(forward, "1");
    screen(&c, "80-annual-published").await;

    // A late reply for the open case, dated in 2025, recorded after publication.
    reply(&app, &clerk, open, &open_etag, "2025-12-22").await;
    let number = app
        .get(&format!("/api/v1/cases/{open}"), &app.admin_token)
        .await
        .body["case_number"]
        .as_str()
        .unwrap()
        .to_owned();
    c.goto(&page).await.unwrap();
    let changes = wait_text(&c, "#annual-changes", "发布后变更").await;
    assert!(changes.contains("（一）予以公开 / 自然人"), "{changes}");
    assert!(
        changes.contains("四、结转下年度继续办理 / 总计"),
        "{changes}"
    );
    assert!(changes.contains(&number), "{changes}");
    // The published numbers stay.
    assert_eq!(
        text(&c, "td[data-row=carried_forward][data-col=total]").await,
        "1"
    );
    c.find(fantoccini::Locator::Css(&format!(
        "#annual-changes a[href='/cases/{open}']"
    )))
    .await
    .expect("the change links its case");
    screen(&c, "81-annual-changes").await;

    // The page people read.
    click(&c, "#published-page-link").await;
    let sheet = wait_text(&c, "#annual-page", "六、其他需要报告的事项").await;
    let order = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ];
    let at: Vec<usize> = order.iter().map(|h| sheet.find(h).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    screen(&c, "82-annual-page").await;

    // Republishing asks for a reason; the new version has no changes left.
    c.goto(&page).await.unwrap();
    wait_for(&c, "#reason").await;
    set(&c, "reason", "补录12月22日的答复").await;
    screen(&c, "83-annual-republish").await;
    click(&c, "#publish-button").await;
    wait_text(&c, "#publication-state", "已发布 第2版").await;
    assert!(
        c.find(fantoccini::Locator::Css("#annual-changes"))
            .await
            .is_err()
    );
    let versions = text(&c, "#annual-versions").await;
    assert!(versions.contains("第1版") && versions.contains("补录12月22日的答复"));
    assert_eq!(
        text(&c, "td[data-row=carried_forward][data-col=total]").await,
        "0"
    );
    screen(&c, "84-annual-versions").await;
    c.close().await.unwrap();
}

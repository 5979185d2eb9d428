//! Fees in the browser (国办函〔2020〕109号): a clerk records the pages an application needs,
//! sees the amount and how it was computed, issues the fee notice and sees the applicant's
//! last day to pay, then records the payment.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app_with};
use crate::{browser, click, driver, screen, set, sign_in, text, wait_for};

/// Submits a form of the case page and waits for the page to come back with `done`.
async fn submit(c: &Client, css: &str, done: &str) {
    click(c, css).await;
    for _ in 0..100 {
        let url = c.current_url().await.expect("url");
        if url
            .query()
            .is_some_and(|q| q.contains(&format!("done={done}")))
        {
            wait_for(c, "#fee").await;
            return;
        }
        if let Ok(bad) = c.find(Locator::Css(".notice.bad")).await {
            panic!("{done} refused: {}", bad.text().await.unwrap_or_default());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{done}: the page did not come back");
}

#[actix_web::test]
async fn a_clerk_records_pages_issues_the_fee_notice_and_records_payment() {
    let app = spawn_app_with(|s| s.public_url = "http://127.0.0.1".into()).await;
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({
                "name": "某市自然资源局", "code": "某自然信复", "kind": "department",
                "level": "city", "region": "110100", "fee_method": "by_volume",
                "address": "某市人民路1号", "phone": "010-12345678",
                "reconsideration_organ": {"name": "某市人民政府"},
                "court": {"name": "某市中级人民法院"}
            }),
        )
        .await;
    r.expect(201, None);
    let dept = r.body["id"].as_i64().unwrap();
    let (_, token) = app.user("wangfang", "clerk", Some(dept)).await;
    let r = app
        .post(
            "/api/v1/cases",
            &token,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "赵六", "id_number": "11010519491231002X"},
                "channel": "in_person", "submitted_on": "2026-11-02",
                "items": [{"description": "2020年以来全市国有土地出让合同"}]
            }),
        )
        .await;
    r.expect(201, None);
    let id = r.body["id"].as_i64().unwrap();

    let driver = driver();
    let c = browser(&driver).await;
    sign_in(&c, &app.base, "wangfang", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    c.goto(&format!("{}/cases/{id}#fee", app.base))
        .await
        .expect("case");
    wait_for(&c, "#fee").await;
    assert!(text(&c, "#fee").await.contains("按量计收"));

    // 150 pages: 70 × ¥10 + 50 × ¥20 = ¥1,700, explained band by band.
    set(&c, "fee-date", "2026-11-19").await;
    set(&c, "fee-quantity", "150").await;
    set(&c, "fee-page-rule", "电子文件按A4打印页数计").await;
    submit(&c, "#fee-assess button[type=submit]", "fee_assessed").await;
    let amount = text(&c, "#fee-amount").await;
    assert!(amount.contains("1700.00元"), "{amount}");
    let steps = text(&c, "#fee-steps").await;
    assert!(
        steps.contains("第31至100页：31至100页档每页10.00元，70页 × 10.00元 = 700.00元"),
        "{steps}"
    );
    assert!(steps.contains("第101至150页"), "{steps}");
    let draft = text(&c, "#fee-text").await;
    assert!(draft.contains("收费金额：1700.00元"), "{draft}");
    screen(&c, "50-fee-amount").await;

    // Issued and handed over on 11-20: 20 working days from 11-23 end on 12-18.
    set(&c, "fee-issued", "2026-11-20").await;
    set(&c, "fee-delivered", "2026-11-20").await;
    set(&c, "fee-how", "到本机关政务服务窗口现场缴纳").await;
    submit(&c, "#fee-issue button[type=submit]", "fee_notice_issued").await;
    let notice = text(&c, "#fee-notice").await;
    assert!(notice.contains("2026-12-18（周五）"), "{notice}");
    assert!(notice.contains("1700.00元"), "{notice}");
    assert!(text(&c, "#documents").await.contains("缴费通知书"));
    assert!(text(&c, "#waits-on").await.contains("待缴费"));
    screen(&c, "51-fee-notice").await;

    // The applicant pays on 11-22: the notice shows it, the clock runs again.
    click(&c, "#act-fee_paid > summary").await;
    set(&c, "fee_paid-date", "2026-11-22").await;
    submit(&c, "#act-fee_paid button[type=submit]", "fee_paid").await;
    let notice = text(&c, "#fee-notice").await;
    assert!(notice.contains("缴费日期"), "{notice}");
    screen(&c, "52-fee-paid").await;
    c.close().await.expect("close");
}

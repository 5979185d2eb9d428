//! A clerk's day in the browser: sign in, register a letter and see its due date, request a
//! correction and see the clock restart, record a reply without a seal and see the finding,
//! print the letter.

use fantoccini::{Client, Locator};

use crate::helpers::{USER_PASSWORD, spawn_app_with};
use crate::{browser, click, driver, menu_in_one_row, screen, set, text, wait_for, wait_text};

/// Opens an action's form on the case page, fills it, and saves it.
async fn act(c: &Client, event: &str, fields: &[(&str, &str)]) {
    click(c, &format!("#act-{event} > summary")).await;
    for (id, value) in fields {
        set(c, id, value).await;
    }
    click(c, &format!("#act-{event} button[type=submit]")).await;
    // Saved: the page comes back with `done=<event>`; refused: with the reason in place.
    for _ in 0..100 {
        let url = c.current_url().await.expect("url");
        if url
            .query()
            .is_some_and(|q| q.contains(&format!("done={event}")))
        {
            return;
        }
        if let Ok(bad) = c.find(Locator::Css(".notice.bad")).await {
            panic!("{event} refused: {}", bad.text().await.unwrap_or_default());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{event}: the page did not come back");
}

#[actix_web::test]
async fn a_clerks_day_in_the_browser() {
    let app = spawn_app_with(|s| s.public_url = "http://127.0.0.1".into()).await;
    let dept = app
        .department("武鸣区自然资源局", "武自然信复", None, "450110")
        .await;
    app.user("liqing", "clerk", Some(dept)).await;
    let driver = driver();
    let c = browser(&driver).await;

    // Signing in: the desk is behind the login page.
    c.goto(&format!("{}/", app.base)).await.expect("open");
    wait_for(&c, "#username").await;
    assert!(
        c.current_url()
            .await
            .expect("url")
            .path()
            .starts_with("/login")
    );
    set(&c, "username", "liqing").await;
    set(&c, "password", USER_PASSWORD).await;
    screen(&c, "01-login").await;
    click(&c, "button[type=submit]").await;
    wait_for(&c, ".counts").await;
    assert!(text(&c, "h1").await.contains("工作台"));
    // One group of pages: in the top bar, no second row.
    menu_in_one_row(&c).await;
    assert!(c.find(Locator::Css("header nav.menu")).await.is_err());

    // Registering a registered letter signed for on 2026-11-18: the due date shows before
    // saving (20 working days on the Guangxi calendar), and again on the case page.
    c.goto(&format!("{}/cases/new", app.base))
        .await
        .expect("intake");
    wait_for(&c, "#intake-form").await;
    set(&c, "channel", "registered_mail").await;
    set(&c, "submitted_on", "2026-11-16").await;
    set(&c, "received_on", "2026-11-18").await;
    set(&c, "name", "张伟").await;
    set(&c, "items", "城厢镇香山片区土地征收补偿安置方案").await;
    wait_text(&c, "#preview-due", "2026-12-16").await;
    screen(&c, "02-intake").await;
    click(&c, "#intake-form button[type=submit]").await;
    wait_for(&c, "#due").await;
    let due = text(&c, "#due").await;
    assert!(due.contains("2026-12-16（周三）"), "{due}");
    assert!(text(&c, ".notice.ok").await.contains("已登记"));
    let case_url = c.current_url().await.expect("url");
    let case_path = case_url.path().to_owned();

    // A correction stops the clock; the corrected application starts it again (Art. 30).
    act(
        &c,
        "correction_requested",
        &[
            ("correction_requested-date", "2026-11-20"),
            ("corr-items", "请明确所需方案的具体地块范围"),
            ("corr-by", "2026-12-04"),
        ],
    )
    .await;
    assert!(text(&c, "h1").await.contains("待补正"));

    // The 补正告知书 is drafted from the case, recorded as sent and printed on A4.
    click(&c, "a[href$='/notices/correction']").await;
    wait_for(&c, "textarea#text").await;
    let draft = text(&c, "textarea#text").await;
    assert!(draft.contains("请明确所需方案的具体地块范围"), "{draft}");
    set(&c, "sent_on", "2026-11-20").await;
    click(
        &c,
        "form[action$='/notices/correction'] button[type=submit]",
    )
    .await;
    let sheet = wait_text(&c, ".sheet", "补正告知书").await;
    assert!(sheet.contains("2026年12月4日前提交补正材料"), "{sheet}");
    screen(&c, "07-notice").await;
    c.goto(&format!("{}{case_path}", app.base))
        .await
        .expect("back");
    wait_for(&c, "#documents").await;
    assert!(text(&c, ".timeline").await.contains("补正告知书"));

    // A scan of the envelope is attached to the case and can be downloaded.
    let scan = std::env::temp_dir().join(format!("ogi-envelope-{}.pdf", std::process::id()));
    std::fs::write(&scan, b"%PDF-1.4\n% envelope scan\n%%EOF\n").expect("scan");
    set(&c, "att-kind", "envelope").await;
    c.find(Locator::Css("#att-file"))
        .await
        .expect("file input")
        .send_keys(&scan.display().to_string())
        .await
        .expect("choose file");
    click(&c, "#documents form button[type=submit]").await;
    wait_text(&c, "#documents", "信封").await;
    let _ = std::fs::remove_file(&scan);
    act(
        &c,
        "correction_received",
        &[("correction_received-date", "2026-11-22")],
    )
    .await;
    let due = text(&c, "#due").await;
    assert!(
        due.contains("2026-12-18"),
        "the clock restarts from the correction: {due}"
    );
    screen(&c, "03-case").await;

    // The reply form from a draft: without a seal the checker says so, live.
    c.goto(&format!("{}{case_path}/reply?outcome=disclosed", app.base))
        .await
        .expect("reply form");
    wait_for(&c, "#reply-form").await;
    set(&c, "dispatched_on", "2026-11-22").await;
    wait_text(&c, "#findings", "未加盖印章").await;
    screen(&c, "04-reply").await;
    // Submitted for review; the bureau's supervisor approves it (the default chain),
    // overriding the missing seal; the clerk issues it from the review page.
    click(&c, "#reply-form button[type=submit]").await;
    wait_text(&c, "#review-status", "审核中").await;
    let id: i64 = case_path
        .trim_start_matches("/cases/")
        .parse()
        .expect("case id");
    let (_, sup) = app.user("wmsup", "supervisor", Some(dept)).await;
    let review = app.get(&format!("/api/v1/cases/{id}/review"), &sup).await;
    review.expect(200, None);
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/cases/{id}/review/decisions"),
        Some(&sup),
        Some(serde_json::json!({"decision": "approve", "override_reason": "当面送达，已另行加盖印章"})),
        &[("If-Match", &review.etag())],
    )
    .await
    .expect(200, None);
    c.refresh().await.expect("reload");
    wait_text(&c, "#review-status", "已审定").await;
    click(&c, "form[action$='/review/issue'] button[type=submit]").await;
    wait_for(&c, ".notice.ok").await;
    let page = c.source().await.expect("source");
    assert!(
        page.contains("答复书未加盖印章"),
        "the recorded reply keeps its finding"
    );
    assert!(text(&c, "h1").await.contains("已答复"));

    // The letter on A4: heading, the assigned number, the addressee.
    click(&c, "a[href$='/reply/print']").await;
    wait_for(&c, ".sheet").await;
    let sheet = text(&c, ".sheet").await;
    assert!(sheet.contains("武鸣区自然资源局"));
    assert!(sheet.contains("武自然信复〔2026〕1号"), "{sheet}");
    assert!(sheet.contains("张伟"));
    screen(&c, "05-print").await;

    // The desk lists nothing open now; search finds the case.
    c.goto(&format!("{}/cases?q=张伟", app.base))
        .await
        .expect("search");
    wait_for(&c, "table.list").await;
    assert!(text(&c, "table.list").await.contains("2026-0001"));
    screen(&c, "06-search").await;
    c.goto(&format!("{}/", app.base)).await.expect("desk");
    wait_for(&c, ".counts").await;
    screen(&c, "00-desk").await;

    c.close().await.expect("close");
}

//! The typical-case library in the browser: a supervisor marks a replied case typical,
//! reviews the anonymised copy beside the original and publishes it; a clerk finds it by
//! words and uses "按此答复" on an open case, which opens the reply form with the entry's
//! letter, then submits it for review as any reply.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app};
use crate::{
    browser, click, driver, menu_in_one_row, screen, set, sign_in, text, wait_for, wait_text,
};

async fn value(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

#[actix_web::test]
async fn supervisor_publishes_a_typical_case_and_a_clerk_answers_by_it() {
    let app = spawn_app().await;
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let dept = app
        .department("南宁市自然资源局", "南自然信复", Some(gov), "450100")
        .await;
    app.user("gongkaiban", "supervisor", Some(gov)).await;
    let (_, clerk) = app.user("liqing", "clerk", Some(dept)).await;

    // A replied case whose texts name the applicant, an ID number and a mobile number.
    let case = app
        .post(
            "/api/v1/cases",
            &clerk,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "覃建华", "id_number": "450102198805061237"},
                "channel": "in_person", "submitted_on": "2026-11-02", "received_on": "2026-11-02",
                "items": [{"description": "请公开覃建华（手机13877112345）名下房屋所在地块的征收补偿安置方案"}]
            }),
        )
        .await;
    let id = case.expect(201, None)["id"].as_i64().unwrap();
    let d = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed&issued_on=2026-11-20"),
            &clerk,
        )
        .await;
    let d = d.expect(200, None).clone();
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(true);
    body["seal_organ"] = json!("南宁市自然资源局");
    body["dispatched_on"] = json!("2026-11-20");
    body["text"] = json!(format!(
        "{}\n经核实，所申请的征收补偿安置方案已于2026年8月在本机关门户网站公布，联系电话13877112345的申请人可自行查阅。",
        d["text"].as_str().unwrap()
    ));
    app.issued_reply(&clerk, id, &case.etag(), body)
        .await
        .expect(201, None);
    // The clerk's open case to answer the same way.
    let open = app
        .post(
            "/api/v1/cases",
            &clerk,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": "黄丽"},
                "channel": "in_person", "submitted_on": "2026-11-16", "received_on": "2026-11-16",
                "items": [{"description": "那马镇某地块征收补偿安置方案"}]
            }),
        )
        .await;
    let open_id = open.expect(201, None)["id"].as_i64().unwrap();

    let driver = driver();
    let sup = browser(&driver).await;
    let c = browser(&driver).await;

    // The supervisor marks the replied case typical from its page.
    sign_in(&sup, &app.base, "gongkaiban", USER_PASSWORD).await;
    wait_for(&sup, ".counts").await;
    menu_in_one_row(&sup).await;
    sup.goto(&format!("{}/cases/{id}", app.base))
        .await
        .expect("case page");
    click(&sup, "#mark-typical summary").await;
    set(&sup, "typical-topics", "征收补偿、已主动公开").await;
    set(
        &sup,
        "typical-note",
        "所问为已主动公开的信息：告知获取途径的标准答复",
    )
    .await;
    sup.execute(
        "document.getElementById('mark-typical').closest('.card').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll");
    screen(&sup, "55-library-mark").await;
    click(&sup, "#mark-typical button[type=submit]").await;

    // Pending: the copy beside the original; the publisher checks and publishes.
    let status = wait_text(&sup, "#entry-status", "待审阅").await;
    assert!(status.contains("待审阅"));
    let original = text(&sup, "#original-letter").await;
    assert!(
        original.contains("覃建华") && original.contains("13877112345"),
        "{original}"
    );
    let copy = value(&sup, "edit-letter").await;
    assert!(
        !copy.contains("覃建华") && !copy.contains("13877112345"),
        "{copy}"
    );
    assert!(
        copy.contains("【姓名】") && copy.contains("【电话】"),
        "{copy}"
    );
    sup.execute("document.getElementById('review').scrollIntoView()", vec![])
        .await
        .expect("scroll");
    screen(&sup, "56-library-review").await;
    click(&sup, "#publish-form button[type=submit]").await;
    wait_text(&sup, "#entry-status", "已发布").await;
    // The case page now links to its entry instead of offering to mark it again.
    sup.goto(&format!("{}/cases/{id}", app.base))
        .await
        .expect("case page");
    wait_text(&sup, "#in-library", "已发布").await;

    // A clerk finds it by words.
    sign_in(&c, &app.base, "liqing", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    click(&c, "header nav a[href='/library']").await;
    wait_for(&c, "#library-search").await;
    menu_in_one_row(&c).await;
    set(&c, "q", "征收补偿").await;
    click(&c, "#library-search button[type=submit]").await;
    let list = wait_text(&c, "#library-list", "征收补偿安置方案").await;
    assert!(
        list.contains("予以公开") && list.contains("第三十六条第二项"),
        "{list}"
    );
    assert!(!list.contains("覃建华"), "{list}");
    screen(&c, "57-library-search").await;
    click(&c, "#library-list a[href^='/library/']").await;
    wait_for(&c, "#use-form").await;
    assert!(text(&c, "#entry-letter").await.contains("【姓名】"));
    set(&c, "use-case", &open_id.to_string()).await;
    screen(&c, "58-library-entry").await;

    // 按此答复: the reply form opens on the clerk's case with the entry's letter.
    click(&c, "#use-form button[type=submit]").await;
    wait_for(&c, "#reply-form").await;
    assert!(text(&c, "main").await.contains("草稿取自案例库"));
    let letter = value(&c, "text").await;
    assert!(letter.contains("黄丽："), "{letter}");
    assert!(
        letter.contains("已于2026年8月在本机关门户网站公布"),
        "{letter}"
    );
    assert!(
        !letter.contains("南自然信复〔2026〕1号"),
        "the old 文号 is not reused: {letter}"
    );
    assert_eq!(value(&c, "outcome").await, "disclosed");
    screen(&c, "59-library-reply").await;

    // It goes the usual way: the clerk fixes the wording and submits it for review.
    set(
        &c,
        "text",
        &letter.replace("联系电话【电话】的申请人", "您"),
    )
    .await;
    click(&c, "input[name=sealed]").await;
    set(&c, "seal_organ", "南宁市自然资源局").await;
    click(&c, "#reply-form button[type=submit]").await;
    wait_text(&c, "#review-status", "审核中").await;
    let review = app
        .get(&format!("/api/v1/cases/{open_id}/review"), &clerk)
        .await;
    let review = review.expect(200, None);
    assert!(
        review["content"]["text"]
            .as_str()
            .unwrap()
            .contains("已于2026年8月在本机关门户网站公布")
    );
    let _ = (sup.close().await, c.close().await);
}

//! An online application's whole journey in the browser (issue 20): the applicant submits
//! on the public form and gets a query code; the clerk confirms receipt on the desk; the
//! applicant sees the due date; the clerk asks for a 补正; the applicant answers it online;
//! the clerk replies through review and issue; the applicant reads, prints and downloads
//! the reply. Screens 70–79.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app_with};
use crate::{browser, click, driver, screen, set, sign_in, text, wait_for, wait_text};

/// Opens an action's form on the case page, fills it, and saves it (as in clerk.rs).
async fn act(c: &Client, event: &str, fields: &[(&str, &str)]) {
    click(c, &format!("#act-{event} > summary")).await;
    for (id, value) in fields {
        set(c, id, value).await;
    }
    click(c, &format!("#act-{event} button[type=submit]")).await;
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

/// The applicant looks the application up with the code.
async fn look_up(a: &Client, base: &str, code: &str) {
    a.goto(&format!("{base}/apply/status"))
        .await
        .expect("status");
    wait_for(a, "#code").await;
    set(a, "code", code).await;
    click(a, "main form button[type=submit]").await;
    wait_text(a, "main", "办理状态").await;
}

#[actix_web::test]
async fn applicant_submits_online_clerk_confirms_corrects_and_replies_applicant_downloads() {
    let app = spawn_app_with(|s| s.public_url = "http://127.0.0.1".into()).await;
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({
                "name": "武鸣区自然资源局", "code": "武自然信复", "kind": "department",
                "level": "county", "parent_id": null, "region": "450110",
                "address": "南宁市武鸣区城厢镇灵源路1号", "phone": "0771-6221234",
                "office_name": "武鸣区自然资源局办公室", "office_hours": "工作日 8:30—12:00，14:30—17:30",
                "fax": "0771-6221235",
                "reconsideration_organ": {"name": "南宁市武鸣区人民政府", "address": "武鸣区城厢镇", "phone": "0771-6222000"},
                "court": {"name": "南宁市武鸣区人民法院"}
            }),
        )
        .await;
    let dept = r.expect(201, None)["id"].as_i64().unwrap();
    app.user("liqing", "clerk", Some(dept)).await;
    app.user("juzhang", "supervisor", Some(dept)).await;

    let driver = driver();
    let a = browser(&driver).await;
    let c = browser(&driver).await;

    // The applicant picks the department and fills in its form; a phone of blanks is
    // refused next to the field, with everything typed kept.
    a.goto(&format!("{}/apply", app.base)).await.expect("apply");
    wait_for(&a, "table.list").await;
    screen(&a, "70-apply-departments").await;
    click(&a, &format!("a[href='/apply/{dept}']")).await;
    wait_for(&a, "#apply-form").await;
    set(&a, "applicant.type", "natural_person").await;
    set(&a, "applicant.name", "黄晓明").await;
    set(&a, "applicant.id_number", "450103199001011234").await;
    set(&a, "applicant.phone", "  ").await;
    set(&a, "applicant.email", "huang@example.com").await;
    set(
        &a,
        "items",
        "2025年城厢镇香山片区土地征收补偿安置方案\n上述方案的批准文件",
    )
    .await;
    set(&a, "delivery_preference", "online").await;
    click(&a, "#apply-form button[type=submit]").await;
    let err = wait_text(&a, "#apply-form", "请填写联系电话").await;
    assert!(err.contains("请填写联系电话"), "{err}");
    assert_eq!(
        a.find(Locator::Id("applicant.name"))
            .await
            .expect("name")
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some("黄晓明")
    );
    screen(&a, "71-apply-inline-error").await;
    set(&a, "applicant.phone", "13800000000").await;
    let scan = std::env::temp_dir().join(format!("ogi-id-{}.pdf", std::process::id()));
    std::fs::write(&scan, b"%PDF-1.4\n% id scan\n%%EOF\n").expect("scan");
    a.find(Locator::Id("file_id"))
        .await
        .expect("file input")
        .send_keys(&scan.display().to_string())
        .await
        .expect("choose file");
    click(&a, "#apply-form button[type=submit]").await;
    let code = wait_text(&a, "#query-code", " ").await;
    let _ = std::fs::remove_file(&scan);
    let digits: String = code.chars().filter(|ch| !ch.is_whitespace()).collect();
    assert_eq!(digits.len(), 40, "{code}");
    screen(&a, "72-apply-submitted").await;

    // Before the clerk confirms: no receipt date, no due date.
    look_up(&a, &app.base, &code).await;
    assert!(text(&a, "#received").await.contains("尚待工作人员与您确认"));
    assert!(text(&a, "#due").await.contains("确认收到申请后显示"));
    assert!(text(&a, "#next").await.contains("等待工作人员"));
    screen(&a, "73-status-unconfirmed").await;

    // The clerk finds it on the desk among the unconfirmed receipts, phones the applicant
    // and confirms receipt today (Sun 2026-11-22): due Fri 2026-12-18.
    sign_in(&c, &app.base, "liqing", USER_PASSWORD).await;
    wait_for(&c, ".counts").await;
    let waiting = text(&c, "#unconfirmed + table").await;
    assert!(
        waiting.contains("黄晓明") && waiting.contains("网上申请") && waiting.contains("今天提交"),
        "{waiting}"
    );
    screen(&c, "74-desk-unconfirmed").await;
    click(&c, "#unconfirmed + table a[href^='/cases/']").await;
    wait_for(&c, "#due").await;
    let case_path = c.current_url().await.expect("url").path().to_owned();
    let id: i64 = case_path.rsplit('/').next().unwrap().parse().unwrap();
    assert!(text(&c, "#documents").await.contains("身份证明"));
    act(
        &c,
        "receipt_confirmed",
        &[("receipt_confirmed-date", "2026-11-22")],
    )
    .await;
    assert!(text(&c, "#due").await.contains("2026-12-18"));

    look_up(&a, &app.base, &code).await;
    let due = text(&a, "#due").await;
    assert!(due.contains("2026-12-18（周五）"), "{due}");
    assert!(text(&a, "#received").await.contains("2026-11-22"));
    screen(&a, "75-status-due-date").await;

    // The clerk asks for a correction; the applicant sees it with its deadline and answers
    // online: the correction is received today and the 20 working days restart from it.
    act(
        &c,
        "correction_requested",
        &[
            ("correction_requested-date", "2026-11-22"),
            ("corr-items", "请写明所需批准文件的文号或批准机关"),
            ("corr-by", "2026-12-04"),
        ],
    )
    .await;
    look_up(&a, &app.base, &code).await;
    let corr = text(&a, "#correction").await;
    assert!(
        corr.contains("请写明所需批准文件的文号或批准机关"),
        "{corr}"
    );
    assert!(corr.contains("2026-12-04"), "{corr}");
    set(
        &a,
        "text",
        "所需批准文件为南宁市人民政府的征地批复（南府复〔2025〕12号）",
    )
    .await;
    let proof = std::env::temp_dir().join(format!("ogi-proof-{}.pdf", std::process::id()));
    std::fs::write(&proof, b"%PDF-1.4\n% proof\n%%EOF\n").expect("proof");
    a.find(Locator::Id("file_support"))
        .await
        .expect("file input")
        .send_keys(&proof.display().to_string())
        .await
        .expect("choose file");
    a.execute(
        "document.getElementById('correction').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll");
    screen(&a, "76-status-correction").await;
    click(&a, "#correction button[type=submit]").await;
    wait_text(&a, ".notice.ok", "补正已提交").await;
    let _ = std::fs::remove_file(&proof);
    assert!(
        text(&a, "#correction")
            .await
            .contains("已于 2026-11-22（周日） 收到您的补正")
    );
    let due = text(&a, "#due").await;
    assert!(due.contains("2026-12-18"), "{due}");

    // On the clerk's side the correction is an ordinary `correction_received`.
    c.goto(&format!("{}{case_path}", app.base))
        .await
        .expect("case");
    wait_for(&c, "#due").await;
    assert!(text(&c, ".timeline").await.contains("收到补正"));
    assert!(text(&c, "#documents").await.contains("ogi-proof-"));

    // The clerk replies: drafted, sealed, submitted for review, approved, issued.
    c.goto(&format!("{}/cases/{id}/reply?outcome=disclosed", app.base))
        .await
        .expect("reply form");
    wait_for(&c, "#reply-form").await;
    set(&c, "dispatched_on", "2026-11-22").await;
    set(&c, "issued_on", "2026-11-22").await;
    click(&c, "input[name=sealed]").await;
    set(&c, "seal_organ", "武鸣区自然资源局").await;
    click(&c, "#reply-form button[type=submit]").await;
    wait_text(&c, "#review-status", "审核中").await;
    let head = browser(&driver).await;
    sign_in(&head, &app.base, "juzhang", USER_PASSWORD).await;
    wait_for(&head, ".counts").await;
    head.goto(&format!("{}/cases/{id}/review", app.base))
        .await
        .expect("review");
    wait_for(&head, "#review-status").await;
    click(&head, "button[value=approve]").await;
    wait_text(&head, "#review-status", "已审定").await;
    c.goto(&format!("{}/cases/{id}/review", app.base))
        .await
        .expect("review");
    wait_text(&c, "#review-status", "已审定").await;
    click(&c, "form[action$='/review/issue'] button[type=submit]").await;
    wait_for(&c, ".notice.ok").await;
    assert!(text(&c, "h1").await.contains("已答复"));

    // The applicant reads the reply, prints it, and downloads the .docx.
    look_up(&a, &app.base, &code).await;
    let reply = text(&a, "#reply").await;
    assert!(reply.contains("武自然信复〔2026〕1号"), "{reply}");
    assert!(reply.contains("黄晓明"), "{reply}");
    assert!(text(&a, "#next").await.contains("答复书已于"));
    a.execute("document.getElementById('reply').scrollIntoView()", vec![])
        .await
        .expect("scroll");
    screen(&a, "77-status-reply").await;
    click(&a, "#reply button[value=print]").await;
    let sheet = wait_text(&a, ".sheet", "武自然信复〔2026〕1号").await;
    assert!(sheet.contains("武鸣区自然资源局"), "{sheet}");
    screen(&a, "78-reply-print").await;
    let docx = app
        .client
        .post(format!("{}/apply/status/letter", app.base))
        .form(&[("code", code.as_str()), ("format", "docx")])
        .send()
        .await
        .expect("download");
    assert_eq!(docx.status().as_u16(), 200);
    assert!(
        docx.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = docx.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a .docx is a zip");

    // The department's 指南 names what the letters name: its address and phone.
    a.goto(&format!("{}/apply/{dept}/guide", app.base))
        .await
        .expect("guide");
    let guide = wait_text(&a, "main", "0771-6221234").await;
    for fact in [
        "南宁市武鸣区城厢镇灵源路1号",
        "武鸣区自然资源局办公室",
        "工作日 8:30—12:00，14:30—17:30",
        "0771-6221235",
        "不收取信息处理费",
    ] {
        assert!(guide.contains(fact), "{fact} not in {guide}");
    }
    assert!(!guide.contains("liqing") && !guide.contains("juzhang"));
    screen(&a, "79-apply-guide").await;

    for client in [a, c, head] {
        client.close().await.expect("close");
    }
}

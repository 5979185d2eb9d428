//! Online applications (issue 20) through the public JSON doors: an application submitted
//! without an account gets a query code once; the code shows the state, and the receipt
//! and due dates only after a clerk confirmed receipt (Art. 31(3)); wrong codes — malformed
//! or well-formed — all get the one same answer and are then rate limited per address.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, USER_PASSWORD, spawn_app, spawn_app_on, spawn_app_with};

/// A department with the address and phone every public mail names.
async fn department(app: &TestApp) -> i64 {
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({
                "name": "南宁市自然资源局", "code": "南自然信复", "kind": "department",
                "level": "city", "parent_id": null, "region": "450100",
                "address": "南宁市青秀区民族大道1号", "phone": "0771-5550100",
                "reconsideration_organ": {"name": "南宁市人民政府", "address": "南宁市民族大道", "phone": "0771-1"},
                "court": {"name": "南宁市中级人民法院"}
            }),
        )
        .await;
    r.expect(201, None);
    r.body["id"].as_i64().unwrap()
}

fn application(dept: i64) -> Value {
    json!({
        "department_id": dept,
        "applicant": {"type": "natural_person", "name": "黄晓明", "id_number": "450103199001011234",
                      "phone": "13800000000", "email": "huang@example.com", "address": null},
        "items": [{"description": "2025年青秀区土地征收补偿方案"}, {"description": "上述方案的批准文件"}],
        "purpose": "了解补偿标准",
        "delivery_preference": "email"
    })
}

async fn public(app: &TestApp, path: &str, body: Value) -> Resp {
    app.request(Method::POST, path, None, Some(body), &[]).await
}

async fn public_from(app: &TestApp, path: &str, body: Value, forwarded: &str) -> Resp {
    app.request(
        Method::POST,
        path,
        None,
        Some(body),
        &[("X-Forwarded-For", forwarded)],
    )
    .await
}

#[actix_web::test]
async fn a_code_shows_the_due_date_only_after_the_clerk_confirmed_receipt() {
    let app = spawn_app().await;
    let dept = department(&app).await;
    app.post(
        "/api/v1/users",
        &app.admin_token,
        json!({"username": "clerk1", "display_name": "李承办", "role": "clerk",
               "department_id": dept, "password": USER_PASSWORD}),
    )
    .await
    .expect(201, None);
    let clerk = app.login("clerk1", USER_PASSWORD).await;

    // Field rules of the online form: a phone to confirm with, and the honeypot.
    let mut no_phone = application(dept);
    no_phone["applicant"]["phone"] = Value::Null;
    let r = public(&app, "/api/v1/public/applications", no_phone).await;
    r.expect(422, Some("validation_failed"));
    assert!(
        r.body["fields"]["applicant.phone"].is_string(),
        "{}",
        r.body
    );
    let mut robot = application(dept);
    robot["website"] = json!("http://spam.example");
    let r = public(&app, "/api/v1/public/applications", robot).await;
    r.expect(422, Some("validation_failed"));
    assert!(r.body["fields"]["website"].is_string(), "{}", r.body);

    let r = public(&app, "/api/v1/public/applications", application(dept)).await;
    let done = r.expect(201, None).clone();
    let code = done["code"].as_str().unwrap().to_owned();
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(digits.len(), 40, "160 bits as hex: {code}");
    assert!(digits.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(done["department"], "南宁市自然资源局");
    assert_eq!(done["submitted_on"], "2026-11-22");
    assert_eq!(done["mailed"], true);

    // The clerk sees an online case with no receipt date, on the desk's unconfirmed list.
    let list = app.get("/api/v1/cases", &clerk).await;
    let items = list.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let id = items[0]["id"].as_i64().unwrap();
    let case = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
    let body = case.expect(200, None);
    assert_eq!(body["channel"], "online");
    assert_eq!(body["received_on"], Value::Null);
    assert_eq!(body["flags"]["receipt_unconfirmed"], true);
    assert_eq!(body["applicant"]["type"], "natural_person");
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(body["delivery_preference"], "email");
    let etag = case.etag();

    // The code was mailed to the applicant; it appears nowhere in the case.
    let mails = app.get("/api/v1/outbox", &app.admin_token).await;
    let mails = mails.expect(200, None)["items"].as_array().unwrap().clone();
    let coded: Vec<&Value> = mails
        .iter()
        .filter(|m| m["recipient"] == "huang@example.com")
        .filter(|m| m["body"].as_str().unwrap_or_default().contains(&code))
        .collect();
    assert_eq!(coded.len(), 1, "{mails:?}");
    assert!(!body.to_string().contains(&digits));
    // Only the code's SHA-256 is stored: the hash finds the case, the code itself nothing.
    {
        use sha2::Digest;
        let hash: String = sha2::Sha256::digest(digits.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut conn = ogi_tracker::store::checkout(&app.pool).unwrap();
        assert_eq!(
            ogi_tracker::store::online::case_of(&mut conn, &hash).unwrap(),
            Some(id)
        );
        assert_eq!(
            ogi_tracker::store::online::case_of(&mut conn, &digits).unwrap(),
            None
        );
    }

    // Before confirmation: the state, no receipt date, no due date. Spaces and case in the
    // code do not matter.
    let typed = digits.to_uppercase();
    let r = public(&app, "/api/v1/public/status", json!({"code": typed})).await;
    let s = r.expect(200, None);
    assert_eq!(s["received_on"], Value::Null);
    assert_eq!(s["due_on"], Value::Null);
    assert_eq!(s["case_number"], body["case_number"]);
    assert_eq!(s["items"][1], "上述方案的批准文件");
    // Nothing personal and nothing about staff on the public answer.
    let text = s.to_string();
    for secret in [
        "黄晓明",
        "450103199001011234",
        "13800000000",
        "李承办",
        "clerk1",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }

    // The clerk confirms on Sunday 2026-11-22: day 1 is Mon 11-23, the 20th working day
    // is Fri 2026-12-18 (no holiday in between).
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(&clerk),
        Some(json!({"type": "receipt_confirmed", "date": "2026-11-22"})),
        &[("If-Match", &etag)],
    )
    .await
    .expect(201, None);
    let r = public(&app, "/api/v1/public/status", json!({"code": code})).await;
    let s = r.expect(200, None);
    assert_eq!(s["received_on"], "2026-11-22");
    assert_eq!(s["due_on"], "2026-12-18");
    assert_eq!(s["working_days_remaining"], 20);
    assert!(!s["steps"].as_array().unwrap().is_empty());
    assert_eq!(s["reply"], Value::Null);
    assert_eq!(s["can_correct"], false);
}

#[actix_web::test]
async fn a_hundred_wrong_codes_get_one_answer_and_then_a_429() {
    let app = spawn_app().await;
    let dept = department(&app).await;
    let r = public(&app, "/api/v1/public/applications", application(dept)).await;
    let code = r.expect(201, None)["code"].as_str().unwrap().to_owned();

    let mut first: Option<(u16, Value)> = None;
    for i in 0..100u32 {
        // Half malformed, half well-formed (40 hex digits) but unknown.
        let wrong = if i % 2 == 0 {
            format!("guess-{i}")
        } else {
            format!("{:040x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15)
        };
        let r = public(&app, "/api/v1/public/status", json!({"code": wrong})).await;
        let answer = (r.status.as_u16(), r.body.clone());
        assert_eq!(answer.0, 404, "{}", r.body);
        match &first {
            None => first = Some(answer),
            Some(f) => assert_eq!(&answer, f, "code {wrong} answered differently"),
        }
    }
    assert_eq!(first.unwrap().1["code"], "not_found");

    // The 101st look-up from the address is refused, even with the right code.
    let r = public(&app, "/api/v1/public/status", json!({"code": code})).await;
    r.expect(429, Some("rate_limited"));
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
}

#[actix_web::test]
async fn submits_are_limited_per_client_address_behind_a_trusted_proxy() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = vec![ogi_tracker::config::ProxyNet::parse("127.0.0.1").unwrap()];
    })
    .await;
    let dept = department(&app).await;
    for _ in 0..10 {
        public_from(
            &app,
            "/api/v1/public/applications",
            application(dept),
            "203.0.113.7",
        )
        .await
        .expect(201, None);
    }
    let r = public_from(
        &app,
        "/api/v1/public/applications",
        application(dept),
        "203.0.113.7",
    )
    .await;
    r.expect(429, Some("rate_limited"));
    // Another address behind the same proxy is not affected.
    public_from(
        &app,
        "/api/v1/public/applications",
        application(dept),
        "198.51.100.9",
    )
    .await
    .expect(201, None);
}

#[actix_web::test]
async fn the_lookup_page_answers_wrong_codes_alike_and_then_a_chinese_429_page() {
    let app = spawn_app().await;
    let page = |code: String| {
        app.client
            .post(format!("{}/apply/status", app.base))
            .form(&[("code", code)])
            .send()
    };
    let first = page("abc".into()).await.unwrap();
    assert_eq!(first.status().as_u16(), 404);
    let first = first.text().await.unwrap();
    assert!(first.contains("未找到与该查询码对应的申请"), "{first}");
    for i in 1..100u32 {
        let r = page(format!("{i:040x}")).await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
        assert_eq!(r.text().await.unwrap(), first);
    }
    let r = page("abc".into()).await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("请求过于频繁") && body.contains("/apply"),
        "{body}"
    );
    assert!(
        !body.contains("工作台"),
        "no way into the staff pages: {body}"
    );
}

#[actix_web::test]
async fn the_mailed_code_is_not_kept_in_the_outbox_once_delivered() {
    let app = spawn_app().await;
    let dept = department(&app).await;
    let r = public(&app, "/api/v1/public/applications", application(dept)).await;
    let code = r.expect(201, None)["code"].as_str().unwrap().to_owned();
    let outbox_bodies = || async {
        let mails = app.get("/api/v1/outbox", &app.admin_token).await;
        mails.expect(200, None)["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["recipient"] == "huang@example.com")
            .map(|m| (m["status"].clone(), m["body"].as_str().unwrap().to_owned()))
            .collect::<Vec<_>>()
    };
    // Queued: the row holds the code until it is sent.
    let queued = outbox_bodies().await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert!(queued[0].1.contains(&code));

    let smtp = crate::smtp::SmtpSink::start();
    let out = app
        .cli_command(
            &["notify", "--as-of", "2026-11-22"],
            &[("OGI_SMTP_URL", &smtp.url())],
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The applicant got the code; the outbox no longer holds it.
    let got = smtp.messages.lock().unwrap().clone();
    let to_applicant: Vec<_> = got
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("huang@example.com")))
        .collect();
    assert_eq!(to_applicant.len(), 1);
    assert!(to_applicant[0].body().contains(&code));
    let sent = outbox_bodies().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "sent");
    assert!(!sent[0].1.contains(&code), "{}", sent[0].1);
    assert!(sent[0].1.contains("查询码"), "{}", sent[0].1);
}

/// The online 补正 form as the status page sends it (multipart: the code and the text).
async fn send_correction(app: &TestApp, code: &str, text: &str) -> (u16, String) {
    let boundary = "----ogi-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n{code}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{text}\r\n\
         --{boundary}--\r\n"
    );
    let r = app
        .client
        .post(format!("{}/apply/status/correction", app.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[actix_web::test]
async fn no_online_correction_once_the_correction_period_has_ended() {
    // Submitted, confirmed and asked to correct early in November ...
    let early = spawn_app_with(|s| s.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2)).await;
    let dept = department(&early).await;
    let (_, clerk) = early.user("clerk1", "clerk", Some(dept)).await;
    let r = public(&early, "/api/v1/public/applications", application(dept)).await;
    let code = r.expect(201, None)["code"].as_str().unwrap().to_owned();
    let list = early.get("/api/v1/cases", &clerk).await;
    let id = list.expect(200, None)["items"][0]["id"].as_i64().unwrap();
    let mut etag = early
        .get(&format!("/api/v1/cases/{id}"), &clerk)
        .await
        .etag();
    for event in [
        json!({"type": "receipt_confirmed", "date": "2026-11-02"}),
        json!({"type": "correction_requested", "date": "2026-11-02",
               "items": ["请写明所需方案的地块名称"], "respond_by": "2026-11-10"}),
    ] {
        let r = early
            .request(
                Method::POST,
                &format!("/api/v1/cases/{id}/events"),
                Some(&clerk),
                Some(event),
                &[("If-Match", &etag)],
            )
            .await;
        r.expect(201, None);
        etag = early
            .get(&format!("/api/v1/cases/{id}"), &clerk)
            .await
            .etag();
    }
    let r = public(&early, "/api/v1/public/status", json!({"code": code})).await;
    assert_eq!(r.expect(200, None)["can_correct"], true);

    // ... and looked up on 11-22, past the period of 11-10 (Art. 30: 逾期不补正视为放弃).
    let later = spawn_app_on(early.db_url.clone(), crate::helpers::TestDb::Kept, |_| {}).await;
    let r = public(&later, "/api/v1/public/status", json!({"code": code})).await;
    let s = r.expect(200, None);
    assert_eq!(s["can_correct"], false, "{s}");
    assert_eq!(s["correction"]["respond_by"], "2026-11-10");
    let (status, page) = send_correction(&later, &code, "地块名称为青秀区凤岭北片区").await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("补正期限"), "{page}");

    // The clock did not restart: the clerk may still record the lapse.
    let r = later.get(&format!("/api/v1/cases/{id}"), &clerk).await;
    assert_eq!(r.expect(200, None)["status"], "awaiting_correction");
    later
        .request(
            Method::POST,
            &format!("/api/v1/cases/{id}/events"),
            Some(&clerk),
            Some(json!({"type": "correction_lapsed", "date": "2026-11-22"})),
            &[("If-Match", &r.etag())],
        )
        .await
        .expect(201, None);
}

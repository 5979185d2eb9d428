//! Mail end to end: changes and scans queue mails in the outbox; `ogi-tracker notify` sends
//! them to a real SMTP peer on loopback, once each, through outages and concurrent senders.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, USER_PASSWORD, spawn_app};
use crate::smtp::SmtpSink;

struct Office {
    dept: i64,
    clerk: String,
    clerk_id: i64,
}

async fn office(app: &TestApp) -> Office {
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({"name": "南宁市交通运输局", "code": "南交信复", "kind": "department", "level": "city",
                   "region": "450100", "address": "南宁市民族大道1号", "phone": "0771-1234567"}),
        )
        .await;
    let dept = r.expect(201, None)["id"].as_i64().unwrap();
    let u = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": "li.clerk", "display_name": "李承办", "email": "li@nn.gov.cn", "role": "clerk",
                   "department_id": dept, "password": USER_PASSWORD}),
        )
        .await;
    let clerk_id = u.expect(201, None)["id"].as_i64().unwrap();
    app.post(
        "/api/v1/users",
        &app.admin_token,
        json!({"username": "zhao.sup", "display_name": "赵监督", "email": "zhao@nn.gov.cn", "role": "supervisor",
               "department_id": dept, "password": USER_PASSWORD}),
    )
    .await
    .expect(201, None);
    Office {
        dept,
        clerk: app.login("li.clerk", USER_PASSWORD).await,
        clerk_id,
    }
}

async fn case(app: &TestApp, o: &Office, received: &str, email: &str) -> Resp {
    let r = app
        .post(
            "/api/v1/cases",
            &o.clerk,
            json!({"department_id": o.dept, "channel": "in_person", "submitted_on": received,
                   "applicant": {"type": "natural_person", "name": "张三", "email": email},
                   "delivery_preference": "email",
                   "items": [{"description": "2024年道路养护资金使用情况"}]}),
        )
        .await;
    r.expect(201, None);
    r
}

fn notify(app: &TestApp, as_of: &str, smtp: &str) -> Value {
    let out = app
        .cli_command(&["notify", "--as-of", as_of], &[("OGI_SMTP_URL", smtp)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[actix_web::test]
async fn acknowledgements_and_notice_copies_are_sent_once() {
    let app = spawn_app().await;
    let smtp = SmtpSink::start();
    let o = office(&app).await;
    let r = case(&app, &o, "2024-09-27", "zhangsan@example.cn").await;

    let report = notify(&app, "2024-09-27", &smtp.url());
    assert_eq!(report["send"]["sent"], 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["zhangsan@example.cn"]);
    assert!(
        mails[0].subject().contains("受理回执"),
        "{}",
        mails[0].subject()
    );
    let body = mails[0].body();
    for must in [
        r.body["case_number"].as_str().unwrap(),
        "2024-09-27",
        "2024-10-30",
        "0771-1234567",
    ] {
        assert!(body.contains(must), "{must} missing in {body}");
    }
    // The case in the API needs a login: mails to the public carry no link to it.
    assert!(!body.contains("/api/v1/"), "{body}");
    assert!(!body.contains("secret"));

    // A correction notice goes out as a copy; a repeated pass sends nothing new.
    let id = r.body["id"].as_i64().unwrap();
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(&o.clerk),
        Some(json!({"type": "correction_requested", "date": "2024-09-30", "items": ["身份证明"], "respond_by": "2024-10-15"})),
        &[("If-Match", &r.etag())],
    )
    .await
    .expect(201, None);
    notify(&app, "2024-09-30", &smtp.url());
    notify(&app, "2024-09-30", &smtp.url());
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    assert!(mails[1].subject().contains("补正通知"));
    assert!(mails[1].body().contains("1. 身份证明"));
    let outbox = app
        .get("/api/v1/outbox?status=sent", &app.admin_token)
        .await;
    assert_eq!(
        outbox.expect(200, None)["items"].as_array().unwrap().len(),
        2
    );
    app.get("/api/v1/outbox", &o.clerk)
        .await
        .expect(403, Some("forbidden"));
}

#[actix_web::test]
async fn reminders_fall_on_the_right_working_days_across_a_holiday() {
    let app = spawn_app().await;
    let smtp = SmtpSink::start();
    let o = office(&app).await;
    // Received 2024-09-03 in Guangxi: due 2024-10-08, right after the 国庆 break.
    let r = case(&app, &o, "2024-09-03", "wang@example.cn").await;
    assert_eq!(r.body["due_on"], "2024-10-08");
    let id = r.body["id"].as_i64().unwrap();
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(&o.clerk),
        Some(json!({"type": "assigned", "date": "2024-09-04", "user_id": o.clerk_id})),
        &[("If-Match", &r.etag())],
    )
    .await
    .expect(201, None);
    notify(&app, "2024-09-03", &smtp.url()); // the acknowledgement
    let mut reminders = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2024, 9, 20).unwrap();
    while day <= chrono::NaiveDate::from_ymd_opt(2024, 10, 8).unwrap() {
        let before = smtp.received().len();
        notify(&app, &day.to_string(), &smtp.url());
        for m in &smtp.received()[before..] {
            if m.to == ["li@nn.gov.cn"] {
                reminders.push((day.to_string(), m.subject()));
            }
        }
        day = day.succ_opt().unwrap();
    }
    // Five working days left on Wed 09-25 (09-26, 09-27, Sun 09-29 调休, 09-30, 10-08);
    // two left on the make-up working Sunday 09-29.
    let days: Vec<&str> = reminders.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(days, ["2024-09-25", "2024-09-29"], "{reminders:?}");
    assert!(reminders[0].1.contains("还剩5个工作日") && reminders[1].1.contains("还剩2个工作日"));

    // The next working day after the due date, the supervisor's digest lists it.
    let before = smtp.received().len();
    notify(&app, "2024-10-09", &smtp.url());
    let digest: Vec<_> = smtp.received()[before..]
        .iter()
        .filter(|m| m.to == ["zhao@nn.gov.cn"])
        .cloned()
        .collect();
    assert_eq!(digest.len(), 1);
    assert!(
        digest[0]
            .body()
            .contains(r.body["case_number"].as_str().unwrap())
    );
    assert!(digest[0].body().contains("超期1个工作日"));
    notify(&app, "2024-10-09", &smtp.url());
    assert_eq!(
        smtp.received().len(),
        before + 1,
        "a second scan of the same day sends nothing new"
    );
}

#[actix_web::test]
async fn an_smtp_outage_keeps_mail_until_a_later_pass_delivers_it_once() {
    let app = spawn_app().await;
    let o = office(&app).await;
    case(&app, &o, "2024-09-27", "a@example.cn").await;
    case(&app, &o, "2024-09-27", "b@example.cn").await;
    // A port nothing listens on: the server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("smtp://127.0.0.1:{port}");
    let report = notify(&app, "2024-09-27", &down);
    assert_eq!(
        (
            report["send"]["sent"].as_i64(),
            report["send"]["retrying"].as_i64()
        ),
        (Some(0), Some(2))
    );
    let pending = app
        .get("/api/v1/outbox?status=pending", &app.admin_token)
        .await;
    let items = pending.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|m| m["attempts"] == 1 && m["last_error"].is_string())
    );

    let smtp = SmtpSink::start_on(port);
    notify(&app, "2024-09-28", &smtp.url());
    notify(&app, "2024-09-28", &smtp.url());
    let mut to: Vec<String> = smtp.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["a@example.cn", "b@example.cn"]);
}

#[actix_web::test]
async fn a_mail_that_keeps_failing_ends_failed_and_can_be_retried() {
    let app = spawn_app().await;
    let o = office(&app).await;
    case(&app, &o, "2024-09-27", "a@example.cn").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("smtp://127.0.0.1:{port}");
    for _ in 0..6 {
        notify(&app, "2024-09-27", &down);
    }
    let failed = app
        .get("/api/v1/outbox?status=failed", &app.admin_token)
        .await;
    let items = failed.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let id = items[0]["id"].as_i64().unwrap();
    let retried = app
        .request(
            Method::POST,
            &format!("/api/v1/outbox/{id}/retry"),
            Some(&app.admin_token),
            None,
            &[],
        )
        .await;
    assert_eq!(retried.expect(200, None)["status"], "pending");
    app.request(
        Method::POST,
        &format!("/api/v1/outbox/{id}/retry"),
        Some(&app.admin_token),
        None,
        &[],
    )
    .await
    .expect(409, Some("not_failed"));
    let smtp = SmtpSink::start_on(port);
    notify(&app, "2024-09-27", &smtp.url());
    assert_eq!(smtp.received().len(), 1);
}

#[actix_web::test]
async fn two_concurrent_senders_deliver_each_mail_once() {
    let app = spawn_app().await;
    let smtp = SmtpSink::start();
    let o = office(&app).await;
    for i in 0..12 {
        case(&app, &o, "2024-09-27", &format!("p{i}@example.cn")).await;
    }
    let url = smtp.url();
    let senders: Vec<_> = (0..2)
        .map(|_| {
            app.cli_command(
                &["notify", "--as-of", "2024-09-27"],
                &[("OGI_SMTP_URL", &url)],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    for s in senders {
        assert!(s.wait_with_output().unwrap().status.success());
    }
    let mut to: Vec<String> = smtp.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let unique: std::collections::BTreeSet<&String> = to.iter().collect();
    assert_eq!(to.len(), 12, "each mail once: {to:?}");
    assert_eq!(unique.len(), 12);
}

#[actix_web::test]
async fn a_consultation_that_ran_out_is_reminded_without_anyone_opening_a_list() {
    let app = spawn_app().await;
    let smtp = SmtpSink::start();
    let o = office(&app).await;
    // Braces typed by an applicant are text, not template placeholders.
    // Received 2026-11-02; the consultation of 11-20 is still open "today" (2026-11-22),
    // so the case is stored as paused.
    let r = case(&app, &o, "2026-11-02", "{{x}}@example.cn").await;
    let id = r.body["id"].as_i64().unwrap();
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(&o.clerk),
        Some(json!({"type": "consultation_started", "date": "2026-11-20", "party": "third_party", "consulted": "{{某公司}}"})),
        &[("If-Match", &r.etag())],
    )
    .await
    .expect(201, None);
    let stored = app.get("/api/v1/cases?status=paused", &o.clerk).await;
    assert_eq!(stored.body["items"].as_array().unwrap().len(), 1);
    // The third party never answers; after 15 working days the clock runs again, and by
    // late January the case is long overdue. Nobody has opened a list since.
    let before = smtp.received().len();
    notify(&app, "2027-01-20", &smtp.url());
    let digest: Vec<_> = smtp.received()[before..]
        .iter()
        .filter(|m| m.to == ["zhao@nn.gov.cn"])
        .cloned()
        .collect();
    assert_eq!(digest.len(), 1, "the supervisor hears of it");
    assert!(
        digest[0]
            .body()
            .contains(r.body["case_number"].as_str().unwrap())
    );
}

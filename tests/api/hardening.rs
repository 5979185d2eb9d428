//! Hostile input and API usability: login throttling, limits on every field, response
//! headers, files and logs, passwords, field-named parse errors, intake corrections.

use reqwest::Method;
use serde_json::json;

use ogi_tracker::config::ProxyNet;
use ogi_tracker::store::DatabaseUrl;

use crate::cases::{create, event, intake, office};
use crate::helpers::{ADMIN_PASSWORD, Resp, TestApp, spawn_app, spawn_app_with};

#[actix_web::test]
async fn responses_carry_the_hardening_headers() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let me = app.get("/api/v1/me", &t).await;
    me.expect(200, None);
    assert_eq!(me.headers["x-content-type-options"], "nosniff");
    assert_eq!(me.headers["cache-control"], "no-store");
    let live = app.get("/health/live", &t).await;
    assert_eq!(live.headers["x-content-type-options"], "nosniff");
    assert!(live.headers.get("cache-control").is_none());

    let wrong = app
        .request(Method::DELETE, "/api/v1/me", Some(&t), None, &[])
        .await;
    wrong.expect(405, Some("method_not_allowed"));
    assert_eq!(wrong.headers["allow"], "GET");
    let depts = app
        .request(Method::PUT, "/api/v1/departments/1", Some(&t), None, &[])
        .await;
    assert_eq!(depts.headers["allow"], "GET, PATCH");

    // An HTML page (the annual report) may not be framed or run foreign content.
    let html = app
        .get("/api/v1/reports/annual?year=2025&format=html", &t)
        .await;
    if html.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html")
    {
        let csp = html.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(html.headers["x-frame-options"], "DENY");
    }

    let big = "x".repeat(40 * 1024);
    let r = app
        .request(
            Method::GET,
            "/api/v1/me",
            Some(&t),
            None,
            &[("x-filler", &big)],
        )
        .await;
    r.expect(431, Some("headers_too_large"));

    let huge = json!({"name": "y".repeat(300 * 1024)});
    app.post("/api/v1/departments", &t, huge)
        .await
        .expect(413, Some("body_too_large"));
}

#[actix_web::test]
async fn parse_errors_name_the_field_in_chinese() {
    let app = spawn_app().await;
    let o = office(&app, "桂字段", "450100").await;

    let missing = create(&app, &o.clerk, json!({"department_id": o.dept})).await;
    let body = missing.expect(422, Some("invalid_body"));
    let fields = body["fields"].as_object().unwrap();
    let (field, message) = fields.iter().next().unwrap();
    assert!(!field.is_empty() && field != "body", "{body}");
    assert!(message.as_str().unwrap().contains("缺少"), "{body}");

    let mut bad_item = intake(o.dept, "in_person", "2026-11-20", None);
    bad_item["items"] = json!([{"description": "甲"}, {"descripton": "乙"}]);
    let r = create(&app, &o.clerk, bad_item).await;
    let body = r.expect(422, Some("invalid_body"));
    assert!(
        body["fields"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("items[1]")),
        "{body}"
    );
    assert!(
        !body["message"].as_str().unwrap().contains("expected"),
        "{body}"
    );

    let case = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-20", None),
    )
    .await;
    case.expect(201, None);
    let r = event(
        &app,
        &o.clerk,
        &case,
        json!({"type": "fee_notice_issued", "date": "2026-11-21", "amount_fen": "many"}),
    )
    .await;
    let body = r.expect(422, Some("invalid_body"));
    assert_eq!(
        body["fields"]["amount_fen"], "类型不正确，应为整数",
        "{body}"
    );

    let q = app
        .get(
            "/api/v1/calendar/add-working-days?from=2026-13-01&days=2",
            &o.clerk,
        )
        .await;
    let body = q.expect(400, Some("invalid_query"));
    assert!(body["fields"]["from"].as_str().is_some(), "{body}");

    let p = app.get("/api/v1/cases/abc", &o.clerk).await;
    let body = p.expect(404, Some("not_found"));
    assert!(body["fields"]["id"].as_str().is_some(), "{body}");
}

#[actix_web::test]
async fn every_free_text_count_and_amount_is_bounded() {
    let app = spawn_app().await;
    let o = office(&app, "桂限长", "450100").await;
    let case = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-20", None),
    )
    .await;
    case.expect(201, None);

    let huge_reason = "理".repeat(600_000);
    let r = event(&app, &o.clerk, &case, json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 20, "reason": huge_reason})).await;
    r.expect(413, Some("body_too_large"));
    let long_reason = "理".repeat(50_000);
    let r = event(&app, &o.clerk, &case, json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 20, "reason": long_reason})).await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["reason"].is_string(), "{body}");

    let items: Vec<String> = (0..2000).map(|i| format!("材料{i}")).collect();
    let r = event(&app, &o.clerk, &case, json!({"type": "correction_requested", "date": "2026-11-21", "items": items, "respond_by": "2026-12-10"})).await;
    r.expect(422, Some("validation_failed"));

    let r = event(
        &app,
        &o.clerk,
        &case,
        json!({"type": "fee_notice_issued", "date": "2026-11-21", "amount_fen": i64::MAX}),
    )
    .await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["amount_fen"].is_string(), "{body}");

    let r = event(&app, &o.clerk, &case, json!({"type": "consultation_started", "date": "2026-11-21", "party": "agency", "consulted": "某局\u{202E}txt.exe"})).await;
    r.expect(422, Some("validation_failed"));

    for name in ["\u{200B}\u{200B}", "张\u{0}三", "张三\n李四", "\u{1b}[2J"] {
        let mut body = intake(o.dept, "in_person", "2026-11-20", None);
        body["applicant"]["name"] = json!(name);
        let r = create(&app, &o.clerk, body).await;
        let b = r.expect(422, Some("validation_failed"));
        assert!(b["fields"]["applicant.name"].is_string(), "{name:?}: {b}");
    }
    let mut body = intake(o.dept, "in_person", "2026-11-20", None);
    body["applicant"]["email"] = json!("a@b.cn\r\nBcc: victim@example.cn");
    create(&app, &o.clerk, body)
        .await
        .expect(422, Some("validation_failed"));

    // Multi-line text stays allowed where it belongs.
    let r = event(&app, &o.clerk, &case, json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 20, "reason": "需调取档案；\n涉及多个科室"})).await;
    r.expect(201, None);
}

/// A login from `addr` (sent as X-Forwarded-For; believed only when the test app trusts
/// the loopback proxy).
async fn login_from(app: &TestApp, user: &str, password: &str, addr: &str) -> Resp {
    app.request(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"username": user, "password": password})),
        &[("x-forwarded-for", addr)],
    )
    .await
}

async fn behind_proxy() -> TestApp {
    spawn_app_with(|s| {
        s.trusted_proxies = vec![ProxyNet::parse("127.0.0.1").unwrap()];
    })
    .await
}

#[actix_web::test]
async fn unknown_and_known_usernames_answer_alike() {
    let app = behind_proxy().await;
    for user in ["admin", "no-such-user"] {
        for _ in 0..5 {
            let r = login_from(&app, user, "wrong-password", "10.0.0.1").await;
            r.expect(401, Some("unauthenticated"));
            assert_eq!(r.body["message"], "用户名或密码错误");
        }
        let r = login_from(&app, user, "wrong-password", "10.0.0.1").await;
        r.expect(429, Some("too_many_attempts"));
        assert!(r.headers.contains_key("retry-after"));
    }
}

#[actix_web::test]
async fn an_attacker_cannot_lock_the_admin_out_from_everywhere() {
    let app = behind_proxy().await;
    for i in 0..30 {
        let _ = login_from(&app, "admin", "wrong-password", &format!("10.1.0.{i}")).await;
        let _ = login_from(&app, "admin", "wrong-password", &format!("10.1.0.{i}")).await;
    }
    login_from(&app, "admin", "wrong-password", "10.1.0.1")
        .await
        .expect(429, Some("too_many_attempts"));
    // The administrator's own address has not failed: it is not held back.
    login_from(&app, "admin", ADMIN_PASSWORD, "192.168.1.5")
        .await
        .expect(200, None);
}

#[actix_web::test]
async fn a_burst_of_logins_is_counted_one_by_one() {
    let app = spawn_app().await;
    let attempts = (0..60).map(|_| {
        app.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": "wrong-password"})),
            &[],
        )
    });
    let answers = futures_join_all(attempts).await;
    let evaluated = answers.iter().filter(|r| r.status == 401).count();
    assert!(evaluated <= 5, "{evaluated} of 60 were evaluated");
    assert!(
        answers
            .iter()
            .all(|r| matches!(r.status.as_u16(), 401 | 429 | 503))
    );
}

#[actix_web::test]
async fn a_flood_of_logins_is_refused_quickly_instead_of_queued() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = vec![ProxyNet::parse("127.0.0.0/8").unwrap()];
        s.login_concurrency = 1;
    })
    .await;
    let attempts = (0..40).map(|i| {
        let addr = format!("10.2.{}.{}", i / 200, i % 200);
        let app = &app;
        async move { login_from(app, &format!("ghost{i}"), "wrong-password", &addr).await }
    });
    let answers = futures_join_all(attempts).await;
    let busy: Vec<_> = answers.iter().filter(|r| r.status == 503).collect();
    assert!(!busy.is_empty(), "no attempt was refused");
    for r in busy {
        r.expect(503, Some("login_busy"));
        assert!(r.headers.contains_key("retry-after"));
    }
}

#[actix_web::test]
async fn x_forwarded_for_is_ignored_unless_the_proxy_is_trusted() {
    let app = spawn_app().await;
    for i in 0..5 {
        login_from(&app, "admin", "wrong-password", &format!("10.3.0.{i}"))
            .await
            .expect(401, None);
    }
    // Changing the claimed address does not reset the back-off.
    login_from(&app, "admin", ADMIN_PASSWORD, "10.3.0.99")
        .await
        .expect(429, Some("too_many_attempts"));
}

/// Runs the futures concurrently on this task.
async fn futures_join_all<F: std::future::Future>(
    futs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.extend(results.into_iter().flatten());
    out
}

#[actix_web::test]
async fn search_wildcards_are_literal() {
    let app = spawn_app().await;
    let o = office(&app, "桂通配", "450100").await;
    create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-20", None),
    )
    .await
    .expect(201, None);
    for q in ["%25", "_", "%25%25", "%5C"] {
        let r = app.get(&format!("/api/v1/cases?q={q}"), &o.clerk).await;
        let body = r.expect(200, None);
        assert_eq!(body["items"].as_array().unwrap().len(), 0, "q={q}: {body}");
    }
    let r = app.get("/api/v1/cases?q=张", &o.clerk).await;
    assert_eq!(r.expect(200, None)["items"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
#[actix_web::test]
async fn the_sqlite_database_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let DatabaseUrl::Sqlite(path) = &app.db_url else {
        return;
    };
    let name = path.as_os_str().to_owned();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = name.clone();
        p.push(suffix);
        if let Ok(meta) = std::fs::metadata(&p) {
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{p:?}");
        }
    }
}

#[actix_web::test]
async fn weak_passwords_and_case_twins_are_refused() {
    let app = spawn_app().await;
    let dept = app.department("口令机关", "KL", None, "450100").await;
    let new_user = |name: &str, pw: &str| {
        json!({"username": name, "display_name": name, "role": "clerk",
               "department_id": dept, "password": pw})
    };
    let r = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            new_user("weak1", "password123"),
        )
        .await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["password"].is_string(), "{body}");
    app.post(
        "/api/v1/users",
        &app.admin_token,
        new_user("Zhang.San", "晴天-码头-47-灯塔"),
    )
    .await
    .expect(201, None);
    app.post(
        "/api/v1/users",
        &app.admin_token,
        new_user("zhang.san", "晴天-码头-47-灯塔"),
    )
    .await
    .expect(409, Some("username_taken"));
}

#[actix_web::test]
async fn the_console_resets_a_password_and_ends_sessions() {
    let app = spawn_app().await;
    let dept = app.department("重置机关", "CZ", None, "450100").await;
    let (id, token) = app.user("reset.me", "clerk", Some(dept)).await;
    app.get("/api/v1/me", &token).await.expect(200, None);
    let out = app
        .cli_command(
            &[
                "user",
                "reset-password",
                "--username",
                "Reset.Me",
                "--password-stdin",
            ],
            &[],
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"Fresh-Harbour-42-lamp\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.get("/api/v1/me", &token)
        .await
        .expect(401, Some("unauthenticated"));
    app.login("reset.me", "Fresh-Harbour-42-lamp").await;
    let mut c = app.pool.get().unwrap();
    let log =
        ogi_tracker::store::action_log::recent(&mut c, Some(&format!("user:{id}")), 10).unwrap();
    assert!(
        log.iter()
            .any(|r| r.action == "password_reset" && r.actor_id.is_none())
    );
    // A weak password is refused at the console too.
    let out = app.cli(&[
        "user",
        "reset-password",
        "--username",
        "reset.me",
        "--password-stdin",
    ]);
    assert!(!out.status.success());
}

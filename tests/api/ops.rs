//! The application layer as the faces see it: every change outside a case leaves an
//! action-log record, the console makes the API's checks, and reads take no write lock.

use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::helpers::spawn_app;
use ogi_tracker::store::{self, DatabaseUrl};

fn actions(app: &crate::helpers::TestApp, prefix: &str) -> Vec<(String, String, Option<i64>)> {
    let mut c = app.pool.get().unwrap();
    store::action_log::recent(&mut c, Some(prefix), 1000)
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| (r.subject, r.action, r.actor_id))
        .collect()
}

#[actix_web::test]
async fn every_change_outside_a_case_is_in_the_action_log() {
    let app = spawn_app().await;
    let dept = app.department("动作机关", "DZ", None, "450100").await;
    let r = app
        .get(&format!("/api/v1/departments/{dept}"), &app.admin_token)
        .await;
    let etag = r.etag();
    app.patch(
        &format!("/api/v1/departments/{dept}"),
        &app.admin_token,
        &etag,
        json!({"phone": "0771-5550000"}),
    )
    .await
    .expect(200, None);
    let (uid, _) = app.user("logged_clerk", "clerk", Some(dept)).await;
    let r = app.get("/api/v1/users", &app.admin_token).await;
    let version = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == uid)
        .unwrap()["version"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/users/{uid}"),
        &app.admin_token,
        &format!("\"{version}\""),
        json!({"active": false}),
    )
    .await
    .expect(200, None);

    let admin = {
        let r = app.get("/api/v1/me", &app.admin_token).await;
        r.body["id"].as_i64()
    };
    assert_eq!(
        actions(&app, "department:"),
        vec![
            (
                format!("department:{dept}"),
                "department_created".into(),
                admin
            ),
            (
                format!("department:{dept}"),
                "department_updated".into(),
                admin
            ),
        ]
    );
    assert_eq!(
        actions(&app, "user:"),
        vec![
            (format!("user:{uid}"), "user_created".into(), admin),
            (format!("user:{uid}"), "user_updated".into(), admin),
        ]
    );
    let mut c = app.pool.get().unwrap();
    let key = crate::helpers::audit_key();
    let v = store::action_log::verify(&mut c, Some(&key)).unwrap();
    assert!(v.records >= 4);
    assert!(v.breaks.is_empty(), "{:?}", v.breaks);
    // A record altered in the database no longer matches its hash.
    c.batch_execute("UPDATE action_log SET after_state = '{}' WHERE action = 'user_updated'")
        .unwrap();
    let breaks = store::action_log::verify(&mut c, Some(&key))
        .unwrap()
        .breaks;
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    let out = app.cli(&["verify-audit"]);
    assert!(
        !out.status.success(),
        "verify-audit reports the altered action record"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["action_log"]["breaks"][0]["subject"],
        format!("user:{uid}")
    );
}

#[actix_web::test]
async fn the_console_makes_the_same_checks_as_the_api() {
    let app = spawn_app().await;
    let dept = app.department("控制台机关", "KZT", None, "450100").await;
    let d = dept.to_string();
    // A username the API refuses is refused at the console too (it used to be accepted).
    let out = app
        .cli_command(
            &[
                "user",
                "add",
                "--username",
                "a b",
                "--display-name",
                "甲",
                "--role",
                "clerk",
                "--department-id",
                &d,
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
                .write_all(b"Correct-Horse-7-battery\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("username"));
    // A good one is created and logged with no acting user (the operator at the console).
    let out = app.cli(&[
        "user",
        "add",
        "--username",
        "console.clerk",
        "--display-name",
        "乙",
        "--role",
        "clerk",
        "--department-id",
        &d,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logged = actions(&app, "user:");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].1, "user_created");
    assert_eq!(logged[0].2, None);
}

#[actix_web::test]
async fn a_list_takes_no_write_lock() {
    let app = spawn_app().await;
    if !matches!(app.db_url, DatabaseUrl::Sqlite(_)) {
        return; // PostgreSQL readers never wait for writers.
    }
    let dept = app.department("读锁机关", "DS", None, "450100").await;
    let (_, clerk) = app.user("reader_clerk", "clerk", Some(dept)).await;
    let case = json!({
        "department_id": dept,
        "applicant": {"type": "natural_person", "name": "张三"},
        "channel": "in_person", "submitted_on": "2026-03-02",
        "items": [{"description": "某地块征收补偿方案"}]
    });
    app.post("/api/v1/cases", &clerk, case.clone())
        .await
        .expect(201, None);
    // Another writer holds SQLite's write lock for the whole of what follows.
    let mut holder = app.pool.get().unwrap();
    holder
        .batch_execute("BEGIN IMMEDIATE; UPDATE write_lock SET n = n + 1 WHERE id = 1;")
        .unwrap();
    let list = app.get("/api/v1/cases", &clerk).await;
    list.expect(200, None);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/reports/overdue", &clerk)
        .await
        .expect(200, None);
    // The control: a write cannot get through while the lock is held.
    let blocked = app.post("/api/v1/cases", &clerk, case).await;
    assert_ne!(blocked.status, 201);
    holder.batch_execute("ROLLBACK").unwrap();
}

#[actix_web::test]
async fn demo_data_is_made_through_the_operations() {
    let app = spawn_app().await;
    let out = app.cli(&["demo", "--cases", "60", "--departments", "2", "--seed", "7"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cases"], 60);
    assert_eq!(report["departments"], 2);
    let cases = app.get("/api/v1/cases?limit=200", &app.admin_token).await;
    assert_eq!(cases.body["items"].as_array().unwrap().len(), 60);
    assert!(report["replies"].as_u64().unwrap() > 0);
    // Every case has its trail, every change its record.
    let verify = app.cli(&["verify-audit"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    // The demonstration clerks can sign in.
    app.login("clerk000", "demo-password-2026").await;
}

#[actix_web::test]
async fn sixty_four_clerks_registering_at_once_all_succeed_with_gapless_numbers() {
    let app = spawn_app().await;
    let dept = app.department("并发机关", "BF", None, "450100").await;
    let (_, clerk) = app.user("busy_clerk", "clerk", Some(dept)).await;
    let body = json!({
        "department_id": dept,
        "applicant": {"type": "natural_person", "name": "李四"},
        "channel": "in_person", "submitted_on": "2026-11-20",
        "items": [{"description": "某地块征收补偿方案"}]
    });
    let futures: Vec<_> = (0..64)
        .map(|_| app.post("/api/v1/cases", &clerk, body.clone()))
        .collect();
    let results = crate::cases::join_all(futures).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| {
            r.expect(201, None)["case_number"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=64).map(|n| format!("2026-{n:04}")).collect();
    assert_eq!(
        numbers, expected,
        "every intake succeeds, numbers unique and gapless"
    );
}

#[actix_web::test]
async fn demo_data_spans_a_three_level_tree_and_several_years() {
    let mut app = spawn_app().await;
    let out = app.cli(&[
        "demo",
        "--cases",
        "260",
        "--departments",
        "13",
        "--seed",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cases"], 260);
    // The fill takes longer than the server's keep-alive: new connections from here on.
    app.client = reqwest::Client::new();
    let depts = app.get("/api/v1/departments", &app.admin_token).await;
    let depts = depts.expect(200, None)["items"].as_array().unwrap().clone();
    let parent = |id: i64| {
        depts
            .iter()
            .find(|d| d["id"] == id)
            .and_then(|d| d["parent_id"].as_i64())
    };
    let depth = depts
        .iter()
        .map(|d| {
            let mut n = 1;
            let mut at = d["id"].as_i64().unwrap();
            while let Some(p) = parent(at) {
                n += 1;
                at = p;
            }
            n
        })
        .max();
    assert_eq!(depth, Some(3));
    // Receipts over more than one year (the fixed test clock is 2026-11-22).
    let old = app
        .get(
            "/api/v1/cases?received_to=2025-06-30&limit=1",
            &app.admin_token,
        )
        .await;
    assert_eq!(old.expect(200, None)["items"].as_array().unwrap().len(), 1);
    let verify = app.cli(&["verify-audit"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

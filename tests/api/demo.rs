//! The demonstration data's bulk fill: `demo --bulk` writes what the operations write
//! (compared case by case, trail by trail and report by report with a fill through the
//! operations from the same seed), and a database filled in bulk lists, searches, reports,
//! verifies and takes the next case and reply numbers like any other.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// The app on the real date, as the `demo` command fills as of today.
async fn app_of_today() -> TestApp {
    spawn_app_with(|s| s.today = None).await
}

/// Runs `ogi-tracker demo` against the app's database; returns its report.
fn fill(app: &TestApp, args: &[&str]) -> Value {
    let out = app.cli(&[&["demo"], args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What differs between two databases by nature: ids, instants, the hashes over them.
const VOLATILE: &[&str] = &[
    "id",
    "case_id",
    "reply_id",
    "review_id",
    "record_id",
    "created_at",
    "updated_at",
    "recorded_at",
    "at",
    "prev_hash",
    "hash",
];

/// The value without its volatile keys, at any depth (audit snapshots, which are JSON in
/// strings, included).
fn normalized(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k, normalized(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalized).collect()),
        Value::String(s) if s.starts_with('{') => {
            serde_json::from_str(&s).map_or(Value::String(s), normalized)
        }
        other => other,
    }
}

/// Every case (id, list line) in received order, all pages.
async fn all_cases(app: &TestApp, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app
            .get(
                &format!("/api/v1/cases?limit=200{query}{cursor}"),
                &app.admin_token,
            )
            .await;
        let body = r.expect(200, None);
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return items,
        }
    }
}

/// Each case's full view and audit trail, by display number, normalized.
async fn cases_by_number(app: &TestApp) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for line in all_cases(app, "&sort=received").await {
        let id = line["id"].as_i64().unwrap();
        let view = app
            .get(&format!("/api/v1/cases/{id}"), &app.admin_token)
            .await;
        let trail = app
            .get(&format!("/api/v1/cases/{id}/history"), &app.admin_token)
            .await;
        out.insert(
            line["display_number"].as_str().unwrap().to_owned(),
            normalized(json!({
                "view": view.expect(200, None),
                "trail": trail.expect(200, None),
            })),
        );
    }
    out
}

/// The city's annual reports (with its subtree) of the fill's years.
async fn reports(app: &TestApp, city: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let year = ogi_tracker::clock::today().year();
    for year in year - 3..=year {
        let r = app
            .get(
                &format!(
                    "/api/v1/reports/annual?year={year}&department_id={city}&include_subtree=true"
                ),
                &app.admin_token,
            )
            .await;
        out.push(r.expect(200, None).clone());
    }
    out
}

/// The next intake of the city and the next automatic reply number, as a clerk's would
/// be: a new case, and a reply today to an open case received before yesterday.
async fn continued(app: &TestApp, city: i64) -> (Value, Value) {
    let today = ogi_tracker::clock::today();
    let case = app
        .post(
            "/api/v1/cases",
            &app.admin_token,
            json!({
                "department_id": city,
                "applicant": {"type": "natural_person", "name": "续办人"},
                "channel": "in_person", "submitted_on": today,
                "items": [{"description": "续办事项"}]
            }),
        )
        .await;
    let number = case.expect(201, None)["case_number"].clone();
    // The same case in either database: the first by display number of those open and
    // without events (ids differ).
    let open = all_cases(
        app,
        &format!("&status=received&received_to={}", today - Duration::days(2)),
    )
    .await;
    let open = open
        .iter()
        .min_by_key(|c| c["display_number"].as_str().unwrap().to_owned())
        .expect("an open case to answer");
    let id = open["id"].as_i64().unwrap();
    let view = app
        .get(&format!("/api/v1/cases/{id}"), &app.admin_token)
        .await;
    let body = json!({
        "doc_number": "auto", "issued_on": today, "dispatched_on": today,
        "delivery_method": "post", "outcome": "disclosed", "sealed": true,
        "legal_basis": [{"law": "《中华人民共和国政府信息公开条例》", "article": "第三十六条", "item": "第（一）项"}],
        "remedy": {"reconsideration": {"organ": "南宁市人民政府", "period_days": 60},
                   "litigation": {"court": "南宁市中级人民法院", "period_months": 6}}
    });
    let reply = app
        .issued_reply(&app.admin_token, id, &view.etag(), body)
        .await;
    (number, reply.expect(201, None)["doc_number"].clone())
}

#[actix_web::test]
async fn a_bulk_fill_writes_what_the_operations_write() {
    let mut ops = app_of_today().await;
    let mut bulk = app_of_today().await;
    let args = ["--cases", "400", "--departments", "13", "--seed", "11"];
    let by_ops = fill(&ops, &args);
    let by_bulk = fill(&bulk, &[&args[..], &["--bulk"]].concat());
    // The fills take longer than the servers' keep-alive: new connections from here on.
    ops.client = crate::helpers::client();
    bulk.client = crate::helpers::client();
    assert_eq!(by_ops, by_bulk, "the same steps were accepted");
    assert_eq!(by_bulk["cases"], 400);
    assert!(by_bulk["replies"].as_u64().unwrap() > 100);
    assert!(by_bulk["corrections"].as_u64().unwrap() > 0);
    assert!(by_bulk["remedies"].as_u64().unwrap() > 0);

    // Case by case: the full view (derived state, events, deadline, the reply with its
    // findings and 文号, remedies) and the audit trail, before and after every change.
    let (a, b) = (cases_by_number(&ops).await, cases_by_number(&bulk).await);
    assert_eq!(a.len(), 400);
    for (number, case) in &a {
        assert_eq!(Some(case), b.get(number), "case {number}");
    }
    // The annual reports of every year, and what later work continues from.
    let city = 1;
    assert_eq!(reports(&ops, city).await, reports(&bulk, city).await);
    assert_eq!(continued(&ops, city).await, continued(&bulk, city).await);
    for app in [&ops, &bulk] {
        let verify = app.cli(&["verify-audit"]);
        assert!(
            verify.status.success(),
            "{}",
            String::from_utf8_lossy(&verify.stdout)
        );
    }
}

#[actix_web::test]
async fn a_database_filled_in_bulk_lists_searches_reports_and_continues() {
    let mut app = app_of_today().await;
    let today = ogi_tracker::clock::today();
    // More cases than the words search reads as candidates: a query every case number
    // holds ("2026") walks the cases in order instead.
    let n = usize::try_from(ogi_tracker::store::search::CANDIDATES).unwrap() + 500;
    let report = fill(
        &app,
        &[
            "--bulk",
            "--cases",
            &n.to_string(),
            "--departments",
            "2",
            "--seed",
            "3",
        ],
    );
    assert_eq!(report["cases"], n);
    // The fill takes longer than the server's keep-alive: new connections from here on.
    app.client = crate::helpers::client();
    let token = app.login("clerk001", "demo-password-2026").await;
    let sup = app.login("sup000", "demo-password-2026").await;

    // A case reads whole; its number is the department's.
    let list = app.get("/api/v1/cases?limit=1", &token).await;
    let id = list.expect(200, None)["items"][0]["id"].as_i64().unwrap();
    let view = app.get(&format!("/api/v1/cases/{id}"), &token).await;
    assert_eq!(view.expect(200, None)["department_id"], 2);

    // The open cases of the whole tree by due date, merged from one index range per
    // status (the running ones alone: one range of the running cases' index on
    // PostgreSQL): in order, and the first 200 of each status's own list merged.
    let key = |c: &Value| {
        (
            c["due_on"].as_str().unwrap_or("9999-12-31").to_owned(),
            c["id"].as_i64().unwrap(),
        )
    };
    for open in [
        "received,awaiting_correction,in_progress,paused",
        "received,awaiting_correction,in_progress",
        "in_progress,received",
    ] {
        let desk = app
            .get(&format!("/api/v1/cases?status={open}&limit=200"), &sup)
            .await;
        let desk: Vec<Value> = desk.expect(200, None)["items"].as_array().unwrap().clone();
        let mut merged = Vec::new();
        for status in open.split(',') {
            let r = app
                .get(&format!("/api/v1/cases?status={status}&limit=200"), &sup)
                .await;
            merged.extend(r.expect(200, None)["items"].as_array().unwrap().clone());
        }
        merged.sort_by_key(key);
        merged.truncate(200);
        assert_eq!(desk.len(), 200, "{open}");
        assert_eq!(
            desk.iter().map(key).collect::<Vec<_>>(),
            merged.iter().map(key).collect::<Vec<_>>(),
            "{open}"
        );
    }
    // A status named twice is listed once.
    let twice = app
        .get(
            "/api/v1/cases?status=received,in_progress,received&limit=200",
            &sup,
        )
        .await;
    let once = app
        .get("/api/v1/cases?status=received,in_progress&limit=200", &sup)
        .await;
    assert_eq!(
        twice.expect(200, None)["items"],
        once.expect(200, None)["items"]
    );
    // Overdue: running and due before today, oldest first.
    let overdue = app.get("/api/v1/cases?overdue=true&limit=50", &sup).await;
    let overdue = overdue.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(overdue.len(), 50);
    assert!(overdue.iter().all(|c| c["flags"]["overdue"] == true));
    assert!(overdue.windows(2).all(|w| key(&w[0]) <= key(&w[1])));

    // Words: a common query walks the cases in their order (every case holds it, so the
    // page is the unfiltered page), pages on; a rarer one reads its candidates; a missing
    // one reads nothing.
    let year = today.year();
    for cursor in [String::new(), format!("&cursor={today}.0")] {
        let all = app
            .get(&format!("/api/v1/cases?limit=50{cursor}"), &sup)
            .await;
        let found = app
            .get(&format!("/api/v1/cases?q={year}&limit=50{cursor}"), &sup)
            .await;
        assert_eq!(
            found.expect(200, None)["items"],
            all.expect(200, None)["items"]
        );
    }
    let found = app.get("/api/v1/cases?q=征收&limit=20", &sup).await;
    let found = found.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(found.len(), 20);
    for c in &found {
        let view = app.get(&format!("/api/v1/cases/{}", c["id"]), &sup).await;
        let items = view.expect(200, None)["items"].to_string();
        assert!(items.contains("征收"), "{items}");
    }
    let none = app.get("/api/v1/cases?q=地块", &sup).await;
    assert_eq!(none.expect(200, None)["items"], json!([]));

    // The annual report of a past year computes, every check passing.
    let r = app
        .get(
            &format!(
                "/api/v1/reports/annual?year={}&department_id=1&include_subtree=true",
                year - 1
            ),
            &sup,
        )
        .await;
    let body = r.expect(200, None);
    assert_eq!(body["all_checks_pass"], true, "{}", body["checks"]);
    let total = body["table3"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "total")
        .unwrap()["values"][6]
        .as_i64()
        .unwrap();
    assert!(total > 1_000, "{total} cases concluded last year");

    // Every trail verifies; the next intake takes the next number.
    let verify = app.cli(&["verify-audit"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    // The check takes longer than the server's keep-alive too.
    app.client = crate::helpers::client();
    let created = app
        .post(
            "/api/v1/cases",
            &token,
            json!({
                "applicant": {"type": "natural_person", "name": "新申请人"},
                "channel": "in_person", "submitted_on": today,
                "items": [{"description": "某事项"}]
            }),
        )
        .await;
    assert_eq!(
        created.expect(201, None)["case_number"],
        format!("{year}-{:04}", n / 2 + 1)
    );
}

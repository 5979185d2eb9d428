//! Running as several instances and surviving the database going away: Prometheus
//! `/metrics`, two instances sharing one database and its scheduler, and (with
//! `OGI_TEST_PG_RESTART=1`, see `.ci/pg-restart`) a real PostgreSQL restart under load.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ogi_tracker::store::DatabaseUrl;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, USER_PASSWORD, spawn_app_on, spawn_app_with};
use crate::smtp::SmtpSink;

const METRICS_TOKEN: &str = "metrics-token-0123456789";

/// The value of one sample in Prometheus text: `name{labels…} value`, the sample whose
/// labels include every pair given.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = match series.split_once('{') {
                Some((m, r)) => (m, r.trim_end_matches('}')),
                None => (series, ""),
            };
            let all = labels
                .iter()
                .all(|(k, v)| rest.split(',').any(|p| p == format!("{k}=\"{v}\"")));
            (metric == name && all).then(|| value.parse().ok())?
        })
}

async fn scrape(client: &reqwest::Client, base: &str, token: Option<&str>) -> (u16, String) {
    let mut req = client.get(format!("{base}/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// A department with one clerk and one supervisor, both with e-mail; returns
/// (department id, clerk token).
async fn office(app: &TestApp, code: &str) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({"name": format!("{code}交通运输局"), "code": code, "kind": "department", "level": "city",
                   "region": "450100", "address": "南宁市民族大道1号", "phone": "0771-1234567"}),
        )
        .await;
    let dept = r.expect(201, None)["id"].as_i64().unwrap();
    for (user, role) in [("clerk", "clerk"), ("sup", "supervisor")] {
        app.post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": format!("{code}.{user}"), "display_name": format!("{code}{user}"),
                   "email": format!("{user}@{code}.gov.cn"), "role": role,
                   "department_id": dept, "password": USER_PASSWORD}),
        )
        .await
        .expect(201, None);
    }
    (
        dept,
        app.login(&format!("{code}.clerk"), USER_PASSWORD).await,
    )
}

fn new_case(dept: i64, received: &str, email: Option<&str>) -> Value {
    json!({"department_id": dept, "channel": "in_person", "submitted_on": received,
           "applicant": {"type": "natural_person", "name": "张三", "email": email},
           "items": [{"description": "2024年道路养护资金使用情况"}]})
}

#[actix_web::test]
async fn metrics_count_requests_per_route_and_match_the_cases() {
    let app = spawn_app_with(|s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    let (dept, clerk) = office(&app, "nnjt").await;
    // Today is 2026-11-22: two cases from September are overdue, one from November is not;
    // one of the overdue ones is withdrawn (closed).
    let overdue = app
        .post(
            "/api/v1/cases",
            &clerk,
            new_case(dept, "2026-09-01", Some("a@example.cn")),
        )
        .await;
    let id = overdue.expect(201, None)["id"].as_i64().unwrap();
    let closed = app
        .post("/api/v1/cases", &clerk, new_case(dept, "2026-09-02", None))
        .await;
    closed.expect(201, None);
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{}/events", closed.body["id"]),
        Some(&clerk),
        Some(json!({"type": "withdrawn", "date": "2026-09-10"})),
        &[("If-Match", &closed.etag())],
    )
    .await
    .expect(201, None);
    app.post("/api/v1/cases", &clerk, new_case(dept, "2026-11-20", None))
        .await
        .expect(201, None);

    app.get(&format!("/api/v1/cases/{id}"), &clerk)
        .await
        .expect(200, None);
    app.get(&format!("/api/v1/cases/{id}"), &clerk)
        .await
        .expect(200, None);
    app.get("/api/v1/cases/987654321", &clerk)
        .await
        .expect(404, Some("not_found"));

    let (status, text) = scrape(&app.client, &app.base, Some(METRICS_TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    let route = [("method", "GET"), ("route", "/api/v1/cases/{id}")];
    assert_eq!(
        sample(&text, "ogi_http_request_duration_seconds_count", &route),
        Some(3.0),
        "{text}"
    );
    // Every request falls in the largest finite bucket (10 s) and in +Inf.
    assert_eq!(
        sample(
            &text,
            "ogi_http_request_duration_seconds_bucket",
            &[route[0], route[1], ("le", "+Inf")]
        ),
        Some(3.0)
    );
    for (class, n) in [("2xx", 2.0), ("4xx", 1.0)] {
        assert_eq!(
            sample(
                &text,
                "ogi_http_requests_total",
                &[route[0], route[1], ("status_class", class)]
            ),
            Some(n),
            "{class}: {text}"
        );
    }
    assert_eq!(
        sample(
            &text,
            "ogi_http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/v1/cases"),
                ("status_class", "2xx")
            ]
        ),
        Some(3.0)
    );
    // Raw paths with ids never become labels.
    assert!(!text.contains(&format!("/api/v1/cases/{id}\"")), "{text}");
    assert!(!text.contains("987654321"), "{text}");

    assert_eq!(
        sample(&text, "ogi_cases", &[("state", "open")]),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "ogi_cases", &[("state", "overdue")]),
        Some(1.0)
    );
    assert_eq!(sample(&text, "ogi_database_up", &[]), Some(1.0));
    assert_eq!(sample(&text, "ogi_db_pool_max_connections", &[]), Some(4.0));
    let pending = app
        .get("/api/v1/outbox?status=pending", &app.admin_token)
        .await;
    let pending = pending.expect(200, None)["items"].as_array().unwrap().len();
    assert!(
        pending >= 1,
        "the acknowledgement to a@example.cn is queued"
    );
    assert_eq!(
        sample(&text, "ogi_outbox_mails", &[("status", "pending")]),
        Some(pending as f64)
    );
    assert_eq!(
        sample(&text, "ogi_outbox_mails", &[("status", "failed")]),
        Some(0.0)
    );

    // The next scrape sees the change: the November case is withdrawn.
    let list = app.get("/api/v1/cases?status=received", &clerk).await;
    let fresh = list.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["received_on"] == "2026-11-20")
        .cloned()
        .unwrap();
    let current = app
        .get(&format!("/api/v1/cases/{}", fresh["id"]), &clerk)
        .await;
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{}/events", fresh["id"]),
        Some(&clerk),
        Some(json!({"type": "withdrawn", "date": "2026-11-21"})),
        &[("If-Match", &current.etag())],
    )
    .await
    .expect(201, None);
    let (_, text) = scrape(&app.client, &app.base, Some(METRICS_TOKEN)).await;
    assert_eq!(sample(&text, "ogi_cases", &[("state", "open")]), Some(1.0));
    assert_eq!(
        sample(&text, "ogi_cases", &[("state", "overdue")]),
        Some(1.0)
    );
}

#[actix_web::test]
async fn metrics_are_served_only_with_the_token() {
    let app = spawn_app_with(|s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    let (status, body) = scrape(&app.client, &app.base, None).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"unauthenticated\""), "{body}");
    let (status, _) = scrape(&app.client, &app.base, Some("metrics-token-wrong-guess")).await;
    assert_eq!(status, 401);
    // An API token is not a metrics token.
    let (status, _) = scrape(&app.client, &app.base, Some(&app.admin_token)).await;
    assert_eq!(status, 401);
    // Without the setting the path does not exist.
    let other = app.another_instance(|_| {});
    let (status, body) = scrape(&app.client, &other, Some(METRICS_TOKEN)).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"not_found\""), "{body}");
}

/// Polls an instance's `/metrics` until its scheduler has finished a pass; returns
/// (ran, skipped, failed).
async fn wait_for_pass(client: &reqwest::Client, base: &str) -> (f64, f64, f64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, text) = scrape(client, base, Some(METRICS_TOKEN)).await;
        let n = |outcome| {
            sample(&text, "ogi_scheduler_passes_total", &[("outcome", outcome)]).unwrap_or(0.0)
        };
        let counts = (n("ran"), n("skipped"), n("failed"));
        if counts.0 + counts.1 + counts.2 >= 1.0 {
            return counts;
        }
        assert!(Instant::now() < deadline, "no scheduler pass at {base}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn two_instances_run_the_scheduler_once_and_send_each_mail_once() {
    let monday = NaiveDate::from_ymd_opt(2026, 11, 23);
    let app = spawn_app_with(|s| s.today = monday).await;
    let smtp = SmtpSink::start();
    let (dept, clerk) = office(&app, "nnjt").await;
    // Received Mon 2026-11-02: due Mon 11-30, 5 working days after 11-23 → a reminder each.
    let mut reminded = BTreeSet::new();
    for _ in 0..6 {
        let r = app
            .post("/api/v1/cases", &clerk, new_case(dept, "2026-11-02", None))
            .await;
        reminded.insert(r.expect(201, None)["id"].as_i64().unwrap());
    }
    // Long overdue: one digest to the supervisor.
    for _ in 0..2 {
        app.post("/api/v1/cases", &clerk, new_case(dept, "2026-09-01", None))
            .await
            .expect(201, None);
    }

    // Two more instances start at the same moment; each runs a scheduler pass at once.
    let instance = |app: &TestApp| {
        app.another_instance(|s| {
            s.today = monday;
            s.scheduler_secs = 3600;
            s.smtp_url = Some(smtp.url());
            s.metrics_token = Some(METRICS_TOKEN.into());
        })
    };
    let a = instance(&app);
    let b = instance(&app);
    let (ran_a, skipped_a, failed_a) = wait_for_pass(&app.client, &a).await;
    let (ran_b, skipped_b, failed_b) = wait_for_pass(&app.client, &b).await;
    assert_eq!((failed_a, failed_b), (0.0, 0.0), "no pass failed");
    assert!(ran_a + ran_b >= 1.0, "someone scanned");
    assert_eq!(ran_a + skipped_a + ran_b + skipped_b, 2.0);

    let mails = smtp.received();
    let to_clerk: Vec<_> = mails
        .iter()
        .filter(|m| m.to == ["clerk@nnjt.gov.cn"])
        .collect();
    let to_sup: Vec<_> = mails
        .iter()
        .filter(|m| m.to == ["sup@nnjt.gov.cn"])
        .collect();
    assert_eq!(to_clerk.len(), 6, "one reminder per case: {mails:?}");
    assert_eq!(to_sup.len(), 1, "one overdue digest");
    assert_eq!(mails.len(), 7);
    let subjects: BTreeSet<String> = to_clerk.iter().map(|m| m.body()).collect();
    assert_eq!(subjects.len(), 6, "six different reminders");

    let sent = app
        .get("/api/v1/outbox?status=sent", &app.admin_token)
        .await;
    let items = sent.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 7);
    let cases: BTreeSet<i64> = items
        .iter()
        .filter(|m| m["kind"] == "due_soon_5")
        .map(|m| m["case_id"].as_i64().unwrap())
        .collect();
    assert_eq!(cases, reminded);
    for m in &items {
        assert_eq!(m["attempts"], 1, "delivered on the first try, once: {m}");
    }
}

// --- PostgreSQL restarted under load ---------------------------------------------------

/// A throwaway PostgreSQL cluster of this test's own (the shared one must never be
/// restarted): initdb into a temporary directory, started and stopped with pg_ctl as the
/// `postgres` user when the tests run as root.
struct PrivateCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn postgres_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("OGI_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql (or set OGI_TEST_PG_BIN)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PrivateCluster {
    fn start() -> PrivateCluster {
        let port = match std::env::var("OGI_TEST_PG_PORT") {
            Ok(p) => p.parse().expect("OGI_TEST_PG_PORT is a port number"),
            Err(_) => std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port(),
        };
        let dir = std::env::temp_dir().join(format!("ogi-pg-restart-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let cluster = PrivateCluster {
            bin: postgres_bin(),
            dir,
            port,
        };
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:", &cluster.dir.to_string_lossy()])
                .status()
                .unwrap();
            assert!(ok.success(), "chown the cluster directory to postgres");
        }
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().to_string_lossy(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        cluster.pg_ctl_start();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).current_dir(&self.dir).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().to_string_lossy(),
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        );
    }

    /// A clean restart's first half: "fast" ends every session at once, as a package
    /// upgrade or a failover does.
    fn pg_ctl_stop(&self, mode: &str) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().to_string_lossy(),
                "-m",
                mode,
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if Path::new(&self.data().join("postmaster.pid")).exists() {
            let exe = self.bin.join("pg_ctl");
            let data = self.data();
            let mut cmd = if is_root() {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(&exe);
                c
            } else {
                Command::new(&exe)
            };
            let _ = cmd
                .args([
                    "-D",
                    &data.to_string_lossy(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One answered registration.
#[derive(Debug, Clone)]
struct Outcome {
    at: Instant,
    took: Duration,
    status: u16,
    body: Value,
}

async fn blocking(f: impl FnOnce() + Send + 'static) {
    actix_web::rt::task::spawn_blocking(f).await.unwrap();
}

#[actix_web::test]
async fn postgres_restarted_under_load_answers_503_then_resumes_without_losing_writes() {
    if std::env::var("OGI_TEST_PG_RESTART").as_deref() != Ok("1") {
        eprintln!(
            "skipped: set OGI_TEST_PG_RESTART=1 (.ci/pg-restart) to restart a private PostgreSQL"
        );
        return;
    }
    let cluster = Arc::new(PrivateCluster::start());
    let pool_timeout = 2;
    let app = spawn_app_on(DatabaseUrl::Postgres(cluster.url()), TestDb::Kept, |s| {
        s.pool_size = 4;
        s.pool_timeout_secs = pool_timeout;
    })
    .await;
    let app = Arc::new(app);
    // One writer per department: no two writers compete for a case number, so every
    // answer but 201 is the outage's.
    let mut writers = Vec::new();
    for code in ["nna", "nnb", "nnc", "nnd"] {
        writers.push(office(&app, code).await);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let log: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let mut tasks = Vec::new();
    for (dept, token) in writers {
        let (app, stop, log) = (app.clone(), stop.clone(), log.clone());
        tasks.push(actix_web::rt::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                let r = app
                    .post("/api/v1/cases", &token, new_case(dept, "2026-11-20", None))
                    .await;
                log.lock().unwrap().push(Outcome {
                    at: Instant::now(),
                    took: start.elapsed(),
                    status: r.status.as_u16(),
                    body: r.body,
                });
                if r.status.as_u16() == 503 {
                    // A client backs off a little rather than spin.
                    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }));
    }

    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    let c = cluster.clone();
    blocking(move || c.pg_ctl_stop("fast")).await;
    let down_at = Instant::now();

    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let ready = app
        .request(Method::GET, "/health/ready", None, None, &[])
        .await;
    ready.expect(503, Some("not_ready"));
    let live = app
        .request(Method::GET, "/health/live", None, None, &[])
        .await;
    live.expect(200, None);
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;

    let c = cluster.clone();
    blocking(move || c.pg_ctl_start()).await;
    let up_at = Instant::now();
    // Writes succeed again within seconds, without anyone restarting the service.
    let resumed = loop {
        let ok = log
            .lock()
            .unwrap()
            .iter()
            .any(|o| o.at > up_at && o.status == 201);
        if ok {
            break up_at.elapsed();
        }
        assert!(
            up_at.elapsed() < Duration::from_secs(10),
            "no write succeeded within 10 s of the database's return"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    app.request(Method::GET, "/health/ready", None, None, &[])
        .await
        .expect(200, None);
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }

    let log = log.lock().unwrap().clone();
    let acknowledged: Vec<&Outcome> = log.iter().filter(|o| o.status == 201).collect();
    let refused: Vec<&Outcome> = log.iter().filter(|o| o.status != 201).collect();
    for o in &refused {
        assert_eq!(o.status, 503, "only 201 or 503: {o:?}");
        assert_eq!(o.body["code"], "database_unavailable", "{o:?}");
        assert!(
            o.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("数据库"))
        );
    }
    assert!(!refused.is_empty(), "the outage was seen");
    assert!(acknowledged.iter().any(|o| o.at < down_at), "writes before");
    assert!(acknowledged.iter().any(|o| o.at > up_at), "writes after");
    let slowest = log.iter().map(|o| o.took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(pool_timeout + 3),
        "no request hangs: the slowest took {slowest:?}"
    );
    // Every acknowledged case is there, once.
    let mut numbers = BTreeSet::new();
    for o in &acknowledged {
        let id = o.body["id"].as_i64().unwrap();
        let r = app
            .get(&format!("/api/v1/cases/{id}"), &app.admin_token)
            .await;
        assert_eq!(r.expect(200, None)["case_number"], o.body["case_number"]);
        assert!(numbers.insert((
            o.body["department_id"].as_i64(),
            o.body["case_number"].as_str().map(str::to_owned)
        )));
    }
    eprintln!(
        "restart: {} acknowledged, {} answered 503, writes resumed {:?} after the database, slowest answer {:?}",
        acknowledged.len(),
        refused.len(),
        resumed,
        slowest
    );
}

/// Each instance keeps the departments it read; a change made through another instance is
/// seen at the next request (scope, names and the tree), not after a restart.
#[actix_web::test]
async fn departments_changed_by_another_instance_are_seen() {
    let app = crate::helpers::spawn_app().await;
    let (gov, bureau) = app.city_and_bureau().await;
    let county = app
        .department("武鸣区人民政府", "武府信复", None, "450122")
        .await;
    let (_, sup) = app.user("sup-dir", "supervisor", Some(gov)).await;
    let names = |v: &Value| -> BTreeSet<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let seen = app.get("/api/v1/departments", &sup).await;
    assert_eq!(
        names(seen.expect(200, None)),
        BTreeSet::from(["南宁市人民政府".to_owned(), "南宁市交通运输局".to_owned()])
    );
    app.get(&format!("/api/v1/departments/{county}"), &sup)
        .await
        .expect(404, Some("not_found"));

    // Through the other instance: the bureau renamed, the county moved under the city.
    let other = app.another_instance(|_| {});
    for (id, change) in [
        (bureau, json!({"name": "南宁市交通局"})),
        (county, json!({"parent_id": gov, "kind": "department"})),
    ] {
        let current = app
            .get(&format!("/api/v1/departments/{id}"), &app.admin_token)
            .await;
        let r = app
            .client
            .patch(format!("{other}/api/v1/departments/{id}"))
            .bearer_auth(&app.admin_token)
            .header("If-Match", current.etag())
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let seen = app.get("/api/v1/departments", &sup).await;
    assert_eq!(
        names(seen.expect(200, None)),
        BTreeSet::from([
            "南宁市人民政府".to_owned(),
            "南宁市交通局".to_owned(),
            "武鸣区人民政府".to_owned()
        ])
    );
    app.get(&format!("/api/v1/cases?department_id={county}"), &sup)
        .await
        .expect(200, None);

    // A department created through the other instance, with a case: the administrator's
    // list (every department, read without a department condition) shows the case under
    // the new code; the supervisor's, whose tree now holds every other department, not.
    let created = app
        .client
        .post(format!("{other}/api/v1/departments"))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "name": "宾阳县人民政府", "code": "宾府信复", "kind": "government", "level": "county",
            "region": "450126",
            "reconsideration_organ": {"name": "南宁市人民政府"}, "court": {"name": "宾阳县人民法院"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let binyang = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let case = app
        .post(
            "/api/v1/cases",
            &app.admin_token,
            new_case(binyang, "2026-06-01", None),
        )
        .await;
    let case = case.expect(201, None)["id"].as_i64().unwrap();
    let listed = |v: &Value| -> Vec<(i64, String)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let n = c["display_number"].as_str().unwrap().to_owned();
                (c["id"].as_i64().unwrap(), n)
            })
            .collect()
    };
    let all = app.get("/api/v1/cases?limit=200", &app.admin_token).await;
    let all = listed(all.expect(200, None));
    assert!(
        all.iter()
            .any(|(id, n)| *id == case && n.starts_with("宾府信复 ")),
        "{all:?}"
    );
    let theirs = app.get("/api/v1/cases?limit=200", &sup).await;
    assert!(
        !listed(theirs.expect(200, None))
            .iter()
            .any(|(id, _)| *id == case)
    );
}

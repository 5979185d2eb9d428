//! Durability through the real binary: `kill -9` under load loses no acknowledged case and
//! breaks no audit chain; `backup` copies the SQLite database while it is written to, and
//! `restore` installs such a copy, refusing a running service and files that are not ours.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use ogi_tracker::store::{self, DatabaseUrl};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, TestDb, attach, cli_on, fresh_database_for_schema, spawn_app, spawn_app_on,
};

/// `ogi-tracker serve` as a child process on a database; killed when dropped.
struct Service {
    child: Child,
    base: String,
    // Kept open: the service prints more lines, and a closed pipe would fail them.
    _stdout: BufReader<ChildStdout>,
    log: PathBuf,
}

impl Service {
    fn start(url: &DatabaseUrl, log: &Path) -> Service {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut child = cli_on(url, &["serve"])
            .env("OGI_BIND", "127.0.0.1:0")
            .env("OGI_SCHEDULER_SECS", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        // The first line names the address the system picked for port 0.
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(base) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_owned)
        else {
            let _ = child.kill();
            panic!(
                "the service did not start: {line}\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        Service {
            child,
            base,
            _stdout: stdout,
            log: log.to_path_buf(),
        }
    }

    /// SIGKILL: no shutdown handler runs, no buffer is flushed.
    fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn log_file(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "ogi-service-{tag}-{}-{}.log",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// A department with one clerk; returns (department id, clerk token).
async fn desk(app: &TestApp, code: &str) -> (i64, String) {
    let dept = app
        .department(&format!("{code}交通运输局"), code, None, "450100")
        .await;
    let (_, token) = app
        .user(&format!("{code}.clerk"), "clerk", Some(dept))
        .await;
    (dept, token)
}

fn intake(dept: i64, name: &str, item: &str) -> Value {
    json!({"department_id": dept, "channel": "in_person", "submitted_on": "2026-11-20",
           "applicant": {"type": "natural_person", "name": name},
           "items": [{"description": item}]})
}

/// A case whose 201 the client received.
#[derive(Debug)]
struct Acked {
    id: i64,
    number: String,
    name: String,
    item: String,
    at: Instant,
}

/// Concurrent clients registering cases, each keeping what it was acknowledged.
struct Load {
    stop: Arc<AtomicBool>,
    clients: Vec<actix_web::rt::task::JoinHandle<(Vec<Acked>, bool)>>,
}

impl Load {
    /// `clients` clients register cases until stopped or the service stops answering. Any
    /// answer but 201 fails the test.
    fn start(app: &Arc<TestApp>, dept: i64, token: &str, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let clients = (0..clients)
            .map(|client| {
                let (app, stop, token) = (app.clone(), stop.clone(), token.to_owned());
                actix_web::rt::spawn(async move {
                    let mut acked = Vec::new();
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let name = format!("申请人{client}-{n}");
                        let item = format!("第{client}-{n}号：本机关道路养护资金使用情况");
                        let sent = app
                            .client
                            .post(format!("{}/api/v1/cases", app.base))
                            .bearer_auth(&token)
                            .json(&intake(dept, &name, &item))
                            .send()
                            .await;
                        // A refused connection or a cut answer: the service is gone.
                        let Ok(resp) = sent else {
                            return (acked, true);
                        };
                        let status = resp.status().as_u16();
                        let Ok(body) = resp.json::<Value>().await else {
                            return (acked, true);
                        };
                        assert_eq!(status, 201, "{body}");
                        acked.push(Acked {
                            id: body["id"].as_i64().unwrap(),
                            number: body["case_number"].as_str().unwrap().to_owned(),
                            name,
                            item,
                            at: Instant::now(),
                        });
                    }
                    (acked, false)
                })
            })
            .collect();
        Load { stop, clients }
    }

    /// Stops the clients; returns the acknowledged cases and how many clients had a request
    /// cut off.
    async fn finish(self) -> (Vec<Acked>, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let mut acked = Vec::new();
        let mut cut = 0;
        for c in self.clients {
            let (mine, was_cut) = c.await.unwrap();
            acked.extend(mine);
            cut += usize::from(was_cut);
        }
        (acked, cut)
    }
}

async fn wait_for(acked: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !acked() {
        assert!(Instant::now() < deadline, "the load did not get going");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every case is there with the data it was registered with.
async fn assert_cases_present(app: &TestApp, cases: &[Acked]) {
    for c in cases {
        let r = app
            .get(&format!("/api/v1/cases/{}", c.id), &app.admin_token)
            .await;
        let body = r.expect(200, None);
        assert_eq!(body["case_number"], c.number.as_str(), "{c:?}");
        assert_eq!(body["applicant"]["name"], c.name.as_str(), "{c:?}");
        assert_eq!(body["items"][0], c.item.as_str(), "{c:?}");
    }
}

fn assert_verifies(url: &DatabaseUrl) {
    let out = cli_on(url, &["verify-audit"]).output().unwrap();
    assert!(
        out.status.success(),
        "verify-audit: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(f).await.unwrap()
}

#[actix_web::test]
async fn kill_9_while_eight_clients_register_loses_no_acknowledged_case() {
    let (url, db) = fresh_database_for_schema();
    let log = log_file("kill9");
    let mut service = Service::start(&url, &log);
    // The test's own pool only reads; the service owns the writes.
    let pool = store::connect(&url, 1).unwrap();
    let mut app = attach(service.base.clone(), pool, url.clone(), db).await;
    let (dept, clerk) = desk(&app, "kill").await;

    let shared = Arc::new(app);
    let load = Load::start(&shared, dept, &clerk, 8);
    // Killed mid-load: once it is going, at a moment not tied to the polling.
    let probe = shared.clone();
    wait_for(move || store_count(&probe.pool) >= 40).await;
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_micros()
        % 30_000;
    actix_web::rt::time::sleep(Duration::from_micros(jitter.into())).await;
    service.kill9();
    let (acked, cut) = load.finish().await;
    assert!(acked.len() >= 40, "{} acknowledged", acked.len());
    // Cases committed whose answer did not arrive may exist too; none acknowledged may miss.
    eprintln!(
        "kill -9: {} acknowledged, {} stored, {cut} requests cut off",
        acked.len(),
        store_count(&shared.pool)
    );

    let service = Service::start(&url, &log);
    app = Arc::into_inner(shared).unwrap();
    app.base = service.base.clone();
    assert_cases_present(&app, &acked).await;
    assert_verifies(&url);
    let _ = std::fs::remove_file(&service.log);
}

/// Cases stored so far, read beside the service.
fn store_count(pool: &store::Pool) -> i64 {
    use diesel::prelude::*;
    use ogi_tracker::store::schema::cases;
    let mut conn = pool.get().unwrap();
    cases::table.count().get_result(&mut **conn).unwrap()
}

fn run(mut cmd: Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[actix_web::test]
async fn backup_under_writes_restores_every_case_acknowledged_before_it() {
    let app = spawn_app().await;
    let DatabaseUrl::Sqlite(db) = &app.db_url else {
        // PostgreSQL has pg_dump and pg_restore; both commands say so and fail.
        for cmd in ["backup", "restore"] {
            let (ok, out) = run(app.cli_command(&[cmd, "/tmp/ogi-never-written"], &[]));
            assert!(!ok && out.contains("pg_"), "{cmd}: {out}");
        }
        return;
    };
    let dir = db.parent().unwrap().to_path_buf();
    let (dept, clerk) = desk(&app, "bak").await;
    let app = Arc::new(app);
    let load = Load::start(&app, dept, &clerk, 4);
    let probe = app.clone();
    wait_for(move || store_count(&probe.pool) >= 20).await;

    // The backup runs while the four clients keep writing.
    let file = dir.join("backup.db");
    let started = Instant::now();
    let (url, f) = (app.db_url.clone(), file.clone());
    let (ok, out) = blocking(move || run(cli_on(&url, &["backup", &f.to_string_lossy()]))).await;
    assert!(ok, "{out}");
    let finished = Instant::now();
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let (acked, _) = load.finish().await;
    assert!(
        acked.iter().any(|c| c.at > started && c.at < finished),
        "writes were acknowledged while the backup ran"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the backup is private");
    }

    // A backup never overwrites.
    let (ok, out) = run(app.cli_command(&["backup", &file.to_string_lossy()], &[]));
    assert!(!ok && out.contains("exists already"), "{out}");
    // A running service's database is not replaced.
    let (ok, out) = run(app.cli_command(&["restore", &file.to_string_lossy()], &[]));
    assert!(!ok && out.contains("in use"), "{out}");
    // Neither by a file that is not a database, nor by another program's database.
    let text = dir.join("notes.txt");
    std::fs::write(&text, "这不是数据库\n".repeat(200)).unwrap();
    let fresh = DatabaseUrl::Sqlite(dir.join("restored").join("ogi.db"));
    let (ok, out) = run(cli_on(&fresh, &["restore", &text.to_string_lossy()]));
    assert!(!ok && out.contains("not an SQLite database"), "{out}");
    let foreign = dir.join("foreign.db");
    let mut other =
        <diesel::SqliteConnection as diesel::Connection>::establish(&foreign.to_string_lossy())
            .unwrap();
    other.batch_execute("CREATE TABLE notes (t TEXT)").unwrap();
    drop(other);
    let (ok, out) = run(cli_on(&fresh, &["restore", &foreign.to_string_lossy()]));
    assert!(!ok && out.contains("not one of ogi-tracker"), "{out}");
    // Nor by one a newer version wrote (a migration this binary does not know).
    let newer = dir.join("newer.db");
    std::fs::copy(&file, &newer).unwrap();
    let mut c =
        <diesel::SqliteConnection as diesel::Connection>::establish(&newer.to_string_lossy())
            .unwrap();
    c.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version, run_on) \
         VALUES ('29991231000000', CURRENT_TIMESTAMP)",
    )
    .unwrap();
    drop(c);
    let (ok, out) = run(cli_on(&fresh, &["restore", &newer.to_string_lossy()]));
    assert!(!ok && out.contains("newer ogi-tracker"), "{out}");
    let DatabaseUrl::Sqlite(fresh_db) = &fresh else {
        unreachable!()
    };
    assert!(!fresh_db.exists(), "no refusal left a database behind");

    // The backup restored into a fresh path serves every case acknowledged before the
    // backup started, and its audit chains verify.
    let (ok, out) = run(cli_on(&fresh, &["restore", &file.to_string_lossy()]));
    assert!(ok, "{out}");
    assert_verifies(&fresh);
    let restored = spawn_app_on(fresh.clone(), TestDb::Kept, |_| {}).await;
    let before: Vec<Acked> = acked.into_iter().filter(|c| c.at < started).collect();
    assert!(!before.is_empty());
    assert_cases_present(&restored, &before).await;
    // The restored service takes new cases after the last one the backup holds.
    let (dept2, clerk2) = desk(&restored, "aft").await;
    restored
        .post(
            "/api/v1/cases",
            &clerk2,
            intake(dept2, "王五", "恢复后的申请"),
        )
        .await
        .expect(201, None);
    assert_verifies(&fresh);
}

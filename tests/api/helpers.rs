//! Boots the real application (same builder as `main`) on port 0 with a fresh database per
//! test: a temporary SQLite file, or a new PostgreSQL database when `OGI_TEST_DATABASE_URL`
//! names a server (e.g. postgres://postgres@127.0.0.1/postgres).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use ogi_tracker::config::{LogFormat, Settings};
use ogi_tracker::startup::Application;
use ogi_tracker::store::{DatabaseUrl, Pool};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "admin-test-password";
pub const USER_PASSWORD: &str = "user-test-password";
/// The audit key of every test instance and of the command line it runs.
pub const AUDIT_KEY: &str = "test-audit-key-test-audit-key-0123456789";

/// The tests' audit key, for checking chains directly.
#[allow(dead_code, reason = "used by the audit tests")]
pub fn audit_key() -> ogi_tracker::store::trail::AuditKey {
    ogi_tracker::store::trail::AuditKey::new(AUDIT_KEY)
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    #[allow(dead_code, reason = "direct database access for tamper tests")]
    pub pool: Pool,
    pub admin_token: String,
    pub db_url: DatabaseUrl,
    _db: TestDb,
}

/// What to clean up when the test ends.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// A database the test itself looks after (a private PostgreSQL cluster).
    Kept,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Kept => {}
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut c) = PgConnection::establish(admin_url) {
                    let _ = c
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
        }
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("ogi_test_{}_{}_{}", std::process::id(), n, nanos)
}

/// A fresh database URL for one test, and what to drop afterwards.
fn fresh_database() -> (DatabaseUrl, TestDb) {
    let name = unique_name();
    match std::env::var("OGI_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin_url) => {
            let mut admin = PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("OGI_TEST_DATABASE_URL={admin_url}: {e}"));
            admin
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .unwrap();
            let (without_query, query) = match admin_url.split_once('?') {
                Some((u, q)) => (u.to_owned(), format!("?{q}")),
                None => (admin_url.clone(), String::new()),
            };
            let scheme_end = without_query.find("://").unwrap() + 3;
            let host_part = match without_query[scheme_end..].find('/') {
                Some(slash) => &without_query[..scheme_end + slash],
                None => without_query.as_str(),
            };
            let url = format!("{host_part}/{name}{query}");
            (
                DatabaseUrl::Postgres(url),
                TestDb::Postgres { admin_url, name },
            )
        }
        None => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).unwrap();
            (
                DatabaseUrl::Sqlite(dir.join("test.db")),
                TestDb::Sqlite(dir),
            )
        }
    }
}

/// A fresh, empty database of the backend under test, dropped with the guard.
pub fn fresh_database_for_schema() -> (DatabaseUrl, TestDb) {
    fresh_database()
}

pub fn test_settings(database_url: DatabaseUrl) -> Settings {
    Settings {
        database_url,
        bind: "127.0.0.1:0".parse().unwrap(),
        jwt_secret: Some("test-secret-test-secret-test-secret-0123".into()),
        audit_key: Some(AUDIT_KEY.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        log_format: LogFormat::Text,
        token_ttl_secs: 3600,
        pool_size: 4,
        // A fixed clock: every test runs on the same "today".
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22),
        smtp_url: None,
        mail_from: "政务公开办 <ogi@example.gov.cn>".into(),
        public_url: "https://ogi.example.gov.cn".into(),
        due_soon_days: vec![5, 2],
        review_remind_days: 3,
        scheduler_secs: 0,
        mail_retry_base_secs: 0,
        special_regime_row: Default::default(),
        trusted_proxies: Vec::new(),
        login_concurrency: 4,
        pool_timeout_secs: 5,
        metrics_token: None,
        sqlite_sync: Default::default(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with the settings adjusted first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (url, db) = fresh_database();
    spawn_app_on(url, db, adjust).await
}

/// The app on a given database; `db` says what to drop when the test ends.
pub async fn spawn_app_on(
    url: DatabaseUrl,
    db: TestDb,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = test_settings(url.clone());
    adjust(&mut settings);
    let app = Application::build(settings).expect("application builds");
    let (port, _, pool) = app.spawn();
    attach(format!("http://127.0.0.1:{port}"), pool, url, db).await
}

/// The tests' HTTP client. It drops a connection idle for 2 s, before the server's
/// keep-alive (5 s) closes it: a request sent on a connection the server is closing fails
/// as "request sent" (seen after a slow step under a loaded machine).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("client builds")
}

/// A test's handle on a service already running at `base` (in this process or another),
/// signed in as admin.
pub async fn attach(base: String, pool: Pool, url: DatabaseUrl, db: TestDb) -> TestApp {
    let mut test = TestApp {
        base,
        client: client(),
        pool,
        admin_token: String::new(),
        db_url: url,
        _db: db,
    };
    test.admin_token = test.login("admin", ADMIN_PASSWORD).await;
    test
}

/// The `ogi-tracker` binary with `args` against the database `url`, configured as the
/// in-process app of the tests is.
pub fn cli_on(url: &DatabaseUrl, args: &[&str]) -> std::process::Command {
    let url = match url {
        DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ogi-tracker"));
    cmd.args(args)
        .env("OGI_DATABASE_URL", url)
        .env("OGI_JWT_SECRET", "test-secret-test-secret-test-secret-0123")
        .env("OGI_AUDIT_KEY", AUDIT_KEY)
        .env("OGI_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("OGI_PUBLIC_URL", "https://ogi.example.gov.cn")
        .env("OGI_MAIL_RETRY_BASE_SECS", "0")
        .env_remove("OGI_SMTP_URL");
    cmd
}

/// A response read whole: status, headers and JSON body (Null when empty).
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    /// The ids of a list's `items`, in order.
    pub fn item_ids(&self) -> Vec<i64> {
        self.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    }

    pub fn etag(&self) -> String {
        self.headers["etag"].to_str().unwrap().to_owned()
    }

    /// Asserts the status and, for errors, the stable error code.
    #[track_caller]
    pub fn expect(&self, status: u16, code: Option<&str>) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        if let Some(code) = code {
            assert_eq!(self.body["code"], code, "body: {}", self.body);
            assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        &self.body
    }
}

impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.request(Method::GET, path, Some(token), None, &[])
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, if_match: &str, body: Value) -> Resp {
        self.request(
            Method::PATCH,
            path,
            Some(token),
            Some(body),
            &[("If-Match", if_match)],
        )
        .await
    }

    /// Starts another instance of the service on this test's database (as several
    /// instances behind a proxy share one PostgreSQL); returns its base URL.
    #[allow(dead_code, reason = "used by the scaling tests")]
    pub fn another_instance(&self, adjust: impl FnOnce(&mut Settings)) -> String {
        let mut settings = test_settings(self.db_url.clone());
        adjust(&mut settings);
        let app = Application::build(settings).expect("second instance builds");
        let (port, _, _) = app.spawn();
        format!("http://127.0.0.1:{port}")
    }

    /// Runs the `ogi-tracker` binary against this test's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_command(args, &[]).output().unwrap()
    }

    /// The `ogi-tracker` command against this test's database, with extra environment.
    pub fn cli_command(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
        let mut cmd = self.cli_base(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    fn cli_base(&self, args: &[&str]) -> std::process::Command {
        cli_on(&self.db_url, args)
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
                &[],
            )
            .await;
        r.expect(200, None);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Creates a department as admin; returns its id.
    pub async fn department(
        &self,
        name: &str,
        code: &str,
        parent: Option<i64>,
        region: &str,
    ) -> i64 {
        let r = self
            .post(
                "/api/v1/departments",
                &self.admin_token,
                json!({
                    "name": name, "code": code, "kind": if parent.is_none() { "government" } else { "department" },
                    "level": "city", "parent_id": parent, "region": region,
                    "reconsideration_organ": {"name": "南宁市人民政府", "address": "南宁市民族大道", "phone": "0771-1"},
                    "court": {"name": "南宁市中级人民法院"}
                }),
            )
            .await;
        r.expect(201, None);
        r.body["id"].as_i64().unwrap()
    }

    /// Creates a user as admin and logs in; returns (user id, token).
    pub async fn user(&self, username: &str, role: &str, department: Option<i64>) -> (i64, String) {
        let r = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"username": username, "display_name": username, "role": role,
                       "department_id": department, "password": USER_PASSWORD}),
            )
            .await;
        r.expect(201, None);
        let id = r.body["id"].as_i64().unwrap();
        (id, self.login(username, USER_PASSWORD).await)
    }
}

impl TestApp {
    /// Has the case's reply `body` approved for issue, as every reply must be (the review
    /// chain): submitted by `clerk`, then approved by `reviewer` at each level, an error-level
    /// finding overridden (the tests that check findings read them on the issued reply).
    /// Returns the case's ETag after review. A body the submission refuses (invalid, or the
    /// case cannot take a reply) is left for the reply endpoint to refuse as it always did:
    /// the ETag comes back unchanged.
    #[allow(dead_code, reason = "used by the reply tests")]
    pub async fn approved_by(
        &self,
        clerk: &str,
        reviewer: &str,
        case_id: i64,
        etag: &str,
        body: &Value,
    ) -> String {
        let path = format!("/api/v1/cases/{case_id}/review");
        let r = self
            .request(
                Method::PUT,
                &path,
                Some(clerk),
                Some(body.clone()),
                &[("If-Match", etag)],
            )
            .await;
        if r.status != StatusCode::OK {
            return etag.to_owned();
        }
        let mut etag = r.etag();
        for _ in 0..3 {
            let r = self
                .request(
                    Method::POST,
                    &format!("{path}/decisions"),
                    Some(reviewer),
                    Some(
                        json!({"decision": "approve", "override_reason": "测试：检查结果另行断言"}),
                    ),
                    &[("If-Match", &etag)],
                )
                .await;
            r.expect(200, None);
            etag = r.etag();
            if r.body["status"] == "approved" {
                break;
            }
        }
        etag
    }

    /// The city government (南宁市人民政府) and its transport bureau (南宁市交通运输局), the
    /// two-level tree many scenarios start from: (government, bureau).
    #[allow(dead_code, reason = "used by the tree scenarios")]
    pub async fn city_and_bureau(&self) -> (i64, i64) {
        let gov = self
            .department("南宁市人民政府", "南府信复", None, "450100")
            .await;
        let bureau = self
            .department("南宁市交通运输局", "南交信复", Some(gov), "450100")
            .await;
        (gov, bureau)
    }

    /// Issues the case's reply `body` as `clerk`: approved first (`approved`), then recorded
    /// with the ETag the review left. The answer to the recording.
    #[allow(dead_code, reason = "used by the reply tests")]
    pub async fn issued_reply(&self, clerk: &str, case_id: i64, etag: &str, body: Value) -> Resp {
        let etag = self.approved(clerk, case_id, etag, &body).await;
        self.request(
            Method::POST,
            &format!("/api/v1/cases/{case_id}/reply"),
            Some(clerk),
            Some(body),
            &[("If-Match", &etag)],
        )
        .await
    }

    /// `approved_by` with a supervisor of the case's department as reviewer (the default
    /// chain's one level), created on first use.
    #[allow(dead_code, reason = "used by the reply tests")]
    pub async fn approved(&self, clerk: &str, case_id: i64, etag: &str, body: &Value) -> String {
        let case = self
            .get(&format!("/api/v1/cases/{case_id}"), &self.admin_token)
            .await;
        let dept = case.expect(200, None)["department_id"].as_i64().unwrap();
        let username = format!("reviewer_{dept}");
        let r = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"username": username, "display_name": "审核人", "role": "supervisor",
                       "department_id": dept, "password": USER_PASSWORD}),
            )
            .await;
        assert!(
            r.status == StatusCode::CREATED || r.status == StatusCode::CONFLICT,
            "{}",
            r.body
        );
        let reviewer = self.login(&username, USER_PASSWORD).await;
        self.approved_by(clerk, &reviewer, case_id, etag, body)
            .await
    }
}

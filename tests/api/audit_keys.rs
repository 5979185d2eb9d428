//! Keyed audit records through the real app and the real `ogi-tracker verify-audit`: a
//! normal run verifies; what someone with write access to the database but without the key
//! can do (rewrite a record and recompute its hash with plain SHA-256, relabel it `sha256`,
//! rewrite a legacy chain, remove the seal) is reported; another key reports every keyed
//! record; no key is said plainly; an upgraded database keeps its legacy records, sealed.

use diesel::connection::SimpleConnection;
use ogi_tracker::startup::Application;
use ogi_tracker::store::{self, DatabaseUrl};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cases::{create, event, intake, office};
use crate::helpers::{
    AUDIT_KEY, TestApp, fresh_database_for_schema, spawn_app, spawn_app_with, test_settings,
};

/// Plain SHA-256 over length-prefixed parts: what anyone can compute without the key.
fn plain_sha256(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn micros(at: chrono::NaiveDateTime) -> String {
    at.and_utc().timestamp_micros().to_string()
}

/// A case record's hash, recomputed as an attacker without the key would.
fn forged_case_hash(r: &store::trail::AuditRecord, actor_id: i64, after: &str) -> String {
    plain_sha256(&[
        &r.prev_hash,
        &r.case_id.to_string(),
        &r.seq.to_string(),
        &actor_id.to_string(),
        &micros(r.at),
        &r.action,
        r.before_state.as_deref().unwrap_or("\u{0}"),
        after,
    ])
}

/// An action-log record's hash, recomputed without the key, on a chain linked after `prev`.
fn forged_action_hash(r: &store::action_log::ActionRecord, prev: &str, after: &str) -> String {
    plain_sha256(&[
        prev,
        &r.subject,
        &r.seq.to_string(),
        &r.actor_id.map_or_else(|| "-".to_owned(), |a| a.to_string()),
        &micros(r.at),
        &r.action,
        r.before_state.as_deref().unwrap_or("\u{0}"),
        after,
    ])
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `verify-audit` with extra environment: success, the report, stderr.
fn verify(app: &TestApp, env: &[(&str, &str)], drop_key: bool) -> (Option<i32>, Value, String) {
    let mut cmd = app.cli_command(&["verify-audit"], env);
    if drop_key {
        cmd.env_remove("OGI_AUDIT_KEY");
    }
    let out = cmd.output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The problems of a report's case trails and action log.
fn problems(report: &Value) -> (Vec<String>, Vec<String>) {
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b["problem"].as_str().unwrap().to_owned())
            .collect()
    };
    (
        list(&report["breaks"]),
        list(&report["action_log"]["breaks"]),
    )
}

/// A case with two records and some action-log subjects; returns the case id.
async fn some_history(app: &TestApp) -> i64 {
    let o = office(app, "钥交信复", "450100").await;
    let r = create(
        app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-02", None),
    )
    .await;
    let id = r.body["id"].as_i64().unwrap();
    event(
        app,
        &o.clerk,
        &r,
        json!({"type": "assigned", "date": "2026-11-03", "user_id": o.clerk_id}),
    )
    .await
    .expect(201, None);
    id
}

#[actix_web::test]
async fn a_normal_run_verifies_under_the_key() {
    let app = spawn_app().await;
    let id = some_history(&app).await;
    let (code, report, stderr) = verify(&app, &[], false);
    assert_eq!(code, Some(0), "{report} {stderr}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["key"], "verified");
    for part in [&report, &report["action_log"]] {
        assert_eq!(part["key_verified"], true);
        assert_eq!(part["schemes"]["sha256"], 0);
        assert_eq!(part["schemes"]["hmac-sha256"], part["records"]);
        // A new database: nothing before the key, so the legacy epoch is empty.
        assert_eq!(part["seal"]["legacy_max_id"], 0);
    }
    assert_eq!(report["records"], 2);
    // The API shows each record's scheme.
    let history = app
        .get(&format!("/api/v1/cases/{id}/history"), &app.admin_token)
        .await;
    assert_eq!(
        history.expect(200, None)["items"][0]["scheme"],
        "hmac-sha256"
    );
}

#[actix_web::test]
async fn rewriting_a_record_with_plain_sha256_or_relabelling_it_is_reported() {
    let app = spawn_app().await;
    let id = some_history(&app).await;
    let mut conn = app.pool.get().unwrap();
    // The newest record of the case (no later hash depends on it) now names another actor,
    // its hash recomputed as anyone can, without the key.
    let last = store::trail::history(&mut conn, id).unwrap().pop().unwrap();
    let hash = forged_case_hash(&last, 1, &last.after_state);
    conn.batch_execute(&format!(
        "UPDATE audit_records SET actor_id = 1, hash = '{hash}' WHERE id = {}",
        last.id
    ))
    .unwrap();
    let (code, report, _) = verify(&app, &[], false);
    assert_eq!(code, Some(1));
    assert_eq!(report["key"], "failed");
    assert_eq!(report["breaks"][0]["record_id"], last.id);
    assert_eq!(
        problems(&report).0,
        [
            "content does not match its keyed hash: the record was altered, or the key is not the one it was written with"
        ]
    );
    // Labelled `sha256`, the forged hash matches, but no unkeyed record may follow the
    // seal, nor a keyed one in its chain.
    conn.batch_execute(&format!(
        "UPDATE audit_records SET scheme = 'sha256' WHERE id = {}",
        last.id
    ))
    .unwrap();
    let (code, report, _) = verify(&app, &[], false);
    assert_eq!(code, Some(1));
    assert_eq!(
        problems(&report).0,
        [
            "an unkeyed (sha256) record after the sealed legacy epoch: forged or relabelled",
            "the chain goes back from hmac-sha256 to sha256",
        ]
    );
    assert_eq!(report["schemes"]["sha256"], 1);

    // The same on the action log: a user's one-record chain rewritten and relabelled is
    // caught by the seal alone.
    let user = store::action_log::recent(&mut conn, Some("user:"), 1)
        .unwrap()
        .pop()
        .unwrap();
    let after = user.after_state.replace("supervisor", "admin");
    assert_ne!(after, user.after_state);
    let hash = forged_action_hash(&user, &user.prev_hash, &after);
    conn.batch_execute(&format!(
        "UPDATE action_log SET after_state = {}, hash = '{hash}', scheme = 'sha256' WHERE id = {}",
        quoted(&after),
        user.id
    ))
    .unwrap();
    let (_, report, _) = verify(&app, &[], false);
    assert_eq!(report["action_log"]["breaks"][0]["subject"], user.subject);
    assert_eq!(
        problems(&report).1,
        ["an unkeyed (sha256) record after the sealed legacy epoch: forged or relabelled"]
    );
}

#[actix_web::test]
async fn another_key_reports_every_keyed_record_and_the_seals() {
    let app = spawn_app().await;
    some_history(&app).await;
    let other = "another-audit-key-another-audit-key-0000";
    let (code, report, stderr) = verify(&app, &[("OGI_AUDIT_KEY", other)], false);
    assert_eq!(code, Some(1));
    assert_eq!(report["key"], "failed");
    let (trail, log) = problems(&report);
    for (part, problems) in [(&report, trail), (&report["action_log"], log)] {
        let keyed = problems.iter().filter(|p| p.contains("keyed hash")).count();
        assert_eq!(Some(keyed as u64), part["schemes"]["hmac-sha256"].as_u64());
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("seal: does not verify"))
        );
        assert_eq!(problems.len(), keyed + 1, "{problems:?}");
    }
    assert!(stderr.contains("is OGI_AUDIT_KEY the key"), "{stderr}");
}

#[actix_web::test]
async fn without_a_key_verify_audit_says_so() {
    let app = spawn_app().await;
    some_history(&app).await;
    let (code, report, stderr) = verify(&app, &[], true);
    if matches!(app.db_url, DatabaseUrl::Postgres(_)) {
        // PostgreSQL deployments must configure the key, for every command.
        assert_eq!(code, Some(2));
        assert!(stderr.contains("OGI_AUDIT_KEY"), "{stderr}");
        return;
    }
    // SQLite: no configured key and no key file beside this database.
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no audit key"), "{stderr}");
    assert_eq!(report["key"], "absent");
    assert_eq!(report["ok"], false);
    assert_eq!(report["key_verified"], Value::Null);
    assert_eq!(report["breaks"], json!([]));
    assert!(report["unverified"].as_u64().unwrap() > 0);
}

#[actix_web::test]
async fn sqlite_keeps_a_generated_key_beside_the_database() {
    if std::env::var("OGI_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        // PostgreSQL: no key, no start, and the error names the setting.
        let (url, _db) = fresh_database_for_schema();
        let mut settings = test_settings(url);
        settings.audit_key = None;
        let err = Application::build(settings).err().expect("refused");
        assert!(err.to_string().contains("OGI_AUDIT_KEY"), "{err}");
        return;
    }
    let app = spawn_app_with(|s| s.audit_key = None).await;
    some_history(&app).await;
    let DatabaseUrl::Sqlite(db) = &app.db_url else {
        unreachable!()
    };
    let file = db.parent().unwrap().join("audit-key");
    let key = std::fs::read_to_string(&file).unwrap();
    assert_eq!(key.len(), 64);
    assert_ne!(key, AUDIT_KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second instance and the command line find the same key there.
    let second = app.another_instance(|s| s.audit_key = None);
    let r = app
        .client
        .get(format!("{second}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (code, report, stderr) = verify(&app, &[], true);
    assert_eq!(code, Some(0), "{report} {stderr}");
    assert_eq!(report["key"], "verified");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), key);
}

/// Makes the database look as the previous release left it: no scheme, no seal, the
/// sealing migration not applied, every record hashed with plain SHA-256.
fn downgrade(app: &TestApp, case_ids: &[i64]) {
    let mut conn = app.pool.get().unwrap();
    let mut updates = Vec::new();
    for &id in case_ids {
        let mut prev = store::trail::GENESIS.to_owned();
        for r in store::trail::history(&mut conn, id).unwrap() {
            let hash = forged_case_hash(
                &store::trail::AuditRecord {
                    prev_hash: prev.clone(),
                    ..r.clone()
                },
                r.actor_id,
                &r.after_state,
            );
            updates.push(format!(
                "UPDATE audit_records SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
                r.id
            ));
            prev = hash;
        }
    }
    let mut all = store::action_log::recent(&mut conn, None, 100_000).unwrap();
    all.sort_by(|a, b| (&a.subject, a.seq).cmp(&(&b.subject, b.seq)));
    let mut prev = (String::new(), String::new());
    for r in &all {
        let link = if prev.0 == r.subject {
            prev.1.clone()
        } else {
            store::trail::GENESIS.to_owned()
        };
        let hash = forged_action_hash(r, &link, &r.after_state);
        updates.push(format!(
            "UPDATE action_log SET prev_hash = '{link}', hash = '{hash}' WHERE id = {}",
            r.id
        ));
        prev = (r.subject.clone(), hash);
    }
    conn.batch_execute(
        "DROP TABLE audit_seals; \
         ALTER TABLE audit_records DROP COLUMN scheme; \
         ALTER TABLE action_log DROP COLUMN scheme; \
         DELETE FROM __diesel_schema_migrations WHERE version = '20261207100001'",
    )
    .unwrap();
    for u in updates {
        conn.batch_execute(&u).unwrap();
    }
}

#[actix_web::test]
async fn an_upgraded_database_keeps_its_legacy_records_sealed() {
    let app = spawn_app().await;
    let id = some_history(&app).await;
    downgrade(&app, &[id]);

    // The upgrade: the migration labels the old records `sha256` and seals them.
    let out = app.cli(&["migrate"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2026-12-07-100001_audit_keys"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, report, stderr) = verify(&app, &[], false);
    assert_eq!(code, Some(0), "{report} {stderr}");
    let legacy = report["records"].as_u64().unwrap();
    assert_eq!(report["schemes"]["sha256"], legacy);
    let bound = report["seal"]["legacy_max_id"].as_i64().unwrap();
    assert!(bound > 0);

    // New records are keyed and follow the legacy ones in the same chain.
    let o = office(&app, "升交信复", "450100").await;
    create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-02", None),
    )
    .await
    .expect(201, None);
    let (code, report, _) = verify(&app, &[], false);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["schemes"]["sha256"], legacy);
    assert_eq!(report["schemes"]["hmac-sha256"], 1);
    assert_eq!(report["seal"]["legacy_max_id"], bound);
    let action_legacy = report["action_log"]["schemes"]["sha256"].clone();
    assert!(
        report["action_log"]["schemes"]["hmac-sha256"]
            .as_u64()
            .unwrap()
            > 0
    );

    // A legacy chain rewritten consistently with plain SHA-256 (what the seal is for: no
    // keyed record follows it) no longer matches the seal.
    let mut conn = app.pool.get().unwrap();
    let dept = store::action_log::recent(&mut conn, Some("department:"), 100)
        .unwrap()
        .into_iter()
        .filter(|r| r.id <= bound)
        .max_by_key(|r| r.id)
        .unwrap();
    let after = dept.after_state.replace("钥交信复", "改交信复");
    let hash = forged_action_hash(&dept, &dept.prev_hash, &after);
    conn.batch_execute(&format!(
        "UPDATE action_log SET after_state = {}, hash = '{hash}' WHERE id = {}",
        quoted(&after),
        dept.id
    ))
    .unwrap();
    let (code, report, _) = verify(&app, &[], false);
    assert_eq!(code, Some(1));
    assert_eq!(report["action_log"]["schemes"]["sha256"], action_legacy);
    assert_eq!(
        problems(&report).1,
        [
            "seal: does not verify: a record up to its bound was rewritten, added or removed, the seal was edited, or the key is not the one it was made with"
        ]
    );
    conn.batch_execute(&format!(
        "UPDATE action_log SET after_state = {}, hash = '{}' WHERE id = {}",
        quoted(&dept.after_state),
        dept.hash,
        dept.id
    ))
    .unwrap();
    assert_eq!(verify(&app, &[], false).0, Some(0));

    // A removed seal is reported, and no later start makes a new one.
    conn.batch_execute("DELETE FROM audit_seals").unwrap();
    assert_eq!(app.cli(&["migrate"]).status.code(), Some(0));
    let (code, report, _) = verify(&app, &[], false);
    assert_eq!(code, Some(1));
    assert_eq!(report["seal"], Value::Null);
    assert!(problems(&report).0[0].starts_with("seal: audit_records has no seal"));
    assert!(problems(&report).1[0].starts_with("seal: action_log has no seal"));
}

#[actix_web::test]
async fn a_case_removed_whole_is_reported() {
    let app = spawn_app().await;
    let o = office(&app, "删交信复", "450100").await;
    let mut ids = Vec::new();
    for day in ["2026-11-02", "2026-11-03"] {
        let r = create(&app, &o.clerk, intake(o.dept, "in_person", day, None)).await;
        ids.push(r.expect(201, None)["id"].as_i64().unwrap());
    }
    assert_eq!(verify(&app, &[], false).0, Some(0));
    // The first case goes, with everything that names it: no chain is left to break.
    let mut conn = app.pool.get().unwrap();
    for table in [
        "search_grams",
        "case_items",
        "case_events",
        "audit_records",
        "outbox",
        "cases",
    ] {
        let column = if table == "cases" { "id" } else { "case_id" };
        conn.batch_execute(&format!("DELETE FROM {table} WHERE {column} = {}", ids[0]))
            .unwrap();
    }
    let (code, report, _) = verify(&app, &[], false);
    assert_eq!(code, Some(1));
    assert_eq!(
        problems(&report).0,
        [format!(
            "department {} has 1 cases of 2026, numbered up to 2, but gave out 2 numbers: a case was removed",
            o.dept
        )]
    );
}

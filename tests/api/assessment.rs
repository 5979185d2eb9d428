//! Periodic assessment (考核通报) and rectification (盘点销号) through the HTTP API: a seeded
//! quarter of three bureaus with on-time, late and non-compliant replies gives the scores,
//! 得分率 and ranking computed by hand below; a published period keeps its figures after a
//! case changes while a draft follows the change; every listed problem becomes an item the
//! department reports and the office returns or closes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, USER_PASSWORD, spawn_app};

async fn user(app: &TestApp, name: &str, role: &str, dept: i64) -> String {
    app.post(
        "/api/v1/users",
        &app.admin_token,
        json!({"username": name, "display_name": name, "role": role,
               "department_id": dept, "password": USER_PASSWORD}),
    )
    .await
    .expect(201, None);
    app.login(name, USER_PASSWORD).await
}

struct Bureau {
    id: i64,
    name: &'static str,
    clerk: String,
}

struct Setup {
    office: String,
    a: Bureau,
    b: Bureau,
    c: Bureau,
    /// A case of C left open, answered (late) after publishing.
    c_open: (i64, String),
    /// The first (on-time, compliant) case of A, B and C.
    firsts: Vec<i64>,
}

async fn bureau(app: &TestApp, gov: i64, name: &'static str, code: &str, clerk: &str) -> Bureau {
    let id = app.department(name, code, Some(gov), "450100").await;
    Bureau {
        id,
        name,
        clerk: user(app, clerk, "clerk", id).await,
    }
}

/// A case received in person on `received`; returns (id, ETag).
async fn case(app: &TestApp, b: &Bureau, received: &str) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/cases",
            &b.clerk,
            json!({
                "department_id": b.id,
                "applicant": {"type": "natural_person", "name": "钱七"},
                "channel": "in_person", "submitted_on": received, "received_on": received,
                "items": [{"description": "道路养护资金使用情况"}]
            }),
        )
        .await;
    (r.expect(201, None)["id"].as_i64().unwrap(), r.etag())
}

/// Answers the case on `issued_on` with the drafted, compliant letter (sealed by the bureau),
/// or without the seal; returns the finding codes the reply was recorded with.
async fn answer(
    app: &TestApp,
    b: &Bureau,
    (id, etag): &(i64, String),
    issued_on: &str,
    sealed: bool,
) -> Vec<String> {
    let d = app
        .get(
            &format!("/api/v1/cases/{id}/reply-draft?outcome=disclosed&issued_on={issued_on}"),
            &b.clerk,
        )
        .await;
    let d = d.expect(200, None);
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(sealed);
    if sealed {
        body["seal_organ"] = json!(b.name);
    } else {
        body.as_object_mut().unwrap().remove("seal_organ");
    }
    body["text"] = d["text"].clone();
    body.as_object_mut().unwrap().remove("dispatched_on");
    let r = app.issued_reply(&b.clerk, *id, etag, body).await;
    let v = r.expect(201, None);
    let findings = if v["findings"].is_array() {
        &v["findings"]
    } else {
        &v["reply"]["findings"]
    };
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The quarter 2026-07-01..09-30 (cases received 2026-07-01, due 2026-07-29):
/// A answers both in time and in form; B answers one on 2026-09-01, late; C answers both in
/// time but one without the seal, and leaves a third open.
async fn seed(app: &TestApp) -> Setup {
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let office = user(app, "office_sup", "supervisor", gov).await;
    let a = bureau(app, gov, "南宁市甲局", "南甲信复", "clerk_a").await;
    let b = bureau(app, gov, "南宁市乙局", "南乙信复", "clerk_b").await;
    let c = bureau(app, gov, "南宁市丙局", "南丙信复", "clerk_c").await;
    let mut firsts = Vec::new();
    for x in [&a, &b, &c] {
        let first = case(app, x, "2026-07-01").await;
        firsts.push(first.0);
        assert_eq!(
            answer(app, x, &first, "2026-07-10", true).await,
            Vec::<String>::new()
        );
    }
    // A's second case: the clerk asks for 10 more working days, the office grants them.
    let a2 = case(app, &a, "2026-07-01").await;
    let office_id = app.get("/api/v1/me", &office).await.body["id"]
        .as_i64()
        .unwrap();
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/cases/{}/events", a2.0),
            Some(&a.clerk),
            Some(json!({"type": "extension_requested", "date": "2026-07-20", "working_days": 10, "reason": "需调取档案"})),
            &[("If-Match", &a2.1)],
        )
        .await;
    r.expect(201, None);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/cases/{}/events", a2.0),
            Some(&office),
            Some(
                json!({"type": "extension_granted", "date": "2026-07-20", "approved_by": office_id,
                        "notified_on": "2026-07-20", "working_days": 10, "reason": "需调取档案"}),
            ),
            &[("If-Match", &r.etag())],
        )
        .await;
    r.expect(201, None);
    let a2 = (a2.0, r.etag());
    assert_eq!(
        answer(app, &a, &a2, "2026-07-20", true).await,
        Vec::<String>::new()
    );
    let b2 = case(app, &b, "2026-07-01").await;
    assert_eq!(
        answer(app, &b, &b2, "2026-09-01", true).await,
        vec!["reply_late"]
    );
    let c2 = case(app, &c, "2026-07-01").await;
    assert_eq!(
        answer(app, &c, &c2, "2026-07-20", false).await,
        vec!["seal_missing"]
    );
    let c_open = case(app, &c, "2026-07-01").await;
    Setup {
        office,
        a,
        b,
        c,
        c_open,
        firsts,
    }
}

fn scheme() -> Value {
    json!([
        {"key": "on_time", "kind": "on_time", "name": "按期答复率", "weight": 50, "max": 50},
        {"key": "findings", "kind": "findings", "name": "答复书规范性", "weight": 30, "max": 30,
         "per_error": 20, "per_warning": 4},
        {"key": "extensions", "kind": "extensions", "name": "延期答复", "weight": 10, "max": 10,
         "per_item": 5},
        {"key": "training", "kind": "manual", "name": "业务培训", "weight": 10, "max": 10}
    ])
}

async fn create(app: &TestApp, token: &str) -> Resp {
    app.post(
        "/api/v1/assessments",
        token,
        json!({"kind": "quarter", "year": 2026, "quarter": 3, "scheme": scheme()}),
    )
    .await
}

async fn with_etag(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    etag: &str,
    body: Value,
) -> Resp {
    app.request(method, path, Some(token), Some(body), &[("If-Match", etag)])
        .await
}

/// Scores the manual indicator: A 9 (with a shortfall noted), B 10, C 5.
async fn score_by_hand(app: &TestApp, s: &Setup, id: i64, mut etag: String) -> String {
    for (b, score, note) in [
        (&s.a, 9.0, "举办培训1次，未留存签到材料"),
        (&s.b, 10.0, "举办培训2次"),
        (&s.c, 5.0, "未举办专题培训"),
    ] {
        let r = with_etag(
            app,
            Method::PUT,
            &format!("/api/v1/assessments/{id}/manual-scores"),
            &s.office,
            &etag,
            json!({"department_id": b.id, "key": "training", "score": score, "note": note}),
        )
        .await;
        r.expect(200, None);
        etag = r.etag();
    }
    etag
}

/// (department, total, rate, rank) of each result, in the order given.
fn table(v: &Value) -> Vec<(String, f64, f64, i64)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["department"].as_str().unwrap().to_owned(),
                r["total"].as_f64().unwrap(),
                r["rate"].as_f64().unwrap(),
                r["rank"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn figure(v: &Value, dept: &str, key: &str) -> Value {
    let r = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == dept)
        .unwrap();
    r["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap()
        .clone()
}

#[actix_web::test]
async fn a_seeded_quarter_scores_ranks_and_freezes_when_published() {
    let app = spawn_app().await;
    let s = seed(&app).await;

    // Only the office defines periods; a clerk is refused.
    create(&app, &s.a.clerk)
        .await
        .expect(403, Some("office_only"));
    let bad = app
        .post(
            "/api/v1/assessments",
            &s.office,
            json!({"kind": "quarter", "year": 2026, "quarter": 5}),
        )
        .await;
    assert!(bad.expect(422, None)["fields"]["quarter"].is_string());

    let r = create(&app, &s.office).await;
    let p = r.expect(201, None).clone();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(
        (p["starts_on"].as_str(), p["ends_on"].as_str()),
        (Some("2026-07-01"), Some("2026-09-30"))
    );
    assert_eq!(p["status"], "draft");
    assert_eq!(p["label"], "2026年第三季度");

    // Publishing before every hand indicator is scored is refused.
    with_etag(
        &app,
        Method::POST,
        &format!("/api/v1/assessments/{id}/publish"),
        &s.office,
        &r.etag(),
        json!({"working_days": 15}),
    )
    .await
    .expect(409, Some("manual_scores_missing"));
    let etag = score_by_hand(&app, &s, id, r.etag()).await;

    // By hand (weights 50 / 30 / 10 / 10, sum of maxima 100):
    //   甲: on time 2/2 → 50; no findings → 30; one extension (5) → 5; hand 9  → 94
    //   乙: on time 1/2 → 25; reply_late is counted by on-time only → 30; 10; hand 10 → 75
    //   丙: on time 2/2 → 50; one seal_missing (error, 20) → 10; 10; hand 5  → 75
    // 得分率 = total / 100; 乙 and 丙 tie and share rank 2 (then by name: 丙 before 乙).
    let v = app
        .get(&format!("/api/v1/assessments/{id}"), &s.office)
        .await;
    let v = v.expect(200, None).clone();
    assert_eq!(
        table(&v),
        vec![
            ("南宁市甲局".to_owned(), 94.0, 94.0, 1),
            ("南宁市丙局".to_owned(), 75.0, 75.0, 2),
            ("南宁市乙局".to_owned(), 75.0, 75.0, 2),
        ]
    );
    assert_eq!(figure(&v, "南宁市乙局", "on_time")["score"], 25.0);
    let ext = figure(&v, "南宁市甲局", "extensions");
    assert_eq!(
        (ext["score"].as_f64(), ext["ids"].as_array().unwrap().len()),
        (Some(5.0), 1)
    );
    assert_eq!(figure(&v, "南宁市丙局", "findings")["score"], 10.0);
    // The figures lead to the cases behind them: B's late reply, C's unsealed one.
    let late = figure(&v, "南宁市乙局", "on_time");
    assert_eq!(late["ids"].as_array().unwrap().len(), 1);
    assert_eq!(late["refers_to"], "case");
    let late_id = late["ids"][0].as_i64().unwrap().to_string();
    assert!(
        v["case_numbers"][&late_id]
            .as_str()
            .unwrap()
            .starts_with("南乙信复 ")
    );
    let unsealed = figure(&v, "南宁市丙局", "findings");
    assert_eq!(unsealed["ids"].as_array().unwrap().len(), 1);
    assert!(
        unsealed["problem"]
            .as_str()
            .unwrap()
            .contains("未加盖印章1处")
    );

    // A second draft of the same quarter, to watch a draft follow the facts.
    let r2 = create(&app, &s.office).await;
    let draft = r2.expect(201, None)["id"].as_i64().unwrap();
    score_by_hand(&app, &s, draft, r2.etag()).await;

    // Publish the first: frozen, with its hash; a second publish is refused.
    let r = with_etag(
        &app,
        Method::POST,
        &format!("/api/v1/assessments/{id}/publish"),
        &s.office,
        &etag,
        json!({"working_days": 15}),
    )
    .await;
    let published = r.expect(200, None).clone();
    assert_eq!(published["status"], "published");
    assert_eq!(published["published_on"], "2026-11-22");
    assert_eq!(published["snapshot_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(published["results"], v["results"]);
    with_etag(
        &app,
        Method::POST,
        &format!("/api/v1/assessments/{id}/publish"),
        &s.office,
        &r.etag(),
        json!({"working_days": 15}),
    )
    .await
    .expect(409, Some("period_published"));
    with_etag(
        &app,
        Method::PATCH,
        &format!("/api/v1/assessments/{id}"),
        &s.office,
        &r.etag(),
        json!({"remarks": "x"}),
    )
    .await
    .expect(409, Some("period_published"));

    // A case changes: C answers its third case on 2026-09-10, late, inside the quarter.
    let codes = answer(&app, &s.c, &s.c_open, "2026-09-10", true).await;
    assert_eq!(codes, vec!["reply_late"]);

    // The published period does not move …
    let after = app
        .get(&format!("/api/v1/assessments/{id}"), &s.office)
        .await;
    let after = after.expect(200, None);
    assert_eq!(after["results"], v["results"]);
    assert_eq!(after["snapshot_sha256"], published["snapshot_sha256"]);
    assert_eq!(after["snapshot_intact"], true);
    // Someone edits the stored snapshot behind the application's back: the hash says so.
    {
        use diesel::prelude::*;
        use ogi_tracker::store::schema::assessment_periods;
        let mut conn = app.pool.get().unwrap();
        let forged = after["snapshot_sha256"].as_str().unwrap().to_owned();
        let snapshot: Option<String> = assessment_periods::table
            .find(id)
            .select(assessment_periods::snapshot)
            .first(&mut **conn)
            .unwrap();
        let snapshot = snapshot.unwrap();
        let changed = snapshot.replacen("\"rank\":2", "\"rank\":1", 1);
        assert_ne!(changed, snapshot);
        diesel::update(assessment_periods::table.find(id))
            .set(assessment_periods::snapshot.eq(changed))
            .execute(&mut **conn)
            .unwrap();
        let v = app
            .get(&format!("/api/v1/assessments/{id}"), &s.office)
            .await;
        assert_eq!(v.expect(200, None)["snapshot_intact"], false);
        assert_eq!(v.body["snapshot_sha256"], forged.as_str());
    }
    // … the draft does: 丙 on time 2/3 → 50 × 2/3 = 33.33; 33.33 + 10 + 10 + 5 = 58.33.
    let d = app
        .get(&format!("/api/v1/assessments/{draft}"), &s.office)
        .await;
    let d = d.expect(200, None).clone();
    assert_eq!(
        table(&d),
        vec![
            ("南宁市甲局".to_owned(), 94.0, 94.0, 1),
            ("南宁市乙局".to_owned(), 75.0, 75.0, 2),
            ("南宁市丙局".to_owned(), 58.33, 58.33, 3),
        ]
    );
    assert_eq!(
        figure(&d, "南宁市丙局", "on_time")["ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The department's clerks cannot read periods.
    app.get(&format!("/api/v1/assessments/{id}"), &s.a.clerk)
        .await
        .expect(404, None);
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn every_problem_becomes_an_item_the_department_reports_and_the_office_closes() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let r = create(&app, &s.office).await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let etag = score_by_hand(&app, &s, id, r.etag()).await;
    with_etag(
        &app,
        Method::POST,
        &format!("/api/v1/assessments/{id}/publish"),
        &s.office,
        &etag,
        json!({"working_days": 15}),
    )
    .await
    .expect(200, None);

    // Problems: 甲 the extension and the training shortfall; 乙 the late reply; 丙 the seal
    // and the training.
    let all = app
        .get(
            &format!("/api/v1/assessments/items?period_id={id}"),
            &s.office,
        )
        .await;
    let all = all.expect(200, None)["items"].as_array().unwrap().clone();
    let per = |dept: i64| all.iter().filter(|i| i["department_id"] == dept).count();
    assert_eq!((per(s.a.id), per(s.b.id), per(s.c.id)), (2, 1, 2));

    // B's clerk sees only B's item; 15 working days from the day after Sunday 2026-11-22:
    // Nov 23–27 (5), Nov 30–Dec 4 (10), Dec 7–11 (15).
    let mine = app.get("/api/v1/assessments/items", &s.b.clerk).await;
    let mine = mine.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1);
    let item = &mine[0];
    let item_id = item["id"].as_i64().unwrap();
    assert!(item["problem"].as_str().unwrap().starts_with("逾期答复1件"));
    assert_eq!(item["status"], "open");
    assert_eq!(item["due_on"], "2026-12-11");
    assert_eq!(item["overdue"], false);
    assert_eq!(item["actions"], json!(["done"]));
    let path = format!("/api/v1/assessments/items/{item_id}/steps");
    let v1 = app
        .get(&format!("/api/v1/assessments/items/{item_id}"), &s.b.clerk)
        .await
        .etag();

    // Another bureau cannot see it; the office cannot report it; the clerk cannot close it.
    app.get(&format!("/api/v1/assessments/items/{item_id}"), &s.a.clerk)
        .await
        .expect(404, None);
    with_etag(
        &app,
        Method::POST,
        &path,
        &s.office,
        &v1,
        json!({"kind": "done", "body": "x"}),
    )
    .await
    .expect(403, Some("addressee_only"));
    with_etag(
        &app,
        Method::POST,
        &path,
        &s.b.clerk,
        &v1,
        json!({"kind": "close"}),
    )
    .await
    .expect(403, Some("office_only"));
    with_etag(
        &app,
        Method::POST,
        &path,
        &s.b.clerk,
        &v1,
        json!({"kind": "done"}),
    )
    .await
    .expect(422, None);

    // Reported done, returned, reported again, closed (销号).
    let r = with_etag(
        &app,
        Method::POST,
        &path,
        &s.b.clerk,
        &v1,
        json!({"kind": "done", "body": "已建立答复期限提醒台账"}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "done");
    assert_eq!(r.body["done_on"], "2026-11-22");
    assert_eq!(r.body["done_in_time"], true);
    with_etag(
        &app,
        Method::POST,
        &path,
        &s.b.clerk,
        &v1,
        json!({"kind": "done", "body": "再报"}),
    )
    .await
    .expect(412, None);
    let r = with_etag(
        &app,
        Method::POST,
        &path,
        &s.office,
        &r.etag(),
        json!({"kind": "return", "body": "请附台账截图"}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "returned");
    assert_eq!(r.body["done_on"], Value::Null);
    with_etag(
        &app,
        Method::POST,
        &path,
        &s.office,
        &r.etag(),
        json!({"kind": "close"}),
    )
    .await
    .expect(409, Some("item_step_not_allowed"));
    let r = with_etag(
        &app,
        Method::POST,
        &path,
        &s.b.clerk,
        &r.etag(),
        json!({"kind": "done", "body": "已建立台账，截图附后"}),
    )
    .await;
    r.expect(200, None);
    let r = with_etag(
        &app,
        Method::POST,
        &path,
        &s.office,
        &r.etag(),
        json!({"kind": "close", "body": "整改到位"}),
    )
    .await;
    let closed = r.expect(200, None);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closed_on"], "2026-11-22");
    assert_eq!(closed["actions"], json!([]));

    let open = app
        .get("/api/v1/assessments/items?status=closed", &s.office)
        .await;
    assert_eq!(open.expect(200, None)["items"].as_array().unwrap().len(), 1);

    // The next quarter counts the items due in it. Seen from an instance whose clock reads
    // Monday 2026-12-14: 甲's two items and 丙's two were due 2026-12-11 and nothing was
    // reported (overdue, 0 of 2 → 0 points); 乙 reported on 2026-11-22 (1 of 1 → 10).
    let q4 = app
        .post(
            "/api/v1/assessments",
            &s.office,
            json!({"kind": "quarter", "year": 2026, "quarter": 4, "scheme": [
                {"key": "rect", "kind": "rectification", "name": "整改事项按期完成", "weight": 10, "max": 10}
            ]}),
        )
        .await;
    let q4 = q4.expect(201, None)["id"].as_i64().unwrap();
    let later = app.another_instance(|st| st.today = Some("2026-12-14".parse().unwrap()));
    let get = |path: String| {
        let (client, token, later) = (app.client.clone(), s.office.clone(), later.clone());
        async move {
            let r = client
                .get(format!("{later}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let v = get(format!("/api/v1/assessments/{q4}")).await;
    assert_eq!(
        table(&v),
        vec![
            ("南宁市乙局".to_owned(), 10.0, 100.0, 1),
            ("南宁市丙局".to_owned(), 0.0, 0.0, 2),
            ("南宁市甲局".to_owned(), 0.0, 0.0, 2),
        ]
    );
    assert_eq!(
        figure(&v, "南宁市丙局", "rect")["ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        figure(&v, "南宁市甲局", "rect")["problem"]
            .as_str()
            .unwrap()
            .contains("未按期完成2件")
    );
    let overdue = get("/api/v1/assessments/items?overdue=true".to_owned()).await;
    let overdue = overdue["items"].as_array().unwrap().clone();
    assert_eq!(overdue.len(), 4);
    assert!(
        overdue
            .iter()
            .all(|i| i["overdue"] == true && i["due_on"] == "2026-12-11")
    );
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn replies_corrected_in_reconsideration_cost_their_share() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    // 甲's first reply is corrected on reconsideration (decided 2026-08-15), 丙's upheld
    // (2026-08-20); 乙 has none decided in the quarter.
    for (case, outcome, on) in [
        (s.firsts[0], "corrected", "2026-08-15"),
        (s.firsts[2], "upheld", "2026-08-20"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/remedies"),
                &s.office,
                json!({"kind": "reconsideration", "filed_on": "2026-07-25", "body": "南宁市人民政府"}),
            )
            .await;
        let id = r.expect(201, None)["id"].as_i64().unwrap();
        app.patch(
            &format!("/api/v1/remedies/{id}"),
            &s.office,
            &r.etag(),
            json!({"outcome": outcome, "decided_on": on}),
        )
        .await
        .expect(200, None);
    }
    let r = app
        .post(
            "/api/v1/assessments",
            &s.office,
            json!({"kind": "quarter", "year": 2026, "quarter": 3, "scheme": [
                {"key": "corrected", "kind": "corrected", "name": "被纠错率", "weight": 10, "max": 10}
            ]}),
        )
        .await;
    let v = r.expect(201, None).clone();
    // 甲: 10 × (1 − 1/1) = 0; 乙: nothing decided → 10; 丙: 10 × (1 − 0/1) = 10.
    assert_eq!(
        table(&v),
        vec![
            ("南宁市丙局".to_owned(), 10.0, 100.0, 1),
            ("南宁市乙局".to_owned(), 10.0, 100.0, 1),
            ("南宁市甲局".to_owned(), 0.0, 0.0, 3),
        ]
    );
    let f = figure(&v, "南宁市甲局", "corrected");
    assert_eq!(f["ids"], json!([s.firsts[0]]));
    assert!(f["problem"].as_str().unwrap().contains("纠错1件"));
}

/// The notification scan on `as_of` (the `notify` command); its report.
fn scan(app: &TestApp, as_of: &str) -> Value {
    let out = app
        .cli_command(&["notify", "--as-of", as_of], &[])
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
async fn an_item_past_its_due_date_is_mailed_once_to_the_supervisors() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    // Supervisors with e-mail: one of 乙 and one of the office (the others have none).
    let gov = app.get("/api/v1/me", &s.office).await.body["department_id"]
        .as_i64()
        .unwrap();
    for (name, dept, email) in [
        ("b_sup", s.b.id, "b@nn.gov.cn"),
        ("office_mail", gov, "office@nn.gov.cn"),
    ] {
        app.post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": name, "display_name": name, "role": "supervisor", "email": email,
                   "department_id": dept, "password": USER_PASSWORD}),
        )
        .await
        .expect(201, None);
    }
    let r = create(&app, &s.office).await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let etag = score_by_hand(&app, &s, id, r.etag()).await;
    with_etag(
        &app,
        Method::POST,
        &format!("/api/v1/assessments/{id}/publish"),
        &s.office,
        &etag,
        json!({"working_days": 15}),
    )
    .await
    .expect(200, None);
    let items = app
        .get("/api/v1/assessments/items", &s.office)
        .await
        .expect(200, None)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 5);
    let b_item = items.iter().find(|i| i["department_id"] == s.b.id).unwrap()["id"]
        .as_i64()
        .unwrap();

    // Due Friday 2026-12-11: nothing on that day.
    assert_eq!(
        scan(&app, "2026-12-11")["scan"]["rectifications_overdue"],
        0
    );
    // Monday 2026-12-14: five items overdue. 乙's goes to its supervisor and the office (2);
    // 甲's two and 丙's two find no supervisor with e-mail in their department, so only the
    // office (4): 6 mails. Again that day, or the next: none.
    assert_eq!(
        scan(&app, "2026-12-14")["scan"]["rectifications_overdue"],
        6
    );
    assert_eq!(
        scan(&app, "2026-12-14")["scan"]["rectifications_overdue"],
        0
    );
    assert_eq!(
        scan(&app, "2026-12-15")["scan"]["rectifications_overdue"],
        0
    );
    let outbox = app.get("/api/v1/outbox", &app.admin_token).await;
    let mut to_b: Vec<String> = outbox.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == format!("rectification_overdue_{b_item}").as_str())
        .map(|m| m["recipient"].as_str().unwrap().to_owned())
        .collect();
    to_b.sort();
    assert_eq!(to_b, vec!["b@nn.gov.cn", "office@nn.gov.cn"]);
}

/// A campaign (calendar 450100) with its cut-off on `cutoff_on`; returns its id.
async fn audit_campaign(app: &TestApp, token: &str, name: &str, cutoff_on: &str) -> i64 {
    app.post(
        "/api/v1/audits",
        token,
        json!({"name": name, "region": "450100", "cutoff_on": cutoff_on}),
    )
    .await
    .expect(201, None)["id"]
        .as_i64()
        .unwrap()
}

async fn audit_target(app: &TestApp, token: &str, campaign: i64, name: &str) -> i64 {
    app.post(
        &format!("/api/v1/audits/{campaign}/targets"),
        token,
        json!({"name": name, "category": "市直部门"}),
    )
    .await
    .expect(201, None)["id"]
        .as_i64()
        .unwrap()
}

/// A registered letter signed for on `signed_on`; returns its id.
async fn audit_letter(
    app: &TestApp,
    token: &str,
    campaign: i64,
    target: i64,
    signed_on: &str,
) -> i64 {
    app.post(
        &format!("/api/v1/audits/{campaign}/letters"),
        token,
        json!({"target_id": target, "channel": "regular", "sent_on": "2026-08-03",
               "signed_on": signed_on}),
    )
    .await
    .expect(201, None)["id"]
        .as_i64()
        .unwrap()
}

async fn audit_phone(
    app: &TestApp,
    token: &str,
    campaign: i64,
    target: i64,
    on: &str,
    connected: bool,
) {
    app.post(
        &format!("/api/v1/audits/{campaign}/phone-checks"),
        token,
        json!({"target_id": target, "called_at": format!("{on}T10:00:00+08:00"),
               "connected": connected}),
    )
    .await
    .expect(201, None);
}

async fn link(
    app: &TestApp,
    token: &str,
    campaign: i64,
    target: i64,
    etag: &str,
    dept: Value,
) -> Resp {
    with_etag(
        app,
        Method::PUT,
        &format!("/api/v1/audits/{campaign}/targets/{target}/department"),
        token,
        etag,
        json!({"department_id": dept}),
    )
    .await
}

#[actix_web::test]
async fn campaign_scores_of_linked_targets_count_in_the_assessment() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let auditor = app.user("auditor_x", "auditor", None).await.1;
    let admin = app.admin_token.clone();

    // Campaign 1, data collected until 2026-09-30 (inside Q3). Letters signed on 2026-08-05
    // are due on the 20th working day after (early September), before the cut-off.
    let c1 = audit_campaign(&app, &auditor, "2026年市直部门模拟用户实测", "2026-09-30").await;
    // "南宁市甲局" is exactly the department's name; the other unit's name is not.
    let t_a = audit_target(&app, &auditor, c1, "南宁市甲局").await;
    let t_b = audit_target(&app, &auditor, c1, "乙局政务服务窗口").await;
    // 甲: signed (1 of 11), never answered; the phone not answered (0 of 2): 1 / 13.
    audit_letter(&app, &auditor, c1, t_a, "2026-08-05").await;
    audit_phone(&app, &auditor, c1, t_a, "2026-08-10", false).await;
    // 乙: signed 1 + on time 4 + 文号 1 + seal 1, no legal basis, no remedy (7 of 11);
    // the phone answered (2 of 2): 9 / 13.
    let l_b = audit_letter(&app, &auditor, c1, t_b, "2026-08-05").await;
    app.request(
        Method::PUT,
        &format!("/api/v1/audits/{c1}/letters/{l_b}/reply"),
        Some(&auditor),
        Some(
            json!({"received_on": "2026-08-20", "dispatched_on": "2026-08-18",
                    "doc_number": "南乙信复〔2026〕3号", "sealed": true,
                    "seal_organ": "南宁市乙局"}),
        ),
        &[],
    )
    .await
    .expect(200, None);
    audit_phone(&app, &auditor, c1, t_b, "2026-08-10", true).await;
    // Campaign 2 closes in Q4: its unit linked to 丙 scores 0 of 2 but is not in Q3.
    let c2 = audit_campaign(&app, &auditor, "第四季度电话抽查", "2026-10-31").await;
    let t_c = audit_target(&app, &auditor, c2, "丙局热线").await;
    audit_phone(&app, &auditor, c2, t_c, "2026-10-12", false).await;

    // The score card offers the department whose name matches, without linking it.
    let card = app
        .get(&format!("/api/v1/audits/{c1}/targets/{t_a}"), &admin)
        .await;
    let etag_a = card.etag();
    let card = card.expect(200, None);
    assert_eq!(
        (
            card["result"]["score"].as_i64(),
            card["result"]["max"].as_i64()
        ),
        (Some(1), Some(13))
    );
    assert_eq!(card["suggested_department"]["id"], s.a.id);
    assert_eq!(card["department"], Value::Null);
    assert_eq!(card["target"]["department_id"], Value::Null);
    assert_eq!(card["may_link"], true);
    let card_b = app
        .get(&format!("/api/v1/audits/{c1}/targets/{t_b}"), &admin)
        .await;
    let etag_b = card_b.etag();
    assert_eq!(
        card_b.expect(200, None)["suggested_department"],
        Value::Null
    );
    let by_auditor = app
        .get(&format!("/api/v1/audits/{c1}/targets/{t_a}"), &auditor)
        .await;
    assert_eq!(by_auditor.expect(200, None)["may_link"], false);

    // Refusals: the auditor and the office's supervisor may not link (403), an unknown
    // department is named (422), a stale ETag is refused (412). Nothing was written.
    link(&app, &auditor, c1, t_a, &etag_a, json!(s.a.id))
        .await
        .expect(403, Some("admin_only"));
    link(&app, &s.office, c1, t_a, &etag_a, json!(s.a.id))
        .await
        .expect(403, Some("forbidden"));
    let bad = link(&app, &admin, c1, t_a, &etag_a, json!(999_999)).await;
    assert!(bad.expect(422, None)["fields"]["department_id"].is_string());
    // Link 甲 (the suggestion) and 乙; 丙's Q4 unit too.
    let r = link(&app, &admin, c1, t_a, &etag_a, json!(s.a.id)).await;
    let linked = r.expect(200, None).clone();
    assert_eq!(linked["department"]["name"], "南宁市甲局");
    assert_eq!(linked["target"]["department_id"], s.a.id);
    assert_ne!(r.etag(), etag_a);
    link(&app, &admin, c1, t_a, &etag_a, json!(s.b.id))
        .await
        .expect(412, Some("stale_version"));
    link(&app, &admin, c1, t_b, &etag_b, json!(s.b.id))
        .await
        .expect(200, None);
    let card_c = app
        .get(&format!("/api/v1/audits/{c2}/targets/{t_c}"), &admin)
        .await;
    link(&app, &admin, c2, t_c, &card_c.etag(), json!(s.c.id))
        .await
        .expect(200, None);
    let campaign = app.get(&format!("/api/v1/audits/{c1}"), &auditor).await;
    let targets = campaign.expect(200, None)["targets"].clone();
    assert_eq!(targets[0]["department_id"], s.a.id);
    assert_eq!(targets[1]["department_id"], s.b.id);

    // The quarter with the campaign indicator (weight 26) beside the others (max 126).
    let mut scheme = scheme();
    scheme.as_array_mut().unwrap().push(json!(
        {"key": "audit", "kind": "campaign_score", "name": "模拟用户实测得分率", "weight": 26, "max": 26}
    ));
    let r = app
        .post(
            "/api/v1/assessments",
            &s.office,
            json!({"kind": "quarter", "year": 2026, "quarter": 3, "scheme": scheme}),
        )
        .await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let etag = score_by_hand(&app, &s, id, r.etag()).await;
    // By hand, the four indicators as in the seeded quarter (甲 94, 乙 75, 丙 75), plus:
    //   甲: 26 × 1/13 = 2   → 96,  96 / 126 = 76.19%
    //   乙: 26 × 9/13 = 18  → 93,  93 / 126 = 73.81%
    //   丙: no unit linked in Q3 (its Q4 campaign closes after the quarter): not applicable,
    //       the full 26 as every indicator with nothing to count → 101, 101 / 126 = 80.16%
    let v = app
        .get(&format!("/api/v1/assessments/{id}"), &s.office)
        .await;
    let v = v.expect(200, None).clone();
    assert_eq!(
        table(&v),
        vec![
            ("南宁市丙局".to_owned(), 101.0, 80.16, 1),
            ("南宁市甲局".to_owned(), 96.0, 76.19, 2),
            ("南宁市乙局".to_owned(), 93.0, 73.81, 3),
        ]
    );
    let fa = figure(&v, "南宁市甲局", "audit");
    assert_eq!(fa["score"], 2.0);
    assert_eq!(fa["refers_to"], "audit_target");
    assert_eq!(fa["ids"], json!([t_a]));
    assert_eq!(
        fa["campaign_targets"],
        json!([{"campaign_id": c1, "campaign": "2026年市直部门模拟用户实测",
                "cutoff_on": "2026-09-30", "target_id": t_a, "target": "南宁市甲局",
                "score": 1, "max": 13, "provisional": false}])
    );
    assert!(
        fa["problem"]
            .as_str()
            .unwrap()
            .starts_with("模拟用户实测得分率7.69%"),
        "{}",
        fa["problem"]
    );
    assert_eq!(figure(&v, "南宁市乙局", "audit")["score"], 18.0);
    let fc = figure(&v, "南宁市丙局", "audit");
    assert_eq!(
        (fc["score"].as_f64(), fc["problem"].is_null()),
        (Some(26.0), true)
    );
    assert!(fc["basis"].as_str().unwrap().contains("不适用"));
    assert!(fc.get("campaign_targets").is_none());

    // Published, the figures are frozen: unlinking 乙's unit afterwards changes nothing.
    let r = with_etag(
        &app,
        Method::POST,
        &format!("/api/v1/assessments/{id}/publish"),
        &s.office,
        &etag,
        json!({"working_days": 15}),
    )
    .await;
    assert_eq!(r.expect(200, None)["results"], v["results"]);
    let card_b = app
        .get(&format!("/api/v1/audits/{c1}/targets/{t_b}"), &admin)
        .await;
    link(&app, &admin, c1, t_b, &card_b.etag(), Value::Null)
        .await
        .expect(200, None);
    let after = app
        .get(&format!("/api/v1/assessments/{id}"), &s.office)
        .await;
    assert_eq!(after.expect(200, None)["results"], v["results"]);
    // The campaign's chain holds every link, and the stored targets agree with it.
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Case intake and lifecycle through the HTTP API: receipt rules, the clock under 补正,
//! consultation, extension and fees, concurrency, idempotency, isolation, the audit chain
//! and the calendar-import hook.

use diesel::connection::SimpleConnection;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

/// A Guangxi agency (region 450100 → layer 450000) with a clerk and a supervisor.
pub(crate) struct Office {
    pub(crate) dept: i64,
    pub(crate) clerk: String,
    pub(crate) clerk_id: i64,
    pub(crate) sup: String,
    pub(crate) sup_id: i64,
}

pub(crate) async fn office(app: &TestApp, code: &str, region: &str) -> Office {
    let dept = app
        .department(&format!("{code}机关"), code, None, region)
        .await;
    let (clerk_id, clerk) = app
        .user(&format!("clerk_{}", dept), "clerk", Some(dept))
        .await;
    let (sup_id, sup) = app
        .user(&format!("sup_{}", dept), "supervisor", Some(dept))
        .await;
    Office {
        dept,
        clerk,
        clerk_id,
        sup,
        sup_id,
    }
}

pub(crate) fn intake(dept: i64, channel: &str, submitted: &str, received: Option<&str>) -> Value {
    json!({
        "department_id": dept,
        "applicant": {"type": "natural_person", "name": "张三", "id_number": "450100199001011234", "email": "zhangsan@example.cn"},
        "channel": channel,
        "submitted_on": submitted,
        "received_on": received,
        "items": [{"description": "2024年本机关道路建设项目的招标文件"}],
        "delivery_preference": "email"
    })
}

pub(crate) async fn create(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/cases", token, body).await
}

pub(crate) async fn event(app: &TestApp, token: &str, case: &Resp, body: Value) -> Resp {
    let id = case.body["id"].as_i64().unwrap();
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/events"),
        Some(token),
        Some(body),
        &[("If-Match", &case.etag())],
    )
    .await
}

#[actix_web::test]
async fn intake_follows_the_receipt_rule_of_each_channel() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;

    // In person: the day of handing in.
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let body = r.expect(201, None);
    assert_eq!(body["received_on"], "2024-09-27");
    assert_eq!(body["due_on"], "2024-10-30");
    assert_eq!(body["status"], "received");
    assert!(body["case_number"].as_str().unwrap().ends_with("-0001"));
    assert!(
        body["deadline"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["article"].as_str().unwrap().contains("第三十三条"))
    );
    let bad = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", Some("2024-09-30")),
    )
    .await;
    assert!(bad.expect(422, Some("validation_failed"))["fields"]["received_on"].is_string());

    // Registered mail: the signing date, not the posting day.
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "registered_mail", "2024-09-20", Some("2024-09-27")),
    )
    .await;
    assert_eq!(r.expect(201, None)["due_on"], "2024-10-30");
    assert!(r.body["receipt_rule"].as_str().unwrap().contains("签收"));

    // Ordinary mail with no confirmation yet: accepted, flagged, no due date.
    for channel in ["ordinary_mail", "online", "fax", "email", "registered_mail"] {
        let r = create(&app, &o.clerk, intake(o.dept, channel, "2024-09-25", None)).await;
        let body = r.expect(201, None);
        assert_eq!(body["flags"]["receipt_unconfirmed"], true, "{channel}");
        assert!(body["due_on"].is_null());
    }
    let r = create(&app, &o.clerk, intake(o.dept, "online", "2024-09-25", None)).await;
    let early = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "withdrawn", "date": "2024-09-26"}),
    )
    .await;
    early.expect(409, Some("receipt_unconfirmed"));
    let before_submission = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "receipt_confirmed", "date": "2024-09-24"}),
    )
    .await;
    before_submission.expect(422, Some("event_before_submission"));
    let confirmed = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "receipt_confirmed", "date": "2024-09-27"}),
    )
    .await;
    let body = confirmed.expect(201, None);
    assert_eq!(body["received_on"], "2024-09-27");
    assert_eq!(body["due_on"], "2024-10-30");
    assert_eq!(body["flags"]["receipt_unconfirmed"], false);
    let again = event(
        &app,
        &o.clerk,
        &confirmed,
        json!({"type": "receipt_confirmed", "date": "2024-09-28"}),
    )
    .await;
    again.expect(409, Some("receipt_already_confirmed"));

    let future = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2099-01-04", None),
    )
    .await;
    future.expect(422, Some("validation_failed"));
    let unknown_type = create(&app, &o.clerk, json!({"department_id": o.dept})).await;
    unknown_type.expect(422, Some("invalid_body"));
}

#[actix_web::test]
async fn correction_restarts_and_consultation_pauses_the_clock() {
    let app = spawn_app().await;
    let o = office(&app, "桂交信复", "450100").await;

    // RULES.md: received 2025-03-03, correction received 2025-03-20 → due 2025-04-22 in Guangxi.
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2025-03-03", None),
    )
    .await;
    assert_eq!(r.expect(201, None)["due_on"], "2025-04-02");
    let none_pending = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "correction_received", "date": "2025-03-10"}),
    )
    .await;
    none_pending.expect(409, Some("no_correction_requested"));
    let asked = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "correction_requested", "date": "2025-03-05", "items": ["申请人身份证明"], "respond_by": "2025-03-19"}),
    )
    .await;
    let body = asked.expect(201, None);
    assert_eq!(body["status"], "awaiting_correction");
    assert!(body["due_on"].is_null());
    let consult = event(&app, &o.clerk, &asked, json!({"type": "consultation_started", "date": "2025-03-06", "party": "agency", "consulted": "某局"})).await;
    consult.expect(409, Some("awaiting_correction"));
    let received = event(
        &app,
        &o.clerk,
        &asked,
        json!({"type": "correction_received", "date": "2025-03-20"}),
    )
    .await;
    let body = received.expect(201, None);
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["due_on"], "2025-04-22");

    // RULES.md: received 2025-06-03, consultation 06-10 → 06-17, 5 working days paused → 2025-07-08.
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2025-06-03", None),
    )
    .await;
    assert_eq!(r.body["due_on"], "2025-07-01");
    let started = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "consultation_started", "date": "2025-06-10", "party": "third_party", "consulted": "某科技有限公司"}),
    )
    .await;
    let body = started.expect(201, None);
    // Paused while the consultation runs (seen from a day inside it)…
    let id = body["id"].as_i64().unwrap();
    let inside = app
        .get(&format!("/api/v1/cases/{id}?as_of=2025-06-12"), &o.clerk)
        .await;
    assert_eq!(inside.body["status"], "paused");
    let consultation = body["events"].as_array().unwrap().last().unwrap()["id"]
        .as_i64()
        .unwrap();
    let wrong = event(&app, &o.clerk, &started, json!({"type": "consultation_ended", "date": "2025-06-17", "consultation": consultation + 1000})).await;
    wrong.expect(409, Some("consultation_not_open"));
    let ended = event(
        &app,
        &o.clerk,
        &started,
        json!({"type": "consultation_ended", "date": "2025-06-17", "consultation": consultation}),
    )
    .await;
    let body = ended.expect(201, None);
    assert_eq!(body["due_on"], "2025-07-08");
    assert_eq!(body["deadline"]["paused_working_days"], 5);
    assert_eq!(body["status"], "in_progress");
}

#[actix_web::test]
async fn extensions_need_a_supervisor() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let grant = |by: i64, days: u32| json!({"type": "extension_granted", "date": "2024-10-25", "approved_by": by, "notified_on": "2024-10-25", "working_days": days, "reason": "需调取档案"});
    event(&app, &o.clerk, &r, grant(o.clerk_id, 20))
        .await
        .expect(403, Some("approval_required"));
    let requested = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "extension_requested", "date": "2024-10-24", "working_days": 20, "reason": "需调取档案"}),
    )
    .await;
    requested.expect(201, None);
    event(&app, &o.sup, &requested, grant(o.sup_id, 21))
        .await
        .expect(422, Some("extension_too_long"));
    event(&app, &o.sup, &requested, grant(o.clerk_id, 20))
        .await
        .expect(422, Some("approver_mismatch"));
    let granted = event(&app, &o.sup, &requested, grant(o.sup_id, 20)).await;
    let body = granted.expect(201, None);
    // 2024-10-30 + 20 working days.
    assert_eq!(body["due_on"], "2024-11-27");
    assert_eq!(body["deadline"]["base_due_on"], "2024-10-30");
    assert_eq!(body["deadline"]["extended_due_on"], "2024-11-27");
    event(&app, &o.sup, &granted, grant(o.sup_id, 5))
        .await
        .expect(409, Some("extension_already_granted"));
}

#[actix_web::test]
async fn fees_pause_the_clock_and_lapse_closes_the_case() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "fee_paid", "date": "2024-10-10"}),
    )
    .await
    .expect(409, Some("no_fee_pending"));
    event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "fee_notice_issued", "date": "2024-10-09", "amount_fen": 0}),
    )
    .await
    .expect(422, Some("amount_not_positive"));
    let notice = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "fee_notice_issued", "date": "2024-10-09", "amount_fen": 10000}),
    )
    .await;
    assert_eq!(notice.expect(201, None)["status"], "paused");
    let paid = event(
        &app,
        &o.clerk,
        &notice,
        json!({"type": "fee_paid", "date": "2024-10-16"}),
    )
    .await;
    let body = paid.expect(201, None);
    assert_eq!(body["status"], "in_progress");
    // 10-10, 10-11, 10-12 (调休 Saturday), 10-14, 10-15, 10-16: six working days paused.
    assert_eq!(body["deadline"]["paused_working_days"], 6);
    assert_eq!(body["due_on"], "2024-11-07");

    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let notice = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "fee_notice_issued", "date": "2024-10-09", "amount_fen": 10000}),
    )
    .await;
    let lapsed = event(
        &app,
        &o.clerk,
        &notice,
        json!({"type": "fee_lapsed", "date": "2024-11-08"}),
    )
    .await;
    let body = lapsed.expect(201, None);
    assert_eq!(
        (body["status"].as_str(), body["closed_reason"].as_str()),
        (Some("closed"), Some("abandoned"))
    );
    assert!(body["due_on"].is_null());
    event(
        &app,
        &o.clerk,
        &lapsed,
        json!({"type": "withdrawn", "date": "2024-11-09"}),
    )
    .await
    .expect(409, Some("case_closed"));
    let reopened = event(&app, &o.clerk, &lapsed, json!({"type": "reopened", "date": "2024-11-11", "reason": "申请人已补缴费用，经批准恢复办理"})).await;
    let body = reopened.expect(201, None);
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["due_on"], "2024-12-09");
}

#[actix_web::test]
async fn concurrent_writers_and_retries_lose_nothing() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let id = r.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/events");
    let body = json!({"type": "assigned", "date": "2024-09-28", "user_id": o.clerk_id});
    app.request(Method::POST, &path, Some(&o.clerk), Some(body.clone()), &[])
        .await
        .expect(428, Some("if_match_required"));
    let first = event(&app, &o.clerk, &r, body.clone()).await;
    assert_eq!(first.expect(201, None)["assignee_id"], o.clerk_id);
    // A second writer still holding the first version is refused and nothing is recorded.
    let stale = event(
        &app,
        &o.sup,
        &r,
        json!({"type": "withdrawn", "date": "2024-09-29"}),
    )
    .await;
    stale.expect(412, Some("stale_version"));
    let now = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    assert_eq!(now.body["events"].as_array().unwrap().len(), 1);
    assert_eq!(now.body["status"], "in_progress");
    let other_user = event(
        &app,
        &o.clerk,
        &now,
        json!({"type": "assigned", "date": "2024-09-28", "user_id": 424242}),
    )
    .await;
    other_user.expect(422, Some("assignee_invalid"));

    // Idempotency: a retried POST returns the first result and makes no second case.
    let key = [("Idempotency-Key", "intake-7f3a")];
    let body = intake(o.dept, "registered_mail", "2024-09-20", Some("2024-09-27"));
    let a = app
        .request(
            Method::POST,
            "/api/v1/cases",
            Some(&o.clerk),
            Some(body.clone()),
            &key,
        )
        .await;
    let b = app
        .request(
            Method::POST,
            "/api/v1/cases",
            Some(&o.clerk),
            Some(body.clone()),
            &key,
        )
        .await;
    // The replay is the first answer, whole (on PostgreSQL it was kept with the intake).
    assert_eq!(a.expect(201, None), b.expect(201, None));
    assert_eq!(b.headers["idempotent-replayed"], "true");
    let mut changed = body.clone();
    changed["items"] = json!([{"description": "别的信息"}]);
    let c = app
        .request(
            Method::POST,
            "/api/v1/cases",
            Some(&o.clerk),
            Some(changed),
            &key,
        )
        .await;
    c.expect(422, Some("idempotency_key_reused"));
    let listed = || async {
        let list = app
            .get(
                &format!("/api/v1/cases?department_id={}&limit=200", o.dept),
                &o.clerk,
            )
            .await;
        list.body["items"].as_array().unwrap().len()
    };
    assert_eq!(listed().await, 2);

    // The same keyed request sent four times at once (a double click, a client retrying
    // early): one case, and every answer is its answer.
    let key = [("Idempotency-Key", "intake-8c1e")];
    let body = intake(o.dept, "in_person", "2024-10-08", None);
    let same: Vec<_> = (0..4)
        .map(|_| {
            app.request(
                Method::POST,
                "/api/v1/cases",
                Some(&o.clerk),
                Some(body.clone()),
                &key,
            )
        })
        .collect();
    let answers = join_all(same).await;
    let first = answers[0].expect(201, None);
    for a in &answers {
        assert_eq!(a.expect(201, None), first);
    }
    assert_eq!(listed().await, 3);

    // Concurrent intakes all get distinct numbers.
    let futures: Vec<_> = (0..8)
        .map(|_| {
            create(
                &app,
                &o.clerk,
                intake(o.dept, "in_person", "2024-10-08", None),
            )
        })
        .collect();
    let results = join_all(futures).await;
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
    numbers.dedup();
    assert_eq!(numbers.len(), 8);
}

/// The sequence numbers of case numbers `2026-NNNN`, sorted.
fn sequences(numbers: impl IntoIterator<Item = String>) -> Vec<u32> {
    let mut seqs: Vec<u32> = numbers
        .into_iter()
        .map(|n| n.strip_prefix("2026-").unwrap().parse().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs
}

#[actix_web::test]
async fn sixty_four_concurrent_intakes_in_one_department_all_succeed_gapless() {
    let app = spawn_app().await;
    // A department with the address and phone its acknowledgements must carry.
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({"name": "南宁市交通运输局", "code": "南交信复", "kind": "department", "level": "city",
                   "region": "450100", "address": "南宁市民族大道1号", "phone": "0771-1234567"}),
        )
        .await;
    let dept = r.expect(201, None)["id"].as_i64().unwrap();
    let (_, clerk) = app.user("clerk_busy", "clerk", Some(dept)).await;
    let o = Office {
        dept,
        clerk,
        clerk_id: 0,
        sup: String::new(),
        sup_id: 0,
    };
    // 64 single intakes (each a distinct applicant with an e-mail: one acknowledgement each)
    // and two batches of 10, all at once, all in one department.
    let singles: Vec<_> = (0..64)
        .map(|i| {
            let mut body = intake(o.dept, "in_person", "2026-11-20", Some("2026-11-20"));
            body["applicant"]["name"] = json!(format!("申请人{i}"));
            body["applicant"]["id_number"] = Value::Null;
            create(&app, &o.clerk, body)
        })
        .collect();
    let batch = |tag: &str| {
        let cases: Vec<Value> = (0..10)
            .map(|i| {
                let mut body = intake(o.dept, "online", "2026-11-20", None);
                body["applicant"]["name"] = json!(format!("批量{tag}{i}"));
                body
            })
            .collect();
        app.post("/api/v1/cases/batch", &o.clerk, json!({ "cases": cases }))
    };
    let (singles, batch_a, batch_b) =
        futures_join3(join_all(singles), batch("甲"), batch("乙")).await;
    let failed: Vec<_> = singles
        .iter()
        .chain([&batch_a, &batch_b])
        .filter(|r| r.status.as_u16() != 201)
        .map(|r| (r.status, r.body.clone()))
        .collect();
    assert!(failed.is_empty(), "non-2xx answers: {failed:?}");
    let mut numbers: Vec<String> = singles
        .iter()
        .map(|r| r.body["case_number"].as_str().unwrap().to_owned())
        .collect();
    for b in [&batch_a, &batch_b] {
        let items = b.body["items"].as_array().unwrap();
        let seqs = sequences(
            items
                .iter()
                .map(|c| c["case_number"].as_str().unwrap().to_owned()),
        );
        // A batch's cases are numbered consecutively, in the order sent.
        assert_eq!(seqs.last().unwrap() - seqs[0], 9, "{seqs:?}");
        assert_eq!(
            items[0]["applicant"]["name"]
                .as_str()
                .unwrap()
                .chars()
                .last(),
            Some('0')
        );
        numbers.extend(
            items
                .iter()
                .map(|c| c["case_number"].as_str().unwrap().to_owned()),
        );
    }
    // Unique and gapless: exactly 1..=84.
    assert_eq!(sequences(numbers), (1..=84).collect::<Vec<u32>>());

    // Every case has its audit chain and its acknowledgement (in-person intakes have a
    // receipt date; online ones wait for it).
    let verify = app.cli(&["verify-audit"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    use diesel::prelude::*;
    use ogi_tracker::store::schema::{audit_records, outbox};
    let mut conn = app.pool.get().unwrap();
    let records: i64 = audit_records::table
        .count()
        .get_result(&mut **conn)
        .unwrap();
    assert_eq!(records, 84);
    let mails: Vec<String> = outbox::table
        .select(outbox::kind)
        .load(&mut **conn)
        .unwrap();
    assert_eq!(mails.len(), 64);
    assert!(mails.iter().all(|k| k == "acknowledgement"), "{mails:?}");
}

/// Awaits three futures of different types concurrently.
async fn futures_join3<A, B, C>(
    a: impl std::future::Future<Output = A>,
    b: impl std::future::Future<Output = B>,
    c: impl std::future::Future<Output = C>,
) -> (A, B, C) {
    let (mut a, mut b, mut c) = (Box::pin(a), Box::pin(b), Box::pin(c));
    let (mut ra, mut rb, mut rc) = (None, None, None);
    std::future::poll_fn(|cx| {
        use std::task::Poll;
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if rc.is_none()
            && let Poll::Ready(v) = c.as_mut().poll(cx)
        {
            rc = Some(v);
        }
        if ra.is_some() && rb.is_some() && rc.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap(), rc.unwrap())
}

/// Awaits all futures concurrently (no extra crate needed).
pub async fn join_all<F: std::future::Future<Output = Resp>>(futures: Vec<F>) -> Vec<Resp> {
    let handles: Vec<_> = futures.into_iter().map(|f| Box::pin(f)).collect();
    let mut out = Vec::new();
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    let mut results: Vec<Option<Resp>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(fut) = slot {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => {
                        results[i] = Some(r);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.extend(results.into_iter().map(Option::unwrap));
    out
}

#[actix_web::test]
async fn batches_are_all_or_nothing_and_repeats_are_pointed_out() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    // Seed 001: eight applicants filing seven identical items each.
    let items: Vec<Value> = (1..=7)
        .map(|i| json!({"description": format!("2023年度第{i}项行政处罚决定书")}))
        .collect();
    let cases: Vec<Value> = (1..=8)
        .map(|i| {
            let mut c = intake(o.dept, "registered_mail", "2024-03-01", Some("2024-03-04"));
            c["applicant"] = json!({"type": "natural_person", "name": format!("申请人{i}")});
            c["items"] = json!(items);
            c
        })
        .collect();
    let mut broken = cases.clone();
    broken[5]["channel"] = json!("pigeon");
    let r = app
        .post("/api/v1/cases/batch", &o.clerk, json!({"cases": broken}))
        .await;
    assert!(r.expect(422, Some("validation_failed"))["fields"]["cases[5].channel"].is_string());
    let list = app.get("/api/v1/cases", &o.clerk).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);

    let r = app
        .post("/api/v1/cases/batch", &o.clerk, json!({"cases": cases}))
        .await;
    let made = r.expect(201, None)["items"].as_array().unwrap().clone();
    assert_eq!(made.len(), 8);
    assert!(
        made.iter()
            .all(|c| c["items"].as_array().unwrap().len() == 7 && c["due_on"] == "2024-04-01")
    );

    let first = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-05-06", None),
    )
    .await;
    assert_eq!(first.expect(201, None)["possible_repeats"], json!([]));
    let mut again = intake(o.dept, "in_person", "2024-06-03", None);
    again["items"] = json!([{"description": "本机关2024年道路建设项目招标文件"}]);
    let second = create(&app, &o.clerk, again).await;
    let repeats = second.expect(201, None)["possible_repeats"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(repeats.len(), 1);
    assert_eq!(repeats[0]["case_number"], first.body["case_number"]);
}

#[actix_web::test]
async fn lists_filter_sort_and_page_stably() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let other = office(&app, "柳交信复", "450200").await;
    let dates = [
        "2024-09-02",
        "2024-09-09",
        "2024-09-16",
        "2024-09-23",
        "2024-09-30",
    ];
    for d in dates {
        create(&app, &o.clerk, intake(o.dept, "in_person", d, None))
            .await
            .expect(201, None);
    }
    let mut unconfirmed = intake(o.dept, "online", "2024-09-05", None);
    unconfirmed["applicant"]["name"] = json!("李四");
    create(&app, &o.clerk, unconfirmed).await.expect(201, None);
    create(
        &app,
        &other.clerk,
        intake(other.dept, "in_person", "2024-09-02", None),
    )
    .await
    .expect(201, None);

    let page1 = app.get("/api/v1/cases?limit=2", &o.clerk).await;
    let items = page1.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert!(items[0]["due_on"].as_str() < items[1]["due_on"].as_str());
    let cursor = page1.body["next_cursor"].as_str().unwrap().to_owned();
    // An insert between pages (due 2024-11-04, after the cursor) is picked up; nothing repeats.
    create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-10-08", None),
    )
    .await
    .expect(201, None);
    let mut seen: Vec<i64> = items.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    let mut next = Some(cursor);
    while let Some(c) = next {
        let page = app
            .get(&format!("/api/v1/cases?limit=2&cursor={c}"), &o.clerk)
            .await;
        page.expect(200, None);
        seen.extend(page.item_ids());
        next = page.body["next_cursor"].as_str().map(str::to_owned);
    }
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert_eq!(
        seen.len(),
        7,
        "5 + unconfirmed + the insert after the first page; the other office's case is not visible"
    );

    let overdue = app
        .get("/api/v1/cases?overdue=true&as_of=2024-10-20", &o.clerk)
        .await;
    let dues: Vec<&str> = overdue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(dues, ["2024-09-30", "2024-10-12", "2024-10-18"]);
    assert!(
        overdue.body["items"][0]["flags"]["overdue"]
            .as_bool()
            .unwrap()
    );
    // Four working days after Sunday 10-20 is 10-24; overdue cases are not "due soon".
    let soon = app
        .get("/api/v1/cases?due_soon=4&as_of=2024-10-20", &o.clerk)
        .await;
    let dues: Vec<&str> = soon.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(dues, ["2024-10-24"]);
    assert_eq!(soon.body["items"][0]["flags"]["due_soon"], true);
    let soon = app
        .get("/api/v1/cases?due_soon=3&as_of=2024-10-20", &o.clerk)
        .await;
    assert_eq!(soon.body["items"], json!([]));
    let q = app.get("/api/v1/cases?q=李四", &o.clerk).await;
    assert_eq!(q.body["items"].as_array().unwrap().len(), 1);
    let q = app
        .get("/api/v1/cases?q=招标文件&status=received", &o.clerk)
        .await;
    assert_eq!(q.body["items"].as_array().unwrap().len(), 7);
    let by_receipt = app
        .get("/api/v1/cases?sort=received&limit=1", &o.clerk)
        .await;
    assert_eq!(by_receipt.body["items"][0]["submitted_on"], "2024-09-02");
    app.get("/api/v1/cases?status=lost", &o.clerk)
        .await
        .expect(422, Some("validation_failed"));
    app.get("/api/v1/cases?cursor=garbage", &o.clerk)
        .await
        .expect(400, Some("invalid_cursor"));
}

#[actix_web::test]
async fn departments_cannot_see_each_others_cases() {
    let app = spawn_app().await;
    let (gov, a) = app.city_and_bureau().await;
    let b = app
        .department("南宁市教育局", "南教信复", Some(gov), "450100")
        .await;
    let (_, clerk_a) = app.user("clerk_a", "clerk", Some(a)).await;
    let (_, clerk_b) = app.user("clerk_b", "clerk", Some(b)).await;
    let (_, sup) = app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, auditor) = app.user("auditor", "auditor", None).await;
    let r = create(&app, &clerk_a, intake(a, "in_person", "2024-09-27", None)).await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();

    app.get(&format!("/api/v1/cases/{id}"), &clerk_b)
        .await
        .expect(404, Some("not_found"));
    app.get(&format!("/api/v1/cases/{id}/history"), &clerk_b)
        .await
        .expect(404, Some("not_found"));
    event(
        &app,
        &clerk_b,
        &r,
        json!({"type": "withdrawn", "date": "2024-09-28"}),
    )
    .await
    .expect(404, Some("not_found"));
    create(&app, &clerk_b, intake(a, "in_person", "2024-09-27", None))
        .await
        .expect(404, Some("not_found"));
    assert_eq!(
        app.get("/api/v1/cases", &clerk_b).await.body["items"],
        json!([])
    );
    app.get(&format!("/api/v1/cases?department_id={a}"), &clerk_b)
        .await
        .expect(404, Some("not_found"));
    app.get(&format!("/api/v1/cases/{id}"), &sup)
        .await
        .expect(200, None);
    let subtree = app
        .get(
            &format!("/api/v1/cases?department_id={gov}&include_subtree=true"),
            &sup,
        )
        .await;
    assert_eq!(subtree.body["items"].as_array().unwrap().len(), 1);
    app.get(&format!("/api/v1/cases/{id}"), &auditor)
        .await
        .expect(404, Some("not_found"));
    app.get("/api/v1/cases", &auditor)
        .await
        .expect(403, Some("forbidden"));
    create(&app, &auditor, intake(a, "in_person", "2024-09-27", None))
        .await
        .expect(403, Some("forbidden"));
}

#[actix_web::test]
async fn the_audit_chain_detects_a_direct_edit() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let id = r.body["id"].as_i64().unwrap();
    let r = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "assigned", "date": "2024-09-28", "user_id": o.clerk_id}),
    )
    .await;
    event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "withdrawn", "date": "2024-09-30"}),
    )
    .await
    .expect(201, None);
    let history = app
        .get(&format!("/api/v1/cases/{id}/history"), &o.clerk)
        .await;
    let records = history.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .clone();
    let actions: Vec<&str> = records
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["case_created", "event:assigned", "event:withdrawn"]
    );
    assert_eq!(records[1]["prev_hash"], records[0]["hash"]);
    assert!(
        records[2]["before_state"]
            .as_str()
            .unwrap()
            .contains("in_progress")
    );
    assert!(
        records[2]["after_state"]
            .as_str()
            .unwrap()
            .contains("closed")
    );

    let clean = app.cli(&["verify-audit"]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let report: Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(
        (report["records"].as_i64(), report["ok"].as_bool()),
        (Some(3), Some(true))
    );

    // Someone edits the trail in the database to hide who withdrew the case.
    let mut conn = app.pool.get().unwrap();
    conn.batch_execute(&format!(
        "UPDATE audit_records SET actor_id = {} WHERE case_id = {id} AND seq = 3",
        o.sup_id
    ))
    .unwrap();
    let tampered = app.cli(&["verify-audit"]);
    assert!(!tampered.status.success());
    let report: Value = serde_json::from_slice(&tampered.stdout).unwrap();
    assert_eq!(report["breaks"][0]["case_id"], id);
    assert_eq!(report["breaks"][0]["seq"], 3);
}

#[actix_web::test]
async fn a_calendar_import_moves_open_cases() {
    let app = spawn_app().await;
    // Ningxia (640000) has no bundled layer, so the import below decides its 2026 alone,
    // whatever data ships later.
    let o = office(&app, "宁交信复", "640100").await;
    let elsewhere = office(&app, "京交信复", "110000").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-02", None),
    )
    .await;
    assert_eq!(r.expect(201, None)["due_on"], "2026-11-30");
    let closed = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2026-11-02", None),
    )
    .await;
    event(
        &app,
        &o.clerk,
        &closed,
        json!({"type": "withdrawn", "date": "2026-11-03"}),
    )
    .await
    .expect(201, None);
    let other = create(
        &app,
        &elsewhere.clerk,
        intake(elsewhere.dept, "in_person", "2026-11-02", None),
    )
    .await;

    let year = json!({"name": "宁夏回族自治区", "source": "测试：地方节日放假1天",
        "years": {"2026": {"holidays": [{"date": "2026-11-20", "name": "地方节日"}], "workdays": []}}});
    let put = app
        .request(
            Method::PUT,
            "/api/v1/calendars/640000/2026",
            Some(&app.admin_token),
            Some(year),
            &[],
        )
        .await;
    let moved = put.expect(201, None)["moved_cases"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        moved.len(),
        1,
        "only the open case of that region moves: {moved:?}"
    );
    assert_eq!(moved[0]["case_id"], r.body["id"]);
    assert_eq!(
        (
            moved[0]["old_due_on"].as_str(),
            moved[0]["new_due_on"].as_str()
        ),
        (Some("2026-11-30"), Some("2026-12-01"))
    );
    let now = app
        .get(&format!("/api/v1/cases/{}", r.body["id"]), &o.clerk)
        .await;
    assert_eq!(now.body["due_on"], "2026-12-01");
    assert_ne!(now.etag(), r.etag(), "a moved due date is a new version");
    let history = app
        .get(&format!("/api/v1/cases/{}/history", r.body["id"]), &o.clerk)
        .await;
    assert_eq!(
        history.body["items"].as_array().unwrap().last().unwrap()["action"],
        "calendar_recomputed"
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/cases/{}", other.body["id"]),
            &elsewhere.clerk
        )
        .await
        .body["due_on"],
        "2026-11-30"
    );
}

#[actix_web::test]
async fn moving_a_department_to_another_region_moves_its_due_dates() {
    let app = spawn_app().await;
    let o = office(&app, "某交信复", "110000").await;
    // RULES.md: received 2025-03-03, correction received 2025-03-20 → 2025-04-18 nationally,
    // 2025-04-22 in Guangxi.
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2025-03-03", None),
    )
    .await;
    let c = event(&app, &o.clerk, &r, json!({"type": "correction_requested", "date": "2025-03-05", "items": ["身份证明"], "respond_by": "2025-03-19"})).await;
    let c = event(
        &app,
        &o.clerk,
        &c,
        json!({"type": "correction_received", "date": "2025-03-20"}),
    )
    .await;
    assert_eq!(c.body["due_on"], "2025-04-18");
    let dept = app
        .get(&format!("/api/v1/departments/{}", o.dept), &app.admin_token)
        .await;
    app.patch(
        &format!("/api/v1/departments/{}", o.dept),
        &app.admin_token,
        &dept.etag(),
        json!({"region": "450100"}),
    )
    .await
    .expect(200, None);
    let now = app
        .get(&format!("/api/v1/cases/{}", r.body["id"]), &o.clerk)
        .await;
    assert_eq!(now.body["due_on"], "2025-04-22");
}

#[actix_web::test]
async fn review_findings_stay_fixed() {
    let app = spawn_app().await;
    let o = office(&app, "桂交信复", "450100").await;

    // A consultation never answered: after its 15 working days the clock runs again by
    // itself, so the case is running and, long after, overdue (Arts 32–34).
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2025-06-03", None),
    )
    .await;
    let c = event(&app, &o.clerk, &r, json!({"type": "consultation_started", "date": "2025-06-10", "party": "third_party", "consulted": "某公司"})).await;
    let id = c.body["id"].as_i64().unwrap();
    let during = app
        .get(&format!("/api/v1/cases/{id}?as_of=2025-06-20"), &o.clerk)
        .await;
    assert_eq!(during.body["status"], "paused");
    let now = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    assert_eq!(now.body["status"], "in_progress");
    assert_eq!(now.body["flags"]["overdue"], true);
    let overdue = app.get("/api/v1/cases?overdue=true", &o.clerk).await;
    assert!(
        overdue.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id)
    );

    // Events run forward in time; a fee lapses only after its 20 working days.
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let c = event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "fee_notice_issued", "date": "2024-10-09", "amount_fen": 5000}),
    )
    .await;
    event(
        &app,
        &o.clerk,
        &c,
        json!({"type": "fee_lapsed", "date": "2024-10-10"}),
    )
    .await
    .expect(422, Some("fee_period_running"));
    event(
        &app,
        &o.clerk,
        &c,
        json!({"type": "withdrawn", "date": "2024-10-08"}),
    )
    .await
    .expect(422, Some("event_out_of_order"));

    // The audit record of a confirmed receipt shows the new receipt date.
    let r = create(&app, &o.clerk, intake(o.dept, "online", "2024-09-25", None)).await;
    event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "receipt_confirmed", "date": "2024-09-27"}),
    )
    .await
    .expect(201, None);
    let history = app
        .get(&format!("/api/v1/cases/{}/history", r.body["id"]), &o.clerk)
        .await;
    let last = history.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["before_state"]
            .as_str()
            .unwrap()
            .contains("\"received_on\":null")
    );
    assert!(
        last["after_state"]
            .as_str()
            .unwrap()
            .contains("\"received_on\":\"2024-09-27\"")
    );

    // Concurrent events on different cases all land (SQLite queues its writers).
    let mut cases = Vec::new();
    for _ in 0..6 {
        cases.push(
            create(
                &app,
                &o.clerk,
                intake(o.dept, "in_person", "2024-09-27", None),
            )
            .await,
        );
    }
    let posts: Vec<_> = cases
        .iter()
        .map(|c| {
            event(
                &app,
                &o.clerk,
                c,
                json!({"type": "assigned", "date": "2024-09-28", "user_id": o.clerk_id}),
            )
        })
        .collect();
    for r in join_all(posts).await {
        r.expect(201, None);
    }
}

#[actix_web::test]
async fn verify_audit_sees_removed_records_and_edited_events() {
    let app = spawn_app().await;
    let o = office(&app, "南交信复", "450100").await;
    let r = create(
        &app,
        &o.clerk,
        intake(o.dept, "in_person", "2024-09-27", None),
    )
    .await;
    let id = r.body["id"].as_i64().unwrap();
    let r = event(&app, &o.clerk, &r, json!({"type": "consultation_started", "date": "2024-10-08", "party": "agency", "consulted": "某局"})).await;
    event(
        &app,
        &o.clerk,
        &r,
        json!({"type": "assigned", "date": "2024-10-09", "user_id": o.clerk_id}),
    )
    .await
    .expect(201, None);
    assert!(app.cli(&["verify-audit"]).status.success());

    let mut conn = app.pool.get().unwrap();
    // Someone moves the consultation date in the facts themselves.
    conn.batch_execute(&format!(
        "UPDATE case_events SET payload = REPLACE(payload, '2024-10-08', '2024-10-01') WHERE case_id = {id} AND kind = 'consultation_started'"
    ))
    .unwrap();
    let out = app.cli(&["verify-audit"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("differs from what its audit record captured")
    );
    conn.batch_execute(&format!(
        "UPDATE case_events SET payload = REPLACE(payload, '2024-10-01', '2024-10-08') WHERE case_id = {id} AND kind = 'consultation_started'"
    ))
    .unwrap();
    assert!(app.cli(&["verify-audit"]).status.success());
    // Someone deletes the newest audit record, which no later hash would notice.
    conn.batch_execute(&format!(
        "DELETE FROM audit_records WHERE case_id = {id} AND seq = 3"
    ))
    .unwrap();
    let out = app.cli(&["verify-audit"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("removed or added"));
}

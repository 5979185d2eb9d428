//! Information-processing fees (国办函〔2020〕109号) through the HTTP API, against amounts
//! computed by hand: by count over one applicant's month, by volume per application, the
//! fee notice and the applicant's days to pay across a holiday, and the lapse.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

const ID: &str = "11010519491231002X";

struct Office {
    dept: i64,
    clerk: String,
}

async fn office(app: &TestApp, code: &str, method: &str) -> Office {
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({
                "name": format!("{code}机关"), "code": code, "kind": "department",
                "level": "city", "region": "110100", "fee_method": method,
                "reconsideration_organ": {"name": "某市人民政府"},
                "court": {"name": "某市中级人民法院"}
            }),
        )
        .await;
    r.expect(201, None);
    assert_eq!(r.body["fee_method"], method);
    let dept = r.body["id"].as_i64().unwrap();
    let (_, clerk) = app
        .user(&format!("clerk_{dept}"), "clerk", Some(dept))
        .await;
    Office { dept, clerk }
}

/// A case handed in on `received` by `applicant` (name, ID number, phone).
async fn case(
    app: &TestApp,
    o: &Office,
    received: &str,
    (name, id, phone): (&str, Option<&str>, Option<&str>),
) -> i64 {
    let r = app
        .post(
            "/api/v1/cases",
            &o.clerk,
            json!({
                "department_id": o.dept,
                "applicant": {"type": "natural_person", "name": name, "id_number": id, "phone": phone},
                "channel": "in_person", "submitted_on": received,
                "items": [{"description": "本机关道路养护资金使用情况"}]
            }),
        )
        .await;
    r.expect(201, None);
    r.body["id"].as_i64().unwrap()
}

async fn fee(app: &TestApp, o: &Office, id: i64) -> Resp {
    let r = app.get(&format!("/api/v1/cases/{id}/fee"), &o.clerk).await;
    r.expect(200, None);
    r
}

async fn try_post(app: &TestApp, o: &Office, id: i64, path: &str, body: Value) -> Resp {
    let etag = fee(app, o, id).await.etag();
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{id}/{path}"),
        Some(&o.clerk),
        Some(body),
        &[("If-Match", &etag)],
    )
    .await
}

/// Records `quantity` items or pages on the case; returns the fee view.
async fn assess(app: &TestApp, o: &Office, id: i64, quantity: u32) -> Value {
    let r = try_post(
        app,
        o,
        id,
        "fee/assessment",
        json!({"date": "2026-11-20", "quantity": quantity}),
    )
    .await;
    r.expect(201, None).clone()
}

fn amount(view: &Value) -> i64 {
    view["computation"]["amount_fen"].as_i64().unwrap()
}

fn verify_audit(app: &TestApp) {
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn thirty_five_applications_of_one_applicant_in_a_month_by_count() {
    let app = spawn_app().await;
    let o = office(&app, "京件信复", "by_count").await;
    // 35 applications in October 2026, the ID number written several ways.
    let spellings = [
        ID,
        "110105 19491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
    ];
    let days = [
        "2026-10-08",
        "2026-10-09",
        "2026-10-12",
        "2026-10-13",
        "2026-10-14",
    ];
    let mut ids = Vec::new();
    for i in 0..35 {
        let id = case(
            &app,
            &o,
            days[i / 7],
            ("张三", Some(spellings[i % 3]), Some("13800000000")),
        )
        .await;
        ids.push(id);
    }
    // Another 张三 (another ID) and the same name and phone without an ID: neither counts.
    let other = case(
        &app,
        &o,
        "2026-10-08",
        ("张三", Some("110105199001010011"), Some("13900000000")),
    )
    .await;
    let unsure = case(
        &app,
        &o,
        "2026-10-08",
        ("张三", None, Some("138 0000 0000")),
    )
    .await;

    // By hand: items 1–10 free, 11–30 ¥100, 31–35 ¥200 → 0 + 2,000 + 1,000 = ¥3,000.
    let mut total = 0;
    for (n, id) in ids.iter().enumerate() {
        let v = assess(&app, &o, *id, 1).await;
        let expected = match n + 1 {
            1..=10 => 0,
            11..=30 => 10_000,
            _ => 20_000,
        };
        assert_eq!(amount(&v), expected, "application {}: {}", n + 1, v);
        total += amount(&v);
    }
    assert_eq!(total, 300_000);

    let last = fee(&app, &o, ids[34]).await;
    let c = &last.body["computation"];
    assert_eq!(c["earlier_items"], 34);
    assert_eq!(c["earlier"].as_array().unwrap().len(), 34);
    assert_eq!(c["lines"][0]["from"], 35);
    assert_eq!(c["lines"][0]["band"]["from"], 31);
    assert_eq!(c["lines"][0]["band"]["unit_fen"], 20_000);
    let steps = c["steps"].to_string();
    assert!(steps.contains("共34件"), "{steps}");
    assert!(steps.contains("第35件：31至40件档每件200.00元"), "{steps}");
    assert!(steps.contains("合计：200.00元"), "{steps}");
    // The 张三 without an ID is a warning, not a count.
    let warned: Vec<i64> = last.body["possible_same"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["case_id"].as_i64().unwrap())
        .collect();
    assert_eq!(warned, vec![unsure]);

    // The other 张三 is a first application: free.
    assert_eq!(amount(&assess(&app, &o, other, 1).await), 0);

    // Items recorded count: the first application asking for 12 distinct items makes
    // every later one two items further on (the 30th now at ¥200 … by hand: item 41 → ¥300).
    let v = assess(&app, &o, ids[0], 12).await;
    assert_eq!(amount(&v), 2 * 10_000, "items 11 and 12 of its own");
    let v = fee(&app, &o, ids[29]).await;
    assert_eq!(v.body["computation"]["earlier_items"], 40);
    assert_eq!(amount(&v.body), 30_000, "item 41");
    verify_audit(&app);
}

#[actix_web::test]
async fn a_month_boundary_starts_the_count_again() {
    let app = spawn_app().await;
    let o = office(&app, "京界信复", "by_count").await;
    let who = ("王五", Some("110105198001010015"), None);
    let mut september = Vec::new();
    for _ in 0..11 {
        september.push(case(&app, &o, "2026-09-30", who).await);
    }
    let october = case(&app, &o, "2026-10-08", who).await;
    // Registered after October's, received earlier: counted in September, in receipt order.
    let late = case(&app, &o, "2026-09-29", who).await;
    assert_eq!(
        amount(&assess(&app, &o, september[10], 1).await),
        10_000,
        "the 12th of September (11 before it, one received on 09-29)"
    );
    assert_eq!(amount(&assess(&app, &o, late, 1).await), 0, "the 1st");
    let v = assess(&app, &o, october, 1).await;
    assert_eq!(amount(&v), 0);
    assert_eq!(v["computation"]["earlier_items"], 0);
}

#[actix_web::test]
async fn pages_by_volume_each_band_on_its_own_pages() {
    let app = spawn_app().await;
    let o = office(&app, "京量信复", "by_volume").await;
    let who = ("赵六", Some("91110000100000000X"), None);
    // By hand: 150 = 70 × 10 + 50 × 20 = 1,700; 30 = 0; 31 = 10;
    // 250 = 70 × 10 + 100 × 20 + 50 × 40 = 4,700.
    for (pages, yuan) in [(150, 1_700), (30, 0), (31, 10), (250, 4_700)] {
        let id = case(&app, &o, "2026-11-02", who).await;
        let v = assess(&app, &o, id, pages).await;
        assert_eq!(amount(&v), yuan * 100, "{pages} pages: {v}");
        assert_eq!(v["method"], "by_volume");
        assert_eq!(v["can_issue"], yuan > 0);
        if yuan == 0 {
            let r = try_post(
                &app,
                &o,
                id,
                "fee/notice",
                json!({"issued_on": "2026-11-20", "how_to_pay": "银行转账"}),
            )
            .await;
            r.expect(409, Some("fee_amount_zero"));
        }
        if pages == 150 {
            let steps = v["computation"]["steps"].to_string();
            assert!(
                steps.contains("第31至100页：31至100页档每页10.00元，70页 × 10.00元 = 700.00元"),
                "{steps}"
            );
            assert!(steps.contains("第101至150页"), "{steps}");
            // A reduction with its reason.
            let r = try_post(
                &app,
                &o,
                id,
                "fee/assessment",
                json!({"quantity": 150, "reduction": {"amount_fen": 70_000, "reason": "申请人为低保对象"}}),
            )
            .await;
            let v = r.expect(201, None);
            assert_eq!(amount(v), 100_000);
            assert!(
                v["computation"]["steps"]
                    .to_string()
                    .contains("减收700.00元（理由：申请人为低保对象）")
            );
            let r = try_post(
                &app,
                &o,
                id,
                "fee/assessment",
                json!({"quantity": 150, "reduction": {"amount_fen": 100, "reason": " "}}),
            )
            .await;
            r.expect(422, None);
            // Never both ways: the department changes to by count, this application stays.
            let d = app
                .get(&format!("/api/v1/departments/{}", o.dept), &app.admin_token)
                .await;
            app.patch(
                &format!("/api/v1/departments/{}", o.dept),
                &app.admin_token,
                &d.etag(),
                json!({"fee_method": "by_count"}),
            )
            .await
            .expect(200, None);
            let r = try_post(&app, &o, id, "fee/assessment", json!({"quantity": 3})).await;
            r.expect(409, Some("fee_method_fixed"));
            let d = app
                .get(&format!("/api/v1/departments/{}", o.dept), &app.admin_token)
                .await;
            app.patch(
                &format!("/api/v1/departments/{}", o.dept),
                &app.admin_token,
                &d.etag(),
                json!({"fee_method": "by_volume"}),
            )
            .await
            .expect(200, None);
        }
    }
    // The amount is the service's: a plain event with a typed amount is refused here.
    let id = case(&app, &o, "2026-11-02", who).await;
    let r = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_notice_issued", "date": "2026-11-20", "amount_fen": 1}),
    )
    .await;
    r.expect(422, Some("use_fee_endpoint"));
    verify_audit(&app);
}

#[actix_web::test]
async fn a_department_without_fees_computes_nothing() {
    let app = spawn_app().await;
    let o = office(&app, "京免信复", "none").await;
    let id = case(&app, &o, "2026-11-02", ("钱七", Some(ID), None)).await;
    let r = try_post(&app, &o, id, "fee/assessment", json!({"quantity": 40})).await;
    r.expect(409, Some("fees_not_charged"));
    let r = try_post(&app, &o, id, "fee/assessment", json!({"quantity": 0})).await;
    r.expect(422, None);
    let r = try_post(&app, &o, id, "fee/assessment", json!({"pages": 3})).await;
    r.expect(422, Some("invalid_body"));
}

#[actix_web::test]
async fn the_notice_the_days_to_pay_across_a_holiday_and_the_lapse() {
    let app = spawn_app().await;
    let o = office(&app, "京费信复", "by_volume").await;
    let id = case(&app, &o, "2026-09-14", ("孙八", Some(ID), None)).await;
    let r = try_post(
        &app,
        &o,
        id,
        "fee/assessment",
        json!({"date": "2026-09-21", "quantity": 150, "page_rule": "电子文件按A4打印页数计"}),
    )
    .await;
    assert_eq!(amount(r.expect(201, None)), 170_000);
    assert_eq!(r.body["page_rule"], "电子文件按A4打印页数计");
    let draft = r.body["draft"].as_str().unwrap().to_owned();
    assert!(draft.contains("按量计收"), "{draft}");
    assert!(draft.contains("收费金额：1700.00元"), "{draft}");

    // Issued Tue 09-22, received by the applicant Wed 09-23. By hand, 20 working days from
    // 09-24: 09-24 (1), 中秋 09-25…27 off, 09-28…30 (2–4), 国庆 10-01…07 off, 10-08, 10-09,
    // Sat 10-10 (调休, 5–7), 10-12…16 (8–12), 10-19…23 (13–17), 10-26, 27, 28 (18–20).
    let r = try_post(
        &app,
        &o,
        id,
        "fee/notice",
        json!({"issued_on": "2026-09-22",
               "how_to_pay": "通过银行转账缴入本机关账户（账号另告）"}),
    )
    .await;
    let v = r.expect(201, None).clone();
    // Sent by registered mail: until its receipt is known, counted from the issue date
    // (09-23 … 10-27), the earliest the applicant can have received it.
    assert_eq!(v["notice"]["pay_by"]["last_day"], "2026-10-27");
    assert!(
        v["notice"]["pay_by"]["steps"]
            .to_string()
            .contains("未登记")
    );
    // The postal receipt comes back: signed for on 09-23, recorded on 09-28.
    let bad = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_notice_delivered", "date": "2026-09-28", "delivered_on": "2026-09-21"}),
    )
    .await;
    bad.expect(422, Some("delivered_before_notice"));
    let r = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_notice_delivered", "date": "2026-09-28", "delivered_on": "2026-09-23"}),
    )
    .await;
    r.expect(201, None);
    let again = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_notice_delivered", "date": "2026-09-28", "delivered_on": "2026-09-24"}),
    )
    .await;
    again.expect(409, Some("fee_delivery_known"));
    let v = fee(&app, &o, id).await.body;
    let n = &v["notice"];
    assert_eq!(n["amount_fen"], 170_000);
    assert_eq!(n["pay_by"]["last_day"], "2026-10-28");
    let steps = n["pay_by"]["steps"].to_string();
    assert!(steps.contains("国庆节"), "{steps}");
    assert!(steps.contains("中秋节"), "{steps}");
    assert!(steps.contains("2026-10-28（周三）"), "{steps}");
    assert_eq!(v["can_issue"], false);

    // The event carries the computed amount; the notice text is kept as sent.
    let c = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    let events = c.body["events"].to_string();
    assert!(events.contains("\"amount_fen\":170000"), "{events}");
    assert_eq!(c.body["status"], "paused");

    // Listed before it happens (due soon, within 5 working days of 10-22) and after.
    let soon = app
        .get("/api/v1/reports/due-soon?as_of=2026-10-22", &o.clerk)
        .await;
    let due = soon.expect(200, None)["payment_due"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0]["pay_by"], "2026-10-28");
    assert_eq!(due[0]["working_days_left"], 4);
    let after = app
        .get("/api/v1/reports/due-soon?as_of=2026-10-29", &o.clerk)
        .await;
    assert_eq!(after.body["lapsed"][0]["needs"], "fee_lapsed");
    assert_eq!(after.body["payment_due"], json!([]));

    // The lapse is refused on the last day to pay, accepted the day after.
    let r = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_lapsed", "date": "2026-10-28"}),
    )
    .await;
    r.expect(422, Some("fee_period_running"));
    let r = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_lapsed", "date": "2026-10-29"}),
    )
    .await;
    let closed = r.expect(201, None);
    assert_eq!(closed["status"], "closed");
    let v = fee(&app, &o, id).await;
    assert_eq!(v.body["notice"]["lapsed_on"], "2026-10-29");
    verify_audit(&app);
}

#[actix_web::test]
async fn a_paid_fee_resumes_the_clock_and_an_undelivered_notice_counts_from_its_date() {
    let app = spawn_app().await;
    let o = office(&app, "京缴信复", "by_count").await;
    let who = ("周九", Some(ID), None);
    for _ in 0..10 {
        case(&app, &o, "2026-11-02", who).await;
    }
    let id = case(&app, &o, "2026-11-03", who).await;
    assert_eq!(amount(&assess(&app, &o, id, 1).await), 10_000);
    let r = try_post(
        &app,
        &o,
        id,
        "fee/notice",
        json!({"issued_on": "2026-11-20", "how_to_pay": "现场缴纳"}),
    )
    .await;
    let v = r.expect(201, None);
    // Delivery unknown: counted from 11-20, the earliest; 20 working days end on 12-18.
    assert_eq!(v["notice"]["pay_by"]["last_day"], "2026-12-18");
    assert!(
        v["notice"]["pay_by"]["steps"]
            .to_string()
            .contains("未登记")
    );
    // The notice is on the case as sent.
    let c = app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await;
    let r = try_post(
        &app,
        &o,
        id,
        "events",
        json!({"type": "fee_paid", "date": "2026-11-22"}),
    )
    .await;
    r.expect(201, None);
    assert_ne!(c.body["status"], "closed");
    let v = fee(&app, &o, id).await;
    assert_eq!(v.body["notice"]["paid_on"], "2026-11-22");
    // Paid: no second assessment changes a settled notice's amount, but a new one may follow.
    verify_audit(&app);
}

#[actix_web::test]
async fn the_annual_report_carries_the_years_fee_figures() {
    let app = spawn_app().await;
    let o = office(&app, "京报信复", "by_volume").await;
    let who = ("吴十", Some(ID), None);
    // 2025: a notice in December (¥10) paid in January 2026; 2026: two notices (¥1,700,
    // reduced by ¥700 to ¥1,000, and ¥4,700), one paid.
    let a = case(&app, &o, "2025-12-01", who).await;
    let r = try_post(
        &app,
        &o,
        a,
        "fee/assessment",
        json!({"date": "2025-12-02", "quantity": 31}),
    )
    .await;
    r.expect(201, None);
    try_post(
        &app,
        &o,
        a,
        "fee/notice",
        json!({"issued_on": "2025-12-03", "how_to_pay": "现金"}),
    )
    .await
    .expect(201, None);
    try_post(
        &app,
        &o,
        a,
        "events",
        json!({"type": "fee_paid", "date": "2026-01-05"}),
    )
    .await
    .expect(201, None);
    let b = case(&app, &o, "2026-11-02", who).await;
    try_post(
        &app,
        &o,
        b,
        "fee/assessment",
        json!({"date": "2026-11-03", "quantity": 150, "reduction": {"amount_fen": 70_000, "reason": "困难群众"}}),
    )
    .await
    .expect(201, None);
    try_post(
        &app,
        &o,
        b,
        "fee/notice",
        json!({"issued_on": "2026-11-04", "how_to_pay": "现金"}),
    )
    .await
    .expect(201, None);
    try_post(
        &app,
        &o,
        b,
        "events",
        json!({"type": "fee_paid", "date": "2026-11-06"}),
    )
    .await
    .expect(201, None);
    let c = case(&app, &o, "2026-11-02", who).await;
    try_post(
        &app,
        &o,
        c,
        "fee/assessment",
        json!({"date": "2026-11-03", "quantity": 250}),
    )
    .await
    .expect(201, None);
    try_post(
        &app,
        &o,
        c,
        "fee/notice",
        json!({"issued_on": "2026-11-04", "how_to_pay": "现金"}),
    )
    .await
    .expect(201, None);

    let year = |y: i32| {
        let app = &app;
        let dept = o.dept;
        async move {
            let r = app
                .get(
                    &format!("/api/v1/reports/annual?year={y}&department_id={dept}"),
                    &app.admin_token,
                )
                .await;
            r.expect(200, None)["fees"].clone()
        }
    };
    assert_eq!(
        year(2025).await,
        json!({"notices": 1, "notices_amount_fen": 1_000, "paid": 0, "collected_fen": 0})
    );
    assert_eq!(
        year(2026).await,
        json!({"notices": 2, "notices_amount_fen": 100_000 + 470_000, "paid": 2, "collected_fen": 1_000 + 100_000})
    );

    // 2025 published; a fee notice of December 2025 registered afterwards leaves the
    // publication's section 六 as it was and is listed among the changes.
    app.post(
        "/api/v1/reports/annual/publications",
        &app.admin_token,
        json!({"department_id": o.dept, "year": 2025, "include_subtree": false}),
    )
    .await
    .expect(201, None);
    let late = case(&app, &o, "2025-12-10", ("郑十一", None, None)).await;
    try_post(
        &app,
        &o,
        late,
        "fee/assessment",
        json!({"date": "2025-12-11", "quantity": 31}),
    )
    .await
    .expect(201, None);
    try_post(
        &app,
        &o,
        late,
        "fee/notice",
        json!({"issued_on": "2025-12-12", "how_to_pay": "现金"}),
    )
    .await
    .expect(201, None);
    let r = app
        .get(
            &format!("/api/v1/reports/annual?year=2025&department_id={}", o.dept),
            &app.admin_token,
        )
        .await;
    let report = r.expect(200, None);
    assert_eq!(
        report["fees"],
        json!({"notices": 1, "notices_amount_fen": 1_000, "paid": 0, "collected_fen": 0})
    );
    let fee_changes: Vec<(String, i64, i64)> = report["changes_since_publication"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["table"] == "section6")
        .map(|c| {
            (
                c["column"].as_str().unwrap().to_owned(),
                c["published"].as_i64().unwrap(),
                c["live"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fee_changes,
        vec![
            ("notices".to_owned(), 1, 2),
            ("notices_amount_fen".to_owned(), 1_000, 2_000)
        ]
    );
}

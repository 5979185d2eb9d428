//! Publishing the annual report (issue 17) through the HTTP API: a published year is frozen
//! (its snapshot, hash and numbers survive an edit of one of its cases, and the edit is
//! listed under 发布后变更 with its cell and case), republication needs a reason and keeps
//! every version, next year's 二 must equal the published 四, a reopening after publication
//! counts in the year it is re-received, the published page and .docx carry the numbers,
//! and only supervisors and administrators in scope publish a year that has ended.

use std::io::Read;

use reqwest::Method;
use serde_json::{Value, json};

use crate::annual::{End, NP, Spec, build, event, org, reply};
use crate::helpers::{TestApp, spawn_app};

const PUBLISH: &str = "/api/v1/reports/annual/publications";

fn report_path(dept: i64, year: i32, extra: &str) -> String {
    format!("/api/v1/reports/annual?year={year}&department_id={dept}{extra}")
}

/// The value of a table-三 cell by row key and column index (6 = 总计).
fn cell(report: &Value, row: &str, column: usize) -> i64 {
    report["table3"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == row)
        .unwrap_or_else(|| panic!("row {row}"))["values"][column]
        .as_i64()
        .unwrap()
}

fn check<'a>(report: &'a Value, name: &str) -> Option<&'a Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
}

async fn case(app: &TestApp, id: i64) -> (String, String) {
    let r = app
        .get(&format!("/api/v1/cases/{id}"), &app.admin_token)
        .await;
    let body = r.expect(200, None);
    (body["case_number"].as_str().unwrap().to_owned(), r.etag())
}

fn spec(n: u32, received: &'static str, end: End) -> Spec {
    Spec {
        n,
        applicant: NP,
        received,
        end,
    }
}

/// The texts of a .docx's `word/document.xml`, in document order.
fn docx_texts(bytes: &[u8]) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut doc = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut doc)
        .unwrap();
    doc.split("<w:t xml:space=\"preserve\">")
        .skip(1)
        .map(|part| part.split("</w:t>").next().unwrap_or_default().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_published_year_is_frozen_and_later_edits_are_listed() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let answered = build(
        &app,
        &o.clerk,
        o.bureau,
        &spec(1, "2025-03-03", End::Reply("disclosed", "2025-03-20")),
    )
    .await;
    let open = build(&app, &o.clerk, o.bureau, &spec(2, "2025-12-01", End::Open)).await;
    let publish = |extra: Value| {
        let mut body = json!({"department_id": o.bureau, "year": 2025});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };

    // Refusals: a clerk; the current year; an auditor; a department out of scope.
    app.post(PUBLISH, &o.clerk, publish(json!({})))
        .await
        .expect(403, Some("forbidden"));
    app.post(PUBLISH, &o.sup, publish(json!({"year": 2026})))
        .await
        .expect(422, Some("year_not_ended"));
    app.post(PUBLISH, &o.auditor, publish(json!({})))
        .await
        .expect(403, Some("forbidden"));
    let (_, other_sup) = app.user("sup_other", "supervisor", Some(o.other)).await;
    app.post(PUBLISH, &other_sup, publish(json!({})))
        .await
        .expect(404, Some("not_found"));

    // Before publication the report is live and says so.
    let before = app.get(&report_path(o.bureau, 2025, ""), &o.sup).await;
    let before = before.expect(200, None).clone();
    assert_eq!(before["published"], Value::Null);
    assert_eq!(before["versions"], json!([]));
    assert_eq!(
        before["readings"]["linked_rehandling"],
        "counted_in_year_reopened"
    );

    let r = app.post(PUBLISH, &o.sup, publish(json!({}))).await;
    let v1 = r.expect(201, None).clone();
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["reason"], Value::Null);
    assert_eq!(
        v1["published_by"]["name"].as_str().map(str::is_empty),
        Some(false)
    );
    let sha1 = v1["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha1.len(), 64);

    let published = app.get(&report_path(o.bureau, 2025, ""), &o.clerk).await;
    let published = published.expect(200, None).clone();
    assert_eq!(published["published"]["version"], 1);
    assert_eq!(published["published"]["sha256"], sha1.as_str());
    assert_eq!(published["published"]["snapshot_intact"], true);
    assert_eq!(published["changes_since_publication"], json!([]));
    assert_eq!(published["table3"], before["table3"]);
    assert_eq!(cell(&published, "carried_forward", 6), 1);
    assert_eq!(cell(&published, "disclosed", 6), 1);

    // A late reply recorded for the open case, dated in 2025: the live year changes, the
    // published one does not, and the change is listed with its cells and its case.
    let (open_number, etag) = case(&app, open).await;
    reply(&app, &o.clerk, open, &etag, ("disclosed", "2025-12-22")).await;
    let after = app.get(&report_path(o.bureau, 2025, ""), &o.sup).await;
    let after = after.expect(200, None).clone();
    assert_eq!(after["published"]["sha256"], sha1.as_str());
    assert_eq!(after["published"]["snapshot_intact"], true);
    assert_eq!(after["table3"], published["table3"]);
    assert_eq!(after["table4"], published["table4"]);
    let changes = after["changes_since_publication"].as_array().unwrap();
    let moved: Vec<(String, String, i64, i64)> = changes
        .iter()
        .map(|c| {
            (
                c["row"].as_str().unwrap().to_owned(),
                c["column"].as_str().unwrap().to_owned(),
                c["published"].as_i64().unwrap(),
                c["live"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, i64, i64)> = [
        ("disclosed", "natural_person", 1, 2),
        ("disclosed", "total", 1, 2),
        ("total", "natural_person", 1, 2),
        ("total", "total", 1, 2),
        ("carried_forward", "natural_person", 1, 0),
        ("carried_forward", "total", 1, 0),
    ]
    .iter()
    .map(|(r, c, p, l)| ((*r).to_owned(), (*c).to_owned(), *p, *l))
    .collect();
    assert_eq!(moved, want);
    assert_eq!(changes[0]["added"], json!([open]));
    assert_eq!(changes[0]["removed"], json!([]));
    assert_eq!(changes[4]["removed"], json!([open]));
    assert_eq!(
        changes[0]["cases"],
        json!([{"case_id": open, "number": open_number}])
    );
    assert_eq!(changes[0]["label"], "（一）予以公开 / 自然人");

    // The live computation on request.
    let live = app
        .get(&report_path(o.bureau, 2025, "&version=live"), &o.sup)
        .await;
    let live = live.expect(200, None).clone();
    assert_eq!(live["published"], Value::Null);
    assert_eq!(cell(&live, "carried_forward", 6), 0);
    assert_eq!(cell(&live, "disclosed", 6), 2);
    assert_eq!(live["versions"].as_array().unwrap().len(), 1);

    // Publishing again needs a reason; then version 2, and version 1 is still served.
    app.post(PUBLISH, &o.sup, publish(json!({"reason": "  "})))
        .await
        .expect(409, Some("reason_required"));
    let r = app
        .post(
            PUBLISH,
            &o.sup,
            publish(json!({"reason": "补录12月22日的答复"})),
        )
        .await;
    let v2 = r.expect(201, None).clone();
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["reason"], "补录12月22日的答复");
    assert_ne!(v2["sha256"], sha1.as_str());
    let latest = app.get(&report_path(o.bureau, 2025, ""), &o.sup).await;
    let latest = latest.expect(200, None).clone();
    assert_eq!(latest["published"]["version"], 2);
    assert_eq!(cell(&latest, "carried_forward", 6), 0);
    assert_eq!(latest["changes_since_publication"], json!([]));
    let first = app
        .get(&report_path(o.bureau, 2025, "&version=1"), &o.sup)
        .await;
    let first = first.expect(200, None).clone();
    assert_eq!(first["published"]["sha256"], sha1.as_str());
    assert_eq!(first["table3"], published["table3"]);
    assert_eq!(
        first["changes_since_publication"].as_array().unwrap().len(),
        6
    );
    app.get(&report_path(o.bureau, 2025, "&version=3"), &o.sup)
        .await
        .expect(404, Some("not_found"));
    app.get(&report_path(o.bureau, 2025, "&version=first"), &o.sup)
        .await
        .expect(422, Some("validation_failed"));

    let list = app
        .get(
            &format!("{PUBLISH}?department_id={}&year=2025", o.bureau),
            &o.clerk,
        )
        .await;
    let items = list.expect(200, None)["items"].as_array().unwrap().clone();
    assert_eq!(
        items
            .iter()
            .map(|v| v["version"].clone())
            .collect::<Vec<_>>(),
        vec![json!(1), json!(2)]
    );
    app.get(
        &format!("{PUBLISH}?department_id={}&year=2025", o.bureau),
        &o.other_clerk,
    )
    .await
    .expect(404, Some("not_found"));
    // Other scopes are other reports: the government with its subtree is not published.
    let gov = app
        .get(&report_path(o.gov, 2025, "&include_subtree=true"), &o.sup)
        .await;
    assert_eq!(gov.expect(200, None)["published"], Value::Null);

    // The .docx of version 1 is a package whose table holds the published numbers.
    let r = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            report_path(o.bureau, 2025, "&version=1&format=docx")
        ))
        .bearer_auth(&o.sup)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let texts = docx_texts(&r.bytes().await.unwrap());
    let row = |label: &str| {
        let at = texts
            .iter()
            .position(|t| t == label)
            .unwrap_or_else(|| panic!("{label} not in the .docx"));
        texts[at + 1..at + 8].to_vec()
    };
    assert_eq!(
        row("一、本年新收政府信息公开申请数量"),
        ["2", "0", "0", "0", "0", "0", "2"]
    );
    assert_eq!(
        row("四、结转下年度继续办理"),
        ["1", "0", "0", "0", "0", "0", "1"]
    );
    let headings = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| texts.iter().position(|t| t == h).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(
        texts
            .iter()
            .any(|t| t == "第1版 · " || t.starts_with("第1版 · "))
    );

    // The page people read: the same headings in order, the tables, no checks.
    let page = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            report_path(o.bureau, 2025, "&format=page")
        ))
        .bearer_auth(&o.sup)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at: Vec<usize> = headings.iter().map(|h| page.find(h).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]));
    assert!(page.contains("第2版"));
    assert!(!page.contains("balance_natural_person"));

    // The answered case is untouched by all this.
    let _ = answered;
}

#[actix_web::test]
async fn next_years_carry_over_must_equal_the_published_carry_forward() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let open = build(&app, &o.clerk, o.bureau, &spec(1, "2025-12-01", End::Open)).await;
    let answered = build(
        &app,
        &o.clerk,
        o.bureau,
        &spec(2, "2025-03-03", End::Reply("disclosed", "2025-03-20")),
    )
    .await;
    // Without a published 2025 there is nothing to compare with.
    let r = app.get(&report_path(o.bureau, 2026, ""), &o.sup).await;
    assert!(check(r.expect(200, None), "carried_over_matches_published").is_none());

    app.post(
        PUBLISH,
        &o.sup,
        json!({"department_id": o.bureau, "year": 2025}),
    )
    .await
    .expect(201, None);
    let r = app.get(&report_path(o.bureau, 2026, ""), &o.sup).await;
    let c = check(r.expect(200, None), "carried_over_matches_published")
        .unwrap()
        .clone();
    assert_eq!(c["ok"], true, "{c}");

    // A reply recorded late with a 2025 date: 2026 no longer carries the case over.
    let (number, etag) = case(&app, open).await;
    reply(&app, &o.clerk, open, &etag, ("disclosed", "2025-12-29")).await;
    let r = app.get(&report_path(o.bureau, 2026, ""), &o.sup).await;
    let body = r.expect(200, None).clone();
    let c = check(&body, "carried_over_matches_published").unwrap();
    assert_eq!(c["ok"], false);
    assert_eq!(c["case_ids"], json!([open]));
    assert!(c["detail"].as_str().unwrap().contains(&number), "{c}");
    assert_eq!(body["all_checks_pass"], false);

    // A reopening after publication (a reconsideration ordered a new reply) is a linked
    // re-handling: new in 2026, and the published 2025 does not change.
    let (_, etag) = case(&app, answered).await;
    let etag = event(
        &app,
        &o.clerk,
        answered,
        &etag,
        json!({"type": "reopened", "date": "2026-01-05", "reason": "行政复议决定责令重新答复"}),
    )
    .await;
    reply(
        &app,
        &o.clerk,
        answered,
        &etag,
        ("partially_disclosed", "2026-01-20"),
    )
    .await;
    let y2025 = app.get(&report_path(o.bureau, 2025, ""), &o.sup).await;
    let y2025 = y2025.expect(200, None).clone();
    let listed: Vec<i64> = y2025["changes_since_publication"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["cases"].as_array().unwrap().clone())
        .map(|c| c["case_id"].as_i64().unwrap())
        .collect();
    assert!(!listed.contains(&answered), "{listed:?}");
    let y2026 = app.get(&report_path(o.bureau, 2026, ""), &o.sup).await;
    let y2026 = y2026.expect(200, None).clone();
    assert_eq!(cell(&y2026, "new", 6), 1);
    assert_eq!(cell(&y2026, "partially_disclosed", 6), 1);
    assert_eq!(
        y2026["readings"]["linked_rehandling"],
        "counted_in_year_reopened"
    );

    // Publishing 2025 again is refused while the reason is missing, whatever else changed.
    let r = app
        .request(
            Method::POST,
            PUBLISH,
            Some(&o.sup),
            Some(json!({"department_id": o.bureau, "year": 2025})),
            &[],
        )
        .await;
    r.expect(409, Some("reason_required"));
}

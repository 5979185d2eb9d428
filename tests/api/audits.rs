//! Test-applicant audits through the API: seed 000's published figures reproduced from a
//! fixture loaded through the JSON endpoints and through the CSV import, the import's
//! all-or-nothing errors, the workbook, and who may see audit data.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

const FIXTURE: &str = include_str!("../fixtures/seed000.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

async fn auditor(app: &TestApp) -> String {
    app.user("auditor1", "auditor", None).await.1
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Resp {
    app.request(Method::PUT, path, Some(token), Some(body), &[])
        .await
}

/// A raw (non-JSON) request: returns status, content type and body bytes.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<String>,
) -> (u16, String, Vec<u8>) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("content-type", "text/csv; charset=utf-8")
            .body(b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

async fn import(app: &TestApp, id: i64, token: &str, csv: String) -> Resp {
    let (status, _, bytes) = raw(
        app,
        Method::POST,
        &format!("/api/v1/audits/{id}/import"),
        token,
        Some(csv),
    )
    .await;
    Resp {
        status: reqwest::StatusCode::from_u16(status).unwrap(),
        headers: reqwest::header::HeaderMap::new(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// Creates the seed 000 campaign (Guangxi calendar, cut-off 2020-11-20, default rubric).
async fn campaign(app: &TestApp, token: &str) -> i64 {
    let r = app
        .post(
            "/api/v1/audits",
            token,
            json!({"name": "《实施意见》实施五年评价·模拟用户实测", "region": "450000",
                   "cutoff_on": "2020-11-20"}),
        )
        .await;
    let body = r.expect(201, None);
    assert_eq!(body["statutory_days"], 20);
    assert_eq!(body["pass_threshold"], 0.6);
    assert_eq!(body["rubric"], fixture()["campaign"]["rubric"]);
    body["id"].as_i64().unwrap()
}

/// The fixture's targets, by fixture id → API id.
async fn load_targets(app: &TestApp, id: i64, token: &str, fx: &Value) -> HashMap<String, i64> {
    let mut ids = HashMap::new();
    for t in fx["targets"].as_array().unwrap() {
        let r = app
            .post(
                &format!("/api/v1/audits/{id}/targets"),
                token,
                json!({"name": t["name"], "category": t["category"]}),
            )
            .await;
        let body = r.expect(201, None);
        assert_eq!(body["calendar_region"], "450000");
        ids.insert(
            t["id"].as_str().unwrap().to_owned(),
            body["id"].as_i64().unwrap(),
        );
    }
    ids
}

async fn load_phone_checks(
    app: &TestApp,
    id: i64,
    token: &str,
    fx: &Value,
    targets: &HashMap<String, i64>,
) {
    for p in fx["phone_checks"].as_array().unwrap() {
        let r = app
            .post(
                &format!("/api/v1/audits/{id}/phone-checks"),
                token,
                json!({"target_id": targets[p["target_id"].as_str().unwrap()],
                       "called_at": format!("{}T10:00:00+08:00", p["called_on"].as_str().unwrap()),
                       "connected": p["connected"]}),
            )
            .await;
        let body = r.expect(201, None);
        assert_eq!(body["called_on"], p["called_on"]);
    }
}

/// The whole fixture through the JSON endpoints; every due date is checked on the way.
async fn load_json(app: &TestApp, token: &str) -> i64 {
    let fx = fixture();
    let id = campaign(app, token).await;
    let targets = load_targets(app, id, token, &fx).await;
    for l in fx["letters"].as_array().unwrap() {
        let r = app
            .post(
                &format!("/api/v1/audits/{id}/letters"),
                token,
                json!({"target_id": targets[l["target_id"].as_str().unwrap()],
                       "channel": l["channel"], "sent_on": l["sent_on"],
                       "tracking_number": format!("XA{}CN", l["id"].as_str().unwrap()),
                       "signed_on": l["signed_on"]}),
            )
            .await;
        let body = r.expect(201, None).clone();
        // 20 working days after signing on the Guangxi calendar, the signing day not counted.
        assert_eq!(body["due_on"], l["due_on"], "{}", l["id"]);
        assert_eq!(body["due"]["provisional"], false);
        let letter_id = body["id"].as_i64().unwrap();
        if let Some(reply) = l.get("reply").filter(|r| !r.is_null()) {
            let r = put(
                app,
                &format!("/api/v1/audits/{id}/letters/{letter_id}/reply"),
                token,
                reply.clone(),
            )
            .await;
            let body = r.expect(200, None);
            assert!(["on_time", "late"].contains(&body["status"].as_str().unwrap()));
            assert_eq!(body["reply"]["received_on"], reply["received_on"]);
        }
    }
    load_phone_checks(app, id, token, &fx, &targets).await;
    id
}

fn find(items: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|v| pred(v))
        .unwrap_or_else(|| panic!("not found in {items}"))
}

fn same(actual: &Value, expected: &Value) -> bool {
    match (actual.as_f64(), expected.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => actual == expected,
    }
}

/// Every figure of the fixture's `expected` block, read off the API's report.
fn assert_published_figures(report: &Value) {
    let fx = fixture();
    let rows = fx["expected"]["figures"].as_array().unwrap();
    assert!(rows.len() >= 60);
    for row in rows {
        let field = row["field"].as_str().unwrap();
        let category = row["category"].as_str().unwrap_or("all");
        let actual = match row["scope"].as_str().unwrap() {
            "letters" => find(&report["groups"], |g| {
                g["channel"] == row["channel"] && g["category"] == row["category"]
            })[field]
                .clone(),
            "phone" if category == "all" => report["phone"][field].clone(),
            "phone" => find(&report["phone"]["by_category"], |p| {
                p["category"] == category
            })[field]
                .clone(),
            "pass_rates" => {
                find(&report["pass_rates"], |p| p["category"] == category)[field].clone()
            }
            "targets" => json!(
                report["targets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|t| t["category"] == category)
                    .count()
            ),
            "campaign" => report["campaign"][field].clone(),
            other => panic!("unknown scope {other}"),
        };
        assert!(same(&actual, &row["value"]), "{row}: got {actual}");
        if row["source"] == "conflict" {
            assert!(!same(&actual, &row["published_value"]), "{row}");
        }
    }
    for expected in fx["expected"]["lists"].as_array().unwrap() {
        let list = expected["list"].as_str().unwrap();
        let mut names: Vec<&str> = report["lists"][list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| expected["channel"].is_null() || r["channel"] == expected["channel"])
            .map(|r| r["target_name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        let mut want: Vec<&str> = expected["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        want.sort_unstable();
        assert_eq!(names, want, "{expected}");
    }
}

#[actix_web::test]
async fn seed000_figures_through_the_json_endpoints() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let id = load_json(&app, &token).await;
    let r = app
        .get(&format!("/api/v1/audits/{id}/report"), &token)
        .await;
    let report = r.expect(200, None);
    assert_published_figures(report);

    // The headline figures, spelled out: 答复率 82.46% = 94/114, 接通率 68.42% = 39/57.
    let all = find(&report["groups"], |g| {
        g["channel"] == "all" && g["category"] == "all"
    });
    assert_eq!(all["on_time_rate"], 0.8246);
    assert_eq!(
        (all["on_time"].as_i64(), all["letters"].as_i64()),
        (Some(94), Some(114))
    );
    assert_eq!(all["sign_rate"], 1.0);
    assert_eq!(report["phone"]["rate"], 0.6842);
    assert_eq!(report["phone"]["connected"], 39);
    assert_eq!(report["as_of"], "2020-11-20");
    assert_eq!(report["audit"]["id"], id);
    // 交通运输厅: dated in time but posted after the due date; the postmark decides.
    let late = &report["lists"]["late"][0];
    assert_eq!(late["target_name"], "交通运输厅");
    assert_eq!(late["channel"], "regular");
    let letter = find(&report["letters"], |l| l["status"] == "late");
    assert_eq!(letter["dispatch_source"], "postmark");
    assert_eq!(letter["late_by_days"], 4);
    assert_eq!(
        letter["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "reply_late")
            .count(),
        1
    );
    // The compliance checker runs on every counted reply: 文号 missing in 24 + 21 replies.
    let missing = find(&report["checker"], |c| c["code"] == "doc_number_missing");
    assert_eq!(missing["replies"], all["missing_doc_number"]);
    assert_eq!(all["missing_doc_number"], 45);
    let seal = find(&report["checker"], |c| c["code"] == "seal_missing");
    assert_eq!(seal["replies"], all["unsealed"]);

    // The campaign view carries the same facts.
    let r = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let view = r.expect(200, None);
    assert_eq!(view["counts"]["targets"], 57);
    assert_eq!(view["counts"]["letters"], 114);
    assert_eq!(view["counts"]["replies"], 95);
    assert_eq!(view["counts"]["phone_checks"], 78);
    assert_eq!(view["letters"].as_array().unwrap().len(), 114);
    let r = app.get("/api/v1/audits", &token).await;
    assert_eq!(r.expect(200, None)["items"][0]["id"], id);
}

/// The fixture as the evaluators' sheet: one row per letter, the reply in the same row.
fn fixture_csv(fx: &Value) -> String {
    let names: HashMap<&str, (&str, &str)> = fx["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                (t["name"].as_str().unwrap(), t["category"].as_str().unwrap()),
            )
        })
        .collect();
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut out = String::from(
        "\u{feff}单位名称,单位类别,渠道,寄出日期,挂号信单号,签收日期,收到答复日期,邮戳日期,成文日期,文号,加盖公章,法律依据,法律依据条款,告知复议,复议机关,复议期限,告知诉讼,受理法院,起诉期限\r\n",
    );
    for l in fx["letters"].as_array().unwrap() {
        let (name, category) = names[l["target_id"].as_str().unwrap()];
        let channel = if l["channel"] == "regular" {
            "正常渠道"
        } else {
            "非正常渠道"
        };
        let mut cells = vec![
            name.to_owned(),
            category.to_owned(),
            channel.to_owned(),
            s(&l["sent_on"]),
            format!("XA{}CN", s(&l["id"])),
            s(&l["signed_on"]),
        ];
        match l.get("reply").filter(|r| !r.is_null()) {
            None => cells.extend(std::iter::repeat_n(String::new(), 13)),
            Some(r) => {
                let basis = &r["legal_basis"][0];
                let rc = &r["remedy"]["reconsideration"];
                let lit = &r["remedy"]["litigation"];
                let flag = |v: &Value| if v.is_null() { "否" } else { "是" }.to_owned();
                let num = |v: &Value| v.as_u64().map(|n| n.to_string()).unwrap_or_default();
                cells.extend([
                    s(&r["received_on"]),
                    s(&r["dispatched_on"]),
                    s(&r["doc_date"]),
                    s(&r["doc_number"]),
                    if r["sealed"] == true { "是" } else { "否" }.to_owned(),
                    s(&basis["law"]),
                    format!("{}{}", s(&basis["article"]), s(&basis["item"])),
                    flag(rc),
                    s(&rc["organ"]),
                    num(&rc["period_days"]),
                    flag(lit),
                    s(&lit["court"]),
                    num(&lit["period_months"]),
                ]);
            }
        }
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| {
                if c.contains([',', '"']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    }
    out
}

#[actix_web::test]
async fn seed000_figures_through_the_csv_import() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let fx = fixture();
    let id = campaign(&app, &token).await;
    let r = import(&app, id, &token, fixture_csv(&fx)).await;
    let body = r.expect(201, None);
    assert_eq!(body["rows"], 114);
    assert_eq!(body["targets_created"], 57);
    assert_eq!(body["letters_created"], 114);
    assert_eq!(body["replies_recorded"], 95);

    // Phone checks go through the JSON endpoint, against the imported targets.
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let by_name: HashMap<String, i64> = view.expect(200, None)["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["id"].as_i64().unwrap(),
            )
        })
        .collect();
    let targets: HashMap<String, i64> = fx["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                by_name[t["name"].as_str().unwrap()],
            )
        })
        .collect();
    load_phone_checks(&app, id, &token, &fx, &targets).await;

    let r = app
        .get(&format!("/api/v1/audits/{id}/report"), &token)
        .await;
    let report = r.expect(200, None);
    assert_published_figures(report);
    // The due dates the import derived are the fixture's.
    let dues: HashMap<String, Value> = fx["letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                format!("XA{}CN", l["id"].as_str().unwrap()),
                l["due_on"].clone(),
            )
        })
        .collect();
    for l in view.body["letters"].as_array().unwrap() {
        assert_eq!(l["due_on"], dues[l["tracking_number"].as_str().unwrap()]);
    }
}

const HEADER: &str = "单位名称,单位类别,渠道,寄出日期,签收日期,收到答复日期,邮戳日期,文号,加盖公章,法律依据,法律依据条款,告知复议,复议机关,告知诉讼,受理法院\n";

#[actix_web::test]
async fn csv_import_is_all_or_nothing_with_row_level_errors() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let id = campaign(&app, &token).await;
    let good = "交通运输厅,区直单位,正常渠道,2020-09-21,2020-09-23,2020-11-02,2020-10-31,桂交复〔2020〕3号,是,《中华人民共和国政府信息公开条例》,第三十六条第（二）项,是,广西壮族自治区人民政府,是,南宁市××区人民法院\n";
    let csv = format!(
        "{HEADER}{good}\
         南宁市人民政府,设区市政府,挂号信,2020-09-21,2020-09-2x,,,,,,,,,,\n\
         柳州市人民政府,设区市政府,正常渠道,2020-09-21,2020-09-18,,,,,,,,,,\n\
         ,设区市政府,正常渠道,2020-09-21,,,,,,,,,,,\n\
         桂林市人民政府,设区市政府,正常渠道,2020-09-21,2020-09-24,,,桂林复〔2020〕1号,,,,,,,\n\
         梧州市人民政府,设区市政府,非正常渠道,2020-09-21,2020-09-24,2020-10-20,2020-09-22,,也许,,,,,,\n\
         交通运输厅,设区市政府,非正常渠道,2020-09-21,2020-09-24,,,,,,,,,,\n"
    );
    let r = import(&app, id, &token, csv).await;
    let body = r.expect(422, Some("validation_failed"));
    let fields = body["fields"].as_object().unwrap();
    for key in [
        "rows[3].channel",
        "rows[3].signed_on",
        "rows[4].signed_on",
        "rows[5].name",
        "rows[6].doc_number",
        "rows[7].dispatched_on",
        "rows[7].sealed",
        "rows[8].category",
    ] {
        assert!(fields.contains_key(key), "{key} missing in {body}");
    }
    assert!(!fields.keys().any(|k| k.starts_with("rows[2].")), "{body}");
    assert!(
        fields["rows[3].signed_on"]
            .as_str()
            .unwrap()
            .contains("签收日期")
    );
    // Nothing was stored, not even the good row or the targets.
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let view = view.expect(200, None);
    assert_eq!(view["counts"]["targets"], 0);
    assert_eq!(view["counts"]["letters"], 0);

    // Unknown or missing headers are refused before any row is read.
    let r = import(&app, id, &token, "单位名称,单位,渠道\nA,B,C\n".into()).await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["headers"].as_str().unwrap().contains("单位"));
    // Not UTF-8 (GBK bytes of 单位名称).
    let (status, _, bytes) = {
        let r = app
            .client
            .post(format!("{}/api/v1/audits/{id}/import", app.base))
            .bearer_auth(&token)
            .body(vec![0xb5u8, 0xa5, 0xce, 0xbb, b'\n'])
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), (), r.bytes().await.unwrap())
    };
    assert_eq!(status, 400);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "invalid_csv");

    // The good row alone imports.
    let r = import(&app, id, &token, format!("{HEADER}{good}")).await;
    let body = r.expect(201, None);
    assert_eq!(body["letters_created"], 1);
    assert_eq!(body["replies_recorded"], 1);
    let report = app
        .get(&format!("/api/v1/audits/{id}/report"), &token)
        .await;
    let report = report.expect(200, None);
    let letter = &report["letters"][0];
    // Signed Wed 2020-09-23 → due Tue 2020-10-27 in Guangxi; posted 10-31: late.
    assert_eq!(letter["due_on"], "2020-10-27");
    assert_eq!(letter["status"], "late");
    assert_eq!(letter["defects"], json!([]));
}

#[actix_web::test]
async fn report_as_xlsx_parses_back() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let id = campaign(&app, &token).await;
    let fx = fixture();
    let r = import(&app, id, &token, fixture_csv(&fx)).await;
    r.expect(201, None);
    let (status, ct, bytes) = raw(
        &app,
        Method::GET,
        &format!("/api/v1/audits/{id}/report?format=xlsx"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "分组统计",
            "电话核查",
            "单位得分",
            "合格率",
            "信函明细",
            "问题清单"
        ]
    );
    let groups = book.worksheet_range("分组统计").unwrap();
    let rows: Vec<&[Data]> = groups.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let all = rows
        .iter()
        .find(|r| r[0] == "全部渠道" && r[1] == "全部类别")
        .unwrap();
    assert_eq!(all[col("信函数")], Data::Float(114.0));
    assert_eq!(all[col("按时答复")], Data::Float(94.0));
    assert_eq!(all[col("超期答复")], Data::Float(1.0));
    assert_eq!(all[col("未答复")], Data::Float(19.0));
    assert_eq!(all[col("答复率")], Data::Float(0.8246));
    let regular_qz = rows
        .iter()
        .find(|r| r[0] == "正常渠道" && r[1] == "区直单位")
        .unwrap();
    assert_eq!(regular_qz[col("缺少文号")], Data::Float(20.0));
    assert_eq!(regular_qz[col("未告知救济渠道")], Data::Float(16.0));
    assert_eq!(
        regular_qz[col("救济途径未列明机关或法院")],
        Data::Float(12.0)
    );
    let lists = book.worksheet_range("问题清单").unwrap();
    assert!(
        lists
            .rows()
            .any(|r| r[0] == "超期答复" && r[1] == "交通运输厅")
    );
    let letters = book.worksheet_range("信函明细").unwrap();
    assert_eq!(letters.rows().count(), 115);

    let r = app
        .get(&format!("/api/v1/audits/{id}/report?format=pdf"), &token)
        .await;
    r.expect(422, Some("validation_failed"));
}

#[actix_web::test]
async fn only_auditors_and_admins_see_audits() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let id = campaign(&app, &token).await;
    let dept = app
        .department("南宁市人民政府", "南府", None, "450100")
        .await;
    let (_, clerk) = app.user("clerk1", "clerk", Some(dept)).await;
    let (_, supervisor) = app.user("sup1", "supervisor", Some(dept)).await;
    let target = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "南宁市人民政府", "category": "设区市政府", "region": "450100"}),
        )
        .await;
    let target = target.expect(201, None)["id"].as_i64().unwrap();
    let letter = app
        .post(
            &format!("/api/v1/audits/{id}/letters"),
            &token,
            json!({"target_id": target, "channel": "regular", "sent_on": "2026-10-09",
                   "signed_on": "2026-10-12"}),
        )
        .await;
    let letter = letter.expect(201, None)["id"].as_i64().unwrap();
    for t in [&clerk, &supervisor] {
        let reply = json!({"received_on": "2026-11-01", "doc_number": null, "sealed": true,
                           "legal_basis": [], "remedy": {}});
        let csv = HEADER.to_owned();
        let calls: Vec<Resp> = vec![
            app.post(
                "/api/v1/audits",
                t,
                json!({"name": "x", "region": "450000", "cutoff_on": "2026-11-20"}),
            )
            .await,
            app.get("/api/v1/audits", t).await,
            app.get(&format!("/api/v1/audits/{id}"), t).await,
            app.post(
                &format!("/api/v1/audits/{id}/targets"),
                t,
                json!({"name": "a", "category": "b"}),
            )
            .await,
            app.post(
                &format!("/api/v1/audits/{id}/letters"),
                t,
                json!({"target_id": target, "channel": "regular", "sent_on": "2026-10-09"}),
            )
            .await,
            put(
                &app,
                &format!("/api/v1/audits/{id}/letters/{letter}/reply"),
                t,
                reply,
            )
            .await,
            app.post(
                &format!("/api/v1/audits/{id}/phone-checks"),
                t,
                json!({"target_id": target, "called_at": "2026-11-02 10:00", "connected": true}),
            )
            .await,
            import(&app, id, t, csv).await,
            app.get(&format!("/api/v1/audits/{id}/report"), t).await,
        ];
        for r in calls {
            r.expect(403, Some("forbidden"));
        }
    }
    // Admins may.
    let r = app
        .get(&format!("/api/v1/audits/{id}/report"), &app.admin_token)
        .await;
    r.expect(200, None);
    // An auditor still sees no case or department data.
    let r = app.get("/api/v1/departments", &token).await;
    assert_ne!(r.status.as_u16(), 200);
}

#[actix_web::test]
async fn letters_replies_and_phone_checks_are_validated() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let r = app
        .post(
            "/api/v1/audits",
            &token,
            json!({"name": " ", "region": "99", "cutoff_on": "2026-11-20",
                   "statutory_days": 0, "pass_threshold": 1.5}),
        )
        .await;
    let body = r.expect(422, Some("validation_failed"));
    for key in ["name", "region", "statutory_days", "pass_threshold"] {
        assert!(body["fields"][key].is_string(), "{key}: {body}");
    }
    // A replaced rubric must name every item.
    let r = app
        .post(
            "/api/v1/audits",
            &token,
            json!({"name": "x", "region": "450000", "cutoff_on": "2026-11-20", "rubric": {"signed": 1}}),
        )
        .await;
    r.expect(422, Some("invalid_body"));
    let r = app
        .post(
            "/api/v1/audits",
            &token,
            json!({"name": "2026 抽查", "region": "450000", "cutoff_on": "2026-12-31",
                   "pass_threshold": 0.8,
                   "rubric": {"signed": 0, "replied_on_time": 10, "replied_late": 0, "doc_number": 0,
                              "seal": 0, "legal_basis": 0, "remedy_with_detail": 0,
                              "remedy_without_detail": 0, "phone_connected": 0}}),
        )
        .await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "某厅", "category": "all"}),
        )
        .await;
    r.expect(422, Some("validation_failed"));
    let t = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "某厅", "category": "区直单位"}),
        )
        .await;
    let target = t.expect(201, None)["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "某厅", "category": "区直单位"}),
        )
        .await;
    r.expect(409, Some("audit_target_exists"));
    let r = app
        .post(
            &format!("/api/v1/audits/{id}/letters"),
            &token,
            json!({"target_id": target, "channel": "post", "sent_on": "2026-11-10",
                   "signed_on": "2026-11-09"}),
        )
        .await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(body["fields"]["channel"].is_string() && body["fields"]["signed_on"].is_string());
    // Unsigned: no due date, pending, and no reply can be recorded.
    let r = app
        .post(
            &format!("/api/v1/audits/{id}/letters"),
            &token,
            json!({"target_id": target, "channel": "irregular", "sent_on": "2026-11-10"}),
        )
        .await;
    let body = r.expect(201, None);
    assert_eq!(body["due_on"], Value::Null);
    assert_eq!(body["status"], "pending_unsigned");
    let unsigned = body["id"].as_i64().unwrap();
    let reply = json!({"received_on": "2026-11-20", "doc_number": "桂某复〔2026〕1号", "sealed": true,
                       "legal_basis": [{"law": "《中华人民共和国政府信息公开条例》", "article": "第三十六条"}],
                       "remedy": {}});
    let r = put(
        &app,
        &format!("/api/v1/audits/{id}/letters/{unsigned}/reply"),
        &token,
        reply.clone(),
    )
    .await;
    r.expect(409, Some("letter_not_signed"));
    // Signed Tue 2026-11-10: due 20 working days later; the cut-off is ahead, so the report
    // is as of today (2026-11-22) and the letter is pending, not unanswered.
    let r = app
        .post(
            &format!("/api/v1/audits/{id}/letters"),
            &token,
            json!({"target_id": target, "channel": "regular", "sent_on": "2026-11-09",
                   "signed_on": "2026-11-10"}),
        )
        .await;
    let body = r.expect(201, None);
    assert_eq!(body["due_on"], "2026-12-08");
    assert_eq!(body["status"], "pending_not_due");
    let signed = body["id"].as_i64().unwrap();
    let mut bad = reply.clone();
    bad["received_on"] = json!("2026-11-23");
    bad["dispatched_on"] = json!("2026-11-09");
    let r = put(
        &app,
        &format!("/api/v1/audits/{id}/letters/{signed}/reply"),
        &token,
        bad,
    )
    .await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(
        body["fields"]["received_on"].is_string() && body["fields"]["dispatched_on"].is_string()
    );
    let r = put(
        &app,
        &format!("/api/v1/audits/{id}/letters/{signed}/reply"),
        &token,
        reply.clone(),
    )
    .await;
    let body = r.expect(200, None);
    assert_eq!(body["status"], "on_time");
    assert_eq!(body["dispatched_on"], "2026-11-20");
    assert_eq!(body["defects"], json!(["no_remedy"]));
    let codes: Vec<&str> = body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["remedy_missing"]);
    // A PUT replaces the reply.
    let mut again = reply.clone();
    again["doc_number"] = Value::Null;
    let r = put(
        &app,
        &format!("/api/v1/audits/{id}/letters/{signed}/reply"),
        &token,
        again,
    )
    .await;
    assert_eq!(
        r.expect(200, None)["defects"],
        json!(["missing_doc_number", "no_remedy"])
    );
    let r = put(
        &app,
        &format!("/api/v1/audits/{id}/letters/999/reply"),
        &token,
        reply,
    )
    .await;
    r.expect(404, Some("not_found"));
    // Phone checks.
    for (called_at, field) in [
        ("yesterday", "called_at"),
        ("2026-11-30T09:00:00+08:00", "called_at"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/audits/{id}/phone-checks"),
                &token,
                json!({"target_id": target, "called_at": called_at, "connected": true}),
            )
            .await;
        assert!(r.expect(422, Some("validation_failed"))["fields"][field].is_string());
    }
    let r = app
        .post(
            &format!("/api/v1/audits/{id}/phone-checks"),
            &token,
            json!({"target_id": target, "called_at": "2026-11-20T23:30:00Z", "connected": true}),
        )
        .await;
    // 23:30 UTC is 07:30 the next morning in China.
    assert_eq!(r.expect(201, None)["called_on"], "2026-11-21");
    let report = app
        .get(&format!("/api/v1/audits/{id}/report"), &token)
        .await;
    let report = report.expect(200, None);
    assert_eq!(report["as_of"], "2026-11-22");
    let unit = &report["targets"][0];
    // On time 10 of 10 with the replaced rubric; the pending-unsigned letter adds 0 of 10 and
    // the pending-not-due one would add nothing: here the reply counts, so 10 of 20.
    assert_eq!(unit["score"], 10);
    assert_eq!(unit["max"], 20);
    assert_eq!(unit["passed"], false);
    assert_eq!(report["campaign"]["pass_threshold"], 0.8);
    let r = app.get("/api/v1/audits/999", &token).await;
    r.expect(404, Some("not_found"));
}

#[actix_web::test]
async fn a_signing_date_confirmed_later_is_recorded_and_starts_the_clock() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let r = app
        .post(
            "/api/v1/audits",
            &token,
            json!({"name": "补录签收", "region": "450000", "cutoff_on": "2026-12-31"}),
        )
        .await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let t = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "某厅", "category": "区直单位"}),
        )
        .await;
    let target = t.expect(201, None)["id"].as_i64().unwrap();
    let l = app
        .post(
            &format!("/api/v1/audits/{id}/letters"),
            &token,
            json!({"target_id": target, "channel": "regular", "sent_on": "2026-11-10"}),
        )
        .await;
    let letter = l.expect(201, None)["id"].as_i64().unwrap();
    let path = format!("/api/v1/audits/{id}/letters/{letter}");
    let patch =
        |body: Value| app.request(reqwest::Method::PATCH, &path, Some(&token), Some(body), &[]);
    let early = patch(json!({"signed_on": "2026-11-09"})).await;
    assert!(early.expect(422, Some("validation_failed"))["fields"]["signed_on"].is_string());
    let signed = patch(json!({"signed_on": "2026-11-12", "tracking_number": "XA0001CN"})).await;
    let body = signed.expect(200, None);
    // 20 working days after Thu 2026-11-12 on the Guangxi calendar.
    assert_eq!(body["due_on"], "2026-12-10");
    assert_eq!(body["status"], "pending_not_due");
    let reply = json!({"received_on": "2026-11-20", "doc_number": "桂某复〔2026〕1号", "sealed": true,
                       "legal_basis": [{"law": "《中华人民共和国政府信息公开条例》", "article": "第三十六条"}],
                       "remedy": {}});
    put(&app, &format!("{path}/reply"), &token, reply)
        .await
        .expect(200, None);
    patch(json!({"signed_on": "2026-11-13"}))
        .await
        .expect(409, Some("letter_has_reply"));
    patch(json!({"tracking_number": null}))
        .await
        .expect(200, None);
    // A mistyped mailing date is corrected; it cannot follow the signing date.
    let late = patch(json!({"sent_on": "2026-11-13"})).await;
    assert!(late.expect(422, Some("validation_failed"))["fields"]["signed_on"].is_string());
    let fixed = patch(json!({"sent_on": "2026-11-09"})).await;
    let body = fixed.expect(200, None);
    assert_eq!(
        (&body["sent_on"], &body["due_on"]),
        (&json!("2026-11-09"), &json!("2026-12-10"))
    );
}

/// The campaign's action-log chain, oldest first: (action, actor, after).
fn campaign_log(app: &TestApp, id: i64) -> Vec<(String, Option<i64>, Value)> {
    let mut conn = app.pool.get().unwrap();
    ogi_tracker::store::action_log::history(&mut conn, &format!("campaign:{id}"))
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.action,
                r.actor_id,
                serde_json::from_str(&r.after_state).unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn every_campaign_change_leaves_an_action_log_record() {
    let app = spawn_app().await;
    let (auditor_id, token) = app.user("auditor1", "auditor", None).await;
    let r = app
        .post(
            "/api/v1/audits",
            &token,
            json!({"name": "留痕", "region": "450000", "cutoff_on": "2026-12-31"}),
        )
        .await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let t = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "交通运输厅", "category": "区直单位"}),
        )
        .await;
    let target = t.expect(201, None)["id"].as_i64().unwrap();
    let l = app
        .post(
            &format!("/api/v1/audits/{id}/letters"),
            &token,
            json!({"target_id": target, "channel": "regular", "sent_on": "2026-11-10"}),
        )
        .await;
    let letter = l.expect(201, None)["id"].as_i64().unwrap();
    let path = format!("/api/v1/audits/{id}/letters/{letter}");
    app.request(
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({"signed_on": "2026-11-12"})),
        &[],
    )
    .await
    .expect(200, None);
    let reply = json!({"received_on": "2026-11-20", "doc_number": "桂交复〔2026〕1号", "sealed": true,
                       "seal_organ": "广西壮族自治区交通运输厅",
                       "legal_basis": [{"law": "《条例》", "article": "有关规定"}], "remedy": {}});
    let r = put(&app, &format!("{path}/reply"), &token, reply).await;
    let body = r.expect(200, None);
    // The grader: a vague reference names no article; the unit's seal with its region is
    // its own, not another organ's.
    assert!(
        body["defects"]
            .as_array()
            .unwrap()
            .contains(&json!("no_legal_basis")),
        "{body}"
    );
    let codes: Vec<&str> = body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"legal_basis_no_article"), "{codes:?}");
    assert!(!codes.contains(&"seal_organ_mismatch"), "{codes:?}");
    app.post(
        &format!("/api/v1/audits/{id}/phone-checks"),
        &token,
        json!({"target_id": target, "called_at": "2026-11-16 09:30", "connected": true}),
    )
    .await
    .expect(201, None);
    // Reads leave nothing.
    app.get(&format!("/api/v1/audits/{id}"), &token)
        .await
        .expect(200, None);
    app.get(&format!("/api/v1/audits/{id}/report"), &token)
        .await
        .expect(200, None);

    let log = campaign_log(&app, id);
    let actions: Vec<&str> = log.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "campaign_created",
            "target_added",
            "letter_added",
            "letter_updated",
            "reply_recorded",
            "phone_check_added",
        ]
    );
    assert!(log.iter().all(|(_, actor, _)| *actor == Some(auditor_id)));
    assert_eq!(log[1].2["name"], "交通运输厅");
    assert_eq!(log[3].2["signed_on"], "2026-11-12");
    assert_eq!(log[4].2["letter_id"], letter);
    // A refused change leaves no record.
    app.request(
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({"signed_on": "2026-11-13"})),
        &[],
    )
    .await
    .expect(409, Some("letter_has_reply"));
    assert_eq!(campaign_log(&app, id).len(), 6);
    // The chain verifies.
    let mut conn = app.pool.get().unwrap();
    let key = crate::helpers::audit_key();
    let breaks = ogi_tracker::store::action_log::verify(&mut conn, Some(&key))
        .unwrap()
        .breaks;
    assert!(breaks.is_empty(), "{breaks:?}");
}

#[actix_web::test]
async fn importing_the_same_sheet_again_changes_nothing() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let fx = fixture();
    let id = campaign(&app, &token).await;
    let csv = fixture_csv(&fx);
    let first = import(&app, id, &token, csv.clone()).await;
    let first = first.expect(201, None).clone();
    assert_eq!(first["letters_created"], 114);
    assert_eq!(first["replies_recorded"], 95);
    let path = format!("/api/v1/audits/{id}/report");
    let before = app.get(&path, &token).await.expect(200, None).clone();
    for _ in 0..2 {
        let again = import(&app, id, &token, csv.clone()).await;
        let body = again.expect(201, None);
        assert_eq!(body["rows"], 114);
        assert_eq!(body["targets_created"], 0);
        assert_eq!(body["targets_reused"], 57);
        assert_eq!(body["letters_created"], 0);
        assert_eq!(body["letters_updated"], 0);
        assert_eq!(body["replies_recorded"], 0);
    }
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let view = view.expect(200, None);
    assert_eq!(view["counts"]["targets"], 57);
    assert_eq!(view["counts"]["letters"], 114);
    assert_eq!(view["counts"]["replies"], 95);
    let after = app.get(&path, &token).await.expect(200, None).clone();
    assert_eq!(after["targets"], before["targets"]);
    assert_eq!(after["groups"], before["groups"]);
    assert_eq!(after["pass_rates"], before["pass_rates"]);
    let max: Vec<&Value> = after["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["max"])
        .collect();
    // Two letters a unit, 11 points each; no phone checks loaded here.
    assert!(max.iter().all(|m| **m == json!(22)), "{max:?}");
    // Three imports, three records; each reply was recorded once.
    let log = campaign_log(&app, id);
    let imports = log.iter().filter(|(a, _, _)| a == "sheet_imported").count();
    let replies = log.iter().filter(|(a, _, _)| a == "reply_recorded").count();
    assert_eq!((imports, replies), (3, 95));
}

#[actix_web::test]
async fn a_reimported_row_updates_its_letter() {
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let id = campaign(&app, &token).await;
    let header = "单位名称,单位类别,渠道,寄出日期,挂号信单号,签收日期,收到答复日期,邮戳日期,文号,加盖公章,法律依据,法律依据条款\n";
    // Sent, not yet signed for.
    let sent = "交通运输厅,区直单位,正常渠道,2020-09-21,,,,,,,,\n";
    import(&app, id, &token, format!("{header}{sent}"))
        .await
        .expect(201, None);
    // The post confirms the tracking number and signing; the reply arrives.
    let signed = "交通运输厅,区直单位,正常渠道,2020-09-21,XA1CN,2020-09-23,2020-10-20,2020-10-16,桂交复〔2020〕3号,是,《中华人民共和国政府信息公开条例》,第三十六条第（二）项\n";
    let r = import(&app, id, &token, format!("{header}{signed}")).await;
    let body = r.expect(201, None);
    assert_eq!(
        (
            body["letters_created"].as_i64(),
            body["letters_updated"].as_i64(),
            body["replies_recorded"].as_i64()
        ),
        (Some(0), Some(1), Some(1))
    );
    // The same letter by its tracking number now, even with the sent date mistyped.
    let corrected = signed
        .replace("2020-10-16", "2020-10-15")
        .replace(",2020-09-21,", ",2020-09-20,");
    let r = import(&app, id, &token, format!("{header}{corrected}")).await;
    let body = r.expect(201, None);
    assert_eq!(body["letters_created"], 0);
    assert_eq!(body["replies_recorded"], 1);
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let view = view.expect(200, None);
    assert_eq!(view["counts"]["letters"], 1);
    let letter = &view["letters"][0];
    assert_eq!(letter["tracking_number"], "XA1CN");
    assert_eq!(letter["signed_on"], "2020-09-23");
    assert_eq!(letter["reply"]["dispatched_on"], "2020-10-15");
    // One file naming one letter twice is refused.
    let r = import(&app, id, &token, format!("{header}{signed}{signed}")).await;
    let body = r.expect(422, Some("validation_failed"));
    assert!(
        body["fields"]["rows[3].tracking_number"].is_string(),
        "{body}"
    );
    // The letter as the updates logged by the imports left it is the letter stored.
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[actix_web::test]
async fn campaign_writes_are_chained_and_held_to_the_facts() {
    use diesel::connection::SimpleConnection;
    let app = spawn_app().await;
    let token = auditor(&app).await;
    let id = campaign(&app, &token).await;
    let t = app
        .post(
            &format!("/api/v1/audits/{id}/targets"),
            &token,
            json!({"name": "手工添加单位", "category": "区直单位"}),
        )
        .await;
    let target = t.expect(201, None)["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/audits/{id}/letters"),
        &token,
        json!({"target_id": target, "channel": "regular", "sent_on": "2020-09-21"}),
    )
    .await
    .expect(201, None);
    let r = import(&app, id, &token, fixture_csv(&fixture())).await;
    let summary = r.expect(201, None).clone();
    let count = |k: &str| summary[k].as_u64().unwrap() as usize;

    // The import logged each write it made, as the single-change operations do, then itself.
    let log = campaign_log(&app, id);
    let n = |action: &str| log.iter().filter(|(a, _, _)| a == action).count();
    assert_eq!(log[0].0, "campaign_created");
    assert_eq!(n("target_added"), 1 + count("targets_created"));
    assert_eq!(n("letter_added"), 1 + count("letters_created"));
    assert_eq!(n("reply_recorded"), count("replies_recorded"));
    assert_eq!(log.last().unwrap().0, "sheet_imported");
    // After the hand-made target and letter, the sheet's first row: its unit, with content.
    assert_eq!(log[3].0, "target_added");
    assert_eq!(log[3].2["campaign_id"], id);
    assert!(log[3].2["name"].is_string());

    let verify = || {
        let out = app.cli(&["verify-audit"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.success(), report)
    };
    let (ok, report) = verify();
    assert!(ok, "{report}");
    let log_report = &report["action_log"];
    assert_eq!(log_report["key_verified"], true);
    assert_eq!(log_report["schemes"]["sha256"], 0);
    assert_eq!(log_report["schemes"]["hmac-sha256"], log_report["records"]);

    // Facts edited, added or removed in the database, where no hash covers them.
    let mut conn = app.pool.get().unwrap();
    let letter: i64 = log
        .iter()
        .find(|(a, _, _)| a == "reply_recorded")
        .map(|(_, _, after)| after["letter_id"].as_i64().unwrap())
        .unwrap();
    let problems = |report: &Value| -> Vec<String> {
        report["action_log"]["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["problem"].as_str().unwrap().to_owned())
            .collect()
    };
    conn.batch_execute(&format!(
        "UPDATE audit_letter_replies SET sealed = NOT sealed WHERE letter_id = {letter}"
    ))
    .unwrap();
    let (ok, report) = verify();
    assert!(!ok);
    assert_eq!(
        problems(&report),
        [format!(
            "reply {letter} differs from what its audit record captured"
        )]
    );
    conn.batch_execute(&format!(
        "UPDATE audit_letter_replies SET sealed = NOT sealed WHERE letter_id = {letter}"
    ))
    .unwrap();
    assert!(verify().0);
    conn.batch_execute(&format!(
        "INSERT INTO audit_targets (campaign_id, name, category, created_at) \
         VALUES ({id}, '未留痕单位', '区直单位', '2020-09-01 00:00:00')"
    ))
    .unwrap();
    conn.batch_execute(&format!(
        "DELETE FROM audit_letter_replies WHERE letter_id = {letter}"
    ))
    .unwrap();
    let (ok, report) = verify();
    assert!(!ok);
    let problems = problems(&report);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.contains(&format!(
        "reply {letter} of the chain is missing: removed in the database"
    )));
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("target ") && p.ends_with("added in the database"))
    );
    // A lower pass mark set in the database, to pass more units.
    conn.batch_execute(&format!(
        "UPDATE audit_campaigns SET pass_threshold_bp = 5000 WHERE id = {id}"
    ))
    .unwrap();
    let (_, report) = verify();
    assert!(
        report["action_log"]["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["problem"] == "the campaign differs from what its audit record captured")
    );
}

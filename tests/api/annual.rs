//! The annual report through the HTTP API: a year of cases built with the real endpoints
//! (every outcome row, every applicant column, cases crossing both year boundaries, a
//! reopened case, an unconfirmed one, remedies decided after the year end), compared with a
//! table counted by hand; the checks; the .xlsx parsed back; the 2019 template; the cases
//! behind a cell; remedies and scoping.

use ogi_tracker::domain::outcome::SpecialRegimeRow;
use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use ogi_tracker::report::annual_xlsx::{
    REPORT_SHEET, TABLE3_BODY_ROW, TABLE3_DATA_COL, table4_title_row,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

pub(crate) struct Org {
    pub(crate) gov: i64,
    pub(crate) bureau: i64,
    /// A sibling of the bureau under the same government.
    pub(crate) other: i64,
    pub(crate) clerk: String,
    pub(crate) other_clerk: String,
    /// Supervisor at the government: sees the whole subtree.
    pub(crate) sup: String,
    pub(crate) auditor: String,
}

pub(crate) async fn org(app: &TestApp) -> Org {
    let (gov, bureau) = app.city_and_bureau().await;
    let other = app
        .department("南宁市自然资源局", "南自信复", Some(gov), "450100")
        .await;
    let (_, clerk) = app.user("clerk_bureau", "clerk", Some(bureau)).await;
    let (_, other_clerk) = app.user("clerk_other", "clerk", Some(other)).await;
    let (_, sup) = app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, auditor) = app.user("auditor", "auditor", None).await;
    Org {
        gov,
        bureau,
        other,
        clerk,
        other_clerk,
        sup,
        auditor,
    }
}

/// How a case of the test year ends.
pub(crate) enum End {
    Open,
    /// (outcome, dispatch date)
    Reply(&'static str, &'static str),
    Withdrawn(&'static str),
    /// 补正 requested, to be answered by, lapsed.
    CorrectionLapsed(&'static str, &'static str, &'static str),
    /// Fee notice, lapsed.
    FeeLapsed(&'static str, &'static str),
    /// Replied, reopened, replied again.
    Reopened(
        (&'static str, &'static str),
        &'static str,
        (&'static str, &'static str),
    ),
}

/// One case: applicant type, receipt date (in person), how it ends.
pub(crate) struct Spec {
    pub(crate) n: u32,
    pub(crate) applicant: &'static str,
    pub(crate) received: &'static str,
    pub(crate) end: End,
}

pub(crate) const NP: &str = "natural_person";
const CO: &str = "commercial";
const RE: &str = "research";
const PI: &str = "public_interest";
const LS: &str = "legal_service";
const OO: &str = "other_org";

/// The bureau's cases. Numbers are the labels the hand count below refers to.
fn specs() -> Vec<Spec> {
    use End::*;
    let s = |n, applicant, received, end| Spec {
        n,
        applicant,
        received,
        end,
    };
    vec![
        // Received and concluded in 2024: every reply outcome, every applicant column.
        s(1, NP, "2024-01-08", Reply("disclosed", "2024-01-25")),
        s(
            2,
            CO,
            "2024-02-01",
            Reply("disclosed_already_public", "2024-02-20"),
        ),
        s(
            3,
            RE,
            "2024-02-05",
            Reply("partially_disclosed", "2024-03-01"),
        ),
        s(
            4,
            PI,
            "2024-03-04",
            Reply("withheld_state_secret", "2024-03-28"),
        ),
        s(
            5,
            LS,
            "2024-03-05",
            Reply("withheld_prohibited_by_law", "2024-03-29"),
        ),
        s(
            6,
            OO,
            "2024-03-06",
            Reply("withheld_security_stability", "2024-04-02"),
        ),
        s(
            7,
            NP,
            "2024-04-01",
            Reply("withheld_third_party", "2024-04-25"),
        ),
        s(
            8,
            CO,
            "2024-04-02",
            Reply("withheld_internal_affairs", "2024-04-26"),
        ),
        s(
            9,
            RE,
            "2024-04-03",
            Reply("withheld_process_info", "2024-04-28"),
        ),
        s(
            10,
            PI,
            "2024-05-06",
            Reply("withheld_enforcement_file", "2024-05-30"),
        ),
        s(
            11,
            LS,
            "2024-05-07",
            Reply("withheld_administrative_query", "2024-05-31"),
        ),
        // 特殊程序: (三)8 by default (RULES.md §4).
        s(12, OO, "2024-05-08", Reply("special_regime", "2024-06-03")),
        s(
            13,
            NP,
            "2024-06-03",
            Reply("unavailable_not_held", "2024-06-20"),
        ),
        s(
            14,
            CO,
            "2024-06-04",
            Reply("unavailable_not_responsible", "2024-06-21"),
        ),
        s(
            15,
            RE,
            "2024-06-05",
            Reply("unavailable_needs_creation", "2024-06-28"),
        ),
        s(
            16,
            PI,
            "2024-06-06",
            Reply("unavailable_unclear_after_correction", "2024-07-01"),
        ),
        s(
            17,
            LS,
            "2024-07-01",
            Reply("not_processed_petition", "2024-07-15"),
        ),
        s(
            18,
            OO,
            "2024-07-02",
            Reply("not_processed_repeated", "2024-07-16"),
        ),
        s(
            19,
            NP,
            "2024-07-03",
            Reply("not_processed_publication", "2024-07-17"),
        ),
        s(
            20,
            CO,
            "2024-07-04",
            Reply("not_processed_excessive", "2024-07-18"),
        ),
        s(
            21,
            RE,
            "2024-07-05",
            Reply("not_processed_confirmation", "2024-07-19"),
        ),
        s(
            22,
            PI,
            "2024-08-01",
            Reply("other_no_correction", "2024-08-20"),
        ),
        s(
            23,
            LS,
            "2024-08-02",
            Reply("other_fee_unpaid", "2024-08-21"),
        ),
        s(24, OO, "2024-08-05", Reply("other", "2024-08-22")),
        // Ended by events: 补正 lapsed → (六)1, fee lapsed → (六)2, withdrawn → (六)3.
        s(
            25,
            NP,
            "2024-08-06",
            CorrectionLapsed("2024-08-08", "2024-08-23", "2024-08-26"),
        ),
        s(26, CO, "2024-09-02", FeeLapsed("2024-09-03", "2024-11-01")),
        s(27, RE, "2024-09-09", Withdrawn("2024-09-20")),
        // Reopened and answered again: the latest conclusion counts.
        s(
            28,
            NP,
            "2024-09-10",
            Reopened(
                ("disclosed", "2024-09-30"),
                "2024-10-15",
                ("partially_disclosed", "2024-11-05"),
            ),
        ),
        // Received in 2023 and concluded in 2024: 二 上年结转.
        s(29, NP, "2023-12-20", Reply("disclosed", "2024-01-10")),
        s(30, LS, "2023-12-27", Withdrawn("2024-01-05")),
        // Concluded in 2023: not in the 2024 report.
        s(31, OO, "2023-11-01", Reply("disclosed", "2023-11-20")),
        // Replied in 2023, reopened in 2024 and answered again: the 2023 report keeps its
        // conclusion; in 2024 the reopening is a new handling (一), concluded in 2024.
        s(
            32,
            PI,
            "2023-12-28",
            Reopened(
                ("withheld_third_party", "2023-12-29"),
                "2024-02-01",
                ("unavailable_not_held", "2024-02-20"),
            ),
        ),
        // Received in 2024 and concluded in 2025 or still open: 四 结转下年度.
        s(33, NP, "2024-12-20", Reply("disclosed", "2025-01-10")),
        s(34, CO, "2024-12-23", Open),
        // Received in 2023, open through the whole of 2024 and still.
        s(35, RE, "2023-12-15", Open),
        s(36, LS, "2024-12-30", Withdrawn("2025-01-02")),
        // Received in 2025: not in the 2024 report.
        s(37, NP, "2025-01-03", Reply("disclosed", "2025-01-20")),
    ]
}

async fn create(
    app: &TestApp,
    token: &str,
    dept: i64,
    applicant: &str,
    channel: &str,
    submitted: &str,
    received: Option<&str>,
) -> Resp {
    let r = app
        .post(
            "/api/v1/cases",
            token,
            json!({
                "department_id": dept,
                "applicant": {"type": applicant, "name": format!("申请人{submitted}")},
                "channel": channel, "submitted_on": submitted, "received_on": received,
                "items": [{"description": format!("{submitted}的道路养护资金使用情况")}]
            }),
        )
        .await;
    r.expect(201, None);
    r
}

/// Records an event; returns the new ETag.
pub(crate) async fn event(app: &TestApp, token: &str, id: i64, etag: &str, body: Value) -> String {
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/cases/{id}/events"),
            Some(token),
            Some(body),
            &[("If-Match", etag)],
        )
        .await;
    r.expect(201, None);
    r.etag()
}

/// Records a reply issued and dispatched on `date`; returns the case's new ETag.
pub(crate) async fn reply(
    app: &TestApp,
    token: &str,
    id: i64,
    etag: &str,
    (outcome, date): (&str, &str),
) -> String {
    let body = json!({
        "doc_number": "auto", "issued_on": date, "dispatched_on": date,
        "delivery_method": "post", "outcome": outcome, "sealed": true, "remedy": {}
    });
    let r = app.issued_reply(token, id, etag, body).await;
    r.expect(201, None);
    r.etag()
}

pub(crate) async fn build(app: &TestApp, token: &str, dept: i64, spec: &Spec) -> i64 {
    let c = create(
        app,
        token,
        dept,
        spec.applicant,
        "in_person",
        spec.received,
        Some(spec.received),
    )
    .await;
    let id = c.body["id"].as_i64().unwrap();
    let etag = c.etag();
    match spec.end {
        End::Open => {}
        End::Reply(outcome, date) => {
            reply(app, token, id, &etag, (outcome, date)).await;
        }
        End::Withdrawn(date) => {
            event(
                app,
                token,
                id,
                &etag,
                json!({"type": "withdrawn", "date": date}),
            )
            .await;
        }
        End::CorrectionLapsed(requested, respond_by, lapsed) => {
            let etag = event(
                app,
                token,
                id,
                &etag,
                json!({"type": "correction_requested", "date": requested,
                       "items": ["请明确所需信息的年度"], "respond_by": respond_by}),
            )
            .await;
            event(
                app,
                token,
                id,
                &etag,
                json!({"type": "correction_lapsed", "date": lapsed}),
            )
            .await;
        }
        End::FeeLapsed(notice, lapsed) => {
            let etag = event(
                app,
                token,
                id,
                &etag,
                json!({"type": "fee_notice_issued", "date": notice, "amount_fen": 10000}),
            )
            .await;
            event(
                app,
                token,
                id,
                &etag,
                json!({"type": "fee_lapsed", "date": lapsed}),
            )
            .await;
        }
        End::Reopened(first, reopened, then) => {
            let etag = reply(app, token, id, &etag, first).await;
            let etag = event(
                app,
                token,
                id,
                &etag,
                json!({"type": "reopened", "date": reopened, "reason": "行政复议决定责令重新答复"}),
            )
            .await;
            reply(app, token, id, &etag, then).await;
        }
    }
    id
}

/// Records a remedy; returns (id, ETag).
pub(crate) async fn remedy(app: &TestApp, token: &str, case: i64, body: Value) -> (i64, String) {
    let r = app
        .post(&format!("/api/v1/cases/{case}/remedies"), token, body)
        .await;
    r.expect(201, None);
    (r.body["id"].as_i64().unwrap(), r.etag())
}

async fn decide(app: &TestApp, token: &str, id: i64, etag: &str, outcome: &str, on: &str) -> Resp {
    let r = app
        .patch(
            &format!("/api/v1/remedies/{id}"),
            token,
            etag,
            json!({"outcome": outcome, "decided_on": on}),
        )
        .await;
    r.expect(200, None);
    r
}

/// (label, case label, kind, after_reconsideration, filed, (outcome, decided)).
type RemedySpec = (
    u32,
    u32,
    &'static str,
    bool,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// The bureau's year: case label → id, remedy label → id.
struct Year {
    cases: BTreeMap<u32, i64>,
    remedies: BTreeMap<u32, i64>,
    unconfirmed: i64,
}

async fn build_year(app: &TestApp, o: &Org) -> Year {
    let mut cases = BTreeMap::new();
    for spec in specs() {
        cases.insert(spec.n, build(app, &o.clerk, o.bureau, &spec).await);
    }
    // 38: submitted online in November 2024, receipt never confirmed: not counted.
    let unconfirmed = create(app, &o.clerk, o.bureau, NP, "online", "2024-11-01", None).await;
    let unconfirmed = unconfirmed.body["id"].as_i64().unwrap();
    // 39: submitted online on 2024-12-28, confirmed 2025-01-04: received in 2025.
    let late = create(app, &o.clerk, o.bureau, OO, "online", "2024-12-28", None).await;
    let late_id = late.body["id"].as_i64().unwrap();
    let etag = event(
        app,
        &o.clerk,
        late_id,
        &late.etag(),
        json!({"type": "receipt_confirmed", "date": "2025-01-04"}),
    )
    .await;
    reply(app, &o.clerk, late_id, &etag, ("disclosed", "2025-01-20")).await;
    cases.insert(39, late_id);

    // Remedies.
    let recon = "reconsideration";
    let lit = "litigation";
    let list: [RemedySpec; 13] = [
        (
            1,
            7,
            recon,
            false,
            "2024-05-06",
            Some(("upheld", "2024-06-20")),
        ),
        (
            2,
            8,
            recon,
            false,
            "2024-05-07",
            Some(("corrected", "2024-07-01")),
        ),
        (
            3,
            9,
            recon,
            false,
            "2024-06-01",
            Some(("other", "2024-07-01")),
        ),
        // Decided after the year end: 尚未审结 on Dec 31.
        (
            4,
            10,
            recon,
            false,
            "2024-12-01",
            Some(("upheld", "2025-01-20")),
        ),
        (5, 12, recon, false, "2024-12-15", None),
        (
            6,
            13,
            lit,
            false,
            "2024-07-01",
            Some(("corrected", "2024-11-01")),
        ),
        (
            7,
            4,
            lit,
            false,
            "2024-09-01",
            Some(("other", "2025-03-01")),
        ),
        (
            8,
            5,
            lit,
            true,
            "2024-04-01",
            Some(("upheld", "2024-10-01")),
        ),
        (9, 6, lit, true, "2024-05-05", Some(("other", "2024-11-11"))),
        (10, 11, lit, true, "2024-06-06", None),
        (
            11,
            15,
            lit,
            true,
            "2024-08-01",
            Some(("corrected", "2024-09-01")),
        ),
        // Filed outside 2024: not counted.
        (
            12,
            31,
            recon,
            false,
            "2023-12-01",
            Some(("upheld", "2024-01-20")),
        ),
        (13, 33, lit, false, "2025-01-15", None),
    ];
    let mut remedies = BTreeMap::new();
    for (label, case, kind, after, filed, decision) in list {
        let mut body = json!({"kind": kind, "filed_on": filed, "body": "南宁市人民政府",
                              "case_ref": format!("南府复〔{}〕{label}号", &filed[..4])});
        if kind == lit {
            body["after_reconsideration"] = json!(after);
            body["body"] = json!("南宁铁路运输法院");
        }
        let (id, etag) = remedy(app, &o.clerk, cases[&case], body).await;
        if let Some((outcome, on)) = decision {
            decide(app, &o.clerk, id, &etag, outcome, on).await;
        }
        remedies.insert(label, id);
    }
    Year {
        cases,
        remedies,
        unconfirmed,
    }
}

/// Row key → the seven values, in the order of the answer.
fn table3(report: &Value) -> Vec<(String, Vec<i64>)> {
    report["table3"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

fn expected(rows: &[(&str, [i64; 7])]) -> Vec<(String, Vec<i64>)> {
    rows.iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
        .collect()
}

/// Counted by hand from `specs` (columns: 自然人, 商业企业, 科研机构, 社会公益组织,
/// 法律服务机构, 其他, 总计). The numbers after `//` are the case labels.
fn hand_count_2024() -> Vec<(&'static str, [i64; 7])> {
    vec![
        // 1,7,13,19,25,28,33 | 2,8,14,20,26,34 | 3,9,15,21,27 | 4,10,16,22,32 | 5,11,17,23,36
        // | 6,12,18,24 (32: concluded in 2023 and reopened in 2024, a new handling of 2024)
        ("new", [7, 6, 5, 5, 5, 4, 32]),
        // 29 | – | 35 | – | 30 | – (31 concluded in 2023)
        ("carried_over", [1, 0, 1, 0, 1, 0, 3]),
        // 1,29 | 2
        ("disclosed", [2, 1, 0, 0, 0, 0, 3]),
        // 28 (reopened: its latest reply) | 3
        ("partially_disclosed", [1, 0, 1, 0, 0, 0, 2]),
        ("withheld_1", [0, 0, 0, 1, 0, 0, 1]),
        ("withheld_2", [0, 0, 0, 0, 1, 0, 1]),
        ("withheld_3", [0, 0, 0, 0, 0, 1, 1]),
        ("withheld_4", [1, 0, 0, 0, 0, 0, 1]),
        ("withheld_5", [0, 1, 0, 0, 0, 0, 1]),
        ("withheld_6", [0, 0, 1, 0, 0, 0, 1]),
        ("withheld_7", [0, 0, 0, 1, 0, 0, 1]),
        // 11 (行政查询事项) | 12 (special_regime)
        ("withheld_8", [0, 0, 0, 0, 1, 1, 2]),
        // 13 | 14 (not responsible) | 32 (reopened from 2023)
        ("unavailable_1", [1, 1, 0, 1, 0, 0, 3]),
        ("unavailable_2", [0, 0, 1, 0, 0, 0, 1]),
        ("unavailable_3", [0, 0, 0, 1, 0, 0, 1]),
        ("not_processed_1", [0, 0, 0, 0, 1, 0, 1]),
        ("not_processed_2", [0, 0, 0, 0, 0, 1, 1]),
        ("not_processed_3", [1, 0, 0, 0, 0, 0, 1]),
        ("not_processed_4", [0, 1, 0, 0, 0, 0, 1]),
        ("not_processed_5", [0, 0, 1, 0, 0, 0, 1]),
        // 25 (correction lapsed) | 22 (reply)
        ("other_1", [1, 0, 0, 1, 0, 0, 2]),
        // 26 (fee lapsed) | 23 (reply)
        ("other_2", [0, 1, 0, 0, 1, 0, 2]),
        // 27 (withdrawn) | 30 (withdrawn) | 24 (reply)
        ("other_3", [0, 0, 1, 0, 1, 1, 3]),
        ("total", [7, 5, 5, 5, 5, 4, 31]),
        // 33 | 34 | 35 | – | 36 | –
        ("carried_forward", [1, 1, 1, 0, 1, 0, 4]),
    ]
}

async fn bytes(app: &TestApp, path: &str, token: &str) -> (String, Vec<u8>) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    (ct, r.bytes().await.unwrap().to_vec())
}

fn number(cell: Option<&Data>) -> i64 {
    match cell {
        Some(Data::Float(f)) => *f as i64,
        Some(Data::Int(i)) => *i,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(cell: Option<&Data>) -> String {
    cell.map(ToString::to_string).unwrap_or_default()
}

#[actix_web::test]
async fn a_year_of_cases_gives_the_hand_counted_tables_in_json_xlsx_and_html() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let year = build_year(&app, &o).await;
    let base = format!(
        "/api/v1/reports/annual?year=2024&department_id={}",
        o.bureau
    );

    // JSON, the whole table 三 against the hand count.
    let r = app.get(&base, &o.clerk).await;
    let report = r.expect(200, None).clone();
    assert_eq!(report["year"], 2024);
    assert_eq!(report["template"], "2021");
    assert_eq!(report["department"]["id"], o.bureau);
    assert_eq!(
        report["table3"]["columns"],
        json!([NP, CO, RE, PI, LS, OO, "total"])
    );
    assert_eq!(table3(&report), expected(&hand_count_2024()));
    let rows = report["table3"]["rows"].as_array().unwrap();
    assert_eq!(rows[0]["label"], "一、本年新收政府信息公开申请数量");
    assert_eq!(rows[6]["label"], "3.危及“三安全一稳定”");
    assert_eq!(rows[6]["group"], "（三）不予公开");
    assert_eq!(rows[24]["label"], "四、结转下年度继续办理");

    // Table 四: remedies filed in 2024, as of Dec 31 (4 and 7 decided in 2025: pending).
    assert_eq!(
        report["table4"]["values"],
        // 复议: 1 | 2 | 3 | 4,5 ; 直接起诉: – | 6 | – | 7 ; 复议后起诉: 8 | 11 | 9 | 10
        json!([1, 1, 1, 2, 5, 0, 1, 0, 1, 2, 1, 1, 1, 1, 4])
    );
    let columns = report["table4"]["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 15);
    assert_eq!(columns[0], "行政复议 结果维持");
    assert_eq!(columns[3], "行政复议 尚未审结");
    assert_eq!(columns[9], "行政诉讼 未经复议直接起诉 总计");
    assert_eq!(columns[13], "行政诉讼 复议后起诉 尚未审结");

    // Every check is reported and holds; the unconfirmed case is named, not counted.
    let checks = report["checks"].as_array().unwrap();
    let failed: Vec<&Value> = checks.iter().filter(|c| c["ok"] != true).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(report["all_checks_pass"], true);
    for name in [
        "balance_natural_person",
        "balance_other_org",
        "balance_total",
        "results_sum_to_total",
        "total_column_sums",
        "table4_reconsideration_total",
        "table4_litigation_direct_total",
        "table4_litigation_after_reconsideration_total",
        "unconfirmed_not_counted",
    ] {
        assert!(checks.iter().any(|c| c["name"] == name), "{name}");
    }
    let unconfirmed = checks
        .iter()
        .find(|c| c["name"] == "unconfirmed_not_counted")
        .unwrap();
    assert_eq!(unconfirmed["case_ids"], json!([year.unconfirmed]));
    assert!(unconfirmed["detail"].as_str().unwrap().contains("未计入"));

    // The next year starts where this one ended.
    let next = app
        .get(
            &format!(
                "/api/v1/reports/annual?year=2025&department_id={}",
                o.bureau
            ),
            &o.clerk,
        )
        .await;
    let next = next.expect(200, None).clone();
    let row =
        |t: &[(String, Vec<i64>)], k: &str| t.iter().find(|(key, _)| key == k).unwrap().1.clone();
    assert_eq!(
        row(&table3(&next), "carried_over"),
        row(&table3(&report), "carried_forward")
    );
    // 2025 receipts: 37, and 39 (submitted 2024, receipt confirmed 2025-01-04).
    assert_eq!(row(&table3(&next), "new"), vec![1, 0, 0, 0, 0, 1, 2]);
    // Remedies filed in 2025: 13, still pending.
    assert_eq!(
        next["table4"]["values"],
        json!([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
    );

    // The 2019 template folds (六)1–3 into one row, and nothing else changes.
    let old = app.get(&format!("{base}&template=2019"), &o.clerk).await;
    let old = old.expect(200, None).clone();
    assert_eq!(old["template"], "2019");
    let mut folded: Vec<(&str, [i64; 7])> = hand_count_2024()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("other_"))
        .collect();
    let at = folded.iter().position(|(k, _)| *k == "total").unwrap();
    // 25,22 + 26,23 + 27,30,24
    folded.insert(at, ("other", [1, 1, 1, 1, 2, 1, 7]));
    assert_eq!(table3(&old), expected(&folded));
    let other_row = old["table3"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "other")
        .unwrap()
        .clone();
    assert_eq!(other_row["label"], "（六）其他处理");
    assert!(
        old["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true)
    );

    // The workbook holds the same numbers in the official layout.
    let (ct, data) = bytes(&app, &format!("{base}&format=xlsx"), &o.clerk).await;
    assert!(ct.starts_with("application/vnd.openxmlformats"), "{ct}");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(data)).unwrap();
    let range = book.worksheet_range(REPORT_SHEET).unwrap();
    let body = TABLE3_BODY_ROW;
    let data_col = u32::from(TABLE3_DATA_COL);
    assert_eq!(
        text(range.get_value((body - 4, 0))),
        "三、收到和处理政府信息公开申请情况"
    );
    assert_eq!(
        text(range.get_value((body - 3, 0))),
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    );
    for (i, (key, values)) in table3(&report).iter().enumerate() {
        let r = body + u32::try_from(i).unwrap();
        let got: Vec<i64> = (0..7)
            .map(|c| number(range.get_value((r, data_col + c))))
            .collect();
        assert_eq!(&got, values, "row {key}");
    }
    assert_eq!(
        text(range.get_value((body, 0))),
        "一、本年新收政府信息公开申请数量"
    );
    let t4 = table4_title_row(rows.len());
    assert_eq!(
        text(range.get_value((t4, 0))),
        "四、政府信息公开行政复议、行政诉讼情况"
    );
    let t4_values: Vec<i64> = (0..15)
        .map(|c| number(range.get_value((t4 + 4, c))))
        .collect();
    let json_values: Vec<i64> = report["table4"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(t4_values, json_values);
    let merges = book.merge_cells_by_sheet_name(REPORT_SHEET).unwrap();
    assert!(
        merges
            .iter()
            .any(|m| m.start == (body - 3, 0) && m.end == (body - 1, 2)),
        "the 勾稽关系 note spans the label block's three header rows"
    );

    // The HTML page: the official labels, escaped, with every number.
    let (ct, html) = bytes(&app, &format!("{base}&format=html"), &o.clerk).await;
    assert!(ct.starts_with("text/html"), "{ct}");
    let html = String::from_utf8(html).unwrap();
    for label in [
        "南宁市交通运输局2024年政府信息公开工作年度报告",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "3.危及“三安全一稳定”",
        "复议后起诉",
    ] {
        assert!(html.contains(label), "{label}");
    }

    // The cases behind a cell.
    let cell = |row: &str, column: &str| {
        format!(
            "/api/v1/reports/annual/cases?year=2024&department_id={}&row={row}&column={column}",
            o.bureau
        )
    };
    let ids = |r: &Resp| -> Vec<i64> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["case_id"].as_i64().unwrap())
            .collect()
    };
    let c = |labels: &[u32]| -> Vec<i64> {
        let mut v: Vec<i64> = labels.iter().map(|l| year.cases[l]).collect();
        v.sort_unstable();
        v
    };
    let r = app.get(&cell("withheld_8", "total"), &o.clerk).await;
    r.expect(200, None);
    assert_eq!(ids(&r), c(&[11, 12]));
    assert_eq!(r.body["count"], 2);
    let r = app.get(&cell("other_3", "legal_service"), &o.clerk).await;
    assert_eq!(ids(&r), c(&[30]));
    assert_eq!(r.body["items"][0]["conclusion"], "withdrawn");
    assert_eq!(r.body["items"][0]["result_row"], "other_3");
    let r = app.get(&cell("carried_forward", "total"), &o.clerk).await;
    assert_eq!(ids(&r), c(&[33, 34, 35, 36]));
    let r = app.get(&cell("partially_disclosed", NP), &o.clerk).await;
    assert_eq!(ids(&r), c(&[28]));
    assert_eq!(r.body["items"][0]["concluded_on"], "2024-11-05");
    // Table 四 cells list the remedies and their cases.
    let r = app
        .get(&cell("table4", "reconsideration_pending"), &o.clerk)
        .await;
    r.expect(200, None);
    assert_eq!(ids(&r), c(&[10, 12]));
    let remedy_ids: Vec<i64> = r.body["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(remedy_ids, vec![year.remedies[&4], year.remedies[&5]]);
    let r = app.get(&cell("table4", "14"), &o.clerk).await;
    assert_eq!(r.body["count"], 4);
    // Unknown keys and rows of the other template are refused.
    app.get(&cell("withheld_9", "total"), &o.clerk)
        .await
        .expect(422, Some("validation_failed"));
    app.get(&cell("disclosed", "everyone"), &o.clerk)
        .await
        .expect(422, Some("validation_failed"));
    app.get(&cell("other", "total"), &o.clerk)
        .await
        .expect(422, Some("validation_failed"));
    let r = app
        .get(
            &format!("{}&template=2019", cell("other", "total")),
            &o.clerk,
        )
        .await;
    assert_eq!(r.expect(200, None)["count"], 7);
}

async fn list(app: &TestApp, query: &str, token: &str) -> Resp {
    app.get(&format!("/api/v1/remedies?{query}"), token).await
}

#[actix_web::test]
async fn remedies_are_recorded_decided_listed_flagged_and_audited() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let spec = Spec {
        n: 1,
        applicant: NP,
        received: "2024-04-01",
        end: End::Reply("withheld_third_party", "2024-04-25"),
    };
    let case = build(&app, &o.clerk, o.bureau, &spec).await;
    let path = format!("/api/v1/cases/{case}/remedies");

    // Validation: kind, after_reconsideration only for litigation, dates, body.
    for (body, field) in [
        (
            json!({"kind": "appeal", "filed_on": "2024-05-06", "body": "x"}),
            "kind",
        ),
        (
            json!({"kind": "reconsideration", "after_reconsideration": true, "filed_on": "2024-05-06", "body": "x"}),
            "after_reconsideration",
        ),
        (
            json!({"kind": "reconsideration", "filed_on": "2026-12-01", "body": "x"}),
            "filed_on",
        ),
        (
            json!({"kind": "reconsideration", "filed_on": "2024-03-01", "body": "x"}),
            "filed_on",
        ),
        (
            json!({"kind": "litigation", "filed_on": "2024-05-06", "body": " "}),
            "body",
        ),
    ] {
        let r = app.post(&path, &o.clerk, body).await;
        r.expect(422, Some("validation_failed"));
        assert!(r.body["fields"][field].is_string(), "{field}: {}", r.body);
    }

    let (rid, etag) = remedy(
        &app,
        &o.clerk,
        case,
        json!({"kind": "reconsideration", "filed_on": "2024-05-06", "body": "南宁市人民政府", "case_ref": "南府复〔2024〕1号"}),
    )
    .await;
    assert_eq!(etag, "\"1\"");
    let (lid, _) = remedy(
        &app,
        &o.clerk,
        case,
        json!({"kind": "litigation", "after_reconsideration": true, "filed_on": "2024-08-01", "body": "南宁铁路运输法院"}),
    )
    .await;

    // Deciding: If-Match required and checked; dates checked.
    let dpath = format!("/api/v1/remedies/{rid}");
    app.request(
        Method::PATCH,
        &dpath,
        Some(&o.clerk),
        Some(json!({"outcome": "corrected", "decided_on": "2024-07-01"})),
        &[],
    )
    .await
    .expect(428, Some("if_match_required"));
    app.patch(
        &dpath,
        &o.clerk,
        "\"7\"",
        json!({"outcome": "corrected", "decided_on": "2024-07-01"}),
    )
    .await
    .expect(412, Some("stale_version"));
    app.patch(
        &dpath,
        &o.clerk,
        &etag,
        json!({"outcome": "won", "decided_on": "2024-07-01"}),
    )
    .await
    .expect(422, Some("validation_failed"));
    app.patch(
        &dpath,
        &o.clerk,
        &etag,
        json!({"outcome": "upheld", "decided_on": "2024-05-01"}),
    )
    .await
    .expect(422, Some("validation_failed"));
    let r = decide(&app, &o.clerk, rid, &etag, "corrected", "2024-07-01").await;
    assert_eq!(r.etag(), "\"2\"");
    assert_eq!(r.body["outcome_label"], "结果纠正");
    assert_eq!(r.body["kind_label"], "行政复议");

    // On the case: listed, and the correction flagged (nothing reopened).
    let view = app.get(&format!("/api/v1/cases/{case}"), &o.clerk).await;
    let view = view.expect(200, None);
    assert_eq!(view["status"], "replied");
    assert_eq!(view["flags"]["remedy_corrected"], true);
    let listed: Vec<i64> = view["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![rid, lid]);
    assert_eq!(view["remedies"][1]["kind_label"], "行政诉讼（复议后起诉）");
    let cases = app
        .get(
            &format!("/api/v1/cases?department_id={}", o.bureau),
            &o.clerk,
        )
        .await;
    assert_eq!(
        cases.expect(200, None)["items"][0]["flags"]["remedy_corrected"],
        true
    );

    // Audited in the case's chain.
    let history = app
        .get(&format!("/api/v1/cases/{case}/history"), &o.clerk)
        .await;
    let actions: Vec<&str> = history.expect(200, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "case_created",
            "review_submitted",
            "review_approved",
            "reply_recorded",
            "remedy_recorded",
            "remedy_recorded",
            "remedy_decided"
        ]
    );
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Listed per department and year.
    let r = list(
        &app,
        &format!("department_id={}&year=2024", o.bureau),
        &o.clerk,
    )
    .await;
    assert_eq!(r.expect(200, None)["items"].as_array().unwrap().len(), 2);
    let r = list(
        &app,
        &format!("department_id={}&year=2023", o.bureau),
        &o.clerk,
    )
    .await;
    assert_eq!(r.expect(200, None)["items"].as_array().unwrap().len(), 0);
    let r = list(
        &app,
        &format!("department_id={}&include_subtree=true", o.gov),
        &o.sup,
    )
    .await;
    assert_eq!(r.expect(200, None)["items"].as_array().unwrap().len(), 2);

    // Scope: another department's clerk sees nothing and writes nothing; auditors are refused.
    list(&app, &format!("department_id={}", o.bureau), &o.other_clerk)
        .await
        .expect(404, Some("not_found"));
    let r = list(&app, "", &o.other_clerk).await;
    assert_eq!(r.expect(200, None)["items"].as_array().unwrap().len(), 0);
    list(&app, "", &o.auditor)
        .await
        .expect(403, Some("forbidden"));
    let body = json!({"kind": "reconsideration", "filed_on": "2024-05-06", "body": "x"});
    app.post(&path, &o.other_clerk, body.clone())
        .await
        .expect(404, Some("not_found"));
    app.post(&path, &o.auditor, body.clone())
        .await
        .expect(403, Some("forbidden"));
    app.patch(
        &dpath,
        &o.other_clerk,
        "\"2\"",
        json!({"outcome": "upheld", "decided_on": "2024-07-02"}),
    )
    .await
    .expect(404, Some("not_found"));
    // The supervisor above may decide (e.g. correct a mistyped outcome).
    let r = decide(&app, &o.sup, rid, "\"2\"", "upheld", "2024-07-01").await;
    assert_eq!(r.body["version"], 3);
    let view = app.get(&format!("/api/v1/cases/{case}"), &o.clerk).await;
    assert_eq!(view.body["flags"]["remedy_corrected"], false);
}

#[actix_web::test]
async fn the_annual_report_is_scoped_and_its_parameters_checked() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let mine = Spec {
        n: 1,
        applicant: CO,
        received: "2024-03-04",
        end: End::Reply("disclosed", "2024-03-20"),
    };
    build(&app, &o.clerk, o.bureau, &mine).await;
    let theirs = Spec {
        n: 2,
        applicant: RE,
        received: "2024-05-06",
        end: End::Open,
    };
    build(&app, &o.other_clerk, o.other, &theirs).await;
    let report = |dept: i64, extra: &str| {
        format!("/api/v1/reports/annual?year=2024&department_id={dept}{extra}")
    };
    let new_row = |r: &Resp| r.body["table3"]["rows"][0]["values"].clone();

    let r = app.get(&report(o.bureau, ""), &o.clerk).await;
    r.expect(200, None);
    assert_eq!(new_row(&r), json!([0, 1, 0, 0, 0, 0, 1]));
    // Another department's clerk: as if it did not exist. Auditors: refused.
    app.get(&report(o.bureau, ""), &o.other_clerk)
        .await
        .expect(404, Some("not_found"));
    app.get(
        &report(o.bureau, "&row=new&column=total").replace("annual?", "annual/cases?"),
        &o.other_clerk,
    )
    .await
    .expect(404, Some("not_found"));
    app.get(&report(o.bureau, ""), &o.auditor)
        .await
        .expect(403, Some("forbidden"));
    // The government alone has no cases; with its subtree it counts both departments.
    let r = app.get(&report(o.gov, ""), &o.sup).await;
    assert_eq!(new_row(&r), json!([0, 0, 0, 0, 0, 0, 0]));
    let r = app
        .get(&report(o.gov, "&include_subtree=true"), &o.sup)
        .await;
    r.expect(200, None);
    assert_eq!(new_row(&r), json!([0, 1, 1, 0, 0, 0, 2]));
    assert_eq!(r.body["department_ids"].as_array().unwrap().len(), 3);
    // The clerk cannot widen its scope to the government.
    app.get(&report(o.gov, "&include_subtree=true"), &o.clerk)
        .await
        .expect(404, Some("not_found"));

    // Parameters.
    for path in [
        format!("/api/v1/reports/annual?department_id={}", o.bureau),
        "/api/v1/reports/annual?year=2024".to_owned(),
        report(o.bureau, "&format=pdf"),
        report(o.bureau, "&template=2020"),
        format!(
            "/api/v1/reports/annual?year=2027&department_id={}",
            o.bureau
        ),
        format!(
            "/api/v1/reports/annual/cases?year=2024&department_id={}&row=new",
            o.bureau
        ),
    ] {
        app.get(&path, &o.clerk)
            .await
            .expect(422, Some("validation_failed"));
    }
}

#[actix_web::test]
async fn the_special_regime_row_is_a_setting_and_the_report_says_which() {
    for (setting, row, other_row) in [
        (
            SpecialRegimeRow::AdministrativeQuery,
            "withheld_8",
            "other_3",
        ),
        (SpecialRegimeRow::Other, "other_3", "withheld_8"),
    ] {
        let app = crate::helpers::spawn_app_with(|s| s.special_regime_row = setting).await;
        let o = org(&app).await;
        let c = create(
            &app,
            &o.clerk,
            o.bureau,
            NP,
            "in_person",
            "2024-03-04",
            None,
        )
        .await;
        let id = c.body["id"].as_i64().unwrap();
        reply(
            &app,
            &o.clerk,
            id,
            &c.etag(),
            ("special_regime", "2024-03-20"),
        )
        .await;
        let r = app
            .get(
                &format!(
                    "/api/v1/reports/annual?year=2024&department_id={}",
                    o.bureau
                ),
                &o.clerk,
            )
            .await;
        let report = r.expect(200, None);
        assert_eq!(report["readings"]["special_regime"], setting.as_str());
        assert_eq!(report["readings"]["special_regime_row"], row);
        let cell = |key: &str| {
            report["table3"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["key"] == key)
                .unwrap()["values"][6]
                .clone()
        };
        assert_eq!(cell(row), 1, "{setting:?}");
        assert_eq!(cell(other_row), 0, "{setting:?}");
    }
}

/// How every case ended as stored: (id, settled_on, conclusion, reply_outcome).
type Ended = Vec<(
    i64,
    Option<chrono::NaiveDate>,
    Option<String>,
    Option<String>,
)>;

fn how_cases_ended(app: &TestApp) -> Ended {
    use diesel::prelude::*;
    use ogi_tracker::store::schema::cases;
    let mut c = app.pool.get().unwrap();
    cases::table
        .order(cases::id)
        .select((
            cases::id,
            cases::settled_on,
            cases::conclusion,
            cases::reply_outcome,
        ))
        .load(&mut **c)
        .unwrap()
}

#[actix_web::test]
async fn the_migration_finds_how_cases_ended_as_their_changes_record_it() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use ogi_tracker::store::{DatabaseUrl, schema::cases};
    let app = spawn_app().await;
    let o = org(&app).await;
    let year = build_year(&app, &o).await;
    // Beside the year's endings (each reply outcome, withdrawn, lapsed, replied after a
    // reopening): a case reopened and open again.
    let id = year.cases[&1];
    let etag = app
        .get(&format!("/api/v1/cases/{id}"), &o.clerk)
        .await
        .etag();
    event(
        &app,
        &o.clerk,
        id,
        &etag,
        json!({"type": "reopened", "date": "2025-02-03", "reason": "行政复议决定责令重新答复"}),
    )
    .await;
    let report = |y: i32| format!("/api/v1/reports/annual?year={y}&department_id={}", o.bureau);
    let mut before = Vec::new();
    for y in 2023..=2025 {
        before.push(
            app.get(&report(y), &o.clerk)
                .await
                .expect(200, None)
                .clone(),
        );
    }
    let recorded = how_cases_ended(&app);
    let conclusions: std::collections::BTreeSet<Option<&str>> =
        recorded.iter().map(|r| r.2.as_deref()).collect();
    for kind in [
        None,
        Some("replied"),
        Some("withdrawn"),
        Some("correction_lapsed"),
        Some("fee_lapsed"),
        Some("history"),
    ] {
        assert!(conclusions.contains(&kind), "{kind:?} in {conclusions:?}");
    }

    // The migration's statement, run over the same cases with the columns cleared, finds
    // what every change wrote; the reports stay the same.
    let up = match app.db_url {
        DatabaseUrl::Postgres(_) => {
            include_str!("../../migrations/postgres/2026-12-07-300001_case_conclusions/up.sql")
        }
        DatabaseUrl::Sqlite(_) => {
            include_str!("../../migrations/sqlite/2026-12-07-300001_case_conclusions/up.sql")
        }
    };
    let start = up.find("UPDATE cases SET").unwrap();
    let statement = &up[start..=start + up[start..].find(';').unwrap()];
    {
        let mut c = app.pool.get().unwrap();
        diesel::update(cases::table)
            .set((
                cases::settled_on.eq(None::<chrono::NaiveDate>),
                cases::conclusion.eq(None::<String>),
                cases::reply_outcome.eq(None::<String>),
            ))
            .execute(&mut **c)
            .unwrap();
        c.batch_execute(statement).unwrap();
    }
    assert_eq!(how_cases_ended(&app), recorded);
    for (y, earlier) in (2023..=2025).zip(before) {
        assert_eq!(
            app.get(&report(y), &o.clerk).await.expect(200, None),
            &earlier
        );
    }
}

//! The words search through the gram index: the same answers as a plain substring match
//! over applicant name, case number and items (1-, 2- and longer Chinese words, ASCII,
//! `%`/`_` literal), in the same order and pages, and kept current by intake corrections.

use serde_json::{Value, json};

use crate::cases::{create, office};
use crate::helpers::TestApp;
use crate::helpers::spawn_app;
use ogi_tracker::store::DatabaseUrl;

/// (applicant name, items) of the cases the tests register.
const TEXTS: &[(&str, &[&str])] = &[
    ("张三", &["城厢镇土地征收补偿安置方案"]),
    (
        "李四",
        &[
            "双桥镇国有建设用地使用权出让合同",
            "征地社会稳定风险评估报告",
        ],
    ),
    ("王五", &["地块编号GX-2024-017的出让公告"]),
    ("Zhang Wei", &["Road project tender files (2024)"]),
    ("赵六", &["违法用地查处决定书，100%完成_情况"]),
    ("征", &["棚户区改造项目立项批复"]),
    ("陈七", &["基本农田保护区划定图"]),
];

/// Registers the cases above (received on successive days, so sort orders differ) and
/// returns them as the list shows them.
async fn seed(app: &TestApp, token: &str, dept: i64) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, (name, items)) in TEXTS.iter().enumerate() {
        let r = create(
            app,
            token,
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": name},
                "channel": "in_person",
                "submitted_on": format!("2026-11-{:02}", 10 + i),
                "received_on": format!("2026-11-{:02}", 10 + i),
                "items": items.iter().map(|d| json!({"description": d})).collect::<Vec<_>>(),
            }),
        )
        .await;
        out.push(r.expect(201, None).clone());
    }
    out
}

/// The old semantics: a substring of the name, the case number or an item (ASCII case
/// ignored on SQLite, whose LIKE folds ASCII; exact on PostgreSQL).
fn matches(app: &TestApp, case: &Value, q: &str) -> bool {
    let fold = |s: &str| match app.db_url {
        DatabaseUrl::Sqlite(_) => s.to_ascii_lowercase(),
        DatabaseUrl::Postgres(_) => s.to_owned(),
    };
    let q = fold(q.trim());
    let mut texts = vec![
        case["applicant"]["name"].as_str().unwrap().to_owned(),
        case["case_number"].as_str().unwrap().to_owned(),
    ];
    for item in case["items"].as_array().unwrap() {
        texts.push(item.as_str().unwrap().to_owned());
    }
    texts.iter().any(|t| fold(t).contains(&q))
}

/// Every page of a search, two at a time, following the cursor; the ids in order.
async fn search(app: &TestApp, token: &str, q: &str, sort: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = reqwest::Url::parse("http://x/api/v1/cases").unwrap();
        url.query_pairs_mut()
            .append_pair("q", q)
            .append_pair("sort", sort)
            .append_pair("limit", "2");
        if let Some(c) = &cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let path = format!("{}?{}", url.path(), url.query().unwrap());
        let r = app.get(&path, token).await;
        let body = r.expect(200, None);
        ids.extend(r.item_ids());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
        assert!(ids.len() <= TEXTS.len(), "paging does not end: {ids:?}");
    }
}

/// The expected ids: the matching cases in the list's order (sort date, then id).
fn expected(app: &TestApp, cases: &[Value], q: &str, sort: &str) -> Vec<i64> {
    let mut hits: Vec<(String, i64)> = cases
        .iter()
        .filter(|c| matches(app, c, q))
        .map(|c| {
            let date = match sort {
                "received" => c["received_on"].as_str().unwrap().to_owned(),
                _ => c["due_on"].as_str().unwrap_or("9999-12-31").to_owned(),
            };
            (date, c["id"].as_i64().unwrap())
        })
        .collect();
    hits.sort();
    hits.into_iter().map(|(_, id)| id).collect()
}

/// The cases above again, registered by one batch call (`POST /api/v1/cases/batch`, whose
/// grams go in one statement for all its cases).
async fn seed_batch(app: &TestApp, token: &str, dept: i64) -> Vec<Value> {
    let cases: Vec<Value> = TEXTS
        .iter()
        .enumerate()
        .map(|(i, (name, items))| {
            json!({
                "department_id": dept,
                "applicant": {"type": "natural_person", "name": name},
                "channel": "in_person",
                "submitted_on": format!("2026-11-{:02}", 10 + i),
                "received_on": format!("2026-11-{:02}", 10 + i),
                "items": items.iter().map(|d| json!({"description": d})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let r = app
        .post("/api/v1/cases/batch", token, json!({ "cases": cases }))
        .await;
    r.expect(201, None)["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn search_finds_what_a_substring_match_finds() {
    let app = spawn_app().await;
    let o = office(&app, "桂检索", "450100").await;
    let cases = seed(&app, &o.clerk, o.dept).await;
    finds_what_a_substring_match_finds(&app, &o.clerk, &cases).await;
}

#[actix_web::test]
async fn cases_registered_in_one_batch_are_found_alike() {
    let app = spawn_app().await;
    let o = office(&app, "桂批量", "450100").await;
    let cases = seed_batch(&app, &o.clerk, o.dept).await;
    assert_eq!(cases.len(), TEXTS.len());
    finds_what_a_substring_match_finds(&app, &o.clerk, &cases).await;
}

async fn finds_what_a_substring_match_finds(app: &TestApp, token: &str, cases: &[Value]) {
    let number = cases[2]["case_number"].as_str().unwrap().to_owned();
    let queries = [
        // one character: inside, at the end of a text, and an applicant's whole name
        "征",
        "案",
        "书",
        "七",
        "z",
        "Z",
        "(",
        "9",
        // two characters
        "征收",
        "地块",
        "用地",
        "出让",
        "张三",
        "zh",
        "ZH",
        "GX",
        "gx",
        // longer
        "土地征收",
        "土地征收补偿安置方案",
        "国有建设用地使用权出让合同",
        "地块编号GX",
        "Zhang Wei",
        "zhang wei",
        "TENDER",
        "files (2024)",
        " 出让 ",
        // case numbers, whole and in part
        &number,
        "-00",
        "2026-0",
        // LIKE's wildcards are literal
        "%",
        "_",
        "100%",
        "%完成_",
        "完_情",
        "a%b",
        "\\",
        // nothing
        "没有的词",
        "xyz",
        // across two texts: the end of one and the start of the next match neither
        "合同征地",
        "三2026",
        "方案2026",
        // the search text's separator, typed into a query
        "\u{1f}",
        "三\u{1f}",
    ];
    let mut some_hit = 0;
    for q in queries {
        for sort in ["due", "received"] {
            let want = expected(app, cases, q, sort);
            let got = search(app, token, q, sort).await;
            assert_eq!(got, want, "q={q:?} sort={sort}");
            some_hit += usize::from(!want.is_empty());
        }
    }
    // The expectations are not vacuous: most queries find something.
    assert!(some_hit > 40, "{some_hit}");
}

#[actix_web::test]
async fn a_corrected_intake_is_found_by_its_new_words_only() {
    let app = spawn_app().await;
    let o = office(&app, "桂更正", "450100").await;
    let cases = seed(&app, &o.clerk, o.dept).await;
    let case = &cases[0];
    let id = case["id"].as_i64().unwrap();
    assert_eq!(search(&app, &o.clerk, "征收补偿", "due").await, vec![id]);
    assert_eq!(search(&app, &o.clerk, "张三", "due").await, vec![id]);

    let r = app
        .patch(
            &format!("/api/v1/cases/{id}"),
            &o.clerk,
            &format!("\"{}\"", case["version"].as_i64().unwrap()),
            json!({"applicant": {"name": "孙八"},
                   "items": [{"description": "河道采砂许可档案"}, {"description": "城厢镇地块规划"}]}),
        )
        .await;
    let corrected = r.expect(200, None).clone();
    assert_eq!(corrected["applicant"]["name"], "孙八");
    for gone in ["征收补偿", "张三", "张", "补偿安置方案", "三"] {
        assert!(
            !search(&app, &o.clerk, gone, "due").await.contains(&id),
            "{gone} still finds the corrected case"
        );
    }
    for found in ["孙八", "孙", "采砂", "河道采砂许可档案", "地块", "城厢镇"] {
        assert!(
            search(&app, &o.clerk, found, "due").await.contains(&id),
            "{found} does not find the corrected case"
        );
    }
    // Only the name corrected, the items stay searchable (and the old name is gone).
    let r = app
        .patch(
            &format!("/api/v1/cases/{id}"),
            &o.clerk,
            &format!("\"{}\"", corrected["version"].as_i64().unwrap()),
            json!({"applicant": {"name": "周九"}}),
        )
        .await;
    r.expect(200, None);
    assert!(!search(&app, &o.clerk, "孙八", "due").await.contains(&id));
    assert!(search(&app, &o.clerk, "周九", "due").await.contains(&id));
    assert!(search(&app, &o.clerk, "采砂", "due").await.contains(&id));
}

#[actix_web::test]
async fn search_stays_within_the_callers_departments() {
    let app = spawn_app().await;
    let a = office(&app, "桂甲", "450100").await;
    let b = office(&app, "桂乙", "450100").await;
    let in_a = seed(&app, &a.clerk, a.dept).await;
    seed(&app, &b.clerk, b.dept).await;
    let got = search(&app, &a.clerk, "征", "received").await;
    assert_eq!(got, expected(&app, &in_a, "征", "received"));
    assert!(!got.is_empty());
}

/// A case's search text as stored, or None.
fn stored_text(app: &TestApp, id: i64) -> Option<String> {
    use diesel::prelude::*;
    use ogi_tracker::store::schema::cases;
    let mut conn = app.pool.get().unwrap();
    cases::table
        .find(id)
        .select(cases::search_text)
        .first(&mut **conn)
        .unwrap()
}

/// Runs one statement on the app's database.
fn execute(app: &TestApp, sql: &str) {
    use diesel::RunQueryDsl;
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(sql).execute(&mut **conn).unwrap();
}

/// The search text a case's texts make, as the JSON shows them.
fn text_of(case: &Value) -> String {
    let items: Vec<String> = case["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    ogi_tracker::store::search::text(ogi_tracker::store::cases::texts(
        case["applicant"]["name"].as_str().unwrap(),
        case["case_number"].as_str().unwrap(),
        &items,
    ))
}

#[actix_web::test]
async fn every_intake_and_correction_stores_the_search_text() {
    let app = spawn_app().await;
    let o = office(&app, "桂全文", "450100").await;
    let one = seed(&app, &o.clerk, o.dept).await;
    let batch = seed_batch(&app, &o.clerk, o.dept).await;
    for case in one.iter().chain(&batch) {
        let text = stored_text(&app, case["id"].as_i64().unwrap());
        assert_eq!(text.as_deref(), Some(text_of(case).as_str()), "{case}");
    }
    let text = text_of(&one[1]);
    assert!(text.starts_with("\u{1f}李四\u{1f}2026-"), "{text:?}");
    assert!(
        text.ends_with("出让合同\u{1f}征地社会稳定风险评估报告"),
        "{text:?}"
    );

    // Corrections: the items, then the name, then neither.
    let id = one[0]["id"].as_i64().unwrap();
    let mut version = one[0]["version"].as_i64().unwrap();
    for change in [
        json!({"items": [{"description": "河道采砂许可档案"}]}),
        json!({"applicant": {"name": "孙八"}}),
        json!({"applicant": {"address": "南宁市青秀区"}}),
    ] {
        let r = app
            .patch(
                &format!("/api/v1/cases/{id}"),
                &o.clerk,
                &format!("\"{version}\""),
                change.clone(),
            )
            .await;
        let case = r.expect(200, None).clone();
        version = case["version"].as_i64().unwrap();
        // Known after every correction (none forgets it on PostgreSQL, see below).
        assert_eq!(stored_text(&app, id), Some(text_of(&case)), "{change}");
    }
}

#[actix_web::test]
async fn a_case_whose_search_text_is_not_known_is_matched_by_its_texts() {
    let app = spawn_app().await;
    let o = office(&app, "桂旧版", "450100").await;
    let cases = seed(&app, &o.clerk, o.dept).await;
    // Written by an instance of an earlier release: no text.
    let (a, b) = (
        cases[0]["id"].as_i64().unwrap(),
        cases[1]["id"].as_i64().unwrap(),
    );
    execute(
        &app,
        &format!("UPDATE cases SET search_text = NULL WHERE id IN ({a}, {b})"),
    );
    finds_what_a_substring_match_finds(&app, &o.clerk, &cases).await;

    // An earlier release's correction names the applicant and leaves the text as it was:
    // PostgreSQL forgets the text, and the new name is found. (SQLite has one instance.)
    if matches!(app.db_url, DatabaseUrl::Postgres(_)) {
        let c = cases[2]["id"].as_i64().unwrap();
        assert!(stored_text(&app, c).is_some());
        execute(
            &app,
            &format!("UPDATE cases SET applicant_name = '吴十' WHERE id = {c}"),
        );
        // … and keeps the gram index, as that release did.
        execute(
            &app,
            &format!("INSERT INTO search_grams (gram, case_id) VALUES ('吴十', {c}), ('十', {c})"),
        );
        assert_eq!(stored_text(&app, c), None);
        assert_eq!(search(&app, &o.clerk, "吴十", "due").await, vec![c]);
        assert!(!search(&app, &o.clerk, "王五", "due").await.contains(&c));
    }
}

/// The service's PostgreSQL sessions do not JIT-compile (a database setting that a migration
/// makes): a page read whose filter the
/// planner guesses rare is estimated dear, and a search that reads in a millisecond then
/// compiled for 150 ms (at 10,000 cases without statistics: p99 1.6 s).
#[test]
fn postgres_connections_compile_no_statement() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        jit: String,
    }
    let (url, _guard) = crate::helpers::fresh_database_for_schema();
    let DatabaseUrl::Postgres(_) = url else {
        return; // SQLite has no JIT.
    };
    {
        let pool = ogi_tracker::store::connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        ogi_tracker::store::migrate(&mut conn, &crate::helpers::audit_key()).unwrap();
    }
    // A session started after the migrations.
    let pool = ogi_tracker::store::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let s: Setting = diesel::sql_query("SHOW jit")
        .get_result(&mut **conn)
        .unwrap();
    assert_eq!(s.jit, "off");
}

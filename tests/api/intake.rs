//! A single intake is written in one call on PostgreSQL (`store::intake::write_one`) and
//! with multi-row statements in a batch (`store::cases::insert_many`): both must store the
//! same case, items, search grams, opening audit record and mail. On SQLite both go through
//! `insert_many`, so the test holds there trivially and guards the PostgreSQL path.

use std::collections::BTreeSet;

use diesel::prelude::*;
use ogi_tracker::store::cases::CaseRow;
use ogi_tracker::store::schema::{audit_records, case_items, cases, outbox, search_grams};
use serde_json::{Value, json};

use crate::cases::create;
use crate::helpers::spawn_app;

/// What is stored for one case, its own number written as `#` wherever it appears.
#[derive(Debug, PartialEq)]
struct Stored {
    row: String,
    items: Vec<(i32, String)>,
    /// Grams not drawn from the case number (those differ between two cases).
    grams: BTreeSet<String>,
    audit: Vec<(i32, String, Option<String>, String, String, String)>,
    mails: Vec<(String, String, String, String, String, i32)>,
}

fn stored(conn: &mut ogi_tracker::store::DbConnection, id: i64) -> Stored {
    let row: CaseRow = cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .unwrap();
    let number = row.case_number.clone();
    let plain = |s: &str| s.replace(&number, "#");
    assert_eq!(row.created_at, row.updated_at);
    let items = case_items::table
        .filter(case_items::case_id.eq(id))
        .order(case_items::position)
        .select((case_items::position, case_items::description))
        .load(conn)
        .unwrap();
    let grams: Vec<String> = search_grams::table
        .filter(search_grams::case_id.eq(id))
        .select(search_grams::gram)
        .load(conn)
        .unwrap();
    let audit: Vec<(i32, String, Option<String>, String, String, String)> = audit_records::table
        .filter(audit_records::case_id.eq(id))
        .order(audit_records::seq)
        .select((
            audit_records::seq,
            audit_records::action,
            audit_records::before_state,
            audit_records::after_state,
            audit_records::prev_hash,
            audit_records::scheme,
        ))
        .load(conn)
        .unwrap();
    let mails: Vec<(String, String, String, String, String, i32)> = outbox::table
        .filter(outbox::case_id.eq(id))
        .select((
            outbox::kind,
            outbox::recipient,
            outbox::subject,
            outbox::body,
            outbox::status,
            outbox::attempts,
        ))
        .load(conn)
        .unwrap();
    // The number differs between the two; the rest of the search text must not.
    let search_text = row
        .search_text
        .as_ref()
        .map(|t| t.replace(number.as_str(), "#"));
    Stored {
        row: format!(
            "{:?}",
            CaseRow {
                id: 0,
                case_number: String::new(),
                search_text,
                seq: 0,
                created_at: chrono::NaiveDateTime::MIN,
                updated_at: chrono::NaiveDateTime::MIN,
                ..row
            }
        ),
        items,
        grams: grams
            .into_iter()
            .filter(|g| !number.contains(g.as_str()))
            .collect(),
        audit: audit
            .into_iter()
            .map(|(seq, action, before, after, prev, scheme)| {
                (seq, action, before, plain(&after), prev, scheme)
            })
            .collect(),
        mails: mails
            .into_iter()
            .map(|(kind, to, subject, body, status, attempts)| {
                (kind, to, plain(&subject), plain(&body), status, attempts)
            })
            .collect(),
    }
}

#[actix_web::test]
async fn a_single_intake_stores_what_a_batch_of_one_stores() {
    let app = spawn_app().await;
    // A department with the address and phone its acknowledgements carry.
    let r = app
        .post(
            "/api/v1/departments",
            &app.admin_token,
            json!({"name": "南宁市发展和改革委员会", "code": "南发改信", "kind": "department",
                   "level": "city", "region": "450100", "address": "南宁市民族大道1号",
                   "phone": "0771-1234567"}),
        )
        .await;
    let dept = r.expect(201, None)["id"].as_i64().unwrap();
    let (_, clerk) = app.user("clerk_ndrc", "clerk", Some(dept)).await;
    // Texts a JSON document must carry unchanged: quotes, backslashes, a character
    // outside the BMP, a tab, the dollar quotes the intake's literal could be cut by;
    // several items in order; every optional field.
    let body = json!({
        "department_id": dept,
        "applicant": {"type": "commercial", "name": "广西\"某\\某\"科技有限公司𠀀",
                      "id_number": "91450100MA5K000000", "phone": "0771-5550123",
                      "email": "apply@example.cn", "address": "南宁市青秀区民族大道100号"},
        "channel": "registered_mail",
        "submitted_on": "2026-11-18",
        "received_on": "2026-11-20",
        "tracking_number": "EMS1234567890",
        "purpose": "了解项目\t审批进度$ogi0$'); DROP TABLE cases; --",
        "items": [{"description": "2025年\"城市道路\"改造项目的可行性研究报告"},
                  {"description": "同一项目的环境影响评价批复\\附件"},
                  {"description": "项目资金来源说明$ogi1$$$"}],
        "delivery_preference": "email"
    });
    let single = create(&app, &clerk, body.clone()).await;
    let single = single.expect(201, None).clone();
    let batch = app
        .post("/api/v1/cases/batch", &clerk, json!({ "cases": [body] }))
        .await;
    let batched = batch.expect(201, None)["items"][0].clone();
    let (a, b) = (
        single["id"].as_i64().unwrap(),
        batched["id"].as_i64().unwrap(),
    );
    assert_ne!(single["case_number"], batched["case_number"]);

    let mut conn = app.pool.get().unwrap();
    let (one, many) = (stored(&mut conn, a), stored(&mut conn, b));
    assert_eq!(one, many);
    // Not vacuous: the case has its items, grams, one opening record and its mail.
    assert_eq!(one.items.len(), 3);
    assert_eq!(one.items[0].1, "2025年\"城市道路\"改造项目的可行性研究报告");
    assert_eq!(one.items[2].1, "项目资金来源说明$ogi1$$$");
    assert!(
        one.row.contains("审批进度$ogi0$'); DROP TABLE cases; --"),
        "{}",
        one.row
    );
    assert!(one.grams.contains("城市"), "{:?}", one.grams);
    assert_eq!(one.audit.len(), 1);
    assert_eq!(one.audit[0].1, "case_created");
    assert_eq!(one.mails.len(), 1);
    assert_eq!(one.mails[0].0, "acknowledgement");
    drop(conn);

    // The answer is what a later read shows (the row built ahead is the row stored).
    let read = app.get(&format!("/api/v1/cases/{a}"), &clerk).await;
    let mut read = read.expect(200, None).clone();
    let mut answered: Value = single.clone();
    for v in [&mut read, &mut answered] {
        // Only the answer to an intake lists possible repeats; only a read lists remedies
        // and supervision orders (a new case has neither).
        for key in ["possible_repeats", "remedies", "orders"] {
            v.as_object_mut().unwrap().remove(key);
        }
    }
    assert_eq!(read, answered);
    // The words search finds it, and the audit chains verify under the key.
    let found = app
        .get("/api/v1/cases?q=%E5%8F%AF%E8%A1%8C%E6%80%A7", &clerk)
        .await;
    found.expect(200, None);
    let ids: BTreeSet<i64> = found.item_ids().into_iter().collect();
    assert_eq!(ids, BTreeSet::from([a, b]));
    let verify = app.cli(&["verify-audit"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

//! The typical-case library (issue 18, second part) through the HTTP API: a supervisor marks
//! a replied case typical; the copy holds no applicant name, ID number or mobile number in
//! any field; it stays out of the library until the publisher (who alone sees the original
//! beside it) publishes it; the search finds it by words, outcome, article and topic; "按此
//! 答复" drafts a reply on the clerk's own open case and is refused on a case outside the
//! clerk's scope; a withdrawn entry leaves the library.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, spawn_app};

const NAME: &str = "覃建华";
const ID_NUMBER: &str = "450102198805061237";
const MOBILE: &str = "13877112345";

struct Setup {
    bureau: i64,
    other: i64,
    /// Supervisor of the city government (above the bureau): marks and publishes.
    office: String,
    clerk: String,
    other_clerk: String,
    /// The replied case marked typical.
    case_id: i64,
}

async fn new_case(app: &TestApp, token: &str, dept: i64, applicant: Value, item: &str) -> Resp {
    let r = app
        .post(
            "/api/v1/cases",
            token,
            json!({
                "department_id": dept, "applicant": applicant,
                "channel": "in_person", "submitted_on": "2026-11-02", "received_on": "2026-11-02",
                "items": [{"description": item}]
            }),
        )
        .await;
    r.expect(201, None);
    r
}

/// A bureau under a city government, an unrelated county, and a case of the bureau whose
/// request and reply name the applicant, an 18-digit ID number and a mobile number, replied
/// (reviewed, approved, issued).
async fn setup(app: &TestApp) -> Setup {
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let bureau = app
        .department("南宁市自然资源局", "南自然信复", Some(gov), "450100")
        .await;
    let other = app
        .department("横州市人民政府", "横府信复", None, "450100")
        .await;
    let (_, office) = app.user("office_lib", "supervisor", Some(gov)).await;
    let (_, clerk) = app.user("clerk_lib", "clerk", Some(bureau)).await;
    let (_, other_clerk) = app.user("clerk_other", "clerk", Some(other)).await;
    // The record holds the name and the ID number; the mobile number is only in the texts
    // (found by pattern).
    let r = new_case(
        app,
        &clerk,
        bureau,
        json!({"type": "natural_person", "name": NAME, "id_number": ID_NUMBER}),
        &format!(
            "请公开{NAME}（身份证号{ID_NUMBER}，手机{MOBILE}）名下房屋所在地块的征收补偿安置方案"
        ),
    )
    .await;
    let case_id = r.body["id"].as_i64().unwrap();
    let d = app
        .get(
            &format!("/api/v1/cases/{case_id}/reply-draft?outcome=disclosed&issued_on=2026-11-20"),
            &clerk,
        )
        .await;
    let d = d.expect(200, None).clone();
    assert!(
        d["text"].as_str().unwrap().contains(NAME),
        "the draft names the applicant"
    );
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(true);
    body["seal_organ"] = json!("南宁市自然资源局");
    body["dispatched_on"] = json!("2026-11-20");
    body["text"] = json!(format!(
        "{}\n经核实，{NAME}（公民身份号码{ID_NUMBER}）于2026年11月2日来信，联系电话{MOBILE}，所申请的征收补偿安置方案已于2026年8月公布。",
        d["text"].as_str().unwrap()
    ));
    let etag = r.etag();
    app.issued_reply(&clerk, case_id, &etag, body)
        .await
        .expect(201, None);
    let case = app.get(&format!("/api/v1/cases/{case_id}"), &clerk).await;
    assert_eq!(case.expect(200, None)["status"], "replied");
    Setup {
        bureau,
        other,
        office,
        clerk,
        other_clerk,
        case_id,
    }
}

/// Every string anywhere in a JSON value, with its path.
fn strings(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                strings(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

#[track_caller]
fn assert_anonymous(v: &Value) {
    let mut all = Vec::new();
    strings(v, "", &mut all);
    assert!(all.len() > 10, "the entry has its texts: {v}");
    assert_holds_none(v, &[NAME, ID_NUMBER, MOBILE, "13877", "1988050612"]);
}

/// No text anywhere in `v` contains any of `secrets`.
fn assert_holds_none(v: &Value, secrets: &[&str]) {
    let mut all = Vec::new();
    strings(v, "", &mut all);
    for (path, s) in &all {
        for secret in secrets {
            assert!(!s.contains(secret), "{path} holds {secret}: {s}");
        }
    }
}

/// Enters a case into the library as `token`; the entry made.
async fn enter(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/library", token, body).await;
    r.expect(201, None).clone()
}

async fn mark(app: &TestApp, token: &str, case_id: i64) -> Resp {
    app.post(
        "/api/v1/library",
        token,
        json!({"case_id": case_id, "topics": ["征收补偿", "已主动公开"],
               "note": format!("申请人{NAME}所问为已公开信息：告知获取途径的标准答复")}),
    )
    .await
}

async fn act(app: &TestApp, token: &str, path: &str, etag: &str, body: Value) -> Resp {
    app.request(
        Method::POST,
        path,
        Some(token),
        Some(body),
        &[("If-Match", etag)],
    )
    .await
}

#[actix_web::test]
async fn the_library_copy_holds_no_name_id_number_or_mobile() {
    let app = spawn_app().await;
    let s = setup(&app).await;

    // Clerks do not mark cases typical; an open case cannot be marked.
    mark(&app, &s.clerk, s.case_id)
        .await
        .expect(403, Some("supervisor_only"));
    let open = new_case(
        &app,
        &s.clerk,
        s.bureau,
        json!({"type": "natural_person", "name": "黄丽"}),
        "2026年地块出让公告",
    )
    .await;
    let open_id = open.body["id"].as_i64().unwrap();
    mark(&app, &s.office, open_id)
        .await
        .expect(409, Some("case_not_finished"));

    let r = mark(&app, &s.office, s.case_id).await;
    let entry = r.expect(201, None).clone();
    assert_eq!(entry["status"], "pending");
    assert_eq!(entry["outcome"], "disclosed");
    assert_eq!(entry["article"], 36);
    assert_eq!(entry["article_label"], "第三十六条第二项");
    assert_anonymous(&entry);
    // What was there is said, not silently dropped.
    let item = entry["items"][0].as_str().unwrap();
    assert!(
        item.contains("【姓名】") && item.contains("【身份证号】") && item.contains("【电话】"),
        "{item}"
    );
    let text = entry["reply_text"].as_str().unwrap();
    assert!(
        text.contains("【姓名】") && text.contains("【电话】"),
        "{text}"
    );
    assert!(
        text.contains("征收补偿安置方案已于2026年8月公布"),
        "the rest stays: {text}"
    );
    let id = entry["id"].as_i64().unwrap();
    mark(&app, &s.office, s.case_id)
        .await
        .expect(409, Some("already_in_library"));

    // The entry read back, and the curators' list, are as anonymous.
    let got = app.get(&format!("/api/v1/library/{id}"), &s.office).await;
    assert_anonymous(got.expect(200, None));
    let pending = app.get("/api/v1/library?status=pending", &s.office).await;
    pending.expect(200, None);
    assert_eq!(pending.item_ids(), vec![id]);
    assert_anonymous(&pending.body);

    // The publisher sees the original beside it; it is the case's own text.
    let orig = app
        .get(&format!("/api/v1/library/{id}/original"), &s.office)
        .await;
    let orig = orig.expect(200, None);
    assert!(orig["items"][0].as_str().unwrap().contains(ID_NUMBER));
    assert!(orig["reply_text"].as_str().unwrap().contains(MOBILE));

    // An edit that brings the name back is anonymised again; a stale version is refused.
    let edit = json!({
        "title": "已主动公开的征收补偿安置方案", "note": "告知获取途径",
        "topics": ["征收补偿"], "items": [format!("{NAME}申请公开征收补偿安置方案")],
        "reply_text": format!("{NAME}：\n所申请信息已主动公开。"), "reasons": null
    });
    app.patch(
        &format!("/api/v1/library/{id}"),
        &s.office,
        "\"7\"",
        edit.clone(),
    )
    .await
    .expect(412, None);
    let r = app
        .patch(
            &format!("/api/v1/library/{id}"),
            &s.office,
            &got.etag(),
            edit,
        )
        .await;
    let edited = r.expect(200, None);
    assert_anonymous(edited);
    assert_eq!(edited["items"][0], "【姓名】申请公开征收补偿安置方案");
    assert_eq!(edited["topics"], json!(["征收补偿"]));
    assert_eq!(edited["version"], 2);
    assert_eq!(
        trail(&app, id),
        ["library_entry_marked", "library_entry_edited"]
    );

    // Published, and still anonymous in the library's search.
    let r = act(
        &app,
        &s.office,
        &format!("/api/v1/library/{id}/publish"),
        &r.etag(),
        json!({}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "published");
    let found = app.get("/api/v1/library?q=征收补偿", &s.clerk).await;
    found.expect(200, None);
    assert_eq!(found.item_ids(), vec![id]);
    assert_anonymous(&found.body["items"]);
}

#[actix_web::test]
async fn unpublished_entries_are_not_in_the_library() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let r = mark(&app, &s.office, s.case_id).await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();

    // Pending: no search finds it, the entry is "not found" to clerks, and clerks cannot
    // ask for the curators' lists.
    for q in [
        "",
        "?q=征收",
        "?outcome=disclosed",
        "?article=36",
        "?topic=征收补偿",
    ] {
        let r = app.get(&format!("/api/v1/library{q}"), &s.clerk).await;
        r.expect(200, None);
        assert_eq!(r.item_ids(), Vec::<i64>::new(), "{q}");
        let r = app.get(&format!("/api/v1/library{q}"), &s.office).await;
        assert_eq!(r.item_ids(), Vec::<i64>::new(), "{q}");
    }
    app.get(&format!("/api/v1/library/{id}"), &s.clerk)
        .await
        .expect(404, Some("not_found"));
    app.get("/api/v1/library?status=pending", &s.clerk)
        .await
        .expect(403, Some("supervisor_only"));
    // Not the clerk's to publish.
    act(
        &app,
        &s.clerk,
        &format!("/api/v1/library/{id}/publish"),
        "\"1\"",
        json!({}),
    )
    .await
    .expect(404, Some("not_found"));

    let r = act(
        &app,
        &s.office,
        &format!("/api/v1/library/{id}/publish"),
        "\"1\"",
        json!({}),
    )
    .await;
    r.expect(200, None);
    let etag = r.etag();
    // Published: every filter that fits finds it, one that does not fits nothing.
    for q in [
        "",
        "?q=征收",
        "?q=已于2026年8月",
        "?outcome=disclosed",
        "?article=36",
        "?article=第三十六条",
        "?topic=征收补偿",
        "?q=征收&outcome=disclosed&topic=已主动公开",
    ] {
        let r = app
            .get(&format!("/api/v1/library{q}"), &s.other_clerk)
            .await;
        r.expect(200, None);
        assert_eq!(r.item_ids(), vec![id], "{q}");
    }
    for q in [
        "?q=养护资金",
        "?outcome=withheld_state_secret",
        "?article=14",
        "?topic=信访",
    ] {
        let r = app.get(&format!("/api/v1/library{q}"), &s.clerk).await;
        assert_eq!(r.item_ids(), Vec::<i64>::new(), "{q}");
    }
    let r = app.get("/api/v1/library", &s.clerk).await;
    assert_eq!(
        r.body["topics"],
        json!([{"topic": "已主动公开", "count": 1}, {"topic": "征收补偿", "count": 1}])
    );
    app.get("/api/v1/library?outcome=bogus", &s.clerk)
        .await
        .expect(422, None);
    // A clerk of another department reads the entry but not the original.
    app.get(&format!("/api/v1/library/{id}"), &s.other_clerk)
        .await
        .expect(200, None);
    app.get(&format!("/api/v1/library/{id}/original"), &s.other_clerk)
        .await
        .expect(404, Some("not_found"));

    // Withdrawn with a reason: out of the library again.
    act(
        &app,
        &s.office,
        &format!("/api/v1/library/{id}/withdraw"),
        &etag,
        json!({"reason": " "}),
    )
    .await
    .expect(422, None);
    let r = act(
        &app,
        &s.office,
        &format!("/api/v1/library/{id}/withdraw"),
        &etag,
        json!({"reason": "答复口径已调整"}),
    )
    .await;
    assert_eq!(r.expect(200, None)["status"], "withdrawn");
    let r = app.get("/api/v1/library?q=征收", &s.clerk).await;
    assert_eq!(r.item_ids(), Vec::<i64>::new());
    let r = app.get("/api/v1/library?status=withdrawn", &s.office).await;
    assert_eq!(r.item_ids(), vec![id]);
    assert_eq!(r.body["items"][0]["withdrawn_reason"], "答复口径已调整");
    assert_eq!(
        trail(&app, id),
        [
            "library_entry_marked",
            "library_entry_published",
            "library_entry_withdrawn"
        ]
    );
    // Withdrawn: the case may be marked again.
    mark(&app, &s.office, s.case_id).await.expect(201, None);
    verify_audit(&app);
}

#[actix_web::test]
async fn reply_from_an_entry_drafts_on_the_clerks_case_only() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let r = mark(&app, &s.office, s.case_id).await;
    let id = r.expect(201, None)["id"].as_i64().unwrap();
    let entry_text = r.body["reply_text"].as_str().unwrap().to_owned();

    // The clerk's own open case, and one of another department.
    let mine = new_case(
        &app,
        &s.clerk,
        s.bureau,
        json!({"type": "natural_person", "name": "黄丽"}),
        "请公开某地块征收补偿安置方案",
    )
    .await;
    let mine_id = mine.body["id"].as_i64().unwrap();
    let theirs = new_case(
        &app,
        &s.other_clerk,
        s.other,
        json!({"type": "natural_person", "name": "韦强"}),
        "请公开某地块征收补偿安置方案",
    )
    .await;
    let theirs_id = theirs.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/library/{id}/reply-draft");

    // Not yet published: no use (the clerk does not see it at all).
    app.post(&path, &s.clerk, json!({"case_id": mine_id}))
        .await
        .expect(404, Some("not_found"));
    act(
        &app,
        &s.office,
        &format!("/api/v1/library/{id}/publish"),
        "\"1\"",
        json!({}),
    )
    .await
    .expect(200, None);

    // Outside the clerk's scope: as if the case did not exist.
    app.post(&path, &s.clerk, json!({"case_id": theirs_id}))
        .await
        .expect(404, Some("not_found"));
    // A replied case takes no new draft.
    app.post(&path, &s.clerk, json!({"case_id": s.case_id}))
        .await
        .expect(409, Some("case_not_open"));

    let r = app.post(&path, &s.clerk, json!({"case_id": mine_id})).await;
    let d = r.expect(200, None).clone();
    assert_eq!(d["entry_id"], id);
    assert_eq!(d["case_id"], mine_id);
    assert_eq!(d["outcome"], "disclosed");
    assert_eq!(d["reply"]["outcome"], "disclosed");
    // The entry's letter, addressed to this case's applicant.
    // The entry's letter under this case's heading: the old 文号 is gone, the addressee is
    // this case's applicant, the body is the entry's with the name put back.
    let text = d["text"].as_str().unwrap();
    assert!(!text.contains("〔2026〕1号"), "{text}");
    let (_, entry_body) = entry_text.split_once("【姓名】：\n").unwrap();
    let (head, body) = text.split_once("黄丽：\n").unwrap();
    assert!(head.starts_with("南宁市自然资源局\n"), "{text}");
    assert_eq!(body, entry_body.replace("【姓名】", "黄丽"));
    assert!(
        entry_body.contains("【姓名】") && body.contains("经核实，黄丽（"),
        "{body}"
    );
    assert!(
        d["placeholders"]
            .as_array()
            .unwrap()
            .contains(&json!("【电话】"))
    );

    // The draft goes the usual way: submitted for review on the clerk's case.
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(true);
    body["seal_organ"] = json!("南宁市自然资源局");
    body["text"] = json!(text.replace("【电话】", "0771-5555555"));
    body.as_object_mut().unwrap().remove("dispatched_on");
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/cases/{mine_id}/review"),
            Some(&s.clerk),
            Some(body),
            &[("If-Match", &mine.etag())],
        )
        .await;
    let review = r.expect(200, None);
    assert_eq!(review["status"], "in_review");
    assert!(
        review["content"]["text"]
            .as_str()
            .unwrap()
            .contains("黄丽：\n")
    );
    assert_eq!(
        trail(&app, id),
        [
            "library_entry_marked",
            "library_entry_published",
            "library_entry_used"
        ]
    );
    verify_audit(&app);
}

/// The actions recorded on an entry's chain, in order.
fn trail(app: &TestApp, id: i64) -> Vec<String> {
    let mut conn = app.pool.get().unwrap();
    ogi_tracker::store::action_log::history(&mut conn, &format!("library_entry:{id}"))
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

fn verify_audit(app: &TestApp) {
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A case of `dept` registered by `clerk` for `applicant` with one request item, replied
/// with the drafted letter followed by `extra`; returns its id.
async fn replied_case(
    app: &TestApp,
    clerk: &str,
    dept: i64,
    applicant: Value,
    item: &str,
    extra: &str,
) -> i64 {
    replied_case_after(app, clerk, dept, applicant, item, extra, &[]).await
}

/// `replied_case` with events recorded before the reply.
async fn replied_case_after(
    app: &TestApp,
    clerk: &str,
    dept: i64,
    applicant: Value,
    item: &str,
    extra: &str,
    events: &[Value],
) -> i64 {
    let mut r = new_case(app, clerk, dept, applicant, item).await;
    let case_id = r.body["id"].as_i64().unwrap();
    for e in events {
        r = crate::cases::event(app, clerk, &r, e.clone()).await;
        r.expect(201, None);
    }
    let d = app
        .get(
            &format!("/api/v1/cases/{case_id}/reply-draft?outcome=disclosed&issued_on=2026-11-20"),
            clerk,
        )
        .await;
    let d = d.expect(200, None).clone();
    let mut body = d["reply"].clone();
    body["doc_number"] = json!("auto");
    body["delivery_method"] = json!("post");
    body["sealed"] = json!(true);
    body["seal_organ"] = json!("南宁市自然资源局");
    body["dispatched_on"] = json!("2026-11-20");
    body["text"] = json!(format!("{}\n{extra}", d["text"].as_str().unwrap()));
    app.issued_reply(clerk, case_id, &r.etag(), body)
        .await
        .expect(201, None);
    case_id
}

#[actix_web::test]
async fn phone_numbers_as_people_write_them_and_a_spaced_name_leave_the_copy() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    // The record holds the applicant's name and a landline; the letter writes them as
    // people do: the name spaced out, the landline in brackets, a mobile after it on the
    // same line, full-width digits, a +86 prefix, a flat without a house number.
    let case_id = replied_case(
        &app,
        &s.clerk,
        s.bureau,
        json!({"type": "natural_person", "name": "韦秀英", "phone": "0771-5550100"}),
        "请公开韦　秀英户的征收补偿协议（联系电话：0771-5550100 13977123456）",
        "经核实，韦 秀 英（电话（0771）5550100，手机１３９７７１２３４５６，\
         另一联系人+86 138 7711 0002）于2026年11月2日来信（联系电话13977123456 2026年11月2日），现住阳光花园5栋2单元301室，所申请协议已于2026年8月公布。",
    )
    .await;
    let entry = enter(
        &app,
        &s.office,
        json!({"case_id": case_id, "topics": ["征收补偿"], "note": "已公开信息的告知"}),
    )
    .await;
    assert_holds_none(
        &entry,
        &[
            "韦秀英",
            "秀 英",
            "秀英",
            "5550100",
            "13977123456",
            "１３９７７",
            "7711 0002",
            "301室",
        ],
    );
    let text = entry["reply_text"].as_str().unwrap();
    assert!(
        text.contains("所申请协议已于2026年8月公布"),
        "the rest stays: {text}"
    );
}

#[actix_web::test]
async fn a_topic_tag_naming_the_applicant_is_anonymised_too() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let r = app
        .post(
            "/api/v1/library",
            &s.office,
            json!({"case_id": s.case_id, "topics": ["征收补偿", format!("{NAME}户")],
                   "note": "标准答复"}),
        )
        .await;
    let entry = r.expect(201, None).clone();
    assert_anonymous(&entry);
    assert_eq!(entry["topics"], json!(["征收补偿", "【姓名】户"]));
    let id = entry["id"].as_i64().unwrap();

    // An edit cannot bring it back either; the published library's tag list is clean.
    let edit = json!({
        "title": "征收补偿安置方案", "note": "标准答复",
        "topics": [format!("{NAME}户"), format!("{MOBILE}")], "items": ["征收补偿安置方案"],
        "reply_text": "所申请信息已主动公开。", "reasons": null
    });
    let r = app
        .patch(&format!("/api/v1/library/{id}"), &s.office, &r.etag(), edit)
        .await;
    assert_eq!(
        r.expect(200, None)["topics"],
        json!(["【姓名】户", "【电话】"])
    );
    act(
        &app,
        &s.office,
        &format!("/api/v1/library/{id}/publish"),
        &r.etag(),
        json!({}),
    )
    .await
    .expect(200, None);
    let found = app.get("/api/v1/library", &s.clerk).await;
    assert_anonymous(found.expect(200, None));
}

#[actix_web::test]
async fn a_third_party_consulted_is_anonymised_and_an_agency_consulted_stays_named() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let case_id = replied_case_after(
        &app,
        &s.clerk,
        s.bureau,
        json!({"type": "natural_person", "name": "蒙丽华"}),
        "请公开某地块的出让合同",
        "本机关已就该合同征求广西恒达置业有限公司和南宁市住房和城乡建设局的意见，广西恒达置业有限公司同意公开。",
        &[
            json!({"type": "consultation_started", "date": "2026-11-03", "party": "third_party",
                   "consulted": "广西恒达置业有限公司"}),
            json!({"type": "consultation_started", "date": "2026-11-03", "party": "agency",
                   "consulted": "南宁市住房和城乡建设局"}),
        ],
    )
    .await;
    let entry = enter(
        &app,
        &s.office,
        json!({"case_id": case_id, "topics": ["征求第三方意见"], "note": "第三方同意公开"}),
    )
    .await;
    assert_holds_none(&entry, &["恒达置业"]);
    let text = entry["reply_text"].as_str().unwrap();
    assert!(text.contains("南宁市住房和城乡建设局"), "{text}");
}

//! The pages over plain HTTP (the browser tests drive them in Chromium): sign-in and its
//! cookie, form tokens, scope, double submits, stale forms, headers.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};

use crate::helpers::{TestApp, USER_PASSWORD, spawn_app};

/// A browser without JavaScript: no redirects followed, one session cookie.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form token on the page")
        + 19;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookie: String::new(),
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        let (status, headers) = (r.status(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn login(app: &TestApp, username: &str) -> Browser {
        let mut b = Browser::new(app);
        let r = b
            .client
            .get(format!("{}/login", b.base))
            .send()
            .await
            .unwrap();
        let login_cookie = cookie_of(&r, "ogi_login").expect("a login form cookie");
        let html = r.text().await.unwrap();
        b.cookie = login_cookie.split(';').next().unwrap().to_owned();
        let csrf = csrf_of(&html);
        let r = b
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", USER_PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let session = cookie_of(&r, "ogi_session").expect("a session cookie");
        for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(session.contains(attr), "{session} lacks {attr}");
        }
        b.cookie = session.split(';').next().unwrap().to_owned();
        b
    }
}

async fn office(app: &TestApp, code: &str) -> i64 {
    let dept = app
        .department(&format!("{code}局"), code, None, "450100")
        .await;
    app.user(&format!("clerk_{code}"), "clerk", Some(dept))
        .await;
    dept
}

fn intake_form<'a>(dept: &'a str, csrf: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("idempotency_key", key),
        ("department_id", dept),
        ("channel", "in_person"),
        ("submitted_on", "2026-11-20"),
        ("applicant_type", "natural_person"),
        ("name", "张三"),
        ("items", "某地块征收补偿方案\n2025年度土地供应计划"),
    ]
}

#[actix_web::test]
async fn pages_need_a_session_and_a_form_token() {
    let app = spawn_app().await;
    let dept = office(&app, "WA").await;
    let anon = Browser::new(&app);
    let (status, _, headers) = anon.get("/cases/new").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/login?next=/cases/new");

    let b = Browser::login(&app, "clerk_WA").await;
    let (status, html, headers) = b.get("/cases/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("登记申请"));
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-frame-options"], "DENY");

    // A form without this session's token is refused and changes nothing.
    let d = dept.to_string();
    let forged = b
        .post("/cases/new", &intake_form(&d, "not-the-token", "k1"))
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cases = app.get("/api/v1/cases", &app.admin_token).await;
    assert_eq!(cases.body["items"].as_array().unwrap().len(), 0);

    // Signing out ends the session everywhere.
    let csrf = csrf_of(&html);
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (status, _, _) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_double_submit_makes_one_case_and_a_bad_form_keeps_what_was_typed() {
    let app = spawn_app().await;
    let dept = office(&app, "WB").await;
    let b = Browser::login(&app, "clerk_WB").await;
    let (_, html, _) = b.get("/cases/new").await;
    let csrf = csrf_of(&html);
    let d = dept.to_string();

    // The name is missing: the form comes back with the error and the items as typed.
    let mut bad = intake_form(&d, &csrf, "k-bad");
    bad.retain(|(k, _)| *k != "name");
    let r = b.post("/cases/new", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("某地块征收补偿方案"), "typed items are kept");
    assert!(page.contains("class=\"err\""));

    let first = b
        .post("/cases/new", &intake_form(&d, &csrf, "k-same"))
        .await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let again = b
        .post("/cases/new", &intake_form(&d, &csrf, "k-same"))
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(first.headers()[LOCATION], again.headers()[LOCATION]);
    let cases = app.get("/api/v1/cases", &app.admin_token).await;
    assert_eq!(cases.body["items"].as_array().unwrap().len(), 1);

    // The case page shows the due date: received 2026-11-20 in person, 20 working days.
    let to = first.headers()[LOCATION].to_str().unwrap().to_owned();
    let (status, page, _) = b.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("答复期限 2026-12-18（周五）"), "{page}");
}

#[actix_web::test]
async fn another_departments_case_is_not_found_and_a_stale_form_is_kept() {
    let app = spawn_app().await;
    let a = office(&app, "WC").await;
    office(&app, "WD").await;
    let ours = Browser::login(&app, "clerk_WC").await;
    let theirs = Browser::login(&app, "clerk_WD").await;
    let (_, html, _) = ours.get("/cases/new").await;
    let csrf = csrf_of(&html);
    let d = a.to_string();
    let r = ours
        .post("/cases/new", &intake_form(&d, &csrf, "k-c"))
        .await;
    let to = r.headers()[LOCATION].to_str().unwrap().to_owned();
    let path = to.split('?').next().unwrap().to_owned();

    let (status, page, _) = theirs.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("不存在"));

    // Someone else records an event meanwhile: the form (version 1) is stale, the page says
    // so and keeps what was typed.
    let (_, page, _) = ours.get(&path).await;
    let view = app.get(&format!("/api/v1{path}"), &app.admin_token).await;
    let etag = view.etag();
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1{path}/events"),
        Some(&app.admin_token),
        Some(serde_json::json!({"type": "extension_requested", "date": "2026-11-21", "working_days": 10, "reason": "需要调取档案"})),
        &[("if-match", &etag)],
    )
    .await
    .expect(201, None);
    let csrf = csrf_of(&page);
    let stale = ours
        .post(
            &format!("{path}/events"),
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("type", "extension_requested"),
                ("date", "2026-11-21"),
                ("working_days", "15"),
                ("reason", "我填写的延期理由"),
            ],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let page = stale.text().await.unwrap();
    assert!(page.contains("已被他人修改"));
    assert!(
        page.contains("我填写的延期理由"),
        "what the clerk typed is kept"
    );
}

#[actix_web::test]
async fn an_idle_session_expires_and_the_calendar_feed_lists_due_dates() {
    use diesel::connection::SimpleConnection;
    let app = spawn_app().await;
    let dept = office(&app, "WE").await;
    let b = Browser::login(&app, "clerk_WE").await;
    let (_, html, _) = b.get("/cases/new").await;
    let csrf = csrf_of(&html);
    let d = dept.to_string();
    let r = b.post("/cases/new", &intake_form(&d, &csrf, "k-e")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A personal calendar link: the due date of the open case, no session needed.
    let page = b.post("/account/calendar", &[("csrf", &csrf)]).await;
    let page = page.text().await.unwrap();
    let needle = "id=\"feed-link\" value=\"";
    let at = page.find(needle).expect("a feed link") + needle.len();
    let link = page[at..].split('"').next().unwrap().replace("&#x2f;", "/");
    let token = link
        .strip_prefix("https://ogi.example.gov.cn")
        .unwrap_or_else(|| panic!("the link is under OGI_PUBLIC_URL: {link}"))
        .to_owned();
    let anon = Browser::new(&app);
    let (status, ics, headers) = anon.get(&token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(ics.contains("DTSTART;VALUE=DATE:20261218"), "{ics}");
    assert!(ics.contains("BEGIN:VCALENDAR\r\n"));
    // Revoked, the link stops working.
    b.post("/account/calendar/revoke", &[("csrf", &csrf)]).await;
    let (status, _, _) = anon.get(&token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Thirty minutes without a request end the session.
    let mut c = app.pool.get().unwrap();
    c.batch_execute("UPDATE web_sessions SET last_seen_at = '2000-01-01 00:00:00'")
        .unwrap();
    let (status, _, headers) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[LOCATION].to_str().unwrap().starts_with("/login"));
}

/// A desk with more running cases than it shows: the cases without a due date (waiting on
/// the applicant, not yet confirmed received) sort after every dated one and are read
/// apart, so that they still appear; the counts that only cover the cases shown say so.
#[actix_web::test]
async fn a_full_desk_still_shows_what_waits_and_marks_its_counts_as_partial() {
    use crate::cases::{event, intake};
    use serde_json::json;
    let app = spawn_app().await;
    let dept = office(&app, "WD").await;
    let clerk = app.login("clerk_WD", USER_PASSWORD).await;
    let body = |i: usize, received: Option<&str>| {
        let channel = if received.is_some() {
            "in_person"
        } else {
            "online"
        };
        let mut b = intake(dept, channel, "2026-11-20", received);
        b["applicant"]["name"] = json!(format!("申请人{i}"));
        b["applicant"]["email"] = json!(null);
        b
    };
    // 205 running cases, all due on the same day well after today.
    let cases: Vec<_> = (0..205).map(|i| body(i, Some("2026-11-20"))).collect();
    app.post("/api/v1/cases/batch", &clerk, json!({ "cases": cases }))
        .await
        .expect(201, None);
    // One waiting on the applicant's correction, one not yet confirmed received: both
    // registered last, both without a due date.
    let waiting = app
        .post("/api/v1/cases", &clerk, body(900, Some("2026-11-20")))
        .await;
    let correction = json!({"type": "correction_requested", "date": "2026-11-20",
        "items": ["申请人身份证明"], "respond_by": "2026-12-04"});
    event(&app, &clerk, &waiting, correction)
        .await
        .expect(201, None);
    let unconfirmed = app.post("/api/v1/cases", &clerk, body(901, None)).await;
    let unconfirmed_id = unconfirmed.expect(201, None)["id"].as_i64().unwrap();
    let waiting_id = waiting.body["id"].as_i64().unwrap();

    let b = Browser::login(&app, "clerk_WD").await;
    let (status, html, _) = b.get("/").await;
    assert_eq!(status, StatusCode::OK);
    let section = |from: &str, to: &str| {
        let start = html
            .find(from)
            .unwrap_or_else(|| panic!("{from} in {html}"));
        let end = html[start..].find(to).map_or(html.len(), |e| start + e);
        html[start..end].to_owned()
    };
    let open = section("id=\"open\"", "id=\"unconfirmed\"");
    let pending = section("id=\"unconfirmed\"", "</main>");
    assert_eq!(
        open.matches("<tr class=").count(),
        201,
        "200 running and 1 waiting"
    );
    assert!(open.contains(&format!("href=\"/cases/{waiting_id}\"")));
    assert!(pending.contains(&format!("href=\"/cases/{unconfirmed_id}\"")));
    // Nothing shown is overdue or due soon, and the 201st running case is due on the same
    // day as the 200th: those counts are whole; the total is not.
    for count in [
        "<b>0</b>已逾期",
        "<b>0</b>2个工作日内到期",
        "<b>0</b>5个工作日内到期",
        "<b>1</b>等待申请人或第三方",
        "<b>1</b>待确认收到",
        "<b>201+</b>办理中（合计）",
    ] {
        assert!(
            html.contains(count),
            "{count} in {}",
            section("class=\"counts\"", "</div>")
        );
    }
    assert!(html.contains("未全部列出"));
    // The list the desk reads them with, as the API offers it.
    let listed = app.get("/api/v1/cases?unconfirmed=true", &clerk).await;
    listed.expect(200, None);
    assert_eq!(listed.item_ids(), [unconfirmed_id]);
}

/// The desk over JSON is the start page's: exactly as many running cases as it lists is a
/// whole desk (not "more exist"); one more and it says it lists only part.
#[actix_web::test]
async fn the_desk_as_data_says_exactly_when_it_is_not_whole() {
    use crate::cases::intake;
    use serde_json::json;
    let app = spawn_app().await;
    let dept = office(&app, "WJ").await;
    let clerk = app.login("clerk_WJ", USER_PASSWORD).await;
    let body = |i: usize| {
        let mut b = intake(dept, "in_person", "2026-11-20", Some("2026-11-20"));
        b["applicant"]["name"] = json!(format!("申请人{i}"));
        b["applicant"]["email"] = json!(null);
        b
    };
    let cases: Vec<_> = (0..200).map(body).collect();
    app.post("/api/v1/cases/batch", &clerk, json!({ "cases": cases }))
        .await
        .expect(201, None);
    let desk = app.get("/api/v1/desk", &clerk).await;
    let desk = desk.expect(200, None);
    assert_eq!(desk["lines"].as_array().unwrap().len(), 200);
    assert_eq!(desk["truncated"], false, "{}", desk["counts"]);
    assert_eq!(desk["counts"]["open"], 200);
    assert_eq!(desk["counts"]["partial"]["open"], false);
    let line = &desk["lines"][0];
    assert_eq!(line["urgency"], "running", "{line}");
    assert!(line["working_days_left"].as_i64().unwrap() > 5, "{line}");
    assert!(
        line["case"]["applicant_name"]
            .as_str()
            .unwrap()
            .starts_with("申请人")
    );
    assert!(
        line["case"]["display_number"]
            .as_str()
            .unwrap()
            .starts_with("WJ ")
    );
    assert_eq!(line["case"]["department_id"], dept);
    // Nothing is assigned to the clerk yet: their own desk is empty.
    let mine = app.get("/api/v1/desk?mine=true", &clerk).await;
    let mine = mine.expect(200, None);
    assert_eq!(mine["lines"], json!([]));

    // An application not yet confirmed received has no due date: it sorts after the 200
    // and is read apart, so the desk is still whole.
    let mut online = body(300);
    online["channel"] = json!("online");
    online["received_on"] = json!(null);
    let pending = app.post("/api/v1/cases", &clerk, online).await;
    let pending_id = pending.expect(201, None)["id"].as_i64().unwrap();
    let desk = app.get("/api/v1/desk", &clerk).await;
    let desk = desk.expect(200, None);
    assert_eq!(desk["truncated"], false, "{}", desk["counts"]);
    assert_eq!(desk["unconfirmed"][0]["id"], pending_id);
    assert_eq!(desk["counts"]["partial"]["open"], false);

    // Another office's case is not on this desk.
    let other = office(&app, "WK").await;
    let other_clerk = app.login("clerk_WK", USER_PASSWORD).await;
    let theirs = app
        .post(
            "/api/v1/cases",
            &other_clerk,
            intake(other, "in_person", "2026-11-02", Some("2026-11-02")),
        )
        .await;
    let theirs = theirs.expect(201, None)["id"].clone();
    let desk = app.get("/api/v1/desk", &clerk).await;
    let desk = desk.expect(200, None);
    assert!(
        desk["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["case"]["id"] != theirs),
        "another office's case on the desk"
    );

    app.post("/api/v1/cases", &clerk, body(200))
        .await
        .expect(201, None);
    let desk = app.get("/api/v1/desk", &clerk).await;
    let desk = desk.expect(200, None);
    assert_eq!(desk["lines"].as_array().unwrap().len(), 200);
    assert_eq!(desk["truncated"], true);
    assert_eq!(desk["counts"]["partial"]["open"], true);

    app.get("/api/v1/desk?mine=perhaps", &clerk)
        .await
        .expect(400, None);
    let (_, auditor) = app.user("auditor_WJ", "auditor", None).await;
    app.get("/api/v1/desk", &auditor).await.expect(403, None);
}

/// The desk keeps what it derived of each line for the day: a case changed since is
/// derived again (its version moved), so the desk never shows what a case was.
#[actix_web::test]
async fn the_desk_shows_a_case_as_it_is_after_a_change() {
    use crate::cases::event;
    use serde_json::json;
    let app = spawn_app().await;
    let (clerk, case, b) = one_case_desk(&app, "WE", "2026-11-20").await;
    let id = case.body["id"].as_i64().unwrap();
    let line = |html: &str| line_of(html, id);
    let (_, before, _) = b.get("/").await;
    assert!(line(&before).contains("剩余"), "{}", line(&before));
    let correction = json!({"type": "correction_requested", "date": "2026-11-20",
        "items": ["申请人身份证明"], "respond_by": "2026-12-04"});
    event(&app, &clerk, &case, correction)
        .await
        .expect(201, None);
    let (_, after, _) = b.get("/").await;
    let after = line(&after);
    assert!(
        after.contains("等待申请人补正（补正期限 2026-12-04）"),
        "{after}"
    );
    assert!(after.contains("暂停计时"), "{after}");
}

/// A 补正 requested after its 7 working days does not stop the clock (Art. 30): the desk
/// counts the case by its due date — here overdue — and still says what it waits on.
#[actix_web::test]
async fn a_late_correction_keeps_its_due_date_on_the_desk() {
    use crate::cases::event;
    use serde_json::json;
    let app = spawn_app().await;
    let (clerk, case, b) = one_case_desk(&app, "WF", "2026-10-09").await;
    let id = case.body["id"].as_i64().unwrap();
    let late = json!({"type": "correction_requested", "date": "2026-10-30",
        "items": ["申请人身份证明"], "respond_by": "2026-11-30"});
    let late = event(&app, &clerk, &case, late).await;
    late.expect(201, None);
    let view = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
    let view = view.expect(200, None);
    assert_eq!(view["status"], "awaiting_correction");
    assert!(view["flags"]["overdue"].as_bool().unwrap(), "{view}");

    let (_, html, _) = b.get("/").await;
    assert!(html.contains("<b>1</b>已逾期"), "{html}");
    assert!(html.contains("<b>0</b>等待申请人或第三方"), "{html}");
    let row = line_of(&html, id);
    assert!(row.starts_with("<tr class=\"overdue\""), "{row}");
    assert!(row.contains("等待申请人补正"), "{row}");
}

/// An office with one clerk and one case received in person on `received`: the clerk's
/// token, the case as created, and the clerk signed in to the pages.
async fn one_case_desk(
    app: &TestApp,
    code: &str,
    received: &str,
) -> (String, crate::helpers::Resp, Browser) {
    use crate::cases::{create, intake};
    let dept = office(app, code).await;
    let clerk = app.login(&format!("clerk_{code}"), USER_PASSWORD).await;
    let case = create(
        app,
        &clerk,
        intake(dept, "in_person", received, Some(received)),
    )
    .await;
    case.expect(201, None);
    let b = Browser::login(app, &format!("clerk_{code}")).await;
    (clerk, case, b)
}

/// The desk's table row of a case.
fn line_of(html: &str, id: i64) -> String {
    let at = html
        .find(&format!("href=\"/cases/{id}\""))
        .expect("the case's line");
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    html[start..end].to_owned()
}

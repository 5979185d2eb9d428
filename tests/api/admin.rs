//! The administrators' doors: the calendar import preview over JSON, and the admin pages
//! over plain HTTP (departments, users, calendars, outbox) — what they refuse, what a
//! rejected or stale form keeps, and that each change is the API's.

use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, TestApp, USER_PASSWORD, spawn_app};

/// Guangxi 2026 as bundled, but the 三月三 break moved one day later (04-18..04-21
/// instead of 04-17..04-20).
pub fn guangxi_2026_moved() -> Value {
    let days: Vec<Value> = ["2026-04-18", "2026-04-19", "2026-04-20", "2026-04-21"]
        .iter()
        .map(|d| json!({"date": d, "name": "壮族三月三"}))
        .collect();
    json!({"region": "450000", "name": "广西壮族自治区", "source": "桂政办发〔2026〕更正通知",
           "years": {"2026": {"holidays": days, "workdays": []}}})
}

async fn register(app: &TestApp, token: &str, dept: i64, received: &str) -> Value {
    let r = app
        .post(
            "/api/v1/cases",
            token,
            json!({"department_id": dept, "applicant": {"type": "natural_person", "name": "李四"},
                   "channel": "in_person", "submitted_on": received, "received_on": received,
                   "items": [{"description": "某片区控制性详细规划"}]}),
        )
        .await;
    r.expect(201, None).clone()
}

#[actix_web::test]
async fn a_preview_shows_the_changed_days_and_the_moving_cases_and_writes_nothing() {
    let app = spawn_app().await;
    let gx = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let bj = app
        .department("北京市某区政府", "京某信复", None, "110105")
        .await;
    let (_, gx_clerk) = app.user("clerk_gx", "clerk", Some(gx)).await;
    let (_, bj_clerk) = app.user("clerk_bj", "clerk", Some(bj)).await;
    // Received Thu 2026-03-19: the 20th working day is Tue 04-21 with 04-17 and 04-20 off
    // in Guangxi; with the break moved to 04-18..04-21 it is Fri 04-17.
    let moving = register(&app, &gx_clerk, gx, "2026-03-19").await;
    assert_eq!(moving["due_on"], "2026-04-21");
    let elsewhere = register(&app, &bj_clerk, bj, "2026-03-19").await;
    let path = "/api/v1/calendars/450100/2026/preview";
    let preview = |token: String, body: Value| {
        let app = &app;
        async move {
            app.request(Method::POST, path, Some(&token), Some(body), &[])
                .await
        }
    };

    preview(gx_clerk.clone(), guangxi_2026_moved())
        .await
        .expect(403, Some("forbidden"));
    let mut bad = guangxi_2026_moved();
    bad["years"]["2026"]["workdays"] = json!([{"date": "2026-04-22", "name": "周三不是调休"}]);
    let r = preview(app.admin_token.clone(), bad).await;
    assert!(
        r.expect(422, Some("validation_failed"))["fields"]
            .as_object()
            .unwrap()
            .contains_key("years.2026.2026-04-22"),
        "{:?}",
        r.body
    );

    let r = preview(app.admin_token.clone(), guangxi_2026_moved()).await;
    let p = r.expect(200, None).clone();
    assert_eq!(
        (p["layer"].as_str(), p["year"].as_i64()),
        (Some("450000"), Some(2026))
    );
    assert_eq!(p["current_version"], 0);
    assert_eq!(p["year_was_loaded"], true);
    let dates = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["date"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(dates(&p["diff"]["added"]), ["2026-04-21"]);
    assert_eq!(dates(&p["diff"]["removed"]), ["2026-04-17"]);
    assert_eq!(p["diff"]["removed"][0]["kind"], "holiday");
    assert_eq!(p["diff"]["renamed"], json!([]));
    assert_eq!(
        p["moved_cases"],
        json!([{"case_id": moving["id"], "case_number": moving["case_number"],
                "old_due_on": "2026-04-21", "new_due_on": "2026-04-17"}])
    );

    // Nothing was written: the case keeps its date and version, no import exists.
    let now = app
        .get(&format!("/api/v1/cases/{}", moving["id"]), &gx_clerk)
        .await;
    assert_eq!(now.expect(200, None)["due_on"], "2026-04-21");
    assert_eq!(now.body["version"], moving["version"]);
    let list = app.get("/api/v1/calendars", &app.admin_token).await;
    assert_eq!(list.body["layers"][1]["imports"], json!([]));

    // The import of the same body reports what the preview said, and then previewing it
    // again shows nothing left to change.
    let put = app
        .request(
            Method::PUT,
            "/api/v1/calendars/450100/2026",
            Some(&app.admin_token),
            Some(guangxi_2026_moved()),
            &[],
        )
        .await;
    assert_eq!(put.expect(201, None)["moved_cases"], p["moved_cases"]);
    let again = preview(app.admin_token.clone(), guangxi_2026_moved()).await;
    let again = again.expect(200, None);
    assert_eq!(again["current_version"], 1);
    assert_eq!(again["diff"]["added"], json!([]));
    assert_eq!(again["moved_cases"], json!([]));
    let other = app
        .get(&format!("/api/v1/cases/{}", elsewhere["id"]), &bj_clerk)
        .await;
    assert_eq!(other.body["due_on"], elsewhere["due_on"]);
}

/// A browser without JavaScript: one session cookie, no redirects followed.
struct Session {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

fn version_of(html: &str) -> String {
    let at = html
        .find("name=\"version\" value=\"")
        .expect("a version field")
        + 22;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

impl Session {
    async fn login(app: &TestApp, username: &str, password: &str) -> Session {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        let cookie = |r: &reqwest::Response, name: &str| {
            r.headers()
                .get_all(SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with(&format!("{name}=")))
                .map(|c| c.split(';').next().unwrap().to_owned())
        };
        let login_cookie = cookie(&r, "ogi_login").unwrap();
        let csrf = csrf_of(&r.text().await.unwrap());
        let r = client
            .post(format!("{}/login", app.base))
            .header("cookie", login_cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {username}");
        Session {
            cookie: cookie(&r, "ogi_session").unwrap(),
            client,
            base: app.base.clone(),
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap();
        let location = r
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (r.status(), location, r.text().await.unwrap())
    }
}

#[actix_web::test]
async fn departments_are_created_and_edited_and_a_stale_form_keeps_its_input() {
    let app = spawn_app().await;
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let admin = Session::login(&app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = admin.get("/admin/departments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("南宁市人民政府") && html.contains("南宁市中级人民法院"));
    let csrf = csrf_of(&html);
    let parent = gov.to_string();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("name", "南宁市交通运输局"),
        ("code", "南府信复"),
        ("parent_id", parent.as_str()),
        ("kind", "department"),
        ("level", "city"),
        ("region", "450100"),
        ("reconsideration_organ.name", ""),
        ("reconsideration_organ.address", "南宁市民族大道1号"),
        ("court.name", "南宁铁路运输法院"),
        ("court.designated", "on"),
        ("fee_pauses_clock", "on"),
    ];
    // A taken code and an organ address without a name: refused, everything typed kept.
    let (status, _, page) = admin.post("/admin/departments", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("南宁市民族大道1号") && page.contains("南宁铁路运输法院"));
    assert!(
        page.contains("reconsideration_organ.name-err"),
        "the field is named"
    );
    form[7] = ("reconsideration_organ.name", "南宁市人民政府");
    let (status, _, page) = admin.post("/admin/departments", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("机关代字已被其他机关使用"), "{page}");
    form[2] = ("code", "南交信复");
    let (status, location, _) = admin.post("/admin/departments", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = location.rsplit('=').next().unwrap().parse().unwrap();
    let got = app
        .get(&format!("/api/v1/departments/{id}"), &app.admin_token)
        .await;
    let d = got.expect(200, None).clone();
    assert_eq!(d["parent_id"], gov);
    assert_eq!(d["court"]["designated"], true);
    assert_eq!(d["regional_holidays"], false, "an unticked box is off");
    assert_eq!(d["fee_pauses_clock"], true);

    // The edit form is filled against version 1; someone changes the department meanwhile.
    let (_, html) = admin.get(&format!("/admin/departments/{id}")).await;
    assert_eq!(version_of(&html), "1");
    app.patch(
        &format!("/api/v1/departments/{id}"),
        &app.admin_token,
        &got.etag(),
        json!({"phone": "0771-5555555"}),
    )
    .await
    .expect(200, None);
    let mut edit: Vec<(&str, &str)> = form.clone();
    edit[0] = ("csrf", &csrf);
    edit.push(("version", "1"));
    edit[1] = ("name", "南宁市交通运输局（改）");
    let (status, _, page) = admin.post(&format!("/admin/departments/{id}"), &edit).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert!(page.contains("其他人已修改并保存"), "{page}");
    assert!(page.contains("南宁市交通运输局（改）"), "typed name kept");
    assert!(page.contains("当前保存的内容"));
    assert_eq!(
        version_of(&page),
        "2",
        "saving again is a knowing overwrite"
    );
    edit.pop();
    edit.push(("version", "2"));
    let (status, _, _) = admin.post(&format!("/admin/departments/{id}"), &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = app
        .get(&format!("/api/v1/departments/{id}"), &app.admin_token)
        .await;
    assert_eq!(after.body["name"], "南宁市交通运输局（改）");
    assert_eq!(
        after.body["phone"],
        Value::Null,
        "the form's blank phone replaced it"
    );

    // Only administrators: a clerk is refused the page and the form.
    app.user("clerk_x", "clerk", Some(gov)).await;
    let clerk = Session::login(&app, "clerk_x", USER_PASSWORD).await;
    let (status, _) = clerk.get("/admin/departments").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, desk) = clerk.get("/").await;
    let (status, _, _) = clerk
        .post(
            "/admin/departments",
            &[("csrf", &csrf_of(&desk)), ("name", "X")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn users_are_created_changed_reset_and_deactivated() {
    let app = spawn_app().await;
    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let admin = Session::login(&app, "admin", ADMIN_PASSWORD).await;
    let (_, html) = admin.get("/admin/users").await;
    let csrf = csrf_of(&html);
    let dept = gov.to_string();

    // A clerk without a department is refused, with what was typed kept.
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("username", "wang.wu"),
        ("display_name", "王五"),
        ("email", "wangwu@example.gov.cn"),
        ("role", "clerk"),
        ("department_id", ""),
        ("password", ""),
    ];
    let (status, _, page) = admin.post("/admin/users", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("承办人和监督人员必须隶属于一个机关"));
    assert!(page.contains("wangwu@example.gov.cn"));
    form[5] = ("department_id", &dept);
    let (status, _, page) = admin.post("/admin/users", &form).await;
    assert_eq!(status, StatusCode::CREATED);
    // The generated password is shown once, and it works.
    let at = page.find("class=\"secret\">").expect("the password shown") + 15;
    let generated = page[at..].split('<').next().unwrap().to_owned();
    assert!(generated.len() >= 12, "{generated}");
    app.login("wang.wu", &generated).await;
    let users = app.get("/api/v1/users", &app.admin_token).await;
    let created = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wang.wu")
        .unwrap()
        .clone();
    let id = created["id"].as_i64().unwrap();
    let (_, listed) = admin.get("/admin/users").await;
    assert!(listed.contains("南宁市人民政府") && !listed.contains(&generated));

    // Role and department: the clerk's old token dies with the change.
    let token = app.login("wang.wu", &generated).await;
    let (_, html) = admin.get(&format!("/admin/users/{id}")).await;
    let v = version_of(&html);
    let (status, location, _) = admin
        .post(
            &format!("/admin/users/{id}"),
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("display_name", "王五"),
                ("email", "wangwu@example.gov.cn"),
                ("role", "supervisor"),
                ("department_id", &dept),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/admin/users/{id}?done=saved"));
    app.get("/api/v1/me", &token)
        .await
        .expect(401, Some("unauthenticated"));

    // A stale form (the old version) is refused and keeps the input.
    let (status, _, page) = admin
        .post(
            &format!("/admin/users/{id}"),
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("display_name", "王五（已调岗）"),
                ("role", "supervisor"),
                ("department_id", &dept),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert!(page.contains("王五（已调岗）") && page.contains("其他人已修改并保存"));

    // A typed password is set and not echoed; a weak one is refused by name.
    let (_, html) = admin.get(&format!("/admin/users/{id}")).await;
    let v = version_of(&html);
    let path = format!("/admin/users/{id}/password");
    let (status, _, page) = admin
        .post(
            &path,
            &[("csrf", &csrf), ("version", &v), ("password", "123")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("class=\"err\""));
    let (status, _, page) = admin
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("password", USER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("密码已重置") && !page.contains(USER_PASSWORD));
    app.login("wang.wu", USER_PASSWORD).await;

    // Deactivated: no more sign-in.
    let (_, html) = admin.get(&format!("/admin/users/{id}")).await;
    let v = version_of(&html);
    let (status, location, _) = admin
        .post(
            &format!("/admin/users/{id}/active"),
            &[("csrf", &csrf), ("version", &v), ("active", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("done=deactivated"));
    app.request(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"username": "wang.wu", "password": USER_PASSWORD})),
        &[],
    )
    .await
    .expect(403, Some("account_disabled"));
    let (_, page) = admin.get("/admin/users").await;
    assert!(page.contains("已停用"));
}

#[actix_web::test]
async fn the_calendar_page_shows_month_grids_and_imports_only_after_a_preview() {
    let app = spawn_app().await;
    let gx = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let (_, clerk) = app.user("clerk_gx", "clerk", Some(gx)).await;
    let case = register(&app, &clerk, gx, "2026-03-19").await;
    let admin = Session::login(&app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = admin.get("/admin/calendars?layer=450000&year=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<table class=\"cal\">").count(), 12);
    // April 2026 starts on a Wednesday: two blank cells before the 1st.
    let april = &html[html.find("id=\"m4\"").unwrap()..html.find("id=\"m5\"").unwrap()];
    assert!(
        april.contains(
            "<tr><td class=\"pad\"></td><td class=\"pad\"></td><td class=\"weekday\">1</td>"
        ),
        "{april}"
    );
    assert!(april.contains("17–20日 壮族三月三"), "{april}");
    assert!(
        april.contains("4–6日 清明节"),
        "national days show in the regional layer"
    );
    assert!(html.contains("class=\"holiday regional\""));

    let csrf = csrf_of(&html);
    let body = guangxi_2026_moved().to_string();
    // A malformed paste is named, kept, and nothing is imported.
    let (status, _, page) = admin
        .post(
            "/admin/calendars/preview",
            &[
                ("csrf", &csrf),
                ("layer", "450000"),
                ("year", "2026"),
                ("body", "{\"source\": "),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("JSON 无法解析") && page.contains("{&quot;source&quot;: "));
    let (status, _, page) = admin
        .post(
            "/admin/calendars/preview",
            &[
                ("csrf", &csrf),
                ("layer", "450000"),
                ("year", "2026"),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2026-04-21（周二）") && page.contains("2026-04-17（周五）"));
    assert!(page.contains(&format!("id=\"moved-{}\"", case["id"])));
    let unchanged = app
        .get(&format!("/api/v1/cases/{}", case["id"]), &clerk)
        .await;
    assert_eq!(unchanged.body["due_on"], "2026-04-21");

    let (status, location, _) = admin
        .post(
            "/admin/calendars/import",
            &[
                ("csrf", &csrf),
                ("layer", "450000"),
                ("year", "2026"),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        "/admin/calendars?layer=450000&year=2026&imported=1&moved=1"
    );
    let (_, page) = admin.get(&location).await;
    assert!(page.contains("已导入第1版") && page.contains("18–21日 壮族三月三"));
    let moved = app
        .get(&format!("/api/v1/cases/{}", case["id"]), &clerk)
        .await;
    assert_eq!(moved.body["due_on"], "2026-04-17");

    // Clerks may look at the calendar but not import.
    let c = Session::login(&app, "clerk_gx", USER_PASSWORD).await;
    let (status, html) = c.get("/admin/calendars").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = c
        .post(
            "/admin/calendars/preview",
            &[
                ("csrf", &csrf_of(&html)),
                ("layer", "450000"),
                ("year", "2026"),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn the_outbox_lists_mails_by_status_and_retries_a_failed_one() {
    let app = spawn_app().await;
    let mut conn = app.pool.get().unwrap();
    for (kind, to) in [
        ("overdue_digest", "a@example.cn"),
        ("acknowledgement", "b@example.cn"),
    ] {
        let mail = ogi_tracker::store::outbox::NewMail {
            kind: kind.into(),
            case_id: None,
            ref_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            recipient: to.into(),
            subject: format!("主题 {kind}"),
            body: "正文".into(),
        };
        ogi_tracker::store::outbox::enqueue(&mut conn, &mail).unwrap();
    }
    let all = ogi_tracker::store::outbox::list(&mut conn, None, 10).unwrap();
    let failed = all
        .iter()
        .find(|m| m.recipient == "a@example.cn")
        .unwrap()
        .id;
    ogi_tracker::store::outbox::mark_failed(&mut conn, failed, "550 mailbox unavailable", None)
        .unwrap();
    drop(conn);

    let admin = Session::login(&app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = admin.get("/admin/outbox?status=failed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("a@example.cn") && html.contains("550 mailbox unavailable"));
    assert!(!html.contains("b@example.cn"), "filtered by status");
    assert!(html.contains("未配置发信服务器"));
    let (_, all) = admin.get("/admin/outbox").await;
    assert!(all.contains("a@example.cn") && all.contains("b@example.cn"));
    let (status, _) = admin.get("/admin/outbox?status=lost").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let csrf = csrf_of(&html);
    let path = format!("/admin/outbox/{failed}/retry");
    let (status, location, _) = admin.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/admin/outbox?retried={failed}"));
    let api = app
        .get("/api/v1/outbox?status=pending", &app.admin_token)
        .await;
    assert_eq!(api.body["items"].as_array().unwrap().len(), 2);
    // A second retry is refused on the page, in words.
    let (status, _, page) = admin.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("只有发送失败的邮件可以重试"));
}

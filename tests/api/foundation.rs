//! Health, errors, login and tokens, departments, users and the access rules.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, USER_PASSWORD, spawn_app};

#[actix_web::test]
async fn health_endpoints_and_request_ids() {
    let app = spawn_app().await;
    let live = app
        .request(Method::GET, "/health/live", None, None, &[])
        .await;
    live.expect(200, None);
    let ready = app
        .request(Method::GET, "/health/ready", None, None, &[])
        .await;
    assert_eq!(ready.expect(200, None)["status"], "ready");
    assert!(ready.headers.contains_key("x-request-id"));
}

#[actix_web::test]
async fn errors_have_one_shape() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    app.get("/api/v1/nothing-here", &t)
        .await
        .expect(404, Some("not_found"));
    app.request(Method::DELETE, "/api/v1/me", Some(&t), None, &[])
        .await
        .expect(405, Some("method_not_allowed"));
    let r = app
        .request(
            Method::POST,
            "/api/v1/departments",
            Some(&t),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    r.expect(400, Some("invalid_json"));
    let broken = app
        .client
        .post(format!("{}/api/v1/departments", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status().as_u16(), 400);
    let wrong_type = app
        .post("/api/v1/departments", &t, json!({"name": 5}))
        .await;
    wrong_type.expect(422, Some("invalid_body"));
    let unknown_field = app
        .post("/api/v1/departments", &t, json!({"nmae": "x"}))
        .await;
    unknown_field.expect(422, Some("invalid_body"));
    app.get("/api/v1/departments/abc", &t)
        .await
        .expect(404, Some("not_found"));
}

#[actix_web::test]
async fn login_tokens_and_me() {
    let app = spawn_app().await;
    let me = app.get("/api/v1/me", &app.admin_token).await;
    assert_eq!(me.expect(200, None)["username"], "admin");
    assert_eq!(me.body["role"], "admin");
    assert!(me.body.get("password_hash").is_none());

    let anon = app
        .request(Method::GET, "/api/v1/me", None, None, &[])
        .await;
    anon.expect(401, Some("unauthenticated"));
    app.get("/api/v1/me", "not-a-token")
        .await
        .expect(401, Some("unauthenticated"));

    let login = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            &[],
        )
        .await;
    let body = login.expect(200, None);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);

    for bad in [
        json!({"username": "admin", "password": "wrong-password"}),
        json!({"username": "ghost", "password": "x"}),
    ] {
        let r = app
            .request(Method::POST, "/api/v1/auth/login", None, Some(bad), &[])
            .await;
        r.expect(401, Some("unauthenticated"));
    }
}

#[actix_web::test]
async fn repeated_failed_logins_are_slowed_down() {
    let app = spawn_app().await;
    let attempt = |pw: &'static str| {
        app.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": pw})),
            &[],
        )
    };
    for _ in 0..5 {
        attempt("wrong-password").await.expect(401, None);
    }
    // The sixth attempt within the back-off window is refused even with the right password.
    let r = attempt(ADMIN_PASSWORD).await;
    r.expect(429, Some("too_many_attempts"));
    assert!(r.headers.contains_key("retry-after"));
}

#[actix_web::test]
async fn disabling_a_user_or_changing_the_password_revokes_tokens() {
    let app = spawn_app().await;
    let dept = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let (clerk_id, clerk) = app.user("clerk1", "clerk", Some(dept)).await;
    app.get("/api/v1/me", &clerk).await.expect(200, None);

    let users = app.get("/api/v1/users", &app.admin_token).await;
    let v = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == clerk_id)
        .unwrap()["version"]
        .to_string();
    let changed = app
        .patch(
            &format!("/api/v1/users/{clerk_id}"),
            &app.admin_token,
            &format!("\"{v}\""),
            json!({"password": "a-brand-new-password"}),
        )
        .await;
    changed.expect(200, None);
    app.get("/api/v1/me", &clerk)
        .await
        .expect(401, Some("unauthenticated"));
    let clerk = app.login("clerk1", "a-brand-new-password").await;
    app.get("/api/v1/me", &clerk).await.expect(200, None);

    let disabled = app
        .patch(
            &format!("/api/v1/users/{clerk_id}"),
            &app.admin_token,
            &changed.etag(),
            json!({"active": false}),
        )
        .await;
    assert_eq!(disabled.expect(200, None)["active"], false);
    app.get("/api/v1/me", &clerk)
        .await
        .expect(401, Some("unauthenticated"));
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "clerk1", "password": "a-brand-new-password"})),
            &[],
        )
        .await;
    r.expect(403, Some("account_disabled"));
}

#[actix_web::test]
async fn departments_crud_with_validation_and_concurrency() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let r = app
        .post(
            "/api/v1/departments",
            &t,
            json!({"name": "", "kind": "ministry", "level": "city", "region": "4501"}),
        )
        .await;
    let fields = &r.expect(422, Some("validation_failed"))["fields"];
    for f in ["name", "code", "kind", "region"] {
        assert!(fields.get(f).is_some(), "{f} in {fields}");
    }

    let gov = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let dup = app
        .post("/api/v1/departments", &t, json!({"name": "另一个", "code": "南府信复", "kind": "government", "level": "city", "region": "450100"}))
        .await;
    dup.expect(409, Some("department_code_taken"));
    let orphan = app
        .post("/api/v1/departments", &t, json!({"name": "某局", "code": "某局", "kind": "department", "level": "city", "region": "450100", "parent_id": 9999}))
        .await;
    assert!(orphan.expect(422, Some("validation_failed"))["fields"]["parent_id"].is_string());

    let transport = app
        .department("南宁市交通运输局", "南交信复", Some(gov), "450100")
        .await;
    let got = app
        .get(&format!("/api/v1/departments/{transport}"), &t)
        .await;
    let body = got.expect(200, None);
    assert_eq!(body["parent_id"], gov);
    assert_eq!(body["court"]["name"], "南宁市中级人民法院");
    assert_eq!(got.etag(), "\"1\"");

    let path = format!("/api/v1/departments/{transport}");
    let no_if_match = app
        .request(
            Method::PATCH,
            &path,
            Some(&t),
            Some(json!({"phone": "0771-2"})),
            &[],
        )
        .await;
    no_if_match.expect(428, Some("if_match_required"));
    let ok = app
        .patch(
            &path,
            &t,
            "\"1\"",
            json!({"phone": "0771-2", "court": null}),
        )
        .await;
    assert_eq!(ok.expect(200, None)["phone"], "0771-2");
    assert!(ok.body["court"].is_null());
    assert_eq!(ok.body["name"], "南宁市交通运输局");
    assert_eq!(ok.etag(), "\"2\"");
    // A second writer still holding version 1 changes nothing.
    let stale = app
        .patch(&path, &t, "\"1\"", json!({"phone": "0771-3"}))
        .await;
    stale.expect(412, Some("stale_version"));
    assert_eq!(app.get(&path, &t).await.body["phone"], "0771-2");
    // No loops in the tree.
    let cycle = app
        .patch(
            &format!("/api/v1/departments/{gov}"),
            &t,
            "\"1\"",
            json!({"parent_id": transport}),
        )
        .await;
    cycle.expect(422, Some("validation_failed"));
    app.get("/api/v1/departments/424242", &t)
        .await
        .expect(404, Some("not_found"));
}

#[actix_web::test]
async fn access_rules_scope_every_read() {
    let app = spawn_app().await;
    let (gov, a) = app.city_and_bureau().await;
    let b = app
        .department("南宁市教育局", "南教信复", Some(gov), "450100")
        .await;
    let other = app
        .department("柳州市人民政府", "柳府信复", None, "450200")
        .await;
    let (_, clerk_a) = app.user("clerk_a", "clerk", Some(a)).await;
    let (_, sup) = app.user("sup_gov", "supervisor", Some(gov)).await;
    let (_, auditor) = app.user("auditor1", "auditor", None).await;

    // A clerk sees its own department only; others are "not found", not "forbidden".
    app.get(&format!("/api/v1/departments/{a}"), &clerk_a)
        .await
        .expect(200, None);
    app.get(&format!("/api/v1/departments/{b}"), &clerk_a)
        .await
        .expect(404, Some("not_found"));
    app.get(&format!("/api/v1/departments/{gov}"), &clerk_a)
        .await
        .expect(404, Some("not_found"));
    let listed = app.get("/api/v1/departments", &clerk_a).await;
    let ids: Vec<i64> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a]);

    // A supervisor sees its department and everything below it.
    let listed = app.get("/api/v1/departments", &sup).await;
    let mut ids: Vec<i64> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![gov, a, b]);
    app.get(&format!("/api/v1/departments/{other}"), &sup)
        .await
        .expect(404, Some("not_found"));

    // Auditors see no organisation data; only admins manage.
    app.get("/api/v1/departments", &auditor)
        .await
        .expect(403, Some("forbidden"));
    app.get("/api/v1/users", &sup)
        .await
        .expect(403, Some("forbidden"));
    app.post("/api/v1/departments", &clerk_a, json!({"name": "x"}))
        .await
        .expect(403, Some("forbidden"));
    app.patch(
        &format!("/api/v1/departments/{a}"),
        &clerk_a,
        "\"1\"",
        json!({"phone": "1"}),
    )
    .await
    .expect(403, Some("forbidden"));
}

#[actix_web::test]
async fn user_rules() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let dept = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let no_dept = app
        .post("/api/v1/users", &t, json!({"username": "c01", "display_name": "张三", "role": "clerk", "password": USER_PASSWORD}))
        .await;
    assert!(no_dept.expect(422, Some("validation_failed"))["fields"]["department_id"].is_string());
    let bad = app
        .post("/api/v1/users", &t, json!({"username": "a b", "display_name": "", "role": "boss", "password": "short", "email": "nope"}))
        .await;
    let fields = &bad.expect(422, Some("validation_failed"))["fields"];
    for f in ["username", "display_name", "role", "password", "email"] {
        assert!(fields.get(f).is_some(), "{f} in {fields}");
    }
    let created = app
        .post("/api/v1/users", &t, json!({"username": "c01", "display_name": "张三", "role": "clerk", "department_id": dept, "password": USER_PASSWORD, "email": "c1@example.gov.cn"}))
        .await;
    assert_eq!(created.expect(201, None)["department_id"], dept);
    let again = app
        .post("/api/v1/users", &t, json!({"username": "c01", "display_name": "李四", "role": "auditor", "password": USER_PASSWORD}))
        .await;
    again.expect(409, Some("username_taken"));
    let me = app.get("/api/v1/me", &t).await;
    let admin_id = me.body["id"].as_i64().unwrap();
    let self_disable = app
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            &t,
            &format!("\"{}\"", me.body["version"]),
            json!({"active": false}),
        )
        .await;
    self_disable.expect(422, Some("validation_failed"));
}

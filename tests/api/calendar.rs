//! Working-day queries, the calendar listing, and admin imports of a year.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn year_2094() -> Value {
    json!({
        "source": "国务院办公厅关于2094年部分节假日安排的通知（测试数据）",
        "years": {"2094": {
            "holidays": [
                {"date": "2094-01-01", "name": "元旦"},
                {"date": "2094-02-05", "name": "春节"}, {"date": "2094-02-06", "name": "春节"},
                {"date": "2094-02-07", "name": "春节"}, {"date": "2094-02-08", "name": "春节"},
                {"date": "2094-02-09", "name": "春节"}, {"date": "2094-02-10", "name": "春节"},
                {"date": "2094-02-11", "name": "春节"}
            ],
            "workdays": [{"date": "2094-02-13", "name": "春节调休"}]
        }}
    })
}

#[actix_web::test]
async fn working_day_arithmetic_on_each_calendar() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let r = app
        .get(
            "/api/v1/calendar/add-working-days?from=2024-09-27&days=20",
            &t,
        )
        .await;
    let body = r.expect(200, None);
    assert_eq!(body["date"], "2024-10-30");
    assert_eq!(body["provisional"], false);

    // 补正 restart example of RULES.md: Guangxi rests on 三月三 (03-31, 04-01).
    let gx = app
        .get(
            "/api/v1/calendar/add-working-days?from=2025-03-20&days=20&region=450100",
            &t,
        )
        .await;
    assert_eq!(gx.expect(200, None)["date"], "2025-04-22");
    let cn = app
        .get(
            "/api/v1/calendar/add-working-days?from=2025-03-20&days=20",
            &t,
        )
        .await;
    assert_eq!(cn.expect(200, None)["date"], "2025-04-18");

    // 2017-04-01 is a national make-up working day but a Guangxi rest day.
    let gx = app
        .get(
            "/api/v1/calendar/working-days?from=2017-03-31&to=2017-04-01&region=450000",
            &t,
        )
        .await;
    assert_eq!(gx.expect(200, None)["working_days"], 0);
    let cn = app
        .get(
            "/api/v1/calendar/working-days?from=2017-03-31&to=2017-04-01",
            &t,
        )
        .await;
    assert_eq!(cn.expect(200, None)["working_days"], 1);

    // No 2094 data: flagged, never silently guessed.
    let p = app
        .get(
            "/api/v1/calendar/add-working-days?from=2093-12-20&days=20",
            &t,
        )
        .await;
    let body = p.expect(200, None);
    assert_eq!(body["provisional"], true);
    assert!(
        body["provisional_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("2094"))
    );

    app.get(
        "/api/v1/calendar/add-working-days?from=2093-12-20&days=20&region=4501",
        &t,
    )
    .await
    .expect(422, Some("validation_failed"));
    app.get(
        "/api/v1/calendar/add-working-days?from=2093-13-01&days=20",
        &t,
    )
    .await
    .expect(400, Some("invalid_query"));
    app.get(
        "/api/v1/calendar/add-working-days?from=2093-01-01&days=999999",
        &t,
    )
    .await
    .expect(422, Some("validation_failed"));
    app.get(
        "/api/v1/calendar/working-days?from=1990-01-01&to=2093-01-01",
        &t,
    )
    .await
    .expect(422, Some("date_out_of_range"));
    app.request(
        Method::GET,
        "/api/v1/calendar/working-days?from=2093-01-01&to=2093-02-01",
        None,
        None,
        &[],
    )
    .await
    .expect(401, Some("unauthenticated"));
}

#[actix_web::test]
async fn calendars_are_listed_and_readable() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let list = app.get("/api/v1/calendars", &t).await;
    let layers = list.expect(200, None)["layers"].as_array().unwrap().clone();
    let keys: Vec<&str> = layers
        .iter()
        .map(|l| l["layer"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["national", "450000", "650000"]);
    assert_eq!(layers[0]["years"].as_array().unwrap().len(), 20);
    assert_eq!(layers[1]["since"], 2014);

    let y = app.get("/api/v1/calendars/national/2024", &t).await;
    let body = y.expect(200, None);
    assert_eq!(body["origin"], "bundled");
    let holidays = body["years"]["2024"]["holidays"].as_array().unwrap();
    assert!(holidays.iter().any(|h| h["date"] == "2024-02-10"));
    let gx = app.get("/api/v1/calendars/450100/2017", &t).await;
    assert_eq!(gx.expect(200, None)["layer"], "450000");
    assert!(
        gx.body["years"]["2017"]["workdays"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["date"] == "2017-04-08")
    );
    app.get("/api/v1/calendars/national/2094", &t)
        .await
        .expect(404, Some("calendar_year_not_loaded"));
    app.get("/api/v1/calendars/110000/2024", &t)
        .await
        .expect(404, Some("calendar_year_not_loaded"));
}

#[actix_web::test]
async fn admins_import_a_year_and_it_takes_effect() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let dept = app
        .department("南宁市人民政府", "南府信复", None, "450100")
        .await;
    let (_, clerk) = app.user("clerk1", "clerk", Some(dept)).await;
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            app.request(
                Method::PUT,
                "/api/v1/calendars/national/2094",
                Some(&token),
                Some(body),
                &[],
            )
            .await
        }
    };
    put(clerk.clone(), year_2094())
        .await
        .expect(403, Some("forbidden"));

    let mut bad = year_2094();
    bad["years"]["2094"]["workdays"] = json!([{"date": "2094-02-12", "name": "周五不是调休"}, {"date": "2093-12-31", "name": "跨年"}]);
    bad["source"] = json!("");
    let r = put(t.clone(), bad).await;
    let fields = r.expect(422, Some("validation_failed"))["fields"]
        .as_object()
        .unwrap()
        .clone();
    assert!(fields.contains_key("source"));
    assert!(fields.contains_key("years.2094.2094-02-12"), "{fields:?}");
    assert!(fields.contains_key("years.2094.2093-12-31"), "{fields:?}");
    let mut wrong_year = year_2094();
    wrong_year["years"] = json!({"2095": wrong_year["years"]["2094"].clone()});
    put(t.clone(), wrong_year)
        .await
        .expect(422, Some("validation_failed"));

    let before = app
        .get(
            "/api/v1/calendar/add-working-days?from=2094-02-01&days=5",
            &t,
        )
        .await;
    assert_eq!(before.body["date"], "2094-02-08");
    assert_eq!(before.body["provisional"], true);

    let ok = put(t.clone(), year_2094()).await;
    assert_eq!(ok.expect(201, None)["import"]["version"], 1);
    assert_eq!(ok.body["moved_cases"], json!([]));
    // 02-05..02-11 off, 02-13 (Sat) working: five working days after 02-01 end on 02-13.
    let after = app
        .get(
            "/api/v1/calendar/add-working-days?from=2094-02-01&days=5",
            &t,
        )
        .await;
    assert_eq!(after.body["date"], "2094-02-13");
    assert_eq!(after.body["provisional"], false);

    let got = app.get("/api/v1/calendars/national/2094", &clerk).await;
    let body = got.expect(200, None).clone();
    assert_eq!(
        (body["origin"].as_str(), body["version"].as_i64()),
        (Some("import"), Some(1))
    );
    // The GET body goes back unchanged as a correction: a second version.
    let again = put(t.clone(), body).await;
    assert_eq!(again.expect(201, None)["import"]["version"], 2);
    let list = app.get("/api/v1/calendars", &t).await;
    assert_eq!(list.body["layers"][0]["imports"][0]["version"], 2);

    // A province without a bundled layer gets one from its first import.
    let nx = json!({"name": "宁夏回族自治区", "source": "测试", "years": {"2093": {
        "holidays": [{"date": "2093-03-20", "name": "开斋节"}], "workdays": []}}});
    app.request(
        Method::PUT,
        "/api/v1/calendars/640000/2093",
        Some(&t),
        Some(nx),
        &[],
    )
    .await
    .expect(201, None);
    let nx = app
        .get(
            "/api/v1/calendar/working-days?from=2093-03-19&to=2093-03-20&region=640100",
            &t,
        )
        .await;
    assert_eq!(nx.expect(200, None)["working_days"], 0);
}

#[actix_web::test]
async fn an_import_by_another_instance_is_seen() {
    let app = spawn_app().await;
    let t = app.admin_token.clone();
    let before = app
        .get(
            "/api/v1/calendar/add-working-days?from=2094-02-01&days=5",
            &t,
        )
        .await;
    assert_eq!(before.body["provisional"], true);
    // Written straight into the shared database, as another instance would.
    let mut conn = app.pool.get().unwrap();
    let data = serde_json::to_string(&year_2094()).unwrap();
    ogi_tracker::store::calendars::insert(&mut conn, "national", 2094, &data, "另一实例", 1)
        .unwrap();
    let after = app
        .get(
            "/api/v1/calendar/add-working-days?from=2094-02-01&days=5",
            &t,
        )
        .await;
    assert_eq!(after.body["date"], "2094-02-13");
    assert_eq!(after.body["provisional"], false);
}

#[test]
fn cli_deadline_single_and_bulk() {
    let bin = env!("CARGO_BIN_EXE_ogi-tracker");
    let dir = std::env::temp_dir().join(format!("ogi-cli-{}", std::process::id()));
    // A database that does not exist: bundled calendars, and nothing gets created.
    let url = format!("sqlite://{}/none.db", dir.display());
    let out = Command::new(bin)
        .args([
            "deadline",
            "--received",
            "2024-09-27",
            "--as-of",
            "2024-10-08",
        ])
        .env("OGI_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["due"], "2024-10-30");
    assert_eq!(
        (
            v["received"].as_str(),
            v["days"].as_i64(),
            v["provisional"].as_bool()
        ),
        (Some("2024-09-27"), Some(20), Some(false))
    );
    assert!(v["region"].is_null());
    assert!(
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["article"].as_str().unwrap().contains("第三十三条"))
    );
    assert!(!dir.exists());

    let out = Command::new(bin)
        .args(["deadline", "--received", "2025-03-03", "--region", "450000"])
        .env("OGI_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["due"],
        "2025-04-02"
    );

    let mut child = Command::new(bin)
        .args(["deadline", "--bulk", "--region", "450000"])
        .env("OGI_DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"received\":\"2025-03-03\"}\n{\"received\":\"bad\"}\n{\"received\":\"2025-03-03\",\"region\":\"110000\",\"days\":20}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0], json!({"due": "2025-04-02", "provisional": false}));
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["due"], "2025-03-31");

    let bad = Command::new(bin)
        .args(["deadline", "--received", "27/09/2024"])
        .env("OGI_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--received"));
}

//! The auditors' pages over plain HTTP (the browser test drives them in Chromium) and the
//! score card's JSON door: forms refused in place with what was typed, the multipart import
//! all or nothing with the bad cell named, the report page and its workbook, who may see them.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{TestApp, USER_PASSWORD, spawn_app};

/// A browser without JavaScript: no redirects followed, one session cookie (the
/// supervisors' page tests use it too).
pub(crate) struct Browser {
    client: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
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
        .map(|c| c.split(';').next().unwrap().to_owned())
}

impl Browser {
    pub(crate) async fn login(app: &TestApp, username: &str) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        let login_cookie = cookie_of(&r, "ogi_login").unwrap();
        let csrf = csrf_of(&r.text().await.unwrap());
        let r = client
            .post(format!("{}/login", app.base))
            .header("cookie", &login_cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", USER_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mut b = Browser {
            client,
            base: app.base.clone(),
            cookie: cookie_of(&r, "ogi_session").unwrap(),
            csrf: String::new(),
        };
        let (_, html, _) = b.get("/account/password").await;
        b.csrf = csrf_of(&html);
        b
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
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

    pub(crate) async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let mut fields = vec![("csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }

    /// The import form as a browser sends it: multipart with the token and the file.
    async fn upload(&self, path: &str, csv: &[u8], htmx: bool) -> reqwest::Response {
        let boundary = "----ogi-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n",
            self.csrf
        )
        .into_bytes();
        body.extend_from_slice(csv);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if htmx {
            req = req.header("HX-Request", "true");
        }
        req.send().await.unwrap()
    }
}

const HEADER: &str = "单位名称,单位类别,渠道,寄出日期,挂号信单号,签收日期,收到答复日期,邮戳日期,文号,加盖公章,法律依据,法律依据条款,告知复议,复议机关,告知诉讼,受理法院\n";

fn sheet(bad_channel: &str) -> String {
    format!(
        "{HEADER}\
         交通运输厅,区直单位,正常渠道,2026-09-21,T1,2026-09-23,2026-10-20,2026-10-16,桂交复〔2026〕3号,是,《中华人民共和国政府信息公开条例》,第三十六条,是,广西壮族自治区人民政府,是,南宁铁路运输法院\n\
         交通运输厅,区直单位,非正常渠道,2026-09-21,T2,2026-09-24,,,,,,,,,,\n\
         南宁市人民政府,设区市政府,{bad_channel},2026-09-21,N1,2026-09-23,2026-11-10,2026-11-09,,否,,,,,,\n"
    )
}

async fn campaign(b: &Browser) -> i64 {
    let (status, location, _) = b
        .post(
            "/audits",
            &[
                ("name", "2026年度模拟用户实测"),
                ("region", "450000"),
                ("cutoff_on", "2026-11-20"),
                ("statutory_days", "20"),
                ("pass_threshold", "60"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    location
        .trim_start_matches("/audits/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn an_auditor_works_a_campaign_through_the_pages() {
    let app = spawn_app().await;
    let (_, token) = app.user("auditor1", "auditor", None).await;
    let b = Browser::login(&app, "auditor1").await;

    // The start page of an auditor is the campaigns.
    let (status, _, headers) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/audits");

    // A refused campaign keeps what was typed and names the field.
    let (status, _, html) = b
        .post(
            "/audits",
            &[
                ("name", "留着的名称"),
                ("region", "450000"),
                ("cutoff_on", "2026-13-40"),
                ("pass_threshold", "160"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"留着的名称\""), "typed name kept");
    assert!(html.contains("数据截止日期："), "field named");
    assert!(html.contains("合格线（%）："), "field named");
    let (status, _, html) = b
        .post(
            "/audits",
            &[("name", "x"), ("region", "99"), ("cutoff_on", "2026-11-20")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("日历地区（行政区划代码）："), "{html}");
    let id = campaign(&b).await;

    // A bad cell: line and column named on the page, nothing kept (with and without htmx).
    for htmx in [false, true] {
        let r = b
            .upload(
                &format!("/audits/{id}/import"),
                sheet("挂号信").as_bytes(),
                htmx,
            )
            .await;
        let expected = if htmx {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(r.status(), expected);
        let html = r.text().await.unwrap();
        let table = &html[html.find("id=\"import-errors\"").expect("an error table")..];
        assert!(
            table.contains("第 4 行") && table.contains("渠道"),
            "{table}"
        );
        let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
        let view = view.expect(200, None);
        assert_eq!(view["counts"]["targets"], 0, "{view}");
        assert_eq!(view["counts"]["letters"], 0, "{view}");
    }
    // A file that is not UTF-8 is named too, not an error page.
    let r = b
        .upload(
            &format!("/audits/{id}/import"),
            &[0xb5, 0xa5, 0xce, 0xbb, b'\n'],
            false,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("须为 UTF-8 编码"));

    // Fixed: imported whole; htmx is sent on to the page that shows it.
    let r = b
        .upload(
            &format!("/audits/{id}/import"),
            sheet("正常渠道").as_bytes(),
            true,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let to = r.headers()["hx-redirect"].to_str().unwrap().to_owned();
    assert!(
        to.contains("done=import&rows=3&targets=2&letters=3"),
        "{to}"
    );
    let (status, html, _) = b.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已导入 3 行"), "summary shown");
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let view = view.expect(200, None).clone();
    let letter = |tracking: &str| {
        view["letters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["tracking_number"] == tracking)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };

    // The grid: a signing date before the letter went out is refused in its row, kept.
    let t2 = letter("T2");
    let (status, _, html) = b
        .post(
            &format!("/audits/{id}/letters/{t2}"),
            &[("signed_on", "2026-09-01"), ("tracking_number", "T2")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("签收日期：签收日期不能早于寄出日期"), "named");
    assert!(html.contains("value=\"2026-09-01\""), "typed date kept");
    // A reply recorded from the grid: a seal missing, no remedy.
    let (status, location, _) = b
        .post(
            &format!("/audits/{id}/letters/{t2}/reply"),
            &[
                ("received_on", "2026-10-28"),
                ("dispatched_on", "2026-10-26"),
                ("doc_number", "桂交复〔2026〕9号"),
                ("law", "《中华人民共和国政府信息公开条例》"),
                ("article", "第三十六条"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/audits/{id}?done=letters&letter={t2}#letter-{t2}")
    );
    let v = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let v = v.expect(200, None);
    let l = v["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == t2)
        .unwrap();
    assert_eq!(l["reply"]["sealed"], false, "{l}");
    assert_eq!(l["defects"], json!(["unsealed", "no_remedy"]), "{l}");
    // The row edits the mailing date too, and counts the checker's findings.
    let (_, html, _) = b.get(&format!("/audits/{id}")).await;
    assert!(html.contains(&format!("form=\"edit-{t2}\" name=\"sent_on\"")));
    let findings = l["findings"].as_array().unwrap().len();
    assert!(html.contains(&format!("合规检查 {findings} 项")) && findings > 0);
    // A reply form without its date is refused with the field named.
    let (status, _, html) = b
        .post(
            &format!("/audits/{id}/letters/{t2}/reply"),
            &[("doc_number", "留着的文号")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("收到答复日期：请填写收到答复日期"));
    assert!(html.contains("value=\"留着的文号\""));

    // Units and phone checks.
    let (status, _, html) = b
        .post(
            &format!("/audits/{id}/targets"),
            &[("name", "交通运输厅"), ("category", "区直单位")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("同名"), "the duplicate is explained");
    let nanning = view["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "南宁市人民政府")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _, _) = b
        .post(
            &format!("/audits/{id}/phone-checks"),
            &[
                ("target_id", &nanning.to_string()),
                ("called_at", "2026-11-16T09:30"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The report page: the charts and the numbers beside them.
    let (status, html, _) = b.get(&format!("/audits/{id}/report")).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "id=\"chart-category\"",
        "id=\"chart-channel\"",
        "id=\"chart-distribution\"",
        "id=\"table-groups\"",
        "电话无法接通",
        // 区直单位: 2 letters, both answered on time.
        "<td>区直单位</td><td>2</td><td>2</td><td>100.00%</td><td>2</td><td>100.00%</td>",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    // The workbook is the API's.
    let r = b
        .client
        .get(format!("{}/audits/{id}/report.xlsx", b.base))
        .header("cookie", &b.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert!(book.sheet_names().iter().any(|n| n == "单位得分"));

    // The score card page.
    let (status, html, _) = b.get(&format!("/audits/{id}/targets/{nanning}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("不合格") && html.contains("超期答复"),
        "{html}"
    );
    let (status, _, _) = b.get(&format!("/audits/{id}/targets/999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn clerks_do_not_see_the_audit_pages() {
    let app = spawn_app().await;
    let dept = app
        .department("南宁市交通运输局", "南交信复", None, "450100")
        .await;
    app.user("clerk1", "clerk", Some(dept)).await;
    let b = Browser::login(&app, "clerk1").await;
    for path in ["/audits", "/audits/1", "/audits/1/report"] {
        let (status, _, _) = b.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (_, html, _) = b.get("/").await;
    assert!(
        !html.contains("href=\"/audits\""),
        "no menu entry for clerks"
    );
}

#[actix_web::test]
async fn a_score_card_agrees_with_the_report() {
    let app = spawn_app().await;
    let (_, token) = app.user("auditor1", "auditor", None).await;
    let dept = app
        .department("南宁市交通运输局", "南交信复", None, "450100")
        .await;
    let (_, clerk) = app.user("clerk1", "clerk", Some(dept)).await;
    let b = Browser::login(&app, "auditor1").await;
    let id = campaign(&b).await;
    let r = b
        .upload(
            &format!("/audits/{id}/import"),
            sheet("正常渠道").as_bytes(),
            false,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let other = campaign(&b).await;

    let report = app
        .get(&format!("/api/v1/audits/{id}/report"), &token)
        .await;
    let report = report.expect(200, None).clone();
    // Two units graded: the distribution counts each once, in its band.
    let bands = report["score_distribution"].as_array().unwrap();
    assert_eq!(bands.len(), 10);
    let units: i64 = bands.iter().map(|b| b["units"].as_i64().unwrap()).sum();
    assert_eq!(units, 2);
    for t in report["targets"].as_array().unwrap() {
        let tid = t["target_id"].as_str().unwrap();
        let card = app
            .get(&format!("/api/v1/audits/{id}/targets/{tid}"), &token)
            .await;
        let card = card.expect(200, None);
        assert_eq!(&card["result"], t, "{card}");
        let letters = card["letters"].as_array().unwrap();
        assert_eq!(
            letters.len(),
            report["letters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["target_id"] == t["target_id"])
                .count()
        );
        let rate = t["score_rate"].as_f64().unwrap();
        let band = ((rate * 10.0).floor() as usize).min(9);
        assert!(bands[band]["units"].as_i64().unwrap() >= 1, "{rate}");
        // Another campaign's unit is not found there; clerks may not look.
        app.get(&format!("/api/v1/audits/{other}/targets/{tid}"), &token)
            .await
            .expect(404, Some("not_found"));
        app.get(&format!("/api/v1/audits/{id}/targets/{tid}"), &clerk)
            .await
            .expect(403, Some("forbidden"));
    }
}

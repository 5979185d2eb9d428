//! An auditor's round in the browser: create a campaign, import the evaluators' sheet with
//! one bad row (the line and column are named, nothing is kept), import it fixed, complete a
//! signing date in the letters grid, log a phone call, read the report with its charts and a
//! unit's score card.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::helpers::{USER_PASSWORD, spawn_app};
use crate::{
    browser, click, driver, menu_in_one_row, screen, set, sign_in, text, wait_for, wait_text,
};

const HEADER: &str = "单位名称,单位类别,渠道,寄出日期,挂号信单号,签收日期,收到答复日期,邮戳日期,文号,加盖公章,法律依据,法律依据条款,告知复议,复议机关,告知诉讼,受理法院\n";
const LAW: &str = "《中华人民共和国政府信息公开条例》";

/// The sheet; `signed` is row 3's signing date (the bad cell when it is not a date).
fn sheet(signed: &str) -> String {
    format!(
        "{HEADER}\
         广西壮族自治区自然资源厅,区直单位,正常渠道,2026-09-21,XA0001,2026-09-23,2026-10-20,2026-10-16,桂自然资复〔2026〕3号,是,{LAW},第三十六条第（二）项,是,广西壮族自治区人民政府,是,南宁铁路运输法院\n\
         广西壮族自治区自然资源厅,区直单位,非正常渠道,2026-09-21,XA0002,{signed},,,,,,,,,,\n\
         南宁市人民政府,设区市政府,正常渠道,2026-09-21,XB0001,2026-09-23,2026-11-10,2026-11-09,,否,{LAW},,,,,\n\
         南宁市人民政府,设区市政府,非正常渠道,2026-09-21,XB0002,,,,,,,,,,,\n\
         柳州市人民政府,设区市政府,正常渠道,2026-09-21,XC0001,2026-09-22,2026-10-12,2026-10-09,柳政信复〔2026〕7号,是,{LAW},第三十六条,是,广西壮族自治区人民政府,是,柳州市中级人民法院\n"
    )
}

/// Chooses a file for the import and sends it; the page shows the result in place.
async fn import(c: &Client, csv: &str, name: &str) {
    let path = std::env::temp_dir().join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    c.find(Locator::Id("import-file"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    click(c, "#import button[type=submit]").await;
}

#[actix_web::test]
async fn an_auditor_imports_a_sheet_and_reads_the_report() {
    let app = spawn_app().await;
    let (_, token) = app.user("auditor1", "auditor", None).await;

    let driver = driver();
    let c = browser(&driver).await;
    sign_in(&c, &app.base, "auditor1", USER_PASSWORD).await;
    // An auditor starts on the campaigns, and the clerks' menu is not offered.
    wait_for(&c, "#campaign-form").await;
    let nav = text(&c, "header nav").await;
    assert!(
        nav.contains("模拟用户实测") && !nav.contains("登记申请"),
        "{nav}"
    );
    menu_in_one_row(&c).await;

    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("2026年度依申请公开模拟用户实测")
        .await
        .unwrap();
    c.find(Locator::Id("region"))
        .await
        .unwrap()
        .send_keys("450000")
        .await
        .unwrap();
    set(&c, "cutoff_on", "2026-11-20").await;
    click(&c, "#campaign-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "评估活动已建立").await;
    let url = c.current_url().await.unwrap();
    let id: i64 = url
        .path()
        .trim_start_matches("/audits/")
        .parse()
        .expect("on the campaign page");

    // One bad cell: the line and column are named, and nothing is kept.
    import(&c, &sheet("2026-09-2x"), "bad.csv").await;
    let errors = wait_text(&c, "#import-errors", "第 3 行").await;
    assert!(errors.contains("签收日期"), "{errors}");
    assert!(
        text(&c, "#import-failed")
            .await
            .contains("没有保存任何内容"),
        "the page says nothing was kept"
    );
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let view = view.expect(200, None);
    assert_eq!(view["counts"]["targets"], 0, "{view}");
    assert_eq!(view["counts"]["letters"], 0, "{view}");
    screen(&c, "20-audit-import-error").await;

    // Fixed, it imports whole.
    import(&c, &sheet("2026-09-24"), "good.csv").await;
    let done = wait_text(&c, "#import-done", "已导入 5 行").await;
    assert!(done.contains("新增信函 5 封"), "{done}");
    let grid = text(&c, "#letter-grid").await;
    for unit in [
        "广西壮族自治区自然资源厅",
        "南宁市人民政府",
        "柳州市人民政府",
    ] {
        assert!(grid.contains(unit), "{unit} in {grid}");
    }
    assert!(
        grid.contains("超期答复") && grid.contains("未签收"),
        "{grid}"
    );

    // The post confirms the signing of Nanning's irregular letter: typed in the grid.
    let view = app.get(&format!("/api/v1/audits/{id}"), &token).await;
    let letters = view.expect(200, None)["letters"]
        .as_array()
        .unwrap()
        .clone();
    let unsigned = letters
        .iter()
        .find(|l| l["tracking_number"] == "XB0002")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![
            json!(format!("#letter-{unsigned} input[name=signed_on]")),
            json!("2026-09-25"),
        ],
    )
    .await
    .unwrap();
    click(&c, &format!("#letter-{unsigned} form button[type=submit]")).await;
    let row = wait_text(&c, &format!("#letter-{unsigned}"), "已保存").await;
    assert!(
        row.contains("未答复") && !row.contains("签收后计算"),
        "{row}"
    );
    screen(&c, "21-audit-letters").await;

    // A call to Nanning that nobody answered.
    let nanning = view.expect(200, None)["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "南宁市人民政府")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    set(&c, "phone-target_id", &nanning.to_string()).await;
    set(&c, "phone-called_at", "2026-11-16T09:30").await;
    click(&c, "#phone-form button[type=submit]").await;
    wait_text(&c, ".notice.ok", "已记录电话核查").await;
    let calls = text(&c, "#phone-table").await;
    assert!(
        calls.contains("未接通") && calls.contains("2026-11-16（周一）09:30"),
        "{calls}"
    );

    // The report: charts with their numbers beside them, the workbook to download.
    click(&c, ".counts a.report-link").await;
    wait_for(&c, "#chart-category rect").await;
    assert!(c.find(Locator::Css("#chart-channel rect")).await.is_ok());
    assert!(
        c.find(Locator::Css("#chart-distribution rect"))
            .await
            .is_ok()
    );
    let by_category = text(&c, "#table-category").await;
    // 区直单位: 2 letters, both signed; 1 on time → 签收率 100%, 答复率 50%.
    assert!(
        by_category.contains("100.00%") && by_category.contains("50.00%"),
        "{by_category}"
    );
    let lists = text(&c, "#table-lists").await;
    assert!(lists.contains("电话无法接通"), "{lists}");
    let href = c
        .find(Locator::Id("xlsx"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(href.as_deref(), Some(&*format!("/audits/{id}/report.xlsx")));
    screen(&c, "22-audit-report").await;

    // A unit's score card from the scores table.
    click(
        &c,
        &format!("#table-units a[href='/audits/{id}/targets/{nanning}']"),
    )
    .await;
    let score = wait_text(&c, "#score", "分").await;
    assert!(score.contains("不合格"), "{score}");
    assert!(text(&c, "#card-letters").await.contains("超期答复"));
    assert!(text(&c, "main").await.contains("2026-11-16（周一）09:30"));
    screen(&c, "23-audit-scorecard").await;

    // The auditor's main page: the campaigns with their counts.
    c.goto(&format!("{}/audits", app.base))
        .await
        .expect("audits");
    wait_for(&c, "#campaign-form").await;
    screen(&c, "24-audits").await;
    c.close().await.expect("close");
}

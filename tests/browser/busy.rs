//! A clerk's desk on a busy day: a department filled by `ogi-tracker demo` (three years of
//! cases in every state), seen in the browser. What must not be missed comes first — the
//! overdue cases, then the nearest due dates — and the counts at the top are the lists'.

use serde_json::Value;

use crate::helpers::spawn_app_with;
use crate::{browser, driver, screen, sign_in, wait_for};

#[actix_web::test]
async fn a_busy_desk_puts_what_is_overdue_first_and_counts_what_the_lists_hold() {
    // The demo fills as of the real date; the app runs on it too.
    let mut app = spawn_app_with(|s| s.today = None).await;
    let out = app.cli(&[
        "demo",
        "--cases",
        "1500",
        "--departments",
        "2",
        "--seed",
        "7",
        "--bulk",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The fill takes longer than the server's keep-alive: new connections from here on.
    app.client = reqwest::Client::new();
    let token = app.login("clerk001", "demo-password-2026").await;

    // What the JSON lists say of the clerk's department.
    let count = |query: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let r = app
                .get(&format!("/api/v1/cases?{query}&limit=200"), &token)
                .await;
            r.expect(200, None)["items"].as_array().unwrap().len()
        }
    };
    let overdue = count("status=received,in_progress&overdue=true").await;
    let waiting = count("status=paused,awaiting_correction").await;
    let open = count("status=received,awaiting_correction,in_progress,paused").await;
    assert!(
        overdue > 0 && open > overdue,
        "the demo should make a busy desk: {overdue} {open}"
    );

    let driver = driver();
    let c = browser(&driver).await;
    sign_in(&c, &app.base, "clerk001", "demo-password-2026").await;
    wait_for(&c, ".counts").await;
    screen(&c, "08-busy-desk").await;

    let counts = c
        .execute(
            "return Array.from(document.querySelectorAll('.counts a b'))
                 .map(b => parseInt(b.textContent, 10));",
            vec![],
        )
        .await
        .expect("the counts");
    let counts: Vec<usize> = serde_json::from_value(counts).unwrap();
    // 已逾期, 2 and 5 working days, waiting, unconfirmed, open.
    assert_eq!(counts[0], overdue, "{counts:?}");
    assert_eq!(counts[3], waiting, "{counts:?}");
    assert_eq!(counts[5], open - counts[4], "{counts:?}");

    // Each line: its urgency and the working days it has left (negative: overdue).
    let rows = c
        .execute(
            "return Array.from(document.querySelectorAll('#open + table tbody tr'))
                 .map(tr => [tr.className, tr.querySelector('.pill').textContent]);",
            vec![],
        )
        .await
        .expect("the desk's lines");
    let rows: Vec<(String, String)> = serde_json::from_value::<Vec<Value>>(rows)
        .unwrap()
        .into_iter()
        .map(|r| (r[0].as_str().unwrap().into(), r[1].as_str().unwrap().into()))
        .collect();
    assert_eq!(rows.len(), counts[5]);
    let left = |pill: &str| -> Option<i64> {
        let n: String = pill.chars().filter(char::is_ascii_digit).collect();
        match pill {
            "今天到期" => Some(0),
            p if p.starts_with("已逾期") => n.parse::<i64>().ok().map(|n| -n),
            p if p.starts_with("剩余") => n.parse().ok(),
            _ => None, // 暂停计时
        }
    };
    let first_waiting = rows
        .iter()
        .position(|(class, _)| class == "waiting")
        .unwrap_or(rows.len());
    let running: Vec<i64> = rows[..first_waiting]
        .iter()
        .map(|(class, pill)| left(pill).unwrap_or_else(|| panic!("{class}: {pill}")))
        .collect();
    assert!(running.is_sorted(), "nearest due date first: {running:?}");
    assert_eq!(
        rows[..overdue]
            .iter()
            .filter(|(c, _)| c == "overdue")
            .count(),
        overdue,
        "the overdue lines lead: {rows:?}"
    );
    assert!(
        rows[first_waiting..].iter().all(|(c, _)| c == "waiting"),
        "waiting cases last: {rows:?}"
    );
}

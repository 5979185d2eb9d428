//! The clerk's pages in a real browser: headless Chromium driven through chromedriver
//! (both from the distribution: `apt-get install chromium chromium-driver fonts-noto-cjk`).
//! Built only with `--features browser-tests`; a missing browser or driver fails the run.
//!
//! With `OGI_SCREENS_DIR` set, each screen is also saved there at 1366×768 (the README's
//! pictures in docs/screens/ come from this run).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

#[allow(
    dead_code,
    reason = "the API tests' helpers, shared; not all are used here"
)]
#[path = "../api/helpers.rs"]
mod helpers;

mod admin;
mod annual;
mod assessment;
mod auditor;
mod busy;
mod clerk;
mod fees;
mod library;
mod online;
mod orders;
mod review;
mod supervisor;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A chromedriver of our own on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts chromedriver; panics with what to install when it is missing.
pub fn driver() -> Driver {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let mut child = Command::new(&path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {path} ({e}): the browser tests need chromium and chromedriver \
                 (apt-get install chromium chromium-driver fonts-noto-cjk)"
            )
        });
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Driver { child, port };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start listening on port {port}");
}

/// A headless Chromium session at 1366×768.
pub async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    let mut args = vec![
        "--headless=new",
        "--disable-gpu",
        "--window-size=1366,768",
        "--lang=zh-CN",
        "--disable-dev-shm-usage",
    ];
    // Root in a container cannot use Chromium's sandbox.
    if std::env::var("USER").is_ok_and(|u| u == "root") || is_root() {
        args.push("--no-sandbox");
    }
    let mut opts = json!({ "args": args });
    if let Ok(bin) = std::env::var("CHROMIUM") {
        opts["binary"] = json!(bin);
    }
    caps.insert("goog:chromeOptions".into(), opts);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session through chromedriver")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Saves a screenshot of the current page as `name`.png when screenshots are asked for.
pub async fn screen(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("OGI_SCREENS_DIR") else {
        return;
    };
    let png = c.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&dir).expect("screens dir");
    std::fs::write(format!("{dir}/{name}.png"), png).expect("write screenshot");
}

/// The text of the first element matching a CSS selector.
pub async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// Waits (up to 5 s) until an element matching `css` exists — for htmx updates.
pub async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Waits (up to 5 s) until the element's text contains `needle` — for htmx updates that
/// replace what was there; returns the text.
pub async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            last = e.text().await.unwrap_or_default();
            if last.contains(needle) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never showed {needle:?}; last: {last}");
}

/// Clicks the first element matching a CSS selector.
pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Sets a form field's value as a person would have typed it, and tells the page.
pub async fn set(c: &Client, id: &str, value: &str) {
    c.execute(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];
         e.dispatchEvent(new Event('input', {bubbles: true}));
         e.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("set {id}: {e}"));
}

/// Opens the login page, types the account and signs in (the caller waits for its page).
pub async fn sign_in(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("open");
    wait_for(c, "#username").await;
    for (id, value) in [("username", username), ("password", password)] {
        c.find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"))
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type {id}: {e}"));
    }
    click(c, "button[type=submit]").await;
}

/// Asserts that the main menu's links sit in one row at the window's width (1366 px): the
/// menu must not wrap, whatever the role.
pub async fn menu_in_one_row(c: &Client) {
    let tops = c
        .execute(
            "return Array.from(document.querySelectorAll('header nav a'))
                 .map(a => Math.round(a.getBoundingClientRect().top));",
            vec![],
        )
        .await
        .expect("the menu's links");
    let tops: Vec<i64> = serde_json::from_value(tops).expect("numbers");
    assert!(!tops.is_empty(), "no menu");
    assert!(
        tops.iter().all(|t| *t == tops[0]),
        "the menu wraps: {tops:?}"
    );
}

//! ogi-tracker: requests for government information (依申请公开) under the OGI Regulations.
//!
//! - `domain`: pure rules (calendar, deadlines, organisation); no IO, no clock.
//! - `auth`: roles, access scope, password hashing, JWT.
//! - `store`: diesel on SQLite or PostgreSQL (one code base), migrations, one file per aggregate.
//! - `http`: actix-web routes, extractors, the one error type.
//! - `cases`: a case's derived state and the writes that go with every change (store + domain).
//! - `bulk`: the streaming `deadline --bulk` command.
//! - `clock`: today in China Standard Time, for the edges only.
//! - `mail`: templates, the outbox sender (lettre). `jobs`: the notification scan.
//! - `report`: CSV and Excel renderings of reports; the annual report as .xlsx and HTML.
//! - `config`: settings from a TOML file and `OGI_*` variables.
//! - `secrets`: the JWT and audit keys, configured or generated beside the SQLite database.
//! - `metrics`: the Prometheus registry of one instance (`/metrics`).
//! - `startup`: builds and starts the service from `Settings` (used by `main` and the tests).

pub mod auth;
pub mod bulk;
pub mod cases;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod report;
pub mod secrets;
pub mod startup;
pub mod store;
pub mod web;

/// The layering, checked: `domain` is pure (no database, web or mail crate, no clock), and
/// `ops` knows no web framework. A violation names the file and the line.
#[cfg(test)]
mod layering {
    use std::path::Path;

    fn violations(dir: &str, forbidden: &[&str]) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir)];
        while let Some(path) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    for (n, line) in text.lines().enumerate() {
                        let code = line.split("//").next().unwrap_or_default();
                        if forbidden.iter().any(|f| code.contains(f)) {
                            found.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn domain_is_pure() {
        let v = violations(
            "domain",
            &[
                "diesel::",
                "actix",
                "lettre",
                "crate::store",
                "crate::http",
                "crate::ops",
                "Utc::now",
                "Local::now",
                "clock::today",
            ],
        );
        assert!(v.is_empty(), "domain must stay pure:\n{}", v.join("\n"));
    }

    #[test]
    fn ops_knows_no_web_framework() {
        let v = violations(
            "ops",
            &["actix", "crate::http", "HttpRequest", "HttpResponse"],
        );
        assert!(
            v.is_empty(),
            "ops must not know the web face:\n{}",
            v.join("\n")
        );
    }

    #[test]
    fn the_check_finds_what_it_looks_for() {
        // Guards the guard: the scan does see imports (http uses actix everywhere).
        assert!(!violations("http", &["actix_web"]).is_empty());
    }
}

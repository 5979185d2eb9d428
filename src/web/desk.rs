//! 工作台: the clerk's open cases by urgency, the unconfirmed receipts, and counts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::{WebError, html};
use super::render::render;
use super::run;
use super::session::Page;
use crate::http::extract::State;
use crate::ops::desk::{self, Urgency};

#[derive(Deserialize)]
pub struct DeskQuery {
    mine: Option<String>,
}

pub async fn desk(
    state: State,
    page: Page,
    q: web::Query<DeskQuery>,
) -> Result<HttpResponse, WebError> {
    // Auditors see audit data only: their start page is the campaigns.
    if page.0.actor.role == crate::auth::Role::Auditor {
        return Ok(super::error::see_other("/audits"));
    }
    let mine = q.mine.is_some();
    let actor = page.0.actor.clone();
    let (desk, reviews) = run(&state, move |ctx| {
        Ok((
            desk::desk(ctx, &actor, mine)?,
            crate::ops::reviews::queue(ctx, &actor)?,
        ))
    })
    .await?;
    // Only what the page shows goes to the template: a supervisor's desk has 200 lines, and
    // converting whole case views into template values cost more than rendering them.
    let overseen: HashSet<i64> = desk.overseen.iter().copied().collect();
    let lines: Vec<Line> = desk
        .lines
        .iter()
        .map(|l| Line {
            id: l.case.id,
            display_number: &l.case.display_number,
            applicant: &l.case.applicant_name,
            status: &l.case.status,
            due_on: l.case.due_on,
            received_on: l.case.received_on,
            under_order: l.case.under_order,
            urgency: l.urgency,
            working_days_left: l.working_days_left,
            waits_on: l.waits_on.as_deref(),
            overseen: overseen.contains(&l.case.id),
        })
        .collect();
    let unconfirmed: Vec<Unconfirmed> = desk
        .unconfirmed
        .iter()
        .zip(&desk.unconfirmed_waited)
        .map(|(c, waited)| Unconfirmed {
            id: c.id,
            display_number: &c.display_number,
            applicant: &c.applicant_name,
            channel: &c.channel,
            submitted_on: c.submitted_on,
            waited: *waited,
            overseen: overseen.contains(&c.id),
        })
        .collect();
    let body = render(
        "desk.html",
        context! {
            user => page.user(), mine => mine, nav => "desk",
            as_of => desk.as_of, counts => Value::from_serialize(&desk.counts),
            has_lines => !lines.is_empty(),
            rows => Value::from_safe_string(rows(&lines)?), truncated => desk.truncated,
            unconfirmed => Value::from_serialize(&unconfirmed),
            reviews => Value::from_serialize(&reviews),
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// The rendered rows of desk lines, by the line they show (`Line::key`). A supervisor's
/// desk shows 200 lines, nearly all of them the same as at the previous view, and rendering
/// them was the page's largest cost; a row is a function of its line alone, so a kept row is
/// never stale. A line changes when its case, the day or its working days left do, and then
/// is a new key. Beyond `ROWS_KEPT` the store starts again, as the desk's `LineCache` does.
static ROWS: LazyLock<Mutex<HashMap<Vec<u8>, Arc<str>>>> = LazyLock::new(Mutex::default);

/// At most this many rows are kept (about 300 bytes of HTML and 250 of key each).
const ROWS_KEPT: usize = 20_000;

/// The lines' rows (`_desk_line.html`), in order, as one HTML fragment.
fn rows(lines: &[Line<'_>]) -> Result<String, WebError> {
    let keys: Vec<Vec<u8>> = lines.iter().map(Line::key).collect();
    let mut found: Vec<Option<Arc<str>>> = {
        let kept = ROWS.lock().unwrap_or_else(PoisonError::into_inner);
        keys.iter().map(|k| kept.get(k).cloned()).collect()
    };
    // Rendered outside the lock: other views go on meanwhile.
    let mut fresh = Vec::new();
    for ((row, key), line) in found.iter_mut().zip(&keys).zip(lines) {
        if row.is_none() {
            let html: Arc<str> = render(
                "_desk_line.html",
                context! { l => Value::from_serialize(line) },
            )?
            .into();
            fresh.push((key.clone(), Arc::clone(&html)));
            *row = Some(html);
        }
    }
    if !fresh.is_empty() {
        let mut kept = ROWS.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() + fresh.len() > ROWS_KEPT {
            kept.clear();
        }
        kept.extend(fresh);
    }
    let mut out = String::with_capacity(found.iter().flatten().map(|r| r.len()).sum());
    for row in found.iter().flatten() {
        out.push_str(row);
    }
    Ok(out)
}

/// One open case on the page.
#[derive(Serialize)]
struct Line<'a> {
    id: i64,
    display_number: &'a str,
    applicant: &'a str,
    status: &'a str,
    due_on: Option<NaiveDate>,
    received_on: Option<NaiveDate>,
    under_order: bool,
    urgency: Urgency,
    working_days_left: Option<i64>,
    waits_on: Option<&'a str>,
    /// Looked at rather than worked on (a supervisor's case of a department below).
    overseen: bool,
}

impl Line<'_> {
    /// Everything the row shows, unambiguously: texts length-prefixed, absent values marked.
    /// Every field is named (no `..`), so a field added to the line cannot be left out.
    fn key(&self) -> Vec<u8> {
        let Line {
            id,
            display_number,
            applicant,
            status,
            due_on,
            received_on,
            under_order,
            urgency,
            working_days_left,
            waits_on,
            overseen,
        } = self;
        fn text(k: &mut Vec<u8>, s: &str) {
            k.extend_from_slice(&s.len().to_le_bytes());
            k.extend_from_slice(s.as_bytes());
        }
        let mut k = Vec::with_capacity(128);
        k.extend_from_slice(&id.to_le_bytes());
        text(&mut k, display_number);
        text(&mut k, applicant);
        text(&mut k, status);
        for date in [due_on, received_on] {
            match date {
                Some(d) => {
                    k.push(1);
                    k.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
                }
                None => k.push(0),
            }
        }
        k.push(u8::from(*under_order));
        k.push(*urgency as u8);
        match working_days_left {
            Some(n) => {
                k.push(1);
                k.extend_from_slice(&n.to_le_bytes());
            }
            None => k.push(0),
        }
        match waits_on {
            Some(w) => {
                k.push(1);
                text(&mut k, w);
            }
            None => k.push(0),
        }
        k.push(u8::from(*overseen));
        k
    }
}

/// One application whose receipt is not yet confirmed.
#[derive(Serialize)]
struct Unconfirmed<'a> {
    id: i64,
    display_number: &'a str,
    applicant: &'a str,
    channel: &'a str,
    submitted_on: NaiveDate,
    /// Calendar days since it was submitted.
    waited: i64,
    overseen: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_kept_under_everything_it_shows() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7);
        let base = || Line {
            id: 7,
            display_number: "桂发改〔2026〕7号",
            applicant: "张三",
            status: "in_progress",
            due_on: day,
            received_on: day,
            under_order: false,
            urgency: Urgency::Due2,
            working_days_left: Some(2),
            waits_on: None,
            overseen: false,
        };
        let changed: Vec<Line<'_>> = vec![
            Line { id: 8, ..base() },
            Line {
                display_number: "桂发改〔2026〕8号",
                ..base()
            },
            Line {
                applicant: "张三丰",
                ..base()
            },
            Line {
                status: "received",
                ..base()
            },
            Line {
                due_on: None,
                ..base()
            },
            Line {
                due_on: day.and_then(|d| d.succ_opt()),
                ..base()
            },
            Line {
                received_on: None,
                ..base()
            },
            Line {
                under_order: true,
                ..base()
            },
            Line {
                urgency: Urgency::Overdue,
                ..base()
            },
            Line {
                working_days_left: Some(1),
                ..base()
            },
            Line {
                working_days_left: None,
                ..base()
            },
            Line {
                waits_on: Some("等待申请人补正"),
                ..base()
            },
            Line {
                overseen: true,
                ..base()
            },
            // A text's end moved into the next: still another line.
            Line {
                display_number: "桂发改〔2026〕7号张",
                applicant: "三",
                ..base()
            },
        ];
        let mut keys: Vec<Vec<u8>> = changed.iter().map(Line::key).collect();
        keys.push(base().key());
        let distinct: HashSet<&Vec<u8>> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        assert_eq!(base().key(), base().key());
    }
}

//! 工作台: the clerk's open cases by urgency, the unconfirmed receipts, and counts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use std::collections::HashSet;

use chrono::NaiveDate;
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
            lines => Value::from_serialize(&lines), truncated => desk.truncated,
            unconfirmed => Value::from_serialize(&unconfirmed),
            reviews => Value::from_serialize(&reviews),
        },
    )?;
    Ok(html(StatusCode::OK, body))
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

//! 工作台: the clerk's open cases by urgency, the unconfirmed receipts, and counts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::error::{WebError, html};
use super::render::render;
use super::run;
use super::session::Page;
use crate::http::extract::State;
use crate::ops::desk;

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
    // The cases looked at rather than worked on, as a map: the template asks for each line,
    // and `in` on a list compares every element (200 × 200 for a supervisor's desk).
    let overseen: Value = desk.overseen.iter().map(|id| (*id, true)).collect();
    let body = render(
        "desk.html",
        context! {
            user => page.user(), desk => Value::from_serialize(&desk), mine => mine, nav => "desk",
            reviews => Value::from_serialize(&reviews), overseen => overseen,
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

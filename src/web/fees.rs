//! The fee section of the case page (国办函〔2020〕109号): a form becomes `ops::fees` input;
//! a refusal shows the case page again with what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::cases::{Refused, case_view, parse_yuan};
use super::error::{WebError, see_other};
use super::session::Page;
use super::{Form, run};
use crate::domain::fee::Reduction;
use crate::http::extract::State;
use crate::ops::fees::{self, AssessmentIn, NoticeIn};

fn date(form: &Form, key: &str) -> Result<Option<NaiveDate>, String> {
    form.get(key)
        .map(|v| v.parse().map_err(|_| format!("“{v}”不是有效日期")))
        .transpose()
}

fn assessment_of(form: &Form) -> Result<AssessmentIn, String> {
    let raw = form.get("quantity").unwrap_or_default();
    let quantity = raw
        .parse()
        .map_err(|_| format!("件数或页数“{raw}”应为正整数"))?;
    let reduction = match form.get("reduction_yuan") {
        None => None,
        Some(yuan) => Some(Reduction {
            amount_fen: parse_yuan(yuan)
                .ok_or_else(|| format!("减免金额“{yuan}”应为元，最多两位小数"))?,
            reason: form.get("reduction_reason").unwrap_or_default().to_owned(),
        }),
    };
    Ok(AssessmentIn {
        date: date(form, "fee_date")?,
        quantity,
        page_rule: form.get("page_rule").map(str::to_owned),
        reduction,
    })
}

fn notice_of(form: &Form) -> Result<NoticeIn, String> {
    Ok(NoticeIn {
        issued_on: date(form, "issued_on")?,
        delivered_on: date(form, "delivered_on")?,
        how_to_pay: form.get("how_to_pay").unwrap_or_default().to_owned(),
        text: form.get("text").map(str::to_owned),
    })
}

/// Runs one fee action from a form: back to the case on success, the case page with the
/// form's values and the reason on refusal.
async fn submit<I: Send + 'static>(
    state: State,
    page: Page,
    id: i64,
    form: Form,
    action: &'static str,
    parse: fn(&Form) -> Result<I, String>,
    op: fn(
        &crate::ops::Ctx,
        &crate::auth::Actor,
        i64,
        i32,
        I,
    ) -> crate::ops::OpResult<fees::FeeView>,
) -> Result<HttpResponse, WebError> {
    page.check_csrf(&form)?;
    let refuse = |message: String, stale: bool| Refused {
        action: action.to_owned(),
        values: form.values(),
        message,
        stale,
    };
    let expected = super::form_version(&form)?;
    let input = match parse(&form) {
        Ok(i) => i,
        Err(message) => {
            return case_view(
                &state,
                &page,
                id,
                None,
                Some(refuse(message, false)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| op(ctx, &actor, id, expected, input)).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done={action}#fee"))),
        Err(e) => super::cases::refused_op(&state, &page, id, refuse, e).await,
    }
}

pub async fn assess(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    submit(
        state,
        page,
        id,
        form.into_inner(),
        "fee_assessed",
        assessment_of,
        fees::assess,
    )
    .await
}

pub async fn issue(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    submit(
        state,
        page,
        id,
        form.into_inner(),
        "fee_notice_issued",
        notice_of,
        fees::issue_notice,
    )
    .await
}

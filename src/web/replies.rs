//! 答复: the reply form (filled from a draft of the chosen outcome), its findings updating
//! as it is filled, recording it, and the letter printed on A4 or downloaded as .docx.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::json;

use super::error::{WebError, html, see_other};
use super::render::{cn_long_date, render};
use super::session::Page;
use super::{Form, docx, run};
use crate::domain::compliance::{
    LegalCitation, LitigationRoute, ReconsiderationRoute, Redirect, Remedy, ReplyDoc,
};
use crate::domain::outcome::Outcome;
use crate::http::extract::State;
use crate::ops::OpError;
use crate::ops::cases::{self, CaseFile};
use crate::ops::replies::{self, ReplyIn};

/// How many legal-basis rows the form offers.
const BASIS_ROWS: usize = 3;

fn outcomes() -> Vec<(&'static str, &'static str)> {
    Outcome::ALL
        .iter()
        .map(|o| (o.as_str(), o.label()))
        .collect()
}

/// The form's values from a draft's reply record.
fn values_of(doc: &ReplyDoc, text: &str) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    let mut put = |k: &str, val: Option<String>| {
        if let Some(val) = val {
            v.insert(k.to_owned(), val);
        }
    };
    put("outcome", Some(doc.outcome.as_str().to_owned()));
    put("issued_on", Some(doc.issued_on.to_string()));
    put("seal_organ", doc.seal_organ.clone());
    put("reasons", doc.reasons.clone());
    for (i, c) in doc.legal_basis.iter().take(BASIS_ROWS).enumerate() {
        put(&format!("basis_law_{i}"), Some(c.law.clone()));
        put(&format!("basis_article_{i}"), c.article.clone());
        put(&format!("basis_paragraph_{i}"), c.paragraph.clone());
        put(&format!("basis_item_{i}"), c.item.clone());
    }
    if let Some(r) = &doc.remedy.reconsideration {
        put("recon_organ", r.organ.clone());
        put("recon_address", r.address.clone());
        put("recon_phone", r.phone.clone());
        put("recon_days", r.period_days.map(|d| d.to_string()));
    }
    if let Some(l) = &doc.remedy.litigation {
        put("court", l.court.clone());
        put("court_months", l.period_months.map(|m| m.to_string()));
    }
    if let Some(r) = &doc.redirect_to {
        put("redirect_name", Some(r.name.clone()));
        put("redirect_contact", r.contact.clone());
    }
    put("text", Some(text.to_owned()));
    v
}

/// The form's values from a reply as submitted for review.
fn values_of_input(i: &ReplyIn) -> BTreeMap<String, String> {
    let doc = ReplyDoc {
        doc_number: i.doc_number.clone(),
        issued_on: i.issued_on,
        dispatched_on: i.dispatched_on,
        delivery_method: None,
        outcome: Outcome::parse(&i.outcome).unwrap_or(Outcome::ALL[0]),
        sealed: i.sealed,
        seal_organ: i.seal_organ.clone(),
        legal_basis: i.legal_basis.clone(),
        reasons: i.reasons.clone(),
        redirect_to: i.redirect_to.clone(),
        remedy: i.remedy.clone(),
    };
    let mut v = values_of(&doc, i.text.as_deref().unwrap_or_default());
    v.insert("outcome".into(), i.outcome.clone());
    v.insert("delivery_method".into(), i.delivery_method.clone());
    for (k, val) in [
        ("doc_number", i.doc_number.clone()),
        ("dispatched_on", i.dispatched_on.map(|d| d.to_string())),
        ("tracking_number", i.tracking_number.clone()),
        ("sealed", i.sealed.then(|| "on".to_owned())),
    ] {
        if let Some(val) = val {
            v.insert(k.into(), val);
        }
    }
    v
}

/// The form as the API's reply input.
fn reply_input(form: &Form) -> Result<ReplyIn, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let date = |k: &str, errors: &mut BTreeMap<String, String>| -> Option<NaiveDate> {
        let raw = form.get(k)?;
        let d = raw.parse().ok();
        if d.is_none() {
            errors.insert(k.to_owned(), "请填写有效的日期".to_owned());
        }
        d
    };
    let issued_on = date("issued_on", &mut errors);
    if issued_on.is_none() && !errors.contains_key("issued_on") {
        errors.insert("issued_on".into(), "请填写成文日期".into());
    }
    let dispatched_on = date("dispatched_on", &mut errors);
    let num = |k: &str| form.get(k).and_then(|v| v.parse::<u32>().ok());
    let legal_basis = (0..BASIS_ROWS)
        .filter_map(|i| {
            form.get(&format!("basis_law_{i}"))
                .map(|law| LegalCitation {
                    law: law.to_owned(),
                    article: form.get(&format!("basis_article_{i}")).map(str::to_owned),
                    paragraph: form.get(&format!("basis_paragraph_{i}")).map(str::to_owned),
                    item: form.get(&format!("basis_item_{i}")).map(str::to_owned),
                })
        })
        .collect();
    let reconsideration = (form.get("recon_organ").is_some()
        || form.get("recon_address").is_some())
    .then(|| ReconsiderationRoute {
        organ: form.get("recon_organ").map(str::to_owned),
        address: form.get("recon_address").map(str::to_owned),
        phone: form.get("recon_phone").map(str::to_owned),
        period_days: num("recon_days"),
    });
    let litigation = form.get("court").map(|court| LitigationRoute {
        court: Some(court.to_owned()),
        period_months: num("court_months"),
        period_days: None,
    });
    let Some(issued_on) = issued_on else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ReplyIn {
        doc_number: form.get("doc_number").map(str::to_owned),
        issued_on,
        dispatched_on,
        delivery_method: form.get("delivery_method").unwrap_or_default().to_owned(),
        tracking_number: form.get("tracking_number").map(str::to_owned),
        outcome: form.get("outcome").unwrap_or_default().to_owned(),
        sealed: form.get("sealed").is_some(),
        seal_organ: form.get("seal_organ").map(str::to_owned),
        legal_basis,
        reasons: form.get("reasons").map(str::to_owned),
        redirect_to: form.get("redirect_name").map(|name| Redirect {
            name: name.to_owned(),
            contact: form.get("redirect_contact").map(str::to_owned),
        }),
        remedy: Remedy {
            reconsideration,
            litigation,
            reconsideration_first: None,
        },
        text: form.get("text").map(str::to_owned),
    })
}

#[expect(clippy::too_many_arguments, reason = "the page's parts, each named")]
async fn form_page(
    state: &State,
    page: &Page,
    file: CaseFile,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    findings: Value,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let id = file.view.id;
    let issued = values
        .get("issued_on")
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| state.today());
    let next_number = run(state, move |ctx| {
        replies::next_number(ctx, &actor, id, issued)
    })
    .await
    .ok();
    let body = render(
        "reply.html",
        context! {
            user => page.user(), nav => "", file => Value::from_serialize(&file),
            values => values, errors => errors, findings => findings,
            outcomes => outcomes(), next_number => next_number, message => message,
            basis_rows => (0..BASIS_ROWS).collect::<Vec<_>>(), today => state.today().to_string(),
        },
    )?;
    Ok(html(status, body))
}

#[derive(Deserialize)]
pub struct ReplyQuery {
    outcome: Option<String>,
    /// 按此答复: the library entry the draft starts from.
    library: Option<i64>,
}

pub async fn reply_form(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<ReplyQuery>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = page.0.actor.clone();
    let file = run(&state, move |ctx| cases::case_file(ctx, &actor, id)).await?;
    // Recording would be refused: say so before anything is typed.
    if !file.handles {
        return Err(WebError::Op(cases::oversight_only()));
    }
    let mut values = BTreeMap::new();
    let mut findings = Value::from(());
    let mut message = None;
    if let Some(entry) = q.library {
        let actor = page.0.actor.clone();
        let d = run(&state, move |ctx| {
            crate::ops::library::draft_from(ctx, &actor, entry, id)
        })
        .await?;
        values = values_of(&d.draft.reply, &d.draft.text);
        findings = Value::from_serialize(&d.draft.findings);
        message = Some(if d.draft.placeholders.is_empty() {
            "草稿取自案例库（按此答复）：请按本案情况修改后提交审核。".to_owned()
        } else {
            format!(
                "草稿取自案例库（按此答复）：请按本案情况修改，并补填{}后提交审核。",
                d.draft.placeholders.join("、")
            )
        });
    } else if let Some(outcome) = q.outcome.clone().filter(|o| !o.is_empty()) {
        let actor = page.0.actor.clone();
        let draft = run(&state, move |ctx| {
            replies::draft_reply(ctx, &actor, id, &outcome, None, None)
        })
        .await?;
        values = values_of(&draft.reply, &draft.text);
        findings = Value::from_serialize(&draft.findings);
    } else {
        // A reply in review or returned: the form holds it as submitted, to be changed.
        let actor = page.0.actor.clone();
        let review = run(&state, move |ctx| crate::ops::reviews::get(ctx, &actor, id)).await?;
        if let Some(r) = review.filter(|r| r.status != "issued") {
            values = values_of_input(&r.content);
        }
    }
    let has_outcome = values.contains_key("outcome");
    values
        .entry("doc_number".into())
        .or_insert_with(|| "auto".into());
    values
        .entry("issued_on".into())
        .or_insert_with(|| state.today().to_string());
    values.entry("delivery_method".into()).or_insert_with(|| {
        file.view
            .delivery_preference
            .clone()
            .unwrap_or_else(|| "post".into())
    });
    values.insert("version".into(), file.view.version.to_string());
    // The findings of the form as filled (an "auto" number counts as the next number).
    if has_outcome {
        let form = Form(values.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        if let Ok(input) = reply_input(&form) {
            let actor = page.0.actor.clone();
            if let Ok(f) = run(&state, move |ctx| {
                replies::check_reply(ctx, &actor, id, input)
            })
            .await
            {
                findings = Value::from_serialize(&f);
            }
        }
    }
    form_page(
        &state,
        &page,
        file,
        values,
        BTreeMap::new(),
        findings,
        message,
        StatusCode::OK,
    )
    .await
}

/// The findings of the form as it stands (an htmx fragment).
pub async fn check(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let (findings, errors) = match reply_input(&form) {
        Err(errors) => (Vec::new(), errors),
        Ok(input) => {
            let actor = page.0.actor.clone();
            match run(&state, move |ctx| {
                replies::check_reply(ctx, &actor, id, input)
            })
            .await
            {
                Ok(f) => (f, BTreeMap::new()),
                Err(WebError::Op(OpError::Invalid(f))) => (Vec::new(), f.0),
                Err(e) => return Err(e),
            }
        }
    };
    let body = render(
        "_findings.html",
        context! { findings => Value::from_serialize(&findings), errors => errors, live => true },
    )?;
    Ok(html(StatusCode::OK, body))
}

pub async fn record(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let expected = super::form_version(&form)?;
    let reload = |state: &State, page: &Page| {
        let actor = page.0.actor.clone();
        let state = state.clone();
        async move { run(&state, move |ctx| cases::case_file(ctx, &actor, id)).await }
    };
    let input = match reply_input(&form) {
        Ok(i) => i,
        Err(errors) => {
            let file = reload(&state, &page).await?;
            return form_page(
                &state,
                &page,
                file,
                form.values(),
                errors,
                Value::from(()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let actor = page.0.actor.clone();
    // The form submits the reply for review; it is issued from the review page once the
    // last level approved it.
    match run(&state, move |ctx| {
        crate::ops::reviews::submit(ctx, &actor, id, expected, input)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}/review"))),
        Err(WebError::Op(e)) => {
            let super::error::Refusal {
                status,
                message,
                fields: errors,
                ..
            } = super::error::refusal(e)?;
            let file = reload(&state, &page).await?;
            let mut values = form.values();
            // Resubmitting answers the case as it is now.
            values.insert("version".into(), file.view.version.to_string());
            form_page(
                &state,
                &page,
                file,
                values,
                errors,
                Value::from(()),
                message,
                status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The recorded reply of a case, with what a letter needs around it.
async fn letter_parts(state: &State, page: &Page, id: i64) -> Result<CaseFile, WebError> {
    let actor = page.0.actor.clone();
    let file = run(state, move |ctx| cases::case_file(ctx, &actor, id)).await?;
    if file.view.reply.is_none() {
        return Err(WebError::Op(OpError::conflict(
            "no_reply",
            "该案件尚未登记答复：请先在答复页填写并登记，再打印或下载答复书。",
        )));
    }
    Ok(file)
}

const TITLE: &str = "政府信息公开申请答复书";

pub async fn print(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let file = letter_parts(&state, &page, path.into_inner()).await?;
    let text = file
        .view
        .reply
        .as_ref()
        .and_then(|r| r.text.clone())
        .unwrap_or_else(|| format!("{}：", file.view.applicant.name));
    let (title, body) = docx::split_letter(&text);
    let r = file.view.reply.as_ref();
    let id = file.view.id;
    let body = render(
        "print_letter.html",
        context! {
            back => format!("/cases/{id}"), docx => format!("/cases/{id}/reply.docx"),
            letter => context! {
                organ => &file.department, doc_number => r.and_then(|r| r.doc_number.clone()),
                title => title.unwrap_or_else(|| TITLE.to_owned()), body => body,
                date => r.map(|r| cn_long_date(Value::from_serialize(json!(r.issued_on)))),
            },
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

pub async fn docx(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let file = letter_parts(&state, &page, path.into_inner()).await?;
    let Some(reply) = &file.view.reply else {
        return Err(WebError::Internal("reply vanished".into()));
    };
    let fallback = format!("{}：\n", file.view.applicant.name);
    let date = cn_long_date(Value::from_serialize(json!(reply.issued_on)));
    let (title, body) = docx::split_letter(reply.text.as_deref().unwrap_or(&fallback));
    let body = body.join("\n");
    let bytes = docx::letter(&docx::Letter {
        organ: &file.department,
        doc_number: reply.doc_number.as_deref(),
        title: title.as_deref().unwrap_or(TITLE),
        body: &body,
        date: &date,
    })
    .map_err(WebError::Internal)?;
    let name = format!("reply-{}.docx", file.view.case_number);
    Ok(super::error::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &name,
        bytes,
    ))
}

//! Case pages: intake (登记申请) with a live due-date preview, the case page with its
//! explanation, timeline and the forms of exactly the actions the case allows, and search.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::{Map, json};

use super::error::{WebError, html, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run};
use crate::domain::case::CaseEvent;
use crate::http::extract::State;
use crate::ops::cases::{self, ApplicantIn, BatchIn, CaseIn, ItemIn, ListQuery};
use crate::ops::{OpError, org};

fn date(form: &Form, key: &str) -> Option<NaiveDate> {
    form.get(key).and_then(|d| d.parse().ok())
}

/// The departments the caller may register cases for, as (id, name).
async fn departments(state: &State, page: &Page) -> Result<Vec<(i64, String)>, WebError> {
    let actor = page.0.actor.clone();
    let all = run(state, move |ctx| org::list_departments(ctx, &actor)).await?;
    Ok(all.into_iter().map(|d| (d.id, d.data.name)).collect())
}

async fn intake_page(
    state: &State,
    page: &Page,
    values: std::collections::BTreeMap<String, String>,
    errors: std::collections::BTreeMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let departments = departments(state, page).await?;
    let mut values = values;
    if !values.contains_key("department_id")
        && let Some(d) = page.0.actor.department_id
    {
        values.insert("department_id".into(), d.to_string());
    }
    values
        .entry("submitted_on".into())
        .or_insert_with(|| state.today().to_string());
    // A fresh key for each rendering: a double submit of this form makes one case.
    values.insert(
        "idempotency_key".into(),
        crate::auth::random_hex::<16>().map_err(|e| WebError::Internal(e.to_string()))?,
    );
    let body = render(
        "intake.html",
        context! {
            user => page.user(), nav => "intake", departments => departments,
            values => values, errors => errors, today => state.today().to_string(),
        },
    )?;
    Ok(html(status, body))
}

pub async fn intake_form(state: State, page: Page) -> Result<HttpResponse, WebError> {
    intake_page(
        &state,
        &page,
        Default::default(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

/// The intake form as the API's input: one case, or one per extra applicant line (identical
/// applications registered together).
fn case_inputs(form: &Form) -> Result<Vec<CaseIn>, std::collections::BTreeMap<String, String>> {
    let mut errors = std::collections::BTreeMap::new();
    let department_id = form.get("department_id").and_then(|d| d.parse().ok());
    if department_id.is_none() {
        errors.insert("department_id".into(), "请选择受理机关".into());
    }
    let submitted_on = date(form, "submitted_on");
    if submitted_on.is_none() {
        errors.insert("submitted_on".into(), "请填写提交日期".into());
    }
    let (Some(department_id), Some(submitted_on)) = (department_id, submitted_on) else {
        return Err(errors);
    };
    let items: Vec<ItemIn> = form
        .get("items")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| ItemIn {
            description: l.to_owned(),
        })
        .collect();
    let one = |name: String| CaseIn {
        department_id: Some(department_id),
        applicant: ApplicantIn {
            kind: form.get("applicant_type").unwrap_or_default().to_owned(),
            name,
            id_number: form.get("id_number").map(str::to_owned),
            phone: form.get("phone").map(str::to_owned),
            email: form.get("email").map(str::to_owned),
            address: form.get("address").map(str::to_owned),
        },
        channel: form.get("channel").unwrap_or_default().to_owned(),
        submitted_on,
        received_on: date(form, "received_on"),
        tracking_number: form.get("tracking_number").map(str::to_owned),
        items: items.clone(),
        purpose: form.get("purpose").map(str::to_owned),
        delivery_preference: form.get("delivery_preference").map(str::to_owned),
    };
    let mut all = vec![one(form.get("name").unwrap_or_default().to_owned())];
    for extra in form
        .get("more_applicants")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        all.push(one(extra.to_owned()));
    }
    Ok(all)
}

/// The API's field names → the form's.
fn form_field(api: &str) -> String {
    // A batch names fields `cases[2].applicant.name`: the form has one set of fields.
    let f = match api.strip_prefix("cases[") {
        Some(rest) => rest.split_once("].").map_or(rest, |(_, f)| f),
        None => api,
    };
    match f {
        "applicant.type" => "applicant_type".into(),
        "applicant.name" => "name".into(),
        "applicant.id_number" => "id_number".into(),
        "applicant.phone" => "phone".into(),
        "applicant.email" => "email".into(),
        "applicant.address" => "address".into(),
        f if f.starts_with("items") => "items".into(),
        f => f.to_owned(),
    }
}

pub async fn intake(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let inputs = match case_inputs(&form) {
        Ok(i) => i,
        Err(errors) => {
            return intake_page(
                &state,
                &page,
                form.values(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let key = form.get("idempotency_key").map(str::to_owned);
    let actor = page.0.actor.clone();
    let batch = inputs.len() > 1;
    let result = run(&state, move |ctx| {
        if batch {
            cases::register_batch(ctx, &actor, BatchIn { cases: inputs }, key.as_deref())
        } else {
            let input = inputs
                .into_iter()
                .next()
                .ok_or(OpError::internal("no case"))?;
            cases::register(ctx, &actor, input, key.as_deref())
        }
    })
    .await;
    match result {
        Ok(r) => {
            let first = if batch {
                r.body["items"][0].clone()
            } else {
                r.body.clone()
            };
            let id = first["id"].as_i64().unwrap_or_default();
            let repeats: Vec<String> = first["possible_repeats"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r["case_id"].as_i64())
                        .map(|i| i.to_string())
                        .collect()
                })
                .unwrap_or_default();
            let mut to = format!("/cases/{id}?created=1");
            if batch {
                to.push_str(&format!(
                    "&batch={}",
                    r.body["items"].as_array().map_or(0, Vec::len)
                ));
            }
            if !repeats.is_empty() {
                to.push_str(&format!("&repeats={}", repeats.join(",")));
            }
            Ok(see_other(&to))
        }
        Err(WebError::Op(OpError::Invalid(fields))) => {
            let errors = fields
                .0
                .into_iter()
                .map(|(k, v)| (form_field(&k), v))
                .collect();
            intake_page(
                &state,
                &page,
                form.values(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(WebError::Op(OpError::NotFound(_))) => {
            let errors = [(
                "department_id".to_owned(),
                "不能为该机关登记申请".to_owned(),
            )]
            .into();
            intake_page(
                &state,
                &page,
                form.values(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    department_id: Option<i64>,
    channel: Option<String>,
    submitted_on: Option<String>,
    received_on: Option<String>,
}

/// The due date the form would give, with its steps (an htmx fragment).
pub async fn preview(
    state: State,
    page: Page,
    q: web::Query<PreviewQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let parse = |s: &Option<String>| s.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
    let (submitted, received) = (parse(&q.submitted_on), parse(&q.received_on));
    let preview = match q.department_id {
        Some(dept) => {
            let actor = page.0.actor.clone();
            let channel = q.channel.unwrap_or_default();
            Some(
                run(&state, move |ctx| {
                    cases::preview_due(ctx, &actor, dept, &channel, submitted, received)
                })
                .await?,
            )
        }
        None => None,
    };
    let body = render(
        "_preview.html",
        context! { preview => Value::from_serialize(&preview) },
    )?;
    Ok(html(StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct CaseQuery {
    created: Option<String>,
    batch: Option<usize>,
    repeats: Option<String>,
    done: Option<String>,
}

/// A form that was refused, shown again in place with what the clerk typed.
pub(super) struct Refused {
    pub action: String,
    pub values: std::collections::BTreeMap<String, String>,
    pub message: String,
    pub stale: bool,
}

pub(super) async fn case_view(
    state: &State,
    page: &Page,
    id: i64,
    q: Option<&CaseQuery>,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (file, review, library) = run(state, move |ctx| {
        Ok((
            cases::case_file(ctx, &actor, id)?,
            crate::ops::reviews::get(ctx, &actor, id)?,
            crate::ops::library::of_case(ctx, &actor, id)?,
        ))
    })
    .await?;
    let actor = page.0.actor.clone();
    let fee = run(state, move |ctx| crate::ops::fees::get(ctx, &actor, id)).await?;
    let fee_unit = fee.method.unit();
    let fee_label = fee.method.label();
    let actions: Vec<Value> = file
        .actions
        .iter()
        .map(|a| {
            Value::from_serialize(json!({
                "key": a, "label": a.label(), "type": a.event_type(), "article": a.article(),
            }))
        })
        .collect();
    // A refused form whose action the case no longer allows is still shown, read-only, so
    // that nothing typed is lost.
    let refused_orphan = refused
        .as_ref()
        .is_some_and(|r| !file.actions.iter().any(|a| a.event_type() == r.action));
    let repeats: Vec<i64> = q
        .and_then(|q| q.repeats.as_deref())
        .map(|r| r.split(',').filter_map(|i| i.parse().ok()).collect())
        .unwrap_or_default();
    let body = render(
        "case.html",
        context! {
            user => page.user(), nav => "", file => Value::from_serialize(&file),
            review => Value::from_serialize(&review),
            library => Value::from_serialize(&library),
            fee => Value::from_serialize(&fee), fee_unit => fee_unit, fee_label => fee_label,
            actions => actions, today => state.today().to_string(),
            outcomes => crate::domain::outcome::Outcome::ALL.iter().map(|o| (o.as_str(), o.label())).collect::<Vec<_>>(),
            created => q.is_some_and(|q| q.created.is_some()),
            batch => q.and_then(|q| q.batch),
            done => q.and_then(|q| q.done.clone()),
            repeats => repeats, refused_orphan => refused_orphan,
            refused => refused.map(|r| Value::from_serialize(json!({
                "action": r.action, "values": r.values, "message": r.message, "stale": r.stale,
            }))),
        },
    )?;
    Ok(html(status, body))
}

pub async fn case_page(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<CaseQuery>,
) -> Result<HttpResponse, WebError> {
    case_view(
        &state,
        &page,
        path.into_inner(),
        Some(&q),
        None,
        StatusCode::OK,
    )
    .await
}

/// The event a case-page form describes, as the API's `CaseEvent`: the form's fields carry
/// the event's field names; numbers are parsed, the approver of an extension is the user,
/// a fee is typed in yuan, correction items one per line.
fn event_of(form: &Form, actor_id: i64) -> Result<CaseEvent, String> {
    const NUMBERS: &[&str] = &["user_id", "consultation", "working_days"];
    const TEXTS: &[&str] = &[
        "date",
        "respond_by",
        "party",
        "consulted",
        "third_party_received_on",
        "delivered_on",
        "notified_on",
        "reason",
        "due_on",
    ];
    let kind = form.get("type").ok_or("缺少事件类型")?;
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    for key in TEXTS {
        if let Some(v) = form.get(key) {
            m.insert((*key).into(), json!(v));
        }
    }
    for key in NUMBERS {
        if let Some(v) = form.get(key) {
            let n: i64 = v.parse().map_err(|_| format!("“{v}”不是整数"))?;
            m.insert((*key).into(), json!(n));
        }
    }
    match kind {
        "correction_requested" => {
            let items: Vec<&str> = form
                .get("items")
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            m.insert("items".into(), json!(items));
        }
        "extension_granted" => {
            m.insert("approved_by".into(), json!(actor_id));
        }
        "fee_notice_issued" => {
            let yuan = form.get("amount").unwrap_or_default();
            let fen =
                parse_yuan(yuan).ok_or_else(|| format!("金额“{yuan}”应为元，最多两位小数"))?;
            m.insert("amount_fen".into(), json!(fen));
        }
        _ => {}
    }
    // The forms mark every field the event needs as required, so what reaches here is a
    // date the browser let through unparsed or a field left out by hand.
    serde_json::from_value(serde_json::Value::Object(m)).map_err(|e| {
        let e = e.to_string();
        match e
            .split('`')
            .nth(1)
            .filter(|_| e.starts_with("missing field"))
        {
            Some(field) => format!("请填写{}", field_label(field)),
            None => "请填写有效的日期和数字".to_owned(),
        }
    })
}

/// The words on the form for an event field.
fn field_label(field: &str) -> &'static str {
    match field {
        "date" => "日期",
        "user_id" => "承办人",
        "respond_by" => "补正期限",
        "consulted" => "征求意见对象",
        "consultation" => "结束的征求意见",
        "working_days" => "延长工作日数",
        "reason" => "理由",
        "notified_on" => "告知申请人日期",
        "due_on" => "答复期限",
        _ => "必填项",
    }
}

/// `12.5` yuan → 1250 fen.
pub(super) fn parse_yuan(raw: &str) -> Option<i64> {
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if frac.len() > 2 || whole.is_empty() {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole
        .checked_mul(100)?
        .checked_add(frac)
        .filter(|f| *f >= 0)
}

pub async fn record_event(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let action = form.get("type").unwrap_or_default().to_owned();
    let refuse = |message: String, stale: bool| Refused {
        action: action.clone(),
        values: form.values(),
        message,
        stale,
    };
    let expected = super::form_version(&form)?;
    let event = match event_of(&form, page.0.actor.user_id) {
        Ok(e) => e,
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
    match run(&state, move |ctx| {
        cases::record_event(ctx, &actor, id, expected, event)
    })
    .await
    {
        // The approvals list sends its decisions here and wants the list back (only that
        // page: a redirect never goes where a form says).
        Ok(_) if form.get("back") == Some("/approvals") => {
            Ok(see_other(&format!("/approvals?done={action}&case={id}")))
        }
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done={action}"))),
        Err(e) => refused_op(&state, &page, id, refuse, e).await,
    }
}

/// A case action the operation refused: the case page again with the form's values and
/// why (`refuse` makes the form's refusal from the message and whether it was stale).
pub(super) async fn refused_op(
    state: &State,
    page: &Page,
    id: i64,
    refuse: impl FnOnce(String, bool) -> Refused,
    e: WebError,
) -> Result<HttpResponse, WebError> {
    let WebError::Op(e) = e else { return Err(e) };
    let r = super::error::refusal(e)?;
    let message = r.summary();
    case_view(
        state,
        page,
        id,
        None,
        Some(refuse(message, r.stale)),
        r.status,
    )
    .await
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    status: Option<String>,
    received_from: Option<String>,
    received_to: Option<String>,
    overdue: Option<String>,
    /// Only applications not yet confirmed received (the desk links here).
    unconfirmed: Option<String>,
    cursor: Option<String>,
    sort: Option<String>,
}

pub async fn search(
    state: State,
    page: Page,
    q: web::Query<SearchQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let parse = |s: &Option<String>| {
        s.as_deref()
            .filter(|d| !d.is_empty())
            .and_then(|d| d.parse::<NaiveDate>().ok())
    };
    let query = ListQuery {
        q: q.q.clone().filter(|s| !s.trim().is_empty()),
        status: q.status.clone().filter(|s| !s.is_empty()),
        received_from: parse(&q.received_from),
        received_to: parse(&q.received_to),
        overdue: q.overdue.is_some(),
        unconfirmed: q.unconfirmed.is_some(),
        cursor: q.cursor.clone().filter(|s| !s.is_empty()),
        sort: Some(
            q.sort
                .clone()
                .filter(|s| s == "received")
                .unwrap_or_else(|| "due".into()),
        ),
        limit: Some(50),
        ..ListQuery::default()
    };
    let actor = page.0.actor.clone();
    let result = run(&state, move |ctx| cases::list(ctx, &actor, query)).await?;
    let body = render(
        "search.html",
        context! {
            user => page.user(), nav => "search", page => Value::from_serialize(&result),
            q => Value::from_serialize(json!({
                "q": q.q, "status": q.status, "received_from": q.received_from,
                "received_to": q.received_to, "overdue": q.overdue.is_some(),
                "unconfirmed": q.unconfirmed.is_some(), "sort": q.sort,
            })),
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_becomes_fen_exactly() {
        assert_eq!(parse_yuan("12.5"), Some(1250));
        assert_eq!(parse_yuan("100"), Some(10000));
        assert_eq!(parse_yuan("0.07"), Some(7));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan("abc"), None);
    }

    #[test]
    fn a_correction_form_becomes_the_event() {
        let form = Form(vec![
            ("type".into(), "correction_requested".into()),
            ("date".into(), "2026-03-03".into()),
            (
                "items".into(),
                "请说明所需信息的名称\n\n请提供身份证明".into(),
            ),
            ("respond_by".into(), "2026-03-20".into()),
        ]);
        let e = event_of(&form, 1).unwrap_or(CaseEvent::Withdrawn {
            date: NaiveDate::MIN,
        });
        assert!(matches!(e, CaseEvent::CorrectionRequested { ref items, .. } if items.len() == 2));
    }
}

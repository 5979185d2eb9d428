//! 模拟用户实测 pages for auditors (and admins): the campaigns, one campaign's units, letters
//! grid (signing dates and replies edited in place), phone checks and CSV import, the report
//! with its charts and the workbook, and a unit's score card. Each handler parses its form,
//! calls one `ops::campaigns` operation and renders; a refused form comes back with what was
//! typed and the field named.

use std::collections::{BTreeMap, HashMap};

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use futures_util::StreamExt;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::error::{WebError, html, refusal, see_other};
use super::render::render;
use super::session::Page;
use super::{Form, run, run_parsed};
use crate::domain::campaign::{Citation, Defect, LetterStatus};
use crate::domain::compliance::{LitigationRoute, ReconsiderationRoute, Remedy};
use crate::domain::validation::FieldErrors;
use crate::http::extract::State;
use crate::ops::OpError;
use crate::ops::campaigns::{
    self, CampaignIn, LetterIn, LetterPatch, MAX_IMPORT_BYTES, PhoneIn, ReplyIn, TargetIn,
};
use crate::report::tabular;

/// A form the operation (or the page's parsing) refused, shown again in place.
#[derive(Default, Serialize)]
struct Refused {
    /// Which form: `campaign`, `target`, `letter`, `edit-{id}`, `reply-{id}`, `phone`, `import`.
    form: String,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    message: Option<String>,
    /// Import errors by line and column of the sheet.
    cells: Vec<CellError>,
    #[serde(skip)]
    status: StatusCode,
}

#[derive(Serialize)]
struct CellError {
    line: Option<usize>,
    column: Option<&'static str>,
    message: String,
}

/// `(code, label)` of the defects, for the grid's 问题 column.
fn defect_labels() -> BTreeMap<&'static str, &'static str> {
    Defect::ALL.iter().map(|d| (d.code(), d.label())).collect()
}

fn date(e: &mut FieldErrors, form: &Form, key: &str, label: &str) -> Option<NaiveDate> {
    let raw = form.get(key)?;
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if parsed.is_none() {
        e.add(key, format!("{label}应为日期，如 2020-09-23"));
    }
    parsed
}

fn required_date(e: &mut FieldErrors, form: &Form, key: &str, label: &str) -> Option<NaiveDate> {
    if form.get(key).is_none() {
        e.add(key, format!("请填写{label}"));
        return None;
    }
    date(e, form, key, label)
}

fn id_field(e: &mut FieldErrors, form: &Form, key: &str) -> Option<i64> {
    let parsed = form.get(key).and_then(|v| v.parse().ok());
    if parsed.is_none() {
        e.add(key, "请选择评估对象");
    }
    parsed
}

fn text(form: &Form, key: &str) -> Option<String> {
    form.get(key).map(str::to_owned)
}

fn checked(form: &Form, key: &str) -> bool {
    form.get(key).is_some()
}

/// An operation's or the parser's refusal, or an error page for anything else.
fn refused(form: &str, values: BTreeMap<String, String>, e: OpError) -> Result<Refused, WebError> {
    let r = refusal(e)?;
    Ok(Refused {
        form: form.to_owned(),
        values,
        errors: r.fields,
        message: r.message,
        cells: Vec::new(),
        status: r.status,
    })
}

// ---------------------------------------------------------------------------------------------
// The campaigns

async fn list_page(
    state: &State,
    page: &Page,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let items = run(state, move |ctx| campaigns::list(ctx, &actor)).await?;
    let refused = refused.unwrap_or_default();
    let body = render(
        "audits.html",
        context! {
            user => page.user(), nav => "audits", items => Value::from_serialize(&items),
            values => refused.values, errors => refused.errors, message => refused.message,
        },
    )?;
    Ok(html(status, body))
}

pub async fn list(state: State, page: Page) -> Result<HttpResponse, WebError> {
    list_page(&state, &page, None, StatusCode::OK).await
}

/// The create form: the 合格线 is typed in percent; the rubric is the default one.
fn campaign_input(form: &Form) -> Result<CampaignIn, OpError> {
    let mut e = FieldErrors::default();
    let cutoff_on = required_date(&mut e, form, "cutoff_on", "数据截止日期");
    let statutory_days = match form.get("statutory_days") {
        None => None,
        Some(v) => match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.add("statutory_days", "答复期限应为整数个工作日");
                None
            }
        },
    };
    let pass_threshold = match form.get("pass_threshold") {
        None => None,
        Some(v) => match v.parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) => Some(p / 100.0),
            _ => {
                e.add("pass_threshold", "合格线应为0到100之间的百分数，如 60");
                None
            }
        },
    };
    let (Some(cutoff_on), true) = (cutoff_on, e.is_empty()) else {
        return Err(e.into());
    };
    Ok(CampaignIn {
        name: form.get("name").unwrap_or_default().to_owned(),
        region: form.get("region").unwrap_or_default().to_owned(),
        statutory_days,
        cutoff_on,
        pass_threshold,
        rubric: None,
    })
}

pub async fn create(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    let result = run_parsed(&state, campaign_input(&form), move |ctx, input| {
        campaigns::create(ctx, &actor, input)
    })
    .await;
    match result {
        Ok(c) => Ok(see_other(&format!("/audits/{}?done=created", c.id))),
        Err(WebError::Op(e)) => {
            let r = refused("campaign", form.values(), e)?;
            let status = r.status;
            list_page(&state, &page, Some(r), status).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// One campaign: units, letters grid, phone checks, import

#[derive(Deserialize)]
pub struct CampaignQuery {
    done: Option<String>,
    rows: Option<usize>,
    targets: Option<usize>,
    letters: Option<usize>,
    updated: Option<usize>,
    replies: Option<usize>,
    /// The grid row just saved (marked, and scrolled to).
    letter: Option<i64>,
}

async fn campaign_page(
    state: &State,
    page: &Page,
    id: i64,
    q: Option<&CampaignQuery>,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let view = run(state, move |ctx| campaigns::get(ctx, &actor, id)).await?;
    let names: HashMap<String, &str> = view
        .targets
        .iter()
        .map(|t| (t.id.to_string(), t.name.as_str()))
        .collect();
    let imported = q
        .filter(|q| q.done.as_deref() == Some("import"))
        .map(|q| [q.rows, q.targets, q.letters, q.updated, q.replies].map(|n| n.unwrap_or(0)));
    let body = render(
        "audit.html",
        context! {
            user => page.user(), nav => "audits", c => Value::from_serialize(&view),
            names => names, defects => defect_labels(),
            done => q.and_then(|q| q.done.as_deref()), imported => imported,
            saved => q.and_then(|q| q.letter),
            today => state.ctx.today().to_string(),
            refused => Value::from_serialize(&refused),
            max_mb => MAX_IMPORT_BYTES / 1024 / 1024,
        },
    )?;
    Ok(html(status, body))
}

pub async fn campaign(
    state: State,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<CampaignQuery>,
) -> Result<HttpResponse, WebError> {
    campaign_page(
        &state,
        &page,
        path.into_inner(),
        Some(&q),
        None,
        StatusCode::OK,
    )
    .await
}

/// Redirects to the campaign page after a form (back at the grid row it saved, if any), or
/// shows the form again refused.
async fn after_form<T>(
    state: &State,
    page: &Page,
    id: i64,
    form_name: &str,
    form: &Form,
    result: Result<T, WebError>,
    done: &str,
) -> Result<HttpResponse, WebError> {
    let row = form_name
        .split_once('-')
        .and_then(|(_, letter)| letter.parse::<i64>().ok());
    match result {
        Ok(_) => Ok(see_other(&match row {
            Some(l) => format!("/audits/{id}?done={done}&letter={l}#letter-{l}"),
            None => format!("/audits/{id}?done={done}#{done}"),
        })),
        Err(WebError::Op(e)) => {
            let r = refused(form_name, form.values(), e)?;
            let status = r.status;
            campaign_page(state, page, id, None, Some(r), status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_target(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let (id, form) = (path.into_inner(), form.into_inner());
    page.check_csrf(&form)?;
    let input = TargetIn {
        name: form.get("name").unwrap_or_default().to_owned(),
        category: form.get("category").unwrap_or_default().to_owned(),
        region: text(&form, "region"),
    };
    let actor = page.0.actor.clone();
    let result = run(&state, move |ctx| {
        campaigns::add_target(ctx, &actor, id, input)
    })
    .await;
    after_form(&state, &page, id, "target", &form, result, "targets").await
}

fn letter_input(form: &Form) -> Result<LetterIn, OpError> {
    let mut e = FieldErrors::default();
    let target_id = id_field(&mut e, form, "target_id");
    let sent_on = required_date(&mut e, form, "sent_on", "寄出日期");
    let signed_on = date(&mut e, form, "signed_on", "签收日期");
    let (Some(target_id), Some(sent_on), true) = (target_id, sent_on, e.is_empty()) else {
        return Err(e.into());
    };
    Ok(LetterIn {
        target_id,
        channel: form.get("channel").unwrap_or_default().to_owned(),
        sent_on,
        tracking_number: text(form, "tracking_number"),
        signed_on,
    })
}

pub async fn add_letter(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let (id, form) = (path.into_inner(), form.into_inner());
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    let result = run_parsed(&state, letter_input(&form), move |ctx, input| {
        campaigns::add_letter(ctx, &actor, id, input)
    })
    .await;
    after_form(&state, &page, id, "letter", &form, result, "letters").await
}

/// A grid row's postal facts: a blank signing date leaves it as it is (the post's
/// confirmation is never withdrawn); a blank tracking number clears it.
fn letter_patch(form: &Form) -> Result<LetterPatch, OpError> {
    let mut e = FieldErrors::default();
    let sent_on = date(&mut e, form, "sent_on", "寄出日期");
    let signed_on = date(&mut e, form, "signed_on", "签收日期");
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(LetterPatch {
        sent_on,
        signed_on,
        tracking_number: Some(text(form, "tracking_number")),
    })
}

pub async fn edit_letter(
    state: State,
    page: Page,
    path: web::Path<(i64, i64)>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let ((id, letter_id), form) = (path.into_inner(), form.into_inner());
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    let result = run_parsed(&state, letter_patch(&form), move |ctx, input| {
        campaigns::patch_letter(ctx, &actor, id, letter_id, input)
    })
    .await;
    let name = format!("edit-{letter_id}");
    after_form(&state, &page, id, &name, &form, result, "letters").await
}

/// The reply form: one legal basis (the law and its article), each remedy route ticked or
/// named by its organ or court, as on the evaluators' sheet.
fn reply_input(form: &Form) -> Result<ReplyIn, OpError> {
    let mut e = FieldErrors::default();
    let received_on = required_date(&mut e, form, "received_on", "收到答复日期");
    let dispatched_on = date(&mut e, form, "dispatched_on", "邮戳日期");
    let doc_date = date(&mut e, form, "doc_date", "成文日期");
    let law = text(form, "law");
    let article = text(form, "article");
    if article.is_some() && law.is_none() {
        e.add("law", "填写了条款，请同时填写法律依据（法规名称）");
    }
    let (Some(received_on), true) = (received_on, e.is_empty()) else {
        return Err(e.into());
    };
    let organ = text(form, "reconsideration_organ");
    let court = text(form, "litigation_court");
    Ok(ReplyIn {
        received_on,
        dispatched_on,
        doc_date,
        doc_number: text(form, "doc_number"),
        sealed: checked(form, "sealed"),
        seal_organ: text(form, "seal_organ"),
        legal_basis: law
            .map(|law| Citation {
                law,
                article,
                ..Citation::default()
            })
            .into_iter()
            .collect(),
        remedy: Remedy {
            reconsideration: (checked(form, "reconsideration") || organ.is_some()).then(|| {
                ReconsiderationRoute {
                    organ,
                    ..ReconsiderationRoute::default()
                }
            }),
            litigation: (checked(form, "litigation") || court.is_some()).then(|| LitigationRoute {
                court,
                ..LitigationRoute::default()
            }),
            reconsideration_first: None,
        },
    })
}

pub async fn reply(
    state: State,
    page: Page,
    path: web::Path<(i64, i64)>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let ((id, letter_id), form) = (path.into_inner(), form.into_inner());
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    let result = run_parsed(&state, reply_input(&form), move |ctx, input| {
        campaigns::put_reply(ctx, &actor, id, letter_id, input)
    })
    .await;
    let name = format!("reply-{letter_id}");
    after_form(&state, &page, id, &name, &form, result, "letters").await
}

pub async fn add_phone_check(
    state: State,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let (id, form) = (path.into_inner(), form.into_inner());
    page.check_csrf(&form)?;
    let mut e = FieldErrors::default();
    let target_id = id_field(&mut e, &form, "target_id");
    if form.get("called_at").is_none() {
        e.add("called_at", "请填写拨打时间");
    }
    let actor = page.0.actor.clone();
    let result = match (target_id, e.is_empty()) {
        (Some(target_id), true) => {
            let input = PhoneIn {
                target_id,
                called_at: form.get("called_at").unwrap_or_default().to_owned(),
                connected: checked(&form, "connected"),
            };
            run(&state, move |ctx| {
                campaigns::add_phone_check(ctx, &actor, id, input)
            })
            .await
        }
        _ => Err(OpError::from(e).into()),
    };
    after_form(&state, &page, id, "phone", &form, result, "phones").await
}

/// The evaluators' sheet as a multipart upload (csrf, file). Without JavaScript the page
/// comes back whole; from htmx (which shows the upload's progress) a refusal is answered
/// 200 so that the import section is swapped in, and success redirects the browser.
pub async fn import(
    state: State,
    page: Page,
    req: HttpRequest,
    path: web::Path<i64>,
    mut payload: Multipart,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let htmx = req.headers().contains_key("hx-request");
    let mut fields = Form::default();
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| WebError::BadForm(format!("上传内容无法读取：{e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| WebError::BadForm(format!("上传内容无法读取：{e}")))?;
            if data.len() + chunk.len() > MAX_IMPORT_BYTES {
                return Err(WebError::BadForm(format!(
                    "CSV 文件过大（最多{}MB）",
                    MAX_IMPORT_BYTES / 1024 / 1024
                )));
            }
            data.extend_from_slice(&chunk);
        }
        if name == "file" {
            file = Some(data);
        } else {
            fields
                .0
                .push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    page.check_csrf(&fields)?;
    let actor = page.0.actor.clone();
    let result = match file.filter(|f| !f.is_empty()) {
        Some(bytes) => {
            run(&state, move |ctx| {
                campaigns::import(ctx, &actor, id, &bytes)
            })
            .await
        }
        None => Err(OpError::field("file", "请选择要导入的 CSV 文件").into()),
    };
    match result {
        Ok(s) => {
            let to = format!(
                "/audits/{id}?done=import&rows={}&targets={}&letters={}&updated={}&replies={}#letters",
                s.rows, s.targets_created, s.letters_created, s.letters_updated, s.replies_recorded
            );
            if htmx {
                Ok(HttpResponse::Ok()
                    .insert_header(("HX-Redirect", to))
                    .finish())
            } else {
                Ok(see_other(&to))
            }
        }
        Err(WebError::Op(e)) => {
            let e = match e {
                // An unreadable file is the caller's mistake like a bad row: shown in place.
                OpError::BadRequest { message, .. } => OpError::field("file", message),
                other => other,
            };
            let mut r = refused("import", BTreeMap::new(), e)?;
            let mut cells: Vec<CellError> = r
                .errors
                .iter()
                .map(|(key, message)| {
                    let cell = campaigns::import_cell(key);
                    CellError {
                        line: cell.as_ref().map(|c| c.line),
                        column: cell.and_then(|c| c.column),
                        message: message.clone(),
                    }
                })
                .collect();
            cells.sort_by_key(|c| (c.line, c.column));
            r.cells = cells;
            let status = if htmx {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            campaign_page(&state, &page, id, None, Some(r), status).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The report and the score cards

pub async fn report(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = page.0.actor.clone();
    let r = run(&state, move |ctx| campaigns::report(ctx, &actor, id)).await?;
    let body = render(
        "audit_report.html",
        context! { user => page.user(), nav => "audits", r => Value::from_serialize(&r) },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// The same workbook as `GET /api/v1/audits/{id}/report?format=xlsx`.
pub async fn report_xlsx(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = page.0.actor.clone();
    let r = run(&state, move |ctx| campaigns::report(ctx, &actor, id)).await?;
    let name = format!("audit-{}-{}", r.audit.id, r.as_of);
    let file = tabular::download(&campaigns::workbook(&r.report), &name, true)
        .map_err(|e| WebError::Op(OpError::internal(e)))?;
    Ok(super::error::download(
        file.content_type,
        &file.filename,
        file.bytes,
    ))
}

pub async fn scorecard(
    state: State,
    page: Page,
    path: web::Path<(i64, i64)>,
    q: web::Query<Done>,
) -> Result<HttpResponse, WebError> {
    let (id, target_id) = path.into_inner();
    card_page(
        &state,
        &page,
        (id, target_id),
        q.into_inner().done,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The score card; for an administrator with the departments to link the unit to (the
/// linked one, else the suggested one, preselected).
async fn card_page(
    state: &State,
    page: &Page,
    (id, target_id): (i64, i64),
    done: Option<String>,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (card, departments) = run(state, move |ctx| {
        let card = campaigns::scorecard(ctx, &actor, id, target_id)?;
        let departments: Vec<(i64, String)> = if card.may_link {
            crate::ops::org::list_departments(ctx, &actor)?
                .into_iter()
                .map(|d| (d.id, d.data.name))
                .collect()
        } else {
            Vec::new()
        };
        Ok((card, departments))
    })
    .await?;
    let selected = card
        .department
        .as_ref()
        .or(card.suggested_department.as_ref())
        .map(|d| d.id);
    let body = render(
        "audit_target.html",
        context! {
            user => page.user(), nav => "audits", s => Value::from_serialize(&card),
            defects => defect_labels(),
            statuses => LetterStatus::ALL.iter().map(|s| (s.code(), s.label())).collect::<BTreeMap<_, _>>(),
            departments => departments, selected => selected, done => done, message => message,
        },
    )?;
    Ok(html(status, body))
}

/// Links the unit to a department (administrators); an empty choice removes the link.
pub async fn link_department(
    state: State,
    page: Page,
    path: web::Path<(i64, i64)>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let ((id, target_id), form) = (path.into_inner(), form.into_inner());
    page.check_csrf(&form)?;
    let expected = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WebError::BadForm("缺少评估对象版本号".into()))?;
    let department_id = match form.get("department_id").map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| WebError::BadForm("机关编号有误".into()))?,
        ),
    };
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        campaigns::set_target_department(
            ctx,
            &actor,
            id,
            target_id,
            expected,
            campaigns::TargetDepartmentIn { department_id },
        )
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/audits/{id}/targets/{target_id}?done=department#department"
        ))),
        Err(WebError::Op(e)) => {
            let r = refusal(e)?;
            let message = r.summary();
            card_page(
                &state,
                &page,
                (id, target_id),
                None,
                Some(message),
                r.status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_reply_form_becomes_the_api_reply() {
        let r = reply_input(&form(&[
            ("received_on", "2020-11-02"),
            ("dispatched_on", "2020-10-31"),
            ("doc_number", "桂交复〔2020〕3号"),
            ("sealed", "1"),
            ("law", "《中华人民共和国政府信息公开条例》"),
            ("article", "第三十六条"),
            ("reconsideration_organ", "广西壮族自治区人民政府"),
            ("litigation_court", ""),
        ]))
        .unwrap();
        assert!(r.sealed);
        assert_eq!(r.legal_basis.len(), 1);
        assert_eq!(r.legal_basis[0].article.as_deref(), Some("第三十六条"));
        assert!(r.remedy.reconsideration.is_some());
        assert!(r.remedy.litigation.is_none());
    }

    #[test]
    fn a_reply_form_names_its_bad_fields() {
        let Err(OpError::Invalid(f)) = reply_input(&form(&[
            ("dispatched_on", "31/10/2020"),
            ("article", "第三十六条"),
        ])) else {
            panic!("refused");
        };
        for key in ["received_on", "dispatched_on", "law"] {
            assert!(f.0.contains_key(key), "{key}: {:?}", f.0);
        }
    }

    #[test]
    fn the_threshold_is_typed_in_percent() {
        let c = campaign_input(&form(&[
            ("name", "n"),
            ("region", "450000"),
            ("cutoff_on", "2020-11-20"),
            ("pass_threshold", "60"),
        ]))
        .unwrap();
        assert_eq!(c.pass_threshold, Some(0.6));
        assert!(
            campaign_input(&form(&[
                ("cutoff_on", "2020-11-20"),
                ("pass_threshold", "160")
            ]))
            .is_err()
        );
    }
}

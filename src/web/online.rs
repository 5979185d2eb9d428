//! The public pages of online applications (`/apply`, no account): choose a department,
//! fill in its form, see the query code once, look the application up with the code (sent
//! in a form, never in the URL), answer a 补正 online, read and download the reply, and read
//! the department's 指南. Each handler parses, calls one `ops::online` operation, renders.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use minijinja::{Value, context};
use serde_json::json;

use super::error::{WebError, html};
use super::render::{cn_long_date, render};
use super::{Form, docx, run};
use crate::http::extract::{ClientAddr, State};
use crate::ops::OpError;
use crate::ops::cases::{ApplicantIn, ItemIn};
use crate::ops::online::{self, FileIn, MAX_FILE_BYTES, MAX_FILES, OnlineIn};

/// The whole multipart body of an application: the fields and every file at its limit.
const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;

fn client(addr: &ClientAddr) -> Option<String> {
    addr.0.map(|ip| ip.to_string())
}

async fn index_page(state: State) -> Result<HttpResponse, WebError> {
    let departments = run(&state, online::departments).await?;
    let body = render(
        "apply_index.html",
        context! { departments => departments, nav => "apply" },
    )?;
    Ok(html(StatusCode::OK, body))
}

fn form_page(
    department: &online::PublicDepartment,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let body = render(
        "apply_form.html",
        context! {
            department => department, values => values, errors => errors, nav => "apply",
            max_mb => MAX_FILE_BYTES / (1024 * 1024),
        },
    )?;
    Ok(html(status, body))
}

async fn form_page_of(state: State, path: web::Path<i64>) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let department = run(&state, move |ctx| online::department(ctx, id)).await?;
    let values = BTreeMap::from([("delivery_preference".to_owned(), "online".to_owned())]);
    form_page(&department, values, BTreeMap::new(), StatusCode::OK)
}

/// Reads the multipart form: text fields and the files chosen (an empty file input is
/// skipped). Refuses a body over `MAX_BODY_BYTES` before reading more.
async fn read_multipart(mut payload: Multipart) -> Result<(Form, Vec<FileIn>), WebError> {
    let mut fields = Form::default();
    let mut files = Vec::new();
    let mut total = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| WebError::BadForm(format!("提交内容无法读取：{e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| WebError::BadForm(format!("提交内容无法读取：{e}")))?;
            total += chunk.len();
            if total > MAX_BODY_BYTES {
                return Err(WebError::BadForm(format!(
                    "提交内容过大：附件每个不超过{}MB，最多{MAX_FILES}个",
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            data.extend_from_slice(&chunk);
        }
        match (name.as_str(), file_name) {
            ("file_id" | "file_support", Some(f)) => {
                if !f.is_empty() || !data.is_empty() {
                    files.push(FileIn {
                        kind: if name == "file_id" {
                            "id_document"
                        } else {
                            "supporting"
                        }
                        .to_owned(),
                        file_name: f,
                        content: data,
                    });
                }
            }
            _ => fields
                .0
                .push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    Ok((fields, files))
}

/// The field errors as the form shows them: every item's error at the items box, every
/// file's at the attachments.
fn form_errors(fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in fields {
        let key = if k.starts_with("items") {
            "items".to_owned()
        } else if k.starts_with("files") || k == "kind" {
            "files".to_owned()
        } else {
            k
        };
        out.entry(key).or_insert(v);
    }
    out
}

async fn submit_page(
    state: State,
    path: web::Path<i64>,
    addr: ClientAddr,
    payload: Multipart,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let (form, files) = read_multipart(payload).await?;
    let get = |k: &str| form.get(k).map(str::to_owned);
    let input = OnlineIn {
        department_id: id,
        applicant: ApplicantIn {
            kind: get("applicant.type").unwrap_or_default(),
            name: get("applicant.name").unwrap_or_default(),
            id_number: get("applicant.id_number"),
            phone: get("applicant.phone"),
            email: get("applicant.email"),
            address: get("applicant.address"),
        },
        items: form
            .get("items")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| ItemIn {
                description: l.to_owned(),
            })
            .collect(),
        purpose: get("purpose"),
        delivery_preference: get("delivery_preference"),
        website: form
            .0
            .iter()
            .find(|(k, _)| k == "website")
            .map(|(_, v)| v.clone()),
    };
    let client = client(&addr);
    match run(&state, move |ctx| {
        online::submit(ctx, client.as_deref(), input, files)
    })
    .await
    {
        Ok(done) => {
            let body = render("apply_done.html", context! { done => done, nav => "apply" })?;
            Ok(html(StatusCode::CREATED, body))
        }
        Err(WebError::Op(OpError::Invalid(fields))) => {
            let department = run(&state, move |ctx| online::department(ctx, id)).await?;
            let mut values = form.values();
            values.remove("website");
            form_page(
                &department,
                values,
                form_errors(fields.0),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e),
    }
}

fn status_page(
    s: Option<&online::PublicStatus>,
    code: &str,
    message: Option<&str>,
    done: Option<&str>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    // The letter's paragraphs, as the print view shows them.
    let letter: Vec<String> = s
        .and_then(|s| s.reply.as_ref())
        .and_then(|r| r.text.as_deref())
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let body = render(
        "apply_status.html",
        context! {
            s => s, letter => letter, code => code, message => message, done => done, values => values,
            errors => errors, nav => "status",
        },
    )?;
    Ok(html(status, body))
}

/// The one answer to a code that finds nothing (wrong or unknown alike).
const NO_SUCH_CODE: &str = "未找到与该查询码对应的申请：请核对查询码后重新输入。";

async fn status_form_page() -> Result<HttpResponse, WebError> {
    status_page(
        None,
        "",
        None,
        None,
        BTreeMap::new(),
        BTreeMap::new(),
        StatusCode::OK,
    )
}

/// Shows what an operation on a code answered: the status, or the lookup form again.
fn answer(
    result: Result<online::PublicStatus, WebError>,
    code: &str,
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    match result {
        Ok(s) => status_page(
            Some(&s),
            code,
            None,
            done,
            BTreeMap::new(),
            BTreeMap::new(),
            StatusCode::OK,
        ),
        Err(WebError::Op(OpError::NotFound(_))) => status_page(
            None,
            "",
            Some(NO_SUCH_CODE),
            None,
            BTreeMap::new(),
            BTreeMap::new(),
            StatusCode::NOT_FOUND,
        ),
        Err(e) => Err(e),
    }
}

async fn lookup_page(
    state: State,
    addr: ClientAddr,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let code = form.get("code").unwrap_or_default().to_owned();
    let client = client(&addr);
    let c = code.clone();
    let result = run(&state, move |ctx| {
        online::lookup(ctx, client.as_deref(), &c)
    })
    .await;
    answer(result, &code, None)
}

async fn correct_page(
    state: State,
    addr: ClientAddr,
    payload: Multipart,
) -> Result<HttpResponse, WebError> {
    let (form, files) = read_multipart(payload).await?;
    let code = form.get("code").unwrap_or_default().to_owned();
    let text = form.get("text").unwrap_or_default().to_owned();
    let client = client(&addr);
    let (c, t) = (code.clone(), text.clone());
    let result = run(&state, move |ctx| {
        online::correct(ctx, client.as_deref(), &c, &t, files)
    })
    .await;
    match result {
        Err(WebError::Op(OpError::Invalid(fields))) => {
            let client = self::client(&addr);
            let c = code.clone();
            let s = run(&state, move |ctx| {
                online::lookup(ctx, client.as_deref(), &c)
            })
            .await?;
            status_page(
                Some(&s),
                &code,
                None,
                None,
                form.values(),
                fields.0,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        other => answer(
            other,
            &code,
            Some("补正已提交：今天即为收到补正之日，答复期限自今天起重新计算 20 个工作日。"),
        ),
    }
}

const TITLE: &str = "政府信息公开申请答复书";

/// The issued reply as a printable page or a .docx, for the code in the form.
async fn letter_page(
    state: State,
    addr: ClientAddr,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let code = form.get("code").unwrap_or_default().to_owned();
    let format = form.get("format").unwrap_or("docx").to_owned();
    let client = client(&addr);
    let c = code.clone();
    let found = run(&state, move |ctx| {
        online::reply_letter(ctx, client.as_deref(), &c)
    })
    .await;
    let (organ, case_number, reply) = match found {
        Ok(parts) => parts,
        Err(e @ WebError::Op(OpError::NotFound(_))) => return answer(Err(e), &code, None),
        Err(e) => return Err(e),
    };
    let date = cn_long_date(Value::from_serialize(json!(reply.issued_on)));
    let text = reply.text.clone().unwrap_or_default();
    let (title, body) = docx::split_letter(&text);
    if format == "print" {
        let page = render(
            "print_letter.html",
            context! {
                back => "/apply/status", back_label => "返回查询", docx => (),
                letter => context! {
                    organ => &organ, doc_number => reply.doc_number,
                    title => title.unwrap_or_else(|| TITLE.to_owned()), body => body, date => date,
                },
            },
        )?;
        return Ok(html(StatusCode::OK, page));
    }
    let body = body.join("\n");
    let bytes = docx::letter(&docx::Letter {
        organ: &organ,
        doc_number: reply.doc_number.as_deref(),
        title: title.as_deref().unwrap_or(TITLE),
        body: &body,
        date: &date,
    })
    .map_err(WebError::Internal)?;
    Ok(super::error::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("reply-{case_number}.docx"),
        bytes,
    ))
}

async fn guide_page(state: State, path: web::Path<i64>) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let g = run(&state, move |ctx| online::guide(ctx, id)).await?;
    let public_url = state.settings.public_url.clone();
    let body = render(
        "apply_guide.html",
        context! { g => g, public_url => public_url, nav => "apply" },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// A public page's failure shown in the public pages' frame (no staff menu, no link to the
/// staff desk): the status and message every page gives, with the way back to `/apply`.
fn public(result: Result<HttpResponse, WebError>) -> HttpResponse {
    match result {
        Ok(resp) => resp,
        Err(e) => {
            let (status, message) = e.status_and_message();
            if status.is_server_error() {
                return actix_web::ResponseError::error_response(&e);
            }
            let mut resp = render(
                "apply_error.html",
                context! { status => status.as_u16(), message => message, nav => "" },
            )
            .map_or_else(
                |_| actix_web::ResponseError::error_response(&e),
                |body| html(status, body),
            );
            if let WebError::Op(OpError::RateLimited { retry_after_secs }) = &e
                && let Ok(v) =
                    actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
            {
                resp.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, v);
            }
            resp
        }
    }
}

pub async fn index(state: State) -> HttpResponse {
    public(index_page(state).await)
}

pub async fn form(state: State, path: web::Path<i64>) -> HttpResponse {
    public(form_page_of(state, path).await)
}

pub async fn submit(
    state: State,
    path: web::Path<i64>,
    addr: ClientAddr,
    payload: Multipart,
) -> HttpResponse {
    public(submit_page(state, path, addr, payload).await)
}

pub async fn status_form() -> HttpResponse {
    public(status_form_page().await)
}

pub async fn lookup(state: State, addr: ClientAddr, form: web::Form<Form>) -> HttpResponse {
    public(lookup_page(state, addr, form).await)
}

pub async fn correct(state: State, addr: ClientAddr, payload: Multipart) -> HttpResponse {
    public(correct_page(state, addr, payload).await)
}

pub async fn letter(state: State, addr: ClientAddr, form: web::Form<Form>) -> HttpResponse {
    public(letter_page(state, addr, form).await)
}

pub async fn guide(state: State, path: web::Path<i64>) -> HttpResponse {
    public(guide_page(state, path).await)
}

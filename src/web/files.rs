//! Notices (drafted, edited, recorded as sent, printed, .docx), attachments (upload and
//! download) and the personal calendar feed (ICS).

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use futures_util::StreamExt;
use minijinja::{Value, context};
use serde_json::json;

use super::error::{WebError, html, see_other};
use super::render::{cn_long_date, render};
use super::session::Page;
use super::{Form, docx, run};
use crate::domain::notice::NoticeKind;
use crate::http::extract::State;
use crate::ops::OpError;
use crate::ops::case_files::{self, MAX_ATTACHMENT_BYTES};
use crate::ops::cases;

fn kind_of(raw: &str) -> Result<NoticeKind, WebError> {
    NoticeKind::parse(raw).ok_or(WebError::Op(OpError::NotFound("通知类型")))
}

#[expect(clippy::too_many_arguments, reason = "the page's parts, each named")]
async fn notice_page(
    state: &State,
    page: &Page,
    id: i64,
    kind: NoticeKind,
    text: Option<String>,
    sent_on: String,
    errors: std::collections::BTreeMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let (file, draft) = run(state, move |ctx| {
        let file = cases::case_file(ctx, &actor, id)?;
        // Recording would be refused: say so before anything is typed.
        if !file.handles {
            return Err(cases::oversight_only());
        }
        let draft = case_files::draft_notice(ctx, &actor, id, kind, None)?;
        Ok((file, draft))
    })
    .await?;
    let text = text.unwrap_or_else(|| draft.text.clone());
    let body = render(
        "notice.html",
        context! {
            user => page.user(), nav => "", file => Value::from_serialize(&file),
            draft => Value::from_serialize(&draft), text => text, sent_on => sent_on,
            errors => errors,
        },
    )?;
    Ok(html(status, body))
}

pub async fn notice_form(
    state: State,
    page: Page,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, WebError> {
    let (id, kind) = path.into_inner();
    let kind = kind_of(&kind)?;
    let today = state.today().to_string();
    notice_page(
        &state,
        &page,
        id,
        kind,
        None,
        today,
        Default::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn record_notice(
    state: State,
    page: Page,
    path: web::Path<(i64, String)>,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    let (id, kind) = path.into_inner();
    let kind = kind_of(&kind)?;
    let form = form.into_inner();
    page.check_csrf(&form)?;
    let text = form.get("text").unwrap_or_default().to_owned();
    let sent_raw = form.get("sent_on").unwrap_or_default().to_owned();
    let Ok(sent_on) = sent_raw.parse::<NaiveDate>() else {
        let errors = [("sent_on".to_owned(), "请填写有效的发出日期".to_owned())].into();
        return notice_page(
            &state,
            &page,
            id,
            kind,
            Some(text),
            sent_raw,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let actor = page.0.actor.clone();
    let t = text.clone();
    match run(&state, move |ctx| {
        case_files::record_notice(ctx, &actor, id, kind, &t, sent_on)
    })
    .await
    {
        Ok(row) => Ok(see_other(&format!("/notices/{}/print", row.id))),
        Err(WebError::Op(OpError::Invalid(f))) => {
            notice_page(
                &state,
                &page,
                id,
                kind,
                Some(text),
                sent_raw,
                f.0,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A recorded notice laid out as a letter: its row, the organ, the body lines and the date.
async fn notice_letter(
    state: &State,
    page: &Page,
    id: i64,
) -> Result<
    (
        crate::store::case_files::NoticeRow,
        String,
        Vec<String>,
        String,
    ),
    WebError,
> {
    let actor = page.0.actor.clone();
    let (row, organ) = run(state, move |ctx| case_files::notice(ctx, &actor, id)).await?;
    let (body, date) = notice_body(&row.body);
    let date = date.unwrap_or_else(|| cn_long_date(Value::from_serialize(json!(row.sent_on))));
    Ok((row, organ, body, date))
}

pub async fn print_notice(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let (row, organ, body, date) = notice_letter(&state, &page, id).await?;
    let body = render(
        "print_letter.html",
        context! {
            back => format!("/cases/{}", row.case_id), docx => format!("/notices/{id}.docx"),
            letter => context! {
                organ => organ, doc_number => (), title => row.title, body => body, date => date,
            },
        },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// A notice's body without its closing (organ and date), which the layout draws; the date
/// as written.
fn notice_body(text: &str) -> (Vec<String>, Option<String>) {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let date = lines.last().filter(|l| docx::is_letter_date(l)).cloned();
    if date.is_some() {
        lines.pop();
        lines.pop();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
    }
    (lines, date.map(|d| d.trim().to_owned()))
}

pub async fn notice_docx(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let (row, organ, body, date) = notice_letter(&state, &page, id).await?;
    let bytes = docx::letter(&docx::Letter {
        organ: &organ,
        doc_number: None,
        title: &row.title,
        body: &body.join("\n"),
        date: &date,
    })
    .map_err(WebError::Internal)?;
    Ok(super::error::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("notice-{id}.docx"),
        bytes,
    ))
}

/// Upload of one file (multipart form: csrf, kind, file).
pub async fn upload(
    state: State,
    page: Page,
    path: web::Path<i64>,
    mut payload: Multipart,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let mut fields = Form::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| WebError::BadForm(format!("上传内容无法读取：{e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| WebError::BadForm(format!("上传内容无法读取：{e}")))?;
            if data.len() + chunk.len() > MAX_ATTACHMENT_BYTES + 1 {
                return Err(WebError::BadForm("文件不能超过10MB".into()));
            }
            data.extend_from_slice(&chunk);
        }
        match (name.as_str(), file_name) {
            ("file", Some(f)) => file = Some((f, data)),
            (_, _) => fields
                .0
                .push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    page.check_csrf(&fields)?;
    let kind = fields.get("kind").unwrap_or("other").to_owned();
    let (file_name, content) = file.unwrap_or_default();
    let actor = page.0.actor.clone();
    match run(&state, move |ctx| {
        case_files::attach(ctx, &actor, id, &kind, &file_name, &content)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=attachment"))),
        Err(WebError::Op(OpError::Invalid(f))) => Err(WebError::BadForm(
            f.0.values().cloned().collect::<Vec<_>>().join("；"),
        )),
        Err(e) => Err(e),
    }
}

pub async fn download_attachment(
    state: State,
    page: Page,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = page.0.actor.clone();
    let (meta, content) = run(&state, move |ctx| case_files::attachment(ctx, &actor, id)).await?;
    // Only ASCII in the plain filename parameter; the full name in filename*.
    let ascii: String = meta
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = super::error::url_encode(&meta.file_name);
    Ok(HttpResponse::Ok()
        .content_type(meta.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(content))
}

pub async fn calendar_page(state: State, page: Page) -> Result<HttpResponse, WebError> {
    let actor = page.0.actor.clone();
    let has = run(&state, move |ctx| case_files::has_feed(ctx, &actor)).await?;
    let body = render(
        "calendar.html",
        context! { user => page.user(), nav => "", has_feed => has, link => () },
    )?;
    Ok(html(StatusCode::OK, body))
}

pub async fn new_feed(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    let token = run(&state, move |ctx| case_files::new_feed(ctx, &actor)).await?;
    let link = format!(
        "{}/calendar/{token}.ics",
        state.settings.public_url.trim_end_matches('/')
    );
    let body = render(
        "calendar.html",
        context! { user => page.user(), nav => "", has_feed => true, link => link },
    )?;
    Ok(html(StatusCode::OK, body))
}

pub async fn revoke_feed(
    state: State,
    page: Page,
    form: web::Form<Form>,
) -> Result<HttpResponse, WebError> {
    page.check_csrf(&form)?;
    let actor = page.0.actor.clone();
    run(&state, move |ctx| case_files::revoke_feed(ctx, &actor)).await?;
    Ok(see_other("/account/calendar"))
}

/// Folds an iCalendar content line at 75 octets, never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        let w = ch.len_utf8();
        if len + w > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += w;
    }
    out.push_str("\r\n");
    out
}

fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// The personal feed (no session: the secret token in the link is the credential).
pub async fn ics(state: State, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let raw = path.into_inner();
    let token = raw.strip_suffix(".ics").unwrap_or(&raw).to_owned();
    let entries = run(&state, move |ctx| case_files::feed(ctx, &token)).await?;
    let base = state.settings.public_url.trim_end_matches('/').to_owned();
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ogi-tracker//答复期限//ZH",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:依申请公开答复期限",
    ] {
        out.push_str(&fold(l));
    }
    for e in entries {
        let next = e.due_on.succ_opt().unwrap_or(e.due_on);
        for l in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:case-{}-due@ogi-tracker", e.case_id),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", e.due_on.format("%Y%m%d")),
            format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
            format!(
                "SUMMARY:{}",
                ics_text(&format!("答复期限：{} {}", e.case_number, e.applicant))
            ),
            format!("URL:{base}/cases/{}", e.case_id),
            "END:VEVENT".to_owned(),
        ] {
            out.push_str(&fold(&l));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let line = format!("SUMMARY:{}", "答".repeat(40));
        let folded = fold(&line);
        for part in folded.split("\r\n") {
            assert!(part.len() <= 75, "{part}");
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn a_notice_body_loses_its_closing() {
        let (body, date) = notice_body("张三：\n正文。\n特此告知。\n\n某局\n2026年3月4日\n");
        assert_eq!(body, vec!["张三：", "正文。", "特此告知。"]);
        assert_eq!(date.as_deref(), Some("2026年3月4日"));
    }
}

//! The typical-case library (案例库, RULES.md §9; seed 002 "同一类型统一答复口径", seed 004
//! 典型案例归档). A supervisor (or an administrator) marks a finished case of its scope as
//! typical, with topic tags and a note on why: the entry holds a copy of the request items,
//! the reply letter, its reasons, the outcome with its article and the remedy results, made
//! anonymous by `domain::anonymise`, and waits (待审阅) for a publisher — a supervisor or
//! administrator with the case's department in scope — who compares it with the original,
//! may edit it (versioned), and publishes it. Only published entries are in the library;
//! an entry may be withdrawn with a reason. "按此答复" drafts a reply on a clerk's open case
//! from an entry. Every step is a record in the entry's action-log chain
//! (`library_entry:{id}`), in its transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::cases::{display_number, handles, load, oversight_only, visible_case};
use super::replies::{DraftView, draft_reply};
use super::{CASE_WRITERS, Ctx, OpError, OpResult, check_version, log_action, require, scope};
use crate::auth::{Actor, Role, Scope};
use crate::domain::annual::{RemedyKind, RemedyOutcome};
use crate::domain::anonymise::{self, Known, anonymise};
use crate::domain::case::{CaseEvent, Status};
use crate::domain::compliance::LegalCitation;
use crate::domain::deadline::ConsultedParty;
use crate::domain::outcome::{Outcome, Provision};
use crate::domain::validation::{FieldErrors, multiline_text, optional_multiline, required_text};
use crate::store::cases::CaseRow;
use crate::store::library::{Copy, EntryRow, Filter, NewEntry};
use crate::store::{self, DbConnection};

/// The most topic tags an entry carries, and the longest tag.
pub const MAX_TOPICS: usize = 5;
const TOPIC_CHARS: usize = 20;
/// The most entries one search returns.
pub const MAX_RESULTS: i64 = 200;

/// A remedy's result as the library keeps it (the body anonymised; no reference numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemedyCopy {
    pub kind: String,
    pub kind_label: String,
    pub filed_on: NaiveDate,
    /// The reconsideration organ or the court.
    pub body: String,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

/// An entry as every face shows it: the anonymised copy only (the original is
/// `original`, for staff with the case in scope).
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub id: i64,
    pub department_id: i64,
    pub department: String,
    /// pending (待审阅) | published | withdrawn.
    pub status: String,
    pub status_label: &'static str,
    pub title: String,
    /// Why the case is typical.
    pub note: String,
    pub topics: Vec<String>,
    pub outcome: String,
    pub outcome_label: &'static str,
    /// The Regulation's article the reply rests on (number and label, e.g. 第三十六条第四项).
    pub article: Option<i32>,
    pub article_label: Option<String>,
    pub items: Vec<String>,
    pub reply_text: String,
    pub reasons: Option<String>,
    pub remedies: Vec<RemedyCopy>,
    pub replied_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub withdrawn_reason: Option<String>,
    /// What the caller may do now: `edit`, `publish`, `withdraw`, `use`.
    pub actions: Vec<&'static str>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The case an entry was copied from, as it stands (for the publisher's comparison).
#[derive(Debug, Clone, Serialize)]
pub struct OriginalView {
    pub entry_id: i64,
    pub case_id: i64,
    pub display_number: String,
    pub items: Vec<String>,
    pub reply_text: String,
    pub reasons: Option<String>,
    pub remedies: Vec<RemedyCopy>,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待审阅",
        "published" => "已发布",
        "withdrawn" => "已撤下",
        _ => "",
    }
}

fn subject(id: i64) -> String {
    format!("library_entry:{id}")
}

/// Supervisors and administrators whose scope holds the entry's department curate it.
fn curates(actor: &Actor, scope: &Scope, department_id: i64) -> bool {
    matches!(actor.role, Role::Supervisor | Role::Admin) && scope.allows(department_id)
}

fn actions_for(actor: &Actor, scope: &Scope, row: &EntryRow) -> Vec<&'static str> {
    let mut out = Vec::new();
    let curator = curates(actor, scope, row.department_id);
    match row.status.as_str() {
        "pending" if curator => out.extend(["edit", "publish", "withdraw"]),
        "published" => {
            if curator {
                out.extend(["edit", "withdraw"]);
            }
            out.push("use");
        }
        _ => {}
    }
    out
}

/// An entry the caller may see: published ones for all staff; the others for its curators.
fn visible(c: &mut DbConnection, actor: &Actor, scope: &Scope, id: i64) -> OpResult<EntryRow> {
    require(actor, CASE_WRITERS)?;
    store::library::find(c, id)?
        .filter(|e| e.status == "published" || curates(actor, scope, e.department_id))
        .ok_or(OpError::NotFound("案例"))
}

fn json_list<T: for<'de> Deserialize<'de>>(raw: &str) -> OpResult<Vec<T>> {
    serde_json::from_str(raw).map_err(OpError::internal)
}

fn to_json<T: Serialize>(v: &T) -> OpResult<String> {
    serde_json::to_string(v).map_err(OpError::internal)
}

fn view_of(
    c: &mut DbConnection,
    actor: &Actor,
    scope: &Scope,
    row: EntryRow,
    topics: Vec<String>,
) -> OpResult<EntryView> {
    let department = store::departments::find(c, row.department_id)?
        .map(|d| d.data.name)
        .unwrap_or_default();
    Ok(EntryView {
        actions: actions_for(actor, scope, &row),
        id: row.id,
        department_id: row.department_id,
        department,
        status_label: status_label(&row.status),
        status: row.status,
        title: row.title,
        note: row.note,
        topics,
        outcome_label: Outcome::parse(&row.outcome).map_or("", Outcome::label),
        outcome: row.outcome,
        article: row.article,
        article_label: row.article_label,
        items: json_list(&row.items)?,
        reply_text: row.reply_text,
        reasons: row.reasons,
        remedies: json_list(&row.remedies)?,
        replied_on: row.replied_on,
        published_on: row.published_on,
        withdrawn_reason: row.withdrawn_reason,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn full_view(
    c: &mut DbConnection,
    actor: &Actor,
    scope: &Scope,
    row: EntryRow,
) -> OpResult<EntryView> {
    let topics = store::library::topics_of(c, &[row.id])?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    view_of(c, actor, scope, row, topics)
}

/// What the record knows about the applicant: removed from every text of the copy.
fn known(c: &mut DbConnection, case: &CaseRow) -> OpResult<Known> {
    let one = |s: &Option<String>| s.iter().cloned().collect::<Vec<_>>();
    // Third parties consulted (Art. 32) are people or firms whose names the letters may
    // repeat; other agencies consulted are public bodies and stay named.
    let consulted = crate::cases::load_events(c, case.id)?
        .into_iter()
        .filter_map(|(_, e)| match e {
            CaseEvent::ConsultationStarted {
                party: ConsultedParty::ThirdParty,
                consulted,
                ..
            } => Some(consulted.trim().to_owned()),
            _ => None,
        })
        .filter(|n| !n.is_empty());
    let mut names = vec![case.applicant_name.clone()];
    names.extend(consulted);
    Ok(Known {
        names,
        addresses: one(&case.applicant_address),
        phones: one(&case.applicant_phone),
        emails: one(&case.applicant_email),
        id_numbers: one(&case.applicant_id_number),
    })
}

/// The remedies of a case as the library shows them, each text through `clean`.
fn remedy_copies(
    c: &mut DbConnection,
    case_id: i64,
    clean: &dyn Fn(&str) -> String,
) -> OpResult<Vec<RemedyCopy>> {
    Ok(store::remedies::for_case(c, case_id)?
        .into_iter()
        .map(|r| RemedyCopy {
            kind_label: RemedyKind::parse(&r.kind, r.after_reconsideration)
                .map_or("", |k| k.label())
                .to_owned(),
            kind: r.kind,
            filed_on: r.filed_on,
            body: clean(&r.body),
            outcome_label: r
                .outcome
                .as_deref()
                .and_then(|o| RemedyOutcome::parse(o).ok())
                .map(|o| o.label().to_owned()),
            outcome: r.outcome,
            decided_on: r.decided_on,
        })
        .collect())
}

/// The Regulation's article a reply rests on: the first citation of the Regulation that
/// reads as a provision, else the outcome's own article (RULES.md §4).
fn article_of(legal_basis: &str, outcome: Option<Outcome>) -> Option<Provision> {
    let cited: Vec<LegalCitation> = serde_json::from_str(legal_basis).unwrap_or_default();
    cited
        .iter()
        .filter(|c| c.law.contains("政府信息公开条例"))
        .find_map(|c| {
            Provision::parse_parts(
                c.article.as_deref()?,
                c.paragraph.as_deref(),
                c.item.as_deref(),
            )
        })
        .or_else(|| outcome.and_then(|o| o.articles().first().copied()))
}

/// The words the search matches: everything the copy shows, lower-cased.
fn search_text(copy: &Copy, topics: &[String], outcome: &str, article: Option<&str>) -> String {
    let outcome_label = Outcome::parse(outcome).map_or("", Outcome::label);
    [
        copy.title.as_str(),
        copy.note.as_str(),
        &topics.join(" "),
        &copy.items,
        &copy.reply_text,
        copy.reasons.as_deref().unwrap_or_default(),
        &copy.remedies,
        outcome_label,
        article.unwrap_or_default(),
    ]
    .join("\n")
    .to_lowercase()
}

/// A short title: the first request item, at most 40 characters.
fn title_of(items: &[String]) -> String {
    let first = items.first().map(String::as_str).unwrap_or("典型案例");
    let mut t: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        t.push('…');
    }
    t
}

/// Topic tags: trimmed, split on commas and 、, at most five, each up to 20 characters.
pub fn parse_topics(e: &mut FieldErrors, raw: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in raw
        .iter()
        .flat_map(|s| s.split([',', '，', '、', ';', '；']))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if t.chars().count() > TOPIC_CHARS {
            e.add("topics", format!("每个专题标签不超过{TOPIC_CHARS}个字"));
            return out;
        }
        if seen.insert(t.to_owned()) {
            out.push(t.to_owned());
        }
    }
    if out.is_empty() {
        e.add("topics", "请至少填写一个专题标签");
    } else if out.len() > MAX_TOPICS {
        e.add("topics", format!("专题标签最多{MAX_TOPICS}个"));
    }
    out
}

/// The tags through the anonymiser like every other text of the copy (a tag may name the
/// applicant: 张某某户), duplicates it makes dropped.
fn clean_topics(topics: &[String], clean: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut seen = BTreeSet::new();
    topics
        .iter()
        .map(|t| clean(t))
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkIn {
    pub case_id: i64,
    /// Topic tags (专题), one to five.
    pub topics: Vec<String>,
    /// Why the case is typical.
    pub note: String,
}

/// Marks a finished case of the caller's scope as typical: an anonymised copy waits for
/// review (待审阅).
pub fn mark(ctx: &Ctx, actor: &Actor, input: MarkIn) -> OpResult<EntryView> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Err(OpError::Denied {
            code: "supervisor_only",
            message: "典型案例由监督人员或管理员标记".into(),
        });
    }
    let mut e = FieldErrors::default();
    let topics = parse_topics(&mut e, &input.topics);
    let note = multiline_text(&mut e, "note", &input.note, 1000);
    let (Some(note), true) = (note, e.is_empty()) else {
        return Err(OpError::Invalid(e));
    };
    let today = ctx.today();
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, input.case_id, today)?;
        let finished = Status::parse(&l.derivation.derived.status).is_some_and(|s| !s.is_open());
        let reply = store::replies::latest_for_case(c, input.case_id)?;
        let Some(reply) = reply.filter(|_| finished) else {
            return Err(OpError::conflict(
                "case_not_finished",
                "只有已答复办结的案件才能标记为典型案例",
            ));
        };
        if !store::library::live_for_case(c, input.case_id)?.is_empty() {
            return Err(OpError::conflict(
                "already_in_library",
                "该案件已在案例库中（待审阅或已发布）",
            ));
        }
        let facts = known(c, &l.row)?;
        let clean = |s: &str| anonymise(s, &facts);
        let topics = clean_topics(&topics, &clean);
        let items: Vec<String> = store::cases::items(c, input.case_id)?
            .iter()
            .map(|i| clean(i))
            .collect();
        let remedies = remedy_copies(c, input.case_id, &clean)?;
        let outcome = Outcome::parse(&reply.outcome);
        let article = article_of(&reply.legal_basis, outcome);
        let article_label = article.map(|p| p.label());
        let mut copy = Copy {
            title: title_of(&items),
            note: clean(&note),
            items: to_json(&items)?,
            reply_text: clean(reply.body_text.as_deref().unwrap_or_default()),
            reasons: reply.reasons.as_deref().map(clean),
            remedies: to_json(&remedies)?,
            search_text: String::new(),
        };
        copy.search_text = search_text(&copy, &topics, &reply.outcome, article_label.as_deref());
        let row = store::library::insert(
            c,
            &NewEntry {
                case_id: input.case_id,
                department_id: l.row.department_id,
                outcome: reply.outcome.clone(),
                article: article.map(|p| i32::from(p.article)),
                article_label,
                replied_on: reply.issued_on,
                marked_by: actor.user_id,
                copy,
            },
            &topics,
        )?;
        let view = view_of(c, actor, &scope, row, topics)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(view.id),
            "library_entry_marked",
            None,
            &serde_json::json!({ "case_id": input.case_id, "entry": &view }),
        )?;
        Ok(view)
    })
}

/// The entry of a case not withdrawn, for the case page of its curators (none for others).
pub fn of_case(ctx: &Ctx, actor: &Actor, case_id: i64) -> OpResult<Option<EntryView>> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Ok(None);
    }
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        match store::library::live_for_case(c, case_id)?
            .into_iter()
            .next()
        {
            Some(row) if curates(actor, &scope, row.department_id) => {
                full_view(c, actor, &scope, row).map(Some)
            }
            _ => Ok(None),
        }
    })
}

/// One entry.
pub fn get(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<EntryView> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let row = visible(c, actor, &scope, id)?;
        full_view(c, actor, &scope, row)
    })
}

/// The case an entry was copied from, as it stands: only for staff with the case in scope.
pub fn original(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<OriginalView> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let row = visible(c, actor, &scope, id)?;
        let case = visible_case(c, &scope, row.case_id)?;
        let code = store::departments::find(c, case.department_id)?
            .map(|d| d.data.code)
            .unwrap_or_default();
        let reply = store::replies::latest_for_case(c, case.id)?;
        Ok(OriginalView {
            entry_id: row.id,
            case_id: case.id,
            display_number: display_number(&code, &case.case_number),
            items: store::cases::items(c, case.id)?,
            reply_text: reply
                .as_ref()
                .and_then(|r| r.body_text.clone())
                .unwrap_or_default(),
            reasons: reply.and_then(|r| r.reasons),
            remedies: remedy_copies(c, case.id, &|s| s.to_owned())?,
        })
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditIn {
    pub title: String,
    pub note: String,
    pub topics: Vec<String>,
    pub items: Vec<String>,
    pub reply_text: String,
    pub reasons: Option<String>,
}

/// The publisher's edit of the copy (pending or published entries). The edited texts pass
/// the anonymiser again, so that the record's facts cannot come back by mistake.
pub fn edit(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: EditIn,
) -> OpResult<EntryView> {
    let mut e = FieldErrors::default();
    let title = required_text(&mut e, "title", &input.title, 100);
    let note = multiline_text(&mut e, "note", &input.note, 1000);
    let topics = parse_topics(&mut e, &input.topics);
    let reply_text = multiline_text(&mut e, "reply_text", &input.reply_text, 100_000);
    let reasons = optional_multiline(&mut e, "reasons", input.reasons.as_deref(), 10_000);
    let items: Vec<String> = input
        .items
        .iter()
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty())
        .collect();
    if items.is_empty() {
        e.add("items", "请至少保留一项申请内容");
    } else if items.len() > 50 || items.iter().any(|i| i.chars().count() > 2000) {
        e.add("items", "申请内容最多50项，每项不超过2000个字");
    }
    let (Some(title), Some(note), Some(reply_text), true) = (title, note, reply_text, e.is_empty())
    else {
        return Err(OpError::Invalid(e));
    };
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let row = visible(c, actor, &scope, id)?;
        if !actions_for(actor, &scope, &row).contains(&"edit") {
            return Err(edit_refused(&row));
        }
        check_version(row.version, expected)?;
        let case = store::cases::find(c, row.case_id)?.ok_or(OpError::NotFound("案件"))?;
        let facts = known(c, &case)?;
        let clean = |s: &str| anonymise(s, &facts);
        let topics = clean_topics(&topics, &clean);
        let items: Vec<String> = items.iter().map(|i| clean(i)).collect();
        let mut copy = Copy {
            title: clean(&title),
            note: clean(&note),
            items: to_json(&items)?,
            reply_text: clean(&reply_text),
            reasons: reasons.as_deref().map(clean),
            remedies: row.remedies.clone(),
            search_text: String::new(),
        };
        copy.search_text = search_text(&copy, &topics, &row.outcome, row.article_label.as_deref());
        let before = full_view(c, actor, &scope, row.clone())?;
        if !store::library::update_copy(c, id, expected, &copy)? {
            return Err(OpError::StaleVersion);
        }
        store::library::set_topics(c, id, &topics)?;
        let row = store::library::find(c, id)?.ok_or(OpError::NotFound("案例"))?;
        let view = full_view(c, actor, &scope, row)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "library_entry_edited",
            Some(&serde_json::to_value(&before).map_err(OpError::internal)?),
            &serde_json::to_value(&view).map_err(OpError::internal)?,
        )?;
        Ok(view)
    })
}

fn edit_refused(row: &EntryRow) -> OpError {
    if row.status == "withdrawn" {
        OpError::conflict("entry_withdrawn", "该案例已撤下，不能再修改或发布")
    } else {
        OpError::Denied {
            code: "not_publisher",
            message: "只有对该案件所属机关负有监督职责的监督人员或管理员可以审阅、发布案例".into(),
        }
    }
}

/// Publishes a pending entry: from now on it is in the library.
pub fn publish(ctx: &Ctx, actor: &Actor, id: i64, expected: i32) -> OpResult<EntryView> {
    let today = ctx.today();
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let row = visible(c, actor, &scope, id)?;
        if row.status == "published" {
            return Err(OpError::conflict("already_published", "该案例已发布"));
        }
        if !actions_for(actor, &scope, &row).contains(&"publish") {
            return Err(edit_refused(&row));
        }
        check_version(row.version, expected)?;
        if !store::library::set_status(
            c,
            id,
            expected,
            "published",
            Some((actor.user_id, today)),
            None,
        )? {
            return Err(OpError::StaleVersion);
        }
        let row = store::library::find(c, id)?.ok_or(OpError::NotFound("案例"))?;
        let view = full_view(c, actor, &scope, row)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "library_entry_published",
            None,
            &serde_json::json!({ "status": "published", "published_on": today, "version": view.version }),
        )?;
        Ok(view)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawIn {
    pub reason: String,
}

/// Withdraws an entry (pending or published) with a reason; the case may be marked again.
pub fn withdraw(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: WithdrawIn,
) -> OpResult<EntryView> {
    let mut e = FieldErrors::default();
    let reason = multiline_text(&mut e, "reason", &input.reason, 500);
    let (Some(reason), true) = (reason, e.is_empty()) else {
        return Err(OpError::Invalid(e));
    };
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let row = visible(c, actor, &scope, id)?;
        if !actions_for(actor, &scope, &row).contains(&"withdraw") {
            return Err(edit_refused(&row));
        }
        check_version(row.version, expected)?;
        let before = row.status.clone();
        if !store::library::set_status(c, id, expected, "withdrawn", None, Some(&reason))? {
            return Err(OpError::StaleVersion);
        }
        let row = store::library::find(c, id)?.ok_or(OpError::NotFound("案例"))?;
        let view = full_view(c, actor, &scope, row)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "library_entry_withdrawn",
            Some(&serde_json::json!({ "status": before })),
            &serde_json::json!({ "status": "withdrawn", "reason": reason, "version": view.version }),
        )?;
        Ok(view)
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words anywhere in the copy (request, reply, reasons, note, tags).
    pub q: Option<String>,
    pub outcome: Option<String>,
    /// The Regulation's article number (`36`, or `第三十六条`).
    pub article: Option<String>,
    pub topic: Option<String>,
    /// `published` (the default: the library); `pending` or `withdrawn` for curators,
    /// limited to the departments in their scope.
    pub status: Option<String>,
    pub limit: Option<i64>,
}

/// A topic tag of the library with how many published entries carry it.
#[derive(Debug, Clone, Serialize)]
pub struct TopicCount {
    pub topic: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub items: Vec<EntryView>,
    pub topics: Vec<TopicCount>,
}

/// Searches the library (published entries), or for curators the entries waiting for
/// review or withdrawn in their scope.
pub fn search(ctx: &Ctx, actor: &Actor, q: SearchQuery) -> OpResult<SearchResult> {
    require(actor, CASE_WRITERS)?;
    let mut e = FieldErrors::default();
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let status = match status {
        None | Some("published") => "published",
        Some(s @ ("pending" | "withdrawn")) => {
            if !matches!(actor.role, Role::Supervisor | Role::Admin) {
                return Err(OpError::Denied {
                    code: "supervisor_only",
                    message: "待审阅和已撤下的案例仅监督人员和管理员可见".into(),
                });
            }
            s
        }
        Some(_) => {
            e.add("status", "取值应为：published | pending | withdrawn");
            "published"
        }
    };
    let outcome = q
        .outcome
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if outcome.is_some_and(|o| Outcome::parse(o).is_none()) {
        let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        e.add("outcome", format!("取值应为：{}", all.join(" | ")));
    }
    let article = q
        .article
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let article_no = article.and_then(|a| Provision::parse_parts(a, None, None));
    if article.is_some() && article_no.is_none() {
        e.add("article", "请填写《条例》的条号，如 36 或 第三十六条");
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_RESULTS).contains(&limit) {
        e.add("limit", format!("取值应为1至{MAX_RESULTS}"));
    }
    let words = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if words.is_some_and(|w| w.chars().count() > 100) {
        e.add("q", "检索词不超过100个字");
    }
    if !e.is_empty() {
        return Err(OpError::Invalid(e));
    }
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let department_ids = match (status, &scope) {
            ("published", _) | (_, Scope::All) => None,
            (_, Scope::Departments(ids)) => Some(ids.iter().copied().collect()),
            (_, Scope::AuditOnly) => Some(Vec::new()),
        };
        let rows = store::library::search(
            c,
            &Filter {
                statuses: vec![status.to_owned()],
                department_ids,
                outcome: outcome.map(str::to_owned),
                article: article_no.map(|p| i32::from(p.article)),
                topic: q
                    .topic
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                words: words.map(str::to_owned),
                limit,
            },
        )?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut topics: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (entry, topic) in store::library::topics_of(c, &ids)? {
            topics.entry(entry).or_default().push(topic);
        }
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let t = topics.remove(&row.id).unwrap_or_default();
            items.push(view_of(c, actor, &scope, row, t)?);
        }
        let topics = store::library::published_topics(c)?
            .into_iter()
            .map(|(topic, count)| TopicCount { topic, count })
            .collect();
        Ok(SearchResult { items, topics })
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseIn {
    /// The clerk's open case the reply is for.
    pub case_id: i64,
}

/// A reply draft on a case started from a library entry.
#[derive(Debug, Serialize)]
pub struct LibraryDraft {
    pub entry_id: i64,
    pub case_id: i64,
    /// The draft: the entry's outcome and letter text (the applicant's name the case's),
    /// the reply record drafted for the case's department (legal basis, remedy, seal).
    #[serde(flatten)]
    pub draft: DraftView,
}

/// The bracketed words the anonymiser left (【地址】…) that the clerk must fill in.
fn markers(text: &str) -> Vec<String> {
    let words = [
        anonymise::NAME,
        anonymise::ID_NUMBER,
        anonymise::PHONE,
        anonymise::ADDRESS,
        anonymise::EMAIL,
    ];
    words
        .iter()
        .filter(|w| text.contains(**w))
        .map(|w| (*w).to_owned())
        .collect()
}

/// The lines up to and including the salutation (`张三：`), and the rest.
fn split_salutation(text: &str) -> Option<(&str, &str)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        let l = line.trim_end();
        if l.ends_with('：') && !l.starts_with(['\u{3000}', ' ']) {
            return Some((&text[..at], &text[at..]));
        }
    }
    None
}

/// The entry's letter with the heading (organ, 文号, title, addressee) of `draft` instead of
/// its own: the old case's 文号 must not be reused.
fn with_heading(draft: &str, entry: &str) -> String {
    match (split_salutation(draft), split_salutation(entry)) {
        (Some((head, _)), Some((_, body))) => format!("{head}{body}"),
        _ => entry.to_owned(),
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The draft for `case_id` from entry `id` (read only): the checks of "按此答复" and the
/// existing reply-draft path with the entry's outcome, reasons and letter text.
pub fn draft_from(ctx: &Ctx, actor: &Actor, id: i64, case_id: i64) -> OpResult<LibraryDraft> {
    let (entry, applicant) = ctx.read(|c| {
        let scope = scope(c, actor)?;
        let entry = visible(c, actor, &scope, id)?;
        if entry.status != "published" {
            return Err(OpError::conflict(
                "entry_not_published",
                "该案例尚未发布，不能用于答复",
            ));
        }
        let l = load(c, ctx, &scope, case_id, ctx.today())?;
        if !handles(actor, l.row.department_id, l.derivation.derived.assignee_id) {
            return Err(oversight_only());
        }
        if !Status::parse(&l.derivation.derived.status).is_some_and(Status::is_open) {
            return Err(OpError::conflict(
                "case_not_open",
                "该案件已答复或已终结，不能再起草答复",
            ));
        }
        Ok((entry, l.row.applicant_name))
    })?;
    let mut draft = draft_reply(
        ctx,
        actor,
        case_id,
        &entry.outcome,
        None,
        entry.reasons.clone(),
    )?;
    // The entry's letter under this draft's heading (the clerk's organ, a 文号 to come,
    // this case's applicant), the applicant's name put back where it stood; what else the
    // anonymiser took out is left for the clerk, listed with the draft's own placeholders.
    let text = with_heading(&draft.text, &entry.reply_text).replace(anonymise::NAME, &applicant);
    for m in markers(&text) {
        if !draft.placeholders.contains(&m) {
            draft.placeholders.push(m);
        }
    }
    draft.html = text
        .lines()
        .map(|l| format!("<p>{}</p>", escape_html(l)))
        .collect();
    draft.text = text;
    Ok(LibraryDraft {
        entry_id: id,
        case_id,
        draft,
    })
}

/// "按此答复": starts a reply draft on the caller's open case from a published entry, and
/// records the use on the entry's trail. The draft then goes the usual way: the clerk edits
/// it and submits it for review (`reviews::submit`).
pub fn use_entry(ctx: &Ctx, actor: &Actor, id: i64, input: UseIn) -> OpResult<LibraryDraft> {
    let out = draft_from(ctx, actor, id, input.case_id)?;
    ctx.write(|c| {
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "library_entry_used",
            None,
            &serde_json::json!({ "case_id": input.case_id, "outcome": out.draft.outcome }),
        )
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_split_trimmed_and_deduplicated() {
        let mut e = FieldErrors::default();
        let t = parse_topics(
            &mut e,
            &["征地补偿、 拆迁, 征地补偿".into(), " 信访 ".into()],
        );
        assert!(e.is_empty());
        assert_eq!(t, vec!["征地补偿", "拆迁", "信访"]);
    }

    #[test]
    fn topics_are_required_and_bounded() {
        let mut e = FieldErrors::default();
        parse_topics(&mut e, &[" ".into()]);
        assert!(!e.is_empty());
        let mut e = FieldErrors::default();
        parse_topics(&mut e, &["一,二,三,四,五,六".into()]);
        assert!(!e.is_empty());
    }

    #[test]
    fn the_article_comes_from_the_regulation_cited_else_the_outcome() {
        let cited = r#"[{"law":"《中华人民共和国政府信息公开条例》","article":"第三十六条","item":"第四项"}]"#;
        let p = article_of(cited, Some(Outcome::Disclosed)).unwrap();
        assert_eq!((p.article, p.label()), (36, "第三十六条第四项".to_owned()));
        let p = article_of("[]", Some(Outcome::WithheldThirdParty)).unwrap();
        assert_eq!(p.article, 15);
    }

    #[test]
    fn the_letter_takes_the_drafts_heading() {
        let draft = "某局\n某信复〔2026〕 号\n答复\n\n黄丽：\n\u{3000}\u{3000}新的正文：\n";
        let entry = "某局\n某信复〔2025〕9号\n答复\n\n【姓名】：\n\u{3000}\u{3000}旧的正文。\n";
        assert_eq!(
            with_heading(draft, entry),
            "某局\n某信复〔2026〕 号\n答复\n\n黄丽：\n\u{3000}\u{3000}旧的正文。\n"
        );
        assert_eq!(with_heading("没有称呼", entry), entry);
    }

    #[test]
    fn markers_left_by_the_anonymiser_are_listed() {
        assert_eq!(
            markers("您的地址【地址】，电话【电话】。"),
            vec![anonymise::PHONE.to_owned(), anonymise::ADDRESS.to_owned()]
        );
    }
}

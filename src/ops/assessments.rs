//! Periodic assessment (绩效考核, RULES.md §9; seed 003): the office defines a period and a
//! scheme, every read of a draft computes each department's figures from the recorded facts
//! (replies and their findings, extensions, remedies, supervision orders, rectification
//! items — on each department's calendar — and the scores of the audit-campaign targets
//! linked to the department), publishing freezes scheme and figures in a
//! snapshot with its SHA-256 and turns every listed problem into a rectification item
//! (盘点销号) with a working-day deadline. The department reports an item done; the office
//! closes (销号) or returns it. Each write is versioned and audited in its action-log chain
//! (`assessment_period:{id}`, `rectification_item:{id}`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{Ctx, OpError, OpResult, check_version, log_action, scope};
use crate::auth::{Actor, Role, Scope};
use crate::domain::annual::RemedyOutcome;
use crate::domain::assessment::{
    self as domain, DueFact, Facts, FindingFact, Indicator, IndicatorKind, ItemStatus, ItemStep,
    ManualScore, PeriodKind,
};
use crate::domain::calendar::{CalendarSet, WorkCalendar};
use crate::domain::validation::{FieldErrors, multiline_text, optional_multiline, required_text};
use crate::store::assessments::{ItemRow, NewPeriod, PeriodRow};
use crate::store::{self, DbConnection};

/// The longest a rectification may be given, in working days.
pub const MAX_RECTIFY_DAYS: i64 = 60;

/// Hand scores: department id (as text) → indicator key → score.
type ManualScores = BTreeMap<String, BTreeMap<String, ManualScore>>;

/// A period as every face shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodView {
    pub id: i64,
    pub office_department_id: i64,
    pub office: String,
    pub title: String,
    pub kind: String,
    /// 2026年第三季度.
    pub label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// draft | published.
    pub status: String,
    pub status_label: &'static str,
    pub published_on: Option<NaiveDate>,
    /// The SHA-256 of the frozen snapshot (published only).
    pub snapshot_sha256: Option<String>,
    /// Whether the stored snapshot still hashes to `snapshot_sha256` (published only).
    pub snapshot_intact: Option<bool>,
    pub rectify_working_days: Option<i32>,
    pub scheme: Vec<Indicator>,
    pub manual_scores: ManualScores,
    /// The office's own section of the 通报.
    pub remarks: String,
    /// The day the figures were computed: today for a draft, the publishing day after.
    pub computed_on: NaiveDate,
    /// Best first; each figure with the ids behind it.
    pub results: Vec<domain::DeptResult>,
    /// The display number (机关代字 + number) of every case a figure names, by id.
    pub case_numbers: BTreeMap<String, String>,
    /// What the caller may do: `edit`, `publish`.
    pub actions: Vec<&'static str>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What publishing freezes.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    period_id: i64,
    title: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    computed_on: NaiveDate,
    scheme: Vec<Indicator>,
    manual_scores: ManualScores,
    remarks: String,
    results: Vec<domain::DeptResult>,
}

fn subject(id: i64) -> String {
    format!("assessment_period:{id}")
}

fn item_subject(id: i64) -> String {
    format!("rectification_item:{id}")
}

fn json<T: serde::de::DeserializeOwned>(raw: &str) -> OpResult<T> {
    serde_json::from_str(raw).map_err(OpError::internal)
}

fn to_json<T: Serialize>(v: &T) -> OpResult<String> {
    serde_json::to_string(v).map_err(OpError::internal)
}

/// The office runs assessments: its supervisors (whose scope holds the office) and
/// administrators.
fn manages(actor: &Actor, scope: &Scope, office: i64) -> bool {
    actor.role == Role::Admin || (actor.role == Role::Supervisor && scope.allows(office))
}

fn visible_period(c: &mut DbConnection, actor: &Actor, id: i64) -> OpResult<(PeriodRow, Scope)> {
    let scope = scope(c, actor)?;
    let row = store::assessments::find_period(c, id)?
        .filter(|p| manages(actor, &scope, p.office_department_id))
        .ok_or(OpError::NotFound("考核期"))?;
    Ok((row, scope))
}

fn department_names(
    c: &mut DbConnection,
) -> OpResult<HashMap<i64, store::departments::Department>> {
    Ok(store::departments::list(c)?
        .into_iter()
        .map(|d| (d.id, d))
        .collect())
}

fn calendar_of(
    calendars: &CalendarSet,
    departments: &HashMap<i64, store::departments::Department>,
    id: i64,
) -> OpResult<Arc<WorkCalendar>> {
    let d = departments.get(&id).ok_or(OpError::NotFound("机关"))?;
    Ok(crate::cases::department_calendar(calendars, &d.data))
}

#[derive(Deserialize)]
struct StoredFinding {
    code: String,
    severity: String,
}

/// The facts of every department strictly below `office` for [from, to], as of `today`
/// (an order or item not yet due today and not done is not counted yet).
fn gather(
    ctx: &Ctx,
    c: &mut DbConnection,
    office: i64,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> OpResult<Vec<(i64, String, Facts)>> {
    let departments = department_names(c)?;
    let tree = store::departments::tree(c)?;
    let mut ids: Vec<i64> = tree
        .subtree(office)
        .into_iter()
        .filter(|d| *d != office)
        .collect();
    ids.sort_unstable();
    let calendars = ctx.calendars(c)?;
    let mut facts: BTreeMap<i64, Facts> = ids.iter().map(|d| (*d, Facts::default())).collect();
    for r in store::replies::issued_between(c, &ids, from, to)? {
        let Some(f) = facts.get_mut(&r.department_id) else {
            continue;
        };
        f.replied.push(r.case_id);
        let found: Vec<StoredFinding> = json(&r.findings)?;
        for x in found {
            if x.code == crate::domain::compliance::codes::REPLY_LATE {
                f.late.push(r.case_id);
            } else {
                f.findings.push(FindingFact {
                    case_id: r.case_id,
                    code: x.code,
                    error: x.severity == "error",
                });
            }
        }
    }
    for (dept, case) in store::assessments::extensions_between(c, &ids, from, to)? {
        if let Some(f) = facts.get_mut(&dept) {
            f.extensions.push(case);
        }
    }
    for (dept, case, outcome) in store::assessments::remedies_decided_between(c, &ids, from, to)? {
        if let Some(f) = facts.get_mut(&dept) {
            f.remedies_decided.push(case);
            if outcome.as_deref() == Some(RemedyOutcome::Corrected.key()) {
                f.corrected.push(case);
            }
        }
    }
    let counts = |due: NaiveDate, done: Option<NaiveDate>| {
        from <= due && due <= to && (due < today || done.is_some())
    };
    for o in store::orders::of_departments(c, &ids, &[])? {
        let cal = calendar_of(&calendars, &departments, o.department_id)?;
        let due = cal
            .add_working_days(o.issued_on, u32::try_from(o.working_days).unwrap_or(0))
            .map_err(|e| OpError::OutOfRange(e.to_string()))?
            .value;
        if let (true, Some(f)) = (counts(due, o.answered_on), facts.get_mut(&o.department_id)) {
            f.orders.push(DueFact {
                id: o.id,
                due_on: due,
                done_on: o.answered_on,
            });
        }
    }
    for i in store::assessments::items_of(c, &ids, None)? {
        let cal = calendar_of(&calendars, &departments, i.department_id)?;
        let due = item_due(&cal, &i)?;
        if let (true, Some(f)) = (counts(due, i.done_on), facts.get_mut(&i.department_id)) {
            f.items.push(DueFact {
                id: i.id,
                due_on: due,
                done_on: i.done_on,
            });
        }
    }
    // Test-applicant campaigns: the targets an administrator linked to these departments.
    for (dept, found) in super::campaigns::department_scores(c, &calendars, &ids, from, to, today)?
    {
        if let Some(f) = facts.get_mut(&dept) {
            f.campaigns = found;
        }
    }
    Ok(facts
        .into_iter()
        .map(|(id, f)| {
            let name = departments
                .get(&id)
                .map_or_else(String::new, |d| d.data.name.clone());
            (id, name, f)
        })
        .collect())
}

fn item_due(cal: &WorkCalendar, i: &ItemRow) -> OpResult<NaiveDate> {
    Ok(cal
        .add_working_days(i.issued_on, u32::try_from(i.working_days).unwrap_or(0))
        .map_err(|e| OpError::OutOfRange(e.to_string()))?
        .value)
}

fn compute(
    ctx: &Ctx,
    c: &mut DbConnection,
    row: &PeriodRow,
    scheme: &[Indicator],
    manual: &ManualScores,
    today: NaiveDate,
) -> OpResult<Vec<domain::DeptResult>> {
    let facts = gather(
        ctx,
        c,
        row.office_department_id,
        row.starts_on,
        row.ends_on,
        today,
    )?;
    Ok(domain::assess(scheme, facts, &|dept, key| {
        manual
            .get(&dept.to_string())
            .and_then(|m| m.get(key))
            .cloned()
    }))
}

fn view(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    scope: &Scope,
    row: PeriodRow,
) -> OpResult<PeriodView> {
    let kind = PeriodKind::parse(&row.kind).unwrap_or(PeriodKind::Quarter);
    let office = store::departments::find(c, row.office_department_id)?
        .map(|d| d.data.name)
        .unwrap_or_default();
    let published = row.status == "published";
    let snapshot_intact = row
        .snapshot
        .as_deref()
        .map(|raw| Some(store::trail::sha256_hex(raw.as_bytes())) == row.snapshot_sha256);
    let (scheme, manual_scores, results, computed_on) = match row.snapshot.as_deref() {
        Some(raw) => {
            let s: Snapshot = json(raw)?;
            (s.scheme, s.manual_scores, s.results, s.computed_on)
        }
        None => {
            let scheme: Vec<Indicator> = json(&row.scheme)?;
            let manual: ManualScores = json(&row.manual_scores)?;
            let today = ctx.today();
            let results = compute(ctx, c, &row, &scheme, &manual, today)?;
            (scheme, manual, results, today)
        }
    };
    let mut case_numbers = BTreeMap::new();
    let departments = department_names(c)?;
    for f in results.iter().flat_map(|r| &r.figures) {
        if f.refers_to != "case" {
            continue;
        }
        for id in &f.ids {
            if case_numbers.contains_key(&id.to_string()) {
                continue;
            }
            if let Some(case) = store::cases::find(c, *id)? {
                let code = departments
                    .get(&case.department_id)
                    .map_or("", |d| d.data.code.as_str());
                case_numbers.insert(
                    id.to_string(),
                    super::cases::display_number(code, &case.case_number),
                );
            }
        }
    }
    let actions = if !published && manages(actor, scope, row.office_department_id) {
        vec!["edit", "publish"]
    } else {
        Vec::new()
    };
    Ok(PeriodView {
        id: row.id,
        office_department_id: row.office_department_id,
        office,
        label: domain::period_label(kind, row.starts_on),
        title: row.title,
        kind: row.kind,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        status_label: if published {
            "已发布"
        } else {
            "草稿（按最新数据计算）"
        },
        status: row.status,
        published_on: row.published_on,
        snapshot_sha256: row.snapshot_sha256,
        snapshot_intact,
        rectify_working_days: row.rectify_working_days,
        scheme,
        manual_scores,
        remarks: row.remarks,
        computed_on,
        results,
        case_numbers,
        actions,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn logged(v: &PeriodView) -> serde_json::Value {
    serde_json::json!({
        "id": v.id, "office_department_id": v.office_department_id, "title": v.title,
        "kind": v.kind, "starts_on": v.starts_on, "ends_on": v.ends_on, "status": v.status,
        "scheme": v.scheme, "manual_scores": v.manual_scores, "remarks": v.remarks,
        "published_on": v.published_on, "snapshot_sha256": v.snapshot_sha256,
        "version": v.version,
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodIn {
    /// quarter | year.
    pub kind: String,
    pub year: i32,
    /// 1–4 for a quarter.
    #[serde(default)]
    pub quarter: Option<u32>,
    /// The office (the root of the departments assessed); a supervisor's own department
    /// when absent.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// The 通报's title; a default names the period.
    #[serde(default)]
    pub title: Option<String>,
    /// The indicators; the default scheme when absent.
    #[serde(default)]
    pub scheme: Option<Vec<Indicator>>,
}

/// Defines a period (a draft).
pub fn create(ctx: &Ctx, actor: &Actor, input: PeriodIn) -> OpResult<PeriodView> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Err(OpError::Denied {
            code: "office_only",
            message: "考核由政务公开办组织".into(),
        });
    }
    let mut e = FieldErrors::default();
    let kind = PeriodKind::parse(input.kind.trim());
    if kind.is_none() {
        e.add("kind", "取值应为：quarter | year");
    }
    let dates = kind.and_then(|k| domain::period_dates(k, input.year, input.quarter));
    if kind.is_some() && (dates.is_none() || !(2000..=2100).contains(&input.year)) {
        e.add("quarter", "请填写有效的年度和季度（1至4）");
    }
    let scheme = input.scheme.clone().unwrap_or_else(domain::default_scheme);
    if let Err(se) = domain::check_scheme(&scheme) {
        e.0.extend(se.0);
    }
    let office = input.department_id.or(actor.department_id);
    if office.is_none() {
        e.add("department_id", "请选择组织考核的机关");
    }
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if title.is_some_and(|t| t.chars().count() > 100) {
        e.add("title", "标题不超过100字");
    }
    let (Some(kind), Some((starts_on, ends_on)), Some(office), true) =
        (kind, dates, office, e.is_empty())
    else {
        return Err(OpError::Invalid(e));
    };
    let scheme_text = to_json(&scheme)?;
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let dept = store::departments::find(c, office)?
            .filter(|d| scope.allows(d.id))
            .ok_or(OpError::NotFound("机关"))?;
        if !manages(actor, &scope, dept.id) {
            return Err(OpError::Forbidden);
        }
        let title = title.map_or_else(
            || {
                format!(
                    "{}关于{}政府信息公开工作考核结果的通报",
                    dept.data.name,
                    domain::period_label(kind, starts_on)
                )
            },
            str::to_owned,
        );
        let row = store::assessments::insert_period(
            c,
            &NewPeriod {
                office_department_id: dept.id,
                title: &title,
                kind: kind.as_str(),
                starts_on,
                ends_on,
                scheme: &scheme_text,
                created_by: actor.user_id,
            },
        )?;
        let v = view(ctx, c, actor, &scope, row)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(v.id),
            "assessment_created",
            None,
            &logged(&v),
        )?;
        Ok(v)
    })
}

/// One period: a draft computed now, a published one as frozen.
pub fn get(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<PeriodView> {
    ctx.read(|c| {
        let (row, scope) = visible_period(c, actor, id)?;
        view(ctx, c, actor, &scope, row)
    })
}

/// A period in a list (no figures).
#[derive(Debug, Clone, Serialize)]
pub struct PeriodLine {
    pub id: i64,
    pub office: String,
    pub title: String,
    pub label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub published_on: Option<NaiveDate>,
}

/// The periods of the offices the caller manages, latest first.
pub fn list(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<PeriodLine>> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Err(OpError::Denied {
            code: "office_only",
            message: "考核由政务公开办组织".into(),
        });
    }
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let departments = department_names(c)?;
        let offices: Vec<i64> = departments
            .keys()
            .copied()
            .filter(|d| scope.allows(*d))
            .collect();
        Ok(store::assessments::periods_of(c, &offices)?
            .into_iter()
            .map(|p| PeriodLine {
                id: p.id,
                office: departments
                    .get(&p.office_department_id)
                    .map_or_else(String::new, |d| d.data.name.clone()),
                label: domain::period_label(
                    PeriodKind::parse(&p.kind).unwrap_or(PeriodKind::Quarter),
                    p.starts_on,
                ),
                title: p.title,
                starts_on: p.starts_on,
                ends_on: p.ends_on,
                status: p.status,
                published_on: p.published_on,
            })
            .collect())
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub scheme: Option<Vec<Indicator>>,
    /// The office's own section of the 通报.
    #[serde(default)]
    pub remarks: Option<String>,
}

/// A hand score for one department and one manual indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualIn {
    pub department_id: i64,
    pub key: String,
    pub score: f64,
    pub note: String,
}

fn draft_for_change(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    expected: i32,
) -> OpResult<(PeriodRow, Scope)> {
    let (row, scope) = visible_period(c, actor, id)?;
    check_version(row.version, expected)?;
    if row.status != "draft" {
        return Err(OpError::conflict(
            "period_published",
            "考核结果已发布，不能再修改",
        ));
    }
    Ok((row, scope))
}

/// Changes a draft's title, scheme or remarks (versioned).
pub fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    patch: PeriodPatch,
) -> OpResult<PeriodView> {
    let mut e = FieldErrors::default();
    let title = patch
        .title
        .as_deref()
        .map(|t| required_text(&mut e, "title", t, 100));
    let remarks = patch
        .remarks
        .as_deref()
        .map(|r| optional_multiline(&mut e, "remarks", Some(r), 8000).unwrap_or_default());
    if let Some(Err(se)) = patch.scheme.as_deref().map(domain::check_scheme) {
        e.0.extend(se.0);
    }
    if !e.is_empty() {
        return Err(OpError::Invalid(e));
    }
    ctx.write(|c| {
        let (row, scope) = draft_for_change(c, actor, id, expected)?;
        let before = logged(&view(ctx, c, actor, &scope, row.clone())?);
        let title = title.clone().flatten().unwrap_or_else(|| row.title.clone());
        let scheme = match &patch.scheme {
            Some(s) => to_json(s)?,
            None => row.scheme.clone(),
        };
        let remarks = remarks.clone().unwrap_or_else(|| row.remarks.clone());
        if !store::assessments::update_draft(
            c,
            id,
            expected,
            &title,
            &scheme,
            &row.manual_scores,
            &remarks,
        )? {
            return Err(OpError::StaleVersion);
        }
        let after = store::assessments::find_period(c, id)?.ok_or(OpError::NotFound("考核期"))?;
        let v = view(ctx, c, actor, &scope, after)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "assessment_updated",
            Some(&before),
            &logged(&v),
        )?;
        Ok(v)
    })
}

/// Scores a manual indicator by hand for one department, with a note (versioned).
pub fn set_manual(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: ManualIn,
) -> OpResult<PeriodView> {
    let mut e = FieldErrors::default();
    let note = multiline_text(&mut e, "note", &input.note, 1000);
    if !e.is_empty() {
        return Err(OpError::Invalid(e));
    }
    let note = note.unwrap_or_default();
    ctx.write(|c| {
        let (row, scope) = draft_for_change(c, actor, id, expected)?;
        let scheme: Vec<Indicator> = json(&row.scheme)?;
        let ind = scheme
            .iter()
            .find(|i| i.key == input.key && i.kind == IndicatorKind::Manual)
            .ok_or_else(|| OpError::field("key", "考核方案中没有这项人工评分指标"))?;
        if !input.score.is_finite() || input.score < 0.0 || input.score > f64::from(ind.max) {
            return Err(OpError::field(
                "score",
                format!("得分应在0至{}之间", ind.max),
            ));
        }
        let tree = store::departments::tree(c)?;
        if input.department_id == row.office_department_id
            || !tree
                .subtree(row.office_department_id)
                .contains(&input.department_id)
        {
            return Err(OpError::field("department_id", "该机关不在本次考核范围内"));
        }
        let mut manual: ManualScores = json(&row.manual_scores)?;
        let before = serde_json::to_value(&manual).map_err(OpError::internal)?;
        manual
            .entry(input.department_id.to_string())
            .or_default()
            .insert(
                input.key.clone(),
                ManualScore {
                    score: (input.score * 100.0).round() / 100.0,
                    note: note.clone(),
                },
            );
        if !store::assessments::update_draft(
            c,
            id,
            expected,
            &row.title,
            &row.scheme,
            &to_json(&manual)?,
            &row.remarks,
        )? {
            return Err(OpError::StaleVersion);
        }
        let after = store::assessments::find_period(c, id)?.ok_or(OpError::NotFound("考核期"))?;
        let v = view(ctx, c, actor, &scope, after)?;
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "assessment_scored",
            Some(&serde_json::json!({ "manual_scores": before })),
            &serde_json::json!({ "manual_scores": v.manual_scores, "version": v.version }),
        )?;
        Ok(v)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishIn {
    /// Working days each department has to put a listed problem right.
    pub working_days: i64,
}

/// Publishes a draft: freezes scheme and figures (snapshot + SHA-256) and issues a
/// rectification item for every problem listed.
pub fn publish(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: PublishIn,
) -> OpResult<PeriodView> {
    let days = i32::try_from(input.working_days)
        .ok()
        .filter(|d| (1..=MAX_RECTIFY_DAYS).contains(&i64::from(*d)))
        .ok_or_else(|| {
            OpError::field(
                "working_days",
                format!("整改期限应为1至{MAX_RECTIFY_DAYS}个工作日"),
            )
        })?;
    let today = ctx.today();
    ctx.write(|c| {
        let (row, scope) = draft_for_change(c, actor, id, expected)?;
        let scheme: Vec<Indicator> = json(&row.scheme)?;
        let manual: ManualScores = json(&row.manual_scores)?;
        let results = compute(ctx, c, &row, &scheme, &manual, today)?;
        // Every hand indicator must be scored for every department before the 通报 goes out.
        let missing: Vec<String> = results
            .iter()
            .flat_map(|r| {
                scheme
                    .iter()
                    .filter(|i| i.kind == IndicatorKind::Manual)
                    .filter(|i| {
                        manual
                            .get(&r.department_id.to_string())
                            .is_none_or(|m| !m.contains_key(&i.key))
                    })
                    .map(|i| format!("{}（{}）", r.department, i.name))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !missing.is_empty() {
            return Err(OpError::conflict(
                "manual_scores_missing",
                format!("以下人工评分指标尚未评分：{}", missing.join("、")),
            ));
        }
        let snapshot = Snapshot {
            period_id: row.id,
            title: row.title.clone(),
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            computed_on: today,
            scheme,
            manual_scores: manual,
            remarks: row.remarks.clone(),
            results,
        };
        let text = to_json(&snapshot)?;
        let sha = store::trail::sha256_hex(text.as_bytes());
        if !store::assessments::publish(c, id, expected, today, &text, &sha, days)? {
            return Err(OpError::StaleVersion);
        }
        let mut items = Vec::new();
        for r in &snapshot.results {
            for f in &r.figures {
                if let Some(problem) = &f.problem {
                    let item = store::assessments::insert_item(
                        c,
                        id,
                        r.department_id,
                        &f.key,
                        problem,
                        today,
                        days,
                    )?;
                    log_action(
                        ctx,
                        c,
                        Some(actor),
                        &item_subject(item),
                        "rectification_issued",
                        None,
                        &serde_json::json!({
                            "id": item, "period_id": id, "department_id": r.department_id,
                            "indicator_key": f.key, "problem": problem, "issued_on": today,
                            "working_days": days, "status": "open",
                        }),
                    )?;
                    items.push(item);
                }
            }
        }
        let after = store::assessments::find_period(c, id)?.ok_or(OpError::NotFound("考核期"))?;
        let v = view(ctx, c, actor, &scope, after)?;
        let mut record = logged(&v);
        record["rectification_items"] = serde_json::json!(items);
        log_action(
            ctx,
            c,
            Some(actor),
            &subject(id),
            "assessment_published",
            None,
            &record,
        )?;
        Ok(v)
    })
}

// ---------------------------------------------------------------------------------------
// Rectification items

/// An item as every face shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub id: i64,
    pub period_id: i64,
    pub period_title: String,
    pub department_id: i64,
    pub department: String,
    pub indicator_key: String,
    pub problem: String,
    pub issued_on: NaiveDate,
    pub working_days: i32,
    pub due_on: NaiveDate,
    /// How the due date was counted.
    pub due_explained: String,
    pub status: String,
    pub status_label: &'static str,
    /// The department still owes it and the due date has passed.
    pub overdue: bool,
    pub as_of: NaiveDate,
    pub evidence: Option<String>,
    /// The office's reason for a return, or its 销号 comment.
    pub remark: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub done_in_time: Option<bool>,
    pub closed_on: Option<NaiveDate>,
    /// What the caller may do: `done`, `return`, `close`.
    pub actions: Vec<&'static str>,
    pub version: i32,
}

fn may_item(actor: &Actor, scope: &Scope, office: i64, row: &ItemRow, step: ItemStep) -> bool {
    match step {
        ItemStep::Done => {
            matches!(actor.role, Role::Clerk | Role::Supervisor)
                && actor.department_id == Some(row.department_id)
        }
        ItemStep::Return | ItemStep::Close => {
            actor.role == Role::Supervisor && scope.allows(office)
        }
    }
}

struct ItemLookup {
    departments: HashMap<i64, store::departments::Department>,
    calendars: Arc<CalendarSet>,
    periods: HashMap<i64, PeriodRow>,
}

impl ItemLookup {
    fn load(ctx: &Ctx, c: &mut DbConnection) -> OpResult<ItemLookup> {
        Ok(ItemLookup {
            departments: department_names(c)?,
            calendars: ctx.calendars(c)?,
            periods: HashMap::new(),
        })
    }

    fn period(&mut self, c: &mut DbConnection, id: i64) -> OpResult<PeriodRow> {
        if let Some(p) = self.periods.get(&id) {
            return Ok(p.clone());
        }
        let p = store::assessments::find_period(c, id)?.ok_or(OpError::NotFound("考核期"))?;
        self.periods.insert(id, p.clone());
        Ok(p)
    }
}

fn item_view(
    c: &mut DbConnection,
    look: &mut ItemLookup,
    actor: &Actor,
    scope: &Scope,
    row: ItemRow,
    as_of: NaiveDate,
) -> OpResult<ItemView> {
    let period = look.period(c, row.period_id)?;
    let cal = calendar_of(&look.calendars, &look.departments, row.department_id)?;
    let due = item_due(&cal, &row)?;
    let status = ItemStatus::parse(&row.status).ok_or_else(|| OpError::internal("item status"))?;
    let actions = ItemStep::ALL
        .iter()
        .filter(|s| {
            may_item(actor, scope, period.office_department_id, &row, **s)
                && status.after(**s).is_some()
        })
        .map(|s| s.as_str())
        .collect();
    Ok(ItemView {
        id: row.id,
        period_id: row.period_id,
        period_title: period.title,
        department_id: row.department_id,
        department: look
            .departments
            .get(&row.department_id)
            .map_or_else(String::new, |d| d.data.name.clone()),
        indicator_key: row.indicator_key,
        problem: row.problem,
        issued_on: row.issued_on,
        working_days: row.working_days,
        due_on: due,
        due_explained: format!(
            "{}通报发布，发布当日不计入，自次日起第{}个工作日为整改期限（{}）",
            row.issued_on,
            row.working_days,
            cal.label()
        ),
        status: row.status,
        status_label: status.label(),
        overdue: domain::item_overdue(status, due, as_of),
        as_of,
        evidence: row.evidence,
        remark: row.remark,
        done_in_time: row.done_on.map(|d| d <= due),
        done_on: row.done_on,
        closed_on: row.closed_on,
        actions,
        version: row.version,
    })
}

fn visible_item(c: &mut DbConnection, scope: &Scope, id: i64) -> OpResult<ItemRow> {
    store::assessments::find_item(c, id)?
        .filter(|i| scope.allows(i.department_id))
        .ok_or(OpError::NotFound("整改事项"))
}

/// One item.
pub fn get_item(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<ItemView> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        if !scope.sees_departments() {
            return Err(OpError::Forbidden);
        }
        let row = visible_item(c, &scope, id)?;
        let mut look = ItemLookup::load(ctx, c)?;
        item_view(c, &mut look, actor, &scope, row, ctx.today())
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemQuery {
    pub period_id: Option<i64>,
    /// Items of this department (and those below it).
    pub department_id: Option<i64>,
    /// open | done | returned | closed.
    pub status: Option<String>,
    /// Only items the department still owes past their due date.
    #[serde(default)]
    pub overdue: bool,
}

/// The items of the departments in the caller's scope, oldest first.
pub fn list_items(ctx: &Ctx, actor: &Actor, q: ItemQuery) -> OpResult<Vec<ItemView>> {
    let status =
        match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(ItemStatus::parse(s).ok_or_else(|| {
                OpError::field("status", "取值应为：open, done, returned, closed")
            })?),
        };
    let today = ctx.today();
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let departments = super::cases::departments_in_scope(ctx, c, actor, q.department_id, true)?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let rows = store::assessments::items_of(c, &ids, q.period_id)?;
        let mut look = ItemLookup::load(ctx, c)?;
        let mut out = Vec::new();
        for row in rows {
            if status.is_some_and(|s| s.as_str() != row.status) {
                continue;
            }
            let v = item_view(c, &mut look, actor, &scope, row, today)?;
            if !q.overdue || v.overdue {
                out.push(v);
            }
        }
        Ok(out)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemStepIn {
    /// done | return | close.
    pub kind: String,
    /// The evidence (done), the reason (return), or an optional 销号 comment (close).
    #[serde(default)]
    pub body: Option<String>,
}

/// Reports an item done, returns it or closes it (versioned).
pub fn item_step(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: ItemStepIn,
) -> OpResult<ItemView> {
    let mut e = FieldErrors::default();
    let kind = ItemStep::parse(input.kind.trim());
    if kind.is_none() {
        e.add("kind", "取值应为：done | return | close");
    }
    let body = match kind {
        Some(ItemStep::Close) => {
            optional_multiline(&mut e, "body", input.body.as_deref(), 4000).unwrap_or_default()
        }
        _ => match input
            .body
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            None => {
                e.add(
                    "body",
                    if kind == Some(ItemStep::Return) {
                        "请写明退回的理由"
                    } else {
                        "请写明整改情况和佐证材料"
                    },
                );
                String::new()
            }
            Some(b) => multiline_text(&mut e, "body", b, 4000).unwrap_or_default(),
        },
    };
    let (Some(kind), true) = (kind, e.is_empty()) else {
        return Err(OpError::Invalid(e));
    };
    let today = ctx.today();
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        let row = visible_item(c, &scope, id)?;
        let mut look = ItemLookup::load(ctx, c)?;
        let office = look.period(c, row.period_id)?.office_department_id;
        if !may_item(actor, &scope, office, &row, kind) {
            return Err(match kind {
                ItemStep::Done => OpError::Denied {
                    code: "addressee_only",
                    message: "整改情况由被通报机关的工作人员报送".into(),
                },
                _ => OpError::Denied {
                    code: "office_only",
                    message: "整改事项由政务公开办销号或退回".into(),
                },
            });
        }
        check_version(row.version, expected)?;
        let status =
            ItemStatus::parse(&row.status).ok_or_else(|| OpError::internal("item status"))?;
        let next = status.after(kind).ok_or_else(|| {
            OpError::conflict(
                "item_step_not_allowed",
                format!("整改事项当前为“{}”，不能{}", status.label(), kind.label()),
            )
        })?;
        let before = item_view(c, &mut look, actor, &scope, row, today)?;
        if !store::assessments::item_step(
            c,
            id,
            expected,
            kind.as_str(),
            next.as_str(),
            &body,
            today,
        )? {
            return Err(OpError::StaleVersion);
        }
        let after = visible_item(c, &scope, id)?;
        let after = item_view(c, &mut look, actor, &scope, after, today)?;
        let action = match kind {
            ItemStep::Done => "rectification_done",
            ItemStep::Return => "rectification_returned",
            ItemStep::Close => "rectification_closed",
        };
        let snap = |v: &ItemView| {
            serde_json::json!({
                "id": v.id, "status": v.status, "evidence": v.evidence, "remark": v.remark,
                "done_on": v.done_on, "closed_on": v.closed_on, "version": v.version,
            })
        };
        log_action(
            ctx,
            c,
            Some(actor),
            &item_subject(id),
            action,
            Some(&snap(&before)),
            &snap(&after),
        )?;
        Ok(after)
    })
}

/// Queues the escalation of every item the department still owes past its due date, once
/// per item and recipient (the outbox's dedup key names the item and its due date): to the
/// supervisors of the department (or, when it has none, of the nearest department above it
/// below the office) and to the supervisors of the office that published the period.
/// Returns how many mails were queued now.
pub fn escalate(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    users: &[store::users::User],
    public_url: &str,
    as_of: NaiveDate,
) -> Result<usize, String> {
    let owed = [ItemStatus::Open.as_str(), ItemStatus::Returned.as_str()];
    let rows = store::assessments::items_with_status(c, &owed).map_err(|e| e.to_string())?;
    if rows.is_empty() {
        return Ok(0);
    }
    let departments = department_names(c).map_err(|e| e.to_string())?;
    let tree = store::departments::tree(c).map_err(|e| e.to_string())?;
    let supervisors_of = |dept: i64| -> Vec<&store::users::User> {
        users
            .iter()
            .filter(|u| {
                u.active
                    && u.role == Role::Supervisor.as_str()
                    && u.department_id == Some(dept)
                    && u.email.is_some()
            })
            .collect()
    };
    let mut periods: HashMap<i64, PeriodRow> = HashMap::new();
    let mut queued = 0;
    for row in rows {
        let Some(dept) = departments.get(&row.department_id) else {
            continue;
        };
        let cal = crate::cases::department_calendar(calendars, &dept.data);
        let due = item_due(&cal, &row).map_err(|e| e.to_string())?;
        let status = ItemStatus::parse(&row.status).ok_or("item status")?;
        if !domain::item_overdue(status, due, as_of) {
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = periods.entry(row.period_id) {
            let p = store::assessments::find_period(c, row.period_id)
                .map_err(|e| e.to_string())?
                .ok_or("period of an item")?;
            e.insert(p);
        }
        let Some(period) = periods.get(&row.period_id) else {
            continue;
        };
        let Some(office) = departments.get(&period.office_department_id) else {
            continue;
        };
        let late = cal
            .working_days_between(due, as_of)
            .map_err(|e| e.to_string())?
            .value;
        let mut recipients: Vec<&store::users::User> = Vec::new();
        let mut at = Some(dept.id);
        while let Some(d) = at.filter(|d| *d != office.id) {
            let found = supervisors_of(d);
            if !found.is_empty() {
                recipients.extend(found);
                break;
            }
            at = tree.parent_of(d);
        }
        recipients.extend(supervisors_of(office.id));
        let mut sent_to = std::collections::BTreeSet::new();
        for u in recipients {
            let Some(email) = u.email.as_deref() else {
                continue;
            };
            if !sent_to.insert(email.to_owned()) {
                continue;
            }
            let mail = crate::mail::rectification_overdue(&crate::mail::ItemMail {
                item_id: row.id,
                recipient_name: &u.display_name,
                recipient: email,
                department: &dept.data.name,
                office: &office.data.name,
                period_title: &period.title,
                published_on: period.published_on.unwrap_or(row.issued_on),
                problem: &row.problem,
                due_on: due,
                as_of,
                working_days_late: late,
                link: &format!("{public_url}/assessments/items/{}", row.id),
            });
            match mail {
                Ok(m) => {
                    if store::outbox::enqueue(c, &m).map_err(|e| e.to_string())? {
                        queued += 1;
                    }
                }
                Err(error) => {
                    tracing::warn!(item = row.id, %error, "rectification escalation skipped")
                }
            }
        }
    }
    Ok(queued)
}

// ---------------------------------------------------------------------------------------
// The 通报 as text and tables

/// A date as official letters write it: 2026年7月1日.
pub fn long_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The 通报's paragraphs, in the shape of seed 003: the ranking, 需要完善的事项 per
/// department, the office's own section, and the rectification requirement.
pub fn notice_paragraphs(v: &PeriodView) -> Vec<String> {
    let mut out = vec!["各有关单位：".to_owned()];
    // The sources named are those the scheme draws on: the audit campaigns only when it
    // scores them.
    let sources = if v
        .scheme
        .iter()
        .any(|i| i.kind == IndicatorKind::CampaignScore)
    {
        "申请、答复、复议诉讼、督办、整改和模拟用户实测记录"
    } else {
        "申请、答复、复议诉讼、督办和整改记录"
    };
    out.push(format!(
        "根据年度工作安排，{}对{}（{}至{}）各单位政府信息依申请公开工作情况进行了考核。考核数据来自本系统登记的{sources}。现将有关情况通报如下：",
        v.office,
        v.label,
        long_date(v.starts_on),
        long_date(v.ends_on)
    ));
    out.push("一、考核绩效排序".to_owned());
    let ranking = v
        .results
        .iter()
        .map(|r| {
            format!(
                "{}（{}分，得分率{}%）",
                r.department,
                domain::points(r.total),
                domain::points(r.rate)
            )
        })
        .collect::<Vec<_>>()
        .join("、");
    out.push(format!("综合得分率排序为：{ranking}。"));
    out.push("二、需要完善的事项".to_owned());
    let mut any = false;
    for r in &v.results {
        if r.problems.is_empty() {
            continue;
        }
        any = true;
        out.push(format!("{}：{}", r.department, r.problems.join("")));
    }
    if !any {
        out.push("本期各单位未发现需要整改的问题。".to_owned());
    }
    if !v.remarks.trim().is_empty() {
        out.push("三、其他情况".to_owned());
        out.extend(
            v.remarks
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    out.push(format!(
        "{}、下步工作要求",
        if v.remarks.trim().is_empty() {
            "三"
        } else {
            "四"
        }
    ));
    let days = v
        .rectify_working_days
        .map_or_else(|| "规定".to_owned(), |d| format!("{d}个"));
    out.push(format!(
        "对本次通报的事项，各单位要按照盘点销号的方式，逐一整改完善，于通报发布之日起{days}工作日内报送整改情况。整改效果将计入下一考核期的成绩。"
    ));
    out
}

/// The scores as a table (one row per department, one column per indicator).
pub fn score_table(v: &PeriodView) -> crate::report::tabular::Table {
    use crate::report::tabular::{Cell, Table};
    let mut headers: Vec<String> = vec!["排名".into(), "单位".into()];
    headers.extend(
        v.scheme
            .iter()
            .map(|i| format!("{}（{}分）", i.name, i.max)),
    );
    headers.extend(["总分".into(), "满分".into(), "得分率".into()]);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = Table::new("考核得分", &refs);
    for r in &v.results {
        let mut row: Vec<Cell> = vec![
            Cell::Int(i64::try_from(r.rank).unwrap_or(0)),
            r.department.clone().into(),
        ];
        row.extend(
            r.figures
                .iter()
                .map(|f| Cell::Text(domain::points(f.score))),
        );
        row.push(Cell::Text(domain::points(r.total)));
        row.push(Cell::Int(i64::from(r.max_total)));
        row.push(Cell::Rate(Some(r.rate / 100.0)));
        t.rows.push(row);
    }
    t
}

//! Publishing the annual report (issue 17: a published year is frozen). A publication stores
//! the report as served (tables 三 and 四, checks, readings, fee figures) with the ids behind
//! every cell as one JSON snapshot and its SHA-256, as a new version that is never changed;
//! reads of a published year serve the latest snapshot (or the version asked for) and list
//! the cells the live computation now puts differently (发布后变更) with the cases behind
//! each difference. Supervisors (in scope) and administrators publish; a year is published
//! only once it has ended (Art. 49: by Jan 31 / Mar 31 of the next year).

use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::annual::{self, Computed, ReportScope};
use super::{Ctx, OpError, OpResult, log_action};
use crate::auth::{Actor, Role};
use crate::domain::annual::{AnnualReport, CellChange, Check, FrozenCells, Template};
use crate::domain::fee::FeeFigures;
use crate::store::annual_publications::{self as pubs, Key, PublicationMeta, PublicationRow};
use crate::store::{self, DbConnection};

/// The longest reason for a republication, in characters.
const MAX_REASON: usize = 500;

/// What a publication stores (its text is what is hashed).
#[derive(Serialize, Deserialize)]
struct Snapshot {
    title: String,
    /// The organ that publishes (the department's name at the time).
    organ: String,
    /// The report as the JSON API served it.
    report: serde_json::Value,
    cells: FrozenCells,
}

/// Which report a read wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The latest publication of the year, or the live computation when there is none.
    Latest,
    /// Always the live computation.
    Live,
    Number(i32),
}

impl Version {
    pub fn parse(raw: Option<&str>) -> OpResult<Version> {
        match raw.map(str::trim) {
            None | Some("" | "latest") => Ok(Version::Latest),
            Some("live") => Ok(Version::Live),
            Some(n) => n
                .parse::<i32>()
                .ok()
                .filter(|v| *v >= 1)
                .map(Version::Number)
                .ok_or_else(|| {
                    OpError::field("version", "取值应为：latest | live | 发布版本号（1、2…）")
                }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
}

/// One published version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionOut {
    pub department_id: i64,
    pub include_subtree: bool,
    pub year: i32,
    pub version: i32,
    pub template: String,
    pub sha256: String,
    pub reason: Option<String>,
    pub published_by: UserRef,
    /// UTC.
    pub published_at: NaiveDateTime,
}

/// The version a read serves, and whether its snapshot still hashes to the stored value.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    #[serde(flatten)]
    pub version: VersionOut,
    pub snapshot_intact: bool,
}

/// A case named in a change.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRef {
    pub case_id: i64,
    pub number: String,
}

/// A cell of a published report that the live computation now puts differently.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeOut {
    #[serde(flatten)]
    pub cell: CellChange,
    /// The cases behind the difference (table 四: the cases of the remedies that moved).
    pub cases: Vec<CaseRef>,
}

/// A report as a read serves it.
pub struct Served {
    /// The JSON body: the report, `published`, `changes_since_publication`, `versions`.
    pub body: serde_json::Value,
    pub report: AnnualReport,
    pub title: String,
    pub organ: String,
    pub fees: FeeFigures,
    pub published: Option<Published>,
    pub changes: Vec<ChangeOut>,
    pub versions: Vec<VersionOut>,
}

impl Served {
    /// "第2版 · 2026年1月20日发布", or that the numbers are live.
    pub fn status(&self) -> String {
        match &self.published {
            Some(p) => {
                // Stored in UTC; the agency's date is China Standard Time.
                let day = (p.version.published_at + chrono::Duration::hours(8)).date();
                format!(
                    "第{}版 · {}年{}月{}日发布",
                    p.version.version,
                    day.year(),
                    day.month(),
                    day.day()
                )
            }
            None => "未发布（实时统计）".to_owned(),
        }
    }

    /// What the page and the .docx show besides the tables.
    pub fn doc<'a>(&'a self, status: &'a str) -> crate::report::annual_docx::Doc<'a> {
        crate::report::annual_docx::Doc {
            title: &self.title,
            organ: &self.organ,
            status,
            fees: self.fees,
        }
    }
}

fn key(s: &ReportScope) -> Key {
    Key {
        department_id: s.department_id,
        include_subtree: s.include_subtree,
        year: s.year,
    }
}

fn corrupt(id: i64, e: impl std::fmt::Display) -> OpError {
    OpError::internal(format!("annual publication {id} unreadable: {e}"))
}

/// The frozen cells of the latest publication of a year, with its version (for the
/// carry-over check of the year after).
pub(crate) fn published_cells(
    c: &mut DbConnection,
    department_id: i64,
    include_subtree: bool,
    year: i32,
) -> OpResult<Option<(i32, FrozenCells)>> {
    let Some(row) = pubs::find(
        c,
        Key {
            department_id,
            include_subtree,
            year,
        },
        None,
    )?
    else {
        return Ok(None);
    };
    let snap: Snapshot =
        serde_json::from_str(&row.snapshot).map_err(|e| corrupt(row.meta.id, e))?;
    Ok(Some((row.meta.version, snap.cells)))
}

fn version_views(c: &mut DbConnection, metas: Vec<PublicationMeta>) -> OpResult<Vec<VersionOut>> {
    let ids: Vec<i64> = metas.iter().map(|m| m.published_by).collect();
    let names: std::collections::HashMap<i64, String> =
        pubs::publisher_names(c, &ids)?.into_iter().collect();
    Ok(metas
        .into_iter()
        .map(|m| VersionOut {
            published_by: UserRef {
                id: m.published_by,
                name: names.get(&m.published_by).cloned().unwrap_or_default(),
            },
            department_id: m.department_id,
            include_subtree: m.include_subtree,
            year: m.year,
            version: m.version,
            template: m.template,
            sha256: m.sha256,
            reason: m.reason,
            published_at: m.published_at,
        })
        .collect())
}

/// The numbers of the cases: the live facts first, else as frozen.
fn number_of(live: &Computed, frozen: Option<&FrozenCells>, id: i64) -> String {
    live.facts
        .get(&id)
        .map(|f| f.case_number.clone())
        .or_else(|| frozen.and_then(|f| f.case_numbers.get(&id).cloned()))
        .unwrap_or_else(|| format!("#{id}"))
}

/// A report for reading: the latest publication of the year (or the version asked for)
/// with the changes since, or the live computation.
pub fn serve(ctx: &Ctx, actor: &Actor, s: ReportScope, version: Version) -> OpResult<Served> {
    ctx.snapshot(|c| serve_in(ctx, c, actor, s, version))
}

fn serve_in(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    mut s: ReportScope,
    version: Version,
) -> OpResult<Served> {
    let k = key(&s);
    let row: Option<PublicationRow> = match version {
        Version::Live => None,
        Version::Latest => pubs::find(c, k, None)?,
        Version::Number(n) => {
            Some(pubs::find(c, k, Some(n))?.ok_or(OpError::NotFound("发布版本"))?)
        }
    };
    let snap = match &row {
        Some(r) => {
            Some(serde_json::from_str::<Snapshot>(&r.snapshot).map_err(|e| corrupt(r.meta.id, e))?)
        }
        None => None,
    };
    if let Some(snap) = &snap {
        // The live side of the comparison is laid out like the publication.
        let template = snap
            .report
            .get("template")
            .and_then(|t| t.as_str())
            .unwrap_or_default();
        s.template = Template::parse(template).map_err(|e| corrupt(0, e))?;
    }
    // The live computation checks the caller's scope, published or not.
    let live = annual::compute_with(ctx, c, actor, &s)?;
    let metas = pubs::versions(c, k)?;
    let versions = version_views(c, metas)?;
    let live_body = annual::body(&live, s.include_subtree)?;
    let live_title = annual::title(&live, s.include_subtree);

    let (mut body, report, title, organ, fees, published, changes) = match (row, snap) {
        (Some(row), Some(snap)) => {
            let intact = store::trail::sha256_hex(row.snapshot.as_bytes()) == row.meta.sha256;
            let id = row.meta.id;
            let checks: Vec<Check> =
                serde_json::from_value(snap.report.get("checks").cloned().unwrap_or_default())
                    .map_err(|e| corrupt(id, e))?;
            let fees: FeeFigures =
                serde_json::from_value(snap.report.get("fees").cloned().unwrap_or_default())
                    .map_err(|e| corrupt(id, e))?;
            let report = AnnualReport::thaw(s.year, s.template, &snap.cells, checks)
                .map_err(|e| corrupt(id, e))?;
            let cell_changes = crate::domain::annual::changes_since(&report, &live.report);
            let fee_changes = crate::domain::annual::fee_changes(&fees, &live.fees);
            let changes = cell_changes
                .into_iter()
                .chain(fee_changes)
                .map(|cell| {
                    let mut ids: Vec<i64> = if cell.table == "table3" {
                        cell.added.iter().chain(&cell.removed).copied().collect()
                    } else {
                        live.remedies
                            .iter()
                            .filter(|r| cell.added.contains(&r.id) || cell.removed.contains(&r.id))
                            .map(|r| r.case_id)
                            .collect()
                    };
                    ids.sort_unstable();
                    ids.dedup();
                    let cases = ids
                        .into_iter()
                        .map(|id| CaseRef {
                            case_id: id,
                            number: number_of(&live, Some(&snap.cells), id),
                        })
                        .collect();
                    ChangeOut { cell, cases }
                })
                .collect();
            let version = versions
                .iter()
                .find(|v| v.version == row.meta.version)
                .cloned()
                .ok_or_else(|| corrupt(id, "version not listed"))?;
            let published = Published {
                version,
                snapshot_intact: intact,
            };
            (
                snap.report,
                report,
                snap.title,
                snap.organ,
                fees,
                Some(published),
                changes,
            )
        }
        _ => {
            let organ = live.department.data.name.clone();
            let fees = live.fees;
            (
                live_body,
                live.report,
                live_title,
                organ,
                fees,
                None,
                Vec::new(),
            )
        }
    };
    if let Some(map) = body.as_object_mut() {
        map.insert(
            "published".into(),
            serde_json::to_value(&published).map_err(OpError::internal)?,
        );
        map.insert(
            "changes_since_publication".into(),
            serde_json::to_value(&changes).map_err(OpError::internal)?,
        );
        map.insert(
            "versions".into(),
            serde_json::to_value(&versions).map_err(OpError::internal)?,
        );
    }
    Ok(Served {
        body,
        report,
        title,
        organ,
        fees,
        published,
        changes,
        versions,
    })
}

/// The published versions of a department's year, oldest first.
pub fn versions(
    ctx: &Ctx,
    actor: &Actor,
    department_id: i64,
    include_subtree: bool,
    year: i32,
) -> OpResult<Vec<VersionOut>> {
    ctx.read(|c| {
        // Scope: the same refusal as reading the report.
        super::cases::departments_in_scope(ctx, c, actor, Some(department_id), include_subtree)?
            .iter()
            .find(|d| d.id == department_id)
            .ok_or(OpError::NotFound("机关"))?;
        let metas = pubs::versions(
            c,
            Key {
                department_id,
                include_subtree,
                year,
            },
        )?;
        version_views(c, metas)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishIn {
    pub department_id: i64,
    pub year: i32,
    #[serde(default)]
    pub include_subtree: bool,
    /// Why the year is published again (required from version 2 on).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Publishes a department's year: computes it once more (with the year's own template and
/// the configured readings), refuses a year not yet ended or with a failed check, and stores
/// the snapshot with its hash as the next version, audited in the same transaction.
pub fn publish(ctx: &Ctx, actor: &Actor, input: PublishIn) -> OpResult<VersionOut> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Err(OpError::Forbidden);
    }
    let today = ctx.today();
    if input.year >= today.year() {
        return Err(OpError::rejected(
            "year_not_ended",
            format!(
                "{}年度尚未结束，不能发布；年度报告于次年1月31日前（政府于3月31日前）发布上一年度的报告",
                input.year
            ),
        ));
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON)
    {
        return Err(OpError::field(
            "reason",
            format!("重新发布的理由不超过{MAX_REASON}字"),
        ));
    }
    let scope = annual::parse_scope(
        Some(input.year),
        Some(input.department_id),
        input.include_subtree,
        None,
        today,
        ctx.settings.special_regime_row,
    )?;
    ctx.write_retry(|c| {
        let s = ReportScope { ..scope.clone() };
        let computed = annual::compute_with(ctx, c, actor, &s)?;
        let k = key(&s);
        let previous = pubs::find(c, k, None)?.map(|r| r.meta.version);
        if previous.is_some() && reason.is_none() {
            return Err(OpError::conflict(
                "reason_required",
                format!(
                    "{}年度报告已发布（第{}版）；重新发布须说明理由，原有各版本均保留",
                    s.year,
                    previous.unwrap_or_default()
                ),
            ));
        }
        let failed: Vec<&str> = computed
            .report
            .checks
            .iter()
            .filter(|ch| !ch.ok)
            .map(|ch| ch.name.as_str())
            .collect();
        if !failed.is_empty() {
            return Err(OpError::conflict(
                "checks_failed",
                format!("有校验未通过，不能发布：{}", failed.join("、")),
            ));
        }
        let cells = computed
            .report
            .freeze(|id| computed.facts.get(&id).map(|f| f.case_number.clone()));
        let snapshot = Snapshot {
            title: annual::title(&computed, s.include_subtree),
            organ: computed.department.data.name.clone(),
            report: annual::body(&computed, s.include_subtree)?,
            cells,
        };
        let text = serde_json::to_string(&snapshot).map_err(OpError::internal)?;
        let sha = store::trail::sha256_hex(text.as_bytes());
        let version = previous.unwrap_or(0) + 1;
        let meta = pubs::insert(
            c,
            &pubs::NewPublication {
                key: k,
                template: s.template.key(),
                version,
                snapshot: &text,
                sha256: &sha,
                reason: reason.as_deref(),
                published_by: actor.user_id,
            },
        )
        .map_err(super::error::on_insert)?;
        let view = version_views(c, vec![meta])?
            .pop()
            .ok_or_else(|| OpError::internal("publication not read back"))?;
        log_action(
            ctx,
            c,
            Some(actor),
            &format!(
                "annual_report:{}:{}{}",
                s.department_id,
                s.year,
                if s.include_subtree { ":subtree" } else { "" }
            ),
            "annual_report_published",
            None,
            &serde_json::json!({
                "department_id": s.department_id, "include_subtree": s.include_subtree,
                "year": s.year, "version": version, "template": s.template.key(),
                "sha256": sha, "reason": reason, "all_checks_pass": true,
            }),
        )?;
        Ok(view)
    })
}

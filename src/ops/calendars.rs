//! The holiday calendars: what is in force (bundled years and imports), and importing a
//! new or corrected year (admin), which recomputes every open case in the same transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Ctx, OpError, OpResult, log_action, require};
use crate::auth::{Actor, Role};
use crate::cases::Moved;
use crate::domain::calendar::{
    CalendarError, CalendarSet, FIRST_YEAR, LAST_YEAR, RegionCode, YearData, YearDiff, year_diff,
};
use crate::domain::validation::FieldErrors;
use crate::store;
use crate::store::calendars::{CalendarYearRow, NATIONAL};

/// How a calendar failure reads to the caller.
pub fn calendar_error(e: CalendarError) -> OpError {
    match e {
        CalendarError::OutOfRange { .. } | CalendarError::ResultOutOfRange => {
            OpError::OutOfRange(e.to_string())
        }
        CalendarError::InvalidRegionCode(_) => OpError::field("region", e.to_string()),
        other => OpError::rejected("calendar_error", other.to_string()),
    }
}

pub fn parse_region(raw: Option<&str>) -> OpResult<Option<RegionCode>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => RegionCode::parse(r)
            .map(Some)
            .map_err(|e| OpError::field("region", e.to_string())),
    }
}

/// `national` or a region code (any level: its province's layer) in a path.
pub fn parse_layer(raw: &str) -> OpResult<Option<RegionCode>> {
    if raw == NATIONAL {
        Ok(None)
    } else {
        parse_region(Some(raw))
    }
}

/// The calendars in force.
pub fn current(ctx: &Ctx) -> OpResult<Arc<CalendarSet>> {
    ctx.read(|c| ctx.calendars(c))
}

/// The calendars in force with the imports behind them.
pub fn in_force(ctx: &Ctx) -> OpResult<(Arc<CalendarSet>, Vec<CalendarYearRow>)> {
    ctx.read(|c| Ok((ctx.calendars(c)?, store::calendars::in_force(c)?)))
}

/// The calendars in force and the newest import of one layer's year, if any.
pub fn year(
    ctx: &Ctx,
    layer_key: &str,
    year: i32,
) -> OpResult<(Arc<CalendarSet>, Option<CalendarYearRow>)> {
    ctx.read(|c| {
        Ok((
            ctx.calendars(c)?,
            store::calendars::latest(c, layer_key, year)?,
        ))
    })
}

/// The body of an import: the shape of the bundled files, holding exactly one year.
#[derive(Deserialize, Serialize)]
pub struct ImportIn {
    pub region: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub source: String,
    pub years: BTreeMap<String, YearData>,
}

/// An import checked and put in its stored shape: the layer it applies to and the body.
struct CheckedImport {
    key: String,
    stored: ImportIn,
}

/// The checks an import must pass, shared by the preview and the import itself.
fn check_import(
    actor: &Actor,
    raw_layer: &str,
    year: i32,
    mut body: ImportIn,
) -> OpResult<CheckedImport> {
    require(actor, &[Role::Admin])?;
    let region = parse_layer(raw_layer)?;
    let key = store::calendars::layer_key(region.as_ref());
    let mut e = FieldErrors::default();
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        e.add("year", format!("年份应在{FIRST_YEAR}至{LAST_YEAR}之间"));
    }
    body.source = body.source.trim().to_owned();
    if body.source.is_empty() {
        e.add("source", "请注明数据来源（如国务院办公厅通知的标题和文号）");
    }
    if let Some(r) = body.region.as_deref().filter(|r| *r != key) {
        e.add(
            "region",
            format!("请求体中的地区{r}与路径中的图层{key}不一致"),
        );
    }
    let keys: Vec<&String> = body.years.keys().collect();
    if keys != [&year.to_string()] {
        e.add("years", format!("应恰好包含路径中的年份“{year}”"));
    }
    if let Some(data) = body.years.get(&year.to_string())
        && let Err(problems) = data.validate(year)
    {
        for p in problems {
            let at = p
                .date
                .map_or_else(|| p.code.as_str().to_owned(), |d| d.to_string());
            e.add(format!("years.{year}.{at}"), p.message);
        }
    }
    let body = e.finish(body)?;
    let stored = ImportIn {
        region: region.as_ref().map(|r| r.province().as_str().to_owned()),
        ..body
    };
    Ok(CheckedImport { key, stored })
}

/// What an import would do, computed without writing anything.
#[derive(Debug, Serialize)]
pub struct ImportPreview {
    pub layer: String,
    pub year: i32,
    /// The version in force now: 0 for the bundled data (or none loaded), N for import N.
    pub current_version: i32,
    /// Whether the year was loaded at all before (bundled or imported).
    pub year_was_loaded: bool,
    pub diff: YearDiff,
    /// The open cases whose due date would move, with the old and the new date.
    pub moved_cases: Vec<Moved>,
}

/// Previews an import (admin): the same checks as [`import_year`], then the days added,
/// removed and renamed against the year in force, and the open cases whose due date would
/// move. Nothing is written; applying it is [`import_year`] with the same body.
pub fn preview_import(
    ctx: &Ctx,
    actor: &Actor,
    raw_layer: &str,
    year: i32,
    body: ImportIn,
) -> OpResult<ImportPreview> {
    let CheckedImport { key, stored } = check_import(actor, raw_layer, year, body)?;
    let json = serde_json::to_string(&stored).map_err(OpError::internal)?;
    let new_data = stored
        .years
        .get(&year.to_string())
        .cloned()
        .ok_or_else(|| OpError::internal("checked import without its year"))?;
    ctx.read(|c| {
        let current = ctx.calendars(c)?;
        let region = parse_layer(&key)?;
        let old_data = current.year_data(region.as_ref(), year).cloned();
        let current_version = store::calendars::latest(c, &key, year)?.map_or(0, |r| r.version);
        // The row as the import would store it: applied in memory only.
        let row = CalendarYearRow {
            id: 0,
            layer: key.clone(),
            year,
            version: current_version + 1,
            data: json.clone(),
            source: stored.source.clone(),
            imported_by: actor.user_id,
            imported_at: chrono::Utc::now().naive_utc(),
        };
        let new_set = store::calendars::apply(&current, &row)
            .map_err(|m| OpError::rejected("calendar_error", m))?;
        let moved_cases = crate::cases::would_move(c, &new_set, ctx.today())?;
        Ok(ImportPreview {
            layer: key.clone(),
            year,
            current_version,
            year_was_loaded: old_data.is_some(),
            diff: year_diff(old_data.as_ref(), &new_data),
            moved_cases,
        })
    })
}

/// Imports one year of one layer (admin): validated, stored with its source and importer,
/// applied, and every open case recomputed on the new calendar in the same transaction;
/// the cases whose due date moved are returned and audited.
pub fn import_year(
    ctx: &Ctx,
    actor: &Actor,
    raw_layer: &str,
    year: i32,
    body: ImportIn,
) -> OpResult<(CalendarYearRow, Vec<Moved>)> {
    let CheckedImport { key, stored } = check_import(actor, raw_layer, year, body)?;
    let json = serde_json::to_string(&stored).map_err(OpError::internal)?;
    ctx.write(|c| {
        let current = ctx.calendars(c)?;
        let row = store::calendars::insert(c, &key, year, &json, &stored.source, actor.user_id)?;
        let new_set = store::calendars::apply(&current, &row)
            .map_err(|m| OpError::rejected("calendar_error", m))?;
        // Facts, not cached conclusions: every open case is recomputed on the new calendar
        // in this transaction, and the ones whose due date moved are reported and audited.
        let moved = crate::cases::recompute_open(
            c,
            &ctx.audit_key,
            &new_set,
            actor.user_id,
            ctx.today(),
            None,
        )?;
        log_action(
            ctx,
            c,
            Some(actor),
            &format!("calendar:{key}/{year}"),
            "calendar_year_imported",
            None,
            &serde_json::json!({
                "version": row.version, "source": row.source,
                "moved_cases": moved.len(),
            }),
        )?;
        Ok((row, moved))
    })
}

/// One day in a month grid: what decides it and the name of its holiday or 调休.
#[derive(Debug, Serialize)]
pub struct DayCell {
    pub date: chrono::NaiveDate,
    pub day: u32,
    /// `weekday`, `weekend`, `holiday` (放假) or `makeup` (调休上班).
    pub kind: &'static str,
    pub name: Option<String>,
    /// The regional layer decided this date (e.g. 壮族三月三).
    pub regional: bool,
}

/// A month as weeks of seven cells, Monday first; `None` pads the first and last week.
#[derive(Debug, Serialize)]
pub struct MonthGrid {
    pub month: u32,
    pub weeks: Vec<Vec<Option<DayCell>>>,
    /// The named days of the month, consecutive days of one name together.
    pub notes: Vec<MonthNote>,
}

/// `first`–`last` (days of the month) are `kind` days named `name`.
#[derive(Debug, Serialize)]
pub struct MonthNote {
    pub first: u32,
    pub last: u32,
    pub kind: &'static str,
    pub name: String,
    pub regional: bool,
}

fn month_notes(weeks: &[Vec<Option<DayCell>>]) -> Vec<MonthNote> {
    let mut notes: Vec<MonthNote> = Vec::new();
    for cell in weeks.iter().flatten().flatten() {
        let Some(name) = &cell.name else { continue };
        match notes.last_mut() {
            Some(n)
                if n.last + 1 == cell.day
                    && n.kind == cell.kind
                    && &n.name == name
                    && n.regional == cell.regional =>
            {
                n.last = cell.day;
            }
            _ => notes.push(MonthNote {
                first: cell.day,
                last: cell.day,
                kind: cell.kind,
                name: name.clone(),
                regional: cell.regional,
            }),
        }
    }
    notes
}

#[derive(Debug, Serialize)]
pub struct LayerChoice {
    pub layer: String,
    pub name: String,
}

/// A year of one layer as the calendar in force counts it (a regional layer shows the
/// national days too, as its region's cases count them).
#[derive(Debug, Serialize)]
pub struct YearView {
    pub layer: String,
    pub name: String,
    pub year: i32,
    /// The layer's own data for the year is loaded (otherwise dates are provisional).
    pub loaded: bool,
    pub provisional_reasons: Vec<String>,
    /// `bundled`, `import` (with `version`) or `none`.
    pub origin: &'static str,
    pub version: i32,
    pub source: Option<String>,
    pub months: Vec<MonthGrid>,
    /// The days the layer itself announces for the year, in date order.
    pub announced: Vec<crate::domain::calendar::DiffDay>,
    /// The year as an import body (the bundled files' shape), to edit and import again.
    pub file: Option<String>,
    pub layers: Vec<LayerChoice>,
}

/// The twelve month grids of one layer's year (any signed-in user: calendars are public
/// information, like `GET /api/v1/calendars/{region}/{year}`).
pub fn year_view(ctx: &Ctx, raw_layer: &str, year: i32) -> OpResult<YearView> {
    use chrono::{Datelike, NaiveDate};

    use crate::domain::calendar::{DayReason, DecidedBy};

    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(OpError::field(
            "year",
            format!("年份应在{FIRST_YEAR}至{LAST_YEAR}之间"),
        ));
    }
    let region = parse_layer(raw_layer)?;
    let key = store::calendars::layer_key(region.as_ref());
    let (set, import) =
        ctx.read(|c| Ok((ctx.calendars(c)?, store::calendars::latest(c, &key, year)?)))?;
    let layer = set
        .layer(region.as_ref())
        .ok_or(OpError::NotFound("节假日图层"))?;
    let cal = set.calendar(region.as_ref());
    let data = layer.year(year);
    let mut months = Vec::with_capacity(12);
    for month in 1..=12 {
        let first = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| OpError::internal("month out of range"))?;
        let mut weeks: Vec<Vec<Option<DayCell>>> = Vec::new();
        let mut week: Vec<Option<DayCell>> = (0..first.weekday().num_days_from_monday())
            .map(|_| None)
            .collect();
        let mut d = first;
        while d.month() == month && d.year() == year {
            let info = cal.day(d).map_err(calendar_error)?;
            let (kind, name) = match info.reason {
                DayReason::Weekday => ("weekday", None),
                DayReason::Weekend => ("weekend", None),
                DayReason::Holiday { name } => ("holiday", Some(name)),
                DayReason::MakeUpWorkday { name } => ("makeup", Some(name)),
            };
            week.push(Some(DayCell {
                date: d,
                day: d.day(),
                kind,
                name,
                regional: matches!(info.decided_by, DecidedBy::Regional { .. }),
            }));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
        if !week.is_empty() {
            week.resize_with(7, || None);
            weeks.push(week);
        }
        let notes = month_notes(&weeks);
        months.push(MonthGrid {
            month,
            weeks,
            notes,
        });
    }
    let announced = data.map_or_else(Vec::new, |y| {
        let mut diff = year_diff(None, y).added;
        diff.sort_by_key(|d| d.date);
        diff
    });
    let (origin, version, source) = match (&import, data) {
        (Some(r), _) => ("import", r.version, Some(r.source.clone())),
        (None, Some(_)) => ("bundled", 0, Some(layer.source().to_owned())),
        (None, None) => ("none", 0, None),
    };
    let file = match (data, &source) {
        (Some(y), Some(src)) => Some(
            serde_json::to_string_pretty(&ImportIn {
                region: region.as_ref().map(|r| r.province().as_str().to_owned()),
                name: region.as_ref().map(|_| layer.name().to_owned()),
                source: src.clone(),
                years: BTreeMap::from([(year.to_string(), y.clone())]),
            })
            .map_err(OpError::internal)?,
        ),
        _ => None,
    };
    Ok(YearView {
        file,
        layer: key,
        name: layer.name().to_owned(),
        year,
        loaded: data.is_some(),
        provisional_reasons: cal.provisional_reasons(year, year),
        origin,
        version,
        source,
        months,
        announced,
        layers: set
            .layers()
            .into_iter()
            .map(|l| LayerChoice {
                layer: store::calendars::layer_key(l.region.as_ref()),
                name: l.name,
            })
            .collect(),
    })
}

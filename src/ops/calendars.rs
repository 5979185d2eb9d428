//! The holiday calendars: what is in force (bundled years and imports), and importing a
//! new or corrected year (admin), which recomputes every open case in the same transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Ctx, OpError, OpResult, log_action, require};
use crate::auth::{Actor, Role};
use crate::cases::Moved;
use crate::domain::calendar::{
    CalendarError, CalendarSet, FIRST_YEAR, LAST_YEAR, RegionCode, YearData,
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

/// Imports one year of one layer (admin): validated, stored with its source and importer,
/// applied, and every open case recomputed on the new calendar in the same transaction;
/// the cases whose due date moved are returned and audited.
pub fn import_year(
    ctx: &Ctx,
    actor: &Actor,
    raw_layer: &str,
    year: i32,
    mut body: ImportIn,
) -> OpResult<(CalendarYearRow, Vec<Moved>)> {
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
    let json = serde_json::to_string(&stored).map_err(OpError::internal)?;
    ctx.write(|c| {
        let current = ctx.calendars(c)?;
        let row = store::calendars::insert(c, &key, year, &json, &stored.source, actor.user_id)?;
        let new_set = store::calendars::apply(&current, &row)
            .map_err(|m| OpError::rejected("calendar_error", m))?;
        // Facts, not cached conclusions: every open case is recomputed on the new calendar
        // in this transaction, and the ones whose due date moved are reported and audited.
        let moved = crate::cases::recompute_open(c, &new_set, actor.user_id, ctx.today(), None)?;
        log_action(
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

//! Calendar years imported at run time. Rows are append-only: a correction is a new version,
//! so what was in force when a due date was computed can always be shown.

use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::calendar_years;
use super::{Backend, DbConnection, StoreError, now};
use crate::domain::calendar::{CalendarSet, LayerFile, RegionCode};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_years)]
pub struct CalendarYearRow {
    pub id: i64,
    pub layer: String,
    pub year: i32,
    pub version: i32,
    /// The year's `{holidays, workdays, evidence?}` as JSON, in the bundled files' shape.
    pub data: String,
    pub source: String,
    pub imported_by: i64,
    pub imported_at: NaiveDateTime,
}

/// The version in force for every imported (layer, year): the highest.
pub fn in_force(conn: &mut DbConnection) -> QueryResult<Vec<CalendarYearRow>> {
    let all = calendar_years::table
        .order((
            calendar_years::layer,
            calendar_years::year,
            calendar_years::version.desc(),
        ))
        .select(CalendarYearRow::as_select())
        .load::<CalendarYearRow>(conn)?;
    let mut out: Vec<CalendarYearRow> = Vec::new();
    for row in all {
        if out
            .last()
            .is_none_or(|last| (last.layer.as_str(), last.year) != (row.layer.as_str(), row.year))
        {
            out.push(row);
        }
    }
    Ok(out)
}

pub fn latest(
    conn: &mut DbConnection,
    layer: &str,
    year: i32,
) -> QueryResult<Option<CalendarYearRow>> {
    calendar_years::table
        .filter(calendar_years::layer.eq(layer))
        .filter(calendar_years::year.eq(year))
        .order(calendar_years::version.desc())
        .select(CalendarYearRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a new version of (layer, year); the caller validated `data`.
pub fn insert(
    conn: &mut DbConnection,
    layer: &str,
    year: i32,
    data: &str,
    source: &str,
    imported_by: i64,
) -> QueryResult<CalendarYearRow> {
    let version = latest(conn, layer, year)?.map_or(1, |r| r.version + 1);
    diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::layer.eq(layer),
            calendar_years::year.eq(year),
            calendar_years::version.eq(version),
            calendar_years::data.eq(data),
            calendar_years::source.eq(source),
            calendar_years::imported_by.eq(imported_by),
            calendar_years::imported_at.eq(now()),
        ))
        .returning(<CalendarYearRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// The layer key of a region: `national`, or its province code.
pub fn layer_key(region: Option<&RegionCode>) -> String {
    region.map_or_else(|| NATIONAL.to_owned(), |r| r.province().as_str().to_owned())
}

pub const NATIONAL: &str = "national";

/// The bundled calendars with every import in force applied on top.
pub fn load_set(conn: &mut DbConnection) -> Result<CalendarSet, StoreError> {
    let mut set = CalendarSet::bundled();
    for row in in_force(conn)? {
        set = apply(&set, &row).map_err(|e| {
            StoreError::Corrupt(format!(
                "calendar import {} ({} {}): {e}",
                row.id, row.layer, row.year
            ))
        })?;
    }
    Ok(set)
}

/// Applies one stored import (a single-year file in the bundled files' shape).
pub fn apply(set: &CalendarSet, row: &CalendarYearRow) -> Result<CalendarSet, String> {
    let file = LayerFile::from_json(&row.data).map_err(|e| e.to_string())?;
    let data = file
        .years
        .get(&row.year.to_string())
        .cloned()
        .ok_or_else(|| format!("no data for {}", row.year))?;
    let region = if row.layer == NATIONAL {
        None
    } else {
        Some(RegionCode::parse(&row.layer).map_err(|e| e.to_string())?)
    };
    let mut base = set.clone();
    if let Some(code) = &region
        && base.layer(Some(code)).is_none()
    {
        // A province without a bundled layer: its regional law is taken to apply from the
        // first imported year.
        let name = file.name.clone().unwrap_or_else(|| code.to_string());
        base = base
            .with_regional_layer(code, &name, row.year, &row.source)
            .map_err(|e| e.to_string())?;
    }
    base.with_year(region.as_ref(), row.year, data)
        .map_err(|e| e.to_string())
}

/// The calendar set in force, cached per instance and reloaded when the newest import id
/// differs from the one it was built from (another instance may have imported a year).
pub struct CalendarCache {
    inner: RwLock<(i64, Arc<CalendarSet>)>,
}

impl CalendarCache {
    pub fn load(conn: &mut DbConnection) -> Result<Self, StoreError> {
        let (_, generation) = super::departments::stamps(conn)?;
        let set = load_set(conn)?;
        Ok(Self {
            inner: RwLock::new((generation, Arc::new(set))),
        })
    }

    /// The set as of generation `newest` (from `departments::stamps`, read just before):
    /// the kept one if nothing was imported meanwhile, else read again.
    pub fn current_at(
        &self,
        conn: &mut DbConnection,
        newest: i64,
    ) -> Result<Arc<CalendarSet>, StoreError> {
        {
            let guard = self
                .inner
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if guard.0 == newest {
                return Ok(guard.1.clone());
            }
        }
        let set = Arc::new(load_set(conn)?);
        let mut guard = self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = (newest, set.clone());
        Ok(set)
    }
}

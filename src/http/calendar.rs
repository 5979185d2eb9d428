//! Working-day arithmetic and the holiday calendars: queries for any logged-in user,
//! imports of a new or corrected year for admins.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, Json, Query, State, run};
use crate::domain::calendar::{CalendarError, LayerInfo, RegionCode, YearData};
use crate::ops::calendars::{self, ImportIn};
use crate::store;

/// Max days for one add-working-days query: far beyond any statutory period.
const MAX_DAYS: u32 = 5000;

fn calendar_error(e: CalendarError) -> ApiError {
    calendars::calendar_error(e).into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddQuery {
    from: NaiveDate,
    days: u32,
    region: Option<String>,
}

#[derive(Serialize)]
struct AddOut {
    from: NaiveDate,
    days: u32,
    region: Option<RegionCode>,
    calendar: String,
    date: NaiveDate,
    provisional: bool,
    provisional_reasons: Vec<String>,
}

pub async fn add_working_days(
    state: State,
    _auth: Auth,
    q: Query<AddQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let region = calendars::parse_region(q.region.as_deref())?;
    if q.days > MAX_DAYS {
        return Err(ApiError::field("days", format!("不能超过{MAX_DAYS}")));
    }
    let cal = run(&state, calendars::current)
        .await?
        .calendar(region.as_ref());
    let r = cal
        .add_working_days(q.from, q.days)
        .map_err(calendar_error)?;
    Ok(HttpResponse::Ok().json(AddOut {
        from: q.from,
        days: q.days,
        region,
        calendar: cal.label(),
        date: r.value,
        provisional: r.provisional,
        provisional_reasons: r.provisional_reasons,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BetweenQuery {
    from: NaiveDate,
    to: NaiveDate,
    region: Option<String>,
}

#[derive(Serialize)]
struct BetweenOut {
    from: NaiveDate,
    to: NaiveDate,
    region: Option<RegionCode>,
    calendar: String,
    working_days: i64,
    provisional: bool,
    provisional_reasons: Vec<String>,
}

pub async fn working_days(
    state: State,
    _auth: Auth,
    q: Query<BetweenQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let region = calendars::parse_region(q.region.as_deref())?;
    let cal = run(&state, calendars::current)
        .await?
        .calendar(region.as_ref());
    let r = cal
        .working_days_between(q.from, q.to)
        .map_err(calendar_error)?;
    Ok(HttpResponse::Ok().json(BetweenOut {
        from: q.from,
        to: q.to,
        region,
        calendar: cal.label(),
        working_days: r.value,
        provisional: r.provisional,
        provisional_reasons: r.provisional_reasons,
    }))
}

#[derive(Serialize)]
struct ImportOut {
    layer: String,
    year: i32,
    version: i32,
    source: String,
    imported_by: i64,
    imported_at: NaiveDateTime,
}

impl From<store::calendars::CalendarYearRow> for ImportOut {
    fn from(r: store::calendars::CalendarYearRow) -> Self {
        Self {
            layer: r.layer,
            year: r.year,
            version: r.version,
            source: r.source,
            imported_by: r.imported_by,
            imported_at: r.imported_at,
        }
    }
}

#[derive(Serialize)]
struct LayerOut {
    layer: String,
    #[serde(flatten)]
    info: LayerInfo,
    /// Years replaced or added at run time, with the version in force.
    imports: Vec<ImportOut>,
}

pub async fn list_calendars(state: State, _auth: Auth) -> Result<HttpResponse, ApiError> {
    let (set, imports) = run(&state, calendars::in_force).await?;
    let mut by_layer: BTreeMap<String, Vec<ImportOut>> = BTreeMap::new();
    for row in imports {
        by_layer
            .entry(row.layer.clone())
            .or_default()
            .push(row.into());
    }
    let layers: Vec<LayerOut> = set
        .layers()
        .into_iter()
        .map(|info| {
            let layer = store::calendars::layer_key(info.region.as_ref());
            LayerOut {
                imports: by_layer.remove(&layer).unwrap_or_default(),
                layer,
                info,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "layers": layers })))
}

/// One year of one layer in the bundled files' shape (`years: {"YYYY": {...}}`), with where
/// it came from. A GET body can be sent back with PUT unchanged.
#[derive(Serialize)]
struct YearOut {
    layer: String,
    region: Option<String>,
    name: String,
    source: String,
    origin: &'static str,
    version: i32,
    imported_by: Option<i64>,
    imported_at: Option<NaiveDateTime>,
    years: BTreeMap<String, YearData>,
}

pub async fn get_calendar_year(
    state: State,
    _auth: Auth,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, year) = path.into_inner();
    let region = calendars::parse_layer(&raw)?;
    let key = store::calendars::layer_key(region.as_ref());
    let k = key.clone();
    let (set, import) = run(&state, move |ctx| calendars::year(ctx, &k, year)).await?;
    let not_loaded = || {
        ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "calendar_year_not_loaded",
            format!("{year}年的节假日安排尚未载入（{raw}）"),
        )
    };
    let layer = set.layer(region.as_ref()).ok_or_else(not_loaded)?;
    let data = layer.year(year).cloned().ok_or_else(not_loaded)?;
    let (origin, version, source, imported_by, imported_at) = match import {
        Some(r) => (
            "import",
            r.version,
            r.source,
            Some(r.imported_by),
            Some(r.imported_at),
        ),
        None => ("bundled", 0, layer.source().to_owned(), None, None),
    };
    Ok(HttpResponse::Ok().json(YearOut {
        region: layer.region().map(|r| r.as_str().to_owned()),
        name: layer.name().to_owned(),
        layer: key,
        source,
        origin,
        version,
        imported_by,
        imported_at,
        years: BTreeMap::from([(year.to_string(), data)]),
    }))
}

pub async fn put_calendar_year(
    state: State,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: Json<ImportIn>,
) -> Result<HttpResponse, ApiError> {
    let (raw, year) = path.into_inner();
    let body = body.into_inner();
    let (row, moved) = run(&state, move |ctx| {
        calendars::import_year(ctx, &auth.0, &raw, year, body)
    })
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "import": ImportOut::from(row),
        "moved_cases": moved,
    })))
}

/// What a PUT of the same body would change, without changing anything.
pub async fn preview_calendar_year(
    state: State,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: Json<ImportIn>,
) -> Result<HttpResponse, ApiError> {
    let (raw, year) = path.into_inner();
    let body = body.into_inner();
    let preview = run(&state, move |ctx| {
        calendars::preview_import(ctx, &auth.0, &raw, year, body)
    })
    .await?;
    Ok(HttpResponse::Ok().json(preview))
}

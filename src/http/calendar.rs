//! Working-day arithmetic and the holiday calendars: queries for any logged-in user,
//! imports of a new or corrected year for admins.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx};
use crate::auth::Role;
use crate::domain::calendar::{
    CalendarError, CalendarSet, FIRST_YEAR, LAST_YEAR, LayerInfo, RegionCode, YearData,
};
use crate::domain::validation::FieldErrors;
use crate::store::{self, calendars::NATIONAL};

/// Max days for one add-working-days query: far beyond any statutory period.
const MAX_DAYS: u32 = 5000;

fn parse_region(raw: Option<&str>) -> Result<Option<RegionCode>, ApiError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => RegionCode::parse(r)
            .map(Some)
            .map_err(|e| ApiError::field("region", e.to_string())),
    }
}

/// `national` or a region code (any level: its province's layer) in a path.
fn parse_layer(raw: &str) -> Result<Option<RegionCode>, ApiError> {
    if raw == NATIONAL {
        Ok(None)
    } else {
        parse_region(Some(raw))
    }
}

pub fn calendar_error(e: CalendarError) -> ApiError {
    match e {
        CalendarError::OutOfRange { .. } | CalendarError::ResultOutOfRange => {
            ApiError::unprocessable("date_out_of_range", e.to_string())
        }
        CalendarError::InvalidRegionCode(_) => ApiError::field("region", e.to_string()),
        other => ApiError::unprocessable("calendar_error", other.to_string()),
    }
}

async fn current_set(state: &State) -> Result<std::sync::Arc<CalendarSet>, ApiError> {
    let st = state.clone();
    db(&state.pool, move |c| Ok(st.calendars.current(c)?)).await
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
    q: web::Query<AddQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let region = parse_region(q.region.as_deref())?;
    if q.days > MAX_DAYS {
        return Err(ApiError::field("days", format!("不能超过{MAX_DAYS}")));
    }
    let cal = current_set(&state).await?.calendar(region.as_ref());
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
    q: web::Query<BetweenQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let region = parse_region(q.region.as_deref())?;
    let cal = current_set(&state).await?.calendar(region.as_ref());
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
    let st = state.clone();
    let (set, imports) = db(&state.pool, move |c| {
        Ok((st.calendars.current(c)?, store::calendars::in_force(c)?))
    })
    .await?;
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
    let region = parse_layer(&raw)?;
    let key = store::calendars::layer_key(region.as_ref());
    let st = state.clone();
    let k = key.clone();
    let (set, import) = db(&state.pool, move |c| {
        Ok((
            st.calendars.current(c)?,
            store::calendars::latest(c, &k, year)?,
        ))
    })
    .await?;
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

/// The body of an import: the shape of the bundled files, holding exactly one year.
#[derive(Deserialize, Serialize)]
pub struct ImportIn {
    region: Option<String>,
    name: Option<String>,
    #[serde(default)]
    source: String,
    years: BTreeMap<String, YearData>,
}

pub async fn put_calendar_year(
    state: State,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: web::Json<ImportIn>,
) -> Result<HttpResponse, ApiError> {
    let admin = auth.require(&[Role::Admin])?.user_id;
    let (raw, year) = path.into_inner();
    let region = parse_layer(&raw)?;
    let key = store::calendars::layer_key(region.as_ref());
    let mut body = body.into_inner();
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
    let json = serde_json::to_string(&stored).map_err(ApiError::internal)?;
    let st = state.clone();
    let row = db_tx(&state.pool, move |c| {
        let current = st.calendars.current(c)?;
        let row = store::calendars::insert(c, &key, year, &json, &stored.source, admin)?;
        let new_set = store::calendars::apply(&current, &row)
            .map_err(|m| ApiError::unprocessable("calendar_error", m))?;
        // Facts, not cached conclusions: every open case is recomputed on the new calendar
        // in this transaction, and the ones whose due date moved are reported and audited.
        let moved = crate::cases::recompute_open(c, &new_set, admin, st.today(), None)?;
        Ok((row, moved))
    })
    .await?;
    let (row, moved) = row;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "import": ImportOut::from(row),
        "moved_cases": moved,
    })))
}

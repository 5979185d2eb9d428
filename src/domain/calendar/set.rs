//! `CalendarSet`: every loaded layer (national + regional) and the resolved calendars.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::data::parse_year_key;
use super::{
    CalendarError, FIRST_YEAR, LAST_YEAR, LayerFile, RegionCode, UnverifiedYear, WorkCalendar,
    YearData,
};

const NATIONAL_JSON: &str = include_str!("../../../data/calendars/cn-national-holidays.json");
const GUANGXI_JSON: &str = include_str!("../../../data/calendars/cn-guangxi-sanyuesan.json");
const XINJIANG_JSON: &str = include_str!("../../../data/calendars/cn-xinjiang.json");

/// 广西壮族自治区人民政府令第98号 (2014): 壮族三月三 from 2014.
const GUANGXI_SINCE: i32 = 2014;
/// 新疆维吾尔自治区人民政府令第174号 (2011): 肉孜节 1 day, 古尔邦节 3 days from 2011.
const XINJIANG_SINCE: i32 = 2011;

/// One layer of holiday data: the national arrangement, or what a region adds to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub(super) region: Option<RegionCode>,
    pub(super) name: String,
    /// First year the regional holiday law applies; `None` for the national layer.
    pub(super) since: Option<i32>,
    pub(super) source: String,
    pub(super) years: BTreeMap<i32, YearData>,
    pub(super) unverified: BTreeMap<i32, UnverifiedYear>,
}

impl Layer {
    fn from_file(
        file: LayerFile,
        region: Option<RegionCode>,
        name: String,
        since: Option<i32>,
    ) -> Result<Self, CalendarError> {
        let mut years = BTreeMap::new();
        for (key, data) in file.years {
            let year = parse_year_key(&key)?;
            data.validate(year)
                .map_err(|problems| CalendarError::InvalidYearData { year, problems })?;
            years.insert(year, data);
        }
        let mut unverified = BTreeMap::new();
        for (key, guess) in file.unverified.unwrap_or_default() {
            // A guess for a year outside the range is useless but harmless: skip it.
            if let Ok(year) = parse_year_key(&key) {
                unverified.insert(year, guess);
            }
        }
        Ok(Self {
            region,
            name,
            since,
            source: file.source,
            years,
            unverified,
        })
    }

    pub fn region(&self) -> Option<&RegionCode> {
        self.region.as_ref()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn since(&self) -> Option<i32> {
        self.since
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn years(&self) -> &BTreeMap<i32, YearData> {
        &self.years
    }

    pub fn year(&self, year: i32) -> Option<&YearData> {
        self.years.get(&year)
    }

    pub fn unverified(&self) -> &BTreeMap<i32, UnverifiedYear> {
        &self.unverified
    }

    /// Back to the shared file shape (same as the files in `data/calendars/`).
    pub fn to_file(&self) -> LayerFile {
        let years = self
            .years
            .iter()
            .map(|(y, d)| (y.to_string(), d.clone()))
            .collect();
        let regional = self.region.is_some();
        LayerFile {
            region: self.region.as_ref().map(|r| r.to_string()),
            name: regional.then(|| self.name.clone()),
            source: self.source.clone(),
            years,
            unverified: regional.then(|| {
                self.unverified
                    .iter()
                    .map(|(y, u)| (y.to_string(), u.clone()))
                    .collect()
            }),
        }
    }

    fn info(&self) -> LayerInfo {
        LayerInfo {
            region: self.region.clone(),
            name: self.name.clone(),
            since: self.since,
            years: self.years.keys().copied().collect(),
            unverified_years: self.unverified.keys().copied().collect(),
        }
    }
}

/// Summary of a layer for listings (`GET /calendars`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// `None` for the national layer.
    pub region: Option<RegionCode>,
    pub name: String,
    pub since: Option<i32>,
    /// Years with loaded (verified) data.
    pub years: Vec<i32>,
    /// Years with a best guess only; treated as unknown.
    pub unverified_years: Vec<i32>,
}

/// All loaded holiday data and one precomputed [`WorkCalendar`] per layer. Immutable: an admin
/// import makes a new set ([`CalendarSet::with_year`]) that the service swaps in.
#[derive(Debug, Clone)]
pub struct CalendarSet {
    national: Arc<Layer>,
    regional: BTreeMap<RegionCode, Arc<Layer>>,
    national_calendar: Arc<WorkCalendar>,
    regional_calendars: BTreeMap<RegionCode, Arc<WorkCalendar>>,
}

impl CalendarSet {
    /// The data shipped with the service: national 2007–2026, Guangxi (450000, since 2014)
    /// 2014–2026, Xinjiang (650000, since 2011) 2023 and 2025 only.
    #[expect(
        clippy::expect_used,
        reason = "compiled-in files; the tests load them, so a bad file cannot be released"
    )]
    pub fn bundled() -> Self {
        let parse = |json| LayerFile::from_json(json).expect("bundled calendar file parses");
        Self::from_files(
            parse(NATIONAL_JSON),
            [
                (parse(GUANGXI_JSON), GUANGXI_SINCE),
                (parse(XINJIANG_JSON), XINJIANG_SINCE),
            ],
        )
        .expect("bundled calendar data is valid")
    }

    /// Builds a set from the national file and regional files, each with the first year its
    /// regional holiday law applies. Every year is validated.
    pub fn from_files(
        national: LayerFile,
        regional: impl IntoIterator<Item = (LayerFile, i32)>,
    ) -> Result<Self, CalendarError> {
        let national = Layer::from_file(national, None, "全国".to_owned(), None)?;
        let mut layers = BTreeMap::new();
        for (file, since) in regional {
            let code = RegionCode::parse(file.region.as_deref().unwrap_or_default())?;
            if !code.is_province() {
                return Err(CalendarError::NotProvinceLevel(code));
            }
            if layers.contains_key(&code) {
                return Err(CalendarError::DuplicateLayer(code));
            }
            let name = file.name.clone().unwrap_or_else(|| code.to_string());
            let layer = Layer::from_file(file, Some(code.clone()), name, Some(since))?;
            layers.insert(code, Arc::new(layer));
        }
        Ok(Self::assemble(Arc::new(national), layers))
    }

    fn assemble(national: Arc<Layer>, regional: BTreeMap<RegionCode, Arc<Layer>>) -> Self {
        let national_calendar = Arc::new(WorkCalendar::build(&national, None));
        let regional_calendars = regional
            .iter()
            .map(|(code, layer)| {
                let cal = WorkCalendar::build(&national, Some(layer));
                (code.clone(), Arc::new(cal))
            })
            .collect();
        Self {
            national,
            regional,
            national_calendar,
            regional_calendars,
        }
    }

    /// A new set with `year` of a layer replaced (`None` = national; a regional code selects
    /// its province's layer). A year that was only a best guess becomes verified. Only the
    /// affected calendars are rebuilt.
    pub fn with_year(
        &self,
        layer: Option<&RegionCode>,
        year: i32,
        data: YearData,
    ) -> Result<Self, CalendarError> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        data.validate(year)
            .map_err(|problems| CalendarError::InvalidYearData { year, problems })?;
        let replace = |old: &Layer| {
            let mut new = old.clone();
            new.unverified.remove(&year);
            new.years.insert(year, data.clone());
            Arc::new(new)
        };
        match layer {
            None => Ok(Self::assemble(
                replace(&self.national),
                self.regional.clone(),
            )),
            Some(code) => {
                let code = code.province();
                let old = self
                    .regional
                    .get(&code)
                    .ok_or_else(|| CalendarError::UnknownLayer(code.clone()))?;
                let new = replace(old);
                let cal = Arc::new(WorkCalendar::build(&self.national, Some(&new)));
                let mut set = self.clone();
                set.regional.insert(code.clone(), new);
                set.regional_calendars.insert(code, cal);
                Ok(set)
            }
        }
    }

    /// A new set with an empty regional layer: every year from `since` on is unknown (and so
    /// provisional) until imported.
    pub fn with_regional_layer(
        &self,
        region: &RegionCode,
        name: &str,
        since: i32,
        source: &str,
    ) -> Result<Self, CalendarError> {
        if !region.is_province() {
            return Err(CalendarError::NotProvinceLevel(region.clone()));
        }
        if self.regional.contains_key(region) {
            return Err(CalendarError::DuplicateLayer(region.clone()));
        }
        let layer = Layer {
            region: Some(region.clone()),
            name: name.to_owned(),
            since: Some(since),
            source: source.to_owned(),
            years: BTreeMap::new(),
            unverified: BTreeMap::new(),
        };
        let layer = Arc::new(layer);
        let mut set = self.clone();
        let cal = Arc::new(WorkCalendar::build(&self.national, Some(&layer)));
        set.regional.insert(region.clone(), layer);
        set.regional_calendars.insert(region.clone(), cal);
        Ok(set)
    }

    /// The calendar for an agency in `region` (any level: its province's layer applies); the
    /// national calendar when `None` or when the province has no layer.
    pub fn calendar(&self, region: Option<&RegionCode>) -> Arc<WorkCalendar> {
        region
            .and_then(|r| self.regional_calendars.get(&r.province()))
            .unwrap_or(&self.national_calendar)
            .clone()
    }

    pub fn national(&self) -> &Layer {
        &self.national
    }

    /// The layer for `region`'s province; `None` (argument) means the national layer.
    pub fn layer(&self, region: Option<&RegionCode>) -> Option<&Layer> {
        match region {
            None => Some(&self.national),
            Some(r) => self.regional.get(&r.province()).map(|l| &**l),
        }
    }

    /// One year of one layer, as loaded (`GET /calendars/{region}/{year}`).
    pub fn year_data(&self, region: Option<&RegionCode>, year: i32) -> Option<&YearData> {
        self.layer(region)?.year(year)
    }

    /// Every layer, national first, with the years each covers.
    pub fn layers(&self) -> Vec<LayerInfo> {
        std::iter::once(&self.national)
            .chain(self.regional.values())
            .map(|l| l.info())
            .collect()
    }
}

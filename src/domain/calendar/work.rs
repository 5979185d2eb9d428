//! `WorkCalendar`: one resolved calendar (national, or national + one regional layer),
//! precomputed over the supported range so that every operation is O(1).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::data::{is_weekend, weekday_zh};
use super::festivals::{FIRST_RULE_YEAR, statutory_days_off};
use super::set::Layer;
use super::{CalendarError, FIRST_DATE, FIRST_YEAR, LAST_DATE, LAST_YEAR, RegionCode};

/// A value computed from the calendar, and whether it rests on a year without loaded data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated<T> {
    pub value: T,
    pub provisional: bool,
    /// One Chinese sentence per unknown year and layer, e.g.
    /// "2027年全国节假日安排尚未载入，按《全国年节及纪念日放假办法》规定的节日和周一至周五推算
    /// （未计调休），载入后将重新计算".
    pub provisional_reasons: Vec<String>,
}

impl<T> Dated<T> {
    pub fn new(value: T, provisional_reasons: Vec<String>) -> Self {
        Self {
            value,
            provisional: !provisional_reasons.is_empty(),
            provisional_reasons,
        }
    }
}

/// Why a date is (not) a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayReason {
    /// Monday–Friday, nothing announced.
    Weekday,
    /// Saturday/Sunday, nothing announced.
    Weekend,
    /// Inside an announced 放假 span.
    Holiday { name: String },
    /// A weekend day made a working day (调休上班).
    MakeUpWorkday { name: String },
}

/// Which layer decided a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "layer", rename_all = "snake_case")]
pub enum DecidedBy {
    /// No national data for the year: Monday–Friday rule and the 放假办法's fixed days
    /// (always provisional).
    WeekdayRule,
    /// The national arrangement (listed, or an ordinary day of a loaded year).
    National,
    /// The regional layer lists the date (it overrides the national arrangement).
    Regional { region: RegionCode },
}

/// Everything known about one date in one calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working: bool,
    pub reason: DayReason,
    pub decided_by: DecidedBy,
    /// For clerks, e.g. "休息日：壮族三月三（广西壮族自治区地方节假日安排）".
    pub description: String,
    pub provisional: bool,
    pub provisional_reasons: Vec<String>,
}

#[derive(Debug, Clone)]
struct Special {
    working: bool,
    name: String,
    regional: bool,
}

/// A resolved calendar. Immutable once built; `Send + Sync`, shared via `Arc`.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    region: Option<RegionCode>,
    name: String,
    /// `cum[i]`: number of working days in `[FIRST_DATE, FIRST_DATE + i]`.
    cum: Vec<u32>,
    /// Working days in order: the k-th working day (k ≥ 1) is `workdays[k - 1]`.
    workdays: Vec<NaiveDate>,
    /// Per date: 0 = nothing announced, else index + 1 into `specials`.
    special: Vec<u32>,
    specials: Vec<Special>,
    /// Per year (`year - FIRST_YEAR`): why it is provisional; empty when fully loaded.
    unknown: Vec<Vec<String>>,
    /// Per year: whether the national layer has it (else the weekday rule decides).
    national_known: Vec<bool>,
}

impl WorkCalendar {
    /// Resolves the national layer plus, optionally, one regional layer. Combination rule
    /// (data README): working ⇔ d ∈ R.workdays ∨ (d ∉ R.holidays ∧ d is a national working
    /// day), so a regional day off overrides a national 调休 working day (2017-04-01 in 450000).
    pub(super) fn build(national: &Layer, regional: Option<&Layer>) -> Self {
        let n_days = usize::try_from((LAST_DATE - FIRST_DATE).num_days() + 1).unwrap_or(0);
        let mut special = vec![0u32; n_days];
        let mut specials = Vec::new();
        // A year without the national notice: the fixed statutory days off first (the 放假
        // 办法), so a loaded layer always overrides them; no 调休 is guessed.
        for year in (FIRST_YEAR..=LAST_YEAR).filter(|y| !national.years.contains_key(y)) {
            for (date, name) in statutory_days_off(year) {
                let Some(slot) = index_of(date).and_then(|i| special.get_mut(i)) else {
                    continue;
                };
                specials.push(Special {
                    working: false,
                    name: format!("{name}（按《全国年节及纪念日放假办法》推定）"),
                    regional: false,
                });
                *slot = u32::try_from(specials.len()).unwrap_or(0);
            }
        }
        // National first, regional second: the later write wins.
        let layers = std::iter::once((national, false)).chain(regional.map(|r| (r, true)));
        for (layer, is_regional) in layers {
            for data in layer.years.values() {
                let lists = [(&data.holidays, false), (&data.workdays, true)];
                for (list, working) in lists {
                    for nd in list {
                        let Some(slot) = index_of(nd.date).and_then(|i| special.get_mut(i)) else {
                            continue;
                        };
                        specials.push(Special {
                            working,
                            name: nd.name.clone(),
                            regional: is_regional,
                        });
                        *slot = u32::try_from(specials.len()).unwrap_or(0);
                    }
                }
            }
        }

        let mut cum = Vec::with_capacity(n_days);
        let mut workdays = Vec::with_capacity(n_days * 5 / 7 + 64);
        let mut count = 0u32;
        for (d, s) in FIRST_DATE.iter_days().zip(&special) {
            let working = match special_at(&specials, *s) {
                Some(sp) => sp.working,
                None => !is_weekend(d),
            };
            if working {
                count += 1;
                workdays.push(d);
            }
            cum.push(count);
        }

        let unknown = (FIRST_YEAR..=LAST_YEAR)
            .map(|y| {
                let mut reasons = Vec::new();
                if !national.years.contains_key(&y) {
                    reasons.push(if y >= FIRST_RULE_YEAR {
                        format!(
                            "{y}年全国节假日安排尚未载入，按《全国年节及纪念日放假办法》规定的节日和周一至周五推算（未计调休），载入后将重新计算"
                        )
                    } else {
                        format!("{y}年全国节假日安排尚未载入，按周一至周五推算，载入后将重新计算")
                    });
                }
                if let Some(r) = regional
                    && r.since.is_some_and(|since| since <= y)
                    && !r.years.contains_key(&y)
                {
                    let name = &r.name;
                    reasons.push(if r.unverified.contains_key(&y) {
                        format!(
                            "{y}年{name}地方节假日安排尚未核实（未经核实的日期不予采用），按全国节假日安排推算，核实载入后将重新计算"
                        )
                    } else {
                        format!(
                            "{y}年{name}地方节假日安排尚未载入，按全国节假日安排推算，载入后将重新计算"
                        )
                    });
                }
                reasons
            })
            .collect();

        let national_known = (FIRST_YEAR..=LAST_YEAR)
            .map(|y| national.years.contains_key(&y))
            .collect();
        let (region, name) = match regional {
            Some(r) => (r.region.clone(), r.name.clone()),
            None => (None, national.name.clone()),
        };
        Self {
            region,
            name,
            cum,
            workdays,
            special,
            specials,
            unknown,
            national_known,
        }
    }

    /// The regional layer's province code; `None` for the national calendar.
    pub fn region(&self) -> Option<&RegionCode> {
        self.region.as_ref()
    }

    /// The layer's name ("全国", "广西壮族自治区").
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the calendar is made of, for clerks.
    pub fn label(&self) -> String {
        match self.region {
            Some(_) => format!("全国节假日安排＋{}地方节假日安排", self.name),
            None => "全国节假日安排".to_owned(),
        }
    }

    /// Whether every layer of this calendar has data for `year`.
    pub fn is_year_known(&self, year: i32) -> bool {
        self.year_reasons(year).is_some_and(Vec::is_empty)
    }

    /// The reasons for every unknown year in `from_year..=to_year` (either order).
    pub fn provisional_reasons(&self, from_year: i32, to_year: i32) -> Vec<String> {
        let (lo, hi) = (from_year.min(to_year), from_year.max(to_year));
        (lo.max(FIRST_YEAR)..=hi.min(LAST_YEAR))
            .filter_map(|y| self.year_reasons(y))
            .flatten()
            .cloned()
            .collect()
    }

    /// Status of one date.
    pub fn day(&self, d: NaiveDate) -> Result<DayInfo, CalendarError> {
        let i = index_of(d).ok_or(CalendarError::OutOfRange { date: d })?;
        let special = self
            .special
            .get(i)
            .and_then(|s| special_at(&self.specials, *s));
        let year_known_nationally = d
            .year()
            .checked_sub(FIRST_YEAR)
            .and_then(|y| usize::try_from(y).ok())
            .and_then(|y| self.national_known.get(y).copied())
            .unwrap_or(false);
        let (working, reason, decided_by) = match special {
            Some(sp) => {
                let reason = if sp.working {
                    DayReason::MakeUpWorkday {
                        name: sp.name.clone(),
                    }
                } else {
                    DayReason::Holiday {
                        name: sp.name.clone(),
                    }
                };
                let by = match (&self.region, sp.regional) {
                    (Some(region), true) => DecidedBy::Regional {
                        region: region.clone(),
                    },
                    _ => DecidedBy::National,
                };
                (sp.working, reason, by)
            }
            None => {
                let by = if year_known_nationally {
                    DecidedBy::National
                } else {
                    DecidedBy::WeekdayRule
                };
                if is_weekend(d) {
                    (false, DayReason::Weekend, by)
                } else {
                    (true, DayReason::Weekday, by)
                }
            }
        };
        let status = if working { "工作日" } else { "休息日" };
        let layer = match &decided_by {
            DecidedBy::Regional { .. } => format!("{}地方节假日安排", self.name),
            _ => "全国节假日安排".to_owned(),
        };
        let description = match &reason {
            DayReason::Weekday | DayReason::Weekend => {
                format!("{status}（{}）", weekday_zh(d.weekday()))
            }
            DayReason::Holiday { name } | DayReason::MakeUpWorkday { name } => {
                format!("{status}：{name}（{layer}）")
            }
        };
        let reasons = self.provisional_reasons(d.year(), d.year());
        Ok(DayInfo {
            date: d,
            working,
            reason,
            decided_by,
            description,
            provisional: !reasons.is_empty(),
            provisional_reasons: reasons,
        })
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let i = index_of(d).ok_or(CalendarError::OutOfRange { date: d })?;
        let here = self.cum.get(i).copied().unwrap_or(0);
        let before = match i.checked_sub(1) {
            Some(p) => self.cum.get(p).copied().unwrap_or(0),
            None => 0,
        };
        Ok(here > before)
    }

    /// The `n`-th working day **after** `from` (`from` itself never counts; `n = 0` gives
    /// `from`). Provisional when any year from `from` to the result is unknown.
    pub fn add_working_days(
        &self,
        from: NaiveDate,
        n: u32,
    ) -> Result<Dated<NaiveDate>, CalendarError> {
        let value = if n == 0 {
            index_of(from).ok_or(CalendarError::OutOfRange { date: from })?;
            from
        } else {
            self.nth_working_day(self.ordinal(from)?.saturating_add(n))?
        };
        Ok(Dated::new(
            value,
            self.provisional_reasons(from.year(), value.year()),
        ))
    }

    /// Number of working days d with `from < d ≤ to`; negative when `to < from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Dated<i64>, CalendarError> {
        let value = i64::from(self.ordinal(to)?) - i64::from(self.ordinal(from)?);
        Ok(Dated::new(
            value,
            self.provisional_reasons(from.year(), to.year()),
        ))
    }

    /// `d` if it is a working day, else the next one: the end of a calendar-day period that
    /// falls on a rest day moves to the next working day (民法典 Art. 203).
    pub fn next_working_day_on_or_after(
        &self,
        d: NaiveDate,
    ) -> Result<Dated<NaiveDate>, CalendarError> {
        let value = if self.is_working_day(d)? {
            d
        } else {
            self.nth_working_day(self.ordinal(d)?.saturating_add(1))?
        };
        Ok(Dated::new(
            value,
            self.provisional_reasons(d.year(), value.year()),
        ))
    }

    /// Working-day ordinal: the number of working days in `[FIRST_DATE, d]`.
    pub(crate) fn ordinal(&self, d: NaiveDate) -> Result<u32, CalendarError> {
        index_of(d)
            .and_then(|i| self.cum.get(i).copied())
            .ok_or(CalendarError::OutOfRange { date: d })
    }

    /// The working day with ordinal `k` (k ≥ 1).
    pub(crate) fn nth_working_day(&self, k: u32) -> Result<NaiveDate, CalendarError> {
        k.checked_sub(1)
            .and_then(|k| usize::try_from(k).ok())
            .and_then(|k| self.workdays.get(k).copied())
            .ok_or(CalendarError::ResultOutOfRange)
    }

    fn year_reasons(&self, year: i32) -> Option<&Vec<String>> {
        year.checked_sub(FIRST_YEAR)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.unknown.get(i))
    }
}

fn index_of(d: NaiveDate) -> Option<usize> {
    if d < FIRST_DATE || d > LAST_DATE {
        return None;
    }
    usize::try_from((d - FIRST_DATE).num_days()).ok()
}

fn special_at(specials: &[Special], s: u32) -> Option<&Special> {
    let i = usize::try_from(s.checked_sub(1)?).ok()?;
    specials.get(i)
}

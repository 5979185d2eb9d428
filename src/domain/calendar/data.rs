//! The shared JSON shape of the holiday files (`data/calendars/*.json`, see the data README)
//! and the checks an admin import must pass.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::{CalendarError, FIRST_YEAR, LAST_YEAR};

/// One holiday file: the national arrangement (no `region`) or a regional layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub source: String,
    /// Keyed by the calendar year of the dates, as a string (`"2024"`).
    pub years: BTreeMap<String, YearData>,
    /// Years whose notice could not be checked. Kept for display, never used as facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<BTreeMap<String, UnverifiedYear>>,
}

impl LayerFile {
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        serde_json::from_str(json).map_err(|e| CalendarError::Parse(e.to_string()))
    }
}

/// The announced days of one calendar year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearData {
    /// Dates inside an announced 放假 span (weekdays and weekend days alike).
    pub holidays: Vec<NamedDate>,
    /// Saturdays/Sundays made working days (调休上班).
    pub workdays: Vec<NamedDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedDate {
    pub date: NaiveDate,
    pub name: String,
}

/// A year whose dates are a best guess only (e.g. Xinjiang 2024).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnverifiedYear {
    #[serde(default)]
    pub best_guess_holidays: Vec<NamedDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub best_guess_workdays: Vec<NamedDate>,
    #[serde(default)]
    pub why_unverified: String,
}

/// Stable code of a [`YearDataProblem`] (API and import reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    YearOutOfRange,
    DateOutsideYear,
    OffAndWorking,
    WorkdayNotWeekend,
    DuplicateDate,
    EmptyName,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::YearOutOfRange => "year_out_of_range",
            Self::DateOutsideYear => "date_outside_year",
            Self::OffAndWorking => "off_and_working",
            Self::WorkdayNotWeekend => "workday_not_weekend",
            Self::DuplicateDate => "duplicate_date",
            Self::EmptyName => "empty_name",
        }
    }
}

/// One reason an imported year is rejected; `message` is shown to the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearDataProblem {
    pub code: ProblemCode,
    pub date: Option<NaiveDate>,
    pub message: String,
}

impl YearData {
    /// Checks an import for `year`: dates inside the year, no date both off and working,
    /// make-up working days only on Saturday/Sunday, no duplicates, names present.
    pub fn validate(&self, year: i32) -> Result<(), Vec<YearDataProblem>> {
        let mut problems = Vec::new();
        let mut push = |code, date: Option<NaiveDate>, message: String| {
            problems.push(YearDataProblem {
                code,
                date,
                message,
            });
        };
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            push(
                ProblemCode::YearOutOfRange,
                None,
                format!("年份{year}超出系统支持的范围（{FIRST_YEAR}年至{LAST_YEAR}年）"),
            );
        }
        // date → is it in `holidays` (true) or `workdays` (false)
        let mut seen: BTreeMap<NaiveDate, bool> = BTreeMap::new();
        for (list, off) in [(&self.holidays, true), (&self.workdays, false)] {
            for nd in list {
                let d = nd.date;
                if d.year() != year {
                    push(
                        ProblemCode::DateOutsideYear,
                        Some(d),
                        format!("{d}不在{year}年内（数据按日期所在年份归档）"),
                    );
                }
                if nd.name.trim().is_empty() {
                    push(ProblemCode::EmptyName, Some(d), format!("{d}缺少名称"));
                }
                if !off && !is_weekend(d) {
                    push(
                        ProblemCode::WorkdayNotWeekend,
                        Some(d),
                        format!(
                            "{d}是{}，调休上班日只能是周六或周日",
                            weekday_zh(d.weekday())
                        ),
                    );
                }
                match seen.entry(d) {
                    Entry::Vacant(v) => {
                        v.insert(off);
                    }
                    Entry::Occupied(o) if *o.get() == off => {
                        push(ProblemCode::DuplicateDate, Some(d), format!("{d}重复列出"))
                    }
                    Entry::Occupied(_) => push(
                        ProblemCode::OffAndWorking,
                        Some(d),
                        format!("{d}同时列为放假日和调休上班日"),
                    ),
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

pub(super) fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The weekday as written in Chinese dates: `周五`.
pub fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// Parses a `years` key (`"2024"`).
pub(super) fn parse_year_key(key: &str) -> Result<i32, CalendarError> {
    match key.parse::<i32>() {
        Ok(y) if key.len() == 4 && key.bytes().all(|b| b.is_ascii_digit()) => {
            if (FIRST_YEAR..=LAST_YEAR).contains(&y) {
                Ok(y)
            } else {
                Err(CalendarError::YearOutOfRange(y))
            }
        }
        _ => Err(CalendarError::BadYearKey(key.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nd(s: &str, name: &str) -> NamedDate {
        NamedDate {
            date: s.parse().unwrap(),
            name: name.to_owned(),
        }
    }

    fn codes(r: Result<(), Vec<YearDataProblem>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.code.as_str())
            .collect()
    }

    #[test]
    fn valid_year_passes() {
        let y = YearData {
            holidays: vec![nd("2027-01-01", "元旦"), nd("2027-01-02", "元旦")],
            workdays: vec![nd("2027-01-09", "元旦调休")],
            evidence: None,
        };
        assert_eq!(y.validate(2027), Ok(()));
    }

    #[test]
    fn each_problem_has_a_stable_code_and_chinese_message() {
        let y = YearData {
            holidays: vec![
                nd("2026-12-31", "元旦"),
                nd("2027-02-01", ""),
                nd("2027-02-06", "春节"),
                nd("2027-02-06", "春节"),
            ],
            // 2027-02-06 is a Saturday (off and working); 2027-02-08 is a Monday.
            workdays: vec![nd("2027-02-06", "春节调休"), nd("2027-02-08", "春节调休")],
            evidence: None,
        };
        let problems = y.validate(2027).unwrap_err();
        let got: Vec<_> = problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            got,
            [
                "date_outside_year",
                "empty_name",
                "duplicate_date",
                "off_and_working",
                "workday_not_weekend",
            ]
        );
        assert_eq!(problems[4].date, Some("2027-02-08".parse().unwrap()));
        assert!(problems[4].message.contains("周一"));
        let json = serde_json::to_value(&problems[0]).unwrap();
        assert_eq!(json["code"], "date_outside_year");
    }

    #[test]
    fn year_out_of_range_is_reported() {
        assert_eq!(
            codes(YearData::default().validate(2100)),
            ["year_out_of_range"]
        );
    }

    #[test]
    fn year_keys() {
        assert_eq!(parse_year_key("2024"), Ok(2024));
        assert_eq!(
            parse_year_key("1999"),
            Err(CalendarError::YearOutOfRange(1999))
        );
        assert!(matches!(
            parse_year_key("+202"),
            Err(CalendarError::BadYearKey(_))
        ));
        assert!(matches!(
            parse_year_key("20x4"),
            Err(CalendarError::BadYearKey(_))
        ));
    }

    #[test]
    fn file_shape_round_trips() {
        let raw = r#"{"region":"650000","name":"新疆维吾尔自治区","source":"s","years":{"2023":{"holidays":[{"date":"2023-04-21","name":"肉孜节"}],"workdays":[],"evidence":"e"}},"unverified":{"2024":{"best_guess_holidays":[{"date":"2024-04-10","name":"肉孜节"}],"why_unverified":"w"}}}"#;
        let f = LayerFile::from_json(raw).unwrap();
        let back = serde_json::to_string(&f).unwrap();
        assert_eq!(back, raw);
        let national = r#"{"source":"s","years":{"2024":{"holidays":[],"workdays":[]}}}"#;
        let f = LayerFile::from_json(national).unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), national);
        assert!(matches!(
            LayerFile::from_json("{}"),
            Err(CalendarError::Parse(_))
        ));
    }
}

//! Working-day calendar (工作日) for counting statutory periods (RULES.md §2).
//!
//! Owns: the holiday data (national State Council arrangement + regional layers such as
//! Guangxi 壮族三月三), its validation for admin imports, and O(1) working-day arithmetic over
//! 2000-01-01..=2099-12-31. A year without loaded data is never guessed silently: results that
//! depend on it carry `provisional: true` and a Chinese reason.
//!
//! Must not touch: IO, the clock, the database. Data comes in as values (the bundled JSON is
//! compiled in); "today" is always a parameter of the caller.

mod data;
mod diff;
mod festivals;
mod region;
mod set;
mod work;

use chrono::NaiveDate;

pub use data::{
    LayerFile, NamedDate, ProblemCode, UnverifiedYear, YearData, YearDataProblem, weekday_zh,
};
pub use diff::{DayKind, DiffDay, RenamedDay, YearDiff, year_diff};
pub use festivals::{FIRST_RULE_YEAR, festival_dates, statutory_days_off};
pub use region::RegionCode;
pub use set::{CalendarSet, Layer, LayerInfo};
pub use work::{Dated, DayInfo, DayReason, DecidedBy, WorkCalendar};

/// First year the calendar can count in.
pub const FIRST_YEAR: i32 = 2000;
/// Last year the calendar can count in.
pub const LAST_YEAR: i32 = 2099;

/// First supported date. Evaluated at compile time, so the `panic!` can never run.
pub const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1) {
    Some(d) => d,
    None => panic!("FIRST_DATE"),
};
/// Last supported date (compile-time constant, see [`FIRST_DATE`]).
pub const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31) {
    Some(d) => d,
    None => panic!("LAST_DATE"),
};

/// Errors of the calendar. Messages are Chinese: the service shows them to clerks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("“{0}”不是6位行政区划代码（如 450100）")]
    InvalidRegionCode(String),
    #[error("日期{date}超出系统支持的范围（{FIRST_DATE}至{LAST_DATE}）")]
    OutOfRange { date: NaiveDate },
    #[error("推算出的日期超出系统支持的范围（{FIRST_DATE}至{LAST_DATE}）")]
    ResultOutOfRange,
    #[error("年份{0}超出系统支持的范围（{FIRST_YEAR}年至{LAST_YEAR}年）")]
    YearOutOfRange(i32),
    #[error("年份“{0}”无效，应为四位数字")]
    BadYearKey(String),
    #[error("{year}年节假日数据有{n}处问题", n = .problems.len())]
    InvalidYearData {
        year: i32,
        problems: Vec<YearDataProblem>,
    },
    #[error("未找到地区{0}的地方节假日图层")]
    UnknownLayer(RegionCode),
    #[error("地区{0}的地方节假日图层已存在")]
    DuplicateLayer(RegionCode),
    #[error("地方节假日图层应使用省级行政区划代码（如 450000），收到“{0}”")]
    NotProvinceLevel(RegionCode),
    #[error("节假日数据文件无法解析：{0}")]
    Parse(String),
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, OnceLock};

    use chrono::{Datelike, Weekday};
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    fn set() -> &'static CalendarSet {
        static SET: OnceLock<CalendarSet> = OnceLock::new();
        SET.get_or_init(CalendarSet::bundled)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn national() -> Arc<WorkCalendar> {
        set().calendar(None)
    }

    fn guangxi() -> Arc<WorkCalendar> {
        // A city code: its province's layer applies.
        set().calendar(Some(&code("450100")))
    }

    fn xinjiang() -> Arc<WorkCalendar> {
        set().calendar(Some(&code("650000")))
    }

    #[test]
    fn everything_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<CalendarSet>();
        check::<WorkCalendar>();
        check::<Arc<WorkCalendar>>();
    }

    #[test]
    fn bundled_layers_and_metadata() {
        let layers = set().layers();
        let summary: Vec<_> = layers
            .iter()
            .map(|l| {
                (
                    l.region.as_ref().map(|r| r.to_string()),
                    l.name.as_str(),
                    l.since,
                    l.years.first().copied(),
                    l.years.last().copied(),
                    l.years.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (None, "全国", None, Some(2007), Some(2026), 20),
                (
                    Some("450000".to_owned()),
                    "广西壮族自治区",
                    Some(2014),
                    Some(2014),
                    Some(2026),
                    13
                ),
                (
                    Some("650000".to_owned()),
                    "新疆维吾尔自治区",
                    Some(2011),
                    Some(2023),
                    Some(2025),
                    2
                ),
            ]
        );
        assert_eq!(layers[2].unverified_years, [2024, 2026]);
        assert_eq!(guangxi().region(), Some(&code("450000")));
        assert_eq!(
            guangxi().label(),
            "全国节假日安排＋广西壮族自治区地方节假日安排"
        );
        // A province without a layer gets the national calendar.
        assert_eq!(set().calendar(Some(&code("110105"))).region(), None);
        assert_eq!(national().label(), "全国节假日安排");
    }

    #[test]
    fn layer_files_serialize_back_to_the_bundled_shape() {
        for (layer, raw) in [
            (
                set().layer(None),
                include_str!("../../data/calendars/cn-national-holidays.json"),
            ),
            (
                set().layer(Some(&code("450000"))),
                include_str!("../../data/calendars/cn-guangxi-sanyuesan.json"),
            ),
            (
                set().layer(Some(&code("650000"))),
                include_str!("../../data/calendars/cn-xinjiang.json"),
            ),
        ] {
            let ours = serde_json::to_value(layer.unwrap().to_file()).unwrap();
            let theirs: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(ours, theirs);
        }
        let y = set().year_data(Some(&code("450100")), 2017).unwrap();
        assert_eq!(y.workdays[0].date, d("2017-04-08"));
        assert!(set().year_data(None, 2027).is_none());
    }

    #[test]
    fn hand_checked_dates() {
        let (n, g) = (national(), guangxi());
        // RULES.md §2: received Fri 2024-09-27 → due Wed 2024-10-30.
        let due = n.add_working_days(d("2024-09-27"), 20).unwrap();
        assert_eq!(due, Dated::new(d("2024-10-30"), vec![]));
        // 除夕 2024 is a working day (the notice only encourages a day off).
        assert!(n.is_working_day(d("2024-02-09")).unwrap());
        assert!(g.is_working_day(d("2024-02-09")).unwrap());
        // Guangxi holidays override national make-up working days.
        for s in ["2017-04-01", "2022-04-02", "2023-04-23"] {
            let nat = n.day(d(s)).unwrap();
            assert!(nat.working, "{s} nationally");
            assert!(matches!(nat.reason, DayReason::MakeUpWorkday { .. }));
            let gx = g.day(d(s)).unwrap();
            assert!(!gx.working, "{s} in Guangxi");
            assert_eq!(
                gx.reason,
                DayReason::Holiday {
                    name: "壮族三月三".to_owned()
                }
            );
            assert_eq!(
                gx.decided_by,
                DecidedBy::Regional {
                    region: code("450000")
                }
            );
        }
        // Guangxi-only make-up working days.
        for s in ["2017-04-08", "2018-04-15", "2021-04-18"] {
            assert!(!n.is_working_day(d(s)).unwrap(), "{s} nationally");
            assert!(g.is_working_day(d(s)).unwrap(), "{s} in Guangxi");
        }
        // RULES.md §3: correction received 2025-03-20 → 2025-04-22 Guangxi, 2025-04-18 national.
        assert_eq!(
            g.add_working_days(d("2025-03-20"), 20).unwrap().value,
            d("2025-04-22")
        );
        assert_eq!(
            n.add_working_days(d("2025-03-20"), 20).unwrap().value,
            d("2025-04-18")
        );
        // Xinjiang 2023: 肉孜节 04-21 and 古尔邦节 06-28..30 off there only.
        let x = xinjiang();
        for s in ["2023-04-21", "2023-06-28", "2023-06-30"] {
            assert!(n.is_working_day(d(s)).unwrap());
            assert!(!x.is_working_day(d(s)).unwrap());
        }
    }

    #[test]
    fn day_info_explains_itself() {
        let g = guangxi();
        let info = g.day(d("2017-04-01")).unwrap();
        assert_eq!(
            info.description,
            "休息日：壮族三月三（广西壮族自治区地方节假日安排）"
        );
        assert!(!info.provisional);
        let info = national().day(d("2024-10-01")).unwrap();
        assert_eq!(info.description, "休息日：国庆节（全国节假日安排）");
        assert_eq!(info.decided_by, DecidedBy::National);
        let info = national().day(d("2024-10-12")).unwrap();
        assert_eq!(info.description, "工作日：国庆节调休（全国节假日安排）");
        let info = national().day(d("2024-10-15")).unwrap();
        assert_eq!(info.description, "工作日（周二）");
        assert_eq!(info.reason, DayReason::Weekday);
        let json = serde_json::to_value(g.day(d("2017-04-01")).unwrap()).unwrap();
        assert_eq!(json["reason"]["kind"], "holiday");
        assert_eq!(json["decided_by"]["layer"], "regional");
        assert_eq!(json["decided_by"]["region"], "450000");
    }

    #[test]
    fn festival_dates_match_every_loaded_year() {
        // Every year of the shipped data (2007–2026): the table's 春节 (正月初一), 清明, 端午
        // and 中秋 fall on a day the State Council notice put off under that name.
        let raw: Value = serde_json::from_str(include_str!(
            "../../data/calendars/cn-national-holidays.json"
        ))
        .unwrap();
        let years = raw["years"].as_object().unwrap();
        assert_eq!(years.len(), 20);
        for (y, data) in years {
            let year: i32 = y.parse().unwrap();
            let off: Vec<(NaiveDate, String)> = data["holidays"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        d(h["date"].as_str().unwrap()),
                        h["name"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let [spring, qingming, duanwu, midautumn] = festival_dates(year).unwrap();
            for (date, name) in [
                (spring, "春节"),
                (qingming, "清明"),
                (duanwu, "端午"),
                (midautumn, "中秋"),
            ] {
                // 清明, 端午 and 中秋 are statutory days off from 2008 (the 2007 revision).
                if year < 2008 && name != "春节" {
                    continue;
                }
                assert!(
                    off.iter().any(|(d, n)| *d == date && n.contains(name)),
                    "{year} {name} {date}"
                );
            }
        }
        // The 2025 rules: 除夕 to 初三, 劳动节 two days, 国庆 three; 2026's notice agrees.
        let days: Vec<NaiveDate> = statutory_days_off(2026)
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        let n = national();
        for day in &days {
            assert!(!n.is_working_day(*day).unwrap(), "{day}");
        }
        assert!(days.contains(&d("2026-02-16")) && days.contains(&d("2026-02-19")));
        assert_eq!(statutory_days_off(2027).len(), 13);
        assert!(statutory_days_off(2024).is_empty());
    }

    #[test]
    fn unknown_years_are_provisional_and_say_why() {
        let n = national();
        let info = n.day(d("2027-01-04")).unwrap();
        assert!(info.working && info.provisional);
        assert_eq!(info.decided_by, DecidedBy::WeekdayRule);
        assert_eq!(
            info.provisional_reasons,
            [
                "2027年全国节假日安排尚未载入，按《全国年节及纪念日放假办法》规定的节日和周一至周五推算（未计调休），载入后将重新计算"
            ]
        );
        // The fixed statutory days are rest days, still provisional, with their reason.
        let info = n.day(d("2027-01-01")).unwrap();
        assert!(!info.working && info.provisional);
        assert_eq!(
            info.description,
            "休息日：元旦（按《全国年节及纪念日放假办法》推定）（全国节假日安排）"
        );
        // A result that reaches into 2027 is provisional; one that stays in 2026 is not.
        assert!(n.add_working_days(d("2026-12-15"), 20).unwrap().provisional);
        assert!(!n.add_working_days(d("2026-11-02"), 20).unwrap().provisional);
        assert!(
            n.working_days_between(d("2006-12-01"), d("2007-01-10"))
                .unwrap()
                .provisional
        );
        // Guangxi 2027: both layers unknown.
        assert_eq!(
            guangxi()
                .day(d("2027-04-01"))
                .unwrap()
                .provisional_reasons
                .len(),
            2
        );
        // Guangxi before its law (2013) follows the national calendar as a fact.
        let g13 = guangxi().add_working_days(d("2013-03-25"), 20).unwrap();
        assert!(!g13.provisional);
        assert_eq!(
            g13.value,
            national()
                .add_working_days(d("2013-03-25"), 20)
                .unwrap()
                .value
        );
        // Xinjiang 2024: only a best guess exists, which is never used as a fact.
        let x = xinjiang();
        let info = x.day(d("2024-04-10")).unwrap();
        assert!(info.working, "the unverified 肉孜节 guess is not applied");
        assert!(info.provisional);
        assert!(info.provisional_reasons[0].contains("新疆维吾尔自治区"));
        assert!(info.provisional_reasons[0].contains("尚未核实"));
        assert!(x.day(d("2022-05-05")).unwrap().provisional);
        assert!(!x.day(d("2023-05-05")).unwrap().provisional);
        assert!(!x.day(d("2010-05-05")).unwrap().provisional);
        assert!(x.is_year_known(2025) && !x.is_year_known(2024));
        assert!(!x.is_year_known(i32::MIN) && !x.is_year_known(i32::MAX));
        assert!(x.provisional_reasons(i32::MIN, i32::MAX).len() > 100);
    }

    #[test]
    fn edges_of_the_supported_range() {
        let n = national();
        assert_eq!(
            n.day(d("1999-12-31")),
            Err(CalendarError::OutOfRange {
                date: d("1999-12-31")
            })
        );
        assert!(n.day(d("2100-01-01")).is_err());
        assert_eq!(
            n.add_working_days(d("2099-12-20"), 20),
            Err(CalendarError::ResultOutOfRange)
        );
        assert!(n.add_working_days(d("2024-01-01"), u32::MAX).is_err());
        assert!(
            n.working_days_between(d("1999-01-01"), d("2024-01-01"))
                .is_err()
        );
        assert_eq!(
            n.add_working_days(d("2099-12-31"), 0).unwrap().value,
            d("2099-12-31")
        );
        assert!(n.add_working_days(d("2100-01-01"), 0).is_err());
        let msg = CalendarError::OutOfRange {
            date: d("2100-01-01"),
        }
        .to_string();
        assert_eq!(
            msg,
            "日期2100-01-01超出系统支持的范围（2000-01-01至2099-12-31）"
        );
    }

    #[test]
    fn counting_conventions() {
        let n = national();
        // n = 0 gives `from`, even on a rest day.
        assert_eq!(
            n.add_working_days(d("2024-10-01"), 0).unwrap().value,
            d("2024-10-01")
        );
        assert_eq!(
            n.add_working_days(d("2024-09-30"), 1).unwrap().value,
            d("2024-10-08")
        );
        assert_eq!(
            n.working_days_between(d("2024-09-27"), d("2024-10-30"))
                .unwrap()
                .value,
            20
        );
        assert_eq!(
            n.working_days_between(d("2024-10-30"), d("2024-09-27"))
                .unwrap()
                .value,
            -20
        );
        assert_eq!(
            n.next_working_day_on_or_after(d("2024-10-01"))
                .unwrap()
                .value,
            d("2024-10-08")
        );
        assert_eq!(
            n.next_working_day_on_or_after(d("2024-10-08"))
                .unwrap()
                .value,
            d("2024-10-08")
        );
    }

    #[test]
    fn admin_imports() {
        let national_2027 = YearData {
            holidays: vec![NamedDate {
                date: d("2027-01-01"),
                name: "元旦".to_owned(),
            }],
            workdays: vec![],
            evidence: None,
        };
        let set2 = set().with_year(None, 2027, national_2027.clone()).unwrap();
        let n = set2.calendar(None);
        assert!(!n.day(d("2027-01-01")).unwrap().working);
        assert!(!n.day(d("2027-01-01")).unwrap().provisional);
        // The regional calendars are rebuilt on top of the new national year.
        let g = set2.calendar(Some(&code("450000")));
        assert!(!g.day(d("2027-01-01")).unwrap().working);
        assert_eq!(g.day(d("2027-01-04")).unwrap().provisional_reasons.len(), 1);
        // The original set is untouched.
        assert!(
            set()
                .calendar(None)
                .day(d("2027-01-01"))
                .unwrap()
                .provisional
        );

        // Verifying Xinjiang 2024 replaces the best guess.
        let xj_2024 = YearData {
            holidays: vec![NamedDate {
                date: d("2024-04-10"),
                name: "肉孜节".to_owned(),
            }],
            workdays: vec![],
            evidence: Some("notice".to_owned()),
        };
        let set3 = set()
            .with_year(Some(&code("650100")), 2024, xj_2024)
            .unwrap();
        let x = set3.calendar(Some(&code("650000")));
        assert!(!x.day(d("2024-04-10")).unwrap().working);
        assert!(!x.day(d("2024-04-10")).unwrap().provisional);
        assert_eq!(set3.layers()[2].unverified_years, [2026]);

        // Rejections.
        let bad = YearData {
            holidays: vec![],
            workdays: vec![NamedDate {
                date: d("2027-01-04"),
                name: "调休".to_owned(),
            }],
            evidence: None,
        };
        match set().with_year(None, 2027, bad) {
            Err(CalendarError::InvalidYearData {
                year: 2027,
                problems,
            }) => {
                assert_eq!(problems[0].code, ProblemCode::WorkdayNotWeekend);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            set()
                .with_year(Some(&code("640000")), 2024, YearData::default())
                .err(),
            Some(CalendarError::UnknownLayer(code("640000")))
        );
        assert_eq!(
            set().with_year(None, 2100, YearData::default()).err(),
            Some(CalendarError::YearOutOfRange(2100))
        );
        let err = set().with_year(
            None,
            2027,
            YearData {
                holidays: [national_2027.holidays.clone(), national_2027.holidays].concat(),
                ..YearData::default()
            },
        );
        assert_eq!(err.unwrap_err().to_string(), "2027年节假日数据有1处问题");
    }

    #[test]
    fn new_regional_layer_is_unknown_from_its_first_year() {
        let set2 = set()
            .with_regional_layer(&code("640000"), "宁夏回族自治区", 2023, "admin")
            .unwrap();
        let nx = set2.calendar(Some(&code("640100")));
        assert_eq!(nx.region(), Some(&code("640000")));
        assert!(!nx.day(d("2022-06-01")).unwrap().provisional);
        assert!(nx.day(d("2024-06-01")).unwrap().provisional);
        assert_eq!(
            set2.with_regional_layer(&code("640000"), "x", 2023, "")
                .err(),
            Some(CalendarError::DuplicateLayer(code("640000")))
        );
        assert_eq!(
            set()
                .with_regional_layer(&code("640100"), "x", 2023, "")
                .err(),
            Some(CalendarError::NotProvinceLevel(code("640100")))
        );
    }

    /// The data README's rule, computed straight from the JSON (not through our types).
    fn readme_rule(raw: &str) -> BTreeMap<NaiveDate, bool> {
        let v: Value = serde_json::from_str(raw).unwrap();
        let mut out = BTreeMap::new();
        for year in v["years"].as_object().unwrap().values() {
            for (list, working) in [("holidays", false), ("workdays", true)] {
                for e in year[list].as_array().unwrap() {
                    out.insert(d(e["date"].as_str().unwrap()), working);
                }
            }
        }
        out
    }

    #[test]
    fn every_date_2007_to_2026_matches_the_readme_rule() {
        let nat = readme_rule(include_str!(
            "../../data/calendars/cn-national-holidays.json"
        ));
        let gx = readme_rule(include_str!(
            "../../data/calendars/cn-guangxi-sanyuesan.json"
        ));
        let xj = readme_rule(include_str!("../../data/calendars/cn-xinjiang.json"));
        let (n, g, x) = (national(), guangxi(), xinjiang());
        let mut checked = 0;
        for day in d("2007-01-01")
            .iter_days()
            .take_while(|&t| t <= d("2026-12-31"))
        {
            let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            // (D is Mon–Fri AND D ∉ holidays) OR D ∈ workdays
            let nat_working = nat.get(&day).copied().unwrap_or(weekday);
            let region_working = |layer: &BTreeMap<NaiveDate, bool>, since: i32| {
                // D ∈ R.workdays OR (D ∉ R.holidays AND national working), in known years
                if day.year() >= since {
                    layer.get(&day).copied().unwrap_or(nat_working)
                } else {
                    nat_working
                }
            };
            let ni = n.day(day).unwrap();
            assert_eq!(ni.working, nat_working, "national {day}");
            assert!(!ni.provisional, "national {day}");
            let gi = g.day(day).unwrap();
            assert_eq!(gi.working, region_working(&gx, 2014), "Guangxi {day}");
            assert!(!gi.provisional, "Guangxi {day}");
            if matches!(day.year(), 2023 | 2025) || day.year() < 2011 {
                assert_eq!(
                    x.day(day).unwrap().working,
                    region_working(&xj, 2011),
                    "Xinjiang {day}"
                );
            }
            checked += 1;
        }
        assert_eq!(checked, 7305);
        // The ordinal index agrees with the per-day walk over the whole range.
        assert_eq!(
            n.working_days_between(d("2006-12-31"), d("2026-12-31"))
                .unwrap()
                .value,
            i64::try_from(
                d("2007-01-01")
                    .iter_days()
                    .take(7305)
                    .filter(|&t| n.is_working_day(t).unwrap())
                    .count()
            )
            .unwrap()
        );
    }

    fn any_calendar() -> impl Strategy<Value = Arc<WorkCalendar>> {
        prop_oneof![Just(national()), Just(guangxi()), Just(xinjiang())]
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        // 2005..2030: crosses unknown years on both sides of the data.
        (0i64..(25 * 366)).prop_map(|o| d("2005-01-01") + chrono::Days::new(o as u64))
    }

    proptest! {
        #[test]
        fn add_then_count_gives_n(cal in any_calendar(), from in any_date(), n in 0u32..400) {
            let to = cal.add_working_days(from, n).unwrap();
            let back = cal.working_days_between(from, to.value).unwrap();
            prop_assert_eq!(back.value, i64::from(n));
            prop_assert_eq!(back.provisional, to.provisional);
            if n > 0 {
                prop_assert!(to.value > from);
                prop_assert!(cal.is_working_day(to.value).unwrap());
            }
        }

        #[test]
        fn add_is_monotone(cal in any_calendar(), from in any_date(), n in 0u32..400) {
            let a = cal.add_working_days(from, n).unwrap().value;
            let b = cal.add_working_days(from, n + 1).unwrap().value;
            prop_assert!(b > a);
        }

        #[test]
        fn provisional_exactly_when_a_year_is_unknown(from in any_date(), n in 0u32..400) {
            let cal = national();
            let to = cal.add_working_days(from, n).unwrap();
            let unknown = (from.year()..=to.value.year()).any(|y| !(2007..=2026).contains(&y));
            prop_assert_eq!(to.provisional, unknown);
        }
    }
}

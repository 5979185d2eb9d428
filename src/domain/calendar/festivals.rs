//! The fixed statutory days off of 《全国年节及纪念日放假办法》 (as revised 2024-11-10, in force
//! 2025-01-01, Art. 2): 元旦 1 day (1-1); 春节 4 days (除夕 to 正月初三); 清明节 1 day (the
//! 清明 solar term); 劳动节 2 days (5-1, 5-2); 端午节 1 day (五月初五); 中秋节 1 day (八月十五);
//! 国庆节 3 days (10-1 to 10-3). A year whose State Council notice is not loaded counts these
//! as rest days (still provisional); the notice's 调休 swaps are never guessed.
//!
//! The lunar and solar-term dates come from [`FESTIVALS`], generated once (2026-12) with the
//! Python package borax 4.1.3 (`LunarDate(y, m, d).to_solar_date()`,
//! `TermUtils.day_start_from_term(y, "清明")`) and cross-checked against lunardate 0.2 and
//! sxtwl 2.0 (寿星天文历): they agree on every date but 2089 中秋节, where both of them give
//! 09-18 against borax's 09-19; 09-18 is kept. The test
//! `festival_dates_match_every_loaded_year` checks every row for 2007–2026 against the bundled
//! State Council data. A table, not a crate: 93 rows are easier to audit than a lunar engine.

use chrono::{Days, NaiveDate};

/// First year the 2025 revision of the 放假办法 governs.
pub const FIRST_RULE_YEAR: i32 = 2025;

/// (year, 春节 month, day, 清明 April day, 端午 month, day, 中秋 month, day).
type Row = (i32, u32, u32, u32, u32, u32, u32, u32);

/// 2007–2099.
pub(super) const FESTIVALS: &[Row] = &[
    (2007, 2, 18, 5, 6, 19, 9, 25),
    (2008, 2, 7, 4, 6, 8, 9, 14),
    (2009, 1, 26, 4, 5, 28, 10, 3),
    (2010, 2, 14, 5, 6, 16, 9, 22),
    (2011, 2, 3, 5, 6, 6, 9, 12),
    (2012, 1, 23, 4, 6, 23, 9, 30),
    (2013, 2, 10, 4, 6, 12, 9, 19),
    (2014, 1, 31, 5, 6, 2, 9, 8),
    (2015, 2, 19, 5, 6, 20, 9, 27),
    (2016, 2, 8, 4, 6, 9, 9, 15),
    (2017, 1, 28, 4, 5, 30, 10, 4),
    (2018, 2, 16, 5, 6, 18, 9, 24),
    (2019, 2, 5, 5, 6, 7, 9, 13),
    (2020, 1, 25, 4, 6, 25, 10, 1),
    (2021, 2, 12, 4, 6, 14, 9, 21),
    (2022, 2, 1, 5, 6, 3, 9, 10),
    (2023, 1, 22, 5, 6, 22, 9, 29),
    (2024, 2, 10, 4, 6, 10, 9, 17),
    (2025, 1, 29, 4, 5, 31, 10, 6),
    (2026, 2, 17, 5, 6, 19, 9, 25),
    (2027, 2, 6, 5, 6, 9, 9, 15),
    (2028, 1, 26, 4, 5, 28, 10, 3),
    (2029, 2, 13, 4, 6, 16, 9, 22),
    (2030, 2, 3, 5, 6, 5, 9, 12),
    (2031, 1, 23, 5, 6, 24, 10, 1),
    (2032, 2, 11, 4, 6, 12, 9, 19),
    (2033, 1, 31, 4, 6, 1, 9, 8),
    (2034, 2, 19, 5, 6, 20, 9, 27),
    (2035, 2, 8, 5, 6, 10, 9, 16),
    (2036, 1, 28, 4, 5, 30, 10, 4),
    (2037, 2, 15, 4, 6, 18, 9, 24),
    (2038, 2, 4, 5, 6, 7, 9, 13),
    (2039, 1, 24, 5, 5, 27, 10, 2),
    (2040, 2, 12, 4, 6, 14, 9, 20),
    (2041, 2, 1, 4, 6, 3, 9, 10),
    (2042, 1, 22, 4, 6, 22, 9, 28),
    (2043, 2, 10, 5, 6, 11, 9, 17),
    (2044, 1, 30, 4, 5, 31, 10, 5),
    (2045, 2, 17, 4, 6, 19, 9, 25),
    (2046, 2, 6, 4, 6, 8, 9, 15),
    (2047, 1, 26, 5, 5, 29, 10, 4),
    (2048, 2, 14, 4, 6, 15, 9, 22),
    (2049, 2, 2, 4, 6, 4, 9, 11),
    (2050, 1, 23, 4, 6, 23, 9, 30),
    (2051, 2, 11, 5, 6, 13, 9, 19),
    (2052, 2, 1, 4, 6, 1, 9, 7),
    (2053, 2, 19, 4, 6, 20, 9, 26),
    (2054, 2, 8, 4, 6, 10, 9, 16),
    (2055, 1, 28, 5, 5, 30, 10, 5),
    (2056, 2, 15, 4, 6, 17, 9, 24),
    (2057, 2, 4, 4, 6, 6, 9, 13),
    (2058, 1, 24, 4, 6, 25, 10, 2),
    (2059, 2, 12, 5, 6, 14, 9, 21),
    (2060, 2, 2, 4, 6, 3, 9, 9),
    (2061, 1, 21, 4, 6, 22, 9, 28),
    (2062, 2, 9, 4, 6, 11, 9, 17),
    (2063, 1, 29, 5, 6, 1, 10, 6),
    (2064, 2, 17, 4, 6, 19, 9, 25),
    (2065, 2, 5, 4, 6, 8, 9, 15),
    (2066, 1, 26, 4, 5, 28, 10, 3),
    (2067, 2, 14, 5, 6, 16, 9, 23),
    (2068, 2, 3, 4, 6, 4, 9, 11),
    (2069, 1, 23, 4, 6, 23, 9, 29),
    (2070, 2, 11, 4, 6, 13, 9, 19),
    (2071, 1, 31, 5, 6, 2, 9, 8),
    (2072, 2, 19, 4, 6, 20, 9, 26),
    (2073, 2, 7, 4, 6, 10, 9, 16),
    (2074, 1, 27, 4, 5, 30, 10, 5),
    (2075, 2, 15, 4, 6, 17, 9, 24),
    (2076, 2, 5, 4, 6, 6, 9, 12),
    (2077, 1, 24, 4, 6, 24, 10, 1),
    (2078, 2, 12, 4, 6, 14, 9, 20),
    (2079, 2, 2, 4, 6, 4, 9, 10),
    (2080, 1, 22, 4, 6, 22, 9, 28),
    (2081, 2, 9, 4, 6, 11, 9, 17),
    (2082, 1, 29, 4, 6, 1, 10, 6),
    (2083, 2, 17, 4, 6, 19, 9, 26),
    (2084, 2, 6, 4, 6, 7, 9, 14),
    (2085, 1, 26, 4, 5, 27, 10, 3),
    (2086, 2, 14, 4, 6, 15, 9, 22),
    (2087, 2, 3, 4, 6, 5, 9, 11),
    (2088, 1, 24, 4, 6, 23, 9, 29),
    (2089, 2, 10, 4, 6, 13, 9, 18),
    (2090, 1, 30, 4, 6, 2, 9, 8),
    (2091, 2, 18, 4, 6, 21, 9, 27),
    (2092, 2, 7, 4, 6, 9, 9, 16),
    (2093, 1, 27, 4, 5, 29, 10, 5),
    (2094, 2, 15, 4, 6, 17, 9, 24),
    (2095, 2, 5, 4, 6, 6, 9, 13),
    (2096, 1, 25, 4, 6, 24, 9, 30),
    (2097, 2, 12, 4, 6, 14, 9, 20),
    (2098, 2, 1, 4, 6, 4, 9, 9),
    (2099, 1, 21, 4, 6, 23, 9, 29),
];

/// The festival dates of `year`: (春节 = 正月初一, 清明, 端午, 中秋); `None` outside the table.
pub fn festival_dates(year: i32) -> Option<[NaiveDate; 4]> {
    let &(_, cm, cd, q, dm, dd, zm, zd) = FESTIVALS.iter().find(|r| r.0 == year)?;
    Some([
        NaiveDate::from_ymd_opt(year, cm, cd)?,
        NaiveDate::from_ymd_opt(year, 4, q)?,
        NaiveDate::from_ymd_opt(year, dm, dd)?,
        NaiveDate::from_ymd_opt(year, zm, zd)?,
    ])
}

/// The statutory days off of `year` under the current 放假办法, in date order, with the
/// holiday's name; empty before [`FIRST_RULE_YEAR`] or outside the table.
pub fn statutory_days_off(year: i32) -> Vec<(NaiveDate, &'static str)> {
    if year < FIRST_RULE_YEAR {
        return Vec::new();
    }
    let Some([spring, qingming, duanwu, midautumn]) = festival_dates(year) else {
        return Vec::new();
    };
    let md = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let mut out: Vec<(NaiveDate, &'static str)> = Vec::with_capacity(13);
    out.extend(md(1, 1).map(|d| (d, "元旦")));
    // 除夕 is the day before 正月初一 (the 29th or 30th of the twelfth month).
    out.extend(
        (0..4u64)
            .filter_map(|i| (spring - Days::new(1)).checked_add_days(Days::new(i)))
            .map(|d| (d, "春节")),
    );
    out.push((qingming, "清明节"));
    out.extend(
        [md(5, 1), md(5, 2)]
            .into_iter()
            .flatten()
            .map(|d| (d, "劳动节")),
    );
    out.push((duanwu, "端午节"));
    out.push((midautumn, "中秋节"));
    out.extend(
        [md(10, 1), md(10, 2), md(10, 3)]
            .into_iter()
            .flatten()
            .map(|d| (d, "国庆节")),
    );
    out.sort();
    out.dedup_by_key(|(d, _)| *d);
    out
}

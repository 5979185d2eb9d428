//! The one place the service reads "today": agencies work on China Standard Time (UTC+8,
//! no daylight saving). Domain code never calls this; it receives dates as parameters.

use chrono::{NaiveDate, Utc};

pub fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

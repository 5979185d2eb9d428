//! `ogi-tracker deadline --bulk`: one JSON line in, one JSON line out, streaming. A bad line
//! answers `{"error": …}` and the rest continue. Kept allocation-light: a million lines is
//! a routine batch (see BENCHMARKS.md).

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::calendar::{CalendarError, CalendarSet, Dated, RegionCode, WorkCalendar};
use crate::domain::deadline::{Deadline, RuleSettings, compute_deadline};

/// The due date of a request received on `received`: the `days`-th working day after it
/// (RULES.md §2). Both CLI paths answer with this, so they cannot disagree.
pub fn due_on(
    cal: &WorkCalendar,
    received: NaiveDate,
    days: u32,
) -> Result<Dated<NaiveDate>, CalendarError> {
    cal.add_working_days(received, days)
}

/// `ogi-tracker deadline --received …`: the due date and the engine's explanation. The
/// engine runs as of `as_of` but never before the receipt: a receipt after "today" (a date
/// asked about in advance) would otherwise leave the clock unstarted and the due date empty.
pub fn single(
    cal: &WorkCalendar,
    received: NaiveDate,
    days: u32,
    as_of: NaiveDate,
) -> Result<(Dated<NaiveDate>, Deadline), CalendarError> {
    let rules = RuleSettings {
        statutory_days: days,
        ..RuleSettings::default()
    };
    let due = due_on(cal, received, days)?;
    let explained = compute_deadline(Some(received), &[], &rules, cal, as_of.max(received))?;
    Ok((due, explained))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    received: &'a str,
    days: Option<u32>,
    #[serde(borrow)]
    region: Option<&'a str>,
}

/// Counts of one run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub lines: u64,
    pub errors: u64,
    pub provisional: u64,
}

/// `YYYY-MM-DD` without chrono's general format parser (a third of the cost of a line).
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// Reads JSON lines `{"received": "YYYY-MM-DD", "days": N?, "region": "CODE"?}` and writes
/// `{"due": "YYYY-MM-DD", "provisional": bool}` or `{"error": "…"}` per line, in order.
pub fn run(
    set: &CalendarSet,
    default_region: Option<&RegionCode>,
    default_days: u32,
    mut input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<Summary> {
    let default_cal = set.calendar(default_region);
    let mut by_region: HashMap<String, Arc<WorkCalendar>> = HashMap::new();
    let mut buf = String::new();
    let mut summary = Summary::default();
    loop {
        buf.clear();
        if input.read_line(&mut buf)? == 0 {
            break;
        }
        let text = buf.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        summary.lines += 1;
        let answer = (|| -> Result<(NaiveDate, bool), String> {
            let line: Line =
                serde_json::from_str(text).map_err(|e| format!("无法解析该行：{e}"))?;
            let received = parse_iso_date(line.received)
                .ok_or_else(|| format!("received 应为 YYYY-MM-DD 格式的日期：{}", line.received))?;
            let cal = match line.region {
                None => default_cal.clone(),
                Some(raw) => match by_region.get(raw) {
                    Some(cal) => cal.clone(),
                    None => {
                        let code = RegionCode::parse(raw).map_err(|e| e.to_string())?;
                        let cal = set.calendar(Some(&code));
                        by_region.insert(raw.to_owned(), cal.clone());
                        cal
                    }
                },
            };
            let due = due_on(&cal, received, line.days.unwrap_or(default_days))
                .map_err(|e| e.to_string())?;
            Ok((due.value, due.provisional))
        })();
        match answer {
            Ok((due, provisional)) => {
                summary.provisional += u64::from(provisional);
                writeln!(
                    output,
                    "{{\"due\":\"{due}\",\"provisional\":{provisional}}}"
                )?;
            }
            Err(message) => {
                summary.errors += 1;
                let message = serde_json::to_string(&message).unwrap_or_else(|_| "\"?\"".into());
                writeln!(output, "{{\"error\":{message}}}")?;
            }
        }
    }
    output.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(
            parse_iso_date("2024-09-27"),
            NaiveDate::from_ymd_opt(2024, 9, 27)
        );
        for bad in [
            "2024-9-27",
            "2024-02-30",
            "2024/09/27",
            "20240927xx",
            "abcd-ef-gh",
            "2024-09-2７",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    fn d(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    #[test]
    fn single_and_bulk_agree_for_a_receipt_after_today() {
        // Issue 13: `--received 2026-12-20` gave "due": null (as of an earlier today).
        // 2027-01-01 (元旦) counts as a rest day in the provisional 2027 calendar.
        let set = CalendarSet::bundled();
        let cal = set.calendar(None);
        let (due, explained) = single(&cal, d("2026-12-20"), 20, d("2026-12-04")).unwrap();
        assert_eq!(due.value, d("2027-01-18"));
        assert!(due.provisional);
        assert_eq!(explained.due_on, Some(due.value));
        let mut out = Vec::new();
        run(
            &set,
            None,
            20,
            "{\"received\": \"2026-12-20\"}\n".as_bytes(),
            &mut out,
        )
        .unwrap();
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(line["due"], due.value.to_string());
        assert_eq!(line["provisional"], due.provisional);
    }

    #[test]
    fn bulk_answers_every_line_in_order() {
        let set = CalendarSet::bundled();
        let input = concat!(
            "{\"received\": \"2024-09-27\"}\n",
            "not json\n",
            "\n",
            "{\"received\": \"2025-03-20\", \"region\": \"450100\"}\n",
            "{\"received\": \"2025-03-20\", \"days\": 20}\n",
            "{\"received\": \"2026-12-20\"}\n",
            "{\"received\": \"2024-13-01\"}\n",
            "{\"received\": \"2024-09-27\", \"region\": \"x\"}\n",
        );
        let mut out = Vec::new();
        let summary = run(&set, None, 20, input.as_bytes(), &mut out).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(
            lines[0],
            serde_json::json!({"due": "2024-10-30", "provisional": false})
        );
        assert!(lines[1]["error"].is_string());
        assert_eq!(lines[2]["due"], "2025-04-22");
        assert_eq!(lines[3]["due"], "2025-04-18");
        assert_eq!(lines[4]["provisional"], true);
        assert!(lines[5]["error"].is_string());
        assert!(lines[6]["error"].is_string());
        assert_eq!(
            summary,
            Summary {
                lines: 7,
                errors: 3,
                provisional: 1
            }
        );
    }
}

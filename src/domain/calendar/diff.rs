//! What an import would change in one year of one layer: the announced days added, removed
//! or renamed. Shown to the administrator before the import is applied.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::YearData;

/// Whether an announced day is a day off or a make-up working day (调休上班).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Workday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenamedDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub old_name: String,
    pub new_name: String,
}

/// The difference between two versions of a year. A date that changes from day off to
/// working day is removed as one kind and added as the other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearDiff {
    pub added: Vec<DiffDay>,
    pub removed: Vec<DiffDay>,
    pub renamed: Vec<RenamedDay>,
}

impl YearDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.renamed.is_empty()
    }
}

fn announced(y: Option<&YearData>) -> BTreeMap<(NaiveDate, DayKind), &str> {
    let mut m = BTreeMap::new();
    if let Some(y) = y {
        for d in &y.holidays {
            m.insert((d.date, DayKind::Holiday), d.name.as_str());
        }
        for d in &y.workdays {
            m.insert((d.date, DayKind::Workday), d.name.as_str());
        }
    }
    m
}

/// The change from `old` (None: the year was not loaded) to `new`, in date order.
pub fn year_diff(old: Option<&YearData>, new: &YearData) -> YearDiff {
    let (old, new) = (announced(old), announced(Some(new)));
    let mut diff = YearDiff::default();
    for (&(date, kind), &name) in &new {
        match old.get(&(date, kind)) {
            None => diff.added.push(DiffDay {
                date,
                kind,
                name: name.to_owned(),
            }),
            Some(&was) if was != name => diff.renamed.push(RenamedDay {
                date,
                kind,
                old_name: was.to_owned(),
                new_name: name.to_owned(),
            }),
            Some(_) => {}
        }
    }
    for (&(date, kind), &name) in &old {
        if !new.contains_key(&(date, kind)) {
            diff.removed.push(DiffDay {
                date,
                kind,
                name: name.to_owned(),
            });
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::NamedDate;

    fn nd(date: &str, name: &str) -> NamedDate {
        NamedDate {
            date: date.parse().unwrap_or_default(),
            name: name.into(),
        }
    }

    #[test]
    fn a_moved_day_is_removed_and_added_and_a_new_name_is_a_rename() {
        let old = YearData {
            holidays: vec![nd("2026-04-17", "三月三"), nd("2026-04-18", "三月三")],
            workdays: vec![nd("2026-04-26", "调休")],
            evidence: None,
        };
        let new = YearData {
            holidays: vec![nd("2026-04-18", "壮族三月三"), nd("2026-04-21", "三月三")],
            workdays: vec![],
            evidence: None,
        };
        let d = year_diff(Some(&old), &new);
        let dates = |v: &[DiffDay]| v.iter().map(|d| d.date.to_string()).collect::<Vec<_>>();
        assert_eq!(dates(&d.added), ["2026-04-21"]);
        assert_eq!(dates(&d.removed), ["2026-04-17", "2026-04-26"]);
        assert_eq!(d.removed[1].kind, DayKind::Workday);
        assert_eq!(d.renamed.len(), 1);
        assert_eq!(
            (
                d.renamed[0].old_name.as_str(),
                d.renamed[0].new_name.as_str()
            ),
            ("三月三", "壮族三月三")
        );
        assert!(year_diff(Some(&new), &new).is_empty());
        assert_eq!(year_diff(None, &new).added.len(), 2);
    }

    #[test]
    fn a_day_turned_from_off_to_working_shows_both_ways() {
        let old = YearData {
            holidays: vec![nd("2026-02-28", "春节")],
            ..Default::default()
        };
        let new = YearData {
            workdays: vec![nd("2026-02-28", "春节调休")],
            ..Default::default()
        };
        let d = year_diff(Some(&old), &new);
        assert_eq!((d.added.len(), d.removed.len()), (1, 1));
        assert_eq!(d.added[0].kind, DayKind::Workday);
        assert_eq!(d.removed[0].kind, DayKind::Holiday);
    }
}

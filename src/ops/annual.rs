//! The annual report (Art. 50; 国办公开办函〔2021〕30号): the facts of the departments in
//! scope (receipt date, final conclusion, applicant type; remedies) gathered in one
//! snapshot, and tables 三 and 四 computed by `domain::annual`.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::cases::departments_in_scope;
use super::{Ctx, OpError, OpResult};
use crate::auth::Actor;
use crate::domain::annual::{
    AnnualReport, ApplicantColumn, CaseFact, OutcomeRow, RemedyFact, RemedyKind, RemedyOutcome,
    Template, outcome_row, year_view,
};
use crate::domain::case::{ApplicantType, CaseEvent};
use crate::domain::outcome::{Outcome, SpecialRegimeRow};
use crate::store::annual::CaseBasics;
use crate::store::departments::Department;
use crate::store::remedies::RemedyRow;
use crate::store::{self, DbConnection};

/// Reports exist for years the bundled calendars cover, up to the current one (a report for
/// the current year is a preview of the year so far).
const FIRST_YEAR: i32 = 2000;

/// What every annual request names: the year, the department and the layout.
pub struct ReportScope {
    pub year: i32,
    pub department_id: i64,
    pub include_subtree: bool,
    pub template: Template,
    /// Where `special_regime` replies count (a setting; echoed in the report).
    pub special_regime: SpecialRegimeRow,
}

pub fn parse_scope(
    year: Option<i32>,
    department_id: Option<i64>,
    include_subtree: bool,
    template: Option<&str>,
    today: NaiveDate,
    special_regime: SpecialRegimeRow,
) -> OpResult<ReportScope> {
    let year = year.ok_or_else(|| OpError::field("year", "请指定统计年度，如 year=2025"))?;
    if !(FIRST_YEAR..=today.year()).contains(&year) {
        return Err(OpError::field(
            "year",
            format!("统计年度应在{FIRST_YEAR}年至{}年之间", today.year()),
        ));
    }
    let department_id =
        department_id.ok_or_else(|| OpError::field("department_id", "请指定编制年度报告的机关"))?;
    let template = match template {
        None => Template::for_year(year),
        Some(raw) => Template::parse(raw.trim())
            .map_err(|_| OpError::field("template", "取值应为：2021 | 2019"))?,
    };
    Ok(ReportScope {
        year,
        department_id,
        include_subtree,
        template,
        special_regime,
    })
}

/// The report with the facts it was computed from.
pub struct Computed {
    pub report: AnnualReport,
    pub department: Department,
    pub department_ids: Vec<i64>,
    pub cases: Vec<CaseBasics>,
    pub facts: HashMap<i64, CaseFact>,
    pub remedies: Vec<RemedyRow>,
    pub special_regime: SpecialRegimeRow,
    /// Department id → code, for `display_number`.
    pub department_codes: HashMap<i64, String>,
}

/// Gathers the facts of the departments in scope, in one snapshot (a reply recorded
/// meanwhile must not pair a case's events with another reply), and computes the report.
pub fn compute(ctx: &Ctx, actor: &Actor, s: &ReportScope) -> OpResult<Computed> {
    ctx.snapshot(|c| compute_in(c, actor, s))
}

fn compute_in(c: &mut DbConnection, actor: &Actor, s: &ReportScope) -> OpResult<Computed> {
    let departments = departments_in_scope(c, actor, Some(s.department_id), s.include_subtree)?;
    let department = departments
        .iter()
        .find(|d| d.id == s.department_id)
        .cloned()
        .ok_or(OpError::NotFound("机关"))?;
    let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
    let codes: HashMap<i64, &str> = departments
        .iter()
        .map(|d| (d.id, d.data.code.as_str()))
        .collect();
    let end = NaiveDate::from_ymd_opt(s.year, 12, 31)
        .ok_or_else(|| OpError::field("year", "统计年度无效"))?;

    let cases = store::annual::case_basics(c, &ids)?;
    let mut events: HashMap<i64, Vec<CaseEvent>> = HashMap::new();
    for row in store::annual::concluding_events(c, &ids)? {
        let event: CaseEvent = serde_json::from_str(&row.payload)
            .map_err(|e| OpError::internal(format!("event {} unreadable: {e}", row.id)))?;
        events.entry(row.case_id).or_default().push(event);
    }
    // Oldest first, with the day each went out: a year takes the reply in force at its end.
    let mut replies: HashMap<i64, Vec<(NaiveDate, OutcomeRow)>> = HashMap::new();
    for (case_id, on, outcome) in store::annual::reply_outcomes_dated(c, &ids)? {
        let row = Outcome::parse(&outcome)
            .map(|o| outcome_row(o, s.special_regime))
            .ok_or_else(|| {
                OpError::internal(format!("case {case_id} has reply outcome {outcome}"))
            })?;
        replies.entry(case_id).or_default().push((on, row));
    }

    let mut facts = HashMap::new();
    for case in &cases {
        // A case not yet received when the year ended has nothing to do with it; an
        // unconfirmed one submitted by then is listed (not counted) by the report's check.
        if case.received_on.unwrap_or(case.submitted_on) > end {
            continue;
        }
        let applicant: ApplicantColumn = ApplicantType::parse(&case.applicant_type)
            .ok_or_else(|| {
                OpError::internal(format!(
                    "case {} has applicant type {}",
                    case.id, case.applicant_type
                ))
            })?
            .into();
        // The year sees only its own events: a reopening after the year end is a new
        // handling of the later year (domain::annual, `year_view`).
        let view = year_view(
            s.year,
            case.received_on,
            events.get(&case.id).map_or(&[], Vec::as_slice),
            replies.get(&case.id).map_or(&[], Vec::as_slice),
        )
        .map_err(|e| OpError::internal(format!("case {}: {e}", case.id)))?;
        if view.received_on.is_some_and(|r| r > end) {
            continue;
        }
        let case_number = if ids.len() > 1 {
            format!(
                "{} {}",
                codes.get(&case.department_id).unwrap_or(&""),
                case.case_number
            )
        } else {
            case.case_number.clone()
        };
        facts.insert(
            case.id,
            CaseFact {
                case_id: case.id,
                case_number,
                applicant,
                received_on: view.received_on,
                concluded: view.concluded,
            },
        );
    }

    let remedies = store::remedies::of_departments(c, &ids, None)?;
    let remedy_facts = remedies
        .iter()
        .map(|r| {
            let kind = RemedyKind::parse(&r.kind, r.after_reconsideration)
                .map_err(|e| OpError::internal(format!("remedy {}: {e}", r.id)))?;
            let outcome = r
                .outcome
                .as_deref()
                .map(RemedyOutcome::parse)
                .transpose()
                .map_err(|e| OpError::internal(format!("remedy {}: {e}", r.id)))?;
            Ok(RemedyFact {
                remedy_id: r.id,
                case_id: r.case_id,
                kind,
                filed_on: r.filed_on,
                decided: r.decided_on.zip(outcome),
            })
        })
        .collect::<OpResult<Vec<_>>>()?;

    let mut case_facts: Vec<CaseFact> = facts.values().cloned().collect();
    case_facts.sort_by_key(|f| f.case_id);
    let report = AnnualReport::compute(s.year, s.template, &case_facts, &remedy_facts)
        .map_err(|e| OpError::field("year", e.to_string()))?;
    Ok(Computed {
        report,
        department,
        department_ids: ids,
        cases,
        facts,
        remedies,
        special_regime: s.special_regime,
        department_codes: codes
            .iter()
            .map(|(id, code)| (*id, (*code).to_owned()))
            .collect(),
    })
}

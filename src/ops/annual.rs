//! The annual report (Art. 50; 国办公开办函〔2021〕30号): the facts of the departments in
//! scope (receipt date, final conclusion, applicant type; remedies) gathered in one
//! snapshot, and tables 三 and 四 computed by `domain::annual`.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};

use super::cases::departments_in_scope;
use super::{Ctx, OpError, OpResult};
use crate::auth::Actor;
use serde::Serialize;

use crate::domain::annual::{
    AnnualReport, ApplicantColumn, CaseFact, CellError, CellRef, Conclusion, OutcomeRow,
    RemedyFact, RemedyKind, RemedyOutcome, RowKey, Template, outcome_row, year_view,
};
use crate::domain::case::{ApplicantType, CaseEvent};
use crate::domain::outcome::{Outcome, SpecialRegimeRow};
use crate::ops::remedies::RemedyView as RemedyOut;
use crate::store::annual::CaseBasics;
use crate::store::cases::HISTORY;
use crate::store::departments::Department;
use crate::store::remedies::RemedyRow;
use crate::store::{self, DbConnection};

/// Reports exist for years the bundled calendars cover, up to the current one (a report for
/// the current year is a preview of the year so far).
const FIRST_YEAR: i32 = 2000;

/// What every annual request names: the year, the department and the layout.
#[derive(Debug, Clone)]
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
    /// Section 六's fee figures (国办函〔2020〕109号).
    pub fees: crate::domain::fee::FeeFigures,
}

/// Gathers the facts of the departments in scope, in one snapshot (a reply recorded
/// meanwhile must not pair a case's events with another reply), and computes the report.
pub fn compute(ctx: &Ctx, actor: &Actor, s: &ReportScope) -> OpResult<Computed> {
    ctx.snapshot(|c| compute_with(ctx, c, actor, s))
}

/// `compute` inside a transaction the caller holds (a publication computes and stores in one).
pub fn compute_with(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    s: &ReportScope,
) -> OpResult<Computed> {
    let departments =
        departments_in_scope(ctx, c, actor, Some(s.department_id), s.include_subtree)?;
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
    let (start, end) = NaiveDate::from_ymd_opt(s.year, 1, 1)
        .zip(NaiveDate::from_ymd_opt(s.year, 12, 31))
        .ok_or_else(|| OpError::field("year", "统计年度无效"))?;

    let cases = store::annual::case_basics(c, &ids, (start, end))?;
    let mut events: HashMap<i64, Vec<CaseEvent>> = HashMap::new();
    for row in store::annual::concluding_events(c, &ids, (start, end))? {
        let event: CaseEvent = serde_json::from_str(&row.payload)
            .map_err(|e| OpError::internal(format!("event {} unreadable: {e}", row.id)))?;
        events.entry(row.case_id).or_default().push(event);
    }
    // Oldest first, with the day each went out: a year takes the reply in force at its end.
    let mut replies: HashMap<i64, Vec<(NaiveDate, OutcomeRow)>> = HashMap::new();
    for (case_id, on, outcome) in store::annual::reply_outcomes_dated(c, &ids, (start, end))? {
        let row = report_row(case_id, &outcome, s.special_regime)?;
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
        // handling of the later year (domain::annual, `year_view`). A case that ended once
        // has one concluding event and at most one reply, both on the case's row.
        let ended_once;
        let (own_events, own_replies) = if case.conclusion.as_deref() == Some(HISTORY) {
            (
                events.get(&case.id).map_or(&[][..], Vec::as_slice),
                replies.get(&case.id).map_or(&[][..], Vec::as_slice),
            )
        } else {
            ended_once = ended_once_facts(case, s.special_regime)?;
            (&ended_once.0[..], &ended_once.1[..])
        };
        let view = year_view(s.year, case.received_on, own_events, own_replies)
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

    // Table 四 and its checks see only the remedies filed in the year.
    let remedies = store::remedies::of_departments(c, &ids, Some((start, end)))?;
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

    let fee_rows = store::annual::fee_events(c, &ids, (start, end))?;
    let fee_events = crate::cases::parse_events(fee_rows)?;
    let fees = crate::domain::fee::year_figures(
        s.year,
        fee_events.iter().map(|(row, e)| (row.case_id, e)),
    );

    let mut case_facts: Vec<CaseFact> = facts.values().cloned().collect();
    case_facts.sort_by_key(|f| f.case_id);
    let mut report = AnnualReport::compute(s.year, s.template, &case_facts, &remedy_facts)
        .map_err(|e| OpError::field("year", e.to_string()))?;
    // 二、上年结转 must be the published 四、结转下年度继续办理 of the year before.
    if let Some(prev) = crate::ops::annual_publish::published_cells(
        c,
        s.department_id,
        s.include_subtree,
        s.year - 1,
    )? {
        let (version, cells) = prev;
        let forward = cells
            .table3
            .get(&RowKey::CarriedForward)
            .map(|ids| ids[6].clone())
            .unwrap_or_default();
        let check = crate::domain::annual::carry_over_check(&report, version, &forward, |id| {
            facts
                .get(&id)
                .map(|f| f.case_number.clone())
                .or_else(|| cells.case_numbers.get(&id).cloned())
        });
        report.checks.push(check);
    }
    Ok(Computed {
        report,
        department,
        department_ids: ids,
        cases,
        facts,
        remedies,
        special_regime: s.special_regime,
        fees,
        department_codes: codes
            .iter()
            .map(|(id, code)| (*id, (*code).to_owned()))
            .collect(),
    })
}

/// The table-三 row of a stored reply outcome.
fn report_row(case_id: i64, outcome: &str, special: SpecialRegimeRow) -> OpResult<OutcomeRow> {
    Outcome::parse(outcome)
        .map(|o| outcome_row(o, special))
        .ok_or_else(|| OpError::internal(format!("case {case_id} has reply outcome {outcome}")))
}

/// A case's concluding events and dated reply rows, as `year_view` reads them.
type Ending = (Vec<CaseEvent>, Vec<(NaiveDate, OutcomeRow)>);

/// The concluding event and reply of a case that ended at most once, as its row keeps
/// them (`conclusion` on `settled_on`, the reply's outcome): what `year_view` reads.
fn ended_once_facts(case: &CaseBasics, special: SpecialRegimeRow) -> OpResult<Ending> {
    let Some(kind) = case.conclusion.as_deref() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let corrupt = || OpError::internal(format!("case {} ended by {kind} unreadably", case.id));
    let date = case.settled_on.ok_or_else(corrupt)?;
    let event = match kind {
        "replied" => CaseEvent::Replied { date },
        "withdrawn" => CaseEvent::Withdrawn { date },
        "correction_lapsed" => CaseEvent::CorrectionLapsed { date },
        "fee_lapsed" => CaseEvent::FeeLapsed { date },
        _ => return Err(corrupt()),
    };
    let replies = match (&event, case.reply_outcome.as_deref()) {
        (CaseEvent::Replied { .. }, Some(outcome)) => {
            vec![(date, report_row(case.id, outcome, special)?)]
        }
        (CaseEvent::Replied { .. }, None) => return Err(corrupt()),
        _ => Vec::new(),
    };
    Ok((vec![event], replies))
}

#[derive(Serialize)]
pub struct CellCase {
    pub case_id: i64,
    pub case_number: String,
    /// `{department code} {case number}` (numbers repeat across departments).
    pub display_number: String,
    pub department_id: i64,
    pub applicant_type: String,
    pub applicant_name: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    /// The date of the final conclusion (reply dispatched, withdrawal, lapse), if any.
    pub concluded_on: Option<NaiveDate>,
    /// `reply`, `withdrawn` or `abandoned`.
    pub conclusion: Option<&'static str>,
    /// The result row the conclusion counts in under the report's template.
    pub result_row: Option<RowKey>,
}

#[derive(Serialize)]
pub struct Cell {
    pub year: i32,
    pub department_id: i64,
    pub template: Template,
    pub row: String,
    pub column: String,
    /// The cell's labels, e.g. "（三）不予公开 3.危及“三安全一稳定” / 自然人".
    pub label: String,
    /// The number in the cell.
    pub count: usize,
    /// The cases behind the cell (table 四: the cases of its remedies).
    pub items: Vec<CellCase>,
    /// Table 四 only: the remedies behind the cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedies: Option<Vec<RemedyOut>>,
}

fn cell_error(e: CellError) -> OpError {
    match e {
        CellError::UnknownKey(k) if k.kind == "row" => OpError::field(
            "row",
            format!(
                "未知的行：{}；取值应为表三的行（new、carried_over、disclosed … carried_forward）或 table4",
                k.key
            ),
        ),
        CellError::UnknownKey(k) => OpError::field(
            "column",
            format!(
                "未知的列：{}；表三取 natural_person … total，表四取 0 至 14 或 reconsideration_upheld 等",
                k.key
            ),
        ),
        CellError::RowNotInTemplate { row, template } => OpError::field(
            "row",
            format!("{template}年表格式没有“{}”这一行", row.label()),
        ),
    }
}

/// The cases (and, in table 四, the remedies) behind one cell of the report.
pub fn cell(
    ctx: &Ctx,
    actor: &Actor,
    s: &ReportScope,
    row: Option<&str>,
    column: Option<&str>,
) -> OpResult<Cell> {
    let row = row
        .map(|r| r.trim().to_owned())
        .ok_or_else(|| OpError::field("row", "请指定行，如 row=withheld_3 或 row=table4"))?;
    let column = column
        .map(|c| c.trim().to_owned())
        .ok_or_else(|| OpError::field("column", "请指定列，如 column=natural_person"))?;
    let cell = CellRef::parse(&row, &column).map_err(cell_error)?;
    let computed = compute(ctx, actor, s)?;
    let report = &computed.report;
    let ids = report.cell_ids(cell).map_err(cell_error)?;
    let (label, case_ids, remedies) = match cell {
        CellRef::Table3 { row, column } => {
            let label = match row.group() {
                Some(group) => format!("{group} {} / {}", row.label(), column.label()),
                None => format!("{} / {}", row.label(), column.label()),
            };
            (label, ids.iter().copied().collect::<BTreeSet<i64>>(), None)
        }
        CellRef::Table4(column) => {
            let wanted: BTreeSet<i64> = ids.iter().copied().collect();
            let remedies: Vec<RemedyOut> = computed
                .remedies
                .iter()
                .filter(|r| wanted.contains(&r.id))
                .cloned()
                .map(RemedyOut::from)
                .collect();
            let case_ids = computed
                .remedies
                .iter()
                .filter(|r| wanted.contains(&r.id))
                .map(|r| r.case_id)
                .collect();
            (column.full_label(), case_ids, Some(remedies))
        }
    };
    let template = report.template;
    let items = computed
        .cases
        .iter()
        .filter(|c| case_ids.contains(&c.id))
        .map(|c| {
            let concluded = computed.facts.get(&c.id).and_then(|f| f.concluded);
            CellCase {
                case_id: c.id,
                case_number: c.case_number.clone(),
                display_number: crate::ops::cases::display_number(
                    computed
                        .department_codes
                        .get(&c.department_id)
                        .map_or("", String::as_str),
                    &c.case_number,
                ),
                department_id: c.department_id,
                applicant_type: c.applicant_type.clone(),
                applicant_name: c.applicant_name.clone(),
                submitted_on: c.submitted_on,
                received_on: c.received_on,
                concluded_on: concluded.map(|(d, _)| d),
                conclusion: concluded.map(|(_, k)| match k {
                    Conclusion::Outcome(_) => "reply",
                    Conclusion::Withdrawn => "withdrawn",
                    Conclusion::Abandoned(_) => "abandoned",
                }),
                result_row: concluded.map(|(_, k)| template.result_row(k.row())),
            }
        })
        .collect();
    Ok(Cell {
        year: report.year,
        department_id: computed.department.id,
        template,
        row,
        column,
        label,
        count: ids.len(),
        items,
        remedies,
    })
}

/// The report's title: the department (with "含所属机关" for a subtree) and the year.
pub fn title(c: &Computed, include_subtree: bool) -> String {
    let scope = if include_subtree {
        "（含所属机关）"
    } else {
        ""
    };
    format!(
        "{}{scope}{}年政府信息公开工作年度报告",
        c.department.data.name, c.report.year
    )
}

#[derive(Serialize)]
struct DepartmentRef<'a> {
    id: i64,
    name: &'a str,
    code: &'a str,
}

#[derive(Serialize)]
struct Table4Out {
    /// The 15 column labels, e.g. "行政诉讼 复议后起诉 尚未审结".
    columns: Vec<String>,
    /// The same columns' stable keys (`reconsideration_upheld` …), for `row=table4&column=`.
    column_keys: Vec<String>,
    values: [i64; 15],
}

/// The configurable readings a report was computed with (RULES.md: say which reading was
/// used).
#[derive(Serialize)]
struct Readings {
    /// `administrative_query` ((三)8, the default) or `other` ((六)3).
    special_regime: &'static str,
    special_regime_row: &'static str,
    /// A case handled again after its conclusion in an earlier year (a reconsideration
    /// ordered a new reply, recorded `reopened`) is a linked re-handling: new (一) in the
    /// year it is re-received, and never changes the earlier year (`year_view`).
    linked_rehandling: &'static str,
    linked_rehandling_note: &'static str,
}

/// How `readings.linked_rehandling` names the reading in force.
pub const LINKED_REHANDLING: &str = "counted_in_year_reopened";

#[derive(Serialize)]
struct Body<'a> {
    year: i32,
    department: DepartmentRef<'a>,
    include_subtree: bool,
    /// Every department whose cases are counted.
    department_ids: &'a [i64],
    template: Template,
    template_source: &'static str,
    table3: &'a crate::domain::annual::Table3,
    table4: Table4Out,
    checks: &'a [crate::domain::annual::Check],
    all_checks_pass: bool,
    readings: Readings,
    /// Section 六 (其他需要报告的事项): the year's fee notices and fees collected.
    fees: crate::domain::fee::FeeFigures,
}

/// The report as the JSON API serves it (and as a publication freezes it).
pub fn body(c: &Computed, include_subtree: bool) -> OpResult<serde_json::Value> {
    let report = &c.report;
    let columns = report.table4.columns;
    serde_json::to_value(Body {
        year: report.year,
        department: DepartmentRef {
            id: c.department.id,
            name: &c.department.data.name,
            code: &c.department.data.code,
        },
        include_subtree,
        department_ids: &c.department_ids,
        template: report.template,
        template_source: report.template.source(),
        table3: &report.table3,
        table4: Table4Out {
            columns: columns.iter().map(|c| c.full_label()).collect(),
            column_keys: columns.iter().map(|c| c.key()).collect(),
            values: report.table4.values,
        },
        checks: &report.checks,
        all_checks_pass: report.all_checks_pass(),
        readings: Readings {
            special_regime: c.special_regime.as_str(),
            special_regime_row: Outcome::SpecialRegime.report_row(c.special_regime),
            linked_rehandling: LINKED_REHANDLING,
            linked_rehandling_note: "发布后再次办理的申请（如复议决定责令重新答复，记录“重新办理”）按关联的重新办理计入重新收到当年的“本年新收”，不改变已发布年度的数据",
        },
        fees: c.fees,
    })
    .map_err(OpError::internal)
}

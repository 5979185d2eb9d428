//! From the crate's own case types to the report's facts: the applicant column, the final
//! conclusion from the events, and the view of one year ([`year_view`]).

use super::*;

impl From<ApplicantType> for ApplicantColumn {
    fn from(kind: ApplicantType) -> Self {
        match kind {
            ApplicantType::NaturalPerson => ApplicantColumn::NaturalPerson,
            ApplicantType::Commercial => ApplicantColumn::Commercial,
            ApplicantType::Research => ApplicantColumn::Research,
            ApplicantType::PublicInterest => ApplicantColumn::PublicInterest,
            ApplicantType::LegalService => ApplicantColumn::LegalService,
            ApplicantType::OtherOrg => ApplicantColumn::OtherOrg,
        }
    }
}

impl From<ApplicantColumn> for ApplicantType {
    fn from(column: ApplicantColumn) -> Self {
        match column {
            ApplicantColumn::NaturalPerson => ApplicantType::NaturalPerson,
            ApplicantColumn::Commercial => ApplicantType::Commercial,
            ApplicantColumn::Research => ApplicantType::Research,
            ApplicantColumn::PublicInterest => ApplicantType::PublicInterest,
            ApplicantColumn::LegalService => ApplicantType::LegalService,
            ApplicantColumn::OtherOrg => ApplicantType::OtherOrg,
        }
    }
}

/// The table-三 row of a reply outcome (RULES.md §4, `Outcome::report_row`).
pub fn outcome_row(outcome: Outcome, special: SpecialRegimeRow) -> OutcomeRow {
    // `report_row` only returns keys of `OutcomeRow` (tested below); (六)3 "其他" would be the
    // honest place for anything else.
    OutcomeRow::parse(outcome.report_row(special)).unwrap_or(OutcomeRow::Other3)
}

/// A case's conclusion cannot be worked out from its stored facts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConclusionError {
    #[error("the case ends with a `replied` event but has no recorded reply")]
    ReplyMissing,
}

/// How a case stands at the end of its events (in recording order): the latest conclusion —
/// `replied` (the outcome of the latest reply, `latest_reply`), `withdrawn`,
/// `correction_lapsed` ((六)1) or `fee_lapsed` ((六)2) — unless a later `reopened` made it
/// open again (`None`). A case reopened and concluded again counts by its latest
/// conclusion, on that date.
pub fn final_conclusion(
    events: &[CaseEvent],
    latest_reply: Option<OutcomeRow>,
) -> Result<Option<(NaiveDate, Conclusion)>, ConclusionError> {
    let mut concluded = None;
    for event in events {
        concluded = match event {
            CaseEvent::Replied { date } => Some((
                *date,
                Conclusion::Outcome(latest_reply.ok_or(ConclusionError::ReplyMissing)?),
            )),
            CaseEvent::Withdrawn { date } => Some((*date, Conclusion::Withdrawn)),
            CaseEvent::CorrectionLapsed { date } => {
                Some((*date, Conclusion::Abandoned(AbandonReason::Correction)))
            }
            CaseEvent::FeeLapsed { date } => {
                Some((*date, Conclusion::Abandoned(AbandonReason::Fee)))
            }
            CaseEvent::Reopened { .. } => None,
            _ => concluded,
        };
    }
    Ok(concluded)
}

/// A case as it stood at the end of a report year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearView {
    /// The start of the handling that year's report sees: the receipt, or a reopening in a
    /// later year than the previous conclusion (a new 本年新收 in the reopening's year).
    pub received_on: Option<NaiveDate>,
    pub concluded: Option<(NaiveDate, Conclusion)>,
}

/// The case as `year`'s report must see it: only its events up to Dec 31 of `year`, and the
/// outcome of its latest reply dated by then (`replies`: (reply date, row), oldest first).
/// Handling after the year end belongs to the later year, so publishing a report can never
/// be changed by a reopening: a case concluded in year Y and reopened in Y+1 counts in Y by
/// its conclusion in Y, and in Y+1 as newly received on the reopening date (一), concluded
/// (三) or carried forward (四) there, which keeps 一 + 二 = 三(七) + 四 in both years. A
/// reopening in the same year as the conclusion before it continues that year's handling
/// (the case counts once, by its latest conclusion).
pub fn year_view(
    year: i32,
    received_on: Option<NaiveDate>,
    events: &[CaseEvent],
    replies: &[(NaiveDate, OutcomeRow)],
) -> Result<YearView, ConclusionError> {
    let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
        return Ok(YearView {
            received_on,
            concluded: None,
        });
    };
    let upto: Vec<CaseEvent> = events.iter().filter(|e| e.date() <= end).cloned().collect();
    let latest_reply = replies
        .iter()
        .rfind(|(on, _)| *on <= end)
        .map(|(_, row)| *row);
    let mut start = received_on;
    let mut last_conclusion: Option<NaiveDate> = None;
    for e in &upto {
        match e {
            CaseEvent::Replied { date }
            | CaseEvent::Withdrawn { date }
            | CaseEvent::CorrectionLapsed { date }
            | CaseEvent::FeeLapsed { date } => last_conclusion = Some(*date),
            CaseEvent::Reopened { date, .. } => {
                if last_conclusion.is_some_and(|c| c.year() < date.year()) {
                    start = Some(*date);
                }
                last_conclusion = None;
            }
            _ => {}
        }
    }
    Ok(YearView {
        received_on: start,
        concluded: final_conclusion(&upto, latest_reply)?,
    })
}

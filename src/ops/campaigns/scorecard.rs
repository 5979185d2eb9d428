//! One unit's score card: its score against the rubric, each letter's grade and findings,
//! and its phone checks, from the same snapshot and grading as the report; with the
//! department it is linked to and the one its name suggests.

use chrono::NaiveDate;
use serde::Serialize;

use super::ROLES;
use super::report::ReportCampaign;
use super::view::{PhoneView, TargetView, load, phone_view, target_view};
use crate::auth::{Actor, Role};
use crate::domain::campaign::{self, LetterResult, Rubric, TargetResult};
use crate::ops::{Ctx, OpError, OpResult, require};
use crate::store::{self, DbConnection};

/// A department named on the score card.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct ScoreCard {
    pub audit: ReportCampaign,
    /// The date the statuses are judged as of: the cut-off, or today while it is ahead.
    pub as_of: NaiveDate,
    pub pass_threshold: f64,
    pub rubric: Rubric,
    pub target: TargetView,
    /// The department the unit is linked to (its score counts in that department's
    /// assessment).
    pub department: Option<DepartmentRef>,
    /// The one department whose name or OGI office name equals the unit's name exactly;
    /// only offered, never linked by itself.
    pub suggested_department: Option<DepartmentRef>,
    /// Whether the caller may link the unit to a department (administrators).
    pub may_link: bool,
    /// Score, maximum, 得分率 and 合格 as in the report.
    pub result: TargetResult,
    /// The unit's letters as the report grades them (ids as strings, as in the report).
    pub letters: Vec<LetterResult>,
    pub phone_checks: Vec<PhoneView>,
}

/// Who links targets to departments: the assessor side. Auditors are the third party whose
/// grades are being attributed, and supervisors never see campaign data; administrators
/// see both the campaigns and the department tree.
pub(super) fn may_link(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// The score card of one unit of a campaign.
pub fn scorecard(ctx: &Ctx, actor: &Actor, id: i64, target_id: i64) -> OpResult<ScoreCard> {
    require(actor, ROLES)?;
    let today = ctx.today();
    ctx.snapshot(|c| card(ctx, c, actor, id, target_id, today))
}

pub(super) fn card(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    target_id: i64,
    today: NaiveDate,
) -> OpResult<ScoreCard> {
    let calendars = ctx.calendars(c)?;
    let loaded = load(c, &calendars, id, today)?;
    let row = loaded
        .targets
        .iter()
        .find(|t| t.id == target_id)
        .ok_or(OpError::NotFound("评估对象"))?;
    let report = loaded.report()?;
    let key = target_id.to_string();
    let result = report
        .target(&key)
        .cloned()
        .ok_or_else(|| OpError::internal(format!("target {target_id} not in its report")))?;
    let departments = store::departments::list(c)?;
    let by_id = |d: i64| {
        departments
            .iter()
            .find(|x| x.id == d)
            .map(|x| DepartmentRef {
                id: x.id,
                name: x.data.name.clone(),
            })
    };
    let suggested = campaign::suggest_department(
        &row.name,
        departments
            .iter()
            .map(|d| (d.id, d.data.name.as_str(), d.data.office_name.as_deref())),
    );
    Ok(ScoreCard {
        audit: ReportCampaign {
            id: loaded.row.id,
            name: loaded.row.name.clone(),
            region: loaded.row.region.clone(),
            cutoff_on: loaded.row.cutoff_on,
        },
        as_of: loaded.as_of,
        pass_threshold: f64::from(loaded.row.pass_threshold_bp) / 10_000.0,
        rubric: loaded.rubric,
        target: target_view(row, loaded.region.as_str()),
        department: row.department_id.and_then(by_id),
        suggested_department: suggested.and_then(by_id),
        may_link: may_link(actor),
        result,
        letters: report
            .letters
            .into_iter()
            .filter(|l| l.target_id == key)
            .collect(),
        phone_checks: loaded
            .phones
            .iter()
            .filter(|p| p.target_id == target_id)
            .map(phone_view)
            .collect(),
    })
}

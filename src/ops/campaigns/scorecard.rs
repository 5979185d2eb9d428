//! One unit's score card: its score against the rubric, each letter's grade and findings,
//! and its phone checks, from the same snapshot and grading as the report.

use chrono::NaiveDate;
use serde::Serialize;

use super::ROLES;
use super::report::ReportCampaign;
use super::view::{PhoneView, TargetView, load, phone_view, target_view};
use crate::auth::Actor;
use crate::domain::campaign::{LetterResult, Rubric, TargetResult};
use crate::ops::{Ctx, OpError, OpResult, require};

#[derive(Debug, Serialize)]
pub struct ScoreCard {
    pub audit: ReportCampaign,
    /// The date the statuses are judged as of: the cut-off, or today while it is ahead.
    pub as_of: NaiveDate,
    pub pass_threshold: f64,
    pub rubric: Rubric,
    pub target: TargetView,
    /// Score, maximum, 得分率 and 合格 as in the report.
    pub result: TargetResult,
    /// The unit's letters as the report grades them (ids as strings, as in the report).
    pub letters: Vec<LetterResult>,
    pub phone_checks: Vec<PhoneView>,
}

/// The score card of one unit of a campaign.
pub fn scorecard(ctx: &Ctx, actor: &Actor, id: i64, target_id: i64) -> OpResult<ScoreCard> {
    require(actor, ROLES)?;
    let today = ctx.today();
    ctx.snapshot(|c| {
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
    })
}

//! Campaign targets as departments (issue 19): an administrator links a target to the
//! department it is (`target_department_set` on the campaign's chain, versioned), and the
//! periodic assessment reads the linked targets' scores (`department_scores`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::scorecard::{ScoreCard, card, may_link};
use super::view::{find_campaign, load};
use super::{ROLES, log};
use crate::auth::Actor;
use crate::domain::assessment::CampaignFact;
use crate::domain::calendar::CalendarSet;
use crate::ops::{Ctx, OpError, OpResult, check_version, require};
use crate::store::{self, DbConnection};

/// The department a target is; `null` removes the link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDepartmentIn {
    pub department_id: Option<i64>,
}

/// The link as the chain records it.
#[derive(Serialize)]
struct LoggedLink {
    target_id: i64,
    department_id: Option<i64>,
    version: i32,
}

/// Links a target to a department, or removes the link (administrators; If-Match).
pub fn set_target_department(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    target_id: i64,
    expected: i32,
    input: TargetDepartmentIn,
) -> OpResult<ScoreCard> {
    require(actor, ROLES)?;
    if !may_link(actor) {
        return Err(OpError::Denied {
            code: "admin_only",
            message: "评估对象与机关的关联由管理员设置（评估人员不决定得分计入哪个机关）".into(),
        });
    }
    let today = ctx.today();
    ctx.write_retry(|c| {
        find_campaign(c, id)?;
        let target = store::campaigns::find_target(c, id, target_id)?
            .ok_or(OpError::NotFound("评估对象"))?;
        if let Some(d) = input.department_id
            && store::departments::find(c, d)?.is_none()
        {
            return Err(OpError::field("department_id", "没有该机关"));
        }
        check_version(target.version, expected)?;
        if !store::campaigns::set_target_department(c, target_id, expected, input.department_id)? {
            return Err(OpError::StaleVersion);
        }
        let before = LoggedLink {
            target_id,
            department_id: target.department_id,
            version: target.version,
        };
        let after = LoggedLink {
            target_id,
            department_id: input.department_id,
            version: expected + 1,
        };
        log(
            ctx,
            c,
            actor,
            id,
            "target_department_set",
            Some(&before),
            &after,
        )?;
        card(ctx, c, actor, id, target_id, today)
    })
}

/// The scores of the targets linked to `departments`, of campaigns whose data collection
/// closed in [from, to] and before `today` (a campaign still collecting is not counted yet):
/// department id → its targets, each as its score card grades it as of the cut-off.
pub fn department_scores(
    c: &mut DbConnection,
    calendars: &CalendarSet,
    departments: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> OpResult<BTreeMap<i64, Vec<CampaignFact>>> {
    let mut by_campaign: BTreeMap<i64, Vec<store::campaigns::TargetRow>> = BTreeMap::new();
    for t in store::campaigns::linked_targets(c, departments)? {
        by_campaign.entry(t.campaign_id).or_default().push(t);
    }
    let mut out: BTreeMap<i64, Vec<CampaignFact>> = BTreeMap::new();
    for (campaign_id, targets) in by_campaign {
        let row = find_campaign(c, campaign_id)?;
        if row.cutoff_on < from || row.cutoff_on > to || row.cutoff_on >= today {
            continue;
        }
        let report = load(c, calendars, campaign_id, today)?.report()?;
        for t in targets {
            let (Some(dept), Some(r)) = (t.department_id, report.target(&t.id.to_string())) else {
                continue;
            };
            out.entry(dept).or_default().push(CampaignFact {
                campaign_id,
                campaign: row.name.clone(),
                cutoff_on: row.cutoff_on,
                target_id: t.id,
                target: t.name.clone(),
                score: r.score,
                max: r.max,
                provisional: r.provisional,
            });
        }
    }
    Ok(out)
}

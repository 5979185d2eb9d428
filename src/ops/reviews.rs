//! Review before a reply is issued (RULES.md §9): a department's chain of 1–3 levels, the
//! clerk's submission of a reply, each level's approval or return, the reviewers' queue,
//! the replies stuck in review, and the check `replies::record_reply` makes before it
//! issues. Every step bumps the case's version and is an audit record on the case's trail
//! (through `cases::change_case`).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::cases::{Change, change_case, display_number, load};
use super::replies::{ReplyIn, admissible, findings_now, validate};
use super::{CASE_WRITERS, Ctx, OpError, OpResult, require, scope};
use crate::auth::{Actor, Role, Scope};
use crate::domain::compliance::Finding;
use crate::domain::org::DeptTree;
use crate::domain::review::{
    self, Chain, Level, Person, Refusal, State, Status, Step, Who, may_act,
};
use crate::store::reviews::{LevelRow, NewReview, NewStep, ReviewRow, Update};
use crate::store::{self, DbConnection};

/// A level of a chain, as shown and as configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelIn {
    pub name: String,
    /// A role (`clerk`, `supervisor`, `admin`) …
    pub role: Option<String>,
    /// … in this department (null: the reviewed department or one above it);
    pub department_id: Option<i64>,
    /// or named users (then no role).
    pub user_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainIn {
    /// 1 to 3 levels; an empty list returns to the default (one level by the supervisors).
    pub levels: Vec<LevelIn>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainView {
    pub department_id: i64,
    /// False: the default chain applies.
    pub configured: bool,
    pub levels: Vec<LevelIn>,
}

fn level_in(l: &Level) -> LevelIn {
    match &l.who {
        Who::Role {
            role,
            department_id,
        } => LevelIn {
            name: l.name.clone(),
            role: Some(role.clone()),
            department_id: *department_id,
            user_ids: None,
        },
        Who::Users { user_ids } => LevelIn {
            name: l.name.clone(),
            role: None,
            department_id: None,
            user_ids: Some(user_ids.clone()),
        },
    }
}

/// The chain a department's replies pass (its configured levels, else the default).
pub(crate) fn chain_of(c: &mut DbConnection, department_id: i64) -> OpResult<Chain> {
    let rows = store::reviews::levels(c, department_id)?;
    if rows.is_empty() {
        return Ok(Chain::default_chain());
    }
    let levels = rows
        .into_iter()
        .map(|r| Level {
            name: r.name,
            who: match (r.user_ids, r.role) {
                (Some(ids), _) => Who::Users {
                    user_ids: serde_json::from_str(&ids).unwrap_or_default(),
                },
                (None, role) => Who::Role {
                    role: role.unwrap_or_default(),
                    department_id: r.role_department_id,
                },
            },
        })
        .collect();
    Ok(Chain { levels })
}

/// The department and every department above it, nearest first.
fn line(tree: &DeptTree, department_id: i64) -> Vec<i64> {
    let mut out = vec![department_id];
    let mut at = department_id;
    while let Some(p) = tree.parent_of(at) {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        at = p;
    }
    out
}

pub fn get_chain(ctx: &Ctx, actor: &Actor, department_id: i64) -> OpResult<ChainView> {
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        if !scope.allows(department_id) {
            return Err(OpError::NotFound("机关"));
        }
        store::departments::find(c, department_id)?.ok_or(OpError::NotFound("机关"))?;
        let configured = !store::reviews::levels(c, department_id)?.is_empty();
        let chain = chain_of(c, department_id)?;
        Ok(ChainView {
            department_id,
            configured,
            levels: chain.levels.iter().map(level_in).collect(),
        })
    })
}

/// Sets a department's chain (administrators, or supervisors over the department).
pub fn set_chain(
    ctx: &Ctx,
    actor: &Actor,
    department_id: i64,
    input: ChainIn,
) -> OpResult<ChainView> {
    require(actor, &[Role::Admin, Role::Supervisor])?;
    let mut levels = Vec::new();
    for (i, l) in input.levels.iter().enumerate() {
        let who = match (&l.role, &l.user_ids) {
            (Some(role), None) => Who::Role {
                role: role.trim().to_owned(),
                department_id: l.department_id,
            },
            (None, Some(ids)) if l.department_id.is_none() => Who::Users {
                user_ids: ids.clone(),
            },
            _ => {
                return Err(OpError::field(
                    &format!("levels[{i}]"),
                    "每一级应指定角色（可附机关）或指定审核人，二者取其一",
                ));
            }
        };
        levels.push(Level {
            name: l.name.trim().to_owned(),
            who,
        });
    }
    let chain = if levels.is_empty() {
        None
    } else {
        Some(Chain::new(levels).map_err(|(f, m)| OpError::field(&f, m))?)
    };
    ctx.write(|c| {
        let scope = scope(c, actor)?;
        if !scope.allows(department_id) {
            return Err(OpError::NotFound("机关"));
        }
        store::departments::find(c, department_id)?.ok_or(OpError::NotFound("机关"))?;
        let before = get_levels_json(c, department_id)?;
        let mut rows = Vec::new();
        for (i, l) in chain.iter().flat_map(|ch| ch.levels.iter()).enumerate() {
            let (role, role_department_id, user_ids) = match &l.who {
                Who::Role {
                    role,
                    department_id,
                } => {
                    if let Some(d) = department_id {
                        store::departments::find(c, *d)?.ok_or_else(|| {
                            OpError::field(&format!("levels[{i}].department_id"), "机关不存在")
                        })?;
                    }
                    (Some(role.clone()), *department_id, None)
                }
                Who::Users { user_ids } => {
                    for u in user_ids {
                        store::users::find(c, *u)?.ok_or_else(|| {
                            OpError::field(
                                &format!("levels[{i}].user_ids"),
                                format!("用户 {u} 不存在"),
                            )
                        })?;
                    }
                    (
                        None,
                        None,
                        Some(serde_json::to_string(user_ids).map_err(OpError::internal)?),
                    )
                }
            };
            rows.push(LevelRow {
                department_id,
                level: i32::try_from(i + 1).unwrap_or(1),
                name: l.name.clone(),
                role,
                role_department_id,
                user_ids,
            });
        }
        store::reviews::set_levels(c, department_id, &rows)?;
        let after = get_levels_json(c, department_id)?;
        super::log_action(
            ctx,
            c,
            Some(actor),
            &format!("department:{department_id}"),
            "review_chain_set",
            Some(&before),
            &after,
        )?;
        let configured = !rows.is_empty();
        let chain = chain_of(c, department_id)?;
        Ok(ChainView {
            department_id,
            configured,
            levels: chain.levels.iter().map(level_in).collect(),
        })
    })
}

fn get_levels_json(c: &mut DbConnection, department_id: i64) -> OpResult<serde_json::Value> {
    let chain = chain_of(c, department_id)?;
    serde_json::to_value(chain.levels.iter().map(level_in).collect::<Vec<_>>())
        .map_err(OpError::internal)
}

/// The part of a reply the reviewers approve: everything but the mailing facts (the day it
/// went out and the tracking number), which are known only when it is sent.
fn reviewed_part(input: &ReplyIn) -> ReplyIn {
    ReplyIn {
        dispatched_on: None,
        tracking_number: None,
        ..input.clone()
    }
}

fn content_of(r: &ReviewRow) -> OpResult<ReplyIn> {
    serde_json::from_str(&r.content).map_err(OpError::internal)
}

fn state_of(r: &ReviewRow) -> OpResult<State> {
    Ok(State {
        status: Status::parse(&r.status)
            .ok_or_else(|| OpError::Internal(format!("review status {}", r.status)))?,
        revision: r.revision,
        level: r.level,
        levels: r.levels,
        approved_revision: r.approved_revision,
    })
}

fn refused(r: Refusal) -> OpError {
    match r {
        Refusal::Unchanged => OpError::conflict(
            "review_unchanged",
            "答复已在审核中或已审定，内容未改动，无需重新提交",
        ),
        Refusal::NotInReview => OpError::conflict("not_in_review", "该答复当前不在审核中"),
        Refusal::OverrideRequired => OpError::rejected(
            "override_required",
            "答复存在错误级别的合规问题：如仍予通过，须填写理由（override_reason）",
        ),
        Refusal::NotApproved => {
            OpError::conflict("review_required", "答复须经全部审核层级通过后方可签发")
        }
    }
}

/// The case's reply approved for issue, if `input` is what was approved (`record_reply`).
pub(crate) fn approved_for(
    c: &mut DbConnection,
    case_id: i64,
    input: &ReplyIn,
) -> OpResult<ReviewRow> {
    let Some(r) = store::reviews::open_for_case(c, case_id)? else {
        return Err(OpError::conflict(
            "review_required",
            "答复须先提交审核，经全部审核层级通过后方可签发",
        ));
    };
    review::issue(state_of(&r)?).map_err(refused)?;
    if reviewed_part(&content_of(&r)?) != reviewed_part(input) {
        return Err(OpError::conflict(
            "review_changed",
            "签发的答复与审定的版本不一致：修改后须重新提交审核",
        ));
    }
    Ok(r)
}

/// Marks the review issued as reply `reply_id` (inside the reply's transaction).
pub(crate) fn mark_issued(
    c: &mut DbConnection,
    r: &ReviewRow,
    reply_id: i64,
    actor_id: i64,
    today: NaiveDate,
) -> OpResult<()> {
    let s = review::issue(state_of(r)?).map_err(refused)?;
    store::reviews::update(
        c,
        r.id,
        &Update {
            status: s.status.as_str(),
            content: &r.content,
            revision: s.revision,
            level: s.level,
            levels: s.levels,
            level_since: r.level_since,
            approved_revision: s.approved_revision,
            reply_id: Some(reply_id),
        },
    )?;
    store::reviews::add_step(
        c,
        &NewStep {
            review_id: r.id,
            revision: s.revision,
            level: s.level,
            action: Step::Issued.as_str(),
            comment: None,
            override_reason: None,
            actor_id,
            acted_on: today,
        },
    )?;
    Ok(())
}

/// Submits (or resubmits, or changes) the case's reply for review. Any change to a reply
/// a level approved sends it back to level 1.
pub fn submit(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: ReplyIn,
) -> OpResult<(ReviewView, i32)> {
    require(actor, CASE_WRITERS)?;
    validate(&input, ctx.today())?;
    let today = ctx.today();
    let content = serde_json::to_string(&input).map_err(OpError::internal)?;
    let version = ctx.write(|c| {
        let changed = change_case(c, ctx, actor, id, expected, false, |c, before| {
            admissible(&before.row, &before.derivation, &input)?;
            let chain = chain_of(c, before.dept.id)?;
            let prior = store::reviews::open_for_case(c, id)?;
            let changed = match &prior {
                Some(p) => reviewed_part(&content_of(p)?) != reviewed_part(&input),
                None => true,
            };
            let prior_state = prior.as_ref().map(state_of).transpose()?;
            let (s, step) = review::submit(prior_state, changed, chain.len()).map_err(refused)?;
            let row = match &prior {
                None => store::reviews::insert(
                    c,
                    &NewReview {
                        case_id: id,
                        department_id: before.dept.id,
                        content: &content,
                        levels: s.levels,
                        submitted_by: actor.user_id,
                        today,
                    },
                )?,
                Some(p) => store::reviews::update(
                    c,
                    p.id,
                    &Update {
                        status: s.status.as_str(),
                        content: &content,
                        revision: s.revision,
                        level: s.level,
                        levels: s.levels,
                        level_since: today,
                        approved_revision: s.approved_revision,
                        reply_id: None,
                    },
                )?,
            };
            store::reviews::add_step(
                c,
                &NewStep {
                    review_id: row.id,
                    revision: s.revision,
                    level: 1,
                    action: step.as_str(),
                    comment: None,
                    override_reason: None,
                    actor_id: actor.user_id,
                    acted_on: today,
                },
            )?;
            Ok(Change {
                event: None,
                action: format!("review_{}", step.as_str()),
                audit: Some(submitted_audit(row.id, &s, &input)),
                mail: None,
                value: (),
            })
        })?;
        Ok(changed.row.version)
    })?;
    Ok((view(ctx, actor, id)?, version))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `approve` or `return`.
    pub decision: String,
    /// Required to return; optional to approve.
    pub comment: Option<String>,
    /// Required to approve a reply with an error-level finding.
    pub override_reason: Option<String>,
}

/// A reviewer of the level the reply waits on approves it or returns it to the clerk.
pub fn decide(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: DecisionIn,
) -> OpResult<(ReviewView, i32)> {
    require(actor, CASE_WRITERS)?;
    let approve = match input.decision.trim() {
        "approve" => true,
        "return" => false,
        _ => return Err(OpError::field("decision", "取值应为：approve | return")),
    };
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let comment = trimmed(&input.comment);
    let override_reason = trimmed(&input.override_reason);
    if !approve && comment.is_none() {
        return Err(OpError::field("comment", "退回修改须写明意见"));
    }
    for (field, v) in [("comment", &comment), ("override_reason", &override_reason)] {
        if v.as_ref().is_some_and(|v| v.chars().count() > 2000) {
            return Err(OpError::field(field, "不超过 2000 个字"));
        }
    }
    let today = ctx.today();
    let version = ctx.write(|c| {
        let changed = change_case(c, ctx, actor, id, expected, true, |c, before| {
            let r = store::reviews::open_for_case(c, id)?
                .ok_or_else(|| refused(Refusal::NotInReview))?;
            let s = state_of(&r)?;
            if s.status != Status::InReview {
                return Err(refused(Refusal::NotInReview));
            }
            let chain = chain_of(c, r.department_id)?;
            let level = chain
                .level(s.level.min(chain.len()))
                .cloned()
                .ok_or_else(|| OpError::Internal("empty review chain".into()))?;
            let tree = store::departments::tree(c)?;
            if !may_act_now(c, actor, &level, &line(&tree, r.department_id))? {
                return Err(OpError::Denied {
                    code: "not_reviewer",
                    message: format!("您不是本级（{}）的审核人", level.name),
                });
            }
            let content = content_of(&r)?;
            let findings = match validate(&content, today) {
                Ok(checked) => findings_now(c, before, &content, &checked)?,
                Err(_) => Vec::new(),
            };
            let next = if approve {
                review::approve(
                    State {
                        levels: chain.len(),
                        ..s
                    },
                    &findings,
                    override_reason.as_deref(),
                )
            } else {
                review::send_back(s)
            }
            .map_err(refused)?;
            let step = if approve {
                Step::Approved
            } else {
                Step::Returned
            };
            store::reviews::update(
                c,
                r.id,
                &Update {
                    status: next.status.as_str(),
                    content: &r.content,
                    revision: next.revision,
                    level: next.level,
                    levels: next.levels,
                    level_since: if next.level == s.level {
                        r.level_since
                    } else {
                        today
                    },
                    approved_revision: next.approved_revision,
                    reply_id: None,
                },
            )?;
            let override_used = approve && review::needs_override(&findings);
            let override_kept = override_reason.as_deref().filter(|_| override_used);
            store::reviews::add_step(
                c,
                &NewStep {
                    review_id: r.id,
                    revision: s.revision,
                    level: s.level,
                    action: step.as_str(),
                    comment: comment.as_deref(),
                    override_reason: override_kept,
                    actor_id: actor.user_id,
                    acted_on: today,
                },
            )?;
            Ok(Change {
                event: None,
                action: format!("review_{}", step.as_str()),
                audit: Some(decided_audit(
                    r.id,
                    &s,
                    &level.name,
                    comment.as_deref(),
                    override_kept,
                    &findings,
                    next.status,
                )),
                mail: None,
                value: (),
            })
        })?;
        Ok(changed.row.version)
    })?;
    Ok((view(ctx, actor, id)?, version))
}

/// Whether the caller may act at `level` of a reply of the department line `line`.
fn may_act_now(c: &mut DbConnection, actor: &Actor, level: &Level, line: &[i64]) -> OpResult<bool> {
    let active = store::users::find(c, actor.user_id)?.is_some_and(|u| u.active);
    Ok(may_act(
        &level.who,
        Person {
            user_id: actor.user_id,
            role: actor.role.as_str(),
            department_id: actor.department_id,
            active,
        },
        line,
    ))
}

#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub revision: i32,
    pub level: i32,
    pub action: String,
    pub label: &'static str,
    pub comment: Option<String>,
    pub override_reason: Option<String>,
    pub actor_id: i64,
    pub actor_name: String,
    pub acted_on: NaiveDate,
    pub acted_at: NaiveDateTime,
}

/// A case's reply under review, as every reviewer and the clerk see it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    pub id: i64,
    pub case_id: i64,
    /// The case's version (every review step changes it): the `If-Match` of the next step.
    pub case_version: i32,
    pub status: &'static str,
    pub status_label: &'static str,
    pub revision: i32,
    pub level: i32,
    pub levels: i32,
    pub level_name: String,
    pub level_since: NaiveDate,
    pub approved_revision: Option<i32>,
    pub submitted_by: i64,
    pub reply_id: Option<i64>,
    /// The reply as submitted (what the reply endpoint takes).
    pub content: ReplyIn,
    pub outcome_label: &'static str,
    /// What the checker says of it now.
    pub findings: Vec<Finding>,
    /// Approving needs an override reason.
    pub needs_override: bool,
    pub chain: Vec<LevelIn>,
    pub steps: Vec<StepView>,
    /// Whether the caller may approve or return it now.
    pub may_review: bool,
}

/// The case's latest reply under review (issued ones included), if any.
pub fn get(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<Option<ReviewView>> {
    match view(ctx, actor, id) {
        Err(OpError::NotFound("答复审核")) => Ok(None),
        other => other.map(Some),
    }
}

fn view(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<ReviewView> {
    let today = ctx.today();
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let l = load(c, ctx, &scope, id, today)?;
        let r = store::reviews::latest_for_case(c, id)?.ok_or(OpError::NotFound("答复审核"))?;
        let s = state_of(&r)?;
        let content = content_of(&r)?;
        let findings = match validate(&content, today) {
            Ok(checked) if s.status != Status::Issued => findings_now(c, &l, &content, &checked)?,
            _ => Vec::new(),
        };
        let chain = chain_of(c, r.department_id)?;
        let level = chain.level(s.level.min(chain.len())).cloned();
        let tree = store::departments::tree(c)?;
        let may_review = match (&level, s.status) {
            (Some(level), Status::InReview) => {
                may_act_now(c, actor, level, &line(&tree, r.department_id))?
            }
            _ => false,
        };
        let mut steps = Vec::new();
        for st in store::reviews::steps(c, r.id)? {
            let actor_name = store::users::find(c, st.actor_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            steps.push(StepView {
                label: Step::label(&st.action),
                revision: st.revision,
                level: st.level,
                action: st.action,
                comment: st.comment,
                override_reason: st.override_reason,
                actor_id: st.actor_id,
                actor_name,
                acted_on: st.acted_on,
                acted_at: st.acted_at,
            });
        }
        Ok(ReviewView {
            id: r.id,
            case_id: r.case_id,
            case_version: l.row.version,
            status: s.status.as_str(),
            status_label: s.status.label(),
            revision: s.revision,
            level: s.level,
            levels: s.levels,
            level_name: level.map(|l| l.name).unwrap_or_default(),
            level_since: r.level_since,
            approved_revision: s.approved_revision,
            submitted_by: r.submitted_by,
            reply_id: r.reply_id,
            needs_override: review::needs_override(&findings),
            outcome_label: crate::domain::outcome::Outcome::parse(&content.outcome)
                .map_or("", crate::domain::outcome::Outcome::label),
            content,
            findings,
            chain: chain.levels.iter().map(level_in).collect(),
            steps,
            may_review,
        })
    })
}

/// The mailing facts a clerk adds when issuing an approved reply.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    pub dispatched_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
}

/// Issues the case's approved reply as approved, with its mailing facts.
pub fn issue(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    expected: i32,
    input: IssueIn,
) -> OpResult<(super::replies::ReplyView, i32)> {
    let content = ctx.read(|c| {
        let scope = scope(c, actor)?;
        super::cases::visible_case(c, &scope, id)?;
        let r =
            store::reviews::open_for_case(c, id)?.ok_or_else(|| refused(Refusal::NotApproved))?;
        content_of(&r)
    })?;
    let reply = ReplyIn {
        dispatched_on: input.dispatched_on,
        tracking_number: input
            .tracking_number
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        ..content
    };
    super::replies::record_reply(ctx, actor, id, expected, reply)
}

/// A reply waiting on a level, as a queue or dashboard lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub review_id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub department_name: String,
    pub applicant_name: String,
    pub level: i32,
    pub levels: i32,
    pub level_name: String,
    pub waiting_since: NaiveDate,
    /// Working days it has waited at this level.
    pub waiting_days: i64,
    pub due_on: Option<NaiveDate>,
    /// Working days left to the case's due date (negative: overdue).
    pub days_left: Option<i64>,
    /// Waiting longer than the configured days, or the case due within 2 working days.
    pub stuck: bool,
}

/// Days left within which a reply in review counts as stuck whatever its wait.
pub const DUE_WITHIN: i64 = 2;

/// The replies in review of some departments (every one: `None`), with their waits.
pub(crate) fn waiting(
    c: &mut DbConnection,
    calendars: &crate::domain::calendar::CalendarSet,
    department_ids: Option<&[i64]>,
    remind_after: u32,
    as_of: NaiveDate,
) -> OpResult<Vec<(Waiting, Chain)>> {
    let mut out = Vec::new();
    for r in store::reviews::in_review(c, department_ids)? {
        let (Some(case), Some(dept)) = (
            store::cases::find(c, r.case_id)?,
            store::departments::find(c, r.department_id)?,
        ) else {
            continue;
        };
        let cal = crate::cases::department_calendar(calendars, &dept.data);
        // Negative when `to` is before `from` (an overdue case).
        let span = |from: NaiveDate, to: NaiveDate| -> OpResult<i64> {
            Ok(cal
                .working_days_between(from, to)
                .map_err(|e| OpError::OutOfRange(e.to_string()))?
                .value)
        };
        let waiting_days = span(r.level_since, as_of)?;
        let days_left = case.due_on.map(|d| span(as_of, d)).transpose()?;
        let chain = chain_of(c, r.department_id)?;
        let level_name = chain
            .level(r.level.min(chain.len()))
            .map(|l| l.name.clone())
            .unwrap_or_default();
        out.push((
            Waiting {
                review_id: r.id,
                case_id: r.case_id,
                case_number: display_number(&dept.data.code, &case.case_number),
                department_name: dept.data.name.clone(),
                applicant_name: case.applicant_name.clone(),
                level: r.level,
                levels: r.levels,
                level_name,
                waiting_since: r.level_since,
                waiting_days,
                due_on: case.due_on,
                days_left,
                stuck: waiting_days > i64::from(remind_after)
                    || days_left.is_some_and(|d| d <= DUE_WITHIN),
            },
            chain,
        ));
    }
    out.sort_by_key(|(w, _)| (w.days_left.unwrap_or(i64::MAX), w.review_id));
    Ok(out)
}

fn scoped_ids(scope: &Scope) -> Option<Vec<i64>> {
    match scope {
        Scope::All => None,
        Scope::Departments(ids) => Some(ids.iter().copied().collect()),
        Scope::AuditOnly => Some(Vec::new()),
    }
}

/// The caller's review queue: replies waiting on a level the caller may act at, the case
/// with the fewest working days left first.
pub fn queue(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<Waiting>> {
    let today = ctx.today();
    ctx.read(|c| {
        let dir = ctx.directory(c)?;
        let tree = &dir.tree;
        let scoped = scoped_ids(&Scope::of(actor, tree));
        // A scope of every department reads without a department condition (a list of a
        // whole province's ids costs PostgreSQL more to plan than the read itself) and
        // keeps the scope's departments below.
        let ids = scoped
            .clone()
            .filter(|ids| ids.len() < dir.departments.len());
        let calendars = ctx.calendars(c)?;
        let mut out = Vec::new();
        for (w, chain) in waiting(
            c,
            &calendars,
            ids.as_deref(),
            ctx.settings.review_remind_days,
            today,
        )? {
            let Some(level) = chain.level(w.level.min(chain.len())) else {
                continue;
            };
            let dept = store::reviews::open_for_case(c, w.case_id)?.map(|r| r.department_id);
            if let Some(d) = dept
                && scoped.as_ref().is_none_or(|ids| ids.contains(&d))
                && may_act_now(c, actor, level, &line(tree, d))?
            {
                out.push(w);
            }
        }
        Ok(out)
    })
}

/// Replies stuck in review in the caller's scope (the supervisor's dashboard): waiting
/// longer than the configured days at one level, or on a case due within 2 working days.
pub fn stuck(ctx: &Ctx, actor: &Actor) -> OpResult<Vec<Waiting>> {
    require(actor, &[Role::Supervisor, Role::Admin])?;
    let today = ctx.today();
    ctx.read(|c| {
        let scope = scope(c, actor)?;
        let ids = scoped_ids(&scope);
        let calendars = ctx.calendars(c)?;
        Ok(waiting(
            c,
            &calendars,
            ids.as_deref(),
            ctx.settings.review_remind_days,
            today,
        )?
        .into_iter()
        .map(|(w, _)| w)
        .filter(|w| w.stuck)
        .collect())
    })
}

/// The reminders due `as_of` (the notification scan): each stuck reply's reviewers of its
/// level, once per stay at that level (the mail's key holds the day it reached it).
pub fn reminders(
    c: &mut DbConnection,
    calendars: &crate::domain::calendar::CalendarSet,
    public_url: &str,
    remind_after: u32,
    as_of: NaiveDate,
) -> OpResult<Vec<store::outbox::NewMail>> {
    let users = store::users::list(c)?;
    let tree = store::departments::tree(c)?;
    let mut mails = Vec::new();
    for (w, chain) in waiting(c, calendars, None, remind_after, as_of)? {
        if !w.stuck {
            continue;
        }
        let Some(level) = chain.level(w.level.min(chain.len())) else {
            continue;
        };
        let Some(r) = store::reviews::open_for_case(c, w.case_id)? else {
            continue;
        };
        let dept_line = line(&tree, r.department_id);
        for u in &users {
            let Some(email) = &u.email else { continue };
            let person = Person {
                user_id: u.id,
                role: &u.role,
                department_id: u.department_id,
                active: u.active,
            };
            if !may_act(&level.who, person, &dept_line) {
                continue;
            }
            let due = w
                .days_left
                .map_or_else(|| "未定".to_owned(), |d| format!("{d} 个工作日"));
            mails.push(store::outbox::NewMail {
                kind: "review_reminder".to_owned(),
                case_id: Some(w.case_id),
                ref_date: w.waiting_since,
                recipient: email.clone(),
                subject: format!("答复待审核：{}（{}）", w.case_number, w.level_name),
                body: format!(
                    "{}：\n\n{} {} 的答复自 {} 起在“{}”待审核，已等待 {} 个工作日；案件距答复期限还有 {}。\n\n审核：{}/cases/{}/review\n",
                    u.display_name,
                    w.department_name,
                    w.case_number,
                    w.waiting_since,
                    w.level_name,
                    w.waiting_days,
                    due,
                    public_url,
                    w.case_id
                ),
            });
        }
    }
    Ok(mails)
}

/// The active users who may act at `level` of the department's chain, in the users'
/// order (the demo's reviewer is the first).
pub(crate) fn level_reviewers(
    c: &mut DbConnection,
    department_id: i64,
    level: i32,
) -> OpResult<(Level, Vec<Actor>)> {
    let chain = chain_of(c, department_id)?;
    let Some(level) = chain.level(level.min(chain.len())).cloned() else {
        return Err(OpError::Internal("empty review chain".into()));
    };
    let tree = store::departments::tree(c)?;
    let dept_line = line(&tree, department_id);
    let actors = store::users::list(c)?
        .into_iter()
        .filter(|u| {
            may_act(
                &level.who,
                Person {
                    user_id: u.id,
                    role: &u.role,
                    department_id: u.department_id,
                    active: u.active,
                },
                &dept_line,
            )
        })
        .filter_map(|u| {
            Some(Actor {
                user_id: u.id,
                username: u.username,
                role: Role::parse(&u.role)?,
                department_id: u.department_id,
            })
        })
        .collect();
    Ok((level, actors))
}

/// The active users who may act now at the level the case's reply waits on.
pub fn reviewers_now(ctx: &Ctx, id: i64) -> OpResult<Vec<Actor>> {
    ctx.read(|c| {
        let Some(r) = store::reviews::open_for_case(c, id)? else {
            return Ok(Vec::new());
        };
        Ok(level_reviewers(c, r.department_id, r.level)?.1)
    })
}

/// What the audit record of a submission holds (the bulk fill writes the same).
pub(crate) fn submitted_audit(review_id: i64, s: &State, content: &ReplyIn) -> serde_json::Value {
    serde_json::json!({
        "review_id": review_id, "revision": s.revision, "level": 1,
        "levels": s.levels, "content": content,
    })
}

/// What the audit record of a decision holds (the bulk fill writes the same).
pub(crate) fn decided_audit(
    review_id: i64,
    s: &State,
    level_name: &str,
    comment: Option<&str>,
    override_kept: Option<&str>,
    findings: &[Finding],
    status: Status,
) -> serde_json::Value {
    serde_json::json!({
        "review_id": review_id, "revision": s.revision, "level": s.level,
        "level_name": level_name, "comment": comment,
        "override_reason": override_kept,
        "findings": findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        "status": status.as_str(),
    })
}

/// Marks the reply's audit record with the review it was issued from.
pub(crate) fn note_issue(audit: &mut Option<serde_json::Value>, review_id: i64, revision: i32) {
    if let Some(serde_json::Value::Object(a)) = audit.as_mut() {
        a.insert("review_id".into(), review_id.into());
        a.insert("review_revision".into(), revision.into());
    }
}

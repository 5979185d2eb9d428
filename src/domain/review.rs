//! Review before a reply is issued (初审 → 复核 → 审定, RULES.md §9; seed 002): the chain a
//! department configures, who may act at a level, and how a reply under review moves.
//! Pure: the caller supplies the people, the department line and the findings.

use serde::{Deserialize, Serialize};

use super::compliance::{Finding, Severity};

/// At most this many levels (初审、复核、审定).
pub const MAX_LEVELS: usize = 3;

/// Who may act at a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Who {
    /// Active users of a role (`clerk`, `supervisor`, `admin`) in a department; with no
    /// department, in the reviewed department or any department above it.
    Role {
        role: String,
        department_id: Option<i64>,
    },
    /// Named users.
    Users { user_ids: Vec<i64> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub name: String,
    pub who: Who,
}

/// A department's chain: 1 to `MAX_LEVELS` levels, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    pub levels: Vec<Level>,
}

impl Chain {
    /// The chain of a department that configured none: one level by its supervisors (the
    /// reviewed department's or one above it).
    pub fn default_chain() -> Chain {
        Chain {
            levels: vec![Level {
                name: "审定".to_owned(),
                who: Who::Role {
                    role: "supervisor".to_owned(),
                    department_id: None,
                },
            }],
        }
    }

    /// Checks a configured chain: 1 to 3 levels, each named, each naming someone.
    pub fn new(levels: Vec<Level>) -> Result<Chain, (String, &'static str)> {
        if levels.is_empty() || levels.len() > MAX_LEVELS {
            return Err(("levels".to_owned(), "审核层级应为 1 至 3 级"));
        }
        for (i, l) in levels.iter().enumerate() {
            if l.name.trim().is_empty() || l.name.chars().count() > 20 {
                return Err((format!("levels[{i}].name"), "层级名称应为 1 至 20 个字"));
            }
            match &l.who {
                Who::Users { user_ids } if user_ids.is_empty() => {
                    return Err((format!("levels[{i}].user_ids"), "应至少指定一名审核人"));
                }
                Who::Role { role, .. }
                    if !matches!(role.as_str(), "clerk" | "supervisor" | "admin") =>
                {
                    return Err((
                        format!("levels[{i}].role"),
                        "取值应为：clerk | supervisor | admin",
                    ));
                }
                _ => {}
            }
        }
        Ok(Chain { levels })
    }

    /// The level numbered `n` (from 1).
    pub fn level(&self, n: i32) -> Option<&Level> {
        usize::try_from(n - 1).ok().and_then(|i| self.levels.get(i))
    }

    pub fn len(&self) -> i32 {
        i32::try_from(self.levels.len()).unwrap_or(1)
    }

    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }
}

/// A user as the chain sees them.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub user_id: i64,
    pub role: &'a str,
    pub department_id: Option<i64>,
    pub active: bool,
}

/// Whether `person` may act at a level of a reply of the department whose line (itself,
/// then each department above it) is `line`.
pub fn may_act(who: &Who, person: Person<'_>, line: &[i64]) -> bool {
    if !person.active {
        return false;
    }
    match who {
        Who::Users { user_ids } => user_ids.contains(&person.user_id),
        Who::Role {
            role,
            department_id,
        } => {
            role == person.role
                && match (department_id, person.department_id) {
                    (Some(d), Some(p)) => *d == p,
                    (None, Some(p)) => line.contains(&p),
                    (_, None) => false,
                }
        }
    }
}

/// Where a reply under review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting on the reviewers of `level`.
    InReview,
    /// Sent back to the clerk with a comment.
    Returned,
    /// The last level approved `approved_revision`.
    Approved,
    /// Issued as a reply; history.
    Issued,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InReview => "in_review",
            Status::Returned => "returned",
            Status::Approved => "approved",
            Status::Issued => "issued",
        }
    }

    pub fn parse(raw: &str) -> Option<Status> {
        [
            Status::InReview,
            Status::Returned,
            Status::Approved,
            Status::Issued,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::InReview => "审核中",
            Status::Returned => "已退回",
            Status::Approved => "已审定",
            Status::Issued => "已签发",
        }
    }
}

/// A step of the review, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submitted,
    Resubmitted,
    /// The content changed after a level approved it: back to level 1.
    Reset,
    Approved,
    Returned,
    Issued,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submitted => "submitted",
            Step::Resubmitted => "resubmitted",
            Step::Reset => "reset",
            Step::Approved => "approved",
            Step::Returned => "returned",
            Step::Issued => "issued",
        }
    }

    pub fn label(raw: &str) -> &'static str {
        match raw {
            "submitted" => "提交审核",
            "resubmitted" => "修改后重新提交",
            "reset" => "审核后修改，退回第一级",
            "approved" => "通过",
            "returned" => "退回修改",
            "issued" => "签发",
            _ => "",
        }
    }
}

/// A reply under review: the facts the transitions read and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub status: Status,
    pub revision: i32,
    /// The level waited on (in review), or reached (returned, approved).
    pub level: i32,
    /// The chain's length when the reply entered level 1.
    pub levels: i32,
    pub approved_revision: Option<i32>,
}

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Submitted again with nothing changed while it is in review or approved.
    Unchanged,
    /// Approve or return while it is not waiting on a level.
    NotInReview,
    /// Approval with an error-level finding and no reason given.
    OverrideRequired,
    /// Issue without the last level's approval of this exact content.
    NotApproved,
}

/// Submits the reply (`prior`: the case's reply under review, if any; `changed`: whether
/// its content differs from what is stored). Any change restarts the chain at level 1:
/// an approval covers only the content approved.
pub fn submit(prior: Option<State>, changed: bool, levels: i32) -> Result<(State, Step), Refusal> {
    let fresh = |revision, step| {
        Ok((
            State {
                status: Status::InReview,
                revision,
                level: 1,
                levels,
                approved_revision: None,
            },
            step,
        ))
    };
    match prior {
        None => fresh(1, Step::Submitted),
        Some(p) if p.status == Status::Issued => fresh(1, Step::Submitted),
        Some(p) if p.status == Status::Returned => fresh(p.revision + 1, Step::Resubmitted),
        Some(_) if !changed => Err(Refusal::Unchanged),
        Some(p) if p.status == Status::Approved || p.level > 1 => {
            fresh(p.revision + 1, Step::Reset)
        }
        Some(p) => fresh(p.revision + 1, Step::Resubmitted),
    }
}

/// Whether approving needs an override reason: an error-level finding stands.
pub fn needs_override(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// A level approves: the next level takes it, or after the last it is approved.
pub fn approve(
    s: State,
    findings: &[Finding],
    override_reason: Option<&str>,
) -> Result<State, Refusal> {
    if s.status != Status::InReview {
        return Err(Refusal::NotInReview);
    }
    if needs_override(findings) && override_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Refusal::OverrideRequired);
    }
    Ok(if s.level >= s.levels {
        State {
            status: Status::Approved,
            approved_revision: Some(s.revision),
            ..s
        }
    } else {
        State {
            level: s.level + 1,
            ..s
        }
    })
}

/// A level returns it to the clerk.
pub fn send_back(s: State) -> Result<State, Refusal> {
    if s.status != Status::InReview {
        return Err(Refusal::NotInReview);
    }
    Ok(State {
        status: Status::Returned,
        ..s
    })
}

/// It may be issued only as the last level approved it.
pub fn issue(s: State) -> Result<State, Refusal> {
    if s.status == Status::Approved && s.approved_revision == Some(s.revision) {
        Ok(State {
            status: Status::Issued,
            ..s
        })
    } else {
        Err(Refusal::NotApproved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity) -> Finding {
        Finding {
            code: "x",
            severity,
            message: String::new(),
            article: String::new(),
        }
    }

    #[test]
    fn two_levels_approve_in_turn_and_an_edit_after_approval_starts_again() {
        let (s, step) = submit(None, true, 2).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (s.status, s.level, step),
            (Status::InReview, 1, Step::Submitted)
        );
        assert_eq!(issue(s), Err(Refusal::NotApproved));
        let s = approve(s, &[], None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((s.status, s.level), (Status::InReview, 2));
        assert_eq!(issue(s), Err(Refusal::NotApproved));
        let s = approve(s, &[], None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((s.status, s.approved_revision), (Status::Approved, Some(1)));
        assert_eq!(submit(Some(s), false, 2), Err(Refusal::Unchanged));
        let (edited, step) = submit(Some(s), true, 2).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((edited.level, edited.revision, step), (1, 2, Step::Reset));
        assert_eq!(issue(edited), Err(Refusal::NotApproved));
        assert_eq!(issue(s).map(|s| s.status), Ok(Status::Issued));
    }

    #[test]
    fn a_returned_reply_is_resubmitted_to_level_one() {
        let (s, _) = submit(None, true, 3).unwrap_or_else(|e| panic!("{e:?}"));
        let s = approve(s, &[], None).unwrap_or_else(|e| panic!("{e:?}"));
        let s = send_back(s).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.status, Status::Returned);
        assert_eq!(approve(s, &[], None), Err(Refusal::NotInReview));
        let (s, step) = submit(Some(s), false, 3).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (s.status, s.level, s.revision, step),
            (Status::InReview, 1, 2, Step::Resubmitted)
        );
    }

    #[test]
    fn an_error_finding_needs_a_reason_to_approve() {
        let (s, _) = submit(None, true, 1).unwrap_or_else(|e| panic!("{e:?}"));
        let errors = [finding(Severity::Warning), finding(Severity::Error)];
        assert_eq!(approve(s, &errors, None), Err(Refusal::OverrideRequired));
        assert_eq!(
            approve(s, &errors, Some("  ")),
            Err(Refusal::OverrideRequired)
        );
        assert!(approve(s, &errors, Some("经法制机构审查同意")).is_ok());
        assert!(approve(s, &[finding(Severity::Warning)], None).is_ok());
    }

    #[test]
    fn who_may_act() {
        let sup = Person {
            user_id: 7,
            role: "supervisor",
            department_id: Some(2),
            active: true,
        };
        let default = &Chain::default_chain().levels[0].who;
        assert!(may_act(default, sup, &[5, 2, 1]));
        assert!(!may_act(default, sup, &[5, 1]));
        assert!(!may_act(
            default,
            Person {
                role: "clerk",
                ..sup
            },
            &[5, 2, 1]
        ));
        assert!(!may_act(
            default,
            Person {
                active: false,
                ..sup
            },
            &[5, 2, 1]
        ));
        let named = Who::Users { user_ids: vec![7] };
        assert!(may_act(&named, sup, &[]));
        assert!(!may_act(&named, Person { user_id: 8, ..sup }, &[]));
        let office = Who::Role {
            role: "clerk".into(),
            department_id: Some(9),
        };
        assert!(may_act(
            &office,
            Person {
                role: "clerk",
                department_id: Some(9),
                ..sup
            },
            &[5]
        ));
        assert!(!may_act(
            &office,
            Person {
                role: "clerk",
                ..sup
            },
            &[5, 2]
        ));
    }

    #[test]
    fn a_chain_has_one_to_three_named_levels() {
        let l = |name: &str| Level {
            name: name.into(),
            who: Who::Users { user_ids: vec![1] },
        };
        assert!(Chain::new(vec![]).is_err());
        assert!(Chain::new(vec![l("初审"), l("复核"), l("审定"), l("再审")]).is_err());
        assert!(Chain::new(vec![l("")]).is_err());
        assert!(Chain::new(vec![l("初审"), l("审定")]).is_ok());
        let nobody = Level {
            name: "初审".into(),
            who: Who::Users { user_ids: vec![] },
        };
        assert!(Chain::new(vec![nobody]).is_err());
    }
}

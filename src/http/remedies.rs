//! Reconsiderations (行政复议) and lawsuits (行政诉讼) about a case: recorded when filed,
//! decided later (with `If-Match`), listed on the case and per department and year. They feed
//! table 四 of the annual report. A `corrected` decision reopens nothing by itself; the case
//! view flags it (`flags.remedy_corrected`) so the clerk can act. Every write is audited in
//! the case's chain, in the same transaction.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{Auth, State, db, db_tx, etag, if_match};
use crate::auth::Role;
use crate::domain::annual::{RemedyKind, RemedyOutcome};
use crate::domain::validation::{FieldErrors, optional_text, required_text};
use crate::store::remedies::{NewRemedy, RemedyRow};
use crate::store::{self, DbConnection};

/// A remedy as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RemedyOut {
    id: i64,
    case_id: i64,
    department_id: i64,
    kind: String,
    /// 行政复议 / 行政诉讼（未经复议直接起诉）/ 行政诉讼（复议后起诉）.
    kind_label: &'static str,
    after_reconsideration: bool,
    filed_on: NaiveDate,
    /// The reconsideration organ or the court.
    body: String,
    case_ref: Option<String>,
    outcome: Option<String>,
    outcome_label: Option<&'static str>,
    decided_on: Option<NaiveDate>,
    version: i32,
    recorded_by: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<RemedyRow> for RemedyOut {
    fn from(r: RemedyRow) -> Self {
        let kind_label =
            RemedyKind::parse(&r.kind, r.after_reconsideration).map_or("", |k| k.label());
        let outcome_label = r
            .outcome
            .as_deref()
            .and_then(|o| RemedyOutcome::parse(o).ok())
            .map(RemedyOutcome::label);
        Self {
            id: r.id,
            case_id: r.case_id,
            department_id: r.department_id,
            kind: r.kind,
            kind_label,
            after_reconsideration: r.after_reconsideration,
            filed_on: r.filed_on,
            body: r.body,
            case_ref: r.case_ref,
            outcome: r.outcome,
            outcome_label,
            decided_on: r.decided_on,
            version: r.version,
            recorded_by: r.recorded_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl RemedyOut {
    pub fn is_corrected(&self) -> bool {
        self.outcome.as_deref() == Some(RemedyOutcome::Corrected.key())
    }
}

/// The remedies of a case, for its view.
pub fn for_case(c: &mut DbConnection, case_id: i64) -> Result<Vec<RemedyOut>, ApiError> {
    Ok(store::remedies::for_case(c, case_id)?
        .into_iter()
        .map(RemedyOut::from)
        .collect())
}

/// The audit snapshot of a remedy.
fn snapshot(r: &RemedyOut) -> String {
    serde_json::json!({ "remedy": r }).to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemedyIn {
    kind: String,
    /// Litigation only: filed after a reconsideration decision (复议后起诉).
    after_reconsideration: Option<bool>,
    filed_on: NaiveDate,
    /// The reconsideration organ or the court.
    body: String,
    case_ref: Option<String>,
}

/// The validated input: kind, filing date, body, reference.
struct ParsedRemedy {
    kind: RemedyKind,
    filed_on: NaiveDate,
    body: String,
    case_ref: Option<String>,
}

fn parse_remedy(input: RemedyIn, today: NaiveDate) -> Result<ParsedRemedy, ApiError> {
    let mut e = FieldErrors::default();
    let kind = match (input.kind.trim(), input.after_reconsideration) {
        ("reconsideration", None | Some(false)) => Some(RemedyKind::Reconsideration),
        ("reconsideration", Some(true)) => {
            e.add(
                "after_reconsideration",
                "仅行政诉讼可填写 after_reconsideration（复议后起诉）",
            );
            None
        }
        ("litigation", after) => Some(RemedyKind::Litigation {
            after_reconsideration: after.unwrap_or(false),
        }),
        _ => {
            e.add("kind", "取值应为：reconsideration | litigation");
            None
        }
    };
    if input.filed_on > today {
        e.add("filed_on", "提起日期不能晚于今天");
    }
    let body = required_text(&mut e, "body", &input.body, 200);
    let case_ref = optional_text(&mut e, "case_ref", input.case_ref.as_deref(), 100);
    match (kind, body, e.is_empty()) {
        (Some(kind), Some(body), true) => Ok(ParsedRemedy {
            kind,
            filed_on: input.filed_on,
            body,
            case_ref,
        }),
        _ => Err(ApiError::validation(e)),
    }
}

pub async fn post_remedy(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Json<RemedyIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    let case_id = path.into_inner();
    let parsed = parse_remedy(body.into_inner(), state.today())?;
    let out = db_tx(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        let case = store::cases::find(c, case_id)?
            .filter(|r| scope.allows(r.department_id))
            .ok_or_else(|| ApiError::not_found("案件"))?;
        if parsed.filed_on < case.submitted_on {
            return Err(ApiError::field("filed_on", "提起日期不能早于申请提交日期"));
        }
        let after_reconsideration = matches!(
            parsed.kind,
            RemedyKind::Litigation {
                after_reconsideration: true
            }
        );
        let row = store::remedies::insert(
            c,
            &NewRemedy {
                case_id,
                department_id: case.department_id,
                kind: parsed.kind.key().to_owned(),
                after_reconsideration,
                filed_on: parsed.filed_on,
                body: parsed.body,
                case_ref: parsed.case_ref,
                recorded_by: auth.0.user_id,
            },
        )?;
        let out = RemedyOut::from(row);
        store::trail::append(
            c,
            case_id,
            auth.0.user_id,
            "remedy_recorded",
            None,
            &snapshot(&out),
        )?;
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(out.version))
        .json(out))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    outcome: String,
    decided_on: NaiveDate,
}

pub async fn patch_remedy(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<DecisionIn>,
) -> Result<HttpResponse, ApiError> {
    auth.require(&[Role::Clerk, Role::Supervisor, Role::Admin])?;
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let today = state.today();
    let mut e = FieldErrors::default();
    let outcome = RemedyOutcome::parse(input.outcome.trim()).ok();
    if outcome.is_none() {
        e.add("outcome", "取值应为：upheld | corrected | other");
    }
    if input.decided_on > today {
        e.add("decided_on", "决定或裁判日期不能晚于今天");
    }
    let (Some(outcome), true) = (outcome, e.is_empty()) else {
        return Err(ApiError::validation(e));
    };
    let out = db_tx(&state.pool, move |c| {
        let scope = auth.scope(c)?;
        let row = store::remedies::find(c, id)?
            .filter(|r| scope.allows(r.department_id))
            .ok_or_else(|| ApiError::not_found("行政复议或行政诉讼"))?;
        if row.version != expected {
            return Err(ApiError::precondition_failed());
        }
        if input.decided_on < row.filed_on {
            return Err(ApiError::field(
                "decided_on",
                format!("决定或裁判日期不能早于提起日期{}", row.filed_on),
            ));
        }
        if !store::remedies::decide(c, id, expected, outcome.key(), input.decided_on)? {
            return Err(ApiError::precondition_failed());
        }
        let before = RemedyOut::from(row);
        let after = store::remedies::find(c, id)?
            .map(RemedyOut::from)
            .ok_or_else(|| ApiError::not_found("行政复议或行政诉讼"))?;
        store::trail::append(
            c,
            after.case_id,
            auth.0.user_id,
            "remedy_decided",
            Some(&snapshot(&before)),
            &snapshot(&after),
        )?;
        Ok(after)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(out.version))
        .json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    department_id: Option<i64>,
    #[serde(default)]
    include_subtree: bool,
    /// Filed in this calendar year.
    year: Option<i32>,
}

pub async fn list_remedies(
    state: State,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filed = match q.year {
        None => None,
        Some(y) => Some(
            NaiveDate::from_ymd_opt(y, 1, 1)
                .zip(NaiveDate::from_ymd_opt(y, 12, 31))
                .filter(|_| (2000..=2099).contains(&y))
                .ok_or_else(|| ApiError::field("year", "年度应在2000至2099之间"))?,
        ),
    };
    let items = db(&state.pool, move |c| {
        let departments = auth.departments(c, q.department_id, q.include_subtree)?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        Ok(store::remedies::of_departments(c, &ids, filed)?
            .into_iter()
            .map(RemedyOut::from)
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

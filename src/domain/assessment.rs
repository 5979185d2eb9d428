//! Periodic assessment (绩效考核, RULES.md §9; seeds 003 and 004): a scheme of indicators, each
//! scored from a department's recorded facts for a period (or by hand), the total, the
//! 得分率 (score / sum of maxima), the rank (ties share a rank) and the problems the 通报
//! lists under 需要完善的事项. Also the states of a rectification item (盘点销号).
//!
//! Must not touch: IO, the clock, the database. The facts come in gathered and dated.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::compliance::codes;
use super::org::text_enum;
use super::validation::FieldErrors;

text_enum!(
    /// What an indicator measures; each kind has one formula (`score`).
    IndicatorKind {
        OnTime => "on_time",
        Findings => "findings",
        Extensions => "extensions",
        Corrected => "corrected",
        Orders => "orders",
        Rectification => "rectification",
        CampaignScore => "campaign_score",
        Manual => "manual",
    }
);

impl IndicatorKind {
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::OnTime => "按期答复率",
            IndicatorKind::Findings => "答复书规范性",
            IndicatorKind::Extensions => "延期答复",
            IndicatorKind::Corrected => "被纠错率",
            IndicatorKind::Orders => "督办事项按期反馈",
            IndicatorKind::Rectification => "整改事项按期完成",
            IndicatorKind::CampaignScore => "模拟用户实测得分率",
            IndicatorKind::Manual => "人工评分",
        }
    }
}

text_enum!(
    /// How long a period runs.
    PeriodKind { Quarter => "quarter", Year => "year" }
);

/// The largest weight or maximum of one indicator, and the most indicators a scheme holds.
pub const MAX_POINTS: u32 = 100;
pub const MAX_INDICATORS: usize = 20;

/// One indicator of a scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Unique within the scheme (letters, digits, `_`).
    pub key: String,
    pub kind: IndicatorKind,
    /// Its name in the 通报, e.g. 按期答复率.
    pub name: String,
    /// The points the formula distributes.
    pub weight: u32,
    /// The most the indicator can score (the 得分率's denominator adds these up).
    pub max: u32,
    /// `findings`: points deducted per error-level finding.
    #[serde(default)]
    pub per_error: f64,
    /// `findings`: points deducted per warning-level finding.
    #[serde(default)]
    pub per_warning: f64,
    /// `extensions`: points deducted per extension granted.
    #[serde(default)]
    pub per_item: f64,
}

/// The scheme the office starts from (it may change every figure before publishing).
pub fn default_scheme() -> Vec<Indicator> {
    let ind = |key: &str, kind: IndicatorKind, weight: u32| Indicator {
        key: key.to_owned(),
        kind,
        name: kind.label().to_owned(),
        weight,
        max: weight,
        per_error: 0.0,
        per_warning: 0.0,
        per_item: 0.0,
    };
    vec![
        ind("on_time", IndicatorKind::OnTime, 40),
        Indicator {
            per_error: 5.0,
            per_warning: 2.0,
            ..ind("findings", IndicatorKind::Findings, 20)
        },
        Indicator {
            per_item: 2.0,
            ..ind("extensions", IndicatorKind::Extensions, 10)
        },
        ind("corrected", IndicatorKind::Corrected, 10),
        ind("orders", IndicatorKind::Orders, 10),
        ind("rectification", IndicatorKind::Rectification, 10),
    ]
}

/// Checks a scheme: keys unique, weights within 1..=max..=100, deductions not negative.
pub fn check_scheme(scheme: &[Indicator]) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    if scheme.is_empty() || scheme.len() > MAX_INDICATORS {
        e.add("scheme", format!("考核方案应有1至{MAX_INDICATORS}项指标"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, ind) in scheme.iter().enumerate() {
        let field = format!("scheme[{i}]");
        let key_ok = !ind.key.is_empty()
            && ind.key.len() <= 40
            && ind
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !key_ok {
            e.add(format!("{field}.key"), "指标代码应为字母、数字或下划线");
        } else if !seen.insert(ind.key.clone()) {
            e.add(format!("{field}.key"), "指标代码重复");
        }
        if ind.name.trim().is_empty() || ind.name.chars().count() > 50 {
            e.add(format!("{field}.name"), "请填写指标名称（不超过50字）");
        }
        if ind.weight == 0 || ind.weight > ind.max || ind.max > MAX_POINTS {
            e.add(
                format!("{field}.weight"),
                format!("分值应满足 1 ≤ 分值 ≤ 满分 ≤ {MAX_POINTS}"),
            );
        }
        let bad = |x: f64| !x.is_finite() || x < 0.0 || x > f64::from(MAX_POINTS);
        if bad(ind.per_error) || bad(ind.per_warning) || bad(ind.per_item) {
            e.add(field.clone(), "扣分标准应为0至100之间的数");
        }
    }
    if e.is_empty() { Ok(()) } else { Err(e) }
}

/// The first and last day of a quarter (1–4) or a year.
pub fn period_dates(
    kind: PeriodKind,
    year: i32,
    quarter: Option<u32>,
) -> Option<(NaiveDate, NaiveDate)> {
    match kind {
        PeriodKind::Year => Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        )),
        PeriodKind::Quarter => {
            let q = quarter.filter(|q| (1..=4).contains(q))?;
            let start = NaiveDate::from_ymd_opt(year, q * 3 - 2, 1)?;
            let next = if q == 4 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?
            };
            Some((start, next.pred_opt()?))
        }
    }
}

/// A period's name: 2026年第三季度 / 2026年度.
pub fn period_label(kind: PeriodKind, starts_on: NaiveDate) -> String {
    match kind {
        PeriodKind::Year => format!("{}年度", starts_on.year()),
        PeriodKind::Quarter => {
            let q = ["一", "二", "三", "四"][(starts_on.month0() / 3) as usize];
            format!("{}年第{q}季度", starts_on.year())
        }
    }
}

/// A finding of a reply issued in the period (`reply_late` is counted by `on_time`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingFact {
    pub case_id: i64,
    pub code: String,
    pub error: bool,
}

/// Something due in the period (a supervision order or a rectification item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueFact {
    pub id: i64,
    pub due_on: NaiveDate,
    /// The department's answer or completion, if any (the latest).
    pub done_on: Option<NaiveDate>,
}

impl DueFact {
    /// Done by the due date (the office's 销号 afterwards is the office's wait).
    pub fn in_time(&self) -> bool {
        self.done_on.is_some_and(|d| d <= self.due_on)
    }
}

/// A hand score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualScore {
    pub score: f64,
    pub note: String,
}

/// A test-applicant campaign's target (模拟用户实测) linked to the department, with the
/// score its score card gives as of the campaign's cut-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignFact {
    pub campaign_id: i64,
    pub campaign: String,
    pub cutoff_on: NaiveDate,
    pub target_id: i64,
    pub target: String,
    pub score: u64,
    /// 0 when nothing of the unit was graded (then it is not counted).
    pub max: u64,
    /// Some letter was still not due at the cut-off.
    pub provisional: bool,
}

/// One department's facts for a period, each with the ids behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Cases with a reply issued in the period (one entry per reply).
    pub replied: Vec<i64>,
    /// Those replies issued after the due date (`reply_late`).
    pub late: Vec<i64>,
    pub findings: Vec<FindingFact>,
    /// Cases with an extension granted in the period.
    pub extensions: Vec<i64>,
    /// Cases whose reconsideration or suit was decided in the period, and those corrected.
    pub remedies_decided: Vec<i64>,
    pub corrected: Vec<i64>,
    /// Supervision orders due in the period.
    pub orders: Vec<DueFact>,
    /// Rectification items due in the period.
    pub items: Vec<DueFact>,
    /// Campaign targets linked to the department, of campaigns whose cut-off is in the period.
    pub campaigns: Vec<CampaignFact>,
}

/// One indicator's figure for one department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: String,
    pub name: String,
    pub kind: IndicatorKind,
    pub score: f64,
    pub max: u32,
    /// How the score came about, in words.
    pub basis: String,
    /// What the drill-down lists: `case`, `order`, `item` or `audit_target` ids.
    pub refers_to: String,
    pub ids: Vec<i64>,
    /// The problem the 通报 lists when the indicator lost points.
    pub problem: Option<String>,
    /// `campaign_score`: the campaigns and targets behind the figure, with their scores
    /// (absent from other kinds and from periods published before the kind existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaign_targets: Vec<CampaignFact>,
}

/// A score as written: at most two decimals, no trailing zeros (40, 33.33, 99.5).
pub fn points(x: f64) -> String {
    let s = format!("{:.2}", round2(x));
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        return "—".to_owned();
    }
    #[expect(clippy::cast_precision_loss, reason = "counts of cases are small")]
    let p = n as f64 * 100.0 / of as f64;
    format!("{}%", round2(p))
}

#[expect(clippy::cast_precision_loss, reason = "counts of cases are small")]
fn share(weight: u32, good: usize, total: usize) -> f64 {
    if total == 0 {
        f64::from(weight)
    } else {
        f64::from(weight) * good as f64 / total as f64
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts of cases are small")]
fn deduct(weight: u32, per: f64, count: usize) -> f64 {
    (f64::from(weight) - per * count as f64).max(0.0)
}

fn late_of(due: &[DueFact]) -> Vec<i64> {
    due.iter().filter(|d| !d.in_time()).map(|d| d.id).collect()
}

/// The figure of one indicator from one department's facts (`manual`: its hand score).
pub fn score(ind: &Indicator, f: &Facts, manual: Option<&ManualScore>) -> Figure {
    let (raw, basis, refers_to, ids, problem): (
        f64,
        String,
        &'static str,
        Vec<i64>,
        Option<String>,
    ) = match ind.kind {
        IndicatorKind::OnTime => {
            let n = f.replied.len();
            let late = f.late.len();
            let basis = format!(
                "本期答复{n}件，按期{}件，按期答复率{}",
                n - late.min(n),
                pct(n - late.min(n), n)
            );
            let problem = (late > 0).then(|| {
                format!(
                    "逾期答复{late}件（本期答复{n}件，按期答复率{}）。",
                    pct(n - late.min(n), n)
                )
            });
            (
                share(ind.weight, n - late.min(n), n),
                basis,
                "case",
                f.late.clone(),
                problem,
            )
        }
        IndicatorKind::Findings => {
            let errors = f.findings.iter().filter(|x| x.error).count();
            let warnings = f.findings.len() - errors;
            let deduction = ind.per_error * errors as f64 + ind.per_warning * warnings as f64;
            let basis = format!(
                "答复书问题{}处（错误{errors}处×{}分，提示{warnings}处×{}分）",
                f.findings.len(),
                ind.per_error,
                ind.per_warning
            );
            let mut by_code: std::collections::BTreeMap<&str, usize> = Default::default();
            for x in &f.findings {
                *by_code.entry(x.code.as_str()).or_default() += 1;
            }
            let problem = (!f.findings.is_empty()).then(|| {
                let list = by_code
                    .iter()
                    .map(|(c, n)| format!("{}{n}处", codes::label(c)))
                    .collect::<Vec<_>>()
                    .join("、");
                format!("答复书不规范{}处：{list}。", f.findings.len())
            });
            let mut ids: Vec<i64> = f.findings.iter().map(|x| x.case_id).collect();
            ids.sort_unstable();
            ids.dedup();
            (
                (f64::from(ind.weight) - deduction).max(0.0),
                basis,
                "case",
                ids,
                problem,
            )
        }
        IndicatorKind::Extensions => {
            let n = f.extensions.len();
            let basis = format!("本期批准延期{n}件，每件扣{}分", ind.per_item);
            let problem =
                (n > 0 && ind.per_item > 0.0).then(|| format!("延期答复{n}件，应提高办理效率。"));
            (
                deduct(ind.weight, ind.per_item, n),
                basis,
                "case",
                f.extensions.clone(),
                problem,
            )
        }
        IndicatorKind::Corrected => {
            let n = f.remedies_decided.len();
            let c = f.corrected.len();
            let basis = format!(
                "本期复议、诉讼结案{n}件，被纠错{c}件，被纠错率{}",
                pct(c, n)
            );
            let problem = (c > 0).then(|| {
                format!(
                    "答复被行政复议或行政诉讼纠错{c}件（本期结案{n}件），应对照纠错理由改进答复。"
                )
            });
            (
                share(ind.weight, n - c.min(n), n),
                basis,
                "case",
                f.corrected.clone(),
                problem,
            )
        }
        IndicatorKind::Orders => {
            let n = f.orders.len();
            let late = late_of(&f.orders);
            let basis = format!("本期到期督办事项{n}件，按期反馈{}件", n - late.len());
            let problem =
                (!late.is_empty()).then(|| format!("督办事项未按期反馈{}件。", late.len()));
            (
                share(ind.weight, n - late.len(), n),
                basis,
                "order",
                late,
                problem,
            )
        }
        IndicatorKind::Rectification => {
            let n = f.items.len();
            let late = late_of(&f.items);
            let basis = format!("本期到期整改事项{n}件，按期完成{}件", n - late.len());
            let problem = (!late.is_empty())
                .then(|| format!("上期通报的整改事项未按期完成{}件。", late.len()));
            (
                share(ind.weight, n - late.len(), n),
                basis,
                "item",
                late,
                problem,
            )
        }
        IndicatorKind::CampaignScore => {
            let graded: Vec<&CampaignFact> = f.campaigns.iter().filter(|c| c.max > 0).collect();
            let got: u64 = graded.iter().map(|c| c.score).sum();
            let of: u64 = graded.iter().map(|c| c.max).sum();
            let ids = f.campaigns.iter().map(|c| c.target_id).collect();
            if of == 0 {
                // Like every other indicator with nothing to count: the full weight.
                (
                    f64::from(ind.weight),
                    "本期没有关联本单位的模拟用户实测评估对象（不适用），按满分计".to_owned(),
                    "audit_target",
                    ids,
                    None,
                )
            } else {
                let rate = pct(
                    usize::try_from(got).unwrap_or(usize::MAX),
                    usize::try_from(of).unwrap_or(usize::MAX),
                );
                let basis = format!(
                    "本期模拟用户实测评估对象{}个，合计得分{got}/{of}，得分率{rate}",
                    graded.len()
                );
                let problem = (got < of).then(|| {
                    let each = graded
                        .iter()
                        .map(|c| format!("{}“{}”得{}/{}分", c.campaign, c.target, c.score, c.max))
                        .collect::<Vec<_>>()
                        .join("，");
                    format!("模拟用户实测得分率{rate}（{each}），应对照评估发现的问题改进。")
                });
                #[expect(clippy::cast_precision_loss, reason = "campaign points are small")]
                let raw = f64::from(ind.weight) * got as f64 / of as f64;
                (raw, basis, "audit_target", ids, problem)
            }
        }
        IndicatorKind::Manual => match manual {
            Some(m) => {
                let problem = (m.score < f64::from(ind.max) && !m.note.trim().is_empty())
                    .then(|| format!("{}：{}。", ind.name, m.note.trim().trim_end_matches('。')));
                (
                    m.score,
                    format!("人工评分：{}", m.note),
                    "case",
                    Vec::new(),
                    problem,
                )
            }
            None => (0.0, "尚未评分".to_owned(), "case", Vec::new(), None),
        },
    };
    Figure {
        key: ind.key.clone(),
        name: ind.name.clone(),
        kind: ind.kind,
        score: round2(raw.clamp(0.0, f64::from(ind.max))),
        max: ind.max,
        basis,
        refers_to: refers_to.to_owned(),
        ids,
        problem,
        campaign_targets: if ind.kind == IndicatorKind::CampaignScore {
            f.campaigns.clone()
        } else {
            Vec::new()
        },
    }
}

/// One department's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeptResult {
    pub department_id: i64,
    pub department: String,
    pub figures: Vec<Figure>,
    pub total: f64,
    pub max_total: u32,
    /// 得分率 in percent, two decimals.
    pub rate: f64,
    pub rank: usize,
    /// 需要完善的事项.
    pub problems: Vec<String>,
}

/// Scores every department, ranks them by 得分率 (ties share the better rank: 1, 1, 3) and
/// keeps the order: best first, then by name.
pub fn assess(
    scheme: &[Indicator],
    departments: Vec<(i64, String, Facts)>,
    manual: &dyn Fn(i64, &str) -> Option<ManualScore>,
) -> Vec<DeptResult> {
    let max_total: u32 = scheme.iter().map(|i| i.max).sum();
    let mut out: Vec<DeptResult> = departments
        .into_iter()
        .map(|(id, name, facts)| {
            let figures: Vec<Figure> = scheme
                .iter()
                .map(|ind| score(ind, &facts, manual(id, &ind.key).as_ref()))
                .collect();
            let total = round2(figures.iter().map(|f| f.score).sum());
            let rate = if max_total == 0 {
                0.0
            } else {
                round2(total * 100.0 / f64::from(max_total))
            };
            DeptResult {
                department_id: id,
                department: name,
                problems: figures.iter().filter_map(|f| f.problem.clone()).collect(),
                figures,
                total,
                max_total,
                rate,
                rank: 0,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.rate
            .total_cmp(&a.rate)
            .then_with(|| a.department.cmp(&b.department))
    });
    let mut previous: Option<f64> = None;
    let mut rank = 0;
    for (i, r) in out.iter_mut().enumerate() {
        if previous != Some(r.rate) {
            rank = i + 1;
            previous = Some(r.rate);
        }
        r.rank = rank;
    }
    out
}

text_enum!(
    /// Where a rectification item stands.
    ItemStatus {
        Open => "open",
        Done => "done",
        Returned => "returned",
        Closed => "closed",
    }
);

text_enum!(
    /// What can be done to a rectification item.
    ItemStep { Done => "done", Return => "return", Close => "close" }
);

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "待整改",
            ItemStatus::Done => "已整改待销号",
            ItemStatus::Returned => "退回重改",
            ItemStatus::Closed => "已销号",
        }
    }

    /// The state after `step`, if the step is allowed now.
    pub fn after(self, step: ItemStep) -> Option<ItemStatus> {
        match (self, step) {
            (ItemStatus::Open | ItemStatus::Returned, ItemStep::Done) => Some(ItemStatus::Done),
            (ItemStatus::Done, ItemStep::Return) => Some(ItemStatus::Returned),
            (ItemStatus::Done, ItemStep::Close) => Some(ItemStatus::Closed),
            _ => None,
        }
    }

    /// Still owes the department's work.
    pub fn awaits_department(self) -> bool {
        matches!(self, ItemStatus::Open | ItemStatus::Returned)
    }
}

impl ItemStep {
    pub fn label(self) -> &'static str {
        match self {
            ItemStep::Done => "报送整改情况",
            ItemStep::Return => "退回",
            ItemStep::Close => "销号",
        }
    }
}

/// An item is overdue while the department still owes it and its due date has passed.
pub fn item_overdue(status: ItemStatus, due_on: NaiveDate, as_of: NaiveDate) -> bool {
    status.awaits_department() && as_of > due_on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn scheme() -> Vec<Indicator> {
        let mut s = default_scheme();
        s.push(Indicator {
            key: "training".into(),
            kind: IndicatorKind::Manual,
            name: "培训".into(),
            weight: 10,
            max: 10,
            per_error: 0.0,
            per_warning: 0.0,
            per_item: 0.0,
        });
        s
    }

    #[test]
    fn points_read_as_written() {
        assert_eq!(
            [points(40.0), points(33.333), points(99.5), points(0.0)],
            ["40", "33.33", "99.5", "0"]
        );
    }

    #[test]
    fn quarters_and_years() {
        assert_eq!(
            period_dates(PeriodKind::Quarter, 2026, Some(3)),
            Some((d("2026-07-01"), d("2026-09-30")))
        );
        assert_eq!(
            period_dates(PeriodKind::Quarter, 2026, Some(4)),
            Some((d("2026-10-01"), d("2026-12-31")))
        );
        assert_eq!(period_dates(PeriodKind::Quarter, 2026, Some(5)), None);
        assert_eq!(
            period_label(PeriodKind::Quarter, d("2026-07-01")),
            "2026年第三季度"
        );
        assert_eq!(period_label(PeriodKind::Year, d("2026-01-01")), "2026年度");
    }

    #[test]
    fn each_formula_by_hand() {
        let f = Facts {
            replied: vec![1, 2, 3, 4],
            late: vec![4],
            findings: vec![
                FindingFact {
                    case_id: 1,
                    code: "seal_missing".into(),
                    error: true,
                },
                FindingFact {
                    case_id: 2,
                    code: "remedy_missing".into(),
                    error: false,
                },
            ],
            extensions: vec![3],
            remedies_decided: vec![1, 2],
            corrected: vec![2],
            orders: vec![
                DueFact {
                    id: 7,
                    due_on: d("2026-08-01"),
                    done_on: Some(d("2026-08-01")),
                },
                DueFact {
                    id: 8,
                    due_on: d("2026-08-01"),
                    done_on: Some(d("2026-08-03")),
                },
            ],
            items: vec![DueFact {
                id: 9,
                due_on: d("2026-08-01"),
                done_on: None,
            }],
            campaigns: Vec::new(),
        };
        let s = scheme();
        let by = |k: &str| s.iter().find(|i| i.key == k).unwrap();
        // 40 × 3/4
        assert_eq!(score(by("on_time"), &f, None).score, 30.0);
        // 20 − 5 − 2
        let fig = score(by("findings"), &f, None);
        assert_eq!(fig.score, 13.0);
        let problem = fig.problem.unwrap();
        assert!(problem.starts_with("答复书不规范2处："), "{problem}");
        assert!(problem.contains("未加盖印章1处"), "{problem}");
        // 10 − 2
        assert_eq!(score(by("extensions"), &f, None).score, 8.0);
        // 10 × (1 − 1/2)
        assert_eq!(score(by("corrected"), &f, None).score, 5.0);
        // 10 × 1/2; the late order is the one behind the figure
        let o = score(by("orders"), &f, None);
        assert_eq!((o.score, o.ids.clone()), (5.0, vec![8]));
        assert_eq!(score(by("rectification"), &f, None).score, 0.0);
        let m = ManualScore {
            score: 12.0,
            note: "x".into(),
        };
        assert_eq!(
            score(by("training"), &f, Some(&m)).score,
            10.0,
            "capped at the maximum"
        );
        assert_eq!(score(by("training"), &f, None).score, 0.0);
    }

    fn campaign(target_id: i64, score: u64, max: u64) -> CampaignFact {
        CampaignFact {
            campaign_id: 1,
            campaign: "实测".into(),
            cutoff_on: d("2026-09-30"),
            target_id,
            target: format!("单位{target_id}"),
            score,
            max,
            provisional: false,
        }
    }

    #[test]
    fn campaign_score_pools_the_linked_targets() {
        let ind = Indicator {
            key: "audit".into(),
            kind: IndicatorKind::CampaignScore,
            name: "模拟用户实测得分率".into(),
            weight: 20,
            max: 20,
            per_error: 0.0,
            per_warning: 0.0,
            per_item: 0.0,
        };
        // Two units, 9/13 and 3/13, and one with nothing graded: 20 × 12 / 26.
        let f = Facts {
            campaigns: vec![campaign(4, 9, 13), campaign(5, 3, 13), campaign(6, 0, 0)],
            ..Facts::default()
        };
        let fig = score(&ind, &f, None);
        assert_eq!(fig.score, 9.23);
        assert_eq!(
            (fig.refers_to.as_str(), fig.ids.clone()),
            ("audit_target", vec![4, 5, 6])
        );
        assert_eq!(fig.campaign_targets.len(), 3);
        assert!(fig.problem.unwrap().contains("实测“单位4”得9/13分"));
        // No linked unit: not applicable, the full weight like every indicator without facts.
        let none = score(&ind, &Facts::default(), None);
        assert_eq!((none.score, none.problem), (20.0, None));
        assert!(none.basis.contains("不适用"), "{}", none.basis);
        // Full marks: no problem listed.
        let full = Facts {
            campaigns: vec![campaign(4, 13, 13)],
            ..Facts::default()
        };
        assert_eq!(score(&ind, &full, None).problem, None);
    }

    #[test]
    fn nothing_to_count_scores_full() {
        let s = default_scheme();
        let r = assess(&s, vec![(1, "甲".into(), Facts::default())], &|_, _| None);
        assert_eq!((r[0].total, r[0].rate, r[0].rank), (100.0, 100.0, 1));
        assert!(r[0].problems.is_empty());
    }

    #[test]
    fn ties_share_a_rank() {
        let s = default_scheme();
        let late = Facts {
            replied: vec![1, 2],
            late: vec![1],
            ..Facts::default()
        };
        let r = assess(
            &s,
            vec![
                (1, "丙".into(), late.clone()),
                (2, "甲".into(), Facts::default()),
                (3, "乙".into(), late),
            ],
            &|_, _| None,
        );
        let ranks: Vec<(&str, usize, f64)> = r
            .iter()
            .map(|x| (x.department.as_str(), x.rank, x.total))
            .collect();
        assert_eq!(
            ranks,
            vec![("甲", 1, 100.0), ("丙", 2, 80.0), ("乙", 2, 80.0)]
        );
    }

    #[test]
    fn scheme_checks() {
        assert!(check_scheme(&default_scheme()).is_ok());
        let mut s = default_scheme();
        s[1].key = "on_time".into();
        s[2].weight = 0;
        let e = check_scheme(&s).unwrap_err();
        assert!(!e.is_empty());
    }

    #[test]
    fn item_steps() {
        assert_eq!(
            ItemStatus::Open.after(ItemStep::Done),
            Some(ItemStatus::Done)
        );
        assert_eq!(ItemStatus::Open.after(ItemStep::Close), None);
        assert_eq!(
            ItemStatus::Done.after(ItemStep::Return),
            Some(ItemStatus::Returned)
        );
        assert_eq!(
            ItemStatus::Returned.after(ItemStep::Done),
            Some(ItemStatus::Done)
        );
        assert!(item_overdue(
            ItemStatus::Returned,
            d("2026-08-01"),
            d("2026-08-02")
        ));
        assert!(!item_overdue(
            ItemStatus::Done,
            d("2026-08-01"),
            d("2026-08-02")
        ));
    }
}

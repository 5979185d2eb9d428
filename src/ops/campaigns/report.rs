//! The campaign report (seed 000 (五)2–3 and 四(四)), as of the cut-off or today while it is
//! ahead, and its workbook: one sheet per table, Chinese headers, rates as percentages.

use chrono::NaiveDate;
use serde::Serialize;

use super::ROLES;
use super::view::load;
use crate::auth::Actor;
use crate::domain::campaign::{self, CampaignReport};
use crate::ops::{Ctx, OpResult, require};
use crate::report::tabular::{Cell, Table};

#[derive(Debug, Serialize)]
pub struct ReportView {
    /// The campaign (named `audit` in the API's JSON).
    pub audit: ReportCampaign,
    /// The date the statuses are judged as of: the cut-off, or today while it is ahead.
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub report: CampaignReport,
}

#[derive(Debug, Serialize)]
pub struct ReportCampaign {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub cutoff_on: NaiveDate,
}

/// The report of one campaign, from one snapshot of its facts.
pub fn report(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<ReportView> {
    require(actor, ROLES)?;
    let today = ctx.today();
    ctx.snapshot(|c| {
        let calendars = ctx.calendars(c)?;
        let loaded = load(c, &calendars, id, today)?;
        Ok(ReportView {
            audit: ReportCampaign {
                id: loaded.row.id,
                name: loaded.row.name.clone(),
                region: loaded.row.region.clone(),
                cutoff_on: loaded.row.cutoff_on,
            },
            as_of: loaded.as_of,
            report: loaded.report()?,
        })
    })
}

fn count(n: usize) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn category_label(category: &str) -> String {
    if category == campaign::ALL {
        "全部类别".to_owned()
    } else {
        category.to_owned()
    }
}

/// The workbook: one sheet per table of the report, Chinese headers, rates as percentages.
pub fn workbook(r: &CampaignReport) -> Vec<Table> {
    let mut groups = Table::new(
        "分组统计",
        &[
            "渠道",
            "单位类别",
            "信函数",
            "签收数",
            "答复数",
            "按时答复",
            "超期答复",
            "未答复",
            "待定",
            "缺少文号",
            "未加盖公章",
            "未告知法律依据及具体条款",
            "未告知救济渠道",
            "救济途径未列明机关或法院",
            "签收率",
            "答复率",
        ],
    );
    for g in &r.groups {
        groups.rows.push(vec![
            g.channel.label().into(),
            category_label(&g.category).into(),
            count(g.letters),
            count(g.signed),
            count(g.replied),
            count(g.on_time),
            count(g.late),
            count(g.no_reply),
            count(g.pending),
            count(g.missing_doc_number),
            count(g.unsealed),
            count(g.no_legal_basis),
            count(g.no_remedy),
            count(g.remedy_without_detail),
            Cell::Rate(g.sign_rate),
            Cell::Rate(g.on_time_rate),
        ]);
    }
    let mut phone = Table::new(
        "电话核查",
        &["单位类别", "核查单位数", "接通", "未接通", "接通率"],
    );
    for p in &r.phone.by_category {
        phone.rows.push(vec![
            p.category.clone().into(),
            count(p.total),
            count(p.connected),
            count(p.not_connected),
            Cell::Rate(p.rate),
        ]);
    }
    phone.rows.push(vec![
        "全部类别".into(),
        count(r.phone.total),
        count(r.phone.connected),
        count(r.phone.not_connected),
        Cell::Rate(r.phone.rate),
    ]);
    let mut targets = Table::new(
        "单位得分",
        &[
            "单位",
            "单位类别",
            "得分",
            "满分",
            "得分率",
            "是否合格",
            "电话接通",
            "尚有未到期信函",
        ],
    );
    let yes_no = |b: Option<bool>| -> Cell {
        match b {
            Some(true) => "是".into(),
            Some(false) => "否".into(),
            None => "".into(),
        }
    };
    for t in &r.targets {
        targets.rows.push(vec![
            t.name.clone().into(),
            t.category.clone().into(),
            Cell::Int(i64::try_from(t.score).unwrap_or(i64::MAX)),
            Cell::Int(i64::try_from(t.max).unwrap_or(i64::MAX)),
            Cell::Rate(t.score_rate),
            yes_no(t.passed),
            yes_no(t.phone_connected),
            yes_no(Some(t.provisional)),
        ]);
    }
    let mut pass = Table::new(
        "合格率",
        &[
            "单位类别",
            "单位数",
            "参评单位数",
            "合格单位数",
            "合格率",
            "平均得分率",
        ],
    );
    for p in &r.pass_rates {
        pass.rows.push(vec![
            category_label(&p.category).into(),
            count(p.targets),
            count(p.graded),
            count(p.passed),
            Cell::Rate(p.pass_rate),
            Cell::Rate(p.mean_score_rate),
        ]);
    }
    let mut letters = Table::new(
        "信函明细",
        &[
            "单位",
            "单位类别",
            "渠道",
            "签收日期",
            "答复期限",
            "答复情况",
            "答复发出日期",
            "逾期天数",
            "问题",
        ],
    );
    for l in &r.letters {
        letters.rows.push(vec![
            l.target_name.clone().into(),
            l.category.clone().into(),
            l.channel.label().into(),
            l.signed_on.into(),
            l.due_on.into(),
            l.grade.status.label().into(),
            l.grade.dispatched_on.into(),
            l.grade
                .late_by_days
                .map_or_else(|| Cell::Text(String::new()), Cell::Int),
            l.grade
                .defects
                .iter()
                .map(|d| d.label())
                .collect::<Vec<_>>()
                .join("；")
                .into(),
        ]);
    }
    let mut lists = Table::new("问题清单", &["问题", "单位", "单位类别", "渠道"]);
    let named = [
        ("未答复", &r.lists.no_reply),
        ("超期答复", &r.lists.late),
        ("待定", &r.lists.pending),
        ("答复书缺少文号", &r.lists.missing_doc_number),
        ("答复书没有加盖公章", &r.lists.unsealed),
        ("未告知法律依据及具体条款", &r.lists.no_legal_basis),
        ("未告知救济渠道", &r.lists.no_remedy),
        (
            "救济途径未列明复议机关或受理法院",
            &r.lists.remedy_without_detail,
        ),
    ];
    for (label, refs) in named {
        for l in refs {
            lists.rows.push(vec![
                label.into(),
                l.target_name.clone().into(),
                l.category.clone().into(),
                l.channel.label().into(),
            ]);
        }
    }
    for t in &r.lists.phone_not_connected {
        lists.rows.push(vec![
            "电话无法接通".into(),
            t.name.clone().into(),
            t.category.clone().into(),
            "".into(),
        ]);
    }
    vec![groups, phone, targets, pass, letters, lists]
}

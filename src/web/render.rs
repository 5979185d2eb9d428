//! The page templates (`templates/web/`, embedded in the binary) and the filters they use:
//! dates as `2026-12-04（周五）`, working days left in words, the labels of stored codes.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};

use crate::auth::Role;
use crate::domain::calendar::weekday_zh;
use minijinja::{Environment, Value};

use super::error::WebError;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/web/base.html")),
    (
        "library.html",
        include_str!("../../templates/web/library.html"),
    ),
    (
        "library_entry.html",
        include_str!("../../templates/web/library_entry.html"),
    ),
    ("login.html", include_str!("../../templates/web/login.html")),
    ("desk.html", include_str!("../../templates/web/desk.html")),
    (
        "_desk_line.html",
        include_str!("../../templates/web/_desk_line.html"),
    ),
    (
        "supervision.html",
        include_str!("../../templates/web/supervision.html"),
    ),
    (
        "overdue.html",
        include_str!("../../templates/web/overdue.html"),
    ),
    (
        "annual.html",
        include_str!("../../templates/web/annual.html"),
    ),
    (
        "annual_cell.html",
        include_str!("../../templates/web/annual_cell.html"),
    ),
    (
        "compliance.html",
        include_str!("../../templates/web/compliance.html"),
    ),
    (
        "orders.html",
        include_str!("../../templates/web/orders.html"),
    ),
    (
        "order_new.html",
        include_str!("../../templates/web/order_new.html"),
    ),
    ("order.html", include_str!("../../templates/web/order.html")),
    (
        "assessments.html",
        include_str!("../../templates/web/assessments.html"),
    ),
    (
        "assessment.html",
        include_str!("../../templates/web/assessment.html"),
    ),
    (
        "assessment_notice.html",
        include_str!("../../templates/web/assessment_notice.html"),
    ),
    (
        "rectifications.html",
        include_str!("../../templates/web/rectifications.html"),
    ),
    (
        "rectification.html",
        include_str!("../../templates/web/rectification.html"),
    ),
    (
        "approvals.html",
        include_str!("../../templates/web/approvals.html"),
    ),
    (
        "intake.html",
        include_str!("../../templates/web/intake.html"),
    ),
    (
        "_preview.html",
        include_str!("../../templates/web/_preview.html"),
    ),
    ("case.html", include_str!("../../templates/web/case.html")),
    ("reply.html", include_str!("../../templates/web/reply.html")),
    (
        "review.html",
        include_str!("../../templates/web/review.html"),
    ),
    (
        "reviews.html",
        include_str!("../../templates/web/reviews.html"),
    ),
    (
        "_findings.html",
        include_str!("../../templates/web/_findings.html"),
    ),
    (
        "print_letter.html",
        include_str!("../../templates/web/print_letter.html"),
    ),
    (
        "notice.html",
        include_str!("../../templates/web/notice.html"),
    ),
    (
        "calendar.html",
        include_str!("../../templates/web/calendar.html"),
    ),
    (
        "search.html",
        include_str!("../../templates/web/search.html"),
    ),
    (
        "password.html",
        include_str!("../../templates/web/password.html"),
    ),
    ("error.html", include_str!("../../templates/web/error.html")),
    (
        "apply_base.html",
        include_str!("../../templates/web/apply_base.html"),
    ),
    (
        "apply_index.html",
        include_str!("../../templates/web/apply_index.html"),
    ),
    (
        "apply_form.html",
        include_str!("../../templates/web/apply_form.html"),
    ),
    (
        "apply_done.html",
        include_str!("../../templates/web/apply_done.html"),
    ),
    (
        "apply_status.html",
        include_str!("../../templates/web/apply_status.html"),
    ),
    (
        "apply_error.html",
        include_str!("../../templates/web/apply_error.html"),
    ),
    (
        "apply_guide.html",
        include_str!("../../templates/web/apply_guide.html"),
    ),
    (
        "audits.html",
        include_str!("../../templates/web/audits.html"),
    ),
    ("audit.html", include_str!("../../templates/web/audit.html")),
    (
        "audit_report.html",
        include_str!("../../templates/web/audit_report.html"),
    ),
    (
        "audit_target.html",
        include_str!("../../templates/web/audit_target.html"),
    ),
    (
        "admin_departments.html",
        include_str!("../../templates/web/admin_departments.html"),
    ),
    (
        "admin_users.html",
        include_str!("../../templates/web/admin_users.html"),
    ),
    (
        "admin_user.html",
        include_str!("../../templates/web/admin_user.html"),
    ),
    (
        "admin_calendars.html",
        include_str!("../../templates/web/admin_calendars.html"),
    ),
    (
        "admin_calendar_preview.html",
        include_str!("../../templates/web/admin_calendar_preview.html"),
    ),
    (
        "admin_outbox.html",
        include_str!("../../templates/web/admin_outbox.html"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            // A broken template is a build defect: the page test fails on it.
            tracing::error!(template = name, error = %e, "template does not parse");
        }
    }
    env.add_filter("cn_date", cn_date);
    env.add_filter("short", short);
    env.add_filter("finding_label", |code: String| {
        crate::domain::compliance::codes::label(&code).to_owned()
    });
    env.add_filter("cn_long_date", cn_long_date);
    env.add_filter("cn_datetime", cn_datetime);
    env.add_filter("days_left", days_left);
    env.add_filter("status_label", status_label);
    env.add_filter("channel_label", channel_label);
    env.add_filter("applicant_label", applicant_label);
    env.add_filter("event_label", event_label);
    env.add_filter("attachment_label", attachment_label);
    env.add_filter("percent", percent);
    env.add_filter("points", |x: f64| crate::domain::assessment::points(x));
    env.add_filter("yuan", |fen: i64| crate::domain::fee::yuan(fen));
    env.add_function("menu", menu);
    env
});

/// A group of the main menu: its caption, who sees it, its pages as (nav key, path, label).
struct MenuGroup {
    label: &'static str,
    roles: &'static [Role],
    links: &'static [(&'static str, &'static str, &'static str)],
}

/// The main menu, grouped so that an administrator's dozen pages fit one row at 1366 px.
const MENU: &[MenuGroup] = &[
    MenuGroup {
        label: "办件",
        roles: &[Role::Clerk, Role::Supervisor, Role::Admin],
        links: &[
            ("desk", "/", "工作台"),
            ("intake", "/cases/new", "登记申请"),
            ("search", "/cases", "查询"),
            ("orders", "/orders", "督办事项"),
            ("reviews", "/reviews", "待审核"),
            ("library", "/library", "案例库"),
        ],
    },
    MenuGroup {
        label: "监督",
        roles: &[Role::Supervisor, Role::Admin],
        links: &[
            ("supervision", "/supervision", "督办"),
            ("approvals", "/approvals", "延期审批"),
            ("compliance", "/supervision/compliance", "答复合规"),
            ("annual", "/reports/annual", "年度报告"),
            ("assessments", "/assessments", "考核通报"),
        ],
    },
    MenuGroup {
        label: "测评",
        roles: &[Role::Auditor, Role::Admin],
        links: &[("audits", "/audits", "模拟用户实测")],
    },
    MenuGroup {
        label: "管理",
        roles: &[Role::Admin],
        links: &[
            ("admin_departments", "/admin/departments", "机关"),
            ("admin_users", "/admin/users", "用户"),
            ("admin_calendars", "/admin/calendars", "节假日"),
            ("admin_outbox", "/admin/outbox", "邮件"),
        ],
    },
];

/// The menu groups a role sees, the current page (`nav`) and its group marked `on`.
fn menu(role: String, nav: Option<String>) -> Value {
    let role = Role::parse(&role);
    let nav = nav.unwrap_or_default();
    let groups: Vec<serde_json::Value> = MENU
        .iter()
        .filter(|g| role.is_some_and(|r| g.roles.contains(&r)))
        .map(|g| {
            let links: Vec<serde_json::Value> = g
                .links
                .iter()
                .map(|(key, href, label)| {
                    serde_json::json!({"href": href, "label": label, "on": *key == nav})
                })
                .collect();
            let on = g.links.iter().any(|(key, _, _)| *key == nav);
            serde_json::json!({"label": g.label, "on": on, "links": links})
        })
        .collect();
    Value::from_serialize(groups)
}

/// Renders a page template with its context.
pub fn render(name: &str, ctx: Value) -> Result<String, WebError> {
    let tmpl = ENV
        .get_template(name)
        .map_err(|e| WebError::Internal(format!("template {name}: {e}")))?;
    tmpl.render(ctx)
        .map_err(|e| WebError::Internal(format!("template {name}: {e:#}")))
}

fn parse(v: &Value) -> Option<NaiveDate> {
    v.as_str()
        .and_then(|s| s.get(..10))
        .and_then(|s| s.parse().ok())
}

/// `2026-12-04（周五）`; empty for no date.
pub fn cn_date(v: Value) -> String {
    parse(&v).map_or_else(String::new, |d| {
        format!("{d}（{}）", weekday_zh(d.weekday()))
    })
}

/// `2026-12-04（周五）10:30` from a local `2026-12-04T10:30:00` (a bare date: no time).
pub fn cn_datetime(v: Value) -> String {
    let time = v
        .as_str()
        .and_then(|s| s.get(11..16))
        .unwrap_or_default()
        .to_owned();
    format!("{}{time}", cn_date(v))
}

/// `2026年12月4日`, as on a letter (GB/T 9704: Arabic numerals, no padding).
pub fn cn_long_date(v: Value) -> String {
    parse(&v).map_or_else(String::new, |d| {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    })
}

/// Working days left in words: `剩余 3 个工作日`, `今天到期`, `已逾期 2 个工作日`.
pub fn days_left(v: Value) -> String {
    match v.as_i64() {
        None => String::new(),
        Some(0) => "今天到期".into(),
        Some(n) if n > 0 => format!("剩余 {n} 个工作日"),
        Some(n) => format!("已逾期 {} 个工作日", -n),
    }
}

pub fn status_label(v: Value) -> &'static str {
    match v.as_str().unwrap_or_default() {
        "received" => "已收到",
        "awaiting_correction" => "待补正",
        "in_progress" => "办理中",
        "paused" => "中止计时",
        "replied" => "已答复",
        "closed" => "已终结",
        _ => "",
    }
}

pub fn channel_label(v: Value) -> &'static str {
    match v.as_str().unwrap_or_default() {
        "in_person" => "当面提交",
        "registered_mail" => "挂号信/EMS",
        "ordinary_mail" => "平信",
        "online" => "网上申请",
        "fax" => "传真",
        "email" => "电子邮件",
        _ => "",
    }
}

pub fn applicant_label(v: Value) -> &'static str {
    match v.as_str().unwrap_or_default() {
        "natural_person" => "自然人",
        "commercial" => "商业企业",
        "research" => "科研机构",
        "public_interest" => "社会公益组织",
        "legal_service" => "法律服务机构",
        "other_org" => "其他",
        _ => "",
    }
}

pub fn attachment_label(v: Value) -> &'static str {
    let k = v.as_str().unwrap_or_default();
    crate::ops::case_files::ATTACHMENT_KINDS
        .iter()
        .find(|(key, _)| *key == k)
        .map_or("其他", |(_, label)| label)
}

/// A rate in [0, 1] as a percentage with two decimals (`82.46%`); `—` for none.
pub fn percent(v: Value) -> String {
    match f64::try_from(v) {
        Ok(r) => format!("{:.2}%", r * 100.0),
        Err(_) => "—".to_owned(),
    }
}

/// At most `n` characters, the cut marked with "…" (chart labels have a fixed width).
pub fn short(v: String, n: i64) -> String {
    let n = usize::try_from(n.max(1)).unwrap_or(1);
    if v.chars().count() <= n {
        v
    } else {
        v.chars().take(n - 1).chain(['…']).collect()
    }
}

pub fn event_label(v: Value) -> &'static str {
    match v.as_str().unwrap_or_default() {
        "receipt_confirmed" => "确认收到申请",
        "assigned" => "指定承办人",
        "correction_requested" => "发出补正告知",
        "correction_received" => "收到补正",
        "correction_lapsed" => "补正期满未补正（视为放弃）",
        "consultation_started" => "征求意见",
        "consultation_ended" => "征求意见结束",
        "extension_requested" => "申请延期",
        "extension_granted" => "批准延期并告知申请人",
        "extension_refused" => "不批准延期（期限不变）",
        "fee_assessed" => "登记收费件数或页数",
        "fee_notice_issued" => "发出收费通知",
        "fee_notice_delivered" => "申请人收到收费通知",
        "fee_paid" => "申请人缴费",
        "fee_lapsed" => "逾期未缴费（视为放弃）",
        "custom_due_date" => "另行确定答复期限",
        "withdrawn" => "申请人撤回",
        "reopened" => "重新办理",
        "replied" => "答复",
        "attachment" => "附件",
        _ => "事件",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name} does not parse");
        }
    }

    #[test]
    fn each_role_sees_its_menu_groups() {
        let labels = |role: &str| -> Vec<String> {
            let groups: serde_json::Value =
                serde_json::to_value(menu(role.into(), Some("approvals".into())))
                    .unwrap_or_default();
            groups
                .as_array()
                .map(|g| g.iter().map(|g| g["label"].to_string()).collect())
                .unwrap_or_default()
        };
        assert_eq!(labels("clerk"), ["\"办件\""]);
        assert_eq!(labels("supervisor"), ["\"办件\"", "\"监督\""]);
        assert_eq!(labels("auditor"), ["\"测评\""]);
        assert_eq!(labels("admin").len(), 4);
        assert!(labels("nobody").is_empty());
        let admin: serde_json::Value =
            serde_json::to_value(menu("admin".into(), Some("approvals".into())))
                .unwrap_or_default();
        assert_eq!(admin[1]["on"], true);
        assert_eq!(admin[1]["links"][1]["on"], true);
        assert_eq!(admin[0]["on"], false);
    }

    #[test]
    fn dates_and_days_read_as_on_paper() {
        assert_eq!(cn_date(Value::from("2026-12-04")), "2026-12-04（周五）");
        assert_eq!(cn_long_date(Value::from("2026-01-05")), "2026年1月5日");
        assert_eq!(
            cn_datetime(Value::from("2026-12-04T10:30:00")),
            "2026-12-04（周五）10:30"
        );
        assert_eq!(days_left(Value::from(-2)), "已逾期 2 个工作日");
        assert_eq!(days_left(Value::from(0)), "今天到期");
        assert_eq!(days_left(Value::from(3)), "剩余 3 个工作日");
        assert_eq!(percent(Value::from(0.8246)), "82.46%");
        assert_eq!(percent(Value::from(())), "—");
    }
}

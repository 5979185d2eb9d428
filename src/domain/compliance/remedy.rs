//! 救济途径: whether the reply names reconsideration and litigation, the right organ and court,
//! and the right periods; which organ reviews which reply ([`review_rule`]).

use super::*;

pub(super) fn remedy_missing(ctx: &Ctx) -> Option<Finding> {
    let r = &ctx.reply.remedy;
    (r.reconsideration.is_none() && r.litigation.is_none()).then(|| {
        Finding::error(
            REMEDY_MISSING,
            "答复书未告知救济途径（申请行政复议、提起行政诉讼的权利、机关和期限）",
            SRC_REMEDY,
        )
    })
}

pub(super) fn remedy_reconsideration_organ_missing(ctx: &Ctx) -> Option<Finding> {
    let r = &ctx.reply.remedy;
    match (&r.reconsideration, &r.litigation) {
        (None, None) => None, // remedy_missing
        (None, Some(_)) => Some(Finding::error(
            REMEDY_RECONSIDERATION_ORGAN_MISSING,
            "只告知了提起行政诉讼，未告知申请行政复议的权利及行政复议机关",
            SRC_RECON_ORGAN,
        )),
        (Some(rc), _) if blank(rc.organ.as_deref()) => Some(Finding::error(
            REMEDY_RECONSIDERATION_ORGAN_MISSING,
            "告知了申请行政复议的权利，但未列明行政复议机关",
            SRC_RECON_ORGAN,
        )),
        (Some(rc), _) => (blank(rc.address.as_deref()) && blank(rc.phone.as_deref())).then(|| {
            Finding::warning(
                REMEDY_RECONSIDERATION_ORGAN_MISSING,
                "列明了行政复议机关，但未写明其地址或联系电话",
                SRC_RECON_ORGAN,
            )
        }),
    }
}

pub(super) fn remedy_court_missing(ctx: &Ctx) -> Option<Finding> {
    let r = &ctx.reply.remedy;
    match (&r.reconsideration, &r.litigation) {
        (None, None) => None, // remedy_missing
        (Some(_), None) => Some(Finding::error(
            REMEDY_COURT_MISSING,
            "只告知了申请行政复议，未告知提起行政诉讼的权利及受理法院",
            SRC_COURT,
        )),
        (_, Some(l)) => blank(l.court.as_deref()).then(|| {
            Finding::error(
                REMEDY_COURT_MISSING,
                "告知了提起行政诉讼的权利，但未列明受理的人民法院",
                SRC_COURT,
            )
        }),
    }
}

/// 行政诉讼法 Art. 15(1): a suit against a State Council department or a county-or-higher
/// local people's government is heard by an intermediate court.
pub fn needs_intermediate_court(organ: &Organ) -> bool {
    match organ.kind {
        OrganKind::Government => !matches!(organ.level, OrganLevel::Township),
        OrganKind::Department => matches!(organ.level, OrganLevel::State),
    }
}

/// A basic people's court (基层人民法院): `…区/县/市/旗人民法院` that is not 中级/高级/最高.
/// Special courts (铁路运输法院 …) are not judged by name.
pub fn is_basic_court(name: &str) -> bool {
    let n = norm(name);
    let Some(place) = n.strip_suffix("人民法院") else {
        return false;
    };
    !(place.contains("中级") || place.contains("高级") || place.contains("最高"))
        && ['区', '县', '市', '旗'].iter().any(|c| place.ends_with(*c))
}

/// The configured court when it may be named: designated, or of the level Art. 15 requires.
/// `None` when none is configured or it is a basic court for a suit an intermediate court hears.
pub fn expected_court(organ: &Organ) -> Option<&Court> {
    organ
        .court
        .as_ref()
        .filter(|c| !c.name.trim().is_empty())
        .filter(|c| c.designated || !(needs_intermediate_court(organ) && is_basic_court(&c.name)))
}

/// The level first (行政诉讼法 Art. 15: a county-or-higher government is sued in an
/// intermediate court, unless a designated court is configured); then against the configured
/// court: jurisdiction depends on designated and centralised administrative jurisdiction
/// (e.g. 铁路运输法院), which names alone cannot tell.
pub(super) fn remedy_court_wrong(ctx: &Ctx) -> Option<Finding> {
    let named = ctx.reply.remedy.litigation.as_ref()?.court.as_deref()?;
    if named.trim().is_empty() {
        return None;
    }
    let designated = ctx.organ.court.as_ref().filter(|c| c.designated);
    let named_designated =
        designated.is_some_and(|c| match_name(named, &c.name) == NameMatch::Same);
    if needs_intermediate_court(ctx.organ) && is_basic_court(named) && !named_designated {
        return Some(Finding::error(
            REMEDY_COURT_WRONG,
            format!(
                "对县级以上地方人民政府（或国务院部门）提起的行政诉讼由中级人民法院管辖，告知的“{named}”为基层人民法院"
            ),
            SRC_COURT_LEVEL,
        ));
    }
    let configured = ctx.organ.court.as_ref()?;
    if match_name(named, &configured.name) == NameMatch::Same {
        return None;
    }
    Some(Finding::warning(
        REMEDY_COURT_WRONG,
        format!(
            "告知的受理法院“{named}”与本机关配置的管辖法院“{}”不一致，请核对管辖",
            configured.name
        ),
        SRC_COURT_PLACE,
    ))
}

fn reconsideration_first_in_force(reply: &ReplyDoc) -> bool {
    reply.outcome.needs_reconsideration_first() && under_2023_review_law(reply.issued_on)
}

pub(super) fn remedy_period_wrong(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let r = &reply.remedy;
    let mut errors: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut sources: Vec<&str> = Vec::new();

    if let Some(rc) = &r.reconsideration {
        match rc.period_days {
            Some(d) if d != RECONSIDERATION_DAYS => {
                errors.push(format!("申请行政复议的期限应为六十日，答复书写为{d}日"));
                sources.push(SRC_PERIOD_RECON);
            }
            None => {
                warnings.push("未写明申请行政复议的期限（六十日）".to_owned());
                sources.push(SRC_PERIOD_RECON);
            }
            Some(_) => {}
        }
    }
    if let Some(l) = &r.litigation {
        let first = reconsideration_first_in_force(reply) && r.reconsideration_first == Some(true);
        let months = if on_or_after(reply.issued_on, (2015, 5, 1)) {
            SUIT_MONTHS
        } else {
            3
        };
        if let Some(d) = l
            .period_days
            .filter(|&d| d != SUIT_AFTER_RECONSIDERATION_DAYS || !first)
        {
            let want = if first {
                "对行政复议决定不服的，起诉期限为收到行政复议决定书之日起十五日"
            } else {
                "直接提起行政诉讼的期限为六个月"
            };
            errors.push(format!("{want}，答复书写为{d}日"));
            sources.push(if first {
                SRC_PERIOD_AFTER_RECON
            } else {
                SRC_PERIOD_SUIT
            });
        }
        match l.period_months {
            Some(m) if m != months => {
                errors.push(format!(
                    "直接提起行政诉讼的期限应为{months}个月，答复书写为{m}个月"
                ));
                sources.push(SRC_PERIOD_SUIT);
            }
            // A full refusal under 复议前置 cannot be sued directly; the 6 months misleads.
            Some(_) if first && reply.outcome != Outcome::PartiallyDisclosed => {
                warnings.push(
                    "复议前置的情形不能直接起诉，不宜告知六个月起诉期限；对行政复议决定不服的，应自收到行政复议决定书之日起十五日内起诉"
                        .to_owned(),
                );
                sources.push(SRC_PERIOD_AFTER_RECON);
            }
            None if l.period_days.is_none() => {
                warnings.push("未写明提起行政诉讼的期限".to_owned());
                sources.push(if first {
                    SRC_PERIOD_AFTER_RECON
                } else {
                    SRC_PERIOD_SUIT
                });
            }
            _ => {}
        }
    }
    if errors.is_empty() && warnings.is_empty() {
        return None;
    }
    let mut article: Vec<&str> = Vec::new();
    for src in sources {
        if !article.contains(&src) {
            article.push(src);
        }
    }
    let severity = if errors.is_empty() {
        Severity::Warning
    } else {
        Severity::Error
    };
    errors.extend(warnings);
    Some(Finding {
        code: REMEDY_PERIOD_WRONG,
        severity,
        message: errors.join("；"),
        article: article.join("；"),
    })
}

/// Which organ reviews the replying organ's acts, by the law in force on the issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewRule {
    /// A department of a county-or-higher local government, from 2024: that government
    /// (行政复议法 2023 Art. 24(1)(1)).
    OwnGovernment,
    /// A county, city or township government: the next-higher government (Art. 24(1)(2);
    /// 1999 text Art. 13).
    HigherGovernment,
    /// A province-level government (Art. 24(2)) or a State Council department (Art. 25(1)):
    /// the organ itself.
    Itself,
    /// Vertically managed organs (customs, finance, forex, tax, state security): the
    /// next-higher authority (Art. 27; 1999 text Art. 12(2)).
    VerticalHigher,
    /// A local justice department from 2024: its government or the higher justice department
    /// (Art. 28).
    JusticeEither,
    /// A local department before 2024: the applicant's choice of its government or the
    /// higher department (1999 text Art. 12(1)); either is right.
    ApplicantChoice,
    /// Anything else (e.g. a township-level department): only the configured organ is known.
    ConfiguredOnly,
}

impl ReviewRule {
    fn source(self, issued_on: NaiveDate) -> &'static str {
        let new = under_2023_review_law(issued_on);
        match self {
            ReviewRule::OwnGovernment => "《行政复议法》第二十四条第一款第一项",
            ReviewRule::HigherGovernment if new => "《行政复议法》第二十四条第一款第二项",
            ReviewRule::HigherGovernment => "《行政复议法》（2017年修正）第十三条",
            ReviewRule::Itself if new => "《行政复议法》第二十四条第二款、第二十五条第一项",
            ReviewRule::Itself => "《行政复议法》（2017年修正）第十四条",
            ReviewRule::VerticalHigher if new => "《行政复议法》第二十七条",
            ReviewRule::VerticalHigher => "《行政复议法》（2017年修正）第十二条第二款",
            ReviewRule::JusticeEither => "《行政复议法》第二十八条",
            ReviewRule::ApplicantChoice => "《行政复议法》（2017年修正）第十二条第一款",
            ReviewRule::ConfiguredOnly => SRC_RECON_ORGAN,
        }
    }
}

/// Art. 27 organs by name, when the configuration does not say. Local financial bureaus
/// (地方金融…局) are ordinary government departments and are excluded.
pub fn is_vertically_managed(organ: &Organ) -> bool {
    if let Some(v) = organ.vertically_managed {
        return v;
    }
    let n = norm(&organ.name);
    const MARKERS: &[&str] = &[
        "海关",
        "税务",
        "外汇管理",
        "国家安全",
        "人民银行",
        "金融监督管理总局",
        "金融监管总局",
        "证券监督管理",
        "证监局",
    ];
    MARKERS.iter().any(|m| n.contains(m)) && !n.contains("地方金融") && !n.contains("安全生产")
}

fn is_justice_department(organ: &Organ) -> bool {
    let n = norm(&organ.name);
    n.contains("司法局") || n.contains("司法厅")
}

/// The review rule that applies to `organ`'s reply issued on `issued_on`.
pub fn review_rule(organ: &Organ, issued_on: NaiveDate) -> ReviewRule {
    let new = under_2023_review_law(issued_on);
    match (organ.kind, organ.level) {
        (OrganKind::Government, OrganLevel::Province | OrganLevel::State) => ReviewRule::Itself,
        (OrganKind::Government, _) => ReviewRule::HigherGovernment,
        (OrganKind::Department, OrganLevel::State) => ReviewRule::Itself,
        (OrganKind::Department, _) if is_vertically_managed(organ) => ReviewRule::VerticalHigher,
        (OrganKind::Department, OrganLevel::Township) => ReviewRule::ConfiguredOnly,
        (OrganKind::Department, _) if !new => ReviewRule::ApplicantChoice,
        (OrganKind::Department, _) if is_justice_department(organ) => ReviewRule::JusticeEither,
        (OrganKind::Department, _) => ReviewRule::OwnGovernment,
    }
}

fn names_government(name: &str) -> bool {
    norm(name).contains("人民政府")
}

/// The reconsideration organ a reply must name, with the configured contact details when the
/// configured organ is the right one. Configuration that contradicts the law (a higher
/// department configured for a department after 2024) is passed over for the government.
pub fn expected_reconsideration_organ(
    organ: &Organ,
    issued_on: NaiveDate,
) -> Option<ReconsiderationOrgan> {
    let configured = organ.reconsideration_organ.clone();
    let parent = organ
        .parent_government_name
        .as_ref()
        .filter(|p| !p.trim().is_empty())
        .map(|name| ReconsiderationOrgan {
            name: name.clone(),
            ..ReconsiderationOrgan::default()
        });
    match review_rule(organ, issued_on) {
        ReviewRule::OwnGovernment | ReviewRule::HigherGovernment => match (configured, parent) {
            (Some(c), Some(p))
                if names_government(&c.name) && match_name(&c.name, &p.name) == NameMatch::Same =>
            {
                Some(c)
            }
            (_, Some(p)) => Some(p),
            (Some(c), None) if names_government(&c.name) => Some(c),
            (Some(_), None) | (None, None) => None,
        },
        ReviewRule::Itself => Some(match configured {
            Some(c) if match_name(&c.name, &organ.name) == NameMatch::Same => c,
            _ => ReconsiderationOrgan {
                name: organ.name.clone(),
                ..ReconsiderationOrgan::default()
            },
        }),
        ReviewRule::VerticalHigher => configured.filter(|c| !names_government(&c.name)),
        ReviewRule::JusticeEither | ReviewRule::ApplicantChoice => configured.or(parent),
        ReviewRule::ConfiguredOnly => configured,
    }
}

/// The old "本级人民政府或者上一级主管部门" choice, or a department, named after 2024.
fn names_old_choice(named: &str) -> bool {
    let n = norm(named);
    n.contains("上一级") || n.contains("主管部门") || n.contains('或')
}

pub(super) fn remedy_reconsideration_organ_wrong(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let named = reply
        .remedy
        .reconsideration
        .as_ref()?
        .organ
        .as_deref()
        .filter(|s| !s.trim().is_empty())?;
    let rule = review_rule(ctx.organ, reply.issued_on);
    let source = rule.source(reply.issued_on);
    let expected = expected_reconsideration_organ(ctx.organ, reply.issued_on);
    let expected_name = expected.as_ref().map(|e| e.name.as_str());
    let wrong = |why: String| {
        Some(Finding::error(
            REMEDY_RECONSIDERATION_ORGAN_WRONG,
            why,
            source,
        ))
    };
    let should_be = expected_name.map_or_else(String::new, |e| format!("，应为“{e}”"));

    // Structural errors first: they hold whatever is configured.
    match rule {
        ReviewRule::OwnGovernment if !names_government(named) || names_old_choice(named) => {
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：自2024年1月1日起，对县级以上地方人民政府工作部门的行政行为不服的，由本级人民政府管辖，不再向上一级主管部门申请{should_be}"
            ));
        }
        ReviewRule::HigherGovernment if !names_government(named) => {
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：对人民政府的行政行为不服的，向上一级人民政府申请行政复议{should_be}"
            ));
        }
        ReviewRule::VerticalHigher if names_government(named) => {
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：本机关实行垂直领导，应向上一级主管部门申请行政复议{should_be}"
            ));
        }
        ReviewRule::JusticeEither => {
            // Either its government or the higher justice department.
            if names_government(named) {
                let parent = ctx.organ.parent_government_name.as_deref()?;
                return (match_name(named, parent) == NameMatch::Different).then(|| {
                    Finding::error(
                        REMEDY_RECONSIDERATION_ORGAN_WRONG,
                        format!("告知的行政复议机关“{named}”不是本级人民政府“{parent}”"),
                        source,
                    )
                });
            }
            if norm(named).contains("司法") {
                return None;
            }
            return wrong(format!(
                "告知的行政复议机关“{named}”有误：应为本级人民政府或者上一级司法行政部门"
            ));
        }
        ReviewRule::ApplicantChoice => return None,
        _ => {}
    }
    match match_name(named, expected_name?) {
        NameMatch::Same => None,
        NameMatch::Abbreviated => Some(Finding::warning(
            REMEDY_RECONSIDERATION_ORGAN_WRONG,
            format!("行政复议机关名称“{named}”不完整{should_be}"),
            source,
        )),
        NameMatch::Different => wrong(format!(
            "告知的行政复议机关“{named}”与应当受理的行政复议机关不一致{should_be}"
        )),
    }
}

pub(super) fn remedy_reconsideration_first_missing(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let r = &reply.remedy;
    if !reconsideration_first_in_force(reply)
        || r.reconsideration_first == Some(true)
        || (r.reconsideration.is_none() && r.litigation.is_none())
    {
        return None;
    }
    let message = format!(
        "答复结果为“{}”，属于不予公开，应告知申请人须先申请行政复议，对行政复议决定不服的再提起行政诉讼（复议前置）",
        reply.outcome.label()
    );
    // The Arts 14–16 withholdings are the core of Art. 23(1)(4); whether partial disclosure
    // and 行政查询事项 fall under it is less settled, so those are warnings.
    Some(if reply.outcome.is_withholding() {
        Finding::error(REMEDY_RECONSIDERATION_FIRST_MISSING, message, SRC_FIRST)
    } else {
        Finding::warning(REMEDY_RECONSIDERATION_FIRST_MISSING, message, SRC_FIRST)
    })
}

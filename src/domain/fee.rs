//! Information-processing fees (信息处理费, 国办函〔2020〕109号; RULES.md §8): the tariffs by
//! count (按件) and by volume (按量), the amount of one application with its explanation (the
//! month's earlier items, the band of each, the sum, any reduction), and who counts as the same
//! applicant. Pure: the caller reads the month's applications and passes them in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, DayReason, WorkCalendar};
use super::org::text_enum;

/// The basis every fee line cites.
pub const ART_FEE: &str = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）";

text_enum!(
    /// A department's fee setting: no fees (the default), by count or by volume. One method
    /// per application, never both (109号).
    FeeMethod {
        None => "none",
        ByCount => "by_count",
        ByVolume => "by_volume",
    }
);

impl FeeMethod {
    pub fn label(self) -> &'static str {
        match self {
            FeeMethod::None => "不收费",
            FeeMethod::ByCount => "按件计收",
            FeeMethod::ByVolume => "按量计收",
        }
    }

    /// What one unit is called.
    pub fn unit(self) -> &'static str {
        match self {
            FeeMethod::ByVolume => "页",
            FeeMethod::None | FeeMethod::ByCount => "件",
        }
    }
}

/// One band of a tariff: units `from..=to` (`to` None: no upper end), `unit_fen` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Band {
    pub from: u32,
    pub to: Option<u32>,
    pub unit_fen: i64,
}

const YUAN: i64 = 100;

/// 按件: the band of the `n`th item (1-based) of one applicant's month. Items 1–10 free,
/// 11–30 ¥100, then each further band of 10 items ¥100 more per item (31–40 ¥200, 41–50 ¥300 …).
pub fn count_band(n: u32) -> Band {
    match n {
        0..=10 => Band {
            from: 1,
            to: Some(10),
            unit_fen: 0,
        },
        11..=30 => Band {
            from: 11,
            to: Some(30),
            unit_fen: 100 * YUAN,
        },
        _ => {
            let k = (n - 31) / 10;
            Band {
                from: 31 + 10 * k,
                to: Some(40 + 10 * k),
                unit_fen: i64::from(k + 2) * 100 * YUAN,
            }
        }
    }
}

/// 按量: the band of page `n` of one application. 1–30 free, 31–100 ¥10, 101–200 ¥20,
/// above 200 ¥40 a page; each band is charged only on its own pages.
pub fn volume_band(n: u32) -> Band {
    match n {
        0..=30 => Band {
            from: 1,
            to: Some(30),
            unit_fen: 0,
        },
        31..=100 => Band {
            from: 31,
            to: Some(100),
            unit_fen: 10 * YUAN,
        },
        101..=200 => Band {
            from: 101,
            to: Some(200),
            unit_fen: 20 * YUAN,
        },
        _ => Band {
            from: 201,
            to: None,
            unit_fen: 40 * YUAN,
        },
    }
}

/// An earlier application of the same applicant to the same department in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlierApplication {
    pub case_id: i64,
    pub case_number: String,
    pub received_on: NaiveDate,
    /// Items recorded on it; an application whose items were not recorded counts as one.
    pub items: u32,
    pub items_recorded: bool,
}

/// The units of this application falling in one band: `from..=to` are the ordinal numbers
/// (the month's item numbers by count, the page numbers by volume).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeLine {
    pub from: u32,
    pub to: u32,
    pub units: u32,
    pub band: Band,
    pub subtotal_fen: i64,
    pub text: String,
}

/// A reduction or waiver granted, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reduction {
    pub amount_fen: i64,
    pub reason: String,
}

/// The amount of one application and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeComputation {
    pub method: FeeMethod,
    /// Items (by count) or pages (by volume) of this application.
    pub quantity: u32,
    /// By count: the month's earlier applications of this applicant, in order of receipt.
    pub earlier: Vec<EarlierApplication>,
    pub earlier_items: u32,
    pub lines: Vec<FeeLine>,
    pub gross_fen: i64,
    pub reduction: Option<Reduction>,
    pub amount_fen: i64,
    /// The explanation, one sentence a line, in the order a clerk checks it.
    pub steps: Vec<String>,
    pub basis: &'static str,
}

/// `12050` → `120.50元`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}元", fen / 100, fen % 100)
}

fn range(from: u32, to: u32, unit: &str, ordinal: bool) -> String {
    let pre = if ordinal { "第" } else { "" };
    if from == to {
        format!("{pre}{from}{unit}")
    } else {
        format!("{pre}{from}至{to}{unit}")
    }
}

fn band_text(b: Band, unit: &str) -> String {
    let span = match b.to {
        Some(to) => format!("{}至{}{unit}", b.from, to),
        None => format!("{}{unit}以上", b.from - 1),
    };
    if b.unit_fen == 0 {
        format!("{span}档免费")
    } else {
        format!("{span}档每{unit}{}", yuan(b.unit_fen))
    }
}

/// Splits units `first..=last` into their bands.
fn lines(first: u32, last: u32, band: fn(u32) -> Band, unit: &str, ordinal: bool) -> Vec<FeeLine> {
    let mut out = Vec::new();
    let mut n = first;
    while n <= last {
        let b = band(n);
        let to = b.to.map_or(last, |t| t.min(last));
        let units = to - n + 1;
        let subtotal_fen = i64::from(units) * b.unit_fen;
        out.push(FeeLine {
            from: n,
            to,
            units,
            band: b,
            subtotal_fen,
            text: format!(
                "{}：{}，{}{unit} × {} = {}",
                range(n, to, unit, ordinal),
                band_text(b, unit),
                units,
                yuan(b.unit_fen),
                yuan(subtotal_fen)
            ),
        });
        n = to + 1;
    }
    out
}

fn finish(mut c: FeeComputation) -> FeeComputation {
    c.gross_fen = c.lines.iter().map(|l| l.subtotal_fen).sum();
    c.steps.extend(c.lines.iter().map(|l| l.text.clone()));
    c.steps.push(format!("合计：{}", yuan(c.gross_fen)));
    c.amount_fen = c.gross_fen;
    c
}

/// 按件: this application's `items` follow the month's earlier items of the same applicant
/// at the same department, in order of receipt.
pub fn by_count(earlier: Vec<EarlierApplication>, items: u32) -> FeeComputation {
    let earlier_items: u32 = earlier.iter().map(|e| e.items).sum();
    let mut steps = Vec::new();
    if earlier.is_empty() {
        steps.push("本月此前该申请人未向本机关提出其他申请".to_owned());
    } else {
        let list: Vec<String> = earlier
            .iter()
            .map(|e| {
                let note = if e.items_recorded {
                    ""
                } else {
                    "（未登记件数，按1件计）"
                };
                format!(
                    "{}（{}收到，{}件{note}）",
                    e.case_number, e.received_on, e.items
                )
            })
            .collect();
        steps.push(format!(
            "本月此前该申请人向本机关提出申请{}件，共{}件：{}",
            earlier.len(),
            earlier_items,
            list.join("；")
        ));
    }
    let first = earlier_items + 1;
    let last = earlier_items + items;
    if items > 0 {
        steps.push(format!(
            "本申请{items}件，为本月{}",
            range(first, last, "件", true)
        ));
    }
    let lines = if items == 0 {
        Vec::new()
    } else {
        lines(first, last, count_band, "件", true)
    };
    finish(FeeComputation {
        method: FeeMethod::ByCount,
        quantity: items,
        earlier,
        earlier_items,
        lines,
        gross_fen: 0,
        reduction: None,
        amount_fen: 0,
        steps,
        basis: ART_FEE,
    })
}

/// 按量: the pages of this one application, each band charged on its own pages.
pub fn by_volume(pages: u32) -> FeeComputation {
    let steps = vec![format!("本申请提供信息共{pages}页（按本机关折算规则计）")];
    let lines = if pages == 0 {
        Vec::new()
    } else {
        lines(1, pages, volume_band, "页", true)
    };
    finish(FeeComputation {
        method: FeeMethod::ByVolume,
        quantity: pages,
        earlier: Vec::new(),
        earlier_items: 0,
        lines,
        gross_fen: 0,
        reduction: None,
        amount_fen: 0,
        steps,
        basis: ART_FEE,
    })
}

impl FeeComputation {
    /// A reduction (or, for the whole amount, a waiver) with its reason; never below zero.
    pub fn reduced(mut self, reduction: Option<Reduction>) -> FeeComputation {
        if let Some(r) = reduction {
            let cut = r.amount_fen.clamp(0, self.gross_fen);
            self.amount_fen = self.gross_fen - cut;
            let what = if cut == self.gross_fen && cut > 0 {
                "免收"
            } else {
                "减收"
            };
            self.steps
                .push(format!("{what}{}（理由：{}）", yuan(cut), r.reason));
            self.steps
                .push(format!("应收金额：{}", yuan(self.amount_fen)));
            self.reduction = Some(Reduction {
                amount_fen: cut,
                reason: r.reason,
            });
        }
        self
    }
}

/// An ID number (身份证号) or unified social credit code (统一社会信用代码) as compared:
/// full-width forms folded, spaces and dashes dropped, letters upper-case.
pub fn normalise_id(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .map(|c| match c {
            // Full-width ASCII (！ to ～) to half-width.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    (!s.is_empty()).then_some(s)
}

fn digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// Who an application came from, as the fee count compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantKey {
    id: Option<String>,
    name: String,
    phone: Option<String>,
}

impl ApplicantKey {
    pub fn new(name: &str, id_number: Option<&str>, phone: Option<&str>) -> ApplicantKey {
        ApplicantKey {
            id: id_number.and_then(normalise_id),
            name: name.split_whitespace().collect(),
            phone: phone.map(digits).filter(|p| !p.is_empty()),
        }
    }
}

/// How another application's applicant compares with this one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SameApplicant {
    /// The same ID number or credit code: counted together.
    Id,
    /// Only the name and phone match (an ID is missing on one side): not counted, but the
    /// clerk is warned to check.
    NameAndPhoneOnly,
}

impl ApplicantKey {
    pub fn compare(&self, other: &ApplicantKey) -> Option<SameApplicant> {
        match (&self.id, &other.id) {
            (Some(a), Some(b)) if a == b => Some(SameApplicant::Id),
            // Two different IDs are two applicants, whatever their names.
            (Some(_), Some(_)) => None,
            _ if self.name == other.name && self.phone.is_some() && self.phone == other.phone => {
                Some(SameApplicant::NameAndPhoneOnly)
            }
            _ => None,
        }
    }
}

/// The applicant's last day to pay, and why (109号: 20 working days from the day after the
/// notice is received).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayBy {
    pub notice_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    /// The day the period runs from (not counted itself).
    pub counted_from: NaiveDate,
    pub last_day: NaiveDate,
    pub provisional: bool,
    pub steps: Vec<String>,
    pub basis: &'static str,
}

/// Counts the days to pay on the department's calendar.
pub fn pay_by(
    cal: &WorkCalendar,
    notice_on: NaiveDate,
    delivered_on: Option<NaiveDate>,
    days: u32,
) -> Result<PayBy, CalendarError> {
    let from = delivered_on.unwrap_or(notice_on);
    let last = cal.add_working_days(from, days)?;
    let mut steps = vec![format!("{}发出收费通知", zh_date(notice_on))];
    match delivered_on {
        Some(on) => steps.push(format!("申请人{}收到通知", zh_date(on))),
        None => steps.push(
            "申请人收到通知的日期未登记，暂按发出之日计算（最早可能收到之日）；登记送达日期后重新计算"
                .to_owned(),
        ),
    }
    // The rest days inside the period, by name, so a holiday's effect is visible.
    let mut rest = Vec::new();
    let mut d = from.succ_opt();
    while let Some(day) = d.filter(|d| *d <= last.value) {
        let info = cal.day(day)?;
        if !info.working {
            rest.push(info);
        }
        d = day.succ_opt();
    }
    let named: Vec<String> = {
        let mut names: Vec<String> = Vec::new();
        for r in &rest {
            if let DayReason::Holiday { name } = &r.reason
                && !names.contains(name)
            {
                names.push(name.clone());
            }
        }
        names
    };
    let mut counted = format!(
        "自{}次日起计算{days}个工作日（其间休息日{}天不计",
        zh_date(from),
        rest.len()
    );
    if !named.is_empty() {
        counted.push_str(&format!("，含{}", named.join("、")));
    }
    counted.push('）');
    steps.push(counted);
    steps.push(format!(
        "缴费期限：{}；逾期未缴纳的，视为放弃申请",
        zh_date(last.value)
    ));
    steps.extend(last.provisional_reasons.iter().cloned());
    Ok(PayBy {
        notice_on,
        delivered_on,
        counted_from: from,
        last_day: last.value,
        provisional: last.provisional,
        steps,
        basis: ART_FEE,
    })
}

/// `2026-12-04（周五）`, the way the screens write dates.
fn zh_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    const DAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let wd = DAYS
        .get(d.weekday().num_days_from_monday() as usize)
        .copied()
        .unwrap_or_default();
    format!("{d}（{wd}）")
}

/// The standard of a method, as the notice states it.
pub fn standard(method: FeeMethod) -> &'static str {
    match method {
        FeeMethod::ByCount => {
            "按件计收：同一申请人一个自然月内累计申请10件以下（含10件）的，不收费；11—30件（含30件）的部分，每件收费100元；31件以上的部分，以10件为一档，每增加一档，收费标准提高100元/件"
        }
        FeeMethod::ByVolume => {
            "按量计收：同一申请人一件申请所需提供信息30页以下（含30页）的，不收费；31—100页（含100页）的部分，每页收费10元；101—200页（含200页）的部分，每页收费20元；200页以上的部分，每页收费40元"
        }
        FeeMethod::None => "不收费",
    }
}

/// What a fee notice (收费通知) states: the basis, the standard, the amount and how it was
/// computed, how to pay, and the consequence of not paying.
#[derive(Debug, Clone)]
pub struct NoticeFacts<'a> {
    pub organ: &'a str,
    pub organ_address: Option<&'a str>,
    pub organ_phone: Option<&'a str>,
    pub applicant: &'a str,
    pub case_number: &'a str,
    pub received_on: Option<NaiveDate>,
    pub issued_on: NaiveDate,
    pub computation: &'a FeeComputation,
    /// Known when the notice is handed over or its delivery already recorded.
    pub pay_by: Option<NaiveDate>,
    pub how_to_pay: &'a str,
    pub pauses_clock: bool,
}

fn cn(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The notice text the clerk edits before issuing it (like a reply draft).
pub fn notice_text(f: &NoticeFacts) -> String {
    let c = f.computation;
    let received = f
        .received_on
        .map_or_else(|| "【收到申请日期】".to_owned(), cn);
    let mut lines = vec![format!("{}：", f.applicant), String::new()];
    lines.push(format!(
        "本机关于{received}收到您提出的政府信息公开申请（编号{}）。根据《中华人民共和国政府信息公开条例》第四十二条和{}的规定，您的申请数量、频次明显超过合理范围，本机关依法收取信息处理费。",
        f.case_number, ART_FEE
    ));
    lines.push(format!("收费标准：{}。", standard(c.method)));
    lines.push(format!("计算过程：{}。", c.steps.join("；")));
    lines.push(format!("收费金额：{}。", yuan(c.amount_fen)));
    let by = f
        .pay_by
        .map_or_else(String::new, |d| format!("（即{}前）", cn(d)));
    let how = if f.how_to_pay.trim().is_empty() {
        "【缴费方式】"
    } else {
        f.how_to_pay.trim()
    };
    lines.push(format!(
        "请自收到本通知之日起20个工作日内{by}缴纳，缴费方式：{how}。逾期未缴纳的，视为放弃申请。"
    ));
    if f.pauses_clock {
        lines.push("自本通知发出之日次日起至本机关收到费用之日止，答复期限暂停计算。".to_owned());
    }
    lines.push(match (f.organ_address, f.organ_phone) {
        (Some(a), Some(p)) => format!("联系地址：{a}；联系电话：{p}。"),
        (Some(a), None) => format!("联系地址：{a}；联系电话：【联系电话】。"),
        (None, Some(p)) => format!("联系地址：【联系地址】；联系电话：{p}。"),
        (None, None) => "联系地址：【联系地址】；联系电话：【联系电话】。".to_owned(),
    });
    lines.push("特此通知。".to_owned());
    lines.push(String::new());
    lines.push(f.organ.to_owned());
    lines.push(cn(f.issued_on));
    lines.join("\n")
}

/// The year's fee figures for section 六 of the annual report (其他需要报告的事项): fee
/// notices issued in the year and what they asked, fees paid in the year and the amount
/// collected (the amount of the notice paid, reductions already deducted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeFigures {
    pub notices: i64,
    pub notices_amount_fen: i64,
    pub paid: i64,
    pub collected_fen: i64,
}

/// Folds each case's fee events (in recording order, grouped by case) into the figures of
/// `year`. A payment counts in the year it was made, with the amount of its notice, which
/// may have gone out the year before.
pub fn year_figures<'a>(
    year: i32,
    events: impl IntoIterator<Item = (i64, &'a super::case::CaseEvent)>,
) -> FeeFigures {
    use super::case::CaseEvent as E;
    use chrono::Datelike;
    let mut f = FeeFigures::default();
    let mut notice: Option<(i64, i64)> = None;
    for (case_id, e) in events {
        match e {
            E::FeeNoticeIssued {
                date, amount_fen, ..
            } => {
                notice = Some((case_id, *amount_fen));
                if date.year() == year {
                    f.notices += 1;
                    f.notices_amount_fen += amount_fen;
                }
            }
            E::FeePaid { date } if date.year() == year => {
                if let Some((_, amount)) = notice.filter(|(id, _)| *id == case_id) {
                    f.paid += 1;
                    f.collected_fen += amount;
                }
            }
            _ => {}
        }
    }
    f
}

/// The calendar month of `day`: its first and last days.
pub fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let first = day.with_day(1).unwrap_or(day);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).unwrap_or(day);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn earlier(n: u32) -> Vec<EarlierApplication> {
        (1..=n)
            .map(|i| EarlierApplication {
                case_id: i64::from(i),
                case_number: format!("2026-{i:04}"),
                received_on: d("2026-03-02"),
                items: 1,
                items_recorded: true,
            })
            .collect()
    }

    #[test]
    fn volume_oracles_by_hand() {
        // 30 pages: all in the free band.
        assert_eq!(by_volume(30).amount_fen, 0);
        // 31 pages: one page at ¥10.
        assert_eq!(by_volume(31).amount_fen, 1_000);
        // 150 pages: 70 × 10 + 50 × 20 = 1,700.
        let c = by_volume(150);
        assert_eq!(c.amount_fen, 170_000);
        assert_eq!(c.lines.len(), 3);
        assert_eq!(c.lines[1].units, 70);
        assert_eq!(c.lines[2].units, 50);
        // 250 pages: 70 × 10 + 100 × 20 + 50 × 40 = 4,700.
        assert_eq!(by_volume(250).amount_fen, 470_000);
        assert!(
            by_volume(250).steps.contains(
                &"第201至250页：200页以上档每页40.00元，50页 × 40.00元 = 2000.00元".into()
            )
        );
    }

    #[test]
    fn count_oracles_by_hand() {
        // The 1st to 10th items free, 11th–30th ¥100, 31st–35th ¥200.
        let fee = |n: u32| by_count(earlier(n - 1), 1).amount_fen;
        assert_eq!(fee(1), 0);
        assert_eq!(fee(10), 0);
        assert_eq!(fee(11), 10_000);
        assert_eq!(fee(30), 10_000);
        assert_eq!(fee(31), 20_000);
        assert_eq!(fee(35), 20_000);
        assert_eq!(fee(41), 30_000);
        assert_eq!(fee(51), 40_000);
        let month: i64 = (1..=35).map(fee).sum();
        assert_eq!(month, 20 * 10_000 + 5 * 20_000);
        // One application of 5 items after 28: 29th–30th at ¥100, 31st–33rd at ¥200.
        let c = by_count(earlier(28), 5);
        assert_eq!(c.amount_fen, 2 * 10_000 + 3 * 20_000);
        assert_eq!(c.earlier_items, 28);
        assert!(c.steps[1].contains("第29至33件"), "{:?}", c.steps);
    }

    #[test]
    fn a_reduction_keeps_its_reason_and_never_goes_below_zero() {
        let c = by_volume(150).reduced(Some(Reduction {
            amount_fen: 70_000,
            reason: "申请人为低保户".into(),
        }));
        assert_eq!(c.amount_fen, 100_000);
        let w = by_volume(31).reduced(Some(Reduction {
            amount_fen: 999_999,
            reason: "免收".into(),
        }));
        assert_eq!(w.amount_fen, 0);
        assert_eq!(w.reduction.map(|r| r.amount_fen), Some(1_000));
    }

    #[test]
    fn applicants_are_the_same_by_id_and_only_warned_by_name_and_phone() {
        let a = ApplicantKey::new("张三", Some("11010519491231002x"), Some("138-0000-0000"));
        let b = ApplicantKey::new("张 三", Some(" 110105 19491231002X "), None);
        assert_eq!(a.compare(&b), Some(SameApplicant::Id));
        let full = ApplicantKey::new("张三", Some("１１０１０５１９４９１２３１００２Ｘ"), None);
        assert_eq!(a.compare(&full), Some(SameApplicant::Id));
        let other = ApplicantKey::new("张三", Some("110105199001010011"), Some("13800000000"));
        assert_eq!(a.compare(&other), None, "same name, another ID");
        let no_id = ApplicantKey::new("张三", None, Some("13800000000"));
        assert_eq!(a.compare(&no_id), Some(SameApplicant::NameAndPhoneOnly));
        let no_phone = ApplicantKey::new("张三", None, None);
        assert_eq!(a.compare(&no_phone), None);
    }

    #[test]
    fn months_end_where_they_end() {
        assert_eq!(
            month_of(d("2024-02-10")),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(
            month_of(d("2026-12-31")),
            (d("2026-12-01"), d("2026-12-31"))
        );
    }
}

//! What happens to each demonstration case, drawn from the seeded generator before anything
//! is written: its intake, then the steps after it (events, the reply, a remedy). Both ways
//! of filling — through the operations one by one, or in bulk — replay the same plan and
//! let the same rules accept or refuse each step, so one seed gives the same data either way.

use chrono::{Duration, NaiveDate};

use super::super::cases::{ApplicantIn, CaseIn, ItemIn};
use super::super::remedies::RemedyIn;
use super::super::replies::ReplyIn;
use crate::domain::case::CaseEvent;
use crate::domain::compliance::{LegalCitation, LitigationRoute, ReconsiderationRoute, Remedy};

/// A small, fast, seeded generator (xorshift64*): demo data need not be cryptographic.
pub(super) struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }

    fn days(&mut self, n: u64) -> Duration {
        Duration::days(i64::try_from(self.below(n)).unwrap_or(0))
    }
}

pub(super) const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "林",
];
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
];
pub(super) const PLACES: &[&str] = &[
    "城厢镇",
    "双桥镇",
    "府城镇",
    "宁武镇",
    "罗圩镇",
    "陆斡镇",
    "两江镇",
];
const SUBJECTS: &[&str] = &[
    "土地征收补偿安置方案",
    "国有建设用地使用权出让合同",
    "建设用地规划许可证及附图",
    "农村集体土地确权登记成果",
    "违法用地查处决定书",
    "基本农田保护区划定图",
    "矿产资源开采许可信息",
    "耕地占补平衡指标交易情况",
    "征地社会稳定风险评估报告",
    "棚户区改造项目立项批复",
];
const KINDS: &[&str] = &[
    "natural_person",
    "natural_person",
    "natural_person",
    "commercial",
    "legal_service",
    "public_interest",
];
const CHANNELS: &[&str] = &[
    "in_person",
    "registered_mail",
    "registered_mail",
    "online",
    "email",
];
const OUTCOMES: &[&str] = &[
    "disclosed",
    "disclosed",
    "partially_disclosed",
    "unavailable_not_held",
];

/// How far back receipt dates go: several years, so annual reports have past years.
const SPAN_DAYS: u64 = 3 * 365;

/// One case: its intake and what happened after it, in order.
pub(super) struct Planned {
    pub intake: CaseIn,
    pub steps: Vec<Step>,
}

pub(super) struct Step {
    pub action: Action,
    /// Tried only if the step before it was accepted (a correction is received only if it
    /// was asked for; a remedy follows a recorded reply).
    pub after_previous: bool,
}

pub(super) enum Action {
    Event(CaseEvent),
    Reply(Box<ReplyIn>),
    Remedy(RemedyIn),
}

/// The cases of one department, received over the past `SPAN_DAYS` before `today`: most old
/// ones answered (with and without findings), some corrected, consulted, extended or
/// charged first, recent ones still open, a few old ones overdue, some remedies.
/// `approver` grants the extensions.
pub(super) fn department(
    rng: &mut Rng,
    dept: i64,
    want: usize,
    today: NaiveDate,
    approver: i64,
) -> Vec<Planned> {
    let intakes: Vec<(CaseIn, NaiveDate)> = (0..want).map(|_| intake(rng, dept, today)).collect();
    intakes
        .into_iter()
        .map(|(intake, received)| Planned {
            intake,
            steps: steps(rng, received, today, approver),
        })
        .collect()
}

fn intake(rng: &mut Rng, dept: i64, today: NaiveDate) -> (CaseIn, NaiveDate) {
    let received = today - rng.days(SPAN_DAYS);
    let channel = *rng.pick(CHANNELS);
    let submitted = if channel == "in_person" {
        received
    } else {
        received - rng.days(4)
    };
    let name = format!(
        "{}{}{}",
        rng.pick(SURNAMES),
        rng.pick(GIVEN),
        rng.pick(GIVEN)
    );
    let case = CaseIn {
        department_id: Some(dept),
        applicant: ApplicantIn {
            kind: (*rng.pick(KINDS)).into(),
            name,
            id_number: None,
            phone: Some(format!("138{:08}", rng.below(100_000_000))),
            email: None,
            address: Some(format!("南宁市示范县{}", rng.pick(PLACES))),
        },
        channel: channel.into(),
        submitted_on: submitted,
        received_on: Some(received),
        tracking_number: None,
        items: vec![ItemIn {
            description: format!("{}{}", rng.pick(PLACES), rng.pick(SUBJECTS)),
        }],
        purpose: None,
        delivery_preference: Some("post".into()),
    };
    (case, received)
}

fn steps(rng: &mut Rng, received: NaiveDate, today: NaiveDate, approver: i64) -> Vec<Step> {
    let age = (today - received).num_days();
    let day = |d: u64| received + Duration::days(i64::try_from(d).unwrap_or(0));
    let mut steps = Vec::new();
    let mut push = |action, after_previous| {
        steps.push(Step {
            action,
            after_previous,
        });
    };
    let roll = rng.below(100);
    if roll < 8 && age > 10 {
        push(
            Action::Event(CaseEvent::CorrectionRequested {
                date: day(3),
                items: vec!["请明确所需信息的具体名称、文号或者便于查询的其他特征性描述".into()],
                respond_by: day(18),
            }),
            false,
        );
        if age > 12 {
            push(
                Action::Event(CaseEvent::CorrectionReceived { date: day(9) }),
                true,
            );
        }
    } else if roll < 14 && age > 20 {
        push(
            Action::Event(CaseEvent::ExtensionGranted {
                date: day(20),
                approved_by: approver,
                notified_on: day(20),
                working_days: 20,
                reason: "需要调取历史档案并征求相关部门意见".into(),
            }),
            false,
        );
    } else if roll < 18 && age > 8 {
        push(
            Action::Event(CaseEvent::ConsultationStarted {
                date: day(5),
                party: crate::domain::deadline::ConsultedParty::ThirdParty,
                consulted: "广西示范实业有限公司".into(),
                third_party_received_on: None,
            }),
            false,
        );
    } else if roll < 20 && age > 8 {
        push(
            Action::Event(CaseEvent::FeeNoticeIssued {
                date: day(6),
                amount_fen: 10_000,
                delivered_on: None,
            }),
            false,
        );
    }
    // Answered: nearly all cases older than six weeks, half of those older than three;
    // extended and consulted ones after their longer periods, or they stay open.
    let slow = (8..18).contains(&roll);
    let answered = if slow {
        age > 60 && rng.below(100) < 98
    } else {
        (age > 42 && rng.below(100) < 99) || (age > 21 && rng.below(2) == 0)
    };
    if !answered {
        return steps;
    }
    let issued = day((if slow { 30 } else { 10 }) + rng.below(25)).min(today);
    let sealed = rng.below(10) > 0;
    let outcome = *rng.pick(OUTCOMES);
    push(
        Action::Reply(Box::new(reply(issued, sealed, outcome))),
        false,
    );
    // Some applicants go on to reconsideration or a suit.
    if rng.below(100) < 2 && issued + Duration::days(30) < today {
        let litigation = rng.below(3) == 0;
        push(
            Action::Remedy(RemedyIn {
                kind: if litigation {
                    "litigation"
                } else {
                    "reconsideration"
                }
                .into(),
                after_reconsideration: litigation.then_some(false),
                filed_on: issued + Duration::days(5) + rng.days(25),
                body: if litigation {
                    "南宁市中级人民法院"
                } else {
                    "南宁市人民政府"
                }
                .into(),
                case_ref: None,
                reply_received_on: None,
                posted_on: None,
            }),
            true,
        );
    }
    steps
}

fn reply(issued: NaiveDate, sealed: bool, outcome: &str) -> ReplyIn {
    ReplyIn {
        doc_number: Some("auto".into()),
        issued_on: issued,
        dispatched_on: Some(issued),
        delivery_method: "post".into(),
        tracking_number: None,
        outcome: outcome.into(),
        sealed,
        seal_organ: None,
        legal_basis: vec![LegalCitation {
            law: "《中华人民共和国政府信息公开条例》".into(),
            article: Some("第三十六条".into()),
            paragraph: None,
            item: Some("第（二）项".into()),
        }],
        reasons: None,
        redirect_to: None,
        remedy: Remedy {
            reconsideration: Some(ReconsiderationRoute {
                organ: Some("南宁市人民政府".into()),
                address: Some("南宁市民族大道1号".into()),
                phone: Some("0771-2800000".into()),
                period_days: Some(60),
            }),
            litigation: Some(LitigationRoute {
                court: Some("南宁市中级人民法院".into()),
                period_months: Some(6),
                period_days: None,
            }),
            reconsideration_first: None,
        },
        text: None,
    }
}

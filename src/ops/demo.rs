//! Realistic demonstration data, made through the same operations as real work (so every
//! case has its events, trail and derived dates): a department tree, a clerk and a
//! supervisor per department, and cases over the past year — some answered (with and
//! without findings), some with corrections, consultations, extensions or fee notices,
//! some still open or overdue. For trying the pages, and for benchmarks at scale.
//! Deterministic: the same seed gives the same data.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::cases::{ApplicantIn, BatchIn, CaseIn, ItemIn};
use super::{Ctx, OpError, OpResult};
use crate::auth::{Actor, Role};
use crate::domain::case::CaseEvent;
use crate::domain::compliance::{LegalCitation, LitigationRoute, ReconsiderationRoute, Remedy};
use crate::domain::org::DepartmentInput;

/// A small, fast, seeded generator (xorshift64*): demo data need not be cryptographic.
struct Rng(u64);

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

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
];
const PLACES: &[&str] = &[
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

/// What was made.
#[derive(Debug, Default, Serialize)]
pub struct DemoReport {
    pub departments: usize,
    pub users: Vec<(String, String)>,
    pub cases: usize,
    pub replies: usize,
    pub corrections: usize,
    pub extensions: usize,
    pub consultations: usize,
    pub fee_notices: usize,
    pub remedies: usize,
}

/// How far back receipt dates go: several years, so annual reports have past years.
const SPAN_DAYS: u64 = 3 * 365;

/// Departments filled at once (each worker takes the next department): intake, events and
/// replies are separate transactions, so a few connections keep the database busy.
pub const WORKERS: u32 = 4;

/// Fills the database with `cases` cases over `departments` departments in a three-level
/// tree (a city government, county governments under it, their departments under them),
/// as of today.
pub fn fill(
    ctx: &Ctx,
    admin: &Actor,
    cases: usize,
    departments: usize,
    password: &str,
    seed: u64,
) -> OpResult<DemoReport> {
    super::require(admin, &[Role::Admin])?;
    let mut rng = Rng(seed.max(1));
    let today = ctx.today();
    let mut report = DemoReport::default();
    // The tree: department 0 the city government; then every 11th a county government
    // under it, the ten after it that county's departments.
    let mut dept_ids = Vec::new();
    let (mut city, mut county) = (None, None);
    for i in 0..departments.max(1) {
        let (kind, level, parent, name, place) = if i == 0 {
            (
                "government",
                "city",
                None,
                "示范市人民政府".to_owned(),
                PLACES[0],
            )
        } else {
            let n = (i - 1) / 11 + 1;
            let place = PLACES[i % PLACES.len()];
            if (i - 1) % 11 == 0 {
                (
                    "government",
                    "county",
                    city,
                    format!("示范第{n}县人民政府"),
                    place,
                )
            } else {
                (
                    "department",
                    "county",
                    county,
                    format!("示范第{n}县{place}所"),
                    place,
                )
            }
        };
        let input: DepartmentInput = serde_json::from_value(serde_json::json!({
            "name": name, "code": format!("示范{i:03}"),
            "kind": kind, "level": level, "parent_id": parent,
            "region": "450122", "address": format!("南宁市示范县{place}人民路{}号", i + 1),
            "phone": format!("0771-65{:05}", i),
            "reconsideration_organ": {"name": "南宁市人民政府", "address": "南宁市民族大道1号", "phone": "0771-2800000"},
            "court": {"name": "南宁市中级人民法院"}
        }))
        .map_err(OpError::internal)?;
        let d = super::org::create_department(ctx, admin, input)?;
        match (i, kind) {
            (0, _) => city = Some(d.id),
            (_, "government") => county = Some(d.id),
            _ => {}
        }
        dept_ids.push(d.id);
        for (role, prefix) in [("clerk", "clerk"), ("supervisor", "sup")] {
            let username = format!("{prefix}{i:03}");
            let user = super::org::create_user(
                ctx,
                Some(admin),
                super::org::UserIn {
                    username: username.clone(),
                    display_name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
                    email: None,
                    role: role.into(),
                    department_id: Some(d.id),
                    password: password.into(),
                },
            )?;
            report.users.push((username, user.role));
        }
    }
    report.departments = dept_ids.len();

    // Cases: each department from its own seeded generator (the same data whatever the
    // order the workers take them in).
    let per_dept = cases.div_ceil(dept_ids.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<OpResult<DemoReport>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..(WORKERS as usize).min(dept_ids.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut part = DemoReport::default();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(dept) = dept_ids.get(n) else {
                            return Ok(part);
                        };
                        let want = per_dept.min(cases.saturating_sub(n * per_dept));
                        let salt = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                        let mut rng = Rng((seed ^ salt).max(1));
                        fill_department(ctx, admin, *dept, want, today, &mut rng, &mut part)?;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(OpError::internal("a demo worker panicked")))
            })
            .collect()
    });
    for part in parts {
        let part = part?;
        report.cases += part.cases;
        report.replies += part.replies;
        report.corrections += part.corrections;
        report.extensions += part.extensions;
        report.consultations += part.consultations;
        report.fee_notices += part.fee_notices;
        report.remedies += part.remedies;
    }
    Ok(report)
}

/// One department's cases, received over the past `SPAN_DAYS`, and what happened to them.
fn fill_department(
    ctx: &Ctx,
    admin: &Actor,
    dept: i64,
    want: usize,
    today: NaiveDate,
    rng: &mut Rng,
    report: &mut DemoReport,
) -> OpResult<()> {
    let mut made: Vec<(i64, NaiveDate)> = Vec::new();
    let mut batch = Vec::new();
    for _ in 0..want {
        let received = today - Duration::days(i64::try_from(rng.below(SPAN_DAYS)).unwrap_or(0));
        let channel = *rng.pick(CHANNELS);
        let submitted = if channel == "in_person" {
            received
        } else {
            received - Duration::days(i64::try_from(rng.below(4)).unwrap_or(0))
        };
        let name = format!(
            "{}{}{}",
            rng.pick(SURNAMES),
            rng.pick(GIVEN),
            rng.pick(GIVEN)
        );
        batch.push(CaseIn {
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
        });
        if batch.len() == 500 {
            made.extend(register(ctx, admin, std::mem::take(&mut batch))?);
        }
    }
    if !batch.is_empty() {
        made.extend(register(ctx, admin, batch)?);
    }
    report.cases += made.len();

    // What happened to them: most old cases answered; some corrected, consulted, extended
    // or charged first; recent ones still open, a few old ones overdue.
    for (id, received) in made {
        let age = (today - received).num_days();
        let mut version = 1;
        let event = |e: CaseEvent, version: &mut i32| -> OpResult<()> {
            let view = super::cases::record_event(ctx, admin, id, *version, e)?;
            *version = view.version;
            Ok(())
        };
        let roll = rng.below(100);
        let day = |d: i64| received + Duration::days(d);
        if roll < 8 && age > 10 {
            let asked = event(
                CaseEvent::CorrectionRequested {
                    date: day(3),
                    items: vec![
                        "请明确所需信息的具体名称、文号或者便于查询的其他特征性描述".into(),
                    ],
                    respond_by: day(18),
                },
                &mut version,
            );
            if asked.is_ok() {
                report.corrections += 1;
                if age > 12 {
                    let _ = event(CaseEvent::CorrectionReceived { date: day(9) }, &mut version);
                }
            }
        } else if roll < 14 && age > 20 {
            if event(
                CaseEvent::ExtensionGranted {
                    date: day(20),
                    approved_by: admin.user_id,
                    notified_on: day(20),
                    working_days: 20,
                    reason: "需要调取历史档案并征求相关部门意见".into(),
                },
                &mut version,
            )
            .is_ok()
            {
                report.extensions += 1;
            }
        } else if roll < 18 && age > 8 {
            if event(
                CaseEvent::ConsultationStarted {
                    date: day(5),
                    party: crate::domain::deadline::ConsultedParty::ThirdParty,
                    consulted: "广西示范实业有限公司".into(),
                    third_party_received_on: None,
                },
                &mut version,
            )
            .is_ok()
            {
                report.consultations += 1;
            }
        } else if roll < 20
            && age > 8
            && event(
                CaseEvent::FeeNoticeIssued {
                    date: day(6),
                    amount_fen: 10_000,
                },
                &mut version,
            )
            .is_ok()
        {
            report.fee_notices += 1;
        }
        // Answered: nearly all cases older than six weeks, half of those older than three;
        // extended and consulted ones after their longer periods, or they stay open.
        let slow = (8..18).contains(&roll);
        let answered = if slow {
            age > 60 && rng.below(100) < 98
        } else {
            (age > 42 && rng.below(100) < 99) || (age > 21 && rng.below(2) == 0)
        };
        if answered {
            let after = if slow { 30 } else { 10 };
            let issued = day(i64::try_from(after + rng.below(25)).unwrap_or(20)).min(today);
            let sealed = rng.below(10) > 0;
            let input = super::replies::ReplyIn {
                doc_number: Some("auto".into()),
                issued_on: issued,
                dispatched_on: Some(issued),
                delivery_method: "post".into(),
                tracking_number: None,
                outcome: (*rng.pick(&[
                    "disclosed",
                    "disclosed",
                    "partially_disclosed",
                    "unavailable_not_held",
                ]))
                .into(),
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
            };
            // A reply dated before a later event is refused: demo data skips it.
            if super::replies::record_reply(ctx, admin, id, version, input).is_ok() {
                report.replies += 1;
                // Some applicants go on to reconsideration or a suit.
                if rng.below(100) < 2 && issued + Duration::days(30) < today {
                    let litigation = rng.below(3) == 0;
                    let remedy = super::remedies::RemedyIn {
                        kind: if litigation {
                            "litigation"
                        } else {
                            "reconsideration"
                        }
                        .into(),
                        after_reconsideration: litigation.then_some(false),
                        filed_on: issued
                            + Duration::days(i64::try_from(5 + rng.below(25)).unwrap_or(10)),
                        body: if litigation {
                            "南宁市中级人民法院"
                        } else {
                            "南宁市人民政府"
                        }
                        .into(),
                        case_ref: None,
                        reply_received_on: None,
                        posted_on: None,
                    };
                    if super::remedies::record(ctx, admin, id, remedy).is_ok() {
                        report.remedies += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

fn register(ctx: &Ctx, admin: &Actor, cases: Vec<CaseIn>) -> OpResult<Vec<(i64, NaiveDate)>> {
    let r = super::cases::register_batch(ctx, admin, BatchIn { cases }, None)?;
    Ok(r.body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|c| Some((c["id"].as_i64()?, c["received_on"].as_str()?.parse().ok()?)))
                .collect()
        })
        .unwrap_or_default())
}

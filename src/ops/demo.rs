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
}

/// Fills the database with `cases` cases over `departments` departments (a county
/// government with its departments, and more governments as needed), as of today.
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
    // The tree: every 10th department a county government, the others its departments.
    let mut dept_ids = Vec::new();
    let mut parent = None;
    for i in 0..departments.max(1) {
        let government = i % 10 == 0;
        let place = PLACES[i % PLACES.len()];
        let name = if government {
            format!("示范第{}县人民政府", i / 10 + 1)
        } else {
            format!("示范第{}县{}所", i / 10 + 1, place)
        };
        let input: DepartmentInput = serde_json::from_value(serde_json::json!({
            "name": name, "code": format!("示范{i:03}"),
            "kind": if government { "government" } else { "department" },
            "level": "county", "parent_id": if government { None } else { parent },
            "region": "450122", "address": format!("南宁市示范县{place}人民路{}号", i + 1),
            "phone": format!("0771-65{:05}", i),
            "reconsideration_organ": {"name": "南宁市人民政府", "address": "南宁市民族大道1号", "phone": "0771-2800000"},
            "court": {"name": "南宁市中级人民法院"}
        }))
        .map_err(OpError::internal)?;
        let d = super::org::create_department(ctx, admin, input)?;
        if government {
            parent = Some(d.id);
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

    // Cases, in batches per department, received over the past 365 days.
    let per_dept = cases.div_ceil(dept_ids.len());
    let mut made: Vec<(i64, NaiveDate)> = Vec::new();
    for (n, dept) in dept_ids.iter().enumerate() {
        let want = per_dept.min(cases.saturating_sub(n * per_dept));
        let mut batch = Vec::new();
        for _ in 0..want {
            let received = today - Duration::days(i64::try_from(rng.below(365)).unwrap_or(0));
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
                department_id: Some(*dept),
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
    }
    report.cases = made.len();

    // What happened to them: most old cases answered; some corrected, consulted, extended
    // or charged first; recent ones still open.
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
        // Answered: nearly all cases older than six weeks, half of those older than three.
        let answered = (age > 42 && rng.below(100) < 96) || (age > 21 && rng.below(2) == 0);
        // Extended and consulted cases stay open.
        if answered && !(8..18).contains(&roll) {
            let issued = day(i64::try_from(10 + rng.below(25)).unwrap_or(20)).min(today);
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
            }
        }
    }
    Ok(report)
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

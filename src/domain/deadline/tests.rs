//! Unit tests of the deadline engine: worked examples per article, and properties.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;

use super::*;
use crate::domain::calendar::{CalendarSet, RegionCode};

fn set() -> &'static CalendarSet {
    static SET: OnceLock<CalendarSet> = OnceLock::new();
    SET.get_or_init(CalendarSet::bundled)
}

fn national() -> Arc<WorkCalendar> {
    set().calendar(None)
}

fn guangxi() -> Arc<WorkCalendar> {
    set().calendar(Some(&RegionCode::parse("450000").unwrap()))
}

fn xinjiang() -> Arc<WorkCalendar> {
    set().calendar(Some(&RegionCode::parse("650000").unwrap()))
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn run(cal: &WorkCalendar, receipt: &str, events: &[ClockEvent], as_of: &str) -> Deadline {
    let receipt = (!receipt.is_empty()).then(|| d(receipt));
    compute_deadline(receipt, events, &RuleSettings::default(), cal, d(as_of)).unwrap()
}

fn consult(start: &str, id: &str) -> ClockEvent {
    ClockEvent::ConsultationStarted {
        date: d(start),
        id: id.to_owned(),
        party: ConsultedParty::ThirdParty,
        third_party_received_on: None,
    }
}

fn consult_end(end: &str, id: &str) -> ClockEvent {
    ClockEvent::ConsultationEnded {
        date: d(end),
        id: id.to_owned(),
    }
}

fn extension(date: &str, notified: &str, days: u32, approved: bool) -> ClockEvent {
    ClockEvent::ExtensionGranted {
        date: d(date),
        notified_on: d(notified),
        working_days: days,
        approved,
    }
}

#[test]
fn base_period_rules_md_check() {
    // RULES.md §2: received Fri 2024-09-27 → due Wed 2024-10-30 (national 2024).
    let dl = run(&national(), "2024-09-27", &[], "2024-10-15");
    assert_eq!(dl.received_on, Some(d("2024-09-27")));
    assert_eq!(dl.clock_start, Some(d("2024-09-27")));
    assert_eq!(dl.base_due_on, Some(d("2024-10-30")));
    assert_eq!(dl.due_on, Some(d("2024-10-30")));
    assert_eq!(dl.extended_due_on, None);
    // Day 1 is Sun 09-29 (调休上班); 10-01..07 off; Sat 10-12 is the 7th.
    assert_eq!(dl.correction_notice_due_on, Some(d("2024-10-12")));
    assert_eq!(dl.clock, ClockState::Running);
    assert_eq!(dl.working_days_used, Some(9));
    assert_eq!(dl.working_days_remaining, Some(11));
    assert!(!dl.overdue && !dl.provisional && dl.flags.is_empty());
    assert_eq!(dl.calendar, "全国节假日安排");
    assert_eq!(
        dl.steps[0],
        Step {
            date: Some(d("2024-09-27")),
            event: "收到申请".to_owned(),
            effect: "答复期限起算：第20个工作日为2024-10-30".to_owned(),
            article: "《政府信息公开条例》第三十三条第二款".to_owned(),
        }
    );
    assert_eq!(dl.steps[1].article, "《政府信息公开条例》第三十条");
    let last = dl.steps.last().unwrap();
    assert_eq!(
        last.effect,
        "已计9个工作日，剩余11个工作日，答复期限为2024-10-30"
    );
}

#[test]
fn overdue_counts_working_days_past_the_due_date() {
    let dl = run(&national(), "2024-09-27", &[], "2024-11-04");
    assert!(dl.overdue);
    assert_eq!(dl.working_days_remaining, Some(-3));
    assert!(dl.flags.contains(&DeadlineFlag::Overdue));
    assert_eq!(
        dl.steps.last().unwrap().effect,
        "已超过答复期限（2024-10-30）3个工作日"
    );
    // On the Saturday after a Friday due date: 0 working days, but overdue.
    let dl = run(&national(), "2024-11-01", &[], "2024-11-30");
    assert_eq!(dl.due_on, Some(d("2024-11-29")));
    assert_eq!(dl.working_days_remaining, Some(0));
    assert!(dl.overdue);
}

#[test]
fn no_receipt_means_no_clock() {
    let dl = run(&national(), "", &[], "2024-10-15");
    assert_eq!(dl.due_on, None);
    assert_eq!(dl.clock, ClockState::NotStarted);
    assert_eq!(dl.flags, [DeadlineFlag::ReceiptNotConfirmed]);
    assert_eq!(dl.steps[0].date, None);
    assert_eq!(dl.steps[0].article, "《政府信息公开条例》第三十一条");
    assert!(dl.steps[0].effect.contains("答复期限尚未起算"));
    // A confirmation event supplies the receipt.
    let dl = run(
        &national(),
        "",
        &[ClockEvent::ReceiptConfirmed {
            date: d("2024-09-27"),
        }],
        "2024-10-15",
    );
    assert_eq!(dl.due_on, Some(d("2024-10-30")));
    assert!(dl.flags.is_empty());
}

#[test]
fn correction_restarts_the_period() {
    // RULES.md §3: received 2025-03-03, correction received 2025-03-20.
    let events = [
        ClockEvent::CorrectionRequested {
            date: d("2025-03-05"),
            respond_by: Some(d("2025-03-25")),
        },
        ClockEvent::CorrectionReceived {
            date: d("2025-03-20"),
        },
    ];
    let gx = run(&guangxi(), "2025-03-03", &events, "2025-03-21");
    assert_eq!(gx.clock_start, Some(d("2025-03-20")));
    assert_eq!(gx.due_on, Some(d("2025-04-22")));
    assert_eq!(gx.received_on, Some(d("2025-03-03")));
    assert!(gx.flags.is_empty(), "{:?}", gx.flags);
    let nat = run(&national(), "2025-03-03", &events, "2025-03-21");
    assert_eq!(nat.due_on, Some(d("2025-04-18")));
    let step = nat
        .steps
        .iter()
        .find(|s| s.event == "收到补正材料")
        .unwrap();
    assert_eq!(step.effect, "答复期限重新起算：第20个工作日为2025-04-18");

    // While awaiting correction there is no running clock.
    let waiting = run(&national(), "2025-03-03", &events[..1], "2025-03-10");
    assert_eq!(waiting.clock, ClockState::AwaitingCorrection);
    assert_eq!(waiting.due_on, None);
    assert_eq!(waiting.working_days_remaining, None);
    let passed = run(&national(), "2025-03-03", &events[..1], "2025-03-26");
    assert!(passed.flags.contains(&DeadlineFlag::CorrectionPeriodPassed));

    let lapsed = [
        events[0].clone(),
        ClockEvent::CorrectionLapsed {
            date: d("2025-03-26"),
        },
    ];
    let dl = run(&national(), "2025-03-03", &lapsed, "2025-04-01");
    assert_eq!(dl.clock, ClockState::Stopped(StopReason::CorrectionLapsed));
    assert_eq!(dl.due_on, None);
}

#[test]
fn correction_irregularities_are_noted() {
    let events = [
        ClockEvent::CorrectionRequested {
            date: d("2024-10-14"),
            respond_by: Some(d("2024-10-20")),
        },
        ClockEvent::CorrectionReceived {
            date: d("2024-10-22"),
        },
        ClockEvent::CorrectionRequested {
            date: d("2024-10-23"),
            respond_by: None,
        },
    ];
    let dl = run(&national(), "2024-09-27", &events, "2024-10-24");
    assert_eq!(
        dl.flags,
        [
            DeadlineFlag::LateCorrectionNotice,
            DeadlineFlag::CorrectionNoRestart,
            DeadlineFlag::CorrectionResponseLate,
            DeadlineFlag::SecondCorrection,
        ]
    );
    // Neither notice restarted the period (Art. 30).
    assert_eq!(dl.clock_start, Some(d("2024-09-27")));
    assert_eq!(dl.due_on, Some(d("2024-10-30")));
    assert!(
        dl.steps[2]
            .effect
            .contains("晚于收到申请后第7个工作日（2024-10-12）")
    );
}

#[test]
fn consultation_pauses_rules_md_example() {
    // Guangxi agency: received Tue 2025-06-03, consultation 06-10 → 06-17.
    let events = [consult("2025-06-10", "c1"), consult_end("2025-06-17", "c1")];
    let dl = run(&guangxi(), "2025-06-03", &events, "2025-06-18");
    assert_eq!(dl.paused_working_days, 5);
    assert_eq!(dl.base_due_on, Some(d("2025-07-08")));
    assert_eq!(dl.due_on, Some(d("2025-07-08")));
    assert_eq!(dl.clock, ClockState::Running);
    assert_eq!(dl.steps[0].effect, "答复期限起算：第20个工作日为2025-07-01");
    let start = &dl.steps[2];
    assert_eq!(start.event, "书面征求第三方意见");
    assert_eq!(
        start.article,
        "《政府信息公开条例》第三十二条、第三十三条第三款"
    );
    let end = &dl.steps[3];
    assert_eq!(end.event, "收到第三方意见");
    assert_eq!(
        end.effect,
        "征求意见用时5个工作日，不计入答复期限；答复期限为2025-07-08"
    );
    // Used: 06-04..06-10 counted (5), 06-11..17 paused, 06-18 counted.
    assert_eq!(dl.working_days_used, Some(6));
    assert_eq!(dl.working_days_remaining, Some(14));
}

#[test]
fn open_consultation_is_projected_to_as_of() {
    let events = [consult("2025-06-10", "c1")];
    let dl = run(&guangxi(), "2025-06-03", &events, "2025-06-13");
    assert_eq!(dl.clock, ClockState::Paused);
    // (06-10, 06-13]: 3 working days so far.
    assert_eq!(dl.paused_working_days, 3);
    assert_eq!(dl.due_on, Some(d("2025-07-04")));
    let projection = &dl.steps[dl.steps.len() - 2];
    assert!(
        projection.effect.contains("暂按暂停至2025-06-13推算"),
        "{}",
        projection.effect
    );
    // Past its 15th working day the consultation no longer pauses.
    let dl = run(&guangxi(), "2025-06-03", &events, "2025-08-01");
    assert_eq!(dl.clock, ClockState::Running);
    assert_eq!(dl.paused_working_days, 15);
    assert!(dl.flags.contains(&DeadlineFlag::ConsultationCapped));
}

#[test]
fn late_opinion_only_pauses_fifteen_days() {
    let n = national();
    let cap = n.add_working_days(d("2025-06-10"), 15).unwrap().value;
    let events = [
        ClockEvent::ConsultationStarted {
            date: d("2025-06-10"),
            id: "x".to_owned(),
            party: ConsultedParty::Agency,
            third_party_received_on: None,
        },
        consult_end("2025-07-20", "x"),
    ];
    let dl = run(&n, "2025-06-03", &events, "2025-07-21");
    assert_eq!(dl.paused_working_days, 15);
    let base = n.add_working_days(d("2025-06-03"), 20).unwrap().value;
    let expected = n.add_working_days(base, 15).unwrap().value;
    assert_eq!(dl.due_on, Some(expected));
    assert!(dl.flags.contains(&DeadlineFlag::ConsultationCapped));
    assert!(dl.steps[3].effect.contains(&cap.to_string()));
    assert!(dl.steps[3].effect.contains("视为同意公开"));
    assert_eq!(
        dl.steps[2].article,
        "《政府信息公开条例》第三十三条第三款、第三十四条"
    );
}

#[test]
fn overlapping_pauses_count_once() {
    let events = [
        consult("2025-06-10", "a"),
        consult("2025-06-12", "b"),
        consult_end("2025-06-17", "a"),
        consult_end("2025-06-20", "b"),
    ];
    let dl = run(&guangxi(), "2025-06-03", &events, "2025-06-23");
    // Union (06-10, 06-20]: 06-11..13, 06-16..20 = 8 working days.
    assert_eq!(dl.paused_working_days, 8);
    let n = guangxi();
    let expected = n.add_working_days(d("2025-07-01"), 8).unwrap().value;
    assert_eq!(dl.due_on, Some(expected));
}

#[test]
fn pause_after_the_due_date_changes_nothing() {
    let events = [consult("2024-10-30", "a"), consult_end("2024-11-05", "a")];
    let dl = run(&national(), "2024-09-27", &events, "2024-11-06");
    assert_eq!(dl.due_on, Some(d("2024-10-30")));
    assert_eq!(dl.paused_working_days, 0);
    assert!(dl.flags.contains(&DeadlineFlag::PauseAfterDue));
    assert!(dl.overdue);
}

#[test]
fn extension_rules() {
    let n = national();
    let ok = run(
        &n,
        "2024-09-27",
        &[extension("2024-10-28", "2024-10-29", 20, true)],
        "2024-11-01",
    );
    let forty = n.add_working_days(d("2024-09-27"), 40).unwrap().value;
    assert_eq!(ok.base_due_on, Some(d("2024-10-30")));
    assert_eq!(ok.extended_due_on, Some(forty));
    assert_eq!(ok.due_on, Some(forty));
    assert!(ok.flags.is_empty());
    assert!(
        ok.steps[2]
            .effect
            .contains(&format!("答复期限延长至{forty}"))
    );

    let over = run(
        &n,
        "2024-09-27",
        &[extension("2024-10-28", "2024-10-29", 30, true)],
        "2024-11-01",
    );
    assert_eq!(over.due_on, Some(forty));
    assert_eq!(over.flags, [DeadlineFlag::ExtensionOverMax]);

    let unapproved = run(
        &n,
        "2024-09-27",
        &[extension("2024-10-28", "2024-10-29", 10, false)],
        "2024-11-01",
    );
    assert_eq!(unapproved.due_on, Some(d("2024-10-30")));
    assert_eq!(
        unapproved.extended_due_on,
        Some(n.add_working_days(d("2024-09-27"), 30).unwrap().value)
    );
    assert_eq!(
        unapproved.flags,
        [DeadlineFlag::ExtensionUnapproved, DeadlineFlag::Overdue]
    );
    assert!(unapproved.steps[2].effect.contains("工作机构负责人"));

    let late = run(
        &n,
        "2024-09-27",
        &[extension("2024-10-31", "2024-10-31", 10, true)],
        "2024-11-01",
    );
    assert_eq!(late.due_on, Some(d("2024-10-30")));
    assert!(late.flags.contains(&DeadlineFlag::ExtensionNoticeLate));
}

#[test]
fn extension_counts_after_pauses() {
    let events = [
        consult("2025-06-10", "c1"),
        consult_end("2025-06-17", "c1"),
        extension("2025-07-01", "2025-07-01", 20, true),
    ];
    let g = guangxi();
    let dl = run(&g, "2025-06-03", &events, "2025-07-02");
    assert_eq!(dl.base_due_on, Some(d("2025-07-08")));
    let expected = g.add_working_days(d("2025-07-08"), 20).unwrap().value;
    assert_eq!(dl.extended_due_on, Some(expected));
    assert_eq!(dl.due_on, Some(expected));
}

#[test]
fn fee_notice_pauses_by_default() {
    let events = [
        ClockEvent::FeeNoticeIssued {
            date: d("2024-10-14"),
            delivered_on: None,
        },
        ClockEvent::FeePaid {
            date: d("2024-10-18"),
        },
    ];
    let n = national();
    let dl = run(&n, "2024-09-27", &events, "2024-10-21");
    assert_eq!(dl.paused_working_days, 4);
    assert_eq!(
        dl.due_on,
        Some(n.add_working_days(d("2024-10-30"), 4).unwrap().value)
    );
    assert!(dl.rules.fee_pauses_clock);

    let settings = RuleSettings {
        fee_pauses_clock: false,
        ..RuleSettings::default()
    };
    let dl = compute_deadline(
        Some(d("2024-09-27")),
        &events,
        &settings,
        &n,
        d("2024-10-21"),
    )
    .unwrap();
    assert_eq!(dl.due_on, Some(d("2024-10-30")));
    assert!(dl.steps[2].effect.contains("按设置（收费期间不暂停计算）"));
    assert_eq!(
        dl.steps[2].article,
        "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
    );

    let lapsed = [
        events[0].clone(),
        ClockEvent::FeeLapsed {
            date: d("2024-11-12"),
        },
    ];
    let dl = run(&n, "2024-09-27", &lapsed, "2024-11-13");
    assert_eq!(dl.clock, ClockState::Stopped(StopReason::FeeLapsed));
    assert_eq!(dl.due_on, None);
}

#[test]
fn late_correction_does_not_restart_the_clock() {
    // Issue 13: received 2026-09-01 (due 09-29); 补正 10-20, answered 10-22, reply 11-18.
    let n = national();
    let events = [
        ClockEvent::CorrectionRequested {
            date: d("2026-10-20"),
            respond_by: Some(d("2026-10-30")),
        },
        ClockEvent::CorrectionReceived {
            date: d("2026-10-22"),
        },
        ClockEvent::Replied {
            date: d("2026-11-18"),
        },
    ];
    let dl = run(&n, "2026-09-01", &events, "2026-11-20");
    assert_eq!(dl.clock_start, Some(d("2026-09-01")));
    assert_eq!(dl.due_on_when_stopped, Some(d("2026-09-29")));
    assert!(dl.flags.contains(&DeadlineFlag::LateCorrectionNotice));
    assert!(dl.flags.contains(&DeadlineFlag::CorrectionNoRestart));
    assert!(dl.flags.contains(&DeadlineFlag::RepliedLate));
    // While the late notice is pending the clock runs and the case is overdue.
    let waiting = run(&n, "2026-09-01", &events[..1], "2026-10-21");
    assert_eq!(waiting.clock, ClockState::Running);
    assert_eq!(waiting.due_on, Some(d("2026-09-29")));
    assert!(waiting.overdue);
    let passed = run(&n, "2026-09-01", &events[..1], "2026-11-02");
    assert!(passed.flags.contains(&DeadlineFlag::CorrectionPeriodPassed));

    // A second round after a timely first one: only the first restarts.
    let events = [
        ClockEvent::CorrectionRequested {
            date: d("2026-09-03"),
            respond_by: Some(d("2026-09-10")),
        },
        ClockEvent::CorrectionReceived {
            date: d("2026-09-08"),
        },
        ClockEvent::CorrectionRequested {
            date: d("2026-09-15"),
            respond_by: Some(d("2026-09-25")),
        },
        ClockEvent::CorrectionReceived {
            date: d("2026-09-21"),
        },
    ];
    let dl = run(&n, "2026-09-01", &events, "2026-09-22");
    let first_restart = n.add_working_days(d("2026-09-08"), 20).unwrap().value;
    assert_eq!(dl.clock_start, Some(d("2026-09-08")));
    assert_eq!(dl.due_on, Some(first_restart));
    assert!(dl.flags.contains(&DeadlineFlag::SecondCorrection));
    assert!(dl.flags.contains(&DeadlineFlag::CorrectionNoRestart));
}

#[test]
fn custom_due_date_is_handled_like_an_extension() {
    let n = national();
    let custom = |date: &str, due: &str, approved: bool| ClockEvent::CustomDueDate {
        date: d(date),
        due_on: d(due),
        approved,
    };
    // Set after the period ended (10-30): no effect, flagged, still overdue.
    let late = run(
        &n,
        "2024-09-27",
        &[custom("2024-11-05", "2024-12-20", true)],
        "2024-11-08",
    );
    assert_eq!(late.due_on, Some(d("2024-10-30")));
    assert_eq!(late.custom_due_on, None);
    assert!(late.overdue);
    assert!(late.flags.contains(&DeadlineFlag::CustomDueLate));
    // Unapproved: no effect.
    let unapproved = run(
        &n,
        "2024-09-27",
        &[custom("2024-10-10", "2024-12-20", false)],
        "2024-11-08",
    );
    assert_eq!(unapproved.due_on, Some(d("2024-10-30")));
    assert!(
        unapproved
            .flags
            .contains(&DeadlineFlag::CustomDueUnapproved)
    );
    // Beyond the bound (60 working days from the start): counted as the bound.
    let far = run(
        &n,
        "2024-09-27",
        &[custom("2024-10-10", "2099-12-31", true)],
        "2024-11-08",
    );
    let bound = n.add_working_days(d("2024-09-27"), 60).unwrap().value;
    assert_eq!(far.due_on, Some(bound));
    assert!(far.flags.contains(&DeadlineFlag::CustomDueOverMax));
    let json = serde_json::from_str::<ClockEvent>(
        r#"{"type":"custom_due_date","date":"2024-10-10","due_on":"2024-12-20"}"#,
    )
    .unwrap();
    assert_eq!(json, custom("2024-10-10", "2024-12-20", false));
}

#[test]
fn consultation_cap_counts_from_the_partys_receipt() {
    let n = national();
    let with = |received: Option<&str>| ClockEvent::ConsultationStarted {
        date: d("2025-06-10"),
        id: "c".to_owned(),
        party: ConsultedParty::ThirdParty,
        third_party_received_on: received.map(d),
    };
    let cap_dispatch = n.add_working_days(d("2025-06-10"), 15).unwrap().value;
    let cap_receipt = n.add_working_days(d("2025-06-13"), 15).unwrap().value;
    let late_end = consult_end("2025-08-20", "c");
    let unknown = run(
        &n,
        "2025-06-03",
        &[with(None), late_end.clone()],
        "2025-08-21",
    );
    assert!(unknown.steps[2].effect.contains("未登记"));
    assert!(unknown.steps[2].effect.contains(&cap_dispatch.to_string()));
    let known = run(
        &n,
        "2025-06-03",
        &[with(Some("2025-06-13")), late_end],
        "2025-08-21",
    );
    assert!(known.steps[2].effect.contains(&cap_receipt.to_string()));
    // Three more working days of pause: the due date moves by three.
    assert_eq!(known.paused_working_days, unknown.paused_working_days + 3);
}

#[test]
fn fee_period_passed_is_flagged() {
    let n = national();
    let events = [ClockEvent::FeeNoticeIssued {
        date: d("2024-10-14"),
        delivered_on: None,
    }];
    let last = n.add_working_days(d("2024-10-14"), 20).unwrap().value;
    let running = run(&n, "2024-09-27", &events, &last.to_string());
    assert!(!running.flags.contains(&DeadlineFlag::FeePeriodPassed));
    let after = last.succ_opt().unwrap().to_string();
    let passed = run(&n, "2024-09-27", &events, &after);
    assert!(passed.flags.contains(&DeadlineFlag::FeePeriodPassed));
    assert!(passed.steps.iter().any(|s| s.effect.contains("缴费期限")));
}

#[test]
fn custom_due_date_wins() {
    let events = [ClockEvent::CustomDueDate {
        date: d("2024-10-10"),
        due_on: d("2024-12-20"),
        approved: true,
    }];
    let dl = run(&national(), "2024-09-27", &events, "2024-10-15");
    assert_eq!(dl.custom_due_on, Some(d("2024-12-20")));
    assert_eq!(dl.base_due_on, Some(d("2024-10-30")));
    assert_eq!(dl.due_on, Some(d("2024-12-20")));
    assert_eq!(
        dl.steps.last().unwrap().article,
        "《政府信息公开条例》第三十五条"
    );
}

#[test]
fn reply_and_withdrawal_stop_the_clock() {
    let dl = run(
        &national(),
        "2024-09-27",
        &[ClockEvent::Replied {
            date: d("2024-10-29"),
        }],
        "2024-11-15",
    );
    assert_eq!(dl.clock, ClockState::Stopped(StopReason::Replied));
    assert_eq!(dl.due_on, None);
    assert_eq!(dl.due_on_when_stopped, Some(d("2024-10-30")));
    assert_eq!(dl.working_days_used, Some(19));
    assert_eq!(dl.steps[2].effect, "答复已作出，在答复期限（2024-10-30）内");
    assert!(!dl.overdue);

    let late = run(
        &national(),
        "2024-09-27",
        &[ClockEvent::Replied {
            date: d("2024-10-31"),
        }],
        "2024-11-15",
    );
    assert_eq!(late.flags, [DeadlineFlag::RepliedLate]);

    let dl = run(
        &national(),
        "2024-09-27",
        &[
            ClockEvent::Withdrawn {
                date: d("2024-10-09"),
            },
            ClockEvent::Replied {
                date: d("2024-10-10"),
            },
        ],
        "2024-10-15",
    );
    assert_eq!(dl.clock, ClockState::Stopped(StopReason::Withdrawn));
    assert_eq!(dl.flags, [DeadlineFlag::EventAfterStop]);
}

#[test]
fn bad_combinations_are_explained_not_rejected() {
    let events = [
        ClockEvent::FeePaid {
            date: d("2024-09-20"),
        },
        consult_end("2024-10-09", "nope"),
        ClockEvent::CorrectionReceived {
            date: d("2024-10-10"),
        },
        ClockEvent::ReceiptConfirmed {
            date: d("2024-09-26"),
        },
        consult("2024-10-11", "a"),
        consult("2024-10-11", "a"),
        ClockEvent::Replied {
            date: d("2024-12-01"),
        },
    ];
    let dl = run(&national(), "2024-09-27", &events, "2024-10-14");
    assert_eq!(
        dl.flags,
        [
            DeadlineFlag::EventBeforeReceipt,
            DeadlineFlag::ReceiptMismatch,
            DeadlineFlag::EndWithoutStart,
            DeadlineFlag::DuplicateConsultation,
            DeadlineFlag::EventAfterAsOf,
        ]
    );
    assert_eq!(dl.clock, ClockState::Paused);
    // Date order, receipt first on its day.
    let dates: Vec<_> = dl.steps.iter().map(|s| s.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // Events with no receipt at all.
    let dl = run(&national(), "", &[consult("2024-10-11", "a")], "2024-10-14");
    assert!(dl.flags.contains(&DeadlineFlag::EventWithoutClock));
}

#[test]
fn provisional_years_are_said() {
    let dl = run(&national(), "2026-12-15", &[], "2026-12-16");
    assert!(dl.provisional);
    assert_eq!(
        dl.provisional_reasons,
        [
            "2027年全国节假日安排尚未载入，按《全国年节及纪念日放假办法》规定的节日和周一至周五推算（未计调休），载入后将重新计算"
        ]
    );
    let dl = run(&xinjiang(), "2024-03-01", &[], "2024-03-05");
    assert!(dl.provisional);
    assert!(dl.provisional_reasons[0].starts_with("2024年新疆维吾尔自治区"));
    let dl = run(&guangxi(), "2013-03-25", &[], "2013-03-26");
    assert!(!dl.provisional);
    let dl = run(&national(), "2026-11-02", &[], "2026-11-03");
    assert!(!dl.provisional);
}

#[test]
fn out_of_range_is_an_error_not_a_panic() {
    let r = compute_deadline(
        Some(d("1999-12-01")),
        &[],
        &RuleSettings::default(),
        &national(),
        d("2000-01-05"),
    );
    assert!(matches!(r, Err(CalendarError::OutOfRange { .. })));
    let r = compute_deadline(
        Some(d("2099-12-20")),
        &[],
        &RuleSettings::default(),
        &national(),
        d("2099-12-21"),
    );
    assert_eq!(r.err(), Some(CalendarError::ResultOutOfRange));
}

#[test]
fn json_shape() {
    let events: Vec<ClockEvent> = serde_json::from_str(
        r#"[{"type":"consultation_started","date":"2025-06-10","id":"c1","party":"third_party"},
            {"type":"consultation_ended","date":"2025-06-17","id":"c1"},
            {"type":"correction_requested","date":"2025-06-04"},
            {"type":"replied","date":"2025-06-20"}]"#,
    )
    .unwrap();
    assert_eq!(events[0], consult("2025-06-10", "c1"));
    assert_eq!(
        events[2],
        ClockEvent::CorrectionRequested {
            date: d("2025-06-04"),
            respond_by: None
        }
    );
    let dl = run(&guangxi(), "2025-06-03", &events[..2], "2025-06-18");
    let v = serde_json::to_value(&dl).unwrap();
    assert_eq!(v["due_on"], "2025-07-08");
    assert_eq!(v["clock"]["state"], "running");
    assert_eq!(v["rules"]["statutory_days"], 20);
    assert_eq!(v["steps"][0]["event"], "收到申请");
    let dl = run(&guangxi(), "2025-06-03", &events[3..], "2025-06-21");
    let v = serde_json::to_value(&dl).unwrap();
    assert_eq!(
        v["clock"],
        serde_json::json!({"state": "stopped", "reason": "replied"})
    );
    let flags = serde_json::to_value([DeadlineFlag::ExtensionOverMax]).unwrap();
    assert_eq!(flags, serde_json::json!(["extension_over_max"]));
    let s: RuleSettings = serde_json::from_str(r#"{"fee_pauses_clock":false}"#).unwrap();
    assert_eq!(s.statutory_days, 20);
}

// ---- properties ----

fn any_calendar() -> impl Strategy<Value = Arc<WorkCalendar>> {
    prop_oneof![Just(national()), Just(guangxi()), Just(xinjiang())]
}

fn any_receipt() -> impl Strategy<Value = NaiveDate> {
    (0u64..(22 * 365)).prop_map(|o| d("2006-01-01") + chrono::Days::new(o))
}

/// An event `offset` days after the receipt.
fn any_event() -> impl Strategy<Value = (u64, u8, u8, u32, bool)> {
    (0u64..90, 0u8..13, 0u8..3, 0u32..30, any::<bool>())
}

fn make_event(
    receipt: NaiveDate,
    (offset, kind, id, n, flag): (u64, u8, u8, u32, bool),
) -> ClockEvent {
    let date = receipt + chrono::Days::new(offset);
    let later = date + chrono::Days::new(u64::from(n));
    let id = format!("c{id}");
    let party = if flag {
        ConsultedParty::Agency
    } else {
        ConsultedParty::ThirdParty
    };
    match kind {
        0 => ClockEvent::CorrectionRequested {
            date,
            respond_by: flag.then_some(later),
        },
        1 => ClockEvent::CorrectionReceived { date },
        2 => ClockEvent::CorrectionLapsed { date },
        3 | 4 => ClockEvent::ConsultationStarted {
            date,
            id,
            party,
            third_party_received_on: flag.then_some(later),
        },
        5 | 6 => ClockEvent::ConsultationEnded { date, id },
        7 => ClockEvent::ExtensionGranted {
            date,
            notified_on: later,
            working_days: n,
            approved: flag,
        },
        8 => ClockEvent::FeeNoticeIssued {
            date,
            delivered_on: None,
        },
        9 => ClockEvent::FeePaid { date },
        10 => ClockEvent::CustomDueDate {
            date,
            due_on: later,
            approved: flag,
        },
        11 => ClockEvent::ReceiptConfirmed { date },
        _ => ClockEvent::FeeLapsed { date },
    }
}

proptest! {
    #[test]
    fn never_fails_and_due_is_a_working_day(
        cal in any_calendar(),
        receipt in any_receipt(),
        raw in prop::collection::vec(any_event(), 0..8),
        as_of_offset in 0u64..150,
    ) {
        let events: Vec<_> = raw.into_iter().map(|e| make_event(receipt, e)).collect();
        let as_of = receipt + chrono::Days::new(as_of_offset);
        let dl = compute_deadline(Some(receipt), &events, &RuleSettings::default(), &cal, as_of).unwrap();
        let custom = events.iter().any(|e| matches!(e, ClockEvent::CustomDueDate { .. }));
        if let Some(due) = dl.due_on && !custom {
            prop_assert!(cal.is_working_day(due).unwrap(), "{due}");
            prop_assert!(due > dl.clock_start.unwrap());
        }
        if let (Some(used), Some(rem), Some(_)) = (dl.working_days_used, dl.working_days_remaining, dl.due_on) {
            prop_assert!(used >= 0);
            if dl.overdue { prop_assert!(rem <= 0); }
        }
        prop_assert_eq!(dl.provisional, !dl.provisional_reasons.is_empty());
    }

    #[test]
    fn pauses_never_make_the_due_date_earlier(
        cal in any_calendar(),
        receipt in any_receipt(),
        pauses in prop::collection::vec((0u64..60, 0u64..40, any::<bool>()), 0..4),
        as_of_offset in 0u64..150,
    ) {
        let as_of = receipt + chrono::Days::new(as_of_offset);
        let plain = compute_deadline(Some(receipt), &[], &RuleSettings::default(), &cal, as_of).unwrap();
        let mut events = Vec::new();
        for (i, (start, len, ended)) in pauses.into_iter().enumerate() {
            let s = receipt + chrono::Days::new(start);
            events.push(ClockEvent::ConsultationStarted { date: s, id: i.to_string(), party: ConsultedParty::ThirdParty, third_party_received_on: None });
            if ended {
                events.push(ClockEvent::ConsultationEnded { date: s + chrono::Days::new(len), id: i.to_string() });
            }
        }
        events.sort_by_key(ClockEvent::date);
        let paused = compute_deadline(Some(receipt), &events, &RuleSettings::default(), &cal, as_of).unwrap();
        prop_assert!(paused.due_on >= plain.due_on);
        prop_assert_eq!(paused.base_due_on, paused.due_on);
        let shifted = cal.add_working_days(plain.due_on.unwrap(), paused.paused_working_days).unwrap().value;
        prop_assert!(paused.due_on.unwrap() >= shifted);
    }

    #[test]
    fn restart_is_never_earlier_than_the_base_rule_from_the_new_date(
        cal in any_calendar(),
        receipt in any_receipt(),
        ask in 0u64..15,
        wait in 0u64..40,
        pause in prop::option::of((0u64..30, 0u64..30)),
    ) {
        let asked = receipt + chrono::Days::new(ask);
        let got = asked + chrono::Days::new(wait);
        let mut events = vec![
            ClockEvent::CorrectionRequested { date: asked, respond_by: None },
            ClockEvent::CorrectionReceived { date: got },
        ];
        if let Some((s, l)) = pause {
            let s = receipt + chrono::Days::new(s);
            events.push(ClockEvent::ConsultationStarted { date: s, id: "p".into(), party: ConsultedParty::Agency, third_party_received_on: None });
            events.push(ClockEvent::ConsultationEnded { date: s + chrono::Days::new(l), id: "p".into() });
        }
        let as_of = got + chrono::Days::new(10);
        let dl = compute_deadline(Some(receipt), &events, &RuleSettings::default(), &cal, as_of).unwrap();
        let notice_due = cal.add_working_days(receipt, 7).unwrap().value;
        if asked <= notice_due {
            let base = cal.add_working_days(got, 20).unwrap().value;
            prop_assert_eq!(dl.clock_start, Some(got));
            prop_assert!(dl.due_on.unwrap() >= base);
        } else {
            // Art. 30: a late notice never restarts the period.
            prop_assert_eq!(dl.clock_start, Some(receipt));
            prop_assert!(dl.flags.contains(&DeadlineFlag::CorrectionNoRestart));
        }
    }
}

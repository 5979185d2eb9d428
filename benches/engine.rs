//! Working-day arithmetic and a full deadline computation. In the main crate, replace
//! `ogi_tracker::` with the crate's own name.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use ogi_tracker::domain::calendar::{CalendarSet, NamedDate, RegionCode, YearData};
use ogi_tracker::domain::deadline::{ClockEvent, ConsultedParty, RuleSettings, compute_deadline};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn calendar(c: &mut Criterion) {
    let set = CalendarSet::bundled();
    let gx = set.calendar(Some(&RegionCode::parse("450100").unwrap()));
    let from = d("2025-03-20");
    let (to, gx_day) = (d("2026-03-20"), d("2017-04-01"));

    c.bench_function("add_working_days/20", |b| {
        b.iter(|| gx.add_working_days(black_box(from), black_box(20)))
    });
    // Crosses into 2027: builds provisional reasons.
    c.bench_function("add_working_days/600_provisional", |b| {
        b.iter(|| gx.add_working_days(black_box(from), black_box(600)))
    });
    c.bench_function("working_days_between/1y", |b| {
        b.iter(|| gx.working_days_between(black_box(from), black_box(to)))
    });
    c.bench_function("day", |b| b.iter(|| gx.day(black_box(gx_day))));
    c.bench_function("calendar_set/bundled", |b| b.iter(CalendarSet::bundled));
    let y2027 = YearData {
        holidays: vec![NamedDate {
            date: d("2027-01-01"),
            name: "元旦".to_owned(),
        }],
        workdays: vec![],
        evidence: None,
    };
    c.bench_function("calendar_set/with_year_national", |b| {
        b.iter(|| set.with_year(None, 2027, black_box(y2027.clone())))
    });
}

fn deadline(c: &mut Criterion) {
    let set = CalendarSet::bundled();
    let gx = set.calendar(Some(&RegionCode::parse("450000").unwrap()));
    let settings = RuleSettings::default();
    let receipt = Some(d("2025-06-03"));
    let (as_of_1, as_of_2) = (d("2025-06-18"), d("2025-07-15"));

    c.bench_function("deadline/receipt_only", |b| {
        b.iter(|| compute_deadline(black_box(receipt), &[], &settings, &gx, as_of_1))
    });

    let events = vec![
        ClockEvent::ConsultationStarted {
            date: d("2025-06-10"),
            id: "c1".to_owned(),
            party: ConsultedParty::ThirdParty,
            third_party_received_on: None,
        },
        ClockEvent::ConsultationStarted {
            date: d("2025-06-12"),
            id: "c2".to_owned(),
            party: ConsultedParty::Agency,
            third_party_received_on: None,
        },
        ClockEvent::ConsultationEnded {
            date: d("2025-06-17"),
            id: "c1".to_owned(),
        },
        ClockEvent::ConsultationEnded {
            date: d("2025-06-20"),
            id: "c2".to_owned(),
        },
        ClockEvent::ExtensionGranted {
            date: d("2025-07-08"),
            notified_on: d("2025-07-08"),
            working_days: 20,
            approved: true,
        },
        ClockEvent::FeeNoticeIssued {
            date: d("2025-07-10"),
            delivered_on: None,
        },
    ];
    c.bench_function("deadline/six_events_open_fee_pause", |b| {
        b.iter(|| {
            compute_deadline(
                black_box(receipt),
                black_box(&events),
                &settings,
                &gx,
                black_box(as_of_2),
            )
        })
    });
}

criterion_group!(benches, calendar, deadline);
criterion_main!(benches);

//! What the database holds, counted for `/metrics`: open and overdue cases and the
//! outbox's undelivered mails. Each figure is one COUNT over an index, so a scrape stays
//! cheap at a million cases.

use chrono::NaiveDate;

use super::{Ctx, OpResult};
use crate::store;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    pub open_cases: i64,
    pub overdue_cases: i64,
    pub outbox_pending: i64,
    pub outbox_sending: i64,
    pub outbox_failed: i64,
}

/// The figures as of `today` (overdue: a running case whose due date is before it).
pub fn gauges(ctx: &Ctx, today: NaiveDate) -> OpResult<Gauges> {
    ctx.read(|c| {
        let (open_cases, overdue_cases) = store::cases::count_open_overdue(c, today)?;
        let mut g = Gauges {
            open_cases,
            overdue_cases,
            ..Gauges::default()
        };
        for (status, n) in store::outbox::count_undelivered(c)? {
            match status.as_str() {
                "pending" => g.outbox_pending = n,
                "sending" => g.outbox_sending = n,
                "failed" => g.outbox_failed = n,
                _ => {}
            }
        }
        Ok(g)
    })
}

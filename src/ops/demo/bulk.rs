//! The bulk fill: a department's planned cases replayed in memory by the rules the
//! operations apply — intake parsing, the domain's derivation after every change, the
//! event and reply checks, the reply checker's findings and automatic 文号 — then written in
//! large batches through the store with everything the operations would have written: cases
//! with their derived columns, items, search grams, events, replies, audit trails (chained
//! and hashed by `store::trail`), mails, and the case and reply counters that later work
//! continues from. Remedies (a few in a hundred cases) go through their own operation once
//! their case is written.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::super::cases::{Change, change_mail, event_allowed, parse_case};
use super::super::remedies::RemedyIn;
use super::super::replies::{Numbered, admissible, compose, organ_for, reply_change, validate};
use super::super::{Ctx, OpError, OpResult};
use super::plan::{Action, Planned};
use super::{DemoReport, accepted};
use crate::auth::Actor;
use crate::cases::{Derivation, derive, snapshot};
use crate::domain::calendar::CalendarSet;
use crate::domain::case::CaseEvent;
use crate::domain::compliance::Organ;
use crate::store::cases::{CaseRow, EventRow};
use crate::store::departments::Department;
use crate::store::outbox::NewMail;
use crate::store::replies::ReplyRow;
use crate::store::trail::Entry;
use crate::store::{self, DbConnection};

/// Departments prepared at once: one worker builds its batch in memory while the
/// database writes another's.
pub(super) const WORKERS: u32 = 2;

/// Workers on SQLite: one. Its single writer would make a second worker wait for a whole
/// batch's transaction, beyond `busy_timeout` on a busy machine ("database is locked").
pub(super) fn workers(ctx: &Ctx) -> OpResult<u32> {
    let sqlite = ctx.read(|c| Ok(matches!(c, DbConnection::Sqlite(_))))?;
    Ok(if sqlite { 1 } else { WORKERS })
}

/// Cases per transaction.
const BATCH: usize = 5_000;

/// What every case of a department is replayed against.
struct Setting<'a> {
    ctx: &'a Ctx,
    admin: &'a Actor,
    dept: Department,
    organ: Organ,
    calendars: Arc<CalendarSet>,
    today: NaiveDate,
    now: NaiveDateTime,
}

/// Ids taken ahead for one batch, handed out in order.
struct Ids {
    events: std::vec::IntoIter<i64>,
    replies: std::vec::IntoIter<i64>,
}

impl Ids {
    fn take(ids: &mut std::vec::IntoIter<i64>, what: &str) -> OpResult<i64> {
        ids.next()
            .ok_or_else(|| OpError::internal(format!("more {what} than ids taken")))
    }
}

/// The next automatic reply number per year, from the department's counter.
struct Numbers {
    next: BTreeMap<i32, i32>,
}

impl Numbers {
    fn take(&mut self, c: &mut DbConnection, dept: &Department, year: i32) -> OpResult<i32> {
        let next = match self.next.entry(year) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(store::replies::peek_seq(c, dept.id, &dept.data.code, year)?)
            }
        };
        let seq = *next;
        *next += 1;
        Ok(seq)
    }

    /// Moves the counters past the numbers taken.
    fn count(self, c: &mut DbConnection, dept: &Department) -> OpResult<()> {
        for (year, next) in self.next {
            store::replies::count_numbers(c, dept.id, &dept.data.code, year, next - 1)?;
        }
        Ok(())
    }
}

/// One case as replayed: its rows as they will be stored.
struct Replayed {
    row: CaseRow,
    derivation: Derivation,
    items: Vec<String>,
    events: Vec<EventRow>,
    replies: Vec<ReplyRow>,
    trail: Vec<Entry>,
    mails: Vec<NewMail>,
}

/// A batch as it will be stored, and the remedies to record once it is.
#[derive(Default)]
struct Batch {
    rows: Vec<CaseRow>,
    items: Vec<Vec<String>>,
    events: Vec<EventRow>,
    replies: Vec<ReplyRow>,
    trails: Vec<(i64, Vec<Entry>)>,
    mails: Vec<NewMail>,
    remedies: Vec<(i64, RemedyIn)>,
    report: DemoReport,
}

/// Replays and writes one department's planned cases, a batch per transaction.
pub(super) fn department(
    ctx: &Ctx,
    admin: &Actor,
    dept_id: i64,
    plans: Vec<Planned>,
    report: &mut DemoReport,
) -> OpResult<()> {
    let setting = ctx.read(|c| {
        let dept = store::departments::find(c, dept_id)?.ok_or(OpError::NotFound("机关"))?;
        Ok(Setting {
            ctx,
            admin,
            organ: organ_for(c, &dept)?,
            dept,
            calendars: ctx.calendars(c)?,
            today: ctx.today(),
            now: store::now(),
        })
    })?;
    for chunk in plans.chunks(BATCH) {
        let batch = ctx.write(|c| {
            store::bulk::relaxed_commit(c)?;
            let batch = setting.replay(c, chunk)?;
            store::cases::write_bulk(c, &batch.rows, &batch.items)?;
            store::cases::write_events(c, &batch.events)?;
            store::replies::write_bulk(c, &batch.replies)?;
            store::trail::write_trails(c, &ctx.audit_key, &batch.trails)?;
            store::outbox::enqueue_new(c, &batch.mails)?;
            Ok(batch)
        })?;
        report.add(batch.report);
        // Now that their cases are stored, remedies go through their own operation.
        for (case_id, remedy) in batch.remedies {
            if accepted(super::super::remedies::record(ctx, admin, case_id, remedy))?.is_some() {
                report.remedies += 1;
            }
        }
    }
    Ok(())
}

impl Setting<'_> {
    /// Replays a batch of planned cases: ids and numbers taken here, in the batch's
    /// transaction, in the order the operations would take them.
    fn replay(&self, c: &mut DbConnection, plans: &[Planned]) -> OpResult<Batch> {
        let count = |f: fn(&Action) -> bool| {
            plans
                .iter()
                .flat_map(|p| &p.steps)
                .filter(|s| f(&s.action))
                .count()
        };
        let case_ids = store::bulk::reserve_ids(c, "cases", plans.len())?;
        let mut ids = Ids {
            // Every step but a remedy may add an event (a reply its `replied`).
            events: store::bulk::reserve_ids(
                c,
                "case_events",
                count(|a| !matches!(a, Action::Remedy(_))),
            )?
            .into_iter(),
            replies: store::bulk::reserve_ids(
                c,
                "replies",
                count(|a| matches!(a, Action::Reply(_))),
            )?
            .into_iter(),
        };
        let year = self.today.year();
        let n = i32::try_from(plans.len()).map_err(OpError::internal)?;
        let first = store::cases::take_case_seqs(c, self.dept.id, year, n)? - n + 1;
        let mut numbers = Numbers {
            next: BTreeMap::new(),
        };
        let mut batch = Batch::default();
        for ((plan, id), seq) in plans.iter().zip(case_ids).zip(first..) {
            let mut case = self.intake(plan, id, (year, seq))?;
            let mut previous = true;
            for step in &plan.steps {
                if step.after_previous && !previous {
                    continue;
                }
                previous = match &step.action {
                    Action::Event(e) => self.event(&mut case, e, &mut ids)?,
                    Action::Reply(r) => self.reply(c, &mut case, r, &mut ids, &mut numbers)?,
                    Action::Remedy(r) => {
                        batch.remedies.push((id, r.clone()));
                        continue;
                    }
                };
                if previous {
                    batch.report.tally(&step.action);
                }
            }
            batch.report.cases += 1;
            batch.rows.push(case.row);
            batch.items.push(case.items);
            batch.events.extend(case.events);
            batch.replies.extend(case.replies);
            batch.trails.push((id, case.trail));
            batch.mails.extend(case.mails);
        }
        numbers.count(c, &self.dept)?;
        Ok(batch)
    }

    /// The intake as `ops::cases::register` makes it: parsed, derived, numbered, its trail
    /// opened and its acknowledgement mailed.
    fn intake(&self, plan: &Planned, id: i64, number: (i32, i32)) -> OpResult<Replayed> {
        let new = parse_case(plan.intake.clone(), self.admin, self.today, "")?;
        let derivation = self.derive(new.received_on, Vec::new())?;
        let row = CaseRow::new_intake(
            id,
            &new,
            number,
            &derivation.derived,
            self.admin.user_id,
            self.now,
        );
        let mails = crate::cases::mail_for(&row, &self.dept, &self.ctx.settings.public_url, None)?
            .into_iter()
            .collect();
        Ok(Replayed {
            trail: vec![Entry {
                actor_id: self.admin.user_id,
                action: "case_created".into(),
                before: None,
                after: snapshot(&row, &derivation.derived, None),
            }],
            row,
            derivation,
            items: new.items,
            events: Vec::new(),
            replies: Vec::new(),
            mails,
        })
    }

    fn derive(
        &self,
        received_on: Option<NaiveDate>,
        events: Vec<(EventRow, CaseEvent)>,
    ) -> OpResult<Derivation> {
        Ok(derive(
            &self.calendars,
            &self.dept.data,
            received_on,
            events,
            self.today,
        )?)
    }

    /// An event as `ops::cases::record_event` records it; false when the rules refuse it.
    fn event(&self, case: &mut Replayed, event: &CaseEvent, ids: &mut Ids) -> OpResult<bool> {
        let checked = event
            .validate_limits()
            .map_err(OpError::from)
            .and_then(|()| {
                event_allowed(self.admin, &case.row, &case.derivation, event, self.today)
            });
        if accepted(checked)?.is_none() {
            return Ok(false);
        }
        self.apply(
            case,
            Change {
                action: format!("event:{}", event.kind()),
                audit: serde_json::to_value(event).ok(),
                event: Some(event.clone()),
                mail: None,
                value: (),
            },
            ids,
        )?;
        Ok(true)
    }

    /// A reply as `ops::replies::record_reply` records it, numbered automatically; false
    /// when the rules refuse it.
    fn reply(
        &self,
        c: &mut DbConnection,
        case: &mut Replayed,
        input: &super::super::replies::ReplyIn,
        ids: &mut Ids,
        numbers: &mut Numbers,
    ) -> OpResult<bool> {
        let checked = validate(input, self.today)
            .and_then(|checked| admissible(&case.row, &case.derivation, input).map(|()| checked));
        let Some(checked) = accepted(checked)? else {
            return Ok(false);
        };
        if checked.wanted_number() != Some("auto") {
            return Err(OpError::internal(
                "the bulk fill numbers replies automatically",
            ));
        }
        let seq = numbers.take(c, &self.dept, input.issued_on.year())?;
        let (new, findings) = compose(
            input,
            &checked,
            (&case.row, &self.dept, &case.derivation),
            &self.organ,
            Numbered::auto(&self.dept, input.issued_on, seq),
            // The department's other numbers of that year and sequence: automatic numbers
            // are unique, so none.
            &[],
            self.admin.user_id,
        );
        let saved = new.into_row(Ids::take(&mut ids.replies, "replies")?, self.now);
        // As `store::replies::insert` keeps it beside the case.
        case.row.reply_outcome = Some(saved.outcome.clone());
        case.replies.push(saved.clone());
        let change = reply_change(saved, &findings, checked.outcome());
        self.apply(case, change, ids)?;
        Ok(true)
    }

    /// A change as `ops::cases::change_case` makes it: the event recorded, the case derived
    /// again and its version moved on, the audit record, the mail.
    fn apply<T>(&self, case: &mut Replayed, change: Change<T>, ids: &mut Ids) -> OpResult<()> {
        let Some(event) = &change.event else {
            return Err(OpError::internal("a demo change without an event"));
        };
        let before = snapshot(&case.row, &case.derivation.derived, None);
        let event_row = EventRow {
            id: Ids::take(&mut ids.events, "events")?,
            case_id: case.row.id,
            kind: event.kind().to_owned(),
            occurred_on: event.date(),
            payload: serde_json::to_string(event).map_err(OpError::internal)?,
            recorded_by: self.admin.user_id,
            recorded_at: self.now,
        };
        let mut events = case.derivation.events.clone();
        events.push((event_row.clone(), event.clone()));
        case.events.push(event_row);
        let after = self.derive(case.row.received_on, events)?;
        let mut row = case.row.clone().with_derived(&after.derived);
        row.received_on = after.state.receipt;
        row.version += 1;
        row.updated_at = self.now;
        case.trail.push(Entry {
            actor_id: self.admin.user_id,
            action: change.action,
            before: Some(before),
            after: snapshot(&row, &after.derived, change.audit),
        });
        case.mails.extend(change_mail(
            &row,
            &self.dept,
            &self.ctx.settings.public_url,
            change.mail,
            change.event.as_ref(),
        )?);
        case.row = row;
        case.derivation = after;
        Ok(())
    }
}

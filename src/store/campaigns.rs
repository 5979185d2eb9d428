//! Test-applicant campaigns (模拟用户实测): campaigns, their targets, letters, replies and
//! phone checks. Facts only; due dates, grades and reports are derived by `domain::campaign`
//! when read. Coded columns (a letter's channel) are typed here, once.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    audit_campaigns, audit_letter_replies, audit_letters, audit_phone_checks, audit_targets,
};
use super::{Backend, DbConnection, now};
use crate::domain::campaign::Channel;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_campaigns)]
pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub statutory_days: i32,
    pub cutoff_on: NaiveDate,
    pub pass_threshold_bp: i32,
    pub rubric: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub region: String,
    pub statutory_days: i32,
    pub cutoff_on: NaiveDate,
    pub pass_threshold_bp: i32,
    /// JSON text.
    pub rubric: String,
    pub created_by: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_targets)]
pub struct TargetRow {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    pub category: String,
    pub region: Option<String>,
    pub created_at: NaiveDateTime,
    /// The department the unit is, as linked by an administrator (never guessed).
    pub department_id: Option<i64>,
    /// Guards the link (If-Match).
    pub version: i32,
}

#[derive(Debug, Clone)]
pub struct NewTarget {
    pub name: String,
    pub category: String,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_letters)]
pub struct LetterRow {
    pub id: i64,
    pub campaign_id: i64,
    pub target_id: i64,
    /// Stored as its code; an unknown code fails the load rather than reaching the grader.
    #[diesel(deserialize_as = String)]
    pub channel: Channel,
    pub sent_on: NaiveDate,
    pub tracking_number: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct NewLetter {
    pub target_id: i64,
    pub channel: Channel,
    pub sent_on: NaiveDate,
    pub tracking_number: Option<String>,
    pub signed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_letter_replies)]
pub struct ReplyRow {
    pub letter_id: i64,
    pub received_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub doc_date: Option<NaiveDate>,
    pub doc_number: Option<String>,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    pub legal_basis: String,
    pub remedy: String,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

/// A reply to store; `legal_basis` and `remedy` already JSON text.
#[derive(Debug, Clone)]
pub struct NewReply {
    pub received_on: NaiveDate,
    pub dispatched_on: Option<NaiveDate>,
    pub doc_date: Option<NaiveDate>,
    pub doc_number: Option<String>,
    pub sealed: bool,
    pub seal_organ: Option<String>,
    pub legal_basis: String,
    pub remedy: String,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_phone_checks)]
pub struct PhoneRow {
    pub id: i64,
    pub campaign_id: i64,
    pub target_id: i64,
    pub called_at: NaiveDateTime,
    pub connected: bool,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert_campaign(conn: &mut DbConnection, c: &NewCampaign) -> QueryResult<CampaignRow> {
    diesel::insert_into(audit_campaigns::table)
        .values((
            audit_campaigns::name.eq(&c.name),
            audit_campaigns::region.eq(&c.region),
            audit_campaigns::statutory_days.eq(c.statutory_days),
            audit_campaigns::cutoff_on.eq(c.cutoff_on),
            audit_campaigns::pass_threshold_bp.eq(c.pass_threshold_bp),
            audit_campaigns::rubric.eq(&c.rubric),
            audit_campaigns::created_by.eq(c.created_by),
            audit_campaigns::created_at.eq(now()),
        ))
        .returning(<CampaignRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

pub fn campaigns(conn: &mut DbConnection) -> QueryResult<Vec<CampaignRow>> {
    audit_campaigns::table
        .order(audit_campaigns::id.desc())
        .select(CampaignRow::as_select())
        .load(conn)
}

pub fn find_campaign(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CampaignRow>> {
    audit_campaigns::table
        .find(id)
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_target(
    conn: &mut DbConnection,
    campaign_id: i64,
    t: &NewTarget,
) -> QueryResult<TargetRow> {
    diesel::insert_into(audit_targets::table)
        .values((
            audit_targets::campaign_id.eq(campaign_id),
            audit_targets::name.eq(&t.name),
            audit_targets::category.eq(&t.category),
            audit_targets::region.eq(&t.region),
            audit_targets::created_at.eq(now()),
        ))
        .returning(<TargetRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// A campaign's targets, in the order they were added.
pub fn targets(conn: &mut DbConnection, campaign_id: i64) -> QueryResult<Vec<TargetRow>> {
    audit_targets::table
        .filter(audit_targets::campaign_id.eq(campaign_id))
        .order(audit_targets::id)
        .select(TargetRow::as_select())
        .load(conn)
}

/// Links a target to a department (or unlinks it) if it is still at `expected`; false when
/// the version moved on.
pub fn set_target_department(
    conn: &mut DbConnection,
    id: i64,
    expected: i32,
    department_id: Option<i64>,
) -> QueryResult<bool> {
    let n = diesel::update(
        audit_targets::table
            .filter(audit_targets::id.eq(id))
            .filter(audit_targets::version.eq(expected)),
    )
    .set((
        audit_targets::department_id.eq(department_id),
        audit_targets::version.eq(expected + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Every target linked to one of `departments`, by campaign.
pub fn linked_targets(conn: &mut DbConnection, departments: &[i64]) -> QueryResult<Vec<TargetRow>> {
    audit_targets::table
        .filter(audit_targets::department_id.eq_any(departments))
        .order((audit_targets::campaign_id, audit_targets::id))
        .select(TargetRow::as_select())
        .load(conn)
}

pub fn find_target(
    conn: &mut DbConnection,
    campaign_id: i64,
    id: i64,
) -> QueryResult<Option<TargetRow>> {
    audit_targets::table
        .filter(audit_targets::campaign_id.eq(campaign_id))
        .filter(audit_targets::id.eq(id))
        .select(TargetRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_letter(
    conn: &mut DbConnection,
    campaign_id: i64,
    l: &NewLetter,
    actor: i64,
) -> QueryResult<LetterRow> {
    diesel::insert_into(audit_letters::table)
        .values((
            audit_letters::campaign_id.eq(campaign_id),
            audit_letters::target_id.eq(l.target_id),
            audit_letters::channel.eq(l.channel.code()),
            audit_letters::sent_on.eq(l.sent_on),
            audit_letters::tracking_number.eq(&l.tracking_number),
            audit_letters::signed_on.eq(l.signed_on),
            audit_letters::created_by.eq(actor),
            audit_letters::created_at.eq(now()),
        ))
        .returning(<LetterRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// A campaign's letters, in the order they were recorded.
pub fn letters(conn: &mut DbConnection, campaign_id: i64) -> QueryResult<Vec<LetterRow>> {
    audit_letters::table
        .filter(audit_letters::campaign_id.eq(campaign_id))
        .order(audit_letters::id)
        .select(LetterRow::as_select())
        .load(conn)
}

pub fn find_letter(
    conn: &mut DbConnection,
    campaign_id: i64,
    id: i64,
) -> QueryResult<Option<LetterRow>> {
    audit_letters::table
        .filter(audit_letters::campaign_id.eq(campaign_id))
        .filter(audit_letters::id.eq(id))
        .select(LetterRow::as_select())
        .first(conn)
        .optional()
}

/// Records a letter's signing date (the receipt date, Art. 31) and tracking number, which
/// the post usually confirms days after the letter went out.
pub fn update_letter(
    conn: &mut DbConnection,
    letter_id: i64,
    sent_on: NaiveDate,
    signed_on: Option<NaiveDate>,
    tracking_number: Option<&str>,
) -> QueryResult<()> {
    diesel::update(audit_letters::table.find(letter_id))
        .set((
            audit_letters::sent_on.eq(sent_on),
            audit_letters::signed_on.eq(signed_on),
            audit_letters::tracking_number.eq(tracking_number),
        ))
        .execute(conn)
        .map(drop)
}

/// Records the reply to a letter, replacing an earlier one.
pub fn put_reply(
    conn: &mut DbConnection,
    letter_id: i64,
    r: &NewReply,
    actor: i64,
) -> QueryResult<ReplyRow> {
    diesel::delete(audit_letter_replies::table.find(letter_id)).execute(conn)?;
    diesel::insert_into(audit_letter_replies::table)
        .values((
            audit_letter_replies::letter_id.eq(letter_id),
            audit_letter_replies::received_on.eq(r.received_on),
            audit_letter_replies::dispatched_on.eq(r.dispatched_on),
            audit_letter_replies::doc_date.eq(r.doc_date),
            audit_letter_replies::doc_number.eq(&r.doc_number),
            audit_letter_replies::sealed.eq(r.sealed),
            audit_letter_replies::seal_organ.eq(&r.seal_organ),
            audit_letter_replies::legal_basis.eq(&r.legal_basis),
            audit_letter_replies::remedy.eq(&r.remedy),
            audit_letter_replies::recorded_by.eq(actor),
            audit_letter_replies::recorded_at.eq(now()),
        ))
        .returning(<ReplyRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// The replies to a campaign's letters.
pub fn replies(conn: &mut DbConnection, campaign_id: i64) -> QueryResult<Vec<ReplyRow>> {
    let letter_ids = audit_letters::table
        .filter(audit_letters::campaign_id.eq(campaign_id))
        .select(audit_letters::id);
    audit_letter_replies::table
        .filter(audit_letter_replies::letter_id.eq_any(letter_ids))
        .order(audit_letter_replies::letter_id)
        .select(ReplyRow::as_select())
        .load(conn)
}

pub fn find_reply(conn: &mut DbConnection, letter_id: i64) -> QueryResult<Option<ReplyRow>> {
    audit_letter_replies::table
        .find(letter_id)
        .select(ReplyRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_phone_check(
    conn: &mut DbConnection,
    campaign_id: i64,
    target_id: i64,
    called_at: NaiveDateTime,
    connected: bool,
    actor: i64,
) -> QueryResult<PhoneRow> {
    diesel::insert_into(audit_phone_checks::table)
        .values((
            audit_phone_checks::campaign_id.eq(campaign_id),
            audit_phone_checks::target_id.eq(target_id),
            audit_phone_checks::called_at.eq(called_at),
            audit_phone_checks::connected.eq(connected),
            audit_phone_checks::created_by.eq(actor),
            audit_phone_checks::created_at.eq(now()),
        ))
        .returning(<PhoneRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)
}

/// A campaign's phone checks, in the order they were recorded.
pub fn phone_checks(conn: &mut DbConnection, campaign_id: i64) -> QueryResult<Vec<PhoneRow>> {
    audit_phone_checks::table
        .filter(audit_phone_checks::campaign_id.eq(campaign_id))
        .order(audit_phone_checks::id)
        .select(PhoneRow::as_select())
        .load(conn)
}

/// Counts of a campaign's targets, letters, replies and phone checks, for lists.
pub fn counts(conn: &mut DbConnection, campaign_id: i64) -> QueryResult<[i64; 4]> {
    let targets = audit_targets::table
        .filter(audit_targets::campaign_id.eq(campaign_id))
        .count()
        .get_result(conn)?;
    let letters = audit_letters::table
        .filter(audit_letters::campaign_id.eq(campaign_id))
        .count()
        .get_result(conn)?;
    let letter_ids = audit_letters::table
        .filter(audit_letters::campaign_id.eq(campaign_id))
        .select(audit_letters::id);
    let replies = audit_letter_replies::table
        .filter(audit_letter_replies::letter_id.eq_any(letter_ids))
        .count()
        .get_result(conn)?;
    let phones = audit_phone_checks::table
        .filter(audit_phone_checks::campaign_id.eq(campaign_id))
        .count()
        .get_result(conn)?;
    Ok([targets, letters, replies, phones])
}

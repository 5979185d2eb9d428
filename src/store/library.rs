//! The typical-case library (案例库): entries (an anonymised copy of a finished case,
//! versioned) and their topic tags. A change is written only if the version is still the
//! one read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{library_entries, library_entry_topics};
use super::{Backend, DbConnection, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = library_entries)]
pub struct EntryRow {
    pub id: i64,
    pub case_id: i64,
    pub department_id: i64,
    pub status: String,
    pub title: String,
    pub note: String,
    pub outcome: String,
    pub article: Option<i32>,
    pub article_label: Option<String>,
    /// JSON array of the request items (anonymised).
    pub items: String,
    pub reply_text: String,
    pub reasons: Option<String>,
    /// JSON array of the remedy results (anonymised).
    pub remedies: String,
    pub replied_on: NaiveDate,
    pub search_text: String,
    pub marked_by: i64,
    pub published_by: Option<i64>,
    pub published_on: Option<NaiveDate>,
    pub withdrawn_reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The copy's texts, as made or as edited by the publisher.
#[derive(Debug, Clone)]
pub struct Copy {
    pub title: String,
    pub note: String,
    pub items: String,
    pub reply_text: String,
    pub reasons: Option<String>,
    pub remedies: String,
    pub search_text: String,
}

/// An entry to store (already validated and anonymised), in state pending.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub case_id: i64,
    pub department_id: i64,
    pub outcome: String,
    pub article: Option<i32>,
    pub article_label: Option<String>,
    pub replied_on: NaiveDate,
    pub marked_by: i64,
    pub copy: Copy,
}

pub fn insert(conn: &mut DbConnection, e: &NewEntry, topics: &[String]) -> QueryResult<EntryRow> {
    let ts = now();
    let row: EntryRow = diesel::insert_into(library_entries::table)
        .values((
            library_entries::case_id.eq(e.case_id),
            library_entries::department_id.eq(e.department_id),
            library_entries::status.eq("pending"),
            library_entries::title.eq(&e.copy.title),
            library_entries::note.eq(&e.copy.note),
            library_entries::outcome.eq(&e.outcome),
            library_entries::article.eq(e.article),
            library_entries::article_label.eq(&e.article_label),
            library_entries::items.eq(&e.copy.items),
            library_entries::reply_text.eq(&e.copy.reply_text),
            library_entries::reasons.eq(&e.copy.reasons),
            library_entries::remedies.eq(&e.copy.remedies),
            library_entries::replied_on.eq(e.replied_on),
            library_entries::search_text.eq(&e.copy.search_text),
            library_entries::marked_by.eq(e.marked_by),
            library_entries::version.eq(1),
            library_entries::created_at.eq(ts),
            library_entries::updated_at.eq(ts),
        ))
        .returning(<EntryRow as Selectable<Backend>>::construct_selection())
        .get_result(conn)?;
    set_topics(conn, row.id, topics)?;
    Ok(row)
}

/// Replaces an entry's topic tags (one row at a time: the multi backend has no multi-row
/// insert).
pub fn set_topics(conn: &mut DbConnection, entry_id: i64, topics: &[String]) -> QueryResult<()> {
    diesel::delete(library_entry_topics::table.filter(library_entry_topics::entry_id.eq(entry_id)))
        .execute(conn)?;
    for t in topics {
        diesel::insert_into(library_entry_topics::table)
            .values((
                library_entry_topics::entry_id.eq(entry_id),
                library_entry_topics::topic.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<EntryRow>> {
    library_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

/// The entries of a case not withdrawn (a case is in the library at most once).
pub fn live_for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<EntryRow>> {
    library_entries::table
        .filter(library_entries::case_id.eq(case_id))
        .filter(library_entries::status.ne("withdrawn"))
        .select(EntryRow::as_select())
        .load(conn)
}

/// The topic tags of each of `entry_ids`, as (entry id, topic), in order.
pub fn topics_of(conn: &mut DbConnection, entry_ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    library_entry_topics::table
        .filter(library_entry_topics::entry_id.eq_any(entry_ids))
        .order((library_entry_topics::entry_id, library_entry_topics::topic))
        .select((library_entry_topics::entry_id, library_entry_topics::topic))
        .load(conn)
}

/// Writes the publisher's edit of the copy, if the version is still `expected_version`.
pub fn update_copy(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    copy: &Copy,
) -> QueryResult<bool> {
    let n = diesel::update(
        library_entries::table
            .filter(library_entries::id.eq(id))
            .filter(library_entries::version.eq(expected_version)),
    )
    .set((
        library_entries::title.eq(&copy.title),
        library_entries::note.eq(&copy.note),
        library_entries::items.eq(&copy.items),
        library_entries::reply_text.eq(&copy.reply_text),
        library_entries::reasons.eq(&copy.reasons),
        library_entries::remedies.eq(&copy.remedies),
        library_entries::search_text.eq(&copy.search_text),
        library_entries::version.eq(expected_version + 1),
        library_entries::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Moves an entry to `status` (publish: who and when; withdraw: why), if the version is
/// still `expected_version`.
pub fn set_status(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    status: &str,
    published: Option<(i64, NaiveDate)>,
    withdrawn_reason: Option<&str>,
) -> QueryResult<bool> {
    let target = library_entries::table
        .filter(library_entries::id.eq(id))
        .filter(library_entries::version.eq(expected_version));
    let n = match published {
        Some((by, on)) => diesel::update(target)
            .set((
                library_entries::status.eq(status),
                library_entries::published_by.eq(by),
                library_entries::published_on.eq(on),
                library_entries::version.eq(expected_version + 1),
                library_entries::updated_at.eq(now()),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                library_entries::status.eq(status),
                library_entries::withdrawn_reason.eq(withdrawn_reason),
                library_entries::version.eq(expected_version + 1),
                library_entries::updated_at.eq(now()),
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// What the library search filters on; `words` is matched as a lower-cased substring.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub statuses: Vec<String>,
    /// Only entries of these departments (none: any).
    pub department_ids: Option<Vec<i64>>,
    pub outcome: Option<String>,
    pub article: Option<i32>,
    pub topic: Option<String>,
    pub words: Option<String>,
    pub limit: i64,
}

/// Entries matching the filter, newest reply first. The status, outcome, article and
/// topic filters use indexes; the words are a LIKE over `search_text` of what remains
/// (a scan of the published entries: hundreds to a few thousand at library scale).
pub fn search(conn: &mut DbConnection, f: &Filter) -> QueryResult<Vec<EntryRow>> {
    let mut q = library_entries::table
        .filter(library_entries::status.eq_any(f.statuses.clone()))
        .select(EntryRow::as_select())
        .into_boxed::<Backend>();
    if let Some(ids) = &f.department_ids {
        q = q.filter(library_entries::department_id.eq_any(ids.clone()));
    }
    if let Some(o) = &f.outcome {
        q = q.filter(library_entries::outcome.eq(o.clone()));
    }
    if let Some(a) = f.article {
        q = q.filter(library_entries::article.eq(a));
    }
    if let Some(t) = &f.topic {
        q = q.filter(
            library_entries::id.eq_any(
                library_entry_topics::table
                    .filter(library_entry_topics::topic.eq(t.clone()))
                    .select(library_entry_topics::entry_id),
            ),
        );
    }
    if let Some(w) = &f.words {
        // `%` and `_` typed are literal (ESCAPE '\', the same on SQLite and PostgreSQL).
        let pattern = format!(
            "%{}%",
            w.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q = q.filter(library_entries::search_text.like(pattern).escape('\\'));
    }
    q.order((
        library_entries::replied_on.desc(),
        library_entries::id.desc(),
    ))
    .limit(f.limit)
    .load(conn)
}

/// Every topic tag of published entries, with how many entries carry it.
pub fn published_topics(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    library_entry_topics::table
        .inner_join(library_entries::table)
        .filter(library_entries::status.eq("published"))
        .group_by(library_entry_topics::topic)
        .select((
            library_entry_topics::topic,
            diesel::dsl::count(library_entry_topics::entry_id),
        ))
        .order(library_entry_topics::topic)
        .load(conn)
}

//! Departments (agencies) and the department tree.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::departments;
use super::{DbConnection, now};
use crate::domain::fee::FeeMethod;
use crate::domain::org::{
    Court, DepartmentData, DepartmentKind, DepartmentRules, DeptTree, Level, ReconsiderationOrgan,
    RegionCode,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub level: String,
    pub parent_id: Option<i64>,
    pub region: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub reconsideration_organ_name: Option<String>,
    pub reconsideration_organ_address: Option<String>,
    pub reconsideration_organ_phone: Option<String>,
    pub court_name: Option<String>,
    pub court_address: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub court_designated: bool,
    pub fee_pauses_clock: bool,
    pub regional_holidays: bool,
    pub fee_method: String,
    pub office_name: Option<String>,
    pub office_hours: Option<String>,
    pub fax: Option<String>,
}

/// A stored department with its domain data.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: i64,
    pub data: DepartmentData,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DepartmentRow {
    /// Rows were written from validated data; a value that no longer parses (edited in the
    /// database by hand) is a data error, reported as such rather than panicking.
    fn into_department(self) -> QueryResult<Department> {
        let bad = |what: &str| {
            diesel::result::Error::DeserializationError(
                format!("department {}: invalid {what}", self.id).into(),
            )
        };
        let data = DepartmentData {
            kind: DepartmentKind::parse(&self.kind).ok_or_else(|| bad("kind"))?,
            level: Level::parse(&self.level).ok_or_else(|| bad("level"))?,
            region: RegionCode::parse(&self.region).map_err(|_| bad("region"))?,
            reconsideration_organ: self.reconsideration_organ_name.clone().map(|name| {
                ReconsiderationOrgan {
                    name,
                    address: self.reconsideration_organ_address.clone(),
                    phone: self.reconsideration_organ_phone.clone(),
                }
            }),
            court: self.court_name.clone().map(|name| Court {
                name,
                address: self.court_address.clone(),
                designated: self.court_designated,
            }),
            rules: DepartmentRules {
                fee_pauses_clock: self.fee_pauses_clock,
                regional_holidays: self.regional_holidays,
                fee_method: FeeMethod::parse(&self.fee_method).ok_or_else(|| bad("fee_method"))?,
            },
            name: self.name,
            code: self.code,
            parent_id: self.parent_id,
            address: self.address,
            phone: self.phone,
            office_name: self.office_name,
            office_hours: self.office_hours,
            fax: self.fax,
        };
        Ok(Department {
            id: self.id,
            data,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = departments, treat_none_as_null = true)]
struct DepartmentValues<'a> {
    name: &'a str,
    code: &'a str,
    kind: &'a str,
    level: &'a str,
    parent_id: Option<i64>,
    region: &'a str,
    address: Option<&'a str>,
    phone: Option<&'a str>,
    reconsideration_organ_name: Option<&'a str>,
    reconsideration_organ_address: Option<&'a str>,
    reconsideration_organ_phone: Option<&'a str>,
    court_name: Option<&'a str>,
    court_address: Option<&'a str>,
    court_designated: bool,
    fee_pauses_clock: bool,
    regional_holidays: bool,
    fee_method: &'static str,
    office_name: Option<&'a str>,
    office_hours: Option<&'a str>,
    fax: Option<&'a str>,
}

impl<'a> From<&'a DepartmentData> for DepartmentValues<'a> {
    fn from(d: &'a DepartmentData) -> Self {
        let organ = d.reconsideration_organ.as_ref();
        Self {
            name: &d.name,
            code: &d.code,
            kind: d.kind.as_str(),
            level: d.level.as_str(),
            parent_id: d.parent_id,
            region: d.region.as_str(),
            address: d.address.as_deref(),
            phone: d.phone.as_deref(),
            reconsideration_organ_name: organ.map(|o| o.name.as_str()),
            reconsideration_organ_address: organ.and_then(|o| o.address.as_deref()),
            reconsideration_organ_phone: organ.and_then(|o| o.phone.as_deref()),
            court_name: d.court.as_ref().map(|c| c.name.as_str()),
            court_address: d.court.as_ref().and_then(|c| c.address.as_deref()),
            court_designated: d.court.as_ref().is_some_and(|c| c.designated),
            fee_pauses_clock: d.rules.fee_pauses_clock,
            regional_holidays: d.rules.regional_holidays,
            fee_method: d.rules.fee_method.as_str(),
            office_name: d.office_name.as_deref(),
            office_hours: d.office_hours.as_deref(),
            fax: d.fax.as_deref(),
        }
    }
}

pub fn insert(conn: &mut DbConnection, data: &DepartmentData) -> QueryResult<Department> {
    let ts = now();
    diesel::insert_into(departments::table)
        .values((
            DepartmentValues::from(data),
            departments::created_at.eq(ts),
            departments::updated_at.eq(ts),
        ))
        .returning(<DepartmentRow as Selectable<super::Backend>>::construct_selection())
        .get_result::<DepartmentRow>(conn)?
        .into_department()
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Department>> {
    departments::table
        .find(id)
        .select(DepartmentRow::as_select())
        .first::<DepartmentRow>(conn)
        .optional()?
        .map(DepartmentRow::into_department)
        .transpose()
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Department>> {
    departments::table
        .order(departments::id)
        .select(DepartmentRow::as_select())
        .load::<DepartmentRow>(conn)?
        .into_iter()
        .map(DepartmentRow::into_department)
        .collect()
}

pub fn tree(conn: &mut DbConnection) -> QueryResult<DeptTree> {
    let edges = departments::table
        .select((departments::id, departments::parent_id))
        .load::<(i64, Option<i64>)>(conn)?;
    Ok(DeptTree::new(edges))
}

/// Writes `data` if the stored version is still `expected_version`. `Ok(None)` means the
/// row changed (or vanished) since the caller read it.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    data: &DepartmentData,
) -> QueryResult<Option<Department>> {
    let changed = diesel::update(
        departments::table
            .filter(departments::id.eq(id))
            .filter(departments::version.eq(expected_version)),
    )
    .set((
        DepartmentValues::from(data),
        departments::version.eq(expected_version + 1),
        departments::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if changed == 0 {
        Ok(None)
    } else {
        find(conn, id)
    }
}

/// Every department and the tree they form, as one instance last read them.
#[derive(Debug)]
pub struct Directory {
    pub departments: Vec<Department>,
    pub tree: DeptTree,
}

impl Directory {
    pub fn load(conn: &mut DbConnection) -> QueryResult<Directory> {
        let departments = list(conn)?;
        let tree = DeptTree::new(departments.iter().map(|d| (d.id, d.data.parent_id)));
        Ok(Directory { departments, tree })
    }

    /// The department of this id, as read.
    pub fn get(&self, id: i64) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }
}

/// What tells an instance whether the departments changed since it read them: an insert
/// adds a row with a new id, an update bumps `version` and sets `updated_at`. Every write
/// goes through `insert` and `update` here; an edit made by hand in the database must bump
/// `version` too (README), or instances keep what they read until restarted.
pub type Stamp = (i64, Option<i64>, Option<i64>, Option<NaiveDateTime>);

/// The departments' stamp and the calendars' generation (the newest import id: another
/// instance imported something when it changes), in one statement: what a request checks
/// before it uses the departments and calendars this instance keeps.
pub fn stamps(conn: &mut DbConnection) -> QueryResult<(Stamp, i64)> {
    use super::schema::calendar_years;
    use diesel::dsl::{count_star, max, sum};
    let (count, id, version, updated, generation) = departments::table
        .select((
            count_star(),
            max(departments::id),
            sum(departments::version),
            max(departments::updated_at),
            calendar_years::table
                .select(max(calendar_years::id))
                .single_value(),
        ))
        .first::<(
            i64,
            Option<i64>,
            Option<i64>,
            Option<NaiveDateTime>,
            Option<i64>,
        )>(conn)?;
    Ok(((count, id, version, updated), generation.unwrap_or(0)))
}

/// The directory kept per instance: lists, desks and reports read the departments on every
/// request, and they change a few times a year. One aggregate over the (small) table checks
/// that another instance, or this one, changed nothing meanwhile.
#[derive(Default)]
pub struct DirectoryCache {
    inner: std::sync::RwLock<Option<(Stamp, std::sync::Arc<Directory>)>>,
}

impl DirectoryCache {
    /// The directory as of `newest` (from `stamps`, read just before): the kept one if
    /// nothing changed, else read again.
    pub fn current_at(
        &self,
        conn: &mut DbConnection,
        newest: Stamp,
    ) -> QueryResult<std::sync::Arc<Directory>> {
        if let Some((seen, dir)) = &*self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            && *seen == newest
        {
            return Ok(dir.clone());
        }
        // Loaded after the stamp was read: at least as new as the stamp says; a change
        // in between only makes the next request load again.
        let dir = std::sync::Arc::new(Directory::load(conn)?);
        // Inside a transaction the connection may see its own uncommitted writes: used for
        // this call, never kept for others.
        if !in_transaction(conn) {
            *self
                .inner
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((newest, dir.clone()));
        }
        Ok(dir)
    }
}

pub(crate) fn in_transaction(conn: &mut DbConnection) -> bool {
    use diesel::connection::{Connection, TransactionManager};
    // An unknown state counts as inside: not kept.
    <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_or(true, |depth| depth.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;

    /// The cache keeps nothing read inside a transaction: the check must see one.
    #[test]
    fn a_transaction_is_seen() {
        let mut c = DbConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        assert!(!in_transaction(&mut c));
        c.transaction(|c| {
            assert!(in_transaction(c));
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        assert!(!in_transaction(&mut c));
    }
}

//! The words search's index (`search_grams`): for each searched text of a case (applicant
//! name, case number, item descriptions), ASCII-folded, the substring of up to two
//! characters at every position — every bigram plus the text's last character. It is kept
//! in the same transaction as the text (intake, batch intake, correction, demo), and the
//! migration computes the same grams in SQL for cases stored before it. Lists look up
//! candidates here and verify them with the exact `LIKE`, so the index need only hold a
//! superset: one- and two-character Chinese words are served like longer ones.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;
use super::schema::search_grams;

/// At most this many of a query's bigrams narrow the candidates (each is one index probe);
/// the exact match checks the rest.
const MAX_QUERY_GRAMS: usize = 6;

/// SQLite's `LIKE` ignores ASCII case (PostgreSQL's does not): folding ASCII here keeps the
/// index a superset for both, and matches `lower()`/`translate()` in the migration.
fn fold(text: &str) -> Vec<char> {
    text.chars().map(|c| c.to_ascii_lowercase()).collect()
}

/// What separates a case's texts in its search text: a query without it matches the whole
/// text exactly when it matches one of the texts.
pub const SEPARATOR: char = '\u{1f}';

/// A case's search text (`cases.search_text`): each of its texts (`cases::texts`) after a
/// `SEPARATOR`, as the migration `2026-12-16-100002_case_search_text_filled` builds it for
/// cases stored before it.
pub fn text<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for t in texts {
        out.push(SEPARATOR);
        out.push_str(t);
    }
    out
}

/// The grams of the texts of one case.
pub fn grams<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in texts {
        let chars = fold(text);
        for i in 0..chars.len() {
            out.insert(chars[i..chars.len().min(i + 2)].iter().collect());
        }
    }
    out
}

/// How a (trimmed, non-empty) query narrows the candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// One character: grams in `[from, to]` (those starting with it).
    Range { from: String, to: String },
    /// Cases holding every one of these bigrams.
    All(Vec<String>),
}

pub fn probe(query: &str) -> Probe {
    let chars = fold(query);
    if let [c] = chars[..] {
        // Grams are at most two characters: every one starting with c sorts between c and
        // c followed by the last scalar value.
        return Probe::Range {
            from: c.to_string(),
            to: format!("{c}{}", char::MAX),
        };
    }
    let mut seen = BTreeSet::new();
    let picked: Vec<String> = chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .filter(|g| seen.insert(g.clone()))
        .collect();
    // Spread the probes over the whole query when it is long.
    let step = picked.len().div_ceil(MAX_QUERY_GRAMS).max(1);
    Probe::All(picked.into_iter().step_by(step).collect())
}

impl Probe {
    /// Each gram range the query's cases must hold: one gram is the closed range [g, g],
    /// a single character the range of grams starting with it.
    fn ranges(&self) -> Vec<(&str, &str)> {
        match self {
            Probe::Range { from, to } => vec![(from, to)],
            Probe::All(all) => all.iter().map(|g| (g.as_str(), g.as_str())).collect(),
        }
    }
}

/// Candidates a list reads by id, at most (`candidate_limit` lowers it for smaller tables):
/// a query none of whose probes names more index entries than the limit is answered from
/// the candidates of its rarest probe. A commoner query walks the cases in the list's order
/// instead and matches the words on each: at least one case in `limit / total` matches
/// there, so a page of 50 is found after reading about 50 × total / limit cases at most
/// (about 7,000 at a million) — either way a bounded read, never every match.
pub const CANDIDATES: i64 = 10_000;

/// The page a search is tuned for.
const PAGE: i64 = 50;

/// The candidate limit for a table of `total` cases, at most `CANDIDATES`: reading n
/// candidates costs about as much per case as walking, and the walk reads about
/// PAGE × total ÷ n cases, so the two cost the same near n = √(PAGE × total) (700 at ten
/// thousand cases, 7,000 at a million). Below it the candidates are cheaper, above it the
/// walk.
pub fn candidate_limit(total: i64) -> i64 {
    let crossover = (PAGE.saturating_mul(total.max(0)) as f64).sqrt() as i64;
    crossover.clamp(100, CANDIDATES)
}

/// How many cases there are, near enough: the highest id (ids are not reused).
fn total_cases(conn: &mut DbConnection) -> QueryResult<i64> {
    use super::schema::cases;
    cases::table
        .select(diesel::dsl::max(cases::id))
        .first::<Option<i64>>(conn)
        .map(|id| id.unwrap_or(0))
}

/// The cases that may hold the query (ascending, a superset of those that do), read from
/// the index when its rarest probe names at most `candidate_limit` entries; None when every
/// probe is commoner (the caller then walks the cases and matches the words).
///
/// A probe found commoner than the limit is remembered in `common` and not counted again
/// for a while: counting it reads the limit's worth of index entries (~2 ms at a million
/// cases, one count per gram of the query), and the answer only chooses how to read — the words
/// are matched on every case either way, so a count grown stale costs time, never a result.
pub fn candidates(
    conn: &mut DbConnection,
    probe: &Probe,
    common: Option<&CommonGrams>,
) -> QueryResult<Option<Vec<i64>>> {
    use diesel::sql_types::Integer;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    // Each probe counted only up to one past the threshold: an index-only range read.
    let sql = match conn {
        DbConnection::Pg(_) => {
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM search_grams \
             WHERE gram >= $1 AND gram <= $2 LIMIT $3) AS t"
        }
        DbConnection::Sqlite(_) => {
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM search_grams \
             WHERE gram >= ? AND gram <= ? LIMIT ?) AS t"
        }
    };
    let mut rarest: Option<((&str, &str), i64)> = None;
    // Read once, when the first probe is counted.
    let mut limit: Option<i64> = None;
    for (lo, hi) in probe.ranges() {
        if common.is_some_and(|c| c.holds(lo, hi, Instant::now())) {
            continue;
        }
        let limit = match limit {
            Some(l) => l,
            None => *limit.insert(candidate_limit(total_cases(conn)?)),
        };
        let n = diesel::sql_query(sql)
            .bind::<Text, _>(lo)
            .bind::<Text, _>(hi)
            .bind::<Integer, _>(i32::try_from(limit + 1).unwrap_or(i32::MAX))
            .get_result::<Count>(conn)?
            .n;
        if n == 0 {
            // Every probe must be held: none is, so nothing matches.
            return Ok(Some(Vec::new()));
        }
        if n > limit
            && let Some(c) = common
        {
            c.mark(lo, hi, Instant::now());
        }
        if rarest.is_none_or(|(_, m)| n < m) {
            rarest = Some(((lo, hi), n));
        }
    }
    let Some(((lo, hi), _)) = rarest.filter(|(_, n)| limit.is_some_and(|l| *n <= l)) else {
        return Ok(None);
    };
    let mut ids: Vec<i64> = search_grams::table
        .filter(search_grams::gram.ge(lo).and(search_grams::gram.le(hi)))
        .select(search_grams::case_id)
        .load(conn)?;
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
}

/// How long a probe found commoner than the candidate limit stays known as such: a gram
/// held by that many cases does not become rare in minutes (only deleting them would do it).
const COMMON_FOR: Duration = Duration::from_secs(600);

/// The probes this instance found commoner than the candidate limit, with when (see
/// `candidates`).
#[derive(Debug, Default)]
pub struct CommonGrams {
    seen: Mutex<HashMap<(String, String), Instant>>,
}

impl CommonGrams {
    fn holds(&self, lo: &str, hi: &str, now: Instant) -> bool {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.get(&(lo.to_owned(), hi.to_owned()))
            .is_some_and(|at| now.saturating_duration_since(*at) < COMMON_FOR)
    }

    fn mark(&self, lo: &str, hi: &str, now: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        // Few grams are this common; a flood of distinct ones only forgets the oldest marks.
        if seen.len() >= 10_000 {
            seen.retain(|_, at| now.saturating_duration_since(*at) < COMMON_FOR);
            if seen.len() >= 10_000 {
                seen.clear();
            }
        }
        seen.insert((lo.to_owned(), hi.to_owned()), now);
    }
}

/// Adds the grams of several cases in one statement (a batch intake is one round trip,
/// not one per case): the pairs go as one JSON array of `[case_id, [gram, …]]`.
pub fn add_many(conn: &mut DbConnection, cases: &[(i64, BTreeSet<String>)]) -> QueryResult<()> {
    let cases: Vec<&(i64, BTreeSet<String>)> =
        cases.iter().filter(|(_, g)| !g.is_empty()).collect();
    if cases.is_empty() {
        return Ok(());
    }
    let sql = match conn {
        DbConnection::Pg(_) => {
            "INSERT INTO search_grams (gram, case_id) \
             SELECT DISTINCT g, (c->>0)::bigint \
             FROM json_array_elements($1::json) AS c, json_array_elements_text(c->1) AS t (g) \
             ON CONFLICT DO NOTHING"
        }
        DbConnection::Sqlite(_) => {
            "INSERT OR IGNORE INTO search_grams (gram, case_id) \
             SELECT DISTINCT g.value, json_extract(c.value, '$[0]') \
             FROM json_each(?) AS c, json_each(c.value, '$[1]') AS g"
        }
    };
    let pairs = serde_json::to_string(&cases).unwrap_or_else(|_| "[]".into());
    diesel::sql_query(sql)
        .bind::<Text, _>(pairs)
        .execute(conn)
        .map(|_| ())
}

/// Removes grams of a case.
pub fn remove(conn: &mut DbConnection, case_id: i64, grams: &BTreeSet<String>) -> QueryResult<()> {
    if grams.is_empty() {
        return Ok(());
    }
    diesel::delete(
        search_grams::table
            .filter(search_grams::case_id.eq(case_id))
            .filter(search_grams::gram.eq_any(grams.iter().cloned().collect::<Vec<_>>())),
    )
    .execute(conn)
    .map(|_| ())
}

/// Replaces a case's grams after its texts changed: only the difference is written.
pub fn replace(
    conn: &mut DbConnection,
    case_id: i64,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
) -> QueryResult<()> {
    remove(conn, case_id, &old.difference(new).cloned().collect())?;
    add_many(conn, &[(case_id, new.difference(old).cloned().collect())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_candidate_limit_follows_the_table() {
        assert_eq!(candidate_limit(0), 100);
        assert_eq!(candidate_limit(10_000), 707);
        assert_eq!(candidate_limit(1_000_000), 7_071);
        assert_eq!(candidate_limit(100_000_000), CANDIDATES);
    }

    #[test]
    fn a_common_probe_is_remembered_for_a_while() {
        let common = CommonGrams::default();
        let t = Instant::now();
        assert!(!common.holds("征收", "征收", t));
        common.mark("征收", "征收", t);
        assert!(common.holds("征收", "征收", t + Duration::from_secs(599)));
        assert!(!common.holds("征收", "征收", t + COMMON_FOR));
        assert!(!common.holds("收费", "收费", t));
    }

    #[test]
    fn grams_are_bigrams_and_the_last_character() {
        let g = grams(["征收Ab", "张"]);
        let want: BTreeSet<String> = ["征收", "收a", "ab", "b", "张"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(g, want);
        assert!(grams([""]).is_empty());
    }

    #[test]
    fn probes() {
        assert_eq!(
            probe("征"),
            Probe::Range {
                from: "征".into(),
                to: "征\u{10FFFF}".into()
            }
        );
        assert_eq!(probe("A"), probe("a"));
        assert_eq!(probe("征收"), Probe::All(vec!["征收".into()]));
        assert_eq!(
            probe("土地征收"),
            Probe::All(vec!["土地".into(), "地征".into(), "征收".into()])
        );
        let Probe::All(long) = probe("国有建设用地使用权出让合同及附图") else {
            panic!("a long query probes bigrams");
        };
        assert!(long.len() <= MAX_QUERY_GRAMS && long.len() >= 4);
    }
}

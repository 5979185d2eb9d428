//! Table 四: the remedies (reconsideration, litigation), their column groups and results.

use super::*;

/// The kind of remedy the applicant sought against a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// 行政复议.
    Reconsideration,
    /// 行政诉讼, directly (未经复议直接起诉) or after a reconsideration (复议后起诉).
    Litigation { after_reconsideration: bool },
}

/// The result of a reconsideration or a lawsuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyOutcome {
    /// 结果维持.
    Upheld,
    /// 结果纠正.
    Corrected,
    /// 其他结果 (withdrawn, dismissed, terminated…).
    Other,
}

/// One reconsideration or lawsuit about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemedyFact {
    pub remedy_id: i64,
    pub case_id: i64,
    pub kind: RemedyKind,
    pub filed_on: NaiveDate,
    pub decided: Option<(NaiveDate, RemedyOutcome)>,
}

key_enum!(
    /// The three column groups of table 四.
    RemedyGroup("remedy group") {
        Reconsideration => "reconsideration",
        LitigationDirect => "litigation_direct",
        LitigationAfterReconsideration => "litigation_after_reconsideration",
    }
);

key_enum!(
    /// The five columns of each group of table 四.
    RemedyResult("remedy result") {
        Upheld => "upheld",
        Corrected => "corrected",
        Other => "other",
        Pending => "pending",
        Total => "total",
    }
);

impl RemedyGroup {
    /// (group label, sub-group label): 行政复议 has no sub-group.
    pub fn labels(self) -> (&'static str, Option<&'static str>) {
        match self {
            RemedyGroup::Reconsideration => (labels::RECONSIDERATION, None),
            RemedyGroup::LitigationDirect => (labels::LITIGATION, Some(labels::LITIGATION_DIRECT)),
            RemedyGroup::LitigationAfterReconsideration => (
                labels::LITIGATION,
                Some(labels::LITIGATION_AFTER_RECONSIDERATION),
            ),
        }
    }

    pub(super) fn of(kind: RemedyKind) -> RemedyGroup {
        match kind {
            RemedyKind::Reconsideration => RemedyGroup::Reconsideration,
            RemedyKind::Litigation {
                after_reconsideration: false,
            } => RemedyGroup::LitigationDirect,
            RemedyKind::Litigation {
                after_reconsideration: true,
            } => RemedyGroup::LitigationAfterReconsideration,
        }
    }
}

impl RemedyResult {
    pub fn label(self) -> &'static str {
        match self {
            RemedyResult::Upheld => labels::UPHELD,
            RemedyResult::Corrected => labels::CORRECTED,
            RemedyResult::Other => labels::OTHER_RESULT,
            RemedyResult::Pending => labels::PENDING,
            RemedyResult::Total => labels::TOTAL,
        }
    }
}

/// One of the 15 columns of table 四. Serialised as
/// `{"key": "reconsideration_upheld", "group": "行政复议", "subgroup": null, "label": "结果维持"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table4Column {
    pub group: RemedyGroup,
    pub result: RemedyResult,
}

impl Table4Column {
    /// The 15 columns in the order of the table.
    pub fn all() -> [Table4Column; 15] {
        let groups = [
            RemedyGroup::Reconsideration,
            RemedyGroup::LitigationDirect,
            RemedyGroup::LitigationAfterReconsideration,
        ];
        let results = [
            RemedyResult::Upheld,
            RemedyResult::Corrected,
            RemedyResult::Other,
            RemedyResult::Pending,
            RemedyResult::Total,
        ];
        std::array::from_fn(|i| Table4Column {
            group: groups[i / 5],
            result: results[i % 5],
        })
    }

    /// Position in the table (0–14).
    pub fn index(self) -> usize {
        let group = match self.group {
            RemedyGroup::Reconsideration => 0,
            RemedyGroup::LitigationDirect => 1,
            RemedyGroup::LitigationAfterReconsideration => 2,
        };
        let result = match self.result {
            RemedyResult::Upheld => 0,
            RemedyResult::Corrected => 1,
            RemedyResult::Other => 2,
            RemedyResult::Pending => 3,
            RemedyResult::Total => 4,
        };
        group * 5 + result
    }

    /// `"<group>_<result>"`, e.g. `litigation_direct_pending`.
    pub fn key(self) -> String {
        format!("{}_{}", self.group.key(), self.result.key())
    }

    /// A column from its index (`"0"`…`"14"`) or its key (`"reconsideration_upheld"`).
    pub fn parse(key: &str) -> Result<Table4Column, UnknownKey> {
        let all = Table4Column::all();
        let found = match key.parse::<usize>() {
            Ok(index) => all.get(index).copied(),
            Err(_) => all.into_iter().find(|column| column.key() == key),
        };
        found.ok_or_else(|| UnknownKey {
            kind: "table 四 column",
            key: key.to_owned(),
        })
    }

    /// "行政复议 结果维持", "行政诉讼 复议后起诉 总计" …
    pub fn full_label(self) -> String {
        match self.group.labels() {
            (group, None) => format!("{group} {}", self.result.label()),
            (group, Some(sub)) => format!("{group} {sub} {}", self.result.label()),
        }
    }
}

impl Serialize for Table4Column {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (group, subgroup) = self.group.labels();
        let mut s = serializer.serialize_struct("Table4Column", 4)?;
        s.serialize_field("key", &self.key())?;
        s.serialize_field("group", group)?;
        s.serialize_field("subgroup", &subgroup)?;
        s.serialize_field("label", self.result.label())?;
        s.end()
    }
}

/// Table 四.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table4 {
    pub columns: [Table4Column; 15],
    pub values: [i64; 15],
}

impl Table4 {
    pub fn value(&self, column: Table4Column) -> i64 {
        self.values[column.index()]
    }
}

impl RemedyKind {
    /// From the stored `kind` (`reconsideration` | `litigation`) and
    /// `after_reconsideration` (litigation only).
    pub fn parse(kind: &str, after_reconsideration: bool) -> Result<RemedyKind, UnknownKey> {
        match (kind, after_reconsideration) {
            ("reconsideration", false) => Ok(RemedyKind::Reconsideration),
            ("litigation", after_reconsideration) => Ok(RemedyKind::Litigation {
                after_reconsideration,
            }),
            _ => Err(UnknownKey {
                kind: "remedy kind",
                key: format!("{kind} (after_reconsideration: {after_reconsideration})"),
            }),
        }
    }

    /// The stored `kind`.
    pub fn key(self) -> &'static str {
        match self {
            RemedyKind::Reconsideration => "reconsideration",
            RemedyKind::Litigation { .. } => "litigation",
        }
    }

    /// 行政复议, 行政诉讼（未经复议直接起诉）, 行政诉讼（复议后起诉）.
    pub fn label(self) -> &'static str {
        match self {
            RemedyKind::Reconsideration => "行政复议",
            RemedyKind::Litigation {
                after_reconsideration: false,
            } => "行政诉讼（未经复议直接起诉）",
            RemedyKind::Litigation {
                after_reconsideration: true,
            } => "行政诉讼（复议后起诉）",
        }
    }
}

impl RemedyOutcome {
    pub const ALL: [RemedyOutcome; 3] = [
        RemedyOutcome::Upheld,
        RemedyOutcome::Corrected,
        RemedyOutcome::Other,
    ];

    /// The stable key (`upheld` | `corrected` | `other`).
    pub fn key(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => "upheld",
            RemedyOutcome::Corrected => "corrected",
            RemedyOutcome::Other => "other",
        }
    }

    pub fn parse(key: &str) -> Result<RemedyOutcome, UnknownKey> {
        RemedyOutcome::ALL
            .into_iter()
            .find(|o| o.key() == key)
            .ok_or_else(|| UnknownKey {
                kind: "remedy outcome",
                key: key.to_owned(),
            })
    }

    /// 结果维持, 结果纠正, 其他结果.
    pub fn label(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => labels::UPHELD,
            RemedyOutcome::Corrected => labels::CORRECTED,
            RemedyOutcome::Other => labels::OTHER_RESULT,
        }
    }
}

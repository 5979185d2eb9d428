//! Organisation: departments (agencies) in a tree, their kinds and levels, region codes, and
//! the remedy bodies a reply must name. Parsing raw input into these types happens here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use super::calendar::RegionCode;
use super::fee::FeeMethod;
use super::validation::{FieldErrors, optional_text, required_text};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// A government (人民政府) or one of its departments (工作部门).
    DepartmentKind { Government => "government", Department => "department" }
);

text_enum!(
    /// Administrative level, which decides the reconsideration organ and the court.
    Level {
        State => "state",
        Province => "province",
        City => "city",
        County => "county",
        Township => "township",
    }
);

/// The reconsideration organ (行政复议机关) a reply must name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconsiderationOrgan {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// The court (人民法院) a reply must name for 行政诉讼.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Court {
    pub name: String,
    pub address: Option<String>,
    /// The court holds jurisdiction by designation (集中管辖 / 指定管辖, 行政诉讼法 Art. 18(2)):
    /// its level is then not judged against 行政诉讼法 Art. 15.
    #[serde(default)]
    pub designated: bool,
}

/// A validated department, as stored (without id and bookkeeping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentData {
    pub name: String,
    pub code: String,
    pub kind: DepartmentKind,
    pub level: Level,
    pub parent_id: Option<i64>,
    pub region: RegionCode,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The 指南 (Art. 12): the name of the OGI office (工作机构) if not the department's
    /// own, its office hours and fax number. Letters, mails and the public pages read the
    /// address and phone above; the portal reads these beside them.
    pub office_name: Option<String>,
    pub office_hours: Option<String>,
    pub fax: Option<String>,
    pub reconsideration_organ: Option<ReconsiderationOrgan>,
    pub court: Option<Court>,
    /// The RULES.md readings marked [configurable], per department.
    pub rules: DepartmentRules,
}

/// The [configurable] readings of RULES.md, chosen per department (defaults as RULES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DepartmentRules {
    /// §3, 国办函〔2020〕109号: a fee notice pauses the answer period until payment.
    pub fee_pauses_clock: bool,
    /// §2: the region's statutory holiday layer (e.g. 壮族三月三) applies to this agency.
    pub regional_holidays: bool,
    /// §8: how this agency charges information-processing fees (none by default).
    pub fee_method: FeeMethod,
}

impl Default for DepartmentRules {
    fn default() -> Self {
        Self {
            fee_pauses_clock: true,
            regional_holidays: true,
            fee_method: FeeMethod::None,
        }
    }
}

impl DepartmentRules {
    /// The engine's settings with these readings.
    pub fn rule_settings(self) -> super::deadline::RuleSettings {
        super::deadline::RuleSettings {
            fee_pauses_clock: self.fee_pauses_clock,
            regional_holidays: self.regional_holidays,
            ..super::deadline::RuleSettings::default()
        }
    }

    /// The region whose calendar applies: the department's, or none (national only).
    pub fn calendar_region(self, region: &RegionCode) -> Option<&RegionCode> {
        self.regional_holidays.then_some(region)
    }
}

/// Department fields as a client sends them; every field optional so one type serves
/// create (all required fields checked) and the merge of a PATCH onto the stored value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    pub name: Option<String>,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub parent_id: Option<Option<i64>>,
    pub region: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub office_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub office_hours: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub fax: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub reconsideration_organ: Option<Option<OrganInput>>,
    #[serde(default, deserialize_with = "double_option")]
    pub court: Option<Option<CourtInput>>,
    pub fee_pauses_clock: Option<bool>,
    pub regional_holidays: Option<bool>,
    pub fee_method: Option<FeeMethod>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganInput {
    #[serde(default)]
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourtInput {
    #[serde(default)]
    pub name: String,
    pub address: Option<String>,
    #[serde(default)]
    pub designated: bool,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`) in a PATCH.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn parse_enum<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Option<T> {
    match raw {
        None => {
            errors.add(field, "不能为空");
            None
        }
        Some(raw) => {
            let parsed = parse(raw);
            if parsed.is_none() {
                errors.add(field, format!("取值应为：{}", all.join(" | ")));
            }
            parsed
        }
    }
}

impl DepartmentInput {
    /// Applies this input on top of `base` (a PATCH) or on nothing (a create), and parses
    /// the result. Whether `parent_id` exists and keeps the tree acyclic is checked by the
    /// caller against the stored tree.
    pub fn resolve(self, base: Option<&DepartmentData>) -> Result<DepartmentData, FieldErrors> {
        let mut e = FieldErrors::default();
        let pick = |new: Option<String>, old: Option<&str>| new.or(old.map(str::to_owned));
        let name = pick(self.name, base.map(|b| b.name.as_str()));
        let name = required_text(&mut e, "name", name.as_deref().unwrap_or(""), 100);
        let code = pick(self.code, base.map(|b| b.code.as_str()));
        let code = required_text(&mut e, "code", code.as_deref().unwrap_or(""), 40);
        if code
            .as_deref()
            .is_some_and(|c| c.chars().any(char::is_whitespace))
        {
            e.add("code", "机关代字不能包含空白字符");
        }
        let kind = pick(self.kind, base.map(|b| b.kind.as_str()));
        let kind_names: Vec<_> = DepartmentKind::ALL.iter().map(|k| k.as_str()).collect();
        let kind = parse_enum(
            &mut e,
            "kind",
            kind.as_deref(),
            DepartmentKind::parse,
            &kind_names,
        );
        let level = pick(self.level, base.map(|b| b.level.as_str()));
        let level_names: Vec<_> = Level::ALL.iter().map(|k| k.as_str()).collect();
        let level = parse_enum(
            &mut e,
            "level",
            level.as_deref(),
            Level::parse,
            &level_names,
        );
        let region = pick(self.region, base.map(|b| b.region.as_str()));
        let region = match region.as_deref().map(RegionCode::parse) {
            None => {
                e.add("region", "不能为空");
                None
            }
            Some(Err(msg)) => {
                e.add("region", msg.to_string());
                None
            }
            Some(Ok(r)) => Some(r),
        };
        let parent_id = match self.parent_id {
            Some(p) => p,
            None => base.and_then(|b| b.parent_id),
        };
        let keep = |new: Option<Option<String>>, old: Option<&Option<String>>| match new {
            Some(v) => v,
            None => old.cloned().flatten(),
        };
        let address = keep(self.address, base.map(|b| &b.address));
        let address = optional_text(&mut e, "address", address.as_deref(), 200);
        let phone = keep(self.phone, base.map(|b| &b.phone));
        let phone = optional_text(&mut e, "phone", phone.as_deref(), 50);
        let office_name = keep(self.office_name, base.map(|b| &b.office_name));
        let office_name = optional_text(&mut e, "office_name", office_name.as_deref(), 100);
        let office_hours = keep(self.office_hours, base.map(|b| &b.office_hours));
        let office_hours = optional_text(&mut e, "office_hours", office_hours.as_deref(), 200);
        let fax = keep(self.fax, base.map(|b| &b.fax));
        let fax = optional_text(&mut e, "fax", fax.as_deref(), 50);
        let reconsideration_organ = match self.reconsideration_organ {
            Some(None) => None,
            Some(Some(o)) => {
                let name = required_text(&mut e, "reconsideration_organ.name", &o.name, 100);
                let address = optional_text(
                    &mut e,
                    "reconsideration_organ.address",
                    o.address.as_deref(),
                    200,
                );
                let phone = optional_text(
                    &mut e,
                    "reconsideration_organ.phone",
                    o.phone.as_deref(),
                    50,
                );
                name.map(|name| ReconsiderationOrgan {
                    name,
                    address,
                    phone,
                })
            }
            None => base.and_then(|b| b.reconsideration_organ.clone()),
        };
        let court = match self.court {
            Some(None) => None,
            Some(Some(c)) => {
                let name = required_text(&mut e, "court.name", &c.name, 100);
                let address = optional_text(&mut e, "court.address", c.address.as_deref(), 200);
                name.map(|name| Court {
                    name,
                    address,
                    designated: c.designated,
                })
            }
            None => base.and_then(|b| b.court.clone()),
        };
        let base_rules = base.map(|b| b.rules).unwrap_or_default();
        let rules = DepartmentRules {
            fee_pauses_clock: self.fee_pauses_clock.unwrap_or(base_rules.fee_pauses_clock),
            regional_holidays: self
                .regional_holidays
                .unwrap_or(base_rules.regional_holidays),
            fee_method: self.fee_method.unwrap_or(base_rules.fee_method),
        };
        match (name, code, kind, level, region) {
            (Some(name), Some(code), Some(kind), Some(level), Some(region)) if e.is_empty() => {
                Ok(DepartmentData {
                    name,
                    code,
                    kind,
                    level,
                    parent_id,
                    region,
                    address,
                    phone,
                    office_name,
                    office_hours,
                    fax,
                    reconsideration_organ,
                    court,
                    rules,
                })
            }
            _ => Err(e),
        }
    }
}

/// The department tree (id → parent), loaded whole: agencies number in the hundreds.
#[derive(Debug, Clone, Default)]
pub struct DeptTree {
    parent: BTreeMap<i64, Option<i64>>,
}

impl DeptTree {
    pub fn new(edges: impl IntoIterator<Item = (i64, Option<i64>)>) -> Self {
        Self {
            parent: edges.into_iter().collect(),
        }
    }

    pub fn contains(&self, id: i64) -> bool {
        self.parent.contains_key(&id)
    }

    /// The department directly above `id` (None at the top or when unknown).
    pub fn parent_of(&self, id: i64) -> Option<i64> {
        self.parent.get(&id).copied().flatten()
    }

    /// `root` and every department below it.
    pub fn subtree(&self, root: i64) -> BTreeSet<i64> {
        let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (&id, &parent) in &self.parent {
            if let Some(p) = parent {
                children.entry(p).or_default().push(id);
            }
        }
        let mut out = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if out.insert(id) {
                stack.extend(children.get(&id).into_iter().flatten().copied());
            }
        }
        out
    }

    /// Would making `new_parent` the parent of `id` close a loop?
    pub fn would_cycle(&self, id: i64, new_parent: i64) -> bool {
        self.subtree(id).contains(&new_parent)
    }
}

/// Checks `parent_id` against the stored tree: it must exist and, for an existing
/// department `id`, must not be the department itself or one of its descendants.
pub fn check_parent(
    tree: &DeptTree,
    id: Option<i64>,
    parent_id: Option<i64>,
) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    if let Some(parent) = parent_id {
        if !tree.contains(parent) {
            e.add("parent_id", "上级机关不存在");
        } else if id.is_some_and(|id| tree.would_cycle(id, parent)) {
            e.add("parent_id", "上级机关不能是本机关或其下级机关");
        }
    }
    e.finish(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_parse_and_map_to_province() {
        let nanning = RegionCode::parse("450100").unwrap();
        assert_eq!(nanning.province().as_str(), "450000");
        assert!(RegionCode::parse("45010").is_err());
        assert!(RegionCode::parse("45010x").is_err());
        assert!(RegionCode::parse("050100").is_err());
    }

    #[test]
    fn tree_subtree_and_cycles() {
        let tree = DeptTree::new([(1, None), (2, Some(1)), (3, Some(2)), (4, None)]);
        assert_eq!(tree.subtree(1), BTreeSet::from([1, 2, 3]));
        assert_eq!(tree.subtree(3), BTreeSet::from([3]));
        assert!(tree.would_cycle(1, 3));
        assert!(tree.would_cycle(2, 2));
        assert!(!tree.would_cycle(3, 4));
        assert!(check_parent(&tree, Some(1), Some(3)).is_err());
        assert!(check_parent(&tree, None, Some(99)).is_err());
        assert!(check_parent(&tree, Some(3), Some(4)).is_ok());
    }

    #[test]
    fn create_requires_fields_and_patch_merges() {
        let err = DepartmentInput::default().resolve(None).unwrap_err();
        for f in ["name", "code", "kind", "level", "region"] {
            assert!(err.0.contains_key(f), "{f} missing from {err:?}");
        }
        let created = DepartmentInput {
            name: Some("南宁市交通运输局".into()),
            code: Some("南交信复".into()),
            kind: Some("department".into()),
            level: Some("city".into()),
            region: Some("450100".into()),
            court: Some(Some(CourtInput {
                name: "南宁铁路运输法院".into(),
                address: None,
                designated: true,
            })),
            fee_pauses_clock: Some(false),
            ..Default::default()
        }
        .resolve(None)
        .unwrap();
        let patched = DepartmentInput {
            phone: Some(Some("0771-1234567".into())),
            court: Some(None),
            ..Default::default()
        }
        .resolve(Some(&created))
        .unwrap();
        assert_eq!(patched.name, "南宁市交通运输局");
        assert_eq!(patched.phone.as_deref(), Some("0771-1234567"));
        assert_eq!(patched.court, None);
        assert!(created.rules.regional_holidays);
        assert!(!created.rules.fee_pauses_clock);
        // A PATCH that does not mention a reading keeps it.
        assert!(!patched.rules.fee_pauses_clock);
        let s = patched.rules.rule_settings();
        assert!(!s.fee_pauses_clock && s.regional_holidays);
        let national_only = DepartmentInput {
            regional_holidays: Some(false),
            ..Default::default()
        }
        .resolve(Some(&patched))
        .unwrap();
        assert_eq!(
            national_only.rules.calendar_region(&national_only.region),
            None
        );
        let bad = DepartmentInput {
            level: Some("village".into()),
            ..Default::default()
        }
        .resolve(Some(&created))
        .unwrap_err();
        assert!(bad.0.contains_key("level"));
    }
}

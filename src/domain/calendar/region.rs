//! `RegionCode`: a parsed 6-digit 行政区划代码.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CalendarError;

/// A 6-digit 行政区划代码 (e.g. `450100` 南宁市). Its province (`450000`) selects the regional
/// holiday layer. Same parse rule as `org::RegionCode` in the service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    /// Trims, then requires six ASCII digits not starting with `0`.
    pub fn parse(raw: &str) -> Result<Self, CalendarError> {
        let raw = raw.trim();
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0') {
            Ok(Self(raw.to_owned()))
        } else {
            Err(CalendarError::InvalidRegionCode(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province-level code: the first two digits followed by `0000`.
    pub fn province(&self) -> RegionCode {
        RegionCode(format!("{}0000", self.0.get(..2).unwrap_or("00")))
    }

    pub fn is_province(&self) -> bool {
        self.0.ends_with("0000")
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        RegionCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds_province() {
        let c = RegionCode::parse(" 450100 ").unwrap();
        assert_eq!(c.as_str(), "450100");
        assert_eq!(c.province().as_str(), "450000");
        assert!(c.province().is_province());
        assert!(!c.is_province());
        assert_eq!(c.to_string(), "450100");
    }

    #[test]
    fn rejects_bad_codes() {
        for raw in ["", "45010", "4501000", "45010a", "050100", "４５０１００"] {
            let err = RegionCode::parse(raw).unwrap_err();
            assert!(matches!(err, CalendarError::InvalidRegionCode(_)), "{raw}");
            assert!(err.to_string().contains("行政区划代码"));
        }
    }

    #[test]
    fn serde_is_a_plain_string() {
        let c: RegionCode = serde_json::from_str("\"650000\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"650000\"");
        assert!(serde_json::from_str::<RegionCode>("\"65000\"").is_err());
    }
}

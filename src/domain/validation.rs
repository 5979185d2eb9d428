//! Field-level validation errors collected while parsing raw input into domain values.

use std::collections::BTreeMap;

/// Problems keyed by field path (e.g. `region`, `court.name`), each with a Chinese message.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was added, else the collected errors.
    pub fn finish<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Trims and requires a non-empty string of at most `max` characters.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() {
        errors.add(field, "不能为空");
        None
    } else if value.chars().count() > max {
        errors.add(field, format!("不能超过{max}个字符"));
        None
    } else {
        Some(value.to_owned())
    }
}

/// An optional e-mail address: blank is `None`; otherwise it needs a local part, an `@`, a
/// host with a dot, and no spaces (it must be deliverable).
pub fn optional_email(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<String> {
    let email = optional_text(errors, field, raw, 254)?;
    let valid = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !email.contains(' '));
    if !valid {
        errors.add(field, "电子邮箱格式不正确");
    }
    Some(email)
}

/// An optional string: `None` or blank becomes `None`; otherwise as `required_text`.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(value) => required_text(errors, field, value, max),
    }
}

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

/// Characters refused in any text: C0/C1 controls (NUL, ESC …) other than tab and line
/// breaks, and the bidirectional overrides and isolates that make text display in an order
/// other than stored (U+202A–U+202E, U+2066–U+2069).
fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Characters that print nothing: spaces, zero-width characters, format marks. A name made
/// only of them looks blank to the reader.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
                | '\u{17B5}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// The one rule set behind `required_text` and `multiline_text`: trimmed, not blank or
/// invisible, at most `max` characters, no control or bidi-override characters, and line
/// breaks only where `multiline`.
fn text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
    multiline: bool,
) -> Option<String> {
    let value = raw.trim_matches(invisible);
    if value.is_empty() {
        errors.add(field, "不能为空");
        None
    } else if value.chars().count() > max {
        errors.add(field, format!("不能超过{max}个字符"));
        None
    } else if value.chars().any(forbidden) {
        errors.add(field, "含有不允许的控制字符或文字方向控制符");
        None
    } else if !multiline && value.contains(['\n', '\r']) {
        errors.add(field, "不能换行");
        None
    } else {
        Some(value.to_owned())
    }
}

/// Trims and requires a non-empty one-line string of at most `max` characters.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
) -> Option<String> {
    text(errors, field, raw, max, false)
}

/// Like `required_text`, for bodies where line breaks belong (reasons, notes, letters).
pub fn multiline_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
) -> Option<String> {
    text(errors, field, raw, max, true)
}

/// An optional e-mail address: blank is `None`; otherwise it must be deliverable as the
/// mailer will send it: one line, parses as an RFC 5321 address (lettre's rules), and an
/// ASCII domain with a dot. Non-ASCII local parts need SMTPUTF8, which lettre supports.
pub fn optional_email(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<String> {
    let email = optional_text(errors, field, raw, 254)?;
    let valid = email.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty()
            && user.chars().count() <= 64
            && host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && host.is_ascii()
            && !email.contains(char::is_whitespace)
            && email.matches('@').count() == 1
    }) && !email.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']', '\\'])
        && !email.contains("..");
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

/// Like `optional_text` with line breaks allowed.
pub fn optional_multiline(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(value) => multiline_text(errors, field, value, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> Result<String, String> {
        let mut e = FieldErrors::default();
        required_text(&mut e, "f", raw, 20).ok_or_else(|| e.0["f"].clone())
    }

    #[test]
    fn text_rules_refuse_hostile_characters() {
        assert_eq!(check("  张三 ").unwrap(), "张三");
        assert!(check("张\0三").is_err());
        assert!(check("张\u{1b}[31m三").is_err());
        assert!(check("abc\u{202E}fdp.exe").is_err());
        assert!(check("a\u{2066}b").is_err());
        assert!(check("张\n三").is_err());
        assert_eq!(check("\u{200B}\u{3000}\u{FEFF}").unwrap_err(), "不能为空");
        assert!(check(&"长".repeat(21)).is_err());
        let mut e = FieldErrors::default();
        assert!(multiline_text(&mut e, "f", "第一行\n第二行", 20).is_some());
        assert!(e.is_empty());
    }

    #[test]
    fn email_must_be_deliverable() {
        let ok = |s: &str| {
            let mut e = FieldErrors::default();
            optional_email(&mut e, "m", Some(s));
            e.is_empty()
        };
        assert!(ok("zhangsan@example.cn"));
        assert!(ok("张三@example.cn"));
        assert!(!ok("a@b.cn\r\nBcc: x@y.cn"));
        assert!(!ok("a b@c.cn"));
        assert!(!ok("<a@b.cn>"));
        assert!(!ok("a@@b.cn"));
        assert!(!ok("a@b"));
    }
}

//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1, per OWASP).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

pub fn hash(password: &str) -> Result<String, HashError> {
    // The salt is drawn from the OS random source by argon2 itself.
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// False for a wrong password and for an unreadable stored hash.
pub fn verify(stored: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// Spends the time of one verification, so an unknown username answers as slowly as a
/// wrong password (no user enumeration by timing).
pub fn verify_dummy(password: &str) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                         WQ0Hq7Vj6CoBqF1XBmJvQ0o5iE2oY9TpZ3b4gE4Xr1c";
    let _ = verify(DUMMY, password);
}

/// The most common passwords of ten or more characters (from public breach-frequency
/// lists, with the Chinese favourites), lower-cased. A short embedded list instead of
/// zxcvbn: the length rule already removes most of any top-10k list, and this needs no
/// dependency of several megabytes of dictionaries.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1234567890a",
    "0123456789",
    "9876543210",
    "1111111111",
    "0000000000",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwertyuiop123",
    "asdfghjkl;",
    "asdfghjkl1",
    "zxcvbnm123",
    "1qazxsw23edc",
    "password12",
    "password123",
    "password1234",
    "password!",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "iloveyou12",
    "iloveyou123",
    "welcome123",
    "welcome1234",
    "admin12345",
    "admin123456",
    "administrator",
    "adminadmin",
    "letmein123",
    "changeme123",
    "woaini1314",
    "woaini520",
    "woaini5201314",
    "5201314520",
    "a123456789",
    "aa123456789",
    "abc1234567",
    "abcd123456",
    "abcdefghij",
    "abc123456789",
    "q1w2e3r4t5",
    "qazwsxedcrfv",
    "zaq12wsxcde3",
    "football123",
    "baseball123",
    "superman123",
    "monkey1234",
    "dragon1234",
    "princess123",
    "sunshine123",
    "qweasdzxc123",
    "1234qwerasdf",
    "1234abcd!",
    "zhang123456",
    "wang123456",
    "li123456789",
    "huang123456",
    "liu123456789",
    "chen123456",
    "88888888888",
    "66666666666",
    "1314520520",
    "147258369a",
    "1472583690",
    "159357852456",
    "123123123123",
    "321321321321",
];

/// Minimum rules for a new password, with a Chinese message: 10 to 256 characters, not one
/// of the most common passwords, not one character repeated or a plain keyboard/number run.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 10 {
        return Err("密码至少10个字符");
    }
    if n > 256 {
        return Err("密码不能超过256个字符");
    }
    let lower = password.to_lowercase();
    let distinct = lower
        .chars()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let run = |s: &str| {
        let b = s.as_bytes();
        b.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
            || b.windows(2).all(|w| w[1].wrapping_add(1) == w[0])
    };
    if COMMON.contains(&lower.as_str()) || distinct < 4 || run(&lower) {
        return Err("密码过于常见或简单，请换一个更难猜的密码");
    }
    Ok(())
}

/// A random password for the bootstrap admin: 20 characters from an unambiguous alphabet.
pub fn generate() -> Result<String, HashError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| HashError(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse battery"));
        assert!(!verify(&h, "wrong"));
        assert!(!verify("not a hash", "wrong"));
        assert_eq!(generate().unwrap().len(), 20);
        assert!(check_strength("short").is_err());
        assert!(check_strength("Password123").is_err());
        assert!(check_strength("aaaaaaaaaaaa").is_err());
        assert!(check_strength("abababababab").is_err());
        assert!(check_strength("abcdefghijklm").is_err());
        assert!(check_strength("woaini5201314").is_err());
        assert!(check_strength("admin-test-password").is_ok());
        assert!(check_strength("晴天-码头-47-灯塔").is_ok());
    }
}

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

/// Minimum rules for a new password, with a Chinese message.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 10 {
        Err("密码至少10个字符")
    } else if password.chars().count() > 256 {
        Err("密码不能超过256个字符")
    } else {
        Ok(())
    }
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
    }
}

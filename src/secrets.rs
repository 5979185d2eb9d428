//! The server-held secrets: the JWT signing key and the audit key. Each comes from the
//! settings, or on SQLite is generated once and kept beside the database with mode 0600.
//! PostgreSQL deployments must configure both (`Settings` enforces it): every instance
//! must share them. Neither ever goes into the database.

use std::io::Write;
use std::path::Path;

use crate::config::Settings;
use crate::store::DatabaseUrl;
use crate::store::trail::AuditKey;

#[derive(Debug, thiserror::Error)]
#[error("secret file {path}: {source}")]
pub struct SecretError {
    path: String,
    source: std::io::Error,
}

/// The audit key's file in the data directory (SQLite without `OGI_AUDIT_KEY`).
const AUDIT_KEY_FILE: &str = "audit-key";

/// The JWT signing key.
pub fn jwt_secret(settings: &Settings) -> Result<String, SecretError> {
    local(
        settings,
        settings.jwt_secret.as_deref(),
        "jwt-secret",
        "OGI_JWT_SECRET",
    )
}

/// The audit key, generated on first use on SQLite.
pub fn audit_key(settings: &Settings) -> Result<AuditKey, SecretError> {
    local(
        settings,
        settings.audit_key.as_deref(),
        AUDIT_KEY_FILE,
        "OGI_AUDIT_KEY",
    )
    .map(|k| AuditKey::new(&k))
}

/// The audit key if there is one, never generating it: a verifier that invented a key
/// would report every record as forged.
pub fn existing_audit_key(settings: &Settings) -> Result<Option<AuditKey>, SecretError> {
    Ok(stored(settings, settings.audit_key.as_deref(), AUDIT_KEY_FILE)?.map(|k| AuditKey::new(&k)))
}

/// The configured secret, or the one kept in `file` of the data directory.
fn stored(
    settings: &Settings,
    configured: Option<&str>,
    file: &str,
) -> Result<Option<String>, SecretError> {
    if let Some(s) = configured {
        return Ok(Some(s.to_owned()));
    }
    let path = settings.data_dir().join(file);
    match std::fs::read_to_string(&path) {
        Ok(existing) => Ok(Some(existing.trim().to_owned()).filter(|s| s.len() >= 32)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SecretError {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The stored secret, or on SQLite a new one written to `file` (mode 0600).
fn local(
    settings: &Settings,
    configured: Option<&str>,
    file: &str,
    variable: &str,
) -> Result<String, SecretError> {
    if let Some(s) = stored(settings, configured, file)? {
        return Ok(s);
    }
    let path = settings.data_dir().join(file);
    let err = |source| SecretError {
        path: path.display().to_string(),
        source,
    };
    if matches!(settings.database_url, DatabaseUrl::Postgres(_)) {
        return Err(err(std::io::Error::other(format!(
            "{variable} is required with PostgreSQL"
        ))));
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| err(std::io::Error::other(e.to_string())))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret).map_err(err)?;
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

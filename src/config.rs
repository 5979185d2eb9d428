//! Settings from an optional TOML file (`--config`) overlaid by `OGI_*` environment
//! variables. Parsed once at start-up and passed into the app builder; nothing reads the
//! environment later, so tests build their own `Settings`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::store::DatabaseUrl;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/ogi-tracker.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// None on SQLite means: generate one and keep it in the data directory.
    pub jwt_secret: Option<String>,
    /// The key of the audit chains (HMAC-SHA256); like `jwt_secret`, generated beside the
    /// SQLite database when unset, required with PostgreSQL.
    pub audit_key: Option<String>,
    pub admin_password: Option<String>,
    pub log_format: LogFormat,
    pub token_ttl_secs: i64,
    pub pool_size: u32,
    /// Pins the service's "today" (tests, training set-ups); `None`: the date in China now.
    /// Not read from the environment or the file.
    pub today: Option<chrono::NaiveDate>,
    /// SMTP server for outgoing mail (`smtp://host:25`, `smtp://u:p@host:587?tls=required`,
    /// `smtps://u:p@host:465`); `None`: mail stays queued.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Base of the links in mails (`OGI_PUBLIC_URL`); default `http://{bind}`.
    pub public_url: String,
    /// Working days before the due date when reminders go out.
    pub due_soon_days: Vec<u32>,
    /// Working days a reply may wait at one review level before its reviewers are reminded
    /// (`OGI_REVIEW_REMIND_DAYS`, default 3).
    pub review_remind_days: u32,
    /// Seconds between scheduler runs inside `serve`; 0 disables the scheduler.
    pub scheduler_secs: u64,
    /// First retry delay of an undelivered mail, doubled per attempt.
    pub mail_retry_base_secs: i64,
    /// The annual-report row of the `special_regime` outcome (RULES.md §4, [configurable]):
    /// (三)8 行政查询事项 by default, or (六)3 其他.
    pub special_regime_row: crate::domain::outcome::SpecialRegimeRow,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`OGI_TRUSTED_PROXIES`: addresses
    /// or CIDR blocks, comma-separated). Default none: the client is the TCP peer.
    pub trusted_proxies: Vec<ProxyNet>,
    /// Password verifications allowed at once (`OGI_LOGIN_CONCURRENCY`, default: the number
    /// of CPUs); further logins are answered 503 at once.
    pub login_concurrency: usize,
    /// How long a request waits for a database connection before it is answered 503
    /// (`OGI_POOL_TIMEOUT_SECS`); also bounds the pool's reconnect back-off.
    pub pool_timeout_secs: u64,
    /// Bearer token that `/metrics` requires (`OGI_METRICS_TOKEN`); `None`: `/metrics` is
    /// not served (404).
    pub metrics_token: Option<String>,
    /// SQLite's `synchronous` (`OGI_SQLITE_SYNC`): `full` (default) makes every commit
    /// survive a power loss; `normal` only a crash of the process.
    pub sqlite_sync: crate::store::SqliteSync,
}

/// One trusted proxy address or network (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    pub addr: std::net::IpAddr,
    pub prefix: u8,
}

impl ProxyNet {
    pub fn parse(raw: &str) -> Option<ProxyNet> {
        let (addr, prefix) = match raw.trim().split_once('/') {
            Some((a, p)) => (a.parse::<std::net::IpAddr>().ok()?, p.parse::<u8>().ok()?),
            None => {
                let a = raw.trim().parse::<std::net::IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(ProxyNet { addr, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr as A;
        let ip = match ip {
            A::V6(v6) => v6.to_ipv4_mapped().map_or(ip, A::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (A::V4(net), A::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (A::V6(net), A::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The default number of concurrent password verifications: one per CPU.
pub fn default_login_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

impl std::fmt::Debug for Settings {
    // Secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("audit_key", &self.audit_key.as_ref().map(|_| "<set>"))
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "<set>"),
            )
            .field("log_format", &self.log_format)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("pool_size", &self.pool_size)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("due_soon_days", &self.due_soon_days)
            .field("review_remind_days", &self.review_remind_days)
            .field("scheduler_secs", &self.scheduler_secs)
            .field("special_regime_row", &self.special_regime_row)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("login_concurrency", &self.login_concurrency)
            .field("pool_timeout_secs", &self.pool_timeout_secs)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("sqlite_sync", &self.sqlite_sync)
            .finish()
    }
}

/// The database URL with any password replaced, for logs and `check-config`.
pub fn redact_url(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(raw) => match (raw.find("://"), raw.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let userinfo = &raw[scheme_end + 3..at];
                let user = userinfo.split(':').next().unwrap_or("");
                let masked = if userinfo.contains(':') {
                    format!("{user}:***")
                } else {
                    user.into()
                };
                format!("{}{}{}", &raw[..scheme_end + 3], masked, &raw[at..])
            }
            _ => raw.clone(),
        },
    }
}

/// A configuration problem, naming the variable (or file key) at fault.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

fn err(variable: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        message: message.into(),
    }
}

/// The keys a `--config` TOML file may hold; each is overridden by its environment variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    bind: Option<String>,
    jwt_secret: Option<String>,
    audit_key: Option<String>,
    admin_password: Option<String>,
    log_format: Option<String>,
    token_ttl_secs: Option<i64>,
    pool_size: Option<u32>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    public_url: Option<String>,
    due_soon_days: Option<String>,
    review_remind_days: Option<u32>,
    scheduler_secs: Option<u64>,
    special_regime_row: Option<String>,
    trusted_proxies: Option<String>,
    login_concurrency: Option<usize>,
    pool_timeout_secs: Option<u64>,
    metrics_token: Option<String>,
    sqlite_sync: Option<String>,
}

impl Settings {
    /// Reads the optional file, then the process environment.
    pub fn load(config_file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::from_sources(config_file, |key| std::env::var(key).ok())
    }

    /// Same as `load` with an injectable environment (tests).
    pub fn from_sources(
        config_file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let file = match config_file {
            None => FileSettings::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err("--config", format!("cannot read {}: {e}", path.display())))?;
                toml::from_str(&text)
                    .map_err(|e| err("--config", format!("{}: {e}", path.display())))?
            }
        };
        let get = |key: &str, from_file: Option<String>| {
            env(key).filter(|v| !v.trim().is_empty()).or(from_file)
        };

        let raw_url = get("OGI_DATABASE_URL", file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let database_url =
            DatabaseUrl::parse(raw_url.trim()).map_err(|m| err("OGI_DATABASE_URL", m))?;

        let raw_bind = get("OGI_BIND", file.bind).unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = raw_bind.trim().parse::<SocketAddr>().map_err(|_| {
            err(
                "OGI_BIND",
                format!("“{raw_bind}” is not an address:port such as 127.0.0.1:8080"),
            )
        })?;

        let shared_secret = |variable: &str, value: Option<String>| match value {
            Some(s) if s.len() < 32 => Err(err(variable, "must be at least 32 characters")),
            None if database_url.is_postgres() => Err(err(
                variable,
                "must be set when OGI_DATABASE_URL is PostgreSQL (every instance must share it)",
            )),
            value => Ok(value),
        };
        let jwt_secret = shared_secret("OGI_JWT_SECRET", get("OGI_JWT_SECRET", file.jwt_secret))?;
        let audit_key = shared_secret("OGI_AUDIT_KEY", get("OGI_AUDIT_KEY", file.audit_key))?;

        let admin_password = get("OGI_ADMIN_PASSWORD", file.admin_password);
        if let Some(p) = &admin_password {
            crate::auth::password::check_strength(p)
                .map_err(|_| err("OGI_ADMIN_PASSWORD", "must be 10 to 256 characters"))?;
        }

        let log_format = match get("OGI_LOG_FORMAT", file.log_format)
            .as_deref()
            .map(str::trim)
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "OGI_LOG_FORMAT",
                    format!("“{other}”: expected text or json"),
                ));
            }
        };

        let token_ttl_secs = match env("OGI_TOKEN_TTL_SECS") {
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .map_err(|_| err("OGI_TOKEN_TTL_SECS", "expected a whole number of seconds"))?,
            None => file.token_ttl_secs.unwrap_or(8 * 3600),
        };
        if !(60..=7 * 24 * 3600).contains(&token_ttl_secs) {
            return Err(err("OGI_TOKEN_TTL_SECS", "must be between 60 and 604800"));
        }

        let pool_size = match env("OGI_POOL_SIZE") {
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .map_err(|_| err("OGI_POOL_SIZE", "expected a whole number"))?,
            None => file.pool_size.unwrap_or(8),
        };
        if !(1..=200).contains(&pool_size) {
            return Err(err("OGI_POOL_SIZE", "must be between 1 and 200"));
        }

        let smtp_url = get("OGI_SMTP_URL", file.smtp_url).map(|u| u.trim().to_owned());
        if let Some(u) = &smtp_url
            && !(u.starts_with("smtp://") || u.starts_with("smtps://"))
        {
            return Err(err(
                "OGI_SMTP_URL",
                "expected smtp://host:port or smtps://user:pass@host:465",
            ));
        }
        let mail_from = get("OGI_MAIL_FROM", file.mail_from)
            .unwrap_or_else(|| "ogi-tracker <noreply@localhost>".to_owned());
        if !mail_from.contains('@') {
            return Err(err(
                "OGI_MAIL_FROM",
                "expected an address such as 政务公开办 <ogi@example.gov.cn>",
            ));
        }
        let public_url = get("OGI_PUBLIC_URL", file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_owned();
        let due_soon_days = match get("OGI_DUE_SOON_DAYS", file.due_soon_days) {
            None => vec![5, 2],
            Some(raw) => raw
                .split(',')
                .map(|d| d.trim().parse::<u32>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| err("OGI_DUE_SOON_DAYS", "expected working days such as 5,2"))?,
        };
        let review_remind_days = match env("OGI_REVIEW_REMIND_DAYS") {
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .map_err(|_| err("OGI_REVIEW_REMIND_DAYS", "expected working days"))?,
            None => file.review_remind_days.unwrap_or(3),
        };
        let scheduler_secs = match env("OGI_SCHEDULER_SECS") {
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .map_err(|_| err("OGI_SCHEDULER_SECS", "expected seconds"))?,
            None => file.scheduler_secs.unwrap_or(300),
        };
        let mail_retry_base_secs = match env("OGI_MAIL_RETRY_BASE_SECS") {
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|s| *s >= 0)
                .ok_or_else(|| err("OGI_MAIL_RETRY_BASE_SECS", "expected seconds"))?,
            None => 30,
        };

        let special_regime_row = match get("OGI_SPECIAL_REGIME_ROW", file.special_regime_row)
            .as_deref()
            .map(str::trim)
        {
            None | Some("administrative_query") => {
                crate::domain::outcome::SpecialRegimeRow::AdministrativeQuery
            }
            Some("other") => crate::domain::outcome::SpecialRegimeRow::Other,
            Some(other) => {
                return Err(err(
                    "OGI_SPECIAL_REGIME_ROW",
                    format!("“{other}”: expected administrative_query or other"),
                ));
            }
        };

        let trusted_proxies = match get("OGI_TRUSTED_PROXIES", file.trusted_proxies) {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    ProxyNet::parse(p).ok_or_else(|| {
                        err(
                            "OGI_TRUSTED_PROXIES",
                            format!(
                                "“{}” is not an address or CIDR block such as 10.0.0.0/8",
                                p.trim()
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let login_concurrency = match env("OGI_LOGIN_CONCURRENCY") {
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| err("OGI_LOGIN_CONCURRENCY", "expected a number from 1 to 256"))?,
            None => file
                .login_concurrency
                .unwrap_or_else(default_login_concurrency),
        };

        let pool_timeout_secs = match env("OGI_POOL_TIMEOUT_SECS") {
            Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
                err(
                    "OGI_POOL_TIMEOUT_SECS",
                    "expected a whole number of seconds",
                )
            })?,
            None => file.pool_timeout_secs.unwrap_or(5),
        };
        if !(1..=60).contains(&pool_timeout_secs) {
            return Err(err("OGI_POOL_TIMEOUT_SECS", "must be between 1 and 60"));
        }
        let metrics_token =
            get("OGI_METRICS_TOKEN", file.metrics_token).map(|t| t.trim().to_owned());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(err("OGI_METRICS_TOKEN", "must be at least 16 characters"));
        }
        let sqlite_sync = match get("OGI_SQLITE_SYNC", file.sqlite_sync)
            .as_deref()
            .map(str::trim)
        {
            None | Some("full") => crate::store::SqliteSync::Full,
            Some("normal") => crate::store::SqliteSync::Normal,
            Some(other) => {
                return Err(err(
                    "OGI_SQLITE_SYNC",
                    format!("“{other}”: expected full or normal"),
                ));
            }
        };

        Ok(Settings {
            pool_timeout_secs,
            metrics_token,
            sqlite_sync,
            trusted_proxies,
            login_concurrency,
            database_url,
            bind,
            jwt_secret,
            audit_key,
            admin_password,
            log_format,
            token_ttl_secs,
            pool_size,
            today: None,
            smtp_url,
            mail_from,
            public_url,
            due_soon_days,
            review_remind_days,
            scheduler_secs,
            mail_retry_base_secs,
            special_regime_row,
        })
    }

    /// Where local state (the generated JWT secret and audit key) is kept: the SQLite file's directory,
    /// or `./data` otherwise.
    pub fn data_dir(&self) -> PathBuf {
        match &self.database_url {
            DatabaseUrl::Sqlite(path) => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            DatabaseUrl::Postgres(_) => PathBuf::from("data"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_sources(None, |k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let s = load(&[]).unwrap();
        assert_eq!(
            s.database_url,
            DatabaseUrl::Sqlite("data/ogi-tracker.db".into())
        );
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.sqlite_sync, crate::store::SqliteSync::Full);
        let demo = load(&[("OGI_SQLITE_SYNC", "normal")]).unwrap();
        assert_eq!(demo.sqlite_sync, crate::store::SqliteSync::Normal);
        assert_eq!(s.data_dir(), PathBuf::from("data"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (vars, var) in [
            (vec![("OGI_BIND", "nowhere")], "OGI_BIND"),
            (vec![("OGI_DATABASE_URL", "mysql://x")], "OGI_DATABASE_URL"),
            (
                vec![("OGI_DATABASE_URL", "postgres://u@h/db")],
                "OGI_JWT_SECRET",
            ),
            (vec![("OGI_JWT_SECRET", "short")], "OGI_JWT_SECRET"),
            (
                vec![
                    ("OGI_DATABASE_URL", "postgres://u@h/db"),
                    ("OGI_JWT_SECRET", "a-jwt-secret-of-at-least-32-characters"),
                ],
                "OGI_AUDIT_KEY",
            ),
            (vec![("OGI_AUDIT_KEY", "short")], "OGI_AUDIT_KEY"),
            (vec![("OGI_LOG_FORMAT", "xml")], "OGI_LOG_FORMAT"),
            (vec![("OGI_ADMIN_PASSWORD", "123")], "OGI_ADMIN_PASSWORD"),
            (
                vec![("OGI_SPECIAL_REGIME_ROW", "withheld")],
                "OGI_SPECIAL_REGIME_ROW",
            ),
            (vec![("OGI_SMTP_URL", "http://mail")], "OGI_SMTP_URL"),
            (vec![("OGI_DUE_SOON_DAYS", "5,x")], "OGI_DUE_SOON_DAYS"),
            (
                vec![("OGI_POOL_TIMEOUT_SECS", "0")],
                "OGI_POOL_TIMEOUT_SECS",
            ),
            (vec![("OGI_METRICS_TOKEN", "short")], "OGI_METRICS_TOKEN"),
            (vec![("OGI_SQLITE_SYNC", "off")], "OGI_SQLITE_SYNC"),
        ] {
            let e = load(&vars).unwrap_err();
            assert_eq!(e.variable, var);
            assert!(e.to_string().starts_with(var));
        }
    }

    #[test]
    fn redacts_passwords() {
        let url = DatabaseUrl::Postgres("postgres://app:s3cret@db:5432/ogi".into());
        assert_eq!(redact_url(&url), "postgres://app:***@db:5432/ogi");
    }
}

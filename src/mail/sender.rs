//! Delivering the outbox over SMTP with lettre. Each pass claims ready mails one by one
//! (compare-and-set, so concurrent senders never send a mail twice), sends, and records the
//! outcome; a failure is retried with exponential backoff until `MAX_ATTEMPTS`, then the
//! mail ends `failed` with its last error (visible and retryable at `/api/v1/outbox`).

use std::time::Duration;

use chrono::NaiveDateTime;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::{self, Pool};

/// Attempts before a mail is given up as `failed`.
pub const MAX_ATTEMPTS: i32 = 6;
/// A claim lasts this long; a sender that dies mid-send lets the mail go after it.
const CLAIM_SECS: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("OGI_SMTP_URL: {0}")]
    Url(String),
    #[error("OGI_MAIL_FROM: {0}")]
    From(String),
    #[error("database: {0}")]
    Store(String),
}

/// The configured transport, or none (mail then stays queued).
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// First retry delay; doubled per attempt (tests set 0).
    retry_base_secs: i64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SendReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Ready mails left queued because no SMTP server is configured.
    pub held: usize,
}

impl Mailer {
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        retry_base_secs: i64,
    ) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| MailError::From(format!("{from}: {e}")))?;
        let transport = smtp_url
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|b| b.timeout(Some(Duration::from_secs(20))).build())
                    .map_err(|e| MailError::Url(e.to_string()))
            })
            .transpose()?;
        Ok(Mailer {
            transport,
            from,
            retry_base_secs,
        })
    }

    pub fn configured(&self) -> bool {
        self.transport.is_some()
    }

    fn retry_at(&self, attempts: i32, now: NaiveDateTime) -> Option<NaiveDateTime> {
        if attempts >= MAX_ATTEMPTS {
            return None;
        }
        let exp = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(16);
        let delay = self.retry_base_secs.saturating_mul(1 << exp).min(6 * 3600);
        Some(now + chrono::Duration::seconds(delay))
    }

    async fn deliver(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let Some(transport) = &self.transport else {
            return Err("no SMTP server configured".into());
        };
        let to: Mailbox = to.parse().map_err(|e| format!("recipient {to}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body.to_owned()),
            )
            .map_err(|e| e.to_string())?;
        transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// One pass over the ready mails.
    pub async fn send_pass(&self, pool: &Pool) -> Result<SendReport, MailError> {
        let mut report = SendReport::default();
        let now = store::now();
        let ids = blocking(pool, move |c| store::outbox::ready(c, now, 500)).await?;
        if !self.configured() {
            report.held = ids.len();
            return Ok(report);
        }
        for id in ids {
            let now = store::now();
            let until = now + chrono::Duration::seconds(CLAIM_SECS);
            let Some(mail) =
                blocking(pool, move |c| store::outbox::claim(c, id, now, until)).await?
            else {
                continue; // another sender has it
            };
            match self
                .deliver(&mail.recipient, &mail.subject, &mail.body)
                .await
            {
                Ok(()) => {
                    let after = super::body_after_delivery(&mail.kind);
                    blocking(pool, move |c| store::outbox::mark_sent(c, id, after)).await?;
                    report.sent += 1;
                }
                Err(error) => {
                    let retry = self.retry_at(mail.attempts, store::now());
                    if retry.is_some() {
                        report.retrying += 1
                    } else {
                        report.failed += 1
                    }
                    tracing::warn!(mail = id, attempts = mail.attempts, %error, "mail not delivered");
                    blocking(pool, move |c| {
                        store::outbox::mark_failed(c, id, &error, retry)
                    })
                    .await?;
                }
            }
        }
        Ok(report)
    }
}

async fn blocking<T, F>(pool: &Pool, f: F) -> Result<T, MailError>
where
    F: FnOnce(&mut store::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut c = crate::store::checkout(&pool).map_err(|e| MailError::Store(e.to_string()))?;
        f(&mut c).map_err(|e| MailError::Store(e.to_string()))
    })
    .await
    .map_err(|e| MailError::Store(e.to_string()))?
}

#[cfg(test)]
mod address_rules {
    use crate::domain::validation::{FieldErrors, optional_email};

    /// What the intake accepts as an e-mail address is what lettre can send to.
    #[test]
    fn accepted_addresses_parse_as_lettre_addresses() {
        for raw in [
            "zhangsan@example.cn",
            "张三@example.cn",
            "a.b+c@mail.example.gov.cn",
            "a@b.cn\r\nBcc: x@y.cn",
            "a b@c.cn",
            "\"q\"@b.cn",
            "a..b@c.cn",
            "a@b..cn",
        ] {
            let mut e = FieldErrors::default();
            optional_email(&mut e, "m", Some(raw));
            if e.is_empty() {
                assert!(raw.parse::<lettre::Address>().is_ok(), "{raw}");
            }
        }
    }
}

//! Delivers the outbox over SMTP.
//!
//! The registrar writes every mail into the `outbox` table in the same
//! transaction as the change it tells of; this crate sends them to the relay
//! given by `--smtp-url` (lettre's URL form: `smtp://host:25`,
//! `smtp://user:pass@host:587?tls=required` for STARTTLS, `smtps://host:465`).
//!
//! - A sender claims due mails with a lease, so two senders (two processes)
//!   never send one mail at the same time, and a sender that died lets go.
//! - A mail is marked sent only once the relay accepted it (`250` after
//!   `DATA`); a failed attempt is retried with exponential backoff (30 s,
//!   1 min, 2 min ... at most 1 h), forever, so no mail is lost. Only a
//!   permanent refusal (a 5xx reply, or an address that cannot be written)
//!   stops the retries; `vpsd outbox list` shows it with the relay's reply.
//! - Each mail carries a `Message-ID` made from its outbox id, so the one
//!   case left, a crash between the relay's `250` and our mark, shows up as
//!   the same message twice, which mail systems recognise.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::watch;
use vpsd_domain::Clock;
use vpsd_storage::{Outbox, OutboxMail, StoreError};

/// Mails taken in one pass.
const BATCH: i64 = 50;
/// How long a claimed mail is held by its sender.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
const FIRST_RETRY: chrono::Duration = chrono::Duration::seconds(30);
const MAX_RETRY: chrono::Duration = chrono::Duration::hours(1);

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("`{0}` is not an SMTP URL such as smtp://localhost:25 ({1})")]
    Url(String, String),
    #[error("`{0}` is not a sender address such as Domains <domains@example.com>")]
    From(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryOutcome {
    pub sent: usize,
    pub retrying: usize,
    pub gave_up: usize,
    /// The batch came back full: more mails are due now.
    pub more_due: bool,
}

#[derive(Clone)]
pub struct Mailer {
    store: Arc<dyn Outbox>,
    clock: Arc<dyn Clock>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the relay's credentials: never print them.
        f.debug_struct("Mailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// The wait after `attempts` failed attempts: 30 s doubling, at most 1 h.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    (FIRST_RETRY * 2_i32.pow(doublings)).min(MAX_RETRY)
}

impl Mailer {
    /// Sends `store`'s outbox through the relay at `smtp_url` as `from`
    /// (it needs nothing else of the store). Errors: a bad URL or `from`.
    pub fn new(
        store: Arc<dyn Outbox>,
        clock: Arc<dyn Clock>,
        smtp_url: &str,
        from: &str,
    ) -> Result<Self, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| MailerError::Url(redact(smtp_url), e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MailerError::From(from.to_owned()))?;
        Ok(Self {
            store,
            clock,
            transport,
            from,
        })
    }

    fn message(&self, mail: &OutboxMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("recipient `{}`: {e}", mail.recipient))?;
        let domain = self.from.email.domain();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!("<outbox-{}@{domain}>", mail.id)))
            .date(mail.created_at.into())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())
    }

    /// One pass: sends every mail that is due, marking each sent or failed.
    pub async fn deliver_due(&self) -> Result<DeliveryOutcome, MailerError> {
        let now: DateTime<Utc> = self.clock.now();
        let mails = self.store.claim_mail(now, now + LEASE, BATCH).await?;
        let mut outcome = DeliveryOutcome {
            more_due: mails.len() as i64 == BATCH,
            ..Default::default()
        };
        for mail in mails {
            let result = match self.message(&mail) {
                Err(e) => Err((e, true)),
                Ok(message) => self
                    .transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| (e.to_string(), e.is_permanent())),
            };
            let now = self.clock.now();
            match result {
                Ok(()) => {
                    self.store.mail_sent(mail.id, now).await?;
                    outcome.sent += 1;
                }
                Err((error, true)) => {
                    tracing::error!(mail = mail.id, %error, "the relay refused a mail for good");
                    self.store.mail_failed(mail.id, &error, None, now).await?;
                    outcome.gave_up += 1;
                }
                Err((error, false)) => {
                    let retry_at = now + backoff(mail.attempts);
                    tracing::warn!(mail = mail.id, %error, %retry_at, "mail not delivered; will retry");
                    self.store
                        .mail_failed(mail.id, &error, Some(retry_at), now)
                        .await?;
                    outcome.retrying += 1;
                }
            }
        }
        Ok(outcome)
    }
}

/// An SMTP URL fit for logs: its password replaced by `***`.
fn redact(url: &str) -> String {
    vpsd_storage::redact(url)
}

/// Delivers every `interval` (at once again while a backlog remains) until
/// `shutdown` turns true.
pub async fn run(mailer: Mailer, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        let more = match mailer.deliver_due().await {
            Ok(outcome) => {
                if outcome.sent + outcome.retrying + outcome.gave_up > 0 {
                    tracing::info!(?outcome, "mail pass");
                }
                outcome.more_due && outcome.sent > 0
            }
            Err(e) => {
                tracing::error!(error = %e, "mail pass failed; retrying");
                false
            }
        };
        if more && !*shutdown.borrow() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(4), chrono::Duration::seconds(240));
        assert_eq!(backoff(9), chrono::Duration::hours(1));
        assert_eq!(backoff(1000), chrono::Duration::hours(1));
    }
}

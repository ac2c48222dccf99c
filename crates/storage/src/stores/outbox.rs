//! The outbox of mails to send.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::OutboxMail;

/// The outbox of mails to send.
///
/// Implemented for SQLite and PostgreSQL (`queries/outbox.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait Outbox: Send + Sync + std::fmt::Debug {
    /// Every mail of the outbox, oldest first (sent or not).
    async fn outbox(&self) -> Result<Vec<OutboxMail>>;

    /// Takes up to `limit` mails due for delivery at `now`, held until
    /// `lease_until` (a sender that dies lets go when its lease ends), and
    /// counts the attempt; oldest first.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMail>>;

    /// The relay accepted the mail. `true` when this call marked it sent;
    /// `false` when it was sent already (or is unknown).
    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool>;

    /// The attempt failed with `error`: try again at `retry_at`, or never
    /// (`None`: given up). `true` when noted; `false` when the mail was sent
    /// meanwhile (or is unknown).
    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub(crate) id: i64,
    pub(crate) account_id: vpsd_domain::AccountId,
    pub(crate) recipient: String,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) sent_at: Option<DateTime<Utc>>,
    pub(crate) attempts: i64,
    pub(crate) last_error: Option<String>,
    pub(crate) gave_up_at: Option<DateTime<Utc>>,
}

impl From<OutboxRow> for OutboxMail {
    fn from(r: OutboxRow) -> Self {
        OutboxMail {
            id: r.id,
            account_id: r.account_id,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body,
            created_at: r.created_at,
            sent_at: r.sent_at,
            attempts: r.attempts,
            last_error: r.last_error,
            gave_up_at: r.gave_up_at,
        }
    }
}

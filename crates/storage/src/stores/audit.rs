//! The audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Audit, AuditEntry};

/// The audit log.
///
/// Implemented for SQLite and PostgreSQL (`queries/audit.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait AuditLog: Send + Sync + std::fmt::Debug {
    /// One page of the account's audit log, newest first, with the total
    /// number of entries: `(total, page)`.
    async fn audit_page(
        &self,
        account_id: vpsd_domain::AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<AuditEntry>)>;

    /// Appends an audit entry for a change kept elsewhere (at the registry,
    /// such as a new auth code), about `domain` (`(id, name)`) if any.
    async fn append_audit(
        &self,
        account_id: vpsd_domain::AccountId,
        domain: Option<(vpsd_domain::DomainId, &str)>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()>;
}

/// How the audit log writes `audit`'s action: the one place the action is
/// turned into a column value, for both backends and SQLite's in-place
/// writer.
pub(crate) fn action_text(audit: &Audit<'_>) -> &'static str {
    audit.action.as_str()
}

// ---- rows: how this aggregate is stored and decoded (both backends)

/// An audit row: account, actor, token, action, domain id and name,
/// changes, request id, time.
pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (account_id, actor, token_id, action, \
     domain_id, domain_name, changes, request_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) id: i64,
    pub(crate) account_id: vpsd_domain::AccountId,
    pub(crate) actor: String,
    pub(crate) token_id: Option<vpsd_domain::TokenId>,
    pub(crate) action: String,
    pub(crate) domain_id: Option<vpsd_domain::DomainId>,
    pub(crate) domain_name: Option<String>,
    pub(crate) changes: String,
    pub(crate) request_id: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            account_id: r.account_id,
            actor: r.actor,
            token_id: r.token_id,
            action: r.action,
            domain_id: r.domain_id,
            domain_name: r.domain_name,
            changes: r.changes,
            request_id: r.request_id,
            created_at: r.created_at,
        }
    }
}

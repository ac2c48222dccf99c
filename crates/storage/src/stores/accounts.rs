//! Accounts and their ledger.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::*;
use vpsd_domain::Money;

/// Accounts and their ledger. Implemented for SQLite and PostgreSQL (`queries/accounts.rs`).
#[async_trait]
pub trait AccountStore: Send + Sync + std::fmt::Debug {
    /// Creates an account; an opening balance is written as a ledger credit.
    async fn create_account(
        &self,
        email: &str,
        balance: Money,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account>;

    /// Adds money (a ledger credit). `NotFound` for an unknown account.
    async fn credit_account(
        &self,
        account_id: i64,
        amount: Money,
        description: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account>;

    async fn account(&self, account_id: i64) -> Result<Option<Account>>;

    async fn account_count(&self) -> Result<i64>;

    async fn ledger(&self, account_id: i64) -> Result<Vec<LedgerEntry>>;

    async fn ledger_sum(&self, account_id: i64) -> Result<Money>;

    /// One page of the ledger, newest first, with the total count.
    async fn ledger_page(
        &self,
        account_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<LedgerEntry>)>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) balance_cents: i64,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: r.id,
            email: r.email,
            balance: Money::from_cents(r.balance_cents),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LedgerRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) kind: String,
    pub(crate) amount_cents: i64,
    pub(crate) balance_after_cents: i64,
    pub(crate) domain_id: Option<i64>,
    pub(crate) domain_name: Option<String>,
    pub(crate) description: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<LedgerRow> for LedgerEntry {
    fn from(r: LedgerRow) -> Self {
        LedgerEntry {
            id: r.id,
            account_id: r.account_id,
            kind: r.kind,
            amount: Money::from_cents(r.amount_cents),
            balance_after: Money::from_cents(r.balance_after_cents),
            domain_id: r.domain_id,
            domain_name: r.domain_name,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

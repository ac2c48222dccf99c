//! Accounts and their ledger.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Account, Audit, LedgerEntry};
use vpsd_domain::Money;

/// Accounts and their ledger.
///
/// Implemented for SQLite and PostgreSQL (`queries/accounts.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait AccountStore: Send + Sync + std::fmt::Debug {
    /// Creates an account with `balance`; a non-zero opening balance is
    /// written as a ledger credit in the same transaction, with the audit
    /// entry. Answers the new account.
    async fn create_account(
        &self,
        email: &str,
        balance: Money,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account>;

    /// Adds `amount` to the balance, with its ledger credit (`description`)
    /// and the audit entry, in one transaction; answers the account after.
    /// Errors: `NotFound` for an unknown account.
    async fn credit_account(
        &self,
        account_id: vpsd_domain::AccountId,
        amount: Money,
        description: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account>;

    /// The account `account_id`; `None` when there is none.
    async fn account(&self, account_id: vpsd_domain::AccountId) -> Result<Option<Account>>;

    /// How many accounts there are.
    async fn account_count(&self) -> Result<i64>;

    /// Every ledger entry of the account, oldest first (empty for an unknown
    /// account).
    async fn ledger(&self, account_id: vpsd_domain::AccountId) -> Result<Vec<LedgerEntry>>;

    /// The sum of the account's ledger (0 for an unknown account): always
    /// equals its balance.
    async fn ledger_sum(&self, account_id: vpsd_domain::AccountId) -> Result<Money>;

    /// One page of the account's ledger, newest first, with the total
    /// number of entries: `(total, page)`.
    async fn ledger_page(
        &self,
        account_id: vpsd_domain::AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<LedgerEntry>)>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

/// The conditional charge: `$1` cents from account `$2`, answering the
/// balance after; no row when the balance is short.
pub(crate) const DEBIT: &str = "UPDATE accounts SET balance_cents = balance_cents - $1 \
     WHERE id = $2 AND balance_cents >= $1 RETURNING balance_cents";

/// A ledger row: account, kind, amount, balance after, domain id and
/// name, description, time.
pub(crate) const INSERT_LEDGER: &str = "INSERT INTO ledger (account_id, kind, amount_cents, \
     balance_after_cents, domain_id, domain_name, description, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub(crate) id: vpsd_domain::AccountId,
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
    pub(crate) account_id: vpsd_domain::AccountId,
    pub(crate) kind: String,
    pub(crate) amount_cents: i64,
    pub(crate) balance_after_cents: i64,
    pub(crate) domain_id: Option<vpsd_domain::DomainId>,
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

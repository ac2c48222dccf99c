//! The SQL of accounts and their ledger. Compiled once per backend: `super`
//! is the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vpsd_domain::Money;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{Account, Audit, LedgerEntry};
use crate::stores::accounts::{AccountRow, LedgerRow};

#[async_trait]
impl crate::stores::AccountStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_account(
        &self,
        email: &str,
        balance: Money,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: AccountRow = sqlx::query_as(
            "INSERT INTO accounts (email, balance_cents, created_at) VALUES ($1, $2, $3) \
             RETURNING id, email, balance_cents, created_at",
        )
        .bind(email)
        .bind(balance.cents())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if balance.cents() != 0 {
            Self::ledger_row(
                &mut tx,
                row.id,
                "credit",
                balance.cents(),
                balance.cents(),
                None,
                "Opening balance",
                now,
            )
            .await?;
        }
        Self::audit_row(&mut tx, audit, row.id, None, now).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn credit_account(
        &self,
        account_id: vpsd_domain::AccountId,
        amount: Money,
        description: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account> {
        let (_guard, mut tx) = self.begin_write().await?;
        let after = Self::credit(&mut tx, account_id, amount).await?;
        Self::ledger_row(
            &mut tx,
            account_id,
            "credit",
            amount.cents(),
            after,
            None,
            description,
            now,
        )
        .await?;
        let row: AccountRow = sqlx::query_as(
            "SELECT id, email, balance_cents, created_at FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        Self::audit_row(&mut tx, audit, account_id, None, now).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn account(&self, account_id: vpsd_domain::AccountId) -> Result<Option<Account>> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT id, email, balance_cents, created_at FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn account_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn ledger(&self, account_id: vpsd_domain::AccountId) -> Result<Vec<LedgerEntry>> {
        let rows: Vec<LedgerRow> = sqlx::query_as(
            "SELECT id, account_id, kind, amount_cents, balance_after_cents, domain_id, \
             domain_name, description, created_at FROM ledger \
             WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn ledger_sum(&self, account_id: vpsd_domain::AccountId) -> Result<Money> {
        let (sum,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger \
             WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_one(self.pool())
        .await?;
        Ok(Money::from_cents(sum))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn ledger_page(
        &self,
        account_id: vpsd_domain::AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<LedgerEntry>)> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(self.pool())
            .await?;
        let rows: Vec<LedgerRow> = sqlx::query_as(
            "SELECT id, account_id, kind, amount_cents, balance_after_cents, domain_id, \
             domain_name, description, created_at FROM ledger \
             WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(account_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((count, rows.into_iter().map(Into::into).collect()))
    }
}

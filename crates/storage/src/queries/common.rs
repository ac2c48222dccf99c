//! What every aggregate's SQL shares: the audit row, the ledger row, the
//! queued mail, the conditional charge, the "what is due" read. Compiled once
//! per backend: `super` is the backend's `queries` module (its `Db` and
//! `ThisStore`).

use chrono::{DateTime, Utc};
use vpsd_domain::Money;

use super::{Db, ThisStore};
use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::model::{AgreedFee, Audit, Domain, NewMail};
use crate::stores::accounts::{DEBIT, INSERT_LEDGER};
use crate::stores::audit::action_text;
use crate::stores::audit::INSERT_AUDIT;
use crate::stores::domains::{domains, DomainRow, DOMAIN_COLUMNS};
use vpsd_domain::OUR_REGISTRAR;

/// A write transaction of this backend.
pub(super) type Tx = sqlx::Transaction<'static, Db>;

impl ThisStore {
    /// Runs a conditional change of one domain whose query answers
    /// `(account_id, domain_name)` when it changed the row; then, in
    /// the same transaction, audits it and queues its mail. True when
    /// the row changed.
    pub(super) async fn change_domain<'q>(
        &self,
        query: sqlx::query::QueryAs<
            'q,
            Db,
            (vpsd_domain::AccountId, String),
            <Db as sqlx::Database>::Arguments<'q>,
        >,
        domain_id: vpsd_domain::DomainId,
        audit: &Audit<'_>,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let Some((account_id, name)) = query.fetch_optional(&mut *tx).await? else {
            return Ok(false);
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        if let Some(mail) = mail {
            Self::queue_mail(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Domains matching `condition` (on `$1`, a time), oldest `order`
    /// first, at most `limit`: the worker's "what is due" queries. With
    /// `ours_only`, only the names we sponsor ([`OUR_REGISTRAR`], bound as
    /// `$3`).
    pub(super) async fn domains_due(
        &self,
        condition: &str,
        order: &str,
        ours_only: bool,
        at: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>> {
        let ours = if ours_only { " AND registrar = $3" } else { "" };
        let sql = format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains WHERE {condition}{ours} \
             ORDER BY {order} LIMIT $2"
        );
        let mut query = sqlx::query_as(&sql).bind(at).bind(limit);
        if ours_only {
            query = query.bind(OUR_REGISTRAR);
        }
        let rows: Vec<DomainRow> = query.fetch_all(self.pool()).await?;
        domains(rows)
    }

    /// Runs one statement under the write lock; true when it
    /// changed exactly one row (the conditional updates' "we won").
    pub(super) async fn write_one<'q>(
        &self,
        query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let changed = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Appends to the audit log, in the caller's transaction.
    pub(super) async fn audit_row(
        tx: &mut Tx,
        audit: &Audit<'_>,
        account_id: vpsd_domain::AccountId,
        domain: Option<(vpsd_domain::DomainId, &str)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(INSERT_AUDIT)
            .bind(account_id)
            .bind(audit.actor.kind)
            .bind(audit.actor.token_id)
            .bind(action_text(audit))
            .bind(domain.map(|d| d.0))
            .bind(domain.map(|d| d.1))
            .bind(&audit.changes)
            .bind(audit.actor.request_id.as_deref())
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Keeps `fee` as the registry fee agreed for `command` of domain
    /// `domain_id` in `tx`, replacing any kept before; `NotFound` when the
    /// domain is not there.
    pub(super) async fn agreed_fee_row(
        tx: &mut Tx,
        domain_id: vpsd_domain::DomainId,
        command: &str,
        fee: &AgreedFee,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM agreed_registry_fees WHERE domain_id = $1 AND command = $2")
            .bind(domain_id)
            .bind(command)
            .execute(&mut **tx)
            .await?;
        let written = sqlx::query(
            "INSERT INTO agreed_registry_fees (domain_id, command, currency, cents, agreed_at) \
             SELECT id, $2, $3, $4, $5 FROM domains WHERE id = $1",
        )
        .bind(domain_id)
        .bind(command)
        .bind(&fee.currency)
        .bind(fee.cents)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if written.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Takes `amount` from the balance if it covers it; returns the
    /// balance after.
    pub(super) async fn debit(
        tx: &mut Tx,
        account_id: vpsd_domain::AccountId,
        amount: Money,
    ) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as(DEBIT)
            .bind(amount.cents())
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(|r| r.0).ok_or(StoreError::InsufficientFunds)
    }

    pub(super) async fn credit(
        tx: &mut Tx,
        account_id: vpsd_domain::AccountId,
        amount: Money,
    ) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE accounts SET balance_cents = balance_cents + $1 \
             WHERE id = $2 RETURNING balance_cents",
        )
        .bind(amount.cents())
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
        row.map(|r| r.0).ok_or(StoreError::NotFound)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn ledger_row(
        tx: &mut Tx,
        account_id: vpsd_domain::AccountId,
        kind: &str,
        amount: i64,
        balance_after: i64,
        domain: Option<(vpsd_domain::DomainId, &str)>,
        description: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(INSERT_LEDGER)
            .bind(account_id)
            .bind(kind)
            .bind(amount)
            .bind(balance_after)
            .bind(domain.map(|d| d.0))
            .bind(domain.map(|d| d.1))
            .bind(description)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub(super) async fn queue_mail(tx: &mut Tx, mail: &NewMail, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO outbox (account_id, recipient, subject, body, created_at) \
             SELECT id, email, $2, $3, $4 FROM accounts WHERE id = $1",
        )
        .bind(mail.account_id)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

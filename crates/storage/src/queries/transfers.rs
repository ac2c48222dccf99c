//! The SQL of transfers in (to us) and out (to another registrar). Compiled
//! once per backend: `super` is the backend's `queries` module (its `Db` and
//! `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vpsd_domain::Money;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::model::{Audit, Domain, NewMail, NewTransfer};
use crate::stores::domains::{DomainRow, DOMAIN_BY_ID, DOMAIN_COLUMNS, SET_CONTACTS_FROM_7};

#[async_trait]
impl crate::stores::TransferStore for ThisStore {
    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(account_id = %t.account_id, domain_id = %t.domain_id)
    )]
    async fn begin_transfer(
        &self,
        t: &NewTransfer,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<Domain> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "UPDATE domains SET transfer_status = 'pending', transfer_initiated_at = $3, \
             transfer_completes_at = $4, transfer_cost_cents = $5, auto_renew = $6, \
             updated_at = $3, {SET_CONTACTS_FROM_7} \
             WHERE id = $1 AND account_id = $2 AND removed_at IS NULL \
             AND (transfer_status IS NULL OR transfer_status <> 'pending') \
             RETURNING {DOMAIN_COLUMNS}"
        ))
        .bind(t.domain_id)
        .bind(t.account_id)
        .bind(t.initiated_at)
        .bind(t.completes_at)
        .bind(t.cost.cents())
        .bind(t.auto_renew)
        .bind(t.contacts.registrant)
        .bind(t.contacts.admin)
        .bind(t.contacts.tech)
        .bind(t.contacts.billing)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // Lost a race: answer what is true now, in this
            // transaction's view. Gone (removed meanwhile):
            // NotFound; still there: a transfer is pending.
            let there: Option<(i64,)> =
                sqlx::query_as(&format!("SELECT id FROM domains {DOMAIN_BY_ID}"))
                    .bind(t.domain_id)
                    .bind(t.account_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match there {
                None => StoreError::NotFound,
                Some(_) => StoreError::StateChanged,
            });
        };
        let after = Self::debit(&mut tx, t.account_id, t.cost).await?;
        Self::ledger_row(
            &mut tx,
            t.account_id,
            "transfer",
            -t.cost.cents(),
            after,
            Some((row.id, &row.domain_name)),
            &t.description,
            t.initiated_at,
        )
        .await?;
        Self::queue_mail(&mut tx, mail, t.initiated_at).await?;
        Self::audit_row(
            &mut tx,
            audit,
            t.account_id,
            Some((row.id, &row.domain_name)),
            t.initiated_at,
        )
        .await?;
        tx.commit().await?;
        Domain::try_from(row)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn fail_transfer(
        &self,
        domain_id: vpsd_domain::DomainId,
        status: vpsd_domain::lifecycle::TransferStatus,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(vpsd_domain::AccountId, String, Option<i64>)> = sqlx::query_as(
            "UPDATE domains SET transfer_status = $3, updated_at = $2 \
             WHERE id = $1 AND transfer_status = 'pending' \
             RETURNING account_id, domain_name, transfer_cost_cents",
        )
        .bind(domain_id)
        .bind(now)
        .bind(status.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account_id, name, cost)) = row else {
            return Ok(false);
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        let refund = Money::from_cents(cost.unwrap_or(0));
        if refund.cents() > 0 {
            let after = Self::credit(&mut tx, account_id, refund).await?;
            Self::ledger_row(
                &mut tx,
                account_id,
                "refund",
                refund.cents(),
                after,
                Some((domain_id, &name)),
                description,
                now,
            )
            .await?;
        }
        if let Some(mail) = mail {
            Self::queue_mail(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, registrar))]
    async fn complete_transfer(
        &self,
        domain_id: vpsd_domain::DomainId,
        registrar: &str,
        expiration_date: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET transfer_status = 'completed', registrar = $2, \
                 expiration_date = $3, locked = TRUE, privacy_protection = TRUE, \
                 updated_at = $4 \
                 WHERE id = $1 AND transfer_status = 'pending' RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(registrar)
            .bind(expiration_date)
            .bind(now),
            domain_id,
            audit,
            Some(mail),
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_transfers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
        self.domains_due(
            "transfer_status = 'pending' AND transfer_completes_at <= $1",
            "transfer_completes_at",
            false,
            now,
            limit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, gaining))]
    async fn begin_transfer_out(
        &self,
        domain_id: vpsd_domain::DomainId,
        gaining: &str,
        now: DateTime<Utc>,
        approves_at: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET transfer_out_to = $2, transfer_out_status = 'pending', \
                 transfer_out_requested_at = $3, transfer_out_approves_at = $4, updated_at = $3 \
                 WHERE id = $1 \
                 AND (transfer_out_status IS NULL OR transfer_out_status <> 'pending') \
                 RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(gaining)
            .bind(now)
            .bind(approves_at),
            domain_id,
            audit,
            Some(mail),
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn reject_transfer_out(
        &self,
        domain_id: vpsd_domain::DomainId,
        now: DateTime<Utc>,
        mail: Option<&NewMail>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET transfer_out_status = 'rejected', updated_at = $2 \
                 WHERE id = $1 AND transfer_out_status = 'pending' \
                 RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(now),
            domain_id,
            audit,
            mail,
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn approve_transfer_out(
        &self,
        domain_id: vpsd_domain::DomainId,
        now: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "DELETE FROM domains WHERE id = $1 AND transfer_out_status = 'pending' \
                 RETURNING account_id, domain_name",
            )
            .bind(domain_id),
            domain_id,
            audit,
            Some(mail),
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_transfer_outs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
        self.domains_due(
            "transfer_out_status = 'pending' AND transfer_out_approves_at <= $1",
            "transfer_out_approves_at",
            false,
            now,
            limit,
        )
        .await
    }
}

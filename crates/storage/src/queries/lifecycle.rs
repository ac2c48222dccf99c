//! The SQL of the worker's lifecycle queries: activation, renewal, warnings,
//! expiry, release. Compiled once per backend: `super` is the backend's
//! `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::model::{AgreedFee, Audit, Domain, NewMail, Renewal, UnconfirmedRenewal};
use crate::stores::domains::{domains, DomainRow, DOMAIN_COLUMNS};
use vpsd_domain::lifecycle::{DomainStatus, LAST_WARNING_DAYS};
use vpsd_domain::OUR_REGISTRAR;

#[async_trait]
impl crate::stores::LifecycleStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_registrations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
        self.domains_due(
            "status = 'pending' AND activates_at <= $1",
            "activates_at",
            false,
            now,
            limit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn activate_registration(
        &self,
        domain_id: vpsd_domain::DomainId,
        registered: (DateTime<Utc>, DateTime<Utc>),
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET status = 'active', activates_at = NULL, updated_at = $2, \
                 registration_date = $3, expiration_date = $4 \
                 WHERE id = $1 AND status = 'pending' RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(now)
            .bind(registered.0)
            .bind(registered.1),
            domain_id,
            audit,
            Some(mail),
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn expire_domain(
        &self,
        domain_id: vpsd_domain::DomainId,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET status = 'expired', updated_at = $2 \
                 WHERE id = $1 AND status = 'active' AND expiration_date <= $2 \
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

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %r.domain_id))]
    async fn renew_domain(&self, r: &Renewal, audit: &Audit<'_>) -> Result<Domain> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "UPDATE domains SET expiration_date = $3, status = 'active', \
             renew_attempt_at = NULL, warned_days = NULL, updated_at = $4 \
             WHERE id = $1 AND expiration_date = $2 AND status IN ('active', 'expired') \
             RETURNING {DOMAIN_COLUMNS}"
        ))
        .bind(r.domain_id)
        .bind(r.old_expiration)
        .bind(r.new_expiration)
        .bind(r.now)
        .fetch_optional(&mut *tx)
        .await?;
        let row = row.ok_or(StoreError::StateChanged)?;
        let after = Self::debit(&mut tx, r.account_id, r.cost).await?;
        Self::ledger_row(
            &mut tx,
            r.account_id,
            r.kind,
            -r.cost.cents(),
            after,
            Some((row.id, &row.domain_name)),
            &r.description,
            r.now,
        )
        .await?;
        Self::queue_mail(&mut tx, &r.mail, r.now).await?;
        Self::audit_row(
            &mut tx,
            audit,
            r.account_id,
            Some((row.id, &row.domain_name)),
            r.now,
        )
        .await?;
        tx.commit().await?;
        Domain::try_from(row)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %r.domain_id))]
    async fn undo_renewal(
        &self,
        r: &Renewal,
        old_status: DomainStatus,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE domains SET expiration_date = $2, status = $4, updated_at = $5 \
             WHERE id = $1 AND expiration_date = $3 RETURNING domain_name",
        )
        .bind(r.domain_id)
        .bind(r.old_expiration)
        .bind(r.new_expiration)
        .bind(old_status.as_str())
        .bind(r.now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((name,)) = row else {
            return Ok(false);
        };
        let after = Self::credit(&mut tx, r.account_id, r.cost).await?;
        Self::ledger_row(
            &mut tx,
            r.account_id,
            "refund",
            r.cost.cents(),
            after,
            Some((r.domain_id, &name)),
            &format!("Refund: the registry refused the {} of {name}", r.kind),
            r.now,
        )
        .await?;
        Self::audit_row(
            &mut tx,
            audit,
            r.account_id,
            Some((r.domain_id, &name)),
            r.now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn renewal_failed(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        retry_at: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE domains SET renew_attempt_at = $3, updated_at = $4 \
             WHERE id = $1 AND expiration_date = $2 \
             AND (renew_attempt_at IS NULL OR renew_attempt_at <= $4)",
        )
        .bind(domain_id)
        .bind(expiration)
        .bind(retry_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            Self::queue_mail(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_auto_renewals(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>> {
        let rows: Vec<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains \
             WHERE status = 'active' AND auto_renew AND registrar = $4 \
             AND expiration_date > $1 AND expiration_date <= $2 \
             AND (renew_attempt_at IS NULL OR renew_attempt_at <= $1) \
             ORDER BY expiration_date LIMIT $3"
        ))
        .bind(now)
        .bind(until)
        .bind(limit)
        .bind(OUR_REGISTRAR)
        .fetch_all(self.pool())
        .await?;
        domains(rows)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn expiring(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        renewing_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>> {
        let rows: Vec<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains \
             WHERE status = 'active' AND registrar = $5 \
             AND expiration_date > $1 AND expiration_date <= $2 \
             AND (warned_days IS NULL OR warned_days > $6) \
             AND NOT (auto_renew AND expiration_date <= $4) \
             ORDER BY expiration_date LIMIT $3"
        ))
        .bind(now)
        .bind(until)
        .bind(limit)
        .bind(renewing_until)
        .bind(OUR_REGISTRAR)
        // Until the most urgent warning went out, whatever the list is.
        .bind(LAST_WARNING_DAYS)
        .fetch_all(self.pool())
        .await?;
        domains(rows)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn mark_warned(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        days: i64,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE domains SET warned_days = $3, updated_at = $4 \
             WHERE id = $1 AND expiration_date = $2 AND status = 'active' \
             AND (warned_days IS NULL OR warned_days > $3)",
        )
        .bind(domain_id)
        .bind(expiration)
        .bind(days)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            Self::queue_mail(&mut tx, mail, now).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_expirations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
        self.domains_due(
            "status = 'active' AND expiration_date <= $1",
            "expiration_date",
            true,
            now,
            limit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_registry_deletions(
        &self,
        grace_ended_by: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>> {
        self.domains_due(
            "status = 'expired' AND expiration_date <= $1 \
             AND (registry_deleted_at IS NULL OR registry_deleted_at < expiration_date)",
            "expiration_date",
            true,
            grace_ended_by,
            limit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn mark_registry_deleted(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        deleted_at: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE domains SET registry_deleted_at = $3 \
                 WHERE id = $1 AND expiration_date = $2 AND status = 'expired'",
            )
            .bind(domain_id)
            .bind(expiration)
            .bind(deleted_at),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn registry_deleted_at(
        &self,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT registry_deleted_at FROM domains WHERE id = $1")
                .bind(domain_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(at.flatten())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_releases(&self, expired_by: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
        self.domains_due(
            "status = 'expired' AND expiration_date <= $1",
            "expiration_date",
            true,
            expired_by,
            limit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn release_domain(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "DELETE FROM domains WHERE id = $1 AND status = 'expired' \
                 AND expiration_date = $2 RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(expiration),
            domain_id,
            audit,
            Some(mail),
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %u.domain_id))]
    async fn note_unconfirmed_renewal(&self, u: &UnconfirmedRenewal) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("DELETE FROM unconfirmed_renewals WHERE domain_id = $1")
            .bind(u.domain_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO unconfirmed_renewals (domain_id, account_id, old_expiration, \
             new_expiration, years, cost_cents, kind, old_status, noted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(u.domain_id)
        .bind(u.account_id)
        .bind(u.old_expiration)
        .bind(u.new_expiration)
        .bind(i64::from(u.years))
        .bind(u.cost.cents())
        .bind(&u.kind)
        .bind(u.old_status.as_str())
        .bind(u.noted_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn has_unconfirmed_renewal(&self, domain_id: vpsd_domain::DomainId) -> Result<bool> {
        let row: Option<(vpsd_domain::DomainId,)> =
            sqlx::query_as("SELECT domain_id FROM unconfirmed_renewals WHERE domain_id = $1")
                .bind(domain_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unconfirmed_renewals(&self, limit: i64) -> Result<Vec<UnconfirmedRenewal>> {
        type Row = (
            vpsd_domain::DomainId,
            vpsd_domain::AccountId,
            DateTime<Utc>,
            DateTime<Utc>,
            i64,
            i64,
            String,
            String,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT domain_id, account_id, old_expiration, new_expiration, years, cost_cents, \
             kind, old_status, noted_at FROM unconfirmed_renewals ORDER BY noted_at LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(UnconfirmedRenewal {
                    domain_id: r.0,
                    account_id: r.1,
                    old_expiration: r.2,
                    new_expiration: r.3,
                    years: u32::try_from(r.4)
                        .map_err(|e| corrupt(format!("years {}: {e}", r.4)))?,
                    cost: vpsd_domain::Money::from_cents(r.5),
                    kind: r.6,
                    old_status: DomainStatus::parse(&r.7)
                        .ok_or_else(|| corrupt(format!("status {}", r.7)))?,
                    noted_at: r.8,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn forget_unconfirmed_renewal(
        &self,
        domain_id: vpsd_domain::DomainId,
        new_expiration: DateTime<Utc>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM unconfirmed_renewals WHERE domain_id = $1 AND new_expiration = $2",
        )
        .bind(domain_id)
        .bind(new_expiration)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, command))]
    async fn note_agreed_fee(
        &self,
        domain_id: vpsd_domain::DomainId,
        command: &str,
        fee: &AgreedFee,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !matches!(command, "create" | "renew" | "transfer" | "restore") {
            return Err(StoreError::NotFound);
        }
        let (_guard, mut tx) = self.begin_write().await?;
        Self::agreed_fee_row(&mut tx, domain_id, command, fee, now).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, command))]
    async fn agreed_fee(
        &self,
        domain_id: vpsd_domain::DomainId,
        command: &str,
    ) -> Result<Option<AgreedFee>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT currency, cents FROM agreed_registry_fees WHERE domain_id = $1 AND command = $2",
        )
        .bind(domain_id)
        .bind(command)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(currency, cents)| AgreedFee { currency, cents }))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, command))]
    async fn forget_agreed_fee(
        &self,
        domain_id: vpsd_domain::DomainId,
        command: &str,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("DELETE FROM agreed_registry_fees WHERE domain_id = $1 AND command = $2")
            .bind(domain_id)
            .bind(command)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn follow_registry(
        &self,
        domain_id: vpsd_domain::DomainId,
        old_expiration: DateTime<Utc>,
        expiration: DateTime<Utc>,
        locked: bool,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET expiration_date = $3, locked = $4, updated_at = $5, \
                 status = CASE WHEN status = 'expired' AND $3 > $5 THEN 'active' ELSE status END, \
                 warned_days = CASE WHEN expiration_date = $3 THEN warned_days ELSE NULL END \
                 WHERE id = $1 AND expiration_date = $2 AND status IN ('active', 'expired') \
                 AND (expiration_date <> $3 OR locked <> $4) \
                 RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(old_expiration)
            .bind(expiration)
            .bind(locked)
            .bind(now),
            domain_id,
            audit,
            None,
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn follow_registry_statuses(
        &self,
        domain_id: vpsd_domain::DomainId,
        old: &[String],
        statuses: &[String],
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        if old == statuses {
            return Ok(false);
        }
        self.change_domain(
            sqlx::query_as(
                "UPDATE domains SET registry_statuses = $3, updated_at = $4 \
                 WHERE id = $1 AND registry_statuses = $2 \
                 RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(crate::codec::join_statuses(old))
            .bind(crate::codec::join_statuses(statuses))
            .bind(now),
            domain_id,
            audit,
            mail,
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn remove_deleted_at_registry(
        &self,
        domain_id: vpsd_domain::DomainId,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.change_domain(
            sqlx::query_as(
                "DELETE FROM domains WHERE id = $1 AND status IN ('active', 'expired') \
                 AND registrar = $2 RETURNING account_id, domain_name",
            )
            .bind(domain_id)
            .bind(OUR_REGISTRAR),
            domain_id,
            audit,
            Some(mail),
            now,
        )
        .await
    }
}

/// A stored value this version cannot read.
fn corrupt(what: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into()))
}

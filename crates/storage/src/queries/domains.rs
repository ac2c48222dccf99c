//! The SQL of domains in accounts: the list, the detail, registrations,
//! imports and settings. Compiled once per backend: `super` is the backend's
//! `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tracing::Instrument;
use vpsd_domain::Money;

use super::common::Tx;
use super::{Db, ThisStore};
use crate::backend::Backend;
use crate::codec::{join_hosts, like_pattern, unicode_form};
use crate::error::{Result, StoreError};
use crate::list_cache::PageKey;
use crate::model::{
    Audit, CancelledRegistration, Domain, DomainFilter, DomainPage, NewMail, NewRegistration,
    RegistryRecord, SettingsChange,
};
use crate::stores::domains::{
    domains, first_dns_serial, DomainRow, DOMAIN_COLUMNS, INSERT_REGISTRATION, LIST_VERSION,
    LIST_WHERE, SET_CONTACTS_FROM_8,
};
use vpsd_domain::lifecycle::DomainStatus;

impl ThisStore {
    /// The registration's transaction through sqlx: the domain row
    /// (its unique index settles a race for the name before any money
    /// moves), the charge, the ledger and the audit.
    pub(crate) async fn insert_registration_sqlx(
        &self,
        reg: &NewRegistration,
        audit: &Audit<'_>,
    ) -> Result<Domain> {
        let (_guard, mut tx) = self.begin_write().await?;
        // The name first: its unique index settles a race for it
        // before any money moves.
        let row: DomainRow = sqlx::query_as(&INSERT_REGISTRATION)
            .bind(reg.account_id)
            .bind(&reg.domain_name)
            .bind(reg.registration_date)
            .bind(reg.expiration_date)
            .bind(reg.auto_renew)
            .bind(reg.privacy_protection)
            .bind(join_hosts(&reg.nameservers))
            .bind(&reg.registrar)
            .bind(reg.activates_at)
            .bind(reg.cost.cents())
            .bind(unicode_form(&reg.domain_name))
            .bind(first_dns_serial())
            .bind(reg.contacts.registrant)
            .bind(reg.contacts.admin)
            .bind(reg.contacts.tech)
            .bind(reg.contacts.billing)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(fee) = &reg.agreed_fee {
            Self::agreed_fee_row(&mut tx, row.id, "create", fee, reg.registration_date).await?;
        }
        let after = Self::debit(&mut tx, reg.account_id, reg.cost).await?;
        if reg.cost.cents() != 0 {
            Self::ledger_row(
                &mut tx,
                reg.account_id,
                "registration",
                -reg.cost.cents(),
                after,
                Some((row.id, &reg.domain_name)),
                &reg.description,
                reg.registration_date,
            )
            .await?;
        }
        Self::audit_row(
            &mut tx,
            audit,
            reg.account_id,
            Some((row.id, &reg.domain_name)),
            reg.registration_date,
        )
        .await?;
        tx.commit().await?;
        Domain::try_from(row)
    }

    /// Fills `domain_name_unicode` of the internationalised names
    /// that have none (those stored before migration 0013); run
    /// right after migrating, once per database: the `backfills`
    /// table remembers it, so a later start reads one row instead
    /// of scanning `domains`. Plain names keep NULL. Two processes
    /// starting at once may both fill: the same values.
    pub(crate) async fn backfill_unicode_names(pool: &sqlx::Pool<Db>) -> Result<()> {
        let done: Option<(String,)> =
            sqlx::query_as("SELECT name FROM backfills WHERE name = 'unicode_names'")
                .fetch_optional(pool)
                .await?;
        if done.is_some() {
            return Ok(());
        }
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, domain_name FROM domains WHERE domain_name_unicode IS NULL \
             AND (domain_name LIKE 'xn--%' OR domain_name LIKE '%.xn--%')",
        )
        .fetch_all(pool)
        .await?;
        for (id, name) in rows {
            if let Some(unicode) = unicode_form(&name) {
                sqlx::query("UPDATE domains SET domain_name_unicode = $1 WHERE id = $2")
                    .bind(unicode)
                    .bind(id)
                    .execute(pool)
                    .await?;
            }
        }
        sqlx::query("INSERT INTO backfills (name) VALUES ('unicode_names') ON CONFLICT DO NOTHING")
            .execute(pool)
            .await?;
        Ok(())
    }

    /// A page, the total, and the account's list version (see
    /// `list_cache.rs`) through sqlx. PostgreSQL counts in the
    /// page's statement (one scan, one round trip; faster there,
    /// measured); SQLite, which materialises every row for the
    /// window, counts apart (docs/benchmarks.md), and so does an
    /// empty page, which has no row to carry the count. The version
    /// rides in the statement that gives the total, so it is the
    /// page's snapshot, and an empty page (a search that finds
    /// nothing) is kept like any other.
    pub(crate) async fn list_domains_sqlx(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Option<i64>, DomainPage)> {
        const WHERE: &str = LIST_WHERE;
        let status = filter.status.map(DomainStatus::as_str);
        let pattern = filter.search.as_deref().map(like_pattern);
        use sqlx::{FromRow, Row};
        let count_sql =
            format!("SELECT COUNT(*), {LIST_VERSION} AS list_version FROM domains {WHERE}");
        let window = if Self::NAME == "postgres" {
            ", COUNT(*) OVER () AS total"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "SELECT {DOMAIN_COLUMNS}{window}, {LIST_VERSION} AS list_version \
             FROM domains {WHERE} ORDER BY id LIMIT $5 OFFSET $6"
        ))
        .bind(account_id)
        .bind(status)
        .bind(filter.locked_only)
        .bind(pattern.as_deref())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let (total, version) = match rows.first() {
            Some(row) if !window.is_empty() => (
                row.try_get::<i64, _>("total")?,
                row.try_get::<i64, _>("list_version")?,
            ),
            _ => {
                sqlx::query_as::<_, (i64, i64)>(&count_sql)
                    .bind(account_id)
                    .bind(status)
                    .bind(filter.locked_only)
                    .bind(pattern.as_deref())
                    .fetch_one(self.pool())
                    .await?
            }
        };
        // SQLite counts in a statement of its own: the page's row
        // carries the page's version.
        let version = match rows.first() {
            Some(row) => row.try_get::<i64, _>("list_version")?,
            None => version,
        };
        let rows = rows
            .iter()
            .map(DomainRow::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            Some(version),
            DomainPage {
                total,
                domains: domains(rows)?.into(),
            },
        ))
    }
}

#[async_trait]
impl crate::stores::DomainStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(last))]
    async fn skip_domain_ids(&self, last: i64) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        if Self::NAME == "postgres" {
            sqlx::query(
                "SELECT setval(pg_get_serial_sequence('domains', 'id'), \
                 GREATEST($1, (SELECT COALESCE(MAX(id), 1) FROM domains)))",
            )
            .bind(last)
            .execute(&mut *tx)
            .await?;
        } else {
            // AUTOINCREMENT keeps the last id in sqlite_sequence.
            let done =
                sqlx::query("UPDATE sqlite_sequence SET seq = MAX(seq, $1) WHERE name = 'domains'")
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
            if done.rows_affected() == 0 {
                sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ('domains', $1)")
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_domains(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<DomainPage> {
        // As `domain`: a span only when debug is on (a kept page is hot).
        let read = async {
            // A page kept at the account's list version is handed out
            // again while the version is unchanged (`list_cache.rs`);
            // otherwise each backend reads the page its fastest way.
            let key = PageKey {
                account_id,
                filter: filter.clone(),
                offset,
                limit,
            };
            if let Some((version, page)) = self.kept_lists().get(&key) {
                if self.read_list_version(account_id).await? == version {
                    return Ok(page);
                }
            }
            let (version, page) = self.read_list(account_id, filter, offset, limit).await?;
            if let Some(version) = version {
                self.kept_lists().put(key, version, page.clone());
            }
            Ok(page)
        };
        if tracing::enabled!(tracing::Level::DEBUG) {
            let span = tracing::debug_span!("list_domains", account_id = %account_id);
            return read.instrument(span).await;
        }
        read.await
    }

    async fn domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Domain>> {
        // The hottest read; each backend answers it its fastest way. Its
        // span is built only when debug is on: an idle one costs a tenth
        // of a kept domain's read (measured), the others' do not matter.
        if tracing::enabled!(tracing::Level::DEBUG) {
            let span =
                tracing::debug_span!("domain", account_id = %account_id, domain_id = %domain_id);
            return self
                .read_domain(account_id, domain_id)
                .instrument(span)
                .await;
        }
        self.read_domain(account_id, domain_id).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_name))]
    async fn domain_by_name(&self, domain_name: &str) -> Result<Option<Domain>> {
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains WHERE domain_name = $1"
        ))
        .bind(domain_name)
        .fetch_optional(self.pool())
        .await?;
        row.map(Domain::try_from).transpose()
    }

    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(account_id = %reg.account_id, domain = %reg.domain_name)
    )]
    async fn insert_registration(
        &self,
        reg: &NewRegistration,
        audit: &Audit<'_>,
    ) -> Result<Domain> {
        // Each backend writes it its fastest way (the hottest write).
        self.write_registration(reg, audit).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn cancel_registration(
        &self,
        domain_id: vpsd_domain::DomainId,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(vpsd_domain::AccountId, String, Option<i64>)> = sqlx::query_as(
            "DELETE FROM domains WHERE id = $1 AND status = 'pending' \
             RETURNING account_id, domain_name, registration_cost_cents",
        )
        .bind(domain_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account_id, name, cost)) = row else {
            return Err(StoreError::StateChanged);
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        if let Some(mail) = mail {
            Self::queue_mail(&mut tx, mail, now).await?;
        }
        let refund = Money::from_cents(cost.unwrap_or(0));
        if refund.cents() == 0 {
            tx.commit().await?;
            return Ok(());
        }
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
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn cancel_in_add_grace(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        description: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<CancelledRegistration> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "DELETE FROM domains WHERE id = $1 AND account_id = $2 AND removed_at IS NULL \
             AND registration_cost_cents IS NOT NULL AND transfer_status IS NULL \
             AND (transfer_out_status IS NULL OR transfer_out_status <> 'pending') \
             AND NOT EXISTS (SELECT 1 FROM unconfirmed_renewals u WHERE u.domain_id = $1) \
             RETURNING domain_name",
        )
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((name,)) = row else {
            let exists: Option<(vpsd_domain::DomainId,)> = sqlx::query_as(
                "SELECT id FROM domains WHERE id = $1 AND account_id = $2 AND removed_at IS NULL",
            )
            .bind(domain_id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
            return Err(if exists.is_some() {
                StoreError::StateChanged
            } else {
                StoreError::NotFound
            });
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        // What the domain cost, net: its charges are negative in the
        // ledger, its refunds positive.
        let (net,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger \
             WHERE account_id = $1 AND domain_id = $2",
        )
        .bind(account_id)
        .bind(domain_id)
        .fetch_one(&mut *tx)
        .await?;
        let refund = Money::from_cents((-net).max(0));
        let balance = if refund.cents() == 0 {
            let (balance,): (i64,) =
                sqlx::query_as("SELECT balance_cents FROM accounts WHERE id = $1")
                    .bind(account_id)
                    .fetch_one(&mut *tx)
                    .await?;
            balance
        } else {
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
            after
        };
        tx.commit().await?;
        Ok(CancelledRegistration {
            refund,
            balance: Money::from_cents(balance),
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, name = %record.name))]
    async fn insert_import(
        &self,
        account_id: vpsd_domain::AccountId,
        record: &RegistryRecord,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Domain> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: DomainRow = sqlx::query_as(&format!(
            "INSERT INTO domains (account_id, domain_name, status, registration_date, \
             expiration_date, auto_renew, locked, privacy_protection, nameservers, \
             registrar, updated_at, domain_name_unicode, dns_serial) \
             VALUES ($1, $2, 'active', $3, $4, FALSE, $5, FALSE, $6, $7, $8, $9, $10) \
             RETURNING {DOMAIN_COLUMNS}"
        ))
        .bind(account_id)
        .bind(&record.name)
        .bind(record.created_at)
        .bind(record.ex_date)
        .bind(record.client_transfer_prohibited)
        .bind(join_hosts(&record.nameservers))
        .bind(&record.sponsoring_registrar)
        .bind(now)
        .bind(unicode_form(&record.name))
        .bind(first_dns_serial())
        .fetch_one(&mut *tx)
        .await?;
        Self::audit_row(
            &mut tx,
            audit,
            account_id,
            Some((row.id, &record.name)),
            now,
        )
        .await?;
        tx.commit().await?;
        Domain::try_from(row)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_name))]
    async fn restore_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_name: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "UPDATE domains SET removed_at = NULL, updated_at = $3 \
             WHERE account_id = $1 AND domain_name = $2 AND removed_at IS NOT NULL \
             RETURNING {DOMAIN_COLUMNS}"
        ))
        .bind(account_id)
        .bind(domain_name)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        Self::audit_and_commit(tx, row, account_id, now, audit).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn update_settings(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        change: &SettingsChange,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "UPDATE domains SET \
             auto_renew = COALESCE($3, auto_renew), \
             privacy_protection = COALESCE($4, privacy_protection), \
             nameservers = COALESCE($5, nameservers), \
             locked = COALESCE($6, locked), \
             updated_at = $7, {SET_CONTACTS_FROM_8} \
             WHERE id = $1 AND account_id = $2 AND removed_at IS NULL \
             RETURNING {DOMAIN_COLUMNS}"
        ))
        .bind(domain_id)
        .bind(account_id)
        .bind(change.auto_renew)
        .bind(change.privacy_protection)
        .bind(change.nameservers.as_deref().map(join_hosts))
        .bind(change.locked)
        .bind(now)
        .bind(change.contacts.registrant)
        .bind(change.contacts.admin)
        .bind(change.contacts.tech)
        .bind(change.contacts.billing)
        .fetch_optional(&mut *tx)
        .await?;
        Self::audit_and_commit(tx, row, account_id, now, audit).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn remove_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE domains SET removed_at = $3, updated_at = $3 \
             WHERE id = $1 AND account_id = $2 AND removed_at IS NULL RETURNING domain_name",
        )
        .bind(domain_id)
        .bind(account_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((name,)) = row else {
            return Ok(false);
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl ThisStore {
    /// Ends a conditional change of one domain: when `row` (the domain as
    /// the change's `RETURNING` gave it) is there, audits the change; then
    /// commits and answers the domain (`None`: nothing matched, nothing
    /// written).
    async fn audit_and_commit(
        mut tx: Tx,
        row: Option<DomainRow>,
        account_id: vpsd_domain::AccountId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>> {
        if let Some(row) = &row {
            Self::audit_row(
                &mut tx,
                audit,
                account_id,
                Some((row.id, &row.domain_name)),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        row.map(Domain::try_from).transpose()
    }
}

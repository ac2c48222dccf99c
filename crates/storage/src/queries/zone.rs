//! The SQL of zone content: DNS records, email and URL forwards. Compiled
//! once per backend: `super` is the backend's `queries` module (its `Db` and
//! `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::common::Tx;
use super::ThisStore;
use crate::backend::Backend;
use crate::codec::join_hosts;
use crate::error::Result;
use crate::model::{
    Actor, Audit, DnsChange, DnsChangeCounts, DnsChangeKind, DnsRecord, EmailForward,
    EmailForwardData, ForwardClash, UrlForward, UrlForwardData, Written,
};
use crate::stores::domains::DOMAIN_BY_ID;
use crate::stores::zone::{
    DnsRecordRow, EmailForwardRow, UrlForwardRow, DNS_RECORD_COLUMNS, EMAIL_FORWARD_COLUMNS,
    URL_FORWARD_COLUMNS,
};
use vpsd_domain::dns::{Clash, RecordData};
use vpsd_domain::{ForwardId, RecordId};

impl ThisStore {
    /// Adds a record (`replacing` none) or replaces one, after the
    /// checks against the records at its name, in one transaction
    /// that also raises the zone's serial.
    pub(super) async fn write_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<RecordId>,
        data: &RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<DnsRecord, Clash>> {
        let (_guard, mut tx) = self.begin_write().await?;
        // The zone's serial is raised first: the UPDATE takes the
        // domain's row lock (PostgreSQL; SQLite has one writer), so
        // writers to one zone queue here and each one's checks
        // below see the records of those before it. A refusal
        // rolls the serial back with the rest.
        let domain: Option<(String, i64)> = sqlx::query_as(&format!(
            "UPDATE domains SET dns_serial = dns_serial + 1 {DOMAIN_BY_ID} \
             RETURNING domain_name, dns_records_count"
        ))
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((domain_name, count)) = domain else {
            return Ok(Written::NotFound);
        };
        if let Some(id) = replacing {
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM dns_records WHERE id = $1 AND domain_id = $2")
                    .bind(id)
                    .bind(domain_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Ok(Written::NotFound);
            }
        } else if count >= vpsd_domain::dns::MAX_RECORDS_PER_ZONE {
            return Ok(Written::Refused(Clash::ZoneFull));
        }
        let rows: Vec<DnsRecordRow> = sqlx::query_as(&format!(
            "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 AND name = $2"
        ))
        .bind(domain_id)
        .bind(&data.name)
        .fetch_all(&mut *tx)
        .await?;
        let existing = rows
            .into_iter()
            .map(|r| DnsRecord::try_from(r).map(|r| (r.id, r.data)))
            .collect::<Result<Vec<_>>>()?;
        if let Some(clash) = vpsd_domain::dns::clash(&existing, data, replacing) {
            return Ok(Written::Refused(clash));
        }
        // Bound as the columns' INTEGER: the TTL is at most `MAX_TTL`, a
        // priority a u16; the content is the typed value's canonical text.
        let ttl = i32::try_from(data.ttl).unwrap_or(i32::MAX);
        let priority = data.priority().map(i32::from);
        let content = data.rdata.to_string();
        let row: DnsRecordRow = match replacing {
            None => {
                sqlx::query_as(&format!(
                    "INSERT INTO dns_records (domain_id, name, type, content, ttl, priority, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     RETURNING {DNS_RECORD_COLUMNS}"
                ))
                .bind(domain_id)
                .bind(&data.name)
                .bind(data.rtype().as_str())
                .bind(&content)
                .bind(ttl)
                .bind(priority)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
            Some(id) => {
                sqlx::query_as(&format!(
                    "UPDATE dns_records SET name = $3, type = $4, content = $5, ttl = $6, \
                     priority = $7, updated_at = $8 WHERE id = $1 AND domain_id = $2 \
                     RETURNING {DNS_RECORD_COLUMNS}"
                ))
                .bind(id)
                .bind(domain_id)
                .bind(&data.name)
                .bind(data.rtype().as_str())
                .bind(&content)
                .bind(ttl)
                .bind(priority)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        if replacing.is_none() {
            sqlx::query(
                "UPDATE domains SET dns_records_count = dns_records_count + 1 WHERE id = $1",
            )
            .bind(domain_id)
            .execute(&mut *tx)
            .await?;
        }
        Self::audit_row(
            &mut tx,
            audit,
            account_id,
            Some((domain_id, &domain_name)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Written::Done(DnsRecord::try_from(row)?))
    }

    /// Whether domain `domain_id` is the account's (and not removed).
    pub(super) async fn owns_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<bool> {
        let owned: Option<(i64,)> =
            sqlx::query_as(&format!("SELECT id FROM domains {DOMAIN_BY_ID}"))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(owned.is_some())
    }

    /// In a forward change's transaction: raises the zone's serial (which
    /// takes the domain's row lock, so concurrent changes to its forwards
    /// are checked one after another) and answers the domain's name if it
    /// is the account's and, when `replacing`, that forward is the
    /// domain's (else `None`); then whether `key` is free in `table`'s
    /// `column` and, for a new forward, there is room.
    pub(super) async fn forward_slot(
        tx: &mut Tx,
        table: &str,
        column: &str,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<ForwardId>,
        key: &str,
    ) -> Result<Option<(String, Option<ForwardClash>)>> {
        // The zone's serial is raised first, as for records: the UPDATE
        // takes the domain's row lock (PostgreSQL; SQLite has one writer),
        // so writers to one domain's forwards queue here and the count and
        // the taken check below see those before them. A refusal rolls the
        // serial back with the rest.
        let domain: Option<(String,)> = sqlx::query_as(&format!(
            "UPDATE domains SET dns_serial = dns_serial + 1 {DOMAIN_BY_ID} RETURNING domain_name"
        ))
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((name,)) = domain else {
            return Ok(None);
        };
        if let Some(id) = replacing {
            let exists: Option<(i64,)> = sqlx::query_as(&format!(
                "SELECT id FROM {table} WHERE id = $1 AND domain_id = $2"
            ))
            .bind(id)
            .bind(domain_id)
            .fetch_optional(&mut **tx)
            .await?;
            if exists.is_none() {
                return Ok(None);
            }
        } else {
            let (count,): (i64,) = sqlx::query_as(&format!(
                "SELECT COUNT(*) FROM {table} WHERE domain_id = $1"
            ))
            .bind(domain_id)
            .fetch_one(&mut **tx)
            .await?;
            if count >= vpsd_domain::forwarding::MAX_FORWARDS {
                return Ok(Some((name, Some(ForwardClash::Full))));
            }
        }
        let taken: Option<(ForwardId,)> = sqlx::query_as(&format!(
            "SELECT id FROM {table} WHERE domain_id = $1 AND {column} = $2 AND id <> $3"
        ))
        .bind(domain_id)
        .bind(key)
        .bind(replacing.map_or(0, ForwardId::get))
        .fetch_optional(&mut **tx)
        .await?;
        Ok(Some((name, taken.map(|(id,)| ForwardClash::Taken { id }))))
    }

    /// Raises a zone's serial (its forwards changed what it serves).
    pub(super) async fn bump_serial(tx: &mut Tx, domain_id: vpsd_domain::DomainId) -> Result<()> {
        sqlx::query("UPDATE domains SET dns_serial = dns_serial + 1 WHERE id = $1")
            .bind(domain_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Deletes a forward of a domain of the account, in one
    /// transaction with the serial and the audit.
    pub(super) async fn delete_forward(
        &self,
        table: &str,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let domain: Option<(String,)> =
            sqlx::query_as(&format!("SELECT domain_name FROM domains {DOMAIN_BY_ID}"))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name,)) = domain else {
            return Ok(false);
        };
        let deleted = sqlx::query(&format!(
            "DELETE FROM {table} WHERE id = $1 AND domain_id = $2"
        ))
        .bind(forward_id)
        .bind(domain_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        Self::bump_serial(&mut tx, domain_id).await?;
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl crate::stores::ZoneStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn dns_records(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<DnsRecord>>> {
        if !self.owns_domain(account_id, domain_id).await? {
            return Ok(None);
        }
        let rows: Vec<DnsRecordRow> = sqlx::query_as(&format!(
            "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 ORDER BY id"
        ))
        .bind(domain_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(DnsRecord::try_from)
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn add_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        data: &RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<DnsRecord, Clash>> {
        self.write_dns_record(account_id, domain_id, None, data, now, audit)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id, record_id))]
    async fn replace_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        record_id: RecordId,
        data: &RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<DnsRecord, Clash>> {
        self.write_dns_record(account_id, domain_id, Some(record_id), data, now, audit)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id, record_id))]
    async fn delete_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        record_id: RecordId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let domain: Option<(String,)> =
            sqlx::query_as(&format!("SELECT domain_name FROM domains {DOMAIN_BY_ID}"))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name,)) = domain else {
            return Ok(false);
        };
        let deleted = sqlx::query("DELETE FROM dns_records WHERE id = $1 AND domain_id = $2")
            .bind(record_id)
            .bind(domain_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE domains SET dns_serial = dns_serial + 1, \
             dns_records_count = dns_records_count - 1 WHERE id = $1",
        )
        .bind(domain_id)
        .execute(&mut *tx)
        .await?;
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn apply_dns_changes(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        plan: &(dyn for<'r> Fn(&'r [DnsRecord]) -> Vec<DnsChange> + Send + Sync),
        actor: &Actor,
        signed_by: Option<vpsd_domain::TsigKeyId>,
        now: DateTime<Utc>,
    ) -> Result<Written<DnsChangeCounts, Vec<(usize, Clash)>>> {
        let (_guard, mut tx) = self.begin_write().await?;
        // The serial first, for the domain's row lock (as
        // `write_dns_record`): the plan sees the zone as no other writer
        // can change it before the commit.
        let domain: Option<(String,)> = sqlx::query_as(&format!(
            "UPDATE domains SET dns_serial = dns_serial + 1 {DOMAIN_BY_ID} RETURNING domain_name"
        ))
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((domain_name,)) = domain else {
            return Ok(Written::NotFound);
        };
        let rows: Vec<DnsRecordRow> = sqlx::query_as(&format!(
            "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 ORDER BY id"
        ))
        .bind(domain_id)
        .fetch_all(&mut *tx)
        .await?;
        let records = rows
            .into_iter()
            .map(DnsRecord::try_from)
            .collect::<Result<Vec<_>>>()?;
        let changes = plan(&records);
        if changes.is_empty() {
            // Rolled back with the serial: nothing changed.
            return Ok(Written::Done(DnsChangeCounts::default()));
        }
        // The zone as each change finds it; a record added here has a
        // stand-in id (negative) until it is written.
        let mut zone: Vec<(RecordId, RecordData)> =
            records.into_iter().map(|r| (r.id, r.data)).collect();
        let mut counts = DnsChangeCounts::default();
        let mut refused = Vec::new();
        let max = usize::try_from(vpsd_domain::dns::MAX_RECORDS_PER_ZONE).unwrap_or(usize::MAX);
        for (i, change) in changes.iter().enumerate() {
            // A refused change is left out and the others still checked,
            // so one answer names them all.
            match &change.kind {
                DnsChangeKind::Delete(id) => {
                    let Some(at) = zone.iter().position(|(z, _)| z == id) else {
                        return Ok(Written::NotFound);
                    };
                    zone.remove(at);
                    counts.deleted += 1;
                }
                DnsChangeKind::Replace { id, data } => {
                    let Some(at) = zone.iter().position(|(z, _)| z == id) else {
                        return Ok(Written::NotFound);
                    };
                    match vpsd_domain::dns::clash(&zone, data, Some(*id)) {
                        Some(clash) => refused.push((i, clash)),
                        None => {
                            zone[at].1 = data.clone();
                            counts.replaced += 1;
                        }
                    }
                }
                DnsChangeKind::Add(data) => {
                    if zone.len() >= max {
                        refused.push((i, Clash::ZoneFull));
                        continue;
                    }
                    match vpsd_domain::dns::clash(&zone, data, None) {
                        Some(clash) => refused.push((i, clash)),
                        None => {
                            let stand_in =
                                RecordId::from(-1 - i64::try_from(i).unwrap_or(i64::MAX - 1));
                            zone.push((stand_in, data.clone()));
                            counts.added += 1;
                        }
                    }
                }
            }
        }
        if !refused.is_empty() {
            return Ok(Written::Refused(refused));
        }
        for change in &changes {
            let action = match &change.kind {
                DnsChangeKind::Delete(id) => {
                    sqlx::query("DELETE FROM dns_records WHERE id = $1 AND domain_id = $2")
                        .bind(id)
                        .bind(domain_id)
                        .execute(&mut *tx)
                        .await?;
                    vpsd_domain::AuditAction::DnsRecordDelete
                }
                DnsChangeKind::Replace { id, data } => {
                    sqlx::query(
                        "UPDATE dns_records SET name = $3, type = $4, content = $5, ttl = $6, \
                         priority = $7, updated_at = $8 WHERE id = $1 AND domain_id = $2",
                    )
                    .bind(id)
                    .bind(domain_id)
                    .bind(&data.name)
                    .bind(data.rtype().as_str())
                    .bind(data.rdata.to_string())
                    .bind(i32::try_from(data.ttl).unwrap_or(i32::MAX))
                    .bind(data.priority().map(i32::from))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    vpsd_domain::AuditAction::DnsRecordUpdate
                }
                DnsChangeKind::Add(data) => {
                    sqlx::query(
                        "INSERT INTO dns_records (domain_id, name, type, content, ttl, priority, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    )
                    .bind(domain_id)
                    .bind(&data.name)
                    .bind(data.rtype().as_str())
                    .bind(data.rdata.to_string())
                    .bind(i32::try_from(data.ttl).unwrap_or(i32::MAX))
                    .bind(data.priority().map(i32::from))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    vpsd_domain::AuditAction::DnsRecordCreate
                }
            };
            let audit = Audit {
                actor,
                action,
                changes: change.audit_changes.clone(),
            };
            Self::audit_row(
                &mut tx,
                &audit,
                account_id,
                Some((domain_id, &domain_name)),
                now,
            )
            .await?;
        }
        sqlx::query("UPDATE domains SET dns_records_count = $2 WHERE id = $1")
            .bind(domain_id)
            .bind(i64::try_from(zone.len()).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        if let Some(key_id) = signed_by {
            sqlx::query("UPDATE tsig_keys SET last_used_at = $2 WHERE id = $1")
                .bind(key_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Written::Done(counts))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn email_forwards(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<EmailForward>>> {
        if !self.owns_domain(account_id, domain_id).await? {
            return Ok(None);
        }
        let rows: Vec<EmailForwardRow> = sqlx::query_as(&format!(
            "SELECT {EMAIL_FORWARD_COLUMNS} FROM email_forwards WHERE domain_id = $1 ORDER BY alias"
        ))
        .bind(domain_id)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(rows.into_iter().map(EmailForward::from).collect()))
    }

    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(account_id = %account_id, domain_id = %domain_id, replacing = ?replacing)
    )]
    async fn put_email_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<ForwardId>,
        data: &EmailForwardData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<EmailForward, ForwardClash>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let slot = Self::forward_slot(
            &mut tx,
            "email_forwards",
            "alias",
            account_id,
            domain_id,
            replacing,
            &data.alias,
        )
        .await?;
        let Some((name, clash)) = slot else {
            return Ok(Written::NotFound);
        };
        if let Some(clash) = clash {
            return Ok(Written::Refused(clash));
        }
        let destinations = join_hosts(&data.destinations);
        let row: EmailForwardRow = match replacing {
            None => {
                sqlx::query_as(&format!(
                    "INSERT INTO email_forwards \
                 (domain_id, alias, destinations, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING {EMAIL_FORWARD_COLUMNS}"
                ))
                .bind(domain_id)
                .bind(&data.alias)
                .bind(&destinations)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
            Some(id) => {
                sqlx::query_as(&format!(
                    "UPDATE email_forwards SET alias = $2, destinations = $3, updated_at = $4 \
                 WHERE id = $1 RETURNING {EMAIL_FORWARD_COLUMNS}"
                ))
                .bind(id)
                .bind(&data.alias)
                .bind(&destinations)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        tx.commit().await?;
        Ok(Written::Done(row.into()))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id, forward_id))]
    async fn delete_email_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.delete_forward(
            "email_forwards",
            account_id,
            domain_id,
            forward_id,
            now,
            audit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    async fn url_forwards(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<UrlForward>>> {
        if !self.owns_domain(account_id, domain_id).await? {
            return Ok(None);
        }
        let rows: Vec<UrlForwardRow> = sqlx::query_as(&format!(
            "SELECT {URL_FORWARD_COLUMNS} FROM url_forwards WHERE domain_id = $1 ORDER BY host"
        ))
        .bind(domain_id)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(rows.into_iter().map(UrlForward::from).collect()))
    }

    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(account_id = %account_id, domain_id = %domain_id, replacing = ?replacing)
    )]
    async fn put_url_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<ForwardId>,
        data: &UrlForwardData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<UrlForward, ForwardClash>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let slot = Self::forward_slot(
            &mut tx,
            "url_forwards",
            "host",
            account_id,
            domain_id,
            replacing,
            &data.host,
        )
        .await?;
        let Some((name, clash)) = slot else {
            return Ok(Written::NotFound);
        };
        if let Some(clash) = clash {
            return Ok(Written::Refused(clash));
        }
        let status = i32::try_from(data.status_code).unwrap_or(302);
        let row: UrlForwardRow = match replacing {
            None => {
                sqlx::query_as(&format!(
                    "INSERT INTO url_forwards (domain_id, host, target, status_code, keep_path, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 RETURNING {URL_FORWARD_COLUMNS}"
                ))
                .bind(domain_id)
                .bind(&data.host)
                .bind(&data.target)
                .bind(status)
                .bind(data.keep_path)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
            Some(id) => {
                sqlx::query_as(&format!(
                "UPDATE url_forwards SET host = $2, target = $3, status_code = $4, keep_path = $5, \
                 updated_at = $6 WHERE id = $1 RETURNING {URL_FORWARD_COLUMNS}"
            ))
                .bind(id)
                .bind(&data.host)
                .bind(&data.target)
                .bind(status)
                .bind(data.keep_path)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
        tx.commit().await?;
        Ok(Written::Done(row.into()))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id, forward_id))]
    async fn delete_url_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        self.delete_forward(
            "url_forwards",
            account_id,
            domain_id,
            forward_id,
            now,
            audit,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_name, host))]
    async fn url_forward_for(&self, domain_name: &str, host: &str) -> Result<Option<UrlForward>> {
        let row: Option<UrlForwardRow> = sqlx::query_as(
            "SELECT f.id, f.domain_id, f.host, f.target, f.status_code, f.keep_path, \
             f.created_at, f.updated_at FROM url_forwards f JOIN domains d ON d.id = f.domain_id \
             WHERE d.domain_name = $1 AND f.host = $2 AND d.status = 'active' \
             AND d.removed_at IS NULL",
        )
        .bind(domain_name)
        .bind(host)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(UrlForward::from))
    }
}

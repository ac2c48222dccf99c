//! The SQL of the zone change feed the nameserver follows. Compiled once per
//! backend: `super` is the backend's `queries` module (its `Db` and
//! `ThisStore`).

use async_trait::async_trait;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{DnsRecord, Domain, ZoneSource};
use crate::stores::domains::{DomainRow, DOMAIN_COLUMNS};
use crate::stores::zone::{served, DnsRecordRow, DNS_RECORD_COLUMNS};

#[async_trait]
impl crate::stores::ZoneFeed for ThisStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn dns_zones(&self) -> Result<Vec<ZoneSource>> {
        let rows: Vec<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains WHERE status = 'active' AND removed_at IS NULL"
        ))
        .fetch_all(self.pool())
        .await?;
        let records: Vec<DnsRecordRow> = sqlx::query_as(
            "SELECT r.id, r.domain_id, r.name, r.type, r.content, r.ttl, r.priority, \
             r.created_at, r.updated_at FROM dns_records r JOIN domains d ON d.id = r.domain_id \
             WHERE d.status = 'active' AND d.removed_at IS NULL ORDER BY r.domain_id, r.id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut by_domain: std::collections::HashMap<vpsd_domain::DomainId, Vec<DnsRecord>> =
            std::collections::HashMap::new();
        for r in records.into_iter().filter_map(served) {
            by_domain.entry(r.domain_id).or_default().push(r);
        }
        let mailing: std::collections::HashSet<vpsd_domain::DomainId> =
            sqlx::query_as::<_, (vpsd_domain::DomainId,)>(
                "SELECT DISTINCT domain_id FROM email_forwards",
            )
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect();
        let mut hosts: std::collections::HashMap<vpsd_domain::DomainId, Vec<String>> =
            std::collections::HashMap::new();
        for (id, host) in sqlx::query_as::<_, (vpsd_domain::DomainId, String)>(
            "SELECT domain_id, host FROM url_forwards",
        )
        .fetch_all(self.pool())
        .await?
        {
            hosts.entry(id).or_default().push(host);
        }
        rows.into_iter()
            .map(|row| {
                let domain = Domain::try_from(row)?;
                let records = by_domain.remove(&domain.id).unwrap_or_default();
                Ok(ZoneSource {
                    email_forwarding: mailing.contains(&domain.id),
                    url_forward_hosts: hosts.remove(&domain.id).unwrap_or_default(),
                    domain,
                    records,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn dns_zone(&self, domain_id: vpsd_domain::DomainId) -> Result<Option<ZoneSource>> {
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains WHERE id = $1 AND removed_at IS NULL"
        ))
        .bind(domain_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let records: Vec<DnsRecordRow> = sqlx::query_as(&format!(
            "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 ORDER BY id"
        ))
        .bind(domain_id)
        .fetch_all(self.pool())
        .await?;
        let (mail_count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM email_forwards WHERE domain_id = $1")
                .bind(domain_id)
                .fetch_one(self.pool())
                .await?;
        let hosts: Vec<(String,)> =
            sqlx::query_as("SELECT host FROM url_forwards WHERE domain_id = $1 ORDER BY host")
                .bind(domain_id)
                .fetch_all(self.pool())
                .await?;
        Ok(Some(ZoneSource {
            domain: Domain::try_from(row)?,
            records: records.into_iter().filter_map(served).collect(),
            email_forwarding: mail_count > 0,
            url_forward_hosts: hosts.into_iter().map(|(h,)| h).collect(),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn dns_change_head(&self) -> Result<i64> {
        let (head,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM dns_changes")
            .fetch_one(self.pool())
            .await?;
        Ok(head.unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(after))]
    async fn dns_changes(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, vpsd_domain::DomainId)>> {
        Ok(sqlx::query_as(
            "SELECT seq, domain_id FROM dns_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(keep))]
    async fn purge_dns_changes(&self, keep: i64) -> Result<u64> {
        // At most PURGE_BATCH entries a call, so a long feed (after a
        // bulk import) never holds the writer long.
        const PURGE_BATCH: i64 = 10_000;
        let (oldest, head): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM dns_changes")
                .fetch_one(self.pool())
                .await?;
        let (Some(oldest), Some(head)) = (oldest, head) else {
            return Ok(0);
        };
        let upto = (head - keep).min(oldest + PURGE_BATCH - 1);
        if upto < oldest {
            return Ok(0);
        }
        let (_guard, mut tx) = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM dns_changes WHERE seq <= $1")
            .bind(upto)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}

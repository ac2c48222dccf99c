//! The SQL of the sandbox registry's own names. Compiled once per backend:
//! `super` is the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::codec::{join_hosts, join_statuses, like_pattern};
use crate::error::Result;
use crate::model::{
    ChangeMessage, ChangeNotice, DeletedName, LinkedUpdate, NewChangeMessage, NewPollMessage,
    PollMessage, RegistryHost, RegistryObject, RegistryRecord,
};
use crate::stores::registry::INSERT_REGISTRY_NAME;
use crate::stores::registry::{
    DeletedRow, HostRow, PollRow, RegistryObjectRow, RegistryRow, INSERT_POLL_MESSAGE,
    POLL_COLUMNS, REGISTRY_COLUMNS,
};

impl ThisStore {
    /// The sandbox registry's new name through sqlx.
    pub(crate) async fn registry_insert_sqlx(
        &self,
        r: &RegistryRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        Self::insert_name(&mut tx, r, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts the sandbox registry's new name `r` in `tx`.
    async fn insert_name(
        tx: &mut super::common::Tx,
        r: &RegistryRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(INSERT_REGISTRY_NAME)
            .bind(&r.name)
            .bind(&r.sponsoring_registrar)
            .bind(&r.auth_code)
            .bind(r.created_at)
            .bind(r.ex_date)
            .bind(r.last_transferred_at)
            .bind(r.client_transfer_prohibited)
            .bind(join_hosts(&r.nameservers))
            .bind(r.pending_transfer_to.as_deref())
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Locks each host of `linked` (sorted, each once) in `tx` with a write
    /// that changes nothing; the first that is not a host object, if any.
    async fn lock_hosts(tx: &mut super::common::Tx, linked: &[String]) -> Result<Option<String>> {
        let mut hosts: Vec<&str> = linked.iter().map(String::as_str).collect();
        hosts.sort_unstable();
        hosts.dedup();
        for host in hosts {
            // A delete of the host waits for this transaction, or has
            // committed and the host is gone.
            let there = sqlx::query("UPDATE registry_hosts SET name = name WHERE name = $1")
                .bind(host)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            if there != 1 {
                return Ok(Some(host.to_owned()));
            }
        }
        Ok(None)
    }

    /// Runs `query` and, when it changed exactly one row, queues `poll` in
    /// the same transaction; true when it did.
    async fn write_one_with_poll<'q>(
        &self,
        query: sqlx::query::Query<'q, super::Db, <super::Db as sqlx::Database>::Arguments<'q>>,
        poll: &[NewPollMessage],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let changed = query.execute(&mut *tx).await?.rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        for m in poll {
            let n = &m.notice;
            sqlx::query(INSERT_POLL_MESSAGE)
                .bind(&m.client_id)
                .bind(now)
                .bind(&m.message)
                .bind(&n.name)
                .bind(n.tr_status.as_str())
                .bind(&n.requesting_registrar)
                .bind(n.requested_at)
                .bind(&n.acting_registrar)
                .bind(n.acted_at)
                .bind(n.ex_date)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl crate::stores::RegistryStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>> {
        let row: Option<RegistryRow> = sqlx::query_as(&format!(
            "SELECT {REGISTRY_COLUMNS} FROM registry_names WHERE name = $1 AND deleted_at IS NULL"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name = %r.name))]
    async fn registry_insert(&self, r: &RegistryRecord, now: DateTime<Utc>) -> Result<()> {
        // Every registration writes one: the backend's fastest way.
        self.write_registry_name(r, now).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name = %r.name))]
    async fn registry_insert_linked(
        &self,
        r: &RegistryRecord,
        linked: &[String],
        now: DateTime<Utc>,
    ) -> Result<LinkedUpdate> {
        let (_guard, mut tx) = self.begin_write().await?;
        if let Some(host) = Self::lock_hosts(&mut tx, linked).await? {
            return Ok(LinkedUpdate::NoHost(host));
        }
        Self::insert_name(&mut tx, r, now).await?;
        tx.commit().await?;
        Ok(LinkedUpdate::Updated)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_delete(&self, name: &str, sponsoring_registrar: &str) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "DELETE FROM registry_names WHERE name = $1 AND registrar = $2 \
                 AND deleted_at IS NULL AND pending_transfer_to IS NULL",
            )
            .bind(name)
            .bind(sponsoring_registrar),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_delete_to_redemption(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        deleted_at: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET deleted_at = $3, restore_requested_at = NULL, \
                 updated_at = $3 \
                 WHERE name = $1 AND registrar = $2 AND deleted_at IS NULL \
                 AND pending_transfer_to IS NULL",
            )
            .bind(name)
            .bind(sponsoring_registrar)
            .bind(deleted_at),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_deleted(&self, name: &str) -> Result<Option<DeletedName>> {
        let row: Option<DeletedRow> = sqlx::query_as(&format!(
            "SELECT {REGISTRY_COLUMNS}, deleted_at, restore_requested_at FROM registry_names \
             WHERE name = $1 AND deleted_at IS NOT NULL"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|r| {
            let deleted_at = r.deleted_at?;
            Some(DeletedName {
                record: r.row.into(),
                deleted_at,
                restore_requested_at: r.restore_requested_at,
            })
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_restore_request(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        deleted_at: DateTime<Utc>,
        requested_at: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET restore_requested_at = $4, updated_at = $4 \
                 WHERE name = $1 AND registrar = $2 AND deleted_at = $3",
            )
            .bind(name)
            .bind(sponsoring_registrar)
            .bind(deleted_at)
            .bind(requested_at),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_restore(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        deleted_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET deleted_at = NULL, restore_requested_at = NULL, \
                 updated_at = $4 WHERE name = $1 AND registrar = $2 AND deleted_at = $3",
            )
            .bind(name)
            .bind(sponsoring_registrar)
            .bind(deleted_at)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_purge(&self, name: &str, deleted_at: DateTime<Utc>) -> Result<bool> {
        self.write_one(
            sqlx::query("DELETE FROM registry_names WHERE name = $1 AND deleted_at = $2")
                .bind(name)
                .bind(deleted_at),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_update(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET nameservers = COALESCE($2, nameservers), \
                 transfer_prohibited = COALESCE($3, transfer_prohibited), updated_at = $4 \
                 WHERE name = $1 AND deleted_at IS NULL AND registrar = $5 \
                 AND pending_transfer_to IS NULL",
            )
            .bind(name)
            .bind(nameservers.map(join_hosts))
            .bind(client_transfer_prohibited)
            .bind(now)
            .bind(sponsoring_registrar),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_update_linked(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        linked: &[String],
        now: DateTime<Utc>,
    ) -> Result<LinkedUpdate> {
        let (_guard, mut tx) = self.begin_write().await?;
        if let Some(host) = Self::lock_hosts(&mut tx, linked).await? {
            return Ok(LinkedUpdate::NoHost(host));
        }
        let changed = sqlx::query(
            "UPDATE registry_names SET nameservers = COALESCE($2, nameservers), \
             transfer_prohibited = COALESCE($3, transfer_prohibited), updated_at = $4 \
             WHERE name = $1 AND deleted_at IS NULL AND registrar = $5 \
             AND pending_transfer_to IS NULL",
        )
        .bind(name)
        .bind(nameservers.map(join_hosts))
        .bind(client_transfer_prohibited)
        .bind(now)
        .bind(sponsoring_registrar)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Ok(LinkedUpdate::NotUpdated);
        }
        tx.commit().await?;
        Ok(LinkedUpdate::Updated)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, gaining))]
    async fn registry_request_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
        poll: &[NewPollMessage],
    ) -> Result<bool> {
        self.write_one_with_poll(
            sqlx::query(
                "UPDATE registry_names SET pending_transfer_to = $2, updated_at = $3, \
                 transfer_requested_at = $3 \
                 WHERE name = $1 AND pending_transfer_to IS NULL AND deleted_at IS NULL",
            )
            .bind(name)
            .bind(gaining)
            .bind(now),
            poll,
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, gaining))]
    async fn registry_complete_transfer(
        &self,
        name: &str,
        gaining: &str,
        ex_date: DateTime<Utc>,
        now: DateTime<Utc>,
        poll: &[NewPollMessage],
    ) -> Result<bool> {
        self.write_one_with_poll(
            sqlx::query(
                "UPDATE registry_names SET registrar = $2, expires_at = $3, \
                 last_transferred_at = $4, pending_transfer_to = NULL, \
                 transfer_requested_at = NULL, \
                 transfer_prohibited = TRUE, updated_at = $4 \
                 WHERE name = $1 AND pending_transfer_to = $2 AND deleted_at IS NULL",
            )
            .bind(name)
            .bind(gaining)
            .bind(ex_date)
            .bind(now),
            poll,
            now,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, gaining))]
    async fn registry_cancel_transfer(
        &self,
        name: &str,
        gaining: &str,
        poll: &[NewPollMessage],
    ) -> Result<bool> {
        // The queue's time: the notices carry their own dates.
        let queued_at = poll
            .first()
            .map(|m| m.notice.acted_at)
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        self.write_one_with_poll(
            sqlx::query(
                "UPDATE registry_names SET pending_transfer_to = NULL, \
                 transfer_requested_at = NULL \
                 WHERE name = $1 AND pending_transfer_to = $2",
            )
            .bind(name)
            .bind(gaining),
            poll,
            queued_at,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn registry_transfers_due(&self, requested_before: DateTime<Utc>) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM registry_names WHERE pending_transfer_to IS NOT NULL \
             AND transfer_requested_at <= $1 AND deleted_at IS NULL ORDER BY name",
        )
        .bind(requested_before)
        .fetch_all(self.pool())
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_object(&self, name: &str) -> Result<Option<RegistryObject>> {
        let row: Option<RegistryObjectRow> = sqlx::query_as(&format!(
            "SELECT {REGISTRY_COLUMNS}, created_by, updated_at, transfer_requested_at \
             FROM registry_names WHERE name = $1 AND deleted_at IS NULL"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id))]
    async fn registry_registrar_add(
        &self,
        client_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO registry_registrars (client_id, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(client_id)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id))]
    async fn registry_registrar_password_hash(&self, client_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT password_hash FROM registry_registrars WHERE client_id = $1",
            )
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id))]
    async fn registry_registrar_set_password(
        &self,
        client_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_registrars SET password_hash = $2, updated_at = $3 \
                 WHERE client_id = $1",
            )
            .bind(client_id)
            .bind(password_hash)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id))]
    async fn registry_poll_first(&self, client_id: &str) -> Result<Option<(PollMessage, i64)>> {
        let mut tx = self.pool().begin().await?;
        let row: Option<PollRow> = sqlx::query_as(&format!(
            "SELECT {POLL_COLUMNS} FROM registry_poll_messages WHERE client_id = $1 \
             ORDER BY id LIMIT 1"
        ))
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM registry_poll_messages WHERE client_id = $1")
                .bind(client_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(Some((PollMessage::try_from(row)?, count)))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id, id))]
    async fn registry_poll_ack(&self, client_id: &str, id: i64) -> Result<Option<i64>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let gone =
            sqlx::query("DELETE FROM registry_poll_messages WHERE client_id = $1 AND id = $2")
                .bind(client_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if gone != 1 {
            return Ok(None);
        }
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM registry_poll_messages WHERE client_id = $1")
                .bind(client_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(Some(left))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id = %m.client_id))]
    async fn registry_change_queue(&self, m: &NewChangeMessage, now: DateTime<Utc>) -> Result<i64> {
        let (_guard, mut tx) = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO registry_change_messages (client_id, queued_at, message, name, \
             operation, who, reason, sv_trid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&m.client_id)
        .bind(now)
        .bind(&m.message)
        .bind(&m.notice.name)
        .bind(&m.notice.operation)
        .bind(&m.notice.who)
        .bind(&m.notice.reason)
        .bind(&m.notice.sv_trid)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id))]
    async fn registry_change_first(&self, client_id: &str) -> Result<(Option<ChangeMessage>, i64)> {
        type Row = (
            i64,
            String,
            DateTime<Utc>,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let mut tx = self.pool().begin().await?;
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, client_id, queued_at, message, name, operation, who, reason, sv_trid \
             FROM registry_change_messages WHERE client_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM registry_change_messages WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((
            row.map(|r| ChangeMessage {
                id: r.0,
                client_id: r.1,
                queued_at: r.2,
                message: r.3,
                notice: ChangeNotice {
                    name: r.4,
                    operation: r.5,
                    who: r.6,
                    reason: r.7,
                    sv_trid: r.8,
                },
            }),
            count,
        ))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(client_id, id))]
    async fn registry_change_ack(&self, client_id: &str, id: i64) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let gone =
            sqlx::query("DELETE FROM registry_change_messages WHERE client_id = $1 AND id = $2")
                .bind(client_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(gone == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name = %host.name))]
    async fn registry_host_insert(&self, host: &RegistryHost) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO registry_hosts (name, registrar, addresses, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&host.name)
        .bind(&host.sponsoring_registrar)
        .bind(join_hosts(&host.addresses))
        .bind(host.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_host_get(&self, name: &str) -> Result<Option<RegistryHost>> {
        let row: Option<HostRow> = sqlx::query_as(
            "SELECT name, registrar, addresses, created_at FROM registry_hosts WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_host_delete(&self, name: &str, sponsoring_registrar: &str) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        // Lock the host first: an update naming it either committed before
        // (and the statement below, its own snapshot on PostgreSQL's READ
        // COMMITTED, sees it) or waits for this one and finds it gone.
        let there =
            sqlx::query("UPDATE registry_hosts SET name = name WHERE name = $1 AND registrar = $2")
                .bind(name)
                .bind(sponsoring_registrar)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if there != 1 {
            return Ok(false);
        }
        // Not while a name uses it (RFC 5732 §3.2.2).
        let gone = sqlx::query(
            "DELETE FROM registry_hosts WHERE name = $1 AND registrar = $2 \
             AND NOT EXISTS (SELECT 1 FROM registry_names \
             WHERE (',' || nameservers || ',') LIKE $3 ESCAPE '\\')",
        )
        .bind(name)
        .bind(sponsoring_registrar)
        .bind(like_pattern(&format!(",{name},")))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(gone == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_host_set_addresses(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        addresses: &[String],
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_hosts SET addresses = $3 WHERE name = $1 AND registrar = $2",
            )
            .bind(name)
            .bind(sponsoring_registrar)
            .bind(join_hosts(addresses)),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_host_in_use(&self, name: &str) -> Result<bool> {
        // The list is comma-joined: look for `,name,` in `,list,`.
        let pattern = like_pattern(&format!(",{name},"));
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM registry_names \
             WHERE (',' || nameservers || ',') LIKE $1 ESCAPE '\\'",
        )
        .bind(pattern)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_hosts_under(&self, name: &str) -> Result<Vec<String>> {
        let suffix = like_pattern(&format!(".{name}"));
        // like_pattern matches anywhere; a host under `name` ends with it.
        let suffix = suffix.strip_suffix('%').unwrap_or(&suffix).to_owned();
        Ok(sqlx::query_scalar(
            "SELECT name FROM registry_hosts WHERE name LIKE $1 ESCAPE '\\' ORDER BY name",
        )
        .bind(suffix)
        .fetch_all(self.pool())
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_set_server_statuses(
        &self,
        name: &str,
        old: &[String],
        statuses: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET server_statuses = $3, updated_at = $4 \
                 WHERE name = $1 AND server_statuses = $2 AND deleted_at IS NULL",
            )
            .bind(name)
            .bind(join_statuses(old))
            .bind(join_statuses(statuses))
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_set_auth_code(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET auth_code = $3, updated_at = $4 \
                 WHERE name = $1 AND registrar = $2 AND deleted_at IS NULL",
            )
            .bind(name)
            .bind(sponsoring_registrar)
            .bind(auth_code)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_renew(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET expires_at = $4, updated_at = $5 \
                 WHERE name = $1 AND registrar = $2 AND expires_at = $3 \
                 AND deleted_at IS NULL",
            )
            .bind(name)
            .bind(sponsoring_registrar)
            .bind(from)
            .bind(to)
            .bind(now),
        )
        .await
    }
}

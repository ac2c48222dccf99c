//! The SQL of the sandbox registry's own names. Compiled once per backend:
//! `super` is the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::codec::join_hosts;
use crate::error::Result;
use crate::model::RegistryRecord;
use crate::stores::registry::INSERT_REGISTRY_NAME;
use crate::stores::registry::{RegistryRow, REGISTRY_COLUMNS};

impl ThisStore {
    /// The sandbox registry's new name through sqlx.
    pub(crate) async fn registry_insert_sqlx(
        &self,
        r: &RegistryRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
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
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl crate::stores::RegistryStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>> {
        let row: Option<RegistryRow> = sqlx::query_as(&format!(
            "SELECT {REGISTRY_COLUMNS} FROM registry_names WHERE name = $1"
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

    #[tracing::instrument(level = "debug", skip_all, fields(name, sponsoring_registrar))]
    async fn registry_delete(&self, name: &str, sponsoring_registrar: &str) -> Result<bool> {
        self.write_one(
            sqlx::query("DELETE FROM registry_names WHERE name = $1 AND registrar = $2")
                .bind(name)
                .bind(sponsoring_registrar),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET nameservers = COALESCE($2, nameservers), \
                 transfer_prohibited = COALESCE($3, transfer_prohibited), updated_at = $4 \
                 WHERE name = $1",
            )
            .bind(name)
            .bind(nameservers.map(join_hosts))
            .bind(client_transfer_prohibited)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, gaining))]
    async fn registry_request_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET pending_transfer_to = $2, updated_at = $3 \
                 WHERE name = $1 AND pending_transfer_to IS NULL",
            )
            .bind(name)
            .bind(gaining)
            .bind(now),
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
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET registrar = $2, expires_at = $3, \
                 last_transferred_at = $4, pending_transfer_to = NULL, \
                 transfer_prohibited = TRUE, updated_at = $4 \
                 WHERE name = $1 AND pending_transfer_to = $2",
            )
            .bind(name)
            .bind(gaining)
            .bind(ex_date)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name, gaining))]
    async fn registry_cancel_transfer(&self, name: &str, gaining: &str) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_names SET pending_transfer_to = NULL \
                 WHERE name = $1 AND pending_transfer_to = $2",
            )
            .bind(name)
            .bind(gaining),
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
                 WHERE name = $1 AND registrar = $2",
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
                 WHERE name = $1 AND registrar = $2 AND expires_at = $3",
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

//! The SQL of the RDAP server's reads. Compiled once per backend: `super`
//! is the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::Domain;
use crate::stores::domains::{DomainRow, DOMAIN_COLUMNS};
use vpsd_domain::{ContactId, DomainId};

#[async_trait]
impl crate::stores::RdapStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn rdap_domain(&self, domain_name: &str) -> Result<Option<Domain>> {
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains WHERE domain_name = $1 AND removed_at IS NULL"
        ))
        .bind(domain_name)
        .fetch_optional(self.pool())
        .await?;
        row.map(Domain::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rdap_contact_shown(
        &self,
        contact_id: ContactId,
        sponsoring_registrar: &str,
    ) -> Result<bool> {
        let found: Option<DomainId> = sqlx::query_scalar(
            "SELECT id FROM domains \
             WHERE (registrant_contact_id = $1 OR admin_contact_id = $1 OR tech_contact_id = $1) \
             AND NOT privacy_protection AND removed_at IS NULL AND registrar = $2 \
             AND status <> 'pending' LIMIT 1",
        )
        .bind(contact_id)
        .bind(sponsoring_registrar)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }
}

//! DNS records of a domain's zone: list, add, replace, remove. The checks of
//! a single record are `vpsd_domain::dns::validate`'s (the API calls it);
//! the checks against the records already at its name run in the store's
//! write transaction, so two racing requests cannot both pass them.

use serde_json::{json, Value};
use vpsd_domain::dns::{Clash, RecordData};
use vpsd_domain::{AuditAction, RecordId};
use vpsd_storage::{Actor, Audit, DnsRecord};

use crate::{changes, Registrar, RegistrarError};

fn record_json(r: &RecordData) -> Value {
    json!({
        "name": r.name,
        "type": r.rtype().as_str(),
        "content": r.rdata.to_string(),
        "ttl": r.ttl,
        "priority": r.priority(),
    })
}

/// The audit's changes: each field of the record, before and after.
pub(crate) fn record_changes(before: Option<&RecordData>, after: Option<&RecordData>) -> String {
    let b = before.map(record_json).unwrap_or(Value::Null);
    let a = after.map(record_json).unwrap_or(Value::Null);
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    changes(&[
        ("name", field(&b, "name"), field(&a, "name")),
        ("type", field(&b, "type"), field(&a, "type")),
        ("content", field(&b, "content"), field(&a, "content")),
        ("ttl", field(&b, "ttl"), field(&a, "ttl")),
        ("priority", field(&b, "priority"), field(&a, "priority")),
    ])
}

impl Registrar {
    /// The zone's records; 404 when the domain is not the account's.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    pub async fn dns_records(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Vec<DnsRecord>, RegistrarError> {
        self.store()
            .dns_records(account_id, domain_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// One record of the zone; 404 when either is not the account's.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id, record_id = %record_id))]
    pub async fn dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        record_id: RecordId,
    ) -> Result<DnsRecord, RegistrarError> {
        self.dns_records(account_id, domain_id)
            .await?
            .into_iter()
            .find(|r| r.id == record_id)
            .ok_or(RegistrarError::NotFound)
    }

    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn add_dns_record(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        data: &RecordData,
    ) -> Result<Result<DnsRecord, Clash>, RegistrarError> {
        let audit = Audit {
            actor,
            action: AuditAction::DnsRecordCreate,
            changes: record_changes(None, Some(data)),
        };
        self.store()
            .add_dns_record(account_id, domain_id, data, self.now(), &audit)
            .await?
            .found()
            .ok_or(RegistrarError::NotFound)
    }

    /// Replaces `current` (the record as the caller read it) by `data`.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %current.domain_id, record_id = %current.id, request_id = actor.request_id.as_deref()))]
    pub async fn replace_dns_record(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        current: &DnsRecord,
        data: &RecordData,
    ) -> Result<Result<DnsRecord, Clash>, RegistrarError> {
        let audit = Audit {
            actor,
            action: AuditAction::DnsRecordUpdate,
            changes: record_changes(Some(&current.data), Some(data)),
        };
        self.store()
            .replace_dns_record(
                account_id,
                current.domain_id,
                current.id,
                data,
                self.now(),
                &audit,
            )
            .await?
            .found()
            .ok_or(RegistrarError::NotFound)
    }

    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, record_id = %record_id, request_id = actor.request_id.as_deref()))]
    pub async fn delete_dns_record(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        record_id: RecordId,
    ) -> Result<(), RegistrarError> {
        let before = self.dns_record(account_id, domain_id, record_id).await?;
        let audit = Audit {
            actor,
            action: AuditAction::DnsRecordDelete,
            changes: record_changes(Some(&before.data), None),
        };
        let deleted = self
            .store()
            .delete_dns_record(account_id, domain_id, record_id, self.now(), &audit)
            .await?;
        if deleted {
            Ok(())
        } else {
            Err(RegistrarError::NotFound)
        }
    }
}

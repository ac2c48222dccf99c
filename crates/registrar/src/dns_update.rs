//! A dynamic update (RFC 2136) signed with one of the zone's TSIG keys,
//! applied through the same store write as the records API and zone file
//! imports (`ZoneStore::apply_dns_changes`): the prerequisites are checked
//! and the update section planned (`vpsd_domain::dns::update`) inside its
//! transaction, against the records as they stand; each record is checked
//! by the records API's rules; one serial rise, an audit entry per record
//! (actor `dns_update`, the key's name as `request_id`); all or nothing.

use std::sync::Mutex;

use vpsd_domain::dns::update::{
    check_prerequisites, plan, Operation, Planned, Prerequisite, PrerequisiteFailed,
};
use vpsd_domain::dns::{Clash, RecordData};
use vpsd_storage::{Actor, DnsChange, DnsChangeCounts, DnsChangeKind, DnsRecord, Written};

use crate::records::record_changes;
use crate::{Registrar, RegistrarError};

/// What became of an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// Applied (or nothing to change): the counts of what changed.
    Applied(DnsChangeCounts),
    /// A prerequisite failed (its RCODE, RFC 2136 §3.2); nothing changed.
    PrerequisiteFailed(PrerequisiteFailed),
    /// A record the rules refuse where the zone would hold it (a CNAME
    /// beside other data, a duplicate of a null MX, a full zone): REFUSED,
    /// nothing changed. Each clash as the records API words it.
    Refused(Vec<String>),
    /// The key's domain is gone (removed, or no longer the key's owner's).
    NoZone,
}

/// The changes `planned` comes to, with their audit entries.
fn changes(records: &[DnsRecord], planned: Vec<Planned>) -> Vec<DnsChange> {
    let find = |id| records.iter().find(|r| r.id == id).map(|r| &r.data);
    planned
        .into_iter()
        .map(|p| match p {
            Planned::Delete(id) => DnsChange {
                audit_changes: record_changes(find(id), None),
                kind: DnsChangeKind::Delete(id),
            },
            Planned::Retime { id, ttl } => {
                let before = find(id).cloned();
                let after = before.clone().map(|mut d| {
                    d.ttl = ttl;
                    d
                });
                DnsChange {
                    audit_changes: record_changes(before.as_ref(), after.as_ref()),
                    kind: match after {
                        Some(data) => DnsChangeKind::Replace { id, data },
                        None => DnsChangeKind::Delete(id),
                    },
                }
            }
            Planned::Add(data) => DnsChange {
                audit_changes: record_changes(None, Some(&data)),
                kind: DnsChangeKind::Add(data),
            },
        })
        .collect()
}

impl Registrar {
    /// Applies an update to `key`'s zone: `prerequisites` (RFC 2136 §3.2)
    /// then `operations` (§3.4.2, each record checked by the records API's
    /// rules already), all or nothing, as one change of the zone.
    /// `key_name` is the key's name (the audit entries' `request_id`); the
    /// zone is domain `domain_id` of `account_id`, the key's. The key's
    /// `last_used_at` is set when the update is applied, in its transaction
    /// (docs/api.md; an update that changes nothing sets it apart).
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, key = %key_name))]
    pub async fn apply_dns_update(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key_id: vpsd_domain::TsigKeyId,
        key_name: &str,
        prerequisites: &[Prerequisite],
        operations: &[Operation],
    ) -> Result<UpdateOutcome, RegistrarError> {
        let actor = Actor {
            kind: "dns_update",
            token_id: None,
            request_id: Some(key_name.to_owned()),
        };
        let failed: Mutex<Option<PrerequisiteFailed>> = Mutex::new(None);
        let make_plan = |records: &[DnsRecord]| {
            let zone: Vec<(vpsd_domain::RecordId, RecordData)> =
                records.iter().map(|r| (r.id, r.data.clone())).collect();
            if let Err(f) = check_prerequisites(&zone, prerequisites) {
                *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
                return Vec::new();
            }
            changes(records, plan(&zone, operations))
        };
        let written = self
            .store()
            .apply_dns_changes(
                account_id,
                domain_id,
                &make_plan,
                &actor,
                Some(key_id),
                self.now(),
            )
            .await?;
        if let Some(f) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Ok(UpdateOutcome::PrerequisiteFailed(f));
        }
        if let Written::Done(counts) = &written {
            if *counts == DnsChangeCounts::default() {
                // Nothing written, so nothing noted either: an update that
                // changed nothing still counts as applied.
                self.tsig_key_used(key_id).await?;
            }
        }
        Ok(match written {
            Written::Done(counts) => UpdateOutcome::Applied(counts),
            Written::NotFound => UpdateOutcome::NoZone,
            Written::Refused(refused) => UpdateOutcome::Refused(
                refused
                    .into_iter()
                    .map(|(_, clash): (usize, Clash)| clash.to_string())
                    .collect(),
            ),
        })
    }
}

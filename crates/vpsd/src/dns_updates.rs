//! The nameserver's side of signed DNS messages (`vpsd_dns::update::Updater`)
//! on the registrar: a zone's TSIG keys found by name, and dynamic updates
//! written through the registrar's records write path.

use vpsd_dns::update::{Applied, LookupFailed, Updater, ZoneKey};
use vpsd_domain::dns::update::{Operation, Prerequisite};
use vpsd_domain::ErrorChain;
use vpsd_registrar::{Registrar, UpdateOutcome};

/// [`Updater`] on a [`Registrar`].
#[derive(Debug, Clone)]
pub struct RegistrarUpdates(pub Registrar);

#[async_trait::async_trait]
impl Updater for RegistrarUpdates {
    async fn key(&self, name: &str) -> Result<Option<ZoneKey>, LookupFailed> {
        match self.0.tsig_key_for_message(name).await {
            Ok(key) => Ok(key.map(|k| ZoneKey {
                key_id: k.key.id,
                account_id: k.account_id,
                domain_id: k.key.domain_id,
                name: k.key.name,
                zone: k.zone,
                algorithm: k.key.algorithm,
                secret: k.secret,
            })),
            Err(e) => {
                tracing::error!(error = %ErrorChain(&e), "TSIG key lookup failed");
                Err(LookupFailed)
            }
        }
    }

    async fn apply(
        &self,
        key: &ZoneKey,
        prerequisites: &[Prerequisite],
        operations: &[Operation],
    ) -> Applied {
        match self
            .0
            .apply_dns_update(
                key.account_id,
                key.domain_id,
                key.key_id,
                &key.name,
                prerequisites,
                operations,
            )
            .await
        {
            Ok(UpdateOutcome::Applied(_)) => Applied::Done,
            Ok(UpdateOutcome::PrerequisiteFailed(f)) => Applied::PrerequisiteFailed(f),
            Ok(UpdateOutcome::Refused(why)) => {
                tracing::info!(key = %key.name, zone = %key.zone, refused = ?why, "update refused by the records rules");
                Applied::Refused
            }
            Ok(UpdateOutcome::NoZone) => Applied::NoZone,
            Err(e) => {
                tracing::error!(key = %key.name, error = %ErrorChain(&e), "update failed");
                Applied::Failed
            }
        }
    }
}

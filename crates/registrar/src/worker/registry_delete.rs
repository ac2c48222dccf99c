//! Deletes names at their registry when their redemption begins.

use chrono::{DateTime, Utc};
use vpsd_domain::lifecycle::GRACE_DAYS;
use vpsd_storage::{Domain, JobKind};

use super::{Done, Pass, BATCH};
use crate::{Registrar, RegistrarError};

/// Deletes at the registry the expired names whose grace period is over
/// and that were not deleted for this term yet: the registry then holds
/// them in its redemption grace period (RFC 3915 §3.1), 30 days in which
/// the owner may restore them (`POST .../restore/`), then 5 pending
/// deletion, as the product's own phases say.
pub(super) async fn run(pass: &mut Pass<'_>) {
    let now = pass.registrar.now();
    let due = pass
        .registrar
        .store()
        .due_registry_deletions(now - chrono::Duration::days(GRACE_DAYS), BATCH)
        .await;
    let (due, full) = pass.due(JobKind::RegistryDelete, due);
    pass.run_batch(JobKind::RegistryDelete, now, full, due, delete)
        .await;
}

/// Deletes one name at its registry (idempotent: a name deleted already,
/// or not ours any more, is left as it is) and records when.
///
/// # Errors
/// The registry's (unreachable: tried again when the lease ends); the
/// store's.
#[tracing::instrument(level = "info", name = "registry_delete", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn delete(
    registrar: &Registrar,
    domain: Domain,
    now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    registrar.registry.delete(&domain.domain_name, now).await?;
    let marked = registrar
        .store()
        .mark_registry_deleted(domain.id, domain.expiration_date, now)
        .await?;
    Ok(if marked {
        tracing::info!("deleted at the registry: in its redemption grace period");
        Done::DeletedAtRegistry
    } else {
        Done::Nothing
    })
}

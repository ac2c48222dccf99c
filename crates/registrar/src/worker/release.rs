//! Releases names past their grace, redemption and pending-delete periods.

use chrono::{DateTime, Utc};
use serde_json::json;
use vpsd_domain::lifecycle::{GRACE_DAYS, PENDING_DELETE_DAYS, REDEMPTION_DAYS};
use vpsd_domain::AuditAction;
use vpsd_storage::{Actor, Domain};

use super::{audit, Done, JobKind, Pass, BATCH};
use crate::{mail, Registrar, RegistrarError};

/// Releases the names that expired more than the grace, redemption and
/// pending-delete periods ago.
pub(super) async fn run(pass: &mut Pass<'_>) {
    let now = pass.registrar.now();
    let total = chrono::Duration::days(GRACE_DAYS + REDEMPTION_DAYS + PENDING_DELETE_DAYS);
    let due = pass
        .registrar
        .store()
        .due_releases(now - total, BATCH)
        .await;
    let (due, full) = pass.due(JobKind::Release, due);
    pass.run_batch(JobKind::Release, now, full, due, release)
        .await;
}

/// Deletes one name at the registry first (idempotent: normally deleted
/// at the start of its redemption already), then from its account, and
/// mails the owner.
///
/// # Errors
/// The registry's (for instance a name another registrar sponsors now);
/// the store's.
#[tracing::instrument(level = "info", name = "release", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn release(
    registrar: &Registrar,
    domain: Domain,
    now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    // Deleted when its redemption began (`registry_delete`), and purged by
    // the registry by now; deleting again is harmless.
    registrar.registry.delete(&domain.domain_name, now).await?;
    let mail = mail::released(&domain);
    let released = registrar
        .store()
        .release_domain(
            domain.id,
            domain.expiration_date,
            &mail,
            now,
            &audit(
                &Actor::worker(),
                AuditAction::DomainRelease,
                &[("in_account", json!(true), json!(false))],
            ),
        )
        .await?;
    Ok(if released {
        Done::Released
    } else {
        Done::Nothing
    })
}

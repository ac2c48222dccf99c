//! Marks domains past their expiration `expired`.

use chrono::{DateTime, Utc};
use serde_json::json;
use vpsd_domain::AuditAction;
use vpsd_storage::{Actor, Domain};

use super::{audit, Done, JobKind, Pass, BATCH};
use crate::{mail, Registrar, RegistrarError};

/// Marks the domains whose expiration has passed `expired` (the grace
/// period starts).
pub(super) async fn run(pass: &mut Pass<'_>) {
    let now = pass.registrar.now();
    let due = pass.registrar.store().due_expirations(now, BATCH).await;
    let (due, full) = pass.due(JobKind::Expiry, due);
    pass.run_batch(JobKind::Expiry, now, full, due, expire)
        .await;
}

/// Marks one domain expired and mails its owner.
///
/// # Errors
/// The store's.
#[tracing::instrument(level = "info", name = "expiry", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn expire(
    registrar: &Registrar,
    domain: Domain,
    now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    let mail = mail::expired(&domain);
    let expired = registrar
        .store()
        .expire_domain(
            domain.id,
            Some(&mail),
            now,
            &audit(
                &Actor::worker(),
                AuditAction::DomainExpire,
                &[("status", json!("active"), json!("expired"))],
            ),
        )
        .await?;
    Ok(if expired {
        Done::Expired
    } else {
        Done::Nothing
    })
}

//! Completes pending registrations once the registration delay has passed.

use chrono::{DateTime, Utc};
use serde_json::json;
use vpsd_domain::AuditAction;
use vpsd_registry::RegistryError;
use vpsd_storage::{Actor, Domain, StoreError};

use super::{audit, Done, JobKind, Pass, BATCH};
use crate::{mail, Registrar, RegistrarError};

/// Completes the registrations due at `now`.
pub(super) async fn run(pass: &mut Pass<'_>, now: DateTime<Utc>) {
    let due = pass.registrar.store().due_registrations(now, BATCH).await;
    let (due, full) = pass.due(JobKind::Registration, due);
    pass.run_batch(JobKind::Registration, now, full, due, complete)
        .await;
}

/// Asks the registry for the name again (a no-op when the request path
/// made it, the create itself when the process died before it could), then
/// activates the domain and mails its owner; a name the registry refuses
/// (registered elsewhere meanwhile) is cancelled and refunded.
///
/// # Errors
/// The registry's or the store's, other than a refusal of the name.
#[tracing::instrument(level = "info", name = "registration", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn complete(
    registrar: &Registrar,
    domain: Domain,
    _now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    let store = registrar.store();
    let worker = Actor::worker();
    let years = (domain.expiration_date.years_since(domain.registration_date)).unwrap_or(1);
    // A premium name's create carries the fee the customer was charged for
    // (RFC 8748), kept when the registration was made: a fee the registry
    // raised since is refused there (2004) and the registration refunded.
    let fee = store.agreed_fee(domain.id, "create").await?;
    let created = registrar.at_registry(&worker, &domain, async {
        let contacts = registrar.registry_contacts(&domain).await?;
        registrar
            .registry
            .create(
                &domain.domain_name,
                years.max(1),
                &domain.nameservers,
                contacts.as_ref(),
                fee.as_ref(),
                domain.registration_date,
            )
            .await
    });
    match created.await {
        Ok(record) => {
            let mail = mail::registration_completed(&domain);
            let activated = store
                .activate_registration(
                    domain.id,
                    (record.created_at, record.ex_date),
                    &mail,
                    registrar.now(),
                    &audit(
                        &worker,
                        AuditAction::DomainActivate,
                        &[("status", json!("pending"), json!("active"))],
                    ),
                )
                .await?;
            if fee.is_some() {
                store.forget_agreed_fee(domain.id, "create").await?;
            }
            Ok(if activated {
                Done::RegistrationCompleted
            } else {
                Done::Nothing
            })
        }
        // EPP 1001: the registry has not confirmed it yet; the next pass
        // asks again.
        Err(RegistryError::Pending) => Ok(Done::Nothing),
        Err(RegistryError::Taken { .. } | RegistryError::Refused { .. }) => {
            let mail = mail::registration_failed(&domain);
            match store
                .cancel_registration(
                    domain.id,
                    &format!("Refund: the registry refused {}", domain.domain_name),
                    Some(&mail),
                    registrar.now(),
                    &audit(
                        &worker,
                        AuditAction::DomainRegisterRefused,
                        &[("status", json!("pending"), serde_json::Value::Null)],
                    ),
                )
                .await
            {
                Ok(()) => Ok(Done::RegistrationFailed),
                // Another worker, or the request itself, settled it first.
                Err(StoreError::StateChanged) => Ok(Done::Nothing),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

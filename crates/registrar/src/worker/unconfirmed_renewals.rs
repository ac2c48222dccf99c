//! Confirms renewals whose answer from the registry never came
//! (`renew.rs` notes them): the registry is asked again with the same
//! `curExpDate`, which cannot renew twice (RFC 5731 §3.2.3). Confirmed, the
//! note goes; refused (the name is no longer ours there), the renewal is
//! taken back and refunded; still no answer, it is asked again next pass.

use vpsd_domain::AuditAction;
use vpsd_registry::RegistryError;
use vpsd_storage::{Actor, NewMail, Renewal};

use super::{audit, Pass, BATCH};
use crate::{ts, ErrorChain, Registrar, RegistrarError};

/// Asks about up to a batch of unconfirmed renewals.
pub(super) async fn run(pass: &mut Pass<'_>) {
    let registrar = pass.registrar;
    let noted = match registrar.store().unconfirmed_renewals(BATCH).await {
        Ok(noted) => noted,
        Err(e) => {
            pass.outcome.failed += 1;
            tracing::error!(job = "unconfirmed_renewals", error = %ErrorChain(&e), "worker could not read its due jobs; the other jobs go on");
            return;
        }
    };
    for u in noted {
        match confirm(registrar, &u).await {
            Ok(true) => pass.outcome.renewals_confirmed += 1,
            Ok(false) => {}
            Err(e) => {
                pass.outcome.failed += 1;
                tracing::error!(job = "unconfirmed_renewals", domain_id = %u.domain_id, error = %ErrorChain(&e), "a renewal is still unconfirmed; asked again next pass");
            }
        }
    }
}

/// `true` when the registry confirmed the renewal.
async fn confirm(
    registrar: &Registrar,
    u: &vpsd_storage::UnconfirmedRenewal,
) -> Result<bool, RegistrarError> {
    let store = registrar.store();
    let Some(domain) = store.domain(u.account_id, u.domain_id).await? else {
        // Gone from the account (released, transferred away): nothing to
        // confirm here any more.
        store
            .forget_unconfirmed_renewal(u.domain_id, u.new_expiration)
            .await?;
        return Ok(false);
    };
    let worker = Actor::worker();
    let now = registrar.now();
    // A premium name's renewal carries the fee agreed when it was charged
    // (RFC 8748), not one asked now.
    let fee = store.agreed_fee(u.domain_id, "renew").await?;
    let asked = registrar.at_registry(
        &worker,
        &domain,
        registrar.registry.renew(
            &domain.domain_name,
            u.old_expiration,
            u.years,
            fee.as_ref(),
            now,
        ),
    );
    match asked.await {
        Ok(_) => {
            store
                .forget_unconfirmed_renewal(u.domain_id, u.new_expiration)
                .await?;
            if fee.is_some() {
                store.forget_agreed_fee(u.domain_id, "renew").await?;
            }
            Ok(true)
        }
        Err(
            RegistryError::NotFound
            | RegistryError::NotSponsored
            | RegistryError::Refused { .. }
            | RegistryError::StatusProhibits(_),
        ) => {
            let renewal = Renewal {
                domain_id: u.domain_id,
                account_id: u.account_id,
                old_expiration: u.old_expiration,
                new_expiration: u.new_expiration,
                cost: u.cost,
                kind: if u.kind == "restore" {
                    "restore"
                } else {
                    "renewal"
                },
                description: format!(
                    "Refund: the registry refused the renewal of {}",
                    domain.domain_name
                ),
                // Not sent: a refund's own ledger line and audit entry say it.
                mail: NewMail {
                    account_id: u.account_id,
                    subject: String::new(),
                    body: String::new(),
                },
                now,
            };
            store
                .undo_renewal(
                    &renewal,
                    u.old_status,
                    &audit(
                        &worker,
                        AuditAction::DomainRenewRefused,
                        &[(
                            "expiration_date",
                            ts(u.new_expiration),
                            ts(u.old_expiration),
                        )],
                    ),
                )
                .await?;
            store
                .forget_unconfirmed_renewal(u.domain_id, u.new_expiration)
                .await?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

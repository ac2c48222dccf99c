//! Completes pending transfers in once the transfer delay has passed.

use chrono::{DateTime, Utc};
use serde_json::json;
use vpsd_domain::lifecycle::TransferStatus;
use vpsd_domain::AuditAction;
use vpsd_registry::{TransferRefusal, OUR_REGISTRAR};
use vpsd_storage::{Actor, Domain};

use super::{audit, Done, JobKind, Pass, BATCH};
use crate::{mail, Registrar, RegistrarError};

/// Completes the transfers in due at `now`.
pub(super) async fn run(pass: &mut Pass<'_>, now: DateTime<Utc>) {
    let due = pass.registrar.store().due_transfers(now, BATCH).await;
    let (due, full) = pass.due(JobKind::TransferIn, due);
    pass.run_batch(JobKind::TransferIn, now, full, due, complete)
        .await;
}

/// Completes the transfer at the registry (RFC 5731 §3.2.4: the losing
/// registrar did not object within the delay), then moves the domain to us
/// with its new expiration and mails its owner; a transfer the registry
/// refuses (cancelled, or the name changed hands) fails and is refunded.
///
/// # Errors
/// The registry's when it is unavailable; the store's.
#[tracing::instrument(level = "info", name = "transfer_in", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
pub(crate) async fn complete(
    registrar: &Registrar,
    domain: Domain,
    _now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    let store = registrar.store();
    let worker = Actor::worker();
    match registrar
        .registry
        .complete_transfer(&domain.domain_name, registrar.now())
        .await
    {
        Ok(record) => {
            let mail = mail::transfer_completed(&domain, record.ex_date);
            let completed = store
                .complete_transfer(
                    domain.id,
                    OUR_REGISTRAR,
                    record.ex_date,
                    &mail,
                    registrar.now(),
                    &audit(
                        &worker,
                        AuditAction::DomainTransferComplete,
                        &[
                            ("registrar", json!(domain.registrar), json!(OUR_REGISTRAR)),
                            (
                                "expiration_date",
                                json!(domain.expiration_date.to_rfc3339()),
                                json!(record.ex_date.to_rfc3339()),
                            ),
                            ("transfer_status", json!("pending"), json!("completed")),
                        ],
                    ),
                )
                .await?;
            if completed {
                // The name is ours now: its contacts at the registry become
                // the customer's (a thick registry kept the losing
                // registrar's). A failure is logged; the next change of the
                // domain's contacts sends them again.
                // Read again: the completion changed the domain (its
                // privacy protection among others).
                let now_ours = store.domain(domain.account_id, domain.id).await?;
                let _ = registrar
                    .relink_contacts(&worker, now_ours.as_ref().unwrap_or(&domain))
                    .await;
            }
            Ok(if completed {
                Done::TransferCompleted
            } else {
                Done::Nothing
            })
        }
        Err(TransferRefusal::Unavailable(e)) => Err(RegistrarError::Unavailable(e)),
        // The losing registrar has not acted yet at a real registry (it
        // approves on its own after the transfer period): ask next pass.
        Err(TransferRefusal::StillPending) => Ok(Done::Nothing),
        Err(_) => {
            let mail = mail::transfer_failed(&domain);
            let failed = store
                .fail_transfer(
                    domain.id,
                    TransferStatus::Failed,
                    &format!("Refund: transfer of {} failed", domain.domain_name),
                    Some(&mail),
                    registrar.now(),
                    &audit(
                        &worker,
                        AuditAction::DomainTransferFailed,
                        &[("transfer_status", json!("pending"), json!("failed"))],
                    ),
                )
                .await?;
            Ok(if failed {
                Done::TransferFailed
            } else {
                Done::Nothing
            })
        }
    }
}

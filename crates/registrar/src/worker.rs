//! The background worker: completes pending registrations after the
//! registration delay and pending transfers after the transfer delay.
//!
//! Every step is safe to run twice, or in two workers at once: the registry
//! calls are idempotent, and each completion is a conditional update
//! (`... WHERE status = 'pending'`) in the same transaction as its mail, so
//! only one run wins and the mail is written once.

use std::time::Duration;

use tokio::sync::watch;

use crate::{mail, Registrar, RegistrarError};
use vpsd_registry::{RegistryError, TransferRefusal, OUR_REGISTRAR};

/// How many jobs one pass takes of each kind.
const BATCH: i64 = 100;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassOutcome {
    pub registrations_completed: usize,
    pub registrations_failed: usize,
    pub transfers_completed: usize,
    pub transfers_failed: usize,
    /// A batch came back full: more jobs are due now.
    pub more_due: bool,
}

impl PassOutcome {
    pub fn is_idle(&self) -> bool {
        *self == PassOutcome::default()
    }
}

/// One pass over the due jobs.
pub async fn run_once(registrar: &Registrar) -> Result<PassOutcome, RegistrarError> {
    let mut outcome = PassOutcome::default();
    let store = registrar.store();
    let registry = &registrar.registry;

    let now = registrar.now();
    let due = store.due_registrations(now, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        let years = (domain.expiration_date.years_since(domain.registration_date)).unwrap_or(1);
        // Repeat the create: it is a no-op when the request path made it,
        // and makes it when the process died before it could.
        match registry
            .create(
                &domain.domain_name,
                years.max(1),
                &domain.nameservers,
                domain.registration_date,
            )
            .await
        {
            Ok(_) => {
                let mail = mail::registration_completed(&domain);
                if store
                    .activate_registration(domain.id, &mail, registrar.now())
                    .await?
                {
                    outcome.registrations_completed += 1;
                }
            }
            Err(RegistryError::Taken { .. }) => {
                let mail = mail::registration_failed(&domain);
                match store
                    .cancel_registration(
                        domain.id,
                        &format!("Refund: the registry refused {}", domain.domain_name),
                        Some(&mail),
                        registrar.now(),
                    )
                    .await
                {
                    Ok(()) => outcome.registrations_failed += 1,
                    Err(vpsd_storage::StoreError::StateChanged) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }

    let due = store.due_transfers(now, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        match registry
            .complete_transfer(&domain.domain_name, registrar.now())
            .await
        {
            Ok(record) => {
                let mail = mail::transfer_completed(&domain, record.expires_at);
                if store
                    .complete_transfer(
                        domain.id,
                        OUR_REGISTRAR,
                        record.expires_at,
                        &mail,
                        registrar.now(),
                    )
                    .await?
                {
                    outcome.transfers_completed += 1;
                }
            }
            Err(TransferRefusal::Unavailable(e)) => return Err(RegistrarError::Unavailable(e)),
            Err(_) => {
                let mail = mail::transfer_failed(&domain);
                if store
                    .fail_transfer(
                        domain.id,
                        &format!("Refund: transfer of {} failed", domain.domain_name),
                        Some(&mail),
                        registrar.now(),
                    )
                    .await?
                {
                    outcome.transfers_failed += 1;
                }
            }
        }
    }
    Ok(outcome)
}

/// Runs passes every `interval` (at once again while a backlog remains)
/// until `shutdown` turns true.
pub async fn run(registrar: Registrar, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        let more_due = match run_once(&registrar).await {
            Ok(outcome) => {
                if !outcome.is_idle() {
                    tracing::info!(?outcome, "worker pass");
                }
                outcome.more_due
            }
            Err(e) => {
                tracing::error!(error = %e, "worker pass failed; retrying");
                false
            }
        };
        if more_due && !*shutdown.borrow() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            tracing::info!("worker stopped");
            return;
        }
    }
}

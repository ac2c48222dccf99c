//! The background worker: completes pending registrations after the
//! registration delay and pending transfers after the transfer delay.
//!
//! Several workers (in one process or many) share the jobs: a worker takes
//! a job by its lease (`job_leases`, two minutes), so one worker does each
//! job, and a job whose worker died is taken again when the lease ends. Each
//! step is also safe to run twice: the registry calls are idempotent, and
//! each completion is a conditional update (`... WHERE status = 'pending'`)
//! in the same transaction as its mail, so only one run could win anyway.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::{changes, mail, Registrar, RegistrarError};
use serde_json::json;
use vpsd_registry::{RegistryError, TransferRefusal, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, JobKind};

/// How many jobs one pass takes of each kind.
const BATCH: i64 = 100;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassOutcome {
    pub registrations_completed: usize,
    pub registrations_failed: usize,
    pub transfers_completed: usize,
    pub transfers_failed: usize,
    pub renewed: usize,
    pub renewals_failed: usize,
    pub warnings: usize,
    pub expired: usize,
    pub released: usize,
    pub transfers_out: usize,
    /// A batch came back full: more jobs are due now.
    pub more_due: bool,
}

impl PassOutcome {
    /// Adds another pass's counts to these.
    pub fn add(&mut self, other: PassOutcome) {
        self.registrations_completed += other.registrations_completed;
        self.registrations_failed += other.registrations_failed;
        self.transfers_completed += other.transfers_completed;
        self.transfers_failed += other.transfers_failed;
        self.renewed += other.renewed;
        self.renewals_failed += other.renewals_failed;
        self.warnings += other.warnings;
        self.expired += other.expired;
        self.released += other.released;
        self.transfers_out += other.transfers_out;
        self.more_due = other.more_due;
    }

    pub fn is_idle(&self) -> bool {
        *self == PassOutcome::default()
    }
}

/// How long a worker holds a job it took. Longer than any job takes; a job
/// of a worker that died is taken again after it.
const JOB_LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// Takes the lease on one job; false when another worker holds it.
///
/// `now` is the pass's own: a job is judged due and claimed at one instant.
async fn claim(
    registrar: &Registrar,
    kind: JobKind,
    domain_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, RegistrarError> {
    Ok(registrar
        .store()
        .claim_job(kind, domain_id, &holder(), now, now + JOB_LEASE)
        .await?)
}

/// Gives a job's lease back once it is done (a failed job keeps it, so it
/// is retried when the lease ends).
async fn let_go(
    registrar: &Registrar,
    kind: JobKind,
    domain_id: i64,
) -> Result<(), RegistrarError> {
    Ok(registrar
        .store()
        .release_job(kind, domain_id, &holder())
        .await?)
}

/// This process, as a lease holder.
fn holder() -> String {
    format!("pid {}", std::process::id())
}

/// One pass over the due jobs.
pub async fn run_once(registrar: &Registrar) -> Result<PassOutcome, RegistrarError> {
    let mut outcome = PassOutcome::default();
    let store = registrar.store();
    let worker = Actor::worker();
    let audit =
        |action: &'static str, fields: &[(&str, serde_json::Value, serde_json::Value)]| Audit {
            actor: &worker,
            action,
            changes: changes(fields),
        };
    let registry = &registrar.registry;

    let now = registrar.now();
    let due = store.due_registrations(now, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        if !claim(registrar, JobKind::Registration, domain.id, now).await? {
            continue;
        }
        let job = async {
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
                        .activate_registration(
                            domain.id,
                            &mail,
                            registrar.now(),
                            &audit(
                                "domain.activate",
                                &[("status", json!("pending"), json!("active"))],
                            ),
                        )
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
                            &audit(
                                "domain.register_refused",
                                &[("status", json!("pending"), serde_json::Value::Null)],
                            ),
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
            Ok::<(), RegistrarError>(())
        }
        .await;
        // A failed job keeps its lease: it is tried again when that ends.
        job?;
        let_go(registrar, JobKind::Registration, domain.id).await?;
    }

    let due = store.due_transfers(now, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        if !claim(registrar, JobKind::Transfer, domain.id, now).await? {
            continue;
        }
        let job = async {
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
                            &audit(
                                "domain.transfer_complete",
                                &[
                                    ("registrar", json!(domain.registrar), json!(OUR_REGISTRAR)),
                                    (
                                        "expiration_date",
                                        json!(domain.expiration_date.to_rfc3339()),
                                        json!(record.expires_at.to_rfc3339()),
                                    ),
                                    ("transfer_status", json!("pending"), json!("completed")),
                                ],
                            ),
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
                            vpsd_domain::lifecycle::TransferStatus::Failed,
                            &format!("Refund: transfer of {} failed", domain.domain_name),
                            Some(&mail),
                            registrar.now(),
                            &audit(
                                "domain.transfer_failed",
                                &[("transfer_status", json!("pending"), json!("failed"))],
                            ),
                        )
                        .await?
                    {
                        outcome.transfers_failed += 1;
                    }
                }
            }
            Ok::<(), RegistrarError>(())
        }
        .await;
        // A failed job keeps its lease: it is tried again when that ends.
        job?;
        let_go(registrar, JobKind::Transfer, domain.id).await?;
    }
    store
        .idempotency_purge(now - crate::IDEMPOTENCY_KEY_LIFETIME)
        .await?;
    store.purge_job_leases(now - JOB_LEASE).await?;
    store
        .purge_dns_changes(vpsd_storage::DNS_CHANGES_KEPT)
        .await?;
    approve_transfers_out(registrar, &mut outcome).await?;
    auto_renew(registrar, &mut outcome).await?;
    warn(registrar, &mut outcome).await?;
    expire(registrar, &mut outcome).await?;
    release(registrar, &mut outcome).await?;
    Ok(outcome)
}

/// Approves the transfers out whose owner did not answer within five days.
async fn approve_transfers_out(
    registrar: &Registrar,
    outcome: &mut PassOutcome,
) -> Result<(), RegistrarError> {
    let now = registrar.now();
    let due = registrar.store().due_transfer_outs(now, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        if !claim(registrar, JobKind::TransferOut, domain.id, now).await? {
            continue;
        }
        if registrar.settle_approval(&Actor::worker(), &domain).await? {
            outcome.transfers_out += 1;
        }
        let_go(registrar, JobKind::TransferOut, domain.id).await?;
    }
    Ok(())
}

/// How long after a failed auto-renewal the next attempt comes.
const RENEW_RETRY: chrono::Duration = chrono::Duration::days(1);

/// Renews `auto_renew` domains the lead time before they expire; on a short
/// balance, mails the customer and retries daily until the expiration.
async fn auto_renew(
    registrar: &Registrar,
    outcome: &mut PassOutcome,
) -> Result<(), RegistrarError> {
    let now = registrar.now();
    let lead = chrono::Duration::from_std(registrar.settings.auto_renew_lead)
        .unwrap_or(chrono::Duration::days(30));
    let due = registrar
        .store()
        .due_auto_renewals(now, now + lead, BATCH)
        .await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        if !claim(registrar, JobKind::AutoRenew, domain.id, now).await? {
            continue;
        }
        let job = async {
            let cost = Registrar::tld_of(&domain)?.prices().renew;
            match registrar
                .apply_renewal(
                    &Actor::worker(),
                    &domain,
                    1,
                    cost,
                    "renewal",
                    "renewed automatically",
                )
                .await
            {
                Ok(_) => outcome.renewed += 1,
                Err(RegistrarError::InsufficientFunds { .. }) => {
                    let retry_at = (now + RENEW_RETRY).min(domain.expiration_date);
                    let mail = mail::auto_renewal_failed(&domain, cost, retry_at);
                    if registrar
                        .store()
                        .renewal_failed(domain.id, domain.expiration_date, retry_at, &mail, now)
                        .await?
                    {
                        outcome.renewals_failed += 1;
                    }
                }
                // Another worker renewed it first.
                Err(RegistrarError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
            Ok::<(), RegistrarError>(())
        }
        .await;
        // A failed job keeps its lease: it is tried again when that ends.
        job?;
        let_go(registrar, JobKind::AutoRenew, domain.id).await?;
    }
    Ok(())
}

/// Mails the expiry warnings (30, 7 and 1 days before), each once a term,
/// but not for a domain whose auto-renewal is due: that one is renewed, or
/// its owner gets the failed renewal's own mail (a warning would race the
/// renewal in another worker and say the opposite of what happens). The
/// query leaves those out, so they never fill a batch.
async fn warn(registrar: &Registrar, outcome: &mut PassOutcome) -> Result<(), RegistrarError> {
    let now = registrar.now();
    let lead = chrono::Duration::from_std(registrar.settings.auto_renew_lead)
        .unwrap_or(chrono::Duration::days(30));
    let horizon = chrono::Duration::days(vpsd_domain::lifecycle::WARNING_DAYS[0]);
    let due = registrar
        .store()
        .expiring(now, now + horizon, now + lead, BATCH)
        .await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        let Some(days) = vpsd_domain::lifecycle::warning_due(domain.expiration_date, now) else {
            continue;
        };
        if domain.warned_days.is_some_and(|w| w <= days) {
            continue;
        }
        if !claim(registrar, JobKind::Warning, domain.id, now).await? {
            continue;
        }
        let mail = mail::expiry_warning(&domain, days);
        if registrar
            .store()
            .mark_warned(domain.id, domain.expiration_date, days, &mail, now)
            .await?
        {
            outcome.warnings += 1;
        }
        let_go(registrar, JobKind::Warning, domain.id).await?;
    }
    Ok(())
}

/// Marks domains whose expiration has passed `expired` (the grace period
/// starts).
async fn expire(registrar: &Registrar, outcome: &mut PassOutcome) -> Result<(), RegistrarError> {
    let now = registrar.now();
    let due = registrar.store().due_expirations(now, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        if !claim(registrar, JobKind::Expiry, domain.id, now).await? {
            continue;
        }
        let job = async {
            let mail = mail::expired(&domain);
            if registrar
                .store()
                .expire_domain(
                    domain.id,
                    Some(&mail),
                    now,
                    &Audit {
                        actor: &Actor::worker(),
                        action: "domain.expire",
                        changes: changes(&[("status", json!("active"), json!("expired"))]),
                    },
                )
                .await?
            {
                outcome.expired += 1;
            }
            Ok::<(), RegistrarError>(())
        }
        .await;
        // A failed job keeps its lease: it is tried again when that ends.
        job?;
        let_go(registrar, JobKind::Expiry, domain.id).await?;
    }
    Ok(())
}

/// Releases names whose grace, redemption and pending-delete periods are
/// over: deleted at the registry first (idempotent), then from the account.
async fn release(registrar: &Registrar, outcome: &mut PassOutcome) -> Result<(), RegistrarError> {
    let now = registrar.now();
    let total = chrono::Duration::days(
        vpsd_domain::lifecycle::GRACE_DAYS
            + vpsd_domain::lifecycle::REDEMPTION_DAYS
            + vpsd_domain::lifecycle::PENDING_DELETE_DAYS,
    );
    let due = registrar.store().due_releases(now - total, BATCH).await?;
    outcome.more_due |= due.len() as i64 == BATCH;
    for domain in due {
        if !claim(registrar, JobKind::Release, domain.id, now).await? {
            continue;
        }
        let job = async {
            registrar.registry.delete(&domain.domain_name).await?;
            let mail = mail::released(&domain);
            if registrar
                .store()
                .release_domain(
                    domain.id,
                    domain.expiration_date,
                    &mail,
                    now,
                    &Audit {
                        actor: &Actor::worker(),
                        action: "domain.release",
                        changes: changes(&[("in_account", json!(true), json!(false))]),
                    },
                )
                .await?
            {
                outcome.released += 1;
            }
            Ok::<(), RegistrarError>(())
        }
        .await;
        // A failed job keeps its lease: it is tried again when that ends.
        job?;
        let_go(registrar, JobKind::Release, domain.id).await?;
    }
    Ok(())
}

/// Runs passes every `interval` (at once again while a backlog remains)
/// until `shutdown` turns true.
pub async fn run(
    registrar: Registrar,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
    on_pass: impl Fn(&PassOutcome) + Send + 'static,
) {
    loop {
        let more_due = match run_once(&registrar).await {
            Ok(outcome) => {
                on_pass(&outcome);
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

//! The background worker: the jobs a registrar runs on its own, a file
//! each.
//!
//! One pass ([`run_once`]) runs, in this order:
//! - `registry_messages`: drains real registries' poll queues (transfers
//!   of customers' names asked for, approved or withdrawn at the registry);
//! - `unconfirmed_renewals`: asks the registry about renewals whose answer
//!   was lost, until it confirms (or refuses: refunded);
//! - `registrations`: completes pending registrations after the
//!   registration delay (or refunds the ones the registry refuses);
//! - `transfers_in`: completes pending transfers in after the transfer
//!   delay (or refunds the failed ones);
//! - `housekeeping`: forgets expired idempotency keys, ended job leases
//!   and old entries of the DNS change feed;
//! - `transfers_out`: approves the transfers away whose owner did not
//!   answer within five days;
//! - `auto_renewal`: renews `auto_renew` domains ahead of their expiration
//!   (or mails the owner when the balance is short);
//! - `warnings`: mails the expiry warnings;
//! - `registrant_verification`: warns the account once about each
//!   registrant whose email is still unverified after the period;
//! - `expiry`: marks domains past their expiration `expired`;
//! - `registry_delete`: deletes names at their registry when their grace
//!   period ends (the registry's redemption grace period begins, RFC 3915);
//! - `release`: deletes names past their grace, redemption and
//!   pending-delete periods, at the registry and from the account.
//!
//! A job that fails is logged with its kind, its domain (id and name) and
//! its error's whole chain, counted in [`PassOutcome::failed`], and the
//! pass goes on with the other jobs; the failed job keeps its lease, so it
//! is tried again when the lease ends.
//!
//! Several workers (in one process or many) share the jobs: a worker takes
//! a job by its lease (`job_leases`, two minutes), so one worker does each
//! job, and a job whose worker died is taken again when the lease ends. Each
//! job is also safe to run twice: the registry calls are idempotent, and
//! each completion is a conditional update (`... WHERE status = 'pending'`)
//! in the same transaction as its mail, so only one run could win anyway.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use vpsd_domain::AuditAction;
use vpsd_storage::{Actor, Audit, Domain, JobKind};

use crate::{changes, ErrorChain, Registrar, RegistrarError};

mod auto_renewal;
mod contact_objects;
mod expiry;
mod housekeeping;
mod registrant_verification;
mod registrations;
mod registry_delete;
mod registry_messages;
mod release;
pub(crate) mod transfers_in;
mod transfers_out;
mod unconfirmed_renewals;
mod warnings;

/// How many jobs one pass takes of each kind.
const BATCH: i64 = 100;

/// How long a worker holds a job it took. Longer than any job takes; a job
/// of a worker that died is taken again after it.
const JOB_LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// What one pass did: how many jobs of each kind, and how many failed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassOutcome {
    /// Pending registrations the registry confirmed (now active).
    pub registrations_completed: usize,
    /// Pending registrations the registry refused (refunded).
    pub registrations_failed: usize,
    /// Pending transfers in that completed.
    pub transfers_completed: usize,
    /// Pending transfers in the registry did not complete (refunded).
    pub transfers_failed: usize,
    /// Domains renewed automatically.
    pub renewed: usize,
    /// Automatic renewals the balance did not cover (the owner was mailed).
    pub renewals_failed: usize,
    /// Expiry warnings mailed.
    pub warnings: usize,
    /// Accounts warned that a registrant's email is still unverified.
    pub unverified_registrants: usize,
    /// Domains marked expired.
    pub expired: usize,
    /// Domains deleted at their registry as their redemption began.
    pub deleted_at_registry: usize,
    /// Domains released at the registry and from their account.
    pub released: usize,
    /// Transfers away approved after the owner's five days, or at the
    /// registry (a poll message).
    pub transfers_out: usize,
    /// Messages taken off real registries' poll queues and acknowledged.
    pub registry_messages: usize,
    /// Renewals whose lost answer the registry has now confirmed.
    pub renewals_confirmed: usize,
    /// Contact objects sent again to a registry after their contact
    /// changed (`registry_contacts.rs`).
    pub contact_objects_sent: usize,
    /// Jobs that failed (an error, logged with the job's kind, domain and
    /// cause): each keeps its lease and is tried again when it ends. A step
    /// whose list of due jobs could not be read counts as one.
    pub failed: usize,
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
        self.unverified_registrants += other.unverified_registrants;
        self.expired += other.expired;
        self.deleted_at_registry += other.deleted_at_registry;
        self.released += other.released;
        self.transfers_out += other.transfers_out;
        self.registry_messages += other.registry_messages;
        self.renewals_confirmed += other.renewals_confirmed;
        self.contact_objects_sent += other.contact_objects_sent;
        self.failed += other.failed;
        self.more_due = other.more_due;
    }

    /// Whether the pass found nothing to do (and nothing failed).
    pub fn is_idle(&self) -> bool {
        *self == PassOutcome::default()
    }

    /// Counts one job's result.
    fn count(&mut self, done: Done) {
        let counter = match done {
            Done::Nothing => return,
            Done::RegistrationCompleted => &mut self.registrations_completed,
            Done::RegistrationFailed => &mut self.registrations_failed,
            Done::TransferCompleted => &mut self.transfers_completed,
            Done::TransferFailed => &mut self.transfers_failed,
            Done::Renewed => &mut self.renewed,
            Done::RenewalFailed => &mut self.renewals_failed,
            Done::Warned => &mut self.warnings,
            Done::Expired => &mut self.expired,
            Done::DeletedAtRegistry => &mut self.deleted_at_registry,
            Done::Released => &mut self.released,
            Done::TransferredOut => &mut self.transfers_out,
        };
        *counter += 1;
    }
}

/// What a job that ran to its end did (the counter of [`PassOutcome`] it
/// adds one to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Done {
    /// Nothing to count: another worker, or a race, got there first.
    Nothing,
    RegistrationCompleted,
    RegistrationFailed,
    TransferCompleted,
    TransferFailed,
    Renewed,
    RenewalFailed,
    Warned,
    Expired,
    DeletedAtRegistry,
    Released,
    TransferredOut,
}

/// One pass in progress: the registrar, what it has done so far.
struct Pass<'a> {
    registrar: &'a Registrar,
    outcome: PassOutcome,
}

impl<'a> Pass<'a> {
    /// The due jobs a step read and whether the batch came back full, or
    /// none (logged and counted as a failure) when they could not be read.
    fn due(
        &mut self,
        kind: JobKind,
        due: Result<Vec<Domain>, vpsd_storage::StoreError>,
    ) -> (Vec<Domain>, bool) {
        match due {
            Ok(due) => {
                let full = due.len() as i64 == BATCH;
                (due, full)
            }
            Err(e) => {
                self.outcome.failed += 1;
                tracing::error!(
                    job = kind.as_str(),
                    error = %ErrorChain(&e),
                    "worker could not read its due jobs; the other jobs go on"
                );
                (Vec::new(), false)
            }
        }
    }

    /// Runs the job of each domain of `due` (made by `job` once its lease
    /// is taken), each judged due and claimed at `now`. `full`: the batch
    /// read came back full, so more are due unless all of these failed.
    async fn run_batch<F, Fut>(
        &mut self,
        kind: JobKind,
        now: DateTime<Utc>,
        full: bool,
        due: Vec<Domain>,
        job: F,
    ) where
        F: Fn(&'a Registrar, Domain, DateTime<Utc>) -> Fut,
        Fut: Future<Output = Result<Done, RegistrarError>>,
    {
        let failed_before = self.outcome.failed;
        let batch = due.len();
        for domain in due {
            self.run_job(kind, now, domain, &job).await;
        }
        // A batch that only failed is not worth going round again at once:
        // its jobs keep their leases until they end.
        self.outcome.more_due |= full && self.outcome.failed - failed_before < batch.max(1);
    }

    /// Takes the lease on `domain`'s job of `kind`, runs the job (each in
    /// its own span: kind, account, domain), gives the lease back when it
    /// succeeded; a failure is logged with its kind, its domain and the
    /// whole chain of its cause, and counted.
    async fn run_job<F, Fut>(&mut self, kind: JobKind, now: DateTime<Utc>, domain: Domain, job: &F)
    where
        F: Fn(&'a Registrar, Domain, DateTime<Utc>) -> Fut,
        Fut: Future<Output = Result<Done, RegistrarError>>,
    {
        let registrar = self.registrar;
        let (id, name) = (domain.id, domain.domain_name.clone());
        let result = async {
            if !claim(registrar, kind, id, now).await? {
                return Ok(None);
            }
            let done = job(registrar, domain, now).await?;
            // A failed job keeps its lease: it is tried again when that ends.
            let_go(registrar, kind, id).await?;
            Ok::<_, RegistrarError>(Some(done))
        }
        .await;
        match result {
            Ok(Some(done)) => self.outcome.count(done),
            Ok(None) => {}
            Err(e) => {
                self.outcome.failed += 1;
                tracing::error!(
                    job = kind.as_str(),
                    domain_id = %id,
                    domain = %name,
                    error = %ErrorChain(&e),
                    "worker job failed; tried again when its lease ends"
                );
            }
        }
    }
}

/// Takes the lease on one job; false when another worker holds it.
///
/// `now` is the step's own: a job is judged due and claimed at one instant.
async fn claim(
    registrar: &Registrar,
    kind: JobKind,
    domain_id: vpsd_domain::DomainId,
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
    domain_id: vpsd_domain::DomainId,
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

/// An audit entry of the worker's.
fn audit<'a>(
    worker: &'a Actor,
    action: AuditAction,
    fields: &[(&str, serde_json::Value, serde_json::Value)],
) -> Audit<'a> {
    Audit {
        actor: worker,
        action,
        changes: changes(fields),
    }
}

/// One pass over the due jobs, every step in turn (see the module docs).
///
/// A failed job, or a step whose due jobs could not be read, is logged and
/// counted in [`PassOutcome::failed`]; the pass goes on with the others.
///
/// # Errors
/// None today: every failure is counted instead. The `Result` stays so a
/// caller handles a pass that could not run at all.
#[tracing::instrument(level = "debug", name = "worker_pass", skip_all)]
pub async fn run_once(registrar: &Registrar) -> Result<PassOutcome, RegistrarError> {
    let mut pass = Pass {
        registrar,
        outcome: PassOutcome::default(),
    };
    let now = registrar.now();
    registry_messages::run(&mut pass).await;
    unconfirmed_renewals::run(&mut pass).await;
    registrations::run(&mut pass, now).await;
    transfers_in::run(&mut pass, now).await;
    housekeeping::run(&mut pass, now).await;
    transfers_out::run(&mut pass).await;
    auto_renewal::run(&mut pass).await;
    warnings::run(&mut pass).await;
    registrant_verification::run(&mut pass).await;
    contact_objects::run(&mut pass).await;
    expiry::run(&mut pass).await;
    registry_delete::run(&mut pass).await;
    release::run(&mut pass).await;
    Ok(pass.outcome)
}

/// Runs passes every `interval` (at once again while a backlog remains)
/// until `shutdown` turns true; `on_pass` sees each pass's outcome.
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
                tracing::error!(error = %ErrorChain(&e), "worker pass failed; retrying");
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

//! The worker's own bookkeeping: what is kept only for a while.

use chrono::{DateTime, Utc};

use super::{Pass, JOB_LEASE};
use crate::ErrorChain;

/// Forgets the idempotency keys older than their lifetime
/// ([`crate::IDEMPOTENCY_KEY_LIFETIME`]), the job leases that ended
/// ([`JOB_LEASE`] ago), and the DNS change feed's entries beyond the newest
/// [`vpsd_storage::DNS_CHANGES_KEPT`]. Each purge that fails is logged and
/// counted; the others still run.
#[tracing::instrument(level = "debug", name = "housekeeping", skip_all)]
pub(super) async fn run(pass: &mut Pass<'_>, now: DateTime<Utc>) {
    let store = pass.registrar.store();
    let purges = [
        (
            "idempotency keys",
            store
                .idempotency_purge(now - crate::IDEMPOTENCY_KEY_LIFETIME)
                .await,
        ),
        ("job leases", store.purge_job_leases(now - JOB_LEASE).await),
        (
            "dns changes",
            store
                .purge_dns_changes(vpsd_storage::DNS_CHANGES_KEPT)
                .await,
        ),
    ];
    for (what, result) in purges {
        if let Err(e) = result {
            pass.outcome.failed += 1;
            tracing::error!(
                job = "housekeeping",
                purge = what,
                error = %ErrorChain(&e),
                "worker purge failed; the other jobs go on"
            );
        }
    }
}

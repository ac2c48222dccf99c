//! Approves the transfers away whose owner did not answer in time.

use chrono::{DateTime, Utc};
use vpsd_storage::{Actor, Domain};

use super::{Done, JobKind, Pass, BATCH};
use crate::{Registrar, RegistrarError};

/// Approves the transfers out whose owner did not answer within five days
/// (ICANN Transfer Policy §I.A.3.4: the losing registrar approves by
/// default).
pub(super) async fn run(pass: &mut Pass<'_>) {
    let now = pass.registrar.now();
    let due = pass.registrar.store().due_transfer_outs(now, BATCH).await;
    let (due, full) = pass.due(JobKind::TransferOut, due);
    pass.run_batch(JobKind::TransferOut, now, full, due, approve)
        .await;
}

/// Approves one transfer out, at the registry first, then in the account.
///
/// # Errors
/// The registry's refusal or unavailability; the store's.
#[tracing::instrument(level = "info", name = "transfer_out_approve", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn approve(
    registrar: &Registrar,
    domain: Domain,
    _now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    Ok(
        if registrar.settle_approval(&Actor::worker(), &domain).await? {
            Done::TransferredOut
        } else {
            Done::Nothing
        },
    )
}

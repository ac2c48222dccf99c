//! Mails the expiry warnings.

use chrono::{DateTime, Utc};
use vpsd_domain::lifecycle::{warning_due, WARNING_DAYS};
use vpsd_storage::Domain;

use super::{Done, JobKind, Pass, BATCH};
use crate::{mail, Registrar, RegistrarError};

/// Mails the expiry warnings (30, 7 and 1 days before), each once a term,
/// but not for a domain whose auto-renewal is due: that one is renewed, or
/// its owner gets the failed renewal's own mail (a warning would race the
/// renewal in another worker and say the opposite of what happens). The
/// query leaves those out, so they never fill a batch.
pub(super) async fn run(pass: &mut Pass<'_>) {
    let now = pass.registrar.now();
    let lead = chrono::Duration::from_std(pass.registrar.settings.auto_renew_lead)
        .unwrap_or(chrono::Duration::days(30));
    let horizon = chrono::Duration::days(WARNING_DAYS[0]);
    let due = pass
        .registrar
        .store()
        .expiring(now, now + horizon, now + lead, BATCH)
        .await;
    let (due, full) = pass.due(JobKind::Warning, due);
    // Only the domains with a warning due and not yet sent take a lease.
    let due = due
        .into_iter()
        .filter(|d| {
            warning_due(d.expiration_date, now)
                .is_some_and(|days| d.warned_days.is_none_or(|w| w > days))
        })
        .collect();
    pass.run_batch(JobKind::Warning, now, full, due, warn).await;
}

/// Mails one domain's warning and notes it was sent for this term.
///
/// # Errors
/// The store's.
#[tracing::instrument(level = "info", name = "expiry_warning", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn warn(
    registrar: &Registrar,
    domain: Domain,
    now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    let Some(days) = warning_due(domain.expiration_date, now) else {
        return Ok(Done::Nothing);
    };
    let mail = mail::expiry_warning(&domain, days);
    let marked = registrar
        .store()
        .mark_warned(domain.id, domain.expiration_date, days, &mail, now)
        .await?;
    Ok(if marked { Done::Warned } else { Done::Nothing })
}

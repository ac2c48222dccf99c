//! Renews `auto_renew` domains ahead of their expiration.

use chrono::{DateTime, Utc};
use vpsd_storage::{Actor, Domain};

use super::{Done, JobKind, Pass, BATCH};
use crate::{mail, Registrar, RegistrarError};

/// How long after a failed auto-renewal the next attempt comes.
const RENEW_RETRY: chrono::Duration = chrono::Duration::days(1);

/// Renews the `auto_renew` domains that expire within the lead time
/// ([`crate::RegistrarSettings::auto_renew_lead`]).
pub(super) async fn run(pass: &mut Pass<'_>) {
    let now = pass.registrar.now();
    let lead = chrono::Duration::from_std(pass.registrar.settings.auto_renew_lead)
        .unwrap_or(chrono::Duration::days(30));
    let due = pass
        .registrar
        .store()
        .due_auto_renewals(now, now + lead, BATCH)
        .await;
    let (due, full) = pass.due(JobKind::AutoRenewal, due);
    pass.run_batch(JobKind::AutoRenewal, now, full, due, renew)
        .await;
}

/// Renews one domain for a year at the TLD's price; on a short balance,
/// mails the owner and retries daily until the expiration.
///
/// # Errors
/// The registry's or the store's (a renewal another worker made first is
/// not an error).
#[tracing::instrument(level = "info", name = "auto_renewal", skip_all, fields(account_id = %domain.account_id, domain_id = %domain.id, domain = %domain.domain_name))]
async fn renew(
    registrar: &Registrar,
    domain: Domain,
    now: DateTime<Utc>,
) -> Result<Done, RegistrarError> {
    let quote = registrar
        .quote_stored(&domain, vpsd_domain::Years::ONE)
        .await?;
    let cost = quote.renew;
    let price = crate::renew::Price {
        cost,
        renew_fee: quote.agreed("renew"),
        restore_fee: None,
    };
    match registrar
        .apply_renewal(
            &Actor::worker(),
            &domain,
            1,
            price,
            "renewal",
            "renewed automatically",
        )
        .await
    {
        Ok(_) => Ok(Done::Renewed),
        Err(RegistrarError::InsufficientFunds { .. }) => {
            let retry_at = (now + RENEW_RETRY).min(domain.expiration_date);
            let mail = mail::auto_renewal_failed(&domain, cost, retry_at);
            let noted = registrar
                .store()
                .renewal_failed(domain.id, domain.expiration_date, retry_at, &mail, now)
                .await?;
            Ok(if noted {
                Done::RenewalFailed
            } else {
                Done::Nothing
            })
        }
        // Another worker renewed it first.
        Err(RegistrarError::Conflict(_)) => Ok(Done::Nothing),
        Err(e) => Err(e),
    }
}

//! Warns the account once about each registrant whose email is still
//! unverified after the period (`RegistrarSettings::registrant_verification_period`,
//! 15 days by default, ICANN's RAA). The domains stay as they are: the
//! detail shows `registrant_verified: false` with a warning; nothing is
//! suspended.

use super::{Pass, BATCH};
use crate::{mail, ErrorChain};

/// One step of a pass: each due contact's warning queued and noted in one
/// conditional transaction, so two workers, or one twice, warn once.
pub(super) async fn run(pass: &mut Pass<'_>) {
    let registrar = pass.registrar;
    let now = registrar.now();
    let period = chrono::Duration::from_std(registrar.settings.registrant_verification_period)
        .unwrap_or(chrono::Duration::days(15));
    let due = match registrar
        .store()
        .unverified_registrants(now - period, BATCH)
        .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "could not read the unverified registrants");
            pass.outcome.failed += 1;
            return;
        }
    };
    for r in due {
        let Some(sent_at) = r.contact.email_verification_sent_at else {
            continue;
        };
        let mail = mail::registrant_unverified(r.contact.account_id, &r.contact.handle, &r.domains);
        match registrar
            .store()
            .warn_unverified(r.contact.id, sent_at, &mail, now)
            .await
        {
            Ok(true) => pass.outcome.unverified_registrants += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(contact_id = %r.contact.id, error = %ErrorChain(&e), "could not warn about an unverified registrant");
                pass.outcome.failed += 1;
            }
        }
    }
}

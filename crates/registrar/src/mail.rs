//! The confirmation mails the worker puts in the outbox.

use chrono::SecondsFormat;
use vpsd_storage::{Domain, NewMail};

fn date(d: chrono::DateTime<chrono::Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn registration_completed(domain: &Domain) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} is registered", domain.domain_name),
        body: format!(
            "Your registration of {} is complete. It is active and expires on {}.\n",
            domain.domain_name,
            date(domain.expiration_date)
        ),
    }
}

pub fn registration_failed(domain: &Domain) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} could not be registered", domain.domain_name),
        body: format!(
            "The registry refused the registration of {}: another registrar registered it first. \
             The charge has been refunded to your balance.\n",
            domain.domain_name
        ),
    }
}

pub fn transfer_completed(domain: &Domain, expiration: chrono::DateTime<chrono::Utc>) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} has been transferred to VPS.org", domain.domain_name),
        body: format!(
            "The transfer of {} is complete. VPS.org is now its registrar; it was renewed for one \
             year and expires on {}.\n",
            domain.domain_name,
            date(expiration)
        ),
    }
}

pub fn transfer_failed(domain: &Domain) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("The transfer of {} failed", domain.domain_name),
        body: format!(
            "The current registrar of {} did not release it, so the transfer failed. The \
             transfer fee has been refunded to your balance. Check that the domain is unlocked \
             and the auth code is current, then try again.\n",
            domain.domain_name
        ),
    }
}

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

pub fn transfer_initiated(domain: &Domain, completes_at: chrono::DateTime<chrono::Utc>) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!(
            "The transfer of {} to VPS.org has started",
            domain.domain_name
        ),
        body: format!(
            "We asked the registry to transfer {} to VPS.org. Its current registrar may ask you to \
             approve the transfer; unless it refuses, the transfer completes by {} and adds one \
             year to the registration.\n",
            domain.domain_name,
            date(completes_at)
        ),
    }
}

pub fn renewed(
    domain: &Domain,
    new_expiration: chrono::DateTime<chrono::Utc>,
    cost: vpsd_domain::Money,
    how: &str,
) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} has been renewed", domain.domain_name),
        body: format!(
            "{} was {how} for ${cost}. It now expires on {}.\n",
            domain.domain_name,
            date(new_expiration)
        ),
    }
}

pub fn auto_renewal_failed(
    domain: &Domain,
    cost: vpsd_domain::Money,
    retry_at: chrono::DateTime<chrono::Utc>,
) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("Action needed: {} could not be renewed", domain.domain_name),
        body: format!(
            "The automatic renewal of {} for ${cost} failed: the account balance is too low. \
             Add funds before {} (its expiration); we will try again on {}.\n",
            domain.domain_name,
            date(domain.expiration_date),
            date(retry_at)
        ),
    }
}

pub fn expiry_warning(domain: &Domain, days: i64) -> NewMail {
    let when = if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    };
    let renew = if domain.auto_renew {
        "Auto-renewal is on: keep enough funds in the account."
    } else {
        "Auto-renewal is off: renew it (POST /api/v1/domains/ID/renew/) to keep it."
    };
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} expires in {when}", domain.domain_name),
        body: format!(
            "{} expires on {}. {renew}\n",
            domain.domain_name,
            date(domain.expiration_date)
        ),
    }
}

pub fn expired(domain: &Domain) -> NewMail {
    let dates = vpsd_domain::lifecycle::ExpiryDates::after(domain.expiration_date);
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} has expired", domain.domain_name),
        body: format!(
            "{} expired on {}. Until {} it can be renewed at the normal price; from then until {} \
             it can be restored for the restore fee plus one year; on {} it is released and anyone \
             can register it.\n",
            domain.domain_name,
            date(domain.expiration_date),
            date(dates.grace_ends_at),
            date(dates.redemption_ends_at),
            date(dates.release_at)
        ),
    }
}

pub fn released(domain: &Domain) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} has been released", domain.domain_name),
        body: format!(
            "{} expired on {} and was not renewed or restored, so it has been released: it is no \
             longer in your account and anyone can register it.\n",
            domain.domain_name,
            date(domain.expiration_date)
        ),
    }
}

pub fn transfer_rejected(domain: &Domain) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("The transfer of {} was rejected", domain.domain_name),
        body: format!(
            "The current registrar of {} rejected the transfer to VPS.org. The transfer fee has \
             been refunded to your balance. Ask the current registrar why (often: the domain is \
             locked there, or its owner refused), then try again.\n",
            domain.domain_name
        ),
    }
}

pub fn transfer_out_requested(
    domain: &Domain,
    gaining: &str,
    approves_at: chrono::DateTime<chrono::Utc>,
) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{gaining} asked to take {}", domain.domain_name),
        body: format!(
            "{gaining} asked the registry to transfer {} away from VPS.org, with the domain's \
             auth code. If you asked for this, do nothing: the transfer is approved on {} (or \
             approve it now: POST /api/v1/domains/{}/transfer-out/approve/). If you did not, \
             reject it: POST /api/v1/domains/{}/transfer-out/reject/, then lock the domain and \
             get a new auth code.\n",
            domain.domain_name,
            date(approves_at),
            domain.id,
            domain.id
        ),
    }
}

pub fn transfer_out_completed(domain: &Domain, gaining: &str) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} has been transferred to {gaining}", domain.domain_name),
        body: format!(
            "The transfer of {} to {gaining} is complete: it has left your VPS.org account, and \
             VPS.org no longer serves its DNS. Its charges stay in your account's history.\n",
            domain.domain_name
        ),
    }
}

/// The registry deleted `domain` by itself (RFC 8590 change poll): it has
/// left the account.
pub fn deleted_by_registry(domain: &Domain, reason: Option<&str>) -> NewMail {
    let why = reason
        .map(|r| format!(" The registry's reason: {r}."))
        .unwrap_or_default();
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} was deleted by its registry", domain.domain_name),
        body: format!(
            "The registry of {} deleted it.{why} It has left your VPS.org account, and VPS.org \
             no longer serves its DNS. Its charges stay in your account's history.\n",
            domain.domain_name
        ),
    }
}

/// The registry put `domain` on hold by itself (RFC 5731 §2.3
/// `serverHold`): it is out of the TLD's zone and does not resolve.
pub fn on_hold_at_registry(domain: &Domain) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!("{} was put on hold by its registry", domain.domain_name),
        body: format!(
            "The registry of {} has put it on hold (serverHold): it is out of the TLD's zone, so \
             it does not resolve, and its website and email stop working. Only the registry can \
             lift the hold: contact VPS.org support, who will ask the registry why and what it \
             needs.\n",
            domain.domain_name
        ),
    }
}

pub fn transfer_out_rejected(domain: &Domain, gaining: &str) -> NewMail {
    NewMail {
        account_id: domain.account_id,
        subject: format!(
            "The transfer of {} to {gaining} was rejected",
            domain.domain_name
        ),
        body: format!(
            "You rejected the transfer of {} to {gaining}: it stays with VPS.org.\n",
            domain.domain_name
        ),
    }
}

/// The mail that asks a contact to verify its email (ICANN RAA, Whois
/// Accuracy Program): a link with `token` to the verification page
/// (`{public_url}/verify-email/?token=`). Sent to the contact's email.
pub fn email_verification(
    contact: &vpsd_domain::contact::ContactData,
    public_url: &str,
    token: &str,
    period_days: i64,
) -> (String, String) {
    (
        "Please verify your email address for your domains".to_owned(),
        format!(
            "Hello {},\n\nThis address is given as a domain contact at VPS.org. To confirm it \
             reaches you, open this link and press the button:\n\n{}/verify-email/?token={}\n\n\
             Domain rules (ICANN) ask for this within {} days; until then the domains this \
             address is the registrant of are marked unverified. If you did not expect this \
             mail, ignore it.\n",
            contact.name, public_url, token, period_days
        ),
    )
}

/// The warning to the account that a registrant's email is still
/// unverified after the period: which domains, and what to do. Nothing is
/// suspended (docs/api.md, "Registrant email verification").
pub fn registrant_unverified(
    account_id: vpsd_domain::AccountId,
    handle: &str,
    domains: &[String],
) -> NewMail {
    NewMail {
        account_id,
        subject: format!(
            "Action needed: the registrant email of {} is not verified",
            domains.join(", ")
        ),
        body: format!(
            "The email of contact {handle}, the registrant of {}, has not been verified: the \
             verification mail's link was not followed. Ask its owner to follow it, or give the \
             contact a working email (PUT /api/v1/contacts/{{id}}/ sends a new mail). Until then \
             these domains show registrant_verified: false. They are not suspended.\n",
            domains.join(", ")
        ),
    }
}

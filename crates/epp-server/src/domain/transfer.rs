//! `<domain:transfer>` (RFC 5731 §3.2.4): request, query, approve, reject
//! and cancel, answered with `<domain:trnData>`, and the result codes of a
//! refused transfer.

use super::*;

/// The `<domain:trnData>` element of `n` (RFC 5731 §3.1.3).
pub(crate) fn trn_data(n: &TransferNotice) -> String {
    let mut x = Xml::default();
    x.open("domain:trnData", &attr("xmlns:domain", DOMAIN_NS))
        .text("domain:name", "", &n.name)
        .text("domain:trStatus", "", n.tr_status.as_str())
        .text("domain:reID", "", &n.requesting_registrar)
        .text("domain:reDate", "", &date(n.requested_at))
        .text("domain:acID", "", &n.acting_registrar)
        .text("domain:acDate", "", &date(n.acted_at));
    if let Some(ex) = n.ex_date {
        x.text("domain:exDate", "", &date(ex));
    }
    x.close("domain:trnData");
    x.into_string()
}

pub(super) async fn transfer(
    registry: &SandboxRegistry,
    o: RegistryObject,
    op: Option<&str>,
    object: Node<'_, '_>,
    now: DateTime<Utc>,
) -> Answer {
    let me = registry.client_id();
    let name = o.record.name.clone();
    let pending_to = o.record.pending_transfer_to.clone();
    let answer = |tr: TrStatus, object: &RegistryObject, code: u16, gaining: &str| {
        let notice = registry.transfer_notice(object, gaining, tr, now);
        Answer::data(code, trn_data(&notice))
    };
    match op {
        Some("request") => {
            if let Err(a) = period(object) {
                return a;
            }
            let Some(pw) = auth_info(object) else {
                return Answer::fail(2003, "<domain:authInfo> is required");
            };
            match registry.request_transfer(&name, pw, None, now).await {
                Ok(()) => match registry.store().registry_object(&name).await {
                    Ok(Some(now_o)) => answer(TrStatus::Pending, &now_o, 1001, me),
                    Ok(None) => Answer::fail(2303, "deleted meanwhile"),
                    Err(e) => store_failed(e),
                },
                Err(e) => refused(e),
            }
        }
        Some("query") => {
            let Some(gaining) = pending_to else {
                return Answer::fail(2301, "no transfer is pending");
            };
            let allowed = o.record.sponsoring_registrar == me
                || gaining == me
                || auth_info(object).is_some_and(|pw| secrets_equal(pw, &o.record.auth_code));
            if !allowed {
                return Answer::fail(2201, "neither registrar of this transfer");
            }
            answer(TrStatus::Pending, &o, 1000, &gaining)
        }
        Some("approve") | Some("reject") => {
            let Some(gaining) = pending_to else {
                return Answer::fail(2301, "no transfer is pending");
            };
            if o.record.sponsoring_registrar != me {
                return Answer::fail(2201, "only the sponsoring registrar approves or rejects");
            }
            if op == Some("approve") {
                match registry.approve_transfer(&name, &gaining, now).await {
                    Ok(()) => answer(TrStatus::ClientApproved, &o, 1000, &gaining),
                    Err(e) => refused(e),
                }
            } else {
                match registry.reject_pending(&o, &gaining, now).await {
                    Ok(true) => answer(TrStatus::ClientRejected, &o, 1000, &gaining),
                    Ok(false) => Answer::fail(2301, "no transfer is pending"),
                    Err(e) => store_failed(e),
                }
            }
        }
        Some("cancel") => {
            if pending_to.as_deref() != Some(me) {
                return if pending_to.is_none() {
                    Answer::fail(2301, "no transfer is pending")
                } else {
                    Answer::fail(2201, "only the gaining registrar cancels")
                };
            }
            match registry.cancel_pending(&o, now).await {
                Ok(true) => answer(TrStatus::ClientCancelled, &o, 1000, me),
                Ok(false) => Answer::fail(2301, "no transfer is pending"),
                Err(e) => store_failed(e),
            }
        }
        Some(other) => Answer::fail(
            2005,
            format!("transfer op {other} is not one of RFC 5730's"),
        ),
        None => Answer::fail(2003, "<transfer> needs op"),
    }
}

/// The result code of a refused transfer (RFC 5730 §3, RFC 5731 §3.2.4).
fn refused(e: TransferRefusal) -> Answer {
    match e {
        TransferRefusal::NotRegistered => Answer::fail(2303, "not registered"),
        TransferRefusal::AlreadyOurs => Answer::fail(2106, "you sponsor it already"),
        TransferRefusal::Prohibited => Answer::fail(
            2304,
            "clientTransferProhibited or serverTransferProhibited is set",
        ),
        TransferRefusal::TooSoon { eligible_at } => Answer::fail(
            2106,
            format!(
                "within 60 days of its creation or last transfer; eligible at {}",
                date(eligible_at)
            ),
        ),
        TransferRefusal::InvalidAuthCode => Answer::fail(2202, "wrong authInfo"),
        TransferRefusal::InProgress => Answer::fail(2300, "a transfer is pending already"),
        TransferRefusal::SponsoredElsewhere => Answer::fail(2201, "another registrar sponsors it"),
        TransferRefusal::NotPending => Answer::fail(2301, "no transfer is pending"),
        TransferRefusal::StillPending => Answer::fail(2300, "the transfer is pending"),
        TransferRefusal::Unavailable(e) => store_failed(e),
    }
}

//! Domain commands (RFC 5731 §3): check, info, create, renew, update,
//! delete and transfer, each for the logged-in registrar; and the
//! redemption grace period (RFC 3915): a deleted name is answered by info
//! (status `pendingDelete`, `<rgp:infData>` with its RGP status), is not
//! available to check or create, refuses every other command (2304; a
//! renewal 2105), and is restored by its sponsor with `<domain:update>`
//! carrying `<rgp:restore op="request"/>`, then `op="report"`.

use chrono::{DateTime, Utc};
use roxmltree::Node;
use sha2::{Digest, Sha256};
use vpsd_domain::lifecycle::add_years;
use vpsd_domain::token::secrets_equal;
use vpsd_domain::DomainName;
use vpsd_registry::{
    Registry, RegistryDomainContacts, RegistryError, RegistryObject, RgpStatus, SandboxRegistry,
    TrStatus, TransferNotice, TransferRefusal,
};

use crate::response::{attr, date, Answer, Xml};
use crate::session::{child, child_text, elements, is, store_failed};
use crate::{EppServer, DOMAIN_NS, RGP_NS};

mod change;
mod create;
mod fee;
mod query;
mod rgp;
mod transfer;

use change::{delete, renew, update};
use create::{create, name_servers};
use query::{check, info};
use rgp::{restore, rgp_status};
use transfer::transfer;
pub(crate) use transfer::trn_data;
/// The longest term a registration may reach (RFC 5731 §3.2.1: the server
/// sets the limit; 10 years as the gTLD registries do).
const MAX_YEARS: i64 = 10;

/// The repository object id of a name (`roidType`: word characters, a
/// hyphen, the repository's id): a digest of the name, stable for its life.
pub(crate) fn roid(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    format!("{}-VPSD", hex::encode_upper(&digest[..8]))
}

/// Answers one domain command; `rgp` is the RFC 3915 extension element
/// (`<rgp:update>`) an update carries, `fee` the RFC 8748 one a check,
/// create, renew, transfer request or restore request carries
/// (`<fee:check>`, `<fee:create>`, `<fee:renew>`, `<fee:transfer>`,
/// `<fee:update>`).
pub(crate) async fn command(
    server: &EppServer,
    registry: &SandboxRegistry,
    verb: &str,
    op: Option<&str>,
    object: Node<'_, '_>,
    rgp: Option<Node<'_, '_>>,
    fee: Option<Node<'_, '_>>,
) -> Answer {
    if !is(object, DOMAIN_NS, verb) {
        return Answer::fail(2001, format!("<{verb}> holds <domain:{verb}>"));
    }
    let now = server.clock.now();
    if verb == "check" {
        return check(registry, object, fee, now).await;
    }
    let Some(raw) = child_text(object, DOMAIN_NS, "name") else {
        return Answer::fail(2003, "<domain:name> is missing");
    };
    let name = match DomainName::parse_stored(raw) {
        Ok(n) => n.as_str().to_owned(),
        Err(e) => return Answer::fail(2005, format!("{raw}: {e}")),
    };
    // Transfers the losing registrar left unanswered are the registry's
    // to approve before anything else is said about the name.
    if let Err(e) = registry.settle_due(&name, now).await {
        return store_failed(e);
    }
    let current = match registry.store().registry_object(&name).await {
        Ok(o) => o,
        Err(e) => return store_failed(e),
    };
    if verb == "create" {
        // A premium name is created only at the fee the client agrees to
        // (RFC 8748 §3.8).
        let agreed = match (current.is_some(), period(object)) {
            (false, Ok(years)) => {
                match fee::agree(registry, &name, "create", years, fee, now).await {
                    Ok(a) => a,
                    Err(a) => return a,
                }
            }
            _ => None,
        };
        let mut answer = create(registry, &name, current.is_some(), object, now).await;
        if answer.code == 1000 {
            answer.extension = agreed;
        }
        return answer;
    }
    if let Some(rgp) = rgp {
        return restore(registry, &name, rgp, fee, now).await;
    }
    let Some(current) = current else {
        return match registry.deleted(&name, now).await {
            Ok(Some((d, status))) => match verb {
                "info" => {
                    let o = RegistryObject {
                        created_by: d.record.sponsoring_registrar.clone(),
                        record: d.record,
                        updated_at: d.deleted_at,
                        transfer_requested_at: None,
                    };
                    info(registry, o, object, Some(status)).await
                }
                "renew" => Answer::fail(2105, format!("{name} is deleted: restore it first")),
                _ => Answer::fail(2304, format!("{name} is in {} (RFC 3915)", status.as_str())),
            },
            Ok(None) => Answer::fail(2303, format!("{name} is not registered")),
            Err(e) => store_failed(e),
        };
    };
    match verb {
        "info" => info(registry, current, object, None).await,
        "renew" => {
            let agreed = match period(object) {
                Ok(years) => match fee::agree(registry, &name, "renew", years, fee, now).await {
                    Ok(a) => a,
                    Err(a) => return a,
                },
                Err(a) => return a,
            };
            let mut answer = renew(registry, current, object, now).await;
            if answer.code == 1000 {
                answer.extension = agreed;
            }
            answer
        }
        "update" => update(registry, current, object, now).await,
        "delete" => delete(registry, current, now).await,
        "transfer" if op == Some("request") => {
            // A transfer adds one year (RFC 8748 §3.3).
            let agreed = match fee::agree(registry, &name, "transfer", 1, fee, now).await {
                Ok(a) => a,
                Err(a) => return a,
            };
            let mut answer = transfer(registry, current, op, object, now).await;
            if answer.code < 2000 {
                answer.extension = agreed;
            }
            answer
        }
        "transfer" if fee.is_some() => Answer::fail(
            2103,
            "the fee extension goes with <transfer op=\"request\"> only",
        ),
        "transfer" => transfer(registry, current, op, object, now).await,
        _ => Answer::fail(2000, format!("unknown command <{verb}>")),
    }
}

/// The registry's rule for a new authInfo: 8 to 64 characters, so another
/// registrar cannot guess it (RFC 5731 leaves the rule to the registry;
/// ICANN's Transfer Policy wants codes that are hard to guess). 2306
/// otherwise.
fn auth_info_policy(pw: &str) -> Result<(), Answer> {
    let n = pw.chars().count();
    if !(8..=64).contains(&n) {
        return Err(Answer::fail(2306, "authInfo must be 8 to 64 characters"));
    }
    Ok(())
}

/// The `<domain:authInfo><domain:pw>` given, if any.
fn auth_info<'a>(object: Node<'a, '_>) -> Option<&'a str> {
    child(object, DOMAIN_NS, "authInfo").and_then(|a| child_text(a, DOMAIN_NS, "pw"))
}

/// The `<domain:registrant>` and `<domain:contact type>` elements of
/// `parent` (a create, or an update's `<domain:add>`, `<domain:rem>` or
/// `<domain:chg>`; RFC 5731 §2.2): `type` one of `admin`, `tech`,
/// `billing` (2005), one contact of each type here (2306); an empty one
/// is none.
fn contacts_of(parent: Option<Node<'_, '_>>) -> Result<RegistryDomainContacts, Answer> {
    let mut c = RegistryDomainContacts::default();
    let Some(parent) = parent else {
        return Ok(c);
    };
    // An empty element names nobody: some clients (pyepp) send an empty
    // <domain:registrant/> when they have none, read as none here.
    if let Some(r) = child_text(parent, DOMAIN_NS, "registrant").filter(|r| !r.is_empty()) {
        c.registrant = Some(r.to_owned());
    }
    for n in elements(parent).filter(|n| is(*n, DOMAIN_NS, "contact")) {
        let kind = n.attribute("type").unwrap_or("");
        if !matches!(kind, "admin" | "tech" | "billing") {
            return Err(Answer::fail(
                2005,
                format!("<domain:contact type=\"{kind}\">: the type is admin, tech or billing"),
            ));
        }
        let id = n.text().unwrap_or("").trim();
        if id.is_empty() {
            continue;
        }
        let Some(slot) = c.slot(kind) else {
            continue;
        };
        if slot.is_some() {
            return Err(Answer::fail(
                2306,
                format!("one {kind} contact per name at this registry"),
            ));
        }
        *slot = Some(id.to_owned());
    }
    Ok(c)
}

/// The status values of a name (RFC 5731 §2.3): `ok` when there is none.
fn statuses(o: &RegistryObject) -> Vec<&'static str> {
    let mut s = Vec::new();
    if o.record.client_transfer_prohibited {
        s.push("clientTransferProhibited");
    }
    if o.record.pending_transfer_to.is_some() {
        s.push("pendingTransfer");
    }
    // The registry's own (RFC 5731 §2.3), set by its operator.
    for status in vpsd_registry::SERVER_STATUSES {
        if o.record.server_statuses.iter().any(|x| x == status) {
            s.push(status);
        }
    }
    if s.is_empty() {
        s.push("ok");
    }
    s
}

/// The period in years (`<domain:period unit="y|m">`, 1 when absent).
fn period(object: Node<'_, '_>) -> Result<u32, Answer> {
    let Some(p) = child(object, DOMAIN_NS, "period") else {
        return Ok(1);
    };
    let value: i64 = p
        .text()
        .unwrap_or("")
        .trim()
        .parse()
        .map_err(|_| Answer::fail(2005, "<domain:period> is not a number"))?;
    let years = match p.attribute("unit") {
        Some("y") => value,
        Some("m") if value % 12 == 0 => value / 12,
        Some("m") => return Err(Answer::fail(2306, "periods are whole years")),
        _ => return Err(Answer::fail(2005, "<domain:period> unit must be y or m")),
    };
    if !(1..=MAX_YEARS).contains(&years) {
        return Err(Answer::fail(
            2004,
            format!("the period is 1 to {MAX_YEARS} years"),
        ));
    }
    Ok(years as u32)
}

pub(crate) fn registry_failed(e: RegistryError) -> Answer {
    match e {
        RegistryError::NotFound => Answer::fail(2303, "not registered"),
        RegistryError::NotSponsored => Answer::fail(2201, "another registrar sponsors it"),
        RegistryError::Taken { .. } => Answer::fail(2302, "registered"),
        RegistryError::StatusProhibits(why) => Answer::fail(2304, why),
        // The sandbox registry finishes every command at once.
        RegistryError::Refused { code, message } => Answer::fail(code, message),
        RegistryError::Pending | RegistryError::Unknown(_) => {
            Answer::fail(2400, "the command did not finish")
        }
        RegistryError::Unavailable(e) => store_failed(e),
    }
}

/// 2201 unless the logged-in registrar sponsors it; 2304 while a transfer
/// is pending (RFC 5731 §2.3: pendingTransfer forbids changes).
fn must_sponsor(registry: &SandboxRegistry, o: &RegistryObject) -> Result<(), Answer> {
    if o.record.sponsoring_registrar != registry.client_id() {
        return Err(Answer::fail(2201, "another registrar sponsors it"));
    }
    if o.record.pending_transfer_to.is_some() {
        return Err(Answer::fail(2304, "a transfer is pending"));
    }
    Ok(())
}

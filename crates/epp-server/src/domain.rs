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
    Registry, RegistryError, RegistryObject, RgpStatus, SandboxRegistry, TrStatus, TransferNotice,
    TransferRefusal,
};

use crate::response::{attr, date, Answer, Xml};
use crate::session::{child, child_text, elements, is, store_failed};
use crate::{EppServer, DOMAIN_NS, RGP_NS};

mod fee;
mod rgp;
mod transfer;

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

async fn check(
    registry: &SandboxRegistry,
    object: Node<'_, '_>,
    fee: Option<Node<'_, '_>>,
    now: DateTime<Utc>,
) -> Answer {
    let names: Vec<&str> = elements(object)
        .filter(|n| is(*n, DOMAIN_NS, "name"))
        .map(|n| n.text().unwrap_or("").trim())
        .collect();
    if names.is_empty() {
        return Answer::fail(2003, "<domain:check> names no <domain:name>");
    }
    if names.len() > MAX_CHECK_NAMES {
        return Answer::fail(
            2306,
            format!("at most {MAX_CHECK_NAMES} names per <domain:check>"),
        );
    }
    let mut x = Xml::default();
    x.open("domain:chkData", &attr("xmlns:domain", DOMAIN_NS));
    for raw in names.iter().copied() {
        x.open("domain:cd", "");
        match DomainName::parse(raw) {
            Err(e) => {
                x.text("domain:name", &attr("avail", "0"), raw).text(
                    "domain:reason",
                    "",
                    &e.to_string(),
                );
            }
            Ok(name) => match registry.store().registry_get(name.as_str()).await {
                // A deleted name is not free until it is purged (RFC 3915).
                Ok(None) => match registry.deleted(name.as_str(), now).await {
                    Ok(None) => {
                        x.text("domain:name", &attr("avail", "1"), name.as_str());
                    }
                    Ok(Some((_, status))) => {
                        x.text("domain:name", &attr("avail", "0"), name.as_str())
                            .text("domain:reason", "", status.as_str());
                    }
                    Err(e) => return store_failed(e),
                },
                Ok(Some(_)) => {
                    x.text("domain:name", &attr("avail", "0"), name.as_str())
                        .text("domain:reason", "", "In use");
                }
                Err(e) => return store_failed(e),
            },
        }
        x.close("domain:cd");
    }
    x.close("domain:chkData");
    let mut answer = Answer::data(1000, x.into_string());
    if let Some(fee) = fee {
        match fee::check_data(registry, &names, fee, now).await {
            Ok(data) => answer.extension = Some(data),
            Err(a) => return a,
        }
    }
    answer
}

/// Names one `<domain:check>` may ask about (registries cap it; each is
/// one read here).
pub const MAX_CHECK_NAMES: usize = 50;

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

/// The status values of a name (RFC 5731 §2.3): `ok` when there is none.
fn statuses(o: &RegistryObject) -> Vec<&'static str> {
    let mut s = Vec::new();
    if o.record.client_transfer_prohibited {
        s.push("clientTransferProhibited");
    }
    if o.record.pending_transfer_to.is_some() {
        s.push("pendingTransfer");
    }
    if s.is_empty() {
        s.push("ok");
    }
    s
}

/// `<domain:infData>`; for a deleted name (`rgp`: its RGP status) the
/// status is `pendingDelete` and `<rgp:infData>` says where it stands
/// (RFC 3915 §3.1, §4.1).
async fn info(
    registry: &SandboxRegistry,
    o: RegistryObject,
    object: Node<'_, '_>,
    rgp: Option<RgpStatus>,
) -> Answer {
    let r = &o.record;
    let sponsor = r.sponsoring_registrar == registry.client_id();
    let authorized = match auth_info(object) {
        Some(pw) if !secrets_equal(pw, &r.auth_code) => {
            return Answer::fail(2202, "wrong authInfo")
        }
        Some(_) => true,
        None => sponsor,
    };
    let mut x = Xml::default();
    x.open("domain:infData", &attr("xmlns:domain", DOMAIN_NS))
        .text("domain:name", "", &r.name)
        .text("domain:roid", "", &roid(&r.name));
    let statuses = match rgp {
        Some(_) => vec!["pendingDelete"],
        None => statuses(&o),
    };
    for s in statuses {
        x.empty("domain:status", &attr("s", s));
    }
    if !r.nameservers.is_empty() {
        x.open("domain:ns", "");
        for ns in &r.nameservers {
            x.text("domain:hostObj", "", ns);
        }
        x.close("domain:ns");
    }
    // The subordinate host objects (RFC 5731 §3.1.2 `<domain:host>`), to
    // the sponsor: whom the registry lets create them.
    if sponsor {
        match registry.store().registry_hosts_under(&r.name).await {
            Ok(hosts) => {
                for h in hosts {
                    x.text("domain:host", "", &h);
                }
            }
            Err(e) => return store_failed(e),
        }
    }
    x.text("domain:clID", "", &r.sponsoring_registrar)
        .text("domain:crID", "", &o.created_by)
        .text("domain:crDate", "", &date(r.created_at))
        .text("domain:upDate", "", &date(o.updated_at))
        .text("domain:exDate", "", &date(r.ex_date));
    if let Some(tr) = r.last_transferred_at {
        x.text("domain:trDate", "", &date(tr));
    }
    if authorized {
        x.open("domain:authInfo", "")
            .text("domain:pw", "", &r.auth_code)
            .close("domain:authInfo");
    }
    x.close("domain:infData");
    let mut answer = Answer::data(1000, x.into_string());
    if let Some(status) = rgp {
        answer.extension = Some(rgp_status("rgp:infData", status));
    }
    answer
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

/// The host names of `<domain:ns>` (hostObj only; hostAttr is not served),
/// each of which must be a host object of the registry (RFC 5731 §1.1).
async fn name_servers(registry: &SandboxRegistry, ns: Node<'_, '_>) -> Result<Vec<String>, Answer> {
    let mut hosts = Vec::new();
    for h in elements(ns) {
        if !is(h, DOMAIN_NS, "hostObj") {
            return Err(Answer::fail(
                2102,
                "name servers are given as <domain:hostObj>",
            ));
        }
        let raw = h.text().unwrap_or("").trim();
        let host = vpsd_domain::HostName::parse(raw)
            .map_err(|e| Answer::fail(2005, format!("{raw}: {e}")))?;
        match registry.store().registry_host_get(host.as_str()).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(Answer::fail(
                    2303,
                    format!("host {} does not exist: create it first", host.as_str()),
                ))
            }
            Err(e) => return Err(store_failed(e)),
        }
        if !hosts.iter().any(|x: &String| x == host.as_str()) {
            hosts.push(host.as_str().to_owned());
        }
    }
    if hosts.len() > 13 {
        return Err(Answer::fail(2306, "at most 13 name servers"));
    }
    Ok(hosts)
}

async fn create(
    registry: &SandboxRegistry,
    name: &str,
    exists: bool,
    object: Node<'_, '_>,
    now: DateTime<Utc>,
) -> Answer {
    // New names follow the rules for new names (IDNA2008, scripts).
    if let Err(e) = DomainName::parse(name) {
        return Answer::fail(2005, format!("{name}: {e}"));
    }
    if exists {
        return Answer::fail(2302, format!("{name} is registered"));
    }
    let years = match period(object) {
        Ok(y) => y,
        Err(a) => return a,
    };
    let Some(pw) = auth_info(object) else {
        return Answer::fail(2003, "<domain:authInfo><domain:pw> is required");
    };
    if let Err(answer) = auth_info_policy(pw) {
        return answer;
    }
    let hosts = match child(object, DOMAIN_NS, "ns") {
        Some(ns) => match name_servers(registry, ns).await {
            Ok(h) => h,
            Err(a) => return a,
        },
        None => Vec::new(),
    };
    match registry
        .create_with(name, years, &hosts, pw, false, now)
        .await
    {
        // A retried create of our own name returns it; a new one is ours.
        Ok(r) if r.created_at == now => {
            let mut x = Xml::default();
            x.open("domain:creData", &attr("xmlns:domain", DOMAIN_NS))
                .text("domain:name", "", &r.name)
                .text("domain:crDate", "", &date(r.created_at))
                .text("domain:exDate", "", &date(r.ex_date))
                .close("domain:creData");
            Answer::data(1000, x.into_string())
        }
        Ok(_) | Err(RegistryError::Taken { .. }) => {
            Answer::fail(2302, format!("{name} is registered"))
        }
        Err(e) => registry_failed(e),
    }
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

async fn renew(
    registry: &SandboxRegistry,
    o: RegistryObject,
    object: Node<'_, '_>,
    now: DateTime<Utc>,
) -> Answer {
    if let Err(a) = must_sponsor(registry, &o) {
        return a;
    }
    let Some(cur) = child_text(object, DOMAIN_NS, "curExpDate") else {
        return Answer::fail(2003, "<domain:curExpDate> is required");
    };
    let Ok(cur) = chrono::NaiveDate::parse_from_str(cur, "%Y-%m-%d") else {
        return Answer::fail(2005, "<domain:curExpDate> is a date, YYYY-MM-DD");
    };
    // RFC 5731 §3.2.3: the date must be the current expiry, so a renewal
    // cannot apply twice.
    if cur != o.record.ex_date.date_naive() {
        return Answer::fail(2306, "curExpDate is not the current expiry date");
    }
    let years = match period(object) {
        Ok(y) => y,
        Err(a) => return a,
    };
    if add_years(o.record.ex_date, years) > add_years(now, MAX_YEARS as u32) {
        return Answer::fail(2306, format!("a term may not pass {MAX_YEARS} years"));
    }
    match registry
        .renew(&o.record.name, o.record.ex_date, years, None, now)
        .await
    {
        Ok(r) => {
            let mut x = Xml::default();
            x.open("domain:renData", &attr("xmlns:domain", DOMAIN_NS))
                .text("domain:name", "", &r.name)
                .text("domain:exDate", "", &date(r.ex_date))
                .close("domain:renData");
            Answer::data(1000, x.into_string())
        }
        Err(e) => registry_failed(e),
    }
}

/// The hostObj and status values of an `<domain:add>` or `<domain:rem>`.
async fn changes(
    registry: &SandboxRegistry,
    part: Option<Node<'_, '_>>,
) -> Result<(Vec<String>, Option<bool>), Answer> {
    let Some(part) = part else {
        return Ok((Vec::new(), None));
    };
    let hosts = match child(part, DOMAIN_NS, "ns") {
        Some(ns) => name_servers(registry, ns).await?,
        None => Vec::new(),
    };
    let mut lock = None;
    for s in elements(part).filter(|n| is(*n, DOMAIN_NS, "status")) {
        match s.attribute("s") {
            Some("clientTransferProhibited") => lock = Some(true),
            Some(other) => {
                return Err(Answer::fail(
                    2306,
                    format!("status {other} is not one a registrar sets here"),
                ))
            }
            None => return Err(Answer::fail(2003, "<domain:status> needs s")),
        }
    }
    if elements(part).any(|n| is(n, DOMAIN_NS, "contact")) {
        return Err(Answer::fail(2306, "this registry keeps no contacts"));
    }
    Ok((hosts, lock))
}

async fn update(
    registry: &SandboxRegistry,
    o: RegistryObject,
    object: Node<'_, '_>,
    now: DateTime<Utc>,
) -> Answer {
    if let Err(a) = must_sponsor(registry, &o) {
        return a;
    }
    let (add, lock) = match changes(registry, child(object, DOMAIN_NS, "add")).await {
        Ok(c) => c,
        Err(a) => return a,
    };
    // Removed hosts need not exist any more; only their names count.
    let rem_part = child(object, DOMAIN_NS, "rem");
    let rem: Vec<String> = rem_part
        .and_then(|r| child(r, DOMAIN_NS, "ns"))
        .map(|ns| {
            elements(ns)
                .filter(|h| is(*h, DOMAIN_NS, "hostObj"))
                .map(|h| h.text().unwrap_or("").trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let unlock = match rem_part {
        Some(r) => {
            let mut unlock = None;
            for s in elements(r).filter(|n| is(*n, DOMAIN_NS, "status")) {
                match s.attribute("s") {
                    Some("clientTransferProhibited") => unlock = Some(false),
                    Some(other) => {
                        return Answer::fail(2306, format!("status {other} is not set here"))
                    }
                    None => return Answer::fail(2003, "<domain:status> needs s"),
                }
            }
            unlock
        }
        None => None,
    };
    let new_pw = child(object, DOMAIN_NS, "chg").and_then(auth_info);
    if let Some(pw) = new_pw {
        if let Err(answer) = auth_info_policy(pw) {
            return answer;
        }
    }
    let mut hosts = o.record.nameservers.clone();
    hosts.retain(|h| !rem.contains(h));
    for h in add {
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    if hosts.len() > 13 {
        return Answer::fail(2306, "at most 13 name servers");
    }
    let hosts_changed = hosts != o.record.nameservers;
    let name = &o.record.name;
    let status = lock.or(unlock);
    if hosts_changed || status.is_some() {
        let ns = hosts_changed.then_some(hosts.as_slice());
        if let Err(e) = registry.update(name, ns, status, now).await {
            return registry_failed(e);
        }
    }
    if let Some(pw) = new_pw {
        if let Err(e) = registry.set_auth_code(name, pw, now).await {
            return registry_failed(e);
        }
    }
    Answer::code(1000)
}

async fn delete(registry: &SandboxRegistry, o: RegistryObject, now: DateTime<Utc>) -> Answer {
    if let Err(a) = must_sponsor(registry, &o) {
        return a;
    }
    match registry.store().registry_hosts_under(&o.record.name).await {
        Ok(hosts) if !hosts.is_empty() => {
            return Answer::fail(
                2305,
                format!("delete its hosts first: {}", hosts.join(", ")),
            )
        }
        Ok(_) => {}
        Err(e) => return store_failed(e),
    }
    match registry.delete(&o.record.name, now).await {
        Ok(()) => Answer::code(1000),
        Err(e) => registry_failed(e),
    }
}

//! Host commands (RFC 5732 §3): check, info, create, update (addresses),
//! delete.

use std::net::IpAddr;

use roxmltree::Node;
use vpsd_domain::HostName;
use vpsd_registry::{Registry, RegistryError, RegistryHost, SandboxRegistry};
use vpsd_storage::StoreError;

use crate::response::{attr, date, Answer, Xml};
use crate::session::{child, child_text, elements, is, store_failed};
use crate::{EppServer, HOST_NS};

/// Answers one host command.
pub(crate) async fn command(
    server: &EppServer,
    registry: &SandboxRegistry,
    verb: &str,
    object: Node<'_, '_>,
) -> Answer {
    if !is(object, HOST_NS, verb) {
        return Answer::fail(2001, format!("<{verb}> holds <host:{verb}>"));
    }
    let store = registry.store();
    if verb == "check" {
        let mut x = Xml::default();
        x.open("host:chkData", &attr("xmlns:host", HOST_NS));
        let mut any = false;
        for n in elements(object).filter(|n| is(*n, HOST_NS, "name")) {
            any = true;
            let raw = n.text().unwrap_or("").trim();
            x.open("host:cd", "");
            match HostName::parse(raw) {
                Err(e) => {
                    x.text("host:name", &attr("avail", "0"), raw).text(
                        "host:reason",
                        "",
                        &e.to_string(),
                    );
                }
                Ok(h) => match store.registry_host_get(h.as_str()).await {
                    Ok(None) => {
                        x.text("host:name", &attr("avail", "1"), h.as_str());
                    }
                    Ok(Some(_)) => {
                        x.text("host:name", &attr("avail", "0"), h.as_str()).text(
                            "host:reason",
                            "",
                            "In use",
                        );
                    }
                    Err(e) => return store_failed(e),
                },
            }
            x.close("host:cd");
        }
        if !any {
            return Answer::fail(2003, "<host:check> names no <host:name>");
        }
        x.close("host:chkData");
        return Answer::data(1000, x.into_string());
    }
    let Some(raw) = child_text(object, HOST_NS, "name") else {
        return Answer::fail(2003, "<host:name> is missing");
    };
    let name = match HostName::parse(raw) {
        Ok(h) => h.as_str().to_owned(),
        Err(e) => return Answer::fail(2005, format!("{raw}: {e}")),
    };
    match verb {
        "create" => create(server, registry, &name, object).await,
        "info" => match store.registry_host_get(&name).await {
            Ok(Some(h)) => {
                let linked = match store.registry_host_in_use(&name).await {
                    Ok(l) => l,
                    Err(e) => return store_failed(e),
                };
                let mut x = Xml::default();
                x.open("host:infData", &attr("xmlns:host", HOST_NS))
                    .text("host:name", "", &h.name)
                    .text("host:roid", "", &roid(&h.name))
                    .empty(
                        "host:status",
                        &attr("s", if linked { "linked" } else { "ok" }),
                    );
                for a in &h.addresses {
                    let v = if a.contains(':') { "v6" } else { "v4" };
                    x.text("host:addr", &attr("ip", v), a);
                }
                x.text("host:clID", "", &h.sponsoring_registrar)
                    .text("host:crID", "", &h.sponsoring_registrar)
                    .text("host:crDate", "", &date(h.created_at))
                    .close("host:infData");
                Answer::data(1000, x.into_string())
            }
            Ok(None) => Answer::fail(2303, format!("host {name} does not exist")),
            Err(e) => store_failed(e),
        },
        "delete" => {
            match store.registry_host_get(&name).await {
                Ok(Some(h)) if h.sponsoring_registrar != registry.client_id() => {
                    return Answer::fail(2201, "another registrar sponsors it")
                }
                Ok(Some(_)) => {}
                Ok(None) => return Answer::fail(2303, format!("host {name} does not exist")),
                Err(e) => return store_failed(e),
            }
            match store.registry_host_in_use(&name).await {
                Ok(true) => {
                    return Answer::fail(2305, "a domain delegates to it: remove it there first")
                }
                Ok(false) => {}
                Err(e) => return store_failed(e),
            }
            match store
                .registry_host_delete(&name, registry.client_id())
                .await
            {
                Ok(true) => Answer::code(1000),
                Ok(false) => Answer::fail(2303, format!("host {name} does not exist")),
                Err(e) => store_failed(e),
            }
        }
        "update" => update(server, registry, &name, object).await,
        _ => Answer::fail(2000, format!("unknown command <{verb}>")),
    }
}

/// The host's repository object id.
fn roid(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    format!("H{}-VPSD", hex::encode_upper(&digest[..8]))
}

/// RFC 5732 §3.2.1: a host under a name this registry holds is internal and
/// needs at least one address, and that name must be sponsored by the
/// creating registrar; a host outside takes no address.
async fn create(
    server: &EppServer,
    registry: &SandboxRegistry,
    name: &str,
    object: Node<'_, '_>,
) -> Answer {
    let store = registry.store();
    let mut addresses = Vec::new();
    for a in elements(object).filter(|n| is(*n, HOST_NS, "addr")) {
        let text = a.text().unwrap_or("").trim();
        let ip: IpAddr = match text.parse() {
            Ok(ip) => ip,
            Err(_) => return Answer::fail(2005, format!("{text} is not an IP address")),
        };
        let want_v6 = match a.attribute("ip").unwrap_or("v4") {
            "v4" => false,
            "v6" => true,
            _ => return Answer::fail(2005, "ip must be v4 or v6"),
        };
        if ip.is_ipv6() != want_v6 {
            return Answer::fail(2005, format!("{text} is not of the ip version given"));
        }
        if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
            return Answer::fail(2306, format!("{text} cannot serve a zone"));
        }
        let ip = ip.to_string();
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
    }
    // The superordinate domain: the closest enclosing name registered here.
    let labels: Vec<&str> = name.split('.').collect();
    let mut parent = None;
    for i in 1..labels.len().saturating_sub(1) {
        let candidate = labels[i..].join(".");
        match store.registry_get(&candidate).await {
            Ok(Some(r)) => {
                parent = Some(r);
                break;
            }
            Ok(None) => {}
            Err(e) => return store_failed(e),
        }
    }
    match &parent {
        Some(p) if p.sponsoring_registrar != registry.client_id() => {
            return Answer::fail(
                2201,
                format!("{} is sponsored by another registrar", p.name),
            )
        }
        Some(_) if addresses.is_empty() => {
            return Answer::fail(
                2003,
                "a host inside a domain of this registry needs an address",
            )
        }
        None if !addresses.is_empty() => {
            return Answer::fail(
                2306,
                "a host outside this registry's domains takes no address",
            )
        }
        _ => {}
    }
    let host = RegistryHost {
        name: name.to_owned(),
        sponsoring_registrar: registry.client_id().to_owned(),
        addresses,
        created_at: server.clock.now(),
    };
    match store.registry_host_insert(&host).await {
        Ok(()) => {
            let mut x = Xml::default();
            x.open("host:creData", &attr("xmlns:host", HOST_NS))
                .text("host:name", "", &host.name)
                .text("host:crDate", "", &date(host.created_at))
                .close("host:creData");
            Answer::data(1000, x.into_string())
        }
        Err(StoreError::Conflict { .. }) => Answer::fail(2302, format!("host {name} exists")),
        Err(e) => store_failed(e),
    }
}

/// The `<host:addr>` elements of `part` (RFC 5732 §3.2.1): each an IPv4 or
/// IPv6 address of the version its `ip` attribute names (`v4` when absent).
fn addresses(part: Node<'_, '_>) -> Result<Vec<IpAddr>, Answer> {
    let mut out = Vec::new();
    for a in elements(part).filter(|n| is(*n, HOST_NS, "addr")) {
        let text = a.text().unwrap_or("").trim();
        let ip: IpAddr = text
            .parse()
            .map_err(|_| Answer::fail(2005, format!("{text} is not an IP address")))?;
        let want_v6 = match a.attribute("ip").unwrap_or("v4") {
            "v4" => false,
            "v6" => true,
            _ => return Err(Answer::fail(2005, "ip must be v4 or v6")),
        };
        if ip.is_ipv6() != want_v6 {
            return Err(Answer::fail(
                2005,
                format!("{text} is not of the ip version given"),
            ));
        }
        out.push(ip);
    }
    Ok(out)
}

/// `<host:update>` (RFC 5732 §3.2.5) by the host's sponsoring registrar:
/// the addresses of `<host:add>` added, those of `<host:rem>` removed.
/// A new name (`<host:chg>`) and statuses are not served (2102).
async fn update(
    server: &EppServer,
    registry: &SandboxRegistry,
    name: &str,
    object: Node<'_, '_>,
) -> Answer {
    let current = match registry.store().registry_host_get(name).await {
        Ok(Some(h)) if h.sponsoring_registrar != registry.client_id() => {
            return Answer::fail(2201, "another registrar sponsors it")
        }
        Ok(Some(h)) => h,
        Ok(None) => return Answer::fail(2303, format!("host {name} does not exist")),
        Err(e) => return store_failed(e),
    };
    if child(object, HOST_NS, "chg").is_some() {
        return Answer::fail(2102, "renaming a host is not served");
    }
    let mut add = Vec::new();
    let mut rem = Vec::new();
    for (part, into) in [("add", &mut add), ("rem", &mut rem)] {
        if let Some(p) = child(object, HOST_NS, part) {
            if elements(p).any(|n| is(n, HOST_NS, "status")) {
                return Answer::fail(2102, "host statuses are not set here");
            }
            match addresses(p) {
                Ok(a) => *into = a,
                Err(answer) => return answer,
            }
        }
    }
    let mut wanted: Vec<IpAddr> = current
        .addresses
        .iter()
        .filter_map(|a| a.parse().ok())
        .filter(|a| !rem.contains(a))
        .collect();
    for a in add {
        if !wanted.contains(&a) {
            wanted.push(a);
        }
    }
    match registry
        .host_update(name, &wanted, server.clock.now())
        .await
    {
        Ok(()) => Answer::code(1000),
        Err(RegistryError::NotFound) => Answer::fail(2303, format!("host {name} does not exist")),
        Err(e) => crate::domain::registry_failed(e),
    }
}

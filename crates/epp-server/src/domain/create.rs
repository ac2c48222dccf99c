//! `<domain:create>` (RFC 5731 §3.2.1) and the name servers it names
//! (host objects, RFC 5732, that must exist).

use super::*;

/// The host names of `<domain:ns>` (hostObj only; hostAttr is not served),
/// each of which must be a host object of the registry (RFC 5731 §1.1).
pub(super) async fn name_servers(
    registry: &SandboxRegistry,
    ns: Node<'_, '_>,
) -> Result<Vec<String>, Answer> {
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

pub(super) async fn create(
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
    // The contacts must be objects the client sponsors here (RFC 5731
    // §3.2.1): 2303 for an unknown id, before anything is created.
    let contacts = match contacts_of(Some(object)) {
        Ok(c) => c,
        Err(a) => return a,
    };
    if let Err(e) = registry.check_contacts(&contacts).await {
        return registry_failed(e);
    }
    match registry
        .create_with(name, years, &hosts, pw, false, now)
        .await
    {
        // A retried create of our own name returns it; a new one is ours.
        Ok(r) if r.created_at == now => {
            if !contacts.is_empty() {
                if let Err(e) = registry.link_contacts(name, &contacts).await {
                    return registry_failed(e);
                }
            }
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

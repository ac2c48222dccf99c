//! The changes of a name by its sponsor: `<domain:renew>` (RFC 5731
//! §3.2.3), `<domain:update>` (§3.2.5: name servers, statuses, authInfo)
//! and `<domain:delete>` (§3.2.2; into the redemption grace period, RFC
//! 3915, or purged within the add grace period).

use super::*;

pub(super) async fn renew(
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
    Ok((hosts, lock))
}

pub(super) async fn update(
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
    // The contacts (RFC 5731 §3.2.5): removed, added, the registrant
    // changed; each must be an object the client sponsors here (2303 for
    // an unknown id), checked before anything changes.
    let contacts = match new_contacts(registry, &o.record.name, object).await {
        Ok(c) => c,
        Err(a) => return a,
    };
    if let Some(c) = &contacts {
        if let Err(e) = registry.check_contacts(c).await {
            return registry_failed(e);
        }
    }
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
    if let Some(c) = contacts {
        if let Err(e) = registry.link_contacts(name, &c).await {
            return registry_failed(e);
        }
    }
    Answer::code(1000)
}

/// The contacts `name` has after the update `object`, or `None` when it
/// changes none: the current ones less `<domain:rem>`'s, with
/// `<domain:add>`'s (a type that has one must lose it in the same update:
/// 2306) and `<domain:chg>`'s registrant. The registrant cannot be
/// removed, only changed (RFC 5731 §3.2.5).
async fn new_contacts(
    registry: &SandboxRegistry,
    name: &str,
    object: Node<'_, '_>,
) -> Result<Option<RegistryDomainContacts>, Answer> {
    let add = contacts_of(child(object, DOMAIN_NS, "add"))?;
    let rem = contacts_of(child(object, DOMAIN_NS, "rem"))?;
    let chg = contacts_of(child(object, DOMAIN_NS, "chg"))?;
    if add.registrant.is_some() || rem.registrant.is_some() {
        return Err(Answer::fail(
            2001,
            "the registrant is changed in <domain:chg>",
        ));
    }
    if add.is_empty() && rem.is_empty() && chg.registrant.is_none() {
        return Ok(None);
    }
    let mut c = registry
        .store()
        .registry_domain_contacts(name)
        .await
        .map_err(store_failed)?;
    for (role, id) in rem.roles() {
        let Some(id) = id else { continue };
        if let Some(slot) = c.slot(role) {
            if slot.as_deref() != Some(id) {
                return Err(Answer::fail(
                    2306,
                    format!("{id} is not the name's {role} contact"),
                ));
            }
            *slot = None;
        }
    }
    for (role, id) in add.roles() {
        let Some(id) = id else { continue };
        if let Some(slot) = c.slot(role) {
            if slot.as_deref().is_some_and(|have| have != id) {
                return Err(Answer::fail(
                    2306,
                    format!("the name has a {role} contact: remove it in the same update"),
                ));
            }
            *slot = Some(id.to_owned());
        }
    }
    if let Some(r) = chg.registrant {
        c.registrant = Some(r);
    }
    Ok(Some(c))
}

pub(super) async fn delete(
    registry: &SandboxRegistry,
    o: RegistryObject,
    now: DateTime<Utc>,
) -> Answer {
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

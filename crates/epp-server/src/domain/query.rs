//! The reads of domains: `<domain:check>` (RFC 5731 §3.1.1; a deleted
//! name is not available until it is purged, RFC 3915) and
//! `<domain:info>` (§3.1.2; a deleted name with `<rgp:infData>`).

use super::*;

pub(super) async fn check(
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

/// `<domain:infData>`; for a deleted name (`rgp`: its RGP status) the
/// status is `pendingDelete` and `<rgp:infData>` says where it stands
/// (RFC 3915 §3.1, §4.1).
pub(super) async fn info(
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
    // The contacts (RFC 5731 §2.2): ids only, which say nothing about
    // anyone; the objects' data goes to their sponsors (RFC 5733 info).
    match registry.store().registry_domain_contacts(&r.name).await {
        Ok(c) => {
            if let Some(id) = &c.registrant {
                x.text("domain:registrant", "", id);
            }
            for (role, id) in c.roles() {
                if let (false, Some(id)) = (role == "registrant", id) {
                    x.text("domain:contact", &attr("type", role), id);
                }
            }
        }
        Err(e) => return store_failed(e),
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

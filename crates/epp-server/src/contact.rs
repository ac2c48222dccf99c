//! Contact commands (RFC 5733 §3): check, info, create, update and delete
//! of contact objects, each for the logged-in registrar.
//!
//! The rules of this registry (RFC 5733 leaves them to the server):
//! - a contact id is 3 to 16 characters without spaces (RFC 5730
//!   `clIDType`); the first one given is kept as its id;
//! - `<contact:voice>` is required, as thick registries ask (2306 without);
//!   each field is checked as the registrar's API checks it (postal lines,
//!   ISO 3166-1 country, E.164 `+CC.NUMBER`, email): 2005 with the reason;
//! - of two `<contact:postalInfo>`, the `int` one is kept, else `loc`;
//! - the authInfo is kept as its SHA-256, so `<contact:info>` never shows
//!   it; another registrar sees an object only with its authInfo (2201
//!   without, 2202 with a wrong one);
//! - statuses (`client*Prohibited`) are not set here (2306); `linked` is
//!   shown while a name links the object, which then cannot be deleted
//!   (2305);
//! - `<contact:disclose>` is accepted and not kept: this registry discloses
//!   nothing of a contact to anyone but its sponsor.

use roxmltree::Node;
use vpsd_domain::contact::{self as rules, ContactData};
use vpsd_domain::token::secrets_equal;
use vpsd_registry::{RegistryContactObject, RegistryError, SandboxRegistry};

use crate::response::{attr, date, Answer, Xml};
use crate::session::{child, child_text, elements, is, store_failed};
use crate::CONTACT_NS;

/// Contact ids one `<contact:check>` may ask about.
pub const MAX_CHECK_IDS: usize = 50;

/// Answers one contact command at `now` (the installation's clock).
pub(crate) async fn command(
    registry: &SandboxRegistry,
    verb: &str,
    object: Node<'_, '_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Answer {
    if !is(object, CONTACT_NS, verb) {
        return Answer::fail(2001, format!("<{verb}> holds <contact:{verb}>"));
    }
    if verb == "check" {
        return check(registry, object).await;
    }
    let Some(raw) = child_text(object, CONTACT_NS, "id") else {
        return Answer::fail(2003, "<contact:id> is missing");
    };
    let id = match contact_id(raw) {
        Ok(id) => id,
        Err(a) => return a,
    };
    if verb == "create" {
        return create(registry, id, object, now).await;
    }
    let current = match registry.store().registry_contact_get(id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Answer::fail(2303, format!("contact {id} does not exist")),
        Err(e) => return store_failed(e),
    };
    match verb {
        "info" => info(registry, current, object).await,
        "update" => update(registry, current, object, now).await,
        "delete" => match registry.contact_delete(id).await {
            Ok(()) => Answer::code(1000),
            Err(e) => crate::domain::registry_failed(e),
        },
        "transfer" => Answer::fail(2101, "contact transfers are not served"),
        "renew" => Answer::fail(2101, "contacts are not renewed"),
        _ => Answer::fail(2000, format!("unknown command <{verb}>")),
    }
}

/// A contact id: 3 to 16 characters, no white space or control characters
/// (RFC 5730 `clIDType`); 2005 otherwise.
fn contact_id(raw: &str) -> Result<&str, Answer> {
    let n = raw.chars().count();
    if !(3..=16).contains(&n) || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Answer::fail(
            2005,
            "a contact id is 3 to 16 characters without spaces (RFC 5730 clIDType)",
        ));
    }
    Ok(raw)
}

async fn check(registry: &SandboxRegistry, object: Node<'_, '_>) -> Answer {
    let ids: Vec<&str> = elements(object)
        .filter(|n| is(*n, CONTACT_NS, "id"))
        .map(|n| n.text().unwrap_or("").trim())
        .collect();
    if ids.is_empty() {
        return Answer::fail(2003, "<contact:check> names no <contact:id>");
    }
    if ids.len() > MAX_CHECK_IDS {
        return Answer::fail(
            2306,
            format!("at most {MAX_CHECK_IDS} ids per <contact:check>"),
        );
    }
    let mut x = Xml::default();
    x.open("contact:chkData", &attr("xmlns:contact", CONTACT_NS));
    for id in ids {
        x.open("contact:cd", "");
        match contact_id(id) {
            Err(_) => {
                x.text("contact:id", &attr("avail", "0"), id).text(
                    "contact:reason",
                    "",
                    "not a valid contact id",
                );
            }
            Ok(id) => match registry.store().registry_contact_get(id).await {
                Ok(None) => {
                    x.text("contact:id", &attr("avail", "1"), id);
                }
                Ok(Some(_)) => {
                    x.text("contact:id", &attr("avail", "0"), id).text(
                        "contact:reason",
                        "",
                        "In use",
                    );
                }
                Err(e) => return store_failed(e),
            },
        }
        x.close("contact:cd");
    }
    x.close("contact:chkData");
    Answer::data(1000, x.into_string())
}

/// The `<contact:postalInfo>` to read: `int`, else `loc` (RFC 5733 §2.3).
fn postal_info<'a, 'i>(parent: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    let infos: Vec<Node<'a, 'i>> = elements(parent)
        .filter(|n| is(*n, CONTACT_NS, "postalInfo"))
        .collect();
    infos
        .iter()
        .find(|n| n.attribute("type") == Some("int"))
        .or_else(|| infos.first())
        .copied()
}

/// A field checked by the API's rule for it: 2005 naming the field.
fn field(name: &str, checked: Result<String, String>) -> Result<String, Answer> {
    checked.map_err(|e| Answer::fail(2005, format!("<contact:{name}>: {e}")))
}

/// Applies the postal info in `p` to `data`: each element given replaces
/// the field; `<contact:addr>` replaces the whole address.
fn read_postal(p: Node<'_, '_>, data: &mut ContactData) -> Result<(), Answer> {
    if let Some(name) = child_text(p, CONTACT_NS, "name") {
        data.name = field("name", rules::line(name))?;
    }
    if let Some(org) = child(p, CONTACT_NS, "org") {
        let org = org.text().unwrap_or("").trim();
        data.organisation = if org.is_empty() {
            None
        } else {
            Some(field("org", rules::line(org))?)
        };
    }
    if let Some(addr) = child(p, CONTACT_NS, "addr") {
        let street: Vec<String> = elements(addr)
            .filter(|n| is(*n, CONTACT_NS, "street"))
            .map(|n| n.text().unwrap_or("").to_owned())
            .collect();
        data.street = rules::street(&street)
            .map_err(|e| Answer::fail(2005, format!("<contact:street>: {e}")))?;
        let Some(city) = child_text(addr, CONTACT_NS, "city") else {
            return Err(Answer::fail(2003, "<contact:city> is missing"));
        };
        data.city = field("city", rules::line(city))?;
        data.state_province = child_text(addr, CONTACT_NS, "sp")
            .filter(|s| !s.is_empty())
            .map(|s| field("sp", rules::line(s)))
            .transpose()?;
        data.postal_code = child_text(addr, CONTACT_NS, "pc")
            .filter(|s| !s.is_empty())
            .map(|s| field("pc", rules::postal_code(s)))
            .transpose()?;
        let Some(cc) = child_text(addr, CONTACT_NS, "cc") else {
            return Err(Answer::fail(2003, "<contact:cc> is missing"));
        };
        data.country_code = field("cc", rules::country_code(cc))?;
    }
    Ok(())
}

/// Applies `<contact:voice>`, `<contact:fax>` and `<contact:email>` in
/// `parent` to `data`.
fn read_numbers(parent: Node<'_, '_>, data: &mut ContactData) -> Result<(), Answer> {
    if let Some(voice) = child_text(parent, CONTACT_NS, "voice") {
        data.voice = field("voice", rules::phone(voice))?;
    }
    if let Some(fax) = child(parent, CONTACT_NS, "fax") {
        let fax = fax.text().unwrap_or("").trim();
        data.fax = if fax.is_empty() {
            None
        } else {
            Some(field("fax", rules::phone(fax))?)
        };
    }
    if let Some(email) = child_text(parent, CONTACT_NS, "email") {
        data.email = field("email", rules::email(email))?;
    }
    Ok(())
}

/// The `<contact:authInfo><contact:pw>` in `parent`, if any.
fn auth_info<'a>(parent: Node<'a, '_>) -> Option<&'a str> {
    child(parent, CONTACT_NS, "authInfo").and_then(|a| child_text(a, CONTACT_NS, "pw"))
}

/// The registry's rule for a contact's authInfo, the same as a domain's: 8
/// to 64 characters (2306).
fn auth_info_policy(pw: &str) -> Result<(), Answer> {
    if !(8..=64).contains(&pw.chars().count()) {
        return Err(Answer::fail(2306, "authInfo must be 8 to 64 characters"));
    }
    Ok(())
}

async fn create(
    registry: &SandboxRegistry,
    id: &str,
    object: Node<'_, '_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Answer {
    let Some(p) = postal_info(object) else {
        return Answer::fail(2003, "<contact:postalInfo> is required");
    };
    let mut data = ContactData {
        name: String::new(),
        organisation: None,
        street: Vec::new(),
        city: String::new(),
        state_province: None,
        postal_code: None,
        country_code: String::new(),
        voice: String::new(),
        fax: None,
        email: String::new(),
    };
    if child(p, CONTACT_NS, "name").is_none() {
        return Answer::fail(2003, "<contact:name> is required");
    }
    if child(p, CONTACT_NS, "addr").is_none() {
        return Answer::fail(2003, "<contact:addr> is required");
    }
    if let Err(a) = read_postal(p, &mut data).and_then(|()| read_numbers(object, &mut data)) {
        return a;
    }
    if data.email.is_empty() {
        return Answer::fail(2003, "<contact:email> is required");
    }
    if data.voice.is_empty() {
        return Answer::fail(2306, "this registry requires <contact:voice>");
    }
    let Some(pw) = auth_info(object) else {
        return Answer::fail(2003, "<contact:authInfo><contact:pw> is required");
    };
    if let Err(a) = auth_info_policy(pw) {
        return a;
    }
    match registry.contact_create(id, &data, pw, now).await {
        Ok(()) => {
            let mut x = Xml::default();
            x.open("contact:creData", &attr("xmlns:contact", CONTACT_NS))
                .text("contact:id", "", id)
                .text("contact:crDate", "", &date(now))
                .close("contact:creData");
            Answer::data(1000, x.into_string())
        }
        Err(RegistryError::Taken { .. }) => Answer::fail(2302, format!("contact {id} exists")),
        Err(e) => crate::domain::registry_failed(e),
    }
}

async fn info(
    registry: &SandboxRegistry,
    c: RegistryContactObject,
    object: Node<'_, '_>,
) -> Answer {
    let sponsor = c.sponsoring_registrar == registry.client_id();
    match auth_info(object) {
        Some(pw) if !secrets_equal(&vpsd_domain::token::hash(pw), &c.auth_info_hash) => {
            return Answer::fail(2202, "wrong authInfo")
        }
        Some(_) => {}
        None if sponsor => {}
        None => {
            return Answer::fail(
                2201,
                "another registrar sponsors this contact: give its authInfo",
            )
        }
    }
    let linked = match registry.store().registry_contact_linked(&c.id).await {
        Ok(l) => l,
        Err(e) => return store_failed(e),
    };
    let d = &c.data;
    let mut x = Xml::default();
    x.open("contact:infData", &attr("xmlns:contact", CONTACT_NS))
        .text("contact:id", "", &c.id)
        .text(
            "contact:roid",
            "",
            &crate::domain::roid(&format!("contact:{}", c.id)),
        );
    x.empty(
        "contact:status",
        &attr("s", if linked { "linked" } else { "ok" }),
    );
    let kind = if [Some(&d.name), d.organisation.as_ref(), Some(&d.city)]
        .into_iter()
        .flatten()
        .chain(d.street.iter())
        .all(|s| s.is_ascii())
    {
        "int"
    } else {
        "loc"
    };
    x.open("contact:postalInfo", &attr("type", kind))
        .text("contact:name", "", &d.name);
    if let Some(org) = &d.organisation {
        x.text("contact:org", "", org);
    }
    x.open("contact:addr", "");
    for line in &d.street {
        x.text("contact:street", "", line);
    }
    x.text("contact:city", "", &d.city);
    if let Some(sp) = &d.state_province {
        x.text("contact:sp", "", sp);
    }
    if let Some(pc) = &d.postal_code {
        x.text("contact:pc", "", pc);
    }
    x.text("contact:cc", "", &d.country_code)
        .close("contact:addr")
        .close("contact:postalInfo");
    x.text("contact:voice", "", &d.voice);
    if let Some(fax) = &d.fax {
        x.text("contact:fax", "", fax);
    }
    x.text("contact:email", "", &d.email)
        .text("contact:clID", "", &c.sponsoring_registrar)
        .text("contact:crID", "", &c.created_by)
        .text("contact:crDate", "", &date(c.created_at));
    if c.updated_at != c.created_at {
        x.text("contact:upDate", "", &date(c.updated_at));
    }
    x.close("contact:infData");
    Answer::data(1000, x.into_string())
}

async fn update(
    registry: &SandboxRegistry,
    c: RegistryContactObject,
    object: Node<'_, '_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Answer {
    if c.sponsoring_registrar != registry.client_id() {
        return Answer::fail(2201, "another registrar sponsors this contact");
    }
    for part in ["add", "rem"] {
        if let Some(p) = child(object, CONTACT_NS, part) {
            if elements(p).next().is_some() {
                return Answer::fail(2306, "contact statuses are not set at this registry");
            }
        }
    }
    let Some(chg) = child(object, CONTACT_NS, "chg") else {
        return Answer::fail(2003, "<contact:update> changes nothing: give <contact:chg>");
    };
    let mut data = c.data.clone();
    if let Some(p) = postal_info(chg) {
        if let Err(a) = read_postal(p, &mut data) {
            return a;
        }
    }
    if let Err(a) = read_numbers(chg, &mut data) {
        return a;
    }
    if data.voice.is_empty() {
        return Answer::fail(2306, "this registry requires <contact:voice>");
    }
    let pw = auth_info(chg);
    if let Some(pw) = pw {
        if let Err(a) = auth_info_policy(pw) {
            return a;
        }
    }
    match registry.contact_update(&c.id, &data, pw, now).await {
        Ok(()) => Answer::code(1000),
        Err(e) => crate::domain::registry_failed(e),
    }
}

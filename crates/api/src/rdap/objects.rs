//! The RDAP answers (RFC 9083) built from the registrar's data, with the
//! types of ICANN's `icann-rdap-common`: domains, entities (contacts, the
//! registrar and its abuse contact, the privacy service), nameservers,
//! help and errors; the conformance, notices, links and events every one
//! carries (the ICANN gTLD RDAP Response Profile, §2); EPP statuses mapped
//! per RFC 8056; contacts as jCards (RFC 7095) with what the policy keeps
//! from the public marked per RFC 9537.
//!
//! What the public sees of a contact (docs/api.md, "RDAP"):
//! - privacy protection **on**: the privacy service's contact, whole,
//!   under its own handle; every field of the customer's marked
//!   `replacementValue`;
//! - privacy protection **off**: the name and organisation (what
//!   `whois_info` says the public sees), state or province and country
//!   (what the Registration Data Policy publishes); street, city, postal
//!   code, telephone, fax and email are redacted (`emptyValue` in the
//!   address, `removal` of `tel` and `email`).

use chrono::{DateTime, SecondsFormat, Utc};
use icann_rdap_common::prelude::{
    Domain as RdapDomain, Entity, Event, Extension, ExtensionId, Help, Link, Nameserver, Notice,
    PublicId, Rfc9083Error, SecureDns,
};
use icann_rdap_common::response::redacted::{Method, Name, Reason, Redacted};
use serde_json::{json, Value};
use vpsd_domain::contact::ContactData;
use vpsd_domain::lifecycle::{phase, ExpiryDates, Phase, TransferOutStatus, ADD_GRACE_DAYS};
use vpsd_storage::{Contact, Domain};

use super::settings::RdapSettings;

/// The RDAP media type (RFC 7480 §4.2).
pub const RDAP_JSON: &str = "application/rdap+json";

/// What every answer is built with.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The operator's settings.
    pub settings: &'a RdapSettings,
    /// The privacy service's contact (`RegistrarSettings::privacy_contact`).
    pub privacy: &'a ContactData,
    /// Where a privacy-protected domain's registrant is reached
    /// (`<domain>@` this, `RegistrarSettings::privacy_mail_domain`).
    pub privacy_mail_domain: &'a str,
    /// The RDAP base URL, ending in `/rdap/`.
    pub base: &'a str,
    /// The time of the answer: the database is read live, so this is also
    /// the `last update of RDAP database` (Response Profile §2.3.1.3).
    pub now: DateTime<Utc>,
}

/// The extensions an answer conforms to (RFC 9083 §4.1; `rdap_level_0` is
/// added by the builders): the ICANN profile's two and RFC 9537's.
fn conformance() -> Vec<Extension> {
    vec![
        ExtensionId::IcannRdapResponseProfile1.to_extension(),
        ExtensionId::IcannRdapTechnicalImplementationGuide1.to_extension(),
        ExtensionId::Redacted.to_extension(),
    ]
}

fn date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn event(action: &str, at: DateTime<Utc>) -> Event {
    Event::builder()
        .event_action(action.to_owned())
        .event_date(date(at))
        .build()
}

/// An RDAP link (`type` application/rdap+json) from `value` to `href`.
fn rdap_link(value: &str, rel: &str, href: &str) -> Link {
    Link::builder()
        .value(value.to_owned())
        .rel(rel.to_owned())
        .href(href.to_owned())
        .media_type(RDAP_JSON.to_owned())
        .build()
}

/// An HTML link from `value` to `href`, for a notice.
fn page_link(value: &str, rel: &str, href: &str) -> Link {
    Link::builder()
        .value(value.to_owned())
        .rel(rel.to_owned())
        .href(href.to_owned())
        .media_type("text/html".to_owned())
        .build()
}

/// The notices of every answer (Response Profile §2.6.3 and TIG §3.3):
/// the terms of service, what the status codes mean, and where to report
/// inaccurate data.
fn notices(ctx: &Ctx<'_>, self_url: &str) -> Vec<Notice> {
    let s = ctx.settings;
    vec![
        Notice::builder()
            .title("Terms of Service".to_owned())
            .description(vec![format!(
                "The registration data of {} is provided for lawful purposes only; it may not be used for advertising or bulk collection.",
                s.registrar_name
            )])
            .link(page_link(self_url, "terms-of-service", &s.terms_of_service_url))
            .build(),
        Notice::builder()
            .title("Status Codes".to_owned())
            .description(vec![format!(
                "For more information on domain status codes, please visit {}",
                s.status_codes_url
            )])
            .link(page_link(self_url, "glossary", &s.status_codes_url))
            .build(),
        Notice::builder()
            .title("RDDS Inaccuracy Complaint Form".to_owned())
            .description(vec![format!(
                "URL of the ICANN RDDS Inaccuracy Complaint Form: {}",
                s.inaccuracy_form_url
            )])
            .link(page_link(self_url, "help", &s.inaccuracy_form_url))
            .build(),
    ]
}

/// The RDAP statuses (RFC 8056 §2) of a domain at `now`: `active` or the
/// RGP period it is in (`auto renew period` in the grace after
/// expiration, `redemption period`, `pending delete`), `add period` in
/// its first days, `client transfer prohibited` when locked, `pending
/// transfer` while another registrar's transfer is pending, and the
/// statuses the registry set by itself as RFC 8056 §2 maps them
/// (`serverHold` → `server hold`, `serverTransferProhibited` → `server
/// transfer prohibited`, ...). `None` once it
/// is released, or while its registration is pending (the registry does
/// not have it yet).
pub fn statuses(domain: &Domain, now: DateTime<Utc>) -> Option<Vec<String>> {
    let mut out: Vec<&str> = Vec::new();
    match phase(domain.status, domain.expiration_date, now) {
        Phase::Pending => return None,
        Phase::Active => out.push("active"),
        Phase::Grace => out.push("auto renew period"),
        // RFC 3915 §3.1: redemptionPeriod goes with pendingDelete.
        Phase::Redemption => out.extend(["redemption period", "pending delete"]),
        Phase::PendingDelete => {
            if now >= ExpiryDates::after(domain.expiration_date).release_at {
                return None;
            }
            out.push("pending delete");
        }
    }
    if now < domain.registration_date + chrono::Duration::days(ADD_GRACE_DAYS) {
        out.push("add period");
    }
    if domain.locked {
        out.push("client transfer prohibited");
    }
    if domain
        .transfer_out
        .as_ref()
        .is_some_and(|t| t.status == TransferOutStatus::Pending)
    {
        out.push("pending transfer");
    }
    for s in &domain.registry_statuses {
        out.push(match s.as_str() {
            "serverHold" => "server hold",
            "serverTransferProhibited" => "server transfer prohibited",
            "serverUpdateProhibited" => "server update prohibited",
            "serverDeleteProhibited" => "server delete prohibited",
            "serverRenewProhibited" => "server renew prohibited",
            // A status this version does not follow is not shown.
            _ => continue,
        });
    }
    Some(out.into_iter().map(str::to_owned).collect())
}

/// A jCard property with no parameters (RFC 7095 §3.3).
fn prop(name: &str, kind: &str, value: Value) -> Value {
    json!([name, {}, kind, value])
}

/// What of a contact goes into its jCard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Everything (the privacy service's and the registrar's own).
    Whole,
    /// The policy's public part (privacy protection off).
    Public,
}

/// The jCard (RFC 7095) of a contact: `fn`, `org`, `adr` (structured, the
/// street lines in the street component, the country as the `cc`
/// parameter as the Response Profile §2.7.3 asks), `tel` (voice, fax) and
/// `email`; with [`Shown::Public`], the name, organisation, state or
/// province and country only (the other address parts empty).
fn jcard(c: &ContactData, shown: Shown) -> Value {
    let whole = shown == Shown::Whole;
    let mut props = vec![
        prop("version", "text", json!("4.0")),
        prop("fn", "text", json!(c.name)),
    ];
    if let Some(org) = &c.organisation {
        props.push(prop("org", "text", json!(org)));
    }
    let street = if whole { json!(c.street) } else { json!("") };
    let city = if whole { c.city.as_str() } else { "" };
    let postal = if whole {
        c.postal_code.as_deref().unwrap_or("")
    } else {
        ""
    };
    props.push(json!([
        "adr",
        {"cc": c.country_code},
        "text",
        ["", "", street, city, c.state_province.as_deref().unwrap_or(""), postal, ""]
    ]));
    if whole {
        props.push(json!(["tel", {"type": "voice"}, "uri", format!("tel:{}", c.voice)]));
        if let Some(fax) = &c.fax {
            props.push(json!(["tel", {"type": "fax"}, "uri", format!("tel:{fax}")]));
        }
        props.push(prop("email", "text", json!(c.email)));
    }
    json!(["vcard", props])
}

/// An entity with `vcard` as its `vcardArray`: the library keeps that
/// field to itself and writes addresses in its own layout, so the entity
/// goes through JSON once to take ours.
fn with_vcard(entity: Entity, vcard: Value) -> Result<Entity, serde_json::Error> {
    let mut value = serde_json::to_value(entity)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("vcardArray".to_owned(), vcard);
    }
    serde_json::from_value(value)
}

/// The role names of RFC 9083 §10.2.4 and the Response Profile's redaction
/// names (RFC 9537 §6 registry: "Registrant Name", "Tech Email", ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Registrant,
    Administrative,
    Technical,
}

impl Role {
    fn rdap(self) -> &'static str {
        match self {
            Role::Registrant => "registrant",
            Role::Administrative => "administrative",
            Role::Technical => "technical",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::Registrant => "Registrant",
            Role::Administrative => "Admin",
            Role::Technical => "Tech",
        }
    }
}

/// One RFC 9537 redaction of `field` ("Name", "Email", ...) of `role`'s
/// entity, at the JSONPath `path` below it.
fn redaction(role: Role, field: &str, method: Method, path: &str, reason: &str) -> Redacted {
    let at = format!(
        "$.entities[?(@.roles[0]=='{}')].vcardArray[1]{path}",
        role.rdap()
    );
    let (pre_path, post_path) = match method {
        Method::Removal => (Some(at), None),
        _ => (None, Some(at)),
    };
    Redacted {
        name: Name {
            description: None,
            type_field: Some(format!("{} {field}", role.label())),
        },
        reason: Some(Reason {
            description: Some(reason.to_owned()),
            type_field: None,
        }),
        pre_path,
        post_path,
        path_lang: Some("jsonpath".to_owned()),
        replacement_path: None,
        method: Some(method),
    }
}

/// The reason given for what privacy protection replaces.
pub const PRIVACY_REASON: &str =
    "Privacy protection is on: the privacy service's contact is shown instead of the domain's";
/// The reason given for what the policy keeps from the public.
pub const POLICY_REASON: &str = "Server policy";

/// What is redacted of `role`'s contact: with privacy protection, every
/// field replaced by the privacy service's; without, the street, city,
/// postal code (empty), telephone, fax and email (removed).
fn redactions(role: Role, privacy: bool) -> Vec<Redacted> {
    const FN: &str = "[?(@[0]=='fn')][3]";
    const ORG: &str = "[?(@[0]=='org')][3]";
    const STREET: &str = "[?(@[0]=='adr')][3][2]";
    const CITY: &str = "[?(@[0]=='adr')][3][3]";
    const SP: &str = "[?(@[0]=='adr')][3][4]";
    const PC: &str = "[?(@[0]=='adr')][3][5]";
    const CC: &str = "[?(@[0]=='adr')][1].cc";
    const VOICE: &str = "[?(@[1].type=='voice')]";
    const FAX: &str = "[?(@[1].type=='fax')]";
    const EMAIL: &str = "[?(@[0]=='email')]";
    if privacy {
        let r =
            |field, path| redaction(role, field, Method::ReplacementValue, path, PRIVACY_REASON);
        vec![
            r("Name", FN),
            r("Organization", ORG),
            r("Street", STREET),
            r("City", CITY),
            r("State/Province", SP),
            r("Postal Code", PC),
            r("Country", CC),
            r("Phone", VOICE),
            r("Fax", FAX),
            r("Email", EMAIL),
        ]
    } else {
        let empty = |field, path| redaction(role, field, Method::EmptyValue, path, POLICY_REASON);
        let removed = |field, path| redaction(role, field, Method::Removal, path, POLICY_REASON);
        vec![
            empty("Street", STREET),
            empty("City", CITY),
            empty("Postal Code", PC),
            removed("Phone", VOICE),
            removed("Fax", FAX),
            removed("Email", EMAIL),
        ]
    }
}

/// A contact entity of a domain: `contact` under its handle as the policy
/// shows it, or, with privacy protection (`forwarding`: the domain's
/// forwarding address), the privacy service's contact under the operator's
/// privacy handle, its email the address that reaches the registrant
/// without revealing them (docs/forwarding.md).
fn contact_entity(
    ctx: &Ctx<'_>,
    roles: Vec<String>,
    contact: &Contact,
    forwarding: Option<&str>,
) -> Result<Entity, serde_json::Error> {
    let private;
    let (handle, data, shown) = match forwarding {
        Some(address) => {
            private = ContactData {
                email: address.to_owned(),
                ..ctx.privacy.clone()
            };
            (ctx.settings.privacy_handle.as_str(), &private, Shown::Whole)
        }
        None => (contact.handle.as_str(), &contact.data, Shown::Public),
    };
    let entity = Entity::builder()
        .handle(handle)
        .roles(roles)
        .link(rdap_link(
            &format!("{}entity/{handle}", ctx.base),
            "self",
            &format!("{}entity/{handle}", ctx.base),
        ))
        .build();
    with_vcard(entity, jcard(data, shown))
}

/// The abuse contact's entity (Response Profile §2.4.5): email and
/// telephone.
fn abuse_entity(ctx: &Ctx<'_>) -> Result<Entity, serde_json::Error> {
    let s = ctx.settings;
    let abuse_handle = abuse_handle(s);
    let abuse_url = format!("{}entity/{abuse_handle}", ctx.base);
    with_vcard(
        Entity::builder()
            .handle(abuse_handle)
            .role("abuse".to_owned())
            .link(rdap_link(&abuse_url, "self", &abuse_url))
            .build(),
        json!([
            "vcard",
            [
                prop("version", "text", json!("4.0")),
                prop(
                    "fn",
                    "text",
                    json!(format!("{} Abuse Contact", s.registrar_name))
                ),
                json!(["tel", {"type": "voice"}, "uri", format!("tel:{}", s.abuse_phone)]),
                prop("email", "text", json!(s.abuse_email)),
            ]
        ]),
    )
}

/// The registrar's entity (Response Profile §2.4): its name, IANA id as
/// `IANA Registrar ID`, web site, and its abuse contact as an entity
/// inside it with email and telephone (§2.4.5).
fn registrar_entity(ctx: &Ctx<'_>, roles: Vec<String>) -> Result<Entity, serde_json::Error> {
    let s = ctx.settings;
    let abuse = abuse_entity(ctx)?;
    let href = format!("{}entity/{}", ctx.base, s.iana_id);
    let entity = Entity::builder()
        .handle(s.iana_id.clone())
        .roles(roles)
        .public_id(
            PublicId::builder()
                .id_type("IANA Registrar ID".to_owned())
                .identifier(s.iana_id.clone())
                .build(),
        )
        .link(rdap_link(&href, "self", &href))
        .entity(abuse)
        .build();
    with_vcard(
        entity,
        json!([
            "vcard",
            [
                prop("version", "text", json!("4.0")),
                prop("fn", "text", json!(s.registrar_name)),
                prop("url", "uri", json!(s.registrar_url)),
            ]
        ]),
    )
}

/// The abuse contact's entity handle: the IANA id and `-ABUSE`.
pub fn abuse_handle(s: &RdapSettings) -> String {
    format!("{}-ABUSE", s.iana_id)
}

/// The registrar's abuse contact (`entity/{IANA id}-ABUSE`).
///
/// # Errors
/// Only if the entity fails to pass through JSON (not expected).
pub fn abuse(ctx: &Ctx<'_>) -> Result<Entity, serde_json::Error> {
    let e = abuse_entity(ctx)?;
    let self_url = format!("{}entity/{}", ctx.base, abuse_handle(ctx.settings));
    top_level(e, ctx, &self_url)
}

/// A domain's contacts as RDAP shows them: the registrant, admin and tech
/// contacts read from the store (`None` for a role without one).
#[derive(Debug, Default)]
pub struct DomainContacts {
    pub registrant: Option<Contact>,
    pub admin: Option<Contact>,
    pub tech: Option<Contact>,
}

/// The domain answer (RFC 9083 §5.3; Response Profile §2.1–2.10).
///
/// # Errors
/// Only if an entity fails to pass through JSON (not expected).
pub fn domain(
    ctx: &Ctx<'_>,
    domain: &Domain,
    statuses: Vec<String>,
    contacts: &DomainContacts,
) -> Result<RdapDomain, serde_json::Error> {
    let ldh = domain.domain_name.as_str();
    let unicode = vpsd_domain::name::to_unicode(ldh);
    let self_url = format!("{}domain/{ldh}", ctx.base);
    let privacy = domain.privacy_protection;
    let forwarding = privacy
        .then(|| vpsd_domain::contact::privacy_forwarding_address(ldh, ctx.privacy_mail_domain));

    let mut entities = vec![registrar_entity(ctx, vec!["registrar".to_owned()])?];
    let mut redacted = Vec::new();
    // One contact that holds several roles is one entity with them all
    // (RFC 9083 §5.1 `roles`); the redaction paths name each by its first.
    let roles = [
        (Role::Registrant, contacts.registrant.as_ref()),
        (Role::Administrative, contacts.admin.as_ref()),
        (Role::Technical, contacts.tech.as_ref()),
    ];
    for (role, contact) in roles {
        let Some(contact) = contact else { continue };
        entities.push(contact_entity(
            ctx,
            vec![role.rdap().to_owned()],
            contact,
            forwarding.as_deref(),
        )?);
        redacted.extend(redactions(role, privacy));
    }

    let mut links = vec![rdap_link(&self_url, "self", &self_url)];
    let tld = ldh.rsplit('.').next().unwrap_or(ldh);
    if let Some(registry) = ctx.settings.registry_rdap.get(tld) {
        links.push(rdap_link(
            &self_url,
            "related",
            &format!("{registry}domain/{ldh}"),
        ));
    }

    let mut events = vec![
        event("registration", domain.registration_date),
        event("expiration", domain.expiration_date),
        event("last changed", domain.updated_at),
        event("last update of RDAP database", ctx.now),
    ];
    if let Some(t) = domain.transfer_completes_at.filter(|t| *t <= ctx.now) {
        events.insert(2, event("transfer", t));
    }

    let nameservers = domain
        .nameservers
        .iter()
        .map(|ns| {
            let href = format!("{}nameserver/{ns}", ctx.base);
            Nameserver::builder()
                .ldh_name(ns.clone())
                .link(rdap_link(&href, "self", &href))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_default();

    let mut answer = RdapDomain::response_obj()
        .ldh_name(ldh)
        // A ROID (RFC 5730 §2.8) of this registrar's own repository: the
        // registry's is not known here.
        .handle(format!("D{}-VPS", domain.id))
        .statuses(statuses)
        .links(links)
        .events(events)
        .entities(entities)
        .nameservers(nameservers)
        .secure_dns(SecureDns::builder().delegation_signed(false).build())
        .notices(notices(ctx, &self_url))
        .extensions(conformance())
        .and_redacted((!redacted.is_empty()).then_some(redacted))
        .build();
    if unicode != ldh {
        answer.unicode_name = Some(unicode);
    }
    Ok(answer)
}

/// The answer to an entity lookup (RFC 9083 §5.1) of a contact shown by
/// policy (privacy protection off on a domain that names it).
///
/// # Errors
/// Only if the entity fails to pass through JSON (not expected).
pub fn contact(ctx: &Ctx<'_>, contact: &Contact) -> Result<Entity, serde_json::Error> {
    let mut e = contact_entity(ctx, Vec::new(), contact, None)?;
    let self_url = format!("{}entity/{}", ctx.base, contact.handle);
    e.object_common.redacted = Some(
        [
            ("Street", "[?(@[0]=='adr')][3][2]", Method::EmptyValue),
            ("City", "[?(@[0]=='adr')][3][3]", Method::EmptyValue),
            ("Postal Code", "[?(@[0]=='adr')][3][5]", Method::EmptyValue),
            ("Phone", "[?(@[1].type=='voice')]", Method::Removal),
            ("Fax", "[?(@[1].type=='fax')]", Method::Removal),
            ("Email", "[?(@[0]=='email')]", Method::Removal),
        ]
        .into_iter()
        .map(|(field, path, method)| {
            let at = format!("$.vcardArray[1]{path}");
            let (pre_path, post_path) = match method {
                Method::Removal => (Some(at), None),
                _ => (None, Some(at)),
            };
            Redacted {
                name: Name {
                    description: Some(format!("Contact {field}")),
                    type_field: None,
                },
                reason: Some(Reason {
                    description: Some(POLICY_REASON.to_owned()),
                    type_field: None,
                }),
                pre_path,
                post_path,
                path_lang: Some("jsonpath".to_owned()),
                replacement_path: None,
                method: Some(method),
            }
        })
        .collect(),
    );
    top_level(e, ctx, &self_url)
}

/// The privacy service's entity (`entity/{privacy handle}`), whole.
///
/// # Errors
/// Only if the entity fails to pass through JSON (not expected).
pub fn privacy_service(ctx: &Ctx<'_>) -> Result<Entity, serde_json::Error> {
    let handle = &ctx.settings.privacy_handle;
    let self_url = format!("{}entity/{handle}", ctx.base);
    let entity = Entity::builder()
        .handle(handle.clone())
        .link(rdap_link(&self_url, "self", &self_url))
        .build();
    let e = with_vcard(entity, jcard(ctx.privacy, Shown::Whole))?;
    top_level(e, ctx, &self_url)
}

/// The registrar's entity (`entity/{IANA id}`).
///
/// # Errors
/// Only if the entity fails to pass through JSON (not expected).
pub fn registrar(ctx: &Ctx<'_>) -> Result<Entity, serde_json::Error> {
    let e = registrar_entity(ctx, Vec::new())?;
    let self_url = format!("{}entity/{}", ctx.base, ctx.settings.iana_id);
    top_level(e, ctx, &self_url)
}

/// An entity made the top of an answer: conformance, notices and the
/// `last update of RDAP database` event.
fn top_level(mut e: Entity, ctx: &Ctx<'_>, self_url: &str) -> Result<Entity, serde_json::Error> {
    let mut extensions = conformance();
    extensions.push(ExtensionId::RdapLevel0.to_extension());
    e.common.rdap_conformance = Some(extensions);
    e.common.notices = Some(notices(ctx, self_url));
    e.object_common
        .events
        .get_or_insert_with(Vec::new)
        .push(event("last update of RDAP database", ctx.now));
    Ok(e)
}

/// The nameserver answer (RFC 9083 §5.2): its name (and Unicode form),
/// and its addresses when it is a child name server known with glue.
pub fn nameserver(ctx: &Ctx<'_>, ldh: &str, addresses: &[String]) -> Nameserver {
    let self_url = format!("{}nameserver/{ldh}", ctx.base);
    let unicode = vpsd_domain::name::to_unicode(ldh);
    let mut extensions = conformance();
    extensions.retain(|e| e.0 != ExtensionId::Redacted.to_string());
    let mut ns = Nameserver::response_obj()
        .ldh_name(ldh)
        .addresses(addresses.to_vec())
        .link(rdap_link(&self_url, "self", &self_url))
        .status("active".to_owned())
        .event(event("last update of RDAP database", ctx.now))
        .notices(notices(ctx, &self_url))
        .extensions(extensions)
        .build()
        .unwrap_or_else(|_| {
            Nameserver::builder()
                .ldh_name(ldh)
                .build()
                .unwrap_or_else(|_| unreachable!("a nameserver without addresses always builds"))
        });
    if unicode != ldh {
        ns.unicode_name = Some(unicode);
    }
    ns
}

/// The help answer (RFC 9083 §7): what this server answers, and the
/// notices.
pub fn help(ctx: &Ctx<'_>) -> Help {
    let self_url = format!("{}help", ctx.base);
    let mut notices = vec![Notice::builder()
        .title("Queries".to_owned())
        .description(vec![
            format!("This is the RDAP service of {}, a registrar (RFC 7480–7484, RFC 9082, RFC 9083).", ctx.settings.registrar_name),
            "domain/{name}: a domain this registrar sponsors, by A-label or U-label, any case.".to_owned(),
            "entity/{handle}: a contact shown by a domain without privacy protection, the privacy service, or the registrar by its IANA id.".to_owned(),
            "nameserver/{name}: one of this registrar's own name servers, or a child host (with its glue) of a domain it sponsors.".to_owned(),
            "Searches (domains, nameservers, entities) are not supported (501).".to_owned(),
        ])
        .link(rdap_link(&self_url, "self", &self_url))
        .build()];
    notices.extend(self::notices(ctx, &self_url));
    let mut extensions = conformance();
    extensions.retain(|e| e.0 != ExtensionId::Redacted.to_string());
    Help::response()
        .notices(notices)
        .extensions(extensions)
        .build()
}

/// An error answer (RFC 9083 §6): `errorCode` (the HTTP status),
/// `title`, `description`.
pub fn error(code: u16, title: &str, description: &str) -> Rfc9083Error {
    Rfc9083Error::response_obj()
        .error_code(code)
        .title(title.to_owned())
        .description(vec![description.to_owned()])
        .build()
}

//! DNS records of a hosted zone: the types we serve, the checks the RFCs ask
//! for, and one canonical form per record so equal records compare equal.
//!
//! Names are kept relative to the zone, lower case, `@` for the apex. A
//! name given with the zone on its end (`www.example.com` or
//! `www.example.com.` in the zone `example.com`) is taken as that name; any
//! other name ending in a dot is outside the zone and refused.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::HostName;

/// The record types the API accepts and the nameserver serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Ns,
    Srv,
    Caa,
}

impl RecordType {
    pub const ALL: [RecordType; 8] = [
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Cname,
        RecordType::Mx,
        RecordType::Txt,
        RecordType::Ns,
        RecordType::Srv,
        RecordType::Caa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Ns => "NS",
            RecordType::Srv => "SRV",
            RecordType::Caa => "CAA",
        }
    }

    /// Case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// MX and SRV carry a `priority`; the others may not.
    pub fn has_priority(self) -> bool {
        matches!(self, RecordType::Mx | RecordType::Srv)
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const MIN_TTL: i64 = 60;
pub const MAX_TTL: i64 = 86_400;
pub const DEFAULT_TTL: i64 = 3_600;
/// The longest TXT content accepted (it is served as 255-byte strings).
pub const MAX_TXT_BYTES: usize = 4_000;
/// Records one zone may hold.
pub const MAX_RECORDS_PER_ZONE: i64 = 1_000;

/// A record as validated: what is stored and served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordData {
    /// Relative to the zone, lower case; `@` for the apex.
    pub name: String,
    pub rtype: RecordType,
    /// The canonical form: an address as its standard text, a host name in
    /// lower-case A-labels without the final dot, SRV `weight port target`,
    /// CAA `flags tag "value"`, TXT as given.
    pub content: String,
    pub ttl: i64,
    /// MX preference or SRV priority; `None` for the other types.
    pub priority: Option<i64>,
}

impl RecordData {
    /// The record's owner name, absolute, without the final dot.
    pub fn fqdn(&self, zone: &str) -> String {
        owner(&self.name, zone)
    }
}

/// `name` (relative, `@` for the apex) in `zone`, absolute.
pub fn owner(name: &str, zone: &str) -> String {
    if name == "@" {
        zone.to_owned()
    } else {
        format!("{name}.{zone}")
    }
}

/// A record as given by a client, before the checks.
#[derive(Debug, Clone, Default)]
pub struct RecordInput {
    pub name: Option<String>,
    pub rtype: Option<String>,
    pub content: Option<String>,
    pub ttl: Option<i64>,
    pub priority: Option<i64>,
}

/// A field at fault and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// The name relative to `zone`, or why it cannot be one.
pub fn relative_name(zone: &str, raw: &str) -> Result<String, String> {
    let mut name = raw.trim().to_ascii_lowercase();
    if name.is_empty() || name == "@" {
        return Ok("@".to_owned());
    }
    if !name.is_ascii() {
        name = idna::domain_to_ascii(&name).map_err(|_| format!("`{raw}` is not a valid name."))?;
    }
    let absolute = name.ends_with('.');
    let trimmed = name.trim_end_matches('.');
    let suffix = format!(".{zone}");
    let relative = if trimmed == zone {
        "@".to_owned()
    } else if let Some(rel) = trimmed.strip_suffix(&suffix) {
        rel.to_owned()
    } else if absolute {
        return Err(format!(
            "`{raw}` is outside the zone {zone}: give a name in it, relative (`www`, `@` for {zone}) or ending in {zone}."
        ));
    } else {
        trimmed.to_owned()
    };
    if relative == "@" {
        return Ok(relative);
    }
    if relative.len() + zone.len() + 1 > 253 {
        return Err("The whole name may be at most 253 characters long.".to_owned());
    }
    for (i, label) in relative.split('.').enumerate() {
        if label.is_empty() {
            return Err(format!("`{raw}` has an empty label (two dots in a row)."));
        }
        if label.len() > 63 {
            return Err(format!("The label `{label}` is longer than 63 characters."));
        }
        if label == "*" {
            if i != 0 {
                return Err("A wildcard `*` may only be the leftmost label.".to_owned());
            }
            continue;
        }
        let ok = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(format!(
                "The label `{label}` may hold only letters, digits, `-` and `_`."
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "The label `{label}` may not start or end with `-`."
            ));
        }
    }
    // Internationalised labels must be IDNA2008 U-labels (RFC 5891 §5.4).
    crate::name::check_a_labels(&relative)
        .map_err(|reason| format!("`{raw}` is not a valid name: {reason}."))?;
    Ok(relative)
}

fn host(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let raw = raw.trim();
    let bare = raw.strip_suffix('.').unwrap_or(raw);
    HostName::parse(bare)
        .map(|h| h.as_str().to_owned())
        .map_err(|e| {
            err(
                field,
                format!("{e} Give a host name such as mail.example.com."),
            )
        })
}

/// Checks a whole record for `zone` and gives its canonical form, or every
/// field at fault.
pub fn validate(zone: &str, input: &RecordInput) -> Result<RecordData, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = match relative_name(zone, input.name.as_deref().unwrap_or("@")) {
        Ok(name) => Some(name),
        Err(message) => {
            errors.push(err("name", message));
            None
        }
    };
    let rtype = match input.rtype.as_deref() {
        None => {
            errors.push(err("type", "This field is required."));
            None
        }
        Some(t) => match RecordType::parse(t) {
            Some(t) => Some(t),
            None => {
                errors.push(err(
                    "type",
                    format!(
                        "`{t}` is not a record type served here; use one of A, AAAA, CNAME, MX, TXT, NS, SRV, CAA."
                    ),
                ));
                None
            }
        },
    };
    let ttl = input.ttl.unwrap_or(DEFAULT_TTL);
    if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
        errors.push(err(
            "ttl",
            format!("The TTL must be between {MIN_TTL} and {MAX_TTL} seconds."),
        ));
    }
    let Some(rtype) = rtype else {
        return Err(errors);
    };
    let priority = match (rtype.has_priority(), input.priority) {
        (true, None) => {
            errors.push(err(
                "priority",
                format!("{rtype} records need a priority (0 to 65535, lower is preferred)."),
            ));
            None
        }
        (true, Some(p)) if !(0..=65_535).contains(&p) => {
            errors.push(err("priority", "The priority must be between 0 and 65535."));
            None
        }
        (true, Some(p)) => Some(p),
        (false, Some(_)) => {
            errors.push(err(
                "priority",
                format!(
                    "{rtype} records have no priority: leave it out (only MX and SRV have one)."
                ),
            ));
            None
        }
        (false, None) => None,
    };
    let content = match input.content.as_deref() {
        None => {
            errors.push(err("content", "This field is required."));
            None
        }
        Some(raw) => match content(rtype, raw) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    if let Some(name) = &name {
        match rtype {
            RecordType::Cname if name == "@" => errors.push(err(
                "name",
                "A CNAME cannot be at the zone's apex (@), which holds the SOA and NS records; use A/AAAA records there.",
            )),
            RecordType::Ns if name == "@" => errors.push(err(
                "name",
                "The apex's NS records are VPS.org's own; NS records here delegate a subdomain (give its name).",
            )),
            RecordType::Srv if !is_service_name(name) => errors.push(err(
                "name",
                "An SRV record's name starts with _service._protocol, such as _sip._tcp or _sip._tcp.office.",
            )),
            _ => {}
        }
    }
    match (errors.is_empty(), name, content) {
        (true, Some(name), Some(content)) => Ok(RecordData {
            name,
            rtype,
            content,
            ttl,
            priority,
        }),
        _ => Err(errors),
    }
}

fn is_service_name(name: &str) -> bool {
    let mut labels = name.split('.');
    matches!(
        (labels.next(), labels.next()),
        (Some(service), Some(proto)) if service.starts_with('_') && proto.starts_with('_')
    )
}

fn content(rtype: RecordType, raw: &str) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    match rtype {
        RecordType::A => trimmed
            .parse::<Ipv4Addr>()
            .map(|a| a.to_string())
            .map_err(|_| {
                err(
                    "content",
                    format!("`{raw}` is not an IPv4 address (such as 192.0.2.10)."),
                )
            }),
        RecordType::Aaaa => trimmed
            .parse::<Ipv6Addr>()
            .map(|a| a.to_string())
            .map_err(|_| {
                err(
                    "content",
                    format!("`{raw}` is not an IPv6 address (such as 2001:db8::10)."),
                )
            }),
        RecordType::Cname | RecordType::Ns | RecordType::Mx => host("content", trimmed),
        RecordType::Txt => {
            if raw.is_empty() {
                Err(err("content", "A TXT record needs some text."))
            } else if raw.len() > MAX_TXT_BYTES {
                Err(err(
                    "content",
                    format!("TXT content may be at most {MAX_TXT_BYTES} bytes."),
                ))
            } else if raw.chars().any(|c| c.is_control()) {
                Err(err(
                    "content",
                    "TXT content may not hold control characters (such as line breaks).",
                ))
            } else {
                Ok(raw.to_owned())
            }
        }
        RecordType::Srv => {
            let parts: Vec<&str> = trimmed.split_whitespace().collect();
            let usage = "SRV content is `weight port target`, such as `10 5060 sip.example.com` (the priority is its own field).";
            let [weight, port, target] = parts.as_slice() else {
                return Err(err("content", usage));
            };
            let weight: u16 = weight.parse().map_err(|_| err("content", usage))?;
            let port: u16 = port.parse().map_err(|_| err("content", usage))?;
            let target = if *target == "." {
                ".".to_owned()
            } else {
                host("content", target)?
            };
            Ok(format!("{weight} {port} {target}"))
        }
        RecordType::Caa => {
            let usage = "CAA content is `flags tag value`, such as `0 issue \"letsencrypt.org\"`; the tag is issue, issuewild or iodef.";
            let mut it = trimmed.splitn(3, char::is_whitespace);
            let (Some(flags), Some(tag), Some(value)) = (it.next(), it.next(), it.next()) else {
                return Err(err("content", usage));
            };
            let flags: u8 = flags.parse().map_err(|_| err("content", usage))?;
            let tag = tag.to_ascii_lowercase();
            if !matches!(tag.as_str(), "issue" | "issuewild" | "iodef") {
                return Err(err("content", usage));
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            if value.contains('"') || value.chars().any(|c| c.is_control()) {
                return Err(err("content", usage));
            }
            Ok(format!("{flags} {tag} \"{value}\""))
        }
    }
}

/// Why a record cannot join the records already at its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// The same name, type and content exist already (record `id`).
    Duplicate { id: i64 },
    /// A CNAME would sit beside other data, or other data beside a CNAME.
    Cname { message: String },
    /// The zone holds [`MAX_RECORDS_PER_ZONE`] records already.
    ZoneFull,
}

impl fmt::Display for Clash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clash::Duplicate { id } => write!(
                f,
                "The same record exists already (id {id}); change that one, or give other content."
            ),
            Clash::Cname { message } => f.write_str(message),
            Clash::ZoneFull => write!(
                f,
                "The zone holds {MAX_RECORDS_PER_ZONE} records, the most allowed: remove some first."
            ),
        }
    }
}

/// Whether `new` may join `existing` (the records at the same name, with
/// their ids); `replacing` is the id of the record `new` replaces, if any.
/// Records of one type side by side are normal (RFC 2181 RRsets); a CNAME
/// stands alone at its name (RFC 1034 §3.6.2).
pub fn clash(
    existing: &[(i64, RecordData)],
    new: &RecordData,
    replacing: Option<i64>,
) -> Option<Clash> {
    let others = existing
        .iter()
        .filter(|(id, r)| Some(*id) != replacing && r.name == new.name);
    for (id, r) in others {
        if r.rtype == new.rtype && r.content == new.content {
            return Some(Clash::Duplicate { id: *id });
        }
        if new.rtype == RecordType::Cname {
            return Some(Clash::Cname {
                message: format!(
                    "{} already has a {} record (id {id}): a CNAME must be the only record at its name. Remove the others first, or use another name.",
                    new.name, r.rtype
                ),
            });
        }
        if r.rtype == RecordType::Cname {
            return Some(Clash::Cname {
                message: format!(
                    "{} is a CNAME (record id {id}): no other record may sit beside it. Remove the CNAME first, or use another name.",
                    new.name
                ),
            });
        }
    }
    None
}

/// TXT content as DNS character-strings: at most 255 bytes each, split on
/// character boundaries.
pub fn txt_strings(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let mut cut = rest.len().min(255);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push(head);
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, t: &str, content: &str) -> RecordInput {
        RecordInput {
            name: Some(name.into()),
            rtype: Some(t.into()),
            content: Some(content.into()),
            ttl: None,
            priority: None,
        }
    }

    fn fields(r: Result<RecordData, Vec<FieldError>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn names_relative_absolute_and_outside() {
        let z = "example.com";
        assert_eq!(relative_name(z, "@").as_deref(), Ok("@"));
        assert_eq!(relative_name(z, "").as_deref(), Ok("@"));
        assert_eq!(relative_name(z, "WWW").as_deref(), Ok("www"));
        assert_eq!(relative_name(z, "www.example.com").as_deref(), Ok("www"));
        assert_eq!(relative_name(z, "www.example.com.").as_deref(), Ok("www"));
        assert_eq!(relative_name(z, "example.com.").as_deref(), Ok("@"));
        assert_eq!(
            relative_name(z, "_acme-challenge").as_deref(),
            Ok("_acme-challenge")
        );
        assert_eq!(relative_name(z, "*.dev").as_deref(), Ok("*.dev"));
        assert!(relative_name(z, "www.example.org.").is_err());
        assert!(relative_name(z, "a..b").is_err());
        assert!(relative_name(z, "a.*").is_err());
        assert!(relative_name(z, "-a").is_err());
        assert!(relative_name(z, "a b").is_err());
        assert!(relative_name(z, &"a".repeat(64)).is_err());
        // IDNA2008 (RFC 5892): an emoji label is refused, a letter one kept.
        let e = relative_name(z, "😀").unwrap_err();
        assert!(e.contains("U+1F600"), "{e}");
        assert_eq!(relative_name(z, "bücher").unwrap(), "xn--bcher-kva");
    }

    #[test]
    fn each_type_canonical_and_refused() {
        let z = "example.com";
        let ok = |i: RecordInput| validate(z, &i).expect("valid");
        assert_eq!(ok(input("@", "a", " 192.0.2.1 ")).content, "192.0.2.1");
        assert_eq!(
            ok(input("@", "AAAA", "2001:DB8:0::1")).content,
            "2001:db8::1"
        );
        assert_eq!(
            ok(input("www", "CNAME", "Host.Example.NET.")).content,
            "host.example.net"
        );
        let mut mx = input("@", "MX", "mail.example.com");
        mx.priority = Some(10);
        assert_eq!(ok(mx).priority, Some(10));
        let mut srv = input("_sip._tcp", "SRV", "5 5060 sip.example.com.");
        srv.priority = Some(1);
        assert_eq!(ok(srv).content, "5 5060 sip.example.com");
        assert_eq!(
            ok(input("@", "CAA", "0 ISSUE letsencrypt.org")).content,
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(
            ok(input("dev", "NS", "ns1.other.net")).content,
            "ns1.other.net"
        );

        assert_eq!(
            fields(validate(z, &input("@", "A", "300.1.1.1"))),
            ["content"]
        );
        assert_eq!(
            fields(validate(z, &input("@", "AAAA", "192.0.2.1"))),
            ["content"]
        );
        assert_eq!(
            fields(validate(z, &input("@", "CNAME", "x.example.net"))),
            ["name"]
        );
        assert_eq!(
            fields(validate(z, &input("@", "NS", "ns.example.net"))),
            ["name"]
        );
        assert_eq!(
            fields(validate(z, &input("@", "MX", "mail.example.com"))),
            ["priority"]
        );
        let mut a = input("@", "A", "192.0.2.1");
        a.priority = Some(1);
        assert_eq!(fields(validate(z, &a)), ["priority"]);
        a.priority = None;
        a.ttl = Some(59);
        assert_eq!(fields(validate(z, &a)), ["ttl"]);
        a.ttl = Some(86_401);
        assert_eq!(fields(validate(z, &a)), ["ttl"]);
        assert_eq!(fields(validate(z, &input("@", "SPF", "x"))), ["type"]);
        assert_eq!(fields(validate(z, &input("x", "TXT", "a\nb"))), ["content"]);
        let mut srv = input("sip", "SRV", "5 5060 sip.example.com");
        srv.priority = Some(1);
        assert_eq!(fields(validate(z, &srv)), ["name"]);
        assert_eq!(
            fields(validate(z, &input("@", "CAA", "0 bogus x"))),
            ["content"]
        );
    }

    #[test]
    fn cname_stands_alone_and_rrsets_grow() {
        let z = "example.com";
        let txt1 = validate(z, &input("_acme-challenge", "TXT", "one")).expect("valid");
        let txt2 = validate(z, &input("_acme-challenge", "TXT", "two")).expect("valid");
        let existing = vec![(1, txt1.clone())];
        assert_eq!(clash(&existing, &txt2, None), None);
        assert_eq!(
            clash(&existing, &txt1, None),
            Some(Clash::Duplicate { id: 1 })
        );
        assert_eq!(clash(&existing, &txt1, Some(1)), None);
        let cname =
            validate(z, &input("_acme-challenge", "CNAME", "x.example.net")).expect("valid");
        assert!(matches!(
            clash(&existing, &cname, None),
            Some(Clash::Cname { .. })
        ));
        assert_eq!(clash(&existing, &cname, Some(1)), None);
        let existing = vec![(2, cname)];
        assert!(matches!(
            clash(&existing, &txt1, None),
            Some(Clash::Cname { .. })
        ));
    }

    #[test]
    fn txt_split_at_255_bytes_on_char_boundaries() {
        let long = "é".repeat(200); // 400 bytes
        let parts = txt_strings(&long);
        assert!(parts.iter().all(|p| p.len() <= 255));
        assert_eq!(parts.concat(), long);
        assert_eq!(txt_strings("short"), ["short"]);
    }
}

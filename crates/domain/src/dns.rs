//! DNS records of a hosted zone: the types we serve, the checks the RFCs ask
//! for, and one canonical form per record so equal records compare equal.
//! A record's data is parsed once, by [`validate`], into a typed [`Rdata`]
//! (`dns/rdata.rs`) whose text is the canonical form and from which the
//! nameserver writes wire data.
//!
//! Names are kept relative to the zone, lower case, `@` for the apex. A
//! name given with the zone on its end (`www.example.com` or
//! `www.example.com.` in the zone `example.com`) is taken as that name; any
//! other name ending in a dot is outside the zone and refused.

use std::fmt;

use crate::RecordId;

mod names;
mod rdata;
pub mod tsig;
pub mod txt;
pub mod update;
pub mod zone_file;

pub use names::{relative_name, RdataName, Root};
pub use rdata::{CaaTag, Rdata};
pub use txt::{Txt, MAX_TXT_BYTES, MAX_TXT_WIRE};

/// The record types the API accepts and the nameserver serves, serialized
/// and documented (as `RecordTypeName`) by their upper-case names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "UPPERCASE")]
#[schema(as = RecordTypeName, description = "A record's type.")]
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

/// The shortest TTL a record may have, in seconds.
pub const MIN_TTL: u32 = 60;
/// The longest TTL a record may have, in seconds (a day).
pub const MAX_TTL: u32 = 86_400;
/// A record's TTL when none is given, in seconds.
pub const DEFAULT_TTL: u32 = 3_600;
/// The most octets the records of one RRset (one name and type) may take in
/// an answer, so that it always fits a DNS message over TCP (65,535 octets,
/// RFC 1035 §4.2.2) with room for the rest of the answer.
pub const MAX_RRSET_WIRE: usize = 16_384;
/// Records one zone may hold.
pub const MAX_RECORDS_PER_ZONE: i64 = 1_000;

/// A record as validated: what is stored and served, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordData {
    /// Relative to the zone, lower case; `@` for the apex.
    pub name: String,
    /// Seconds, [`MIN_TTL`] to [`MAX_TTL`].
    pub ttl: u32,
    /// The typed data; its `Display` is the API's `content` (and the
    /// store's `content` column), its [`Rdata::priority`] the API's
    /// `priority`.
    pub rdata: Rdata,
}

impl RecordData {
    /// The record's type.
    pub fn rtype(&self) -> RecordType {
        self.rdata.rtype()
    }

    /// MX preference or SRV priority; `None` for the other types.
    pub fn priority(&self) -> Option<u16> {
        self.rdata.priority()
    }

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
    let ttl = match input.ttl {
        None => Some(DEFAULT_TTL),
        Some(ttl) => u32::try_from(ttl)
            .ok()
            .filter(|t| (MIN_TTL..=MAX_TTL).contains(t)),
    };
    if ttl.is_none() {
        errors.push(err(
            "ttl",
            format!("The TTL must be between {MIN_TTL} and {MAX_TTL} seconds."),
        ));
    }
    let Some(rtype) = rtype else {
        // Without a type the content's rules are unknown; what can be
        // checked without one still is, so one answer names every fault.
        if input.content.is_none() {
            errors.push(err("content", "This field is required."));
        }
        if input.priority.is_some_and(|p| u16::try_from(p).is_err()) {
            errors.push(err("priority", "The priority must be between 0 and 65535."));
        }
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
        (true, Some(p)) => match u16::try_from(p) {
            Ok(p) => Some(p),
            Err(_) => {
                errors.push(err("priority", "The priority must be between 0 and 65535."));
                None
            }
        },
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
    // A priority in error leaves the errors non-empty, so the 0 in its
    // place is never used.
    let rdata = match input.content.as_deref() {
        None => {
            errors.push(err("content", "This field is required."));
            None
        }
        Some(raw) => match rdata::parse_content(zone, rtype, raw, priority.unwrap_or(0)) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(err("content", e));
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
    if rdata.as_ref().is_some_and(Rdata::is_null_mx) && priority.is_some_and(|p| p != 0) {
        errors.push(err(
            "priority",
            "A null MX (content `.`, RFC 7505: the domain accepts no mail) has priority 0.",
        ));
    }
    match (errors.is_empty(), name, ttl, rdata) {
        (true, Some(name), Some(ttl), Some(rdata)) => Ok(RecordData { name, ttl, rdata }),
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

/// Why a record cannot join the records already at its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// The same name, type and content exist already (record `id`).
    Duplicate { id: RecordId },
    /// A CNAME would sit beside other data, or other data beside a CNAME.
    Cname { message: String },
    /// A null MX (RFC 7505 §3) would sit beside another MX.
    NullMx { id: RecordId },
    /// The RRset would take more than [`MAX_RRSET_WIRE`] octets in an
    /// answer (`octets` with the new record).
    RrsetTooLarge { octets: usize },
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
            Clash::NullMx { id } => write!(
                f,
                "A null MX (`.`, RFC 7505) says the domain takes no mail, so it stands alone among the name's MX records (record id {id}): remove one or the other."
            ),
            Clash::RrsetTooLarge { octets } => write!(
                f,
                "The records of this name and type would take {octets} bytes in an answer, over the {MAX_RRSET_WIRE} that always fit a DNS message: remove some, or shorten them."
            ),
            Clash::ZoneFull => write!(
                f,
                "The zone holds {MAX_RECORDS_PER_ZONE} records, the most allowed: remove some first."
            ),
        }
    }
}

/// Whether `new` may join `existing` (the records at the same name, with
/// their ids); `replacing` is the id of the record `new` replaces, if any.
/// Records of one type side by side are normal (RFC 2181 RRsets), but not
/// the same data twice (RFC 2181 §5; TXT compared by what goes on the wire,
/// so `abc` and `"abc"` are one record); a CNAME stands alone at its name
/// (RFC 1034 §3.6.2); a null MX stands alone among MX records (RFC 7505 §3);
/// an RRset fits a DNS message over TCP ([`MAX_RRSET_WIRE`]).
pub fn clash(
    existing: &[(RecordId, RecordData)],
    new: &RecordData,
    replacing: Option<RecordId>,
) -> Option<Clash> {
    let others = existing
        .iter()
        .filter(|(id, r)| Some(*id) != replacing && r.name == new.name);
    let mut rrset = wire_size(new);
    for (id, r) in others {
        if r.rtype() == new.rtype() {
            rrset += wire_size(r);
        }
        if r.rtype() == new.rtype() && r.rdata.same_data(&new.rdata) {
            return Some(Clash::Duplicate { id: *id });
        }
        if r.rtype() == RecordType::Mx
            && new.rtype() == RecordType::Mx
            && (r.rdata.is_null_mx() || new.rdata.is_null_mx())
        {
            return Some(Clash::NullMx { id: *id });
        }
        if new.rtype() == RecordType::Cname {
            return Some(Clash::Cname {
                message: format!(
                    "{} already has {} {} record (id {id}): a CNAME must be the only record at its name. Remove the others first, or use another name.",
                    new.name,
                    if matches!(r.rtype(), RecordType::A | RecordType::Aaaa | RecordType::Mx | RecordType::Ns | RecordType::Srv) { "an" } else { "a" },
                    r.rtype()
                ),
            });
        }
        if r.rtype() == RecordType::Cname {
            return Some(Clash::Cname {
                message: format!(
                    "{} is a CNAME (record id {id}): no other record may sit beside it. Remove the CNAME first, or use another name.",
                    new.name
                ),
            });
        }
    }
    if rrset > MAX_RRSET_WIRE {
        return Some(Clash::RrsetTooLarge { octets: rrset });
    }
    None
}

/// An upper bound of the octets `r` takes in an answer: its owner name as a
/// compression pointer, type, class, TTL and RDLENGTH (12 octets), and its
/// RDATA (RFC 1035 §3.2.1, §4.1.4).
fn wire_size(r: &RecordData) -> usize {
    12 + r.rdata.wire_size()
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
    fn each_type_canonical_and_refused() {
        let z = "example.com";
        let ok = |i: RecordInput| validate(z, &i).expect("valid");
        assert_eq!(
            ok(input("@", "a", " 192.0.2.1 ")).rdata.to_string(),
            "192.0.2.1"
        );
        assert_eq!(
            ok(input("@", "AAAA", "2001:DB8:0::1")).rdata.to_string(),
            "2001:db8::1"
        );
        assert_eq!(
            ok(input("www", "CNAME", "Host.Example.NET."))
                .rdata
                .to_string(),
            "host.example.net"
        );
        let mut mx = input("@", "MX", "mail.example.com");
        mx.priority = Some(10);
        assert_eq!(ok(mx).priority(), Some(10));
        let mut srv = input("_sip._tcp", "SRV", "5 5060 sip.example.com.");
        srv.priority = Some(1);
        assert_eq!(ok(srv).rdata.to_string(), "5 5060 sip.example.com");
        assert_eq!(
            ok(input("@", "CAA", "0 ISSUE letsencrypt.org"))
                .rdata
                .to_string(),
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(
            ok(input("dev", "NS", "ns1.other.net")).rdata.to_string(),
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
        let existing = vec![(RecordId::from(1), txt1.clone())];
        assert_eq!(clash(&existing, &txt2, None), None);
        assert_eq!(
            clash(&existing, &txt1, None),
            Some(Clash::Duplicate {
                id: RecordId::from(1)
            })
        );
        assert_eq!(clash(&existing, &txt1, Some(RecordId::from(1))), None);
        let cname =
            validate(z, &input("_acme-challenge", "CNAME", "x.example.net")).expect("valid");
        assert!(matches!(
            clash(&existing, &cname, None),
            Some(Clash::Cname { .. })
        ));
        assert_eq!(clash(&existing, &cname, Some(RecordId::from(1))), None);
        let existing = vec![(RecordId::from(2), cname)];
        assert!(matches!(
            clash(&existing, &txt1, None),
            Some(Clash::Cname { .. })
        ));
    }

    #[test]
    fn rdata_names_follow_one_rule_in_every_field() {
        let z = "example.com";
        let ok = |i: RecordInput| validate(z, &i).map(|r| r.rdata.to_string());
        // Microsoft 365 DKIM and ACME alias mode: underscores in the target.
        assert_eq!(
            ok(input(
                "selector1._domainkey",
                "CNAME",
                "selector1-shop-example._domainkey.tenant.example.net"
            ))
            .as_deref(),
            Ok("selector1-shop-example._domainkey.tenant.example.net")
        );
        assert_eq!(
            ok(input(
                "_acme-challenge",
                "CNAME",
                "_acme-challenge.validation.example.net."
            ))
            .as_deref(),
            Ok("_acme-challenge.validation.example.net")
        );
        let mut mx = input("@", "MX", "_mx.example.net");
        mx.priority = Some(10);
        assert_eq!(ok(mx).as_deref(), Ok("_mx.example.net"));
        // The root where an RFC gives it a meaning: null MX, SRV "no service".
        let mut null_mx = input("@", "MX", ".");
        null_mx.priority = Some(0);
        assert_eq!(ok(null_mx.clone()).as_deref(), Ok("."));
        null_mx.priority = Some(10);
        assert_eq!(fields(validate(z, &null_mx)), ["priority"]);
        let mut srv = input("_imap._tcp", "SRV", "0 0 .");
        srv.priority = Some(0);
        assert_eq!(ok(srv).as_deref(), Ok("0 0 ."));
        // ... and nowhere else; an address is not a name.
        assert_eq!(
            fields(validate(z, &input("www", "CNAME", "."))),
            ["content"]
        );
        assert_eq!(fields(validate(z, &input("dev", "NS", "."))), ["content"]);
        assert_eq!(
            fields(validate(z, &input("dev", "NS", "192.0.2.1"))),
            ["content"]
        );
        assert_eq!(
            fields(validate(z, &input("www", "CNAME", "www"))),
            ["content"]
        );
    }

    #[test]
    fn a_null_mx_stands_alone_and_txt_forms_are_one_record() {
        let z = "example.com";
        let mut null_mx = input("@", "MX", ".");
        null_mx.priority = Some(0);
        let null_mx = validate(z, &null_mx).expect("valid");
        let mut mx = input("@", "MX", "mail.example.com");
        mx.priority = Some(10);
        let mx = validate(z, &mx).expect("valid");
        assert_eq!(
            clash(&[(RecordId::from(1), mx.clone())], &null_mx, None),
            Some(Clash::NullMx {
                id: RecordId::from(1)
            })
        );
        assert_eq!(
            clash(&[(RecordId::from(2), null_mx)], &mx, None),
            Some(Clash::NullMx {
                id: RecordId::from(2)
            })
        );
        let bare = validate(z, &input("x", "TXT", "abc")).expect("valid");
        let quoted = validate(z, &input("x", "TXT", "\"abc\"")).expect("valid");
        assert_eq!(
            clash(&[(RecordId::from(3), bare)], &quoted, None),
            Some(Clash::Duplicate {
                id: RecordId::from(3)
            })
        );
    }

    #[test]
    fn an_rrset_fits_a_tcp_message() {
        let z = "example.com";
        let big = |i: usize| {
            validate(
                z,
                &input("big", "TXT", &format!("{i:02}{}", "x".repeat(3_998))),
            )
            .expect("valid")
        };
        // Four of 4,000 bytes fit (16,112 octets), a fifth does not.
        let existing: Vec<(RecordId, RecordData)> = (0..4)
            .map(|i| (RecordId::from(i64::try_from(i).expect("id")), big(i)))
            .collect();
        assert_eq!(clash(&existing[..3], &big(3), None), None);
        assert!(matches!(
            clash(&existing, &big(5), None),
            Some(Clash::RrsetTooLarge { .. })
        ));
        // Replacing one of them keeps the set's size.
        assert_eq!(
            clash(&existing[..4], &big(5), Some(RecordId::from(0))),
            None
        );
    }
}

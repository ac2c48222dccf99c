//! The wire form of a stored record's data (RFC 1035 §3.3, RFC 2782 SRV,
//! RFC 8659 CAA), read with the same rules the API validated it with
//! (`vpsd_domain::dns`): names through [`RdataName`], TXT through
//! [`txt::character_strings`]. Done once per record when a zone is built,
//! never per question.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, NULL, SRV, TXT};
use hickory_proto::rr::{Name, RData, RecordType};
use vpsd_domain::dns::{self, txt, RdataName, RecordData};

/// The wire name of an RDATA name field: its labels, or the root.
pub fn wire_name(name: &RdataName) -> Option<Name> {
    if name.is_root() {
        return Some(Name::root());
    }
    Name::from_labels(name.labels().map(str::as_bytes)).ok()
}

/// A stored name field (see [`RdataName::from_stored`]) on the wire.
fn stored_name(stored: &str) -> Option<Name> {
    wire_name(&RdataName::from_stored(stored)?)
}

/// The wire form of a record's data, or `None` if the stored content does
/// not read (never for what the API stored; the caller logs and skips it).
pub fn rdata(r: &RecordData) -> Option<RData> {
    let priority = r.priority.and_then(|p| u16::try_from(p).ok());
    Some(match r.rtype {
        dns::RecordType::A => RData::A(A(r.content.parse::<Ipv4Addr>().ok()?)),
        dns::RecordType::Aaaa => RData::AAAA(AAAA(r.content.parse::<Ipv6Addr>().ok()?)),
        dns::RecordType::Cname => RData::CNAME(CNAME(stored_name(&r.content)?)),
        dns::RecordType::Ns => RData::NS(NS(stored_name(&r.content)?)),
        dns::RecordType::Mx => RData::MX(MX::new(priority?, stored_name(&r.content)?)),
        dns::RecordType::Txt => {
            let strings = txt::character_strings(&r.content)?;
            RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()))
        }
        dns::RecordType::Srv => {
            let mut parts = r.content.split(' ');
            let weight = parts.next()?.parse().ok()?;
            let port = parts.next()?.parse().ok()?;
            let target = stored_name(parts.next()?)?;
            RData::SRV(SRV::new(priority?, weight, port, target))
        }
        dns::RecordType::Caa => {
            // `flags tag "value"`, as RFC 8659 §4.1 puts it on the wire.
            let mut parts = r.content.splitn(3, ' ');
            let flags: u8 = parts.next()?.parse().ok()?;
            let tag = parts.next()?;
            let value = parts.next()?.trim_matches('"');
            let mut wire = vec![flags, u8::try_from(tag.len()).ok()?];
            wire.extend_from_slice(tag.as_bytes());
            wire.extend_from_slice(value.as_bytes());
            RData::Unknown {
                code: RecordType::CAA,
                rdata: NULL::with(wire),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(rtype: dns::RecordType, content: &str, priority: Option<i64>) -> RecordData {
        RecordData {
            name: "x".into(),
            rtype,
            content: content.into(),
            ttl: 300,
            priority,
        }
    }

    #[test]
    fn names_with_underscores_and_the_root_encode() {
        let cname = rdata(&record(
            dns::RecordType::Cname,
            "selector1-shop._domainkey.tenant.example.net",
            None,
        ))
        .expect("encodes");
        assert_eq!(
            cname.to_string(),
            "selector1-shop._domainkey.tenant.example.net."
        );
        let null_mx = rdata(&record(dns::RecordType::Mx, ".", Some(0))).expect("encodes");
        assert_eq!(null_mx.to_string(), "0 .");
        let srv = rdata(&record(dns::RecordType::Srv, "0 0 .", Some(0))).expect("encodes");
        assert_eq!(srv.to_string(), "0 0 0 .");
    }

    #[test]
    fn txt_in_either_form_encodes_its_strings() {
        let RData::TXT(txt) = rdata(&record(
            dns::RecordType::Txt,
            r#""v=DKIM1; k=rsa; p=AAAA" "BBBB""#,
            None,
        ))
        .expect("encodes") else {
            panic!("not TXT");
        };
        let strings: Vec<&[u8]> = txt.iter().map(|s| &**s).collect();
        assert_eq!(strings, [&b"v=DKIM1; k=rsa; p=AAAA"[..], &b"BBBB"[..]]);
    }
}

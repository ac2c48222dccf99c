//! The wire form of a record's data (RFC 1035 §3.3, RFC 3596 AAAA, RFC 2782
//! SRV, RFC 8659 CAA), written from the typed value the API parsed once
//! (`vpsd_domain::dns::Rdata`): no text is read again here. Done once per
//! record when a zone is built, never per question.

use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, NULL, SRV, TXT};
use hickory_proto::rr::{Name, RData, RecordType};
use vpsd_domain::dns::{Rdata, RdataName};

/// The wire name of an RDATA name field: its labels, or the root. `None`
/// only if hickory refuses the labels (never for a checked [`RdataName`]).
pub fn wire_name(name: &RdataName) -> Option<Name> {
    if name.is_root() {
        return Some(Name::root());
    }
    Name::from_labels(name.labels().map(str::as_bytes)).ok()
}

/// The wire form of a record's data; `None` only if a name does not encode
/// (see [`wire_name`]; the caller logs and skips the record).
pub fn rdata(data: &Rdata) -> Option<RData> {
    Some(match data {
        Rdata::A(a) => RData::A(A(*a)),
        Rdata::Aaaa(a) => RData::AAAA(AAAA(*a)),
        Rdata::Cname(name) => RData::CNAME(CNAME(wire_name(name)?)),
        Rdata::Ns(name) => RData::NS(NS(wire_name(name)?)),
        Rdata::Mx {
            preference,
            exchange,
        } => RData::MX(MX::new(*preference, wire_name(exchange)?)),
        Rdata::Txt(txt) => {
            let strings = txt.character_strings();
            RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()))
        }
        Rdata::Srv {
            priority,
            weight,
            port,
            target,
        } => RData::SRV(SRV::new(*priority, *weight, *port, wire_name(target)?)),
        Rdata::Caa { flags, tag, value } => {
            // Flags, tag length, tag, value: RFC 8659 §4.1.
            let tag = tag.as_str();
            let mut wire = vec![*flags, u8::try_from(tag.len()).ok()?];
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
    use vpsd_domain::dns::RecordType as Type;

    fn record(rtype: Type, content: &str, priority: Option<u16>) -> Rdata {
        Rdata::from_stored(rtype, content, priority).expect("valid")
    }

    #[test]
    fn names_with_underscores_and_the_root_encode() {
        let cname = rdata(&record(
            Type::Cname,
            "selector1-shop._domainkey.tenant.example.net",
            None,
        ))
        .expect("encodes");
        assert_eq!(
            cname.to_string(),
            "selector1-shop._domainkey.tenant.example.net."
        );
        let null_mx = rdata(&record(Type::Mx, ".", Some(0))).expect("encodes");
        assert_eq!(null_mx.to_string(), "0 .");
        let srv = rdata(&record(Type::Srv, "0 0 .", Some(0))).expect("encodes");
        assert_eq!(srv.to_string(), "0 0 0 .");
    }

    #[test]
    fn txt_in_either_form_encodes_its_strings() {
        let RData::TXT(txt) = rdata(&record(
            Type::Txt,
            r#""v=DKIM1; k=rsa; p=AAAA" "BBBB""#,
            None,
        ))
        .expect("encodes") else {
            panic!("not TXT");
        };
        let strings: Vec<&[u8]> = txt.iter().map(|s| &**s).collect();
        assert_eq!(strings, [&b"v=DKIM1; k=rsa; p=AAAA"[..], &b"BBBB"[..]]);
    }

    #[test]
    fn caa_goes_on_the_wire_as_flags_tag_and_value() {
        let RData::Unknown { rdata: wire, .. } =
            rdata(&record(Type::Caa, "128 issue \"ca.example\"", None)).expect("encodes")
        else {
            panic!("not CAA");
        };
        assert_eq!(wire.anything(), b"\x80\x05issueca.example");
    }
}

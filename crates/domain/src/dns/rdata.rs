//! A record's data (RDATA) as a typed value, parsed once from the API's
//! `content` (and `priority`): addresses as addresses, names as
//! [`RdataName`]s, TXT as its character-strings, numbers in their wire
//! widths (RFC 1035 §3.3 and §3.4, RFC 3596 AAAA, RFC 2782 SRV, RFC 8659
//! CAA). Its [`Display`](fmt::Display) is the canonical `content` text: what
//! the API shows and what the store's `content` column holds; the
//! nameserver encodes wire data from the value without reading text again.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::names::{RdataName, Root};
use super::txt::Txt;
use super::RecordType;

/// A CAA property tag this zone accepts (RFC 8659 §4.2–4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaaTag {
    /// `issue`: who may issue certificates for the name.
    Issue,
    /// `issuewild`: who may issue wildcard certificates.
    IssueWild,
    /// `iodef`: where to report refused requests.
    Iodef,
}

impl CaaTag {
    /// The tag as written on the wire and in `content`, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            CaaTag::Issue => "issue",
            CaaTag::IssueWild => "issuewild",
            CaaTag::Iodef => "iodef",
        }
    }

    /// Case-insensitive; `None` for any other tag.
    pub fn parse(s: &str) -> Option<Self> {
        [CaaTag::Issue, CaaTag::IssueWild, CaaTag::Iodef]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// The data of one record, by type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rdata {
    /// An IPv4 address (RFC 1035 §3.4.1).
    A(Ipv4Addr),
    /// An IPv6 address (RFC 3596 §2.2).
    Aaaa(Ipv6Addr),
    /// The canonical name (RFC 1035 §3.3.1); never the root.
    Cname(RdataName),
    /// RFC 1035 §3.3.9; an `exchange` of `.` is the null MX (RFC 7505).
    Mx {
        /// Lower is preferred (the API's `priority`).
        preference: u16,
        exchange: RdataName,
    },
    /// RFC 1035 §3.3.14, in the form the client gave.
    Txt(Txt),
    /// A delegation's nameserver (RFC 1035 §3.3.11); never the root.
    Ns(RdataName),
    /// RFC 2782; a `target` of `.` says the service is not offered.
    Srv {
        /// Lower is tried first (the API's `priority`).
        priority: u16,
        weight: u16,
        port: u16,
        target: RdataName,
    },
    /// RFC 8659 §4.1: flags, tag and value (the value without quotes).
    Caa {
        flags: u8,
        tag: CaaTag,
        value: String,
    },
}

impl Rdata {
    /// Parses `content` (and `priority`, for MX and SRV) of a record of
    /// `rtype` in `zone` (named in messages only) by the API's rules.
    ///
    /// Errors: a sentence saying what is wrong and what to give instead;
    /// a missing `priority` of MX or SRV, or one given to another type, is
    /// refused too (the API names that field itself, see `dns::validate`).
    pub fn parse(
        zone: &str,
        rtype: RecordType,
        content: &str,
        priority: Option<u16>,
    ) -> Result<Rdata, String> {
        match (rtype.has_priority(), priority) {
            (true, None) => return Err(format!("{rtype} records need a priority.")),
            (false, Some(_)) => return Err(format!("{rtype} records have no priority.")),
            _ => {}
        }
        parse_content(zone, rtype, content, priority.unwrap_or(0))
    }

    /// Reads back data as stored: `content` (the [`Display`](fmt::Display)
    /// text) and `priority`, by the same parse as [`Rdata::parse`] (RDATA
    /// names are absolute, so no zone is needed). Errors as there: the
    /// store reports them as corrupt data.
    pub fn from_stored(
        rtype: RecordType,
        content: &str,
        priority: Option<u16>,
    ) -> Result<Rdata, String> {
        Self::parse("example.com", rtype, content, priority)
    }

    /// The record type of this data.
    pub fn rtype(&self) -> RecordType {
        match self {
            Rdata::A(_) => RecordType::A,
            Rdata::Aaaa(_) => RecordType::Aaaa,
            Rdata::Cname(_) => RecordType::Cname,
            Rdata::Mx { .. } => RecordType::Mx,
            Rdata::Txt(_) => RecordType::Txt,
            Rdata::Ns(_) => RecordType::Ns,
            Rdata::Srv { .. } => RecordType::Srv,
            Rdata::Caa { .. } => RecordType::Caa,
        }
    }

    /// MX preference or SRV priority (the API's `priority`); `None` for the
    /// other types.
    pub fn priority(&self) -> Option<u16> {
        match self {
            Rdata::Mx { preference, .. } => Some(*preference),
            Rdata::Srv { priority, .. } => Some(*priority),
            _ => None,
        }
    }

    /// Whether this is a null MX (RFC 7505: the domain accepts no mail).
    pub fn is_null_mx(&self) -> bool {
        matches!(self, Rdata::Mx { exchange, .. } if exchange.is_root())
    }

    /// Whether two data of one type are the same record to the API (RFC
    /// 2181 §5): TXT compared by what goes on the wire (so `abc` and
    /// `"abc"` are one), the others by their `content` — the priority is
    /// not compared, so two MX to one host are one record whatever their
    /// preferences.
    pub fn same_data(&self, other: &Rdata) -> bool {
        match (self, other) {
            (Rdata::Txt(a), Rdata::Txt(b)) => a.same_data(b),
            (Rdata::Mx { exchange: a, .. }, Rdata::Mx { exchange: b, .. }) => a == b,
            (
                Rdata::Srv {
                    weight: w1,
                    port: p1,
                    target: t1,
                    ..
                },
                Rdata::Srv {
                    weight: w2,
                    port: p2,
                    target: t2,
                    ..
                },
            ) => (w1, p1, t1) == (w2, p2, t2),
            (a, b) => a == b,
        }
    }

    /// An upper bound of the octets the RDATA takes in an answer (RFC 1035
    /// §3.2.1, §4.1.4); a name counts its text and two octets.
    pub fn wire_size(&self) -> usize {
        let name = |n: &RdataName| n.as_str().len() + 2;
        match self {
            Rdata::A(_) => 4,
            Rdata::Aaaa(_) => 16,
            Rdata::Cname(n) | Rdata::Ns(n) => name(n),
            Rdata::Mx { exchange, .. } => 2 + name(exchange),
            // Six octets of numbers and the `weight port target` text.
            Rdata::Srv { .. } => 6 + self.to_string().len() + 2,
            Rdata::Caa { .. } => self.to_string().len(),
            Rdata::Txt(txt) => txt.wire_len(),
        }
    }
}

impl fmt::Display for Rdata {
    /// The canonical `content`: an address as its standard text (RFC 5952
    /// for IPv6), a name in [`RdataName`]'s stored form, SRV `weight port
    /// target`, CAA `flags tag "value"`, TXT as [`Txt`] displays it. The
    /// priority is not part of it (the API's own field).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rdata::A(a) => write!(f, "{a}"),
            Rdata::Aaaa(a) => write!(f, "{a}"),
            Rdata::Cname(n) | Rdata::Ns(n) => f.write_str(n.as_str()),
            Rdata::Mx { exchange, .. } => f.write_str(exchange.as_str()),
            Rdata::Txt(txt) => write!(f, "{txt}"),
            Rdata::Srv {
                weight,
                port,
                target,
                ..
            } => write!(f, "{weight} {port} {}", target.as_str()),
            Rdata::Caa { flags, tag, value } => {
                write!(f, "{flags} {} \"{value}\"", tag.as_str())
            }
        }
    }
}

/// One RDATA `<domain-name>` field, by [`super::names`]' rule.
fn rdata_name(zone: &str, raw: &str, root: Root) -> Result<RdataName, String> {
    RdataName::parse(raw, zone, root)
}

/// `raw` as the data of a record of `rtype`; `priority` is the MX
/// preference or SRV priority (ignored for the other types).
pub(super) fn parse_content(
    zone: &str,
    rtype: RecordType,
    raw: &str,
    priority: u16,
) -> Result<Rdata, String> {
    let trimmed = raw.trim();
    match rtype {
        RecordType::A => trimmed
            .parse::<Ipv4Addr>()
            .map(Rdata::A)
            .map_err(|_| format!("`{raw}` is not an IPv4 address (such as 192.0.2.10).")),
        RecordType::Aaaa => trimmed
            .parse::<Ipv6Addr>()
            .map(Rdata::Aaaa)
            .map_err(|_| format!("`{raw}` is not an IPv6 address (such as 2001:db8::10).")),
        RecordType::Cname => rdata_name(zone, trimmed, Root::Refused).map(Rdata::Cname),
        RecordType::Ns => rdata_name(zone, trimmed, Root::Refused).map(Rdata::Ns),
        // RFC 7505: `.` is the null MX, "this domain accepts no mail".
        RecordType::Mx => rdata_name(zone, trimmed, Root::Meaningful).map(|exchange| Rdata::Mx {
            preference: priority,
            exchange,
        }),
        RecordType::Txt => Txt::parse(raw).map(Rdata::Txt),
        RecordType::Srv => {
            let parts: Vec<&str> = trimmed.split_whitespace().collect();
            let usage = "SRV content is `weight port target`, such as `10 5060 sip.example.com` (the priority is its own field).";
            let [weight, port, target] = parts.as_slice() else {
                return Err(usage.to_owned());
            };
            let weight: u16 = weight.parse().map_err(|_| usage.to_owned())?;
            let port: u16 = port.parse().map_err(|_| usage.to_owned())?;
            // RFC 2782: a target of `.` says the service is not offered.
            let target = rdata_name(zone, target, Root::Meaningful)?;
            Ok(Rdata::Srv {
                priority,
                weight,
                port,
                target,
            })
        }
        RecordType::Caa => {
            let usage = "CAA content is `flags tag value`, such as `0 issue \"letsencrypt.org\"`; the tag is issue, issuewild or iodef.";
            let mut it = trimmed.splitn(3, char::is_whitespace);
            let (Some(flags), Some(tag), Some(value)) = (it.next(), it.next(), it.next()) else {
                return Err(usage.to_owned());
            };
            let flags: u8 = flags.parse().map_err(|_| usage.to_owned())?;
            let tag = CaaTag::parse(tag).ok_or_else(|| usage.to_owned())?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            if value.contains('"') || value.chars().any(|c| c.is_control()) {
                return Err(usage.to_owned());
            }
            Ok(Rdata::Caa {
                flags,
                tag,
                value: value.to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Z: &str = "example.com";

    #[test]
    fn the_text_reads_back_as_the_same_value() {
        for (rtype, content, priority) in [
            (RecordType::A, "192.0.2.1", None),
            (RecordType::Aaaa, "2001:db8::1", None),
            (RecordType::Cname, "host.example.net", None),
            (RecordType::Ns, "ns1.other.net", None),
            (RecordType::Mx, ".", Some(0)),
            (RecordType::Txt, "v=spf1 -all", None),
            (RecordType::Txt, r#""a b" "c\"d""#, None),
            (RecordType::Srv, "5 5060 sip.example.com", Some(1)),
            (RecordType::Caa, "0 issue \"letsencrypt.org\"", None),
        ] {
            let data = Rdata::parse(Z, rtype, content, priority).expect(content);
            assert_eq!(data.to_string(), content);
            assert_eq!(data.rtype(), rtype);
            assert_eq!(data.priority(), priority);
            assert_eq!(
                Rdata::parse(Z, rtype, &data.to_string(), priority),
                Ok(data)
            );
        }
    }

    #[test]
    fn typed_fields_and_refusals() {
        let srv = Rdata::parse(Z, RecordType::Srv, "10 5060 SIP.example.com.", Some(3));
        assert_eq!(
            srv,
            Ok(Rdata::Srv {
                priority: 3,
                weight: 10,
                port: 5060,
                target: RdataName::parse("sip.example.com", Z, Root::Refused).expect("name"),
            })
        );
        let caa = Rdata::parse(Z, RecordType::Caa, "128 IssueWild ;", None);
        assert_eq!(
            caa,
            Ok(Rdata::Caa {
                flags: 128,
                tag: CaaTag::IssueWild,
                value: ";".into()
            })
        );
        assert!(Rdata::parse(Z, RecordType::Mx, "mail.example.com", None).is_err());
        assert!(Rdata::parse(Z, RecordType::A, "192.0.2.1", Some(1)).is_err());
        assert!(Rdata::parse(Z, RecordType::Srv, "70000 1 x.example.com", Some(1)).is_err());
        assert!(Rdata::parse(Z, RecordType::Caa, "0 bogus x", None).is_err());
    }
}

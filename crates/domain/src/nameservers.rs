//! A domain's nameservers: 2–4 distinct host names (api-v1.md; registries
//! require at least two for redundancy, RFC 1034 §4.1). Each is a host
//! name, never an address (RFC 1123 §2.1; an address goes in a glue record).

use crate::name::{HostName, NameError};

/// VPS.org's own nameservers, the default for new registrations.
pub const DEFAULT_NAMESERVERS: [&str; 2] = ["ns1.vps.org", "ns2.vps.org"];

/// 2–4 distinct nameserver host names, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nameservers(Vec<HostName>);

/// Why a list of nameservers was refused, as a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameserversError {
    #[error("Give between 2 and 4 nameservers; {0} were given.")]
    Count(usize),
    #[error("`{0}` is not a valid host name, such as ns1.example.net.")]
    Invalid(String),
    #[error("`{0}` is listed twice; each nameserver must be different.")]
    Duplicate(String),
    /// An IP address where a host name belongs (RFC 1123 §2.1).
    #[error("`{0}` is an IP address, not a host name: give the nameserver's host name, such as ns1.example.net (its address belongs in a glue record at the registry).")]
    Address(String),
    /// An internationalised host name that breaks IDNA2008.
    #[error("`{host}` is not a valid internationalised host name: {reason}.")]
    Idna { host: String, reason: String },
}

impl Nameservers {
    /// Parses 2–4 host names (`HostName::parse`), refusing duplicates.
    /// Errors: `Count`, `Invalid`, `Address`, `Idna`, `Duplicate`.
    pub fn parse<S: AsRef<str>>(input: &[S]) -> Result<Self, NameserversError> {
        if !(2..=4).contains(&input.len()) {
            return Err(NameserversError::Count(input.len()));
        }
        let mut hosts: Vec<HostName> = Vec::with_capacity(input.len());
        for raw in input {
            let raw = raw.as_ref();
            let host = HostName::parse(raw).map_err(|e| match e {
                NameError::Address(_) => NameserversError::Address(raw.to_owned()),
                NameError::Idna { reason, .. } => NameserversError::Idna {
                    host: raw.to_owned(),
                    reason,
                },
                _ => NameserversError::Invalid(raw.to_owned()),
            })?;
            if hosts.contains(&host) {
                return Err(NameserversError::Duplicate(host.as_str().to_owned()));
            }
            hosts.push(host);
        }
        Ok(Nameservers(hosts))
    }

    /// VPS.org's own pair.
    pub fn vps_default() -> Self {
        Nameservers(
            DEFAULT_NAMESERVERS
                .iter()
                .map(|h| HostName::from_static(h))
                .collect(),
        )
    }

    /// The host names, in order.
    pub fn hosts(&self) -> &[HostName] {
        &self.0
    }

    /// The host names as strings (A-label form), in order.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|h| h.as_str().to_owned()).collect()
    }
}

/// `"vps.org"` when every nameserver is one of `own`, else `"external"`
/// (api-v1.md, `dns_managed_by`).
pub fn dns_managed_by<S: AsRef<str>>(nameservers: &[S], own: &[String]) -> &'static str {
    if !nameservers.is_empty()
        && nameservers
            .iter()
            .all(|n| own.iter().any(|o| o == n.as_ref()))
    {
        "vps.org"
    } else {
        "external"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_to_four_distinct_hosts() {
        assert!(Nameservers::parse(&["ns1.a.com"]).is_err());
        assert!(Nameservers::parse(&["a.com", "b.com", "c.com", "d.com", "e.com"]).is_err());
        assert_eq!(
            Nameservers::parse(&["NS1.a.com", "ns1.a.com."]),
            Err(NameserversError::Duplicate("ns1.a.com".into()))
        );
        assert_eq!(
            Nameservers::parse(&["ns1.a.com", "ns2.a.com"])
                .unwrap()
                .to_strings(),
            vec!["ns1.a.com", "ns2.a.com"]
        );
    }

    #[test]
    fn addresses_are_refused_as_addresses() {
        assert_eq!(
            Nameservers::parse(&["192.0.2.1", "192.0.2.2"]),
            Err(NameserversError::Address("192.0.2.1".into()))
        );
        assert_eq!(
            Nameservers::parse(&["ns1.a.com", "2001:db8::53"]),
            Err(NameserversError::Address("2001:db8::53".into()))
        );
        let e = Nameservers::parse(&["ns1.a.com", "10.0.0.1"]).unwrap_err();
        assert!(e.to_string().contains("glue"), "{e}");
    }

    #[test]
    fn managed_by_vps_only_when_all_are_ours() {
        let own = vec!["ns1.vps.org".to_string(), "ns2.vps.org".to_string()];
        assert_eq!(
            dns_managed_by(&["ns1.vps.org", "ns2.vps.org"], &own),
            "vps.org"
        );
        assert_eq!(
            dns_managed_by(&["ns1.vps.org", "ns1.x.com"], &own),
            "external"
        );
    }
}

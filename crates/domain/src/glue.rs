//! Glue: the addresses of a name server whose name is inside the domain it
//! serves (an internal host, RFC 5732 §1), kept at the registry as a host
//! object and published with the delegation.
//!
//! The rule for an address ([`glue_address`]): it must be globally
//! reachable, as the IANA special-purpose address registries say (RFC
//! 6890 and its updates): no private (RFC 1918, RFC 4193), loopback,
//! link-local, shared (RFC 6598), documentation (RFC 5737, RFC 3849),
//! benchmarking (RFC 2544), multicast, reserved (240.0.0.0/4), unspecified
//! or broadcast address, no IPv4-mapped or IPv4-compatible IPv6 address,
//! and an IPv6 address only from global unicast (2000::/3). Registries
//! refuse such addresses, and no resolver could reach a name server there.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The most addresses a host object carries here (13, as for name servers:
/// a delegation's referral must fit a DNS answer).
pub const MAX_GLUE_ADDRESSES: usize = 13;

/// Why an address cannot be glue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlueError {
    /// Not an IPv4 or IPv6 address in text.
    #[error("`{0}` is not an IP address: give an IPv4 address such as 93.184.216.34 or an IPv6 address such as 2606:2800:220:1::1.")]
    NotAnAddress(String),
    /// Not globally reachable (RFC 6890): named by its range.
    #[error("`{address}` is a {range} address, which no resolver on the Internet can reach: give the name server's public address.")]
    NotGlobal {
        /// The address as given.
        address: String,
        /// The special-purpose range it is in (`private`, `loopback`, ...).
        range: &'static str,
    },
}

/// The special-purpose IPv4 range `ip` is in (RFC 6890), `None` when it is
/// globally reachable.
fn v4_range(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    Some(match o {
        [0, ..] => "\"this network\" (0.0.0.0/8)",
        [10, ..] => "private (RFC 1918)",
        [100, b, ..] if (64..128).contains(&b) => "shared (RFC 6598)",
        [127, ..] => "loopback",
        [169, 254, ..] => "link-local",
        [172, b, ..] if (16..32).contains(&b) => "private (RFC 1918)",
        [192, 0, 0, _] => "IETF protocol assignment (192.0.0.0/24)",
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => "documentation (RFC 5737)",
        [192, 88, 99, _] => "6to4 relay anycast (deprecated)",
        [192, 168, ..] => "private (RFC 1918)",
        [198, b, ..] if b == 18 || b == 19 => "benchmarking (RFC 2544)",
        [a, ..] if (224..240).contains(&a) => "multicast",
        [a, ..] if a >= 240 => "reserved (240.0.0.0/4)",
        _ => return None,
    })
}

/// The special-purpose IPv6 range `ip` is in (RFC 6890), `None` when it is
/// globally reachable.
fn v6_range(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    if s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 {
        return Some("IPv4-mapped or IPv4-compatible");
    }
    if s[0] == 0x2001 && s[1] == 0x0db8 {
        return Some("documentation (RFC 3849)");
    }
    if s[0] == 0x2001 && s[1] < 0x0200 {
        return Some("IETF protocol assignment (2001::/23)");
    }
    if s[0] == 0x2002 {
        return Some("6to4 (2002::/16)");
    }
    Some(match s[0] {
        x if x & 0xfe00 == 0xfc00 => "unique local (RFC 4193)",
        x if x & 0xffc0 == 0xfe80 => "link-local",
        x if x & 0xff00 == 0xff00 => "multicast",
        x if x & 0xe000 == 0x2000 => return None,
        _ => "reserved (outside 2000::/3)",
    })
}

/// Reads one glue address: an IPv4 or IPv6 address, globally reachable
/// (the module's rule). The address comes back in its canonical form.
///
/// # Errors
/// [`GlueError::NotAnAddress`] for text that is no address,
/// [`GlueError::NotGlobal`] for one in a special-purpose range.
pub fn glue_address(text: &str) -> Result<IpAddr, GlueError> {
    let ip: IpAddr = text
        .trim()
        .parse()
        .map_err(|_| GlueError::NotAnAddress(text.to_owned()))?;
    let range = match ip {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => v6_range(v6),
    };
    match range {
        Some(range) => Err(GlueError::NotGlobal {
            address: text.to_owned(),
            range,
        }),
        None => Ok(ip),
    }
}

/// Whether host `host` is inside `domain` (below it, not the domain
/// itself): a host the domain's registrant may create there (RFC 5732 §1,
/// the superordinate domain). Both in A-label form, lower case.
pub fn is_subordinate(host: &str, domain: &str) -> bool {
    host.len() > domain.len() + 1
        && host.ends_with(domain)
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses_are_glue_and_special_ones_are_not() {
        for ok in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:2800:220:1::1",
            "2a00:1450::1",
        ] {
            assert!(glue_address(ok).is_ok(), "{ok}");
        }
        for bad in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "127.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "169.254.1.1",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "::ffff:8.8.8.8",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "4000::1",
        ] {
            assert!(
                matches!(glue_address(bad), Err(GlueError::NotGlobal { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            glue_address("ns1.example.com"),
            Err(GlueError::NotAnAddress(_))
        ));
    }

    #[test]
    fn subordinate_means_below_the_domain() {
        assert!(is_subordinate("ns1.example.com", "example.com"));
        assert!(is_subordinate("a.b.example.com", "example.com"));
        assert!(!is_subordinate("example.com", "example.com"));
        assert!(!is_subordinate("ns1.badexample.com", "example.com"));
        assert!(!is_subordinate("ns1.example.net", "example.com"));
    }
}

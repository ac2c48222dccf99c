//! Who a request comes from, for the limits kept per client address (the
//! RDAP rate, failed token lookups): the connection's peer, or, when that
//! peer is one of the operator's reverse proxies (`--trusted-proxy`), the
//! address the proxies recorded in `X-Forwarded-For` (the standard form,
//! de facto; RFC 7239 §5.2 `for=` is its successor and means the same).
//!
//! Each proxy appends the address it received the request from, so the
//! list is read from its right end: the first address that is not one of
//! the trusted proxies is the client. Anything to its left was written by
//! the client itself and may be false; it is never used. A header that
//! does not read as addresses stops the walk at the last proxy.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client of a request that arrived from `peer` with `headers`, when
/// the proxies in `trusted` (CIDR ranges) are believed. Without trusted
/// proxies, or from any other peer, the peer itself.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let trusts = |ip: IpAddr| {
        let ip = ip.to_canonical();
        trusted.iter().any(|net| net.contains(&ip))
    };
    if !trusts(peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .collect::<Vec<_>>()
        .into_iter()
        .rev();
    for value in hops {
        let Ok(text) = value.to_str() else {
            return client;
        };
        for entry in text.rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                return client;
            };
            client = ip;
            if !trusts(ip) {
                return ip;
            }
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_client_is_the_rightmost_address_not_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let proxy = ip("10.0.0.5");
        // One proxy: what it recorded; whatever the client wrote before is not believed.
        let h = with(&["198.51.100.7, 203.0.113.9"]);
        assert_eq!(client_address(proxy, &h, &trusted), ip("203.0.113.9"));
        // Two proxies, in two headers.
        let h = with(&["203.0.113.9", "10.0.0.6"]);
        assert_eq!(client_address(proxy, &h, &trusted), ip("203.0.113.9"));
        // Not from a trusted proxy: the header is the client's own words.
        assert_eq!(
            client_address(ip("192.0.2.1"), &h, &trusted),
            ip("192.0.2.1")
        );
        // No trusted proxies at all.
        assert_eq!(client_address(proxy, &h, &[]), proxy);
        // No header, or one that is no address: the last proxy.
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
        let h = with(&["not-an-address"]);
        assert_eq!(client_address(proxy, &h, &trusted), proxy);
        // An IPv4 peer on an IPv6 socket is matched as IPv4.
        let mapped = ip("::ffff:10.0.0.5");
        let h = with(&["2001:db8::1"]);
        assert_eq!(client_address(mapped, &h, &trusted), ip("2001:db8::1"));
    }
}

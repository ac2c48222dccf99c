//! The configuration of secondaries that serve our zones, with our
//! nameserver as their hidden primary (`vpsd dns secondaries-config`):
//! every zone served now, taken by zone transfer from `primary` and told
//! of changes by NOTIFY from it. The text is a fragment for the
//! secondary's own configuration to include (NSD's and Knot's `include:`),
//! regenerated as zones come and go (README.md, "Use it with your DNS
//! tools").

use std::fmt::Write as _;
use std::net::SocketAddr;

/// Which secondary the configuration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secondary {
    /// NSD (NLnet Labs): a `zone:` clause per zone.
    Nsd,
    /// Knot DNS (CZ.NIC): a `remote:`, an `acl:` and a `zone:` list.
    Knot,
}

/// The configuration fragment for `secondary` serving `zones` (names, no
/// final dot) from `primary` (our nameserver's address as the secondary
/// reaches it), its transfers signed with the operator's transfer key
/// `key` (its name; the secondary's configuration defines it) or, without
/// one, unsigned (the primary's `--transfer-allow` must name the
/// secondary).
///
/// With `catalog`, the name of the primary's catalog zone (RFC 9432,
/// `--catalog-zone`), Knot's configuration names that zone alone, to be
/// interpreted (`catalog-role: interpret`): its members get the template
/// `vpsd-member` (this primary, its NOTIFY allowed) and come and go with
/// the catalog, so the configuration never needs regenerating. NSD 4.6
/// (Debian 12's) reads no catalogs: its configuration lists the zones
/// whatever `catalog` says.
pub fn config(
    secondary: Secondary,
    primary: SocketAddr,
    key: Option<&str>,
    zones: &[String],
    catalog: Option<&str>,
) -> String {
    let (ip, port) = (primary.ip(), primary.port());
    let nsd_key = key.unwrap_or("NOKEY");
    let mut out = if catalog.is_some() && secondary == Secondary::Knot {
        format!("# vpsd, the hidden primary at {primary}, and its catalog zone.\n# Made by `vpsd dns secondaries-config`: the zones come and go with the catalog.\n")
    } else {
        format!(
            "# {} zone(s) served by vpsd, the hidden primary at {primary}.\n# Made by `vpsd dns secondaries-config`: regenerate it as zones come and go.\n",
            zones.len()
        )
    };
    match secondary {
        Secondary::Nsd => {
            for zone in zones {
                let _ = write!(
                    out,
                    "zone:\n  name: \"{zone}\"\n  zonefile: \"{zone}.zone\"\n  request-xfr: {ip}@{port} {nsd_key}\n  allow-notify: {ip} NOKEY\n"
                );
            }
        }
        Secondary::Knot => {
            let key = key.map(|k| format!("    key: {k}\n")).unwrap_or_default();
            let _ = write!(
                out,
                "remote:\n  - id: vpsd\n    address: {ip}@{port}\n{key}acl:\n  - id: vpsd-notify\n    address: {ip}\n    action: notify\n"
            );
            if let Some(catalog) = catalog {
                let catalog = catalog.trim_end_matches('.');
                let _ = write!(
                    out,
                    "# The catalog zone {catalog} lists them: Knot adds and drops zones as it does,\n# keeping them in its default storage (add `storage:` below to put them elsewhere).\ntemplate:\n  - id: vpsd-member\n    master: vpsd\n    acl: vpsd-notify\nzone:\n  - domain: {catalog}\n    master: vpsd\n    acl: vpsd-notify\n    catalog-role: interpret\n    catalog-template: vpsd-member\n"
                );
                return out;
            }
            if !zones.is_empty() {
                out.push_str("zone:\n");
            }
            for zone in zones {
                let _ = write!(
                    out,
                    "  - domain: {zone}\n    master: vpsd\n    acl: vpsd-notify\n"
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_zone_is_named_with_the_primary() {
        let zones = vec!["a.com".to_owned(), "b.net".to_owned()];
        let primary = "192.0.2.1:53".parse().expect("addr");
        let nsd = config(Secondary::Nsd, primary, None, &zones, None);
        assert_eq!(nsd.matches("zone:\n").count(), 2);
        assert!(nsd.contains("request-xfr: 192.0.2.1@53 NOKEY"));
        let signed = config(Secondary::Nsd, primary, Some("xfr.example"), &zones, None);
        assert!(signed.contains("request-xfr: 192.0.2.1@53 xfr.example"));
        let knot = config(Secondary::Knot, primary, Some("xfr.example"), &zones, None);
        assert!(knot.contains("  - domain: b.net\n    master: vpsd"));
        assert!(knot.contains("address: 192.0.2.1@53\n    key: xfr.example\n"));
        // With a catalog zone, Knot takes the catalog alone; NSD the list.
        let knot = config(
            Secondary::Knot,
            primary,
            None,
            &zones,
            Some("catalog.invalid"),
        );
        assert!(knot.contains("  - domain: catalog.invalid\n"));
        assert!(knot.contains("catalog-role: interpret"));
        assert!(!knot.contains("b.net"));
        let nsd = config(
            Secondary::Nsd,
            primary,
            None,
            &zones,
            Some("catalog.invalid"),
        );
        assert_eq!(nsd.matches("zone:\n").count(), 2);
    }
}

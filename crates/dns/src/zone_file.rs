//! A zone as a master file (RFC 1035 §5): what `GET .../dns/zone/` answers.
//!
//! The file holds the SOA and VPS.org's NS records at the apex (as the
//! nameserver serves them; an import skips them), then the zone's own
//! records, those of the records API, one per line in id order
//! ([`vpsd_domain::dns::zone_file::record_line`]), so an exported zone
//! imports back with no change. What forwarding adds (an MX, the addresses
//! of forwarded hosts) is not in it: it comes from the forwards.

use std::fmt::Write;
use std::sync::Arc;

use vpsd_domain::dns::zone_file::record_line;
use vpsd_storage::ZoneSource;

use crate::zone::{serial, Apex};

/// `source`'s zone as a master file, with `apex`'s SOA and NS records
/// (`ZoneDefaults::apex`). `None` when the domain's name is not a DNS name
/// (never for a stored domain).
pub fn master_file(source: &ZoneSource, apex: &Arc<Apex>) -> Option<String> {
    let zone = source.domain.domain_name.to_ascii_lowercase();
    let origin = hickory_proto::rr::Name::from_ascii(format!("{zone}.")).ok()?;
    let mut out = String::with_capacity(64 * (source.records.len() + 4));
    let _ = writeln!(out, "$ORIGIN {zone}.");
    for r in apex.records(&origin, serial(source.domain.dns_serial)) {
        let _ = writeln!(out, "{r}");
    }
    for r in &source.records {
        let _ = writeln!(out, "{}", record_line(&zone, &r.data));
    }
    Some(out)
}

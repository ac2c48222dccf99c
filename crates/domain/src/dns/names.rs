//! Names in zone data: owner names, given relative to the zone, and the
//! `<domain-name>` fields of RDATA (RFC 1035 §3.3: the CNAME target, the NS
//! host, the MX exchange; RFC 2782's SRV target).
//!
//! One rule serves both, because RFC 2181 §11 makes it one: a DNS name is
//! any sequence of labels; only a host's own name follows the host-name
//! rules of RFC 952/1123 §2.1. What is accepted:
//!
//! - labels of 1–63 octets of ASCII letters, digits, `-` and `_` (the
//!   underscore labels of DKIM selectors, RFC 6376 §3.6.2.1, of ACME's
//!   `_acme-challenge`, RFC 8555 §8.4, and of service names, RFC 8552),
//!   a hyphen anywhere (RFC 2181 §11 lifts RFC 1123's rule for non-hosts);
//! - Unicode labels, turned into A-labels by UTS #46 processing (the `idna`
//!   crate) and then checked by IDNA2008's lookup rules (RFC 5891 §5.4,
//!   RFC 5892; `crate::name`), so what is stored and served is the wire's
//!   ASCII form and no emoji or context-less joiner gets in;
//! - at most 255 octets on the wire (RFC 1035 §2.3.4), 253 characters
//!   written without the final dot;
//! - the root name `.` only in the fields where an RFC gives it a meaning:
//!   the null MX (RFC 7505 §3) and the SRV target "service decidedly not
//!   available" (RFC 2782).
//!
//! The stored form is lower case, without the final dot, and `.` for the
//! root; [`RdataName::labels`] gives the labels the wire encoder writes.

use std::net::IpAddr;

/// Where the root name `.` is accepted in an RDATA name field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The field gives `.` a meaning (null MX, RFC 7505; SRV, RFC 2782).
    Meaningful,
    /// The root means nothing here (CNAME, NS): refused.
    Refused,
}

/// A `<domain-name>` field of RDATA (RFC 1035 §3.3), checked by the module's
/// rule and kept in its stored form: lower-case A-labels without the final
/// dot, or `.` for the root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RdataName(String);

impl RdataName {
    /// Parses `raw` (absolute, with or without the final dot; a Unicode name
    /// is converted to A-labels) for a field in `zone` (named in messages).
    ///
    /// Errors, as a sentence that says what to give instead: an address
    /// where a name belongs, a one-label name (almost always a name of the
    /// zone written short), the root where it means nothing, and names the
    /// module's rule refuses.
    pub fn parse(raw: &str, zone: &str, root: Root) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed == "." {
            return match root {
                Root::Meaningful => Ok(RdataName(".".to_owned())),
                Root::Refused => Err(format!(
                    "`.` (the root) means nothing here: give a name such as host.{zone}."
                )),
            };
        }
        let bare = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if bare.is_empty() {
            return Err(format!("Give a name such as host.{zone}."));
        }
        if bare.parse::<IpAddr>().is_ok() {
            return Err(format!(
                "`{bare}` is an address, not a name: give the name of the host (and an A or AAAA record for that name)."
            ));
        }
        let ascii = to_ascii(bare).map_err(|e| format!("`{raw}`: {e}"))?;
        if !ascii.contains('.') {
            return Err(format!(
                "`{raw}` has a single label: give the whole name, such as {ascii}.{zone}."
            ));
        }
        check_labels(&ascii, false).map_err(|e| format!("`{raw}`: {e}"))?;
        Ok(RdataName(ascii))
    }

    /// Reads a name already in the stored form (what [`RdataName::parse`]
    /// gave); `None` if it is not one.
    pub fn from_stored(stored: &str) -> Option<Self> {
        if stored == "." {
            return Some(RdataName(stored.to_owned()));
        }
        let canonical = stored == stored.to_ascii_lowercase()
            && stored.is_ascii()
            && stored.contains('.')
            && check_labels(stored, false).is_ok();
        canonical.then(|| RdataName(stored.to_owned()))
    }

    /// The stored form: lower case, no final dot; `.` for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the root name.
    pub fn is_root(&self) -> bool {
        self.0 == "."
    }

    /// The labels from the leftmost, none for the root: what the wire
    /// encoder writes (RFC 1035 §3.1).
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.split('.').filter(|l| !l.is_empty())
    }
}

/// UTS #46 processing (no STD3 rules, so `_` passes) into lower-case
/// A-labels; ASCII input is only lower-cased.
fn to_ascii(name: &str) -> Result<String, String> {
    if name.is_ascii() {
        return Ok(name.to_ascii_lowercase());
    }
    idna::domain_to_ascii(name).map_err(|_| "not a valid internationalised name (IDNA).".to_owned())
}

/// The module's label rule over a whole name (labels separated by dots);
/// `wildcard` lets the leftmost label be `*` (RFC 4592, owner names only).
fn check_labels(name: &str, wildcard: bool) -> Result<(), String> {
    if name.len() > 253 {
        return Err("the whole name may be at most 253 characters long.".to_owned());
    }
    for (i, label) in name.split('.').enumerate() {
        if label.is_empty() {
            return Err("it has an empty label (two dots in a row).".to_owned());
        }
        if label.len() > 63 {
            return Err(format!("the label `{label}` is longer than 63 characters."));
        }
        if label == "*" && wildcard {
            if i != 0 {
                return Err("a wildcard `*` may only be the leftmost label.".to_owned());
            }
            continue;
        }
        let ok = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(format!(
                "the label `{label}` may hold only letters, digits, `-` and `_`."
            ));
        }
    }
    // Internationalised labels must be IDNA2008 U-labels (RFC 5891 §5.4).
    crate::name::check_a_labels(name).map_err(|reason| format!("not a valid name: {reason}."))
}

/// An owner name as given (`www`, `@`, `www.example.com.`, `*.dev`) made
/// relative to `zone`: lower case, `@` for the apex, by the module's rule
/// with a wildcard allowed as the leftmost label (RFC 4592). A name ending in
/// a dot must be in the zone; one without is taken relative to it unless it
/// ends in the zone's own name.
pub fn relative_name(zone: &str, raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed == "@" {
        return Ok("@".to_owned());
    }
    let absolute = trimmed.ends_with('.');
    let bare = trimmed.strip_suffix('.').unwrap_or(trimmed);
    let name = to_ascii(bare).map_err(|e| format!("`{raw}` is {e}"))?;
    if name == zone {
        return Ok("@".to_owned());
    }
    let relative = match name.strip_suffix(&format!(".{zone}")) {
        Some(rel) => rel.to_owned(),
        None if absolute => {
            return Err(format!(
                "`{raw}` is outside the zone {zone}: give a name in it, relative (`www`, `@` for {zone}) or ending in {zone}."
            ))
        }
        None => name,
    };
    if relative.len() + zone.len() + 1 > 253 {
        return Err("The whole name may be at most 253 characters long.".to_owned());
    }
    check_labels(&relative, true).map_err(|e| format!("`{raw}`: {e}"))?;
    Ok(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    const Z: &str = "example.com";

    fn name(raw: &str, root: Root) -> Result<String, String> {
        RdataName::parse(raw, Z, root).map(|n| n.as_str().to_owned())
    }

    #[test]
    fn rdata_names_are_domain_names_not_host_names() {
        // RFC 2181 §11: underscores (DKIM, ACME alias mode), any hyphen.
        for (raw, stored) in [
            (
                "selector1-shop-example._domainkey.tenant.example.net",
                "selector1-shop-example._domainkey.tenant.example.net",
            ),
            (
                "_acme-challenge.Shop.Example.NET.",
                "_acme-challenge.shop.example.net",
            ),
            ("-edge-.example.net", "-edge-.example.net"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("mail.example.com.", "mail.example.com"),
        ] {
            assert_eq!(name(raw, Root::Refused).as_deref(), Ok(stored), "{raw}");
        }
    }

    #[test]
    fn the_root_only_where_an_rfc_gives_it_a_meaning() {
        assert_eq!(name(".", Root::Meaningful).as_deref(), Ok("."));
        assert!(name(".", Root::Refused).is_err());
        let root = RdataName::parse(".", Z, Root::Meaningful).expect("root");
        assert!(root.is_root());
        assert_eq!(root.labels().count(), 0);
    }

    #[test]
    fn refused_with_a_reason() {
        let e = name("192.0.2.1", Root::Refused).expect_err("address");
        assert!(e.contains("is an address"), "{e}");
        let e = name("www", Root::Refused).expect_err("one label");
        assert!(e.contains("www.example.com"), "{e}");
        assert!(name("a..b.com", Root::Refused).is_err());
        assert!(name("a b.com", Root::Refused).is_err());
        assert!(name("*.example.net", Root::Refused).is_err());
        assert!(name(&format!("{}.com", "a".repeat(64)), Root::Refused).is_err());
        assert!(name(&format!("{}com", "abcdefghi.".repeat(26)), Root::Refused).is_err());
        assert!(name("", Root::Meaningful).is_err());
    }

    #[test]
    fn the_stored_form_reads_back() {
        for stored in [".", "a._domainkey.example.net", "xn--bcher-kva.example"] {
            let n = RdataName::from_stored(stored).expect(stored);
            assert_eq!(n.as_str(), stored);
        }
        assert!(RdataName::from_stored("Upper.example").is_none());
        assert!(RdataName::from_stored("single").is_none());
    }

    #[test]
    fn owner_names_relative_absolute_and_outside() {
        assert_eq!(relative_name(Z, "@").as_deref(), Ok("@"));
        assert_eq!(relative_name(Z, "").as_deref(), Ok("@"));
        assert_eq!(relative_name(Z, "WWW").as_deref(), Ok("www"));
        assert_eq!(relative_name(Z, "www.example.com").as_deref(), Ok("www"));
        assert_eq!(relative_name(Z, "www.example.com.").as_deref(), Ok("www"));
        assert_eq!(relative_name(Z, "example.com.").as_deref(), Ok("@"));
        assert_eq!(
            relative_name(Z, "selector1._domainkey").as_deref(),
            Ok("selector1._domainkey")
        );
        assert_eq!(relative_name(Z, "*.dev").as_deref(), Ok("*.dev"));
        assert_eq!(relative_name(Z, "bücher").as_deref(), Ok("xn--bcher-kva"));
        assert!(relative_name(Z, "www.example.org.").is_err());
        assert!(relative_name(Z, "a..b").is_err());
        assert!(relative_name(Z, "a.*").is_err());
        assert!(relative_name(Z, "a b").is_err());
        assert!(relative_name(Z, &"a".repeat(64)).is_err());
        // IDNA2008 (RFC 5892): an emoji label is refused, in owner names
        // and in RDATA alike.
        let e = relative_name(Z, "😀").expect_err("emoji");
        assert!(e.contains("U+1F600"), "{e}");
        assert!(name("😀.example.net", Root::Refused).is_err());
    }
}

//! Domain names and host names.
//!
//! Input is accepted the way the contract says (api-v1.md, "Domain names"):
//! any case, with or without one trailing dot, as Unicode (IDN) or as an
//! A-label. UTS-46 processing (the `idna` crate, STD3 rules) maps it to the
//! lower-case A-label form, which is what we store and return. On top of that
//! every label must be 1–63 letters, digits and inner hyphens (RFC 1035
//! §2.3.1, RFC 5891 §4.2.3) and the whole name at most 253 characters.
//!
//! Every internationalised label must then be a valid IDNA2008 U-label
//! (RFC 5891 §4.2, RFC 5892, RFC 5893; see `idna2008.rs`): UTS-46 alone
//! lets through symbols such as emoji and context-bound characters out of
//! their context. A domain name we register must also keep each label in
//! one script (UTS #39 highly restrictive), so look-alikes such as
//! `аpple.com` with a Cyrillic `а` are refused. Host names (nameservers,
//! record targets) are names registered elsewhere: they meet IDNA2008 but
//! the script rule is that of their own registry.

use std::fmt;

use crate::idna2008;
use crate::pricing::Tld;

/// Why a name was refused, each with a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("The name is empty: give a domain name such as example.com.")]
    Empty,
    #[error("`{0}` is not a valid domain name: use letters, digits and inner hyphens, labels of 1-63 characters, 253 characters in all.")]
    Invalid(String),
    /// An internationalised label breaks IDNA2008 (RFC 5891–5893) or the
    /// one-script rule (UTS #39); `reason` names the character and rule.
    #[error("`{name}` is not a valid internationalised domain name: {reason}.")]
    Idna { name: String, reason: String },
    /// A host name whose top-level label is all digits, such as an IPv4
    /// address (RFC 1123 §2.1).
    #[error("`{0}` is an IP address, not a host name: give the nameserver's host name, such as ns1.example.net (its address belongs in a glue record at the registry).")]
    Address(String),
    #[error("`{name}` ends in .{tld}, which is not offered: supported TLDs are {supported}.")]
    UnsupportedTld {
        name: String,
        tld: String,
        supported: String,
    },
    #[error(
        "`{0}` is not a registrable name: register the name directly below the TLD, such as {1}."
    )]
    NotSecondLevel(String, String),
}

/// How strictly the labels of a name are checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// IDNA2008 validity (RFC 5891 §5.4 on lookup).
    Lookup,
    /// IDNA2008 and one script per label (RFC 5891 §4, UTS #39 §5.2).
    Registration,
    /// A name already held: LDH only, so one registered under older rules
    /// is still served, renewed and transferred.
    Stored,
}

/// Converts input to the lower-case A-label form and checks the LDH rules,
/// then each A-label's U-label by IDNA2008 (and, to register, one script).
fn to_ascii(input: &str, policy: Policy) -> Result<String, NameError> {
    let trimmed = input.strip_suffix('.').unwrap_or(input);
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    let invalid = || NameError::Invalid(input.to_owned());
    let ascii = match idna::domain_to_ascii_strict(trimmed) {
        Ok(ascii) => ascii,
        Err(_) => {
            // Say which character when IDNA2008 tells (UTS-46 refused it
            // first); else the general sentence.
            let mapped = idna2008::nfc(&trimmed.to_lowercase());
            for label in mapped.split('.').filter(|l| !l.is_ascii()) {
                if let Err(reason) = idna2008::check_u_label(label) {
                    return Err(NameError::Idna {
                        name: input.to_owned(),
                        reason,
                    });
                }
            }
            return Err(invalid());
        }
    };
    if ascii.is_empty() || ascii.len() > 253 {
        return Err(invalid());
    }
    for label in ascii.split('.') {
        let ok = (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(invalid());
        }
        if policy == Policy::Stored {
            continue;
        }
        check_a_label(label, policy).map_err(|reason| NameError::Idna {
            name: input.to_owned(),
            reason,
        })?;
    }
    Ok(ascii)
}

/// An A-label's U-label checked by IDNA2008 (and the script rule for
/// `Policy::Registration`); other LDH labels pass.
fn check_a_label(label: &str, policy: Policy) -> Result<(), String> {
    let Some(encoded) = label.strip_prefix("xn--") else {
        return Ok(());
    };
    let unicode = idna::punycode::decode_to_string(encoded)
        .ok_or_else(|| format!("`{label}` is not a valid A-label (RFC 5891 §5.3)"))?;
    idna2008::check_u_label(&unicode)?;
    if policy == Policy::Registration {
        idna2008::check_single_script(&unicode)?;
    }
    Ok(())
}

/// Checks the internationalised labels of a name already in lower-case
/// A-label form (such as a DNS record's owner name, RFC 5891 §5.4): each
/// `xn--` label must decode to a valid IDNA2008 U-label. The error is a
/// sentence naming the character and the RFC rule.
pub fn check_a_labels(ascii: &str) -> Result<(), String> {
    ascii
        .split('.')
        .try_for_each(|label| check_a_label(label, Policy::Lookup))
}

/// The Unicode form of a lower-case A-label name, for people to read and
/// search (RFC 5891 §5.5): each `xn--` label decoded, the rest as is.
pub fn to_unicode(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() {
        unicode
    } else {
        ascii.to_owned()
    }
}

/// A registrable second-level domain name under a supported TLD, in
/// lower-case A-label form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainName {
    ascii: String,
    tld: Tld,
}

impl DomainName {
    /// Parses what a user typed (any case, one trailing dot allowed,
    /// Unicode or A-labels) into the stored A-label form.
    ///
    /// Errors: `Empty`; `Invalid` (not LDH after UTS-46, a label over 63
    /// or the name over 253 characters, RFC 1035 §2.3.1); `Idna` (an
    /// internationalised label breaks RFC 5891–5893 or mixes scripts, UTS
    /// #39); `UnsupportedTld`; `NotSecondLevel`.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        Self::parse_with(input, Policy::Registration)
    }

    /// Parses a name already stored (in an account or at the registry),
    /// as `parse` does but without the IDNA2008 and script rules, which
    /// apply to new names: a name registered under older rules keeps being
    /// renewed and transferred.
    pub fn parse_stored(input: &str) -> Result<Self, NameError> {
        Self::parse_with(input, Policy::Stored)
    }

    fn parse_with(input: &str, policy: Policy) -> Result<Self, NameError> {
        let ascii = to_ascii(input, policy)?;
        let labels: Vec<&str> = ascii.split('.').collect();
        let Some(tld_label) = labels.last() else {
            return Err(NameError::Invalid(input.to_owned()));
        };
        if labels.len() == 1 {
            return Err(NameError::Invalid(input.to_owned()));
        }
        let tld = Tld::from_label(tld_label).ok_or_else(|| NameError::UnsupportedTld {
            name: ascii.clone(),
            tld: (*tld_label).to_owned(),
            supported: Tld::ALL
                .iter()
                .map(|t| format!(".{}", t.label()))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        if labels.len() > 2 {
            let suggestion = format!("{}.{}", labels[labels.len() - 2], tld_label);
            return Err(NameError::NotSecondLevel(ascii, suggestion));
        }
        Ok(DomainName { ascii, tld })
    }

    /// The lower-case A-label form, as stored and returned.
    pub fn as_str(&self) -> &str {
        &self.ascii
    }

    /// The Unicode form (each `xn--` label decoded), for people to read.
    pub fn to_unicode(&self) -> String {
        to_unicode(&self.ascii)
    }

    /// The TLD it is registered under.
    pub fn tld(&self) -> Tld {
        self.tld
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ascii)
    }
}

/// A host name (for nameservers): at least two labels, any TLD, A-label form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostName(String);

impl HostName {
    /// Parses a host name as `DomainName::parse` does, any TLD and depth.
    ///
    /// Errors: `Address` for an IP address or any name whose top-level
    /// label is all digits (RFC 1123 §2.1: a TLD is never numeric, so such a
    /// name is an address); `Idna` for an internationalised label that
    /// breaks IDNA2008 (RFC 5891 §5.4); `Empty` or `Invalid` otherwise,
    /// and for a single label.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let bare = input.trim().trim_end_matches('.');
        if bare.parse::<std::net::IpAddr>().is_ok()
            || bare
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::Ipv6Addr>()
                .is_ok()
        {
            return Err(NameError::Address(input.to_owned()));
        }
        let ascii = to_ascii(input, Policy::Lookup)?;
        let Some((_, top)) = ascii.rsplit_once('.') else {
            return Err(NameError::Invalid(input.to_owned()));
        };
        if top.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NameError::Address(input.to_owned()));
        }
        Ok(HostName(ascii))
    }

    /// The lower-case A-label form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For host names written in this crate's own constants.
    pub(crate) fn from_static(s: &str) -> Self {
        HostName(s.to_owned())
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        DomainName::parse(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .as_str()
            .to_owned()
    }

    #[test]
    fn normalizes_case_trailing_dot_and_unicode() {
        assert_eq!(ok("Example.COM"), "example.com");
        assert_eq!(ok("example.com."), "example.com");
        assert_eq!(ok("bücher.com"), "xn--bcher-kva.com");
        assert_eq!(ok("XN--BCHER-KVA.com"), "xn--bcher-kva.com");
        assert_eq!(ok("my-app.io"), "my-app.io");
    }

    #[test]
    fn refuses_malformed_names() {
        for bad in [
            "",
            ".",
            "example",
            "-example.com",
            "example-.com",
            "exa mple.com",
            "ex_ample.com",
            "example..com",
            "a.b.c.com",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad}");
        }
        let long = format!("{}.com", "a".repeat(64));
        assert!(DomainName::parse(&long).is_err());
        assert!(DomainName::parse(&format!("{}.com", "a".repeat(63))).is_ok());
    }

    #[test]
    fn tells_unsupported_tld_and_third_level_apart() {
        assert!(matches!(
            DomainName::parse("example.xyz"),
            Err(NameError::UnsupportedTld { .. })
        ));
        assert_eq!(
            DomainName::parse("www.example.com"),
            Err(NameError::NotSecondLevel(
                "www.example.com".into(),
                "example.com".into()
            ))
        );
    }

    #[test]
    fn host_names_need_two_labels() {
        assert_eq!(
            HostName::parse("NS1.Cloudflare.com.").unwrap().as_str(),
            "ns1.cloudflare.com"
        );
        assert!(HostName::parse("localhost").is_err());
        assert!(HostName::parse("ns1..example.com").is_err());
    }

    /// Why `input` was refused as an IDN (the `Idna` reason), or panics.
    fn idna_reason(input: &str) -> String {
        match DomainName::parse(input) {
            Err(NameError::Idna { reason, .. }) => reason,
            other => panic!("{input}: expected an IDNA refusal, got {other:?}"),
        }
    }

    #[test]
    fn idna2008_table() {
        // Names RFC 5891-5893 and UTS #39 accept; the A-label parses back to itself.
        for input in [
            "bücher.com",
            "BÜCHER.com",
            "xn--bcher-kva.com",
            // §2.6 exceptions that are PVALID: sharp s, final sigma.
            "straße.com",
            "ςοφία.net",
            // A.3: middle dot between two l (Catalan).
            "col·lecció.com",
            // A.7: katakana middle dot in a label with Katakana.
            "ハロー・ワールド.com",
            // A.5: Hebrew geresh after a Hebrew letter.
            "א׳ב.org",
            // UTS #39: Japanese is Han + Hiragana + Katakana, highly restrictive.
            "日本のカメラ.com",
            "пример.com",
            "例子123.com",
        ] {
            let ascii = ok(input);
            assert!(ascii.starts_with("xn--"), "{input}: {ascii}");
            assert_eq!(ok(&ascii), ascii, "{input}");
        }
    }

    #[test]
    fn idna2008_refusals_say_which_character_and_rule() {
        // (input, a part of the reason).
        for (input, why) in [
            // RFC 5892 §2.1: a symbol is not a letter or digit.
            ("😀smile.com", "U+1F600"),
            ("😀smile.com", "DISALLOWED"),
            ("a♥b.com", "U+2665"),
            // A.7: katakana middle dot without Hiragana, Katakana or Han.
            ("abc・def.com", "A.7"),
            ("abc・def.com", "U+30FB"),
            // A.3: middle dot not between two l.
            ("a·b.com", "A.3"),
            // A.5: geresh after a Latin letter.
            ("a׳.org", "A.5"),
            // A.8/A.9: the two kinds of Arabic-Indic digits mixed.
            ("ب٠۰.com", "A.8"),
            // §2.6 exceptions that are DISALLOWED: Arabic tatweel.
            ("بـب.com", "U+0640"),
            // RFC 5891 §4.2.3.2: no combining mark first.
            ("\u{0301}abc.com", "4.2.3.2"),
            // UTS #39: a Cyrillic а in a Latin name.
            ("аpple.com", "mixes scripts"),
            ("аpple.com", "U+0430"),
            ("аpple.com", "Cyrillic"),
            ("xn--pple-43d.com", "Latin"),
            ("paypаl.com", "U+0430"),
            ("gοοgle.com", "Greek"),
        ] {
            let reason = idna_reason(input);
            assert!(reason.contains(why), "{input}: {reason}");
        }
        // The same emoji given as an A-label (UTS-46 alone lets it through).
        let a_label = idna::domain_to_ascii("😀smile.com").unwrap();
        assert!(a_label.starts_with("xn--"), "{a_label}");
        assert!(idna_reason(&a_label).contains("U+1F600"));
        // UTS #39 §5.2: out of the identifier profile, though IDNA2008 allows it.
        assert!(idna_reason("͵α.net").contains("UTS #39"));
        // A name held already (registered under older rules) still parses as stored.
        let held = DomainName::parse_stored("xn--pple-43d.com").unwrap();
        assert_eq!(held.tld(), crate::pricing::Tld::from_label("com").unwrap());
        // Refused before IDNA2008 (by UTS-46), still refused.
        for bad in [
            // A.1: a zero width non-joiner between Latin letters.
            "a\u{200C}b.com",
            // RFC 5893 §2 rule 1: a right-to-left label may not start with a digit.
            "1אב.com",
            // Not NFC as an A-label.
            "xn--a-ecp.com",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn derived_property_follows_rfc5892() {
        use crate::idna2008::{derived_property, Derived};
        for (cp, want) in [
            ('a', Derived::Pvalid),
            ('-', Derived::Pvalid),
            ('A', Derived::Disallowed),         // §2.3 Unstable (case)
            ('\u{FB01}', Derived::Disallowed),  // ﬁ ligature, Unstable (NFKC)
            ('\u{0958}', Derived::Disallowed),  // composition exclusion
            ('\u{00DF}', Derived::Pvalid),      // §2.6
            ('\u{0640}', Derived::Disallowed),  // §2.6
            ('\u{200D}', Derived::ContextJ),    // §2.8
            ('\u{30FB}', Derived::ContextO),    // §2.6
            ('\u{00AD}', Derived::Disallowed),  // soft hyphen, §2.4
            ('\u{20D0}', Derived::Disallowed),  // §2.5 ignorable block
            ('\u{1100}', Derived::Disallowed),  // §2.9 old Hangul jamo
            ('\u{AC00}', Derived::Pvalid),      // a Hangul syllable
            ('\u{0301}', Derived::Pvalid),      // a combining mark (Mn)
            ('\u{1F600}', Derived::Disallowed), // So
            ('\u{0378}', Derived::Unassigned),  // §2.11
            ('\u{FDD0}', Derived::Disallowed),  // a noncharacter
        ] {
            assert_eq!(derived_property(cp), want, "U+{:04X}", cp as u32);
        }
    }

    #[test]
    fn host_names_are_not_addresses() {
        for addr in [
            "192.0.2.1",
            "192.0.2.1.",
            "2001:db8::1",
            "[2001:db8::1]",
            "ns1.123",
        ] {
            assert_eq!(
                HostName::parse(addr),
                Err(NameError::Address(addr.into())),
                "{addr}"
            );
        }
        // A digit-only label below the TLD is fine (RFC 1123 §2.1).
        assert!(HostName::parse("123.example.com").is_ok());
        assert!(HostName::parse("ns1.xn--bcher-kva.com").is_ok());
        // IDNA2008 holds for host names too; the script rule does not.
        assert!(matches!(
            HostName::parse("ns1.😀.com"),
            Err(NameError::Idna { .. })
        ));
        assert!(HostName::parse("ns1.аpple.com").is_ok());
        // A.4: Greek lower numeral sign before a Greek letter, and not before a Latin one.
        assert!(HostName::parse("ns1.͵α.net").is_ok());
        assert!(matches!(
            HostName::parse("ns1.͵a.net"),
            Err(NameError::Idna { reason, .. }) if reason.contains("A.4")
        ));
    }
}

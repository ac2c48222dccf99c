//! Domain names and host names.
//!
//! Input is accepted the way the contract says (api-v1.md, "Domain names"):
//! any case, with or without one trailing dot, as Unicode (IDN) or as an
//! A-label. UTS-46 processing (the `idna` crate, STD3 rules) maps it to the
//! lower-case A-label form, which is what we store and return. On top of that
//! every label must be 1–63 letters, digits and inner hyphens (RFC 1035
//! §2.3.1, RFC 5891 §4.2.3) and the whole name at most 253 characters.

use std::fmt;

use crate::pricing::Tld;

/// Why a name was refused, each with a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("The name is empty: give a domain name such as example.com.")]
    Empty,
    #[error("`{0}` is not a valid domain name: use letters, digits and inner hyphens, labels of 1-63 characters, 253 characters in all.")]
    Invalid(String),
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

/// Converts input to the lower-case A-label form and checks the LDH rules.
fn to_ascii(input: &str) -> Result<String, NameError> {
    let trimmed = input.strip_suffix('.').unwrap_or(input);
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    let invalid = || NameError::Invalid(input.to_owned());
    let ascii = idna::domain_to_ascii_strict(trimmed).map_err(|_| invalid())?;
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
    }
    Ok(ascii)
}

/// A registrable second-level domain name under a supported TLD, in
/// lower-case A-label form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainName {
    ascii: String,
    tld: Tld,
}

impl DomainName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let ascii = to_ascii(input)?;
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

    pub fn as_str(&self) -> &str {
        &self.ascii
    }

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
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let ascii = to_ascii(input)?;
        if !ascii.contains('.') {
            return Err(NameError::Invalid(input.to_owned()));
        }
        Ok(HostName(ascii))
    }

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
}

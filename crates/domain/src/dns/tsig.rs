//! TSIG keys (RFC 8945): the HMAC algorithms a zone's key may use and the
//! rule for a key's name. A key signs a zone's dynamic updates (RFC 2136)
//! and its zone transfers (RFC 5936 §6); the server keeps the secret
//! sealed and shows it once, when the key is made.

use std::fmt;

/// The MAC algorithms of RFC 8945 §6 a key may use, by their names in the
/// TSIG record (and in `nsupdate -y`, BIND's `key` clause, lego's and
/// certbot's settings). HMAC-MD5 and GSS-TSIG are not offered: MD5 "MUST
/// NOT" be used (§6's table) and GSS needs Kerberos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsigAlgorithm {
    /// `hmac-sha1`: RFC 8945 says implement, "NOT RECOMMENDED" to use;
    /// offered for old clients.
    HmacSha1,
    /// `hmac-sha224`.
    HmacSha224,
    /// `hmac-sha256`: the default, and RFC 8945's "MUST".
    HmacSha256,
    /// `hmac-sha384`.
    HmacSha384,
    /// `hmac-sha512`.
    HmacSha512,
}

impl TsigAlgorithm {
    /// Every algorithm, the default first.
    pub const ALL: [TsigAlgorithm; 5] = [
        TsigAlgorithm::HmacSha256,
        TsigAlgorithm::HmacSha384,
        TsigAlgorithm::HmacSha512,
        TsigAlgorithm::HmacSha224,
        TsigAlgorithm::HmacSha1,
    ];

    /// The algorithm's name, as in the TSIG record (lower case, no dot).
    pub fn as_str(self) -> &'static str {
        match self {
            TsigAlgorithm::HmacSha1 => "hmac-sha1",
            TsigAlgorithm::HmacSha224 => "hmac-sha224",
            TsigAlgorithm::HmacSha256 => "hmac-sha256",
            TsigAlgorithm::HmacSha384 => "hmac-sha384",
            TsigAlgorithm::HmacSha512 => "hmac-sha512",
        }
    }

    /// The algorithm named `s` (case-insensitive, a final dot allowed, as a
    /// TSIG record's algorithm name is a domain name).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().trim_end_matches('.');
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
    }

    /// The MAC's length, and the length of a new key's secret, in bytes
    /// (RFC 8945 §6: a key as long as the hash's output).
    pub fn output_len(self) -> usize {
        match self {
            TsigAlgorithm::HmacSha1 => 20,
            TsigAlgorithm::HmacSha224 => 28,
            TsigAlgorithm::HmacSha256 => 32,
            TsigAlgorithm::HmacSha384 => 48,
            TsigAlgorithm::HmacSha512 => 64,
        }
    }
}

impl fmt::Display for TsigAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keys one zone may have.
pub const MAX_KEYS_PER_ZONE: usize = 20;

/// The name of a key of `zone` from its first label `label` (`acme` in
/// `example.com` is `acme.example.com`): one LDH label of 1–63
/// characters, lower-cased. Key names are unique across the server, and a
/// name inside its zone is unique because the zone is.
///
/// Errors: a sentence saying what a label may hold.
pub fn key_name(label: &str, zone: &str) -> Result<String, String> {
    let label = label.trim().to_ascii_lowercase();
    let ok = !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !label.starts_with('-')
        && !label.ends_with('-');
    if !ok {
        return Err(
            "A key's name is one label of 1 to 63 letters, digits, `-` or `_` (not starting or ending with `-`), such as `acme`; the zone is added to it."
                .to_owned(),
        );
    }
    if label.len() + 1 + zone.len() > 253 {
        return Err(
            "The key's name with the zone added is over 253 characters: use a shorter one."
                .to_owned(),
        );
    }
    Ok(format!("{label}.{zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_read_as_clients_write_them() {
        assert_eq!(
            TsigAlgorithm::parse("HMAC-SHA256."),
            Some(TsigAlgorithm::HmacSha256)
        );
        assert_eq!(TsigAlgorithm::parse("hmac-md5.sig-alg.reg.int"), None);
        for a in TsigAlgorithm::ALL {
            assert_eq!(TsigAlgorithm::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn a_key_is_named_inside_its_zone() {
        assert_eq!(
            key_name("ACME", "example.com").as_deref(),
            Ok("acme.example.com")
        );
        assert!(key_name("a.b", "example.com").is_err());
        assert!(key_name("", "example.com").is_err());
        assert!(key_name("-x", "example.com").is_err());
    }
}

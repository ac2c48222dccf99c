//! API tokens: `vps_` followed by 64 hex digits (256 bits from the OS's
//! CSPRNG). The prefix makes a leaked token recognisable to secret scanners.
//! Only the SHA-256 of a token is stored; a token is shown once, at creation.
//! SHA-256 without salt is right here: the input is 256 random bits, so there
//! is nothing to brute-force, and a fixed hash lets the lookup use an index.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const TOKEN_PREFIX: &str = "vps_";

/// Creates a new token; returns it with the hash to store.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(digest(token))
}

/// The SHA-256 of a token, as bytes: [`hash`] before hex encoding, a cheap
/// key for in-memory lookups.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The part of a token shown in lists (`vps_1a2b3c`): enough to tell
/// tokens apart, far too little to guess the rest.
pub fn display_prefix(token: &str) -> String {
    token.chars().take(TOKEN_PREFIX.len() + 6).collect()
}

/// Whether `token` has the shape of one of ours (saves a lookup otherwise).
pub fn looks_valid(token: &str) -> bool {
    token.len() == TOKEN_PREFIX.len() + 64
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

/// Compares two secrets in constant time.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (a, ha) = generate();
        let (b, _) = generate();
        assert_ne!(a, b);
        assert!(looks_valid(&a));
        assert_eq!(hash(&a), ha);
        assert_ne!(ha, a);
        assert!(!looks_valid("vps_123"));
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
    }
}

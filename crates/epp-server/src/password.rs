//! Registrar passwords: RFC 5730's `pwType` (6 to 16 characters), kept as
//! argon2id PHC strings.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Whether `pw` is a valid EPP password (RFC 5730 §4, `pwType`: a token of
/// 6 to 16 characters, no leading, trailing or doubled spaces, no control
/// characters).
pub fn valid_password(pw: &str) -> bool {
    let n = pw.chars().count();
    (6..=16).contains(&n)
        && !pw.starts_with(' ')
        && !pw.ends_with(' ')
        && !pw.contains("  ")
        && !pw.chars().any(char::is_control)
}

/// The argon2id PHC string of `pw`, with a fresh random salt.
///
/// Errors: argon2's (it does not fail for passwords of this length).
pub fn hash_password(pw: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
}

/// Whether `pw` matches the PHC string `hash` (false for a hash that does
/// not parse). Takes tens of milliseconds: call it off the async threads.
pub(crate) fn verify(pw: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

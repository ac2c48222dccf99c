//! Secrets the server must read back (a TSIG key's secret: both ends of
//! RFC 8945 compute the MAC from it, so it cannot be kept hashed), sealed
//! with the operator's secrets key before they reach the database:
//! ChaCha20-Poly1305 (RFC 8439, `ring`), a random 96-bit nonce per secret,
//! the row's name as associated data (a sealed secret moved to another
//! key's row does not open). A copy of the database alone gives no secret.
//!
//! Sealed form: `v1:` and the base64 of nonce ‖ ciphertext ‖ tag.

use base64::Engine;
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

/// The secrets key's length, in bytes (256 bits).
pub const SECRETS_KEY_LEN: usize = 32;

const PREFIX: &str = "v1:";

/// The operator's secrets key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretsKey {
    key: std::sync::Arc<LessSafeKey>,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

/// A secrets key file that does not hold a key.
#[derive(Debug, thiserror::Error)]
#[error("the secrets key file must hold {SECRETS_KEY_LEN} bytes as 64 hexadecimal digits (make one with `openssl rand -hex 32`)")]
pub struct BadSecretsKey;

impl SecretsKey {
    /// The key written as 64 hexadecimal digits (surrounding white space
    /// ignored), as a secrets key file holds it.
    pub fn from_hex(text: &str) -> Result<Self, BadSecretsKey> {
        let text = text.trim();
        if text.len() != SECRETS_KEY_LEN * 2 {
            return Err(BadSecretsKey);
        }
        let mut bytes = [0u8; SECRETS_KEY_LEN];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(text.get(2 * i..2 * i + 2).ok_or(BadSecretsKey)?, 16)
                .map_err(|_| BadSecretsKey)?;
        }
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| BadSecretsKey)?;
        Ok(SecretsKey {
            key: std::sync::Arc::new(LessSafeKey::new(key)),
        })
    }

    /// A new random key, as 64 hexadecimal digits (for a new key file).
    pub fn generate_hex() -> String {
        random_bytes(SECRETS_KEY_LEN)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `secret` sealed, bound to `name` (the row it is kept in).
    pub fn seal(&self, secret: &[u8], name: &str) -> String {
        let nonce_bytes: [u8; NONCE_LEN] =
            random_bytes(NONCE_LEN).try_into().unwrap_or([0; NONCE_LEN]);
        let mut sealed = secret.to_vec();
        // Sealing fails only for inputs over 256 GiB.
        if self
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(name.as_bytes()),
                &mut sealed,
            )
            .is_err()
        {
            sealed.clear();
        }
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    /// The secret `sealed` holds for `name`; `None` when it was sealed with
    /// another key, for another name, or is damaged.
    pub fn open(&self, sealed: &str, name: &str) -> Option<Vec<u8>> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed.strip_prefix(PREFIX)?)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut buf)
            .ok()?;
        Some(plain.to_vec())
    }
}

/// `n` bytes from the system's secure random source.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_name() {
        let key = SecretsKey::from_hex(&SecretsKey::generate_hex()).expect("key");
        let other = SecretsKey::from_hex(&SecretsKey::generate_hex()).expect("key");
        let sealed = key.seal(b"the secret", "acme.example.com");
        assert!(!sealed.contains("the secret"));
        assert_eq!(
            key.open(&sealed, "acme.example.com").as_deref(),
            Some(&b"the secret"[..])
        );
        assert_eq!(key.open(&sealed, "other.example.com"), None);
        assert_eq!(other.open(&sealed, "acme.example.com"), None);
        assert_ne!(sealed, key.seal(b"the secret", "acme.example.com"));
        assert!(SecretsKey::from_hex("abc").is_err());
        assert!(format!("{key:?}").len() < 20);
    }
}

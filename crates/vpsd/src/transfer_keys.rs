//! The operator's transfer keys (`--transfer-key-file`): TSIG keys (RFC
//! 8945) its secondaries sign their zone transfers with, one a line in the
//! form `nsupdate -y` takes (`hmac-sha256:NAME:BASE64SECRET`); blank lines
//! and `#` comments are skipped. Each transfers every zone and updates
//! none (`vpsd_dns::transfer`).

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use vpsd_dns::update::ZoneKey;
use vpsd_domain::dns::tsig::TsigAlgorithm;

/// The keys in `path`.
///
/// # Errors
/// The file cannot be read, or a line is not `ALGORITHM:NAME:SECRET` with
/// an algorithm of RFC 8945 §6 offered here, a name and a base64 secret
/// (the line is named, never the secret).
pub fn load(path: &Path) -> anyhow::Result<Vec<ZoneKey>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading the transfer key file {} (--transfer-key-file)",
            path.display()
        )
    })?;
    parse(&text).map_err(|(line, why)| {
        anyhow::anyhow!(
            "the transfer key file {} (--transfer-key-file), line {line}: {why}; write each key as hmac-sha256:NAME:BASE64SECRET",
            path.display()
        )
    })
}

/// The keys in `text`; `Err((line, why))` for the first bad line.
fn parse(text: &str) -> Result<Vec<ZoneKey>, (usize, String)> {
    let mut keys: Vec<ZoneKey> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fault = |why: &str| (i + 1, why.to_owned());
        let mut parts = line.splitn(3, ':');
        let (Some(algorithm), Some(name), Some(secret)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(fault("not three fields separated by `:`"));
        };
        let algorithm = TsigAlgorithm::parse(algorithm).ok_or_else(|| {
            fault("the algorithm is not one of hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1")
        })?;
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        if name.is_empty() {
            return Err(fault("the key has no name"));
        }
        if keys.iter().any(|k| k.name == name) {
            return Err(fault("this key's name is on an earlier line too"));
        }
        let secret = base64::engine::general_purpose::STANDARD
            .decode(secret.trim())
            .map_err(|_| fault("the secret is not base64"))?;
        if secret.is_empty() {
            return Err(fault("the secret is empty"));
        }
        keys.push(ZoneKey {
            key_id: vpsd_domain::TsigKeyId::from(0),
            account_id: vpsd_domain::AccountId::from(0),
            domain_id: vpsd_domain::DomainId::from(0),
            name,
            zone: String::new(),
            algorithm,
            secret,
        });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_keys_and_a_bad_one_is_named() {
        let keys =
            parse("# secondaries\nhmac-sha256:XFR.example.:c2VjcmV0\n\nhmac-sha512:two:c2VjcmV0\n")
                .expect("keys");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].name, "xfr.example");
        assert!(keys[0].zone.is_empty());
        assert_eq!(keys[1].algorithm, TsigAlgorithm::HmacSha512);
        assert_eq!(parse("hmac-md5:x:c2VjcmV0").map(|_| ()).unwrap_err().0, 1);
        assert_eq!(
            parse("\nhmac-sha256:x:not base64!")
                .map(|_| ())
                .unwrap_err()
                .0,
            2
        );
        assert!(parse("hmac-sha256:x:c2VjcmV0\nhmac-sha256:X:c2VjcmV0").is_err());
    }
}

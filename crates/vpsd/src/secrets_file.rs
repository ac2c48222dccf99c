//! The secrets key file (`--secrets-key-file`): 64 hexadecimal digits, the
//! key TSIG secrets are sealed with in the database
//! (`vpsd_registrar::secrets`). Made with a new random key when missing,
//! readable by its owner only; a file that holds no key stops the start.

use std::path::{Path, PathBuf};

use anyhow::Context;
use vpsd_registrar::secrets::SecretsKey;

/// The file to use: `given`, else a SQLite database's path plus
/// `.secrets.key`; `None` for PostgreSQL without one (or an in-memory
/// SQLite database).
pub fn path(given: Option<&Path>, database_url: &str) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.to_path_buf());
    }
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let file = rest.split('?').next().unwrap_or(rest);
    if file.is_empty() || file.contains(":memory:") {
        return None;
    }
    Some(PathBuf::from(format!("{file}.secrets.key")))
}

/// The key in `path`, made (mode 0600) when the file is missing.
///
/// # Errors
/// The file cannot be read or made, or holds no key: the message names
/// the file and the fix.
pub fn load_or_create(path: &Path) -> anyhow::Result<SecretsKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => SecretsKey::from_hex(&text).with_context(|| {
            format!(
                "the secrets key file {} (--secrets-key-file) does not hold a key",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hex = SecretsKey::generate_hex();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let write = options.open(path).and_then(|mut f| {
                use std::io::Write;
                f.write_all(format!("{hex}\n").as_bytes())
            });
            match write {
                Ok(()) => {
                    tracing::info!(file = %path.display(), "made a new secrets key file (keep it with, but apart from, the database's backups)");
                    SecretsKey::from_hex(&hex).map_err(Into::into)
                }
                // Another process made it first: read theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
                Err(e) => Err(e).with_context(|| {
                    format!(
                        "making the secrets key file {} (--secrets-key-file): give a writable path",
                        path.display()
                    )
                }),
            }
        }
        Err(e) => Err(e).with_context(|| {
            format!(
                "reading the secrets key file {} (--secrets-key-file)",
                path.display()
            )
        }),
    }
}

//! Where `vps` finds the API and the token: `--api-url`/`--token`, then
//! `VPS_API_URL`/`VPS_API_TOKEN`, then the file `vps login` writes
//! (`<config dir>/vps/config.toml`, readable by its owner only).

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The API used when nothing names one.
pub const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Config {
    pub api_url: Option<String>,
    pub token: Option<String>,
}

/// The config file's path: `$VPS_CONFIG`, else the user's config directory.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VPS_CONFIG") {
        return Some(PathBuf::from(p));
    }
    dirs::config_dir().map(|d| d.join("vps").join("config.toml"))
}

/// The file's settings; none when there is no file.
pub fn load(path: &Path) -> anyhow::Result<Config> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("reading {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes the file, readable and writable by its owner only (it holds a
/// token).
pub fn save(path: &Path, config: &Config) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let text = toml::to_string(config)?;
    let tmp = path.with_extension("toml.tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .with_context(|| format!("writing {}", tmp.display()))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

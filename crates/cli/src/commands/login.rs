//! `vps login`: a token checked against the API, then kept in the config file.

use std::io::{BufRead, IsTerminal};
use std::time::Duration;

use anyhow::Context;
use vps_client::Client;

use crate::exit::{fail, AUTH};
use crate::output::note;

/// `vps login`: the token from `--token`, else `VPS_API_TOKEN`, else a line
/// of standard input (prompted for on a terminal); checked against the API
/// before it is kept.
pub(super) async fn login(
    api_url: Option<String>,
    token: Option<String>,
    timeout: Duration,
) -> anyhow::Result<()> {
    let path = crate::config::path().context("no config directory: set VPS_CONFIG")?;
    let mut config = crate::config::load(&path)?;
    let url = api_url
        .or(config.api_url.clone())
        .unwrap_or_else(|| crate::config::DEFAULT_API_URL.to_owned());
    let token = match token.filter(|t| !t.trim().is_empty()) {
        Some(t) => t,
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                use std::io::Write;
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "API token for {url}: ");
                let _ = err.flush();
            }
            let mut line = String::new();
            stdin
                .lock()
                .read_line(&mut line)
                .context("reading the token from standard input")?;
            line
        }
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err(fail(
            AUTH,
            "No token given: pass --token TOKEN, set VPS_API_TOKEN, or give it on standard input (`echo \"$TOKEN\" | vps login`).",
        ));
    }
    // Checked before it is kept.
    let account = Client::new(&url, &token)?
        .with_timeout(timeout)?
        .account()
        .await?;
    config.api_url = Some(url.clone());
    config.token = Some(token);
    crate::config::save(&path, &config)?;
    note(format!(
        "Logged in to {url} as {} (account {}); saved in {}.",
        account.email,
        account.id,
        path.display()
    ));
    Ok(())
}

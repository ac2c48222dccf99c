//! What each command does: [`run`] picks the command group's module.

mod account;
mod catalog;
mod contacts;
mod domains;
mod forwards;
mod hosts;
mod keys;
mod login;
mod records;

use std::time::Duration;

use anyhow::Context;
use vps_client::Client;

use crate::exit::{fail, AUTH, NOT_FOUND};
use crate::output::{note, out_bytes};
use crate::{Cli, Command, DnsCommand};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let as_json = cli.json;
    let timeout = Duration::from_secs(cli.timeout);
    match cli.command {
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            // Into memory first: the generator panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "vps", &mut script);
            out_bytes(&script)
        }
        Command::Login { with_token } => {
            login::login(cli.api_url, with_token.or(cli.token), timeout).await
        }
        Command::Logout => {
            let path = crate::config::path().context("no config directory")?;
            let mut config = crate::config::load(&path)?;
            config.token = None;
            crate::config::save(&path, &config)?;
            note(format!("Forgot the token in {}.", path.display()));
            Ok(())
        }
        command => {
            let api = connect(cli.api_url, cli.token, timeout)?;
            match command {
                Command::Domains(c) => domains::domains(&api, c, as_json).await,
                Command::Check { names } => catalog::check(&api, &names, as_json).await,
                Command::Pricing => catalog::pricing(&api, as_json).await,
                Command::Account { what } => account::account(&api, what, as_json).await,
                Command::Dns(DnsCommand::Records(c)) => records::records(&api, c, as_json).await,
                Command::Dns(DnsCommand::Zone(c)) => records::zone(&api, c, as_json).await,
                Command::Dns(DnsCommand::Keys(c)) => keys::keys(&api, c, as_json).await,
                Command::EmailForwards(c) => forwards::email_forwards(&api, c, as_json).await,
                Command::UrlForwards(c) => forwards::url_forwards(&api, c, as_json).await,
                Command::Hosts(c) => hosts::hosts(&api, c, as_json).await,
                Command::Contacts(c) => contacts::contacts(&api, c, as_json).await,
                Command::Login { .. } | Command::Logout | Command::Completions { .. } => Ok(()),
            }
        }
    }
}

/// The API address and token: flags and environment first, then the file.
fn connect(
    api_url: Option<String>,
    token: Option<String>,
    timeout: Duration,
) -> anyhow::Result<Client> {
    let saved = match crate::config::path() {
        Some(p) => crate::config::load(&p)?,
        None => Default::default(),
    };
    let url = api_url
        .or(saved.api_url)
        .unwrap_or_else(|| crate::config::DEFAULT_API_URL.to_owned());
    let Some(token) = token.or(saved.token).filter(|t| !t.trim().is_empty()) else {
        return Err(fail(
            AUTH,
            "No API token: run `vps login`, or set VPS_API_TOKEN, or pass --token.",
        ));
    };
    Ok(Client::new(&url, &token)?.with_timeout(timeout)?)
}

/// A domain argument: its id, or its name.
pub(super) async fn domain_id(api: &Client, given: &str) -> anyhow::Result<i64> {
    if let Ok(id) = given.parse::<i64>() {
        return Ok(id);
    }
    match api.domain_named(given).await? {
        Some(d) => Ok(d.id),
        None => Err(fail(
            NOT_FOUND,
            format!("No domain named {given} in this account (`vps domains list` shows them)."),
        )),
    }
}

//! `vpsd registry premium ...`: the sandbox registry's premium names (RFC
//! 8748), what it charges registrars for them (its own registrar included).

use std::sync::Arc;

use anyhow::bail;
use clap::Subcommand;
use vpsd_domain::{Clock, DomainName, Money};
use vpsd_storage::PremiumName;

use crate::server::{App, ServerSettings};

/// `vpsd registry premium ...`.
#[derive(Debug, Subcommand)]
pub enum PremiumCommand {
    /// Price a name apart from its TLD: what the registry charges a
    /// registrar for it, in US dollars for one year (e.g. 250 or 99.50).
    /// Setting it again replaces its prices.
    Set {
        name: String,
        /// `<domain:create>`, per year.
        #[arg(long, value_parser = parse_price)]
        create: Money,
        /// `<domain:renew>`, per year.
        #[arg(long, value_parser = parse_price)]
        renew: Money,
        /// A transfer (one year added); default the renewal price.
        #[arg(long, value_parser = parse_price)]
        transfer: Option<Money>,
    },
    /// The premium names and their prices.
    List,
    /// Price a name as its TLD again.
    Remove { name: String },
}

fn parse_price(s: &str) -> Result<Money, String> {
    match Money::parse_dollars(s) {
        Ok(m) if m.cents() > 0 => Ok(m),
        Ok(_) => Err("a premium price is more than 0".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The stored form of `raw`, a name of a TLD this installation offers.
fn name_of(raw: &str) -> anyhow::Result<String> {
    match DomainName::parse(raw) {
        Ok(n) => Ok(n.as_str().to_owned()),
        Err(e) => bail!("{raw}: {e}"),
    }
}

/// `vpsd registry premium ...`.
pub(super) async fn premium(
    command: PremiumCommand,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match command {
        PremiumCommand::Set {
            name,
            create,
            renew,
            transfer,
        } => {
            let name = name_of(&name)?;
            let app = App::build(settings, clock).await?;
            let premium = PremiumName {
                name: name.clone(),
                create_cents: create.cents(),
                renew_cents: renew.cents(),
                transfer_cents: transfer.unwrap_or(renew).cents(),
                updated_at: app.now(),
            };
            app.store.registry_premium_set(&premium).await?;
            out!(
                "{name}: premium, create ${create}, renew ${renew}, transfer ${} a year",
                transfer.unwrap_or(renew)
            )?;
            Ok(())
        }
        PremiumCommand::List => {
            let app = App::build(settings, clock).await?;
            let names = app.store.registry_premium_list().await?;
            if names.is_empty() {
                out!("no premium names: every name is priced as its TLD")?;
            }
            for p in names {
                out!(
                    "{}\tcreate ${}\trenew ${}\ttransfer ${}",
                    p.name,
                    Money::from_cents(p.create_cents),
                    Money::from_cents(p.renew_cents),
                    Money::from_cents(p.transfer_cents)
                )?;
            }
            Ok(())
        }
        PremiumCommand::Remove { name } => {
            let name = name_of(&name)?;
            let app = App::build(settings, clock).await?;
            if !app.store.registry_premium_remove(&name).await? {
                bail!("{name} is not a premium name (`vpsd registry premium list` shows them)");
            }
            out!("{name} is priced as its TLD again")?;
            Ok(())
        }
    }
}

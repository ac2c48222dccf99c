//! The commands on accounts and what hangs off them: `account` (create,
//! credit), `token` (create, list, revoke), `audit` and `outbox`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use vpsd_domain::{Clock, Money};
use vpsd_storage::Actor;

use crate::server::{App, ServerSettings};

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; prints its id alone on stdout.
    Create {
        #[arg(long)]
        email: String,
        /// Opening balance in dollars, e.g. 100 or 25.50.
        #[arg(long, default_value = "0", value_parser = parse_money)]
        balance: Money,
    },
    /// Add money to an account (a ledger credit).
    Credit {
        #[arg(long)]
        account: i64,
        /// Dollars, e.g. 50 or 12.99.
        #[arg(long, value_parser = parse_money)]
        amount: Money,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; prints the token alone on stdout. It is shown
    /// only this once.
    Create {
        #[arg(long)]
        account: i64,
        #[arg(long, default_value = "default")]
        name: String,
        /// The token may only read (GET); anything else is refused with 403.
        #[arg(long)]
        read_only: bool,
        /// The token stops working after this long (e.g. 90d).
        #[arg(long, value_parser = crate::duration::parse)]
        expires_in: Option<Duration>,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        account: i64,
    },
    /// Revoke a token by its id (from `vpsd token list`); it stops working at once.
    Revoke { token_id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List every mail in the outbox, oldest first.
    List,
}

fn parse_money(s: &str) -> Result<Money, String> {
    Money::parse_dollars(s).map_err(|e| e.to_string())
}

fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// `vpsd account ...`.
pub(super) async fn account(
    command: AccountCommand,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match command {
        AccountCommand::Create { email, balance } => {
            if !valid_email(&email) {
                bail!("`{email}` is not an email address such as ops@example.com");
            }
            let app = App::build(settings, clock).await?;
            let account = app
                .registrar
                .create_account(&Actor::operator(), &email, balance)
                .await?;
            out!("{}", account.id)?;
            Ok(())
        }
        AccountCommand::Credit { account, amount } => {
            if amount.cents() <= 0 {
                bail!("the amount must be more than 0");
            }
            let app = App::build(settings, clock).await?;
            let updated = app
                .registrar
                .credit(
                    &Actor::operator(),
                    account.into(),
                    amount,
                    "Credit by operator",
                )
                .await
                .map_err(|e| match e {
                    vpsd_registrar::RegistrarError::NotFound => {
                        anyhow::anyhow!("there is no account {account}")
                    }
                    other => other.into(),
                })?;
            eprintln!("account {account}: balance is now ${}", updated.balance);
            Ok(())
        }
    }
}

/// `vpsd token ...`.
pub(super) async fn token(
    command: TokenCommand,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            account,
            name,
            read_only,
            expires_in,
        } => {
            let app = App::build(settings, clock).await?;
            if app.store.account(account.into()).await?.is_none() {
                bail!("there is no account {account}");
            }
            let expires_at = match expires_in {
                Some(d) => Some(app.now() + chrono::Duration::from_std(d)?),
                None => None,
            };
            let (id, token) = app
                .registrar
                .issue_token(
                    &Actor::operator(),
                    account.into(),
                    &name,
                    read_only,
                    expires_at,
                )
                .await?;
            eprintln!("token {id} created; it is shown only this once");
            out!("{token}")?;
            Ok(())
        }
        TokenCommand::List { account } => {
            let app = App::build(settings, clock).await?;
            if app.store.account(account.into()).await?.is_none() {
                bail!("there is no account {account}");
            }
            let now = app.now();
            out!(
                "{:<6} {:<12} {:<10} {:<10} {:<22} {:<22} NAME",
                "ID",
                "PREFIX",
                "SCOPE",
                "STATE",
                "CREATED",
                "LAST USED"
            )?;
            for t in app.store.tokens(account.into()).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at.is_some_and(|e| e <= now) {
                    "expired"
                } else {
                    "active"
                };
                let when = |t: Option<DateTime<Utc>>| {
                    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                        .unwrap_or_else(|| "never".to_owned())
                };
                out!(
                    "{:<6} {:<12} {:<10} {:<10} {:<22} {:<22} {}",
                    t.id,
                    format!("{}…", t.prefix),
                    if t.read_only { "read" } else { "read-write" },
                    state,
                    when(Some(t.created_at)),
                    when(t.last_used_at),
                    t.name
                )?;
            }
            Ok(())
        }
        TokenCommand::Revoke { token_id } => {
            let app = App::build(settings, clock).await?;
            if !app
                .registrar
                .revoke_token(&Actor::operator(), vpsd_domain::TokenId::from(token_id))
                .await?
            {
                bail!("there is no active token {token_id}");
            }
            eprintln!("token {token_id} revoked");
            Ok(())
        }
    }
}

/// `vpsd audit`: an account's audit log, newest first.
pub(super) async fn audit(
    account: i64,
    limit: i64,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let app = App::build(settings, clock).await?;
    let (count, entries) = app
        .store
        .audit_page(account.into(), 0, limit.max(1))
        .await?;
    eprintln!("{count} entries for account {account}; newest first");
    for e in entries {
        let who = match (e.actor.as_str(), e.token_id) {
            ("api", Some(t)) => format!("api token {t}"),
            (actor, _) => actor.to_owned(),
        };
        out!(
            "{} {:<24} {:<22} {:<18} {} {}",
            e.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.action,
            e.domain_name.as_deref().unwrap_or("-"),
            who,
            e.changes,
            e.request_id
                .map(|r| format!("request {r}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

/// `vpsd outbox ...`.
pub(super) async fn outbox(
    command: OutboxCommand,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List => {
            let app = App::build(settings, clock).await?;
            for mail in app.store.outbox().await? {
                let state = match (mail.sent_at, mail.gave_up_at) {
                    (Some(t), _) => format!("sent {}", t.to_rfc3339()),
                    (None, Some(t)) => format!(
                        "refused for good {} after {} attempt(s): {}",
                        t.to_rfc3339(),
                        mail.attempts,
                        mail.last_error.as_deref().unwrap_or("")
                    ),
                    (None, None) if mail.attempts > 0 => format!(
                        "queued, {} failed attempt(s): {}",
                        mail.attempts,
                        mail.last_error.as_deref().unwrap_or("")
                    ),
                    (None, None) => "queued".to_owned(),
                };
                out!(
                    "#{} {} to {} [{}]\n  {}\n",
                    mail.id,
                    mail.created_at.to_rfc3339(),
                    mail.recipient,
                    state,
                    mail.subject
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn emails_need_a_domain() {
        assert!(super::valid_email("ops@example.com"));
        assert!(!super::valid_email("ops"));
        assert!(!super::valid_email("ops@localhost"));
        assert!(!super::valid_email("a b@example.com"));
    }
}

//! `vps`: the command-line client of the VPS.org Domains API v1.
//!
//! Tables for people, `--json` for scripts; the API's `detail` on errors;
//! exit codes that tell failures apart (see [`exit`]).

mod commands;
mod config;
mod exit;
mod output;

use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "vps",
    version,
    about = "The VPS.org Domains API from the command line."
)]
#[command(
    after_help = "Exit codes: 0 done; 1 other failure; 2 bad usage; 3 not found; \
4 refused (bad input or not allowed now); 5 not authenticated or not permitted; \
6 balance too low; 7 rate limited; 8 server or network failure; 9 --wait timed out; \
10 the transfer failed or was rejected."
)]
pub struct Cli {
    /// The API's address (or set VPS_API_URL, or `vps login`).
    #[arg(long, global = true, env = "VPS_API_URL")]
    api_url: Option<String>,
    /// An API token (or set VPS_API_TOKEN, or `vps login`).
    #[arg(long, global = true, env = "VPS_API_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Print the API's JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    /// Give up on a call to the API after this many seconds.
    #[arg(long, global = true, env = "VPS_TIMEOUT", value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Save the API address and a token in the config file (checked first).
    ///
    /// The token comes from --token, else VPS_API_TOKEN, else a line of
    /// standard input (`echo "$TOKEN" | vps login`).
    Login {
        /// The same as --token (an older spelling).
        #[arg(long = "with-token", hide = true)]
        with_token: Option<String>,
    },
    /// Forget the saved token.
    Logout,
    /// The account's domains.
    #[command(subcommand)]
    Domains(DomainsCommand),
    /// Whether names can be registered, with their prices.
    Check {
        #[arg(required = true, num_args = 1..=50)]
        names: Vec<String>,
    },
    /// The price list.
    Pricing,
    /// The account and its balance; `vps account transactions` for the ledger.
    Account {
        #[command(subcommand)]
        what: Option<AccountCommand>,
    },
    /// A domain's DNS records.
    #[command(subcommand)]
    Dns(DnsCommand),
    /// A domain's email forwards.
    #[command(subcommand, name = "email-forwards")]
    EmailForwards(EmailCommand),
    /// A domain's URL forwards.
    #[command(subcommand, name = "url-forwards")]
    UrlForwards(UrlCommand),
    /// A domain's own name servers (child name servers) with their
    /// addresses (glue) at the registry.
    #[command(subcommand)]
    Hosts(HostsCommand),
    /// The account's contacts (RFC 5733): a domain's registrant, admin,
    /// tech and billing contacts.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// The ledger, newest first.
    Transactions {
        #[command(flatten)]
        page: PageArgs,
    },
}

#[derive(Debug, Args)]
struct PageArgs {
    /// Which page, from 1.
    #[arg(long, default_value_t = 1)]
    page: u32,
    /// Entries per page (1–500).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
    page_size: u32,
}

/// A domain's contacts by role, each a contact id (`vps contacts list`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
struct ContactFlags {
    /// The registrant's contact id; default: the account's default contact
    /// (registration, transfer).
    #[arg(long, value_name = "CONTACT_ID")]
    registrant: Option<i64>,
    /// The admin contact's id.
    #[arg(long, value_name = "CONTACT_ID")]
    admin: Option<i64>,
    /// The tech contact's id.
    #[arg(long, value_name = "CONTACT_ID")]
    tech: Option<i64>,
    /// The billing contact's id.
    #[arg(long, value_name = "CONTACT_ID")]
    billing: Option<i64>,
}

impl From<ContactFlags> for vps_client::DomainContactIds {
    fn from(f: ContactFlags) -> Self {
        vps_client::DomainContactIds {
            registrant: f.registrant,
            admin: f.admin,
            tech: f.tech,
            billing: f.billing,
        }
    }
}

#[derive(Debug, Subcommand)]
enum DomainsCommand {
    /// List domains (every page unless --page is given).
    List {
        /// active, pending, expired or locked.
        #[arg(long)]
        status: Option<String>,
        /// A part of the name.
        #[arg(long)]
        search: Option<String>,
        /// Only this page.
        #[arg(long)]
        page: Option<u32>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
        page_size: u32,
    },
    /// One domain in detail (by id or name).
    Get { domain: String },
    /// Register a name (charged at once).
    Register {
        name: String,
        /// 1–10.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=10))]
        years: Option<u8>,
        /// Do not renew automatically.
        #[arg(long)]
        no_auto_renew: bool,
        /// Publish the account's contacts in whois.
        #[arg(long)]
        no_privacy: bool,
        /// A nameserver (2–4); default VPS.org's.
        #[arg(long = "nameserver", value_name = "HOST")]
        nameservers: Vec<String>,
        #[command(flatten)]
        contacts: ContactFlags,
        /// Wait until the registration completes, showing its state.
        #[arg(long)]
        wait: bool,
        /// Give up waiting after this many seconds.
        #[arg(long, default_value_t = 900)]
        wait_timeout: u64,
    },
    /// Change settings; only those given change (give at least one).
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["auto_renew", "privacy", "locked", "nameservers", "registrant", "admin", "tech", "billing"])))]
    Update {
        domain: String,
        #[arg(long)]
        auto_renew: Option<bool>,
        #[arg(long)]
        privacy: Option<bool>,
        /// The transfer lock.
        #[arg(long)]
        locked: Option<bool>,
        /// Replace the nameservers (give 2–4).
        #[arg(long = "nameserver", value_name = "HOST")]
        nameservers: Vec<String>,
        #[command(flatten)]
        contacts: ContactFlags,
    },
    /// Remove a domain from the account (the registration continues).
    Delete { domain: String },
    /// Add a domain registered at another registrar (to transfer it in).
    Import { name: String },
    /// Transfer a domain in from another registrar.
    Transfer {
        domain: String,
        /// The EPP code from the current registrar.
        #[arg(long)]
        auth_code: String,
        #[arg(long)]
        no_auto_renew: bool,
        #[command(flatten)]
        contacts: ContactFlags,
        /// Wait until the transfer completes, showing its state.
        #[arg(long)]
        wait: bool,
        /// Give up waiting after this many seconds.
        #[arg(long, default_value_t = 7 * 24 * 3600)]
        wait_timeout: u64,
    },
    /// Renew now (charged at once).
    Renew {
        domain: String,
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
        years: u8,
    },
    /// Restore a domain in redemption (the restore fee plus one year).
    Restore { domain: String },
    /// Cancel a registration within 5 days of it: deleted at the registry,
    /// refunded in full, gone from the account.
    Cancel { domain: String },
    /// Cancel a pending transfer in; its fee is refunded.
    TransferCancel { domain: String },
    /// The EPP auth code, to move the domain to another registrar.
    AuthCode {
        domain: String,
        /// Make a new code (the old one stops working).
        #[arg(long)]
        new: bool,
    },
    /// Answer a transfer to another registrar that one asked for.
    #[command(subcommand, name = "transfer-out")]
    TransferOut(TransferOutCommand),
}

#[derive(Debug, Subcommand)]
enum TransferOutCommand {
    /// Let it go now: the domain leaves the account.
    Approve { domain: String },
    /// Refuse it: the domain stays.
    Reject { domain: String },
}

#[derive(Debug, Subcommand)]
enum DnsCommand {
    /// DNS records.
    #[command(subcommand)]
    Records(RecordsCommand),
    /// The zone as a zone file (RFC 1035 master file form).
    #[command(subcommand)]
    Zone(ZoneCommand),
    /// TSIG keys: they sign dynamic updates (nsupdate, lego, certbot,
    /// octoDNS) and zone transfers at the nameserver.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// The zone's keys (never their secrets).
    List { domain: String },
    /// Make a key: its secret is printed this once.
    Create {
        domain: String,
        /// The key name's first label (`acme` makes acme.DOMAIN).
        name: String,
        /// hmac-sha256 (the default), hmac-sha384, hmac-sha512, hmac-sha224
        /// or hmac-sha1.
        #[arg(long)]
        algorithm: Option<String>,
    },
    /// Delete a key: messages signed with it are refused from then on.
    Delete { domain: String, key_id: i64 },
}

#[derive(Debug, Subcommand)]
enum ZoneCommand {
    /// Print the zone file (the SOA and NS records, then the zone's).
    Export { domain: String },
    /// Import a zone file, all or nothing: its records are added (or, with
    /// --replace, become the zone's records); faults are named by line.
    Import {
        domain: String,
        /// The zone file; `-` reads standard input.
        file: std::path::PathBuf,
        /// Make the zone's records the file's: delete those not in it.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Args)]
struct RecordFields {
    /// Relative to the zone: @, www, *.dev. When adding, @ (the zone's
    /// apex) if not given.
    #[arg(long)]
    name: Option<String>,
    /// A, AAAA, CNAME, MX, TXT, NS, SRV or CAA (required when adding).
    #[arg(long = "type", value_name = "TYPE")]
    rtype: Option<String>,
    /// The type's data: an address, a host name, TXT text, `weight port
    /// target` for SRV, `flags tag value` for CAA (required when adding).
    #[arg(long)]
    content: Option<String>,
    /// Seconds (60–86400); 3600 if not given when adding.
    #[arg(long)]
    ttl: Option<i64>,
    /// 0–65535, lower preferred: MX and SRV only, and required for them.
    #[arg(long)]
    priority: Option<i64>,
}

#[derive(Debug, Subcommand)]
enum RecordsCommand {
    /// A zone's records.
    List {
        domain: String,
        #[arg(long = "type")]
        rtype: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// One record.
    Get { domain: String, record_id: i64 },
    /// Add a record.
    Add {
        domain: String,
        #[command(flatten)]
        fields: RecordFields,
    },
    /// Change the fields given (give at least one).
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["name", "rtype", "content", "ttl", "priority"])))]
    Update {
        domain: String,
        record_id: i64,
        #[command(flatten)]
        fields: RecordFields,
    },
    /// Delete a record.
    Delete { domain: String, record_id: i64 },
}

#[derive(Debug, Subcommand)]
enum EmailCommand {
    /// A domain's email forwards.
    List { domain: String },
    /// One forward.
    Get { domain: String, forward_id: i64 },
    /// Forward ALIAS@domain (or * for every other address) to addresses.
    Add {
        domain: String,
        alias: String,
        #[arg(required = true)]
        destinations: Vec<String>,
    },
    /// Change the alias or the destinations (give at least one).
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["alias", "destinations"])))]
    Update {
        domain: String,
        forward_id: i64,
        #[arg(long)]
        alias: Option<String>,
        #[arg(long = "destination")]
        destinations: Vec<String>,
    },
    /// Delete a forward.
    Delete { domain: String, forward_id: i64 },
}

#[derive(Debug, Subcommand)]
enum UrlCommand {
    /// A domain's URL forwards.
    List { domain: String },
    /// One forward.
    Get { domain: String, forward_id: i64 },
    /// Redirect a host of the domain (@ or www) to a URL.
    Add {
        domain: String,
        target: String,
        #[arg(long, default_value = "@")]
        host: String,
        /// 301 or 302.
        #[arg(long)]
        status_code: Option<i64>,
        /// Append the request's path and query to the target.
        #[arg(long)]
        keep_path: bool,
    },
    /// Change the fields given (give at least one).
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["host", "target", "status_code", "keep_path"])))]
    Update {
        domain: String,
        forward_id: i64,
        #[arg(long)]
        host: Option<String>,
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        status_code: Option<i64>,
        #[arg(long)]
        keep_path: Option<bool>,
    },
    /// Delete a forward.
    Delete { domain: String, forward_id: i64 },
}

/// A contact's fields as flags; each optional here (`create` needs the
/// API's required ones: the server names any missing).
#[derive(Debug, Args)]
struct ContactFields {
    /// The person's or role's name.
    #[arg(long)]
    name: Option<String>,
    /// The organisation.
    #[arg(long)]
    organisation: Option<String>,
    /// A street line (1–3: repeat the flag).
    #[arg(long = "street")]
    street: Vec<String>,
    #[arg(long)]
    city: Option<String>,
    /// State or province.
    #[arg(long)]
    state_province: Option<String>,
    #[arg(long)]
    postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 (US, DE, ...).
    #[arg(long)]
    country_code: Option<String>,
    /// Phone, E.164 as +CC.NUMBER (+1.2175550100).
    #[arg(long)]
    voice: Option<String>,
    /// Fax, E.164 as +CC.NUMBER.
    #[arg(long)]
    fax: Option<String>,
    #[arg(long)]
    email: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ContactsCommand {
    /// The account's contacts (every page unless --page is given).
    List {
        /// Only this page.
        #[arg(long)]
        page: Option<u32>,
        /// Contacts per page (1–500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
        page_size: u32,
    },
    /// Create a contact (--name, --street, --city, --country-code, --voice
    /// and --email are required); the account's first is its default.
    Create {
        #[command(flatten)]
        fields: ContactFields,
        /// Make it the account's default contact.
        #[arg(long)]
        default: bool,
    },
    /// One contact.
    Show { contact_id: i64 },
    /// Change the fields given (give at least one).
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["name", "organisation", "street", "city", "state_province", "postal_code",
               "country_code", "voice", "fax", "email"])))]
    Update {
        contact_id: i64,
        #[command(flatten)]
        fields: ContactFields,
    },
    /// Delete a contact no domain names.
    Delete { contact_id: i64 },
    /// Make a contact the account's default (registrations take it for
    /// every role they do not name).
    Default { contact_id: i64 },
}

#[derive(Debug, Subcommand)]
enum HostsCommand {
    /// A domain's hosts.
    List { domain: String },
    /// One host.
    Get { domain: String, host_name: String },
    /// Create HOST_NAME (inside the domain) with its addresses.
    Create {
        domain: String,
        host_name: String,
        #[arg(required = true)]
        ip_addresses: Vec<String>,
    },
    /// Replace the host's addresses.
    Update {
        domain: String,
        host_name: String,
        #[arg(required = true)]
        ip_addresses: Vec<String>,
    },
    /// Delete a host no domain names as a nameserver.
    Delete { domain: String, host_name: String },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let context = context(&cli.command);
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => exit::report(&e, &context),
    }
}

/// What a failure of `command` is about, to say it in `vps` terms: the
/// domain as given, and the flag or argument that sets each API field.
fn context(command: &Command) -> exit::Context {
    use exit::fields::*;
    let (domain, fields): (Option<&String>, &'static [(&str, &str)]) = match command {
        Command::Domains(c) => match c {
            DomainsCommand::List { .. } => (None, LIST),
            DomainsCommand::Register { name, .. } => (Some(name), REGISTER),
            DomainsCommand::Update { domain, .. } => (Some(domain), UPDATE),
            DomainsCommand::Import { name } => (Some(name), REGISTER),
            DomainsCommand::Transfer { domain, .. } => (Some(domain), TRANSFER),
            DomainsCommand::Renew { domain, .. } => (Some(domain), RENEW),
            DomainsCommand::Get { domain }
            | DomainsCommand::Delete { domain }
            | DomainsCommand::Restore { domain }
            | DomainsCommand::Cancel { domain }
            | DomainsCommand::TransferCancel { domain }
            | DomainsCommand::AuthCode { domain, .. }
            | DomainsCommand::TransferOut(
                TransferOutCommand::Approve { domain } | TransferOutCommand::Reject { domain },
            ) => (Some(domain), NONE),
        },
        Command::Check { .. } => (None, CHECK),
        Command::Account { .. } => (None, LIST),
        Command::Dns(DnsCommand::Records(c)) => match c {
            RecordsCommand::List { domain, .. }
            | RecordsCommand::Get { domain, .. }
            | RecordsCommand::Add { domain, .. }
            | RecordsCommand::Update { domain, .. }
            | RecordsCommand::Delete { domain, .. } => (Some(domain), RECORD),
        },
        Command::Dns(DnsCommand::Zone(
            ZoneCommand::Export { domain } | ZoneCommand::Import { domain, .. },
        )) => (Some(domain), NONE),
        Command::Dns(DnsCommand::Keys(
            KeysCommand::List { domain }
            | KeysCommand::Create { domain, .. }
            | KeysCommand::Delete { domain, .. },
        )) => (Some(domain), KEYS),
        Command::EmailForwards(c) => match c {
            EmailCommand::Add { domain, .. } => (Some(domain), EMAIL_ADD),
            EmailCommand::List { domain }
            | EmailCommand::Get { domain, .. }
            | EmailCommand::Update { domain, .. }
            | EmailCommand::Delete { domain, .. } => (Some(domain), EMAIL_UPDATE),
        },
        Command::UrlForwards(c) => match c {
            UrlCommand::Add { domain, .. } => (Some(domain), URL_ADD),
            UrlCommand::List { domain }
            | UrlCommand::Get { domain, .. }
            | UrlCommand::Update { domain, .. }
            | UrlCommand::Delete { domain, .. } => (Some(domain), URL_UPDATE),
        },
        Command::Hosts(c) => match c {
            HostsCommand::List { domain }
            | HostsCommand::Get { domain, .. }
            | HostsCommand::Create { domain, .. }
            | HostsCommand::Update { domain, .. }
            | HostsCommand::Delete { domain, .. } => (Some(domain), HOSTS),
        },
        Command::Contacts(_) => (None, CONTACT),
        Command::Login { .. }
        | Command::Logout
        | Command::Pricing
        | Command::Completions { .. } => (None, NONE),
    };
    exit::Context {
        domain: domain.cloned(),
        fields,
    }
}

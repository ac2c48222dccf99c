//! What each command does.

use std::io::{BufRead, IsTerminal};
use std::time::{Duration, Instant};

use anyhow::Context;
use vps_client::{
    Client, DomainFilter, EmailForwardRequest, PageRequest, RecordRequest, RegisterRequest,
    TransferRequest, UpdateRequest, UrlForwardRequest,
};

use crate::exit::{fail, AUTH, NOT_FOUND, TRANSFER_FAILED, USAGE, WAIT_TIMEOUT};
use crate::output::{day, fields, json, note, out, out_bytes, table, when, yes_no};
use crate::{
    AccountCommand, Cli, Command, DnsCommand, DomainsCommand, EmailCommand, RecordFields,
    RecordsCommand, TransferOutCommand, UrlCommand,
};

/// How often `--wait` asks.
const POLL: Duration = Duration::from_secs(1);

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
            login(cli.api_url, with_token.or(cli.token), timeout).await
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
                Command::Domains(c) => domains(&api, c, as_json).await,
                Command::Check { names } => check(&api, &names, as_json).await,
                Command::Pricing => pricing(&api, as_json).await,
                Command::Account { what } => account(&api, what, as_json).await,
                Command::Dns(DnsCommand::Records(c)) => records(&api, c, as_json).await,
                Command::EmailForwards(c) => email_forwards(&api, c, as_json).await,
                Command::UrlForwards(c) => url_forwards(&api, c, as_json).await,
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

/// `vps login`: the token from `--token`, else `VPS_API_TOKEN`, else a line
/// of standard input (prompted for on a terminal); checked against the API
/// before it is kept.
async fn login(
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

/// A domain argument: its id, or its name.
async fn domain_id(api: &Client, given: &str) -> anyhow::Result<i64> {
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

fn domain_rows(domains: &[vps_client::Domain]) -> Vec<Vec<String>> {
    domains
        .iter()
        .map(|d| {
            vec![
                d.id.to_string(),
                d.domain_name.clone(),
                d.status.clone(),
                day(&d.expiration_date),
                yes_no(d.auto_renew),
                yes_no(d.locked),
                d.dns_managed_by.clone(),
            ]
        })
        .collect()
}

const DOMAIN_HEADER: &[&str] = &[
    "ID",
    "NAME",
    "STATUS",
    "EXPIRES",
    "AUTO-RENEW",
    "LOCKED",
    "DNS",
];

async fn domains(api: &Client, command: DomainsCommand, as_json: bool) -> anyhow::Result<()> {
    match command {
        DomainsCommand::List {
            status,
            search,
            page,
            page_size,
        } => {
            let filter = DomainFilter { status, search };
            let list = match page {
                Some(page) => {
                    api.domains(&filter, PageRequest { page, page_size })
                        .await?
                        .results
                }
                None => api.all_domains(&filter).await?,
            };
            if as_json {
                return json(&list);
            }
            table(DOMAIN_HEADER, domain_rows(&list))?;
            Ok(())
        }
        DomainsCommand::Get { domain } => {
            let id = domain_id(api, &domain).await?;
            let d = api.domain(id).await?;
            if as_json {
                return json(&d);
            }
            show_detail(&d)?;
            Ok(())
        }
        DomainsCommand::Register {
            name,
            years,
            no_auto_renew,
            no_privacy,
            nameservers,
            wait,
            wait_timeout,
        } => {
            let request = RegisterRequest {
                domain_name: name,
                years,
                auto_renew: no_auto_renew.then_some(false),
                privacy_protection: no_privacy.then_some(false),
                nameservers: (!nameservers.is_empty()).then_some(nameservers),
            };
            let r = api.register(&request).await?;
            if !as_json {
                note(format!(
                    "{} (id {}): {} Charged {}.",
                    r.domain.domain_name, r.domain.id, r.message, r.total_cost
                ));
            }
            if !wait {
                if as_json {
                    return json(&r);
                }
                return Ok(());
            }
            let d = wait_for(api, r.domain.id, wait_timeout, "registering", |d| {
                (d.domain.status != "pending").then_some(Ok(()))
            })
            .await?;
            if as_json {
                return json(&d);
            }
            show_detail(&d)?;
            Ok(())
        }
        DomainsCommand::Update {
            domain,
            auto_renew,
            privacy,
            locked,
            nameservers,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = UpdateRequest {
                auto_renew,
                privacy_protection: privacy,
                locked,
                nameservers: (!nameservers.is_empty()).then_some(nameservers),
            };
            let u = api.update_domain(id, &request).await?;
            if as_json {
                return json(&u);
            }
            fields(&[
                ("name", u.domain_name),
                ("status", u.status),
                ("auto-renew", yes_no(u.auto_renew)),
                ("privacy", yes_no(u.privacy_protection)),
                ("locked", yes_no(u.locked)),
                ("nameservers", u.nameservers.join(", ")),
            ])?;
            note(u.message);
            Ok(())
        }
        DomainsCommand::Delete { domain } => {
            let id = domain_id(api, &domain).await?;
            api.delete_domain(id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": id }));
            }
            note(format!(
                "Removed domain {id} from the account (its registration continues)."
            ));
            Ok(())
        }
        DomainsCommand::Import { name } => {
            let i = api.import(&name).await?;
            if as_json {
                return json(&i);
            }
            note(format!(
                "Added {} (id {}), held at {}. Transfer it with `vps domains transfer {} --auth-code CODE`.",
                i.domain.domain_name, i.domain.id, i.registrar, i.domain.id
            ));
            Ok(())
        }
        DomainsCommand::Transfer {
            domain,
            auth_code,
            no_auto_renew,
            wait,
            wait_timeout,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = TransferRequest {
                auth_code,
                auto_renew: no_auto_renew.then_some(false),
            };
            let t = api.transfer(id, &request).await?;
            if !as_json {
                note(format!("{} Charged {}.", t.message, t.total_cost));
            }
            if !wait {
                if as_json {
                    return json(&t);
                }
                return Ok(());
            }
            let d = wait_for(api, id, wait_timeout, "transferring", |d| {
                match d.transfer_status.as_deref() {
                    Some("pending") => None,
                    Some("completed") => Some(Ok(())),
                    other => Some(Err(fail(
                        TRANSFER_FAILED,
                        format!(
                            "The transfer of {} ended {}: the fee was refunded.",
                            d.domain.domain_name,
                            other.unwrap_or("without a state")
                        ),
                    ))),
                }
            })
            .await?;
            if as_json {
                return json(&d);
            }
            show_detail(&d)?;
            Ok(())
        }
        DomainsCommand::Renew { domain, years } => {
            let id = domain_id(api, &domain).await?;
            let r = api.renew(id, years).await?;
            if as_json {
                return json(&r);
            }
            note(format!("{} Charged {}.", r.message, r.total_cost));
            Ok(())
        }
        DomainsCommand::AuthCode { domain, new } => {
            let id = domain_id(api, &domain).await?;
            let code = if new {
                api.regenerate_auth_code(id).await?
            } else {
                api.auth_code(id).await?
            };
            if as_json {
                return json(&code);
            }
            // The code alone on standard output, for scripts and pipes.
            out(&code.auth_code)?;
            Ok(())
        }
        DomainsCommand::TransferOut(command) => {
            let (domain, approve) = match command {
                TransferOutCommand::Approve { domain } => (domain, true),
                TransferOutCommand::Reject { domain } => (domain, false),
            };
            let id = domain_id(api, &domain).await?;
            let answer = if approve {
                api.approve_transfer_out(id).await?
            } else {
                api.reject_transfer_out(id).await?
            };
            if as_json {
                return json(&answer);
            }
            note(answer.message);
            Ok(())
        }
        DomainsCommand::Restore { domain } => {
            let id = domain_id(api, &domain).await?;
            let r = api.restore(id).await?;
            if as_json {
                return json(&r);
            }
            note(format!("{} Charged {}.", r.message, r.total_cost));
            Ok(())
        }
    }
}

/// Polls the domain with a spinner (on a terminal) until `done` says so,
/// or the time is up.
async fn wait_for(
    api: &Client,
    id: i64,
    timeout_secs: u64,
    doing: &str,
    done: impl Fn(&vps_client::DomainDetail) -> Option<anyhow::Result<()>>,
) -> anyhow::Result<vps_client::DomainDetail> {
    let spinner = indicatif::ProgressBar::new_spinner();
    // The time waited so far, next to the state.
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed} so far)")
    {
        spinner.set_style(style);
    }
    if !std::io::stderr().is_terminal() {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    spinner.enable_steady_tick(Duration::from_millis(120));
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let d = api.domain(id).await?;
        let state = match &d.transfer_status {
            Some(t) if doing == "transferring" => format!("transfer {t}"),
            _ => d.domain.status.clone(),
        };
        spinner.set_message(format!("{} {doing}: {state}", d.domain.domain_name));
        if let Some(outcome) = done(&d) {
            spinner.finish_and_clear();
            outcome?;
            return Ok(d);
        }
        if Instant::now() >= deadline {
            spinner.finish_and_clear();
            return Err(fail(
                WAIT_TIMEOUT,
                format!(
                    "Gave up waiting after {timeout_secs} s: {} is still {state}. It goes on; check with `vps domains get {id}`.",
                    d.domain.domain_name
                ),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn show_detail(d: &vps_client::DomainDetail) -> anyhow::Result<()> {
    let mut rows = vec![
        ("id", d.domain.id.to_string()),
        ("name", d.domain.domain_name.clone()),
        ("status", d.domain.status.clone()),
        ("registrar", d.registrar.clone()),
        ("registered", when(&d.domain.registration_date)),
        (
            "expires",
            format!(
                "{} ({} days)",
                when(&d.domain.expiration_date),
                d.days_until_expiration
            ),
        ),
        ("auto-renew", yes_no(d.domain.auto_renew)),
        ("locked", yes_no(d.domain.locked)),
        ("privacy", yes_no(d.domain.privacy_protection)),
        ("nameservers", d.domain.nameservers.join(", ")),
        ("dns", d.domain.dns_managed_by.clone()),
        ("dns records", d.dns_records_count.to_string()),
    ];
    if let Some(t) = &d.transfer_status {
        rows.push(("transfer", t.clone()));
    }
    if let Some(t) = &d.transfer_out {
        rows.push((
            "transfer out",
            format!(
                "{} to {} (asked {}; approved by itself {})",
                t.status,
                t.gaining_registrar,
                when(&t.requested_at),
                when(&t.auto_approve_at)
            ),
        ));
    }
    fields(&rows)
}

async fn check(api: &Client, names: &[String], as_json: bool) -> anyhow::Result<()> {
    let c = api.check(names).await?;
    if as_json {
        return json(&c);
    }
    table(
        &["NAME", "AVAILABLE", "REGISTER", "RENEW", "NOTE"],
        c.results
            .iter()
            .map(|a| {
                vec![
                    a.domain_name.clone(),
                    yes_no(a.available),
                    a.prices
                        .as_ref()
                        .map(|p| p.register.to_string())
                        .unwrap_or_default(),
                    a.prices
                        .as_ref()
                        .map(|p| p.renew.to_string())
                        .unwrap_or_default(),
                    a.detail.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )?;
    Ok(())
}

async fn pricing(api: &Client, as_json: bool) -> anyhow::Result<()> {
    let p = api.pricing().await?;
    if as_json {
        return json(&p);
    }
    table(
        &["TLD", "REGISTER", "RENEW", "TRANSFER", "RESTORE"],
        p.results
            .iter()
            .map(|t| {
                vec![
                    t.tld.clone(),
                    t.prices.register.to_string(),
                    t.prices.renew.to_string(),
                    t.prices.transfer.to_string(),
                    t.prices.restore.to_string(),
                ]
            })
            .collect(),
    )?;
    Ok(())
}

async fn account(api: &Client, what: Option<AccountCommand>, as_json: bool) -> anyhow::Result<()> {
    match what {
        None => {
            let a = api.account().await?;
            if as_json {
                return json(&a);
            }
            fields(&[
                ("id", a.id.to_string()),
                ("email", a.email),
                ("balance", a.balance.to_string()),
                ("since", when(&a.created_at)),
            ])?;
            Ok(())
        }
        Some(AccountCommand::Transactions { page }) => {
            let t = api
                .transactions(PageRequest {
                    page: page.page,
                    page_size: page.page_size,
                })
                .await?;
            if as_json {
                return json(&t);
            }
            table(
                &[
                    "ID",
                    "WHEN",
                    "TYPE",
                    "AMOUNT",
                    "BALANCE",
                    "DOMAIN",
                    "DESCRIPTION",
                ],
                t.results
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.to_string(),
                            when(&e.created_at),
                            e.kind.clone(),
                            e.amount.to_string(),
                            e.balance_after.to_string(),
                            e.domain.clone().unwrap_or_default(),
                            e.description.clone(),
                        ]
                    })
                    .collect(),
            )?;
            if t.next.is_some() {
                note(format!("More: --page {}", page.page + 1));
            }
            Ok(())
        }
    }
}

/// The record types the API serves, and whether each has a priority
/// (api-v1.md, "DNS records": MX and SRV only, and required there).
const RECORD_TYPES: &[(&str, bool)] = &[
    ("A", false),
    ("AAAA", false),
    ("CNAME", false),
    ("MX", true),
    ("TXT", false),
    ("NS", false),
    ("SRV", true),
    ("CAA", false),
];

/// Checks a new record's flags before anything is asked of the API, and
/// names every missing or misplaced one at once (exit 2).
fn check_new_record(f: &RecordFields) -> anyhow::Result<()> {
    let types = RECORD_TYPES
        .iter()
        .map(|(t, _)| *t)
        .collect::<Vec<_>>()
        .join(", ");
    let mut problems = Vec::new();
    let rtype = match f.rtype.as_deref() {
        None => {
            problems.push(format!("--type is required: one of {types}."));
            None
        }
        Some(t) => match RECORD_TYPES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(t.trim()))
        {
            Some(known) => Some(*known),
            None => {
                problems.push(format!(
                    "--type {t} is not served here: use one of {types}."
                ));
                None
            }
        },
    };
    if f.content.is_none() {
        let what = match rtype.map(|(t, _)| t) {
            Some("A") => "an IPv4 address",
            Some("AAAA") => "an IPv6 address",
            Some("CNAME" | "NS") => "a host name",
            Some("MX") => "the mail server's host name",
            Some("TXT") => "the text",
            Some("SRV") => "`weight port target`",
            Some("CAA") => "`flags tag value`",
            _ => "the record's data",
        };
        problems.push(format!("--content is required: {what}."));
    }
    match (rtype, f.priority) {
        (Some((t, true)), None) => problems.push(format!(
            "--priority is required for {t} records: 0 to 65535, lower is preferred."
        )),
        (Some((t, false)), Some(_)) => problems.push(format!(
            "--priority is for MX and SRV records only: leave it out for {t}."
        )),
        _ => {}
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(fail(
        USAGE,
        format!(
            "cannot add this record:\n  {}\n(see `vps dns records add --help`)",
            problems.join("\n  ")
        ),
    ))
}

fn record_request(f: RecordFields) -> RecordRequest {
    RecordRequest {
        name: f.name,
        rtype: f.rtype,
        content: f.content,
        ttl: f.ttl,
        priority: f.priority,
    }
}

fn record_rows(records: &[vps_client::DnsRecord]) -> Vec<Vec<String>> {
    records
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.clone(),
                r.rtype.clone(),
                r.content.clone(),
                r.ttl.to_string(),
                r.priority.map(|p| p.to_string()).unwrap_or_default(),
            ]
        })
        .collect()
}

const RECORD_HEADER: &[&str] = &["ID", "NAME", "TYPE", "CONTENT", "TTL", "PRIORITY"];

async fn records(api: &Client, command: RecordsCommand, as_json: bool) -> anyhow::Result<()> {
    let one = |r: vps_client::DnsRecord| -> anyhow::Result<()> {
        if as_json {
            return json(&r);
        }
        table(RECORD_HEADER, record_rows(&[r]))?;
        Ok(())
    };
    match command {
        RecordsCommand::List {
            domain,
            rtype,
            name,
        } => {
            let id = domain_id(api, &domain).await?;
            let list = api
                .dns_records(id, rtype.as_deref(), name.as_deref())
                .await?;
            if as_json {
                return json(&list);
            }
            table(RECORD_HEADER, record_rows(&list))?;
            Ok(())
        }
        RecordsCommand::Get { domain, record_id } => {
            let id = domain_id(api, &domain).await?;
            one(api.dns_record(id, record_id).await?)
        }
        RecordsCommand::Add { domain, fields } => {
            check_new_record(&fields)?;
            let id = domain_id(api, &domain).await?;
            one(api.add_dns_record(id, &record_request(fields)).await?)
        }
        RecordsCommand::Update {
            domain,
            record_id,
            fields,
        } => {
            let id = domain_id(api, &domain).await?;
            one(api
                .update_dns_record(id, record_id, &record_request(fields))
                .await?)
        }
        RecordsCommand::Delete { domain, record_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_dns_record(id, record_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": record_id }));
            }
            note(format!("Deleted record {record_id}."));
            Ok(())
        }
    }
}

fn email_rows(list: &[vps_client::EmailForward]) -> Vec<Vec<String>> {
    list.iter()
        .map(|f| {
            vec![
                f.id.to_string(),
                f.address.clone(),
                f.destinations.join(", "),
            ]
        })
        .collect()
}

async fn email_forwards(api: &Client, command: EmailCommand, as_json: bool) -> anyhow::Result<()> {
    const HEADER: &[&str] = &["ID", "ADDRESS", "FORWARDS TO"];
    let one = |f: vps_client::EmailForward| -> anyhow::Result<()> {
        if as_json {
            return json(&f);
        }
        table(HEADER, email_rows(&[f]))?;
        Ok(())
    };
    match command {
        EmailCommand::List { domain } => {
            let id = domain_id(api, &domain).await?;
            let list = api.email_forwards(id).await?;
            if as_json {
                return json(&list);
            }
            table(HEADER, email_rows(&list))?;
            Ok(())
        }
        EmailCommand::Get { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            one(api.email_forward(id, forward_id).await?)
        }
        EmailCommand::Add {
            domain,
            alias,
            destinations,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = EmailForwardRequest {
                alias: Some(alias),
                destinations: Some(destinations),
            };
            one(api.add_email_forward(id, &request).await?)
        }
        EmailCommand::Update {
            domain,
            forward_id,
            alias,
            destinations,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = EmailForwardRequest {
                alias,
                destinations: (!destinations.is_empty()).then_some(destinations),
            };
            one(api.update_email_forward(id, forward_id, &request).await?)
        }
        EmailCommand::Delete { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_email_forward(id, forward_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": forward_id }));
            }
            note(format!("Deleted email forward {forward_id}."));
            Ok(())
        }
    }
}

fn url_rows(list: &[vps_client::UrlForward]) -> Vec<Vec<String>> {
    list.iter()
        .map(|f| {
            vec![
                f.id.to_string(),
                f.fqdn.clone(),
                f.target.clone(),
                f.status_code.to_string(),
                yes_no(f.keep_path),
            ]
        })
        .collect()
}

async fn url_forwards(api: &Client, command: UrlCommand, as_json: bool) -> anyhow::Result<()> {
    const HEADER: &[&str] = &["ID", "HOST", "TARGET", "STATUS", "KEEP PATH"];
    let one = |f: vps_client::UrlForward| -> anyhow::Result<()> {
        if as_json {
            return json(&f);
        }
        table(HEADER, url_rows(&[f]))?;
        Ok(())
    };
    match command {
        UrlCommand::List { domain } => {
            let id = domain_id(api, &domain).await?;
            let list = api.url_forwards(id).await?;
            if as_json {
                return json(&list);
            }
            table(HEADER, url_rows(&list))?;
            Ok(())
        }
        UrlCommand::Get { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            one(api.url_forward(id, forward_id).await?)
        }
        UrlCommand::Add {
            domain,
            target,
            host,
            status_code,
            keep_path,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = UrlForwardRequest {
                host: Some(host),
                target: Some(target),
                status_code,
                keep_path: keep_path.then_some(true),
            };
            one(api.add_url_forward(id, &request).await?)
        }
        UrlCommand::Update {
            domain,
            forward_id,
            host,
            target,
            status_code,
            keep_path,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = UrlForwardRequest {
                host,
                target,
                status_code,
                keep_path,
            };
            one(api.update_url_forward(id, forward_id, &request).await?)
        }
        UrlCommand::Delete { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_url_forward(id, forward_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": forward_id }));
            }
            note(format!("Deleted URL forward {forward_id}."));
            Ok(())
        }
    }
}

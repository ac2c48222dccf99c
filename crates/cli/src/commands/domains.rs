//! `vps domains ...`: list, show, register, update, delete, import, renew,
//! restore, cancel (a registration in its first 5 days, a transfer in:
//! `transfer-cancel`), the auth code, and transfers in (`transfer --wait`) and out
//! (`transfer-out approve|reject`).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use vps_client::{
    Client, DomainFilter, PageRequest, RegisterRequest, TransferRequest, UpdateRequest,
};

use super::domain_id;
use crate::exit::{fail, TRANSFER_FAILED, WAIT_TIMEOUT};
use crate::output::{day, fields, json, note, out, table, when, yes_no};
use crate::{DomainsCommand, TransferOutCommand};

/// How often `--wait` asks.
const POLL: Duration = Duration::from_secs(1);

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

pub(super) async fn domains(
    api: &Client,
    command: DomainsCommand,
    as_json: bool,
) -> anyhow::Result<()> {
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
            contacts,
            wait,
            wait_timeout,
        } => {
            let request = RegisterRequest {
                domain_name: name,
                years,
                auto_renew: no_auto_renew.then_some(false),
                privacy_protection: no_privacy.then_some(false),
                nameservers: (!nameservers.is_empty()).then_some(nameservers),
                contacts: contacts.into(),
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
            contacts,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = UpdateRequest {
                auto_renew,
                privacy_protection: privacy,
                locked,
                nameservers: (!nameservers.is_empty()).then_some(nameservers),
                contacts: contacts.into(),
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
            contacts,
            wait,
            wait_timeout,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = TransferRequest {
                auth_code,
                auto_renew: no_auto_renew.then_some(false),
                contacts: contacts.into(),
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
        DomainsCommand::Cancel { domain } => {
            let id = domain_id(api, &domain).await?;
            let r = api.cancel(id).await?;
            if as_json {
                return json(&r);
            }
            note(format!("{} Balance now {}.", r.message, r.balance));
            Ok(())
        }
        DomainsCommand::TransferCancel { domain } => {
            let id = domain_id(api, &domain).await?;
            let r = api.cancel_transfer(id).await?;
            if as_json {
                return json(&r);
            }
            note(format!("{} Balance now {}.", r.message, r.balance));
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
    if !d.contacts.is_empty() {
        let id = |c: Option<i64>| c.map_or_else(|| "-".to_owned(), |c| c.to_string());
        rows.push((
            "contacts",
            format!(
                "registrant {}, admin {}, tech {}, billing {}",
                id(d.contacts.registrant),
                id(d.contacts.admin),
                id(d.contacts.tech),
                id(d.contacts.billing)
            ),
        ));
    }
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

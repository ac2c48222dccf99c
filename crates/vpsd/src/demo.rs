//! Demo data for `vpsd serve --demo`: on an empty database, one account with
//! $100.00, domains in every state, and two names held at another registrar
//! (one transferable, one locked), then a token and a curl line to try.
//!
//! The domains go through the real paths (storage, the sandbox registry and
//! one worker pass), only with dates in the past and no charge.

use std::net::SocketAddr;

use anyhow::Context;
use chrono::Duration;
use vpsd_domain::lifecycle::add_years;
use vpsd_domain::{DomainName, Money, Nameservers};
use vpsd_registrar::SettingsUpdate;
use vpsd_registry::{new_auth_code, RegistryRecord, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, NewRegistration};

use crate::server::App;

const OTHER_REGISTRAR: &str = "Example Registrar, Inc.";

pub async fn seed(app: &App, addr: SocketAddr) -> anyhow::Result<()> {
    let store = &app.store;
    if store.account_count().await? > 0 {
        eprintln!("--demo: the database already has accounts, so no demo data was added.");
        return Ok(());
    }
    let now = app.registrar.now();
    let operator = Actor::operator();
    let account = app
        .registrar
        .create_account(&operator, "demo@example.com", Money::from_cents(100_00))
        .await?;
    let (_, api_token) = app
        .registrar
        .issue_token(&operator, account.id, "demo", false, None)
        .await?;

    let delay = Duration::from_std(app.registrar.settings().registration_delay)
        .unwrap_or(Duration::seconds(10));
    // (name, registered this long ago, years, activates)
    let plan = [
        ("demo-shop.com", Duration::days(400), 3, true),
        ("demo-blog.io", Duration::days(200), 1, true),
        ("demo-old.net", Duration::days(385), 1, true),
        ("demo-launch.dev", Duration::zero(), 1, false),
    ];
    for (name, ago, years, activates) in plan {
        let registered = now - ago;
        store
            .insert_registration(
                &NewRegistration {
                    account_id: account.id,
                    domain_name: name.to_owned(),
                    registration_date: registered,
                    expiration_date: add_years(registered, years),
                    activates_at: if activates { registered } else { now + delay },
                    auto_renew: true,
                    privacy_protection: true,
                    nameservers: app.registrar.settings().own_nameservers.clone(),
                    registrar: OUR_REGISTRAR.to_owned(),
                    cost: Money::ZERO,
                    description: "Demo data".to_owned(),
                },
                &Audit {
                    actor: &operator,
                    action: "domain.register",
                    changes: "{\"demo\": [null, true]}".to_owned(),
                },
            )
            .await
            .with_context(|| format!("demo domain {name}"))?;
    }
    vpsd_registrar::worker::run_once(&app.registrar).await?;

    let page = app
        .registrar
        .list(account.id, &Default::default(), 0, 100)
        .await?;
    for d in page.domains.iter() {
        match d.domain_name.as_str() {
            "demo-old.net" => {
                store
                    .expire_domain(
                        d.id,
                        None,
                        now,
                        &Audit {
                            actor: &operator,
                            action: "domain.expire",
                            changes: "{\"status\": [\"active\", \"expired\"]}".to_owned(),
                        },
                    )
                    .await?;
            }
            "demo-blog.io" => {
                app.registrar
                    .update(
                        &operator,
                        account.id,
                        d.id,
                        SettingsUpdate {
                            auto_renew: Some(false),
                            privacy_protection: Some(false),
                            nameservers: Some(Nameservers::parse(&[
                                "ns1.cloudflare.com",
                                "ns2.cloudflare.com",
                            ])?),
                            locked: Some(false),
                        },
                    )
                    .await?;
            }
            _ => {}
        }
    }

    let mut held = Vec::new();
    for (name, prohibited) in [("demo-transfer.org", false), ("demo-locked.co", true)] {
        let created = now - Duration::days(500);
        let record = RegistryRecord {
            name: name.to_owned(),
            registrar: OTHER_REGISTRAR.to_owned(),
            auth_code: new_auth_code(),
            created_at: created,
            expires_at: vpsd_domain::lifecycle::next_anniversary(created, now),
            last_transferred_at: None,
            transfer_prohibited: prohibited,
            nameservers: vec![
                "ns1.example-registrar.com".to_owned(),
                "ns2.example-registrar.com".to_owned(),
            ],
            pending_transfer_to: None,
        };
        app.registry.add(&record, now).await?;
        let domain = app
            .registrar
            .import(&operator, account.id, &DomainName::parse(name)?)
            .await?;
        held.push((domain.id, record));
    }

    println!(
        "Demo account {} (demo@example.com) with $100.00.",
        account.id
    );
    println!("API token (shown once): {api_token}");
    println!();
    println!("Try:");
    println!("  curl -H \"Authorization: Bearer {api_token}\" http://{addr}/api/v1/domains/");
    println!();
    for (id, record) in &held {
        let state = if record.transfer_prohibited {
            "locked at its registrar"
        } else {
            "transferable"
        };
        println!(
            "  {} (id {id}) is held at {OTHER_REGISTRAR}, {state}; auth code {}",
            record.name, record.auth_code
        );
    }
    println!(
        "  Transfer one: curl -X POST -H \"Authorization: Bearer {api_token}\" -H \"Content-Type: application/json\" -d '{{\"auth_code\": \"...\"}}' http://{addr}/api/v1/domains/ID/transfer/"
    );
    println!(
        "Registrations and transfers complete after {}s.",
        delay.num_seconds()
    );
    Ok(())
}

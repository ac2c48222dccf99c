//! Demo data for `vpsd serve --demo`: on an empty database, one account with
//! $100.00 and a default contact ([`demo_contact`]), domains in every state, two names held at another registrar
//! and added to the account (one transferable, one locked), a third held
//! there and not in any account (to import), then a token and a curl line
//! to try.
//!
//! The domains go through the real paths (storage, the sandbox registry and
//! one worker pass), only with dates in the past and no charge.
//!
//! Besides them, `example.com` is domain 101 with the fields of the
//! contract's domain object (`docs/api-v1.md`), so the contract's own
//! examples (`GET/PUT/DELETE /api/v1/domains/101/`) run as written.

use std::net::SocketAddr;
use vpsd_domain::AuditAction;

use anyhow::Context;
use chrono::Duration;
use vpsd_domain::lifecycle::add_years;
use vpsd_domain::{DomainName, Money, Nameservers};
use vpsd_registrar::SettingsUpdate;
use vpsd_registry::{new_auth_code, RegistryRecord, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, DomainContacts, NewRegistration};

use crate::server::App;

const OTHER_REGISTRAR: &str = "Example Registrar, Inc.";

/// The id of the contract's example domain (`docs/api-v1.md`, "The domain
/// object").
pub const EXAMPLE_ID: vpsd_domain::DomainId = vpsd_domain::DomainId::new(101);
/// The contract's example domain name.
pub const EXAMPLE_NAME: &str = "example.com";
/// The demo's name held at another registrar and in no account: the one
/// the README's import example adds.
pub const ELSEWHERE_NAME: &str = "demo-moving.net";
/// The contract's example `registration_date`.
pub const EXAMPLE_REGISTERED: &str = "2023-01-15T10:30:00Z";
/// How far ahead `example.com` expires at least: the contract's
/// `expiration_date` (2026-01-15) has passed, so it is the first
/// anniversary of its registration more than three years ahead, which the
/// README's Sandbox walk-through (about two years of test clock) never
/// renews.
const EXAMPLE_EXPIRES_AFTER_YEARS: u32 = 3;

/// The demo account's default contact (RFC 5733 fields; the addresses and
/// numbers are the reserved example ones): every demo domain names it, and
/// `whois_info` shows `Jane Doe, Example Ltd` for those without privacy.
pub fn demo_contact() -> vpsd_domain::contact::ContactData {
    vpsd_domain::contact::ContactData {
        name: "Jane Doe".to_owned(),
        organisation: Some("Example Ltd".to_owned()),
        street: vec!["1 Main Street".to_owned()],
        city: "Springfield".to_owned(),
        state_province: Some("IL".to_owned()),
        postal_code: Some("62701".to_owned()),
        country_code: "US".to_owned(),
        voice: "+1.2175550100".to_owned(),
        fax: None,
        email: "demo@example.com".to_owned(),
    }
}

/// What [`seed`] made.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The demo account's id.
    pub account_id: vpsd_domain::AccountId,
    /// Its API token (shown once).
    pub token: String,
    /// The names held at another registrar, imported: (domain id, the
    /// registry's record with its auth code).
    pub held: Vec<(vpsd_domain::DomainId, RegistryRecord)>,
    /// A name held at another registrar and in no account, to import
    /// (`POST /api/v1/domains/import/`) and transfer.
    pub elsewhere: RegistryRecord,
    /// How long registrations and transfers stay pending.
    pub delay: Duration,
}

/// Seeds the demo data and prints the token, a curl line and the held
/// names; on a database that already has accounts it adds nothing and
/// prints how to make a token instead (`database_url` is the server's, for
/// that command).
pub async fn seed_and_print(app: &App, addr: SocketAddr, database_url: &str) -> anyhow::Result<()> {
    match seed(app).await? {
        Some(demo) => print(&demo, addr),
        None => print_existing(app, database_url).await?,
    }
    Ok(())
}

/// On a database that already has accounts: says so on standard error,
/// with the command that makes a token for the first account.
async fn print_existing(app: &App, database_url: &str) -> anyhow::Result<()> {
    eprintln!("--demo: the database already has accounts, so no demo data was added.");
    let database = if database_url == crate::cli::DEFAULT_DATABASE {
        String::new()
    } else {
        format!(" --database '{}'", vpsd_storage::redact(database_url))
    };
    match app.store.account(vpsd_domain::AccountId::from(1)).await? {
        Some(account) => eprintln!(
            "--demo: make a token for account {} ({}) with:\n  vpsd token create --account {}{database}",
            account.id, account.email, account.id
        ),
        None => eprintln!(
            "--demo: make a token with:\n  vpsd token create --account ID{database}"
        ),
    }
    Ok(())
}

/// Records one of the demo's own domains, free, on VPS.org's nameservers,
/// audited as the operator's.
async fn register(
    app: &App,
    account_id: vpsd_domain::AccountId,
    name: &str,
    registered: chrono::DateTime<chrono::Utc>,
    expires: chrono::DateTime<chrono::Utc>,
    activates_at: chrono::DateTime<chrono::Utc>,
    contact: vpsd_domain::ContactId,
) -> anyhow::Result<vpsd_storage::Domain> {
    let operator = Actor::operator();
    Ok(app
        .store
        .insert_registration(
            &NewRegistration {
                account_id,
                domain_name: name.to_owned(),
                registration_date: registered,
                expiration_date: expires,
                activates_at,
                auto_renew: true,
                privacy_protection: true,
                nameservers: app.registrar.settings().own_nameservers.clone(),
                registrar: OUR_REGISTRAR.to_owned(),
                cost: Money::ZERO,
                description: "Demo data".to_owned(),
                contacts: DomainContacts {
                    registrant: Some(contact),
                    admin: Some(contact),
                    tech: Some(contact),
                    billing: Some(contact),
                },
                agreed_fee: None,
            },
            &Audit {
                actor: &operator,
                action: AuditAction::DomainRegister,
                changes: "{\"demo\": [null, true]}".to_owned(),
            },
        )
        .await?)
}

/// On an empty database: the demo account, its token and domains; `None`
/// (nothing added) when the database already has accounts.
pub async fn seed(app: &App) -> anyhow::Result<Option<Demo>> {
    let store = &app.store;
    if store.account_count().await? > 0 {
        return Ok(None);
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
    let contact = app
        .registrar
        .create_contact(&operator, account.id, &demo_contact(), true)
        .await?
        .id;

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
        let activates_at = if activates { registered } else { now + delay };
        register(
            app,
            account.id,
            name,
            registered,
            add_years(registered, years),
            activates_at,
            contact,
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
                            action: AuditAction::DomainExpire,
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
                            contacts: DomainContacts::default(),
                        },
                    )
                    .await?;
            }
            _ => {}
        }
    }

    let mut held = Vec::new();
    let mut elsewhere = None;
    for (name, prohibited, import) in [
        ("demo-transfer.org", false, true),
        ("demo-locked.co", true, true),
        (ELSEWHERE_NAME, false, false),
    ] {
        let created = now - Duration::days(500);
        let record = RegistryRecord {
            name: name.to_owned(),
            sponsoring_registrar: OTHER_REGISTRAR.to_owned(),
            auth_code: new_auth_code(),
            created_at: created,
            ex_date: vpsd_domain::lifecycle::next_anniversary(created, now),
            last_transferred_at: None,
            client_transfer_prohibited: prohibited,
            nameservers: vec![
                "ns1.example-registrar.com".to_owned(),
                "ns2.example-registrar.com".to_owned(),
            ],
            pending_transfer_to: None,
            server_statuses: Vec::new(),
        };
        app.registry.add(&record, now).await?;
        if !import {
            elsewhere = Some(record);
            continue;
        }
        let domain = app
            .registrar
            .import(&operator, account.id, &DomainName::parse(name)?)
            .await?;
        held.push((domain.id, record));
    }

    // The contract's example domain, as domain 101.
    let registered = chrono::DateTime::parse_from_rfc3339(EXAMPLE_REGISTERED)?.to_utc();
    let mut expires = registered;
    while expires <= add_years(now, EXAMPLE_EXPIRES_AFTER_YEARS) {
        expires = add_years(expires, 1);
    }
    store.skip_domain_ids(EXAMPLE_ID.get() - 1).await?;
    let example = register(
        app,
        account.id,
        EXAMPLE_NAME,
        registered,
        expires,
        registered,
        contact,
    )
    .await
    .context("the demo's example.com")?;
    anyhow::ensure!(
        example.id == EXAMPLE_ID,
        "the demo's example.com got id {} instead of {EXAMPLE_ID}",
        example.id
    );
    vpsd_registrar::worker::run_once(&app.registrar).await?;

    Ok(Some(Demo {
        account_id: account.id,
        token: api_token,
        held,
        elsewhere: elsewhere.context("the demo's name held elsewhere")?,
        delay,
    }))
}

/// Prints the demo's account, token, a curl line and the held names.
pub fn print(demo: &Demo, addr: SocketAddr) {
    let Demo {
        account_id,
        token: api_token,
        held,
        elsewhere,
        delay,
    } = demo;
    println!("Demo account {account_id} (demo@example.com) with $100.00.");
    println!("API token (shown once): {api_token}");
    println!();
    println!("Try:");
    println!("  curl -H \"Authorization: Bearer {api_token}\" http://{addr}/api/v1/domains/");
    println!(
        "  curl -H \"Authorization: Bearer {api_token}\" http://{addr}/api/v1/domains/{EXAMPLE_ID}/   # {EXAMPLE_NAME}, as in docs/api-v1.md"
    );
    println!();
    for (id, record) in held {
        let state = if record.client_transfer_prohibited {
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
        "  {} is held at {OTHER_REGISTRAR} and in no account: import it (POST /api/v1/domains/import/), then transfer it; auth code {}",
        elsewhere.name, elsewhere.auth_code
    );
    println!(
        "  Transfer one: curl -X POST -H \"Authorization: Bearer {api_token}\" -H \"Content-Type: application/json\" -d '{{\"auth_code\": \"...\"}}' http://{addr}/api/v1/domains/ID/transfer/"
    );
    println!(
        "Registrations and transfers complete after {}s.",
        delay.num_seconds()
    );
}

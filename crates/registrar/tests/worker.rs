//! The worker in process: a SQLite store in a temporary directory, the
//! embedded sandbox registry and a clock that moves only when told.

use std::io::Write;
use std::sync::{Arc, Mutex};

use vpsd_domain::{DomainName, FrozenClock, Money, Years};
use vpsd_registrar::{worker, Registrar, RegistrarSettings, Registration};
use vpsd_registry::{Registry, SandboxRegistry};
use vpsd_storage::{Actor, Store};

/// A registrar on its own database, with the handles a test moves.
struct Setup {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    registry: Arc<SandboxRegistry>,
    clock: Arc<FrozenClock>,
    registrar: Registrar,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("vpsd.db").display());
    let store = vpsd_storage::connect(&url).await.expect("open the store");
    let registry = Arc::new(SandboxRegistry::new(store.clone()));
    let clock = Arc::new(FrozenClock::new());
    let registrar = Registrar::new(
        store.clone(),
        registry.clone(),
        clock.clone(),
        RegistrarSettings::default(),
    );
    Setup {
        _dir: dir,
        store,
        registry,
        clock,
        registrar,
    }
}

/// The log lines written while it lives (for the current thread).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

/// A job that fails for one domain (the registry refuses its renewal: the
/// name changed hands there) is logged with its kind, its domain and its
/// cause, and counted; the other domain due in the same pass is still
/// renewed, and the later steps of the pass still run.
#[tokio::test]
async fn a_failed_job_is_counted_and_the_pass_goes_on() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = setup().await;
    let account = s
        .registrar
        .create_account(
            &Actor::operator(),
            "owner@example.com",
            Money::from_cents(1_000_00),
        )
        .await
        .expect("account");
    let contact = vpsd_domain::contact::ContactData {
        name: "Owner".into(),
        organisation: None,
        street: vec!["1 Main Street".into()],
        city: "Springfield".into(),
        state_province: None,
        postal_code: None,
        country_code: "US".into(),
        voice: "+1.2175550100".into(),
        fax: None,
        email: "owner@example.com".into(),
    };
    s.registrar
        .create_contact(&Actor::operator(), account.id, &contact, true)
        .await
        .expect("contact");
    // The failing one first: it expires first, so it comes first in the
    // batch (a failure that ended the pass would leave the other undone).
    let mut ids = Vec::new();
    for name in ["changed-hands.com", "renews-fine.com"] {
        let (domain, _) = s
            .registrar
            .register(
                &Actor::operator(),
                account.id,
                Registration {
                    domain_name: DomainName::parse(name).expect("name"),
                    years: Years::parse(1).expect("years"),
                    auto_renew: true,
                    privacy_protection: false,
                    nameservers: None,
                    max_cost: None,
                    contacts: Default::default(),
                },
            )
            .await
            .expect("register");
        ids.push(domain.id);
        s.clock.advance(chrono::Duration::seconds(1));
    }
    s.clock.advance(chrono::Duration::minutes(6));
    let pass = worker::run_once(&s.registrar).await.expect("pass");
    assert_eq!(pass.registrations_completed, 2, "{pass:?}");
    assert_eq!(pass.failed, 0, "{pass:?}");

    // The first name leaves us at the registry: another registrar holds it
    // now (as the operator's `vpsd registry add` would record it).
    let mut record = s
        .registry
        .info("changed-hands.com")
        .await
        .expect("registry info")
        .expect("registered");
    s.registry
        .delete("changed-hands.com", s.registrar.now())
        .await
        .expect("registry delete");
    record.sponsoring_registrar = "Other Registrar".to_owned();
    s.registry
        .add(&record, s.registrar.now())
        .await
        .expect("registry add");

    // Both are due for auto-renewal (30 days before expiration).
    s.clock.advance(chrono::Duration::days(340));
    let pass = worker::run_once(&s.registrar).await.expect("pass");
    assert_eq!(pass.renewed, 1, "{pass:?}");
    assert_eq!(pass.failed, 1, "{pass:?}");

    let failed = s
        .store
        .domain(account.id, ids[0])
        .await
        .expect("read")
        .expect("domain");
    let renewed = s
        .store
        .domain(account.id, ids[1])
        .await
        .expect("read")
        .expect("domain");
    assert!(
        renewed.expiration_date > failed.expiration_date + chrono::Duration::days(300),
        "the second domain was renewed, the first not: {} vs {}",
        renewed.expiration_date,
        failed.expiration_date
    );
    // The refused renewal was refunded: only the second one was charged.
    let balance = s
        .store
        .account(account.id)
        .await
        .expect("read")
        .expect("account")
        .balance;
    let price = DomainName::parse("renews-fine.com")
        .expect("name")
        .tld()
        .prices();
    assert_eq!(
        balance,
        Money::from_cents(1_000_00 - 2 * price.register.cents() - price.renew.cents())
    );

    let text = logs.text();
    let line = text
        .lines()
        .find(|l| l.contains("worker job failed"))
        .unwrap_or_else(|| panic!("no failed job in the logs:\n{text}"));
    assert!(line.contains("job=\"auto_renew\""), "{line}");
    assert!(line.contains(&format!("domain_id={}", ids[0])), "{line}");
    assert!(line.contains("domain=changed-hands.com"), "{line}");
    assert!(
        line.contains("Another registrar sponsors this name"),
        "{line}"
    );

    // The failed job keeps its lease: the next pass leaves it alone.
    let pass = worker::run_once(&s.registrar).await.expect("pass");
    assert_eq!(pass.failed, 0, "{pass:?}");
    assert!(pass.is_idle(), "{pass:?}");
}

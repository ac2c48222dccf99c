//! The registrar's operations in process: each test is written once and
//! run on SQLite and on PostgreSQL (`both!`), on a [`FrozenClock`] that
//! moves only when the test moves it, with the worker run explicitly
//! ([`worker::run_once`]); the embedded sandbox registry plays the registry.
//! After each test, every account's balance equals the sum of its ledger.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use vpsd_domain::{DomainName, FrozenClock, Money, Years};
use vpsd_registrar::worker::{self, PassOutcome};
use vpsd_registrar::{Registrar, RegistrarError, RegistrarSettings, Registration};
use vpsd_registry::{RegistryRecord, SandboxRegistry};
use vpsd_storage::{Actor, Domain, Store};
use vpsd_test_support::Backend;

mod accounts;
mod register;
mod renew;
mod transfer_in;
mod transfer_out;
mod update;
mod zone;

/// Writes each test once, as `async fn name(ops: &Ops)`, and runs it on
/// both backends.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let ops = $crate::Ops::new(vpsd_test_support::Backend::Sqlite).await;
                    super::$name(&ops).await;
                    ops.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let ops = $crate::Ops::new(vpsd_test_support::Backend::Postgres).await;
                    super::$name(&ops).await;
                    ops.finish().await;
                }
            )*
        }
    };
}

/// The instant every test starts at: noon on 1 January 2030.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0)
        .single()
        .expect("a valid time")
}

/// A time in the tests' calendar, to the second.
pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("a valid time")
}

/// The opening balance of [`Ops::account`]: $1,000.00.
pub const OPENING: i64 = 1_000_00;

/// The registrar on a fresh database, with the handles a test moves.
pub struct Ops {
    pub registrar: Registrar,
    pub store: Arc<dyn Store>,
    pub registry: Arc<SandboxRegistry>,
    pub clock: Arc<FrozenClock>,
    /// A customer's account holding [`OPENING`].
    pub account: vpsd_domain::AccountId,
    /// Who the customer's changes are by.
    pub actor: Actor,
    _dir: tempfile::TempDir,
}

impl Ops {
    pub async fn new(backend: Backend) -> Ops {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = vpsd_test_support::fresh_database(backend, dir.path()).await;
        let store = vpsd_storage::connect(&url).await.expect("open the store");
        let registry = Arc::new(SandboxRegistry::new(store.clone()));
        let clock = Arc::new(FrozenClock::at(t0()));
        let registrar = Registrar::new(
            store.clone(),
            registry.clone(),
            clock.clone(),
            RegistrarSettings::default(),
        );
        let account = registrar
            .create_account(
                &Actor::operator(),
                "owner@example.com",
                Money::from_cents(OPENING),
            )
            .await
            .expect("account")
            .id;
        add_default_contact(&registrar, account).await;
        Ops {
            registrar,
            store,
            registry,
            clock,
            account,
            actor: Actor {
                kind: "api",
                ..Default::default()
            },
            _dir: dir,
        }
    }

    /// Every account's balance equals the sum of its ledger; closes the
    /// store.
    pub async fn finish(self) {
        let count = self.store.account_count().await.expect("count");
        for id in (1..=count).map(vpsd_domain::AccountId::from) {
            let account = self.store.account(id).await.expect("read");
            let Some(account) = account else { continue };
            let sum = self.store.ledger_sum(id).await.expect("ledger sum");
            assert_eq!(account.balance, sum, "account {id}: balance vs ledger");
        }
        self.store.close().await;
    }

    /// Now, by the frozen clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.registrar.now()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// One pass of the worker.
    pub async fn run_worker(&self) -> PassOutcome {
        let pass = worker::run_once(&self.registrar).await.expect("pass");
        assert_eq!(pass.failed, 0, "no job failed: {pass:?}");
        pass
    }

    /// The registration delay (five minutes).
    pub fn registration_delay(&self) -> Duration {
        Duration::from_std(self.registrar.settings().registration_delay).expect("delay")
    }

    /// The transfer delay (five days).
    pub fn transfer_delay(&self) -> Duration {
        Duration::from_std(self.registrar.settings().transfer_delay).expect("delay")
    }

    /// A new account holding `cents`.
    pub async fn other_account(&self, email: &str, cents: i64) -> vpsd_domain::AccountId {
        let id = self
            .registrar
            .create_account(&Actor::operator(), email, Money::from_cents(cents))
            .await
            .expect("account")
            .id;
        add_default_contact(&self.registrar, id).await;
        id
    }

    /// Registers `name` for `years` in `account` (no auto-renew, our
    /// nameservers).
    pub async fn register_in(
        &self,
        account: vpsd_domain::AccountId,
        name: &str,
        years: i64,
    ) -> Result<(Domain, Money), RegistrarError> {
        self.registrar
            .register(
                &self.actor,
                account,
                Registration {
                    domain_name: DomainName::parse(name).expect("name"),
                    years: Years::parse(years).expect("years"),
                    auto_renew: false,
                    privacy_protection: false,
                    nameservers: None,
                    max_cost: None,
                    contacts: Default::default(),
                },
            )
            .await
    }

    /// A domain of [`Ops::account`] registered for a year and activated
    /// (the clock moved past the registration delay, the worker run).
    pub async fn active(&self, name: &str) -> Domain {
        let (domain, _) = self
            .register_in(self.account, name, 1)
            .await
            .expect("register");
        self.advance(self.registration_delay());
        assert_eq!(self.run_worker().await.registrations_completed, 1);
        self.domain(domain.id).await
    }

    /// A domain of [`Ops::account`], as it is now.
    pub async fn domain(&self, id: vpsd_domain::DomainId) -> Domain {
        self.registrar
            .domain(self.account, id)
            .await
            .expect("the account's domain")
    }

    /// The account's balance in cents.
    pub async fn balance_of(&self, account: vpsd_domain::AccountId) -> i64 {
        self.registrar
            .account(account)
            .await
            .expect("account")
            .balance
            .cents()
    }

    /// [`Ops::account`]'s balance in cents.
    pub async fn balance(&self) -> i64 {
        self.balance_of(self.account).await
    }

    /// The registry's record of `name`.
    pub async fn at_registry(&self, name: &str) -> Option<RegistryRecord> {
        use vpsd_registry::Registry;
        self.registry.info(name).await.expect("registry info")
    }

    /// Adds `name` to the sandbox registry as held at another registrar
    /// (created 400 days ago, auth code `secret-code-123`).
    pub async fn held_elsewhere(&self, name: &str) -> RegistryRecord {
        let record = RegistryRecord {
            name: name.to_owned(),
            sponsoring_registrar: "Other Registrar".into(),
            auth_code: "secret-code-123".into(),
            created_at: self.now() - Duration::days(400),
            ex_date: at(2030, 6, 1, 12),
            last_transferred_at: None,
            client_transfer_prohibited: false,
            nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
            pending_transfer_to: None,
            server_statuses: Vec::new(),
        };
        self.registry
            .add(&record, self.now())
            .await
            .expect("registry add");
        record
    }
}

/// The price of one year of `name` (register, renew and transfer cost the
/// same per TLD today), in cents.
pub fn year_of(name: &str) -> i64 {
    DomainName::parse(name)
        .expect("name")
        .tld()
        .prices()
        .renew
        .cents()
}

/// The error's contract code (`Invalid`), or the variant's name.
pub fn code(e: &RegistrarError) -> &'static str {
    match e {
        RegistrarError::Invalid { code, .. } => code.as_str(),
        RegistrarError::NotFound => "NotFound",
        RegistrarError::InvalidFields(_) => "InvalidFields",
        RegistrarError::InsufficientFunds { .. } => "InsufficientFunds",
        RegistrarError::Conflict(_) => "Conflict",
        RegistrarError::Unavailable(_) => "Unavailable",
        RegistrarError::Internal(_) => "Internal",
    }
}

/// Gives `account` a default contact, as every account that registers needs
/// one (a registration takes it for the roles it does not name).
pub async fn add_default_contact(registrar: &Registrar, account: vpsd_domain::AccountId) {
    let data = vpsd_domain::contact::ContactData {
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
    registrar
        .create_contact(&Actor::operator(), account, &data, true)
        .await
        .expect("contact");
}

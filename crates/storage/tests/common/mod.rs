//! The battery's harness: each test runs on SQLite (a file in a temporary
//! directory) and on PostgreSQL (a database in the throwaway cluster of
//! `vpsd-test-support`, as the API tests do), in process, against the store
//! itself.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, TimeZone, Utc};
use vpsd_domain::Money;
use vpsd_storage::{Account, Actor, Audit, Store};

/// Writes each test once, as `async fn name(store: &Arc<dyn Store>)`, and
/// runs it on both backends.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::Db::sqlite().await;
                    super::$name(&db.store).await;
                    db.store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::Db::postgres().await;
                    super::$name(&db.store).await;
                    db.store.close().await;
                }
            )*
        }
    };
}

/// A fresh, migrated database and its store.
pub struct Db {
    pub store: Arc<dyn Store>,
    /// The database's URL, for a test that writes behind the store's back.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        let store = vpsd_storage::connect(&url).await.expect("open SQLite");
        Db {
            store,
            url,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Db {
        let url = vpsd_test_support::fresh_postgres_database().await;
        let store = vpsd_storage::connect(&url).await.expect("open PostgreSQL");
        Db {
            store,
            url,
            _dir: None,
        }
    }
}

/// A fixed instant, so tests do not depend on the real clock.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0)
        .single()
        .expect("a valid time")
}

/// An audit entry by the operator with `action` (its stored name, one of
/// `vpsd_domain::AuditAction`'s).
pub fn audit(action: &str) -> Audit<'static> {
    static OPERATOR: OnceLock<Actor> = OnceLock::new();
    Audit {
        actor: OPERATOR.get_or_init(Actor::operator),
        action: action.parse().expect("a catalogued audit action"),
        changes: "{}".to_owned(),
    }
}

/// A new account holding `cents`.
pub async fn account(store: &Arc<dyn Store>, email: &str, cents: i64) -> Account {
    store
        .create_account(
            email,
            Money::from_cents(cents),
            t0(),
            &audit("account.create"),
        )
        .await
        .expect("create account")
}

/// Records a pending registration of `name` for `account`, costing
/// `cents`, activating at `t0() + 1 minute`.
pub async fn register(
    store: &Arc<dyn Store>,
    account: vpsd_domain::AccountId,
    name: &str,
    cents: i64,
) -> vpsd_storage::Result<vpsd_storage::Domain> {
    store
        .insert_registration(
            &vpsd_storage::NewRegistration {
                account_id: account,
                domain_name: name.to_owned(),
                registration_date: t0(),
                expiration_date: t0() + chrono::Duration::days(365),
                activates_at: t0() + chrono::Duration::minutes(1),
                auto_renew: true,
                privacy_protection: true,
                nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
                registrar: vpsd_domain::OUR_REGISTRAR.to_owned(),
                cost: Money::from_cents(cents),
                description: format!("Registration of {name}"),
                contacts: Default::default(),
                agreed_fee: None,
            },
            &audit("domain.register"),
        )
        .await
}

/// A registered and activated domain of `account`.
pub async fn active(
    store: &Arc<dyn Store>,
    account: vpsd_domain::AccountId,
    name: &str,
) -> vpsd_storage::Domain {
    let d = register(store, account, name, 0).await.expect("register");
    assert!(store
        .activate_registration(
            d.id,
            (d.registration_date, d.expiration_date),
            &mail(account, "active"),
            t0(),
            &audit("domain.activate")
        )
        .await
        .expect("activate"));
    store
        .domain(account, d.id)
        .await
        .expect("read")
        .expect("there")
}

/// A mail to the account.
pub fn mail(account: vpsd_domain::AccountId, subject: &str) -> vpsd_storage::NewMail {
    vpsd_storage::NewMail {
        account_id: account,
        subject: subject.to_owned(),
        body: format!("{subject}."),
    }
}

/// The account's balance in cents.
pub async fn balance(store: &Arc<dyn Store>, account: vpsd_domain::AccountId) -> i64 {
    store
        .account(account)
        .await
        .expect("read")
        .expect("account")
        .balance
        .cents()
}

/// A name held at another registrar, as the registry knows it.
pub fn held_elsewhere(name: &str) -> vpsd_storage::RegistryRecord {
    vpsd_storage::RegistryRecord {
        name: name.to_owned(),
        sponsoring_registrar: "Other Registrar".into(),
        auth_code: "secret-code-123".into(),
        created_at: t0() - chrono::Duration::days(400),
        ex_date: t0() + chrono::Duration::days(100),
        last_transferred_at: None,
        client_transfer_prohibited: false,
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        pending_transfer_to: None,
        server_statuses: Vec::new(),
    }
}

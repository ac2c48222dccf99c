//! Ready-made states on a [`TestApp`]: accounts, registered and active
//! domains, domains held at another registrar or imported, balances.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use vpsd_domain::Money;
use vpsd_registry::RegistryRecord;
use vpsd_storage::Actor;

use super::*;

impl TestApp {
    /// A new account with `cents`, a default contact (the demo's, with the
    /// account's email) and a token for it.
    pub async fn new_account(&self, email: &str, cents: i64) -> (vpsd_domain::AccountId, String) {
        let account = self.bare_account(email, cents).await;
        let mut contact = vpsd::demo::demo_contact();
        contact.email = email.to_owned();
        self.app
            .registrar
            .create_contact(&Actor::operator(), account.id, &contact, true)
            .await
            .expect("create contact");
        let (_, token) = self
            .app
            .registrar
            .issue_token(&Actor::operator(), account.id, "test", false, None)
            .await
            .expect("create token");
        (account.id, token)
    }

    /// A new account with `cents` and a token, without any contact.
    pub async fn new_account_without_contact(
        &self,
        email: &str,
        cents: i64,
    ) -> (vpsd_domain::AccountId, String) {
        let account = self.bare_account(email, cents).await;
        let (_, token) = self
            .app
            .registrar
            .issue_token(&Actor::operator(), account.id, "test", false, None)
            .await
            .expect("create token");
        (account.id, token)
    }

    async fn bare_account(&self, email: &str, cents: i64) -> vpsd_storage::Account {
        self.app
            .registrar
            .create_account(&Actor::operator(), email, Money::from_cents(cents))
            .await
            .expect("create account")
    }

    pub async fn register(&self, name: &str) -> i64 {
        let (status, body) = self
            .post_domain(serde_json::json!({ "domain_name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("id")
    }

    /// Moves the clock past the registration delay and runs the due work:
    /// `id`, just registered, is then active; returns its detail.
    pub async fn activate(&self, id: i64) -> Value {
        self.advance(self.registration_delay()).await;
        let (status, body) = self.domain(id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "active", "{body}");
        body
    }

    /// Registers `name` (one year, auto-renewing) for the first account and
    /// makes it active ([`TestApp::activate`]); returns its id.
    pub async fn active(&self, name: &str) -> i64 {
        self.active_with(name, true).await.0
    }

    /// Registers `name` (one year, `auto_renew` as given) for the first
    /// account and makes it active; returns its id and expiration date.
    pub async fn active_with(&self, name: &str, auto_renew: bool) -> (i64, DateTime<Utc>) {
        let (status, body) = self
            .post_domain(serde_json::json!({"domain_name": name, "auto_renew": auto_renew}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_i64().expect("id");
        let detail = self.activate(id).await;
        (id, parse_time(&detail["expiration_date"]))
    }

    /// The same as [`TestApp::activate`] (its older name).
    pub async fn wait_active(&self, id: i64) -> Value {
        self.activate(id).await
    }

    /// The registration delay, as the clock's duration.
    pub fn registration_delay(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.registrar.registration_delay).expect("delay")
    }

    /// The transfer delay, as the clock's duration.
    pub fn transfer_delay(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.registrar.transfer_delay).expect("delay")
    }

    /// Puts a name at another registrar in the sandbox registry.
    pub async fn held_elsewhere(
        &self,
        name: &str,
        auth_code: &str,
        created: DateTime<Utc>,
        prohibited: bool,
    ) {
        let now = self.now();
        self.app
            .registry
            .add(
                &RegistryRecord {
                    name: name.to_owned(),
                    sponsoring_registrar: "Other Registrar LLC".to_owned(),
                    auth_code: auth_code.to_owned(),
                    created_at: created,
                    ex_date: vpsd_domain::lifecycle::next_anniversary(created, now),
                    last_transferred_at: None,
                    client_transfer_prohibited: prohibited,
                    nameservers: vec!["ns1.other.net".into(), "ns2.other.net".into()],
                    pending_transfer_to: None,
                    server_statuses: Vec::new(),
                },
                now,
            )
            .await
            .expect("registry add");
    }

    /// Imports a name held elsewhere into the first account; returns its id.
    pub async fn import(&self, name: &str) -> i64 {
        let (status, body) = self
            .post_import(serde_json::json!({ "domain_name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("id")
    }

    pub async fn balance(&self, account_id: vpsd_domain::AccountId) -> i64 {
        self.app
            .store
            .account(account_id)
            .await
            .expect("account")
            .expect("exists")
            .balance
            .cents()
    }
}

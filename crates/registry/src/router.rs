//! One registry per TLD: the operator's real registries for the TLDs they
//! name (`vpsd serve --registries FILE`), the embedded sandbox for the rest.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    AgreedFee, HostObject, Registry, RegistryDomainContacts, RegistryError, RegistryFees,
    RegistryMessage, RegistryRecord, TransferRefusal,
};

/// Sends each name's commands to the registry of its TLD.
#[derive(Debug, Clone)]
pub struct RegistryRouter {
    sandbox: Arc<dyn Registry>,
    /// Lowercase TLD label (no dot) → its real registry.
    by_tld: HashMap<String, Arc<dyn Registry>>,
    /// Each real registry once (one may serve several TLDs).
    real: Vec<Arc<dyn Registry>>,
}

impl RegistryRouter {
    /// Every TLD on `sandbox` but those in `by_tld` (labels, no dot).
    pub fn new(sandbox: Arc<dyn Registry>, by_tld: HashMap<String, Arc<dyn Registry>>) -> Self {
        let by_tld: HashMap<String, Arc<dyn Registry>> = by_tld
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let mut real: Vec<Arc<dyn Registry>> = Vec::new();
        for r in by_tld.values() {
            if !real.iter().any(|seen| Arc::ptr_eq(seen, r)) {
                real.push(r.clone());
            }
        }
        real.sort_by(|a, b| a.label().cmp(b.label()));
        Self {
            sandbox,
            by_tld,
            real,
        }
    }

    /// The registry of `name`'s TLD.
    pub fn of(&self, name: &str) -> &Arc<dyn Registry> {
        let tld = name.rsplit('.').next().unwrap_or_default();
        self.by_tld
            .get(&tld.to_ascii_lowercase())
            .unwrap_or(&self.sandbox)
    }

    /// The TLDs sent to a real registry.
    pub fn real_tlds(&self) -> impl Iterator<Item = &str> {
        self.by_tld.keys().map(String::as_str)
    }
}

#[async_trait]
impl Registry for RegistryRouter {
    async fn info(&self, name: &str) -> Result<Option<RegistryRecord>, RegistryError> {
        self.of(name).info(name).await
    }
    async fn check(&self, name: &str) -> Result<bool, RegistryError> {
        self.of(name).check(name).await
    }
    async fn in_redemption(&self, name: &str) -> Result<bool, RegistryError> {
        self.of(name).in_redemption(name).await
    }
    async fn fees(
        &self,
        name: &str,
        years: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<RegistryFees>, RegistryError> {
        self.of(name).fees(name, years, now).await
    }
    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        contacts: Option<&RegistryDomainContacts>,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        self.of(name)
            .create(name, years, nameservers, contacts, fee, now)
            .await
    }
    fn contacts_required(&self, name: &str) -> bool {
        self.of(name).contacts_required(name)
    }
    fn label_for(&self, name: &str) -> &str {
        self.of(name).label()
    }
    async fn put_contact(
        &self,
        for_name: &str,
        id: &str,
        data: &vpsd_domain::contact::ContactData,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(for_name).put_contact(for_name, id, data, now).await
    }
    async fn set_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(name).set_contacts(name, contacts, now).await
    }
    async fn delete(&self, name: &str, now: DateTime<Utc>) -> Result<(), RegistryError> {
        self.of(name).delete(name, now).await
    }
    async fn restore(
        &self,
        name: &str,
        deleted_at: DateTime<Utc>,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(name).restore(name, deleted_at, fee, now).await
    }
    async fn update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(name)
            .update(name, nameservers, client_transfer_prohibited, now)
            .await
    }
    async fn renew(
        &self,
        name: &str,
        cur_exp_date: DateTime<Utc>,
        years: u32,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        self.of(name)
            .renew(name, cur_exp_date, years, fee, now)
            .await
    }
    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        self.of(name).check_transfer(name, auth_code, now).await
    }
    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        self.of(name)
            .request_transfer(name, auth_code, fee, now)
            .await
    }
    async fn complete_transfer(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, TransferRefusal> {
        self.of(name).complete_transfer(name, now).await
    }
    async fn cancel_transfer(&self, name: &str) -> Result<(), TransferRefusal> {
        self.of(name).cancel_transfer(name).await
    }
    async fn approve_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        self.of(name).approve_transfer(name, gaining, now).await
    }
    async fn reject_transfer(&self, name: &str, gaining: &str) -> Result<(), TransferRefusal> {
        self.of(name).reject_transfer(name, gaining).await
    }
    async fn hosts(&self, domain: &str) -> Result<Vec<HostObject>, RegistryError> {
        self.of(domain).hosts(domain).await
    }

    async fn host_info(&self, name: &str) -> Result<Option<HostObject>, RegistryError> {
        self.of(name).host_info(name).await
    }

    async fn host_create(
        &self,
        name: &str,
        addresses: &[std::net::IpAddr],
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(name).host_create(name, addresses, now).await
    }

    async fn host_update(
        &self,
        name: &str,
        addresses: &[std::net::IpAddr],
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(name).host_update(name, addresses, now).await
    }

    async fn host_delete(&self, name: &str, now: DateTime<Utc>) -> Result<(), RegistryError> {
        self.of(name).host_delete(name, now).await
    }

    async fn set_auth_code(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.of(name).set_auth_code(name, auth_code, now).await
    }
    /// The first message of the first real registry (by label) whose
    /// queue is not empty.
    async fn poll(&self) -> Result<Option<RegistryMessage>, RegistryError> {
        for r in &self.real {
            if let Some(m) = r.poll().await? {
                return Ok(Some(m));
            }
        }
        Ok(None)
    }
    async fn ack(&self, message: &RegistryMessage) -> Result<(), RegistryError> {
        match self.real.iter().find(|r| r.label() == message.registry) {
            Some(r) => r.ack(message).await,
            None => Err(RegistryError::Unavailable(
                format!("no registry named {}", message.registry).into(),
            )),
        }
    }
    fn is_sandbox_name(&self, name: &str) -> bool {
        self.of(name).is_sandbox()
    }
    /// A sandbox only while no TLD goes to a real registry: the test clock
    /// moves every name's dates, so it is refused once any is real.
    fn is_sandbox(&self) -> bool {
        self.by_tld.is_empty() && self.sandbox.is_sandbox()
    }
}

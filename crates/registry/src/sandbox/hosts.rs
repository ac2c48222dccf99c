//! The sandbox registry's host objects (RFC 5732) as the [`Registry`]
//! trait's host operations: create, update and delete of a host with its
//! addresses, and which of a domain's name servers must be host objects.
//!
//! A host whose name is inside a name of this registry is internal (RFC
//! 5732 §1): it needs at least one address (its glue), and only the
//! registrar sponsoring that name (its superordinate domain) may create it.
//! A registrar over EPP names only host objects (RFC 5731 §1.1). That check
//! and the change are one transaction
//! ([`RegistryStore::registry_update_linked`]), so a host deleted meanwhile
//! never leaves a name delegating to nothing.

use std::net::IpAddr;

use super::*;

impl SandboxRegistry {
    /// The superordinate domain of host `name`: the closest enclosing name
    /// registered here (RFC 5732 §1); `None` for an external host.
    pub async fn superordinate(&self, name: &str) -> Result<Option<RegistryRecord>, StoreError> {
        let labels: Vec<&str> = name.split('.').collect();
        for i in 1..labels.len().saturating_sub(1) {
            if let Some(r) = self.store().registry_get(&labels[i..].join(".")).await? {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    /// The name servers of `nameservers` that must be host objects when a
    /// name delegates to them: every one for a registrar over EPP (RFC 5731
    /// §1.1, hostObj); none for this installation's own registrar, whose
    /// name servers the embedded sandbox takes as names (as it always has:
    /// its own `ns1.vps.org` for `vps.org` among them). Its hosts are kept
    /// all the same, and a linked one is not deleted.
    pub(crate) fn linked_hosts(&self, nameservers: &[String]) -> Vec<String> {
        if self.client_id() == OUR_REGISTRAR {
            return Vec::new();
        }
        nameservers.to_vec()
    }

    /// `registry_update` with the name servers that must be host objects
    /// checked in its transaction; `Refused` 2303 naming the missing host.
    pub(crate) async fn update_linked(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool, RegistryError> {
        let linked = match nameservers {
            Some(ns) => self.linked_hosts(ns),
            None => Vec::new(),
        };
        match self
            .store()
            .registry_update_linked(
                name,
                self.client_id(),
                nameservers,
                client_transfer_prohibited,
                &linked,
                now,
            )
            .await?
        {
            LinkedUpdate::Updated => Ok(true),
            LinkedUpdate::NotUpdated => Ok(false),
            LinkedUpdate::NoHost(host) => Err(Self::no_host(&host)),
        }
    }

    /// EPP 2303 for a name server that is not a host object of the registry
    /// (RFC 5731 §1.1).
    pub(crate) fn no_host(host: &str) -> RegistryError {
        RegistryError::Refused {
            code: 2303,
            message: format!("host {host} does not exist: create it first (with its addresses)"),
        }
    }

    /// Inserts `record` (the store's fastest way when no host must be a
    /// host object); `Some(host)`, nothing inserted, naming one of `linked`
    /// that is not a host object.
    pub(crate) async fn insert_linked(
        &self,
        record: &RegistryRecord,
        linked: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        if linked.is_empty() {
            return self
                .store()
                .registry_insert(record, now)
                .await
                .map(|()| None);
        }
        match self
            .store()
            .registry_insert_linked(record, linked, now)
            .await?
        {
            LinkedUpdate::NoHost(host) => Ok(Some(host)),
            LinkedUpdate::Updated | LinkedUpdate::NotUpdated => Ok(None),
        }
    }

    /// The host object `name` as the [`Registry`] trait shows it.
    async fn host_object(&self, h: RegistryHost) -> Result<HostObject, StoreError> {
        let linked = self.store().registry_host_in_use(&h.name).await?;
        Ok(HostObject {
            addresses: h.addresses.iter().filter_map(|a| a.parse().ok()).collect(),
            name: h.name,
            linked,
        })
    }

    /// The host `name` if the registrar this acts for sponsors it:
    /// `NotFound` when there is none, `NotSponsored` when another has it.
    async fn own_host(&self, name: &str) -> Result<RegistryHost, RegistryError> {
        match self.store().registry_host_get(name).await? {
            None => Err(RegistryError::NotFound),
            Some(h) if h.sponsoring_registrar != self.client_id() => {
                Err(RegistryError::NotSponsored)
            }
            Some(h) => Ok(h),
        }
    }

    /// The addresses as the registry keeps them: each once, in text; those
    /// no zone can be served from (unspecified, loopback, multicast) are
    /// refused (EPP 2306).
    fn host_addresses(addresses: &[IpAddr]) -> Result<Vec<String>, RegistryError> {
        let mut kept: Vec<String> = Vec::new();
        for ip in addresses {
            if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
                return Err(RegistryError::Refused {
                    code: 2306,
                    message: format!("{ip} cannot serve a zone"),
                });
            }
            let text = ip.to_string();
            if !kept.contains(&text) {
                kept.push(text);
            }
        }
        Ok(kept)
    }

    /// [`Registry::hosts`] at the sandbox.
    pub(crate) async fn sandbox_hosts(
        &self,
        domain: &str,
    ) -> Result<Vec<HostObject>, RegistryError> {
        match self.store().registry_get(domain).await? {
            None => return Err(RegistryError::NotFound),
            Some(r) if r.sponsoring_registrar != self.client_id() => {
                return Err(RegistryError::NotSponsored)
            }
            Some(_) => {}
        }
        let mut hosts = Vec::new();
        for name in self.store().registry_hosts_under(domain).await? {
            if let Some(h) = self.store().registry_host_get(&name).await? {
                hosts.push(self.host_object(h).await?);
            }
        }
        Ok(hosts)
    }

    /// [`Registry::host_info`] at the sandbox.
    pub(crate) async fn sandbox_host_info(
        &self,
        name: &str,
    ) -> Result<Option<HostObject>, RegistryError> {
        match self.store().registry_host_get(name).await? {
            Some(h) => Ok(Some(self.host_object(h).await?)),
            None => Ok(None),
        }
    }

    /// [`Registry::host_create`] at the sandbox (RFC 5732 §3.2.1).
    pub(crate) async fn sandbox_host_create(
        &self,
        name: &str,
        addresses: &[IpAddr],
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let kept = Self::host_addresses(addresses)?;
        match self.superordinate(name).await? {
            Some(p) if p.sponsoring_registrar != self.client_id() => {
                return Err(RegistryError::NotSponsored)
            }
            Some(_) if kept.is_empty() => {
                return Err(RegistryError::Refused {
                    code: 2003,
                    message: "a host inside a domain of this registry needs an address".into(),
                })
            }
            None if !kept.is_empty() => {
                return Err(RegistryError::Refused {
                    code: 2306,
                    message: "a host outside this registry's domains takes no address".into(),
                })
            }
            _ => {}
        }
        let host = RegistryHost {
            name: name.to_owned(),
            sponsoring_registrar: self.client_id().to_owned(),
            addresses: kept,
            created_at: now,
        };
        match self.store().registry_host_insert(&host).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => Err(RegistryError::Taken {
                sponsoring_registrar: self
                    .store()
                    .registry_host_get(name)
                    .await?
                    .map(|h| h.sponsoring_registrar)
                    .unwrap_or_default(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// [`Registry::host_update`] at the sandbox (RFC 5732 §3.2.5): an
    /// internal host keeps at least one address (EPP 2306 otherwise).
    pub(crate) async fn sandbox_host_update(
        &self,
        name: &str,
        addresses: &[IpAddr],
    ) -> Result<(), RegistryError> {
        self.own_host(name).await?;
        let kept = Self::host_addresses(addresses)?;
        let internal = self.superordinate(name).await?.is_some();
        if internal && kept.is_empty() {
            return Err(RegistryError::Refused {
                code: 2306,
                message: "a host inside a domain of this registry keeps an address".into(),
            });
        }
        if !internal && !kept.is_empty() {
            return Err(RegistryError::Refused {
                code: 2306,
                message: "a host outside this registry's domains takes no address".into(),
            });
        }
        if self
            .store()
            .registry_host_set_addresses(name, self.client_id(), &kept)
            .await?
        {
            Ok(())
        } else {
            Err(RegistryError::NotFound)
        }
    }

    /// [`Registry::host_delete`] at the sandbox (RFC 5732 §3.2.2): refused
    /// with 2305 while a name delegates to it, decided in the store's
    /// transaction.
    pub(crate) async fn sandbox_host_delete(&self, name: &str) -> Result<(), RegistryError> {
        self.own_host(name).await?;
        if self
            .store()
            .registry_host_delete(name, self.client_id())
            .await?
        {
            return Ok(());
        }
        match self.store().registry_host_get(name).await? {
            None => Err(RegistryError::NotFound),
            Some(_) => Err(RegistryError::Refused {
                code: ASSOCIATION_PROHIBITS,
                message: format!("a domain delegates to {name}: remove it there first"),
            }),
        }
    }
}

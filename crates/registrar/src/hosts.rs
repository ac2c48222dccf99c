//! A domain's own name servers (child name servers, glue): host objects
//! (RFC 5732) under the domain, with their addresses, kept at the registry
//! of the domain. The registry is their only record: every read asks it.

use std::net::IpAddr;

use serde_json::{json, Value};
use vpsd_domain::lifecycle::DomainStatus;
use vpsd_domain::{AccountId, AuditAction, DomainId, ErrorCode};
use vpsd_registry::{HostObject, RegistryError, ASSOCIATION_PROHIBITS, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, Domain};

use crate::{changes, Registrar, RegistrarError};

impl Registrar {
    /// The audit entry of a host change at the registry (`host.create`,
    /// `.update`, `.delete`): the host's name and its addresses before and
    /// after.
    async fn audit_host(
        &self,
        actor: &Actor,
        domain: &Domain,
        action: AuditAction,
        host: &str,
        before: Option<&[IpAddr]>,
        after: Option<&[IpAddr]>,
    ) -> Result<(), RegistrarError> {
        let list = |a: Option<&[IpAddr]>| a.map_or(Value::Null, |a| json!(a));
        let name = |a: Option<&[IpAddr]>| a.map_or(Value::Null, |_| json!(host));
        self.store
            .append_audit(
                domain.account_id,
                Some((domain.id, &domain.domain_name)),
                self.now(),
                &Audit {
                    actor,
                    action,
                    changes: changes(&[
                        ("host_name", name(before), name(after)),
                        ("ip_addresses", list(before), list(after)),
                    ]),
                },
            )
            .await?;
        Ok(())
    }

    /// The account's domain, if its hosts can be kept at the registry: ours
    /// there (`not_sponsored` otherwise) and registered (`domain_pending`
    /// while it is still being registered).
    async fn host_domain(
        &self,
        account_id: AccountId,
        domain_id: DomainId,
    ) -> Result<Domain, RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        if domain.registrar != OUR_REGISTRAR {
            return Err(RegistrarError::invalid(
                ErrorCode::NotSponsored,
                format!(
                    "{} is registered at {}: its name servers are kept there until it is transferred to VPS.org.",
                    domain.domain_name, domain.registrar
                ),
            ));
        }
        if domain.status == DomainStatus::Pending {
            return Err(RegistrarError::invalid(
                ErrorCode::DomainPending,
                format!(
                    "{} is still being registered: add its name servers once its status is active.",
                    domain.domain_name
                ),
            ));
        }
        Ok(domain)
    }

    /// GET /api/v1/domains/{id}/hosts/: the host objects under the domain,
    /// by name, as the registry has them.
    pub async fn hosts(
        &self,
        actor: &Actor,
        account_id: AccountId,
        domain_id: DomainId,
    ) -> Result<(Domain, Vec<HostObject>), RegistrarError> {
        let domain = self.host_domain(account_id, domain_id).await?;
        let hosts = self
            .at_registry(actor, &domain, self.registry.hosts(&domain.domain_name))
            .await?;
        Ok((domain, hosts))
    }

    /// GET /api/v1/domains/{id}/hosts/{host}/: `NotFound` when the registry
    /// has no such host. `host` must be under the domain (the caller
    /// checks).
    pub async fn host(
        &self,
        actor: &Actor,
        account_id: AccountId,
        domain_id: DomainId,
        host: &str,
    ) -> Result<HostObject, RegistrarError> {
        let domain = self.host_domain(account_id, domain_id).await?;
        self.at_registry(actor, &domain, self.registry.host_info(host))
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// A child name server as the public may see it (RDAP), read without a
    /// registry command or an audit entry: the sandbox registry's host
    /// object when the name is on it (the installation's own data);
    /// `None` for a name at a real registry, whose RDAP publishes its host
    /// objects, or no such host.
    ///
    /// # Errors
    /// The sandbox registry's store cannot be read.
    pub async fn public_host(&self, host: &str) -> Result<Option<HostObject>, RegistrarError> {
        if !self.registry.is_sandbox_name(host) {
            return Ok(None);
        }
        Ok(self.registry.host_info(host).await?)
    }

    /// POST /api/v1/domains/{id}/hosts/: `<host:create>` of `host` (under
    /// the domain) with `addresses` (checked by the caller:
    /// `vpsd_domain::glue`). A host of that name at the registry already is
    /// a `Conflict` (409).
    pub async fn create_host(
        &self,
        actor: &Actor,
        account_id: AccountId,
        domain_id: DomainId,
        host: &str,
        addresses: &[IpAddr],
    ) -> Result<HostObject, RegistrarError> {
        let domain = self.host_domain(account_id, domain_id).await?;
        let now = self.now();
        match self
            .at_registry(
                actor,
                &domain,
                self.registry.host_create(host, addresses, now),
            )
            .await
        {
            Ok(()) => {}
            Err(RegistryError::Taken { .. }) => {
                return Err(RegistrarError::Conflict(format!(
                    "{host} exists at the registry already: change its addresses with PUT /api/v1/domains/{domain_id}/hosts/{host}/."
                )))
            }
            Err(e) => return Err(e.into()),
        }
        self.audit_host(
            actor,
            &domain,
            AuditAction::HostCreate,
            host,
            None,
            Some(addresses),
        )
        .await?;
        Ok(HostObject {
            name: host.to_owned(),
            addresses: addresses.to_vec(),
            linked: false,
        })
    }

    /// PUT /api/v1/domains/{id}/hosts/{host}/: the host's addresses become
    /// `addresses` (`<host:update>` add/rem). `NotFound` when the registry
    /// has no such host.
    pub async fn update_host(
        &self,
        actor: &Actor,
        account_id: AccountId,
        domain_id: DomainId,
        host: &str,
        addresses: &[IpAddr],
    ) -> Result<HostObject, RegistrarError> {
        let domain = self.host_domain(account_id, domain_id).await?;
        let now = self.now();
        let before = self
            .at_registry(actor, &domain, self.registry.host_info(host))
            .await?
            .ok_or(RegistrarError::NotFound)?;
        match self
            .at_registry(
                actor,
                &domain,
                self.registry.host_update(host, addresses, now),
            )
            .await
        {
            Ok(()) => {}
            Err(RegistryError::NotFound) => return Err(RegistrarError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.audit_host(
            actor,
            &domain,
            AuditAction::HostUpdate,
            host,
            Some(&before.addresses),
            Some(addresses),
        )
        .await?;
        self.at_registry(actor, &domain, self.registry.host_info(host))
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// DELETE /api/v1/domains/{id}/hosts/{host}/: `<host:delete>`. A host a
    /// domain still delegates to is refused (`host_in_use`, RFC 5732
    /// §3.2.2: EPP 2305); `NotFound` when the registry has no such host.
    pub async fn delete_host(
        &self,
        actor: &Actor,
        account_id: AccountId,
        domain_id: DomainId,
        host: &str,
    ) -> Result<(), RegistrarError> {
        let domain = self.host_domain(account_id, domain_id).await?;
        let now = self.now();
        let before = self
            .at_registry(actor, &domain, self.registry.host_info(host))
            .await?
            .ok_or(RegistrarError::NotFound)?;
        match self
            .at_registry(actor, &domain, self.registry.host_delete(host, now))
            .await
        {
            Ok(()) => {
                self.audit_host(
                    actor,
                    &domain,
                    AuditAction::HostDelete,
                    host,
                    Some(&before.addresses),
                    None,
                )
                .await
            }
            Err(RegistryError::NotFound) => Err(RegistrarError::NotFound),
            Err(RegistryError::Refused { code, .. }) if code == ASSOCIATION_PROHIBITS => {
                Err(RegistrarError::invalid(
                    ErrorCode::HostInUse,
                    format!(
                        "{host} is a name server of a domain still: change that domain's nameservers first (PUT /api/v1/domains/{{id}}/), then delete it."
                    ),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
}

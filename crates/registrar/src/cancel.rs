//! Taking back what a customer asked for, as registrars offer it: a
//! registration within its add grace period (RFC 3915 §3.1: deleted at the
//! registry, which purges the name and credits the create, and refunded
//! here), and a transfer in while it is pending (RFC 5731 §3.2.4
//! `<domain:transfer op="cancel">`, refunded here).
//!
//! Order of effects: the registry first (its delete and its cancel are
//! harmless to repeat), then one database transaction with the refund.
//! When the registry does not answer nothing has changed here and the
//! customer may simply ask again.

use serde_json::{json, Value};
use vpsd_domain::lifecycle::{DomainStatus, TransferOutStatus, TransferStatus, ADD_GRACE_DAYS};
use vpsd_domain::{AuditAction, ErrorCode, Money};
use vpsd_registry::{TransferRefusal, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, CancelledRegistration, Domain, StoreError};

use crate::{changes, Registrar, RegistrarError};

/// A transfer in withdrawn ([`Registrar::cancel_transfer`]).
#[derive(Debug, Clone)]
pub struct CancelledTransfer {
    /// The domain after: `transfer_status` is `cancelled`.
    pub domain: Domain,
    /// The transfer fee given back.
    pub refund: Money,
    /// The account's balance after the refund.
    pub balance: Money,
}

impl Registrar {
    /// POST /api/v1/domains/{id}/cancel/: undoes a registration this
    /// account made here, within [`ADD_GRACE_DAYS`] of its registration
    /// (RFC 3915 §3.1, the add grace period): the registry deletes the name
    /// (within the period it purges it: anyone may register it again), the
    /// account gets back everything the domain was charged, and the domain
    /// leaves the account. Returns the domain as it was and the refund.
    ///
    /// # Errors
    /// `NotFound` (not this account's); `Invalid` with `not_cancellable`
    /// (imported or transferred in), `transfer_in_progress` (a transfer out
    /// is pending), `cancel_period_over` (past the period),
    /// `registry_outcome_unknown` (the registry has not confirmed the
    /// registration or a renewal yet); `Unavailable` when the registry does
    /// not answer (nothing changed); `Conflict` when the domain changed
    /// meanwhile.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn cancel_registration(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<(Domain, CancelledRegistration), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let name = domain.domain_name.clone();
        if domain.registrar != OUR_REGISTRAR || domain.transfer_status.is_some() {
            return Err(RegistrarError::invalid(
                ErrorCode::NotCancellable,
                format!("{name} was not registered with VPS.org by this account (it was imported or transferred in), so there is no registration to cancel: remove it from the account with DELETE /api/v1/domains/{domain_id}/ instead."),
            ));
        }
        if domain
            .transfer_out
            .as_ref()
            .is_some_and(|t| t.status == TransferOutStatus::Pending)
        {
            return Err(RegistrarError::invalid(
                ErrorCode::TransferInProgress,
                format!("A transfer of {name} to another registrar is pending: reject it with POST /api/v1/domains/{domain_id}/transfer-out/reject/ first."),
            ));
        }
        let now = self.now();
        let period_ends = domain.registration_date + chrono::Duration::days(ADD_GRACE_DAYS);
        if now >= period_ends {
            return Err(RegistrarError::invalid(
                ErrorCode::CancelPeriodOver,
                format!(
                    "{name} was registered on {}: a registration can be cancelled with a refund only within {ADD_GRACE_DAYS} days (until {}). Remove it from the account with DELETE /api/v1/domains/{domain_id}/, or turn auto_renew off and let it expire.",
                    domain.registration_date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    period_ends.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ),
            ));
        }
        // A registration the sandbox is still "processing" is at the
        // registry already; at a real registry, pending means the registry
        // has not confirmed the create: deleting now could race it.
        if domain.status == DomainStatus::Pending && !self.registry.is_sandbox_name(&name) {
            return Err(RegistrarError::invalid(
                ErrorCode::RegistryOutcomeUnknown,
                format!("The registry has not confirmed the registration of {name} yet: try again once its status is active (usually within minutes)."),
            ));
        }
        if self.store.has_unconfirmed_renewal(domain_id).await? {
            return Err(RegistrarError::invalid(
                ErrorCode::RegistryOutcomeUnknown,
                format!("The registry has not confirmed the last renewal of {name} yet: try again in a few minutes."),
            ));
        }
        self.at_registry(actor, &domain, self.registry.delete(&name, now))
            .await?;
        let audit = Audit {
            actor,
            action: AuditAction::DomainCancel,
            changes: changes(&[
                ("status", json!(domain.status.as_str()), Value::Null),
                ("in_account", json!(true), json!(false)),
            ]),
        };
        match self
            .store
            .cancel_in_add_grace(
                account_id,
                domain_id,
                &format!("Refund: registration of {name} cancelled within its add grace period"),
                self.now(),
                &audit,
            )
            .await
        {
            Ok(cancelled) => Ok((domain, cancelled)),
            Err(StoreError::NotFound) => Err(RegistrarError::NotFound),
            Err(StoreError::StateChanged) => Err(RegistrarError::Conflict(format!(
                "{name} changed while it was being cancelled: fetch it and try again."
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// POST /api/v1/domains/{id}/transfer/cancel/: withdraws our pending
    /// transfer in at the registry (RFC 5731 §3.2.4, op `cancel`; the
    /// losing registrar gets a `clientCancelled` poll message) and refunds
    /// the transfer fee; `transfer_status` becomes `cancelled`.
    ///
    /// # Errors
    /// `NotFound` (not this account's); `Invalid` with `no_transfer_pending`
    /// when no transfer in is pending, or it completed at the registry
    /// first; `Unavailable` when the registry does not answer (nothing
    /// changed).
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn cancel_transfer(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<CancelledTransfer, RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let name = domain.domain_name.clone();
        if domain.transfer_status != Some(TransferStatus::Pending) {
            let now = domain.transfer_status.map_or("none", |t| t.as_str());
            return Err(RegistrarError::invalid(
                ErrorCode::NoTransferPending,
                format!("No transfer of {name} to VPS.org is pending (transfer_status: {now}), so there is nothing to cancel."),
            ));
        }
        let refund = domain.transfer_cost.unwrap_or(Money::ZERO);
        match self
            .at_registry(actor, &domain, self.registry.cancel_transfer(&name))
            .await
        {
            Ok(()) => {}
            Err(TransferRefusal::AlreadyOurs) => {
                return Err(RegistrarError::invalid(
                    ErrorCode::NoTransferPending,
                    format!("The transfer of {name} has completed at the registry already, so it can no longer be cancelled; the domain shows it shortly."),
                ))
            }
            Err(refusal) => return Err(RegistrarError::from_refusal(&name, refusal)),
        }
        let audit = Audit {
            actor,
            action: AuditAction::DomainTransferCancel,
            changes: changes(&[("transfer_status", json!("pending"), json!("cancelled"))]),
        };
        let cancelled = self
            .store
            .fail_transfer(
                domain_id,
                TransferStatus::Cancelled,
                &format!("Refund: transfer of {name} cancelled"),
                None,
                self.now(),
                &audit,
            )
            .await?;
        if !cancelled {
            return Err(RegistrarError::invalid(
                ErrorCode::NoTransferPending,
                format!("The transfer of {name} ended meanwhile: see its transfer_status."),
            ));
        }
        let domain = self.domain(account_id, domain_id).await?;
        let balance = self.account(account_id).await?.balance;
        Ok(CancelledTransfer {
            domain,
            refund,
            balance,
        })
    }
}

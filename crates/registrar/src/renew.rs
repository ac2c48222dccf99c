//! Renewing a domain (also in its grace period) and restoring one in its
//! redemption period; `apply_renewal` is shared with the worker's
//! auto-renewal.

use serde_json::{json, Value};
use vpsd_domain::lifecycle::{add_years, phase, renewable_years, Phase};
use vpsd_domain::pricing::RESTORE_FEE;
use vpsd_domain::AuditAction;
use vpsd_domain::ErrorCode;
use vpsd_domain::{Money, Years};
use vpsd_registry::{RegistryError, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, Domain, Renewal, StoreError, UnconfirmedRenewal};

use crate::{changes, mail, ts, Registrar, RegistrarError};

/// What a renewal (or restore) costs the customer, and the registry fee
/// its `<domain:renew>` carries for a premium name (RFC 8748 §5.2.3).
pub(crate) struct Price {
    /// Charged to the account.
    pub(crate) cost: Money,
    /// The registry's renew fee agreed when the price was quoted.
    pub(crate) renew_fee: Option<vpsd_registry::AgreedFee>,
    /// For a restore, the registry's restore fee agreed when the price was
    /// quoted (RFC 8748 §5.2.5 `<fee:update>`).
    pub(crate) restore_fee: Option<vpsd_registry::AgreedFee>,
}

impl Registrar {
    fn require_sponsored(domain: &Domain, what: &str) -> Result<(), RegistrarError> {
        if domain.registrar == OUR_REGISTRAR {
            return Ok(());
        }
        Err(RegistrarError::invalid(
            ErrorCode::NotSponsored,
            format!(
                "{} is registered at {}: {what} it there, or transfer it to VPS.org first (POST /api/v1/domains/{}/transfer/).",
                domain.domain_name, domain.registrar, domain.id
            ),
        ))
    }

    /// POST /api/v1/domains/{id}/renew/: `years` more from the current
    /// expiration, at the renewal price; also during the grace period.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn renew(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        years: Years,
    ) -> Result<(Domain, Money), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        Self::require_sponsored(&domain, "renew")?;
        RegistrarError::registry_allows(
            &domain,
            vpsd_registry::SERVER_RENEW_PROHIBITED,
            "renew it",
        )?;
        let now = self.now();
        let name = &domain.domain_name;
        match phase(domain.status, domain.expiration_date, now) {
            Phase::Pending => {
                return Err(RegistrarError::invalid(
                    ErrorCode::DomainPending,
                    format!("{name} is still being registered: renew it once its status is active."),
                ))
            }
            Phase::Redemption => {
                return Err(RegistrarError::invalid(
                    ErrorCode::InRedemption,
                    format!(
                        "{name} is past its grace period: restore it with POST /api/v1/domains/{domain_id}/restore/ (the restore fee of ${RESTORE_FEE} plus one year)."
                    ),
                ))
            }
            Phase::PendingDelete => return Err(Self::too_late(&domain)),
            Phase::Active | Phase::Grace => {}
        }
        let allowed = renewable_years(domain.expiration_date, now);
        if years.get() > allowed {
            let detail = if allowed == 0 {
                format!("{name} already runs close to the ten-year maximum: it cannot be renewed now; try again when less than nine years remain.")
            } else {
                format!("A renewal may not carry {name} more than ten years ahead: at most {allowed} more year(s) are allowed now.")
            };
            return Err(RegistrarError::invalid(ErrorCode::RenewalTooLong, detail));
        }
        let quote = self.quote_stored(&domain, years).await?;
        let cost = quote.renew;
        let price = Price {
            cost,
            renew_fee: quote.agreed("renew"),
            restore_fee: None,
        };
        let renewed = self
            .apply_renewal(actor, &domain, years.get(), price, "renewal", "renewed")
            .await?;
        Ok((renewed, cost))
    }

    fn too_late(domain: &Domain) -> RegistrarError {
        let release = vpsd_domain::lifecycle::ExpiryDates::after(domain.expiration_date).release_at;
        RegistrarError::invalid(
            ErrorCode::PendingDelete,
            format!(
                "{} is pending deletion: it can no longer be renewed or restored, and is released on {}; register it again after that.",
                domain.domain_name,
                release.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )
    }

    /// POST /api/v1/domains/{id}/restore/: a domain in its redemption period
    /// comes back for the restore fee plus one year (RFC 3915). Charged
    /// first; then restored at the registry (it was deleted there when its
    /// redemption began: restore request and report, RFC 3915 §4.2-4.3)
    /// and renewed there for the year; a registry refusal is refunded.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn restore(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<(Domain, Money), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        Self::require_sponsored(&domain, "restore")?;
        let name = &domain.domain_name;
        match phase(domain.status, domain.expiration_date, self.now()) {
            Phase::Redemption => {}
            Phase::PendingDelete => return Err(Self::too_late(&domain)),
            Phase::Grace | Phase::Active => {
                return Err(RegistrarError::invalid(
                    ErrorCode::NotInRedemption,
                    format!("{name} is not in its redemption period, so there is nothing to restore: renew it with POST /api/v1/domains/{domain_id}/renew/ at the normal price."),
                ))
            }
            Phase::Pending => {
                return Err(RegistrarError::invalid(
                    ErrorCode::DomainPending,
                    format!("{name} is still being registered."),
                ))
            }
        }
        let quote = self.quote_stored(&domain, Years::ONE).await?;
        // Never below the registry's own restore fee (RFC 8748 §5.2.5).
        let cost = Money::from_cents(quote.restore.cents() + quote.renew.cents());
        let price = Price {
            cost,
            renew_fee: quote.agreed("renew"),
            restore_fee: quote.agreed("restore"),
        };
        let restored = self
            .apply_renewal(
                actor,
                &domain,
                1,
                price,
                "restore",
                "restored (restore fee plus one year)",
            )
            .await?;
        Ok((restored, cost))
    }

    /// Restores at the registry a domain deleted there for its current term
    /// (its redemption began, `worker::registry_delete`). One the worker had
    /// not deleted yet needs no restore; one the registry says is not
    /// deleted but ours (a restore retried after its answer was lost) is
    /// restored already.
    async fn restore_at_registry(
        &self,
        domain: &Domain,
        fee: Option<&vpsd_registry::AgreedFee>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::RegistryError> {
        let name = &domain.domain_name;
        match self.store.registry_deleted_at(domain.id).await? {
            Some(deleted_at) if deleted_at >= domain.expiration_date => {
                match self.registry.restore(name, deleted_at, fee, now).await {
                    Err(vpsd_registry::RegistryError::StatusProhibits(why)) => {
                        match self.registry.info(name).await? {
                            Some(r) if r.sponsoring_registrar == OUR_REGISTRAR => Ok(()),
                            _ => Err(vpsd_registry::RegistryError::StatusProhibits(why)),
                        }
                    }
                    other => other,
                }
            }
            _ => Ok(()),
        }
    }

    /// Charges and records a renewal, then extends the term at the registry
    /// (a restore first restores the name there); a registry refusal is
    /// undone and refunded.
    pub(crate) async fn apply_renewal(
        &self,
        actor: &Actor,
        domain: &Domain,
        years: u32,
        price: Price,
        kind: &'static str,
        how: &str,
    ) -> Result<Domain, RegistrarError> {
        let Price {
            cost,
            renew_fee,
            restore_fee,
        } = price;
        let now = self.now();
        let new_expiration = add_years(domain.expiration_date, years);
        let what = if kind == "restore" {
            "Restore"
        } else {
            "Renewal"
        };
        let renewal = Renewal {
            domain_id: domain.id,
            account_id: domain.account_id,
            old_expiration: domain.expiration_date,
            new_expiration,
            cost,
            kind,
            description: format!("{what} of {} for {years} year(s)", domain.domain_name),
            mail: mail::renewed(domain, new_expiration, cost, how),
            now,
        };
        let audit = Audit {
            actor,
            action: if kind == "restore" {
                AuditAction::DomainRestore
            } else {
                AuditAction::DomainRenew
            },
            changes: changes(&[
                (
                    "expiration_date",
                    ts(domain.expiration_date),
                    ts(new_expiration),
                ),
                ("status", json!(domain.status.as_str()), json!("active")),
                ("cost", Value::Null, json!(cost.to_string())),
            ]),
        };
        let renewed = match self.store.renew_domain(&renewal, &audit).await {
            Ok(d) => d,
            Err(StoreError::InsufficientFunds) => {
                return Err(self
                    .short_of_funds(
                        domain.account_id,
                        cost,
                        &format!("Renewing {}", domain.domain_name),
                    )
                    .await)
            }
            Err(StoreError::StateChanged) => {
                return Err(RegistrarError::Conflict(format!(
                    "{} changed while this request ran (another renewal?): fetch it and try again.",
                    domain.domain_name
                )))
            }
            Err(e) => return Err(e.into()),
        };
        let renewed_at_registry = self.at_registry(actor, domain, async {
            if kind == "restore" {
                self.restore_at_registry(domain, restore_fee.as_ref(), now)
                    .await?;
            }
            self.registry
                .renew(
                    &domain.domain_name,
                    domain.expiration_date,
                    years,
                    renew_fee.as_ref(),
                    now,
                )
                .await
        });
        let answer = renewed_at_registry.await;
        if let Err(RegistryError::Unknown(e)) = &answer {
            // Sent, unanswered, and the registry could not be asked: the
            // renewal stands here, charged, and the worker asks the registry
            // until it confirms (or refuses, and it is refunded). Never
            // guess: a refund now could leave the registry renewed unpaid.
            tracing::warn!(domain = %domain.domain_name, error = %crate::ErrorChain(&**e), "the registry's answer to a renewal is unknown; the worker will confirm it");
            // The worker's retry carries the same fee (RFC 8748).
            match &renew_fee {
                Some(fee) => {
                    self.store
                        .note_agreed_fee(domain.id, "renew", fee, now)
                        .await?
                }
                None => self.store.forget_agreed_fee(domain.id, "renew").await?,
            }
            self.store
                .note_unconfirmed_renewal(&UnconfirmedRenewal {
                    domain_id: domain.id,
                    account_id: domain.account_id,
                    old_expiration: domain.expiration_date,
                    new_expiration,
                    years,
                    cost,
                    kind: kind.to_owned(),
                    old_status: domain.status,
                    noted_at: now,
                })
                .await?;
            return Ok(renewed);
        }
        if let Err(e) = answer {
            tracing::error!(domain = %domain.domain_name, error = %crate::ErrorChain(&e), "registry refused a renewal; refunding");
            self.store
                .undo_renewal(
                    &renewal,
                    domain.status,
                    &Audit {
                        actor,
                        action: AuditAction::DomainRenewRefused,
                        changes: changes(&[(
                            "expiration_date",
                            ts(new_expiration),
                            ts(domain.expiration_date),
                        )]),
                    },
                )
                .await?;
            return Err(e.into());
        }
        Ok(renewed)
    }
}

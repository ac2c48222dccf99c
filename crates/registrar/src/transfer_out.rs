//! Transfers out, as ICANN's Transfer Policy describes them: the owner gets
//! the domain's auth code and gives it to another registrar, which asks the
//! registry for the name. The registry refuses at once when the domain is
//! locked, the code is wrong, or the domain is within 60 days of its
//! registration or last transfer. Otherwise the owner is told and may
//! approve or reject it; five days later it is approved by itself. Once
//! approved, the registry's sponsor changes and the domain leaves the
//! account (its DNS zone with it); the ledger and audit log keep its
//! history.
//!
//! In the sandbox the other registrar is played by the operator
//! (`vpsd registry request-transfer`); a real registry would bring the same
//! request as a poll message.

use chrono::Duration;
use serde_json::json;
use vpsd_domain::lifecycle::{TransferOutStatus, TRANSFER_OUT_AUTO_APPROVE_DAYS};
use vpsd_domain::AuditAction;
use vpsd_domain::ErrorCode;
use vpsd_registry::{new_auth_code, SandboxRegistry, TransferRefusal, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, Domain, TransferOut};

use crate::{changes, mail, Registrar, RegistrarError};

impl Registrar {
    /// The domain, which must be ours to give away.
    async fn transferable(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Domain, RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        if domain.registrar != OUR_REGISTRAR
            || domain.status == vpsd_domain::lifecycle::DomainStatus::Pending
        {
            return Err(RegistrarError::invalid(
                ErrorCode::NotSponsored,
                format!(
                    "{} is not registered with VPS.org yet, so it has no VPS.org auth code.",
                    domain.domain_name
                ),
            ));
        }
        Ok(domain)
    }

    /// `GET /api/v1/domains/{id}/auth-code/`: the EPP code to give the
    /// gaining registrar.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    pub async fn auth_code(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<String, RegistrarError> {
        let domain = self.transferable(account_id, domain_id).await?;
        match self.registry.info(&domain.domain_name).await? {
            Some(r) if r.sponsoring_registrar == OUR_REGISTRAR => Ok(r.auth_code),
            // Ours here but not at the registry (a database moved from the
            // sandbox to a real registry, say): say so, not a 500.
            _ => Err(RegistrarError::invalid(
                ErrorCode::NotSponsored,
                format!(
                    "The registry does not list {} as sponsored by VPS.org, so there is no auth code to give: contact support.",
                    domain.domain_name
                ),
            )),
        }
    }

    /// `POST /api/v1/domains/{id}/auth-code/`: a new code; the old one stops
    /// working. Audited without the code.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn regenerate_auth_code(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<String, RegistrarError> {
        let domain = self.transferable(account_id, domain_id).await?;
        let code = new_auth_code();
        let now = self.now();
        self.at_registry(
            actor,
            &domain,
            self.registry.set_auth_code(&domain.domain_name, &code, now),
        )
        .await?;
        self.store
            .append_audit(
                account_id,
                Some((domain.id, &domain.domain_name)),
                now,
                &Audit {
                    actor,
                    action: AuditAction::DomainAuthCodeRegenerate,
                    changes: changes(&[("auth_code", json!("(old)"), json!("(new)"))]),
                },
            )
            .await?;
        Ok(code)
    }

    /// Another registrar asks for the name (in the sandbox: the operator
    /// plays it). Refused at once for the registry's reasons; otherwise the
    /// owner is mailed and the domain shows the pending transfer out.
    #[tracing::instrument(level = "info", skip_all, fields(domain = name, gaining))]
    pub async fn request_transfer_out(
        &self,
        sandbox: &SandboxRegistry,
        gaining: &str,
        name: &str,
        auth_code: &str,
    ) -> Result<Domain, RegistrarError> {
        let now = self.now();
        let domain = self
            .store
            .domain_by_name(name)
            .await?
            .filter(|d| d.registrar == OUR_REGISTRAR)
            .ok_or_else(|| {
                RegistrarError::invalid(
                    ErrorCode::NotSponsored,
                    format!("{name} is not a VPS.org customer's domain."),
                )
            })?;
        // The owner's lock is the registry's clientTransferProhibited.
        if domain.locked {
            return Err(RegistrarError::from_refusal(
                name,
                TransferRefusal::Prohibited,
            ));
        }
        if domain
            .transfer_out
            .as_ref()
            .is_some_and(|t| t.status == TransferOutStatus::Pending)
        {
            return Err(RegistrarError::from_refusal(
                name,
                TransferRefusal::InProgress,
            ));
        }
        sandbox
            .request_transfer_from(gaining, name, auth_code, now)
            .await
            .map_err(|r| RegistrarError::from_refusal(name, r))?;
        let approves_at = now + Duration::days(TRANSFER_OUT_AUTO_APPROVE_DAYS);
        let recorded = self
            .record_transfer_out_request(&Actor::operator(), &domain, gaining, approves_at, None)
            .await?;
        if !recorded {
            // Another request won the race: undo this one at the registry.
            self.registry
                .reject_transfer(name, gaining)
                .await
                .map_err(|r| RegistrarError::from_refusal(name, r))?;
            return Err(RegistrarError::from_refusal(
                name,
                TransferRefusal::InProgress,
            ));
        }
        self.store
            .domain_by_name(name)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// Records that `gaining` asked for `domain` (approved by itself at
    /// `approves_at` unless the owner answers first) and mails the owner,
    /// in one transaction; `message`, the registry's poll message that
    /// told us, goes into the audit entry. `false` when a transfer out is
    /// pending already.
    pub(crate) async fn record_transfer_out_request(
        &self,
        actor: &Actor,
        domain: &Domain,
        gaining: &str,
        approves_at: chrono::DateTime<chrono::Utc>,
        message: Option<serde_json::Value>,
    ) -> Result<bool, RegistrarError> {
        let mail = mail::transfer_out_requested(domain, gaining, approves_at);
        let mut fields = vec![
            ("transfer_out", serde_json::Value::Null, json!("pending")),
            ("gaining_registrar", serde_json::Value::Null, json!(gaining)),
        ];
        if let Some(message) = message {
            fields.push(("registry_message", serde_json::Value::Null, message));
        }
        Ok(self
            .store
            .begin_transfer_out(
                domain.id,
                gaining,
                self.now(),
                approves_at,
                &mail,
                &Audit {
                    actor,
                    action: AuditAction::DomainTransferOutRequest,
                    changes: changes(&fields),
                },
            )
            .await?)
    }

    /// `POST .../transfer-out/approve/`, and the worker five days on: the
    /// registry's sponsor changes and the domain leaves the account. The
    /// domain as it was, and its transfer out as approved.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn approve_transfer_out(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<(Domain, TransferOut), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let Some(out) = pending_out(&domain).cloned() else {
            return Err(no_transfer_out(&domain));
        };
        RegistrarError::registry_allows(
            &domain,
            vpsd_registry::SERVER_TRANSFER_PROHIBITED,
            "transfer it to another registrar",
        )?;
        // Another request (or the worker) settled it first: nothing is
        // pending any more, and this request changed nothing.
        match self.settle_approval(actor, &domain).await {
            Ok(true) => {}
            Ok(false) => return Err(no_transfer_out(&domain)),
            Err(e) => return Err(self.settled_elsewhere(account_id, domain_id, e).await),
        }
        let approved = TransferOut {
            status: TransferOutStatus::Approved,
            ..out
        };
        Ok((domain, approved))
    }

    /// What to answer when settling a transfer out failed with `e`: if a
    /// request that raced this one settled it meanwhile (nothing pending,
    /// or the domain gone), say that, as a second request alone would get;
    /// otherwise `e`.
    async fn settled_elsewhere(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        e: RegistrarError,
    ) -> RegistrarError {
        match self.domain(account_id, domain_id).await {
            Ok(now) if pending_out(&now).is_none() => no_transfer_out(&now),
            Ok(_) => e,
            Err(gone) => gone,
        }
    }

    pub(crate) async fn settle_approval(
        &self,
        actor: &Actor,
        domain: &Domain,
    ) -> Result<bool, RegistrarError> {
        let Some(out) = pending_out(domain) else {
            return Err(no_transfer_out(domain));
        };
        let now = self.now();
        // The registry first (idempotent), then the account.
        self.at_registry(
            actor,
            domain,
            self.registry
                .approve_transfer(&domain.domain_name, &out.gaining_registrar, now),
        )
        .await
        .map_err(|r| match r {
            // Settled at the registry already (a request that raced
            // this one, or the gaining registrar withdrew it).
            TransferRefusal::NotPending => no_transfer_out(domain),
            r => RegistrarError::from_refusal(&domain.domain_name, r),
        })?;
        let mail = mail::transfer_out_completed(domain, &out.gaining_registrar);
        Ok(self
            .store
            .approve_transfer_out(
                domain.id,
                now,
                &mail,
                &Audit {
                    actor,
                    action: AuditAction::DomainTransferOutApprove,
                    changes: changes(&[
                        ("transfer_out", json!("pending"), json!("approved")),
                        (
                            "registrar",
                            json!(OUR_REGISTRAR),
                            json!(out.gaining_registrar),
                        ),
                        ("in_account", json!(true), json!(false)),
                    ]),
                },
            )
            .await?)
    }

    /// `POST .../transfer-out/reject/`: the domain stays. The domain now,
    /// and its transfer out as rejected.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn reject_transfer_out(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<(Domain, TransferOut), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let Some(out) = pending_out(&domain).cloned() else {
            return Err(no_transfer_out(&domain));
        };
        let rejected_at_registry = self.at_registry(
            actor,
            &domain,
            self.registry
                .reject_transfer(&domain.domain_name, &out.gaining_registrar),
        );
        if let Err(r) = rejected_at_registry.await {
            let e = RegistrarError::from_refusal(&domain.domain_name, r);
            return Err(self.settled_elsewhere(account_id, domain_id, e).await);
        }
        let mail = mail::transfer_out_rejected(&domain, &out.gaining_registrar);
        let rejected_now = self
            .store
            .reject_transfer_out(
                domain.id,
                self.now(),
                Some(&mail),
                &Audit {
                    actor,
                    action: AuditAction::DomainTransferOutReject,
                    changes: changes(&[("transfer_out", json!("pending"), json!("rejected"))]),
                },
            )
            .await?;
        // Another request settled it first: this one changed nothing.
        if !rejected_now {
            return Err(no_transfer_out(&domain));
        }
        let rejected = TransferOut {
            status: TransferOutStatus::Rejected,
            ..out
        };
        Ok((self.domain(account_id, domain_id).await?, rejected))
    }

    /// The losing registrar refuses a pending transfer in (in the sandbox:
    /// `vpsd registry reject-transfer`): refunded to the cent, mailed, and
    /// `transfer_status` reads `rejected`.
    #[tracing::instrument(level = "info", skip_all, fields(domain = name))]
    pub async fn transfer_in_rejected(
        &self,
        sandbox: &SandboxRegistry,
        name: &str,
    ) -> Result<Domain, RegistrarError> {
        let domain = self
            .store
            .domain_by_name(name)
            .await?
            .filter(|d| d.transfer_status == Some(vpsd_domain::lifecycle::TransferStatus::Pending))
            .ok_or_else(|| {
                RegistrarError::invalid(
                    ErrorCode::NoTransferPending,
                    format!("No transfer of {name} to VPS.org is pending."),
                )
            })?;
        sandbox
            .reject_transfer_to_us(name)
            .await
            .map_err(|r| RegistrarError::from_refusal(name, r))?;
        let mail = mail::transfer_rejected(&domain);
        self.store
            .fail_transfer(
                domain.id,
                vpsd_domain::lifecycle::TransferStatus::Rejected,
                &format!("Refund: the current registrar rejected the transfer of {name}"),
                Some(&mail),
                self.now(),
                &Audit {
                    actor: &Actor::operator(),
                    action: AuditAction::DomainTransferRejected,
                    changes: changes(&[("transfer_status", json!("pending"), json!("rejected"))]),
                },
            )
            .await?;
        self.store
            .domain(domain.account_id, domain.id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }
}

fn pending_out(domain: &Domain) -> Option<&vpsd_storage::TransferOut> {
    domain
        .transfer_out
        .as_ref()
        .filter(|t| t.status == TransferOutStatus::Pending)
}

fn no_transfer_out(domain: &Domain) -> RegistrarError {
    RegistrarError::invalid(
        ErrorCode::NoTransferOut,
        format!(
            "No transfer of {} to another registrar is pending.",
            domain.domain_name
        ),
    )
}

//! Messages from a real registry's poll queue (RFC 5730 §2.9.2.3): what
//! other registrars and the registry did to our customers' names. A
//! transfer another registrar asks for starts the transfer-out flow
//! (`transfer_out.rs`); its approval (by the registry, at the end of the
//! transfer period) takes the domain out of the account; its cancellation
//! ends it. Our own transfers in complete (or are refunded) when the
//! registry says the losing registrar acted, without waiting for the end
//! of the transfer period.
//!
//! A change the registry made to one of our names by itself (RFC 8590
//! change poll: its operator renewed or deleted it, or its auto-renewal)
//! is not taken from the message: the name is read again with
//! `<domain:info>`, and the domain follows that record (expiry, lock, and
//! the statuses the registry set by itself, RFC 5731 §2.3: the owner is
//! mailed once when `serverHold` appears), or leaves the account when the
//! registry no longer holds it for us.
//!
//! Each change is a conditional update whose audit entry names the message
//! (registry, id, text), written in the transaction of the change; the
//! message is acknowledged only after that. A message seen twice (a crash
//! before the acknowledgement) finds the change made and changes nothing.

use serde_json::{json, Value};
use vpsd_domain::lifecycle::{TransferOutStatus, TransferStatus};
use vpsd_domain::AuditAction;
use vpsd_registry::{ChangeNotice, RegistryMessage, TrStatus, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit};

use crate::{changes, mail, Registrar, RegistrarError};

/// What acting on a registry message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOutcome {
    /// Another registrar asked for a customer's domain: the transfer out is
    /// pending and the owner mailed.
    TransferOutRequested,
    /// The transfer out was approved at the registry: the domain left the
    /// account.
    TransferredOut,
    /// The gaining registrar or the registry withdrew the transfer out.
    TransferOutCancelled,
    /// Our transfer in was approved: the domain is ours.
    TransferInCompleted,
    /// Our transfer in was rejected or withdrawn: refunded.
    TransferInFailed,
    /// The registry changed a customer's domain by itself (RFC 8590): its
    /// expiry and lock follow the registry's record now.
    ChangedAtRegistry,
    /// The registry deleted a customer's domain by itself (RFC 8590): it
    /// left the account.
    DeletedAtRegistry,
    /// Nothing to change: not about a customer's domain, settled already,
    /// or a notice that needs no action.
    Nothing,
}

impl Registrar {
    /// Our transfer in of `name` was settled at the registry (approved,
    /// rejected or cancelled): completed or refunded now, as the
    /// transfers-in worker would at the end of the transfer period (it asks
    /// the registry how the transfer stands, so an old message changes
    /// nothing wrong).
    async fn transfer_in_settled(&self, name: &str) -> Result<MessageOutcome, RegistrarError> {
        let Some(domain) = self
            .store
            .domain_by_name(name)
            .await?
            .filter(|d| d.transfer_status == Some(TransferStatus::Pending))
        else {
            return Ok(MessageOutcome::Nothing);
        };
        let now = self.now();
        Ok(
            match crate::worker::transfers_in::complete(self, domain, now).await? {
                crate::worker::Done::TransferCompleted => MessageOutcome::TransferInCompleted,
                crate::worker::Done::TransferFailed => MessageOutcome::TransferInFailed,
                _ => MessageOutcome::Nothing,
            },
        )
    }

    /// Acts on one message of a registry's queue (see the module docs).
    ///
    /// # Errors
    /// The store's, or the registry's when asked whether a transfer is
    /// still pending; the message stays on the queue and is seen again.
    #[tracing::instrument(level = "info", skip_all, fields(registry = %message.registry, message_id = %message.id))]
    pub async fn act_on_registry_message(
        &self,
        message: &RegistryMessage,
    ) -> Result<MessageOutcome, RegistrarError> {
        if let Some(c) = &message.change {
            return self.registry_changed(message, c).await;
        }
        let Some(t) = &message.transfer else {
            tracing::info!(text = %message.text, "registry message needs no action");
            return Ok(MessageOutcome::Nothing);
        };
        if t.requesting_registrar == OUR_REGISTRAR {
            return self.transfer_in_settled(&t.name).await;
        }
        let Some(domain) = self
            .store
            .domain_by_name(&t.name)
            .await?
            .filter(|d| d.registrar == OUR_REGISTRAR)
        else {
            return Ok(MessageOutcome::Nothing);
        };
        let note = json!({
            "registry": message.registry,
            "id": message.id,
            "text": message.text,
            "trStatus": t.tr_status.as_str(),
        });
        let pending_out = domain
            .transfer_out
            .as_ref()
            .is_some_and(|o| o.status == TransferOutStatus::Pending);
        let worker = Actor::worker();
        let now = self.now();
        let gaining = t.requesting_registrar.as_str();
        match t.tr_status {
            TrStatus::Pending => {
                // An old message: ask whether the transfer still stands.
                let standing = self
                    .registry
                    .info(&t.name)
                    .await?
                    .is_some_and(|r| r.pending_transfer_to.as_deref() == Some(gaining));
                if !standing || pending_out {
                    return Ok(MessageOutcome::Nothing);
                }
                // The registry approves it by itself at acDate; the owner's
                // answer is wanted before then.
                let begun = self
                    .record_transfer_out_request(&worker, &domain, gaining, t.acted_at, Some(note))
                    .await?;
                Ok(if begun {
                    MessageOutcome::TransferOutRequested
                } else {
                    MessageOutcome::Nothing
                })
            }
            TrStatus::ClientApproved | TrStatus::ServerApproved if pending_out => {
                let mail = mail::transfer_out_completed(&domain, gaining);
                let approved = self
                    .store
                    .approve_transfer_out(
                        domain.id,
                        now,
                        &mail,
                        &Audit {
                            actor: &worker,
                            action: AuditAction::DomainTransferOutApprove,
                            changes: changes(&[
                                ("transfer_out", json!("pending"), json!("approved")),
                                ("registrar", json!(OUR_REGISTRAR), json!(gaining)),
                                ("in_account", json!(true), json!(false)),
                                ("registry_message", Value::Null, note),
                            ]),
                        },
                    )
                    .await?;
                Ok(if approved {
                    MessageOutcome::TransferredOut
                } else {
                    MessageOutcome::Nothing
                })
            }
            TrStatus::ClientCancelled | TrStatus::ServerCancelled if pending_out => {
                let ended = self
                    .store
                    .reject_transfer_out(
                        domain.id,
                        now,
                        None,
                        &Audit {
                            actor: &worker,
                            action: AuditAction::DomainTransferOutReject,
                            changes: changes(&[
                                ("transfer_out", json!("pending"), json!("cancelled")),
                                ("registry_message", Value::Null, note),
                            ]),
                        },
                    )
                    .await?;
                Ok(if ended {
                    MessageOutcome::TransferOutCancelled
                } else {
                    MessageOutcome::Nothing
                })
            }
            _ => Ok(MessageOutcome::Nothing),
        }
    }
}

impl Registrar {
    /// Keeps on `domain` the statuses its registry set by itself
    /// (`statuses`, RFC 5731 §2.3, as just read from `<domain:info>`), with
    /// an audit entry carrying `note` (why it was read); when `serverHold`
    /// appears the owner is mailed in the same transaction, once. `true`
    /// when they changed.
    ///
    /// # Errors
    /// The store's.
    pub async fn follow_registry_statuses(
        &self,
        domain: &vpsd_storage::Domain,
        statuses: &[String],
        note: Value,
    ) -> Result<bool, RegistrarError> {
        if domain.registry_statuses == statuses {
            return Ok(false);
        }
        let hold = vpsd_registry::SERVER_HOLD;
        let held = |s: &[String]| s.iter().any(|x| x == hold);
        let mail = (held(statuses) && !held(&domain.registry_statuses))
            .then(|| mail::on_hold_at_registry(domain));
        let worker = Actor::worker();
        Ok(self
            .store
            .follow_registry_statuses(
                domain.id,
                &domain.registry_statuses,
                statuses,
                mail.as_ref(),
                self.now(),
                &Audit {
                    actor: &worker,
                    action: AuditAction::DomainRegistryChange,
                    changes: changes(&[
                        (
                            "registry_statuses",
                            json!(domain.registry_statuses),
                            json!(statuses),
                        ),
                        ("registry_message", Value::Null, note),
                    ]),
                },
            )
            .await?)
    }

    /// A change the registry made to `c.name` by itself (RFC 8590): the
    /// name is read again (`<domain:info>`); a domain the registry deleted
    /// (gone, pending deletion, or no longer ours) leaves the account, one
    /// it changed takes the registry's expiry and lock. Each is one
    /// conditional update with its audit entry naming the message, so a
    /// message seen twice changes nothing twice.
    ///
    /// # Errors
    /// The registry's when it cannot be asked (the message stays queued),
    /// or the store's.
    async fn registry_changed(
        &self,
        message: &RegistryMessage,
        c: &ChangeNotice,
    ) -> Result<MessageOutcome, RegistrarError> {
        let Some(domain) = self
            .store
            .domain_by_name(&c.name)
            .await?
            .filter(|d| d.registrar == OUR_REGISTRAR)
        else {
            return Ok(MessageOutcome::Nothing);
        };
        if domain.status == vpsd_domain::lifecycle::DomainStatus::Pending {
            // The registration worker settles it with the registry.
            return Ok(MessageOutcome::Nothing);
        }
        let note = json!({
            "registry": message.registry,
            "id": message.id,
            "text": message.text,
            "operation": c.operation,
            "who": c.who,
            "reason": c.reason,
            "svTRID": c.sv_trid,
        });
        let worker = Actor::worker();
        let now = self.now();
        let record = self.registry.info(&c.name).await?;
        let ours = match record.filter(|r| r.sponsoring_registrar == OUR_REGISTRAR) {
            // Deleted into the registry's redemption grace period: gone
            // from the customer's hands as well.
            Some(_) if self.registry.in_redemption(&c.name).await? => None,
            ours => ours,
        };
        let Some(record) = ours else {
            let mail = mail::deleted_by_registry(&domain, c.reason.as_deref());
            let removed = self
                .store
                .remove_deleted_at_registry(
                    domain.id,
                    &mail,
                    now,
                    &Audit {
                        actor: &worker,
                        action: AuditAction::DomainRegistryDelete,
                        changes: changes(&[
                            ("in_account", json!(true), json!(false)),
                            ("registry_message", Value::Null, note),
                        ]),
                    },
                )
                .await?;
            return Ok(if removed {
                MessageOutcome::DeletedAtRegistry
            } else {
                MessageOutcome::Nothing
            });
        };
        let statuses_changed = self
            .follow_registry_statuses(&domain, &record.server_statuses, note.clone())
            .await?;
        let changed = self
            .store
            .follow_registry(
                domain.id,
                domain.expiration_date,
                record.ex_date,
                record.client_transfer_prohibited,
                now,
                &Audit {
                    actor: &worker,
                    action: AuditAction::DomainRegistryChange,
                    changes: changes(&[
                        (
                            "expiration_date",
                            crate::ts(domain.expiration_date),
                            crate::ts(record.ex_date),
                        ),
                        (
                            "locked",
                            json!(domain.locked),
                            json!(record.client_transfer_prohibited),
                        ),
                        ("registry_message", Value::Null, note),
                    ]),
                },
            )
            .await?;
        Ok(if changed || statuses_changed {
            MessageOutcome::ChangedAtRegistry
        } else {
            MessageOutcome::Nothing
        })
    }
}

//! Transfers at the sandbox registry: the `<domain:trnData>` of a
//! transfer, the poll messages it queues, and settling the transfers whose
//! losing registrar's window has passed (RFC 5731 §3.2.4).

use super::*;

impl SandboxRegistry {
    /// The `<domain:trnData>` of the transfer of `object` to `gaining`
    /// (RFC 5731 §3.1.3), as it stands after `tr_status` at `now`: `acDate`
    /// is when the registry will act while pending, else `now`; `exDate` the
    /// term the transfer gives (none when rejected or cancelled).
    pub fn transfer_notice(
        &self,
        object: &RegistryObject,
        gaining: &str,
        tr_status: TrStatus,
        now: DateTime<Utc>,
    ) -> TransferNotice {
        let requested_at = object.transfer_requested_at.unwrap_or(now);
        let acted_at = match tr_status {
            TrStatus::Pending => requested_at + self.transfer_delay,
            _ => now,
        };
        let ex_date = match tr_status {
            TrStatus::Pending | TrStatus::ClientApproved | TrStatus::ServerApproved => {
                Some(expiration_after_transfer(object.record.ex_date, acted_at))
            }
            _ => None,
        };
        TransferNotice {
            name: object.record.name.clone(),
            tr_status,
            requesting_registrar: gaining.to_owned(),
            requested_at,
            acting_registrar: object.record.sponsoring_registrar.clone(),
            acted_at,
            ex_date,
        }
    }

    /// The poll message telling `to` of `notice`.
    pub(super) fn poll_message(to: &str, notice: &TransferNotice) -> NewPollMessage {
        let what = match notice.tr_status {
            TrStatus::Pending => "Transfer requested:",
            TrStatus::ClientApproved => "Transfer approved by the losing registrar:",
            TrStatus::ClientRejected => "Transfer rejected by the losing registrar:",
            TrStatus::ClientCancelled => "Transfer cancelled by the gaining registrar:",
            TrStatus::ServerApproved => "Transfer approved by the registry:",
            TrStatus::ServerCancelled => "Transfer cancelled by the registry:",
        };
        NewPollMessage {
            client_id: to.to_owned(),
            message: format!("{what} {}", notice.name),
            notice: notice.clone(),
        }
    }

    /// The name's object, or `NotRegistered`.
    pub(super) async fn object(&self, name: &str) -> Result<RegistryObject, TransferRefusal> {
        self.store
            .registry_object(name)
            .await?
            .ok_or(TransferRefusal::NotRegistered)
    }

    /// Moves the pending transfer of `object` to its gaining registrar with
    /// `tr_status` (approved by the loser, or by the registry: then both
    /// registrars get a poll message, else the gaining one). `true` when
    /// it moved.
    pub(super) async fn settle(
        &self,
        object: &RegistryObject,
        tr_status: TrStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(gaining) = object.record.pending_transfer_to.as_deref() else {
            return Ok(false);
        };
        let notice = self.transfer_notice(object, gaining, tr_status, now);
        let ex_date = expiration_after_transfer(object.record.ex_date, now);
        let mut poll = vec![Self::poll_message(gaining, &notice)];
        if tr_status == TrStatus::ServerApproved {
            poll.push(Self::poll_message(
                &object.record.sponsoring_registrar,
                &notice,
            ));
        }
        self.store
            .registry_complete_transfer(&object.record.name, gaining, ex_date, now, &poll)
            .await
    }

    /// The registry approves the pending transfer of `name` if the losing
    /// registrar has not acted within the transfer delay (RFC 5731 §3.2.4,
    /// `serverApproved`; both registrars get a poll message). `true` when
    /// it did now.
    pub async fn settle_due(&self, name: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let Some(object) = self.store.registry_object(name).await? else {
            return Ok(false);
        };
        match object.transfer_requested_at {
            Some(at) if object.record.pending_transfer_to.is_some() => {
                if at + self.transfer_delay <= now {
                    self.settle(&object, TrStatus::ServerApproved, now).await
                } else {
                    Ok(false)
                }
            }
            _ => Ok(false),
        }
    }

    /// [`Self::settle_due`] for every name whose transfer is due; how many
    /// the registry approved now.
    pub async fn settle_all_due(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut settled = 0;
        for name in self
            .store
            .registry_transfers_due(now - self.transfer_delay)
            .await?
        {
            if self.settle_due(&name, now).await? {
                settled += 1;
            }
        }
        Ok(settled)
    }
}

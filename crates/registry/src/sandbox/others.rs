//! The other registrars of the sandbox, played by the operator's commands
//! (`vpsd registry ...`): in production their requests arrive from the
//! registry.

use super::*;

/// What other registrars do in the sandbox, played by the operator
/// (`vpsd registry ...`): in production these arrive from the registry.
impl SandboxRegistry {
    /// Another registrar (`gaining`) asks for a name we sponsor, giving the
    /// auth code its customer gave it. Refused at once when the registry
    /// would refuse it: transfer prohibited (the owner's lock), a wrong
    /// code, within 60 days of registration or of the last transfer, or one
    /// pending already.
    pub async fn request_transfer_from(
        &self,
        gaining: &str,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        if gaining == self.client_id {
            return Err(TransferRefusal::AlreadyOurs);
        }
        let object = self.store.registry_object(name).await?;
        let record = object.as_ref().map(|o| &o.record);
        match record {
            Some(r) if r.sponsoring_registrar != self.client_id => {
                return Err(TransferRefusal::SponsoredElsewhere)
            }
            _ => {}
        }
        Self::judge(record, gaining, auth_code, now)?;
        let object = object.ok_or(TransferRefusal::NotRegistered)?;
        let pending = RegistryObject {
            transfer_requested_at: Some(now),
            ..object
        };
        let notice = self.transfer_notice(&pending, gaining, TrStatus::Pending, now);
        let poll = [Self::poll_message(&self.client_id, &notice)];
        if self
            .store
            .registry_request_transfer(name, gaining, now, &poll)
            .await?
        {
            Ok(())
        } else {
            Err(TransferRefusal::InProgress)
        }
    }

    /// The losing registrar refuses our pending transfer of `name`.
    pub async fn reject_transfer_to_us(&self, name: &str) -> Result<(), TransferRefusal> {
        let object = self.object(name).await?;
        let at = object.updated_at;
        if self.reject_pending(&object, &self.client_id, at).await? {
            Ok(())
        } else {
            Err(TransferRefusal::NotPending)
        }
    }
}

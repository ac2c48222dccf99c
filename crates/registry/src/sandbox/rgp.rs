//! The redemption grace period at the sandbox registry (RFC 3915): a name
//! deleted after its add grace period is kept, restorable by its sponsor
//! with a restore request and its report.

use super::*;

impl SandboxRegistry {
    /// The name as deleted and kept by the registry, with its status at
    /// `now` (RFC 3915 §2); `None` when it is not deleted or is purged by
    /// now.
    pub async fn deleted(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(DeletedName, RgpStatus)>, StoreError> {
        Ok(self.store.registry_deleted(name).await?.and_then(|d| {
            let status = RgpStatus::at(d.deleted_at, d.restore_requested_at, now)?;
            Some((d, status))
        }))
    }

    /// The name this registrar deleted, in its redemption period at `now`
    /// (or pending its restore report when `pending_restore_ok`).
    async fn restorable(
        &self,
        name: &str,
        now: DateTime<Utc>,
        pending_restore_ok: bool,
    ) -> Result<DeletedName, RegistryError> {
        let Some((d, status)) = self.deleted(name, now).await? else {
            return match self.info(name).await? {
                Some(r) if r.sponsoring_registrar == self.client_id => Err(
                    RegistryError::StatusProhibits(format!("{name} is not deleted")),
                ),
                Some(_) => Err(RegistryError::NotSponsored),
                None => Err(RegistryError::NotFound),
            };
        };
        if d.record.sponsoring_registrar != self.client_id {
            return Err(RegistryError::NotSponsored);
        }
        match status {
            RgpStatus::RedemptionPeriod => Ok(d),
            RgpStatus::PendingRestore if pending_restore_ok => Ok(d),
            other => Err(RegistryError::StatusProhibits(format!(
                "{name} is in {}, not redemptionPeriod",
                other.as_str()
            ))),
        }
    }

    /// RFC 3915 §4.2 restore request by the registrar this acts for: the
    /// name it deleted, in `redemptionPeriod`, goes to `pendingRestore`
    /// until [`Self::restore_report`]. Errors as [`Registry::restore`].
    pub async fn restore_request(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let d = self.restorable(name, now, false).await?;
        if self
            .store
            .registry_restore_request(name, &self.client_id, d.deleted_at, now)
            .await?
        {
            Ok(())
        } else {
            Err(RegistryError::NotFound)
        }
    }

    /// RFC 3915 §4.3 restore report: the name in `pendingRestore` is
    /// registered again as it stood when deleted. `StatusProhibits` (2304)
    /// when no restore was requested.
    pub async fn restore_report(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let d = self.restorable(name, now, true).await?;
        if d.restore_requested_at.is_none() {
            return Err(RegistryError::StatusProhibits(format!(
                "{name} has no restore request to report on"
            )));
        }
        if self
            .store
            .registry_restore(name, &self.client_id, d.deleted_at, now)
            .await?
        {
            Ok(())
        } else {
            Err(RegistryError::NotFound)
        }
    }
}

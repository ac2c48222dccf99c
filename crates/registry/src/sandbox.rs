//! The embedded sandbox registry: names kept in the installation's own
//! database (`registry_names`), acting for our registrar or, served over
//! EPP, for any registrar (`acting_as`); the operator plays the other
//! registrars (`vpsd registry ...`).

use super::*;

mod changes;
mod contacts;
mod hosts;
mod others;
mod rgp;
mod transfers;

/// The embedded registry, kept in the project's own database, acting for
/// one registrar (its `clID`).
#[derive(Debug, Clone)]
pub struct SandboxRegistry {
    store: Arc<dyn RegistryStore>,
    /// The registrar this handle acts for (EPP `clID`).
    client_id: String,
    /// How long a transfer waits for the losing registrar.
    transfer_delay: chrono::Duration,
}

impl SandboxRegistry {
    /// The registry kept in `store`'s registry tables (it needs nothing
    /// else of the store; an `Arc<dyn Store>` upcasts to it).
    /// It acts for this installation's own registrar ([`OUR_REGISTRAR`]).
    pub fn new(store: Arc<dyn RegistryStore>) -> Self {
        Self {
            store,
            client_id: OUR_REGISTRAR.to_owned(),
            transfer_delay: DEFAULT_TRANSFER_DELAY,
        }
    }

    /// The same registry, acting for registrar `client_id` (EPP `clID`, a
    /// registrar logged in over EPP): every rule that says "we" means it.
    /// `transfer_delay` is how long a transfer waits for the losing
    /// registrar before the registry approves it (`serverApproved`).
    pub fn acting_as(
        store: Arc<dyn RegistryStore>,
        client_id: &str,
        transfer_delay: chrono::Duration,
    ) -> Self {
        Self {
            store,
            client_id: client_id.to_owned(),
            transfer_delay,
        }
    }

    /// The registrar this handle acts for (EPP `clID`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The store behind it (host objects, poll queues, registrars).
    pub fn store(&self) -> &Arc<dyn RegistryStore> {
        &self.store
    }

    /// How long a transfer waits for the losing registrar.
    pub fn transfer_delay(&self) -> chrono::Duration {
        self.transfer_delay
    }

    /// EPP `<domain:create>` (RFC 5731 §3.2.1) for the registrar this acts
    /// for, with the given `auth_code` and `clientTransferProhibited`.
    /// Creating a name it sponsors already returns that record (a retried
    /// create is harmless); `Taken` when another registrar sponsors it.
    pub async fn create_with(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        auth_code: &str,
        client_transfer_prohibited: bool,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let record = RegistryRecord {
            name: name.to_owned(),
            sponsoring_registrar: self.client_id.clone(),
            auth_code: auth_code.to_owned(),
            created_at: now,
            ex_date: add_years(now, years),
            last_transferred_at: None,
            client_transfer_prohibited,
            nameservers: nameservers.to_vec(),
            pending_transfer_to: None,
            server_statuses: Vec::new(),
        };
        let linked = self.linked_hosts(nameservers);
        match self.insert_fresh(&record, &linked, now).await {
            Ok(None) => Ok(record),
            Ok(Some(host)) => Err(Self::no_host(&host)),
            Err(StoreError::Conflict { .. }) => match self.info(name).await? {
                Some(existing) if existing.sponsoring_registrar == self.client_id => Ok(existing),
                Some(existing) => Err(RegistryError::Taken {
                    sponsoring_registrar: existing.sponsoring_registrar,
                }),
                // Deleted and not purged yet (RFC 3915): held for its
                // sponsor's restore, even when that is us.
                None => match self.holder(name, now).await? {
                    Some(held) => Err(RegistryError::Taken {
                        sponsoring_registrar: held.sponsoring_registrar,
                    }),
                    None => Err(RegistryError::Unavailable("create raced a delete".into())),
                },
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Inserts `record`; when the name's row is a deletion whose redemption
    /// and pending deletion are over, purges it first (lazily, RFC 3915
    /// §3.1) and inserts again. `Conflict` while the name is registered or
    /// still kept for redemption. The hosts of `linked` must be host objects
    /// (checked in the insert's transaction): `Some(host)`, nothing
    /// inserted, names one that is not.
    async fn insert_fresh(
        &self,
        record: &RegistryRecord,
        linked: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        match self.insert_linked(record, linked, now).await {
            Err(StoreError::Conflict { constraint }) => {
                let purged = match self.store.registry_deleted(&record.name).await? {
                    Some(d)
                        if RgpStatus::at(d.deleted_at, d.restore_requested_at, now).is_none() =>
                    {
                        self.store
                            .registry_purge(&record.name, d.deleted_at)
                            .await?
                    }
                    _ => false,
                };
                if purged {
                    // The purged name's contacts went with it.
                    self.store
                        .registry_set_domain_contacts(&record.name, &Default::default())
                        .await?;
                    self.insert_linked(record, linked, now).await
                } else {
                    Err(StoreError::Conflict { constraint })
                }
            }
            other => other,
        }
    }

    /// The name as registered, or as deleted and not purged at `now` (its
    /// sponsor holds it through the redemption grace period); `None` when
    /// it is free.
    async fn holder(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RegistryRecord>, RegistryError> {
        if let Some(r) = self.info(name).await? {
            return Ok(Some(r));
        }
        Ok(self.deleted(name, now).await?.map(|(d, _)| d.record))
    }

    /// The gaining registrar withdraws its pending transfer of `object` at
    /// `now`; the losing registrar gets a poll message (`clientCancelled`).
    /// `true` when it was pending to the registrar this acts for.
    pub async fn cancel_pending(
        &self,
        object: &RegistryObject,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let notice = self.transfer_notice(object, &self.client_id, TrStatus::ClientCancelled, now);
        let poll = [Self::poll_message(
            &object.record.sponsoring_registrar,
            &notice,
        )];
        self.store
            .registry_cancel_transfer(&object.record.name, &self.client_id, &poll)
            .await
    }

    /// The losing registrar rejects the pending transfer of `object` to
    /// `gaining` at `now`; the gaining registrar gets a poll message
    /// (`clientRejected`). `true` when it was pending.
    pub async fn reject_pending(
        &self,
        object: &RegistryObject,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let notice = self.transfer_notice(object, gaining, TrStatus::ClientRejected, now);
        let poll = [Self::poll_message(gaining, &notice)];
        self.store
            .registry_cancel_transfer(&object.record.name, gaining, &poll)
            .await
    }

    /// Adds a name held at another registrar (the operator's
    /// `vpsd registry add`). `Taken` if the name is registered already.
    pub async fn add(
        &self,
        record: &RegistryRecord,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        match self.insert_fresh(record, &[], now).await.map(|_| ()) {
            Err(StoreError::Conflict { .. }) => Err(RegistryError::Taken {
                sponsoring_registrar: self
                    .holder(&record.name, now)
                    .await?
                    .map(|r| r.sponsoring_registrar)
                    .unwrap_or_default(),
            }),
            other => Ok(other?),
        }
    }

    /// Whether a transfer of `record` to `gaining` is allowed now.
    pub fn judge(
        record: Option<&RegistryRecord>,
        gaining: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        let Some(r) = record else {
            return Err(TransferRefusal::NotRegistered);
        };
        if r.sponsoring_registrar == gaining {
            return Err(TransferRefusal::AlreadyOurs);
        }
        if r.pending_transfer_to.is_some() {
            return Err(TransferRefusal::InProgress);
        }
        if r.client_transfer_prohibited
            || server_status_allows(r, SERVER_TRANSFER_PROHIBITED).is_err()
        {
            return Err(TransferRefusal::Prohibited);
        }
        let since = r
            .last_transferred_at
            .unwrap_or(r.created_at)
            .max(r.created_at);
        let eligible_at = transfer_eligible_at(since);
        if now < eligible_at {
            return Err(TransferRefusal::TooSoon { eligible_at });
        }
        // Constant time: the comparison must not tell how much of a guess
        // was right.
        if !secrets_equal(auth_code, &r.auth_code) {
            return Err(TransferRefusal::InvalidAuthCode);
        }
        Ok(())
    }
}

#[async_trait]
impl Registry for SandboxRegistry {
    async fn fees(
        &self,
        name: &str,
        years: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<RegistryFees>, RegistryError> {
        self.premium_fees(name, years, now).await
    }

    async fn info(&self, name: &str) -> Result<Option<RegistryRecord>, RegistryError> {
        Ok(self.store.registry_get(name).await?)
    }

    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        contacts: Option<&RegistryDomainContacts>,
        // The embedded sandbox charges nobody: its own registrations are
        // priced from its premium table when quoted.
        _fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        if let Some(contacts) = contacts {
            self.check_contacts(contacts).await?;
        }
        let record = self
            .create_with(name, years, nameservers, &new_auth_code(), true, now)
            .await?;
        if let Some(contacts) = contacts {
            self.link_contacts(name, contacts).await?;
        }
        Ok(record)
    }

    /// The embedded sandbox keeps every name's contacts, as a thick
    /// registry does.
    fn contacts_required(&self, _name: &str) -> bool {
        true
    }

    async fn put_contact(
        &self,
        _for_name: &str,
        id: &str,
        data: &vpsd_domain::contact::ContactData,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.sandbox_put_contact(id, data, now).await
    }

    async fn set_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.sandbox_set_contacts(name, contacts).await
    }

    async fn delete(&self, name: &str, now: DateTime<Utc>) -> Result<(), RegistryError> {
        let Some(r) = self.info(name).await? else {
            return Ok(());
        };
        if r.sponsoring_registrar != self.client_id {
            return Ok(());
        }
        server_status_allows(&r, SERVER_DELETE_PROHIBITED)?;
        let deleted = if now < r.created_at + chrono::Duration::days(ADD_GRACE_DAYS) {
            self.store.registry_delete(name, &self.client_id).await?
        } else {
            self.store
                .registry_delete_to_redemption(name, &self.client_id, now)
                .await?
        };
        if !deleted {
            // RFC 5731 §2.3: pendingTransfer forbids a delete (checked in
            // the statement, so a transfer asked for meanwhile wins).
            if let Some(now) = self.info(name).await? {
                if now.sponsoring_registrar == self.client_id && now.pending_transfer_to.is_some() {
                    return Err(RegistryError::StatusProhibits(
                        "a transfer is pending (pendingTransfer)".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    async fn restore(
        &self,
        name: &str,
        _deleted_at: DateTime<Utc>,
        _fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.restore_request(name, now).await?;
        self.restore_report(name, now).await
    }

    async fn update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        match self.info(name).await? {
            None => return Err(RegistryError::NotFound),
            Some(r) if r.sponsoring_registrar != self.client_id => {
                return Err(RegistryError::NotSponsored)
            }
            Some(r) => server_status_allows(&r, SERVER_UPDATE_PROHIBITED)?,
        }
        if self
            .update_linked(name, nameservers, client_transfer_prohibited, now)
            .await?
        {
            return Ok(());
        }
        // Changed meanwhile: a transfer landed or is pending, or it is gone.
        match self.info(name).await? {
            None => Err(RegistryError::NotFound),
            Some(r) if r.sponsoring_registrar != self.client_id => Err(RegistryError::NotSponsored),
            Some(_) => Err(RegistryError::StatusProhibits(
                "a transfer is pending (pendingTransfer)".into(),
            )),
        }
    }

    async fn renew(
        &self,
        name: &str,
        cur_exp_date: DateTime<Utc>,
        years: u32,
        _fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let to = add_years(cur_exp_date, years);
        if let Some(r) = self.info(name).await? {
            if r.sponsoring_registrar == self.client_id {
                server_status_allows(&r, SERVER_RENEW_PROHIBITED)?;
            }
        }
        self.store
            .registry_renew(name, &self.client_id, cur_exp_date, to, now)
            .await?;
        match self.info(name).await? {
            Some(r) if r.sponsoring_registrar == self.client_id && r.ex_date == to => Ok(r),
            Some(r) if r.sponsoring_registrar != self.client_id => Err(RegistryError::NotSponsored),
            Some(r) => Err(RegistryError::Unavailable(
                format!(
                    "the registry has {name} expiring at {}, not {cur_exp_date}",
                    r.ex_date
                )
                .into(),
            )),
            None => Err(RegistryError::NotFound),
        }
    }

    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        let record = self.store.registry_get(name).await?;
        Self::judge(record.as_ref(), &self.client_id, auth_code, now)
    }

    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        _fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        self.check_transfer(name, auth_code, now).await?;
        let object = self.object(name).await?;
        let pending = RegistryObject {
            transfer_requested_at: Some(now),
            ..object
        };
        let notice = self.transfer_notice(&pending, &self.client_id, TrStatus::Pending, now);
        let poll = [Self::poll_message(
            &pending.record.sponsoring_registrar,
            &notice,
        )];
        if self
            .store
            .registry_request_transfer(name, &self.client_id, now, &poll)
            .await?
        {
            Ok(())
        } else {
            Err(TransferRefusal::InProgress)
        }
    }

    async fn complete_transfer(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, TransferRefusal> {
        let object = self.object(name).await?;
        let record = &object.record;
        if record.pending_transfer_to.as_deref() == Some(self.client_id.as_str()) {
            self.settle(&object, TrStatus::ServerApproved, now).await?;
        } else if record.sponsoring_registrar != self.client_id {
            return Err(TransferRefusal::NotPending);
        }
        // Settled now, or by an earlier run: read what stands.
        let record = self
            .store
            .registry_get(name)
            .await?
            .ok_or(TransferRefusal::NotRegistered)?;
        if record.sponsoring_registrar == self.client_id {
            Ok(record)
        } else {
            Err(TransferRefusal::NotPending)
        }
    }

    async fn cancel_transfer(&self, name: &str) -> Result<(), TransferRefusal> {
        let Some(object) = self.store.registry_object(name).await? else {
            return Ok(());
        };
        // The trait's cancel carries no time: the notice is dated at the
        // name's last change.
        let at = object.updated_at;
        if self.cancel_pending(&object, at).await? {
            return Ok(());
        }
        // Not pending to us: completed already (ours now), or ended
        // otherwise (cancelled before, rejected).
        match self.store.registry_get(name).await? {
            Some(r) if r.sponsoring_registrar == self.client_id => {
                Err(TransferRefusal::AlreadyOurs)
            }
            _ => Ok(()),
        }
    }

    async fn approve_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        let object = self.object(name).await?;
        let record = &object.record;
        if record.sponsoring_registrar == gaining {
            // Approved already (a retried job).
            return Ok(());
        }
        if record.sponsoring_registrar != self.client_id {
            return Err(TransferRefusal::SponsoredElsewhere);
        }
        if record.pending_transfer_to.as_deref() != Some(gaining) {
            return Err(TransferRefusal::NotPending);
        }
        if self.settle(&object, TrStatus::ClientApproved, now).await? {
            Ok(())
        } else {
            Err(TransferRefusal::NotPending)
        }
    }

    async fn reject_transfer(&self, name: &str, gaining: &str) -> Result<(), TransferRefusal> {
        let Some(object) = self.store.registry_object(name).await? else {
            return Ok(());
        };
        if object.record.pending_transfer_to.as_deref() != Some(gaining) {
            return Ok(());
        }
        if object.record.sponsoring_registrar != self.client_id {
            return Err(TransferRefusal::SponsoredElsewhere);
        }
        let at = object.updated_at;
        self.reject_pending(&object, gaining, at).await?;
        Ok(())
    }

    async fn set_auth_code(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        // An authInfo change is a <domain:update> (RFC 5731 §3.2.5).
        if let Some(r) = self.info(name).await? {
            if r.sponsoring_registrar == self.client_id {
                server_status_allows(&r, SERVER_UPDATE_PROHIBITED)?;
            }
        }
        if self
            .store
            .registry_set_auth_code(name, &self.client_id, auth_code, now)
            .await?
        {
            Ok(())
        } else {
            Err(RegistryError::NotSponsored)
        }
    }

    async fn hosts(&self, domain: &str) -> Result<Vec<HostObject>, RegistryError> {
        self.sandbox_hosts(domain).await
    }

    async fn host_info(&self, name: &str) -> Result<Option<HostObject>, RegistryError> {
        self.sandbox_host_info(name).await
    }

    async fn host_create(
        &self,
        name: &str,
        addresses: &[std::net::IpAddr],
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.sandbox_host_create(name, addresses, now).await
    }

    async fn host_update(
        &self,
        name: &str,
        addresses: &[std::net::IpAddr],
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.sandbox_host_update(name, addresses).await
    }

    async fn host_delete(&self, name: &str, _now: DateTime<Utc>) -> Result<(), RegistryError> {
        self.sandbox_host_delete(name).await
    }

    fn is_sandbox(&self) -> bool {
        true
    }
}

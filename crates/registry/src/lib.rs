//! The registry of record, behind the [`Registry`] trait.
//!
//! A registrar does not own names; the registry of each TLD does, and the
//! registrar speaks EPP (RFC 5730, domain mapping RFC 5731) to it. The trait
//! names the EPP operations this project needs (`info`, `create`, `update`,
//! `delete`, and the transfer `request`/`approve`/`cancel` of RFC 5731
//! §3.2.4), so an EPP client can take the sandbox's place later.
//!
//! [`SandboxRegistry`] is the embedded registry: its names live in the same
//! database (`registry_names`), other registrars' names are added by the
//! operator (`vpsd registry add`), and the losing registrar approves every
//! valid transfer when the transfer delay has passed.
//!
//! A name its sponsor deletes is kept through the redemption grace period
//! (RFC 3915 §3.1): `redemptionPeriod` for 30 days, during which the
//! sponsor may restore it ([`Registry::restore`]; over EPP a restore
//! request, then its report, `pendingRestore` in between), then
//! `pendingDelete` for 5 days, then it is purged and free to register. A
//! delete within 5 days of the create (the add grace period) purges it at
//! once. No timer moves a deleted name on: its status is decided from its
//! deletion's date whenever it is read ([`SandboxRegistry::deleted`]), and
//! a purged name's row goes when the name is next created or added.
//!
//! A `SandboxRegistry` acts for one registrar (EPP `clID`):
//! [`SandboxRegistry::new`] for this installation's own ([`OUR_REGISTRAR`]),
//! [`SandboxRegistry::acting_as`] for a registrar logged in over EPP
//! (`vpsd-epp-server`). Every transfer event queues poll messages (RFC 5730
//! §2.9.2.3, RFC 5731 §3.1.3) in the transaction of the change: a request
//! tells the losing registrar (`pending`), an approval or rejection tells the
//! gaining one, a cancellation the losing one, and a transfer the registry
//! approves by itself after the transfer delay (`serverApproved`) tells
//! both. The registry approves due transfers lazily: whoever serves the
//! registry calls [`SandboxRegistry::settle_due`] before answering a command
//! about a name, and [`SandboxRegistry::settle_all_due`] before reading a poll
//! queue; the installation's own worker completes its transfers as before.

mod request_id;
mod router;
mod trail;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::Rng;
use vpsd_domain::lifecycle::{
    add_years, expiration_after_transfer, transfer_eligible_at, ADD_GRACE_DAYS,
};
use vpsd_domain::token::secrets_equal;
use vpsd_storage::{RegistryStore, StoreError};

pub use request_id::{request_id, with_request_id};
pub use router::RegistryRouter;
pub use trail::{record, recording, RegistryTransaction};
pub use vpsd_domain::lifecycle::RgpStatus;
pub use vpsd_storage::{
    DeletedName, NewPollMessage, PollMessage, RegistryHost, RegistryObject, RegistryRecord,
    TrStatus, TransferNotice,
};

/// How long a transfer waits for the losing registrar before the registry
/// approves it (5 days, ICANN Transfer Policy §I.A.3.4) when the registry is
/// not told otherwise ([`SandboxRegistry::acting_as`]).
pub const DEFAULT_TRANSFER_DELAY: chrono::Duration = chrono::Duration::days(5);

/// This registrar's name at the registry (defined by the domain crate).
pub use vpsd_domain::OUR_REGISTRAR;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The name is registered already (EPP 2302 "Object exists").
    #[error("registered at {sponsoring_registrar}")]
    Taken { sponsoring_registrar: String },
    /// EPP 2303 "Object does not exist".
    #[error("not registered")]
    NotFound,
    /// EPP 2201 "Authorization error": another registrar sponsors it.
    #[error("sponsored by another registrar")]
    NotSponsored,
    /// The registry refused the command for a reason the other variants do
    /// not name (an EPP 2xxx result, RFC 5730 §3): definite, nothing
    /// changed there.
    #[error("the registry refused it ({code}: {message})")]
    Refused {
        /// The EPP result code.
        code: u16,
        /// The registry's `<msg>`.
        message: String,
    },
    /// The command was sent, its answer never came, and the registry could
    /// not be asked how things stand: it may or may not have taken effect.
    /// Never guess: ask again later (the cause is kept).
    #[error("outcome unknown at the registry")]
    Unknown(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The name's status forbids the command (EPP 2304 "Object status
    /// prohibits operation"): for a restore, the name is not in its
    /// redemption period (RFC 3915 §4.2).
    #[error("status prohibits it: {0}")]
    StatusProhibits(String),
    /// The registry took the command but has not finished it (EPP 1001
    /// "action pending", RFC 5730 §3): ask again later.
    #[error("pending at the registry")]
    Pending,
    /// The registry could not be reached or failed; the cause is kept.
    #[error("registry unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// A message of a registry's poll queue for us (RFC 5730 §2.9.2.3), as
/// the registrar acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryMessage {
    /// The registry it came from ([`Registry::label`]), to acknowledge it
    /// there.
    pub registry: String,
    /// `<msgQ id>`: unique in that registry's queue.
    pub id: String,
    /// `<qDate>`.
    pub queued_at: DateTime<Utc>,
    /// `<msg>`: the registry's words.
    pub text: String,
    /// `<domain:trnData>` (RFC 5731 §3.1.3) when it reports a transfer, with
    /// our own clID shown as [`OUR_REGISTRAR`].
    pub transfer: Option<TransferNotice>,
}

/// Why a transfer request is refused (RFC 5731 §3.2.4, ICANN Transfer
/// Policy §I.A.3.7).
#[derive(Debug, thiserror::Error)]
pub enum TransferRefusal {
    #[error("not registered")]
    NotRegistered,
    #[error("already sponsored by us")]
    AlreadyOurs,
    /// `clientTransferProhibited` at the current registrar.
    #[error("transfer prohibited")]
    Prohibited,
    /// Created or transferred less than 60 days ago.
    #[error("too soon, eligible at {eligible_at}")]
    TooSoon { eligible_at: DateTime<Utc> },
    #[error("invalid auth code")]
    InvalidAuthCode,
    #[error("transfer already pending")]
    InProgress,
    /// Another registrar sponsors it, so it is not ours to give.
    #[error("sponsored by another registrar")]
    SponsoredElsewhere,
    /// No transfer to us is pending (it was cancelled or rejected).
    #[error("no transfer pending")]
    NotPending,
    /// Our transfer is still pending at the registry (EPP trStatus
    /// `pending`): the losing registrar has not acted and the registry has
    /// not approved it yet.
    #[error("transfer still pending")]
    StillPending,
    /// The registry could not be reached or failed; the cause is kept.
    #[error("registry unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl From<StoreError> for RegistryError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => RegistryError::NotFound,
            other => RegistryError::Unavailable(Box::new(other)),
        }
    }
}

impl From<StoreError> for TransferRefusal {
    fn from(e: StoreError) -> Self {
        TransferRefusal::Unavailable(Box::new(e))
    }
}

/// The registry of record, as a registrar sees it.
#[async_trait]
pub trait Registry: Send + Sync + std::fmt::Debug {
    /// EPP `<domain:info>`: the name's record, or `None` when it is free.
    async fn info(&self, name: &str) -> Result<Option<RegistryRecord>, RegistryError>;
    /// EPP `<domain:check>`: whether the name can be created now.
    async fn check(&self, name: &str) -> Result<bool, RegistryError> {
        Ok(self.info(name).await?.is_none())
    }
    /// EPP `<domain:create>` for us. Creating a name we already sponsor
    /// succeeds, so a retried create is harmless.
    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError>;
    /// EPP `<domain:delete>` of a name we sponsor at `now`: within the add
    /// grace period it undoes the create; after it the registry keeps the
    /// name in its redemption grace period (RFC 3915 §3.1), restorable with
    /// [`Registry::restore`]. Deleting a name that is not ours any more
    /// (deleted already, purged, never ours) succeeds, so a repeated delete
    /// is harmless.
    async fn delete(&self, name: &str, now: DateTime<Utc>) -> Result<(), RegistryError>;
    /// RFC 3915 restore of a name we deleted at `deleted_at` and that is in
    /// its redemption period: the restore request (`<domain:update>` with
    /// `<rgp:restore op="request"/>`, §4.2), then its report (`op="report"`
    /// with the deletion and restore times, §4.3), at `now`. The name comes
    /// back with its term as it was (a renewal is the caller's).
    ///
    /// # Errors
    /// `StatusProhibits` (EPP 2304) when the name is not in its redemption
    /// period (never deleted, or pending deletion), `NotSponsored` (2201)
    /// when another registrar deleted it, `NotFound` (2303) when it is
    /// purged or unknown, `Unavailable` otherwise.
    async fn restore(
        &self,
        name: &str,
        deleted_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError>;
    /// EPP `<domain:update>`: nameservers and `clientTransferProhibited`.
    async fn update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError>;
    /// EPP `<domain:renew>` (RFC 5731 §3.2.3): extends the term ending at
    /// `cur_exp_date` by `years`. Renewing again with the same
    /// `cur_exp_date` after it took effect returns the record again.
    async fn renew(
        &self,
        name: &str,
        cur_exp_date: DateTime<Utc>,
        years: u32,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError>;
    /// Whether a transfer to us would be accepted now, without asking.
    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal>;
    /// EPP `<domain:transfer op="request">`.
    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal>;
    /// Settles a pending transfer to us once the losing registrar's window
    /// has passed; returns the record as it now stands. Settling one that is
    /// already ours returns the record again.
    async fn complete_transfer(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, TransferRefusal>;
    /// EPP `<domain:transfer op="cancel">`.
    async fn cancel_transfer(&self, name: &str) -> Result<(), TransferRefusal>;
    /// EPP `<domain:transfer op="approve">`: as the losing registrar, lets
    /// the pending transfer of a name we sponsor go to `gaining` now.
    async fn approve_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal>;
    /// EPP `<domain:transfer op="reject">`: as the losing registrar, refuses
    /// the pending transfer of a name we sponsor.
    async fn reject_transfer(&self, name: &str, gaining: &str) -> Result<(), TransferRefusal>;
    /// EPP `<domain:update>` of `<domain:authInfo>`: a new auth code.
    async fn set_auth_code(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError>;
    /// EPP `<poll op="req">` (RFC 5730 §2.9.2.3): the oldest message of
    /// the registry's queue for us, left there until [`Registry::ack`].
    /// `None` when the queue is empty, and always for the embedded sandbox
    /// (its other registrars are played by the operator's commands).
    async fn poll(&self) -> Result<Option<RegistryMessage>, RegistryError> {
        Ok(None)
    }
    /// EPP `<poll op="ack">`: takes `message` off the queue, once it has
    /// been acted on.
    async fn ack(&self, _message: &RegistryMessage) -> Result<(), RegistryError> {
        Ok(())
    }
    /// The registry's name in messages and logs (the registries file's
    /// `name`; `sandbox` for the embedded one).
    fn label(&self) -> &str {
        "sandbox"
    }
    /// Whether `name`'s commands go to the embedded sandbox (with real
    /// registries for some TLDs, the others stay there).
    fn is_sandbox_name(&self, _name: &str) -> bool {
        self.is_sandbox()
    }
    /// Whether this is the embedded sandbox (its test clock and scenarios
    /// may be used) rather than a real registry.
    fn is_sandbox(&self) -> bool {
        false
    }
}

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

/// A new EPP auth code: 16 characters from an unambiguous alphabet.
pub fn new_auth_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789#%+";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
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
    fn poll_message(to: &str, notice: &TransferNotice) -> NewPollMessage {
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
    async fn object(&self, name: &str) -> Result<RegistryObject, TransferRefusal> {
        self.store
            .registry_object(name)
            .await?
            .ok_or(TransferRefusal::NotRegistered)
    }

    /// Moves the pending transfer of `object` to its gaining registrar with
    /// `tr_status` (approved by the loser, or by the registry: then both
    /// registrars get a poll message, else the gaining one). `true` when
    /// it moved.
    async fn settle(
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
        };
        match self.insert_fresh(&record, now).await {
            Ok(()) => Ok(record),
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
    /// still kept for redemption.
    async fn insert_fresh(
        &self,
        record: &RegistryRecord,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        match self.store.registry_insert(record, now).await {
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
                    self.store.registry_insert(record, now).await
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
        match self.insert_fresh(record, now).await {
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
        if r.client_transfer_prohibited {
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
    async fn info(&self, name: &str) -> Result<Option<RegistryRecord>, RegistryError> {
        Ok(self.store.registry_get(name).await?)
    }

    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        self.create_with(name, years, nameservers, &new_auth_code(), true, now)
            .await
    }

    async fn delete(&self, name: &str, now: DateTime<Utc>) -> Result<(), RegistryError> {
        let Some(r) = self.info(name).await? else {
            return Ok(());
        };
        if r.sponsoring_registrar != self.client_id {
            return Ok(());
        }
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
            Some(_) => {}
        }
        if self
            .store
            .registry_update(
                name,
                &self.client_id,
                nameservers,
                client_transfer_prohibited,
                now,
            )
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
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let to = add_years(cur_exp_date, years);
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
        self.cancel_pending(&object, at).await?;
        Ok(())
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

    fn is_sandbox(&self) -> bool {
        true
    }
}

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

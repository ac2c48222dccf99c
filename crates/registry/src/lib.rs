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

mod fees;
mod request_id;
mod router;
mod sandbox;
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

pub use fees::{amount_cents, format_cents, RegistryFees, FEE_CLASS_PREMIUM, FEE_NS};
pub use request_id::{request_id, with_request_id};
pub use router::RegistryRouter;
pub use sandbox::SandboxRegistry;
pub use trail::{record, recording, RegistryTransaction};
pub use vpsd_domain::lifecycle::RgpStatus;
pub use vpsd_storage::{
    AgreedFee, ChangeMessage, ChangeNotice, DeletedName, LinkedUpdate, NewChangeMessage,
    NewPollMessage, PollMessage, PremiumName, RegistryContactObject, RegistryDomainContacts,
    RegistryHost, RegistryObject, RegistryRecord, TrStatus, TransferNotice,
};

/// The statuses a registry sets on a name by itself and a registrar follows
/// (RFC 5731 §2.3), as EPP spells them: `serverHold` (the name is not
/// published in the TLD's zone), and the four that make the registry
/// refuse a command with result 2304 (RFC 5730 §3).
pub const SERVER_STATUSES: [&str; 5] = [
    SERVER_HOLD,
    SERVER_TRANSFER_PROHIBITED,
    SERVER_UPDATE_PROHIBITED,
    SERVER_DELETE_PROHIBITED,
    SERVER_RENEW_PROHIBITED,
];
/// `serverHold` (RFC 5731 §2.3): the registry keeps the name out of the
/// TLD's zone, so it does not resolve.
pub const SERVER_HOLD: &str = "serverHold";
/// `serverTransferProhibited` (RFC 5731 §2.3): transfer requests refused.
pub const SERVER_TRANSFER_PROHIBITED: &str = "serverTransferProhibited";
/// `serverUpdateProhibited` (RFC 5731 §2.3): `<domain:update>` refused.
pub const SERVER_UPDATE_PROHIBITED: &str = "serverUpdateProhibited";
/// `serverDeleteProhibited` (RFC 5731 §2.3): `<domain:delete>` refused.
pub const SERVER_DELETE_PROHIBITED: &str = "serverDeleteProhibited";
/// `serverRenewProhibited` (RFC 5731 §2.3): `<domain:renew>` refused.
pub const SERVER_RENEW_PROHIBITED: &str = "serverRenewProhibited";

/// `Err(StatusProhibits)` (EPP 2304, RFC 5730 §3) naming `status` when
/// `record` carries it among its server statuses; `Ok` otherwise.
///
/// # Errors
/// [`RegistryError::StatusProhibits`] when the status is set.
pub fn server_status_allows(record: &RegistryRecord, status: &str) -> Result<(), RegistryError> {
    if record.server_statuses.iter().any(|s| s == status) {
        Err(RegistryError::StatusProhibits(format!(
            "the registry set {status} on {}",
            record.name
        )))
    } else {
        Ok(())
    }
}

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
    /// `<changePoll:changeData>` (RFC 8590) when it reports a change the
    /// registry made to one of our names by itself (its `<domain:infData>`
    /// names the domain).
    pub change: Option<ChangeNotice>,
}

/// A host object (RFC 5732) as the registry holds it: a name server whose
/// name is inside a domain of the registry (an internal host, RFC 5732 §1)
/// carries its addresses, the glue the registry publishes with the
/// delegation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostObject {
    /// `<host:name>`, lower case.
    pub name: String,
    /// `<host:addr>`: IPv4 and IPv6, in the order the registry gave them.
    pub addresses: Vec<std::net::IpAddr>,
    /// Status `linked` (RFC 5732 §2.3): a domain delegates to it, so it
    /// cannot be deleted.
    pub linked: bool,
}

/// EPP 2305 "Object association prohibits operation" (RFC 5730 §3): the
/// result code of a delete of a host a domain still delegates to (RFC
/// 5732 §3.2.2), as [`RegistryError::Refused`] carries it.
pub const ASSOCIATION_PROHIBITS: u16 = 2305;

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
    /// Whether `name`, sponsored by us, was deleted at the registry and
    /// waits in its redemption grace period (EPP status `pendingDelete`,
    /// RFC 3915 §3.1); `false` for a name that stands, or is not ours.
    ///
    /// # Errors
    /// `Unavailable` when the registry cannot tell.
    async fn in_redemption(&self, name: &str) -> Result<bool, RegistryError> {
        let _ = name;
        Ok(false)
    }
    /// EPP `<domain:check>`: whether the name can be created now.
    async fn check(&self, name: &str) -> Result<bool, RegistryError> {
        Ok(self.info(name).await?.is_none())
    }
    /// What the registry charges us for `name` over `years` years (RFC
    /// 8748 `<fee:check>`, §3.1.1), when it prices the name apart from
    /// its TLD's standard price (a premium name); `None` for standard
    /// pricing, and always for a registry that does not announce the fee
    /// extension.
    ///
    /// # Errors
    /// `Unavailable` when the registry cannot tell (unreachable, or its
    /// answer cannot be read): never guess a price.
    async fn fees(
        &self,
        _name: &str,
        _years: u32,
        _now: DateTime<Utc>,
    ) -> Result<Option<RegistryFees>, RegistryError> {
        Ok(None)
    }
    /// EPP `<domain:create>` for us. Creating a name we already sponsor
    /// succeeds, so a retried create is harmless. `fee` is the create fee
    /// of a premium name as [`Registry::fees`] told it when the customer
    /// was charged: the command carries exactly it (RFC 8748 §5.2.1
    /// `<fee:create>`) and is not priced again, so a registry that raised
    /// its fee since refuses the create (EPP 2004, `Refused`) instead of
    /// charging more; `None` for a standard name (no fee sent).
    /// `contacts`: the name's `<domain:registrant>` and `<domain:contact>`s
    /// (RFC 5731 §3.2.1), for a registry that wants them
    /// ([`Registry::contacts_required`]), each an object made there first
    /// ([`Registry::put_contact`]); `None` sends none.
    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        contacts: Option<&RegistryDomainContacts>,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError>;
    /// Whether the registry of `name` wants a domain's contacts (a "thick"
    /// registry such as .org's: registrant, admin, tech and billing) on
    /// create and update: the registries file's `contacts = "required"`.
    /// `false` for a thin one (Verisign's .com and .net since 2024), which
    /// is sent none.
    fn contacts_required(&self, name: &str) -> bool {
        let _ = name;
        false
    }
    /// The label ([`Registry::label`]) of the registry that serves `name`:
    /// the same contact is one object per registry.
    fn label_for(&self, name: &str) -> &str {
        let _ = name;
        self.label()
    }
    /// Makes the registry of `for_name` hold the contact object `id` (RFC
    /// 5733) with `data`: `<contact:check>`, then `<contact:create>` with a
    /// new authInfo (generated, sent, never kept or logged: only its
    /// sponsor changes the object, and contacts are not transferred here)
    /// when it has none, else `<contact:update>` of its data. Putting the
    /// same data again changes nothing there, so a retry is harmless.
    ///
    /// # Errors
    /// `NotSponsored` when another registrar's object has that id,
    /// `Refused` for data the registry will not take, `Unavailable` when it
    /// cannot be reached (send it again later).
    async fn put_contact(
        &self,
        for_name: &str,
        id: &str,
        data: &vpsd_domain::contact::ContactData,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let _ = (for_name, id, data, now);
        Err(contacts_not_served())
    }
    /// EPP `<domain:update>` of a name we sponsor: its registrant
    /// (`<domain:chg><domain:registrant>`) and contacts (`<domain:add>` and
    /// `<domain:rem>` of `<domain:contact type>`, RFC 5731 §3.2.5) become
    /// `contacts`, each an object made there first.
    ///
    /// # Errors
    /// `NotFound`, `NotSponsored`, `Refused` (2303 for a contact id the
    /// registry does not hold), `Unavailable`.
    async fn set_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let _ = (name, contacts, now);
        Err(contacts_not_served())
    }
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
    /// back with its term as it was (a renewal is the caller's). `fee`: the
    /// agreed restore fee of a premium name (RFC 8748 §5.2.5
    /// `<fee:update>` on the restore request), as for [`Registry::create`].
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
        fee: Option<&AgreedFee>,
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
    /// `fee`: the agreed renew fee of a premium name (RFC 8748 §5.2.3
    /// `<fee:renew>`), as for [`Registry::create`].
    async fn renew(
        &self,
        name: &str,
        cur_exp_date: DateTime<Utc>,
        years: u32,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError>;
    /// Whether a transfer to us would be accepted now, without asking.
    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal>;
    /// EPP `<domain:transfer op="request">`. `fee`: the agreed transfer
    /// fee of a premium name (RFC 8748 §5.2.4 `<fee:transfer>`), as for
    /// [`Registry::create`].
    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        fee: Option<&AgreedFee>,
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
    /// EPP `<domain:transfer op="cancel">` (RFC 5731 §3.2.4): as the
    /// gaining registrar, withdraws our pending transfer of `name`; the
    /// losing registrar is told by a poll message (trStatus
    /// `clientCancelled`). `Ok` also when no transfer to us is pending any
    /// more and the name is not ours (cancelled before, or rejected), so a
    /// repeated cancel is harmless.
    ///
    /// # Errors
    /// `AlreadyOurs` when the transfer completed before the cancel (we
    /// sponsor the name: nothing to refund); `Unavailable` when the
    /// registry could not be reached or could not be asked how things
    /// stand after a lost answer.
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
    /// The host objects under `domain` (RFC 5731 §3.1.2 `<domain:host>`,
    /// each read with `<host:info>`), ordered by name. A domain that is not
    /// ours is `NotSponsored`, an unknown one `NotFound`.
    async fn hosts(&self, domain: &str) -> Result<Vec<HostObject>, RegistryError> {
        let _ = domain;
        Err(hosts_not_served())
    }
    /// EPP `<host:info>` (RFC 5732 §3.1.2): `None` when there is no such
    /// host object.
    async fn host_info(&self, name: &str) -> Result<Option<HostObject>, RegistryError> {
        let _ = name;
        Err(hosts_not_served())
    }
    /// EPP `<host:create>` (RFC 5732 §3.2.1) of an internal host with its
    /// addresses (`<host:addr ip="v4|v6">`). `Taken` when a host of that
    /// name exists (EPP 2302), `NotSponsored` when another registrar
    /// sponsors the domain it is under, `Refused` for the registry's other
    /// refusals (addresses it will not take, 2306).
    async fn host_create(
        &self,
        name: &str,
        addresses: &[std::net::IpAddr],
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let _ = (name, addresses, now);
        Err(hosts_not_served())
    }
    /// EPP `<host:update>` (RFC 5732 §3.2.5): the host's addresses become
    /// `addresses` (the ones it lacks in `<host:add>`, the others in
    /// `<host:rem>`). `NotFound` when there is no such host, `NotSponsored`
    /// when another registrar sponsors it.
    async fn host_update(
        &self,
        name: &str,
        addresses: &[std::net::IpAddr],
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let _ = (name, addresses, now);
        Err(hosts_not_served())
    }
    /// EPP `<host:delete>` (RFC 5732 §3.2.2). `Refused` with
    /// [`ASSOCIATION_PROHIBITS`] (2305) while a domain delegates to it,
    /// `NotFound` when there is no such host, `NotSponsored` when another
    /// registrar sponsors it.
    async fn host_delete(&self, name: &str, now: DateTime<Utc>) -> Result<(), RegistryError> {
        let _ = (name, now);
        Err(hosts_not_served())
    }
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

/// The answer of a registry that keeps no host objects: EPP 2101
/// "Unimplemented command".
fn hosts_not_served() -> RegistryError {
    RegistryError::Refused {
        code: 2101,
        message: "this registry keeps no host objects".to_owned(),
    }
}

/// The answer of a registry that keeps no contact objects: EPP 2307
/// "Unimplemented object service" (RFC 5730 §3).
fn contacts_not_served() -> RegistryError {
    RegistryError::Refused {
        code: 2307,
        message: "this registry keeps no contact objects".to_owned(),
    }
}

/// A new EPP auth code: 16 characters from an unambiguous alphabet.
pub fn new_auth_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789#%+";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

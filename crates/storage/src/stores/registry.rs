//! The sandbox registry's own names.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::codec::{corrupt, split_hosts};
use crate::error::Result;
use crate::model::{
    ChangeMessage, DeletedName, LinkedUpdate, NewChangeMessage, NewPollMessage, PollMessage,
    RegistryHost, RegistryObject, RegistryRecord, TrStatus, TransferNotice,
};

/// The sandbox registry's own names.
///
/// Implemented for SQLite and PostgreSQL (`queries/registry.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait RegistryStore:
    crate::stores::PremiumNameStore
    + crate::stores::RegistryContactStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// The name as the registry knows it; `None` when it is not registered.
    async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>>;

    /// Registers a name. Errors: `Conflict` when it is registered already.
    async fn registry_insert(&self, record: &RegistryRecord, now: DateTime<Utc>) -> Result<()>;

    /// [`Self::registry_insert`] of a name delegating to the hosts in
    /// `linked`, each required to be a host object when it is inserted
    /// (locked in the insert's transaction, as in
    /// [`Self::registry_update_linked`]). `Updated` when inserted,
    /// `NoHost` (nothing inserted) naming a missing host. Errors:
    /// `Conflict` when the name is registered already.
    async fn registry_insert_linked(
        &self,
        record: &RegistryRecord,
        linked: &[String],
        now: DateTime<Utc>,
    ) -> Result<LinkedUpdate>;

    /// Deletes a name `sponsoring_registrar` sponsors at once (a delete in
    /// the add grace period, RFC 3915 §3.1: no redemption). `true` when
    /// deleted; `false` when it is not registered, another registrar
    /// sponsors it, or a transfer is pending (RFC 5731 §2.3).
    async fn registry_delete(&self, name: &str, sponsoring_registrar: &str) -> Result<bool>;

    /// Deletes a name `sponsoring_registrar` sponsors into the redemption
    /// grace period (RFC 3915 §3.1): it is kept with `deleted_at`, out of
    /// every other method's sight but [`Self::registry_deleted`]. `true`
    /// when deleted; `false` when it is not registered (or deleted
    /// already), another registrar sponsors it, or a transfer is pending
    /// (RFC 5731 §2.3).
    async fn registry_delete_to_redemption(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        deleted_at: DateTime<Utc>,
    ) -> Result<bool>;

    /// The name as deleted and kept for redemption; `None` when it is not
    /// deleted (registered, or never deleted, or purged). Whether it is
    /// still restorable is the caller's to decide from the dates
    /// (`vpsd_domain::lifecycle::RgpStatus::at`).
    async fn registry_deleted(&self, name: &str) -> Result<Option<DeletedName>>;

    /// Records a restore request (RFC 3915 §4.2) at `requested_at` for the
    /// name `sponsoring_registrar` deleted at `deleted_at`. `true` when
    /// recorded; `false` when no such deletion is kept.
    async fn registry_restore_request(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        deleted_at: DateTime<Utc>,
        requested_at: DateTime<Utc>,
    ) -> Result<bool>;

    /// Restores the name `sponsoring_registrar` deleted at `deleted_at`
    /// (the restore report accepted, RFC 3915 §4.3): it is registered again
    /// as it stood. `true` when restored; `false` when no such deletion is
    /// kept.
    async fn registry_restore(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        deleted_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Forgets the name deleted at `deleted_at` (its redemption and pending
    /// deletion are over: purged). `true` when forgotten.
    async fn registry_purge(&self, name: &str, deleted_at: DateTime<Utc>) -> Result<bool>;

    /// Changes the nameservers and `clientTransferProhibited` (`None`
    /// leaves one as it is) of a name `sponsoring_registrar` sponsors, with
    /// no transfer pending (RFC 5731 §2.3: `pendingTransfer` forbids
    /// changes). `true` when changed; `false` when it is not registered, or
    /// not so (checked in the statement itself, so a transfer that lands
    /// meanwhile wins).
    async fn registry_update(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// [`Self::registry_update`], with every host named in `linked` required
    /// to be a host object of the registry when the change is made: each is
    /// locked (in that order, sorted) in the transaction that changes the
    /// name, so a concurrent [`Self::registry_host_delete`] either finishes
    /// first (and the change is refused, [`LinkedUpdate::NoHost`]) or waits
    /// and sees the name delegating to it (RFC 5732 §3.2.2: a linked host is
    /// not deleted). `linked` empty makes it `registry_update`.
    async fn registry_update_linked(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        linked: &[String],
        now: DateTime<Utc>,
    ) -> Result<LinkedUpdate>;

    /// Marks a transfer to `gaining` pending, asked for at `now` (EPP
    /// reDate), and queues `poll` (RFC 5730 §2.9.2.3) in the same
    /// transaction. `true` when marked; `false` (nothing queued) when one is
    /// pending already or the name is not registered.
    async fn registry_request_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
        poll: &[NewPollMessage],
    ) -> Result<bool>;

    /// Moves the name to `gaining` until `ex_date` if a transfer to it is
    /// pending, and queues `poll` in the same transaction. `true` when
    /// moved; `false` (nothing queued) otherwise.
    async fn registry_complete_transfer(
        &self,
        name: &str,
        gaining: &str,
        ex_date: DateTime<Utc>,
        now: DateTime<Utc>,
        poll: &[NewPollMessage],
    ) -> Result<bool>;

    /// Drops a pending transfer to `gaining` and queues `poll` in the same
    /// transaction. `true` when dropped; `false` (nothing queued) when no
    /// transfer to it is pending.
    async fn registry_cancel_transfer(
        &self,
        name: &str,
        gaining: &str,
        poll: &[NewPollMessage],
    ) -> Result<bool>;

    /// The names whose pending transfer was asked for at or before
    /// `requested_before` (the registry approves those by itself, RFC 5731
    /// §3.2.4 serverApproved).
    async fn registry_transfers_due(&self, requested_before: DateTime<Utc>) -> Result<Vec<String>>;

    /// The name with what EPP's `<domain:info>` and transfer answers need
    /// beyond the record (crID, upDate, reDate); `None` when it is not
    /// registered.
    async fn registry_object(&self, name: &str) -> Result<Option<RegistryObject>>;

    /// Adds a registrar of the sandbox registry (EPP clID) with the argon2
    /// PHC string of its password. Errors: `Conflict` when the clID exists.
    async fn registry_registrar_add(
        &self,
        client_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// The PHC password hash of registrar `client_id`; `None` when there is
    /// no such registrar.
    async fn registry_registrar_password_hash(&self, client_id: &str) -> Result<Option<String>>;

    /// Replaces registrar `client_id`'s password hash (EPP `<newPW>`, RFC
    /// 5730 §2.9.1.1). `true` when replaced; `false` when there is no such
    /// registrar.
    async fn registry_registrar_set_password(
        &self,
        client_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// The oldest poll message queued for `client_id` and how many are
    /// queued for it in all (EPP `<msgQ count>`); `None` when its queue is
    /// empty (RFC 5730 §2.9.2.3).
    async fn registry_poll_first(&self, client_id: &str) -> Result<Option<(PollMessage, i64)>>;

    /// Removes message `id` from `client_id`'s queue (`<poll op="ack">`).
    /// `Some(count)` of the messages left when removed; `None` when no such
    /// message is queued for it.
    async fn registry_poll_ack(&self, client_id: &str, id: i64) -> Result<Option<i64>>;

    /// Queues a change poll message (RFC 8590) at `now`; its id.
    async fn registry_change_queue(
        &self,
        message: &NewChangeMessage,
        now: DateTime<Utc>,
    ) -> Result<i64>;

    /// The oldest change poll message queued for `client_id`, and how many
    /// are queued for it (0 and `None` when none).
    async fn registry_change_first(&self, client_id: &str) -> Result<(Option<ChangeMessage>, i64)>;

    /// Removes change message `id` from `client_id`'s queue. `true` when
    /// removed; `false` when no such message is queued for it.
    async fn registry_change_ack(&self, client_id: &str, id: i64) -> Result<bool>;

    /// Creates a host object (RFC 5732 §3.2.1). Errors: `Conflict` when one
    /// of that name exists.
    async fn registry_host_insert(&self, host: &RegistryHost) -> Result<()>;

    /// The host object of that name; `None` when there is none.
    async fn registry_host_get(&self, name: &str) -> Result<Option<RegistryHost>>;

    /// Deletes the host object `sponsoring_registrar` sponsors. `true` when
    /// deleted; `false` when there is none, another registrar sponsors it,
    /// or a name uses it (RFC 5732 §3.2.2). The host is locked first and the
    /// use looked for after, in one transaction, so a name changed to use it
    /// meanwhile ([`Self::registry_update_linked`]) is seen.
    async fn registry_host_delete(&self, name: &str, sponsoring_registrar: &str) -> Result<bool>;

    /// Replaces the addresses (`<host:addr>`, text) of the host object
    /// `sponsoring_registrar` sponsors (RFC 5732 §3.2.5). `true` when
    /// replaced; `false` when there is none or another registrar sponsors it.
    async fn registry_host_set_addresses(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        addresses: &[String],
    ) -> Result<bool>;

    /// Whether any name delegates to host `name` (RFC 5732 §3.2.2: such a
    /// host may not be deleted).
    async fn registry_host_in_use(&self, name: &str) -> Result<bool>;

    /// The names of the host objects under domain `name` (`ns1.name`, ...;
    /// RFC 5731 §3.2.2: such a domain may not be deleted).
    async fn registry_hosts_under(&self, name: &str) -> Result<Vec<String>>;

    /// Sets the statuses the registry's operator put on registered `name`
    /// (RFC 5731 §2.3 `server*`, [`RegistryRecord::server_statuses`]) to
    /// `statuses`, if they are still `old` (so two operators' changes do
    /// not undo each other). `true` when set; `false` when the name is not
    /// registered or its statuses changed meanwhile.
    async fn registry_set_server_statuses(
        &self,
        name: &str,
        old: &[String],
        statuses: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Sets the auth code of a name `sponsoring_registrar` sponsors. `true`
    /// when set; `false` when it does not sponsor it.
    async fn registry_set_auth_code(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Moves a name's `exDate` from `from` to `to` if `sponsoring_registrar`
    /// sponsors it and it is still `from`. `true` when moved; `false`
    /// otherwise.
    async fn registry_renew(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

// The columns keep their first names (`registrar`, `expires_at`,
// `transfer_prohibited`); the code says `sponsoring_registrar`, `ex_date`
// and `client_transfer_prohibited` (EPP's `clID`, `exDate`, the status).

/// A new name of the sandbox registry (`$1`…`$10`).
pub(crate) const INSERT_REGISTRY_NAME: &str = "INSERT INTO registry_names (name, registrar, \
     auth_code, created_at, expires_at, last_transferred_at, transfer_prohibited, nameservers, \
     pending_transfer_to, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) const REGISTRY_COLUMNS: &str = "name, registrar, auth_code, created_at, expires_at, \
     last_transferred_at, transfer_prohibited, nameservers, pending_transfer_to, server_statuses";

#[derive(sqlx::FromRow)]
pub(crate) struct RegistryRow {
    pub(crate) name: String,
    pub(crate) registrar: String,
    pub(crate) auth_code: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) last_transferred_at: Option<DateTime<Utc>>,
    pub(crate) transfer_prohibited: bool,
    pub(crate) nameservers: String,
    pub(crate) pending_transfer_to: Option<String>,
    pub(crate) server_statuses: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RegistryObjectRow {
    #[sqlx(flatten)]
    pub(crate) row: RegistryRow,
    pub(crate) created_by: Option<String>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) transfer_requested_at: Option<DateTime<Utc>>,
}

impl From<RegistryObjectRow> for RegistryObject {
    fn from(r: RegistryObjectRow) -> Self {
        let record = RegistryRecord::from(r.row);
        RegistryObject {
            created_by: r
                .created_by
                .unwrap_or_else(|| record.sponsoring_registrar.clone()),
            record,
            updated_at: r.updated_at,
            transfer_requested_at: r.transfer_requested_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DeletedRow {
    #[sqlx(flatten)]
    pub(crate) row: RegistryRow,
    pub(crate) deleted_at: Option<DateTime<Utc>>,
    pub(crate) restore_requested_at: Option<DateTime<Utc>>,
}

/// A queued poll message (`$1`…`$10`).
pub(crate) const INSERT_POLL_MESSAGE: &str = "INSERT INTO registry_poll_messages (client_id, \
     queued_at, message, name, tr_status, requesting_registrar, requested_at, acting_registrar, \
     acted_at, ex_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) const POLL_COLUMNS: &str = "id, client_id, queued_at, message, name, tr_status, \
     requesting_registrar, requested_at, acting_registrar, acted_at, ex_date";

#[derive(sqlx::FromRow)]
pub(crate) struct PollRow {
    pub(crate) id: i64,
    pub(crate) client_id: String,
    pub(crate) queued_at: DateTime<Utc>,
    pub(crate) message: String,
    pub(crate) name: String,
    pub(crate) tr_status: String,
    pub(crate) requesting_registrar: String,
    pub(crate) requested_at: DateTime<Utc>,
    pub(crate) acting_registrar: String,
    pub(crate) acted_at: DateTime<Utc>,
    pub(crate) ex_date: Option<DateTime<Utc>>,
}

impl TryFrom<PollRow> for PollMessage {
    type Error = crate::StoreError;
    fn try_from(r: PollRow) -> Result<Self> {
        let tr_status =
            TrStatus::parse(&r.tr_status).ok_or_else(|| corrupt("tr_status", &r.tr_status))?;
        Ok(PollMessage {
            id: r.id,
            client_id: r.client_id,
            queued_at: r.queued_at,
            message: r.message,
            notice: TransferNotice {
                name: r.name,
                tr_status,
                requesting_registrar: r.requesting_registrar,
                requested_at: r.requested_at,
                acting_registrar: r.acting_registrar,
                acted_at: r.acted_at,
                ex_date: r.ex_date,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HostRow {
    pub(crate) name: String,
    pub(crate) registrar: String,
    pub(crate) addresses: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<HostRow> for RegistryHost {
    fn from(r: HostRow) -> Self {
        RegistryHost {
            name: r.name,
            sponsoring_registrar: r.registrar,
            addresses: split_hosts(&r.addresses),
            created_at: r.created_at,
        }
    }
}

impl From<RegistryRow> for RegistryRecord {
    fn from(r: RegistryRow) -> Self {
        RegistryRecord {
            name: r.name,
            sponsoring_registrar: r.registrar,
            auth_code: r.auth_code,
            created_at: r.created_at,
            ex_date: r.expires_at,
            last_transferred_at: r.last_transferred_at,
            client_transfer_prohibited: r.transfer_prohibited,
            nameservers: split_hosts(&r.nameservers),
            pending_transfer_to: r.pending_transfer_to,
            server_statuses: crate::codec::split_statuses(&r.server_statuses),
        }
    }
}

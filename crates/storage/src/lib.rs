//! Storage: accounts, tokens, domains, the ledger, the outbox and the sandbox
//! registry's names, on SQLite (embedded default) or PostgreSQL.
//!
//! - [`Store`] is the one storage trait; [`connect`] picks the backend from
//!   the URL scheme and applies the migrations built into the binary.
//! - [`sql`] holds the queries, written once and instantiated for both
//!   backends by a macro, so the two cannot drift apart. The SQL is the
//!   common subset of both (`$n` parameters, `RETURNING`, partial indexes).
//! - `migrations/sqlite` and `migrations/postgres` are parallel, file for
//!   file.
//!
//! Money moves only by conditional updates (`... WHERE balance_cents >= $1`)
//! inside the transaction of the change it pays for, with a ledger row in the
//! same transaction: the balance always equals the sum of the ledger.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vpsd_domain::lifecycle::TransferStatus;
use vpsd_domain::Money;

mod error;
mod list_cache;
pub mod model;
mod postgres;
mod sql;
mod sqlite;
mod wal_stamp;

pub use error::{Result, StoreError};

/// How many entries of the DNS change feed (`dns_changes`) the worker keeps;
/// a nameserver further behind than this reloads every zone (vpsd-dns).
pub const DNS_CHANGES_KEPT: i64 = 100_000;
pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Everything the registrar keeps. Implemented for SQLite and PostgreSQL.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// Connections in the pool: (open, idle).
    fn pool_stats(&self) -> (u32, u32);
    /// Closes the pool's connections, waiting for each to close; later
    /// queries fail. For a clean shutdown: once the store's last handle is
    /// dropped too, SQLite's last connection checkpoints the WAL and removes
    /// the `-wal` and `-shm` files (sqlite.org/wal.html, "Persistence of WAL
    /// mode").
    async fn close(&self);
    /// Makes the next new domain's id at least `last + 1` (never lowers
    /// it): for demo data whose ids follow the contract's examples
    /// (`docs/api-v1.md`, domain 101).
    async fn skip_domain_ids(&self, last: i64) -> Result<()>;

    // ---- accounts and money
    /// Creates an account; an opening balance is written as a ledger credit.
    async fn create_account(
        &self,
        email: &str,
        balance: Money,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account>;
    /// Adds money (a ledger credit). `NotFound` for an unknown account.
    async fn credit_account(
        &self,
        account_id: i64,
        amount: Money,
        description: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account>;
    async fn account(&self, account_id: i64) -> Result<Option<Account>>;
    async fn account_count(&self) -> Result<i64>;
    async fn ledger(&self, account_id: i64) -> Result<Vec<LedgerEntry>>;
    async fn ledger_sum(&self, account_id: i64) -> Result<Money>;
    /// One page of the ledger, newest first, with the total count.
    async fn ledger_page(
        &self,
        account_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<LedgerEntry>)>;

    /// One page of the account's audit log, newest first.
    async fn audit_page(
        &self,
        account_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<AuditEntry>)>;

    // ---- tokens
    /// `NotFound` when the account does not exist.
    async fn create_token(&self, token: &NewToken, audit: &Audit<'_>) -> Result<i64>;
    async fn token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>>;
    async fn tokens(&self, account_id: i64) -> Result<Vec<TokenInfo>>;
    /// False when there is no such token or it was revoked already.
    async fn revoke_token(
        &self,
        token_id: i64,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    async fn token_used(&self, token_id: i64, now: DateTime<Utc>) -> Result<()>;

    // ---- domains
    /// One page of an account's domains, ordered by id, with the total count.
    async fn list_domains(
        &self,
        account_id: i64,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<DomainPage>;
    /// A domain of the account (never another account's).
    async fn domain(&self, account_id: i64, domain_id: i64) -> Result<Option<Domain>>;
    async fn domain_by_name(&self, domain_name: &str) -> Result<Option<Domain>>;

    // DNS records. Each write is refused with `Ok(None)` when the domain is
    // not the account's (or the record not the domain's), and with
    // `Ok(Some(Err(clash)))` when the record cannot join its name's records;
    // a change raises the zone's SOA serial in its transaction.

    /// The zone's records, by name and id; `None` if the domain is not the
    /// account's.
    async fn dns_records(&self, account_id: i64, domain_id: i64) -> Result<Option<Vec<DnsRecord>>>;
    async fn add_dns_record(
        &self,
        account_id: i64,
        domain_id: i64,
        data: &vpsd_domain::dns::RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<std::result::Result<DnsRecord, vpsd_domain::dns::Clash>>>;
    async fn replace_dns_record(
        &self,
        account_id: i64,
        domain_id: i64,
        record_id: i64,
        data: &vpsd_domain::dns::RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<std::result::Result<DnsRecord, vpsd_domain::dns::Clash>>>;
    async fn delete_dns_record(
        &self,
        account_id: i64,
        domain_id: i64,
        record_id: i64,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    // Forwards. As for records: `Ok(None)` when the domain (or the forward)
    // is not the account's; each change raises the zone's serial.

    async fn email_forwards(
        &self,
        account_id: i64,
        domain_id: i64,
    ) -> Result<Option<Vec<EmailForward>>>;
    /// Adds a forward (`replacing` none) or changes forward `replacing`.
    async fn put_email_forward(
        &self,
        account_id: i64,
        domain_id: i64,
        replacing: Option<i64>,
        data: &EmailForwardData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<std::result::Result<EmailForward, ForwardClash>>>;
    async fn delete_email_forward(
        &self,
        account_id: i64,
        domain_id: i64,
        forward_id: i64,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    async fn url_forwards(
        &self,
        account_id: i64,
        domain_id: i64,
    ) -> Result<Option<Vec<UrlForward>>>;
    async fn put_url_forward(
        &self,
        account_id: i64,
        domain_id: i64,
        replacing: Option<i64>,
        data: &UrlForwardData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<std::result::Result<UrlForward, ForwardClash>>>;
    async fn delete_url_forward(
        &self,
        account_id: i64,
        domain_id: i64,
        forward_id: i64,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// The URL forward of `host` (relative) at `domain_name`, if the domain
    /// is active (the forwarding listener's lookup).
    async fn url_forward_for(&self, domain_name: &str, host: &str) -> Result<Option<UrlForward>>;

    // The nameserver's reads.

    /// Every active, not removed domain with its records (the nameserver's
    /// start); which of them are served is the nameserver's rule.
    async fn dns_zones(&self) -> Result<Vec<ZoneSource>>;
    /// One domain with its records, if it exists and is not removed.
    async fn dns_zone(&self, domain_id: i64) -> Result<Option<ZoneSource>>;
    /// The newest entry of the change feed (0 when empty).
    async fn dns_change_head(&self) -> Result<i64>;
    /// Entries of the change feed after `after`, oldest first: `(seq,
    /// domain_id)`.
    async fn dns_changes(&self, after: i64, limit: i64) -> Result<Vec<(i64, i64)>>;
    /// Drops all but the newest `keep` entries of the change feed.
    async fn purge_dns_changes(&self, keep: i64) -> Result<u64>;
    /// Records a pending registration and charges it, in one transaction.
    /// `Conflict` when the name is taken, `InsufficientFunds` when short.
    async fn insert_registration(&self, reg: &NewRegistration, audit: &Audit<'_>)
        -> Result<Domain>;
    /// Undoes a registration the registry refused: removes the domain and
    /// refunds what it was charged, in one transaction. `StateChanged` when
    /// it is no longer pending.
    async fn cancel_registration(
        &self,
        domain_id: i64,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()>;
    /// Adds a name held at another registrar to an account.
    async fn insert_import(
        &self,
        account_id: i64,
        record: &RegistryRecord,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Domain>;
    /// Brings back a domain the account removed from its management.
    async fn restore_domain(
        &self,
        account_id: i64,
        domain_name: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>>;
    async fn update_settings(
        &self,
        account_id: i64,
        domain_id: i64,
        change: &SettingsChange,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>>;
    /// Removes a domain from the account's management (the registration
    /// continues). Returns whether it was there.
    async fn remove_domain(
        &self,
        account_id: i64,
        domain_id: i64,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Marks a transfer pending and charges it, with its mail, in one
    /// transaction. `StateChanged` when one is already pending, `NotFound`
    /// when the domain is gone (removed meanwhile), `InsufficientFunds`.
    async fn begin_transfer(
        &self,
        transfer: &NewTransfer,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<Domain>;
    /// Marks a pending transfer `status` (failed by the registry, or
    /// rejected by the losing registrar) and refunds it. Returns false when
    /// it was no longer pending (someone else settled it).
    async fn fail_transfer(
        &self,
        domain_id: i64,
        status: TransferStatus,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Marks a pending transfer completed. False when no longer pending.
    async fn complete_transfer(
        &self,
        domain_id: i64,
        registrar: &str,
        expiration_date: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Pending registrations whose delay has passed.
    async fn due_registrations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;
    /// Turns a pending registration active and queues its mail. False when
    /// it was no longer pending.
    async fn activate_registration(
        &self,
        domain_id: i64,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Marks an active domain whose expiration has passed expired, and
    /// queues its mail. False when it was not (any more).
    async fn expire_domain(
        &self,
        domain_id: i64,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Extends a term and charges it, with its mail, in one transaction:
    /// only if the expiration is still `old_expiration` (else
    /// `StateChanged`), `InsufficientFunds` when short. The domain becomes
    /// active; the warnings and the auto-renew retry start over.
    async fn renew_domain(&self, renewal: &Renewal, audit: &Audit<'_>) -> Result<Domain>;
    /// Takes back a renewal the registry refused: the old expiration and
    /// status return and the charge is refunded.
    async fn undo_renewal(
        &self,
        renewal: &Renewal,
        old_status: &str,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Notes a failed auto-renewal (short balance): the next attempt not
    /// before `retry_at`, and its mail. False when another worker did.
    async fn renewal_failed(
        &self,
        domain_id: i64,
        expiration: DateTime<Utc>,
        retry_at: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Our active auto-renew domains expiring by `until` (and not yet
    /// expired), whose retry time has come.
    async fn due_auto_renewals(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;
    /// Our active domains expiring after `now` and by `until`, whose most
    /// urgent warning has not gone out, leaving out the `auto_renew` ones
    /// expiring by `renewing_until` (their auto-renewal is due: they are
    /// renewed, or the failed renewal's own mail goes out).
    async fn expiring(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        renewing_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;
    /// Records that the `days` warning went out for this term, with its
    /// mail. False when it (or a more urgent one) already had.
    async fn mark_warned(
        &self,
        domain_id: i64,
        expiration: DateTime<Utc>,
        days: i64,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Our active domains whose expiration has passed.
    async fn due_expirations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;
    /// Our expired domains whose expiration is at or before `expired_by`.
    async fn due_releases(&self, expired_by: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;
    /// Deletes a released domain (still expired at `expiration`) and queues
    /// its mail. False when it was renewed or released meanwhile.
    async fn release_domain(
        &self,
        domain_id: i64,
        expiration: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Pending transfers whose delay has passed.
    async fn due_transfers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    // ---- transfers out
    /// Records a transfer out that `gaining` asked for, approved by itself
    /// at `approves_at`, with its mail (also of a domain removed from the
    /// account view: its registration continues). False when one is pending
    /// already.
    async fn begin_transfer_out(
        &self,
        domain_id: i64,
        gaining: &str,
        now: DateTime<Utc>,
        approves_at: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Rejects a pending transfer out. False when none is pending.
    async fn reject_transfer_out(
        &self,
        domain_id: i64,
        now: DateTime<Utc>,
        mail: Option<&NewMail>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Completes a pending transfer out: the domain leaves the account (its
    /// ledger and audit entries stay). False when none is pending.
    async fn approve_transfer_out(
        &self,
        domain_id: i64,
        now: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool>;
    /// Pending transfers out whose owner did not answer in time.
    async fn due_transfer_outs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Appends an audit entry for a change kept elsewhere (at the
    /// registry, such as a new auth code).
    async fn append_audit(
        &self,
        account_id: i64,
        domain: Option<(i64, &str)>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()>;

    // ---- the sandbox's test clock
    /// How far the sandbox clock runs ahead of the real one, in seconds.
    async fn sandbox_offset(&self) -> Result<i64>;
    /// Moves the sandbox clock forward by `seconds` (more than 0); the new
    /// offset.
    async fn sandbox_advance(&self, seconds: i64) -> Result<i64>;

    // ---- job leases
    /// Takes the lease on job `kind` for a domain until `until`, unless
    /// another holder's lease is still running: true when taken. A worker
    /// that dies lets go when its lease ends.
    async fn claim_job(
        &self,
        kind: &str,
        domain_id: i64,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Gives a lease back once its job is done.
    async fn release_job(&self, kind: &str, domain_id: i64, holder: &str) -> Result<()>;
    /// How many leases are held at `now` (jobs being worked on).
    async fn held_job_leases(&self, now: DateTime<Utc>) -> Result<i64>;
    /// Forgets leases that ended before `before`.
    async fn purge_job_leases(&self, before: DateTime<Utc>) -> Result<u64>;

    // ---- idempotency keys
    /// Claims `key` for a request: true when this call created it (the
    /// caller then runs the request), false when it already exists. A key
    /// created before `expired_before` is replaced.
    async fn idempotency_claim(
        &self,
        account_id: i64,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<bool>;
    async fn idempotency_get(
        &self,
        account_id: i64,
        key: &str,
    ) -> Result<Option<IdempotentRequest>>;
    /// Stores the answer of the request that claimed the key.
    async fn idempotency_complete(
        &self,
        account_id: i64,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()>;
    /// Lets the key go (the request failed on our side, so a retry may run).
    async fn idempotency_release(&self, account_id: i64, key: &str) -> Result<()>;
    /// Forgets keys created before `before`.
    async fn idempotency_purge(&self, before: DateTime<Utc>) -> Result<u64>;

    // ---- outbox
    async fn outbox(&self) -> Result<Vec<OutboxMail>>;
    /// Takes up to `limit` mails due for delivery, held until `lease_until`
    /// (a sender that dies lets go when its lease ends), and counts the
    /// attempt.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMail>>;
    /// The relay accepted the mail.
    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool>;
    /// The attempt failed: try again at `retry_at`, or never (`None`).
    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    // ---- the sandbox registry's names
    async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>>;
    /// `Conflict` when the name is already registered.
    async fn registry_insert(&self, record: &RegistryRecord, now: DateTime<Utc>) -> Result<()>;
    async fn registry_delete(&self, name: &str, registrar: &str) -> Result<bool>;
    async fn registry_update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Marks a transfer pending unless one already is.
    async fn registry_request_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Moves the name to `gaining` if a transfer to it is pending.
    async fn registry_complete_transfer(
        &self,
        name: &str,
        gaining: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    async fn registry_cancel_transfer(&self, name: &str, gaining: &str) -> Result<bool>;
    /// Sets the auth code of a name `registrar` sponsors.
    async fn registry_set_auth_code(
        &self,
        name: &str,
        registrar: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Moves a name's expiration from `from` to `to` if it is still `from`.
    async fn registry_renew(
        &self,
        name: &str,
        registrar: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

/// Opens the database the URL names (`sqlite://PATH` or `postgres://...`),
/// creating a SQLite file if missing, and applies the migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// A database URL fit for logs and errors: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact("sqlite://vpsd.db"), "sqlite://vpsd.db");
    }
}

//! Domains in accounts: the list, the detail, registrations, imports and settings.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::codec::{corrupt, rusqlite_time, split_hosts};
use crate::error::{Result, StoreError};
use crate::model::{
    Audit, CancelledRegistration, Domain, DomainFilter, DomainPage, NewMail, NewRegistration,
    RegistryRecord, SettingsChange, TransferOut,
};
use vpsd_domain::lifecycle::{DomainStatus, TransferOutStatus, TransferStatus};
use vpsd_domain::Money;

/// Domains in accounts: the list, the detail, registrations, imports and settings.
///
/// Implemented for SQLite and PostgreSQL (`queries/domains.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait DomainStore: Send + Sync + std::fmt::Debug {
    /// Makes the next new domain's id at least `last + 1` (never lowers
    /// it): for demo data whose ids follow the contract's examples
    /// (`docs/api-v1.md`, domain 101).
    async fn skip_domain_ids(&self, last: i64) -> Result<()>;

    /// One page of an account's domains (not removed) matching `filter`,
    /// ordered by id, with the total that match. A page read before is
    /// handed out again while the account's list is unchanged
    /// (`list_cache.rs`).
    async fn list_domains(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<DomainPage>;

    /// The domain `domain_id` of the account; `None` when there is none, it
    /// is another account's, or it was removed. The hottest read.
    async fn domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Domain>>;

    /// The domain named `domain_name` (any account's, removed or not);
    /// `None` when no account has it.
    async fn domain_by_name(&self, domain_name: &str) -> Result<Option<Domain>>;

    /// Records a pending registration and charges it (ledger entry and
    /// audit entry), in one transaction. Errors: `Conflict` when the name is
    /// taken, `InsufficientFunds` when the balance is short (nothing is
    /// written).
    async fn insert_registration(&self, reg: &NewRegistration, audit: &Audit<'_>)
        -> Result<Domain>;

    /// Undoes a registration the registry refused: removes the domain and
    /// refunds what it was charged (`description` on the ledger), with the
    /// mail if any, in one transaction. Errors: `StateChanged` when it is no
    /// longer pending (nothing is written).
    async fn cancel_registration(
        &self,
        domain_id: vpsd_domain::DomainId,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()>;

    /// Undoes a registration within its add grace period (RFC 3915 §3.1),
    /// once the registry has deleted the name: the domain leaves the account
    /// (its ledger and audit entries stay, its zone is no longer served)
    /// and everything it was charged, net of refunds already given (the
    /// registration, and any renewal since: RFC 3915 §3.2 credits those
    /// too), is refunded (`description` on the ledger), in one transaction.
    /// The grace period itself is the caller's rule.
    ///
    /// Errors: `NotFound` when the domain is not the account's (or
    /// removed); `StateChanged` when it is not a registration made here
    /// (imported, transferred in), a transfer of it is pending, or a
    /// renewal's registry outcome is unconfirmed (nothing is written).
    async fn cancel_in_add_grace(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        description: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<CancelledRegistration>;

    /// Adds a name held at another registrar to an account, active, as the
    /// registry knows it. Errors: `Conflict` when an account has the name.
    async fn insert_import(
        &self,
        account_id: vpsd_domain::AccountId,
        record: &RegistryRecord,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Domain>;

    /// Brings back a domain the account removed from its management; the
    /// domain as it is now, or `None` when the account has no removed domain
    /// of that name.
    async fn restore_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_name: &str,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>>;

    /// Applies `change` to a domain of the account, with the audit entry;
    /// the domain after, or `None` when it is not the account's (or
    /// removed).
    async fn update_settings(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        change: &SettingsChange,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>>;

    /// Removes a domain from the account's management (the registration
    /// continues). `true` when it was removed; `false` when it was not the
    /// account's or already removed.
    async fn remove_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

pub(crate) const DOMAIN_COLUMNS: &str = "id, account_id, domain_name, status, registration_date, \
     expiration_date, auto_renew, locked, privacy_protection, nameservers, registrar, \
     transfer_status, transfer_initiated_at, transfer_completes_at, transfer_cost_cents, \
     warned_days, updated_at, dns_serial, dns_records_count, transfer_out_to, \
     transfer_out_status, transfer_out_requested_at, transfer_out_approves_at, \
     registrant_contact_id, admin_contact_id, tech_contact_id, billing_contact_id, \
     registry_statuses";

/// Sets the four contact columns from parameters `$7`…`$10` (registrant,
/// admin, tech, billing), each kept when its parameter is null.
pub(crate) const SET_CONTACTS_FROM_7: &str =
    "registrant_contact_id = COALESCE($7, registrant_contact_id), \
     admin_contact_id = COALESCE($8, admin_contact_id), \
     tech_contact_id = COALESCE($9, tech_contact_id), \
     billing_contact_id = COALESCE($10, billing_contact_id)";

/// As [`SET_CONTACTS_FROM_7`], from parameters `$8`…`$11`.
pub(crate) const SET_CONTACTS_FROM_8: &str =
    "registrant_contact_id = COALESCE($8, registrant_contact_id), \
     admin_contact_id = COALESCE($9, admin_contact_id), \
     tech_contact_id = COALESCE($10, tech_contact_id), \
     billing_contact_id = COALESCE($11, billing_contact_id)";

/// The account `$1`'s list version (`list_cache.rs`), 0 before any change.
pub(crate) const LIST_VERSION: &str =
    "COALESCE((SELECT version FROM domain_list_versions WHERE account_id = $1), 0)";

/// One domain of an account, by id.
pub(crate) const DOMAIN_BY_ID: &str = "WHERE id = $1 AND account_id = $2 AND removed_at IS NULL";

/// The domain list's filter: account `$1`, status `$2` (or any), locked
/// only `$3`, name `LIKE` `$4` (or any).
pub(crate) const LIST_WHERE: &str = "WHERE account_id = $1 AND removed_at IS NULL \
     AND ($2 IS NULL OR status = $2) AND ($3 = FALSE OR locked) \
     AND ($4 IS NULL OR domain_name LIKE $4 ESCAPE '\\' \
     OR domain_name_unicode LIKE $4 ESCAPE '\\')";

/// A pending registration's row (`$1`…`$16`, see `insert_registration`;
/// `$11` its `unicode_form`, `$12` its [`first_dns_serial`], `$13`…`$16`
/// its registrant, admin, tech and billing contacts), answering the
/// domain.
pub(crate) static INSERT_REGISTRATION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| {
        format!(
            "INSERT INTO domains (account_id, domain_name, status, registration_date, \
         expiration_date, auto_renew, locked, privacy_protection, nameservers, \
         registrar, activates_at, registration_cost_cents, updated_at, domain_name_unicode, \
         dns_serial, registrant_contact_id, admin_contact_id, tech_contact_id, \
         billing_contact_id) \
         VALUES ($1, $2, 'pending', $3, $4, $5, TRUE, $6, $7, $8, $9, $10, $3, $11, $12, \
         $13, $14, $15, $16) \
         RETURNING {DOMAIN_COLUMNS}"
        )
    });

/// The SOA serial a new domain row's zone starts at: the real time in
/// seconds since 1970, not 1. A name that leaves an account and comes back
/// (a cancel, a release, a transfer out and in) gets a new row, and its new
/// zone must be newer than the one secondaries still hold (RFC 1982 serial
/// arithmetic), or they would keep serving the old owner's records. Real
/// time, not the sandbox clock: secondaries live in real time.
pub(crate) fn first_dns_serial() -> i64 {
    chrono::Utc::now().timestamp()
}

#[derive(sqlx::FromRow)]
pub(crate) struct DomainRow {
    pub(crate) id: vpsd_domain::DomainId,
    pub(crate) account_id: vpsd_domain::AccountId,
    pub(crate) domain_name: String,
    pub(crate) status: String,
    pub(crate) registration_date: DateTime<Utc>,
    pub(crate) expiration_date: DateTime<Utc>,
    pub(crate) auto_renew: bool,
    pub(crate) locked: bool,
    pub(crate) privacy_protection: bool,
    pub(crate) nameservers: String,
    pub(crate) registrar: String,
    pub(crate) transfer_status: Option<String>,
    pub(crate) transfer_initiated_at: Option<DateTime<Utc>>,
    pub(crate) transfer_completes_at: Option<DateTime<Utc>>,
    pub(crate) transfer_cost_cents: Option<i64>,
    pub(crate) warned_days: Option<i64>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) dns_serial: i64,
    pub(crate) dns_records_count: i64,
    pub(crate) transfer_out_to: Option<String>,
    pub(crate) transfer_out_status: Option<String>,
    pub(crate) transfer_out_requested_at: Option<DateTime<Utc>>,
    pub(crate) transfer_out_approves_at: Option<DateTime<Utc>>,
    pub(crate) registrant_contact_id: Option<vpsd_domain::ContactId>,
    pub(crate) admin_contact_id: Option<vpsd_domain::ContactId>,
    pub(crate) tech_contact_id: Option<vpsd_domain::ContactId>,
    pub(crate) billing_contact_id: Option<vpsd_domain::ContactId>,
    pub(crate) registry_statuses: String,
}

impl DomainRow {
    /// Reads a row selected with [`DOMAIN_COLUMNS`] through `rusqlite`.
    pub(crate) fn from_rusqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<DomainRow> {
        let time = rusqlite_time;
        let required = |i: usize| {
            time(r, i)?.ok_or(rusqlite::Error::InvalidColumnType(
                i,
                "time".into(),
                rusqlite::types::Type::Null,
            ))
        };
        Ok(DomainRow {
            id: vpsd_domain::DomainId::from(r.get::<_, i64>(0)?),
            account_id: r.get(1)?,
            domain_name: r.get(2)?,
            status: r.get(3)?,
            registration_date: required(4)?,
            expiration_date: required(5)?,
            auto_renew: r.get(6)?,
            locked: r.get(7)?,
            privacy_protection: r.get(8)?,
            nameservers: r.get(9)?,
            registrar: r.get(10)?,
            transfer_status: r.get(11)?,
            transfer_initiated_at: time(r, 12)?,
            transfer_completes_at: time(r, 13)?,
            transfer_cost_cents: r.get(14)?,
            warned_days: r.get(15)?,
            updated_at: required(16)?,
            dns_serial: r.get(17)?,
            dns_records_count: r.get(18)?,
            transfer_out_to: r.get(19)?,
            transfer_out_status: r.get(20)?,
            transfer_out_requested_at: time(r, 21)?,
            transfer_out_approves_at: time(r, 22)?,
            registrant_contact_id: r.get(23)?,
            admin_contact_id: r.get(24)?,
            tech_contact_id: r.get(25)?,
            billing_contact_id: r.get(26)?,
            registry_statuses: r.get(27)?,
        })
    }
}

impl TryFrom<DomainRow> for Domain {
    type Error = StoreError;

    fn try_from(r: DomainRow) -> Result<Self, StoreError> {
        let status = DomainStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?;
        let transfer_status = match r.transfer_status.as_deref() {
            None => None,
            Some(s) => Some(TransferStatus::parse(s).ok_or_else(|| corrupt("transfer status", s))?),
        };
        let transfer_out = match (
            r.transfer_out_to,
            r.transfer_out_status.as_deref(),
            r.transfer_out_requested_at,
            r.transfer_out_approves_at,
        ) {
            (Some(to), Some(s), Some(requested_at), Some(auto_approve_at)) => Some(TransferOut {
                gaining_registrar: to,
                status: TransferOutStatus::parse(s)
                    .ok_or_else(|| corrupt("transfer-out status", s))?,
                requested_at,
                auto_approve_at,
            }),
            _ => None,
        };
        Ok(Domain {
            id: r.id,
            account_id: r.account_id,
            domain_name: r.domain_name,
            status,
            registration_date: r.registration_date,
            expiration_date: r.expiration_date,
            auto_renew: r.auto_renew,
            locked: r.locked,
            privacy_protection: r.privacy_protection,
            nameservers: split_hosts(&r.nameservers),
            registrar: r.registrar,
            transfer_status,
            transfer_initiated_at: r.transfer_initiated_at,
            transfer_completes_at: r.transfer_completes_at,
            transfer_cost: r.transfer_cost_cents.map(Money::from_cents),
            warned_days: r.warned_days,
            updated_at: r.updated_at,
            dns_serial: r.dns_serial,
            dns_records_count: r.dns_records_count,
            transfer_out,
            contacts: crate::model::DomainContacts {
                registrant: r.registrant_contact_id,
                admin: r.admin_contact_id,
                tech: r.tech_contact_id,
                billing: r.billing_contact_id,
            },
            registry_statuses: crate::codec::split_statuses(&r.registry_statuses),
        })
    }
}

pub(crate) fn domains(rows: Vec<DomainRow>) -> Result<Vec<Domain>, StoreError> {
    rows.into_iter().map(Domain::try_from).collect()
}

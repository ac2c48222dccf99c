//! Zone content: DNS records, email and URL forwards.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::codec::{corrupt, split_hosts};
use crate::error::{Result, StoreError};
use crate::model::{
    Actor, Audit, DnsChange, DnsChangeCounts, DnsRecord, EmailForward, EmailForwardData,
    ForwardClash, UrlForward, UrlForwardData, Written,
};
use vpsd_domain::dns::{Clash, Rdata, RecordData, RecordType};
use vpsd_domain::{ForwardId, RecordId};

/// Zone content: DNS records, email and URL forwards.
///
/// Implemented for SQLite and PostgreSQL (`queries/zone.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait ZoneStore: Send + Sync + std::fmt::Debug {
    /// The zone's records, by id; `None` when the domain is not the
    /// account's (or removed).
    async fn dns_records(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<DnsRecord>>>;

    /// Adds a record after the checks against the records at its name
    /// (`vpsd_domain::dns::clash`), raising the zone's serial, with the
    /// audit entry, in one transaction. See [`Written`] for the outcomes.
    async fn add_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        data: &RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<DnsRecord, Clash>>;

    /// Replaces record `record_id` of the domain, with the same checks and
    /// serial as [`ZoneStore::add_dns_record`]. `Written::NotFound` also
    /// when the record is not the domain's.
    async fn replace_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        record_id: RecordId,
        data: &RecordData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<DnsRecord, Clash>>;

    /// Deletes a record, raising the zone's serial, with the audit entry.
    /// `true` when deleted; `false` when the domain or the record is not the
    /// account's.
    async fn delete_dns_record(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        record_id: RecordId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Applies a set of changes to a zone at once, all or nothing (a zone
    /// file's import; an RFC 2136 UPDATE). `plan` is called inside the write
    /// transaction with the zone's records as they stand (by id) and gives
    /// the changes, in order; each is checked as a single record's write is
    /// (`vpsd_domain::dns::clash`, the zone's size) against the records as
    /// the changes before it left them. One rise of the zone's serial and an
    /// audit entry per change (by `actor`), in one transaction; nothing at
    /// all when `plan` gives no change. `Written::Refused` names every
    /// change refused (its index from 0, and why; the others are checked as
    /// if it were left out), and nothing was written;
    /// `Written::NotFound`: the domain is not the account's, or a change
    /// names a record that is not the zone's. `signed_by`, the TSIG key of
    /// an RFC 2136 update, gets its `last_used_at` set to `now` in the same
    /// transaction when changes are written (a plan with no change writes
    /// nothing, that either).
    async fn apply_dns_changes(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        plan: &(dyn for<'r> Fn(&'r [DnsRecord]) -> Vec<DnsChange> + Send + Sync),
        actor: &Actor,
        signed_by: Option<vpsd_domain::TsigKeyId>,
        now: DateTime<Utc>,
    ) -> Result<Written<DnsChangeCounts, Vec<(usize, Clash)>>>;

    /// The domain's email forwards, by alias; `None` when the domain is not
    /// the account's.
    async fn email_forwards(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<EmailForward>>>;

    /// Adds an email forward (`replacing` none) or changes forward
    /// `replacing`, raising the zone's serial, with the audit entry.
    /// `Written::Refused` when the alias is taken or the domain has
    /// `MAX_FORWARDS`; `Written::NotFound` when the domain (or the forward
    /// replaced) is not the account's.
    async fn put_email_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<ForwardId>,
        data: &EmailForwardData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<EmailForward, ForwardClash>>;

    /// Deletes an email forward. `true` when deleted; `false` when the domain
    /// or the forward is not the account's.
    async fn delete_email_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// The domain's URL forwards, by host; `None` when the domain is not the
    /// account's.
    async fn url_forwards(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<UrlForward>>>;

    /// Adds a URL forward (`replacing` none) or changes forward `replacing`;
    /// the outcomes as for [`ZoneStore::put_email_forward`] (the host
    /// taken instead of the alias).
    async fn put_url_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<ForwardId>,
        data: &UrlForwardData,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Written<UrlForward, ForwardClash>>;

    /// Deletes a URL forward. `true` when deleted; `false` when the domain
    /// or the forward is not the account's.
    async fn delete_url_forward(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// The URL forward of `host` (relative, `@` for the apex) at
    /// `domain_name`; `None` when there is none or the domain is not active
    /// (the forwarding listener's lookup).
    async fn url_forward_for(&self, domain_name: &str, host: &str) -> Result<Option<UrlForward>>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

pub(crate) const DNS_RECORD_COLUMNS: &str =
    "id, domain_id, name, type, content, ttl, priority, created_at, updated_at";

/// The record of `row` for the nameserver: a row that does not parse (which
/// the API's checks never write) is logged and left out, so one bad row
/// does not keep its zone, or every zone, from being served (the API's
/// reads answer it as corrupt data instead).
pub(crate) fn served(row: DnsRecordRow) -> Option<DnsRecord> {
    let (id, domain_id) = (row.id, row.domain_id);
    match DnsRecord::try_from(row) {
        Ok(record) => Some(record),
        Err(e) => {
            tracing::warn!(
                record_id = %id,
                domain_id = %domain_id,
                error = %vpsd_domain::ErrorChain(&e),
                "stored record does not parse; not served"
            );
            None
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DnsRecordRow {
    pub(crate) id: RecordId,
    pub(crate) domain_id: vpsd_domain::DomainId,
    pub(crate) name: String,
    #[sqlx(rename = "type")]
    pub(crate) rtype: String,
    pub(crate) content: String,
    pub(crate) ttl: i32,
    pub(crate) priority: Option<i32>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl TryFrom<DnsRecordRow> for DnsRecord {
    type Error = StoreError;

    fn try_from(r: DnsRecordRow) -> Result<Self, StoreError> {
        let rtype = RecordType::parse(&r.rtype).ok_or_else(|| corrupt("record type", &r.rtype))?;
        let ttl = u32::try_from(r.ttl).map_err(|_| corrupt("record TTL", &r.ttl.to_string()))?;
        let priority = r
            .priority
            .map(u16::try_from)
            .transpose()
            .map_err(|_| corrupt("record priority", &format!("{:?}", r.priority)))?;
        // The one parse of the stored text into the typed value.
        let rdata = Rdata::from_stored(rtype, &r.content, priority)
            .map_err(|_| corrupt(&format!("{rtype} record content"), &r.content))?;
        Ok(DnsRecord {
            id: r.id,
            domain_id: r.domain_id,
            data: RecordData {
                name: r.name,
                ttl,
                rdata,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub(crate) const EMAIL_FORWARD_COLUMNS: &str =
    "id, domain_id, alias, destinations, created_at, updated_at";
pub(crate) const URL_FORWARD_COLUMNS: &str =
    "id, domain_id, host, target, status_code, keep_path, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct EmailForwardRow {
    pub(crate) id: ForwardId,
    pub(crate) domain_id: vpsd_domain::DomainId,
    pub(crate) alias: String,
    pub(crate) destinations: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl From<EmailForwardRow> for EmailForward {
    fn from(r: EmailForwardRow) -> Self {
        EmailForward {
            id: r.id,
            domain_id: r.domain_id,
            alias: r.alias,
            destinations: split_hosts(&r.destinations),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UrlForwardRow {
    pub(crate) id: ForwardId,
    pub(crate) domain_id: vpsd_domain::DomainId,
    pub(crate) host: String,
    pub(crate) target: String,
    pub(crate) status_code: i32,
    pub(crate) keep_path: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl From<UrlForwardRow> for UrlForward {
    fn from(r: UrlForwardRow) -> Self {
        UrlForward {
            id: r.id,
            domain_id: r.domain_id,
            host: r.host,
            target: r.target,
            status_code: i64::from(r.status_code),
            keep_path: r.keep_path,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

//! The queries, written once for both backends.
//!
//! `sql_store!` implements [`crate::Store`] for a store type that has a
//! `pool` and a `begin_write()`; the SQL below is the subset SQLite and
//! PostgreSQL share, and the row types decode on both.

use chrono::{DateTime, Utc};
use vpsd_domain::lifecycle::{DomainStatus, TransferOutStatus, TransferStatus};
use vpsd_domain::Money;

use crate::error::StoreError;
use crate::model::{
    Account, AuditEntry, DnsRecord, Domain, EmailForward, LedgerEntry, OutboxMail, RegistryRecord,
    TransferOut, UrlForward,
};
use vpsd_domain::dns::{RecordData, RecordType};

pub(crate) const DOMAIN_COLUMNS: &str = "id, account_id, domain_name, status, registration_date, \
     expiration_date, auto_renew, locked, privacy_protection, nameservers, registrar, \
     transfer_status, transfer_initiated_at, transfer_completes_at, transfer_cost_cents, \
     warned_days, updated_at, dns_serial, dns_records_count, transfer_out_to, \
     transfer_out_status, transfer_out_requested_at, transfer_out_approves_at";

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

/// A pending registration's row (`$1`…`$11`, see `insert_registration`;
/// `$11` its `unicode_form`), answering the domain.
pub(crate) static INSERT_REGISTRATION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| {
        format!(
            "INSERT INTO domains (account_id, domain_name, status, registration_date, \
         expiration_date, auto_renew, locked, privacy_protection, nameservers, \
         registrar, activates_at, registration_cost_cents, updated_at, domain_name_unicode) \
         VALUES ($1, $2, 'pending', $3, $4, $5, TRUE, $6, $7, $8, $9, $10, $3, $11) \
         RETURNING {DOMAIN_COLUMNS}"
        )
    });
/// The conditional charge: `$1` cents from account `$2`, answering the
/// balance after; no row when the balance is short.
pub(crate) const DEBIT: &str = "UPDATE accounts SET balance_cents = balance_cents - $1 \
     WHERE id = $2 AND balance_cents >= $1 RETURNING balance_cents";
pub(crate) const INSERT_LEDGER: &str = "INSERT INTO ledger (account_id, kind, amount_cents, \
     balance_after_cents, domain_id, domain_name, description, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (account_id, actor, token_id, action, \
     domain_id, domain_name, changes, request_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const INSERT_REGISTRY_NAME: &str = "INSERT INTO registry_names (name, registrar, \
     auth_code, created_at, expires_at, last_transferred_at, transfer_prohibited, nameservers, \
     pending_transfer_to, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) const REGISTRY_COLUMNS: &str = "name, registrar, auth_code, created_at, expires_at, \
     last_transferred_at, transfer_prohibited, nameservers, pending_transfer_to";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("unexpected {what} `{value}` in the database").into(),
    ))
}

/// Nameservers are stored comma-separated (host names hold no commas).
pub(crate) fn join_hosts(hosts: &[String]) -> String {
    hosts.join(",")
}

fn split_hosts(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) balance_cents: i64,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: r.id,
            email: r.email,
            balance: Money::from_cents(r.balance_cents),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DomainRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
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
}

/// A nullable time column as sqlx writes it to SQLite (RFC 3339 text),
/// read through rusqlite.
pub(crate) fn rusqlite_time(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<&str> = r.get_ref(i)?.as_str_or_null()?;
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })
    })
    .transpose()
}

/// Who a token (by its hash, `$1`) belongs to: id, account, scope, expiry,
/// revocation. Read on every authenticated request (`auth.rs`), so a
/// revocation, an expiry or a scope change holds from the next request.
pub(crate) const TOKEN_OWNER: &str = "SELECT id, account_id, scope, expires_at, revoked_at \
     FROM api_tokens WHERE token_hash = $1";

/// A [`TokenOwner`](crate::model::TokenOwner) from the columns of [`TOKEN_OWNER`].
pub(crate) fn token_owner_of(
    (token_id, account_id, scope, expires_at, revoked_at): (
        i64,
        i64,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ),
) -> crate::model::TokenOwner {
    crate::model::TokenOwner {
        token_id,
        account_id,
        read_only: scope != "read_write",
        expires_at,
        revoked_at,
    }
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
            id: r.get(0)?,
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
        })
    }
}

pub(crate) const DNS_RECORD_COLUMNS: &str =
    "id, domain_id, name, type, content, ttl, priority, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct DnsRecordRow {
    pub(crate) id: i64,
    pub(crate) domain_id: i64,
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
        Ok(DnsRecord {
            id: r.id,
            domain_id: r.domain_id,
            data: RecordData {
                name: r.name,
                rtype,
                content: r.content,
                ttl: i64::from(r.ttl),
                priority: r.priority.map(i64::from),
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
    pub(crate) id: i64,
    pub(crate) domain_id: i64,
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
    pub(crate) id: i64,
    pub(crate) domain_id: i64,
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

pub(crate) fn domains(rows: Vec<DomainRow>) -> Result<Vec<Domain>, StoreError> {
    rows.into_iter().map(Domain::try_from).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct LedgerRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) kind: String,
    pub(crate) amount_cents: i64,
    pub(crate) balance_after_cents: i64,
    pub(crate) domain_id: Option<i64>,
    pub(crate) domain_name: Option<String>,
    pub(crate) description: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<LedgerRow> for LedgerEntry {
    fn from(r: LedgerRow) -> Self {
        LedgerEntry {
            id: r.id,
            account_id: r.account_id,
            kind: r.kind,
            amount: Money::from_cents(r.amount_cents),
            balance_after: Money::from_cents(r.balance_after_cents),
            domain_id: r.domain_id,
            domain_name: r.domain_name,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) actor: String,
    pub(crate) token_id: Option<i64>,
    pub(crate) action: String,
    pub(crate) domain_id: Option<i64>,
    pub(crate) domain_name: Option<String>,
    pub(crate) changes: String,
    pub(crate) request_id: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            account_id: r.account_id,
            actor: r.actor,
            token_id: r.token_id,
            action: r.action,
            domain_id: r.domain_id,
            domain_name: r.domain_name,
            changes: r.changes,
            request_id: r.request_id,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) recipient: String,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) sent_at: Option<DateTime<Utc>>,
    pub(crate) attempts: i64,
    pub(crate) last_error: Option<String>,
    pub(crate) gave_up_at: Option<DateTime<Utc>>,
}

impl From<OutboxRow> for OutboxMail {
    fn from(r: OutboxRow) -> Self {
        OutboxMail {
            id: r.id,
            account_id: r.account_id,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body,
            created_at: r.created_at,
            sent_at: r.sent_at,
            attempts: r.attempts,
            last_error: r.last_error,
            gave_up_at: r.gave_up_at,
        }
    }
}

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
}

impl From<RegistryRow> for RegistryRecord {
    fn from(r: RegistryRow) -> Self {
        RegistryRecord {
            name: r.name,
            registrar: r.registrar,
            auth_code: r.auth_code,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_transferred_at: r.last_transferred_at,
            transfer_prohibited: r.transfer_prohibited,
            nameservers: split_hosts(&r.nameservers),
            pending_transfer_to: r.pending_transfer_to,
        }
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
/// The lower-case Unicode form of a stored (A-label) name for the
/// `domain_name_unicode` column (migration 0013): `None` when it is the name
/// itself (no `xn--` label), so only internationalised names carry one.
pub(crate) fn unicode_form(name: &str) -> Option<String> {
    if !name.split('.').any(|l| l.starts_with("xn--")) {
        return None;
    }
    let unicode = vpsd_domain::name::to_unicode(name).to_lowercase();
    (unicode != name).then_some(unicode)
}

pub(crate) fn like_pattern(substring: &str) -> String {
    let mut p = String::with_capacity(substring.len() + 2);
    p.push('%');
    for c in substring.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

macro_rules! sql_store {
    ($store:ident, $db:ty, $name:literal) => {
        // In a module of its own, so its imports do not clash with the
        // backend's; `super::*` brings the store type and its helpers.
        mod queries {
        #[allow(unused_imports)]
        use super::*;
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use vpsd_domain::lifecycle::DomainStatus;
        use vpsd_domain::dns::{Clash, RecordData};
        use vpsd_domain::Money;

        use $crate::error::{Result, StoreError};
        use $crate::model::*;
        use $crate::list_cache::PageKey;
        use $crate::sql::{
            domains, join_hosts, like_pattern, unicode_form, AccountRow, AuditRow, DnsRecordRow, DomainRow,
            EmailForwardRow, LedgerRow, OutboxRow, RegistryRow, UrlForwardRow, DEBIT,
            DNS_RECORD_COLUMNS, DOMAIN_BY_ID, DOMAIN_COLUMNS, EMAIL_FORWARD_COLUMNS, INSERT_AUDIT, LIST_WHERE,
            LIST_VERSION, INSERT_LEDGER, INSERT_REGISTRATION, INSERT_REGISTRY_NAME, REGISTRY_COLUMNS,
            URL_FORWARD_COLUMNS,
        };

        type Tx = sqlx::Transaction<'static, $db>;

        impl $store {
            /// Runs a conditional change of one domain whose query answers
            /// `(account_id, domain_name)` when it changed the row; then, in
            /// the same transaction, audits it and queues its mail. True when
            /// the row changed.
            async fn change_domain<'q>(
                &self,
                query: sqlx::query::QueryAs<
                    'q,
                    $db,
                    (i64, String),
                    <$db as sqlx::Database>::Arguments<'q>,
                >,
                domain_id: i64,
                audit: &Audit<'_>,
                mail: Option<&NewMail>,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let Some((account_id, name)) = query.fetch_optional(&mut *tx).await? else {
                    return Ok(false);
                };
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                if let Some(mail) = mail {
                    Self::queue_mail(&mut tx, mail, now).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            /// Domains matching `condition` (on `$1`, a time), oldest `order`
            /// first, at most `limit`: the worker's "what is due" queries.
            async fn domains_due(
                &self,
                condition: &str,
                order: &str,
                at: DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<Domain>> {
                let rows: Vec<DomainRow> = sqlx::query_as(&format!(
                    "SELECT {DOMAIN_COLUMNS} FROM domains WHERE {condition} ORDER BY {order} LIMIT $2"
                ))
                .bind(at)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                domains(rows)
            }

            /// Runs one statement under the write lock; true when it
            /// changed exactly one row (the conditional updates' "we won").
            async fn write_one<'q>(
                &self,
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let changed = query.execute(&mut *tx).await?.rows_affected();
                tx.commit().await?;
                Ok(changed == 1)
            }

            /// Adds a record (`replacing` none) or replaces one, after the
            /// checks against the records at its name, in one transaction
            /// that also raises the zone's serial.
            async fn write_dns_record(
                &self,
                account_id: i64,
                domain_id: i64,
                replacing: Option<i64>,
                data: &RecordData,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<Option<std::result::Result<DnsRecord, Clash>>> {
                let (_guard, mut tx) = self.begin_write().await?;
                // The zone's serial is raised first: the UPDATE takes the
                // domain's row lock (PostgreSQL; SQLite has one writer), so
                // writers to one zone queue here and each one's checks
                // below see the records of those before it. A refusal
                // rolls the serial back with the rest.
                let domain: Option<(String, i64)> = sqlx::query_as(&format!(
                    "UPDATE domains SET dns_serial = dns_serial + 1 {DOMAIN_BY_ID} \
                     RETURNING domain_name, dns_records_count"
                ))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((domain_name, count)) = domain else {
                    return Ok(None);
                };
                if let Some(id) = replacing {
                    let exists: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM dns_records WHERE id = $1 AND domain_id = $2")
                            .bind(id)
                            .bind(domain_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if exists.is_none() {
                        return Ok(None);
                    }
                } else if count >= vpsd_domain::dns::MAX_RECORDS_PER_ZONE {
                    return Ok(Some(Err(Clash::ZoneFull)));
                }
                let rows: Vec<DnsRecordRow> = sqlx::query_as(&format!(
                    "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 AND name = $2"
                ))
                .bind(domain_id)
                .bind(&data.name)
                .fetch_all(&mut *tx)
                .await?;
                let existing = rows
                    .into_iter()
                    .map(|r| DnsRecord::try_from(r).map(|r| (r.id, r.data)))
                    .collect::<Result<Vec<_>>>()?;
                if let Some(clash) = vpsd_domain::dns::clash(&existing, data, replacing) {
                    return Ok(Some(Err(clash)));
                }
                let ttl = i32::try_from(data.ttl).unwrap_or(i32::MAX);
                let priority = data.priority.map(|p| i32::try_from(p).unwrap_or(i32::MAX));
                let row: DnsRecordRow = match replacing {
                    None => {
                        sqlx::query_as(&format!(
                            "INSERT INTO dns_records (domain_id, name, type, content, ttl, priority, \
                             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                             RETURNING {DNS_RECORD_COLUMNS}"
                        ))
                        .bind(domain_id)
                        .bind(&data.name)
                        .bind(data.rtype.as_str())
                        .bind(&data.content)
                        .bind(ttl)
                        .bind(priority)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                    Some(id) => {
                        sqlx::query_as(&format!(
                            "UPDATE dns_records SET name = $3, type = $4, content = $5, ttl = $6, \
                             priority = $7, updated_at = $8 WHERE id = $1 AND domain_id = $2 \
                             RETURNING {DNS_RECORD_COLUMNS}"
                        ))
                        .bind(id)
                        .bind(domain_id)
                        .bind(&data.name)
                        .bind(data.rtype.as_str())
                        .bind(&data.content)
                        .bind(ttl)
                        .bind(priority)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                if replacing.is_none() {
                    sqlx::query(
                        "UPDATE domains SET dns_records_count = dns_records_count + 1 WHERE id = $1",
                    )
                    .bind(domain_id)
                    .execute(&mut *tx)
                    .await?;
                }
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &domain_name)), now).await?;
                tx.commit().await?;
                Ok(Some(Ok(DnsRecord::try_from(row)?)))
            }

            /// Whether domain `domain_id` is the account's (and not removed).
            async fn owns_domain(&self, account_id: i64, domain_id: i64) -> Result<bool> {
                let owned: Option<(i64,)> =
                    sqlx::query_as(&format!("SELECT id FROM domains {DOMAIN_BY_ID}"))
                        .bind(domain_id)
                        .bind(account_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(owned.is_some())
            }

            /// In a forward change's transaction: the domain's name if it is
            /// the account's and, when `replacing`, that forward is the
            /// domain's (else `None`); then whether `key` is free in
            /// `table`'s `column` and, for a new forward, there is room.
            async fn forward_slot(
                tx: &mut Tx,
                table: &str,
                column: &str,
                account_id: i64,
                domain_id: i64,
                replacing: Option<i64>,
                key: &str,
            ) -> Result<Option<(String, Option<ForwardClash>)>> {
                let domain: Option<(String,)> = sqlx::query_as(&format!(
                    "SELECT domain_name FROM domains {DOMAIN_BY_ID}"
                ))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut **tx)
                .await?;
                let Some((name,)) = domain else {
                    return Ok(None);
                };
                if let Some(id) = replacing {
                    let exists: Option<(i64,)> = sqlx::query_as(&format!(
                        "SELECT id FROM {table} WHERE id = $1 AND domain_id = $2"
                    ))
                    .bind(id)
                    .bind(domain_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                    if exists.is_none() {
                        return Ok(None);
                    }
                } else {
                    let (count,): (i64,) = sqlx::query_as(&format!(
                        "SELECT COUNT(*) FROM {table} WHERE domain_id = $1"
                    ))
                    .bind(domain_id)
                    .fetch_one(&mut **tx)
                    .await?;
                    if count >= vpsd_domain::forwarding::MAX_FORWARDS {
                        return Ok(Some((name, Some(ForwardClash::Full))));
                    }
                }
                let taken: Option<(i64,)> = sqlx::query_as(&format!(
                    "SELECT id FROM {table} WHERE domain_id = $1 AND {column} = $2 AND id <> $3"
                ))
                .bind(domain_id)
                .bind(key)
                .bind(replacing.unwrap_or(0))
                .fetch_optional(&mut **tx)
                .await?;
                Ok(Some((name, taken.map(|(id,)| ForwardClash::Taken { id }))))
            }

            /// Raises a zone's serial (its forwards changed what it serves).
            async fn bump_serial(tx: &mut Tx, domain_id: i64) -> Result<()> {
                sqlx::query("UPDATE domains SET dns_serial = dns_serial + 1 WHERE id = $1")
                    .bind(domain_id)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            /// Deletes a forward of a domain of the account, in one
            /// transaction with the serial and the audit.
            async fn delete_forward(
                &self,
                table: &str,
                account_id: i64,
                domain_id: i64,
                forward_id: i64,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let domain: Option<(String,)> = sqlx::query_as(&format!(
                    "SELECT domain_name FROM domains {DOMAIN_BY_ID}"
                ))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((name,)) = domain else {
                    return Ok(false);
                };
                let deleted = sqlx::query(&format!(
                    "DELETE FROM {table} WHERE id = $1 AND domain_id = $2"
                ))
                .bind(forward_id)
                .bind(domain_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if deleted == 0 {
                    return Ok(false);
                }
                Self::bump_serial(&mut tx, domain_id).await?;
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                tx.commit().await?;
                Ok(true)
            }

            /// The registration's transaction through sqlx: the domain row
            /// (its unique index settles a race for the name before any money
            /// moves), the charge, the ledger and the audit.
            pub(crate) async fn insert_registration_sqlx(&self, reg: &NewRegistration, audit: &Audit<'_>) -> Result<Domain> {
                let (_guard, mut tx) = self.begin_write().await?;
                // The name first: its unique index settles a race for it
                // before any money moves.
                let row: DomainRow = sqlx::query_as(&INSERT_REGISTRATION)
                .bind(reg.account_id)
                .bind(&reg.domain_name)
                .bind(reg.registration_date)
                .bind(reg.expiration_date)
                .bind(reg.auto_renew)
                .bind(reg.privacy_protection)
                .bind(join_hosts(&reg.nameservers))
                .bind(&reg.registrar)
                .bind(reg.activates_at)
                .bind(reg.cost.cents())
                .bind(unicode_form(&reg.domain_name))
                .fetch_one(&mut *tx)
                .await?;
                let after = Self::debit(&mut tx, reg.account_id, reg.cost).await?;
                if reg.cost.cents() != 0 {
                Self::ledger_row(
                    &mut tx,
                    reg.account_id,
                    "registration",
                    -reg.cost.cents(),
                    after,
                    Some((row.id, &reg.domain_name)),
                    &reg.description,
                    reg.registration_date,
                )
                .await?;
                }
                Self::audit_row(&mut tx, audit, reg.account_id, Some((row.id, &reg.domain_name)), reg.registration_date).await?;
                tx.commit().await?;
                Domain::try_from(row)
            }

            /// The sandbox registry's new name through sqlx.
            pub(crate) async fn registry_insert_sqlx(
                &self,
                r: &RegistryRecord,
                now: DateTime<Utc>,
            ) -> Result<()> {
                let (_guard, mut tx) = self.begin_write().await?;
                sqlx::query(INSERT_REGISTRY_NAME)
                .bind(&r.name)
                .bind(&r.registrar)
                .bind(&r.auth_code)
                .bind(r.created_at)
                .bind(r.expires_at)
                .bind(r.last_transferred_at)
                .bind(r.transfer_prohibited)
                .bind(join_hosts(&r.nameservers))
                .bind(r.pending_transfer_to.as_deref())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            /// Fills `domain_name_unicode` of the internationalised names
            /// that have none (those stored before migration 0013); run
            /// right after migrating, once per database: the `backfills`
            /// table remembers it, so a later start reads one row instead
            /// of scanning `domains`. Plain names keep NULL. Two processes
            /// starting at once may both fill: the same values.
            pub(crate) async fn backfill_unicode_names(pool: &sqlx::Pool<$db>) -> Result<()> {
                let done: Option<(String,)> =
                    sqlx::query_as("SELECT name FROM backfills WHERE name = 'unicode_names'")
                        .fetch_optional(pool)
                        .await?;
                if done.is_some() {
                    return Ok(());
                }
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, domain_name FROM domains WHERE domain_name_unicode IS NULL \
                     AND (domain_name LIKE 'xn--%' OR domain_name LIKE '%.xn--%')",
                )
                .fetch_all(pool)
                .await?;
                for (id, name) in rows {
                    if let Some(unicode) = unicode_form(&name) {
                        sqlx::query("UPDATE domains SET domain_name_unicode = $1 WHERE id = $2")
                            .bind(unicode)
                            .bind(id)
                            .execute(pool)
                            .await?;
                    }
                }
                sqlx::query("INSERT INTO backfills (name) VALUES ('unicode_names') ON CONFLICT DO NOTHING")
                    .execute(pool)
                    .await?;
                Ok(())
            }

            /// A page, the total, and the account's list version (see
            /// `list_cache.rs`) through sqlx. PostgreSQL counts in the
            /// page's statement (one scan, one round trip; faster there,
            /// measured); SQLite, which materialises every row for the
            /// window, counts apart (docs/benchmarks.md), and so does an
            /// empty page, which has no row to carry the count. The version
            /// rides in the statement that gives the total, so it is the
            /// page's snapshot, and an empty page (a search that finds
            /// nothing) is kept like any other.
            pub(crate) async fn list_domains_sqlx(
                &self,
                account_id: i64,
                filter: &DomainFilter,
                offset: i64,
                limit: i64,
            ) -> Result<(Option<i64>, DomainPage)> {
                const WHERE: &str = LIST_WHERE;
                let status = filter.status.map(DomainStatus::as_str);
                let pattern = filter.search.as_deref().map(like_pattern);
                use sqlx::{FromRow, Row};
                let count_sql =
                    format!("SELECT COUNT(*), {LIST_VERSION} AS list_version FROM domains {WHERE}");
                let window = if $name == "postgres" {
                    ", COUNT(*) OVER () AS total"
                } else {
                    ""
                };
                let rows = sqlx::query(&format!(
                    "SELECT {DOMAIN_COLUMNS}{window}, {LIST_VERSION} AS list_version \
                     FROM domains {WHERE} ORDER BY id LIMIT $5 OFFSET $6"
                ))
                .bind(account_id)
                .bind(status)
                .bind(filter.locked_only)
                .bind(pattern.as_deref())
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                let (total, version) = match rows.first() {
                    Some(row) if !window.is_empty() => (
                        row.try_get::<i64, _>("total")?,
                        row.try_get::<i64, _>("list_version")?,
                    ),
                    _ => {
                        sqlx::query_as::<_, (i64, i64)>(&count_sql)
                            .bind(account_id)
                            .bind(status)
                            .bind(filter.locked_only)
                            .bind(pattern.as_deref())
                            .fetch_one(&self.pool)
                            .await?
                    }
                };
                // SQLite counts in a statement of its own: the page's row
                // carries the page's version.
                let version = match rows.first() {
                    Some(row) => row.try_get::<i64, _>("list_version")?,
                    None => version,
                };
                let rows = rows
                    .iter()
                    .map(DomainRow::from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((Some(version), DomainPage { total, domains: domains(rows)?.into() }))
            }

            /// Appends to the audit log, in the caller's transaction.
            async fn audit_row(
                tx: &mut Tx,
                audit: &Audit<'_>,
                account_id: i64,
                domain: Option<(i64, &str)>,
                now: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(INSERT_AUDIT)
                .bind(account_id)
                .bind(audit.actor.kind)
                .bind(audit.actor.token_id)
                .bind(audit.action.as_str())
                .bind(domain.map(|d| d.0))
                .bind(domain.map(|d| d.1))
                .bind(&audit.changes)
                .bind(audit.actor.request_id.as_deref())
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Takes `amount` from the balance if it covers it; returns the
            /// balance after.
            async fn debit(tx: &mut Tx, account_id: i64, amount: Money) -> Result<i64> {
                let row: Option<(i64,)> = sqlx::query_as(DEBIT)
                .bind(amount.cents())
                .bind(account_id)
                .fetch_optional(&mut **tx)
                .await?;
                row.map(|r| r.0).ok_or(StoreError::InsufficientFunds)
            }

            async fn credit(tx: &mut Tx, account_id: i64, amount: Money) -> Result<i64> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "UPDATE accounts SET balance_cents = balance_cents + $1 \
                     WHERE id = $2 RETURNING balance_cents",
                )
                .bind(amount.cents())
                .bind(account_id)
                .fetch_optional(&mut **tx)
                .await?;
                row.map(|r| r.0).ok_or(StoreError::NotFound)
            }

            #[allow(clippy::too_many_arguments)]
            async fn ledger_row(
                tx: &mut Tx,
                account_id: i64,
                kind: &str,
                amount: i64,
                balance_after: i64,
                domain: Option<(i64, &str)>,
                description: &str,
                now: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(INSERT_LEDGER)
                .bind(account_id)
                .bind(kind)
                .bind(amount)
                .bind(balance_after)
                .bind(domain.map(|d| d.0))
                .bind(domain.map(|d| d.1))
                .bind(description)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn queue_mail(tx: &mut Tx, mail: &NewMail, now: DateTime<Utc>) -> Result<()> {
                sqlx::query(
                    "INSERT INTO outbox (account_id, recipient, subject, body, created_at) \
                     SELECT id, email, $2, $3, $4 FROM accounts WHERE id = $1",
                )
                .bind(mail.account_id)
                .bind(&mail.subject)
                .bind(&mail.body)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            fn pool_stats(&self) -> (u32, u32) {
                (self.pool.size(), u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX))
            }

            async fn close(&self) {
                self.pool.close().await;
            }

            async fn skip_domain_ids(&self, last: i64) -> Result<()> {
                let (_guard, mut tx) = self.begin_write().await?;
                if self.backend() == "postgres" {
                    sqlx::query(
                        "SELECT setval(pg_get_serial_sequence('domains', 'id'), \
                         GREATEST($1, (SELECT COALESCE(MAX(id), 1) FROM domains)))",
                    )
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    // AUTOINCREMENT keeps the last id in sqlite_sequence.
                    let done = sqlx::query(
                        "UPDATE sqlite_sequence SET seq = MAX(seq, $1) WHERE name = 'domains'",
                    )
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ('domains', $1)")
                            .bind(last)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_account(
                &self,
                email: &str,
                balance: Money,
                now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: AccountRow = sqlx::query_as(
                    "INSERT INTO accounts (email, balance_cents, created_at) VALUES ($1, $2, $3) \
                     RETURNING id, email, balance_cents, created_at",
                )
                .bind(email)
                .bind(balance.cents())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                if balance.cents() != 0 {
                    Self::ledger_row(
                        &mut tx,
                        row.id,
                        "credit",
                        balance.cents(),
                        balance.cents(),
                        None,
                        "Opening balance",
                        now,
                    )
                    .await?;
                }
                Self::audit_row(&mut tx, audit, row.id, None, now).await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn credit_account(
                &self,
                account_id: i64,
                amount: Money,
                description: &str,
                now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Account> {
                let (_guard, mut tx) = self.begin_write().await?;
                let after = Self::credit(&mut tx, account_id, amount).await?;
                Self::ledger_row(
                    &mut tx,
                    account_id,
                    "credit",
                    amount.cents(),
                    after,
                    None,
                    description,
                    now,
                )
                .await?;
                let row: AccountRow = sqlx::query_as(
                    "SELECT id, email, balance_cents, created_at FROM accounts WHERE id = $1",
                )
                .bind(account_id)
                .fetch_one(&mut *tx)
                .await?;
                Self::audit_row(&mut tx, audit, account_id, None, now).await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn account(&self, account_id: i64) -> Result<Option<Account>> {
                let row: Option<AccountRow> = sqlx::query_as(
                    "SELECT id, email, balance_cents, created_at FROM accounts WHERE id = $1",
                )
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn account_count(&self) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn ledger(&self, account_id: i64) -> Result<Vec<LedgerEntry>> {
                let rows: Vec<LedgerRow> = sqlx::query_as(
                    "SELECT id, account_id, kind, amount_cents, balance_after_cents, domain_id, \
                     domain_name, description, created_at FROM ledger \
                     WHERE account_id = $1 ORDER BY id",
                )
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn ledger_page(
                &self,
                account_id: i64,
                offset: i64,
                limit: i64,
            ) -> Result<(i64, Vec<LedgerEntry>)> {
                let (count,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM ledger WHERE account_id = $1")
                        .bind(account_id)
                        .fetch_one(&self.pool)
                        .await?;
                let rows: Vec<LedgerRow> = sqlx::query_as(
                    "SELECT id, account_id, kind, amount_cents, balance_after_cents, domain_id, \
                     domain_name, description, created_at FROM ledger \
                     WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                )
                .bind(account_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                Ok((count, rows.into_iter().map(Into::into).collect()))
            }

            async fn audit_page(
                &self,
                account_id: i64,
                offset: i64,
                limit: i64,
            ) -> Result<(i64, Vec<AuditEntry>)> {
                let (count,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE account_id = $1")
                        .bind(account_id)
                        .fetch_one(&self.pool)
                        .await?;
                let rows: Vec<AuditRow> = sqlx::query_as(
                    "SELECT id, account_id, actor, token_id, action, domain_id, domain_name, \
                     changes, request_id, created_at FROM audit_log \
                     WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                )
                .bind(account_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                Ok((count, rows.into_iter().map(Into::into).collect()))
            }

            async fn ledger_sum(&self, account_id: i64) -> Result<Money> {
                let (sum,): (i64,) = sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger \
                     WHERE account_id = $1",
                )
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?;
                Ok(Money::from_cents(sum))
            }

            async fn create_token(&self, t: &NewToken, audit: &Audit<'_>) -> Result<i64> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO api_tokens (account_id, name, token_hash, prefix, scope, \
                     expires_at, created_at) \
                     SELECT id, $2, $3, $4, $5, $6, $7 FROM accounts WHERE id = $1 RETURNING id",
                )
                .bind(t.account_id)
                .bind(&t.name)
                .bind(&t.token_hash)
                .bind(&t.prefix)
                .bind(if t.read_only { "read_only" } else { "read_write" })
                .bind(t.expires_at)
                .bind(t.created_at)
                .fetch_optional(&mut *tx)
                .await?;
                if row.is_some() {
                    Self::audit_row(&mut tx, audit, t.account_id, None, t.created_at).await?;
                }
                tx.commit().await?;
                row.map(|r| r.0).ok_or(StoreError::NotFound)
            }

            async fn token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>> {
                // Read on every request; each backend answers it its
                // fastest exact way.
                self.read_token_owner(token_hash).await
            }

            async fn tokens(&self, account_id: i64) -> Result<Vec<TokenInfo>> {
                #[allow(clippy::type_complexity)]
                let rows: Vec<(
                    i64,
                    String,
                    String,
                    String,
                    DateTime<Utc>,
                    Option<DateTime<Utc>>,
                    Option<DateTime<Utc>>,
                    Option<DateTime<Utc>>,
                )> = sqlx::query_as(
                    "SELECT id, name, prefix, scope, created_at, expires_at, revoked_at, \
                     last_used_at FROM api_tokens WHERE account_id = $1 ORDER BY id",
                )
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, prefix, scope, created_at, expires_at, revoked_at, last_used_at)| {
                        TokenInfo {
                            id,
                            name,
                            prefix,
                            read_only: scope != "read_write",
                            created_at,
                            expires_at,
                            revoked_at,
                            last_used_at,
                        }
                    })
                    .collect())
            }

            async fn revoke_token(
                &self,
                token_id: i64,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<(i64,)> = sqlx::query_as(
                    "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
                     RETURNING account_id",
                )
                .bind(token_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((account_id,)) = row else {
                    return Ok(false);
                };
                Self::audit_row(&mut tx, audit, account_id, None, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn token_used(&self, token_id: i64, now: DateTime<Utc>) -> Result<()> {
                self.write_one(
                    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                        .bind(token_id)
                        .bind(now),
                )
                .await?;
                Ok(())
            }

            async fn list_domains(
                &self,
                account_id: i64,
                filter: &DomainFilter,
                offset: i64,
                limit: i64,
            ) -> Result<DomainPage> {
                // A page kept at the account's list version is handed out
                // again while the version is unchanged (`list_cache.rs`);
                // otherwise each backend reads the page its fastest way.
                let key = PageKey {
                    account_id,
                    filter: filter.clone(),
                    offset,
                    limit,
                };
                if let Some((version, page)) = self.kept_lists.get(&key) {
                    if self.read_list_version(account_id).await? == version {
                        return Ok(page);
                    }
                }
                let (version, page) = self.read_list(account_id, filter, offset, limit).await?;
                if let Some(version) = version {
                    self.kept_lists.put(key, version, page.clone());
                }
                Ok(page)
            }

            async fn domain(&self, account_id: i64, domain_id: i64) -> Result<Option<Domain>> {
                // The hottest read; each backend answers it its fastest way.
                self.read_domain(account_id, domain_id).await
            }

            async fn domain_by_name(&self, domain_name: &str) -> Result<Option<Domain>> {
                let row: Option<DomainRow> = sqlx::query_as(&format!(
                    "SELECT {DOMAIN_COLUMNS} FROM domains WHERE domain_name = $1"
                ))
                .bind(domain_name)
                .fetch_optional(&self.pool)
                .await?;
                row.map(Domain::try_from).transpose()
            }

            async fn dns_records(
                &self,
                account_id: i64,
                domain_id: i64,
            ) -> Result<Option<Vec<DnsRecord>>> {
                if !self.owns_domain(account_id, domain_id).await? {
                    return Ok(None);
                }
                let rows: Vec<DnsRecordRow> = sqlx::query_as(&format!(
                    "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 ORDER BY id"
                ))
                .bind(domain_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(DnsRecord::try_from).collect::<Result<Vec<_>>>().map(Some)
            }

            async fn add_dns_record(
                &self,
                account_id: i64,
                domain_id: i64,
                data: &RecordData,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<Option<std::result::Result<DnsRecord, Clash>>> {
                self.write_dns_record(account_id, domain_id, None, data, now, audit).await
            }

            async fn replace_dns_record(
                &self,
                account_id: i64,
                domain_id: i64,
                record_id: i64,
                data: &RecordData,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<Option<std::result::Result<DnsRecord, Clash>>> {
                self.write_dns_record(account_id, domain_id, Some(record_id), data, now, audit).await
            }

            async fn delete_dns_record(
                &self,
                account_id: i64,
                domain_id: i64,
                record_id: i64,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let domain: Option<(String,)> = sqlx::query_as(&format!(
                    "SELECT domain_name FROM domains {DOMAIN_BY_ID}"
                ))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((name,)) = domain else {
                    return Ok(false);
                };
                let deleted = sqlx::query("DELETE FROM dns_records WHERE id = $1 AND domain_id = $2")
                    .bind(record_id)
                    .bind(domain_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if deleted == 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "UPDATE domains SET dns_serial = dns_serial + 1, \
                     dns_records_count = dns_records_count - 1 WHERE id = $1",
                )
                .bind(domain_id)
                .execute(&mut *tx)
                .await?;
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn email_forwards(
                &self,
                account_id: i64,
                domain_id: i64,
            ) -> Result<Option<Vec<EmailForward>>> {
                if !self.owns_domain(account_id, domain_id).await? {
                    return Ok(None);
                }
                let rows: Vec<EmailForwardRow> = sqlx::query_as(&format!(
                    "SELECT {EMAIL_FORWARD_COLUMNS} FROM email_forwards WHERE domain_id = $1 ORDER BY alias"
                ))
                .bind(domain_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(Some(rows.into_iter().map(EmailForward::from).collect()))
            }

            async fn put_email_forward(
                &self,
                account_id: i64,
                domain_id: i64,
                replacing: Option<i64>,
                data: &EmailForwardData,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<Option<std::result::Result<EmailForward, ForwardClash>>> {
                let (_guard, mut tx) = self.begin_write().await?;
                let slot = Self::forward_slot(
                    &mut tx, "email_forwards", "alias", account_id, domain_id, replacing, &data.alias,
                )
                .await?;
                let Some((name, clash)) = slot else {
                    return Ok(None);
                };
                if let Some(clash) = clash {
                    return Ok(Some(Err(clash)));
                }
                let destinations = join_hosts(&data.destinations);
                let row: EmailForwardRow = match replacing {
                    None => sqlx::query_as(&format!(
                        "INSERT INTO email_forwards (domain_id, alias, destinations, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $4) RETURNING {EMAIL_FORWARD_COLUMNS}"
                    ))
                    .bind(domain_id)
                    .bind(&data.alias)
                    .bind(&destinations)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                    Some(id) => sqlx::query_as(&format!(
                        "UPDATE email_forwards SET alias = $2, destinations = $3, updated_at = $4 \
                         WHERE id = $1 RETURNING {EMAIL_FORWARD_COLUMNS}"
                    ))
                    .bind(id)
                    .bind(&data.alias)
                    .bind(&destinations)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                };
                Self::bump_serial(&mut tx, domain_id).await?;
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                tx.commit().await?;
                Ok(Some(Ok(row.into())))
            }

            async fn delete_email_forward(
                &self,
                account_id: i64,
                domain_id: i64,
                forward_id: i64,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.delete_forward("email_forwards", account_id, domain_id, forward_id, now, audit)
                    .await
            }

            async fn url_forwards(
                &self,
                account_id: i64,
                domain_id: i64,
            ) -> Result<Option<Vec<UrlForward>>> {
                if !self.owns_domain(account_id, domain_id).await? {
                    return Ok(None);
                }
                let rows: Vec<UrlForwardRow> = sqlx::query_as(&format!(
                    "SELECT {URL_FORWARD_COLUMNS} FROM url_forwards WHERE domain_id = $1 ORDER BY host"
                ))
                .bind(domain_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(Some(rows.into_iter().map(UrlForward::from).collect()))
            }

            async fn put_url_forward(
                &self,
                account_id: i64,
                domain_id: i64,
                replacing: Option<i64>,
                data: &UrlForwardData,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<Option<std::result::Result<UrlForward, ForwardClash>>> {
                let (_guard, mut tx) = self.begin_write().await?;
                let slot = Self::forward_slot(
                    &mut tx, "url_forwards", "host", account_id, domain_id, replacing, &data.host,
                )
                .await?;
                let Some((name, clash)) = slot else {
                    return Ok(None);
                };
                if let Some(clash) = clash {
                    return Ok(Some(Err(clash)));
                }
                let status = i32::try_from(data.status_code).unwrap_or(302);
                let row: UrlForwardRow = match replacing {
                    None => sqlx::query_as(&format!(
                        "INSERT INTO url_forwards (domain_id, host, target, status_code, keep_path, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                         RETURNING {URL_FORWARD_COLUMNS}"
                    ))
                    .bind(domain_id)
                    .bind(&data.host)
                    .bind(&data.target)
                    .bind(status)
                    .bind(data.keep_path)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                    Some(id) => sqlx::query_as(&format!(
                        "UPDATE url_forwards SET host = $2, target = $3, status_code = $4, keep_path = $5, \
                         updated_at = $6 WHERE id = $1 RETURNING {URL_FORWARD_COLUMNS}"
                    ))
                    .bind(id)
                    .bind(&data.host)
                    .bind(&data.target)
                    .bind(status)
                    .bind(data.keep_path)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?,
                };
                Self::bump_serial(&mut tx, domain_id).await?;
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                tx.commit().await?;
                Ok(Some(Ok(row.into())))
            }

            async fn delete_url_forward(
                &self,
                account_id: i64,
                domain_id: i64,
                forward_id: i64,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.delete_forward("url_forwards", account_id, domain_id, forward_id, now, audit)
                    .await
            }

            async fn url_forward_for(&self, domain_name: &str, host: &str) -> Result<Option<UrlForward>> {
                let row: Option<UrlForwardRow> = sqlx::query_as(
                    "SELECT f.id, f.domain_id, f.host, f.target, f.status_code, f.keep_path, \
                     f.created_at, f.updated_at FROM url_forwards f JOIN domains d ON d.id = f.domain_id \
                     WHERE d.domain_name = $1 AND f.host = $2 AND d.status = 'active' AND d.removed_at IS NULL",
                )
                .bind(domain_name)
                .bind(host)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(UrlForward::from))
            }

            async fn dns_zones(&self) -> Result<Vec<ZoneSource>> {
                let rows: Vec<DomainRow> = sqlx::query_as(&format!(
                    "SELECT {DOMAIN_COLUMNS} FROM domains WHERE status = 'active' AND removed_at IS NULL"
                ))
                .fetch_all(&self.pool)
                .await?;
                let records: Vec<DnsRecordRow> = sqlx::query_as(
                    "SELECT r.id, r.domain_id, r.name, r.type, r.content, r.ttl, r.priority, \
                     r.created_at, r.updated_at FROM dns_records r JOIN domains d ON d.id = r.domain_id \
                     WHERE d.status = 'active' AND d.removed_at IS NULL ORDER BY r.domain_id, r.id",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut by_domain: std::collections::HashMap<i64, Vec<DnsRecord>> =
                    std::collections::HashMap::new();
                for r in records {
                    let r = DnsRecord::try_from(r)?;
                    by_domain.entry(r.domain_id).or_default().push(r);
                }
                let mailing: std::collections::HashSet<i64> =
                    sqlx::query_as::<_, (i64,)>("SELECT DISTINCT domain_id FROM email_forwards")
                        .fetch_all(&self.pool)
                        .await?
                        .into_iter()
                        .map(|(id,)| id)
                        .collect();
                let mut hosts: std::collections::HashMap<i64, Vec<String>> =
                    std::collections::HashMap::new();
                for (id, host) in sqlx::query_as::<_, (i64, String)>("SELECT domain_id, host FROM url_forwards")
                    .fetch_all(&self.pool)
                    .await?
                {
                    hosts.entry(id).or_default().push(host);
                }
                rows.into_iter()
                    .map(|row| {
                        let domain = Domain::try_from(row)?;
                        let records = by_domain.remove(&domain.id).unwrap_or_default();
                        Ok(ZoneSource {
                            email_forwarding: mailing.contains(&domain.id),
                            url_forward_hosts: hosts.remove(&domain.id).unwrap_or_default(),
                            domain,
                            records,
                        })
                    })
                    .collect()
            }

            async fn dns_zone(&self, domain_id: i64) -> Result<Option<ZoneSource>> {
                let row: Option<DomainRow> = sqlx::query_as(&format!(
                    "SELECT {DOMAIN_COLUMNS} FROM domains WHERE id = $1 AND removed_at IS NULL"
                ))
                .bind(domain_id)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let records: Vec<DnsRecordRow> = sqlx::query_as(&format!(
                    "SELECT {DNS_RECORD_COLUMNS} FROM dns_records WHERE domain_id = $1 ORDER BY id"
                ))
                .bind(domain_id)
                .fetch_all(&self.pool)
                .await?;
                let (mail_count,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM email_forwards WHERE domain_id = $1")
                        .bind(domain_id)
                        .fetch_one(&self.pool)
                        .await?;
                let hosts: Vec<(String,)> =
                    sqlx::query_as("SELECT host FROM url_forwards WHERE domain_id = $1 ORDER BY host")
                        .bind(domain_id)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(Some(ZoneSource {
                    domain: Domain::try_from(row)?,
                    records: records
                        .into_iter()
                        .map(DnsRecord::try_from)
                        .collect::<Result<Vec<_>>>()?,
                    email_forwarding: mail_count > 0,
                    url_forward_hosts: hosts.into_iter().map(|(h,)| h).collect(),
                }))
            }

            async fn dns_change_head(&self) -> Result<i64> {
                let (head,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM dns_changes")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(head.unwrap_or(0))
            }

            async fn dns_changes(&self, after: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT seq, domain_id FROM dns_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn purge_dns_changes(&self, keep: i64) -> Result<u64> {
                // At most PURGE_BATCH entries a call, so a long feed (after a
                // bulk import) never holds the writer long.
                const PURGE_BATCH: i64 = 10_000;
                let (oldest, head): (Option<i64>, Option<i64>) =
                    sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM dns_changes")
                        .fetch_one(&self.pool)
                        .await?;
                let (Some(oldest), Some(head)) = (oldest, head) else {
                    return Ok(0);
                };
                let upto = (head - keep).min(oldest + PURGE_BATCH - 1);
                if upto < oldest {
                    return Ok(0);
                }
                let (_guard, mut tx) = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM dns_changes WHERE seq <= $1")
                    .bind(upto)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n)
            }

            async fn insert_registration(&self, reg: &NewRegistration, audit: &Audit<'_>) -> Result<Domain> {
                // Each backend writes it its fastest way (the hottest write).
                self.write_registration(reg, audit).await
            }

            async fn cancel_registration(
                &self,
                domain_id: i64,
                description: &str,
                mail: Option<&NewMail>,
                now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(
                    "DELETE FROM domains WHERE id = $1 AND status = 'pending' \
                     RETURNING account_id, domain_name, registration_cost_cents",
                )
                .bind(domain_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((account_id, name, cost)) = row else {
                    return Err(StoreError::StateChanged);
                };
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                if let Some(mail) = mail {
                    Self::queue_mail(&mut tx, mail, now).await?;
                }
                let refund = Money::from_cents(cost.unwrap_or(0));
                if refund.cents() == 0 {
                    tx.commit().await?;
                    return Ok(());
                }
                let after = Self::credit(&mut tx, account_id, refund).await?;
                Self::ledger_row(
                    &mut tx,
                    account_id,
                    "refund",
                    refund.cents(),
                    after,
                    Some((domain_id, &name)),
                    description,
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn insert_import(
                &self,
                account_id: i64,
                record: &RegistryRecord,
                now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Domain> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: DomainRow = sqlx::query_as(&format!(
                    "INSERT INTO domains (account_id, domain_name, status, registration_date, \
                     expiration_date, auto_renew, locked, privacy_protection, nameservers, \
                     registrar, updated_at, domain_name_unicode) \
                     VALUES ($1, $2, 'active', $3, $4, FALSE, $5, FALSE, $6, $7, $8, $9) \
                     RETURNING {DOMAIN_COLUMNS}"
                ))
                .bind(account_id)
                .bind(&record.name)
                .bind(record.created_at)
                .bind(record.expires_at)
                .bind(record.transfer_prohibited)
                .bind(join_hosts(&record.nameservers))
                .bind(&record.registrar)
                .bind(now)
                .bind(unicode_form(&record.name))
                .fetch_one(&mut *tx)
                .await?;
                Self::audit_row(&mut tx, audit, account_id, Some((row.id, &record.name)), now).await?;
                tx.commit().await?;
                Domain::try_from(row)
            }

            async fn restore_domain(
                &self,
                account_id: i64,
                domain_name: &str,
                now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<DomainRow> = sqlx::query_as(&format!(
                    "UPDATE domains SET removed_at = NULL, updated_at = $3 \
                     WHERE account_id = $1 AND domain_name = $2 AND removed_at IS NOT NULL \
                     RETURNING {DOMAIN_COLUMNS}"
                ))
                .bind(account_id)
                .bind(domain_name)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = &row {
                    Self::audit_row(&mut tx, audit, account_id, Some((row.id, &row.domain_name)), now).await?;
                }
                tx.commit().await?;
                row.map(Domain::try_from).transpose()
            }

            async fn update_settings(
                &self,
                account_id: i64,
                domain_id: i64,
                change: &SettingsChange,
                now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Domain>> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<DomainRow> = sqlx::query_as(&format!(
                    "UPDATE domains SET \
                     auto_renew = COALESCE($3, auto_renew), \
                     privacy_protection = COALESCE($4, privacy_protection), \
                     nameservers = COALESCE($5, nameservers), \
                     locked = COALESCE($6, locked), \
                     updated_at = $7 \
                     WHERE id = $1 AND account_id = $2 AND removed_at IS NULL \
                     RETURNING {DOMAIN_COLUMNS}"
                ))
                .bind(domain_id)
                .bind(account_id)
                .bind(change.auto_renew)
                .bind(change.privacy_protection)
                .bind(change.nameservers.as_deref().map(join_hosts))
                .bind(change.locked)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = &row {
                    Self::audit_row(&mut tx, audit, account_id, Some((row.id, &row.domain_name)), now).await?;
                }
                tx.commit().await?;
                row.map(Domain::try_from).transpose()
            }

            async fn remove_domain(
                &self,
                account_id: i64,
                domain_id: i64,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<(String,)> = sqlx::query_as(
                    "UPDATE domains SET removed_at = $3, updated_at = $3 \
                     WHERE id = $1 AND account_id = $2 AND removed_at IS NULL RETURNING domain_name",
                )
                .bind(domain_id)
                .bind(account_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((name,)) = row else {
                    return Ok(false);
                };
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn begin_transfer(&self, t: &NewTransfer, mail: &NewMail, audit: &Audit<'_>) -> Result<Domain> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<DomainRow> = sqlx::query_as(&format!(
                    "UPDATE domains SET transfer_status = 'pending', transfer_initiated_at = $3, \
                     transfer_completes_at = $4, transfer_cost_cents = $5, auto_renew = $6, \
                     updated_at = $3 \
                     WHERE id = $1 AND account_id = $2 AND removed_at IS NULL \
                     AND (transfer_status IS NULL OR transfer_status <> 'pending') \
                     RETURNING {DOMAIN_COLUMNS}"
                ))
                .bind(t.domain_id)
                .bind(t.account_id)
                .bind(t.initiated_at)
                .bind(t.completes_at)
                .bind(t.cost.cents())
                .bind(t.auto_renew)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    // Lost a race: answer what is true now, in this
                    // transaction's view. Gone (removed meanwhile):
                    // NotFound; still there: a transfer is pending.
                    let there: Option<(i64,)> = sqlx::query_as(&format!(
                        "SELECT id FROM domains {DOMAIN_BY_ID}"
                    ))
                    .bind(t.domain_id)
                    .bind(t.account_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err(match there {
                        None => StoreError::NotFound,
                        Some(_) => StoreError::StateChanged,
                    });
                };
                let after = Self::debit(&mut tx, t.account_id, t.cost).await?;
                Self::ledger_row(
                    &mut tx,
                    t.account_id,
                    "transfer",
                    -t.cost.cents(),
                    after,
                    Some((row.id, &row.domain_name)),
                    &t.description,
                    t.initiated_at,
                )
                .await?;
                Self::queue_mail(&mut tx, mail, t.initiated_at).await?;
                Self::audit_row(&mut tx, audit, t.account_id, Some((row.id, &row.domain_name)), t.initiated_at).await?;
                tx.commit().await?;
                Domain::try_from(row)
            }

            async fn fail_transfer(
                &self,
                domain_id: i64,
                status: vpsd_domain::lifecycle::TransferStatus,
                description: &str,
                mail: Option<&NewMail>,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(
                    "UPDATE domains SET transfer_status = $3, updated_at = $2 \
                     WHERE id = $1 AND transfer_status = 'pending' \
                     RETURNING account_id, domain_name, transfer_cost_cents",
                )
                .bind(domain_id)
                .bind(now)
                .bind(status.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some((account_id, name, cost)) = row else {
                    return Ok(false);
                };
                Self::audit_row(&mut tx, audit, account_id, Some((domain_id, &name)), now).await?;
                let refund = Money::from_cents(cost.unwrap_or(0));
                if refund.cents() > 0 {
                    let after = Self::credit(&mut tx, account_id, refund).await?;
                    Self::ledger_row(
                        &mut tx,
                        account_id,
                        "refund",
                        refund.cents(),
                        after,
                        Some((domain_id, &name)),
                        description,
                        now,
                    )
                    .await?;
                }
                if let Some(mail) = mail {
                    Self::queue_mail(&mut tx, mail, now).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn complete_transfer(
                &self,
                domain_id: i64,
                registrar: &str,
                expiration_date: DateTime<Utc>,
                mail: &NewMail,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "UPDATE domains SET transfer_status = 'completed', registrar = $2, \
                         expiration_date = $3, locked = TRUE, privacy_protection = TRUE, \
                         updated_at = $4 \
                         WHERE id = $1 AND transfer_status = 'pending' RETURNING account_id, domain_name",
                    )
                    .bind(domain_id)
                    .bind(registrar)
                    .bind(expiration_date)
                    .bind(now),
                    domain_id,
                    audit,
                    Some(mail),
                    now,
                )
                .await
            }

            async fn due_registrations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
                self.domains_due(
                    "status = 'pending' AND activates_at <= $1",
                    "activates_at",
                    now,
                    limit,
                )
                .await
            }

            async fn activate_registration(
                &self,
                domain_id: i64,
                mail: &NewMail,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "UPDATE domains SET status = 'active', activates_at = NULL, updated_at = $2 \
                         WHERE id = $1 AND status = 'pending' RETURNING account_id, domain_name",
                    )
                    .bind(domain_id)
                    .bind(now),
                    domain_id,
                    audit,
                    Some(mail),
                    now,
                )
                .await
            }

            async fn expire_domain(
                &self,
                domain_id: i64,
                mail: Option<&NewMail>,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "UPDATE domains SET status = 'expired', updated_at = $2 \
                         WHERE id = $1 AND status = 'active' AND expiration_date <= $2 \
                         RETURNING account_id, domain_name",
                    )
                    .bind(domain_id)
                    .bind(now),
                    domain_id,
                    audit,
                    mail,
                    now,
                )
                .await
            }

            async fn renew_domain(&self, r: &Renewal, audit: &Audit<'_>) -> Result<Domain> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<DomainRow> = sqlx::query_as(&format!(
                    "UPDATE domains SET expiration_date = $3, status = 'active', \
                     renew_attempt_at = NULL, warned_days = NULL, updated_at = $4 \
                     WHERE id = $1 AND expiration_date = $2 AND status IN ('active', 'expired') \
                     RETURNING {DOMAIN_COLUMNS}"
                ))
                .bind(r.domain_id)
                .bind(r.old_expiration)
                .bind(r.new_expiration)
                .bind(r.now)
                .fetch_optional(&mut *tx)
                .await?;
                let row = row.ok_or(StoreError::StateChanged)?;
                let after = Self::debit(&mut tx, r.account_id, r.cost).await?;
                Self::ledger_row(
                    &mut tx,
                    r.account_id,
                    r.kind,
                    -r.cost.cents(),
                    after,
                    Some((row.id, &row.domain_name)),
                    &r.description,
                    r.now,
                )
                .await?;
                Self::queue_mail(&mut tx, &r.mail, r.now).await?;
                Self::audit_row(&mut tx, audit, r.account_id, Some((row.id, &row.domain_name)), r.now).await?;
                tx.commit().await?;
                Domain::try_from(row)
            }

            async fn undo_renewal(&self, r: &Renewal, old_status: &str, audit: &Audit<'_>) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let row: Option<(String,)> = sqlx::query_as(
                    "UPDATE domains SET expiration_date = $2, status = $4, updated_at = $5 \
                     WHERE id = $1 AND expiration_date = $3 RETURNING domain_name",
                )
                .bind(r.domain_id)
                .bind(r.old_expiration)
                .bind(r.new_expiration)
                .bind(old_status)
                .bind(r.now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((name,)) = row else {
                    return Ok(false);
                };
                let after = Self::credit(&mut tx, r.account_id, r.cost).await?;
                Self::ledger_row(
                    &mut tx,
                    r.account_id,
                    "refund",
                    r.cost.cents(),
                    after,
                    Some((r.domain_id, &name)),
                    &format!("Refund: the registry refused the {} of {name}", r.kind),
                    r.now,
                )
                .await?;
                Self::audit_row(&mut tx, audit, r.account_id, Some((r.domain_id, &name)), r.now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn renewal_failed(
                &self,
                domain_id: i64,
                expiration: DateTime<Utc>,
                retry_at: DateTime<Utc>,
                mail: &NewMail,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE domains SET renew_attempt_at = $3, updated_at = $4 \
                     WHERE id = $1 AND expiration_date = $2 \
                     AND (renew_attempt_at IS NULL OR renew_attempt_at <= $4)",
                )
                .bind(domain_id)
                .bind(expiration)
                .bind(retry_at)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if done {
                    Self::queue_mail(&mut tx, mail, now).await?;
                }
                tx.commit().await?;
                Ok(done)
            }

            async fn due_auto_renewals(
                &self,
                now: DateTime<Utc>,
                until: DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<Domain>> {
                let rows: Vec<DomainRow> = sqlx::query_as(&format!(
                    "SELECT {DOMAIN_COLUMNS} FROM domains \
                     WHERE status = 'active' AND auto_renew AND registrar = 'VPS.org' \
                     AND expiration_date > $1 AND expiration_date <= $2 \
                     AND (renew_attempt_at IS NULL OR renew_attempt_at <= $1) \
                     ORDER BY expiration_date LIMIT $3"
                ))
                .bind(now)
                .bind(until)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                domains(rows)
            }

            async fn expiring(
                &self,
                now: DateTime<Utc>,
                until: DateTime<Utc>,
                renewing_until: DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<Domain>> {
                let rows: Vec<DomainRow> = sqlx::query_as(&format!(
                    "SELECT {DOMAIN_COLUMNS} FROM domains \
                     WHERE status = 'active' AND registrar = 'VPS.org' \
                     AND expiration_date > $1 AND expiration_date <= $2 \
                     AND (warned_days IS NULL OR warned_days > 1) \
                     AND NOT (auto_renew AND expiration_date <= $4) \
                     ORDER BY expiration_date LIMIT $3"
                ))
                .bind(now)
                .bind(until)
                .bind(limit)
                .bind(renewing_until)
                .fetch_all(&self.pool)
                .await?;
                domains(rows)
            }

            async fn mark_warned(
                &self,
                domain_id: i64,
                expiration: DateTime<Utc>,
                days: i64,
                mail: &NewMail,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE domains SET warned_days = $3, updated_at = $4 \
                     WHERE id = $1 AND expiration_date = $2 AND status = 'active' \
                     AND (warned_days IS NULL OR warned_days > $3)",
                )
                .bind(domain_id)
                .bind(expiration)
                .bind(days)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if done {
                    Self::queue_mail(&mut tx, mail, now).await?;
                }
                tx.commit().await?;
                Ok(done)
            }

            async fn due_expirations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
                self.domains_due(
                    "status = 'active' AND registrar = 'VPS.org' AND expiration_date <= $1",
                    "expiration_date",
                    now,
                    limit,
                )
                .await
            }

            async fn due_releases(&self, expired_by: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
                self.domains_due(
                    "status = 'expired' AND registrar = 'VPS.org' AND expiration_date <= $1",
                    "expiration_date",
                    expired_by,
                    limit,
                )
                .await
            }

            async fn release_domain(
                &self,
                domain_id: i64,
                expiration: DateTime<Utc>,
                mail: &NewMail,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "DELETE FROM domains WHERE id = $1 AND status = 'expired' \
                         AND expiration_date = $2 RETURNING account_id, domain_name",
                    )
                    .bind(domain_id)
                    .bind(expiration),
                    domain_id,
                    audit,
                    Some(mail),
                    now,
                )
                .await
            }

            async fn due_transfers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
                self.domains_due(
                    "transfer_status = 'pending' AND transfer_completes_at <= $1",
                    "transfer_completes_at",
                    now,
                    limit,
                )
                .await
            }

            async fn claim_job(
                &self,
                kind: &str,
                domain_id: i64,
                holder: &str,
                now: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> Result<bool> {
                // Under PostgreSQL a second claimer waits for the first's
                // insert to commit, then the WHERE sees its running lease.
                self.write_one(
                    sqlx::query(
                        "INSERT INTO job_leases (kind, domain_id, holder, until) \
                         VALUES ($1, $2, $3, $5) \
                         ON CONFLICT (kind, domain_id) DO UPDATE \
                         SET holder = excluded.holder, until = excluded.until \
                         WHERE job_leases.until <= $4",
                    )
                    .bind(kind)
                    .bind(domain_id)
                    .bind(holder)
                    .bind(now)
                    .bind(until),
                )
                .await
            }

            async fn release_job(&self, kind: &str, domain_id: i64, holder: &str) -> Result<()> {
                self.write_one(
                    sqlx::query(
                        "DELETE FROM job_leases WHERE kind = $1 AND domain_id = $2 AND holder = $3",
                    )
                    .bind(kind)
                    .bind(domain_id)
                    .bind(holder),
                )
                .await?;
                Ok(())
            }

            async fn held_job_leases(&self, now: DateTime<Utc>) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_leases WHERE until > $1")
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn purge_job_leases(&self, before: DateTime<Utc>) -> Result<u64> {
                let (_guard, mut tx) = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM job_leases WHERE until < $1")
                    .bind(before)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n)
            }

            async fn idempotency_claim(
                &self,
                account_id: i64,
                key: &str,
                request_hash: &str,
                now: DateTime<Utc>,
                expired_before: DateTime<Utc>,
            ) -> Result<bool> {
                let (_guard, mut tx) = self.begin_write().await?;
                sqlx::query(
                    "DELETE FROM idempotency_keys \
                     WHERE account_id = $1 AND key = $2 AND created_at < $3",
                )
                .bind(account_id)
                .bind(key)
                .bind(expired_before)
                .execute(&mut *tx)
                .await?;
                let claimed = sqlx::query(
                    "INSERT INTO idempotency_keys (account_id, key, request_hash, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
                )
                .bind(account_id)
                .bind(key)
                .bind(request_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                tx.commit().await?;
                Ok(claimed)
            }

            async fn idempotency_get(
                &self,
                account_id: i64,
                key: &str,
            ) -> Result<Option<IdempotentRequest>> {
                let row: Option<(String, Option<i64>, Option<String>, DateTime<Utc>)> =
                    sqlx::query_as(
                        "SELECT request_hash, status_code, response_body, created_at \
                         FROM idempotency_keys WHERE account_id = $1 AND key = $2",
                    )
                    .bind(account_id)
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(request_hash, status, body, created_at)| IdempotentRequest {
                    request_hash,
                    response: match (status, body) {
                        (Some(s), Some(b)) => Some((u16::try_from(s).unwrap_or(500), b)),
                        _ => None,
                    },
                    created_at,
                }))
            }

            async fn idempotency_complete(
                &self,
                account_id: i64,
                key: &str,
                status: u16,
                body: &str,
            ) -> Result<()> {
                self.write_one(
                    sqlx::query(
                        "UPDATE idempotency_keys SET status_code = $3, response_body = $4 \
                         WHERE account_id = $1 AND key = $2",
                    )
                    .bind(account_id)
                    .bind(key)
                    .bind(i64::from(status))
                    .bind(body),
                )
                .await?;
                Ok(())
            }

            async fn idempotency_release(&self, account_id: i64, key: &str) -> Result<()> {
                self.write_one(
                    sqlx::query(
                        "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 \
                         AND status_code IS NULL",
                    )
                    .bind(account_id)
                    .bind(key),
                )
                .await?;
                Ok(())
            }

            async fn idempotency_purge(&self, before: DateTime<Utc>) -> Result<u64> {
                let (_guard, mut tx) = self.begin_write().await?;
                let n = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(before)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n)
            }

            async fn outbox(&self) -> Result<Vec<OutboxMail>> {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    "SELECT id, account_id, recipient, subject, body, created_at, sent_at, \
                     attempts, last_error, gave_up_at FROM outbox ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn claim_mail(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<OutboxMail>> {
                // The conditions stand in the outer WHERE too, so that under
                // PostgreSQL's READ COMMITTED a second sender that waited for
                // the row lock re-checks them and claims nothing.
                const DUE: &str = "sent_at IS NULL AND gave_up_at IS NULL \
                     AND (next_attempt_at IS NULL OR next_attempt_at <= $1) \
                     AND (claimed_until IS NULL OR claimed_until <= $1)";
                let (_guard, mut tx) = self.begin_write().await?;
                let rows: Vec<OutboxRow> = sqlx::query_as(&format!(
                    "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM outbox WHERE {DUE} ORDER BY id LIMIT $3) \
                     AND {DUE} \
                     RETURNING id, account_id, recipient, subject, body, created_at, sent_at, \
                     attempts, last_error, gave_up_at"
                ))
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                let mut mails: Vec<OutboxMail> = rows.into_iter().map(Into::into).collect();
                mails.sort_by_key(|m| m.id);
                Ok(mails)
            }

            async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL \
                         WHERE id = $1 AND sent_at IS NULL",
                    )
                    .bind(id)
                    .bind(now),
                )
                .await
            }

            async fn mail_failed(
                &self,
                id: i64,
                error: &str,
                retry_at: Option<DateTime<Utc>>,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE outbox SET claimed_until = NULL, last_error = $2, \
                         next_attempt_at = $3, \
                         gave_up_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END \
                         WHERE id = $1 AND sent_at IS NULL",
                    )
                    .bind(id)
                    .bind(error)
                    .bind(retry_at)
                    .bind(now),
                )
                .await
            }

            async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>> {
                let row: Option<RegistryRow> = sqlx::query_as(&format!(
                    "SELECT {REGISTRY_COLUMNS} FROM registry_names WHERE name = $1"
                ))
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn registry_insert(
                &self,
                r: &RegistryRecord,
                now: DateTime<Utc>,
            ) -> Result<()> {
                // Every registration writes one: the backend's fastest way.
                self.write_registry_name(r, now).await
            }

            async fn registry_delete(&self, name: &str, registrar: &str) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "DELETE FROM registry_names WHERE name = $1 AND registrar = $2",
                    )
                    .bind(name)
                    .bind(registrar),
                )
                .await
            }

            async fn registry_update(
                &self,
                name: &str,
                nameservers: Option<&[String]>,
                transfer_prohibited: Option<bool>,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE registry_names SET nameservers = COALESCE($2, nameservers), \
                         transfer_prohibited = COALESCE($3, transfer_prohibited), updated_at = $4 \
                         WHERE name = $1",
                    )
                    .bind(name)
                    .bind(nameservers.map(join_hosts))
                    .bind(transfer_prohibited)
                    .bind(now),
                )
                .await
            }

            async fn registry_request_transfer(
                &self,
                name: &str,
                gaining: &str,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE registry_names SET pending_transfer_to = $2, updated_at = $3 \
                         WHERE name = $1 AND pending_transfer_to IS NULL",
                    )
                    .bind(name)
                    .bind(gaining)
                    .bind(now),
                )
                .await
            }

            async fn registry_complete_transfer(
                &self,
                name: &str,
                gaining: &str,
                expires_at: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE registry_names SET registrar = $2, expires_at = $3, \
                         last_transferred_at = $4, pending_transfer_to = NULL, \
                         transfer_prohibited = TRUE, updated_at = $4 \
                         WHERE name = $1 AND pending_transfer_to = $2",
                    )
                    .bind(name)
                    .bind(gaining)
                    .bind(expires_at)
                    .bind(now),
                )
                .await
            }

            async fn registry_renew(
                &self,
                name: &str,
                registrar: &str,
                from: DateTime<Utc>,
                to: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE registry_names SET expires_at = $4, updated_at = $5 \
                         WHERE name = $1 AND registrar = $2 AND expires_at = $3",
                    )
                    .bind(name)
                    .bind(registrar)
                    .bind(from)
                    .bind(to)
                    .bind(now),
                )
                .await
            }

            async fn begin_transfer_out(
                &self,
                domain_id: i64,
                gaining: &str,
                now: DateTime<Utc>,
                approves_at: DateTime<Utc>,
                mail: &NewMail,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "UPDATE domains SET transfer_out_to = $2, transfer_out_status = 'pending', \
                         transfer_out_requested_at = $3, transfer_out_approves_at = $4, updated_at = $3 \
                         WHERE id = $1 \
                         AND (transfer_out_status IS NULL OR transfer_out_status <> 'pending') \
                         RETURNING account_id, domain_name",
                    )
                    .bind(domain_id)
                    .bind(gaining)
                    .bind(now)
                    .bind(approves_at),
                    domain_id,
                    audit,
                    Some(mail),
                    now,
                )
                .await
            }

            async fn reject_transfer_out(
                &self,
                domain_id: i64,
                now: DateTime<Utc>,
                mail: Option<&NewMail>,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "UPDATE domains SET transfer_out_status = 'rejected', updated_at = $2 \
                         WHERE id = $1 AND transfer_out_status = 'pending' \
                         RETURNING account_id, domain_name",
                    )
                    .bind(domain_id)
                    .bind(now),
                    domain_id,
                    audit,
                    mail,
                    now,
                )
                .await
            }

            async fn approve_transfer_out(
                &self,
                domain_id: i64,
                now: DateTime<Utc>,
                mail: &NewMail,
                audit: &Audit<'_>,
            ) -> Result<bool> {
                self.change_domain(
                    sqlx::query_as(
                        "DELETE FROM domains WHERE id = $1 AND transfer_out_status = 'pending' \
                         RETURNING account_id, domain_name",
                    )
                    .bind(domain_id),
                    domain_id,
                    audit,
                    Some(mail),
                    now,
                )
                .await
            }

            async fn due_transfer_outs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>> {
                self.domains_due(
                    "transfer_out_status = 'pending' AND transfer_out_approves_at <= $1",
                    "transfer_out_approves_at",
                    now,
                    limit,
                )
                .await
            }

            async fn append_audit(
                &self,
                account_id: i64,
                domain: Option<(i64, &str)>,
                now: DateTime<Utc>,
                audit: &Audit<'_>,
            ) -> Result<()> {
                let (_guard, mut tx) = self.begin_write().await?;
                Self::audit_row(&mut tx, audit, account_id, domain, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn sandbox_offset(&self) -> Result<i64> {
                Ok(sqlx::query_scalar("SELECT offset_seconds FROM sandbox_clock WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn sandbox_advance(&self, seconds: i64) -> Result<i64> {
                if seconds <= 0 {
                    return Err(StoreError::StateChanged);
                }
                let (_guard, mut tx) = self.begin_write().await?;
                let offset: i64 = sqlx::query_scalar(
                    "UPDATE sandbox_clock SET offset_seconds = offset_seconds + $1 \
                     WHERE id = 1 RETURNING offset_seconds",
                )
                .bind(seconds)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(offset)
            }

            async fn registry_set_auth_code(
                &self,
                name: &str,
                registrar: &str,
                auth_code: &str,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE registry_names SET auth_code = $3, updated_at = $4 \
                         WHERE name = $1 AND registrar = $2",
                    )
                    .bind(name)
                    .bind(registrar)
                    .bind(auth_code)
                    .bind(now),
                )
                .await
            }

            async fn registry_cancel_transfer(&self, name: &str, gaining: &str) -> Result<bool> {
                self.write_one(
                    sqlx::query(
                        "UPDATE registry_names SET pending_transfer_to = NULL \
                         WHERE name = $1 AND pending_transfer_to = $2",
                    )
                    .bind(name)
                    .bind(gaining),
                )
                .await
            }
        }
        }
    };
}

pub(crate) use sql_store;

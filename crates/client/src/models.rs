//! The API's JSON shapes (the schemas of `/api/v1/openapi.json`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// US dollars, held as integer cents (the API writes `12.99`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(into = "f64")]
pub struct Money {
    pub cents: i64,
}

impl From<Money> for f64 {
    fn from(m: Money) -> f64 {
        m.cents as f64 / 100.0
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dollars = f64::deserialize(d)?;
        // Two decimals, far inside f64's exact range.
        Ok(Money {
            cents: (dollars * 100.0).round() as i64,
        })
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let c = self.cents.unsigned_abs();
        write!(f, "{sign}${}.{:02}", c / 100, c % 100)
    }
}

/// A page of a list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Page<T> {
    /// How many match in all.
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The domain list's filters.
#[derive(Debug, Clone, Default)]
pub struct DomainFilter {
    /// `active`, `pending`, `expired` or `locked`.
    pub status: Option<String>,
    /// A part of the name.
    pub search: Option<String>,
}

/// The domain object.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Domain {
    pub id: i64,
    pub domain_name: String,
    /// `pending`, `active` or `expired`.
    pub status: String,
    pub registration_date: DateTime<Utc>,
    pub expiration_date: DateTime<Utc>,
    pub auto_renew: bool,
    pub locked: bool,
    pub nameservers: Vec<String>,
    pub privacy_protection: bool,
    /// `vps.org` or `external`.
    pub dns_managed_by: String,
    /// `pending`, `active`, `grace`, `redemption` or `pending_delete`.
    #[serde(default)]
    pub phase: Option<String>,
}

/// The whois record.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Whois {
    pub registrant: String,
    pub admin_contact: String,
    pub tech_contact: String,
    /// `YYYY-MM-DD`.
    pub created_date: String,
    pub updated_date: String,
    /// Every other field (`privacy_service`, with the forwarding address,
    /// while privacy protection is on).
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A domain in detail.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DomainDetail {
    #[serde(flatten)]
    pub domain: Domain,
    pub registrar: String,
    pub days_until_expiration: i64,
    pub whois_info: Whois,
    pub dns_records_count: i64,
    /// `pending`, `completed` or `failed` once a transfer was asked for.
    #[serde(default)]
    pub transfer_status: Option<String>,
    /// A transfer to another registrar that one asked for.
    #[serde(default)]
    pub transfer_out: Option<TransferOut>,
    /// The statuses the registry set on the name by itself (RFC 5731
    /// §2.3, e.g. `serverHold`); empty when none.
    #[serde(default)]
    pub registry_statuses: Vec<String>,
    pub grace_period_ends: Option<DateTime<Utc>>,
    pub redemption_period_ends: Option<DateTime<Utc>>,
    pub release_date: Option<DateTime<Utc>>,
    /// The domain's contacts by role (docs/api.md, "Contacts").
    #[serde(default)]
    pub contacts: DomainContactIds,
    /// Every other field of the answer (such as `domain_name_unicode`,
    /// `registrant_verified`, `warnings`): kept, so `vps --json` prints
    /// the API's whole object.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A transfer out another registrar asked for.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TransferOut {
    pub gaining_registrar: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub requested_at: DateTime<Utc>,
    pub auto_approve_at: DateTime<Utc>,
}

/// A transfer out, answered by the owner.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TransferOutAnswer {
    pub id: i64,
    pub domain_name: String,
    pub transfer_out: TransferOut,
    pub message: String,
}

/// A domain's EPP auth code.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AuthCode {
    pub id: i64,
    pub domain_name: String,
    pub auth_code: String,
}

/// A registration just made.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Registered {
    #[serde(flatten)]
    pub domain: Domain,
    pub total_cost: Money,
    pub message: String,
}

/// A domain added from another registrar.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Imported {
    #[serde(flatten)]
    pub domain: Domain,
    pub registrar: String,
}

/// Settings after a change.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Updated {
    pub id: i64,
    pub domain_name: String,
    pub status: String,
    pub auto_renew: bool,
    pub nameservers: Vec<String>,
    pub privacy_protection: bool,
    pub locked: bool,
    pub dns_managed_by: String,
    pub message: String,
}

/// A transfer just asked for.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Transfer {
    pub id: i64,
    pub domain_name: String,
    pub transfer_status: String,
    pub transfer_initiated_at: Option<DateTime<Utc>>,
    pub estimated_completion: Option<DateTime<Utc>>,
    pub total_cost: Money,
    pub message: String,
    pub next_steps: Vec<String>,
}

/// A renewal or a restore.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Renewed {
    pub id: i64,
    pub domain_name: String,
    pub status: String,
    pub expiration_date: DateTime<Utc>,
    pub total_cost: Money,
    pub message: String,
}

/// A registration cancelled within its add grace period.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Cancelled {
    pub id: i64,
    pub domain_name: String,
    /// What was given back.
    pub refund: Money,
    /// The account's balance after.
    pub balance: Money,
    pub message: String,
}

/// A transfer in cancelled.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TransferCancelled {
    pub id: i64,
    pub domain_name: String,
    /// `cancelled`.
    pub transfer_status: String,
    /// The transfer fee given back.
    pub refund: Money,
    /// The account's balance after.
    pub balance: Money,
    pub message: String,
}

/// One year's prices of a TLD.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Prices {
    pub register: Money,
    pub renew: Money,
    pub transfer: Money,
    pub restore: Money,
    pub currency: String,
}

/// Whether one name can be registered.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Availability {
    pub domain_name: String,
    pub available: bool,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub prices: Option<Prices>,
}

/// The answers of a check, one per name asked.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Check {
    pub count: i64,
    pub results: Vec<Availability>,
}

/// A TLD and its prices.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TldPrices {
    /// `.com`.
    pub tld: String,
    #[serde(flatten)]
    pub prices: Prices,
}

/// The price list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Pricing {
    pub currency: String,
    pub restore_fee: Money,
    pub results: Vec<TldPrices>,
}

/// The account.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub balance: Money,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

/// One entry of the ledger.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Transaction {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    /// Negative for a charge.
    pub amount: Money,
    pub domain: Option<String>,
    pub domain_id: Option<i64>,
    pub description: String,
    pub balance_after: Money,
    pub created_at: DateTime<Utc>,
}

/// A DNS record.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DnsRecord {
    pub id: i64,
    /// Relative to the zone; `@` for the apex.
    pub name: String,
    pub fqdn: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub content: String,
    pub ttl: i64,
    pub priority: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An email forward.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EmailForward {
    pub id: i64,
    pub alias: String,
    pub address: String,
    pub destinations: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A host of a domain: a child name server with its addresses (glue).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Host {
    pub host_name: String,
    pub ip_addresses: Vec<String>,
    /// A domain names it as a nameserver: it cannot be deleted.
    pub linked: bool,
}

/// A host to create (`host_name` and `ip_addresses`), or its new addresses.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HostRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    pub ip_addresses: Vec<String>,
}

/// A URL forward.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct UrlForward {
    pub id: i64,
    pub host: String,
    pub fqdn: String,
    pub target: String,
    pub status_code: i64,
    pub keep_path: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/domains/`; fields left `None` take the server's defaults.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegisterRequest {
    pub domain_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_protection: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nameservers: Option<Vec<String>>,
    /// The contacts by role; roles not given take the default contact.
    #[serde(flatten)]
    pub contacts: DomainContactIds,
}

/// A domain's contacts by role, each a contact id (`GET
/// /api/v1/contacts/`): in a registration, transfer or change, the roles
/// given (a registration or transfer gives the others the account's
/// default contact); in a domain's detail, the contacts it has (`None`
/// for a domain from before contacts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct DomainContactIds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrant: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tech: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<i64>,
}

impl DomainContactIds {
    /// Whether no role is given.
    pub fn is_empty(&self) -> bool {
        *self == DomainContactIds::default()
    }
}

/// `PUT /api/v1/domains/{id}/`: only the fields given change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_protection: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nameservers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// The roles to change.
    #[serde(flatten)]
    pub contacts: DomainContactIds,
}

/// `POST /api/v1/domains/{id}/transfer/`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransferRequest {
    pub auth_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<bool>,
    /// The contacts by role; roles not given take the default contact.
    #[serde(flatten)]
    pub contacts: DomainContactIds,
}

/// A record to add, or the fields to change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub rtype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
}

/// An email forward to add, or the fields to change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EmailForwardRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destinations: Option<Vec<String>>,
}

/// A URL forward to add, or the fields to change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UrlForwardRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_path: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_dollars_into_exact_cents() {
        for (json, cents, shown) in [
            ("12.99", 1299, "$12.99"),
            ("25.98", 2598, "$25.98"),
            ("0.1", 10, "$0.10"),
            ("-12.99", -1299, "-$12.99"),
            ("100000.01", 10_000_001, "$100000.01"),
        ] {
            let m: Money = serde_json::from_str(json).expect("money");
            assert_eq!(m.cents, cents, "{json}");
            assert_eq!(m.to_string(), shown);
        }
    }
}

/// What a zone file import did (`POST .../dns/zone/`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ZoneImport {
    /// `merge` or `replace`.
    pub mode: String,
    pub added: u64,
    /// Records kept with the file's new TTL.
    pub updated: u64,
    pub deleted: u64,
    /// Records of the file the zone held already.
    pub unchanged: u64,
    /// Records of the file left out (the SOA, the apex's NS records).
    pub skipped: Vec<SkippedRecord>,
    pub message: String,
}

/// A record of an imported file that was left out, and why.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SkippedRecord {
    pub line: u64,
    #[serde(rename = "type")]
    pub rtype: String,
    pub reason: String,
}

/// A TSIG key of a zone (RFC 8945): it signs dynamic updates (RFC 2136) and
/// zone transfers at the nameserver. `secret` (base64) only in the answer
/// that made it.
#[derive(Clone, Deserialize, Serialize)]
pub struct TsigKey {
    pub id: i64,
    /// The key's name (`acme.example.com`).
    pub name: String,
    /// `hmac-sha256`, `hmac-sha384`, `hmac-sha512`, `hmac-sha224` or
    /// `hmac-sha1`.
    pub algorithm: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl std::fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsigKey")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// A TSIG key to make: its name's first label, and the algorithm (the
/// server's default, `hmac-sha256`, when `None`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TsigKeyRequest {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

/// A contact (RFC 5733), as `GET /api/v1/contacts/{id}/` answers it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Contact {
    pub id: i64,
    /// Names the contact outside the account (registry, RDAP).
    pub handle: String,
    pub name: String,
    pub organisation: Option<String>,
    pub street: Vec<String>,
    pub city: String,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// E.164, `+CC.NUMBER`.
    pub voice: String,
    pub fax: Option<String>,
    pub email: String,
    /// The account's default contact.
    pub default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact to create, or the fields to change (`None`: not sent).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_province: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Make it the account's default contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

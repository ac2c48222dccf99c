//! The records storage hands to the layers above.

use chrono::{DateTime, Utc};
use vpsd_domain::lifecycle::{DomainStatus, TransferOutStatus, TransferStatus};
use vpsd_domain::Money;
use vpsd_domain::{ForwardId, RecordId, TokenId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: vpsd_domain::AccountId,
    pub email: String,
    pub balance: Money,
    pub created_at: DateTime<Utc>,
}

/// Who a token belongs to and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub token_id: TokenId,
    pub account_id: vpsd_domain::AccountId,
    pub read_only: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token to create; only its hash is kept.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub account_id: vpsd_domain::AccountId,
    pub name: String,
    pub token_hash: String,
    /// The first characters of the token (`vps_1a2b3c`), to tell it apart.
    pub prefix: String,
    pub read_only: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A token as `vpsd token list` shows it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub prefix: String,
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A domain in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub id: vpsd_domain::DomainId,
    pub account_id: vpsd_domain::AccountId,
    pub domain_name: String,
    pub status: DomainStatus,
    pub registration_date: DateTime<Utc>,
    /// When the term ends: the registry's `exDate` (`RegistryRecord::ex_date`),
    /// named as the contract names it.
    pub expiration_date: DateTime<Utc>,
    pub auto_renew: bool,
    /// The `clientTransferProhibited` status (RFC 5731 §2.3), named as the
    /// contract names it.
    pub locked: bool,
    pub privacy_protection: bool,
    pub nameservers: Vec<String>,
    /// The sponsoring registrar (EPP `clID`): `VPS.org` or the one it is
    /// held at; named as the contract names it.
    pub registrar: String,
    pub transfer_status: Option<TransferStatus>,
    pub transfer_initiated_at: Option<DateTime<Utc>>,
    pub transfer_completes_at: Option<DateTime<Utc>>,
    /// What the pending transfer charged, refunded if it fails.
    pub transfer_cost: Option<Money>,
    /// The most urgent expiry warning mailed for this term (30, 7 or 1).
    pub warned_days: Option<i64>,
    pub updated_at: DateTime<Utc>,
    /// The zone's SOA serial: raised by every change of its records.
    pub dns_serial: i64,
    /// How many DNS records the zone holds.
    pub dns_records_count: i64,
    /// A transfer out another registrar asked for.
    pub transfer_out: Option<TransferOut>,
    /// The domain's registrant, admin, tech and billing contacts.
    pub contacts: DomainContacts,
    /// The statuses its registry set by itself (RFC 5731 §2.3, e.g.
    /// `serverHold`), as last read from the registry's `<domain:info>`;
    /// empty when none (and for the embedded sandbox's own names until read).
    pub registry_statuses: Vec<String>,
}

/// The contacts a domain names (RFC 5731 §2.2: the registrant and the
/// admin, tech and billing contacts); `None` for the domains from before
/// contacts until one is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DomainContacts {
    pub registrant: Option<vpsd_domain::ContactId>,
    pub admin: Option<vpsd_domain::ContactId>,
    pub tech: Option<vpsd_domain::ContactId>,
    pub billing: Option<vpsd_domain::ContactId>,
}

impl DomainContacts {
    /// The roles with their names as the API spells them.
    pub fn roles(&self) -> [(&'static str, Option<vpsd_domain::ContactId>); 4] {
        [
            ("registrant", self.registrant),
            ("admin", self.admin),
            ("tech", self.tech),
            ("billing", self.billing),
        ]
    }
}

/// A contact object at the sandbox registry (RFC 5733 §2), as a registrar
/// created it.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryContactObject {
    /// `<contact:id>` (RFC 5733 §2.1), chosen by the registrar that created
    /// it; ours are contact handles.
    pub id: String,
    /// `<contact:clID>`: the sponsoring registrar.
    pub sponsoring_registrar: String,
    /// `<contact:crID>`: the registrar that created it.
    pub created_by: String,
    /// Its postal info, voice, fax and email.
    pub data: vpsd_domain::contact::ContactData,
    /// The SHA-256 (hex) of its `<contact:authInfo><contact:pw>`
    /// (`vpsd_domain::token::hash`): compared, never shown.
    pub auth_info_hash: String,
    /// `<contact:crDate>`.
    pub created_at: DateTime<Utc>,
    /// `<contact:upDate>`.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for RegistryContactObject {
    /// The id and sponsor only: the rest is personal data, kept out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryContactObject")
            .field("id", &self.id)
            .field("sponsoring_registrar", &self.sponsoring_registrar)
            .finish_non_exhaustive()
    }
}

/// A registry's object for one of our contacts (or the privacy service's
/// object), as the registrar keeps track of it (`contact_registry_objects`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactObjectRecord {
    /// The contact id at the registry: the contact's handle, or the
    /// privacy service's object id.
    pub handle: String,
    /// The registry's label (`Registry::label_for`).
    pub registry: String,
    /// A name whose TLD the registry serves: routes the registry's
    /// commands for the object.
    pub domain_name: String,
    /// Changed since it was last sent.
    pub pending: bool,
}

/// The contacts of a name at its registry, by contact id (RFC 5731 §2.2:
/// `<domain:registrant>` and `<domain:contact type="admin|tech|billing">`,
/// one of each type here); `None` where the name has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryDomainContacts {
    pub registrant: Option<String>,
    pub admin: Option<String>,
    pub tech: Option<String>,
    pub billing: Option<String>,
}

impl RegistryDomainContacts {
    /// Each role as RFC 5731 names it (`registrant`, then the `type`s of
    /// `<domain:contact>`) with its id.
    pub fn roles(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("registrant", self.registrant.as_deref()),
            ("admin", self.admin.as_deref()),
            ("tech", self.tech.as_deref()),
            ("billing", self.billing.as_deref()),
        ]
    }

    /// Whether no role has a contact.
    pub fn is_empty(&self) -> bool {
        self.roles().iter().all(|(_, id)| id.is_none())
    }

    /// The role's contact id (`registrant`, `admin`, `tech`, `billing`);
    /// `None` for a role it has none for, or an unknown role.
    pub fn slot(&mut self, role: &str) -> Option<&mut Option<String>> {
        match role {
            "registrant" => Some(&mut self.registrant),
            "admin" => Some(&mut self.admin),
            "tech" => Some(&mut self.tech),
            "billing" => Some(&mut self.billing),
            _ => None,
        }
    }
}

/// A contact of an account (RFC 5733): its fields, the handle that names it
/// outside the account, and whether it is the account's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: vpsd_domain::ContactId,
    pub account_id: vpsd_domain::AccountId,
    /// `C` and 15 random base32 characters: the RDAP entity handle and EPP
    /// contact id (`vpsd_domain::contact::new_handle`).
    pub handle: String,
    pub data: vpsd_domain::contact::ContactData,
    /// The account's default contact: the one a registration uses for the
    /// roles it does not name.
    pub is_default: bool,
    /// When its current email was verified (the link of the verification
    /// mail followed); `None` while it is not.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// When the verification mail to its current email was queued.
    pub email_verification_sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact's fields to write, whether to make it the account's default,
/// and the verification mail of a new email (`None`: the email is
/// unchanged).
#[derive(Debug, Clone, Copy)]
pub struct ContactWrite<'a> {
    pub data: &'a vpsd_domain::contact::ContactData,
    pub make_default: bool,
    pub verification: Option<&'a EmailVerification>,
}

/// A verification mail for a contact's new email: the SHA-256 of the token
/// it carries (`vpsd_domain::token::hash`) and the mail, sent to the
/// contact's email (not the account's). Its `Debug` leaves out the body,
/// which holds the token.
#[derive(Clone)]
pub struct EmailVerification {
    pub token_hash: String,
    pub subject: String,
    pub body: String,
}

impl std::fmt::Debug for EmailVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailVerification")
            .field("subject", &self.subject)
            .field("body", &"<holds the token>")
            .finish_non_exhaustive()
    }
}

/// A contact whose email is still unverified past the period, and the
/// domains (not removed) that name it as their registrant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedRegistrant {
    pub contact: Contact,
    /// A-label names, sorted.
    pub domains: Vec<String>,
}

/// One page of an account's contacts (by id) and how many it has.
#[derive(Debug, Clone, Default)]
pub struct ContactPage {
    pub total: i64,
    pub contacts: Vec<Contact>,
}

/// What [`crate::ContactStore::delete_contact`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactDeletion {
    /// Deleted (and, if it was the default, another made the default).
    Deleted,
    /// Not the account's.
    NotFound,
    /// Domains of the account name it (their names, A-label, sorted);
    /// nothing changed.
    InUse(Vec<String>),
}

/// A transfer out: who asked, when, and when it is approved by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOut {
    pub gaining_registrar: String,
    pub status: TransferOutStatus,
    pub requested_at: DateTime<Utc>,
    pub auto_approve_at: DateTime<Utc>,
}

/// Filters of the domain list (api-v1.md, GET /api/v1/domains/).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DomainFilter {
    pub status: Option<DomainStatus>,
    pub locked_only: bool,
    /// A lower-case substring of the name.
    pub search: Option<String>,
}

/// One page of an account's domains (ordered by id) and how many match in
/// all. Shared: a kept page is handed out without copying its domains.
#[derive(Debug, Clone, Default)]
pub struct DomainPage {
    pub total: i64,
    pub domains: std::sync::Arc<[Domain]>,
}

/// A registration to record, with what it costs.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub account_id: vpsd_domain::AccountId,
    pub domain_name: String,
    pub registration_date: DateTime<Utc>,
    pub expiration_date: DateTime<Utc>,
    pub activates_at: DateTime<Utc>,
    pub auto_renew: bool,
    pub privacy_protection: bool,
    pub nameservers: Vec<String>,
    pub registrar: String,
    pub cost: Money,
    pub description: String,
    /// The domain's contacts, each the account's (the registrar checks).
    pub contacts: DomainContacts,
    /// The registry's create fee the customer was charged for (RFC 8748),
    /// kept in the registration's transaction, so the create and any retry
    /// of it by the worker after a crash carry it; `None`: no fee to send.
    pub agreed_fee: Option<AgreedFee>,
}

/// What undoing a registration in its add grace period gave back
/// ([`crate::DomainStore::cancel_in_add_grace`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelledRegistration {
    /// Everything the domain was charged, net of refunds already given
    /// (its registration, and any renewal since), credited back.
    pub refund: Money,
    /// The account's balance after the refund.
    pub balance: Money,
}

/// A transfer to start, with what it costs.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub account_id: vpsd_domain::AccountId,
    pub domain_id: vpsd_domain::DomainId,
    /// The contacts the domain takes with the transfer, each the account's
    /// (the registrar checks); a role `None` stays as it is.
    pub contacts: DomainContacts,
    pub auto_renew: bool,
    pub initiated_at: DateTime<Utc>,
    pub completes_at: DateTime<Utc>,
    pub cost: Money,
    pub description: String,
}

/// A renewal (or a restore) to record, with what it costs and its mail.
#[derive(Debug, Clone)]
pub struct Renewal {
    pub domain_id: vpsd_domain::DomainId,
    pub account_id: vpsd_domain::AccountId,
    /// The expiration it extends; the renewal applies only if it still is.
    pub old_expiration: DateTime<Utc>,
    pub new_expiration: DateTime<Utc>,
    pub cost: Money,
    /// The ledger type: `renewal` or `restore`.
    pub kind: &'static str,
    pub description: String,
    pub mail: NewMail,
    pub now: DateTime<Utc>,
}

/// The fee a registry told for one command on a premium name (RFC 8748
/// §3.8 `<fee:fee>`), which we agreed to pay and charged the customer for:
/// the command, and any retry of it, carries exactly this, so a registry
/// that raised its fee meanwhile refuses the command (EPP 2004) rather
/// than charge more than was agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedFee {
    /// ISO 4217 code (`<fee:currency>`), e.g. `USD`.
    pub currency: String,
    /// The amount, in integer cents of `currency`.
    pub cents: i64,
}

/// A renewal charged and applied here whose registry command's outcome is
/// unknown (sent, no answer, and the registry could not be asked): the
/// worker asks the registry again until it confirms or refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnconfirmedRenewal {
    pub domain_id: vpsd_domain::DomainId,
    pub account_id: vpsd_domain::AccountId,
    /// The expiration the renewal extended (EPP `curExpDate`).
    pub old_expiration: DateTime<Utc>,
    pub new_expiration: DateTime<Utc>,
    pub years: u32,
    /// What it was charged (refunded if the registry refuses).
    pub cost: Money,
    /// The ledger type: `renewal` or `restore`.
    pub kind: String,
    /// The domain's status before the renewal (restored with a refund).
    pub old_status: DomainStatus,
    pub noted_at: DateTime<Utc>,
}

/// The settings a PUT changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub auto_renew: Option<bool>,
    pub privacy_protection: Option<bool>,
    pub nameservers: Option<Vec<String>>,
    pub locked: Option<bool>,
    /// The contacts to set, each the account's (the registrar checks); a
    /// role `None` stays as it is.
    pub contacts: DomainContacts,
}

/// A mail to put in the outbox, addressed to the account's email.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub account_id: vpsd_domain::AccountId,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub account_id: vpsd_domain::AccountId,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Delivery attempts so far.
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Set when the relay refused it for good.
    pub gave_up_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub account_id: vpsd_domain::AccountId,
    pub kind: String,
    pub amount: Money,
    pub balance_after: Money,
    pub domain_id: Option<vpsd_domain::DomainId>,
    pub domain_name: Option<String>,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// A name as the registry of record knows it, its fields named as EPP's
/// `<domain:infData>` names them (RFC 5731 §3.1.2). The table
/// `registry_names` keeps its older column names (`registrar`,
/// `expires_at`, `transfer_prohibited`); the row type maps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRecord {
    pub name: String,
    /// The sponsoring registrar (EPP `clID`): `VPS.org` or another.
    pub sponsoring_registrar: String,
    /// The name's authorization code (EPP `authInfo`).
    pub auth_code: String,
    pub created_at: DateTime<Utc>,
    /// When the registration ends (EPP `exDate`).
    pub ex_date: DateTime<Utc>,
    pub last_transferred_at: Option<DateTime<Utc>>,
    /// The `clientTransferProhibited` status (RFC 5731 §2.3): transfers
    /// are refused while it is set (the API's `locked`).
    pub client_transfer_prohibited: bool,
    pub nameservers: Vec<String>,
    /// The registrar a transfer is pending to, if one is.
    pub pending_transfer_to: Option<String>,
    /// The statuses the registry set by itself (RFC 5731 §2.3: `serverHold`,
    /// `serverTransferProhibited`, `serverUpdateProhibited`,
    /// `serverDeleteProhibited`, `serverRenewProhibited`), as EPP status
    /// strings; empty when none. Only the registry's operator sets them
    /// (`RegistryStore::registry_set_server_statuses`): a name inserted
    /// starts with none, whatever this holds.
    pub server_statuses: Vec<String>,
}

/// A name its sponsoring registrar deleted, kept by the registry through
/// the redemption grace period (RFC 3915 §3.1) until it is purged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedName {
    /// The name as it stood when deleted (its sponsor may restore it).
    pub record: RegistryRecord,
    /// When it was deleted (the report's `delTime`, RFC 3915 §4.3).
    pub deleted_at: DateTime<Utc>,
    /// When its sponsor asked for a restore (`pendingRestore` until the
    /// report), if it did.
    pub restore_requested_at: Option<DateTime<Utc>>,
}

/// What an idempotency key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// The hash of the first request's method, path and body.
    pub request_hash: String,
    /// The first request's answer, once it has one.
    pub response: Option<(u16, String)>,
    pub created_at: DateTime<Utc>,
}

/// Who made a change, for the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// `api` (a customer's token), `worker` (the background jobs) or
    /// `operator` (the `vpsd` commands).
    pub kind: &'static str,
    pub token_id: Option<TokenId>,
    /// The request's `X-Request-Id`, for API changes.
    pub request_id: Option<String>,
}

impl Actor {
    pub fn worker() -> Self {
        Actor {
            kind: "worker",
            ..Default::default()
        }
    }

    pub fn operator() -> Self {
        Actor {
            kind: "operator",
            ..Default::default()
        }
    }
}

/// One change to record in the audit log, in the transaction that makes it.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub actor: &'a Actor,
    /// What happened: `domain.register`, `domain.update`, `token.revoke` ...
    pub action: vpsd_domain::AuditAction,
    /// A JSON object of the changed fields: `{"field": [before, after]}`.
    /// Never holds a secret.
    pub changes: String,
}

/// One change of a zone applied with others at once
/// (`ZoneStore::apply_dns_changes`), with its audit entry's `changes`
/// (a JSON object, as [`Audit::changes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsChange {
    pub kind: DnsChangeKind,
    pub audit_changes: String,
}

/// What a [`DnsChange`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsChangeKind {
    /// A new record (audit `dns_record.create`).
    Add(vpsd_domain::dns::RecordData),
    /// Record `id` becomes `data` (audit `dns_record.update`).
    Replace {
        id: vpsd_domain::RecordId,
        data: vpsd_domain::dns::RecordData,
    },
    /// Record `id` goes (audit `dns_record.delete`).
    Delete(vpsd_domain::RecordId),
}

/// How many records a set of changes added, replaced and deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DnsChangeCounts {
    pub added: usize,
    pub replaced: usize,
    pub deleted: usize,
}

/// A row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub account_id: vpsd_domain::AccountId,
    pub actor: String,
    pub token_id: Option<TokenId>,
    pub action: String,
    pub domain_id: Option<vpsd_domain::DomainId>,
    pub domain_name: Option<String>,
    pub changes: String,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A DNS record of a domain's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    pub id: RecordId,
    pub domain_id: vpsd_domain::DomainId,
    pub data: vpsd_domain::dns::RecordData,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the nameserver serves a zone from: its domain, its records, and
/// what its forwards add (MX for email, addresses for URL forwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSource {
    pub domain: Domain,
    pub records: Vec<DnsRecord>,
    /// Whether the domain has email forwards.
    pub email_forwarding: bool,
    /// The hosts (relative, `@` for the apex) with URL forwards.
    pub url_forward_hosts: Vec<String>,
}

/// An email forward: `alias@domain` (or every address, `*`) to outside
/// addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailForward {
    pub id: ForwardId,
    pub domain_id: vpsd_domain::DomainId,
    pub alias: String,
    pub destinations: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A URL forward: requests to `host` are redirected to `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlForward {
    pub id: ForwardId,
    pub domain_id: vpsd_domain::DomainId,
    pub host: String,
    pub target: String,
    pub status_code: i64,
    pub keep_path: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a forward cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardClash {
    /// Another forward (`id`) has the same alias or host.
    Taken { id: ForwardId },
    /// The domain has `vpsd_domain::forwarding::MAX_FORWARDS` of this kind.
    Full,
}

/// A new or changed email forward.
#[derive(Debug, Clone)]
pub struct EmailForwardData {
    pub alias: String,
    pub destinations: Vec<String>,
}

/// A new or changed URL forward.
#[derive(Debug, Clone)]
pub struct UrlForwardData {
    pub host: String,
    pub target: String,
    pub status_code: i64,
    pub keep_path: bool,
}

impl From<&EmailForward> for EmailForwardData {
    fn from(f: &EmailForward) -> Self {
        EmailForwardData {
            alias: f.alias.clone(),
            destinations: f.destinations.clone(),
        }
    }
}

impl From<&UrlForward> for UrlForwardData {
    fn from(f: &UrlForward) -> Self {
        UrlForwardData {
            host: f.host.clone(),
            target: f.target.clone(),
            status_code: f.status_code,
            keep_path: f.keep_path,
        }
    }
}

/// What a write of zone content (a DNS record, a forward) came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written<T, R> {
    /// Written, in one transaction with the zone's new serial and the
    /// audit entry: the row as stored.
    Done(T),
    /// The domain is not the account's (or was removed), or the row to
    /// replace is not the domain's: nothing was written.
    NotFound,
    /// A rule refused it (it clashes with the name's records, the zone or
    /// the forwards are full, the alias or host is taken): nothing was
    /// written.
    Refused(R),
}

impl<T, R> Written<T, R> {
    /// `None` when not found, else the write's result.
    pub fn found(self) -> Option<Result<T, R>> {
        match self {
            Written::Done(t) => Some(Ok(t)),
            Written::NotFound => None,
            Written::Refused(r) => Some(Err(r)),
        }
    }
}

/// A transfer's state as EPP reports it (`<domain:trStatus>`, RFC 5730
/// §2.3 "transferStatusType").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrStatus {
    /// Asked for; neither registrar has acted yet.
    Pending,
    /// The losing registrar approved it.
    ClientApproved,
    /// The losing registrar rejected it.
    ClientRejected,
    /// The gaining registrar withdrew it.
    ClientCancelled,
    /// The registry approved it when the losing registrar did not act in
    /// time.
    ServerApproved,
    /// The registry cancelled it.
    ServerCancelled,
}

impl TrStatus {
    /// The value as EPP writes it (`pending`, `clientApproved`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TrStatus::Pending => "pending",
            TrStatus::ClientApproved => "clientApproved",
            TrStatus::ClientRejected => "clientRejected",
            TrStatus::ClientCancelled => "clientCancelled",
            TrStatus::ServerApproved => "serverApproved",
            TrStatus::ServerCancelled => "serverCancelled",
        }
    }

    /// The value from its EPP text; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => TrStatus::Pending,
            "clientApproved" => TrStatus::ClientApproved,
            "clientRejected" => TrStatus::ClientRejected,
            "clientCancelled" => TrStatus::ClientCancelled,
            "serverApproved" => TrStatus::ServerApproved,
            "serverCancelled" => TrStatus::ServerCancelled,
            _ => return None,
        })
    }
}

/// What a transfer poll message reports, as RFC 5731 §3.1.3
/// `<domain:trnData>` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferNotice {
    /// The domain name.
    pub name: String,
    /// `<domain:trStatus>`.
    pub tr_status: TrStatus,
    /// `<domain:reID>`: the gaining registrar, who asked.
    pub requesting_registrar: String,
    /// `<domain:reDate>`: when it asked.
    pub requested_at: DateTime<Utc>,
    /// `<domain:acID>`: the registrar that acts (or should act) on it: the
    /// losing registrar.
    pub acting_registrar: String,
    /// `<domain:acDate>`: when it was acted on, or, while pending, when the
    /// registry will approve it by itself.
    pub acted_at: DateTime<Utc>,
    /// `<domain:exDate>`: the end of the term the transfer gives (or gave);
    /// `None` when it changes nothing (rejected, cancelled).
    pub ex_date: Option<DateTime<Utc>>,
}

/// A poll message to queue for a registrar (RFC 5730 §2.9.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPollMessage {
    /// The registrar (EPP clID) whose queue it goes to.
    pub client_id: String,
    /// The human-readable `<msg>` text.
    pub message: String,
    /// What it reports.
    pub notice: TransferNotice,
}

/// A queued poll message, as `<poll op="req">` hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollMessage {
    /// The message's id (`<msgQ id>`), unique in the registry.
    pub id: i64,
    /// The registrar (EPP clID) whose queue it is in.
    pub client_id: String,
    /// When it was queued (`<qDate>`).
    pub queued_at: DateTime<Utc>,
    /// The human-readable `<msg>` text.
    pub message: String,
    /// What it reports.
    pub notice: TransferNotice,
}

/// A change the registry made to a registrar's name by itself (RFC 8590
/// `<changePoll:changeData>`): its operator renewed, deleted or otherwise
/// changed it, or the registry auto-renewed or deleted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNotice {
    /// The domain name.
    pub name: String,
    /// `<changePoll:operation>` (RFC 8590 §3.1): `update`, `renew`,
    /// `delete`, `autoRenew`, `autoDelete`, `autoPurge`, ...
    pub operation: String,
    /// `<changePoll:who>`: who made the change (the registry's operator).
    pub who: String,
    /// `<changePoll:reason>`, when given.
    pub reason: Option<String>,
    /// `<changePoll:svTRID>`: the registry's transaction id of the change.
    pub sv_trid: String,
}

/// A change poll message to queue for a registrar (RFC 8590).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChangeMessage {
    /// The registrar (EPP clID) whose queue it goes to: the sponsor.
    pub client_id: String,
    /// The human-readable `<msg>` text.
    pub message: String,
    /// What changed.
    pub notice: ChangeNotice,
}

/// A queued change poll message, as `<poll op="req">` hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeMessage {
    /// Its id in the change queue (given as `<msgQ id="c{id}">`).
    pub id: i64,
    /// The registrar (EPP clID) whose queue it is in.
    pub client_id: String,
    /// When it was queued (`<qDate>`, and `<changePoll:date>`).
    pub queued_at: DateTime<Utc>,
    /// The human-readable `<msg>` text.
    pub message: String,
    /// What changed.
    pub notice: ChangeNotice,
}

/// A host object of the sandbox registry (RFC 5732).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryHost {
    /// The host name (`<host:name>`), lower case.
    pub name: String,
    /// The sponsoring registrar (EPP clID).
    pub sponsoring_registrar: String,
    /// Its IPv4 and IPv6 addresses (`<host:addr>`), as text.
    pub addresses: Vec<String>,
    /// When it was created (`<host:crDate>`).
    pub created_at: DateTime<Utc>,
}

/// How [`crate::RegistryStore::registry_update_linked`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkedUpdate {
    /// The name was changed.
    Updated,
    /// Nothing changed: the name is not registered, another registrar
    /// sponsors it, or a transfer is pending (as `registry_update`'s
    /// `false`).
    NotUpdated,
    /// Nothing changed: this host is not a host object of the registry
    /// (RFC 5731 §1.1: a name server given by name must be one).
    NoHost(String),
}

/// What the registry keeps of a name beyond [`RegistryRecord`], for
/// `<domain:info>` and transfers (RFC 5731 §3.1.2, §3.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryObject {
    /// The name's record.
    pub record: RegistryRecord,
    /// The registrar that created it (`<domain:crID>`).
    pub created_by: String,
    /// When it last changed (`<domain:upDate>`).
    pub updated_at: DateTime<Utc>,
    /// When the pending transfer was asked for (`<domain:reDate>`); `None`
    /// when none is pending.
    pub transfer_requested_at: Option<DateTime<Utc>>,
}

/// A premium name of the sandbox registry (RFC 8748): what the registry
/// charges a registrar for it, in US cents for one year, per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PremiumName {
    /// The name, lower-case A-label.
    pub name: String,
    /// `<domain:create>`, per year.
    pub create_cents: i64,
    /// `<domain:renew>`, per year.
    pub renew_cents: i64,
    /// `<domain:transfer op="request">` (one year is added).
    pub transfer_cents: i64,
    /// When the operator last set it.
    pub updated_at: DateTime<Utc>,
}

/// A TSIG key (RFC 8945) of a zone, as its owner sees it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsigKey {
    pub id: vpsd_domain::TsigKeyId,
    pub domain_id: vpsd_domain::DomainId,
    /// Absolute, lower case, without the final dot (`acme.example.com`).
    pub name: String,
    pub algorithm: vpsd_domain::dns::tsig::TsigAlgorithm,
    pub created_at: DateTime<Utc>,
    /// When a message signed with it was last accepted.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A TSIG key to store: its secret sealed already (never the secret).
#[derive(Clone, PartialEq, Eq)]
pub struct NewTsigKey {
    pub name: String,
    pub algorithm: vpsd_domain::dns::tsig::TsigAlgorithm,
    /// The secret sealed with the operator's secrets key.
    pub secret_sealed: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewTsigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewTsigKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// A TSIG key found by its name for a message that names it: the key, its
/// zone and owner, and the sealed secret to check the message with.
#[derive(Clone, PartialEq, Eq)]
pub struct TsigKeyInUse {
    pub key: TsigKey,
    pub account_id: vpsd_domain::AccountId,
    /// The zone's name (the domain's), lower-case A-label.
    pub zone: String,
    /// The secret sealed with the operator's secrets key.
    pub secret_sealed: String,
}

impl std::fmt::Debug for TsigKeyInUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsigKeyInUse")
            .field("key", &self.key)
            .field("account_id", &self.account_id)
            .field("zone", &self.zone)
            .finish_non_exhaustive()
    }
}

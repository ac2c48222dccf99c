//! The JSON shapes of the contract's answers: the domain object and its
//! variants here (api-v1.md, "The domain object"), a DNS record in
//! [`records`], forwards in [`forwards`].

pub mod contacts;
pub mod forwards;
pub mod hosts;
pub mod records;
pub mod tsig_keys;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;
use vpsd_domain::lifecycle::{
    days_until, phase, DomainStatus, ExpiryDates, Phase, TransferOutStatus, TransferStatus,
};
use vpsd_domain::nameservers::dns_managed_by;
use vpsd_domain::Money;
use vpsd_storage::Domain;

/// RFC 3339, UTC, whole seconds, `Z` (api-v1.md, "Time stamps").
pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    match Stamp::new(t) {
        Some(stamp) => s.serialize_str(stamp.as_str()),
        None => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` written into a stack buffer: every answer holds
/// several, and chrono's general formatter is a measurable part of a
/// request (docs/benchmarks.md). Years outside 0–9999 have no such form.
#[derive(Clone, Copy)]
pub struct Stamp([u8; 20]);

impl Stamp {
    pub fn new(t: &DateTime<Utc>) -> Option<Self> {
        // Once to the naive time: each accessor of a `DateTime` applies the
        // offset again.
        let t = t.naive_utc();
        let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
        let mut b = *b"0000-00-00T00:00:00Z";
        let mut put = |at: usize, value: u32, width: usize| {
            let mut v = value;
            for i in (0..width).rev() {
                b[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, year, 4);
        put(5, t.month(), 2);
        put(8, t.day(), 2);
        put(11, t.hour(), 2);
        put(14, t.minute(), 2);
        put(17, t.second(), 2);
        Some(Stamp(b))
    }

    /// The whole stamp.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The date part, `YYYY-MM-DD`.
    pub fn date(&self) -> &str {
        &self.as_str()[..10]
    }
}

/// `YYYY-MM-DD` of a time (whois dates).
fn day(t: &DateTime<Utc>) -> DayStamp {
    match Stamp::new(t) {
        Some(stamp) => DayStamp::Short(stamp),
        None => DayStamp::Long(t.format("%Y-%m-%d").to_string()),
    }
}

/// A date: from a [`Stamp`] on the stack, or formatted by chrono for years
/// outside 0–9999.
pub enum DayStamp {
    Short(Stamp),
    Long(String),
}

impl Serialize for DayStamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DayStamp::Short(stamp) => s.serialize_str(stamp.date()),
            DayStamp::Long(text) => s.serialize_str(text),
        }
    }
}

pub fn opt_rfc3339<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

/// The names the document gives to the views' fixed sets of words (the
/// statuses are the domain crate's own enums, `vpsd_domain::lifecycle`).
pub mod names {
    use serde::Serialize;
    use utoipa::ToSchema;

    /// Who answers for the domain's DNS: `vps.org` when every nameserver is
    /// one of ours.
    #[derive(Serialize, ToSchema)]
    pub enum DnsManagedBy {
        #[serde(rename = "vps.org")]
        Ours,
        #[serde(rename = "external")]
        External,
    }
}

/// The domain object.
#[derive(Serialize, ToSchema)]
#[schema(as = Domain)]
pub struct DomainView<'a> {
    #[schema(example = 101, value_type = i64)]
    pub id: vpsd_domain::DomainId,
    #[schema(example = "example.com")]
    pub domain_name: &'a str,
    /// Additional field: the name's Unicode form, each `xn--` label decoded
    /// (RFC 5891 §5.5), as people read it; the same as `domain_name` for a
    /// name without one. `search` matches it too (docs/api.md).
    #[schema(value_type = String, example = "bücher.com")]
    pub domain_name_unicode: std::borrow::Cow<'a, str>,
    pub status: DomainStatus,
    #[serde(serialize_with = "rfc3339")]
    pub registration_date: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub expiration_date: DateTime<Utc>,
    pub auto_renew: bool,
    pub locked: bool,
    #[schema(value_type = Vec<String>, example = json!(["ns1.vps.org", "ns2.vps.org"]))]
    pub nameservers: &'a [String],
    pub privacy_protection: bool,
    #[schema(value_type = names::DnsManagedBy)]
    pub dns_managed_by: &'static str,
    /// Additional field: `pending`, `active`, `grace`, `redemption` or
    /// `pending_delete` (docs/api.md, "Expiry").
    pub phase: Phase,
}

impl<'a> DomainView<'a> {
    pub fn new(d: &'a Domain, own_nameservers: &[String], now: DateTime<Utc>) -> Self {
        DomainView {
            id: d.id,
            domain_name: &d.domain_name,
            domain_name_unicode: if d.domain_name.contains("xn--") {
                std::borrow::Cow::Owned(vpsd_domain::name::to_unicode(&d.domain_name))
            } else {
                std::borrow::Cow::Borrowed(&d.domain_name)
            },
            status: d.status,
            registration_date: d.registration_date,
            expiration_date: d.expiration_date,
            auto_renew: d.auto_renew,
            locked: d.locked,
            nameservers: &d.nameservers,
            privacy_protection: d.privacy_protection,
            dns_managed_by: dns_managed_by(&d.nameservers, own_nameservers),
            phase: phase(d.status, d.expiration_date, now),
        }
    }
}

/// POST /api/v1/domains/ → 201.
#[derive(Serialize, ToSchema)]
#[schema(as = RegisteredDomain)]
pub struct RegisteredView<'a> {
    #[serde(flatten)]
    pub domain: DomainView<'a>,
    /// US dollars: `years` × the TLD's registration price.
    #[schema(value_type = f64, example = 25.98)]
    pub total_cost: Money,
    pub message: &'static str,
}

/// The whois record: contacts read `Privacy Protected` while privacy
/// protection is on; otherwise each contact's public form, `Name` or
/// `Name, Organisation` (docs/api.md, "WHOIS").
#[derive(Serialize, ToSchema)]
#[schema(as = Whois)]
pub struct WhoisView<'a> {
    #[schema(value_type = String, example = "Privacy Protected")]
    pub registrant: std::borrow::Cow<'a, str>,
    #[schema(value_type = String, example = "Privacy Protected")]
    pub admin_contact: std::borrow::Cow<'a, str>,
    #[schema(value_type = String, example = "Privacy Protected")]
    pub tech_contact: std::borrow::Cow<'a, str>,
    #[schema(value_type = String, format = Date)]
    pub created_date: DayStamp,
    #[schema(value_type = String, format = Date)]
    pub updated_date: DayStamp,
    /// Additional field: while privacy protection is on, the privacy
    /// service the public sees instead of the contacts (the operator's,
    /// `--privacy-contact`); null while it is off.
    pub privacy_service: Option<PrivacyServiceView<'a>>,
}

/// The privacy service's public face: who answers for a domain whose
/// contacts are hidden.
#[derive(Serialize, ToSchema)]
#[schema(as = PrivacyService)]
pub struct PrivacyServiceView<'a> {
    #[schema(example = "Privacy Protected")]
    pub name: &'a str,
    #[schema(example = "VPS.org Privacy Service")]
    pub organisation: Option<&'a str>,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "US")]
    pub country_code: &'a str,
    /// The address that reaches this domain's registrant through the
    /// privacy service: `<domain A-label>@<privacy mail domain>`,
    /// forwarded to the registrant's email (docs/api.md, "WHOIS").
    #[schema(example = "example.com@privacy.vps.org")]
    pub email: String,
}

/// What `whois_info` shows of a domain's registrant, admin and tech
/// contacts: the contract's `Privacy Protected` with the privacy service,
/// or each contact's public form.
pub enum WhoisContacts<'a> {
    /// Privacy protection on: the operator's privacy service, and the
    /// domain's forwarding address at it
    /// (`vpsd_domain::contact::privacy_forwarding_address`).
    Private(&'a vpsd_domain::contact::ContactData, String),
    /// Privacy protection off: registrant, admin, tech, as shown.
    Public([String; 3]),
}

/// A domain's contact ids by role (RFC 5731 §2.2), each null when unset.
#[derive(Serialize, ToSchema)]
#[schema(as = DomainContacts)]
pub struct DomainContactsView {
    #[schema(value_type = Option<i64>)]
    pub registrant: Option<vpsd_domain::ContactId>,
    #[schema(value_type = Option<i64>)]
    pub admin: Option<vpsd_domain::ContactId>,
    #[schema(value_type = Option<i64>)]
    pub tech: Option<vpsd_domain::ContactId>,
    #[schema(value_type = Option<i64>)]
    pub billing: Option<vpsd_domain::ContactId>,
}

impl From<&vpsd_storage::DomainContacts> for DomainContactsView {
    fn from(c: &vpsd_storage::DomainContacts) -> Self {
        DomainContactsView {
            registrant: c.registrant,
            admin: c.admin,
            tech: c.tech,
            billing: c.billing,
        }
    }
}

/// GET /api/v1/domains/{id}/ → 200.
#[derive(Serialize, ToSchema)]
#[schema(as = DomainDetail)]
pub struct DetailView<'a> {
    #[serde(flatten)]
    pub domain: DomainView<'a>,
    pub registrar: &'a str,
    pub days_until_expiration: i64,
    pub whois_info: WhoisView<'a>,
    /// Additional field: the ids of the domain's contacts (GET
    /// /api/v1/contacts/{id}/); null for a domain from before contacts
    /// until one is set (docs/api.md, "Contacts").
    pub contacts: DomainContactsView,
    /// Additional field: whether the registrant's email is verified (null
    /// without a registrant); docs/api.md, "Registrant email verification".
    pub registrant_verified: Option<bool>,
    /// Additional field: what needs the owner's attention (the registrant's
    /// email unverified past its 15 days); empty when nothing does.
    pub warnings: Vec<String>,
    pub dns_records_count: i64,
    /// Additional field: `pending`, `completed` or `failed` once a transfer
    /// was asked for, else null.
    pub transfer_status: Option<TransferStatus>,
    /// A transfer to another registrar that one asked for, or null.
    pub transfer_out: Option<TransferOutView<'a>>,
    /// Additional field: the statuses the registry set on the name by
    /// itself (RFC 5731 §2.3 EPP strings such as `serverHold`,
    /// `serverUpdateProhibited`), as last read from it; empty when none
    /// (docs/api.md, "Extra fields").
    pub registry_statuses: &'a [String],
    /// Additional fields: when the grace period ends (renewal at the normal
    /// price until then), when redemption ends (restore until then), and
    /// when the name is released if nothing is done.
    #[serde(serialize_with = "rfc3339")]
    pub grace_period_ends: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub redemption_period_ends: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub release_date: DateTime<Utc>,
}

impl<'a> DetailView<'a> {
    pub fn new(
        d: &'a Domain,
        own_nameservers: &[String],
        contacts: WhoisContacts<'a>,
        verification: Option<vpsd_registrar::RegistrantVerification>,
        now: DateTime<Utc>,
    ) -> Self {
        use std::borrow::Cow;
        let dates = ExpiryDates::after(d.expiration_date);
        let hidden = Cow::Borrowed(vpsd_domain::contact::PRIVACY_PROTECTED);
        let (registrant, admin_contact, tech_contact, privacy_service) = match contacts {
            WhoisContacts::Private(service, email) => (
                hidden.clone(),
                hidden.clone(),
                hidden,
                Some(PrivacyServiceView {
                    name: &service.name,
                    organisation: service.organisation.as_deref(),
                    country_code: &service.country_code,
                    email,
                }),
            ),
            WhoisContacts::Public([r, a, t]) => (Cow::Owned(r), Cow::Owned(a), Cow::Owned(t), None),
        };
        DetailView {
            domain: DomainView::new(d, own_nameservers, now),
            registrar: &d.registrar,
            days_until_expiration: days_until(d.expiration_date, now),
            whois_info: WhoisView {
                registrant,
                admin_contact,
                tech_contact,
                created_date: day(&d.registration_date),
                updated_date: day(&d.updated_at),
                privacy_service,
            },
            contacts: (&d.contacts).into(),
            registrant_verified: verification.map(|v| v.verified),
            warnings: verification
                .filter(|v| v.overdue)
                .map(|v| {
                    vec![format!(
                        "The registrant's email is not verified (due {}): ask its owner to follow the link of the verification mail, or give the contact a working email. The domain is not suspended.",
                        v.deadline.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
                    )]
                })
                .unwrap_or_default(),
            dns_records_count: d.dns_records_count,
            transfer_status: d.transfer_status,
            transfer_out: d.transfer_out.as_ref().map(TransferOutView::new),
            registry_statuses: &d.registry_statuses,
            grace_period_ends: dates.grace_ends_at,
            redemption_period_ends: dates.redemption_ends_at,
            release_date: dates.release_at,
        }
    }
}

/// A transfer out (docs/api.md, "Transfer out").
#[derive(Serialize, ToSchema)]
#[schema(as = TransferOut)]
pub struct TransferOutView<'a> {
    /// The registrar that asked for the domain.
    pub gaining_registrar: &'a str,
    pub status: TransferOutStatus,
    #[serde(serialize_with = "rfc3339")]
    pub requested_at: DateTime<Utc>,
    /// Approved by itself then, unless the owner answers first.
    #[serde(serialize_with = "rfc3339")]
    pub auto_approve_at: DateTime<Utc>,
}

impl<'a> TransferOutView<'a> {
    pub fn new(t: &'a vpsd_storage::TransferOut) -> Self {
        TransferOutView {
            gaining_registrar: &t.gaining_registrar,
            status: t.status,
            requested_at: t.requested_at,
            auto_approve_at: t.auto_approve_at,
        }
    }
}

/// PUT /api/v1/domains/{id}/ → 200.
#[derive(Serialize, ToSchema)]
#[schema(as = UpdatedDomain)]
pub struct UpdatedView<'a> {
    #[schema(value_type = i64)]
    pub id: vpsd_domain::DomainId,
    pub domain_name: &'a str,
    pub status: DomainStatus,
    pub auto_renew: bool,
    #[schema(value_type = Vec<String>)]
    pub nameservers: &'a [String],
    pub privacy_protection: bool,
    pub locked: bool,
    #[schema(value_type = names::DnsManagedBy)]
    pub dns_managed_by: &'static str,
    pub message: &'static str,
}

/// POST /api/v1/domains/{id}/transfer/ → 200.
#[derive(Serialize, ToSchema)]
#[schema(as = Transfer)]
pub struct TransferView<'a> {
    #[schema(value_type = i64)]
    pub id: vpsd_domain::DomainId,
    pub domain_name: &'a str,
    pub transfer_status: TransferStatus,
    #[serde(serialize_with = "opt_rfc3339")]
    pub transfer_initiated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub estimated_completion: Option<DateTime<Utc>>,
    #[schema(value_type = f64, example = 12.99)]
    pub total_cost: Money,
    pub message: &'static str,
    #[schema(value_type = Vec<String>)]
    pub next_steps: [&'static str; 4],
}

/// POST /api/v1/domains/{id}/cancel/ → 200: the registration undone
/// within its add grace period (docs/api.md, "Cancelling").
#[derive(Serialize, ToSchema)]
#[schema(as = CancelledRegistration)]
pub struct CancelledView<'a> {
    #[schema(value_type = i64)]
    pub id: vpsd_domain::DomainId,
    pub domain_name: &'a str,
    /// US dollars given back: everything the domain was charged.
    #[schema(value_type = f64, example = 12.99)]
    pub refund: Money,
    /// The account's balance after the refund, US dollars.
    #[schema(value_type = f64, example = 100.0)]
    pub balance: Money,
    pub message: String,
}

/// POST /api/v1/domains/{id}/transfer/cancel/ → 200.
#[derive(Serialize, ToSchema)]
#[schema(as = TransferCancelled)]
pub struct TransferCancelledView<'a> {
    #[schema(value_type = i64)]
    pub id: vpsd_domain::DomainId,
    pub domain_name: &'a str,
    /// `cancelled`.
    pub transfer_status: TransferStatus,
    /// The transfer fee given back, US dollars.
    #[schema(value_type = f64, example = 12.99)]
    pub refund: Money,
    /// The account's balance after the refund, US dollars.
    #[schema(value_type = f64, example = 100.0)]
    pub balance: Money,
    pub message: String,
}

/// POST /api/v1/domains/{id}/renew/ and .../restore/ → 200.
#[derive(Serialize, ToSchema)]
#[schema(as = Renewed)]
pub struct RenewedView<'a> {
    #[schema(value_type = i64)]
    pub id: vpsd_domain::DomainId,
    pub domain_name: &'a str,
    pub status: DomainStatus,
    #[serde(serialize_with = "rfc3339")]
    pub expiration_date: DateTime<Utc>,
    #[schema(value_type = f64, example = 12.99)]
    pub total_cost: Money,
    pub message: String,
}

impl<'a> RenewedView<'a> {
    /// `what` happened; the message adds the new expiration date.
    pub fn new(domain: &'a Domain, cost: Money, what: &str) -> Self {
        RenewedView {
            id: domain.id,
            domain_name: &domain.domain_name,
            status: domain.status,
            expiration_date: domain.expiration_date,
            total_cost: cost,
            message: format!(
                "{what} It now expires on {}.",
                domain.expiration_date.format("%Y-%m-%d")
            ),
        }
    }
}

impl axum::response::IntoResponse for RenewedView<'_> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self).into_response()
    }
}

/// POST /api/v1/domains/import/ → 201.
#[derive(Serialize, ToSchema)]
#[schema(as = ImportedDomain)]
pub struct ImportedView<'a> {
    #[serde(flatten)]
    pub domain: DomainView<'a>,
    pub registrar: &'a str,
}

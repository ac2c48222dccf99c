//! The bodies of `/api/v1/domains/...`: registration, settings, transfer
//! in, import and renewal, each parsed into the registrar's types.

use serde::Deserialize;
use utoipa::ToSchema;
use vpsd_domain::{ContactId, DomainName, NameError, Nameservers, Years};
use vpsd_registrar::{Registration, SettingsUpdate};
use vpsd_storage::DomainContacts;

use crate::error::{ApiError, ErrorCode};
use crate::extract::body::{body_type, Body, Field, FieldErrors};

fn yes() -> Field<bool> {
    Field::Given(true)
}

fn one_year() -> Field<i64> {
    Field::Given(1)
}

/// A domain name field, parsed; a bad name carries its own code
/// (`invalid_domain_name` or `unsupported_tld`, docs/api.md).
fn domain_name(errors: &mut FieldErrors, field: &str, raw: Field<String>) -> Option<DomainName> {
    let raw = errors.require(field, raw)?;
    match DomainName::parse(&raw) {
        Ok(name) => Some(name),
        Err(e) => {
            let code = match e {
                NameError::UnsupportedTld { .. } => ErrorCode::UnsupportedTld,
                _ => ErrorCode::InvalidDomainName,
            };
            errors.add_coded(code, field, e.to_string());
            None
        }
    }
}

/// The contact ids of `registrant`, `admin`, `tech` and `billing` (in that
/// order), each a positive integer or absent; whose contact each is, the
/// registrar checks.
fn contacts(errors: &mut FieldErrors, raw: [Field<i64>; 4]) -> DomainContacts {
    let [registrant, admin, tech, billing] = raw;
    let mut id = |field: &str, raw: Field<i64>| {
        let value = errors.take(field, raw);
        errors.parse(field, value, |n| {
            if n > 0 {
                Ok(ContactId::from(n))
            } else {
                Err("A contact id is a positive integer: GET /api/v1/contacts/ lists yours.")
            }
        })
    };
    DomainContacts {
        registrant: id("registrant", registrant),
        admin: id("admin", admin),
        tech: id("tech", tech),
        billing: id("billing", billing),
    }
}

fn nameservers(errors: &mut FieldErrors, raw: Field<Vec<String>>) -> Option<Nameservers> {
    let raw = errors.take("nameservers", raw);
    errors.parse("nameservers", raw, |n| Nameservers::parse(&n))
}

/// `POST /api/v1/domains/`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// Case-insensitive, with or without a final dot, Unicode or A-label;
    /// exactly one label below a TLD of the price list.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "example.com")]
    domain_name: Field<String>,
    /// Years to register, 1–10 (default 1).
    #[serde(default = "one_year")]
    #[schema(value_type = i64, minimum = 1, maximum = 10, default = 1)]
    years: Field<i64>,
    /// Renew before expiry, charged to the balance (default true).
    #[serde(default = "yes")]
    #[schema(value_type = bool, default = true)]
    auto_renew: Field<bool>,
    /// Whois contacts hidden (default true).
    #[serde(default = "yes")]
    #[schema(value_type = bool, default = true)]
    privacy_protection: Field<bool>,
    /// 2–4 distinct host names (default VPS.org's two).
    #[serde(default)]
    #[schema(value_type = Vec<String>, min_items = 2, max_items = 4, example = json!(["ns1.vps.org", "ns2.vps.org"]))]
    nameservers: Field<Vec<String>>,
    /// The most the registration may cost, US dollars: a premium name's
    /// price follows its registry's fee, so one that has risen since the
    /// client checked it is refused (400 `price_above_max_cost`) rather
    /// than charged. Optional.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 0, example = 25.98)]
    max_cost: Field<vpsd_domain::Money>,
    /// The registrant's contact id (GET /api/v1/contacts/); default: the
    /// account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    registrant: Field<i64>,
    /// The admin contact's id; default: the account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    admin: Field<i64>,
    /// The tech contact's id; default: the account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    tech: Field<i64>,
    /// The billing contact's id; default: the account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    billing: Field<i64>,
}

impl TryFrom<Body<RegisterBody>> for Registration {
    type Error = ApiError;

    /// Every field checked; all the faults in one answer.
    fn try_from(body: Body<RegisterBody>) -> Result<Self, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let domain_name = domain_name(&mut errors, "domain_name", b.domain_name);
        let years = errors.take("years", b.years);
        let years = errors.parse("years", years, Years::parse);
        let auto_renew = errors.take("auto_renew", b.auto_renew);
        let privacy_protection = errors.take("privacy_protection", b.privacy_protection);
        let given = b.nameservers.is_given();
        let nameservers = nameservers(&mut errors, b.nameservers);
        let max_cost = errors.take("max_cost", b.max_cost);
        let contacts = contacts(&mut errors, [b.registrant, b.admin, b.tech, b.billing]);
        let parsed = (|| {
            Some(Registration {
                domain_name: domain_name?,
                years: years?,
                auto_renew: auto_renew?,
                privacy_protection: privacy_protection?,
                nameservers: if given { Some(nameservers?) } else { None },
                max_cost,
                contacts,
            })
        })();
        errors.finish(parsed)
    }
}

/// `PUT /api/v1/domains/{domain_id}/`: every field optional, at least one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    #[serde(default)]
    #[schema(value_type = bool)]
    auto_renew: Field<bool>,
    #[serde(default)]
    #[schema(value_type = bool)]
    privacy_protection: Field<bool>,
    /// 2–4 distinct host names. Not while pending or transferring.
    #[serde(default)]
    #[schema(value_type = Vec<String>, min_items = 2, max_items = 4)]
    nameservers: Field<Vec<String>>,
    /// The transfer lock. Not while pending or transferring.
    #[serde(default)]
    #[schema(value_type = bool)]
    locked: Field<bool>,
    /// The registrant's contact id (GET /api/v1/contacts/).
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    registrant: Field<i64>,
    /// The admin contact's id.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    admin: Field<i64>,
    /// The tech contact's id.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    tech: Field<i64>,
    /// The billing contact's id.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    billing: Field<i64>,
}

impl TryFrom<Body<UpdateBody>> for SettingsUpdate {
    type Error = ApiError;

    /// The fields given; an empty body is `empty_update`.
    fn try_from(body: Body<UpdateBody>) -> Result<Self, ApiError> {
        if body.empty {
            return Err(ApiError::bad_request(
                ErrorCode::EmptyUpdate,
                "The body changes nothing: give at least one of auto_renew, privacy_protection, nameservers, locked, registrant, admin, tech, billing.",
            ));
        }
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let update = SettingsUpdate {
            auto_renew: errors.take("auto_renew", b.auto_renew),
            privacy_protection: errors.take("privacy_protection", b.privacy_protection),
            locked: errors.take("locked", b.locked),
            nameservers: nameservers(&mut errors, b.nameservers),
            contacts: contacts(&mut errors, [b.registrant, b.admin, b.tech, b.billing]),
        };
        errors.finish(Some(update))
    }
}

/// `POST /api/v1/domains/{domain_id}/transfer/`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The EPP code from the current registrar (never logged or echoed).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, example = "Xy7#kP2q")]
    auth_code: Field<String>,
    /// Renew automatically once here (default true).
    #[serde(default = "yes")]
    #[schema(value_type = bool, default = true)]
    auto_renew: Field<bool>,
    /// The registrant's contact id (GET /api/v1/contacts/); default: the
    /// account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    registrant: Field<i64>,
    /// The admin contact's id; default: the account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    admin: Field<i64>,
    /// The tech contact's id; default: the account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    tech: Field<i64>,
    /// The billing contact's id; default: the account's default contact.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1)]
    billing: Field<i64>,
}

/// A transfer in as asked: the EPP code, whether to renew once here, and
/// the contacts the domain takes.
pub struct TransferRequest {
    /// Not empty; never logged or echoed.
    pub auth_code: String,
    pub auto_renew: bool,
    /// The roles asked; the others take the account's default contact.
    pub contacts: DomainContacts,
}

impl TryFrom<Body<TransferBody>> for TransferRequest {
    type Error = ApiError;

    fn try_from(body: Body<TransferBody>) -> Result<Self, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let auth_code = errors.require("auth_code", b.auth_code);
        let auto_renew = errors.take("auto_renew", b.auto_renew);
        let contacts = contacts(&mut errors, [b.registrant, b.admin, b.tech, b.billing]);
        let auth_code = errors.parse("auth_code", auth_code, |c| {
            if c.trim().is_empty() {
                Err("May not be empty: get the EPP code from the current registrar.")
            } else {
                Ok(c)
            }
        });
        let parsed = auth_code
            .zip(auto_renew)
            .map(|(auth_code, auto_renew)| TransferRequest {
                auth_code,
                auto_renew,
                contacts,
            });
        errors.finish(parsed)
    }
}

/// `POST /api/v1/domains/import/`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    /// A name registered at another registrar.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "example.org")]
    domain_name: Field<String>,
}

impl TryFrom<Body<ImportBody>> for DomainName {
    type Error = ApiError;

    fn try_from(body: Body<ImportBody>) -> Result<Self, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let name = domain_name(&mut errors, "domain_name", b.domain_name);
        errors.finish(name)
    }
}

/// `POST /api/v1/domains/{domain_id}/renew/` (the body may be empty).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewBody {
    /// Years to add, 1–10 (default 1); never past ten years from now.
    #[serde(default = "one_year")]
    #[schema(value_type = i64, minimum = 1, maximum = 10, default = 1)]
    years: Field<i64>,
}

impl TryFrom<Body<RenewBody>> for Years {
    type Error = ApiError;

    fn try_from(body: Body<RenewBody>) -> Result<Self, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let years = errors.take("years", b.years);
        let years = errors.parse("years", years, Years::parse);
        errors.finish(years)
    }
}

body_type!(
    RegisterBody,
    UpdateBody,
    TransferBody,
    ImportBody,
    RenewBody
);

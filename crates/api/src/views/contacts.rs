//! A contact as the API shows it to its account (every field: it is the
//! account's own data; the public sees only `whois_info`'s form).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use vpsd_domain::ContactId;
use vpsd_storage::Contact;

use crate::views::rfc3339;

/// A contact (RFC 5733).
#[derive(Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactView<'a> {
    #[schema(value_type = i64, example = 1)]
    pub id: ContactId,
    /// Names the contact outside the account (its id at a registry and its
    /// RDAP entity handle); random, it reveals nothing about the person.
    #[schema(example = "CK7Q2M4ZP6XR3TBWN")]
    pub handle: &'a str,
    #[schema(example = "Jane Doe")]
    pub name: &'a str,
    pub organisation: Option<&'a str>,
    #[schema(value_type = Vec<String>, example = json!(["1 Main Street"]))]
    pub street: &'a [String],
    pub city: &'a str,
    pub state_province: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    /// ISO 3166-1 alpha-2, upper case.
    #[schema(example = "US")]
    pub country_code: &'a str,
    /// E.164, `+CC.NUMBER` (RFC 5733 §2.5).
    #[schema(example = "+1.2175550100")]
    pub voice: &'a str,
    pub fax: Option<&'a str>,
    pub email: &'a str,
    /// The account's default contact: a registration or transfer takes it
    /// for every role it does not name.
    pub default: bool,
    /// Whether the current email was verified (the link of the mail sent
    /// to it when it was set was followed).
    pub email_verified: bool,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> ContactView<'a> {
    pub fn new(c: &'a Contact) -> Self {
        let d = &c.data;
        ContactView {
            id: c.id,
            handle: &c.handle,
            name: &d.name,
            organisation: d.organisation.as_deref(),
            street: &d.street,
            city: &d.city,
            state_province: d.state_province.as_deref(),
            postal_code: d.postal_code.as_deref(),
            country_code: &d.country_code,
            voice: &d.voice,
            fax: d.fax.as_deref(),
            email: &d.email,
            default: c.is_default,
            email_verified: c.email_verified_at.is_some(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

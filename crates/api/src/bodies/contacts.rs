//! The bodies of `/api/v1/contacts/`: `POST` (a new contact: every
//! required field) and `PUT` (the fields given change over the current
//! contact), each parsed into `vpsd_domain::contact::ContactData` with every
//! field's fault in one answer (the rules: `vpsd_domain::contact`, RFC 5733).

use serde::Deserialize;
use utoipa::ToSchema;
use vpsd_domain::contact::{self, ContactData};

use crate::error::{ApiError, ErrorCode};
use crate::extract::body::{body_type, Body, Field, FieldErrors};

/// A contact to create (`POST /api/v1/contacts/`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ContactCreate)]
pub struct ContactBody {
    /// The person's or role's name (RFC 5733 `<contact:name>`), 1–255 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "Jane Doe")]
    name: Field<String>,
    /// The organisation, if any (`<contact:org>`).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Example Ltd")]
    organisation: Field<String>,
    /// 1–3 street lines (`<contact:street>`), each 1–255 characters.
    #[serde(default)]
    #[schema(value_type = Vec<String>, required = true, min_items = 1, max_items = 3, example = json!(["1 Main Street"]))]
    street: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "Springfield")]
    city: Field<String>,
    /// State or province, if any (`<contact:sp>`).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "IL")]
    state_province: Field<String>,
    /// Postal code, if any (`<contact:pc>`), at most 16 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "62701")]
    postal_code: Field<String>,
    /// ISO 3166-1 alpha-2 (`<contact:cc>`); answered upper case.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "US")]
    country_code: Field<String>,
    /// E.164 in the `+CC.NUMBER` form (RFC 5733 §2.5).
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "+1.2175550100")]
    voice: Field<String>,
    /// E.164 in the `+CC.NUMBER` form, if any.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "+1.2175550199")]
    fax: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "jane@example.com")]
    email: Field<String>,
    /// Make it the account's default contact (default false; the account's
    /// first contact is the default whatever this says).
    #[serde(default)]
    #[schema(value_type = bool, default = false)]
    default: Field<bool>,
}

/// The fields of a contact to change (`PUT /api/v1/contacts/{contact_id}/`):
/// any, at least one; `null` removes an optional one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ContactUpdate)]
pub struct ContactUpdateBody {
    #[serde(default)]
    #[schema(value_type = String, example = "Jane Doe")]
    name: Field<String>,
    /// `null` removes it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    organisation: Field<String>,
    #[serde(default)]
    #[schema(value_type = Vec<String>, min_items = 1, max_items = 3)]
    street: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = String)]
    city: Field<String>,
    /// `null` removes it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    state_province: Field<String>,
    /// `null` removes it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    postal_code: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "US")]
    country_code: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "+1.2175550100")]
    voice: Field<String>,
    /// `null` removes it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    fax: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "jane@example.com")]
    email: Field<String>,
    /// `true` makes it the account's default contact (the former default
    /// no longer is). `false` is refused for the default contact: make
    /// another one the default instead.
    #[serde(default)]
    #[schema(value_type = bool)]
    default: Field<bool>,
}

/// An optional text field: `Ok(None)` when absent or null (null removes
/// it in a `PUT`), else its value checked by `check`; `Err(())` when at
/// fault (recorded).
fn optional(
    errors: &mut FieldErrors,
    field: &str,
    raw: Field<String>,
    check: fn(&str) -> Result<String, String>,
) -> Result<Option<String>, ()> {
    match raw {
        Field::Absent | Field::Null => Ok(None),
        Field::Wrong(message) => {
            errors.add(field, message);
            Err(())
        }
        Field::Given(v) => match check(&v) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                errors.add(field, e);
                Err(())
            }
        },
    }
}

/// A required text field checked by `check` (`None`: absent or at fault,
/// recorded).
fn required(
    errors: &mut FieldErrors,
    field: &str,
    raw: Field<String>,
    check: fn(&str) -> Result<String, String>,
) -> Option<String> {
    let value = errors.require(field, raw);
    errors.parse(field, value, |v| check(&v))
}

/// A contact as asked: its fields and whether to make it the default.
pub struct ContactRequest {
    pub data: ContactData,
    /// Make it the account's default.
    pub make_default: bool,
}

impl ContactBody {
    /// The new contact's fields, or one 400 naming every field at fault.
    pub fn parse(body: Body<Self>) -> Result<ContactRequest, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let e = &mut errors;
        let name = required(e, "name", b.name, contact::line);
        let organisation = optional(e, "organisation", b.organisation, contact::line);
        let street = e.require("street", b.street);
        let street = e.parse("street", street, |s| contact::street(&s));
        let city = required(e, "city", b.city, contact::line);
        let state_province = optional(e, "state_province", b.state_province, contact::line);
        let postal_code = optional(e, "postal_code", b.postal_code, contact::postal_code);
        let country_code = required(e, "country_code", b.country_code, contact::country_code);
        let voice = required(e, "voice", b.voice, contact::phone);
        let fax = optional(e, "fax", b.fax, contact::phone);
        let email = required(e, "email", b.email, contact::email);
        let make_default = e.take("default", b.default).unwrap_or(false);
        let data = (|| {
            Some(ContactData {
                name: name?,
                organisation: organisation.ok()?,
                street: street?,
                city: city?,
                state_province: state_province.ok()?,
                postal_code: postal_code.ok()?,
                country_code: country_code?,
                voice: voice?,
                fax: fax.ok()?,
                email: email?,
            })
        })();
        errors.finish(data.map(|data| ContactRequest { data, make_default }))
    }
}

impl ContactUpdateBody {
    /// `current` with the fields given, or one 400 naming every field at
    /// fault; an empty body is `empty_update`.
    pub fn parse(
        body: Body<Self>,
        current: &vpsd_storage::Contact,
    ) -> Result<ContactRequest, ApiError> {
        if body.empty {
            return Err(ApiError::bad_request(
                ErrorCode::EmptyUpdate,
                "The body changes nothing: give any of name, organisation, street, city, state_province, postal_code, country_code, voice, fax, email, default.",
            ));
        }
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let e = &mut errors;
        let c = &current.data;
        // A required field: its new value when given and sound, else the
        // current one (a fault is recorded and the answer is a 400).
        let keep = |v: Option<String>, old: &String| v.unwrap_or_else(|| old.clone());
        // An optional field: absent keeps it, null removes it.
        let clear_or = |given: bool, v: Result<Option<String>, ()>, old: &Option<String>| match v {
            Ok(v) if given => v,
            _ => old.clone(),
        };
        let name = errors_take(e, "name", b.name, contact::line);
        let org_given = b.organisation.is_given();
        let organisation = optional(e, "organisation", b.organisation, contact::line);
        let street = e.take("street", b.street);
        let street = e.parse("street", street, |s| contact::street(&s));
        let city = errors_take(e, "city", b.city, contact::line);
        let sp_given = b.state_province.is_given();
        let state_province = optional(e, "state_province", b.state_province, contact::line);
        let pc_given = b.postal_code.is_given();
        let postal_code = optional(e, "postal_code", b.postal_code, contact::postal_code);
        let country_code = errors_take(e, "country_code", b.country_code, contact::country_code);
        let voice = errors_take(e, "voice", b.voice, contact::phone);
        let fax_given = b.fax.is_given();
        let fax = optional(e, "fax", b.fax, contact::phone);
        let email = errors_take(e, "email", b.email, contact::email);
        let make_default = e.take("default", b.default);
        if make_default == Some(false) && current.is_default {
            e.add(
                "default",
                "This is the account's default contact: make another contact the default (default: true on it) instead.",
            );
        }
        let data = ContactData {
            name: keep(name, &c.name),
            organisation: clear_or(org_given, organisation, &c.organisation),
            street: street.unwrap_or_else(|| c.street.clone()),
            city: keep(city, &c.city),
            state_province: clear_or(sp_given, state_province, &c.state_province),
            postal_code: clear_or(pc_given, postal_code, &c.postal_code),
            country_code: keep(country_code, &c.country_code),
            voice: keep(voice, &c.voice),
            fax: clear_or(fax_given, fax, &c.fax),
            email: keep(email, &c.email),
        };
        errors.finish(Some(ContactRequest {
            data,
            make_default: make_default.unwrap_or(false),
        }))
    }
}

/// An optional-in-`PUT` required field: its value checked, `None` when
/// absent or at fault (recorded).
fn errors_take(
    errors: &mut FieldErrors,
    field: &str,
    raw: Field<String>,
    check: fn(&str) -> Result<String, String>,
) -> Option<String> {
    let value = errors.take(field, raw);
    errors.parse(field, value, |v| check(&v))
}

body_type!(ContactBody, ContactUpdateBody);

//! The body of a DNS record (`POST` adds one, `PUT` changes the fields it
//! names), parsed into the record data the zone stores: the fields' type
//! errors and the record's own checks (`vpsd_domain::dns::validate`) in
//! one answer.

use serde::Deserialize;
use utoipa::openapi::schema::{Object, OneOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};
use vpsd_domain::dns::{self, RecordData, RecordInput, RecordType};

use crate::error::ApiError;
use crate::extract::body::{body_type, Body, BodyType, Field, FieldErrors};

/// Every field a record's body may have: the fields `POST` and `PUT`
/// accept (their documented schemas, [`RecordCreate`] and
/// [`RecordUpdate`], say which go together).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// Relative to the zone (`@` the apex, `www`, `*.dev`); a full name
    /// ending in the zone is accepted too. Default `@`.
    #[serde(default)]
    #[schema(value_type = String, example = "www")]
    name: Field<String>,
    /// Required when adding.
    #[serde(default, rename = "type")]
    #[schema(value_type = RecordType)]
    rtype: Field<String>,
    /// The type's data: an address, a host name, TXT text (up to 4,000
    /// bytes), `weight port target` for SRV, `flags tag value` for CAA.
    /// Required when adding.
    #[serde(default)]
    #[schema(value_type = String, example = "192.0.2.10")]
    content: Field<String>,
    /// Seconds, 60–86400 (default 3600).
    #[serde(default)]
    #[schema(value_type = i64, minimum = 60, maximum = 86400, default = 3600)]
    ttl: Field<i64>,
    /// MX and SRV only, and required there: 0–65535.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 0, maximum = 65535)]
    priority: Field<i64>,
}

body_type!(RecordBody);

/// A record body read: the fields of the right JSON type, which were
/// given, and the errors so far (unknown fields, wrong types).
pub struct RecordRead {
    input: RecordInput,
    priority_given: bool,
    empty: bool,
    errors: FieldErrors,
}

impl From<Body<RecordBody>> for RecordRead {
    fn from(body: Body<RecordBody>) -> Self {
        let Body {
            fields: b,
            mut errors,
            empty,
        } = body;
        let priority_given = b.priority.is_given();
        let input = RecordInput {
            name: errors.take("name", b.name),
            rtype: errors.take("type", b.rtype),
            content: errors.take("content", b.content),
            ttl: errors.take("ttl", b.ttl),
            priority: errors.take("priority", b.priority),
        };
        RecordRead {
            input,
            priority_given,
            empty,
            errors,
        }
    }
}

impl RecordRead {
    /// What to answer when the zone or the record cannot be read: the
    /// body's own faults first (as before the lookup), else `e`.
    pub fn or_error(self, e: ApiError) -> ApiError {
        match self.errors.check() {
            Err(body) => body,
            Ok(()) => e,
        }
    }

    /// Whether the body names no field (a `PUT` that changes nothing).
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// A new record in `zone` (`POST`).
    pub fn create(self, zone: &str) -> Result<RecordData, ApiError> {
        validated(self.errors, zone, &self.input)
    }

    /// `current` with the fields given (`PUT`). Fields not given keep
    /// their values; a changed type drops a priority the new type has no
    /// use for, and needs its content given (an MX's host kept as a TXT's
    /// text is almost always a mistake).
    pub fn update(self, zone: &str, current: &RecordData) -> Result<RecordData, ApiError> {
        let RecordRead {
            input,
            priority_given,
            mut errors,
            ..
        } = self;
        let new_type = input.rtype.as_deref().and_then(RecordType::parse);
        if let Some(t) = new_type.filter(|t| *t != current.rtype()) {
            if input.content.is_none() && !errors.has("content") {
                errors.add(
                    "content",
                    format!(
                        "The type changes from {} to {t}: give the content of the {t} record too.",
                        current.rtype()
                    ),
                );
            }
        }
        let rtype = input
            .rtype
            .unwrap_or_else(|| current.rtype().as_str().to_owned());
        let keeps_priority = RecordType::parse(&rtype).is_some_and(RecordType::has_priority);
        let merged = RecordInput {
            name: Some(input.name.unwrap_or_else(|| current.name.clone())),
            rtype: Some(rtype),
            content: Some(input.content.unwrap_or_else(|| current.rdata.to_string())),
            ttl: Some(input.ttl.unwrap_or(i64::from(current.ttl))),
            priority: if priority_given {
                input.priority
            } else if keeps_priority {
                current.priority().map(i64::from)
            } else {
                None
            },
        };
        validated(errors, zone, &merged)
    }
}

/// `input` checked in `zone`, its faults added to `errors` (a field at
/// fault already, such as one of the wrong type, keeps its first error).
fn validated(
    mut errors: FieldErrors,
    zone: &str,
    input: &RecordInput,
) -> Result<RecordData, ApiError> {
    match dns::validate(zone, input) {
        Ok(data) => errors.finish(Some(data)),
        Err(faults) => {
            for fault in faults {
                if !errors.has(fault.field) {
                    errors.add(fault.field, fault.message);
                }
            }
            errors.finish(None)
        }
    }
}

/// `POST .../dns/records/`: a record to add. It deserializes as a
/// [`RecordBody`]; its document says which fields go together: without
/// `priority` for A, AAAA, CNAME, TXT, NS and CAA, with it (required) for
/// MX and SRV.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct RecordCreate(pub RecordBody);

/// `PUT .../dns/records/{record_id}/`: the fields to change, any, at least
/// one. It deserializes as a [`RecordBody`]; `priority` only for a record
/// that is, or becomes, MX or SRV.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct RecordUpdate(pub RecordBody);

impl BodyType for RecordCreate {
    fn accepted() -> &'static [String] {
        crate::accepts!(RecordBody)
    }
}

impl BodyType for RecordUpdate {
    fn accepted() -> &'static [String] {
        crate::accepts!(RecordBody)
    }
}

impl From<Body<RecordCreate>> for RecordRead {
    fn from(body: Body<RecordCreate>) -> Self {
        RecordRead::from(Body {
            fields: body.fields.0,
            errors: body.errors,
            empty: body.empty,
        })
    }
}

impl From<Body<RecordUpdate>> for RecordRead {
    fn from(body: Body<RecordUpdate>) -> Self {
        RecordRead::from(Body {
            fields: body.fields.0,
            errors: body.errors,
            empty: body.empty,
        })
    }
}

/// A type without a priority.
#[derive(serde::Serialize, ToSchema)]
#[allow(clippy::upper_case_acronyms, dead_code)]
enum PlainRecordType {
    A,
    AAAA,
    CNAME,
    TXT,
    NS,
    CAA,
}

/// A type with a priority.
#[derive(serde::Serialize, ToSchema)]
#[allow(clippy::upper_case_acronyms, dead_code)]
enum PrioritizedRecordType {
    MX,
    SRV,
}

/// [`RecordBody`]'s schema as one of its documented shapes: with
/// `priority` (MX, SRV) or without; `required` the fields it must have;
/// `adding` whether absent fields take their defaults (`POST`) or keep
/// the record's values (`PUT`).
fn shape(description: &str, prioritized: bool, required: &[&str], adding: bool) -> RefOr<Schema> {
    let mut object = match RecordBody::schema() {
        RefOr::T(Schema::Object(object)) => object,
        _ => Object::new(),
    };
    let types = if prioritized {
        PrioritizedRecordType::name()
    } else {
        PlainRecordType::name()
    };
    object
        .properties
        .insert("type".to_owned(), Ref::from_schema_name(types).into());
    if !prioritized {
        object.properties.shift_remove("priority");
    }
    if !adding {
        if let Some(RefOr::T(Schema::Object(ttl))) = object.properties.get_mut("ttl") {
            ttl.default = None;
        }
        // At least one field: an empty body is a 400 `empty_update`.
        object.min_properties = Some(1);
    }
    object.required = required.iter().map(|f| (*f).to_owned()).collect();
    object.description = Some(description.to_owned());
    RefOr::T(Schema::Object(object))
}

/// The record types' schemas, which the shapes refer to.
fn type_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((PlainRecordType::name().into(), PlainRecordType::schema()));
    schemas.push((
        PrioritizedRecordType::name().into(),
        PrioritizedRecordType::schema(),
    ));
}

impl PartialSchema for RecordCreate {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(shape(
                "A record without a priority to add: A, AAAA, CNAME, TXT, NS, CAA.",
                false,
                &["type", "content"],
                true,
            ))
            .item(shape(
                "An MX or SRV record to add: its priority is required.",
                true,
                &["type", "content", "priority"],
                true,
            ))
            .description(Some(
                "A record to add (`POST`): `priority` with MX and SRV (required there),\nnever with the other types.",
            ))
            .into()
    }
}

impl ToSchema for RecordCreate {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        type_schemas(schemas);
    }
}

impl PartialSchema for RecordUpdate {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(shape(
                "The fields of a record to change (`PUT`), without `priority`: any, at\nleast one. An MX or SRV record keeps its priority.",
                false,
                &[],
                false,
            ))
            .item(shape(
                "The fields of a record to change (`PUT`), with `priority`: only for a\nrecord that is MX or SRV (now, or by `type`).",
                true,
                &["priority"],
                false,
            ))
            .description(Some(
                "The fields to change (`PUT`): any, at least one; the whole record is\nchecked again. `priority` only for a record that is, or becomes, MX or\nSRV (a priority for another type is refused).",
            ))
            .into()
    }
}

impl ToSchema for RecordUpdate {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        type_schemas(schemas);
    }
}

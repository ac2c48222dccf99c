//! The body of a DNS record (`POST` adds one, `PUT` changes the fields it
//! names), parsed into the record data the zone stores: the fields' type
//! errors and the record's own checks (`vpsd_domain::dns::validate`) in
//! one answer.

use serde::Deserialize;
use utoipa::ToSchema;
use vpsd_domain::dns::{self, RecordData, RecordInput, RecordType};

use crate::error::ApiError;
use crate::extract::body::{body_type, Body, Field, FieldErrors};

/// A record's type.
#[derive(serde::Serialize, ToSchema)]
#[allow(clippy::upper_case_acronyms, dead_code)]
pub(crate) enum RecordTypeName {
    A,
    AAAA,
    CNAME,
    MX,
    TXT,
    NS,
    SRV,
    CAA,
}

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
    #[schema(value_type = RecordTypeName)]
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
        if let Some(t) = new_type.filter(|t| *t != current.rtype) {
            if input.content.is_none() && !errors.has("content") {
                errors.add(
                    "content",
                    format!(
                        "The type changes from {} to {t}: give the content of the {t} record too.",
                        current.rtype
                    ),
                );
            }
        }
        let rtype = input
            .rtype
            .unwrap_or_else(|| current.rtype.as_str().to_owned());
        let keeps_priority = RecordType::parse(&rtype).is_some_and(RecordType::has_priority);
        let merged = RecordInput {
            name: Some(input.name.unwrap_or_else(|| current.name.clone())),
            rtype: Some(rtype),
            content: Some(input.content.unwrap_or_else(|| current.content.clone())),
            ttl: Some(input.ttl.unwrap_or(current.ttl)),
            priority: if priority_given {
                input.priority
            } else if keeps_priority {
                current.priority
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

/// A type without a priority.
#[derive(serde::Serialize, ToSchema)]
#[allow(clippy::upper_case_acronyms, dead_code)]
pub(crate) enum PlainRecordType {
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
pub(crate) enum PrioritizedRecordType {
    MX,
    SRV,
}

/// A record without a priority to add: A, AAAA, CNAME, TXT, NS, CAA.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct PlainRecordCreate {
    /// Relative to the zone (`@` the apex, `www`, `*.dev`), or a full name
    /// in the zone. Default `@`.
    #[serde(default)]
    #[schema(example = "www")]
    name: String,
    #[serde(rename = "type")]
    #[schema(value_type = PlainRecordType)]
    rtype: String,
    /// An address, a host name, TXT text (up to 4,000 bytes), or `flags tag
    /// value` for CAA.
    #[schema(example = "192.0.2.10")]
    content: String,
    /// Seconds, 60–86400 (default 3600).
    #[serde(default)]
    #[schema(minimum = 60, maximum = 86400, default = 3600)]
    ttl: i64,
}

/// An MX or SRV record to add: its priority is required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct PrioritizedRecordCreate {
    /// Relative to the zone, or a full name in the zone. Default `@`.
    #[serde(default)]
    #[schema(example = "@")]
    name: String,
    #[serde(rename = "type")]
    #[schema(value_type = PrioritizedRecordType)]
    rtype: String,
    /// A host name for MX; `weight port target` for SRV.
    #[schema(example = "mx.example.net")]
    content: String,
    /// Seconds, 60–86400 (default 3600).
    #[serde(default)]
    #[schema(minimum = 60, maximum = 86400, default = 3600)]
    ttl: i64,
    /// 0–65535, lower is preferred.
    #[schema(minimum = 0, maximum = 65535)]
    priority: i64,
}

/// A record to add (`POST`): `priority` with MX and SRV (required there),
/// never with the other types.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(as = RecordCreate)]
#[allow(dead_code)]
pub(crate) enum RecordCreateBody {
    Plain(PlainRecordCreate),
    Prioritized(PrioritizedRecordCreate),
}

/// The fields of a record to change (`PUT`), without `priority`: any, at
/// least one. An MX or SRV record keeps its priority.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct PlainRecordUpdate {
    /// Relative to the zone, or a full name in the zone.
    #[serde(default)]
    name: String,
    /// A type without a priority; changing an MX or SRV record to one of
    /// these drops its priority.
    #[serde(default, rename = "type")]
    #[schema(value_type = PlainRecordType)]
    rtype: String,
    #[serde(default)]
    content: String,
    /// Seconds, 60–86400.
    #[serde(default)]
    #[schema(minimum = 60, maximum = 86400)]
    ttl: i64,
}

/// The fields of a record to change (`PUT`), with `priority`: only for a
/// record that is MX or SRV (now, or by `type`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct PrioritizedRecordUpdate {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "type")]
    #[schema(value_type = PrioritizedRecordType)]
    rtype: String,
    #[serde(default)]
    content: String,
    /// Seconds, 60–86400.
    #[serde(default)]
    #[schema(minimum = 60, maximum = 86400)]
    ttl: i64,
    /// 0–65535, lower is preferred.
    #[schema(minimum = 0, maximum = 65535)]
    priority: i64,
}

/// The fields to change (`PUT`): any, at least one; the whole record is
/// checked again. `priority` only for a record that is, or becomes, MX or
/// SRV (a priority for another type is refused).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(as = RecordUpdate)]
#[allow(dead_code)]
pub(crate) enum RecordUpdateBody {
    Plain(PlainRecordUpdate),
    Prioritized(PrioritizedRecordUpdate),
}

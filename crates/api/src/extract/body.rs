//! Request bodies: one type per request, which deserializes (serde), is
//! documented (its utoipa schema, whose property names are the fields it
//! accepts) and is parsed into the domain's types collecting every field's
//! error into one answer (api-v1.md, "Common rules": `errors` names each
//! field at fault).
//!
//! A body type's fields are [`Field`]s: a field of the wrong JSON type is
//! recorded as that field's error (`"years": "two"` → `errors.years`), not
//! as a syntax error of the whole body. [`Body`] is the extractor: it runs
//! [`JsonObject`]'s checks (content type, size, syntax, duplicate keys),
//! refuses unknown fields by name, and hands the handler the typed body
//! with the errors found so far in a [`FieldErrors`], which the body's
//! parse completes and ends with [`FieldErrors::finish`].

use std::collections::BTreeMap;
use std::fmt::Display;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::JsonObject;
use crate::error::{ApiError, ErrorCode};

/// One field of a request body as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// Not in the body.
    #[default]
    Absent,
    /// `null`: refused ("May not be null.").
    Null,
    /// A value of the right JSON type.
    Given(T),
    /// A value of another JSON type; the message says which is wanted.
    Wrong(&'static str),
}

/// A JSON type a body field may have, and the message for a value of
/// another type.
pub trait FieldType: Sized {
    /// What to send instead, such as "Must be a string.".
    const EXPECTED: &'static str;

    /// The value, if `v` has this type.
    fn from_json(v: Value) -> Option<Self>;
}

impl FieldType for bool {
    const EXPECTED: &'static str = "Must be true or false.";

    fn from_json(v: Value) -> Option<Self> {
        v.as_bool()
    }
}

/// A whole number. `8.0` is one too: JSON (RFC 8259, section 6) has one
/// number type and JSON Schema's `integer` (which the OpenAPI document
/// says) counts any number without a fraction.
impl FieldType for i64 {
    const EXPECTED: &'static str = "Must be a whole number.";

    fn from_json(v: Value) -> Option<Self> {
        let Value::Number(n) = v else { return None };
        n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (-9.0e15..=9.0e15).contains(f))
                .map(|f| f as i64)
        })
    }
}

/// An amount of US dollars: a non-negative number with at most two
/// decimals (`25.98`), read from its JSON text, never through a float.
impl FieldType for vpsd_domain::Money {
    const EXPECTED: &'static str =
        "Must be an amount of US dollars: a number of at least 0 with at most two decimals, such as 25.98.";

    fn from_json(v: Value) -> Option<Self> {
        let Value::Number(n) = v else { return None };
        vpsd_domain::Money::parse_dollars(&n.to_string()).ok()
    }
}

impl FieldType for String {
    const EXPECTED: &'static str = "Must be a string.";

    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl FieldType for Vec<String> {
    const EXPECTED: &'static str = "Must be a list of strings.";

    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::Array(items) => items.into_iter().map(String::from_json).collect(),
            _ => None,
        }
    }
}

impl<'de, T: FieldType> Deserialize<'de> for Field<T> {
    /// Never fails on a JSON value: its type is checked here, into
    /// [`Field::Wrong`].
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Field::Null,
            v => T::from_json(v).map_or(Field::Wrong(T::EXPECTED), Field::Given),
        })
    }
}

impl<T> Field<T> {
    /// A field with a default: its value, or `default` when absent.
    pub fn or(self, default: T) -> Field<T> {
        match self {
            Field::Absent => Field::Given(default),
            f => f,
        }
    }

    /// Whether the client sent the field.
    pub fn is_given(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// The field errors of one request, by field name, each with what to do.
/// One field's error may carry its own code (`invalid_domain_name`), which
/// the answer takes when that field is the only one at fault.
#[derive(Debug, Default)]
pub struct FieldErrors {
    errors: BTreeMap<String, Vec<String>>,
    codes: BTreeMap<String, ErrorCode>,
}

impl FieldErrors {
    /// Records `message` against `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Records `message` against `field`, with the code the answer has
    /// when this is its only field at fault.
    pub fn add_coded(&mut self, code: ErrorCode, field: &str, message: impl Into<String>) {
        self.codes.insert(field.to_owned(), code);
        self.add(field, message);
    }

    /// Whether `field` has an error already.
    pub fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// Whether no field has an error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// An optional field's value: `None` when absent, or null or of the
    /// wrong type (both recorded).
    pub fn take<T>(&mut self, field: &str, value: Field<T>) -> Option<T> {
        match value {
            Field::Absent => None,
            Field::Given(v) => Some(v),
            Field::Null => {
                self.add(field, "May not be null.");
                None
            }
            Field::Wrong(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// A required field's value; its absence is recorded too.
    pub fn require<T>(&mut self, field: &str, value: Field<T>) -> Option<T> {
        if matches!(value, Field::Absent) {
            self.add(field, "This field is required.");
        }
        self.take(field, value)
    }

    /// Applies a value's own parser to a field read above, recording its
    /// error under the field's name.
    pub fn parse<R, T, E: Display>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, E>,
    ) -> Option<T> {
        match raw.map(parse)? {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Ends a parse: `value` when no field was at fault, else one 400
    /// naming every field at fault (`invalid_fields`, or the field's own
    /// code when it is the only one). `value` is `None` only when a field
    /// is at fault, so the answer always names at least one.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.into_error()),
        }
    }

    /// Fails with the errors found so far, if any.
    pub fn check(self) -> Result<(), ApiError> {
        self.finish(Some(()))
    }

    fn into_error(self) -> ApiError {
        if self.errors.len() == 1 {
            if let Some((field, code)) = self.codes.into_iter().next() {
                if let Some(messages) = self.errors.get(&field) {
                    return ApiError::field(code, &field, messages.join(" "));
                }
            }
        }
        ApiError::fields(self.errors)
    }
}

/// A request body of type `T` (a body type whose fields are [`Field`]s),
/// with the errors of its unknown fields found already. `empty` is whether
/// the body had no field at all (a `PUT` that changes nothing).
pub struct Body<T> {
    /// The fields, each as sent.
    pub fields: T,
    /// The unknown fields, refused by name; the body's parse adds its own.
    pub errors: FieldErrors,
    /// The body was empty or `{}`.
    pub empty: bool,
}

/// A body type: deserializes from a JSON object of [`Field`]s and names the
/// fields it accepts (its schema's property names, read once).
pub trait BodyType: DeserializeOwned + Send {
    /// The accepted fields, in the schema's order.
    fn accepted() -> &'static [String];
}

/// Implements [`BodyType`] for body types, reading each one's accepted
/// fields once from its schema.
macro_rules! body_type {
    ($($body:ty),* $(,)?) => {$(
        impl $crate::extract::body::BodyType for $body {
            fn accepted() -> &'static [String] {
                $crate::accepts!($body)
            }
        }
    )*};
}
pub(crate) use body_type;

// No fields: the body of `restore`, and of a transfer out's `approve` and
// `reject`; it may be empty (or `{}`). Its schema keeps restore's name.
/// `POST /api/v1/domains/{domain_id}/restore/`: no fields (the body may be
/// empty).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RestoreBody)]
pub struct NoFields {}

body_type!(NoFields);

impl<S: Send + Sync, T: BodyType> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let JsonObject(map) = JsonObject::from_request(req, state).await?;
        read(map)
    }
}

/// The body type `T` of `map`, unknown fields refused by name.
fn read<T: BodyType>(mut map: Map<String, Value>) -> Result<Body<T>, ApiError> {
    let empty = map.is_empty();
    let allowed = T::accepted();
    let mut errors = FieldErrors::default();
    map.retain(|key, _| {
        if allowed.iter().any(|a| a == key) {
            return true;
        }
        let message = if allowed.is_empty() {
            "Unknown field: this request takes no body fields.".to_owned()
        } else {
            format!("Unknown field. Accepted fields: {}.", allowed.join(", "))
        };
        errors.add(key, message);
        false
    });
    // Every field is a `Field`, which takes any JSON value, and a missing
    // one is `Absent`: this fails only for a body type that breaks that
    // rule, and then still answers 400 naming the field.
    match serde_path_to_error::deserialize(Value::Object(map)) {
        Ok(fields) => Ok(Body {
            fields,
            errors,
            empty,
        }),
        Err(e) => {
            errors.add(&e.path().to_string(), e.inner().to_string());
            Err(errors.into_error())
        }
    }
}

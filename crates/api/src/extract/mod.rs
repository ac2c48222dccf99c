//! Extractors whose rejections come back as our JSON error body: the JSON
//! object of a body ([`JsonObject`]; [`body`] reads a request's body type
//! from it), the bearer token ([`auth`]), the ids of a path ([`path`]),
//! and query strings and pages ([`pagination`]).

pub mod auth;
pub mod body;
pub mod client;
pub mod pagination;
pub mod path;

pub use path::{DomainId, ItemPath};

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};

/// A JSON object body, with its content type, size and syntax checked.
/// Request bodies are read from it by [`body::Body`].
/// An empty body counts as `{}`, so `curl -X POST .../renew/` works.
#[derive(Debug, Default)]
pub struct JsonObject(pub Map<String, Value>);

fn is_json(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The 413 of a body over [`crate::BODY_LIMIT`].
pub(crate) fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        "The request body is over 64 KiB: send a smaller body.",
    )
}

/// The request's whole body, at most [`crate::BODY_LIMIT`]: a 413 past it,
/// a 400 `unreadable_body` when the connection broke while sending it.
pub(crate) async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            payload_too_large()
        } else {
            ApiError::bad_request(
                ErrorCode::UnreadableBody,
                "The request body could not be read.",
            )
        }
    })
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = body_bytes(req, state).await?;
        if bytes.is_empty() {
            return Ok(JsonObject(Map::new()));
        }
        match content_type.as_deref() {
            Some(ct) if is_json(ct) => {}
            _ => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "Send the body as JSON with the header Content-Type: application/json.",
                ))
            }
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonObject(Map::new()));
        }
        let duplicate = std::cell::RefCell::new(None);
        let parsed = {
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            serde::de::DeserializeSeed::deserialize(
                UniqueKeys {
                    path: String::new(),
                    duplicate: &duplicate,
                },
                &mut de,
            )
            .and_then(|v| de.end().map(|()| v))
        };
        if let Some(key) = duplicate.into_inner() {
            let mut errors = BTreeMap::new();
            errors.insert(
                key.clone(),
                vec!["This key appears more than once: send it once.".to_owned()],
            );
            let mut e = ApiError::bad_request(
                ErrorCode::DuplicateKey,
                format!(
                    "The key \"{key}\" appears more than once in the body: send each key once (parsers disagree on which one counts)."
                ),
            );
            e.errors = Some(errors);
            return Err(e);
        }
        match parsed {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(ApiError::bad_request(
                ErrorCode::MalformedJson,
                "The body must be a JSON object, such as {\"domain_name\": \"example.com\"}.",
            )),
            Err(e) => Err(ApiError::bad_request(
                ErrorCode::MalformedJson,
                format!(
                    "The body is not valid JSON ({} at line {}, column {}): fix the syntax and retry.",
                    match e.classify() {
                        serde_json::error::Category::Eof => "it ends too early",
                        _ => "unexpected input",
                    },
                    e.line(),
                    e.column()
                ),
            )),
        }
    }
}

/// Parses a JSON value like `serde_json::Value`, but refuses an object
/// with a key twice, at any depth: RFC 8259 (section 4) leaves what such a
/// text means to each parser (some take the first, most the last), so a
/// request must not mean one thing to a proxy or a log and another to us.
/// The first duplicate found is put in `duplicate`, named by its path
/// (`records[0].name`).
struct UniqueKeys<'a> {
    path: String,
    duplicate: &'a std::cell::RefCell<Option<String>>,
}

impl UniqueKeys<'_> {
    fn child(&self, step: &str) -> Self {
        UniqueKeys {
            path: format!("{}{step}", self.path),
            duplicate: self.duplicate,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self.child(&format!("[{}]", items.len())))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let step = if self.path.is_empty() {
                key.clone()
            } else {
                format!(".{key}")
            };
            let value = map.next_value_seed(self.child(&step))?;
            if object.contains_key(&key) {
                let path = format!("{}{step}", self.path);
                *self.duplicate.borrow_mut() = Some(path.clone());
                return Err(serde::de::Error::custom(format!("duplicate key {path}")));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

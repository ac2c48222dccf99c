//! A zone's TSIG key as the API shows it: never its secret, but once, in
//! the answer that made it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use vpsd_storage::TsigKey;

use crate::views::{opt_rfc3339, rfc3339};

/// A TSIG key (RFC 8945) of the zone.
#[derive(Serialize, ToSchema)]
#[schema(as = TsigKey)]
pub struct TsigKeyView {
    pub id: i64,
    /// The key's name, as clients give it (`nsupdate -y`, lego's
    /// `RFC2136_TSIG_KEY`, certbot's `dns_rfc2136_name`).
    #[schema(example = "acme.example.com")]
    pub name: String,
    /// The HMAC it signs with.
    #[schema(example = "hmac-sha256")]
    pub algorithm: &'static str,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When a message signed with it was last accepted.
    #[serde(serialize_with = "opt_rfc3339")]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl TsigKeyView {
    /// The view of `k`.
    pub fn new(k: &TsigKey) -> Self {
        TsigKeyView {
            id: i64::from(k.id),
            name: k.name.clone(),
            algorithm: k.algorithm.as_str(),
            created_at: k.created_at,
            last_used_at: k.last_used_at,
        }
    }
}

/// A key as made: the key and its secret, shown this once.
#[derive(Serialize, ToSchema)]
#[schema(as = TsigKeyCreated)]
pub struct TsigKeyCreatedView {
    #[serde(flatten)]
    pub key: TsigKeyView,
    /// The secret, base64 (RFC 4648 §4): shown in this answer only, never
    /// again. Give it to the client with the name and algorithm.
    #[schema(example = "3q2+7wP0Tz0yV9lQpJcG0zS8wPl7Hq4bXoXh9p6uY3k=")]
    pub secret: String,
}

//! A DNS record as the API shows it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use vpsd_domain::RecordId;
use vpsd_storage::DnsRecord;

use crate::views::rfc3339;
use vpsd_domain::dns::RecordType;

/// A record as the API shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = DnsRecord)]
pub struct RecordView<'a> {
    #[schema(value_type = i64)]
    pub id: RecordId,
    /// Relative to the zone; `@` for the apex.
    pub name: &'a str,
    /// The whole name, without the final dot.
    pub fqdn: String,
    #[serde(rename = "type")]
    pub rtype: RecordType,
    pub content: String,
    pub ttl: i64,
    pub priority: Option<i64>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> RecordView<'a> {
    pub fn new(r: &'a DnsRecord, zone: &str) -> Self {
        RecordView {
            id: r.id,
            name: &r.data.name,
            fqdn: r.data.fqdn(zone),
            rtype: r.data.rtype(),
            content: r.data.rdata.to_string(),
            ttl: i64::from(r.data.ttl),
            priority: r.data.priority().map(i64::from),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

//! Email and URL forwards as the API shows them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use vpsd_domain::dns;
use vpsd_domain::ForwardId;
use vpsd_storage::{EmailForward, UrlForward};

use crate::views::rfc3339;

/// An email forward.
#[derive(Serialize, ToSchema)]
#[schema(as = EmailForward)]
pub struct EmailView<'a> {
    #[schema(value_type = i64)]
    pub id: ForwardId,
    pub alias: &'a str,
    /// The forwarded address; `*@domain` for the catch-all.
    pub address: String,
    #[schema(value_type = Vec<String>)]
    pub destinations: &'a [String],
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> EmailView<'a> {
    pub fn new(f: &'a EmailForward, zone: &str) -> Self {
        EmailView {
            id: f.id,
            alias: &f.alias,
            address: format!("{}@{zone}", f.alias),
            destinations: &f.destinations,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

/// A URL forward.
#[derive(Serialize, ToSchema)]
#[schema(as = UrlForward)]
pub struct UrlView<'a> {
    #[schema(value_type = i64)]
    pub id: ForwardId,
    pub host: &'a str,
    pub fqdn: String,
    pub target: &'a str,
    pub status_code: i64,
    pub keep_path: bool,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> UrlView<'a> {
    pub fn new(f: &'a UrlForward, zone: &str) -> Self {
        UrlView {
            id: f.id,
            host: &f.host,
            fqdn: dns::owner(&f.host, zone),
            target: &f.target,
            status_code: f.status_code,
            keep_path: f.keep_path,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

/// A list answer: `count` and `results`, like the paginated lists' first
/// page (a domain has at most 100 forwards of a kind, all on it).
pub fn json_list<T: Serialize>(results: Vec<T>) -> crate::extract::pagination::Page<T> {
    crate::extract::pagination::Page {
        count: results.len() as i64,
        next: None,
        previous: None,
        results,
    }
}

//! `/api/v1/domains/{domain_id}/dns/records/...`: the DNS records of a
//! domain's zone (docs/api.md, "DNS records").
//!
//! - `GET` lists them (paginated, filters `type` and `name`), `POST` adds one
//!   (201); several records of one type at one name are normal, so adding
//!   never replaces.
//! - `GET`/`PUT`/`DELETE .../{record_id}/`: one record; `PUT` changes the
//!   fields it names and keeps the others, then checks the whole record
//!   again; `DELETE` answers 204.
//!
//! Ids are stable for a record's life, so tools can track them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use vpsd_domain::dns::{self, Clash, RecordData, RecordInput, RecordType};
use vpsd_storage::DnsRecord;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Fields, ItemPath, JsonObject};
use crate::openapi::params::{DomainIdParam, PageParams, RecordIdParams};
use crate::openapi::Routes;
use crate::pagination::{ListQuery, Page};
use crate::views::rfc3339;
use crate::{accepts, AppState};

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list, create))
        .serve(routes!(show, replace, remove))
}

/// A record's type.
#[derive(Serialize, ToSchema)]
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
/// accept (their documented schemas, [`RecordCreateBody`] and
/// [`RecordUpdateBody`], say which go together).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RecordBody {
    /// Relative to the zone (`@` the apex, `www`, `*.dev`); a full name
    /// ending in the zone is accepted too. Default `@`.
    #[serde(default)]
    #[schema(example = "www")]
    name: String,
    /// Required when adding.
    #[serde(default, rename = "type")]
    #[schema(value_type = RecordTypeName)]
    rtype: String,
    /// The type's data: an address, a host name, TXT text (up to 4,000
    /// bytes), `weight port target` for SRV, `flags tag value` for CAA.
    /// Required when adding.
    #[serde(default)]
    #[schema(example = "192.0.2.10")]
    content: String,
    /// Seconds, 60–86400 (default 3600).
    #[serde(default)]
    #[schema(minimum = 60, maximum = 86400, default = 3600)]
    ttl: i64,
    /// MX and SRV only, and required there: 0–65535.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 65535)]
    priority: i64,
}

/// A type without a priority.
#[derive(Serialize, ToSchema)]
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
#[derive(Serialize, ToSchema)]
#[allow(clippy::upper_case_acronyms, dead_code)]
enum PrioritizedRecordType {
    MX,
    SRV,
}

/// A record without a priority to add: A, AAAA, CNAME, TXT, NS, CAA.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PlainRecordCreate {
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
struct PrioritizedRecordCreate {
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
enum RecordCreateBody {
    Plain(PlainRecordCreate),
    Prioritized(PrioritizedRecordCreate),
}

/// The fields of a record to change (`PUT`), without `priority`: any, at
/// least one. An MX or SRV record keeps its priority.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PlainRecordUpdate {
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
struct PrioritizedRecordUpdate {
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
enum RecordUpdateBody {
    Plain(PlainRecordUpdate),
    Prioritized(PrioritizedRecordUpdate),
}

/// The record list's filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RecordFilter {
    /// Only records of this type.
    #[param(value_type = Option<RecordTypeName>)]
    r#type: Option<String>,
    /// Only records at this name (relative, or a full name in the zone).
    name: Option<String>,
}

fn record_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Not found: check the domain and record ids (GET /api/v1/domains/{domain_id}/dns/records/ lists the zone's records).",
    )
}

/// A record as the API shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = DnsRecord)]
pub struct RecordView<'a> {
    pub id: i64,
    /// Relative to the zone; `@` for the apex.
    pub name: &'a str,
    /// The whole name, without the final dot.
    pub fqdn: String,
    #[serde(rename = "type")]
    #[schema(value_type = RecordTypeName)]
    pub rtype: &'static str,
    pub content: String,
    pub ttl: i64,
    pub priority: Option<i64>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> RecordView<'a> {
    fn new(r: &'a DnsRecord, zone: &str) -> Self {
        RecordView {
            id: r.id,
            name: &r.data.name,
            fqdn: r.data.fqdn(zone),
            rtype: r.data.rtype().as_str(),
            content: r.data.rdata.to_string(),
            ttl: i64::from(r.data.ttl),
            priority: r.data.priority().map(i64::from),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Reads the body's record fields (each with its own type error).
fn read_input(body: JsonObject) -> Result<(RecordInput, Vec<&'static str>), ApiError> {
    let fields = accepts!(RecordBody);
    let given: Vec<&str> = fields
        .iter()
        .map(String::as_str)
        .filter(|f| body.0.contains_key(*f))
        .collect();
    let mut f = Fields::new(body, fields);
    let input = RecordInput {
        name: f.string("name"),
        rtype: f.string("type"),
        content: f.string("content"),
        ttl: f.int("ttl"),
        priority: f.int("priority"),
    };
    f.finish()?;
    Ok((input, given))
}

fn checked(zone: &str, input: &RecordInput) -> Result<RecordData, ApiError> {
    dns::validate(zone, input).map_err(|errors| {
        let mut map = std::collections::BTreeMap::new();
        for e in errors {
            map.entry(e.field.to_owned())
                .or_insert_with(Vec::new)
                .push(e.message);
        }
        ApiError::fields(map)
    })
}

fn clash_error(clash: Clash) -> ApiError {
    let message = clash.to_string();
    match clash {
        Clash::Duplicate { .. } => ApiError::new(StatusCode::CONFLICT, "duplicate_record", message),
        Clash::Cname { .. } => ApiError::field("cname_conflict", "type", message),
        Clash::NullMx { .. } => ApiError::field("null_mx_conflict", "content", message),
        Clash::RrsetTooLarge { .. } => ApiError::field("rrset_too_large", "content", message),
        Clash::ZoneFull => ApiError::bad_request("zone_full", message),
    }
}

async fn zone_name(state: &AppState, account: i64, domain_id: i64) -> Result<String, ApiError> {
    Ok(state
        .registrar
        .domain(account, domain_id)
        .await?
        .domain_name)
}

/// The zone's records, ordered by id.
#[utoipa::path(get, operation_id = "listDnsRecords", path = "/api/v1/domains/{domain_id}/dns/records/", tag = "dns",
    params(DomainIdParam, RecordFilter, PageParams),
    responses(
        (status = 200, description = "A page of records.", body = Page<RecordView>),
        (status = 400, description = "A bad `type`, `name`, `page` or `page_size`.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account, or a page past the end.", body = crate::error::ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let zone = zone_name(&state, caller.account_id, path.domain_id).await?;
    let rtype = match query.get("type") {
        None => None,
        Some(t) => Some(RecordType::parse(t).ok_or_else(|| {
            ApiError::field(
                "invalid_query",
                "type",
                format!("`{t}` is not a record type: use A, AAAA, CNAME, MX, TXT, NS, SRV or CAA."),
            )
        })?),
    };
    let name = match query.get("name") {
        None => None,
        Some(n) => Some(
            dns::relative_name(&zone, n)
                .map_err(|message| ApiError::field("invalid_query", "name", message))?,
        ),
    };
    let records = state
        .registrar
        .dns_records(caller.account_id, path.domain_id)
        .await?;
    let matching: Vec<&DnsRecord> = records
        .iter()
        .filter(|r| rtype.is_none_or(|t| r.data.rtype() == t))
        .filter(|r| name.as_deref().is_none_or(|n| r.data.name == n))
        .collect();
    let count = matching.len() as i64;
    let results = matching
        .into_iter()
        .skip(usize::try_from(query.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(query.limit()).unwrap_or(0))
        .map(|r| RecordView::new(r, &zone))
        .collect();
    Ok(Json(query.page(count, results)?).into_response())
}

/// Add a record (several of one type at one name are normal).
#[utoipa::path(post, operation_id = "createDnsRecord", path = "/api/v1/domains/{domain_id}/dns/records/", tag = "dns",
    params(DomainIdParam),
    request_body = RecordCreateBody,
    responses(
        (status = 201, description = "Added; served at once.", body = RecordView),
        (status = 400, description = "A bad field, a CNAME beside other data, or a full zone.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "The same record exists.", body = crate::error::ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let (input, _) = read_input(body)?;
    let zone = zone_name(&state, caller.account_id, path.domain_id).await?;
    let data = checked(&zone, &input)?;
    let record = state
        .registrar
        .add_dns_record(&caller.actor, caller.account_id, path.domain_id, &data)
        .await?
        .map_err(clash_error)?;
    Ok((StatusCode::CREATED, Json(RecordView::new(&record, &zone))).into_response())
}

/// One record.
#[utoipa::path(get, operation_id = "getDnsRecord", path = "/api/v1/domains/{domain_id}/dns/records/{record_id}/", tag = "dns",
    params(RecordIdParams),
    responses(
        (status = 200, description = "The record.", body = RecordView),
        (status = 404, description = "No such domain or record.", body = crate::error::ErrorBody),
    ))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath,
) -> Result<Response, ApiError> {
    let zone = zone_name(&state, caller.account_id, path.domain_id).await?;
    let record_id = path.item_id.ok_or_else(record_not_found)?;
    let record = state
        .registrar
        .dns_record(caller.account_id, path.domain_id, record_id)
        .await
        .map_err(|e| ApiError::or_not_found(e, record_not_found))?;
    Ok(Json(RecordView::new(&record, &zone)).into_response())
}

/// Change the fields given; the whole record is checked again.
#[utoipa::path(put, operation_id = "updateDnsRecord", path = "/api/v1/domains/{domain_id}/dns/records/{record_id}/", tag = "dns",
    params(RecordIdParams),
    request_body = RecordUpdateBody,
    responses(
        (status = 200, description = "The record now.", body = RecordView),
        (status = 400, description = "An empty body, a bad field, or a CNAME beside other data.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain or record.", body = crate::error::ErrorBody),
        (status = 409, description = "The same record exists.", body = crate::error::ErrorBody),
    ))]
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let (input, given) = read_input(body)?;
    if given.is_empty() {
        return Err(ApiError::bad_request(
            "empty_update",
            "The body changes nothing: give at least one of name, type, content, ttl, priority.",
        ));
    }
    let zone = zone_name(&state, caller.account_id, path.domain_id).await?;
    let record_id = path.item_id.ok_or_else(record_not_found)?;
    let current = state
        .registrar
        .dns_record(caller.account_id, path.domain_id, record_id)
        .await
        .map_err(|e| ApiError::or_not_found(e, record_not_found))?;
    // A new type with the old content is almost always a mistake (an MX's
    // host kept as a TXT's text): the new type needs its content given.
    let new_type = input.rtype.as_deref().and_then(RecordType::parse);
    if new_type.is_some_and(|t| t != current.data.rtype()) && input.content.is_none() {
        return Err(ApiError::fields(std::collections::BTreeMap::from([(
            "content".to_owned(),
            vec![format!(
                "The type changes from {} to {}: give the content of the {} record too.",
                current.data.rtype(),
                new_type.map_or("", RecordType::as_str),
                new_type.map_or("", RecordType::as_str),
            )],
        )])));
    }
    // Fields not given keep their values; a changed type drops a priority
    // the new type has no use for.
    let rtype = input
        .rtype
        .clone()
        .unwrap_or_else(|| current.data.rtype().as_str().to_owned());
    let keeps_priority = RecordType::parse(&rtype).is_some_and(RecordType::has_priority);
    let merged = RecordInput {
        name: Some(input.name.unwrap_or(current.data.name.clone())),
        rtype: Some(rtype),
        content: Some(
            input
                .content
                .unwrap_or_else(|| current.data.rdata.to_string()),
        ),
        ttl: Some(input.ttl.unwrap_or(i64::from(current.data.ttl))),
        priority: if given.contains(&"priority") {
            input.priority
        } else if keeps_priority {
            current.data.priority().map(i64::from)
        } else {
            None
        },
    };
    let data = checked(&zone, &merged)?;
    let record = state
        .registrar
        .replace_dns_record(&caller.actor, caller.account_id, &current, &data)
        .await
        .map_err(|e| ApiError::or_not_found(e, record_not_found))?
        .map_err(clash_error)?;
    Ok(Json(RecordView::new(&record, &zone)).into_response())
}

/// Delete a record.
#[utoipa::path(delete, operation_id = "deleteDnsRecord", path = "/api/v1/domains/{domain_id}/dns/records/{record_id}/", tag = "dns",
    params(RecordIdParams),
    responses(
        (status = 204, description = "Deleted; gone from the nameserver at once."),
        (status = 404, description = "No such domain or record.", body = crate::error::ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath,
) -> Result<Response, ApiError> {
    let record_id = path.item_id.ok_or_else(record_not_found)?;
    state
        .registrar
        .delete_dns_record(&caller.actor, caller.account_id, path.domain_id, record_id)
        .await
        .map_err(|e| ApiError::or_not_found(e, record_not_found))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

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
use utoipa::IntoParams;
use utoipa_axum::routes;
use vpsd_domain::dns::{self, Clash, RecordType};
use vpsd_domain::ErrorCode;
use vpsd_storage::DnsRecord;

use crate::bodies::records::{RecordCreate, RecordRead, RecordUpdate};
use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::Body;
use crate::extract::pagination::{ListQuery, Page};
use crate::extract::ItemPath;
use crate::openapi::params::{DomainIdParam, PageParams, RecordIdParams};
use crate::openapi::Routes;
use crate::views::records::RecordView;
use crate::AppState;
use vpsd_domain::RecordId;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list, create))
        .serve(routes!(show, replace, remove))
}

/// The record list's filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RecordFilter {
    /// Only records of this type.
    #[param(value_type = Option<RecordType>)]
    r#type: Option<String>,
    /// Only records at this name (relative, or a full name in the zone).
    name: Option<String>,
}

fn record_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Not found: check the domain and record ids (GET /api/v1/domains/{domain_id}/dns/records/ lists the zone's records).",
    )
}

fn clash_error(clash: Clash) -> ApiError {
    let message = clash.to_string();
    match clash {
        Clash::Duplicate { .. } => {
            ApiError::new(StatusCode::CONFLICT, ErrorCode::DuplicateRecord, message)
        }
        Clash::Cname { .. } => ApiError::field(ErrorCode::CnameConflict, "type", message),
        Clash::NullMx { .. } => ApiError::field(ErrorCode::NullMxConflict, "content", message),
        Clash::RrsetTooLarge { .. } => {
            ApiError::field(ErrorCode::RrsetTooLarge, "content", message)
        }
        Clash::ZoneFull => ApiError::bad_request(ErrorCode::ZoneFull, message),
    }
}

async fn zone_name(
    state: &AppState,
    account: vpsd_domain::AccountId,
    domain_id: vpsd_domain::DomainId,
) -> Result<String, ApiError> {
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
    path: ItemPath<RecordId>,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let zone = zone_name(&state, caller.account_id, path.domain_id).await?;
    let rtype = match query.get("type") {
        None => None,
        Some(t) => Some(RecordType::parse(t).ok_or_else(|| {
            ApiError::field(
                ErrorCode::InvalidQuery,
                "type",
                format!("`{t}` is not a record type: use A, AAAA, CNAME, MX, TXT, NS, SRV or CAA."),
            )
        })?),
    };
    let name = match query.get("name") {
        None => None,
        Some(n) => Some(
            dns::relative_name(&zone, n)
                .map_err(|message| ApiError::field(ErrorCode::InvalidQuery, "name", message))?,
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
    request_body = RecordCreate,
    responses(
        (status = 201, description = "Added; served at once.", body = RecordView),
        (status = 400, description = "A bad field, a CNAME beside other data, or a full zone.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "The same record exists.", body = crate::error::ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<RecordId>,
    body: Body<RecordCreate>,
) -> Result<Response, ApiError> {
    let read = RecordRead::from(body);
    let zone = match zone_name(&state, caller.account_id, path.domain_id).await {
        Ok(zone) => zone,
        Err(e) => return Err(read.or_error(e)),
    };
    let data = read.create(&zone)?;
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
    path: ItemPath<RecordId>,
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
    request_body = RecordUpdate,
    responses(
        (status = 200, description = "The record now.", body = RecordView),
        (status = 400, description = "An empty body, a bad field, or a CNAME beside other data.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain or record.", body = crate::error::ErrorBody),
        (status = 409, description = "The same record exists.", body = crate::error::ErrorBody),
    ))]
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<RecordId>,
    body: Body<RecordUpdate>,
) -> Result<Response, ApiError> {
    let read = RecordRead::from(body);
    if read.is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::EmptyUpdate,
            "The body changes nothing: give at least one of name, type, content, ttl, priority.",
        ));
    }
    let Some(record_id) = path.item_id else {
        return Err(read.or_error(record_not_found()));
    };
    let found = match zone_name(&state, caller.account_id, path.domain_id).await {
        Ok(zone) => state
            .registrar
            .dns_record(caller.account_id, path.domain_id, record_id)
            .await
            .map(|current| (zone, current))
            .map_err(|e| ApiError::or_not_found(e, record_not_found)),
        Err(e) => Err(e),
    };
    let (zone, current) = match found {
        Ok(found) => found,
        Err(e) => return Err(read.or_error(e)),
    };
    let data = read.update(&zone, &current.data)?;
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
    path: ItemPath<RecordId>,
) -> Result<Response, ApiError> {
    let record_id = path.item_id.ok_or_else(record_not_found)?;
    state
        .registrar
        .delete_dns_record(&caller.actor, caller.account_id, path.domain_id, record_id)
        .await
        .map_err(|e| ApiError::or_not_found(e, record_not_found))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

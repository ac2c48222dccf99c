//! `/api/v1/domains/{domain_id}/dns/zone/`: the zone as a master file
//! (RFC 1035 §5; docs/api.md, "Zone files").
//!
//! - `GET` answers it as `text/dns` (RFC 4027): the SOA and VPS.org's NS
//!   records, then the zone's records.
//! - `POST` imports one (`?mode=merge` or `?mode=replace`), checking every
//!   record by the records API's rules, all or nothing; faults are answered
//!   by line number.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use vpsd_domain::ErrorCode;
use vpsd_registrar::{ImportMode, ZoneFileRefused};

use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::pagination::ListQuery;
use crate::extract::{body_bytes, DomainId};
use crate::openapi::params::DomainIdParam;
use crate::openapi::Routes;
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new().serve(routes!(export, import))
}

/// The media type of a zone file (RFC 4027).
const TEXT_DNS: &str = "text/dns";

/// A zone file as a request body: `text/dns` or `text/plain`, UTF-8, at
/// most 64 KiB (the API's body limit).
pub struct ZoneFileText(String);

impl<S: Send + Sync> FromRequest<S> for ZoneFileText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let mime = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase());
        if !matches!(mime.as_deref(), Some(TEXT_DNS | "text/plain")) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the zone file as the body with the header Content-Type: text/dns (or text/plain).",
            ));
        }
        let bytes = body_bytes(req, state).await?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            ApiError::bad_request(
                ErrorCode::InvalidZoneFile,
                format!(
                    "The zone file is not UTF-8 text (a bad byte at offset {}): save it as UTF-8, writing other bytes as \\DDD.",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Ok(ZoneFileText(text))
    }
}

/// How an imported file meets the zone's records.
#[derive(ToSchema)]
#[schema(as = ZoneImportMode)]
#[allow(dead_code)]
enum ModeName {
    /// Add the file's records, keep the zone's others.
    #[schema(rename = "merge")]
    Merge,
    /// The zone's records become the file's.
    #[schema(rename = "replace")]
    Replace,
}

/// The import's `mode`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ModeParam {
    /// `merge`: add the file's records, keep the zone's others; `replace`:
    /// the zone's records become the file's.
    #[param(inline, value_type = ModeName)]
    mode: String,
}

/// A record of the file left out.
#[derive(Serialize, ToSchema)]
struct SkippedView {
    line: usize,
    #[serde(rename = "type")]
    rtype: String,
    reason: &'static str,
}

/// What an import did.
#[derive(Serialize, ToSchema)]
#[schema(as = ZoneImport)]
struct ImportView {
    #[schema(example = "merge")]
    mode: &'static str,
    /// Records added.
    added: usize,
    /// Records kept with a new TTL.
    updated: usize,
    /// Records deleted (`replace` only).
    deleted: usize,
    /// Records of the file the zone held already.
    unchanged: usize,
    /// Records of the file left out: the SOA and the apex's NS records,
    /// which are VPS.org's.
    skipped: Vec<SkippedView>,
    message: String,
}

/// The 400 naming every line at fault, `errors` keyed `line N`.
fn refused(refusal: ZoneFileRefused) -> ApiError {
    let mut lines: Vec<usize> = refusal.errors.iter().map(|e| e.line).collect();
    lines.dedup();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in refusal.errors {
        errors
            .entry(format!("line {}", e.line))
            .or_default()
            .push(e.message);
    }
    let list = lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut error = ApiError::bad_request(
        ErrorCode::InvalidZoneFile,
        format!("The zone file has faults on line(s) {list} (`errors` says what each is): mend them and send it again. Nothing was changed."),
    );
    error.errors = Some(errors);
    error
}

/// The zone as a master file.
#[utoipa::path(get, operation_id = "exportZoneFile", path = "/api/v1/domains/{domain_id}/dns/zone/", tag = "dns",
    params(DomainIdParam),
    responses(
        (status = 200, description = "The zone file (RFC 1035 §5).", content_type = "text/dns", body = String),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
    DomainId(id): DomainId,
) -> Result<Response, ApiError> {
    // 404 for another account's domain, before anything is read.
    state.registrar.domain(caller.account_id, id).await?;
    let source = state
        .registrar
        .store()
        .dns_zone(id)
        .await
        .map_err(|e| {
            tracing::error!(error = %vpsd_domain::ErrorChain(&e), "zone read failed");
            ApiError::internal()
        })?
        .ok_or_else(ApiError::not_found)?;
    let text = state
        .zone_apex
        .as_ref()
        .and_then(|apex| vpsd_dns::zone_file::master_file(&source, apex))
        .ok_or_else(ApiError::internal)?;
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_DNS));
    Ok(response)
}

/// Import a zone file: every record checked, all or nothing.
#[utoipa::path(post, operation_id = "importZoneFile", path = "/api/v1/domains/{domain_id}/dns/zone/", tag = "dns",
    params(DomainIdParam, ModeParam),
    request_body(content = String, content_type = "text/dns", description = "A zone file (RFC 1035 §5), at most 64 KiB."),
    responses(
        (status = 200, description = "Imported.", body = ImportView),
        (status = 400, description = "Lines at fault (`invalid_zone_file`, `errors` by line), or a bad `mode`.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 415, description = "Not sent as text/dns or text/plain.", body = crate::error::ErrorBody),
    ))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    DomainId(id): DomainId,
    query: ListQuery,
    ZoneFileText(text): ZoneFileText,
) -> Result<Response, ApiError> {
    let (mode, name) = match query.get("mode") {
        Some("merge") => (ImportMode::Merge, "merge"),
        Some("replace") => (ImportMode::Replace, "replace"),
        _ => {
            return Err(ApiError::field(
                ErrorCode::InvalidQuery,
                "mode",
                "Say how the file meets the zone: ?mode=merge (add its records, keep the others) or ?mode=replace (the zone becomes the file).",
            ))
        }
    };
    let done = state
        .registrar
        .import_zone_file(&caller.actor, caller.account_id, id, &text, mode)
        .await?
        .map_err(refused)?;
    let changed = done.counts.added + done.counts.replaced + done.counts.deleted;
    Ok(Json(ImportView {
        mode: name,
        added: done.counts.added,
        updated: done.counts.replaced,
        deleted: done.counts.deleted,
        unchanged: done.unchanged,
        skipped: done
            .skipped
            .into_iter()
            .map(|s| SkippedView {
                line: s.line,
                rtype: s.rtype,
                reason: s.reason,
            })
            .collect(),
        message: if changed == 0 {
            "The zone already held every record of the file: nothing changed.".to_owned()
        } else {
            format!("Zone imported: {changed} record change(s), served within seconds.")
        },
    })
    .into_response())
}

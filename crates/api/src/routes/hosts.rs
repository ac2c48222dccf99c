//! A domain's hosts, its child name servers with glue (docs/api.md,
//! "Hosts"): `/api/v1/domains/{domain_id}/hosts/` (`GET`, `POST`) and
//! `.../{host_name}/` (`GET`, `PUT`, `DELETE`). Each is a host object (RFC
//! 5732) at the domain's registry, named inside the domain, with 1–13
//! public addresses; the registry is asked on every request.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::routes;
use vpsd_domain::ErrorCode;

use crate::bodies::hosts::{host_under, HostBody, HostUpdateBody};
use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::Body;
use crate::extract::pagination::Page;
use crate::openapi::params::{DomainIdParam, HostNameParams};
use crate::openapi::Routes;
use crate::views::forwards::json_list;
use crate::views::hosts::HostView;
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list, create))
        .serve(routes!(show, change, remove))
}

fn host_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Not found: check the domain id and the host name (GET the domain's hosts/ to list them).",
    )
}

/// `{domain_id}` and, on an item path, `{host_name}` as given. A domain id
/// that is not a positive integer is a 404.
#[derive(Debug, Clone)]
pub struct HostPath {
    domain_id: vpsd_domain::DomainId,
    host_name: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for HostPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        let mut path = HostPath {
            domain_id: vpsd_domain::DomainId::from(0),
            host_name: None,
        };
        let mut seen = false;
        for (key, value) in params {
            if key == "domain_id" {
                match value.parse::<i64>() {
                    Ok(id) if id > 0 => {
                        path.domain_id = id.into();
                        seen = true;
                    }
                    _ => return Err(ApiError::not_found()),
                }
            } else {
                path.host_name = Some(value);
            }
        }
        if seen {
            Ok(path)
        } else {
            Err(ApiError::not_found())
        }
    }
}

/// The item path's host, checked to be under the account's domain; a name
/// that is not one is a 404 (no host of the domain has it).
async fn item(state: &AppState, caller: &Caller, path: &HostPath) -> Result<String, ApiError> {
    let domain = state
        .registrar
        .domain(caller.account_id, path.domain_id)
        .await?;
    let raw = path.host_name.as_deref().ok_or_else(host_not_found)?;
    host_under(raw, &domain.domain_name).map_err(|_| host_not_found())
}

/// The domain's hosts (child name servers), by name.
#[utoipa::path(get, operation_id = "listHosts", path = "/api/v1/domains/{domain_id}/hosts/", tag = "hosts",
    params(DomainIdParam),
    responses(
        (status = 200, description = "Every host under the domain.", body = Page<HostView>),
        (status = 400, description = "The domain is not sponsored by VPS.org, or still being registered.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer.", body = crate::error::ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    path: HostPath,
) -> Result<Response, ApiError> {
    let (_, hosts) = state
        .registrar
        .hosts(&caller.actor, caller.account_id, path.domain_id)
        .await?;
    let views: Vec<HostView> = hosts.iter().map(HostView::new).collect();
    Ok(Json(json_list(views)).into_response())
}

/// Create a host inside the domain with its addresses (glue) at the registry.
#[utoipa::path(post, operation_id = "createHost", path = "/api/v1/domains/{domain_id}/hosts/", tag = "hosts",
    params(DomainIdParam),
    request_body = HostBody,
    responses(
        (status = 201, description = "Created at the registry.", body = HostView),
        (status = 400, description = "A bad field (a name outside the domain, an address that is not public, none or more than 13), or the registry refused it.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "A host of that name exists at the registry.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer.", body = crate::error::ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    path: HostPath,
    body: Body<HostBody>,
) -> Result<Response, ApiError> {
    let domain = state
        .registrar
        .domain(caller.account_id, path.domain_id)
        .await?;
    let (name, addresses) = HostBody::parse(body, &domain.domain_name)?;
    let host = state
        .registrar
        .create_host(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            &name,
            &addresses,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(HostView::new(&host))).into_response())
}

/// One host, as the registry has it.
#[utoipa::path(get, operation_id = "getHost", path = "/api/v1/domains/{domain_id}/hosts/{host_name}/", tag = "hosts",
    params(HostNameParams),
    responses(
        (status = 200, description = "The host.", body = HostView),
        (status = 404, description = "No such domain, or no such host under it.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer.", body = crate::error::ErrorBody),
    ))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    path: HostPath,
) -> Result<Response, ApiError> {
    let name = item(&state, &caller, &path).await?;
    let host = state
        .registrar
        .host(&caller.actor, caller.account_id, path.domain_id, &name)
        .await
        .map_err(|e| ApiError::or_not_found(e, host_not_found))?;
    Ok(Json(HostView::new(&host)).into_response())
}

/// Replace the host's addresses.
#[utoipa::path(put, operation_id = "updateHost", path = "/api/v1/domains/{domain_id}/hosts/{host_name}/", tag = "hosts",
    params(HostNameParams),
    request_body = HostUpdateBody,
    responses(
        (status = 200, description = "The host now.", body = HostView),
        (status = 400, description = "A bad address, none or more than 13, or the registry refused it.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain, or no such host under it.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer.", body = crate::error::ErrorBody),
    ))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    path: HostPath,
    body: Body<HostUpdateBody>,
) -> Result<Response, ApiError> {
    let name = item(&state, &caller, &path).await?;
    let addresses = HostUpdateBody::parse(body)?;
    let host = state
        .registrar
        .update_host(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            &name,
            &addresses,
        )
        .await
        .map_err(|e| ApiError::or_not_found(e, host_not_found))?;
    Ok(Json(HostView::new(&host)).into_response())
}

/// Delete the host at the registry; refused while a domain names it as a nameserver.
#[utoipa::path(delete, operation_id = "deleteHost", path = "/api/v1/domains/{domain_id}/hosts/{host_name}/", tag = "hosts",
    params(HostNameParams),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "`host_in_use`: a domain still names it as a nameserver.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain, or no such host under it.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer.", body = crate::error::ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    path: HostPath,
) -> Result<Response, ApiError> {
    let name = item(&state, &caller, &path).await?;
    state
        .registrar
        .delete_host(&caller.actor, caller.account_id, path.domain_id, &name)
        .await
        .map_err(|e| ApiError::or_not_found(e, host_not_found))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

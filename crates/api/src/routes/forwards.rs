//! Email and URL forwarding (docs/api.md, "Forwarding"):
//!
//! - `/api/v1/domains/{domain_id}/email-forwards/` (`GET`, `POST`) and
//!   `.../{forward_id}/` (`GET`, `PUT`, `DELETE`): `alias` (`info`, or `*`
//!   for every other address) → `destinations`.
//! - `/api/v1/domains/{domain_id}/url-forwards/` and `.../{forward_id}/`:
//!   `host` (`@` or a name) → `target`, `status_code` 301 or 302,
//!   `keep_path`.
//!
//! `PUT` changes the fields it names. Forwarding adds what DNS needs (an MX
//! at the apex, A/AAAA at a forwarded host) unless the zone has its own.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::routes;
use vpsd_domain::forwarding;
use vpsd_domain::ErrorCode;
use vpsd_storage::{EmailForward, ForwardClash, UrlForward};

use crate::bodies::forwards::{EmailBody, EmailUpdateBody, UrlBody, UrlUpdateBody};
use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::Body;
use crate::extract::pagination::Page;
use crate::extract::ItemPath;
use crate::openapi::params::{DomainIdParam, ForwardIdParams};
use crate::openapi::Routes;
use crate::views::forwards::{json_list, EmailView, UrlView};
use crate::AppState;
use vpsd_domain::ForwardId;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list_email, create_email))
        .serve(routes!(show_email, change_email, remove_email))
        .serve(routes!(list_url, create_url))
        .serve(routes!(show_url, change_url, remove_url))
}

fn forward_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Not found: check the domain and forward ids (GET the domain's email-forwards/ or url-forwards/ to list them).",
    )
}

fn clash_error(clash: ForwardClash, what: &str) -> ApiError {
    match clash {
        ForwardClash::Taken { id } => ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ForwardExists,
            format!("Forward {id} already forwards this {what}: change that one (PUT) instead."),
        ),
        ForwardClash::Full => ApiError::bad_request(
            ErrorCode::TooManyForwards,
            format!(
                "The domain has {} forwards of this kind, the most allowed: remove one first.",
                forwarding::MAX_FORWARDS
            ),
        ),
    }
}

async fn zone(
    state: &AppState,
    caller: &Caller,
    path: ItemPath<ForwardId>,
) -> Result<String, ApiError> {
    Ok(state
        .registrar
        .domain(caller.account_id, path.domain_id)
        .await?
        .domain_name)
}

fn item(path: ItemPath<ForwardId>) -> Result<ForwardId, ApiError> {
    path.item_id.ok_or_else(forward_not_found)
}

/// The domain's Email forwards (all of them: at most 100).
#[utoipa::path(get, operation_id = "listEmailForwards", path = "/api/v1/domains/{domain_id}/email-forwards/", tag = "forwarding",
    params(DomainIdParam),
    responses(
        (status = 200, description = "Every forward.", body = Page<EmailView>),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn list_email(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let forwards = state
        .registrar
        .email_forwards(caller.account_id, path.domain_id)
        .await?;
    let views: Vec<EmailView> = forwards.iter().map(|f| EmailView::new(f, &zone)).collect();
    Ok(Json(json_list(views)).into_response())
}

/// Add an email forward (the DNS it needs is served unless the zone has its own).
#[utoipa::path(post, operation_id = "createEmailForward", path = "/api/v1/domains/{domain_id}/email-forwards/", tag = "forwarding",
    params(DomainIdParam),
    request_body = EmailBody,
    responses(
        (status = 201, description = "Added.", body = EmailView),
        (status = 400, description = "A bad field, or 100 forwards already.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "Already forwarded.", body = crate::error::ErrorBody),
    ))]
async fn create_email(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
    body: Body<EmailBody>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let data = EmailBody::parse(body, &zone)?;
    let forward = state
        .registrar
        .put_email_forward(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            None,
            &data,
        )
        .await?
        .map_err(|c| clash_error(c, "address"))?;
    Ok((StatusCode::CREATED, Json(EmailView::new(&forward, &zone))).into_response())
}

async fn find_email(
    state: &AppState,
    caller: &Caller,
    path: ItemPath<ForwardId>,
) -> Result<EmailForward, ApiError> {
    let id = item(path)?;
    state
        .registrar
        .email_forwards(caller.account_id, path.domain_id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(forward_not_found)
}

/// One Email forward.
#[utoipa::path(get, operation_id = "getEmailForward", path = "/api/v1/domains/{domain_id}/email-forwards/{forward_id}/", tag = "forwarding",
    params(ForwardIdParams),
    responses(
        (status = 200, description = "The forward.", body = EmailView),
        (status = 404, description = "No such domain or forward.", body = crate::error::ErrorBody),
    ))]
async fn show_email(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let forward = find_email(&state, &caller, path).await?;
    Ok(Json(EmailView::new(&forward, &zone)).into_response())
}

/// Change the fields given.
#[utoipa::path(put, operation_id = "updateEmailForward", path = "/api/v1/domains/{domain_id}/email-forwards/{forward_id}/", tag = "forwarding",
    params(ForwardIdParams),
    request_body = EmailUpdateBody,
    responses(
        (status = 200, description = "The forward now.", body = EmailView),
        (status = 400, description = "An empty body or a bad field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain or forward.", body = crate::error::ErrorBody),
        (status = 409, description = "Another forward has it already.", body = crate::error::ErrorBody),
    ))]
async fn change_email(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
    body: Body<EmailUpdateBody>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let current = find_email(&state, &caller, path).await?;
    let data = EmailUpdateBody::parse(body, &zone, &current)?;
    let forward = state
        .registrar
        .put_email_forward(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            Some(&current),
            &data,
        )
        .await
        .map_err(|e| ApiError::or_not_found(e, forward_not_found))?
        .map_err(|c| clash_error(c, "address"))?;
    Ok(Json(EmailView::new(&forward, &zone)).into_response())
}

/// Delete an email forward.
#[utoipa::path(delete, operation_id = "deleteEmailForward", path = "/api/v1/domains/{domain_id}/email-forwards/{forward_id}/", tag = "forwarding",
    params(ForwardIdParams),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such domain or forward.", body = crate::error::ErrorBody),
    ))]
async fn remove_email(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
) -> Result<Response, ApiError> {
    state
        .registrar
        .delete_email_forward(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            item(path)?,
        )
        .await
        .map_err(|e| ApiError::or_not_found(e, forward_not_found))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The domain's URL forwards (all of them: at most 100).
#[utoipa::path(get, operation_id = "listUrlForwards", path = "/api/v1/domains/{domain_id}/url-forwards/", tag = "forwarding",
    params(DomainIdParam),
    responses(
        (status = 200, description = "Every forward.", body = Page<UrlView>),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn list_url(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let forwards = state
        .registrar
        .url_forwards(caller.account_id, path.domain_id)
        .await?;
    let views: Vec<UrlView> = forwards.iter().map(|f| UrlView::new(f, &zone)).collect();
    Ok(Json(json_list(views)).into_response())
}

/// Add a URL forward (the DNS it needs is served unless the zone has its own).
#[utoipa::path(post, operation_id = "createUrlForward", path = "/api/v1/domains/{domain_id}/url-forwards/", tag = "forwarding",
    params(DomainIdParam),
    request_body = UrlBody,
    responses(
        (status = 201, description = "Added.", body = UrlView),
        (status = 400, description = "A bad field, or 100 forwards already.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "Already forwarded.", body = crate::error::ErrorBody),
    ))]
async fn create_url(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
    body: Body<UrlBody>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let data = UrlBody::parse(body, &zone)?;
    let forward = state
        .registrar
        .put_url_forward(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            None,
            &data,
        )
        .await?
        .map_err(|c| clash_error(c, "host"))?;
    Ok((StatusCode::CREATED, Json(UrlView::new(&forward, &zone))).into_response())
}

async fn find_url(
    state: &AppState,
    caller: &Caller,
    path: ItemPath<ForwardId>,
) -> Result<UrlForward, ApiError> {
    let id = item(path)?;
    state
        .registrar
        .url_forwards(caller.account_id, path.domain_id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(forward_not_found)
}

/// One URL forward.
#[utoipa::path(get, operation_id = "getUrlForward", path = "/api/v1/domains/{domain_id}/url-forwards/{forward_id}/", tag = "forwarding",
    params(ForwardIdParams),
    responses(
        (status = 200, description = "The forward.", body = UrlView),
        (status = 404, description = "No such domain or forward.", body = crate::error::ErrorBody),
    ))]
async fn show_url(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let forward = find_url(&state, &caller, path).await?;
    Ok(Json(UrlView::new(&forward, &zone)).into_response())
}

/// Change the fields given.
#[utoipa::path(put, operation_id = "updateUrlForward", path = "/api/v1/domains/{domain_id}/url-forwards/{forward_id}/", tag = "forwarding",
    params(ForwardIdParams),
    request_body = UrlUpdateBody,
    responses(
        (status = 200, description = "The forward now.", body = UrlView),
        (status = 400, description = "An empty body or a bad field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain or forward.", body = crate::error::ErrorBody),
        (status = 409, description = "Another forward has it already.", body = crate::error::ErrorBody),
    ))]
async fn change_url(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
    body: Body<UrlUpdateBody>,
) -> Result<Response, ApiError> {
    let zone = zone(&state, &caller, path).await?;
    let current = find_url(&state, &caller, path).await?;
    let data = UrlUpdateBody::parse(body, &zone, &current)?;
    let forward = state
        .registrar
        .put_url_forward(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            Some(&current),
            &data,
        )
        .await
        .map_err(|e| ApiError::or_not_found(e, forward_not_found))?
        .map_err(|c| clash_error(c, "host"))?;
    Ok(Json(UrlView::new(&forward, &zone)).into_response())
}

/// Delete a URL forward.
#[utoipa::path(delete, operation_id = "deleteUrlForward", path = "/api/v1/domains/{domain_id}/url-forwards/{forward_id}/", tag = "forwarding",
    params(ForwardIdParams),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such domain or forward.", body = crate::error::ErrorBody),
    ))]
async fn remove_url(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<ForwardId>,
) -> Result<Response, ApiError> {
    state
        .registrar
        .delete_url_forward(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            item(path)?,
        )
        .await
        .map_err(|e| ApiError::or_not_found(e, forward_not_found))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

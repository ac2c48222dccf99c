//! Transfer-out for customers (docs/api.md, "Transfer out"):
//!
//! - `GET /api/v1/domains/{domain_id}/auth-code/`: the EPP auth code to give
//!   the gaining registrar (owner only, read-write tokens only, never
//!   logged, never kept in the `Idempotency-Key` store); `POST` makes a new
//!   one (the old one stops working).
//! - `POST .../transfer-out/approve/` and `.../transfer-out/reject/`: answer
//!   a pending transfer out early (else it is approved five days after the
//!   request).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::auth::{Caller, MaySeeSecrets};
use crate::extract::body::{Body, NoFields};
use crate::extract::DomainId;
use crate::middleware::idempotency::Secret;
use crate::openapi::params::DomainIdParam;
use crate::openapi::Routes;
use crate::views::TransferOutView;
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(show_auth_code, new_auth_code))
        .serve(routes!(approve))
        .serve(routes!(reject))
}

/// A domain's auth code.
#[derive(Serialize, ToSchema)]
#[schema(as = AuthCode)]
struct AuthCodeView<'a> {
    #[schema(value_type = i64)]
    id: vpsd_domain::DomainId,
    domain_name: &'a str,
    /// Give it to the gaining registrar; keep it secret.
    auth_code: &'a str,
}

/// A transfer out, answered.
#[derive(Serialize, ToSchema)]
#[schema(as = TransferOutAnswer)]
struct AnsweredView<'a> {
    #[schema(value_type = i64)]
    id: vpsd_domain::DomainId,
    domain_name: &'a str,
    transfer_out: TransferOutView<'a>,
    message: &'static str,
}

/// The EPP auth code, to transfer the domain to another registrar.
#[utoipa::path(get, operation_id = "getAuthCode", path = "/api/v1/domains/{domain_id}/auth-code/", tag = "transfer-out",
    params(DomainIdParam),
    responses(
        (status = 200, description = "The code.", body = AuthCodeView),
        (status = 400, description = "Not registered with VPS.org (pending, or held elsewhere).", body = crate::error::ErrorBody),
        (status = 403, description = "A read-only token (`secret_needs_read_write_token`): an auth code needs a read-write token.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn show_auth_code(
    State(state): State<AppState>,
    _: MaySeeSecrets,
    caller: Caller,
    DomainId(id): DomainId,
) -> Result<Response, ApiError> {
    let domain = state.registrar.domain(caller.account_id, id).await?;
    let code = state.registrar.auth_code(caller.account_id, id).await?;
    Ok(Json(AuthCodeView {
        id,
        domain_name: &domain.domain_name,
        auth_code: &code,
    })
    .into_response())
}

/// A new auth code; the old one stops working.
#[utoipa::path(post, operation_id = "regenerateAuthCode", path = "/api/v1/domains/{domain_id}/auth-code/", tag = "transfer-out",
    params(DomainIdParam),
    request_body(content = NoFields, description = "May be empty."),
    responses(
        (status = 200, description = "The new code.", body = AuthCodeView),
        (status = 400, description = "Not registered with VPS.org, or a body field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn new_auth_code(
    State(state): State<AppState>,
    caller: Caller,
    DomainId(id): DomainId,
    body: Body<NoFields>,
) -> Result<Response, ApiError> {
    body.errors.check()?;
    let domain = state.registrar.domain(caller.account_id, id).await?;
    let code = state
        .registrar
        .regenerate_auth_code(&caller.actor, caller.account_id, id)
        .await?;
    let mut response = Json(AuthCodeView {
        id,
        domain_name: &domain.domain_name,
        auth_code: &code,
    })
    .into_response();
    // Kept without the code by the Idempotency-Key store.
    response
        .extensions_mut()
        .insert(Secret::AuthCode { domain_id: id });
    Ok(response)
}

const APPROVED: &str = "Transfer approved: the domain has left your account and VPS.org no longer serves its DNS. Its charges stay in your history.";
const REJECTED: &str = "Transfer rejected: the domain stays with VPS.org. Lock it and get a new auth code if you did not ask for it.";

/// Approve a pending transfer out now: the domain leaves the account.
#[utoipa::path(post, operation_id = "approveTransferOut", path = "/api/v1/domains/{domain_id}/transfer-out/approve/", tag = "transfer-out",
    params(DomainIdParam),
    request_body(content = NoFields, description = "May be empty."),
    responses(
        (status = 200, description = "Approved; the domain is gone from the account.", body = AnsweredView),
        (status = 400, description = "No transfer out is pending, or a body field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    DomainId(id): DomainId,
    body: Body<NoFields>,
) -> Result<Response, ApiError> {
    body.errors.check()?;
    let answer = state
        .registrar
        .approve_transfer_out(&caller.actor, caller.account_id, id)
        .await?;
    Ok(answered(answer, APPROVED))
}

/// Reject a pending transfer out: the domain stays.
#[utoipa::path(post, operation_id = "rejectTransferOut", path = "/api/v1/domains/{domain_id}/transfer-out/reject/", tag = "transfer-out",
    params(DomainIdParam),
    request_body(content = NoFields, description = "May be empty."),
    responses(
        (status = 200, description = "Rejected.", body = AnsweredView),
        (status = 400, description = "No transfer out is pending, or a body field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    DomainId(id): DomainId,
    body: Body<NoFields>,
) -> Result<Response, ApiError> {
    body.errors.check()?;
    let answer = state
        .registrar
        .reject_transfer_out(&caller.actor, caller.account_id, id)
        .await?;
    Ok(answered(answer, REJECTED))
}

fn answered(
    (domain, out): (vpsd_storage::Domain, vpsd_storage::TransferOut),
    message: &'static str,
) -> Response {
    Json(AnsweredView {
        id: domain.id,
        domain_name: &domain.domain_name,
        transfer_out: TransferOutView::new(&out),
        message,
    })
    .into_response()
}
